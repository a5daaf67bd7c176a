package catalog_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// The helpers here carry a bc prefix so this file stands on its own next to the other
// catalogue tests.

func bcProduct(t *testing.T, d *sqlx.DB, sku string, ch catalog.Changes) catalog.Product {
	t.Helper()
	if ch.Name == nil {
		name := "Product " + sku
		ch.Name = &name
	}
	p, err := catalog.Add(context.Background(), d, sku, ch)
	if err != nil {
		t.Fatalf("add %s: %v", sku, err)
	}
	return p
}

func bcWant(t *testing.T, err error, k fault.Kind, contains ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %v error, got none", k)
	}
	if fault.KindOf(err) != k {
		t.Fatalf("want a %v error, got %v: %v", k, fault.KindOf(err), err)
	}
	for _, c := range contains {
		if !strings.Contains(err.Error(), c) {
			t.Fatalf("error %q does not say %q", err, c)
		}
	}
}

func bcDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestBarcodeKindsInferred(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	bcProduct(t, d, "DRILL", catalog.Changes{})
	for _, tc := range []struct{ code, sym string }{
		{"4006381333931", "ean13"},
		{"036000291452", "upca"},
		{"96385074", "ean8"},
		{"10012345678902", "gtin14"},
		{"INT-0042/b", "code128"},
		{" 5901234123457 ", "ean13"}, // scanners and spreadsheets add spaces
	} {
		b, err := catalog.AddBarcode(ctx, d, "DRILL", tc.code, "", "")
		if err != nil {
			t.Fatalf("%s: %v", tc.code, err)
		}
		if b.Symbology != tc.sym || b.Code != strings.TrimSpace(tc.code) || b.SKU != "DRILL" || b.Pack != nil || b.PackQty != nil {
			t.Fatalf("%s: got %+v, want symbology %s", tc.code, b, tc.sym)
		}
	}
	// An all-digit internal number without a GS1 check digit is Code 128 when said so.
	b, err := catalog.AddBarcode(ctx, d, "DRILL", "4006381333932", "Code 128", "")
	if err != nil || b.Symbology != "code128" {
		t.Fatalf("explicit code128: %+v %v", b, err)
	}
	bs, err := catalog.Barcodes(ctx, d, "DRILL")
	if err != nil || len(bs) != 7 || bs[0].Code != "4006381333931" || bs[6].Code != "4006381333932" {
		t.Fatalf("barcodes in the order added: %+v %v", bs, err)
	}
}

func TestBarcodeRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	bcProduct(t, d, "DRILL", catalog.Changes{})
	bcProduct(t, d, "SAW", catalog.Changes{})

	_, err := catalog.AddBarcode(ctx, d, "DRILL", "4006381333932", "", "")
	bcWant(t, err, fault.Invalid, "EAN-13 check digit should be 1, not 2")
	_, err = catalog.AddBarcode(ctx, d, "DRILL", "036000291453", "", "")
	bcWant(t, err, fault.Invalid, "UPC-A check digit should be 2")
	_, err = catalog.AddBarcode(ctx, d, "DRILL", "96385075", "", "")
	bcWant(t, err, fault.Invalid, "EAN-8 check digit should be 4")
	_, err = catalog.AddBarcode(ctx, d, "DRILL", "10012345678903", "", "")
	bcWant(t, err, fault.Invalid, "GTIN-14 check digit should be 2")
	_, err = catalog.AddBarcode(ctx, d, "DRILL", "ABC", "ean13", "")
	bcWant(t, err, fault.Invalid, "digits only")
	_, err = catalog.AddBarcode(ctx, d, "DRILL", "4006381333931", "qr", "")
	bcWant(t, err, fault.Invalid, `unknown symbology "qr"`)
	_, err = catalog.AddBarcode(ctx, d, "DRILL", "4006381333931", "", "box")
	bcWant(t, err, fault.NotFound, "has no pack unit box")
	_, err = catalog.AddBarcode(ctx, d, "NOPE", "4006381333931", "", "")
	bcWant(t, err, fault.NotFound, "product NOPE does not exist")

	if _, err := catalog.AddBarcode(ctx, d, "DRILL", "4006381333931", "", ""); err != nil {
		t.Fatal(err)
	}
	_, err = catalog.AddBarcode(ctx, d, "DRILL", "4006381333931", "", "")
	bcWant(t, err, fault.Conflict, "already on DRILL")
	_, err = catalog.AddBarcode(ctx, d, "SAW", "4006381333931", "", "")
	bcWant(t, err, fault.Conflict, "already belongs to product DRILL")

	// Deactivating the owner keeps the barcode reserved.
	if _, _, err := catalog.SetActive(ctx, d, "DRILL", false, false); err != nil {
		t.Fatal(err)
	}
	_, err = catalog.AddBarcode(ctx, d, "SAW", "4006381333931", "", "")
	bcWant(t, err, fault.Conflict, "already belongs to product DRILL", "inactive")

	// Removing frees it.
	bcWant(t, catalog.RemoveBarcode(ctx, d, "SAW", "4006381333931"), fault.NotFound, "it is on product DRILL")
	if err := catalog.RemoveBarcode(ctx, d, "DRILL", "4006381333931"); err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.AddBarcode(ctx, d, "SAW", "4006381333931", "", ""); err != nil {
		t.Fatalf("a removed barcode is free again: %v", err)
	}
}

