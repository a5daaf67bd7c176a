package pricing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/pricetype"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/pricing"
)

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// priceList gives W (cost 8, sell 10, retail the default price type) these rows:
//
//	retail              2.5 → 9.50    10 → 9.00
//	retail  NY            0 → 10.50
//	trade                 0 → 8.00     5 → 7.50    20 → 7.00
//	trade   CA            0 → 8.40     5 → 7.90
//	wholesale            50 → 6.00
//	ACME special          0 → 9.25 (no dates)   100 → 8.00 (2026-03-01 to 2026-03-31)
//	NOREG special        10 → 6.80 (from 2026-06-01)
func priceList(t *testing.T, conn *sqlx.DB) {
	t.Helper()
	b := func(typ, region, min, price string) pricing.BreakInput {
		return pricing.BreakInput{SKU: "W", PriceType: typ, Region: region, MinQty: d(min), Price: d(price)}
	}
	c, err := pricing.SetBreaks(bg, conn, []pricing.BreakInput{
		b("", "", "2.5", "9.50"), b("retail", "", "10", "9.00"), b("retail", "NY", "0", "10.50"),
		b("trade", "", "0", "8.00"), b("trade", "", "5", "7.50"), b("trade", "", "20", "7.00"),
		b("trade", "CA", "0", "8.40"), b("trade", "CA", "5", "7.90"),
		b("wholesale", "", "50", "6.00"),
	})
	must(t, err)
	if c.Created != 9 {
		t.Fatalf("created %+v", c)
	}
	c, err = pricing.SetSpecials(bg, conn, []pricing.SpecialInput{
		{Customer: "ACME", SKU: "W", MinQty: d("0"), Price: d("9.25")},
		{Customer: "ACME", SKU: "W", MinQty: d("100"), Price: d("8.00"), From: day("2026-03-01"), Until: day("2026-03-31")},
		{Customer: "NOREG", SKU: "W", MinQty: d("10"), Price: d("6.80"), From: day("2026-06-01")},
	})
	must(t, err)
	if c.Created != 3 {
		t.Fatalf("created %+v", c)
	}
}

func setMode(t *testing.T, conn *sqlx.DB, mode string) {
	t.Helper()
	exec(t, conn, `UPDATE settings SET value = $1 WHERE key = 'location_pricing'`, mode)
}

type quoteCase struct {
	name                       string
	mode                       string // location_pricing
	customer, location, shipTo string
	priceType                  string
	qty                        string
	on                         string // default 2026-05-15
	same                       bool   // W has the same price at every location
	price, source, typ, region string
	min                        string
	applied                    int // index of the applied step
}

