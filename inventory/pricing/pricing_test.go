package pricing_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/business/pricetype"
	"github.com/stockctl/stockctl/business/region"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/pricing"
	"github.com/stockctl/stockctl/inventory/stock"
)

var bg = context.Background()

func str(v string) *string                { return &v }
func yes() *bool                          { b := true; return &b }
func dec(v string) *decimal.Decimal       { d := decimal.RequireFromString(v); return &d }
func d(v string) decimal.Decimal          { return decimal.RequireFromString(v) }
func eq(a decimal.Decimal, b string) bool { return a.Equal(d(b)) }

func wantKind(t *testing.T, err error, k fault.Kind, contains string) {
	t.Helper()
	if fault.KindOf(err) != k {
		t.Fatalf("want %v error, got %v", k, err)
	}
	if contains != "" && !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not say %q", err, contains)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func exec(t *testing.T, conn *sqlx.DB, query string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func sellPrice(t *testing.T, conn *sqlx.DB, sku string) decimal.Decimal {
	t.Helper()
	var p decimal.Decimal
	if err := conn.Get(&p, `SELECT sell_price FROM products WHERE sku = $1`, sku); err != nil {
		t.Fatal(err)
	}
	return p
}

func addProduct(t *testing.T, conn *sqlx.DB, sku, cost, list, sell string) {
	t.Helper()
	_, err := catalog.Add(bg, conn, sku, catalog.Changes{Name: str("Product " + sku), CostPrice: dec(cost), ListPrice: dec(list), SellPrice: dec(sell)})
	must(t, err)
}

// world is the business the pricing tests share: regions CA, NY and TX; locations MAIN (CA),
// STORE (NY) and VAN (no region); customers ACME (retail, CA), BLUE (trade, NY), CALT (trade,
// CA), LONE (wholesale, TX), NOREG (trade, no region); supplier SUPP; product W (cost 8,
// list 20, sell 10).
func world(t *testing.T) *sqlx.DB {
	t.Helper()
	conn, _ := dbtest.New(t)
	for _, r := range []string{"CA", "NY", "TX"} {
		_, err := region.Add(bg, conn, r, "")
		must(t, err)
	}
	for _, l := range [][2]string{{"MAIN", "CA"}, {"STORE", "NY"}, {"VAN", ""}} {
		_, err := stock.AddLocation(bg, conn, l[0], "", l[1], "")
		must(t, err)
	}
	for _, c := range []struct{ code, typ, region string }{
		{"ACME", "retail", "CA"}, {"BLUE", "trade", "NY"}, {"CALT", "trade", "CA"},
		{"LONE", "wholesale", "TX"}, {"NOREG", "trade", ""},
	} {
		ch := company.Changes{Name: str(c.code), Customer: yes(), PriceType: str(c.typ)}
		if c.region != "" {
			ch.Region = str(c.region)
		}
		_, err := company.Add(bg, conn, c.code, ch)
		must(t, err)
	}
	_, err := company.Add(bg, conn, "SUPP", company.Changes{Name: str("Supplier"), Supplier: yes()})
	must(t, err)
	addProduct(t, conn, "W", "8", "20", "10")
	return conn
}

