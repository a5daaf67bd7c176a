package sales

import (
	"context"
	"sort"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
)

// lockProducts takes the posting locks of the stock products on an order's lines (stock.Lock:
// product id order, as stock.Post), before the order row, so allocating, shipping and
// posting never deadlock.
func lockProducts(ctx context.Context, q sqlx.ExtContext, number string) error {
	var ids []int64
	err := sqlx.SelectContext(ctx, q, &ids, `SELECT DISTINCT x.product_id FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
		WHERE o.number = $1 AND x.stock ORDER BY 1`, number)
	if err != nil {
		return db.Classify(err)
	}
	return stock.Lock(ctx, q, ids)
}

// Confirm confirms a draft order: each stock line is allocated from the stock available
// (on hand − allocated − stock in expired batches) at the sell-from location, lines of one
// product in line order, and
// what cannot be allocated is backordered. Custom items are backordered whole until a work
// order builds them. Non-stock lines need no stock. One set-based statement under the
// products' posting locks.
func Confirm(ctx context.Context, q sqlx.ExtContext, number string) (Doc, error) {
	if err := lockProducts(ctx, q, number); err != nil {
		return Doc{}, err
	}
	o, err := lockOrder(ctx, q, number)
	if err != nil {
		return Doc{}, err
	}
	if o.Status != Draft {
		return Doc{}, fault.Invalidf("so", "sales order %s is %s: only a draft order can be confirmed", o.Number, o.Status)
	}
	// A line added between the first lock and the order lock brings its product: lock it too
	// (already-held locks cost nothing).
	if err := lockProducts(ctx, q, number); err != nil {
		return Doc{}, err
	}
	if o.Lines == 0 {
		return Doc{}, fault.Invalidf("so", "sales order %s has no lines: add them with stockctl so add %s SKU QTY", o.Number, o.Number)
	}
	var res struct {
		Balances int64 `db:"balances"`
		Wanted   int64 `db:"wanted"`
	}
	err = sqlx.GetContext(ctx, q, &res, `WITH want AS (
			SELECT x.id, x.product_id, x.qty, x.custom,
			       sum(CASE WHEN x.custom THEN 0 ELSE x.qty END) OVER (PARTITION BY x.product_id ORDER BY x.line_no) AS cum
			FROM so_lines x WHERE x.so_id = $1 AND x.stock
		), give AS (
			SELECT w.id, w.product_id, w.qty,
			       CASE WHEN w.custom THEN 0
			            ELSE least(w.qty, greatest(coalesce(b.on_hand - b.allocated, 0) - `+stock.ExpiredSQL("w.product_id", "$2")+`
			                                       - (w.cum - w.qty), 0)) END AS q
			FROM want w LEFT JOIN stock_balances b ON b.product_id = w.product_id AND b.location_id = $2
		), totals AS (
			SELECT product_id, sum(q) AS q FROM give GROUP BY product_id HAVING sum(q) > 0
		), bal AS (
			UPDATE stock_balances b SET allocated = b.allocated + t.q FROM totals t
			WHERE b.product_id = t.product_id AND b.location_id = $2 AND b.on_hand - b.allocated >= t.q
			RETURNING 1
		), ln AS (
			UPDATE so_lines x SET allocated = g.q, backordered = g.qty - g.q FROM give g WHERE x.id = g.id RETURNING 1
		)
		SELECT (SELECT count(*) FROM bal) AS balances, (SELECT count(*) FROM totals) AS wanted`, o.ID, o.LocationID)
	if err != nil {
		return Doc{}, db.Classify(err)
	}
	if res.Balances != res.Wanted {
		// Unreachable under the posting locks; the guard keeps allocated <= on hand regardless.
		return Doc{}, fault.Conflictf("sales order %s: stock changed while it was being allocated; try again", o.Number)
	}
	if _, err := q.ExecContext(ctx, `UPDATE sales_orders SET status = 'confirmed', confirmed_at = now() WHERE id = $1`, o.ID); err != nil {
		return Doc{}, db.Classify(err)
	}
	return Get(ctx, q, o.Number)
}

// shiftAllocation changes the allocated quantity of a product at a location by delta
// (positive: allocate, negative: free), guarded so allocated stays between 0 and on hand
// and never takes stock in expired batches.
// The caller holds the product's posting lock.
func shiftAllocation(ctx context.Context, q sqlx.ExtContext, sku string, productID, locationID int64, location string, delta decimal.Decimal) error {
	if delta.IsZero() {
		return nil
	}
	// Allocating takes only stock that has not expired; freeing is always possible.
	expired := "0"
	if delta.IsPositive() {
		expired = stock.ExpiredSQL("$1", "$2")
	}
	r, err := q.ExecContext(ctx, `UPDATE stock_balances SET allocated = allocated + $3
		WHERE product_id = $1 AND location_id = $2 AND allocated + $3 >= 0 AND on_hand - allocated - `+expired+` >= $3`, productID, locationID, delta)
	if err != nil {
		return db.Classify(err)
	}
	if n, _ := r.RowsAffected(); n == 1 {
		return nil
	}
	if delta.IsNegative() {
		return fault.Conflictf("%s at %s: less is allocated than the order lines say: run stockctl stock check", sku, location)
	}
	var have decimal.Decimal
	if err := sqlx.GetContext(ctx, q, &have, `SELECT coalesce((SELECT greatest(on_hand - allocated - `+expired+`, 0) FROM stock_balances
		WHERE product_id = $1 AND location_id = $2), 0)`, productID, locationID); err != nil {
		return db.Classify(err)
	}
	return &fault.Error{Kind: fault.Invalid, Field: "qty", Err: &stock.InsufficientError{SKU: sku, Location: location, Want: delta, Have: have}}
}