// Every step of the precedence, boundaries of minimums and validity days, fractional
// quantities and both location modes, with the numbers of priceList.
var quoteCases = []quoteCase{
	// No customer: the default price type (retail), then the sell price.
	{name: "walk-in, 1 unit: sell price", qty: "1", price: "10", source: "sell_price", typ: "retail", min: "0", applied: 4},
	{name: "walk-in, 2.49: still below 2.5", qty: "2.49", price: "10", source: "sell_price", typ: "retail", min: "0", applied: 4},
	{name: "walk-in, 2.5: fractional minimum reached", qty: "2.5", price: "9.50", source: "break", typ: "retail", min: "2.5", applied: 2},
	{name: "walk-in, 10: largest minimum <= qty", qty: "10", price: "9.00", source: "break", typ: "retail", min: "10", applied: 2},
	{name: "walk-in, price type given", qty: "5", priceType: "trade", price: "7.50", source: "break", typ: "trade", min: "5", applied: 2},

	// Special prices come first, with validity days inclusive at both ends.
	{name: "ACME special, no dates", customer: "ACME", qty: "1", price: "9.25", source: "special", typ: "retail", min: "0", applied: 0},
	{name: "ACME 100 on the first valid day", customer: "ACME", qty: "100", on: "2026-03-01", price: "8.00", source: "special", typ: "retail", min: "100", applied: 0},
	{name: "ACME 100 on the last valid day", customer: "ACME", qty: "100", on: "2026-03-31", price: "8.00", source: "special", typ: "retail", min: "100", applied: 0},
	{name: "ACME 100 the day before", customer: "ACME", qty: "100", on: "2026-02-28", price: "9.25", source: "special", typ: "retail", min: "0", applied: 0},
	{name: "ACME 100 the day after", customer: "ACME", qty: "100", on: "2026-04-01", price: "9.25", source: "special", typ: "retail", min: "0", applied: 0},
	{name: "ACME special beats a price type given", customer: "ACME", qty: "5", priceType: "trade", price: "9.25", source: "special", typ: "trade", min: "0", applied: 0},
	{name: "NOREG special not yet valid", customer: "NOREG", qty: "10", on: "2026-05-31", price: "7.50", source: "break", typ: "trade", min: "5", applied: 2},
	{name: "NOREG special from its first day", customer: "NOREG", qty: "10", on: "2026-06-01", price: "6.80", source: "special", typ: "trade", min: "10", applied: 0},
	{name: "NOREG special below its minimum", customer: "NOREG", qty: "9.999", on: "2026-07-01", price: "7.50", source: "break", typ: "trade", min: "5", applied: 2},

	// The customer's price type, then the default price type, then the sell price.
	{name: "BLUE trade 4.999", customer: "BLUE", qty: "4.999", price: "8.00", source: "break", typ: "trade", min: "0", applied: 2},
	{name: "BLUE trade 5: minimum equal to qty applies", customer: "BLUE", qty: "5", price: "7.50", source: "break", typ: "trade", min: "5", applied: 2},
	{name: "BLUE trade 20", customer: "BLUE", qty: "20", price: "7.00", source: "break", typ: "trade", min: "20", applied: 2},
	{name: "LONE wholesale 1: sell price", customer: "LONE", qty: "1", price: "10", source: "sell_price", typ: "retail", min: "0", applied: 4},
	{name: "LONE wholesale 10: default break", customer: "LONE", qty: "10", price: "9.00", source: "default_break", typ: "retail", min: "10", applied: 3},
	{name: "LONE wholesale 50", customer: "LONE", qty: "50", price: "6.00", source: "break", typ: "wholesale", min: "50", applied: 2},

	// sell_from: the region of the sell-from location.
	{name: "sell_from MAIN (CA), trade 5", mode: "sell_from", customer: "BLUE", location: "MAIN", qty: "5", price: "7.90", source: "location_break", typ: "trade", region: "CA", min: "5", applied: 1},
	{name: "sell_from MAIN (CA), trade 0.5", mode: "sell_from", customer: "BLUE", location: "MAIN", qty: "0.5", price: "8.40", source: "location_break", typ: "trade", region: "CA", min: "0", applied: 1},
	{name: "sell_from STORE (NY): no trade NY rows", mode: "sell_from", customer: "BLUE", location: "STORE", qty: "5", price: "7.50", source: "break", typ: "trade", min: "5", applied: 2},
	{name: "sell_from VAN: no region", mode: "sell_from", customer: "BLUE", location: "VAN", qty: "5", price: "7.50", source: "break", typ: "trade", min: "5", applied: 2},
	{name: "sell_from without location", mode: "sell_from", customer: "BLUE", qty: "5", price: "7.50", source: "break", typ: "trade", min: "5", applied: 2},
	{name: "sell_from STORE (NY), walk-in", mode: "sell_from", location: "STORE", qty: "1", price: "10.50", source: "location_break", typ: "retail", region: "NY", min: "0", applied: 1},
	{name: "sell_from, same price everywhere", mode: "sell_from", customer: "BLUE", location: "MAIN", qty: "5", same: true, price: "7.50", source: "break", typ: "trade", min: "5", applied: 2},
	{name: "sell_from, special still first", mode: "sell_from", customer: "ACME", location: "STORE", qty: "1", price: "9.25", source: "special", typ: "retail", min: "0", applied: 0},

	// sell_to: the region of the customer, or the ship-to region given.
	{name: "sell_to, CALT is in CA", mode: "sell_to", customer: "CALT", location: "STORE", qty: "5", price: "7.90", source: "location_break", typ: "trade", region: "CA", min: "5", applied: 1},
	{name: "sell_to, BLUE is in NY: no trade NY rows", mode: "sell_to", customer: "BLUE", location: "MAIN", qty: "5", price: "7.50", source: "break", typ: "trade", min: "5", applied: 2},
	{name: "sell_to, ship to NY", mode: "sell_to", customer: "CALT", shipTo: "NY", qty: "5", price: "7.50", source: "break", typ: "trade", min: "5", applied: 2},
	{name: "sell_to, NOREG has no region", mode: "sell_to", customer: "NOREG", qty: "5", price: "7.50", source: "break", typ: "trade", min: "5", applied: 2},
	{name: "sell_to, walk-in has no region", mode: "sell_to", location: "STORE", qty: "1", price: "10", source: "sell_price", typ: "retail", min: "0", applied: 4},
}

