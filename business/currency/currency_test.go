package currency_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
)

func day(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }

func TestRateOn(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	if _, err := currency.Add(ctx, d, "JPY", "Yen"); err != nil {
		t.Fatal(err)
	}
	jpy, _ := currency.Get(ctx, d, "JPY")
	if jpy.MinorUnits != 0 {
		t.Fatalf("JPY has no minor unit, got %d", jpy.MinorUnits)
	}
	if _, err := currency.RateOn(ctx, d, "JPY", day("2026-01-01")); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("no rate yet: %v", err)
	}
	currency.SetRate(ctx, d, "JPY", decimal.RequireFromString("0.0067"), day("2026-01-01"))
	currency.SetRate(ctx, d, "JPY", decimal.RequireFromString("0.0071"), day("2026-03-01"))
	for date, want := range map[string]string{"2025-12-31": "", "2026-01-01": "0.0067", "2026-02-28": "0.0067", "2026-03-01": "0.0071", "2027-01-01": "0.0071"} {
		got, err := currency.RateOn(ctx, d, "JPY", day(date))
		if want == "" {
			if err == nil {
				t.Errorf("%s: no rate in force yet, got %s", date, got)
			}
			continue
		}
		if err != nil || !got.Equal(decimal.RequireFromString(want)) {
			t.Errorf("%s: rate %s (%v), want %s", date, got, err, want)
		}
	}
	if r, _ := currency.RateOn(ctx, d, "USD", day("2026-01-01")); !r.Equal(decimal.NewFromInt(1)) {
		t.Fatalf("base rate is 1, got %s", r)
	}
}
