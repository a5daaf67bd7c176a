package sales

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
)

// ReleaseRequest chooses the backorders so release works on.
type ReleaseRequest struct {
	Orders   []string // sales order numbers; empty with All: every open order
	All      bool
	Location string // only orders selling from this location
	// AllowExpired counts stock in batches past their expiry as available (and ships it,
	// with ReleaseAndShip); without it such stock is not allocated and the lines it alone
	// could serve stay backordered (ExpiredHolds says which).
	AllowExpired bool
}

// Released is one line release allocated stock to.
type Released struct {
	SO        string          `db:"number" json:"so"`
	LineNo    int             `db:"line_no" json:"line"`
	SKU       string          `db:"sku" json:"sku"`
	Location  string          `db:"location" json:"location"`
	Wanted    decimal.Decimal `db:"backordered" json:"backordered"` // backordered before the release
	Released  decimal.Decimal `json:"released"`
	Remaining decimal.Decimal `json:"remaining"` // still backordered

	lineID, productID, locationID, soID int64
}

type releaseCandidate struct {
	LineID            int64           `db:"id"`
	SOID              int64           `db:"so_id"`
	Number            string          `db:"number"`
	LineNo            int             `db:"line_no"`
	ProductID         int64           `db:"product_id"`
	SKU               string          `db:"sku"`
	LocationID        int64           `db:"location_id"`
	Location          string          `db:"location"`
	Backordered       decimal.Decimal `db:"backordered"`
	LineShipComplete  bool            `db:"ship_complete"`
	OrderShipComplete bool            `db:"order_ship_complete"`
	Available         decimal.Decimal `db:"available"`
}

// Release allocates available stock (stock in expired batches only with AllowExpired) to
// backordered lines, in priority order: requested ship
// date (orders without one last), then order date, then SO number, then line number. A line
// takes what is available at its order's sell-from location, in part unless the line is
// ship-complete (then all or nothing); a ship-complete order's backordered lines are released
// together or not at all. Custom items are left to their work orders.
//
// It is safe to run concurrently (cron and shells at once): it takes the posting locks of
// every product concerned (stock.Lock, product id order), then reads the backorders and
// availability afresh, decides in memory, and applies the result with two set-based,
// guarded statements (lines, balances); a guard that fails aborts the transaction. No unit
// is released twice. With the transaction rolled back it is a dry run.
func Release(ctx context.Context, q sqlx.ExtContext, r ReleaseRequest) ([]Released, error) {
	if !r.All && len(r.Orders) == 0 {
		return nil, fault.Usagef("so", "name the sales orders to release, or --all")
	}
	var locID *int64
	if r.Location != "" {
		l, err := requireLocation(ctx, q, "location", r.Location)
		if err != nil {
			return nil, err
		}
		locID = &l.ID
	}
	var orderIDs pq.Int64Array
	if len(r.Orders) > 0 {
		var rows []struct {
			ID     int64  `db:"id"`
			Number string `db:"number"`
			Status string `db:"status"`
		}
		if err := sqlx.SelectContext(ctx, q, &rows, `SELECT coalesce(o.id, 0) AS id, coalesce(o.number, '') AS number, coalesce(o.status, '') AS status
			FROM unnest($1::text[]) WITH ORDINALITY AS w(n, i) LEFT JOIN sales_orders o ON o.number = w.n ORDER BY w.i`, pq.StringArray(r.Orders)); err != nil {
			return nil, db.Classify(err)
		}
		for i, row := range rows {
			if row.Number == "" {
				return nil, fault.NotFoundf("sales order %s does not exist (see stockctl so list)", r.Orders[i])
			}
			orderIDs = append(orderIDs, row.ID)
		}
	}
	const where = `x.backordered > 0 AND NOT x.custom AND o.status IN ('confirmed', 'partially_shipped')
		AND (coalesce(cardinality($1::bigint[]), 0) = 0 OR o.id = ANY($1)) AND ($2::bigint IS NULL OR o.location_id = $2)`
	var products []int64
	if err := sqlx.SelectContext(ctx, q, &products, `SELECT DISTINCT x.product_id FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
		WHERE `+where+` ORDER BY 1`, orderIDs, locID); err != nil {
		return nil, db.Classify(err)
	}
	if len(products) == 0 {
		return []Released{}, nil
	}
	if err := stock.Lock(ctx, q, products); err != nil {
		return nil, err
	}
	// Under the locks: the backorders and what is available, as they are now.
	var cands []releaseCandidate
	err := sqlx.SelectContext(ctx, q, &cands, `SELECT x.id, o.id AS so_id, o.number, x.line_no, x.product_id, p.sku, o.location_id,
			l.code AS location, x.backordered, x.ship_complete, o.ship_complete AS order_ship_complete,
			coalesce(b.on_hand - b.allocated, 0) - coalesce(e.qty, 0) AS available
		FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
		JOIN products p ON p.id = x.product_id
		JOIN locations l ON l.id = o.location_id
		LEFT JOIN stock_balances b ON b.product_id = x.product_id AND b.location_id = o.location_id
		LEFT JOIN (SELECT s.product_id, s.location_id, sum(s.qty) AS qty FROM stock_quants s JOIN batches eb ON eb.id = s.batch_id
		           WHERE NOT $4 AND s.product_id = ANY($3) AND s.qty > 0 AND eb.expiry < `+stock.TodaySQL+`
		           GROUP BY 1, 2) e ON e.product_id = x.product_id AND e.location_id = o.location_id
		WHERE `+where+` AND x.product_id = ANY($3)
		ORDER BY coalesce(o.ship_by, 'infinity'::date), o.order_date, o.number, x.line_no`, orderIDs, locID, pq.Int64Array(products), r.AllowExpired)
	if err != nil {
		return nil, db.Classify(err)
	}
	out := plan(cands)
	if len(out) == 0 {
		return out, nil
	}
	return out, apply(ctx, q, out)
}

