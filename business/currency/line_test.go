package currency_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/currency"
)

// Every number below is worked out by hand in the comment beside it: amount = qty × price ×
// (1 − discount/100) rounded; exclusive: tax = net × rate/100; inclusive: tax = gross ×
// rate/(100 + rate), net = gross − tax; each rounding half away from zero to minor decimals.
func TestLineRounding(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                       string
		price, qty, discount, rate string
		inclusive                  bool
		minor                      int32
		net, tax, gross            string
	}{
		// The service at 110 with 10 % tax: inclusive 110 = 100 + 10 (110 × 10/110);
		// exclusive 110 + 11 (110 × 10/100) = 121.
		{"issue inclusive", "110", "1", "0", "10", true, 2, "100.00", "10.00", "110.00"},
		{"issue exclusive", "110", "1", "0", "10", false, 2, "110.00", "11.00", "121.00"},
		// 3 × 19.99 = 59.97 at 20 %: inclusive tax 59.97 × 20/120 = 9.995 exactly, half away
		// from zero 10.00, net 49.97; exclusive tax 59.97 × 0.2 = 11.994 → 11.99, gross 71.96.
		{"half inclusive", "19.99", "3", "0", "20", true, 2, "49.97", "10.00", "59.97"},
		{"half exclusive", "19.99", "3", "0", "20", false, 2, "59.97", "11.99", "71.96"},
		// 7 × 12.50 = 87.50 less 15 % = 74.375 → 74.38 at 7 %: inclusive tax 74.38 × 7/107 =
		// 520.66/107 = 4.86598… → 4.87, net 69.51; exclusive tax 5.2066 → 5.21, gross 79.59.
		{"discount inclusive", "12.50", "7", "15", "7", true, 2, "69.51", "4.87", "74.38"},
		{"discount exclusive", "12.50", "7", "15", "7", false, 2, "74.38", "5.21", "79.59"},
		// Yen (no minor unit): 3 × 1000 = 3000 at 10 %: inclusive tax 3000 × 10/110 = 272.72… →
		// 273, net 2727; exclusive 300 on top, 3300.
		{"yen inclusive", "1000", "3", "0", "10", true, 0, "2727", "273", "3000"},
		{"yen exclusive", "1000", "3", "0", "10", false, 0, "3000", "300", "3300"},
		// Three decimals (dinar): 2 × 1.2345 = 2.469 at 5 %: tax 0.12345 → 0.123, 2.592.
		{"dinar exclusive", "1.2345", "2", "0", "5", false, 3, "2.469", "0.123", "2.592"},
		// The amount itself rounds half away from zero: 0.125 → 0.13 (not 0.12); no tax.
		{"amount half", "0.125", "1", "0", "0", true, 2, "0.13", "0.00", "0.13"},
		// 100 % discount: nothing, and no tax.
		{"free", "9.99", "4", "100", "20", true, 2, "0.00", "0.00", "0.00"},
	}
	for _, c := range cases {
		m := currency.Line(decimal.RequireFromString(c.price), decimal.RequireFromString(c.qty), decimal.RequireFromString(c.discount),
			decimal.RequireFromString(c.rate), c.inclusive, c.minor)
		// String with the minor unit's decimals: money is shown in the currency's minor unit.
		if m.Net.StringFixed(c.minor) != c.net || m.Tax.StringFixed(c.minor) != c.tax || m.Gross.StringFixed(c.minor) != c.gross {
			t.Errorf("%s: net %s tax %s gross %s, want %s %s %s", c.name, m.Net, m.Tax, m.Gross, c.net, c.tax, c.gross)
		}
		if !m.Net.Add(m.Tax).Equal(m.Gross) {
			t.Errorf("%s: net + tax %s ≠ gross %s", c.name, m.Net.Add(m.Tax), m.Gross)
		}
		if e := m.Gross.Exponent(); e != -c.minor {
			t.Errorf("%s: gross %s has exponent %d, want %d (shown with the minor unit's decimals)", c.name, m.Gross, e, -c.minor)
		}
	}
}

// Round shows money with exactly the minor unit's decimals: 2218.493592 → 2218.49,
// 599.199997 → 599.20, 5 → 5.00; half away from zero: 0.005 → 0.01, −0.005 → −0.01.
func TestRound(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"2218.493592": "2218.49", "599.199997": "599.20", "5": "5.00", "0.005": "0.01", "-0.005": "-0.01"} {
		got := currency.Round(decimal.RequireFromString(in), 2)
		if got.StringFixed(2) != want || got.Exponent() != -2 {
			t.Errorf("Round(%s, 2) = %s (exponent %d), want %s", in, got, got.Exponent(), want)
		}
	}
}
