package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// variantKit holds a test database and the helpers the feature, variant, option and BOM tests
// share (methods, so they cannot clash with other test files of the package).
type variantKit struct {
	t   *testing.T
	ctx context.Context
	d   *sqlx.DB
}

func newVariantKit(t *testing.T) *variantKit {
	d, _ := dbtest.New(t)
	return &variantKit{t: t, ctx: context.Background(), d: d}
}

func (k *variantKit) tx(fn func(tx *sqlx.Tx) error) error { return db.InTx(k.ctx, k.d, fn) }

func (k *variantKit) dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func (k *variantKit) ok(err error) {
	k.t.Helper()
	if err != nil {
		k.t.Fatalf("unexpected error: %v", err)
	}
}

// product adds a product; a missing name becomes "Product SKU".
func (k *variantKit) product(sku string, ch catalog.Changes) catalog.Product {
	k.t.Helper()
	if ch.Name == nil {
		n := "Product " + sku
		ch.Name = &n
	}
	var p catalog.Product
	k.ok(k.tx(func(tx *sqlx.Tx) (err error) {
		p, err = catalog.Add(k.ctx, tx, sku, ch)
		return err
	}))
	return p
}

// wantFault checks err's kind, field ("" checks nothing) and message parts.
func (k *variantKit) wantFault(err error, kind fault.Kind, field string, parts ...string) {
	k.t.Helper()
	if err == nil {
		k.t.Fatalf("want a %s error, got none", kind)
	}
	if fault.KindOf(err) != kind {
		k.t.Fatalf("want a %s error, got %s: %v", kind, fault.KindOf(err), err)
	}
	if field != "" && fault.FieldOf(err) != field {
		k.t.Fatalf("error names field %q, want %q: %v", fault.FieldOf(err), field, err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			k.t.Fatalf("error %q does not contain %q", err, p)
		}
	}
}

func (k *variantKit) count(query string, args ...any) int {
	k.t.Helper()
	var n int
	k.ok(k.d.GetContext(k.ctx, &n, query, args...))
	return n
}

func (k *variantKit) attribute(sku, name string, values []string, extras map[string]string) ([]catalog.AttributeValue, error) {
	ex := map[string]decimal.Decimal{}
	for v, e := range extras {
		ex[v] = k.dec(e)
	}
	var vs []catalog.AttributeValue
	err := k.tx(func(tx *sqlx.Tx) (err error) {
		vs, err = catalog.AddAttribute(k.ctx, tx, sku, name, values, ex)
		return err
	})
	return vs, err
}

func (k *variantKit) generate(sku string) ([]catalog.Variant, int, error) {
	var vs []catalog.Variant
	var existed int
	err := k.tx(func(tx *sqlx.Tx) (err error) {
		vs, existed, err = catalog.GenerateVariants(k.ctx, tx, sku)
		return err
	})
	return vs, existed, err
}

func kptr[T any](v T) *T { return &v }

func TestValueCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"S": "S", "red": "RED", "Extra large": "EXTRA-LARGE", "  x--l ": "X-L", "Grün": "GRUN",
		"240 V / 50Hz": "240-V-50HZ", "1.5m": "1-5M", "!!": "", "navy_blue": "NAVY-BLUE",
	} {
		if got := catalog.ValueCode(in); got != want {
			t.Errorf("ValueCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAttributes(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	k.product("TEE", catalog.Changes{SellPrice: kptr(k.dec("20"))})

	vs, err := k.attribute("TEE", "Size", []string{"S", " M ", "L"}, map[string]string{"L": "1.50"})
	k.ok(err)
	if len(vs) != 3 || vs[0].Value != "S" || vs[1].Value != "M" || vs[2].Value != "L" || !vs[2].PriceExtra.Equal(k.dec("1.5")) ||
		vs[2].Code != "L" || vs[0].Attribute != "Size" || vs[0].SKU != "TEE" || vs[0].Position != 1 {
		t.Fatalf("new attribute: %+v", vs)
	}
	// Adding values to an existing attribute appends the new ones; extras may be negative and
	// may name existing values; names and values match case-insensitively.
	vs, err = k.attribute("TEE", "size", []string{"m", "XL", "XXL"}, map[string]string{"xl": "2", "s": "-0.50"})
	k.ok(err)
	var got []string
	for _, v := range vs {
		got = append(got, v.Value+":"+v.PriceExtra.String())
	}
	if strings.Join(got, " ") != "S:-0.5 M:0 L:1.5 XL:2 XXL:0" {
		t.Fatalf("appended: %v", got)
	}
	_, err = k.attribute("TEE", "Colour", []string{"Red", "Navy blue"}, nil)
	k.ok(err)
	all, err := catalog.Attributes(k.ctx, k.d, "TEE")
	k.ok(err)
	if len(all) != 7 || all[5].Attribute != "Colour" || all[5].Position != 2 || all[6].Code != "NAVY-BLUE" {
		t.Fatalf("attributes in position order: %+v", all)
	}

	// Refusals, none of which writes anything.
	_, err = k.attribute("TEE", "Size", []string{"XS"}, map[string]string{"XXXL": "3"})
	k.wantFault(err, fault.Invalid, "extra", `"XXXL" is not one of the values of attribute Size`, "S, M, L, XL, XXL, XS")
	_, err = k.attribute("TEE", "Size", []string{"XL+"}, nil)
	k.wantFault(err, fault.Invalid, "values", `"XL" and "XL+" would both give variant SKUs ending in -XL`)
	_, err = k.attribute("TEE", "Colour", []string{"Navy blue", "navy-blue"}, nil)
	k.wantFault(err, fault.Invalid, "values", `"Navy blue" and "navy-blue" would both give variant SKUs ending in -NAVY-BLUE`)
	_, err = k.attribute("TEE", "Size", []string{"!!"}, nil)
	k.wantFault(err, fault.Invalid, "values", "no letters or digits")
	_, err = k.attribute("TEE", "Size", []string{""}, nil)
	k.wantFault(err, fault.Invalid, "values", "cannot be empty")
	_, err = k.attribute("TEE", "Fit", nil, map[string]string{"Slim": "1"})
	k.wantFault(err, fault.Invalid, "values", "new attribute Fit of TEE needs values")
	_, err = k.attribute("TEE", "", []string{"a"}, nil)
	k.wantFault(err, fault.Invalid, "name", "attribute name cannot be empty")
	_, err = k.attribute("NOPE", "Size", []string{"S"}, nil)
	k.wantFault(err, fault.NotFound, "", "product NOPE does not exist")
	_, err = k.attribute("FREIGHT", "Size", []string{"S"}, nil)
	k.wantFault(err, fault.Invalid, "sku", "system product")
	all, err = catalog.Attributes(k.ctx, k.d, "TEE")
	k.ok(err)
	if len(all) != 7 {
		t.Fatalf("a refused add wrote: %+v", all)
	}

	// Once variants exist: no new attribute (the variants would lack it), no attributes on a
	// variant; new values for existing attributes are fine.
	_, _, err = k.generate("TEE")
	k.ok(err)
	_, err = k.attribute("TEE", "Fit", []string{"Slim"}, nil)
	k.wantFault(err, fault.Conflict, "", "TEE already has 10 variants", "add values to its existing attributes")
	_, err = k.attribute("TEE-S-RED", "Fit", []string{"Slim"}, nil)
	k.wantFault(err, fault.Invalid, "sku", "TEE-S-RED is a variant of TEE", "cannot have attributes")
	_, err = k.attribute("TEE", "Colour", []string{"Green"}, nil)
	k.ok(err)
}

func TestGenerateVariants(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	var mfr company.Company
	k.ok(k.tx(func(tx *sqlx.Tx) (err error) {
		mfr, err = company.Add(k.ctx, tx, "ACME", company.Changes{Name: kptr("Acme"), Manufacturer: kptr(true)})
		return err
	}))
	tmpl := k.product("TEE", catalog.Changes{Name: kptr("T-shirt"), Category: kptr("apparel"), CostPrice: kptr(k.dec("4.10")),
		ListPrice: kptr(k.dec("25")), SellPrice: kptr(k.dec("20.00")), Manufacturer: kptr(mfr.Code), BatchTracked: kptr(true),
		Description: kptr("cotton tee"), SalesGL: kptr("4100")})
	var err error
	_, _, err = k.generate("TEE")
	k.wantFault(err, fault.Invalid, "sku", "TEE has no attributes", "product attribute add TEE")

	_, err = k.attribute("TEE", "Size", []string{"S", "M"}, map[string]string{"M": "2.00"})
	k.ok(err)
	_, err = k.attribute("TEE", "Colour", []string{"Red", "Navy blue"}, map[string]string{"Navy blue": "-1.25"})
	k.ok(err)

	vs, existed, err := k.generate("TEE")
	k.ok(err)
	if existed != 0 || len(vs) != 4 {
		t.Fatalf("created %d, existed %d: %+v", len(vs), existed, vs)
	}
	want := []struct{ sku, name, price, values string }{
		{"TEE-S-RED", "T-shirt (S, Red)", "20", "Size=S,Colour=Red"},
		{"TEE-S-NAVY-BLUE", "T-shirt (S, Navy blue)", "18.75", "Size=S,Colour=Navy blue"},
		{"TEE-M-RED", "T-shirt (M, Red)", "22", "Size=M,Colour=Red"},
		{"TEE-M-NAVY-BLUE", "T-shirt (M, Navy blue)", "20.75", "Size=M,Colour=Navy blue"},
	}
	for i, w := range want {
		v := vs[i]
		if v.SKU != w.sku || v.Name != w.name || !v.SellPrice.Equal(k.dec(w.price)) || strings.Join(v.Values, ",") != w.values || v.Template != "TEE" {
			t.Errorf("variant %d: %+v, want %+v", i, v, w)
		}
	}

	// Each variant is a real product made by Add's rules, with the template's fields copied.
	p, err := catalog.Get(k.ctx, k.d, "TEE-M-NAVY-BLUE")
	k.ok(err)
	if p.Template == nil || *p.Template != "TEE" || p.Type != tmpl.Type || p.Category != "apparel" || !p.CostPrice.Equal(k.dec("4.1")) ||
		!p.ListPrice.Equal(k.dec("25")) || !p.SellPrice.Equal(k.dec("20.75")) || p.Manufacturer == nil || *p.Manufacturer != "ACME" ||
		!p.TrackStock || !p.BatchTracked || p.Serialized || p.StockUOM != "ea" || !p.Active {
		t.Fatalf("variant product: %+v", p)
	}
	// Not copied: description; accounting details take the settings' defaults as Add does.
	if p.Description != "" || p.SalesGL != "4000" || p.InventoryGL != "1300" || p.SalesTaxRate == nil {
		t.Fatalf("variant defaults: %+v", p)
	}
	if n := k.count(`SELECT count(*) FROM product_barcodes b JOIN product_variants l ON l.variant_id = b.product_id WHERE l.template_id = $1`, tmpl.ID); n != 0 {
		t.Fatalf("variants have no barcode yet: %d", n)
	}
	if n := k.count(`SELECT count(*) FROM product_variant_values`); n != 8 {
		t.Fatalf("variant values: %d", n)
	}
	d, err := catalog.Describe(k.ctx, k.d, "TEE")
	k.ok(err)
	if len(d.Variants) != 4 || len(d.Attributes) != 2 {
		t.Fatalf("describe: %+v", d)
	}

	// Again: nothing new. A variant is recognised by its values, not its SKU.
	if _, err := k.d.Exec(`UPDATE products SET sku = 'TEE-SMALL-RED' WHERE sku = 'TEE-S-RED'`); err != nil {
		t.Fatal(err)
	}
	vs, existed, err = k.generate("TEE")
	k.ok(err)
	if len(vs) != 0 || existed != 4 || vs == nil {
		t.Fatalf("second run: created %+v, existed %d", vs, existed)
	}

	// New values: only the missing combinations.
	_, err = k.attribute("TEE", "Size", []string{"L"}, map[string]string{"L": "3"})
	k.ok(err)
	vs, existed, err = k.generate("TEE")
	k.ok(err)
	if len(vs) != 2 || existed != 4 || vs[0].SKU != "TEE-L-RED" || vs[1].SKU != "TEE-L-NAVY-BLUE" || !vs[1].SellPrice.Equal(k.dec("21.75")) {
		t.Fatalf("third run: created %+v, existed %d", vs, existed)
	}
	list, err := catalog.Variants(k.ctx, k.d, "TEE")
	k.ok(err)
	var skus []string
	for _, v := range list {
		skus = append(skus, v.SKU)
	}
	if strings.Join(skus, " ") != "TEE-SMALL-RED TEE-S-NAVY-BLUE TEE-M-RED TEE-M-NAVY-BLUE TEE-L-RED TEE-L-NAVY-BLUE" {
		t.Fatalf("variants in value order: %v", skus)
	}
	if strings.Join(list[0].Values, ",") != "Size=S,Colour=Red" {
		t.Fatalf("variant values: %+v", list[0])
	}

	// A derived SKU taken by an unrelated product: an error naming it, nothing written.
	k.product("TEE-XL-RED", catalog.Changes{})
	_, err = k.attribute("TEE", "Size", []string{"XL"}, nil)
	k.ok(err)
	_, _, err = k.generate("TEE")
	k.wantFault(err, fault.Conflict, "", "TEE-XL-RED, which already exists as an unrelated product TEE-XL-RED", "Size=XL, Colour=Red")
	if n := k.count(`SELECT count(*) FROM product_variants WHERE template_id = $1`, tmpl.ID); n != 6 {
		t.Fatalf("a refused generate wrote variants: %d", n)
	}

	// A variant cannot itself be a template; listing from a variant points to the template.
	_, _, err = k.generate("TEE-M-RED")
	k.wantFault(err, fault.Invalid, "sku", "TEE-M-RED is a variant of TEE", "cannot itself be a template")
	_, err = catalog.Variants(k.ctx, k.d, "TEE-M-RED")
	k.wantFault(err, fault.Invalid, "sku", "product variants list TEE")
	_, _, err = k.generate("NOPE")
	k.wantFault(err, fault.NotFound, "", "product NOPE does not exist")
	_, err = catalog.Variants(k.ctx, k.d, "NOPE")
	k.wantFault(err, fault.NotFound, "")
	list, err = catalog.Variants(k.ctx, k.d, "TEE-XL-RED")
	k.ok(err)
	if list == nil || len(list) != 0 {
		t.Fatalf("a product without variants lists none: %#v", list)
	}
}

func TestGenerateVariantRefusals(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	// Negative prices: template 5 with an extra of -6.
	k.product("CAP", catalog.Changes{SellPrice: kptr(k.dec("5"))})
	_, err := k.attribute("CAP", "Size", []string{"Kids", "Adult"}, map[string]string{"Kids": "-6"})
	k.ok(err)
	_, _, err = k.generate("CAP")
	k.wantFault(err, fault.Invalid, "extra", "variant CAP-KIDS of CAP", "is negative")

	// Derived SKUs longer than 64 characters.
	long := strings.Repeat("L", 60)
	k.product(long, catalog.Changes{})
	_, err = k.attribute(long, "Colour", []string{"Green"}, nil)
	k.ok(err)
	_, _, err = k.generate(long)
	k.wantFault(err, fault.Invalid, "sku", "derived SKU "+long+"-GREEN is not a valid SKU")

	// Two combinations that would get the same SKU.
	k.product("MUG", catalog.Changes{})
	_, err = k.attribute("MUG", "A", []string{"X", "X-Y"}, nil)
	k.ok(err)
	_, err = k.attribute("MUG", "B", []string{"Y-Z", "Z"}, nil)
	k.ok(err)
	_, _, err = k.generate("MUG")
	k.wantFault(err, fault.Invalid, "sku", "A=X, B=Y-Z and A=X-Y, B=Z of MUG would both get SKU MUG-X-Y-Z")

	// Inactive and system templates.
	k.product("OLD", catalog.Changes{})
	_, err = k.attribute("OLD", "Size", []string{"S"}, nil)
	k.ok(err)
	k.ok(k.tx(func(tx *sqlx.Tx) error { _, _, err := catalog.SetActive(k.ctx, tx, "OLD", false, false); return err }))
	_, _, err = k.generate("OLD")
	k.wantFault(err, fault.Invalid, "sku", "template OLD is inactive")
	_, _, err = k.generate("DEPOSIT")
	k.wantFault(err, fault.Invalid, "sku", "system product")

	if n := k.count(`SELECT count(*) FROM product_variants`); n != 0 {
		t.Fatalf("refused generates wrote %d variants", n)
	}

	// A template's own pack unit as purchase unit: the variant buys in its stock unit.
	k.product("SOCK", catalog.Changes{})
	k.ok(k.tx(func(tx *sqlx.Tx) error {
		if _, err := catalog.AddPack(k.ctx, tx, "SOCK", "bundle", k.dec("3")); err != nil {
			return err
		}
		_, err := catalog.Edit(k.ctx, tx, "SOCK", catalog.Changes{PurchaseUOM: kptr("bundle"), SalesUOM: kptr("pair")})
		return err
	}))
	_, err = k.attribute("SOCK", "Size", []string{"39-42"}, nil)
	k.ok(err)
	vs, _, err := k.generate("SOCK")
	k.ok(err)
	p, err := catalog.Get(k.ctx, k.d, vs[0].SKU)
	k.ok(err)
	if vs[0].SKU != "SOCK-39-42" || p.PurchaseUOM != "ea" || p.SalesUOM != "pair" {
		t.Fatalf("pack units: %+v", p)
	}
}

// Four generates at once on the same template: each combination exists exactly once.
func TestGenerateVariantsConcurrently(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	tmpl := k.product("POLO", catalog.Changes{SellPrice: kptr(k.dec("30"))})
	_, err := k.attribute("POLO", "Size", []string{"S", "M", "L"}, nil)
	k.ok(err)
	_, err = k.attribute("POLO", "Colour", []string{"Red", "Blue", "White"}, nil)
	k.ok(err)

	for round := 0; round < 3; round++ {
		if round > 0 { // more values each round, so every round has work to race for
			_, err = k.attribute("POLO", "Size", []string{fmt.Sprintf("X%d", round)}, nil)
			k.ok(err)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		created := make([]int, 4)
		errs := make([]error, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = db.InTx(k.ctx, k.d, func(tx *sqlx.Tx) error {
					vs, _, err := catalog.GenerateVariants(k.ctx, tx, "POLO")
					created[i] = len(vs)
					return err
				})
			}()
		}
		close(start)
		wg.Wait()
		total := 0
		for i := range 4 {
			k.ok(errs[i])
			total += created[i]
		}
		want := 9
		if round > 0 {
			want = 3
		}
		if total != want {
			t.Fatalf("round %d: %d variants created in all, want %d (%v)", round, total, want, created)
		}
	}
	// Every combination exactly once: 5 sizes × 3 colours, no duplicate value sets.
	if n := k.count(`SELECT count(*) FROM product_variants WHERE template_id = $1`, tmpl.ID); n != 15 {
		t.Fatalf("variants: %d, want 15", n)
	}
	if n := k.count(`SELECT count(DISTINCT vals) FROM (SELECT array_agg(value_id ORDER BY value_id) AS vals
		FROM product_variant_values v JOIN product_variants l ON l.variant_id = v.variant_id WHERE l.template_id = $1 GROUP BY v.variant_id) x`, tmpl.ID); n != 15 {
		t.Fatalf("distinct combinations: %d, want 15", n)
	}
}

// variantPrices reads a template's variants as SKU -> "sell price own|follows".
func (k *variantKit) variantPrices(template string) map[string]string {
	k.t.Helper()
	vs, err := catalog.Variants(k.ctx, k.d, template)
	k.ok(err)
	out := map[string]string{}
	for _, v := range vs {
		how := "follows"
		if v.OwnPrice {
			how = "own"
		}
		out[v.SKU] = v.SellPrice.StringFixed(2) + " " + how
	}
	return out
}

func (k *variantKit) wantPrices(template string, want map[string]string) {
	k.t.Helper()
	got := k.variantPrices(template)
	for sku, w := range want {
		if got[sku] != w {
			k.t.Fatalf("%s: %q, want %q (all: %v)", sku, got[sku], w, got)
		}
	}
}

// A variant's sell price follows its template: template sell price + its extras, whatever
// changes either, until the variant's own price is set; Follow puts it back.
func TestVariantFollowsTemplatePrice(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	k.product("DESK", catalog.Changes{SellPrice: kptr(k.dec("100.00"))})
	_, err := k.attribute("DESK", "Top", []string{"Pine", "Oak"}, map[string]string{"Oak": "15.00"})
	k.ok(err)
	_, _, err = k.generate("DESK")
	k.ok(err)
	// Generated: PINE 100.00 + 0 = 100.00; OAK 100.00 + 15.00 = 115.00; both follow.
	k.wantPrices("DESK", map[string]string{"DESK-PINE": "100.00 follows", "DESK-OAK": "115.00 follows"})

	// The template's price moves to 120.00: PINE 120.00 + 0 = 120.00, OAK 120.00 + 15.00 = 135.00.
	k.ok(k.tx(func(tx *sqlx.Tx) error {
		_, err := catalog.Edit(k.ctx, tx, "DESK", catalog.Changes{SellPrice: kptr(k.dec("120.00"))})
		return err
	}))
	k.wantPrices("DESK", map[string]string{"DESK-PINE": "120.00 follows", "DESK-OAK": "135.00 follows"})

	// Oak's extra becomes 20.00: OAK 120.00 + 20.00 = 140.00; PINE unchanged at 120.00.
	_, err = k.attribute("DESK", "Top", nil, map[string]string{"Oak": "20.00"})
	k.ok(err)
	k.wantPrices("DESK", map[string]string{"DESK-PINE": "120.00 follows", "DESK-OAK": "140.00 follows"})

	// PINE's own price 99.00: it keeps it when the template moves to 130.00; OAK follows to
	// 130.00 + 20.00 = 150.00.
	k.ok(k.tx(func(tx *sqlx.Tx) error {
		_, err := catalog.Edit(k.ctx, tx, "DESK-PINE", catalog.Changes{SellPrice: kptr(k.dec("99.00"))})
		return err
	}))
	k.ok(k.tx(func(tx *sqlx.Tx) error {
		_, err := catalog.Edit(k.ctx, tx, "DESK", catalog.Changes{SellPrice: kptr(k.dec("130.00"))})
		return err
	}))
	k.wantPrices("DESK", map[string]string{"DESK-PINE": "99.00 own", "DESK-OAK": "150.00 follows"})

	// Follow puts PINE back: 130.00 + 0 = 130.00.
	var vs []catalog.Variant
	k.ok(k.tx(func(tx *sqlx.Tx) (err error) {
		vs, err = catalog.Follow(k.ctx, tx, []string{"DESK-PINE"})
		return err
	}))
	if len(vs) != 1 || vs[0].SKU != "DESK-PINE" || !vs[0].SellPrice.Equal(k.dec("130")) || vs[0].OwnPrice {
		t.Fatalf("follow: %+v", vs)
	}
	k.wantPrices("DESK", map[string]string{"DESK-PINE": "130.00 follows", "DESK-OAK": "150.00 follows"})

	// An extra that would make a following variant negative is refused, nothing changed:
	// PINE 130.00 + (-140.00) = -10.00.
	_, err = k.attribute("DESK", "Top", nil, map[string]string{"Pine": "-140.00"})
	k.wantFault(err, fault.Invalid, "", "variant DESK-PINE of DESK", "= -10.00 is negative")
	k.wantPrices("DESK", map[string]string{"DESK-PINE": "130.00 follows", "DESK-OAK": "150.00 follows"})

	// One statement (as an import's merge) changes the template to 200.00 and OAK to 777.00:
	// OAK keeps 777.00 as its own price, PINE follows to 200.00 + 0 = 200.00.
	_, err = k.d.ExecContext(k.ctx, `UPDATE products SET sell_price = CASE sku WHEN 'DESK' THEN 200.00 ELSE 777.00 END
		WHERE sku IN ('DESK', 'DESK-OAK')`)
	k.ok(err)
	k.wantPrices("DESK", map[string]string{"DESK-PINE": "200.00 follows", "DESK-OAK": "777.00 own"})

	// Only variants follow.
	err = k.tx(func(tx *sqlx.Tx) error { _, err := catalog.Follow(k.ctx, tx, []string{"DESK"}); return err })
	k.wantFault(err, fault.Invalid, "sku", "DESK is not a variant")
}

// A template with variants is refused where it would be stocked or sold, naming them.
func TestRefuseTemplate(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	desk := k.product("DESK", catalog.Changes{SellPrice: kptr(k.dec("100.00"))})
	k.ok(catalog.RefuseTemplate(k.ctx, k.d, "sku", desk)) // no variants yet: an ordinary product
	_, err := k.attribute("DESK", "Top", []string{"Pine", "Oak"}, nil)
	k.ok(err)
	_, _, err = k.generate("DESK")
	k.ok(err)
	err = catalog.RefuseTemplate(k.ctx, k.d, "sku", desk)
	k.wantFault(err, fault.Invalid, "sku",
		"DESK is a template with variants: stock and sell its variants (DESK-OAK, DESK-PINE; see stockctl product variants list DESK)")
	var te *catalog.TemplateError
	if !errors.As(err, &te) || te.Count != 2 {
		t.Fatalf("want a TemplateError of 2 variants: %#v", err)
	}
}

// Migration 00025 gives variants made before it their own prices (nothing changes under
// existing users), and goes down and up cleanly.
func TestVariantRulesMigrationKeepsPrices(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	k.product("DESK", catalog.Changes{SellPrice: kptr(k.dec("100.00"))})
	_, err := k.attribute("DESK", "Top", []string{"Pine", "Oak"}, map[string]string{"Oak": "15.00"})
	k.ok(err)
	_, _, err = k.generate("DESK")
	k.ok(err)
	p, err := goose.NewProvider(goose.DialectPostgres, k.d.DB, os.DirFS("../../db/migrations"),
		goose.WithTableName("stockctl_schema_version"), goose.WithDisableGlobalRegistry(true))
	k.ok(err)
	_, err = p.DownTo(k.ctx, 24)
	k.ok(err)
	_, err = p.Up(k.ctx)
	k.ok(err)
	// As generated (100.00 and 100.00 + 15.00 = 115.00), now their own.
	k.wantPrices("DESK", map[string]string{"DESK-PINE": "100.00 own", "DESK-OAK": "115.00 own"})
	k.ok(k.tx(func(tx *sqlx.Tx) error {
		_, err := catalog.Edit(k.ctx, tx, "DESK", catalog.Changes{SellPrice: kptr(k.dec("120.00"))})
		return err
	}))
	k.wantPrices("DESK", map[string]string{"DESK-PINE": "100.00 own", "DESK-OAK": "115.00 own"})
}
