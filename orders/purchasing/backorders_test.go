package purchasing_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/sales"
)

// salesOrder makes and confirms a sales order for CUST with one line per sku/qty pair.
func salesOrder(t *testing.T, conn *sqlx.DB, loc string, skuQty ...string) string {
	t.Helper()
	var number string
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		doc, err := sales.New(ctx, tx, sales.NewOrder{Customer: "CUST", Location: loc})
		if err != nil {
			return err
		}
		number = doc.Number
		for i := 0; i+1 < len(skuQty); i += 2 {
			if _, err := sales.AddLine(ctx, tx, number, sales.LineInput{SKU: skuQty[i], Qty: d(skuQty[i+1]), Price: dp("1")}); err != nil {
				return err
			}
		}
		_, err = sales.Confirm(ctx, tx, number)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return number
}

// fromBackorders is what po generate --from-backorders wires: sales.Shortfalls as the source.
func fromBackorders(orders ...string) func(context.Context, sqlx.QueryerContext) ([]purchasing.Shortfall, error) {
	return func(ctx context.Context, q sqlx.QueryerContext) ([]purchasing.Shortfall, error) {
		sf, err := sales.Shortfalls(ctx, q, orders)
		if err != nil {
			return nil, err
		}
		out := make([]purchasing.Shortfall, len(sf))
		for i, s := range sf {
			out[i] = purchasing.Shortfall{ProductID: s.ProductID, SKU: s.SKU, LocationID: s.LocationID, Location: s.Location, Qty: s.Qty, Reason: s.Reason}
		}
		return out, nil
	}
}

func generate(t *testing.T, conn *sqlx.DB, req purchasing.GenerateRequest) purchasing.GenerateResult {
	t.Helper()
	req.Date = date("2026-06-01")
	var res purchasing.GenerateResult
	if err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		res, err = purchasing.GenerateFor(ctx, tx, req)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return res
}

// dryGenerate runs GenerateFor in a transaction it rolls back (--dry-run).
func dryGenerate(t *testing.T, conn *sqlx.DB, req purchasing.GenerateRequest) purchasing.GenerateResult {
	t.Helper()
	req.Date = date("2026-06-01")
	var res purchasing.GenerateResult
	if err := db.InTxOrDryRun(ctx, conn, true, func(tx *sqlx.Tx) (err error) {
		res, err = purchasing.GenerateFor(ctx, tx, req)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return res
}

// wPrices: HOME sells W at 4 USD in packs of 6 with priority 1; BRIT at 2 GBP (2.50 USD) is
// cheaper but priority 2, so HOME is preferred. Nobody sells BOLT.
func wPrices(t *testing.T, conn *sqlx.DB) {
	addPrices(t, conn,
		purchasing.PriceInput{Supplier: "HOME", SKU: "W", Price: d("4"), Pack: "6"},
		purchasing.PriceInput{Supplier: "BRIT", SKU: "W", Price: d("2"), Priority: ip(2)},
	)
}

// The loop: two orders backordered 5 and 3 of W; ordering for the first makes a PO for 5
// rounded to the pack (6), running again orders nothing, the second order still gets its
// part, and once the PO is received so release allocates the lines.
func TestGenerateFromBackordersOrdersOnceAndReleaseAllocates(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	wPrices(t, conn)
	so1 := salesOrder(t, conn, "MAIN", "W", "5", "BOLT", "2") // nothing at MAIN: all backordered
	so2 := salesOrder(t, conn, "MAIN", "W", "3")

	res := generate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders(so1)})
	if len(res.Lines) != 1 || len(res.POs) != 1 {
		t.Fatalf("first run: %+v", res)
	}
	w := res.Lines[0]
	if w.SKU != "W" || w.Supplier != "HOME" || w.Location != "MAIN" || !w.Wanted.Equal(d("5")) || !w.Qty.Equal(d("6")) ||
		!w.UnitPrice.Equal(d("4")) || w.Currency != "USD" {
		t.Fatalf("W line: %+v", w)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].SKU != "BOLT" || !res.Warnings[0].Qty.Equal(d("2")) ||
		!strings.Contains(res.Warnings[0].Reason, "no supplier") {
		t.Fatalf("warnings: %+v", res.Warnings)
	}
	po, err := purchasing.Get(ctx, conn, w.PO)
	if err != nil {
		t.Fatal(err)
	}
	if po.Status != purchasing.Draft || po.Origin != purchasing.OriginBackorders || len(po.Lines) != 1 {
		t.Fatalf("PO: %+v", po)
	}

	// Again for the same order: the draft's 6 covers its 5; nothing more is ordered.
	again := generate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders(so1)})
	if len(again.Lines) != 0 || len(again.POs) != 0 {
		t.Fatalf("second run ordered again: %+v", again.Lines)
	}
	// The second order: 8 backordered − 6 on the draft = 2, one more pack on the same draft.
	res2 := generate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders(so2)})
	if len(res2.Lines) != 1 || res2.Lines[0].PO != w.PO || !res2.Lines[0].Wanted.Equal(d("2")) || !res2.Lines[0].Qty.Equal(d("6")) {
		t.Fatalf("second order: %+v", res2.Lines)
	}
	// Every order now: all covered (12 on order for 8).
	if all := generate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders()}); len(all.Lines) != 0 {
		t.Fatalf("all orders: %+v", all.Lines)
	}

	// Order, receive, release: the lines are allocated.
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		if _, err := purchasing.Order(ctx, tx, w.PO, datep("2026-06-01")); err != nil {
			return err
		}
		_, err := purchasing.Receive(ctx, tx, w.PO, purchasing.ReceiveRequest{All: true, Date: datep("2026-06-02")})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var rel []sales.Released
	if err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		rel, err = sales.Release(ctx, tx, sales.ReleaseRequest{All: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(rel) != 2 || rel[0].SO != so1 || !rel[0].Released.Equal(d("5")) || rel[1].SO != so2 || !rel[1].Released.Equal(d("3")) {
		t.Fatalf("released: %+v", rel)
	}
	doc, err := sales.Get(ctx, conn, so1)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range doc.Items {
		switch l.SKU {
		case "W":
			eq(t, "W allocated", l.Allocated, d("5"))
			eq(t, "W backordered", l.Backordered, d("0"))
		case "BOLT":
			eq(t, "BOLT still backordered", l.Backordered, d("2"))
		}
	}
	var onHand, allocated string
	if err := conn.QueryRow(`SELECT b.on_hand::text, b.allocated::text FROM stock_balances b JOIN products p ON p.id = b.product_id
		JOIN locations l ON l.id = b.location_id WHERE p.sku = 'W' AND l.code = 'MAIN'`).Scan(&onHand, &allocated); err != nil {
		t.Fatal(err)
	}
	eq(t, "on hand", d(onHand), d("12"))
	eq(t, "allocated", d(allocated), d("8"))
	// Nothing backordered is left uncovered.
	if after := generate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders()}); len(after.Lines) != 0 {
		t.Fatalf("after the release: %+v", after.Lines)
	}
}

