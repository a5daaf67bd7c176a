package sales

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/numbering"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// ShipLine is a quantity of one order line to ship.
type ShipLine struct {
	Line    int
	Qty     decimal.Decimal // 0: everything allocated on the line
	Batch   string          // take this batch (default: first expiry first out)
	Serials []string        // serialised products: the units shipped, one per unit
}

// ShipRequest is so ship: the lines to ship, or (none) every allocated line in full.
type ShipRequest struct {
	SO    string
	Lines []ShipLine
	// AllowExpired ships batches past their expiry too. Without it first-expiry-first-out
	// passes them over, a named expired batch is refused, and what only expired stock could
	// serve goes back to the line's backorder (ExpiredHolds says which).
	AllowExpired bool
}

// ShipmentLine is one ledger move of a shipment.
type ShipmentLine struct {
	Line     int             `db:"line_no" json:"line"`
	SKU      string          `db:"sku" json:"sku"`
	Qty      decimal.Decimal `db:"qty" json:"qty"`
	Batch    *string         `db:"batch" json:"batch"`
	Serial   *string         `db:"serial" json:"serial"`
	UnitCost decimal.Decimal `db:"unit_cost" json:"unit_cost"`
	Move     int64           `db:"move_id" json:"move" print:"wide"`
}

// Shipment is goods sent to the customer of a sales order.
type Shipment struct {
	Number    string         `db:"number" json:"number"`
	SO        string         `db:"so" json:"so"`
	Status    string         `db:"status" json:"so_status"` // the order's status after the shipment
	CreatedAt time.Time      `db:"created_at" json:"created_at"`
	Lines     []ShipmentLine `json:"lines"`
}

