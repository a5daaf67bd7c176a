package sales

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Unallocation is stock that must stop being allocated: Qty of product ProductID at
// location LocationID (a stocktake counted less than is allocated there).
type Unallocation struct {
	ProductID, LocationID int64
	SKU, Location         string
	Qty                   decimal.Decimal
}

// Unallocated is an order line that lost allocated stock, which went back on backorder.
type Unallocated struct {
	SO          string          `db:"number" json:"so"`
	Line        int             `db:"line_no" json:"line"`
	SKU         string          `db:"sku" json:"sku"`
	Location    string          `db:"location" json:"location"`
	Qty         decimal.Decimal `db:"qty" json:"qty"`                 // taken off the allocation
	Backordered decimal.Decimal `db:"backordered" json:"backordered"` // the line's backorder now
	ProductID   int64           `db:"product_id" json:"-"`
	LocationID  int64           `db:"location_id" json:"-"`
}

// Unallocate takes allocated stock off sales order lines, newest order first (order date,
// then number, then the last line first), and puts it back on backorder, lowering the
// location's allocated stock by the same quantity: stock a stocktake found missing comes off
// the orders that would wait longest anyway, and so release gives them stock again when it
// comes. The caller holds the products' posting locks (stock.Lock); the orders concerned are
// locked here in number order, as every sales path locks them after the products. Lines,
// then balances, each in one statement. Asking for more than the lines hold is a conflict
// (the allocations and the balances disagree: stock check says where).
func Unallocate(ctx context.Context, q sqlx.ExtContext, need []Unallocation) ([]Unallocated, error) {
	var products, locations pq.Int64Array
	var qtys pq.StringArray
	want := map[[2]int64]Unallocation{}
	for _, n := range need {
		if !n.Qty.IsPositive() {
			continue
		}
		k := [2]int64{n.ProductID, n.LocationID}
		if w, ok := want[k]; ok {
			n.Qty = n.Qty.Add(w.Qty)
		} else {
			products, locations, qtys = append(products, n.ProductID), append(locations, n.LocationID), append(qtys, "")
		}
		want[k] = n
	}
	if len(products) == 0 {
		return nil, nil
	}
	for i := range products {
		qtys[i] = want[[2]int64{products[i], locations[i]}].Qty.String()
	}
	const needs = `WITH need AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::numeric[]) AS n (product_id, location_id, qty))`
	if _, err := q.ExecContext(ctx, needs+`
		SELECT o.id FROM sales_orders o
		WHERE EXISTS (SELECT 1 FROM so_lines x JOIN need n ON n.product_id = x.product_id AND n.location_id = o.location_id
		              WHERE x.so_id = o.id AND x.allocated > 0)
		ORDER BY o.number FOR UPDATE OF o`, products, locations, qtys); err != nil {
		return nil, db.Classify(err)
	}
	var out []Unallocated
	err := sqlx.SelectContext(ctx, q, &out, needs+`, cand AS (
			SELECT x.id, x.allocated, n.qty AS need,
			       sum(x.allocated) OVER (PARTITION BY n.product_id, n.location_id
			                              ORDER BY o.order_date DESC, o.number DESC, x.line_no DESC) - x.allocated AS before
			FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
			JOIN need n ON n.product_id = x.product_id AND n.location_id = o.location_id
			WHERE x.allocated > 0
		), take AS (
			SELECT id, least(allocated, need - before) AS qty FROM cand WHERE before < need
		), ln AS (
			UPDATE so_lines x SET allocated = x.allocated - t.qty, backordered = x.backordered + t.qty
			FROM take t WHERE x.id = t.id
			RETURNING x.id, x.so_id, x.product_id, x.line_no, t.qty, x.backordered
		)
		SELECT o.number, ln.line_no, p.sku, l.code AS location, ln.qty, ln.backordered, ln.product_id, o.location_id
		FROM ln JOIN sales_orders o ON o.id = ln.so_id JOIN products p ON p.id = ln.product_id
		JOIN locations l ON l.id = o.location_id
		ORDER BY o.order_date DESC, o.number DESC, ln.line_no DESC`, products, locations, qtys)
	if err != nil {
		return nil, db.Classify(err)
	}
	taken := map[[2]int64]decimal.Decimal{}
	for _, u := range out {
		k := [2]int64{u.ProductID, u.LocationID}
		taken[k] = taken[k].Add(u.Qty)
	}
	for i := range products {
		k := [2]int64{products[i], locations[i]}
		if w := want[k]; !taken[k].Equal(w.Qty) {
			return nil, fault.Conflictf("%s at %s: %s should come off allocations, but the order lines hold only %s: run stockctl stock check",
				w.SKU, w.Location, w.Qty, taken[k])
		}
		qtys[i] = taken[k].String()
	}
	r, err := q.ExecContext(ctx, `UPDATE stock_balances b SET allocated = b.allocated - v.qty
		FROM unnest($1::bigint[], $2::bigint[], $3::numeric[]) AS v (product_id, location_id, qty)
		WHERE b.product_id = v.product_id AND b.location_id = v.location_id AND b.allocated >= v.qty`, products, locations, qtys)
	if err != nil {
		return nil, db.Classify(err)
	}
	if n, _ := r.RowsAffected(); n != int64(len(products)) {
		return nil, fault.Conflictf("less is allocated at the location than the order lines say: run stockctl stock check")
	}
	return out, nil
}
