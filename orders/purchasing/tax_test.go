package purchasing_test

import (
	"testing"

	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/orders/purchasing"
)

// A purchase order and the document rendered from it follow the sales line rule with prices
// net of tax (currency.Line, inclusive false): per line, rounded half away from zero to the
// minor unit, totals the sums of the lines. EUR (2 decimals): W 8 × 12.50 = 100.00 at 0 % →
// tax 0.00; BOLT 250 × 0.0125 = 3.125 → 3.13 at 19 % → 0.5947 → 0.59; LOT 7 × 1.15 = 8.05
// at 7 % → 0.5635 → 0.56. Subtotal 100 + 3.13 + 8.05 = 111.18, tax 0.59 + 0.56 = 1.15,
// total 112.33.
func TestPOFollowsTheLineRule(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	addPrices(t, conn, purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("12.5")})
	doc := newPO(t, conn, purchasing.NewPO{Supplier: "EURO", Location: "MAIN"},
		purchasing.LineInput{SKU: "W", Qty: d("8"), TaxRate: dp("0")},
		purchasing.LineInput{SKU: "BOLT", Qty: d("250"), Price: dp("0.0125"), TaxRate: dp("19")},
		purchasing.LineInput{SKU: "LOT", Qty: d("7"), Price: dp("1.15"), TaxRate: dp("7")})
	po, err := purchasing.Get(ctx, conn, doc.Number)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"100.00", "0.00"}, {"3.13", "0.59"}, {"8.05", "0.56"}}
	if len(po.Lines) != len(want) {
		t.Fatalf("lines: %+v", po.Lines)
	}
	sum := currency.LineMoney{}
	for i, l := range po.Lines {
		m := currency.Line(l.UnitPrice, l.Qty, d("0"), l.TaxRate, false, 2)
		if l.Amount.StringFixed(2) != want[i][0] || l.Tax.StringFixed(2) != want[i][1] || !m.Net.Equal(l.Amount) || !m.Tax.Equal(l.Tax) {
			t.Fatalf("line %d: amount %s tax %s; currency.Line %s %s; by hand %s %s", l.LineNo, l.Amount, l.Tax, m.Net, m.Tax, want[i][0], want[i][1])
		}
		sum = sum.Add(m)
	}
	if po.Subtotal.StringFixed(2) != "111.18" || po.Tax.StringFixed(2) != "1.15" || po.Total.StringFixed(2) != "112.33" ||
		!sum.Net.Equal(po.Subtotal) || !sum.Tax.Equal(po.Tax) || !sum.Gross.Equal(po.Total) {
		t.Fatalf("totals %s + %s = %s; lines sum to %+v", po.Subtotal, po.Tax, po.Total, sum)
	}
}
