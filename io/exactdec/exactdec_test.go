package exactdec

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"12.50": "12.50", "9.00": "9.00", "9": "9", "-0.10": "-0.10", "0": "0", "0.000": "0.000", "1e3": "1000",
	} {
		if got := String(decimal.RequireFromString(in)); got != want {
			t.Errorf("String(%s) = %q, want %q", in, got, want)
		}
	}
}