func TestBarcodeOnPack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	bcProduct(t, d, "DRILL", catalog.Changes{})
	k, err := catalog.AddPack(ctx, d, "DRILL", "box", bcDec("12"))
	if err != nil || k.Code != "box" || !k.Qty.Equal(bcDec("12")) || k.StockUOM != "ea" {
		t.Fatalf("add pack: %+v %v", k, err)
	}
	b, err := catalog.AddBarcode(ctx, d, "DRILL", "14006381333938", "", "box")
	if err != nil {
		t.Fatal(err)
	}
	if b.Symbology != "gtin14" || b.Pack == nil || *b.Pack != "box" || b.PackQty == nil || !b.PackQty.Equal(bcDec("12")) {
		t.Fatalf("pack barcode: %+v", b)
	}
	bs, err := catalog.Barcodes(ctx, d, "DRILL")
	if err != nil || len(bs) != 1 || bs[0].Pack == nil || *bs[0].Pack != "box" {
		t.Fatalf("listed with its pack: %+v %v", bs, err)
	}
}

func TestPacksAndToStock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	drill := bcProduct(t, d, "DRILL", catalog.Changes{})
	kg := "kg"
	flour := bcProduct(t, d, "FLOUR", catalog.Changes{StockUOM: &kg})

	if _, err := catalog.AddPack(ctx, d, "DRILL", "box", bcDec("12")); err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.AddPack(ctx, d, "FLOUR", "sack", bcDec("25")); err != nil {
		t.Fatal(err)
	}
	_, err := catalog.AddPack(ctx, d, "DRILL", "box", bcDec("6"))
	bcWant(t, err, fault.Conflict, "already has a pack unit box")
	_, err = catalog.AddPack(ctx, d, "DRILL", "dozen", bcDec("12"))
	bcWant(t, err, fault.Invalid, "dozen is already a unit of measure")
	_, err = catalog.AddPack(ctx, d, "DRILL", "kg", bcDec("1"))
	bcWant(t, err, fault.Invalid, "already a unit of measure")
	_, err = catalog.AddPack(ctx, d, "DRILL", "crate", bcDec("0"))
	bcWant(t, err, fault.Invalid, "more than 0")
	_, err = catalog.AddPack(ctx, d, "DRILL", "crate", bcDec("1.5"))
	bcWant(t, err, fault.Invalid, "more decimals")
	_, err = catalog.AddPack(ctx, d, "DRILL", "6pack", bcDec("6"))
	bcWant(t, err, fault.Invalid, `pack unit "6pack"`)
	ks, err := catalog.Packs(ctx, d, "DRILL")
	if err != nil || len(ks) != 1 {
		t.Fatalf("refused packs left nothing: %+v %v", ks, err)
	}

	for _, tc := range []struct {
		p         catalog.Product
		qty, unit string
		want      string
	}{
		{drill, "2", "box", "24"},
		{drill, "1", "dozen", "12"},
		{drill, "3", "", "3"},
		{drill, "5", "ea", "5"},
		{flour, "500", "g", "0.5"},
		{flour, "1234", "g", "1.234"},
		{flour, "2", "sack", "50"},
		{flour, "1", "lb", "0.454"},
	} {
		got, err := catalog.ToStock(ctx, d, tc.p, bcDec(tc.qty), tc.unit)
		if err != nil || !got.Equal(bcDec(tc.want)) {
			t.Errorf("%s: %s %s = %s (%v), want %s %s", tc.p.SKU, tc.qty, tc.unit, got, err, tc.want, tc.p.StockUOM)
		}
	}
	_, err = catalog.ToStock(ctx, d, flour, bcDec("2"), "ea")
	bcWant(t, err, fault.Invalid, "different categories")
	_, err = catalog.ToStock(ctx, d, drill, bcDec("2"), "kg")
	bcWant(t, err, fault.Invalid, "different categories")
	_, err = catalog.ToStock(ctx, d, drill, bcDec("2"), "sack") // FLOUR's pack, not DRILL's
	bcWant(t, err, fault.NotFound, `unknown unit "sack" for DRILL`)
}