func TestQuotePrecedence(t *testing.T) {
	t.Parallel()
	conn := world(t)
	priceList(t, conn)
	for _, c := range quoteCases {
		t.Run(c.name, func(t *testing.T) {
			mode := c.mode
			if mode == "" {
				mode = "none"
			}
			setMode(t, conn, mode)
			exec(t, conn, `UPDATE products SET same_price_all_locations = $1 WHERE sku = 'W'`, c.same)
			ids, err := pricing.Lookup(bg, conn, "W", c.customer, c.location)
			must(t, err)
			on := c.on
			if on == "" {
				on = "2026-05-15"
			}
			r, err := pricing.Quote(bg, conn, pricing.Request{ProductID: ids.Product, CustomerID: ids.Customer,
				LocationID: ids.Location, Qty: d(c.qty), On: *day(on), PriceType: c.priceType, ShipTo: c.shipTo})
			must(t, err)
			if !eq(r.UnitPrice, c.price) || r.Source != c.source || r.PriceType != c.typ || r.Region != c.region || !eq(r.MinQty, c.min) {
				t.Fatalf("got %s %s type %s region %q min %s, want %s %s type %s region %q min %s\n%s",
					r.UnitPrice, r.Source, r.PriceType, r.Region, r.MinQty, c.price, c.source, c.typ, c.region, c.min, explain(r))
			}
			if want := d(c.qty).Mul(d(c.price)).Round(2); !r.Amount.Equal(want) || !eq(r.Qty, c.qty) || r.Currency != "USD" {
				t.Fatalf("amount %s, want %s", r.Amount, want)
			}
			rules := []string{"special", "location_break", "break", "default_break", "sell_price"}
			if len(r.Steps) != len(rules) {
				t.Fatalf("steps: %s", explain(r))
			}
			for i, st := range r.Steps {
				if st.Rule != rules[i] || st.Applied != (i == c.applied) || st.Reason == "" {
					t.Fatalf("step %d: %s", i, explain(r))
				}
				if st.Applied && (st.Price == nil || !st.Price.Equal(r.UnitPrice)) {
					t.Fatalf("the applied step carries the price: %s", explain(r))
				}
				if i < c.applied && st.Price != nil {
					t.Fatalf("a step before the applied one had a price: %s", explain(r))
				}
			}
		})
	}
}

func explain(r pricing.Result) string {
	var b strings.Builder
	for _, s := range r.Steps {
		p := "-"
		if s.Price != nil {
			p = s.Price.String()
		}
		b.WriteString("  " + s.Rule + " " + map[bool]string{true: "APPLIED", false: "no"}[s.Applied] + " " + p + ": " + s.Reason + "\n")
	}
	return b.String()
}

