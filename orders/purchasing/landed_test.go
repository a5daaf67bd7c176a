package purchasing_test

import (
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
)

func decs(ss ...string) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = d(s)
	}
	return out
}

func TestApportionLargestRemainder(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		total   string
		weights []string
		places  int32
		want    []string
	}{
		// 100 × 300/620 = 48.387.., × 250/620 = 40.322.., × 70/620 = 11.290..: floors 48.38 +
		// 40.32 + 11.29 = 99.99; the cent left goes to the largest remainder (.0071).
		{"one cent left", "100", []string{"300", "250", "70"}, 2, []string{"48.39", "40.32", "11.29"}},
		// 66 over 10/500/7: floors 1.27 + 63.82 + 0.89 = 65.98; remainders .0066, .0098,
		// .0036: BOLT then W take a cent.
		{"two cents left", "66", []string{"10", "500", "7"}, 2, []string{"1.28", "63.83", "0.89"}},
		// 1 over three equal lines: .333.. each, the cent to the first of the ties.
		{"ties", "1", []string{"1", "1", "1"}, 2, []string{"0.34", "0.33", "0.33"}},
		// A zero basis takes nothing; whole yen keep no decimals.
		{"zero basis, no decimals", "1000", []string{"3", "0", "4"}, 0, []string{"429", "0", "571"}},
		{"exact", "90", []string{"1", "2"}, 2, []string{"30", "60"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			parts, _, _, err := purchasing.Apportion(d(c.total), decs(c.weights...), c.places)
			if err != nil {
				t.Fatal(err)
			}
			sum := decimal.Zero
			for i, p := range parts {
				eq(t, "part "+c.weights[i], p, d(c.want[i]))
				sum = sum.Add(p)
			}
			eq(t, "sum", sum, d(c.total))
		})
	}
	if _, _, _, err := purchasing.Apportion(d("10"), decs("0", "0"), 2); !fault.Is(err, fault.Invalid) {
		t.Fatalf("zero bases: %v", err)
	}
	if _, _, _, err := purchasing.Apportion(d("-1"), decs("1"), 2); !fault.Is(err, fault.Invalid) {
		t.Fatalf("negative total: %v", err)
	}
}

func addCost(t *testing.T, conn *sqlx.DB, number string, in purchasing.CostInput) (purchasing.LandedDoc, error) {
	t.Helper()
	var doc purchasing.LandedDoc
	err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		doc, err = purchasing.AddCost(ctx, tx, number, in)
		return err
	})
	return doc, err
}

func postCosts(t *testing.T, conn *sqlx.DB, number string) purchasing.LandedDoc {
	t.Helper()
	var doc purchasing.LandedDoc
	if err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		doc, err = purchasing.PostCosts(ctx, tx, number)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return doc
}

func shareOf(t *testing.T, doc purchasing.LandedDoc, cost, lineNo int) purchasing.Share {
	t.Helper()
	for _, s := range doc.Shares {
		if s.Cost == cost && s.LineNo == lineNo {
			return s
		}
	}
	t.Fatalf("no share of cost %d on line %d in %+v", cost, lineNo, doc.Shares)
	return purchasing.Share{}
}