func TestLookup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	mpn := "2607001234"
	bcProduct(t, d, "DRILL", catalog.Changes{MfrPartNo: &mpn})
	mpn2 := "GSR-18"
	bcProduct(t, d, "DRILL-KIT", catalog.Changes{MfrPartNo: &mpn2})
	bcProduct(t, d, "DRILL-BARE", catalog.Changes{MfrPartNo: &mpn2})
	if _, err := catalog.AddPack(ctx, d, "DRILL", "box", bcDec("12")); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"4006381333931", "14006381333938"} {
		pack := ""
		if strings.HasPrefix(code, "1") {
			pack = "box"
		}
		if _, err := catalog.AddBarcode(ctx, d, "DRILL", code, "", pack); err != nil {
			t.Fatal(err)
		}
	}

	check := func(code, sku, by string, pack *string, qty string) catalog.Match {
		t.Helper()
		m, err := catalog.Lookup(ctx, d, code)
		if err != nil {
			t.Fatalf("lookup %s: %v", code, err)
		}
		if m.SKU != sku || m.MatchedBy != by || m.Code != strings.TrimSpace(code) || !m.Qty.Equal(bcDec(qty)) || m.StockUOM != "ea" ||
			(pack == nil) != (m.Pack == nil) || (pack != nil && *pack != *m.Pack) {
			t.Fatalf("lookup %s: %+v", code, m)
		}
		return m
	}
	box := "box"
	m := check("4006381333931", "DRILL", "barcode", nil, "1")
	if m.Name != "Product DRILL" || !m.Active {
		t.Fatalf("match carries name and active: %+v", m)
	}
	check("14006381333938", "DRILL", "barcode", &box, "12")
	check(" 14006381333938\n", "DRILL", "barcode", &box, "12")
	check("DRILL", "DRILL", "sku", nil, "1")
	check("2607001234", "DRILL", "manufacturer part number", nil, "1")

	// A part number shared by two products is ambiguous and names both.
	_, err := catalog.Lookup(ctx, d, "GSR-18")
	bcWant(t, err, fault.Conflict, "2 products", "DRILL-BARE", "DRILL-KIT", "barcode or SKU")

	// The same code as a barcode of one product and the SKU or part number of others: the
	// barcode wins, then the SKU.
	bcProduct(t, d, "5901234123457", catalog.Changes{MfrPartNo: &mpn2})
	check("5901234123457", "5901234123457", "sku", nil, "1")
	if _, err := catalog.AddBarcode(ctx, d, "DRILL-KIT", "5901234123457", "", ""); err != nil {
		t.Fatal(err)
	}
	check("5901234123457", "DRILL-KIT", "barcode", nil, "1")
	if _, err := catalog.AddBarcode(ctx, d, "DRILL-BARE", "GSR-18", "", ""); err != nil {
		t.Fatal(err)
	}
	check("GSR-18", "DRILL-BARE", "barcode", nil, "1")
	mpn3 := "DRILL"
	bcProduct(t, d, "OTHER", catalog.Changes{MfrPartNo: &mpn3})
	check("DRILL", "DRILL", "sku", nil, "1")

	// Inactive products are still found; Active says so.
	if _, _, err := catalog.SetActive(ctx, d, "DRILL", false, false); err != nil {
		t.Fatal(err)
	}
	if m := check("4006381333931", "DRILL", "barcode", nil, "1"); m.Active {
		t.Fatalf("inactive product reported active: %+v", m)
	}

	_, err = catalog.Lookup(ctx, d, "0000000000000")
	bcWant(t, err, fault.NotFound, `"0000000000000"`, "product list --all --search")
	_, err = catalog.Lookup(ctx, d, "drill")
	bcWant(t, err, fault.NotFound, "case included")
	_, err = catalog.Lookup(ctx, d, "  ")
	bcWant(t, err, fault.Invalid)
}

