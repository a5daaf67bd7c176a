package purchasing_test

import (
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/work"
)

// The components open work orders still need are demand for po generate --from-backorders
// and --reorder, counted once: the finished product's backorder is never bought as well.
func TestGenerateOrdersWhatOpenWorkOrdersStillNeed(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	// KIT = 2 W + 3 BOLT. MAIN has 6 W and 15 BOLT. HOME sells W at 1, BOLT at 0.10 and
	// even KIT at 50 (which must not be bought: work orders build it).
	err := tx(t, conn, func(tx *sqlx.Tx) error {
		if _, err := catalog.Add(ctx, tx, "KIT", catalog.Changes{Name: str("Kit")}); err != nil {
			return err
		}
		for _, c := range []struct{ sku, qty string }{{"W", "2"}, {"BOLT", "3"}} {
			if _, _, err := catalog.AddComponent(ctx, tx, "KIT", c.sku, d(c.qty)); err != nil {
				return err
			}
		}
		_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{
			{SKU: "W", Location: "MAIN", Qty: d("6"), UnitCost: dp("1")},
			{SKU: "BOLT", Location: "MAIN", Qty: d("15"), UnitCost: dp("0.1")},
		}, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	addPrices(t, conn, purchasing.PriceInput{Supplier: "HOME", SKU: "W", Price: d("1")},
		purchasing.PriceInput{Supplier: "HOME", SKU: "BOLT", Price: d("0.10")},
		purchasing.PriceInput{Supplier: "HOME", SKU: "KIT", Price: d("50")})
	// CUST orders 5 KIT (all backordered) and, on another order, 1 W.
	kits := salesOrder(t, conn, "MAIN", "KIT", "5")
	// WO-000001 builds the 5 for the line; 3 complete (6 W and 9 BOLT consumed), then the W
	// runs out: 2 KIT still to build need 2 × 2 = 4 W and 2 × 3 = 6 BOLT; 0 W and 6 BOLT left.
	err = tx(t, conn, func(tx *sqlx.Tx) error {
		if _, err := work.Generate(ctx, tx, []string{kits}); err != nil {
			return err
		}
		three := d("3")
		_, err := work.Complete(ctx, tx, "WO-000001", &three)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ws := salesOrder(t, conn, "MAIN", "W", "1") // backordered 1: no W left

	// Before the fix: nothing needed. Now W: the backorder's 1 (available 0, on order 0) +
	// the work order's 4, after the backorder had the cover (none): 1 + 4 = 5. BOLT: 6 needed,
	// 6 available: 0. KIT: never bought (2 still backordered, built by WO-000001).
	res := dryGenerate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders()})
	if len(res.Lines) != 1 || res.Lines[0].SKU != "W" || !res.Lines[0].Qty.Equal(d("5")) {
		t.Fatalf("from backorders: %+v (shortfalls %+v)", res.Lines, res.Shortfalls)
	}
	// Only the KIT order: its work order's 4 W (the W order's backorder still takes the cover
	// first, and there is none).
	res = dryGenerate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders(kits), Orders: []string{kits}})
	if len(res.Lines) != 1 || res.Lines[0].SKU != "W" || !res.Lines[0].Qty.Equal(d("4")) {
		t.Fatalf("--so %s: %+v", kits, res.Lines)
	}
	// Only the W order: its backorder's 1; the work order is not the W order's.
	res = dryGenerate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders(ws), Orders: []string{ws}})
	if len(res.Lines) != 1 || res.Lines[0].SKU != "W" || !res.Lines[0].Qty.Equal(d("1")) {
		t.Fatalf("--so %s: %+v", ws, res.Lines)
	}

	// Ordered for real; a second run finds the 5 on order: 5 − 1 − 4 = 0 short.
	res = generate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders()})
	if len(res.Lines) != 1 || !res.Lines[0].Qty.Equal(d("5")) {
		t.Fatalf("generate: %+v", res.Lines)
	}
	if again := dryGenerate(t, conn, purchasing.GenerateRequest{Backorders: fromBackorders()}); len(again.Lines) != 0 {
		t.Fatalf("second run: %+v", again.Lines)
	}

	// --reorder: BOLT min 5, max 20 at MAIN. Available 6 + open 0 − the work order's 6 = 0,
	// below 5: up to 20, 20 − 0 = 20. (Without the work order, 6 is above the minimum.)
	levels(t, conn, "BOLT", "MAIN", "5", "20")
	res = dryGenerate(t, conn, purchasing.GenerateRequest{Reorder: true})
	if len(res.Lines) != 1 || res.Lines[0].SKU != "BOLT" || !res.Lines[0].Qty.Equal(d("20")) {
		t.Fatalf("reorder: %+v (shortfalls %+v)", res.Lines, res.Shortfalls)
	}
}
