package sales_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/sales"
)

// onDay runs fn in a transaction whose day for expiry is day (stockctl.today).
func onDay[T any](t *testing.T, conn *sqlx.DB, day string, fn func(tx *sqlx.Tx) (T, error)) (T, error) {
	t.Helper()
	var out T
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) (err error) {
		if _, err := tx.Exec(`SELECT set_config('stockctl.today', $1, true)`, day); err != nil {
			return err
		}
		out, err = fn(tx)
		return err
	})
	return out, err
}

// state is "allocated/backordered/shipped" of line 1 of so.
func state(t *testing.T, conn *sqlx.DB, so string) string {
	t.Helper()
	doc := must(sales.Get(ctx, conn, so))(t)
	l := doc.Items[0]
	return l.Allocated.String() + "/" + l.Backordered.String() + "/" + l.Shipped.String()
}

func shipped(s sales.Shipment) string {
	var parts []string
	for _, l := range s.Lines {
		parts = append(parts, *l.Batch+"="+l.Qty.String())
	}
	return strings.Join(parts, " ")
}

func holds(t *testing.T, conn *sqlx.DB, day string, so ...string) string {
	t.Helper()
	hs := must(onDay(t, conn, day, func(tx *sqlx.Tx) ([]sales.Hold, error) { return sales.ExpiredHolds(ctx, tx, so, "") }))(t)
	var notes []string
	for _, h := range hs {
		notes = append(notes, h.Note())
	}
	return strings.Join(notes, "\n")
}