type stockKey struct{ product, location int64 }

// plan decides what each candidate (in priority order) gets from what is available.
func plan(cands []releaseCandidate) []Released {
	avail := map[stockKey]decimal.Decimal{}
	for _, c := range cands {
		k := stockKey{c.ProductID, c.LocationID}
		if _, ok := avail[k]; !ok {
			avail[k] = decimal.Max(c.Available, decimal.Zero)
		}
	}
	out := []Released{}
	for i := 0; i < len(cands); {
		// One order at a time (candidates are grouped by order in priority order).
		j := i
		for j < len(cands) && cands[j].SOID == cands[i].SOID {
			j++
		}
		group := cands[i:j]
		i = j
		trial := map[stockKey]decimal.Decimal{}
		get := func(k stockKey) decimal.Decimal {
			if v, ok := trial[k]; ok {
				return v
			}
			return avail[k]
		}
		var got []Released
		whole := true
		for _, c := range group {
			k := stockKey{c.ProductID, c.LocationID}
			give := decimal.Min(c.Backordered, get(k))
			if c.LineShipComplete && give.LessThan(c.Backordered) {
				give = decimal.Zero
			}
			if give.LessThan(c.Backordered) {
				whole = false
			}
			if !give.IsPositive() {
				continue
			}
			trial[k] = get(k).Sub(give)
			got = append(got, Released{SO: c.Number, LineNo: c.LineNo, SKU: c.SKU, Location: c.Location, Wanted: c.Backordered,
				Released: give, Remaining: c.Backordered.Sub(give), lineID: c.LineID, productID: c.ProductID, locationID: c.LocationID, soID: c.SOID})
		}
		if group[0].OrderShipComplete && !whole {
			continue // all or nothing: leave the stock to the next order
		}
		for k, v := range trial {
			avail[k] = v
		}
		out = append(out, got...)
	}
	return out
}

