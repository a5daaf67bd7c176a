package purchasing_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
)

func levels(t *testing.T, conn *sqlx.DB, sku, loc, min, max string) {
	t.Helper()
	ch := stock.LevelChanges{Min: dp(min)}
	if max != "" {
		ch.Max = dp(max)
	}
	if _, err := stock.SetLevels(ctx, conn, sku, loc, ch); err != nil {
		t.Fatal(err)
	}
}

func reorder(t *testing.T, conn *sqlx.DB, loc string) purchasing.GenerateResult {
	t.Helper()
	var res purchasing.GenerateResult
	if err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		res, err = purchasing.Reorder(ctx, tx, loc, date("2026-06-01"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return res
}

func generated(t *testing.T, res purchasing.GenerateResult, sku, loc string) purchasing.Generated {
	t.Helper()
	for _, l := range res.Lines {
		if l.SKU == sku && l.Location == loc {
			return l
		}
	}
	t.Fatalf("no line for %s at %s in %+v", sku, loc, res.Lines)
	return purchasing.Generated{}
}

func TestReorderGeneratesDraftPOsOnce(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	addPrices(t, conn,
		// W: EURO 10 EUR (11.00 USD), 9 EUR (9.90 USD) from 30, packs of 5; BRIT 8 GBP (10.00 USD).
		purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("10"), Pack: "5"},
		purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("9"), MinQty: dp("30"), Pack: "5"},
		purchasing.PriceInput{Supplier: "BRIT", SKU: "W", Price: d("8")},
		// BOLT: BRIT only, in boxes of 100, at least 1000; cheaper from 2000.
		purchasing.PriceInput{Supplier: "BRIT", SKU: "BOLT", Price: d("0.02"), MinQty: dp("1000"), Pack: "box", SupplierSKU: str("BB-1")},
		purchasing.PriceInput{Supplier: "BRIT", SKU: "BOLT", Price: d("0.015"), MinQty: dp("2000"), Pack: "box"},
		purchasing.PriceInput{Supplier: "HOME", SKU: "SER", Price: d("100")},
	)
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{{SKU: "W", Location: "MAIN", Qty: d("3"), UnitCost: dp("9")}}, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	levels(t, conn, "W", "MAIN", "10", "40")       // 3 available: wants 37
	levels(t, conn, "BOLT", "MAIN", "500", "2000") // wants 2000
	levels(t, conn, "BOLT", "NORTH", "100", "300") // wants 300, BRIT sells at least 1000
	levels(t, conn, "LOT", "MAIN", "5", "")        // no maximum: up to the minimum; no supplier
	levels(t, conn, "SER", "MAIN", "1", "2")       // covered by the draft below
	newPO(t, conn, purchasing.NewPO{Supplier: "HOME", Location: "MAIN"}, purchasing.LineInput{SKU: "SER", Qty: d("2")})

	// A dry look first: the shortfalls.
	sf, err := purchasing.ReorderShortfalls(ctx, conn, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(sf) != 4 {
		t.Fatalf("shortfalls: %+v", sf)
	}

	res := reorder(t, conn, "")
	if len(res.POs) != 3 || len(res.Lines) != 3 {
		t.Fatalf("POs %v, lines %+v", res.POs, res.Lines)
	}
	// W at 37 is cheapest from EURO's break from 30 (9.90 USD < 10.00); 37 → 40 in packs of 5.
	w := generated(t, res, "W", "MAIN")
	if w.Supplier != "EURO" || !w.Wanted.Equal(d("37")) || !w.Qty.Equal(d("40")) || !w.UnitPrice.Equal(d("9")) || w.Currency != "EUR" {
		t.Fatalf("W: %+v", w)
	}
	// BOLT at MAIN: 2000 takes the break from 2000.
	b := generated(t, res, "BOLT", "MAIN")
	if b.Supplier != "BRIT" || !b.Qty.Equal(d("2000")) || !b.UnitPrice.Equal(d("0.015")) {
		t.Fatalf("BOLT at MAIN: %+v", b)
	}
	// BOLT at NORTH: 300 wanted, the supplier's minimum is 1000.
	b = generated(t, res, "BOLT", "NORTH")
	if !b.Wanted.Equal(d("300")) || !b.Qty.Equal(d("1000")) || !b.UnitPrice.Equal(d("0.02")) || b.PO == generated(t, res, "BOLT", "MAIN").PO {
		t.Fatalf("BOLT at NORTH (a PO per location): %+v", b)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].SKU != "LOT" || !res.Warnings[0].Qty.Equal(d("5")) || !strings.Contains(res.Warnings[0].Reason, "no supplier") {
		t.Fatalf("warnings: %+v", res.Warnings)
	}
	po, err := purchasing.Get(ctx, conn, w.PO)
	if err != nil {
		t.Fatal(err)
	}
	if po.Status != purchasing.Draft || po.Origin != purchasing.OriginReorder || po.Lines[0].PriceSource != purchasing.FromSupplierPrice {
		t.Fatalf("generated PO: %+v", po)
	}

	// Again: the drafts cover every shortfall; only the warning repeats.
	again := reorder(t, conn, "")
	if len(again.Lines) != 0 || len(again.POs) != 0 || len(again.Warnings) != 1 {
		t.Fatalf("second run ordered again: %+v", again)
	}

	// A new need at NORTH goes onto the open reorder draft of its supplier there: W 4 is
	// cheaper from BRIT (10.00 USD) than EURO's 11.00 below 30.
	levels(t, conn, "W", "NORTH", "2", "4")
	res = reorder(t, conn, "NORTH")
	if len(res.Lines) != 1 || res.Lines[0].Supplier != "BRIT" || res.Lines[0].PO != b.PO || res.Lines[0].LineNo != 2 {
		t.Fatalf("appended to the draft: %+v", res.Lines)
	}
	// Once ordered, the PO still covers the shortfall ("on order").
	order(t, conn, b.PO, "2026-06-01")
	if res := reorder(t, conn, ""); len(res.Lines) != 0 {
		t.Fatalf("ordered PO not counted: %+v", res.Lines)
	}
}

// Two runs at the same moment order each shortfall once between them.
func TestConcurrentReorderOrdersOnce(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	addPrices(t, conn, purchasing.PriceInput{Supplier: "HOME", SKU: "W", Price: d("5")},
		purchasing.PriceInput{Supplier: "HOME", SKU: "BOLT", Price: d("0.1")})
	levels(t, conn, "W", "MAIN", "10", "20")
	levels(t, conn, "BOLT", "MAIN", "100", "200")
	var wg sync.WaitGroup
	results := make([]purchasing.GenerateResult, 4)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = reorder(t, conn, "MAIN")
		}(i)
	}
	wg.Wait()
	lines := 0
	for _, r := range results {
		lines += len(r.Lines)
	}
	list, err := purchasing.List(ctx, conn, purchasing.ListFilter{Status: "draft"})
	if err != nil {
		t.Fatal(err)
	}
	if lines != 2 || len(list) != 1 || list[0].LineCount != 2 {
		t.Fatalf("%d lines over %d drafts: %+v", lines, len(list), list)
	}
}