// SetBackorder is so backorder: it sets line lineNo's backordered quantity to qty (stock
// unit) by hand. Backordering more frees the allocation it replaces; backordering less
// allocates the difference from available stock, refused when there is not enough. The line
// must be a stock line of a confirmed or partially shipped order, and qty at most what is
// still to ship.
func SetBackorder(ctx context.Context, q sqlx.ExtContext, number string, lineNo int, qty decimal.Decimal) (Line, error) {
	if err := lockProducts(ctx, q, number); err != nil {
		return Line{}, err
	}
	o, err := lockOrder(ctx, q, number)
	if err != nil {
		return Line{}, err
	}
	if o.Status != Confirmed && o.Status != PartiallyShipped {
		return Line{}, fault.Invalidf("so", "sales order %s is %s: backorders are set on confirmed orders", o.Number, o.Status)
	}
	l, err := getLine(ctx, q, o, lineNo)
	if err != nil {
		return Line{}, err
	}
	if !l.Stock {
		return Line{}, fault.Invalidf("line", "line %d of %s (%s) is not a stock line: it has nothing to backorder", lineNo, o.Number, l.SKU)
	}
	open := l.Qty.Sub(l.Shipped)
	if qty.IsNegative() || qty.GreaterThan(open) {
		return Line{}, fault.Invalidf("qty", "line %d of %s: backorder between 0 and %s (the quantity still to ship), got %s", lineNo, o.Number, open, qty)
	}
	if l.Custom && qty.LessThan(l.Backordered) {
		return Line{}, fault.Invalidf("qty", "line %d of %s is a custom item: it is allocated when its work order is completed", lineNo, o.Number)
	}
	alloc := open.Sub(qty)
	if err := shiftAllocation(ctx, q, l.SKU, l.ProductID, o.LocationID, o.Location, alloc.Sub(l.Allocated)); err != nil {
		return Line{}, err
	}
	if _, err := q.ExecContext(ctx, `UPDATE so_lines SET allocated = $2, backordered = $3 WHERE id = $1`, l.ID, alloc, qty); err != nil {
		return Line{}, db.Classify(err)
	}
	return getLine(ctx, q, o, lineNo)
}

func getLine(ctx context.Context, q sqlx.QueryerContext, o Order, lineNo int) (Line, error) {
	var ls []Line
	if err := sqlx.SelectContext(ctx, q, &ls, selectLine+` WHERE x.so_id = $1 AND x.line_no = $2`, o.ID, lineNo); err != nil {
		return Line{}, db.Classify(err)
	}
	if len(ls) == 0 {
		return Line{}, fault.Invalidf("line", "sales order %s has no line %d (see stockctl so show %s)", o.Number, lineNo, o.Number)
	}
	ls[0].money(o)
	return ls[0], nil
}

// Cancel cancels an order that has shipped and invoiced nothing: its allocations are freed
// and its backorders dropped, in one set-based statement under the products' posting locks.
// What other packages made for the order (billed time, training seats, work orders) is
// undone by orders/cancel, which calls Cancel.
func Cancel(ctx context.Context, q sqlx.ExtContext, number string) (Doc, error) {
	if err := lockProducts(ctx, q, number); err != nil {
		return Doc{}, err
	}
	o, err := lockOrder(ctx, q, number)
	if err != nil {
		return Doc{}, err
	}
	switch o.Status {
	case Draft, Confirmed:
	case PartiallyShipped, Shipped, Closed:
		return Doc{}, fault.Invalidf("so", "sales order %s is %s: goods have left, so it cannot be cancelled; set what is still wanted with stockctl so backorder", o.Number, o.Status)
	default:
		return Doc{}, fault.Invalidf("so", "sales order %s is already %s", o.Number, o.Status)
	}
	// An invoice is final: an order with an invoiced line cannot be made as if never made.
	var invoiced []int
	if err := sqlx.SelectContext(ctx, q, &invoiced, `SELECT line_no FROM so_lines WHERE so_id = $1 AND invoiced > 0 ORDER BY line_no`, o.ID); err != nil {
		return Doc{}, db.Classify(err)
	}
	if len(invoiced) > 0 {
		return Doc{}, fault.Invalidf("so", "sales order %s line %d is invoiced, and an invoice is final: the order cannot be cancelled", o.Number, invoiced[0])
	}
	var res struct {
		Balances int64 `db:"balances"`
		Wanted   int64 `db:"wanted"`
	}
	err = sqlx.GetContext(ctx, q, &res, `WITH f AS (
			SELECT product_id, sum(allocated) AS q FROM so_lines WHERE so_id = $1 AND allocated > 0 GROUP BY product_id
		), bal AS (
			UPDATE stock_balances b SET allocated = b.allocated - f.q FROM f
			WHERE b.product_id = f.product_id AND b.location_id = $2 AND b.allocated >= f.q RETURNING 1
		), ln AS (
			UPDATE so_lines SET allocated = 0, backordered = 0 WHERE so_id = $1 AND (allocated > 0 OR backordered > 0) RETURNING 1
		), so AS (
			UPDATE sales_orders SET status = 'cancelled' WHERE id = $1 RETURNING 1
		)
		SELECT (SELECT count(*) FROM bal) AS balances, (SELECT count(*) FROM f) AS wanted`, o.ID, o.LocationID)
	if err != nil {
		return Doc{}, db.Classify(err)
	}
	if res.Balances != res.Wanted {
		return Doc{}, fault.Conflictf("sales order %s: less is allocated than its lines say: run stockctl stock check", o.Number)
	}
	return Get(ctx, q, o.Number)
}