func TestPriceTypes(t *testing.T) {
	t.Parallel()
	conn, _ := dbtest.New(t)
	pt, err := pricetype.AddType(bg, conn, "vip", "VIP customers")
	must(t, err)
	if pt.Code != "vip" || pt.Name != "VIP customers" || !pt.Active || pt.Default {
		t.Fatalf("added: %+v", pt)
	}
	_, err = pricetype.AddType(bg, conn, "vip", "")
	wantKind(t, err, fault.Conflict, "already exists")
	_, err = pricetype.AddType(bg, conn, "no spaces", "")
	wantKind(t, err, fault.Invalid, "price type code")

	_, err = company.Add(bg, conn, "V1", company.Changes{Name: str("V1"), Customer: yes(), PriceType: str("vip")})
	must(t, err)
	info, err := pricetype.SetTypeActive(bg, conn, "vip", false)
	must(t, err)
	if info.Active || info.Customers != 1 {
		t.Fatalf("deactivated: %+v", info)
	}
	_, err = pricetype.RequireType(bg, conn, "price-type", "vip")
	wantKind(t, err, fault.Invalid, "inactive")
	_, err = pricetype.SetDefault(bg, conn, "vip")
	wantKind(t, err, fault.Invalid, "inactive")
	_, err = pricetype.SetTypeActive(bg, conn, "vip", true)
	must(t, err)

	_, err = pricetype.SetTypeActive(bg, conn, "retail", false)
	wantKind(t, err, fault.Invalid, "default price type")
	// The database refuses it whatever code path tries.
	_, err = conn.Exec(`UPDATE price_types SET active = false WHERE code = 'retail'`)
	wantKind(t, db.Classify(err), fault.Invalid, "default price type")

	pt, err = pricetype.SetDefault(bg, conn, "trade")
	must(t, err)
	if !pt.Default {
		t.Fatalf("trade is the default now: %+v", pt)
	}
	def, err := pricetype.DefaultType(bg, conn)
	must(t, err)
	if def != "trade" {
		t.Fatalf("default %q", def)
	}
	ts, err := pricetype.Types(bg, conn)
	must(t, err)
	got := map[string]pricetype.TypeInfo{}
	for _, x := range ts {
		got[x.Code] = x
	}
	if len(ts) != 4 || !got["trade"].Default || got["retail"].Default || got["vip"].Customers != 1 {
		t.Fatalf("types: %+v", ts)
	}
	_, err = pricetype.SetTypeActive(bg, conn, "nope", false)
	wantKind(t, err, fault.NotFound, "does not exist")
}

func TestFormulas(t *testing.T) {
	t.Parallel()
	conn := world(t)
	for _, c := range []struct {
		formula, pct, want string
	}{
		{"markup", "25", "10.00"},   // 8 × 1.25
		{"margin", "25", "10.67"},   // 8 ÷ 0.75 = 10.666… rounded to cents
		{"discount", "15", "17.00"}, // 20 × 0.85
		{"list", "", "20.00"},
		{"MARGIN", "0", "8.00"},
		{"fixed", "", "8.00"}, // fixed keeps the last sell price and lets it be typed
	} {
		var pct *decimal.Decimal
		if c.pct != "" {
			pct = dec(c.pct)
		}
		pp, err := pricing.SetFormula(bg, conn, "W", c.formula, pct)
		must(t, err)
		if !eq(pp.SellPrice, c.want) || pp.Formula != strings.ToLower(c.formula) {
			t.Fatalf("%s %s: sell %s, want %s (%+v)", c.formula, c.pct, pp.SellPrice, c.want, pp)
		}
	}

	// A new cost recomputes the sell price, through catalog.Edit and through plain SQL alike.
	_, err := pricing.SetFormula(bg, conn, "W", "markup", dec("25"))
	must(t, err)
	p, err := catalog.Edit(bg, conn, "W", catalog.Changes{CostPrice: dec("9")})
	must(t, err)
	if !eq(p.SellPrice, "11.25") {
		t.Fatalf("cost 9 × 1.25: sell %s", p.SellPrice)
	}
	exec(t, conn, `UPDATE products SET cost_price = 0.125 WHERE sku = 'W'`)
	if sp := sellPrice(t, conn, "W"); !eq(sp, "0.16") { // 0.15625 → 0.16
		t.Fatalf("cost 0.125 × 1.25: %s", sp)
	}
	_, err = pricing.SetFormula(bg, conn, "W", "markup", dec("0"))
	must(t, err)
	if sp := sellPrice(t, conn, "W"); !eq(sp, "0.13") { // half away from zero, not to even
		t.Fatalf("cost 0.125 rounds to 0.13: %s", sp)
	}
	_, err = pricing.SetFormula(bg, conn, "W", "discount", dec("10"))
	must(t, err)
	p, err = catalog.Edit(bg, conn, "W", catalog.Changes{ListPrice: dec("30")})
	must(t, err)
	if !eq(p.SellPrice, "27.00") {
		t.Fatalf("list 30 less 10%%: %s", p.SellPrice)
	}
	// Typing a sell price over a formula is refused on every path.
	_, err = catalog.Edit(bg, conn, "W", catalog.Changes{SellPrice: dec("25")})
	wantKind(t, err, fault.Invalid, "discount formula")
	_, err = conn.Exec(`UPDATE products SET sell_price = 1 WHERE sku = 'W'`)
	wantKind(t, db.Classify(err), fault.Invalid, "price formula W fixed")
	// The same price with a new cost is fine (the import case: every column written).
	_, err = catalog.Edit(bg, conn, "W", catalog.Changes{SellPrice: dec("27"), CostPrice: dec("5")})
	must(t, err)

	for _, c := range []struct {
		formula, pct, field, msg string
	}{
		{"margin", "100", "pct", "below 100%"},
		{"margin", "120", "pct", "below 100%"},
		{"markup", "", "pct", "needs --pct"},
		{"discount", "101", "pct", "more than 100%"},
		{"markup", "-5", "pct", "negative"},
		{"fixed", "10", "pct", "takes no --pct"},
		{"list", "1", "pct", "takes no --pct"},
		{"cheap", "", "formula", "unknown formula"},
	} {
		var pct *decimal.Decimal
		if c.pct != "" {
			pct = dec(c.pct)
		}
		_, err := pricing.SetFormula(bg, conn, "W", c.formula, pct)
		wantKind(t, err, fault.Invalid, c.msg)
		if fault.FieldOf(err) != c.field {
			t.Fatalf("%s %s: field %q", c.formula, c.pct, fault.FieldOf(err))
		}
	}
	// The constraint backs the rule up.
	_, err = conn.Exec(`UPDATE products SET price_formula = 'margin', price_pct = 100 WHERE sku = 'W'`)
	wantKind(t, db.Classify(err), fault.Invalid, "")
	_, err = pricing.SetFormula(bg, conn, "NOPE", "list", nil)
	wantKind(t, err, fault.NotFound, "NOPE")

	pp, err := pricing.Show(bg, conn, "W")
	must(t, err)
	if pp.Rule != "discount: list 30 × (1 − 10%)" || pp.DefaultPriceType != "retail" {
		t.Fatalf("show: %+v", pp)
	}
	// A product added with a formula column set (an import) is priced on insert.
	exec(t, conn, `INSERT INTO products (sku, name, type, cost_price, price_formula, price_pct) VALUES ('IMP', 'Imported', 'stock', 4, 'margin', 20)`)
	if sp := sellPrice(t, conn, "IMP"); !eq(sp, "5.00") {
		t.Fatalf("imported with margin 20%% over 4: %s", sp)
	}
}

