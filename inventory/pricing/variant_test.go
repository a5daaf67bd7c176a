package pricing_test

import (
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/pricing"
)

// A variant that follows its template is priced by the template's breaks and special prices
// plus its extras where it has no rows of its own; a variant with its own price only by its own.
//
// DESK sells at 100.00; attribute Top: Pine (+0), Oak (+15.00). Template rows:
//
//	retail (default)  10 → 90.00
//	trade              0 → 80.00
//	ACME special       0 → 85.00
func TestQuoteVariantFollowsTemplate(t *testing.T) {
	t.Parallel()
	conn := world(t)
	must(t, db.InTx(bg, conn, func(tx *sqlx.Tx) error {
		if _, err := catalog.Add(bg, tx, "DESK", catalog.Changes{Name: str("Desk"), SellPrice: dec("100.00")}); err != nil {
			return err
		}
		if _, err := catalog.AddAttribute(bg, tx, "DESK", "Top", []string{"Pine", "Oak"}, map[string]decimal.Decimal{"Oak": d("15.00")}); err != nil {
			return err
		}
		_, _, err := catalog.GenerateVariants(bg, tx, "DESK")
		return err
	}))
	_, err := pricing.SetBreaks(bg, conn, []pricing.BreakInput{
		{SKU: "DESK", MinQty: d("10"), Price: d("90.00")},
		{SKU: "DESK", PriceType: "trade", MinQty: d("0"), Price: d("80.00")},
	})
	must(t, err)
	_, err = pricing.SetSpecials(bg, conn, []pricing.SpecialInput{{Customer: "ACME", SKU: "DESK", MinQty: d("0"), Price: d("85.00")}})
	must(t, err)

	quote := func(sku, customer, qty string) pricing.Result {
		t.Helper()
		ids, err := pricing.Lookup(bg, conn, sku, customer, "")
		must(t, err)
		r, err := pricing.Quote(bg, conn, pricing.Request{ProductID: ids.Product, CustomerID: ids.Customer, Qty: d(qty), On: *day("2026-05-15")})
		must(t, err)
		return r
	}
	check := func(name, sku, customer, qty, price, source string) pricing.Result {
		t.Helper()
		r := quote(sku, customer, qty)
		if !eq(r.UnitPrice, price) || r.Source != source {
			t.Fatalf("%s: %s %s, want %s %s\n%s", name, r.UnitPrice, r.Source, price, source, explain(r))
		}
		return r
	}
	// Walk-in, 1 OAK: no break row reaches 1; sell price 100.00 + 15.00 = 115.00.
	check("oak 1", "DESK-OAK", "", "1", "115.00", pricing.SourceSellPrice)
	// Walk-in, 10 OAK: the template's retail 10+ row 90.00 + 15.00 = 105.00.
	r := check("oak 10", "DESK-OAK", "", "10", "105.00", pricing.SourceBreak)
	if !strings.Contains(r.Steps[2].Reason, "retail row from 10: 105.00 (no customer: the default price type, template DESK's row + extras 15.00)") {
		t.Fatalf("the explanation names the template's row:\n%s", explain(r))
	}
	// Walk-in, 10 PINE: 90.00 + 0 = 90.00.
	check("pine 10", "DESK-PINE", "", "10", "90.00", pricing.SourceBreak)
	// BLUE (trade), 1 OAK: template trade 0+ row 80.00 + 15.00 = 95.00.
	check("blue oak 1", "DESK-OAK", "BLUE", "1", "95.00", pricing.SourceBreak)
	// ACME's special for the template: 85.00 + 15.00 = 100.00.
	check("acme oak 1", "DESK-OAK", "ACME", "1", "100.00", pricing.SourceSpecial)
	// The template itself: its own rows, no extras. 10 walk-in: 90.00.
	check("template 10", "DESK", "", "10", "90.00", pricing.SourceBreak)

	// OAK gets a retail row of its own (10+ → 100.00): it wins over the template's retail
	// rows (100.00, not 105.00); the trade rows still come from the template (95.00).
	_, err = pricing.SetBreaks(bg, conn, []pricing.BreakInput{{SKU: "DESK-OAK", MinQty: d("10"), Price: d("100.00")}})
	must(t, err)
	check("oak own retail 10", "DESK-OAK", "", "10", "100.00", pricing.SourceBreak)
	check("blue oak 1 still", "DESK-OAK", "BLUE", "1", "95.00", pricing.SourceBreak)

	// PINE gets its own price 99.00: the template's rows no longer apply to it. Walk-in 10:
	// 99.00 (sell price, not 90.00); ACME: 99.00 (no special of its own, not 85.00).
	must(t, db.InTx(bg, conn, func(tx *sqlx.Tx) error {
		_, err := catalog.Edit(bg, tx, "DESK-PINE", catalog.Changes{SellPrice: dec("99.00")})
		return err
	}))
	check("own pine 10", "DESK-PINE", "", "10", "99.00", pricing.SourceSellPrice)
	check("own pine acme", "DESK-PINE", "ACME", "1", "99.00", pricing.SourceSellPrice)
}