// Ship issues allocated stock of a confirmed or partially shipped order to the customer:
// for each line, its allocation is consumed (guarded) and the stock posted through
// stock.Post from the sell-from location to ~customer (kind sale, at the average cost, GL
// the product's COGS code or gl_cogs), taking the named batch or first-expiry-first-out and
// the named serials. The shipment and its lines are recorded; the order becomes
// partially_shipped or, when every stock line has shipped in full, shipped. Only allocated
// stock ships: release backorders first.
//
// Without r.AllowExpired, batches past their expiry (stock.TodaySQL) are not shipped: the
// part of a line (batch not named) that only expired stock at the location could serve is
// taken off its allocation and backordered instead. When that leaves nothing to ship, no
// shipment is made (Number ""), and the backorders are kept.
func Ship(ctx context.Context, q sqlx.ExtContext, r ShipRequest) (Shipment, error) {
	if err := lockProducts(ctx, q, r.SO); err != nil {
		return Shipment{}, err
	}
	o, err := lockOrder(ctx, q, r.SO)
	if err != nil {
		return Shipment{}, err
	}
	if o.Status != Confirmed && o.Status != PartiallyShipped {
		return Shipment{}, fault.Invalidf("so", "sales order %s is %s: only confirmed orders ship (confirm it with stockctl so confirm %s)", o.Number, o.Status, o.Number)
	}
	doc, err := Get(ctx, q, o.Number)
	if err != nil {
		return Shipment{}, err
	}
	byNo := map[int]Line{}
	for _, l := range doc.Items {
		byNo[l.LineNo] = l
	}
	want := r.Lines
	if len(want) == 0 {
		for _, l := range doc.Items {
			if l.Stock && l.Allocated.IsPositive() {
				want = append(want, ShipLine{Line: l.LineNo})
			}
		}
		if len(want) == 0 {
			return Shipment{}, fault.Invalidf("so", "sales order %s has nothing allocated to ship: release backorders with stockctl so release %s", o.Number, o.Number)
		}
	}
	customer, err := stock.Virtual(ctx, q, stock.CustomerSide)
	if err != nil {
		return Shipment{}, err
	}
	from := stock.Location{ID: o.LocationID, Code: o.Location, Kind: stock.Internal}
	gl, err := settings.Value(ctx, q, "gl_cogs")
	if err != nil {
		return Shipment{}, err
	}
	var moves []stock.Move
	var lineOf []Line // the order line of each move
	seen := map[int]bool{}
	fresh := map[int64]decimal.Decimal{} // per product: unexpired stock at the location not yet taken
	for _, w := range want {
		l, ok := byNo[w.Line]
		if !ok {
			return Shipment{}, fault.Invalidf("line", "sales order %s has no line %d (see stockctl so show %s)", o.Number, w.Line, o.Number)
		}
		if seen[w.Line] {
			return Shipment{}, fault.Invalidf("line", "line %d of %s is named twice", w.Line, o.Number)
		}
		seen[w.Line] = true
		if !l.Stock {
			return Shipment{}, fault.Invalidf("line", "line %d of %s (%s) is not a stock line: it is invoiced, not shipped", w.Line, o.Number, l.SKU)
		}
		qty := w.Qty
		if qty.IsZero() {
			qty = l.Allocated
			if len(w.Serials) > 0 {
				qty = decimal.NewFromInt(int64(len(w.Serials)))
			}
		}
		if !qty.IsPositive() {
			return Shipment{}, fault.Invalidf("qty", "line %d of %s (%s) has nothing allocated to ship: %s backordered; release it with stockctl so release %s",
				w.Line, o.Number, l.SKU, l.Backordered, o.Number)
		}
		if qty.GreaterThan(l.Allocated) {
			return Shipment{}, fault.Invalidf("qty", "line %d of %s (%s): ship at most the %s allocated, got %s (release backorders first)",
				w.Line, o.Number, l.SKU, l.Allocated, qty)
		}
		p, err := catalog.Get(ctx, q, l.SKU)
		if err != nil {
			return Shipment{}, err
		}
		if p.BatchTracked && !p.Serialized && w.Batch == "" && !r.AllowExpired {
			if qty, err = holdExpired(ctx, q, l, o, qty, fresh); err != nil {
				return Shipment{}, err
			}
			if qty.IsZero() {
				continue
			}
		}
		base := stock.Move{Product: p, From: from, To: customer, Kind: KindSale, Reference: o.Number, GLCode: p.COGSGL,
			Narrative: fmt.Sprintf("%s line %d to %s", o.Number, l.LineNo, o.Customer), SkipExpired: !r.AllowExpired}
		if base.GLCode == "" {
			base.GLCode = gl
		}
		if w.Batch != "" {
			b, err := stock.FindBatch(ctx, q, p, w.Batch)
			if err != nil {
				return Shipment{}, err
			}
			base.Batch = &b
		}
		switch {
		case p.Serialized:
			if !qty.Equal(decimal.NewFromInt(int64(len(w.Serials)))) {
				return Shipment{}, fault.Invalidf("serial", "line %d of %s: %s is serialised: name %s serial numbers (--serial), got %d",
					w.Line, o.Number, p.SKU, qty, len(w.Serials))
			}
			serials, err := stock.FindSerials(ctx, q, p, w.Serials)
			if err != nil {
				return Shipment{}, err
			}
			for i := range serials {
				m := base
				m.Qty, m.Serial = decimal.NewFromInt(1), &serials[i]
				moves = append(moves, m)
				lineOf = append(lineOf, l)
			}
		case len(w.Serials) > 0:
			return Shipment{}, fault.Invalidf("serial", "%s is not serialised: leave out --serial", p.SKU)
		default:
			m := base
			m.Qty = qty
			moves = append(moves, m)
			lineOf = append(lineOf, l)
		}
		// Consume the allocation before posting: the posting guard keeps on hand >= allocated.
		if err := shiftAllocation(ctx, q, l.SKU, l.ProductID, o.LocationID, o.Location, qty.Neg()); err != nil {
			return Shipment{}, err
		}
		r, err := q.ExecContext(ctx, `UPDATE so_lines SET allocated = allocated - $2, shipped = shipped + $2 WHERE id = $1 AND allocated >= $2`, l.ID, qty)
		if err != nil {
			return Shipment{}, db.Classify(err)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return Shipment{}, fault.Conflictf("line %d of %s changed while shipping; try again", w.Line, o.Number)
		}
	}
	if len(moves) == 0 {
		// Only expired stock was there: the lines were backordered, nothing ships.
		return Shipment{SO: o.Number, Status: o.Status, Lines: []ShipmentLine{}}, nil
	}
	posted, err := stock.Post(ctx, q, moves)
	if err != nil {
		if i, ok := stock.FailedMove(err); ok {
			return Shipment{}, fault.Wrap(fault.KindOf(err), err, "%s line %d", o.Number, lineOf[i].LineNo)
		}
		return Shipment{}, err
	}
	number, err := numbering.Next(ctx, q, numbering.Shipment)
	if err != nil {
		return Shipment{}, err
	}
	var shipID int64
	if err := sqlx.GetContext(ctx, q, &shipID, `INSERT INTO shipments (number, so_id) VALUES ($1, $2) RETURNING id`, number, o.ID); err != nil {
		return Shipment{}, db.Classify(err)
	}
	for _, p := range posted {
		if _, err := q.ExecContext(ctx, `INSERT INTO shipment_lines (shipment_id, so_line_id, qty, unit_cost, batch_id, serial_id, move_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, shipID, lineOf[p.Index].ID, p.Qty, p.UnitCost, batchID(p.Batch), serialID(p.Serial), p.ID); err != nil {
			return Shipment{}, db.Classify(err)
		}
	}
	if _, err := q.ExecContext(ctx, `UPDATE sales_orders SET status = CASE
			WHEN NOT EXISTS (SELECT 1 FROM so_lines WHERE so_id = $1 AND stock AND shipped < qty) THEN 'shipped' ELSE 'partially_shipped' END
		WHERE id = $1`, o.ID); err != nil {
		return Shipment{}, db.Classify(err)
	}
	return GetShipment(ctx, q, number)
}

// holdExpired returns how much of qty allocated on line l can ship from stock at the order's
// location that has not expired, taking it from fresh (per product, read once, under the
// product's posting lock); the rest is moved from the line's allocation to its backorder.
func holdExpired(ctx context.Context, q sqlx.ExtContext, l Line, o Order, qty decimal.Decimal, fresh map[int64]decimal.Decimal) (decimal.Decimal, error) {
	have, ok := fresh[l.ProductID]
	if !ok {
		if err := sqlx.GetContext(ctx, q, &have, `SELECT coalesce(sum(s.qty), 0) FROM stock_quants s
			LEFT JOIN batches b ON b.id = s.batch_id
			WHERE s.product_id = $1 AND s.location_id = $2 AND s.qty > 0
			  AND (b.expiry IS NULL OR b.expiry >= `+stock.TodaySQL+`)`, l.ProductID, o.LocationID); err != nil {
			return qty, db.Classify(err)
		}
	}
	ship := decimal.Max(decimal.Min(qty, have), decimal.Zero)
	fresh[l.ProductID] = have.Sub(ship)
	hold := qty.Sub(ship)
	if !hold.IsPositive() {
		return qty, nil
	}
	if err := shiftAllocation(ctx, q, l.SKU, l.ProductID, o.LocationID, o.Location, hold.Neg()); err != nil {
		return qty, err
	}
	r, err := q.ExecContext(ctx, `UPDATE so_lines SET allocated = allocated - $2, backordered = backordered + $2
		WHERE id = $1 AND allocated >= $2`, l.ID, hold)
	if err != nil {
		return qty, db.Classify(err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return qty, fault.Conflictf("line %d of %s changed while shipping; try again", l.LineNo, o.Number)
	}
	return ship, nil
}

// GetShipment returns a shipment with its lines.
func GetShipment(ctx context.Context, q sqlx.QueryerContext, number string) (Shipment, error) {
	var s Shipment
	err := sqlx.GetContext(ctx, q, &s, `SELECT s.number, o.number AS so, o.status, s.created_at FROM shipments s
		JOIN sales_orders o ON o.id = s.so_id WHERE s.number = $1`, number)
	if err != nil {
		return s, db.Classify(err)
	}
	s.Lines = []ShipmentLine{}
	err = sqlx.SelectContext(ctx, q, &s.Lines, `SELECT x.line_no, p.sku, sl.qty, b.number AS batch, n.serial, sl.unit_cost, sl.move_id
		FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id JOIN so_lines x ON x.id = sl.so_line_id
		JOIN products p ON p.id = x.product_id LEFT JOIN batches b ON b.id = sl.batch_id LEFT JOIN serials n ON n.id = sl.serial_id
		WHERE s.number = $1 ORDER BY sl.id`, number)
	return s, db.Classify(err)
}

func batchID(b *stock.Batch) *int64 {
	if b == nil {
		return nil
	}
	return &b.ID
}

func serialID(s *stock.Serial) *int64 {
	if s == nil {
		return nil
	}
	return &s.ID
}