// The default price type's first row is the unit sell price, both ways and on every path.
func TestSellPriceIsTheFirstDefaultRow(t *testing.T) {
	t.Parallel()
	conn := world(t)
	firstRow := func() pricing.Break {
		t.Helper()
		bs, err := pricing.Breaks(bg, conn, "W", "")
		must(t, err)
		if len(bs) == 0 || !bs[0].SellPrice || bs[0].PriceType != "retail" || bs[0].Region != nil || !bs[0].MinQty.IsZero() {
			t.Fatalf("first row: %+v", bs)
		}
		return bs[0]
	}
	if b := firstRow(); !eq(b.Price, "10") {
		t.Fatalf("first row follows the sell price 10: %+v", b)
	}
	_, err := catalog.Edit(bg, conn, "W", catalog.Changes{SellPrice: dec("11.50")})
	must(t, err)
	if b := firstRow(); !eq(b.Price, "11.50") {
		t.Fatalf("after product edit: %+v", b)
	}
	b, c, err := pricing.AddBreak(bg, conn, pricing.BreakInput{SKU: "W", MinQty: d("0"), Price: d("12.25")})
	must(t, err)
	if !b.SellPrice || !eq(b.Price, "12.25") || c.Updated != 1 || !eq(sellPrice(t, conn, "W"), "12.25") {
		t.Fatalf("editing the first row sets the sell price: %+v %+v", b, c)
	}
	// Written straight into the table (an import), the row still becomes the sell price.
	exec(t, conn, `INSERT INTO price_breaks (product_id, price_type, min_qty, price) SELECT id, 'retail', 0.000, 13 FROM products WHERE sku = 'W'`)
	var stored int
	must(t, conn.Get(&stored, `SELECT count(*) FROM price_breaks`))
	if stored != 0 || !eq(sellPrice(t, conn, "W"), "13") {
		t.Fatalf("stored rows %d, sell %s", stored, sellPrice(t, conn, "W"))
	}
	_, err = pricing.DeleteBreak(bg, conn, "W", "", "", d("0"))
	wantKind(t, err, fault.Invalid, "unit sell price")
	// A formula owns the sell price, so it owns the first row too.
	_, err = pricing.SetFormula(bg, conn, "W", "markup", dec("50"))
	must(t, err)
	if b := firstRow(); !eq(b.Price, "12.00") {
		t.Fatalf("first row follows the formula: %+v", b)
	}
	_, _, err = pricing.AddBreak(bg, conn, pricing.BreakInput{SKU: "W", PriceType: "retail", MinQty: d("0"), Price: d("9")})
	wantKind(t, err, fault.Invalid, "markup formula")
	// Other rows of the default type, and region rows at minimum 0, are ordinary rows.
	_, c, err = pricing.AddBreak(bg, conn, pricing.BreakInput{SKU: "W", Region: "NY", MinQty: d("0"), Price: d("14")})
	must(t, err)
	if c.Created != 1 || !eq(sellPrice(t, conn, "W"), "12") {
		t.Fatalf("region row: %+v", c)
	}
}