// --reorder with --from-backorders: the stock and POs covering the backorders are not
// counted again for the reorder level.
func TestGenerateReorderAndBackordersCountCoverOnce(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	wPrices(t, conn)
	so := salesOrder(t, conn, "NORTH", "W", "5") // nothing at NORTH: 5 backordered
	// 3 arrive at NORTH and are not released yet: available 3.
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{{SKU: "W", Location: "NORTH", Qty: d("3"), UnitCost: dp("4")}}, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	levels(t, conn, "W", "NORTH", "4", "10")

	// Alone (dry runs): backorders want 5 − 3 = 2 (one pack: 6); the level wants 10 − 3 = 7
	// (two packs: 12). Both count the same 3 as cover: adding them would order 18.
	bo := dryGenerate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders(so), Location: "NORTH"})
	if len(bo.Lines) != 1 || !bo.Lines[0].Wanted.Equal(d("2")) || !bo.Lines[0].Qty.Equal(d("6")) {
		t.Fatalf("backorders alone: %+v", bo.Lines)
	}
	re := dryGenerate(t, conn, purchasing.GenerateRequest{Reorder: true, Location: "NORTH"})
	if len(re.Lines) != 1 || !re.Lines[0].Wanted.Equal(d("7")) || !re.Lines[0].Qty.Equal(d("12")) {
		t.Fatalf("reorder alone: %+v", re.Lines)
	}
	if other := dryGenerate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders(so), Location: "MAIN"}); len(other.Lines) != 0 {
		t.Fatalf("--location MAIN: %+v", other.Lines)
	}
	// Together: projected 3 + 0 − 5 = −2 is below 4, so up to 10 wants 12 (≥ the backorder
	// shortfall 2): one line of 12 (two packs of 6), not 2 + 7 = 9.
	both := generate(t, conn, purchasing.GenerateRequest{Reorder: true, Backorders: fromBackorders(so)})
	if len(both.Lines) != 1 {
		t.Fatalf("combined: %+v", both.Lines)
	}
	l := both.Lines[0]
	if !l.Wanted.Equal(d("12")) || !l.Qty.Equal(d("12")) || l.Supplier != "HOME" || !strings.Contains(l.Reason, "backordered 5") {
		t.Fatalf("combined line: %+v", l)
	}
	po, err := purchasing.Get(ctx, conn, l.PO)
	if err != nil {
		t.Fatal(err)
	}
	if po.Origin != purchasing.OriginReorderBackorders {
		t.Fatalf("origin %q", po.Origin)
	}
	// Again: nothing (projected 3 + 12 − 5 = 10, at the maximum).
	if again := generate(t, conn, purchasing.GenerateRequest{Reorder: true, Backorders: fromBackorders(so)}); len(again.Lines) != 0 {
		t.Fatalf("combined again: %+v", again.Lines)
	}
	// Neither flag is a usage error; an unknown location is refused.
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := purchasing.GenerateFor(ctx, tx, purchasing.GenerateRequest{})
		return err
	}); err == nil || !strings.Contains(err.Error(), "--from-backorders") {
		t.Fatalf("no flag: %v", err)
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := purchasing.GenerateFor(ctx, tx, purchasing.GenerateRequest{Reorder: true, Location: "NOPE"})
		return err
	}); err == nil {
		t.Fatal("unknown location accepted")
	}
}
