package sales_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/io/printer"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/sales"
)

// oneStatement is how backorders list worked everything out before it read the cover
// and the names apart from the lines: one statement joining it all. The test holds it as
// the reference for what the lines must say.
const oneStatement = `WITH exp AS (
		SELECT s.product_id, s.location_id, sum(s.qty) AS qty FROM stock_quants s JOIN batches b ON b.id = s.batch_id
		WHERE s.qty > 0 AND b.expiry < (now() AT TIME ZONE 'UTC')::date
		GROUP BY 1, 2
	), avail AS (
		SELECT b.product_id, b.location_id, b.on_hand - b.allocated - coalesce(e.qty, 0) AS qty
		FROM stock_balances b JOIN locations l ON l.id = b.location_id AND l.kind = 'internal'
		LEFT JOIN exp e ON e.product_id = b.product_id AND e.location_id = b.location_id
		WHERE b.on_hand - b.allocated - coalesce(e.qty, 0) > 0
	), total AS (
		SELECT product_id, sum(qty) AS qty FROM avail GROUP BY product_id
	), po AS (
		SELECT x.product_id, o.location_id, sum(greatest(x.qty - x.received_qty, 0)) AS qty
		FROM po_lines x JOIN purchase_orders o ON o.id = x.po_id AND o.status IN ('ordered', 'partially_received')
		GROUP BY 1, 2
	)
	SELECT o.number AS so, o.order_date, o.ship_by, c.code AS customer, x.line_no, p.sku, p.name, x.backordered,
	       l.code AS location, coalesce(h.qty, 0) AS available_here,
	       coalesce(t.qty, 0) - coalesce(h.qty, 0) AS available_elsewhere, coalesce(po.qty, 0) AS on_order,
	       CASE WHEN coalesce(h.qty, 0) >= x.backordered THEN 'here'
	            WHEN coalesce(t.qty, 0) - coalesce(h.qty, 0) >= x.backordered THEN 'elsewhere'
	            WHEN coalesce(t.qty, 0) > 0 THEN 'partial'
	            ELSE 'none' END AS status,
	       coalesce(ex.qty, 0) AS expired_here, x.custom
	FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
	JOIN products p ON p.id = x.product_id
	JOIN companies c ON c.id = o.customer_id
	JOIN locations l ON l.id = o.location_id
	LEFT JOIN avail h ON h.product_id = x.product_id AND h.location_id = o.location_id
	LEFT JOIN total t ON t.product_id = x.product_id
	LEFT JOIN po ON po.product_id = x.product_id AND po.location_id = o.location_id
	LEFT JOIN exp ex ON ex.product_id = x.product_id AND ex.location_id = o.location_id
	WHERE x.backordered > 0 AND o.status IN ('confirmed', 'partially_shipped')
	ORDER BY o.order_date, o.number, x.line_no`