// apply writes a release plan: the lines (guarded on their backorder) and the balances
// (guarded on availability), each one statement. Any guard failing aborts.
func apply(ctx context.Context, q sqlx.ExtContext, rs []Released) error {
	lines := make(pq.Int64Array, len(rs))
	qtys := make([]string, len(rs))
	prods := make(pq.Int64Array, len(rs))
	locs := make(pq.Int64Array, len(rs))
	for i, r := range rs {
		lines[i], qtys[i], prods[i], locs[i] = r.lineID, r.Released.String(), r.productID, r.locationID
	}
	var res struct {
		Lines    int64 `db:"lines"`
		Balances int64 `db:"balances"`
		Wanted   int64 `db:"wanted"`
	}
	err := sqlx.GetContext(ctx, q, &res, `WITH r AS (
			SELECT * FROM unnest($1::bigint[], $2::numeric[], $3::bigint[], $4::bigint[]) AS r(line_id, qty, product_id, location_id)
		), t AS (
			SELECT product_id, location_id, sum(qty) AS qty FROM r GROUP BY 1, 2
		), bal AS (
			UPDATE stock_balances b SET allocated = b.allocated + t.qty FROM t
			WHERE b.product_id = t.product_id AND b.location_id = t.location_id AND b.on_hand - b.allocated >= t.qty
			RETURNING 1
		), ln AS (
			UPDATE so_lines x SET allocated = x.allocated + r.qty, backordered = x.backordered - r.qty FROM r
			WHERE x.id = r.line_id AND x.backordered >= r.qty
			RETURNING 1
		)
		SELECT (SELECT count(*) FROM ln) AS lines, (SELECT count(*) FROM bal) AS balances, (SELECT count(*) FROM t) AS wanted`,
		lines, pq.StringArray(qtys), prods, locs)
	if err != nil {
		return db.Classify(err)
	}
	if res.Lines != int64(len(rs)) || res.Balances != res.Wanted {
		return fault.Conflictf("release: stock or backorders changed while releasing; nothing was released, try again")
	}
	return nil
}

// ReleaseOrders groups released lines by sales order number, in the order they came.
func ReleaseOrders(rs []Released) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rs {
		if !seen[r.SO] {
			seen[r.SO] = true
			out = append(out, r.SO)
		}
	}
	return out
}

// ReleaseAndShip is so release --ship [--invoice]: it releases, then ships everything
// allocated on every line it released to (the units allocated before as well as those just
// released: the user releasing and shipping wants the order to go out) and, with invoice,
// invoices each order shipped, all in q's transaction. The orders are left as Ship of those
// lines followed by Invoice (so ship --line N for each, then so invoice) would leave them.
func ReleaseAndShip(ctx context.Context, q sqlx.ExtContext, r ReleaseRequest, ship, invoice bool, date time.Time) ([]Released, []Shipment, []InvoiceDoc, error) {
	rs, err := Release(ctx, q, r)
	if err != nil || !ship {
		return rs, nil, nil, err
	}
	orders := ReleaseOrders(rs)
	if err := lockForShipping(ctx, q, orders); err != nil {
		return nil, nil, nil, err
	}
	var ships []Shipment
	var invs []InvoiceDoc
	for _, so := range orders {
		var lines []ShipLine
		for _, x := range rs {
			if x.SO == so {
				lines = append(lines, ShipLine{Line: x.LineNo}) // Qty 0: all allocated on the line
			}
		}
		s, err := Ship(ctx, q, ShipRequest{SO: so, Lines: lines, AllowExpired: r.AllowExpired})
		if err != nil {
			return nil, nil, nil, fault.Wrap(fault.KindOf(err), err, "release %s: shipping", so)
		}
		if s.Number == "" {
			continue // only expired stock was there: nothing shipped, the lines stay backordered
		}
		ships = append(ships, s)
		if invoice {
			inv, err := Invoice(ctx, q, so, date)
			if err != nil {
				return nil, nil, nil, fault.Wrap(fault.KindOf(err), err, "release %s: invoicing", so)
			}
			invs = append(invs, inv)
		}
	}
	return rs, ships, invs, nil
}

// lockForShipping takes every lock shipping and invoicing the orders needs, before the first
// shipment takes its number: the posting locks of all their products (product id order),
// then the orders (number order). The shipment and invoice counters, held until commit once
// taken (business/numbering), are then the transaction's last locks, so it never waits for
// an order or a product while holding them and a single so ship or so invoice never
// deadlocks with it.
func lockForShipping(ctx context.Context, q sqlx.ExtContext, orders []string) error {
	var ids []int64
	if err := sqlx.SelectContext(ctx, q, &ids, `SELECT DISTINCT x.product_id FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
		WHERE o.number = ANY($1) AND x.stock ORDER BY 1`, pq.StringArray(orders)); err != nil {
		return db.Classify(err)
	}
	if err := stock.Lock(ctx, q, ids); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `SELECT id FROM sales_orders WHERE number = ANY($1) ORDER BY number FOR UPDATE`, pq.StringArray(orders))
	return db.Classify(err)
}