// A worked example. PO in USD: W 10 × 30.00 = 300, BOLT 500 × 0.50 = 250, LOT 7 × 10.00 = 70.
// 4 W are sold before the costs are posted.
//
// Freight 100.00 by value → W 48.39, BOLT 40.32, LOT 11.29 (see TestApportionLargestRemainder).
// W: 6 of 10 still on hand: 48.39 × 6/10 = 29.03 raises the 6 on hand, 19.36 goes to COGS;
// average (6 × 30 + 29.03) / 6 = 34.838333. BOLT: all on hand: (250 + 40.32) / 500 = 0.58064.
//
// Duty estimate 60.00 EUR at 1.10 = 66.00 USD by quantity → W 1.28, BOLT 63.83, LOT 0.89.
// Actual duty 70.00 EUR = 77.00 USD → W 1.49, BOLT 74.47, LOT 1.04; only the difference
// 0.21, 10.64, 0.15 (= 11.00) is posted.
func TestLandedCostsWorkedExample(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	doc := newPO(t, conn, purchasing.NewPO{Supplier: "HOME", Location: "MAIN"},
		purchasing.LineInput{SKU: "W", Qty: d("10"), Price: dp("30")},
		purchasing.LineInput{SKU: "BOLT", Qty: d("500"), Price: dp("0.50")},
		purchasing.LineInput{SKU: "LOT", Qty: d("7"), Price: dp("10")},
		purchasing.LineInput{SKU: "FEE", Qty: d("1"), Price: dp("25")})
	order(t, conn, doc.Number, "2026-05-01")

	// Nothing received yet: a cost can be added but not posted.
	if _, err := addCost(t, conn, doc.Number, purchasing.CostInput{Amount: d("100")}); err != nil {
		t.Fatal(err)
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error { _, err := purchasing.PostCosts(ctx, tx, doc.Number); return err }); err == nil || !strings.Contains(err.Error(), "received no stock") {
		t.Fatalf("posting before receipt: %v", err)
	}
	if _, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{All: true, Defaults: purchasing.ReceiveLine{Batch: "L1"}}); err != nil {
		t.Fatal(err)
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{{SKU: "W", Location: "MAIN", Qty: d("-4"), Reason: "sold"}}, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// Before posting, show already explains the shares (the service line FEE takes none).
	pending, err := purchasing.Costs(ctx, conn, doc.Number)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending.Shares) != 3 || !strings.Contains(pending.Shares[0].Explain, "not posted yet") {
		t.Fatalf("pending shares: %+v", pending.Shares)
	}
	eq(t, "pending W share", shareOf(t, pending, 1, 1).Share, d("48.39"))

	got := postCosts(t, conn, doc.Number)
	w, bolt, lot := shareOf(t, got, 1, 1), shareOf(t, got, 1, 2), shareOf(t, got, 1, 3)
	eq(t, "W share", w.Share, d("48.39"))
	eq(t, "W remainder", w.Remainder, d("0.01"))
	eq(t, "BOLT share", bolt.Share, d("40.32"))
	eq(t, "LOT share", lot.Share, d("11.29"))
	eq(t, "W on hand", *w.OnHand, d("6"))
	eq(t, "W to stock", *w.Inventory, d("29.03"))
	eq(t, "W to COGS", *w.COGS, d("19.36"))
	eq(t, "BOLT to COGS", *bolt.COGS, d("0"))
	want := "100.00 USD × value 300 / 620 = 48.387097, rounded down plus 0.01 (largest remainder) = 48.39; 6 of 10 received still on hand: 29.03 to stock, 19.36 to COGS"
	if w.Explain != want {
		t.Fatalf("explain:\n got %s\nwant %s", w.Explain, want)
	}
	eq(t, "W average", showStock(t, conn, "W").AvgCost, d("34.838333"))
	eq(t, "BOLT average", showStock(t, conn, "BOLT").AvgCost, d("0.58064"))
	eq(t, "LOT average", showStock(t, conn, "LOT").AvgCost, d("11.612857"))
	if got.Costs[0].Status != purchasing.CostPosted || !got.Costs[0].Posted.Equal(d("100")) {
		t.Fatalf("cost 1: %+v", got.Costs[0])
	}

	// Duty: an estimate in EUR by quantity, posted; then the actual replaces it.
	if _, err := addCost(t, conn, doc.Number, purchasing.CostInput{Amount: d("60"), Currency: "EUR", Kind: "duty", Method: "quantity", Estimate: true}); err != nil {
		t.Fatal(err)
	}
	got = postCosts(t, conn, doc.Number)
	eq(t, "estimate base amount", got.Costs[1].BaseAmount, d("66"))
	eq(t, "estimate W", shareOf(t, got, 2, 1).Share, d("1.28"))
	eq(t, "estimate BOLT", shareOf(t, got, 2, 2).Share, d("63.83"))
	eq(t, "estimate LOT", shareOf(t, got, 2, 3).Share, d("0.89"))
	eq(t, "estimate W to stock", *shareOf(t, got, 2, 1).Inventory, d("0.77"))

	got, err = addCost(t, conn, doc.Number, purchasing.CostInput{Amount: d("70"), Currency: "EUR", Kind: "duty", Method: "quantity"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Costs[2].Replaces == nil || *got.Costs[2].Replaces != 2 || *got.Costs[1].ReplacedBy != 3 || got.Costs[1].Status != purchasing.CostPosted {
		t.Fatalf("actual replaces the estimate: %+v", got.Costs)
	}
	got = postCosts(t, conn, doc.Number)
	if got.Costs[1].Status != purchasing.CostReplaced || got.Costs[2].Status != purchasing.CostPosted {
		t.Fatalf("after the actual: %+v", got.Costs)
	}
	for _, c := range []struct {
		line                      int
		share, previously, posted string
	}{{1, "1.49", "1.28", "0.21"}, {2, "74.47", "63.83", "10.64"}, {3, "1.04", "0.89", "0.15"}} {
		s := shareOf(t, got, 3, c.line)
		eq(t, "actual share", s.Share, d(c.share))
		eq(t, "previously", s.Previously, d(c.previously))
		eq(t, "posted", s.Posted, d(c.posted))
		eq(t, "split", s.Inventory.Add(*s.COGS), d(c.posted))
	}
	eq(t, "actual posted in total", got.Costs[2].Posted, d("11"))
	// W: 0.21 × 6/10 = 0.126 → 0.13 to stock, 0.08 to COGS.
	eq(t, "actual W to stock", *shareOf(t, got, 3, 1).Inventory, d("0.13"))
	if !strings.Contains(shareOf(t, got, 3, 1).Explain, "less 1.28 posted by estimate 2 = 0.21 to post") {
		t.Fatalf("explain: %s", shareOf(t, got, 3, 1).Explain)
	}

	// The revaluation ledger holds everything W took: 48.39 + 1.28 + 0.21 = 49.88 =
	// 29.93 to stock + 19.95 to COGS.
	revs, err := stock.Revaluations(ctx, conn, doc.Number)
	if err != nil {
		t.Fatal(err)
	}
	inv, cogs := decimal.Zero, decimal.Zero
	for _, r := range revs {
		if r.SKU == "W" {
			inv, cogs = inv.Add(r.InventoryValue), cogs.Add(r.COGSValue)
		}
	}
	eq(t, "W to stock in total", inv, d("29.93"))
	eq(t, "W to COGS in total", cogs, d("19.95"))

	// Nothing left to post; bad input is refused naming the field.
	if err := tx(t, conn, func(tx *sqlx.Tx) error { _, err := purchasing.PostCosts(ctx, tx, doc.Number); return err }); err == nil {
		t.Fatal("posted twice")
	}
	for _, c := range []struct {
		in    purchasing.CostInput
		field string
	}{
		{purchasing.CostInput{Amount: d("0")}, "amount"},
		{purchasing.CostInput{Amount: d("1.234")}, "amount"},
		{purchasing.CostInput{Amount: d("1"), Kind: "bribe"}, "kind"},
		{purchasing.CostInput{Amount: d("1"), Method: "mood"}, "method"},
		{purchasing.CostInput{Amount: d("1"), Currency: "JPY"}, "currency"},
		{purchasing.CostInput{Amount: d("1"), Replaces: 1}, "replaces"},
		{purchasing.CostInput{Amount: d("1"), Replaces: 9}, "replaces"},
		{purchasing.CostInput{Amount: d("1"), Estimate: true, Replaces: 1}, "replaces"},
	} {
		if _, err := addCost(t, conn, doc.Number, c.in); fault.FieldOf(err) != c.field {
			t.Errorf("%+v: field %q, want %q (%v)", c.in, fault.FieldOf(err), c.field, err)
		}
	}
	// By weight: LOT has no weight, so the cost cannot be shared by it.
	if _, err := addCost(t, conn, doc.Number, purchasing.CostInput{Amount: d("5"), Method: "weight"}); err != nil {
		t.Fatal(err)
	}
	err = tx(t, conn, func(tx *sqlx.Tx) error { _, err := purchasing.PostCosts(ctx, tx, doc.Number); return err })
	if fault.FieldOf(err) != "method" || !strings.Contains(err.Error(), "LOT has none") {
		t.Fatalf("weight without weights: %v", err)
	}
	checkClean(t, conn)
}

// An estimate replaced before it was posted is never posted; the actual posts in full.
func TestActualReplacesUnpostedEstimate(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	doc := newPO(t, conn, purchasing.NewPO{Supplier: "EURO", Location: "MAIN", Rate: dp("1.20")},
		purchasing.LineInput{SKU: "W", Qty: d("4"), Price: dp("10")})
	order(t, conn, doc.Number, "2026-05-01")
	if _, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{All: true}); err != nil {
		t.Fatal(err)
	}
	// W arrived at 10 EUR × 1.20 (the PO's rate) = 12.00.
	eq(t, "average", showStock(t, conn, "W").AvgCost, d("12"))
	if _, err := addCost(t, conn, doc.Number, purchasing.CostInput{Amount: d("10"), Estimate: true, Kind: "insurance"}); err != nil {
		t.Fatal(err)
	}
	// The actual insurance is 8 GBP at a given rate 1.30 = 10.40 USD.
	got, err := addCost(t, conn, doc.Number, purchasing.CostInput{Amount: d("8"), Currency: "GBP", Rate: dp("1.30"), Kind: "insurance"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Costs[0].Status != purchasing.CostReplaced {
		t.Fatalf("unposted estimate: %+v", got.Costs[0])
	}
	got = postCosts(t, conn, doc.Number)
	s := shareOf(t, got, 2, 1)
	eq(t, "posted", s.Posted, d("10.4"))
	eq(t, "previously", s.Previously, d("0"))
	// (4 × 12 + 10.40) / 4 = 14.60.
	eq(t, "average", showStock(t, conn, "W").AvgCost, d("14.6"))
	if len(got.Shares) != 1 {
		t.Fatalf("the replaced estimate has no shares: %+v", got.Shares)
	}
}

// Revalue never takes the average below zero: the excess of a reduction goes to COGS.
func TestRevalueKeepsAverageCostNonNegative(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{{SKU: "W", Location: "MAIN", Qty: d("2"), UnitCost: dp("3")}}, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var got []stock.Revalued
	if err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		p, err := catalog.Get(ctx, tx, "W")
		if err != nil {
			return err
		}
		got, err = stock.Revalue(ctx, tx, []stock.Revaluation{
			{Product: p, Amount: d("-10"), Qty: d("2"), Kind: "landed_cost"},
			{Product: p, Amount: d("5"), Qty: d("4"), Kind: "landed_cost"},
		})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// -10 over 2 on hand worth 6: stock goes to 0 (-6), -4 to COGS.
	eq(t, "first to stock", got[0].InventoryValue, d("-6"))
	eq(t, "first to COGS", got[0].COGSValue, d("-4"))
	eq(t, "first average", got[0].AvgAfter, d("0"))
	// The second shares the same 2 units on hand, all of them taken by the first already.
	eq(t, "second on hand", got[1].OnHand, d("0"))
	eq(t, "second to COGS", got[1].COGSValue, d("5"))
	eq(t, "average", showStock(t, conn, "W").AvgCost, d("0"))
}