// The explanation says why each rule did or did not apply, in words a person can check.
func TestQuoteExplains(t *testing.T) {
	t.Parallel()
	conn := world(t)
	priceList(t, conn)
	setMode(t, conn, "sell_from")
	ids, err := pricing.Lookup(bg, conn, "W", "ACME", "MAIN")
	must(t, err)
	r, err := pricing.Quote(bg, conn, pricing.Request{ProductID: ids.Product, CustomerID: ids.Customer, LocationID: ids.Location,
		Qty: d("12"), On: *day("2026-04-02"), PriceType: "trade"})
	must(t, err)
	want := []struct {
		applied bool
		price   string
		reason  string
	}{
		{true, "9.25", "ACME's special row from 0: 9.25 (no end date)"},
		{false, "7.90", "trade row for region CA from 5: 7.90 (sell-from location MAIN is in CA); not used: special applies first"},
		{false, "7.50", "trade row from 5: 7.50 (price type given on the line); not used: special applies first"},
		{false, "9.00", "default price type retail row from 10: 9.00; not used: special applies first"},
		{false, "10", "unit sell price 10, the first retail row (fixed: typed by hand); not used: special applies first"},
	}
	for i, w := range want {
		s := r.Steps[i]
		if s.Applied != w.applied || s.Price == nil || !eq(*s.Price, w.price) || s.Reason != w.reason {
			t.Errorf("step %d: %+v %s\nwant %+v", i, s, s.Price, w)
		}
	}

	// Reasons for rules that have no row.
	ids, err = pricing.Lookup(bg, conn, "W", "LONE", "VAN")
	must(t, err)
	r, err = pricing.Quote(bg, conn, pricing.Request{ProductID: ids.Product, CustomerID: ids.Customer, LocationID: ids.Location,
		Qty: d("2"), On: *day("2026-04-02")})
	must(t, err)
	for i, w := range []string{
		"LONE has no special price for W",
		"sell-from location VAN has no sales region",
		"wholesale rows start at 50; 2 is less (the customer's price type)",
		"retail rows besides the first start at 2.5; 2 is less",
		"unit sell price 10, the first retail row (fixed: typed by hand)",
	} {
		if r.Steps[i].Reason != w || r.Steps[i].Applied != (i == 4) || (r.Steps[i].Price != nil) != (i == 4) {
			t.Errorf("step %d: %q, want %q", i, r.Steps[i].Reason, w)
		}
	}
	if r.Source != pricing.SourceSellPrice || !eq(r.UnitPrice, "10") || r.PriceType != "retail" {
		t.Fatalf("LONE 2: %+v", r)
	}
	// At 3 the default price type's 2.5 row applies to the wholesale customer.
	r, err = pricing.Quote(bg, conn, pricing.Request{ProductID: ids.Product, CustomerID: ids.Customer, Qty: d("3")})
	must(t, err)
	if r.Source != pricing.SourceDefaultBreak || !eq(r.UnitPrice, "9.50") || !eq(r.MinQty, "2.5") || r.PriceType != "retail" {
		t.Fatalf("LONE 3: %+v\n%s", r, explain(r))
	}

	ids, err = pricing.Lookup(bg, conn, "W", "ACME", "")
	must(t, err)
	r, err = pricing.Quote(bg, conn, pricing.Request{ProductID: ids.Product, CustomerID: ids.Customer, Qty: d("150"), On: *day("2026-03-31")})
	must(t, err)
	if r.Steps[1].Reason != "location_pricing is sell_from but no sell-from location was given" ||
		r.Steps[3].Reason != "retail is the default price type: its rows were considered above" {
		t.Fatalf("reasons:\n%s", explain(r))
	}
	setMode(t, conn, "none")
	ids, err = pricing.Lookup(bg, conn, "W", "", "")
	must(t, err)
	r, err = pricing.Quote(bg, conn, pricing.Request{ProductID: ids.Product, Qty: d("1")})
	must(t, err)
	if r.Steps[0].Reason != "no customer given" || r.Steps[1].Reason != "location pricing is off (setting location_pricing = none)" {
		t.Fatalf("reasons:\n%s", explain(r))
	}
}

