package catalog

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// skuCheck is the CHECK on products.sku, which validSKU must say the same as.
var skuCheck = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/+#-]{0,63}$`)

func FuzzValidSKU(f *testing.F) {
	for _, s := range []string{"", "A", "a-1", "-a", "A b", "Ä1", "A\n", "x" + strings.Repeat("y", 63), "x" + strings.Repeat("y", 64), "P0000001", "A.B_C/D+E#F-G", "AB\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validSKU(s), skuCheck.MatchString(s); got != want {
			t.Fatalf("validSKU(%q) = %v; the CHECK says %v", s, got, want)
		}
	})
}

// A cell plainDecimal lets through unparsed must be what the parse and print it skips
// would have given, and in range.
func FuzzPlainDecimal(f *testing.F) {
	for _, s := range []string{"0", "12", "12.5", "12.50", "0.05", "00.5", "1.", ".5", "-1", "+1", "1e3", "999999999999999", "1000000000000000", "1.0", "10", "0.0"} {
		f.Add(s)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	for range 300 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteByte("0123456789.-+e "[rng.IntN(15)])
		}
		f.Add(b.String())
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !plainDecimal(s) {
			return
		}
		d, err := decimal.NewFromString(s)
		if err != nil || d.String() != s || d.IsNegative() || d.GreaterThanOrEqual(decimal.New(1, 15)) {
			t.Fatalf("plainDecimal(%q) but it parses as %s (%v)", s, d, err)
		}
	})
}

func TestPlainDecimalTakesTheCommonCells(t *testing.T) {
	for s, want := range map[string]bool{"12.34": true, "0": true, "0.05": true, "120": true, "999999999999999": true,
		"12.50": false, "-1": false, "1.": false, ".5": false, "007": false, "1000000000000000": false, "1e3": false} {
		if plainDecimal(s) != want {
			t.Errorf("plainDecimal(%q) = %v; want %v", s, !want, want)
		}
	}
}