// EachBackorder fills in the names, codes, availability and status of each line from
// maps read apart from the lines. Over random stock, orders and purchase orders at three
// locations, and for every filter, it must print exactly what the one statement says.
func TestBackordersAgreeWithOneStatement(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	if _, err := stock.AddLocation(ctx, conn, "SOUTH", "Location SOUTH", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := company.Add(ctx, conn, "SUP", company.Changes{Name: str("Supplier Ltd"), Supplier: yes()}); err != nil {
		t.Fatal(err)
	}
	skus := []string{"WID"}
	for i := range 6 {
		sku := fmt.Sprintf("P%d", i)
		if _, err := catalog.Add(ctx, conn, sku, catalog.Changes{Name: str("Part " + sku), SellPrice: dp("5")}); err != nil {
			t.Fatal(err)
		}
		skus = append(skus, sku)
	}
	locs := []string{"MAIN", "NORTH", "SOUTH"}
	rng := rand.New(rand.NewPCG(7, 11))
	for _, sku := range skus[1:] {
		for _, l := range locs {
			if q := rng.IntN(6); q > 1 { // some products have none somewhere, P-something none at all
				adjust(t, conn, stock.Adjustment{SKU: sku, Location: l, Qty: d(fmt.Sprint(q)), UnitCost: dp("1.5")})
			}
		}
	}
	// LOT: at each location a batch that expired 30 days ago and one that expires in 30 days
	// (the listing reads the database's own today), some of them empty.
	var today time.Time
	if err := conn.Get(&today, `SELECT (now() AT TIME ZONE 'UTC')::date`); err != nil {
		t.Fatal(err)
	}
	past, future := today.AddDate(0, 0, -30), today.AddDate(0, 0, 30)
	for _, l := range locs {
		for _, b := range []struct {
			name   string
			expiry *time.Time
		}{{"E-" + l, &past}, {"F-" + l, &future}} {
			if q := rng.IntN(6); q > 0 {
				adjust(t, conn, stock.Adjustment{SKU: "LOT", Location: l, Qty: d(fmt.Sprint(q)), UnitCost: dp("1"), Batch: b.name, Expiry: b.expiry})
			}
		}
	}
	skus = append(skus, "LOT")
	var orders []string
	for range 14 {
		var lines []sales.LineInput
		for range 1 + rng.IntN(3) {
			lines = append(lines, sales.LineInput{SKU: skus[rng.IntN(len(skus))], Qty: d(fmt.Sprint(1 + rng.IntN(9)))})
		}
		so := order(t, conn, []string{"ACME", "BOB"}[rng.IntN(2)], locs[rng.IntN(len(locs))], lines...)
		confirm(t, conn, so)
		orders = append(orders, so)
	}
	// Purchase orders: ordered ones count as on order at their location, a draft does not.
	for i := range 4 {
		var doc purchasing.PODoc
		_ = must(tx(t, conn, func(tx *sqlx.Tx) (purchasing.PODoc, error) {
			var err error
			if doc, err = purchasing.New(ctx, tx, purchasing.NewPO{Supplier: "SUP", Location: locs[i%len(locs)]}); err != nil {
				return doc, err
			}
			for range 2 {
				l := purchasing.LineInput{SKU: skus[rng.IntN(len(skus))], Qty: d(fmt.Sprint(1 + rng.IntN(7))), Price: dp("1")}
				if doc, err = purchasing.AddLine(ctx, tx, doc.Number, l); err != nil {
					return doc, err
				}
			}
			if i == 3 {
				return doc, nil
			}
			on := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
			return purchasing.Order(ctx, tx, doc.Number, &on)
		}))(t)
	}

	var all []sales.Backorder
	if err := conn.SelectContext(ctx, &all, oneStatement); err != nil {
		t.Fatal(err)
	}
	statuses := map[string]bool{}
	onOrder, expired := false, false
	for _, b := range all {
		statuses[b.Status] = true
		onOrder = onOrder || b.OnOrder.IsPositive()
		expired = expired || b.ExpiredHere.IsPositive()
	}
	if len(all) < 10 || len(statuses) < 3 || !onOrder || !expired {
		t.Fatalf("the data does not exercise the cases: %d lines, statuses %v, on order %v, expired %v", len(all), statuses, onOrder, expired)
	}
	filters := []sales.BackorderFilter{
		{}, {Status: sales.AvailHere}, {Status: sales.AvailElsewhere}, {Status: sales.AvailPartial}, {Status: sales.AvailNone},
		{Location: "SOUTH"}, {Customer: "BOB"}, {SKU: "P2"}, {Orders: []string{orders[1], orders[4]}},
		{Location: "MAIN", Status: sales.AvailNone}, {Custom: new(bool)}, {SKU: "LOT"},
	}
	for _, f := range filters {
		want := slices.DeleteFunc(slices.Clone(all), func(b sales.Backorder) bool {
			return (f.Status != "" && b.Status != f.Status) || (f.Location != "" && b.Location != f.Location) ||
				(f.Customer != "" && b.Customer != f.Customer) || (f.SKU != "" && b.SKU != f.SKU) ||
				(len(f.Orders) > 0 && !slices.Contains(f.Orders, b.SO)) || (f.Custom != nil && b.Custom != *f.Custom)
		})
		got, err := sales.Backorders(ctx, conn, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		if g, w := printed(t, got), printed(t, want); g != w {
			t.Errorf("filter %+v:\n%s\nthe one statement says\n%s", f, g, w)
		}
		in := must(tx(t, conn, func(tx *sqlx.Tx) ([]sales.Backorder, error) { return sales.BackordersIn(ctx, tx, f) }))(t)
		if g, w := printed(t, in), printed(t, want); g != w {
			t.Errorf("filter %+v in a transaction:\n%s\nthe one statement says\n%s", f, g, w)
		}
	}
}

// printed is rows as backorders list -o json prints them: the user's view of equal.
func printed(t *testing.T, rows []sales.Backorder) string {
	t.Helper()
	var out bytes.Buffer
	if err := printer.New(&out, printer.JSON, nil, false, false).List(rows); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// An error from the callback stops the listing and comes back as it is; the connections
// go back to the pool out of their transactions, so the next listing works.
func TestEachBackorderStopsOnCallbackError(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	for range 3 {
		confirm(t, conn, order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "WID", Qty: d("20")}))
	}
	stop := errors.New("enough")
	n := 0
	err := sales.EachBackorder(ctx, conn, sales.BackorderFilter{}, func(*sales.Backorder) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d lines; want %v after 1", err, n, stop)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := sales.EachBackorder(cctx, conn, sales.BackorderFilter{}, func(*sales.Backorder) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	rows, err := sales.Backorders(ctx, conn, sales.BackorderFilter{})
	if err != nil || len(rows) != 3 {
		t.Fatalf("after the stops: %d rows, %v", len(rows), err)
	}
}

// A mistyped order number is an error naming it, not an empty list.
func TestBackordersUnknownOrder(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	so := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "WID", Qty: d("20")})
	confirm(t, conn, so)
	_, err := sales.Backorders(ctx, conn, sales.BackorderFilter{Orders: []string{so, "SO-NOPE"}})
	if fault.KindOf(err) != fault.NotFound || !strings.Contains(err.Error(), "SO-NOPE") || strings.Contains(err.Error(), so) {
		t.Fatalf("err = %v; want not found naming SO-NOPE only", err)
	}
	rows, err := sales.Backorders(ctx, conn, sales.BackorderFilter{Orders: []string{so}})
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
}

// BackordersIn reads inside the caller's transaction: it sees an order confirmed there and
// not yet committed, and leaves the transaction's settings as they were.
func TestBackordersInTheCallersTransaction(t *testing.T) {
	conn := setup(t)
	so := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "WID", Qty: d("20")})
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		if _, err := sales.Confirm(ctx, tx, so); err != nil {
			return err
		}
		rows, err := sales.BackordersIn(ctx, tx, sales.BackorderFilter{Orders: []string{so}})
		if err != nil {
			return err
		}
		if len(rows) != 1 || rows[0].SO != so {
			t.Errorf("in the transaction: %+v", rows)
		}
		var sort string
		if err := tx.GetContext(ctx, &sort, `SHOW enable_sort`); err != nil {
			return err
		}
		if sort != "on" {
			t.Errorf("enable_sort is %s after the listing", sort)
		}
		return errors.New("roll back")
	})
	if err == nil || err.Error() != "roll back" {
		t.Fatal(err)
	}
	if rows := must(sales.Backorders(ctx, conn, sales.BackorderFilter{}))(t); len(rows) != 0 {
		t.Fatalf("rolled back, yet listed: %+v", rows)
	}
}
