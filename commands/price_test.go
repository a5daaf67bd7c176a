package commands

import (
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// priceSetup: regions CA and NY, locations MAIN (CA) and STORE (NY), customers ACME (retail,
// CA), BLUE (trade, NY) and LONE (wholesale), supplier SUPP, product W (cost 8, list 20,
// sell 10) and ROPE (by the metre, coil = 100 m, sell 2.40).
func priceSetup(t *testing.T) string {
	t.Helper()
	url := dbtest.NewURL(t)
	for _, args := range [][]string{
		{"region", "add", "CA"}, {"region", "add", "NY"},
		{"location", "add", "MAIN", "--region", "CA"}, {"location", "add", "STORE", "--region", "NY"},
		{"company", "add", "ACME", "--name", "Acme", "--customer", "--region", "CA"},
		{"company", "add", "BLUE", "--name", "Bluebird", "--customer", "--price-type", "trade", "--region", "NY"},
		{"company", "add", "LONE", "--name", "Lone Star", "--customer", "--price-type", "wholesale"},
		{"company", "add", "SUPP", "--name", "Supplier", "--supplier"},
		{"product", "add", "W", "--name", "Widget", "--cost", "8", "--list-price", "20", "--sell-price", "10"},
		{"product", "add", "ROPE", "--name", "Rope", "--uom", "m", "--sell-price", "2.40"},
		{"product", "pack", "add", "ROPE", "coil", "--qty", "100"},
	} {
		run(t, url, args...).wantCode(t, ExitOK)
	}
	return url
}

func TestPriceFormulaCommand(t *testing.T) {
	t.Parallel()
	url := priceSetup(t)
	var pp map[string]any
	run(t, url, "price", "formula", "W", "margin", "--pct", "25", "-o", "json").wantCode(t, ExitOK).json(t, &pp)
	if pp["sell_price"] != "10.67" || pp["formula"] != "margin" || pp["pct"] != "25" || pp["rule"] != "margin: cost price 8 ÷ (1 − 25%)" {
		t.Fatalf("margin 25%% over cost 8: %v", pp)
	}
	run(t, url, "price", "formula", "W", "markup", "--pct", "25", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	var prod map[string]any
	run(t, url, "product", "show", "W", "-o", "json").json(t, &prod)
	if prod["sell_price"] != "10.67" {
		t.Fatalf("dry run changed the price: %v", prod["sell_price"])
	}
	run(t, url, "price", "formula", "W", "markup", "--pct", "25").wantCode(t, ExitOK)
	// A new cost moves the sell price: 9 × 1.25 = 11.25.
	run(t, url, "product", "edit", "W", "--cost", "9", "-o", "json").wantCode(t, ExitOK).json(t, &prod)
	if prod["sell_price"] != "11.25" {
		t.Fatalf("cost 9: %v", prod["sell_price"])
	}
	run(t, url, "product", "edit", "W", "--sell-price", "5").wantCode(t, ExitInvalid).wantErr(t, "markup formula", "price formula W fixed")
	run(t, url, "price", "formula", "W", "discount", "--pct", "15", "-o", "json").json(t, &pp)
	if pp["sell_price"] != "17.00" {
		t.Fatalf("list 20 less 15%%: %v", pp)
	}
	run(t, url, "price", "formula", "ROPE", "markup", "--pct", "10").wantCode(t, ExitOK).wantErr(t, "no cost price yet")

	run(t, url, "price", "formula", "W", "margin", "--pct", "100", "-o", "json").wantCode(t, ExitInvalid).wantErr(t, `"field":"pct"`, "below 100%")
	run(t, url, "price", "formula", "W", "markup").wantCode(t, ExitInvalid).wantErr(t, "needs --pct")
	run(t, url, "price", "formula", "W", "fixed", "--pct", "5").wantCode(t, ExitInvalid).wantErr(t, "takes no --pct")
	run(t, url, "price", "formula", "W", "cheap").wantCode(t, ExitInvalid).wantErr(t, "unknown formula")
	run(t, url, "price", "formula", "W", "markup", "--pct", "abc").wantCode(t, ExitUsage).wantErr(t, "--pct")
	run(t, url, "price", "formula", "W").wantCode(t, ExitUsage).wantErr(t, "missing FORMULA")
	run(t, url, "price", "formula", "NOPE", "list").wantCode(t, ExitNotFound)

	run(t, url, "price", "formula", "W", "fixed").wantCode(t, ExitOK)
	run(t, url, "product", "edit", "W", "--sell-price", "16").wantCode(t, ExitOK)
	run(t, url, "price", "show", "W", "-o", "json").wantCode(t, ExitOK).json(t, &pp)
	if pp["sell_price"] != "16" || pp["formula"] != "fixed" || pp["rule"] != "fixed: typed by hand" || pp["default_price_type"] != "retail" {
		t.Fatalf("show: %v", pp)
	}
}

func TestPriceBreakCommands(t *testing.T) {
	t.Parallel()
	url := priceSetup(t)
	var b map[string]any
	r := run(t, url, "price", "break", "add", "W", "--price-type", "trade", "--min-qty", "5", "--price", "7.50", "-o", "json").wantCode(t, ExitOK).wantErr(t, "price break added")
	r.json(t, &b)
	if b["price_type"] != "trade" || b["min_qty"] != "5" || b["price"] != "7.50" || b["region"] != nil || b["sell_price"] != false {
		t.Fatalf("added: %v", b)
	}
	run(t, url, "price", "break", "add", "W", "--price-type", "trade", "--min-qty", "5.00", "--price", "7.50").wantCode(t, ExitOK).wantErr(t, "unchanged")
	run(t, url, "price", "break", "add", "W", "--price-type", "trade", "--price", "8").wantCode(t, ExitOK)
	run(t, url, "price", "break", "add", "W", "--min-qty", "2.5", "--price", "9.50").wantCode(t, ExitOK)
	run(t, url, "price", "break", "add", "W", "--price-type", "trade", "--region", "CA", "--price", "8.40").wantCode(t, ExitOK).
		wantErr(t, "location_pricing is none")
	// The default price type's first row is the sell price.
	run(t, url, "price", "break", "add", "W", "--price", "10.25").wantCode(t, ExitOK).wantErr(t, "price break changed", "unit sell price of W")
	var prod map[string]any
	run(t, url, "product", "show", "W", "-o", "json").json(t, &prod)
	if prod["sell_price"] != "10.25" {
		t.Fatalf("sell price: %v", prod["sell_price"])
	}
	run(t, url, "product", "edit", "W", "--sell-price", "10.40").wantCode(t, ExitOK)
	want := "retail\t\t0\t10.4\ttrue\nretail\t\t2.5\t9.50\tfalse\ntrade\t\t0\t8\tfalse\ntrade\t\t5\t7.50\tfalse\ntrade\tCA\t0\t8.40\tfalse\n"
	if r := run(t, url, "price", "break", "list", "W", "--fields", "price_type,region,min_qty,price,sell_price"); r.out != want {
		t.Fatalf("list:\n%s\nwant:\n%s", r.out, want)
	}
	if r := run(t, url, "price", "break", "list", "W", "--price-type", "trade", "-o", "csv", "--fields", "min_qty,price"); r.out != "min_qty,price\n0,8\n5,7.50\n0,8.40\n" {
		t.Fatalf("csv: %q", r.out)
	}

	run(t, url, "price", "break", "add", "W").wantCode(t, ExitUsage).wantErr(t, "--price")
	run(t, url, "price", "break", "add", "W", "--price", "x").wantCode(t, ExitUsage)
	run(t, url, "price", "break", "add", "W", "--price", "1", "--price-type", "gold", "-o", "json").wantCode(t, ExitNotFound).wantErr(t, `"field":"price-type"`)
	run(t, url, "price", "break", "add", "W", "--price", "1", "--region", "ZZ").wantCode(t, ExitNotFound).wantErr(t, "unknown sales region")
	run(t, url, "price", "break", "add", "W", "--price", "1", "--min-qty", "-1", "-o", "json").wantCode(t, ExitInvalid).wantErr(t, `"field":"min-qty"`)
	run(t, url, "price", "break", "add", "NOPE", "--price", "1").wantCode(t, ExitNotFound)
	run(t, url, "price", "break", "add", "W", "--min-qty", "20", "--price", "1", "--dry-run").wantCode(t, ExitOK)

	run(t, url, "price", "break", "delete", "W").wantCode(t, ExitUsage).wantErr(t, "--min-qty")
	run(t, url, "price", "break", "delete", "W", "--min-qty", "0").wantCode(t, ExitInvalid).wantErr(t, "unit sell price")
	run(t, url, "price", "break", "delete", "W", "--min-qty", "20").wantCode(t, ExitNotFound)
	run(t, url, "price", "break", "delete", "W", "--min-qty", "0", "--price-type", "trade", "--region", "CA", "--dry-run").wantCode(t, ExitOK)
	run(t, url, "price", "break", "delete", "W", "--min-qty", "0", "--price-type", "trade", "--region", "CA").wantCode(t, ExitOK).wantErr(t, "deleted")
	run(t, url, "price", "break", "delete", "W", "--min-qty", "0", "--price-type", "trade", "--region", "CA").wantCode(t, ExitNotFound)
	if r := run(t, url, "price", "break", "list", "W", "--fields", "price_type,min_qty"); strings.Count(r.out, "\n") != 4 {
		t.Fatalf("after delete: %q", r.out)
	}

	// A new default price type, set through settings: trade's first row (8) becomes the sell
	// price and retail's first row (the old sell price, 10.4) stays as an ordinary retail row.
	run(t, url, "settings", "set", "default_price_type", "trade").wantCode(t, ExitOK)
	want = "trade\t0\t8\ttrue\ntrade\t5\t7.50\tfalse\nretail\t0\t10.4\tfalse\nretail\t2.5\t9.50\tfalse\n"
	if r := run(t, url, "price", "break", "list", "W", "--fields", "price_type,min_qty,price,sell_price"); r.out != want {
		t.Fatalf("after the default changed:\n%s\nwant:\n%s", r.out, want)
	}
}

func TestPriceSpecialCommands(t *testing.T) {
	t.Parallel()
	url := priceSetup(t)
	var s map[string]any
	run(t, url, "price", "special", "add", "ACME", "W", "--price", "9.25", "-o", "json").wantCode(t, ExitOK).json(t, &s)
	if s["customer"] != "ACME" || s["sku"] != "W" || s["min_qty"] != "0" || s["price"] != "9.25" || s["status"] != "current" || s["valid_from"] != nil {
		t.Fatalf("added: %v", s)
	}
	run(t, url, "price", "special", "add", "ACME", "W", "--min-qty", "100", "--price", "8", "--from", "2026-03-01", "--until", "2026-03-31").wantCode(t, ExitOK)
	run(t, url, "price", "special", "add", "ACME", "ROPE", "--min-qty", "50", "--price", "2", "--from", "2099-01-01").wantCode(t, ExitOK)
	run(t, url, "price", "special", "add", "BLUE", "W", "--price", "7").wantCode(t, ExitOK)
	if r := run(t, url, "price", "special", "list", "ACME", "--date", "2026-03-31", "--fields", "sku,min_qty,price,valid_from,valid_until,status"); r.out !=
		"ROPE\t50\t2\t2099-01-01\t\tfuture\nW\t0\t9.25\t\t\tcurrent\nW\t100\t8\t2026-03-01\t2026-03-31\tcurrent\n" {
		t.Fatalf("list: %q", r.out)
	}
	if r := run(t, url, "price", "special", "list", "--sku", "W", "--date", "2026-04-01", "--fields", "customer,min_qty,status"); r.out != "ACME\t0\tcurrent\nACME\t100\texpired\nBLUE\t0\tcurrent\n" {
		t.Fatalf("list by sku: %q", r.out)
	}
	run(t, url, "price", "special", "list", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "price", "special", "add", "SUPP", "W", "--price", "1", "-o", "json").wantCode(t, ExitInvalid).wantErr(t, "not a customer", `"field":"customer"`)
	run(t, url, "price", "special", "add", "ACME", "W", "--price", "1", "--from", "2026-02-02", "--until", "2026-02-01").wantCode(t, ExitInvalid).wantErr(t, "before")
	run(t, url, "price", "special", "add", "ACME", "W", "--price", "1", "--from", "02/02/2026").wantCode(t, ExitUsage).wantErr(t, "--from")
	run(t, url, "price", "special", "add", "ACME", "W").wantCode(t, ExitUsage).wantErr(t, "--price")

	var gone []map[string]any
	run(t, url, "price", "special", "delete", "ACME", "W", "--min-qty", "100", "-o", "json").wantCode(t, ExitOK).wantErr(t, "1 special price row(s)").json(t, &gone)
	if len(gone) != 1 || gone[0]["price"] != "8" || gone[0]["valid_until"] != "2026-03-31" {
		t.Fatalf("deleted: %v", gone)
	}
	run(t, url, "price", "special", "delete", "ACME", "W", "--min-qty", "100").wantCode(t, ExitNotFound)
	// The whole pair needs --yes when nobody is at a terminal to answer.
	run(t, url, "price", "special", "delete", "ACME", "W").wantCode(t, ExitUsage).wantErr(t, "--yes")
	run(t, url, "price", "special", "delete", "ACME", "W", "--yes", "--dry-run").wantCode(t, ExitOK)
	run(t, url, "price", "special", "delete", "ACME", "W", "--yes").wantCode(t, ExitOK)
	if r := run(t, url, "price", "special", "list", "ACME", "--fields", "sku"); r.out != "ROPE\n" {
		t.Fatalf("left: %q", r.out)
	}
	run(t, url, "price", "special", "delete", "ACME", "W", "--yes").wantCode(t, ExitNotFound)
}

// price quote, with worked numbers for each rule and both location modes.
func TestPriceQuoteCommand(t *testing.T) {
	t.Parallel()
	url := priceSetup(t)
	for _, args := range [][]string{
		{"price", "break", "add", "W", "--min-qty", "10", "--price", "9.00"},
		{"price", "break", "add", "W", "--price-type", "trade", "--price", "8.00"},
		{"price", "break", "add", "W", "--price-type", "trade", "--min-qty", "5", "--price", "7.50"},
		{"price", "break", "add", "W", "--price-type", "trade", "--region", "CA", "--min-qty", "5", "--price", "7.90"},
		{"price", "break", "add", "ROPE", "--min-qty", "100", "--price", "1.90"},
		{"price", "special", "add", "ACME", "W", "--min-qty", "20", "--price", "8.25", "--from", "2026-06-01", "--until", "2026-06-30"},
	} {
		run(t, url, args...).wantCode(t, ExitOK)
	}
	quote := func(args ...string) map[string]any {
		t.Helper()
		var q map[string]any
		run(t, url, append([]string{"price", "quote", "-o", "json"}, args...)...).wantCode(t, ExitOK).json(t, &q)
		return q
	}
	for _, c := range []struct {
		args                       []string
		price, source, typ, amount string
	}{
		{[]string{"W"}, "10", "sell_price", "retail", "10.00"},
		{[]string{"W", "--qty", "12.5"}, "9.00", "break", "retail", "112.50"},
		{[]string{"W", "--customer", "BLUE", "--qty", "4.5"}, "8.00", "break", "trade", "36.00"},
		{[]string{"W", "--customer", "BLUE", "--qty", "5", "--location", "MAIN"}, "7.50", "break", "trade", "37.50"},
		{[]string{"W", "--customer", "LONE", "--qty", "10"}, "9.00", "default_break", "retail", "90.00"},
		{[]string{"W", "--customer", "ACME", "--qty", "20", "--date", "2026-06-30"}, "8.25", "special", "retail", "165.00"},
		{[]string{"W", "--customer", "ACME", "--qty", "20", "--date", "2026-07-01"}, "9.00", "break", "retail", "180.00"},
		{[]string{"W", "--qty", "5", "--price-type", "trade"}, "7.50", "break", "trade", "37.50"},
		{[]string{"ROPE", "--customer", "ACME", "--qty", "1", "--unit", "coil"}, "1.90", "break", "retail", "190.00"},
		{[]string{"ROPE", "--qty", "0.333"}, "2.4", "sell_price", "retail", "0.80"},
	} {
		q := quote(c.args...)
		if q["unit_price"] != c.price || q["source"] != c.source || q["price_type"] != c.typ || q["amount"] != c.amount || q["currency"] != "USD" {
			t.Errorf("%v: %v", c.args, q)
		}
	}
	run(t, url, "settings", "set", "location_pricing", "sell_from").wantCode(t, ExitOK)
	if q := quote("W", "--customer", "BLUE", "--qty", "5", "--location", "MAIN"); q["unit_price"] != "7.90" || q["source"] != "location_break" || q["region"] != "CA" {
		t.Fatalf("sell_from MAIN (CA): %v", q)
	}
	if q := quote("W", "--customer", "BLUE", "--qty", "5", "--location", "STORE"); q["unit_price"] != "7.50" || q["source"] != "break" {
		t.Fatalf("sell_from STORE (NY): %v", q)
	}
	run(t, url, "price", "same-price", "W").wantCode(t, ExitOK)
	if q := quote("W", "--customer", "BLUE", "--qty", "5", "--location", "MAIN"); q["unit_price"] != "7.50" {
		t.Fatalf("same price everywhere: %v", q)
	}
	run(t, url, "price", "same-price", "W", "--off").wantCode(t, ExitOK)
	run(t, url, "settings", "set", "location_pricing", "sell_to").wantCode(t, ExitOK)
	if q := quote("W", "--customer", "BLUE", "--qty", "5", "--location", "MAIN"); q["unit_price"] != "7.50" {
		t.Fatalf("sell_to, BLUE in NY: %v", q)
	}
	if q := quote("W", "--customer", "BLUE", "--qty", "5", "--ship-to", "CA"); q["unit_price"] != "7.90" || q["region"] != "CA" {
		t.Fatalf("sell_to, shipped to CA: %v", q)
	}

	// --explain: every rule in order, as JSON ...
	var ex struct {
		UnitPrice string `json:"unit_price"`
		Steps     []struct {
			Step    int     `json:"step"`
			Rule    string  `json:"rule"`
			Applied bool    `json:"applied"`
			Price   *string `json:"price"`
			Reason  string  `json:"reason"`
		} `json:"steps"`
	}
	run(t, url, "price", "quote", "W", "--customer", "ACME", "--qty", "20", "--date", "2026-06-15", "--explain", "-o", "json").wantCode(t, ExitOK).json(t, &ex)
	if ex.UnitPrice != "8.25" || len(ex.Steps) != 5 {
		t.Fatalf("explain: %+v", ex)
	}
	rules := []string{"special", "location_break", "break", "default_break", "sell_price"}
	for i, s := range ex.Steps {
		if s.Step != i+1 || s.Rule != rules[i] || s.Applied != (i == 0) || s.Reason == "" {
			t.Fatalf("step %d: %+v", i, s)
		}
	}
	if *ex.Steps[0].Price != "8.25" || ex.Steps[1].Price != nil || *ex.Steps[2].Price != "9.00" || *ex.Steps[4].Price != "10" ||
		!strings.Contains(ex.Steps[1].Reason, "no retail rows for region CA (customer ACME is in CA)") {
		t.Fatalf("explain steps: %+v", ex.Steps)
	}
	// ... and piped: the rules as tab-separated lines, the answer on stderr.
	r := run(t, url, "price", "quote", "W", "--customer", "LONE", "--qty", "10", "--explain", "--fields", "rule,applied,price")
	// No tax anywhere (tax_rate_sales 0): net 90.00 + tax 0.00 = 90.00.
	r.wantCode(t, ExitOK).wantErr(t, "W × 10: 9.00 each = 90.00 USD, net 90.00 + tax 0.00 (0%) = 90.00 (default_break, price type retail)")
	if r.out != "special\tfalse\t\nlocation_break\tfalse\t\nbreak\tfalse\t\ndefault_break\ttrue\t9.00\nsell_price\tfalse\t10\n" {
		t.Fatalf("piped explain: %q", r.out)
	}

	run(t, url, "price", "quote", "W", "--qty", "0").wantCode(t, ExitInvalid).wantErr(t, "more than 0")
	run(t, url, "price", "quote", "W", "--qty", "x").wantCode(t, ExitUsage)
	run(t, url, "price", "quote", "W", "--date", "tomorrow").wantCode(t, ExitUsage).wantErr(t, "--date")
	run(t, url, "price", "quote", "W", "--customer", "NOPE").wantCode(t, ExitNotFound).wantErr(t, "NOPE")
	run(t, url, "price", "quote", "W", "--customer", "SUPP").wantCode(t, ExitInvalid).wantErr(t, "not a customer")
	run(t, url, "price", "quote", "W", "--location", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "price", "quote", "W", "--price-type", "gold").wantCode(t, ExitNotFound).wantErr(t, "unknown price type")
	run(t, url, "price", "quote", "W", "--unit", "kg").wantCode(t, ExitInvalid)
	run(t, url, "price", "quote", "NOPE").wantCode(t, ExitNotFound)
}

// The demo shows three customers paying three prices for the same drill, and loads its
// pricing once.
func TestPriceDemo(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var sum map[string]float64
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["prices"] != 13 {
		t.Fatalf("demo prices: %v", sum)
	}
	prices := map[string]string{}
	for _, c := range []string{"ACME", "BLUEBIRD", "LONESTAR"} {
		var q map[string]any
		run(t, url, "price", "quote", "DRILL-18V", "--customer", c, "--location", "MAIN", "-o", "json").wantCode(t, ExitOK).json(t, &q)
		prices[c] = q["unit_price"].(string) + " " + q["source"].(string)
	}
	if prices["ACME"] != "129 sell_price" || prices["BLUEBIRD"] != "112.00 break" || prices["LONESTAR"] != "98.00 break" {
		t.Fatalf("three customers: %v", prices)
	}
	var q map[string]any
	run(t, url, "price", "quote", "DRILL-18V", "--location", "STORE", "-o", "json").json(t, &q)
	if q["unit_price"] != "134.00" || q["source"] != "location_break" {
		t.Fatalf("walk-in at the Brooklyn store: %v", q)
	}
	run(t, url, "price", "quote", "DRILL-18V", "--customer", "ACME", "--qty", "10", "-o", "json").json(t, &q)
	if q["unit_price"] != "115.00" || q["source"] != "special" {
		t.Fatalf("ACME's special: %v", q)
	}
	var pp map[string]any
	run(t, url, "price", "show", "PAINT-WHITE", "-o", "json").json(t, &pp)
	if pp["sell_price"] != "14.44" || pp["formula"] != "margin" {
		t.Fatalf("paint: %v", pp)
	}
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["prices"] != 0 {
		t.Fatalf("second load: %v", sum)
	}
	// The command from the demo's next steps runs.
	run(t, url, "price", "quote", "DRILL-18V", "--customer", "BLUEBIRD", "--qty", "6", "--location", "STORE", "--explain").wantCode(t, ExitOK)
}
