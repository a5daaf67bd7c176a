package purchasing

import (
	"context"
	"sort"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
)

// recordDemand links PO line poLineID to the sales order lines it was ordered for.
func recordDemand(ctx context.Context, q sqlx.ExtContext, poLineID int64, demand []Demand) error {
	if len(demand) == 0 {
		return nil
	}
	ids := make(pq.Int64Array, len(demand))
	qtys := make(pq.StringArray, len(demand))
	for i, d := range demand {
		ids[i], qtys[i] = d.SOLineID, d.Qty.String()
	}
	_, err := q.ExecContext(ctx, `INSERT INTO po_line_demands (po_line_id, so_line_id, qty)
		SELECT $1, l, x FROM unnest($2::bigint[], $3::numeric[]) AS u(l, x)`, poLineID, ids, qtys)
	return db.Classify(err)
}

// Forgotten is what cancelling a sales order did to a draft PO line ordered for it.
type Forgotten struct {
	PO     string          `db:"po" json:"po"`
	Line   int             `db:"line_no" json:"line"`
	SKU    string          `db:"sku" json:"sku"`
	Qty    decimal.Decimal `db:"qty" json:"qty"`
	Only   bool            `db:"only" json:"-"`
	Action string          `db:"-" json:"action"` // "removed" or "kept"
}

// ForgottenPOs is what ForgetSalesOrder did.
type ForgottenPOs struct {
	Lines     []Forgotten `json:"lines"`
	Cancelled []string    `json:"cancelled"` // draft POs left with no lines
}

// ForgetSalesOrder takes back what po generate --from-backorders put on draft purchase orders
// for the lines of sales order so, which is being cancelled: a draft line ordered only for
// that order's lines (origin backorders, every recorded demand its) is removed, and a draft
// left with no lines is cancelled; a line also ordered for other orders or for a reorder level
// is kept as it is (its quantity, rounded to the supplier's packs, serves them; po generate
// counts it as cover) and only forgets this order's demand. Ordered POs are the supplier's
// business now and are not touched. The drafts are locked in id order first.
func ForgetSalesOrder(ctx context.Context, q sqlx.ExtContext, so string) (ForgottenPOs, error) {
	out := ForgottenPOs{Lines: []Forgotten{}, Cancelled: []string{}}
	const mine = `SELECT d.po_line_id, d.so_line_id FROM po_line_demands d JOIN so_lines x ON x.id = d.so_line_id
		JOIN sales_orders s ON s.id = x.so_id WHERE s.number = $1`
	if _, err := q.ExecContext(ctx, `SELECT 1 FROM purchase_orders o WHERE o.status = 'draft' AND o.id IN (
			SELECT l.po_id FROM po_lines l WHERE l.id IN (SELECT m.po_line_id FROM (`+mine+`) m))
		ORDER BY o.id FOR UPDATE`, so); err != nil {
		return out, db.Classify(err)
	}
	var lines []struct {
		Forgotten
		ID   int64 `db:"id"`
		POID int64 `db:"po_id"`
	}
	err := sqlx.SelectContext(ctx, q, &lines, `WITH m AS (`+mine+`)
		SELECT l.id, l.po_id, o.number AS po, l.line_no, p.sku, l.qty,
		       o.origin = $2 AND NOT EXISTS (SELECT 1 FROM po_line_demands d WHERE d.po_line_id = l.id
		                                     AND d.so_line_id NOT IN (SELECT m.so_line_id FROM m)) AS only
		FROM po_lines l JOIN purchase_orders o ON o.id = l.po_id JOIN products p ON p.id = l.product_id
		WHERE o.status = 'draft' AND l.id IN (SELECT m.po_line_id FROM m)
		ORDER BY o.id, l.line_no`, so, OriginBackorders)
	if err != nil {
		return out, db.Classify(err)
	}
	if len(lines) == 0 {
		return out, nil
	}
	var all, removed, pos pq.Int64Array
	for _, l := range lines {
		f := l.Forgotten
		f.Action = "kept"
		all = append(all, l.ID)
		if f.Only {
			f.Action = "removed"
			removed = append(removed, l.ID)
			pos = append(pos, l.POID)
		}
		out.Lines = append(out.Lines, f)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM po_line_demands d USING so_lines x, sales_orders s
		WHERE x.id = d.so_line_id AND s.id = x.so_id AND s.number = $1 AND d.po_line_id = ANY($2)`, so, all); err != nil {
		return out, db.Classify(err)
	}
	if len(removed) == 0 {
		return out, nil
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM po_lines WHERE id = ANY($1)`, removed); err != nil {
		return out, db.Classify(err)
	}
	err = sqlx.SelectContext(ctx, q, &out.Cancelled, `UPDATE purchase_orders o SET status = 'cancelled'
		WHERE o.id = ANY($1) AND NOT EXISTS (SELECT 1 FROM po_lines l WHERE l.po_id = o.id) RETURNING o.number`, pos)
	sort.Strings(out.Cancelled)
	return out, db.Classify(err)
}