// AllocationMismatch is a product and location whose allocated balance differs from the sum
// of the open sales order lines allocated there.
type AllocationMismatch struct {
	SKU       string          `db:"sku" json:"sku"`
	Location  string          `db:"location" json:"location"`
	Balance   decimal.Decimal `db:"balance" json:"balance"`
	Allocated decimal.Decimal `db:"lines" json:"lines"`
}

// CheckAllocations verifies the invariant "allocated = the sum of open allocations" (SPEC §3)
// with one statement: for every product and location, stock_balances.allocated equals the sum
// of so_lines.allocated of the orders selling from there. It returns every mismatch.
func CheckAllocations(ctx context.Context, q sqlx.QueryerContext) ([]AllocationMismatch, error) {
	out := []AllocationMismatch{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT p.sku, l.code AS location, coalesce(b.allocated, 0) AS balance, coalesce(a.q, 0) AS lines
		FROM (SELECT product_id, location_id, allocated FROM stock_balances WHERE allocated <> 0) b
		FULL JOIN (SELECT x.product_id, o.location_id, sum(x.allocated) AS q FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
		           WHERE x.allocated > 0 GROUP BY 1, 2) a ON a.product_id = b.product_id AND a.location_id = b.location_id
		JOIN products p ON p.id = coalesce(b.product_id, a.product_id)
		JOIN locations l ON l.id = coalesce(b.location_id, a.location_id)
		WHERE coalesce(b.allocated, 0) <> coalesce(a.q, 0)
		ORDER BY p.sku, l.code`)
	return out, db.Classify(err)
}

// AllocateToLine allocates up to qty of newly available stock (stock produced by a work
// order) to the sales order line soLineID, taking it off the line's backorder. It returns
// what it allocated: at most the line's backorder and what is available at the order's
// location. The caller holds the product's posting lock (stock.Post or stock.Lock in the
// same transaction).
func AllocateToLine(ctx context.Context, q sqlx.ExtContext, soLineID int64, qty decimal.Decimal) (decimal.Decimal, error) {
	var l struct {
		ProductID   int64           `db:"product_id"`
		SKU         string          `db:"sku"`
		LocationID  int64           `db:"location_id"`
		Location    string          `db:"location"`
		Backordered decimal.Decimal `db:"backordered"`
		Status      string          `db:"status"`
		Available   decimal.Decimal `db:"available"`
	}
	err := sqlx.GetContext(ctx, q, &l, `SELECT x.product_id, p.sku, o.location_id, lc.code AS location, x.backordered, o.status,
		coalesce((SELECT greatest(b.on_hand - b.allocated, 0) FROM stock_balances b
		          WHERE b.product_id = x.product_id AND b.location_id = o.location_id), 0) AS available
		FROM so_lines x JOIN sales_orders o ON o.id = x.so_id JOIN products p ON p.id = x.product_id
		JOIN locations lc ON lc.id = o.location_id
		WHERE x.id = $1 FOR UPDATE OF x`, soLineID)
	if err != nil {
		return decimal.Zero, db.Classify(err)
	}
	if l.Status != Confirmed && l.Status != PartiallyShipped {
		return decimal.Zero, nil
	}
	give := decimal.Min(qty, l.Backordered, l.Available)
	if !give.IsPositive() {
		return decimal.Zero, nil
	}
	if err := shiftAllocation(ctx, q, l.SKU, l.ProductID, l.LocationID, l.Location, give); err != nil {
		return decimal.Zero, err
	}
	_, err = q.ExecContext(ctx, `UPDATE so_lines SET allocated = allocated + $2, backordered = backordered - $2 WHERE id = $1`, soLineID, give)
	return give, db.Classify(err)
}

// sortedIDs returns the distinct ids in ascending order.
func sortedIDs(ids []int64) pq.Int64Array {
	seen := map[int64]bool{}
	var out pq.Int64Array
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