// An inactive price type stops pricing its customers: they fall back to the default.
func TestQuoteInactivePriceType(t *testing.T) {
	t.Parallel()
	conn := world(t)
	priceList(t, conn)
	_, err := pricetype.SetTypeActive(bg, conn, "wholesale", false)
	must(t, err)
	ids, err := pricing.Lookup(bg, conn, "W", "LONE", "")
	must(t, err)
	r, err := pricing.Quote(bg, conn, pricing.Request{ProductID: ids.Product, CustomerID: ids.Customer, Qty: d("50")})
	must(t, err)
	if r.Source != pricing.SourceDefaultBreak || !eq(r.UnitPrice, "9.00") || r.PriceType != "retail" ||
		!strings.Contains(r.Steps[2].Reason, "wholesale (the customer's price type) is inactive") {
		t.Fatalf("%+v\n%s", r, explain(r))
	}
	_, err = pricing.Quote(bg, conn, pricing.Request{ProductID: ids.Product, Qty: d("1"), PriceType: "wholesale"})
	wantKind(t, err, fault.Invalid, "inactive")
}

func TestQuoteRefusals(t *testing.T) {
	t.Parallel()
	conn := world(t)
	ids, err := pricing.Lookup(bg, conn, "W", "ACME", "MAIN")
	must(t, err)
	for _, c := range []struct {
		r     pricing.Request
		kind  fault.Kind
		field string
		msg   string
	}{
		{pricing.Request{ProductID: ids.Product, Qty: d("0")}, fault.Invalid, "qty", "more than 0"},
		{pricing.Request{ProductID: ids.Product, Qty: d("-1")}, fault.Invalid, "qty", "more than 0"},
		{pricing.Request{Qty: d("1")}, fault.Invalid, "sku", "no product"},
		{pricing.Request{ProductID: 999999, Qty: d("1")}, fault.NotFound, "", "product id 999999"},
		{pricing.Request{ProductID: ids.Product, CustomerID: 999999, Qty: d("1")}, fault.NotFound, "", "customer id"},
		{pricing.Request{ProductID: ids.Product, LocationID: 999999, Qty: d("1")}, fault.NotFound, "", "location id"},
		{pricing.Request{ProductID: ids.Product, Qty: d("1"), PriceType: "gold"}, fault.NotFound, "price-type", "unknown price type"},
	} {
		_, err := pricing.Quote(bg, conn, c.r)
		wantKind(t, err, c.kind, c.msg)
		if fault.FieldOf(err) != c.field {
			t.Errorf("%+v: field %q", c.r, fault.FieldOf(err))
		}
	}
	supp, err := pricing.Lookup(bg, conn, "W", "SUPP", "")
	must(t, err)
	_, err = pricing.Quote(bg, conn, pricing.Request{ProductID: supp.Product, CustomerID: supp.Customer, Qty: d("1")})
	wantKind(t, err, fault.Invalid, "not a customer")
	for _, c := range [][3]string{{"NOPE", "", ""}, {"W", "NOPE", ""}, {"W", "", "NOPE"}, {"W", "", "~customer"}} {
		_, err := pricing.Lookup(bg, conn, c[0], c[1], c[2])
		wantKind(t, err, fault.NotFound, "does not exist")
	}
	// Today is the default day.
	_, err = pricing.SetSpecials(bg, conn, []pricing.SpecialInput{{Customer: "ACME", SKU: "W", Price: d("5"),
		From: ptrTime(time.Now().UTC()), Until: ptrTime(time.Now().UTC())}})
	must(t, err)
	r, err := pricing.Quote(bg, conn, pricing.Request{ProductID: ids.Product, CustomerID: ids.Customer, Qty: d("1")})
	must(t, err)
	if r.Source != pricing.SourceSpecial || !eq(r.UnitPrice, "5") {
		t.Fatalf("special valid today only: %+v", r)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