// Expired batches are neither allocated nor shipped unasked: what only they could serve stays
// backordered (and ExpiredHolds says so); with AllowExpired they go.
func TestExpiredStockStaysBackordered(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	date := func(s string) *time.Time { v, _ := time.Parse(time.DateOnly, s); return &v }
	adjust(t, conn, stock.Adjustment{SKU: "LOT", Location: "MAIN", Qty: d("4"), UnitCost: dp("1"), Batch: "OLD", Expiry: date("2026-03-31")},
		stock.Adjustment{SKU: "LOT", Location: "MAIN", Qty: d("5"), UnitCost: dp("1"), Batch: "NEW", Expiry: date("2026-06-30")})
	const day = "2026-04-01" // OLD expired yesterday

	// SO1 wants 7: available 9 on hand − 0 allocated − 4 expired = 5, so 5 allocated, 2 backordered.
	so1 := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "LOT", Qty: d("7")})
	must(onDay(t, conn, day, func(tx *sqlx.Tx) (sales.Doc, error) { return sales.Confirm(ctx, tx, so1) }))(t)
	if got := state(t, conn, so1); got != "5/2/0" {
		t.Fatalf("confirmed: %s, want 5/2/0", got)
	}
	// The 2 backordered could be served by OLD's 4 only: least(2, 4) = 2.
	want := so1 + " line 1: 2 LOT stays backordered: at MAIN only expired stock could serve it (4 batch OLD (expired 2026-03-31)); to ship it anyway: stockctl so release " + so1 + " --allow-expired --ship"
	if got := holds(t, conn, day, so1); got != want {
		t.Fatalf("holds:\n%s\nwant\n%s", got, want)
	}
	// Shipping takes the 5 from NEW.
	s := must(onDay(t, conn, day, func(tx *sqlx.Tx) (sales.Shipment, error) { return sales.Ship(ctx, tx, sales.ShipRequest{SO: so1}) }))(t)
	if shipped(s) != "NEW=5" {
		t.Fatalf("shipped %q", shipped(s))
	}
	// Release finds 4 on hand − 0 allocated − 4 expired = 0.
	rs := must(onDay(t, conn, day, func(tx *sqlx.Tx) ([]sales.Released, error) {
		return sales.Release(ctx, tx, sales.ReleaseRequest{Orders: []string{so1}})
	}))(t)
	if len(rs) != 0 || state(t, conn, so1) != "0/2/5" {
		t.Fatalf("release without expired stock: %+v, %s", rs, state(t, conn, so1))
	}
	// Allowed, release --ship takes 2 of OLD: SO1 is shipped in full.
	var ships []sales.Shipment
	must(onDay(t, conn, day, func(tx *sqlx.Tx) (rs []sales.Released, err error) {
		rs, ships, _, err = sales.ReleaseAndShip(ctx, tx, sales.ReleaseRequest{Orders: []string{so1}, AllowExpired: true}, true, false, time.Time{})
		return rs, err
	}))(t)
	if len(ships) != 1 || shipped(ships[0]) != "OLD=2" || ships[0].Status != sales.Shipped {
		t.Fatalf("release --allow-expired --ship: %+v", ships)
	}

	// MAIN now holds OLD 2; NEW2 brings 1 more. SO2 (2) and SO3 (1) are confirmed on 30 March,
	// when OLD was still good: SO2 allocates 2 of 3, SO3 the last 1.
	adjust(t, conn, stock.Adjustment{SKU: "LOT", Location: "MAIN", Qty: d("1"), UnitCost: dp("1"), Batch: "NEW2", Expiry: date("2026-09-30")})
	so2 := order(t, conn, "BOB", "MAIN", sales.LineInput{SKU: "LOT", Qty: d("2")})
	so3 := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "LOT", Qty: d("1")})
	for _, so := range []string{so2, so3} {
		must(onDay(t, conn, "2026-03-30", func(tx *sqlx.Tx) (sales.Doc, error) { return sales.Confirm(ctx, tx, so) }))(t)
	}
	if state(t, conn, so2) != "2/0/0" || state(t, conn, so3) != "1/0/0" {
		t.Fatalf("confirmed on 30 March: %s, %s", state(t, conn, so2), state(t, conn, so3))
	}
	// On 1 April SO2 ships NEW2's 1; the other unit only OLD could serve goes back to the
	// backorder: allocated 2 − 1 shipped − 1 held = 0, backordered 1.
	s = must(onDay(t, conn, day, func(tx *sqlx.Tx) (sales.Shipment, error) { return sales.Ship(ctx, tx, sales.ShipRequest{SO: so2}) }))(t)
	if shipped(s) != "NEW2=1" || s.Status != sales.PartiallyShipped || state(t, conn, so2) != "0/1/1" {
		t.Fatalf("SO2: %q %s %s", shipped(s), s.Status, state(t, conn, so2))
	}
	// SO3: nothing unexpired is left, so nothing ships and no shipment number is used.
	s = must(onDay(t, conn, day, func(tx *sqlx.Tx) (sales.Shipment, error) { return sales.Ship(ctx, tx, sales.ShipRequest{SO: so3}) }))(t)
	if s.Number != "" || len(s.Lines) != 0 || state(t, conn, so3) != "0/1/0" {
		t.Fatalf("SO3: %+v %s", s, state(t, conn, so3))
	}
	// OLD's 2 could serve SO2's 1 and SO3's 1.
	want = so2 + " line 1: 1 LOT stays backordered: at MAIN only expired stock could serve it (2 batch OLD (expired 2026-03-31)); to ship it anyway: stockctl so release " + so2 + " --allow-expired --ship\n" +
		so3 + " line 1: 1 LOT stays backordered: at MAIN only expired stock could serve it (2 batch OLD (expired 2026-03-31)); to ship it anyway: stockctl so release " + so3 + " --allow-expired --ship"
	if got := holds(t, conn, day); got != want {
		t.Fatalf("holds of all orders:\n%s\nwant\n%s", got, want)
	}
	// Backordering less by hand allocates only unexpired stock: there is none.
	_, err := onDay(t, conn, day, func(tx *sqlx.Tx) (sales.Line, error) { return sales.SetBackorder(ctx, tx, so3, 1, d("0")) })
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "want 1, have 0 available") {
		t.Fatalf("so backorder onto expired stock: %v", err)
	}
	// What purchasing should order: SO2's 1 + SO3's 1 = 2 backordered, available 2 on hand − 0
	// allocated − 2 expired = 0, nothing on order: 2.
	sf := must(onDay(t, conn, day, func(tx *sqlx.Tx) ([]sales.Shortfall, error) { return sales.Shortfalls(ctx, tx, nil) }))(t)
	if len(sf) != 1 || sf[0].SKU != "LOT" || !sf[0].Qty.Equal(d("2")) || !sf[0].Available.Equal(d("0")) {
		t.Fatalf("shortfalls: %+v", sf)
	}
	var nums int
	if err := conn.Get(&nums, `SELECT count(*) FROM shipments`); err != nil || nums != 3 {
		t.Fatalf("shipments %d (%v), want 3", nums, err)
	}
	invariants(t, conn)
}