// The lookup is one indexed query: PostgreSQL pushes code = $1 into every branch of the
// product_codes view, so no branch scans its table.
func TestLookupUsesIndexes(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	for i := range 50 {
		bcProduct(t, d, "P"+decimal.NewFromInt(int64(i)).String(), catalog.Changes{})
	}
	conn, err := d.Connx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	var plan []string
	if err := conn.SelectContext(context.Background(), &plan, `EXPLAIN SELECT * FROM product_codes WHERE code = 'X'`); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if strings.Contains(text, "Seq Scan") || strings.Count(text, "Index") < 3 {
		t.Fatalf("product_codes lookup is not indexed:\n%s", text)
	}
}

// Eight transactions race to put the same barcode on eight products: exactly one wins, the
// others get a conflict naming the winner, never a raw driver error.
func TestBarcodeRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	const n = 8
	for i := range n {
		bcProduct(t, d, "RACE-"+decimal.NewFromInt(int64(i)).String(), catalog.Changes{})
	}
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = db.InTx(ctx, d, func(tx *sqlx.Tx) error {
				_, err := catalog.AddBarcode(ctx, tx, "RACE-"+decimal.NewFromInt(int64(i)).String(), "4006381333931", "", "")
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case fault.KindOf(err) == fault.Conflict:
			if !strings.Contains(err.Error(), "4006381333931") || !strings.Contains(err.Error(), "RACE-") {
				t.Errorf("goroutine %d: conflict does not name the code and the owner: %v", i, err)
			}
		default:
			t.Errorf("goroutine %d: want a conflict, got %v: %v", i, fault.KindOf(err), err)
		}
	}
	if won != 1 {
		t.Fatalf("%d transactions added the barcode, want exactly 1: %v", won, errs)
	}
	var rows int
	if err := d.Get(&rows, `SELECT count(*) FROM product_barcodes WHERE code = '4006381333931'`); err != nil || rows != 1 {
		t.Fatalf("product_barcodes has %d rows for the code (%v), want 1", rows, err)
	}
}

// The label's code: the one asked for, else the first barcode added, else the SKU.
func TestLabelCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	bcProduct(t, d, "DRILL", catalog.Changes{})
	l, err := catalog.Label(ctx, d, "DRILL", nil)
	if err != nil || l.Code != "DRILL" || l.Symbology != "code128" || l.SKU != "DRILL" || l.Name != "Product DRILL" {
		t.Fatalf("no barcode: %+v, %v", l, err)
	}
	for _, code := range []string{"4006381333931", "96385074"} {
		if _, err := catalog.AddBarcode(ctx, d, "DRILL", code, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if l, err = catalog.Label(ctx, d, "DRILL", nil); err != nil || l.Code != "4006381333931" || l.Symbology != "ean13" {
		t.Fatalf("first barcode: %+v, %v", l, err)
	}
	asked := " 96385074 " // normalised as a scanner's
	if l, err = catalog.Label(ctx, d, "DRILL", &asked); err != nil || l.Code != "96385074" || l.Symbology != "ean8" {
		t.Fatalf("asked for: %+v, %v", l, err)
	}
	other := "036000291452"
	_, err = catalog.Label(ctx, d, "DRILL", &other)
	bcWant(t, err, fault.Invalid, "--barcode 036000291452 is not a barcode of DRILL (its barcodes are 4006381333931, 96385074)")
	if fault.FieldOf(err) != "barcode" {
		t.Fatalf("field %q", fault.FieldOf(err))
	}
	long := strings.Repeat("L", 64)
	bcProduct(t, d, long, catalog.Changes{})
	_, err = catalog.Label(ctx, d, long, nil)
	bcWant(t, err, fault.Invalid, "has no barcode and its SKU is 64 characters")
}
