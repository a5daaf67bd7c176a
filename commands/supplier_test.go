package commands

import (
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// purchasingSetup makes a USD business with EUR at 1.10 and GBP at 1.25, location MAIN with
// bay R1, suppliers EURO (EUR), BRIT (GBP) and HOME (USD), and products W (2 kg), BOLT (pack
// box = 100), LOT (batch-tracked) and SER (serialised).
func purchasingSetup(t *testing.T) string {
	t.Helper()
	url := dbtest.NewURL(t)
	for _, args := range [][]string{
		{"currency", "add", "EUR"}, {"currency", "add", "GBP"},
		{"currency", "rate", "set", "EUR", "1.10", "--date", "2026-01-01"},
		{"currency", "rate", "set", "GBP", "1.25", "--date", "2026-01-01"},
		{"location", "add", "MAIN", "--name", "Main warehouse"},
		{"bay", "add", "MAIN", "R1"},
		{"company", "add", "EURO", "--name", "Euro supplies", "--supplier", "--currency", "EUR", "--address", "Werkstr. 5, Stuttgart"},
		{"company", "add", "BRIT", "--name", "Brit supplies", "--supplier", "--currency", "GBP"},
		{"company", "add", "HOME", "--name", "Home supplies", "--supplier"},
		{"company", "add", "CUST", "--name", "A customer", "--customer"},
		{"product", "add", "W", "--name", "Widget", "--weight", "2"},
		{"product", "add", "BOLT", "--name", "Bolt"},
		{"product", "pack", "add", "BOLT", "box", "--qty", "100"},
		{"product", "add", "LOT", "--name", "Lotted", "--batch-tracked"},
		{"product", "add", "SER", "--name", "Serialised", "--serialized"},
	} {
		run(t, url, args...).wantCode(t, ExitOK)
	}
	return url
}

type priceJSON struct {
	Supplier    string  `json:"supplier"`
	SKU         string  `json:"sku"`
	SupplierSKU string  `json:"supplier_sku"`
	Currency    string  `json:"currency"`
	MinQty      string  `json:"min_qty"`
	Price       string  `json:"price"`
	LeadDays    *int    `json:"lead_days"`
	PackQty     *string `json:"pack_qty"`
	PackUnit    string  `json:"pack_unit"`
	Priority    int     `json:"priority"`
	ValidFrom   *string `json:"valid_from"`
	Current     bool    `json:"current"`
}

func TestSupplierPriceCommands(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	var p priceJSON
	run(t, url, "supplier", "price", "add", "EURO", "W", "--price", "10", "--supplier-sku", "EW-1", "--lead-days", "14", "-o", "json").
		wantCode(t, ExitOK).json(t, &p)
	if p.Currency != "EUR" || p.MinQty != "1" || p.Price != "10" || *p.LeadDays != 14 || p.Priority != 1 || !p.Current || p.SupplierSKU != "EW-1" {
		t.Fatalf("added: %+v", p)
	}
	run(t, url, "supplier", "price", "add", "EURO", "W", "--price", "8", "--min-qty", "50").wantCode(t, ExitOK)
	run(t, url, "supplier", "price", "add", "BRIT", "W", "--price", "8", "--min-qty", "5", "--pack", "5").wantCode(t, ExitOK)
	run(t, url, "supplier", "price", "add", "BRIT", "BOLT", "--price", "0.02", "--pack", "box", "-o", "json").wantCode(t, ExitOK).json(t, &p)
	if *p.PackQty != "100" || p.PackUnit != "box" {
		t.Fatalf("pack unit: %+v", p)
	}
	run(t, url, "supplier", "price", "add", "HOME", "W", "--price", "1", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")

	var list []priceJSON
	run(t, url, "supplier", "price", "list", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 4 || list[0].Supplier != "BRIT" || list[3].SupplierSKU != "EW-1" || list[3].MinQty != "50" {
		t.Fatalf("list: %+v", list)
	}
	run(t, url, "supplier", "price", "list", "EURO", "--sku", "W", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 2 {
		t.Fatalf("filtered list: %+v", list)
	}
	if r := run(t, url, "supplier", "price", "list", "HOME").wantCode(t, ExitOK); !strings.Contains(r.err, "no supplier prices") {
		t.Fatalf("empty list says so: %q", r.err)
	}

	// Preferred for 10 W: BRIT at 8 GBP = 10.00 USD beats EURO at 10 EUR = 11.00 USD.
	var offers []struct {
		Rank      int    `json:"rank"`
		Supplier  string `json:"supplier"`
		Price     string `json:"price"`
		BasePrice string `json:"base_price"`
		Preferred bool   `json:"preferred"`
	}
	run(t, url, "supplier", "price", "best", "W", "--qty", "10", "--date", "2026-06-01", "-o", "json").wantCode(t, ExitOK).json(t, &offers)
	if len(offers) != 2 || offers[0].Supplier != "BRIT" || offers[0].BasePrice != "10" || !offers[0].Preferred || offers[1].BasePrice != "11" {
		t.Fatalf("best for 10: %+v", offers)
	}
	run(t, url, "supplier", "price", "best", "W", "--qty", "60", "--date", "2026-06-01", "-o", "json").wantCode(t, ExitOK).json(t, &offers)
	if offers[0].Supplier != "EURO" || offers[0].Price != "8" {
		t.Fatalf("best for 60: %+v", offers)
	}

	// The supplier part number finds the product.
	var m struct {
		SKU       string `json:"sku"`
		MatchedBy string `json:"matched_by"`
	}
	run(t, url, "product", "lookup", "EW-1", "-o", "json").wantCode(t, ExitOK).json(t, &m)
	if m.SKU != "W" || m.MatchedBy != "supplier part number (EURO)" {
		t.Fatalf("lookup: %+v", m)
	}

	// Errors name what was wrong.
	run(t, url, "supplier", "price", "add", "EURO", "W").wantCode(t, ExitUsage).wantErr(t, "--price")
	run(t, url, "supplier", "price", "add", "EURO").wantCode(t, ExitUsage).wantErr(t, "missing SKU")
	run(t, url, "supplier", "price", "add", "CUST", "W", "--price", "1").wantCode(t, ExitInvalid).wantErr(t, "not a supplier")
	run(t, url, "supplier", "price", "add", "EURO", "NOPE", "--price", "1").wantCode(t, ExitNotFound).wantErr(t, "NOPE")
	run(t, url, "supplier", "price", "add", "EURO", "W", "--price", "-1").wantCode(t, ExitInvalid).wantErr(t, "negative")
	run(t, url, "supplier", "price", "add", "EURO", "W", "--price", "1", "--pack", "crate").wantCode(t, ExitNotFound).wantErr(t, "pack unit")
	run(t, url, "supplier", "price", "add", "EURO", "W", "--price", "1", "--valid-from", "June").wantCode(t, ExitUsage).wantErr(t, "--valid-from")
	run(t, url, "supplier", "price", "add", "EURO", "W", "--price", "x").wantCode(t, ExitUsage).wantErr(t, "--price")
	r := run(t, url, "supplier", "price", "add", "EURO", "W", "--price", "1", "--currency", "ZZZ", "-o", "json").wantCode(t, ExitInvalid)
	if !strings.Contains(r.err, `"field":"currency"`) {
		t.Fatalf("JSON error names the field: %s", r.err)
	}
	run(t, url, "supplier", "price", "best", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "supplier", "price", "list", "NOPE").wantCode(t, ExitNotFound)
}