// Changing the default price type keeps every customer's prices where they can be kept.
func TestDefaultPriceTypeChange(t *testing.T) {
	t.Parallel()
	conn := world(t)
	addProduct(t, conn, "F", "8", "0", "0")
	_, err := pricing.SetFormula(bg, conn, "F", "markup", dec("50")) // sell 12
	must(t, err)
	_, err = pricing.SetBreaks(bg, conn, []pricing.BreakInput{
		{SKU: "W", PriceType: "trade", MinQty: d("0"), Price: d("8")},
		{SKU: "W", PriceType: "trade", MinQty: d("10"), Price: d("7")},
		{SKU: "W", PriceType: "retail", MinQty: d("5"), Price: d("9.50")},
		{SKU: "F", PriceType: "trade", MinQty: d("0"), Price: d("11")},
	})
	must(t, err)
	quote := func(customer string, qty string) pricing.Result {
		t.Helper()
		ids, err := pricing.Lookup(bg, conn, "W", customer, "")
		must(t, err)
		r, err := pricing.Quote(bg, conn, pricing.Request{ProductID: ids.Product, CustomerID: ids.Customer, Qty: d(qty)})
		must(t, err)
		return r
	}
	before := map[string]string{}
	for _, c := range [][2]string{{"ACME", "1"}, {"ACME", "5"}, {"BLUE", "1"}, {"BLUE", "10"}} {
		before[c[0]+c[1]] = quote(c[0], c[1]).UnitPrice.String()
	}
	_, err = pricetype.SetDefault(bg, conn, "trade")
	must(t, err)
	// W is fixed-price: trade's first row (8) is now its sell price; retail keeps 10 as a row.
	if sp := sellPrice(t, conn, "W"); !eq(sp, "8") {
		t.Fatalf("W sell price %s, want trade's first row 8", sp)
	}
	// F has a formula: its sell price stays 12 and trade's stored first row (11) gives way.
	if sp := sellPrice(t, conn, "F"); !eq(sp, "12") {
		t.Fatalf("F sell price %s", sp)
	}
	var rows []struct {
		SKU   string          `db:"sku"`
		Type  string          `db:"price_type"`
		Min   decimal.Decimal `db:"min_qty"`
		Price decimal.Decimal `db:"price"`
	}
	must(t, conn.Select(&rows, `SELECT p.sku, b.price_type, b.min_qty, b.price FROM price_breaks b JOIN products p ON p.id = b.product_id
		WHERE p.sku IN ('W', 'F') ORDER BY p.sku, b.price_type, b.min_qty`))
	var got []string
	for _, r := range rows {
		got = append(got, r.SKU+" "+r.Type+" "+r.Min.String()+" "+r.Price.String())
	}
	want := "F retail 0 12|W retail 0 10|W retail 5 9.5|W trade 10 7"
	if strings.Join(got, "|") != want {
		t.Fatalf("stored rows\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	for k, v := range before {
		if after := quote(k[:4], k[4:]).UnitPrice.String(); after != v {
			t.Errorf("%s: %s before the change, %s after", k, v, after)
		}
	}
	if r := quote("BLUE", "1"); r.Source != pricing.SourceSellPrice || r.PriceType != "trade" {
		t.Fatalf("trade customer now priced by the sell price: %+v", r)
	}
}
