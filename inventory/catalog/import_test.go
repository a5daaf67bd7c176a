package catalog_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/io/csvio"
)

// importCSV imports text (rolled back when dry) and returns the result and the rejects.
func importCSV(t *testing.T, d *sqlx.DB, text string, skip, dry bool) (csvio.Result, []csvio.Rejected, error) {
	t.Helper()
	ctx := context.Background()
	r, err := csvio.NewReader(strings.NewReader(text), catalog.CSVColumns, catalog.CSVRequired, csvio.Options{})
	if err != nil {
		t.Fatalf("reading the header: %v", err)
	}
	var res csvio.Result
	var rejects []csvio.Rejected
	err = db.InBulk(ctx, d, dry, func(b *db.Bulk) error {
		var err error
		res, err = catalog.ImportProducts(ctx, b, r, csvio.ImportOptions{SkipInvalid: skip,
			Rejects: func(rj csvio.Rejected) error { rejects = append(rejects, rj); return nil }})
		return err
	})
	return res, rejects, err
}

func export(t *testing.T, d *sqlx.DB, f catalog.Filter) string {
	t.Helper()
	var buf bytes.Buffer
	ctx := context.Background()
	if err := db.InBulk(ctx, d, true, func(b *db.Bulk) error {
		_, err := catalog.ExportProducts(ctx, b, f, &buf)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func wantResult(t *testing.T, got csvio.Result, created, updated, unchanged, rejected int64) {
	t.Helper()
	want := csvio.Result{Created: created, Updated: updated, Unchanged: unchanged, Rejected: rejected}
	if got != want {
		t.Fatalf("import result %+v, want %+v", got, want)
	}
}

const products = `sku,name,type,cost_price,sell_price,category,manufacturer,barcodes,features,serialized
DRILL,Cordless drill,stock,45.50,89.99,Tools,ACME,4006381333931,Voltage=18 V|Colour=Blue,false
GLOVE,Work gloves,,2.125,,Safety,,,,
=SUM,Formula name guard,service,,,,,,,
`

func TestImportCreatesUpdatesAndReimportsNothing(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	if _, err := company.Add(ctx, d, "ACME", company.Changes{Name: s("Acme"), Manufacturer: b(true)}); err != nil {
		t.Fatal(err)
	}
	// "=SUM" is not a valid SKU: one reject, and without --skip-invalid nothing is written.
	res, rejects, err := importCSV(t, d, products, false, false)
	if !errors.Is(err, csvio.ErrRowsInvalid) || res.Rejected != 1 || len(rejects) != 1 || rejects[0].Row != 4 ||
		rejects[0].Errors[0].Column != "sku" {
		t.Fatalf("want the =SUM row rejected: %v %+v %+v", err, res, rejects)
	}
	if n := countProducts(t, d); n != 0 {
		t.Fatalf("%d products written by a refused import", n)
	}
	text := strings.Replace(products, "=SUM,Formula name guard", "SUM,=1+2 formula-looking name", 1)
	res, _, err = importCSV(t, d, text, false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 3, 0, 0, 0)

	p, err := catalog.Get(ctx, d, "DRILL")
	if err != nil {
		t.Fatal(err)
	}
	if p.CostPrice.String() != "45.5" || p.SellPrice.String() != "89.99" || p.Manufacturer == nil || *p.Manufacturer != "ACME" ||
		!p.TrackStock || p.StockUOM != "ea" || p.SalesGL != "4000" || p.SalesTaxRate == nil {
		t.Fatalf("DRILL as imported: %+v", p)
	}
	g, _ := catalog.Get(ctx, d, "GLOVE")
	if g.Type != "stock" || g.CostPrice.String() != "2.125" || !g.Purchasable {
		t.Fatalf("GLOVE defaults: %+v", g)
	}
	svc, _ := catalog.Get(ctx, d, "SUM")
	if svc.TrackStock || svc.Name != "=1+2 formula-looking name" {
		t.Fatalf("service: %+v", svc)
	}

	// The same file again, and an export of what is there: nothing changes.
	res, _, err = importCSV(t, d, text, false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 0, 0, 3, 0)
	exported := export(t, d, catalog.Filter{Status: "all"})
	if !strings.Contains(exported, "'=1+2 formula-looking name") || !strings.Contains(exported, "4006381333931") ||
		!strings.Contains(exported, "Colour=Blue|Voltage=18 V") || strings.Contains(exported, "FREIGHT") {
		t.Fatalf("export:\n%s", exported)
	}
	if !strings.HasPrefix(exported, strings.Join(catalog.CSVColumns, ",")+"\n") {
		t.Fatalf("export header: %q", strings.SplitN(exported, "\n", 2)[0])
	}
	res, _, err = importCSV(t, d, exported, false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 0, 0, 3, 0)
	if again := export(t, d, catalog.Filter{Status: "all"}); again != exported {
		t.Fatalf("export after re-import differs:\n%s\n---\n%s", exported, again)
	}

	// Only the columns given change; empty cells leave fields alone; a new barcode and a
	// changed feature count as an update.
	res, _, err = importCSV(t, d, "SKU;Cost Price;Barcodes;features\nDRILL;46;;Voltage=20 V\nGLOVE;;96385074;\n", false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 0, 2, 0, 0)
	p, _ = catalog.Get(ctx, d, "DRILL")
	if p.CostPrice.String() != "46" || p.SellPrice.String() != "89.99" || p.Name != "Cordless drill" {
		t.Fatalf("DRILL after a cost-only import: %+v", p)
	}
	if got, err := catalog.Lookup(ctx, d, "96385074"); err != nil || got.SKU != "GLOVE" {
		t.Fatalf("new barcode: %v %v", got, err)
	}

	// Dry run: the counts, nothing written.
	res, _, err = importCSV(t, d, "sku,name\nNEW1,New one\nDRILL,Renamed drill\n", false, true)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 1, 1, 0, 0)
	if _, err := catalog.Get(ctx, d, "NEW1"); err == nil {
		t.Fatal("dry run wrote NEW1")
	}
}

func countProducts(t *testing.T, d *sqlx.DB) int {
	t.Helper()
	var n int
	if err := d.Get(&n, `SELECT count(*) FROM products WHERE type <> 'system'`); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every kind of bad row is reported with its row, column and reason, all of them at once.
func TestImportValidation(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	if _, err := company.Add(ctx, d, "SUPP", company.Changes{Name: s("Supplier"), Supplier: b(true)}); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, d, "HAS-STOCK", catalog.Changes{})
	mustAdd(t, d, "OWNER", catalog.Changes{})
	if _, err := catalog.AddBarcode(ctx, d, "OWNER", "4006381333931", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := stock.AddLocation(ctx, d, "A", "A", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := stock.Adjust(ctx, d, []stock.Adjustment{{SKU: "HAS-STOCK", Location: "A", Qty: *dec("5")}}, ""); err != nil {
		t.Fatal(err)
	}
	text := `sku,name,type,cost_price,stock_uom,purchase_uom,manufacturer,barcodes,track_stock,serialized,batch_tracked,sales_tax_rate,active
OK1,Fine,,1,,,,,,,,,
,No SKU,,,,,,,,,,,
BAD-NUM,Bad number,,abc,,,,,,,,,
DUP,First,,,,,,,,,,,
DUP,Second,,,,,,,,,,,
UNIT,Unknown unit,,,furlong,,,,,,,,
CAT,Wrong category,,,ea,kg,,,,,,,
MFR,Not a manufacturer,,,,,SUPP,,,,,,
GTIN,Bad check digit,,,,,,4006381333932,,,,,
TAKEN,Barcode of another,,,,,,4006381333931,,,,,
SVC,Tracked service,service,,,,,,true,,,,
BOTH,Serials and batches,,,,,,,,true,true,,
TAX,Tax too high,,,,,,,,,,101,
HAS-STOCK,,,,,,,,false,,,,false
NEWNAME,,,,,,,,,,,,
`
	res, rejects, err := importCSV(t, d, text, false, false)
	if !errors.Is(err, csvio.ErrRowsInvalid) {
		t.Fatalf("want ErrRowsInvalid, got %v", err)
	}
	got := map[int][]string{}
	for _, rj := range rejects {
		for _, e := range rj.Errors {
			got[rj.Row] = append(got[rj.Row], e.Column+": "+e.Reason)
		}
	}
	want := map[int]string{
		3:  "sku: the SKU is missing",
		4:  "cost_price: not a number",
		6:  "sku: the same SKU is on row 5 too",
		7:  "stock_uom: unknown unit",
		8:  "purchase_uom: a weight unit, but the stock unit ea is count",
		9:  "manufacturer: company SUPP is not a manufacturer",
		10: "barcodes:",
		11: "barcodes: barcode already belongs to product OWNER",
		12: "track_stock: only stock products are stock-tracked",
		13: "serialized: choose serial numbers or batches, not both",
		14: "sales_tax_rate: a percentage from 0 to 100",
		15: "track_stock: cannot stop tracking stock: it has 5 on hand",
		16: "name: a new product needs a name",
	}
	for row, w := range want {
		found := false
		for _, g := range got[row] {
			if strings.Contains(g, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("row %d: want %q among %q", row, w, got[row])
		}
	}
	if got[15] == nil || !strings.Contains(strings.Join(got[15], "|"), "active: the product has 5 on hand") {
		t.Errorf("row 15 should also refuse deactivating: %q", got[15])
	}
	if len(got[2]) != 0 || len(got[5]) != 0 {
		t.Errorf("rows 2 and 5 are fine: %q %q", got[2], got[5])
	}
	if res.Rejected != int64(len(want)) {
		t.Errorf("rejected %d, want %d", res.Rejected, len(want))
	}
	if n := countProducts(t, d); n != 2 {
		t.Fatalf("%d products: a refused import wrote something", n)
	}

	// --skip-invalid: the good rows are written, the rest reported.
	res, rejects, err = importCSV(t, d, text, true, false)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 2, 0, 0, int64(len(want)))
	if len(rejects) != len(want) {
		t.Fatalf("%d rejects", len(rejects))
	}
	for _, sku := range []string{"OK1", "DUP"} {
		if _, err := catalog.Get(ctx, d, sku); err != nil {
			t.Errorf("%s not imported: %v", sku, err)
		}
	}
	if p, _ := catalog.Get(ctx, d, "DUP"); p.Name != "First" {
		t.Errorf("DUP is the first row's: %q", p.Name)
	}
}

// The export is written by PostgreSQL with the formula guard in SQL: every cell reads back
// exactly through csvio, and filter values (quotes included) reach the server as literals.
func TestExportGuardAndFilters(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	names := []string{"=SUM(A1)", "'=already quoted", "''@twice", "-5", "-minus", "@at", "+plus", "+1.50", "O'Brien's, \"best\"", "line\nbreak"}
	for i, n := range names {
		mustAdd(t, d, "G"+string(rune('A'+i)), catalog.Changes{Name: s(n), Description: s(n)})
	}
	out := export(t, d, catalog.Filter{})
	for _, want := range []string{"'=SUM(A1)", "''=already quoted", "'''@twice", ",-5,", "'-minus", "'@at", "'+plus", ",+1.50,"} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %q:\n%s", want, out)
		}
	}
	r, err := csvio.NewReader(strings.NewReader(out), catalog.CSVColumns, nil, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		row, err := r.Next()
		if err != nil {
			break
		}
		got = append(got, row.Values[1])
		if row.Values[1] != row.Values[4] {
			t.Errorf("name %q and description %q differ", row.Values[1], row.Values[4])
		}
	}
	if strings.Join(got, "|") != strings.Join(names, "|") {
		t.Fatalf("read back %q, want %q", got, names)
	}
	// A search with quotes and SQL in it is a value, not SQL.
	if out := export(t, d, catalog.Filter{Search: "O'Brien"}); strings.Count(out, "\n") != 2 || !strings.Contains(out, "GI,") {
		t.Fatalf("search O'Brien:\n%s", out)
	}
	if out := export(t, d, catalog.Filter{Search: "x'); DROP TABLE products; --"}); strings.Count(out, "\n") != 1 {
		t.Fatalf("hostile search:\n%s", out)
	}
	if n := countProducts(t, d); n != len(names) {
		t.Fatalf("%d products", n)
	}
}

// A cell may name a feature or a barcode twice: the last feature of a name wins, a
// barcode is added once, for a new product and for an existing one.
func TestImportRepeatsInACell(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	text := "sku,name,barcodes,features\n" +
		"NEW,New one,4006381333931| 4006381333931 ,Colour=Red|Size=M| Colour = Blue\n"
	res, _, err := importCSV(t, d, text, false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 1, 0, 0, 0)
	text = "sku,name,barcodes,features\n" +
		"NEW,New one,96385074|96385074|4006381333931,Size=L|Size=XL\n"
	if res, _, err = importCSV(t, d, text, false, false); err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 0, 1, 0, 0)
	fs, err := catalog.Features(ctx, d, "NEW")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range fs {
		got[f.Name] = f.Value
	}
	if len(got) != 2 || got["Colour"] != "Blue" || got["Size"] != "XL" {
		t.Fatalf("features %v; want Colour=Blue, Size=XL", got)
	}
	bs, err := catalog.Barcodes(ctx, d, "NEW")
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 {
		t.Fatalf("barcodes %+v; want 4006381333931 and 96385074 once each", bs)
	}
}

// A backslash, a tab, a line break and a cell that reads \N (COPY's text NULL) arrive in
// the product as they were written.
func TestImportKeepsEscapes(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	text := "sku,name,description\n" +
		"ESC,\"back\\slash\ttab\",\"\\N\"\n" +
		"NL,\"two\nlines\",\\\n"
	res, _, err := importCSV(t, d, text, false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 2, 0, 0, 0)
	for sku, want := range map[string][2]string{"ESC": {"back\\slash\ttab", `\N`}, "NL": {"two\nlines", `\`}} {
		p, err := catalog.Get(ctx, d, sku)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != want[0] || p.Description != want[1] {
			t.Errorf("%s: name %q, description %q; want %q, %q", sku, p.Name, p.Description, want[0], want[1])
		}
	}
}

// A file sets and compares only its own columns: a formula alone clears a percentage the
// new formula takes none of, and a file of barcodes changes no other field. In a file of
// new and existing products with a refused row skipped, each new product gets its own
// barcodes and features (by the id its row drew when it was staged).
func TestImportOnlyTheFilesColumns(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	pricing := func() (formula string, pct *string, sell string) {
		t.Helper()
		var row struct {
			Formula string  `db:"price_formula"`
			Pct     *string `db:"price_pct"`
			Sell    string  `db:"sell_price"`
		}
		if err := d.Get(&row, `SELECT price_formula, price_pct::text, sell_price::text FROM products WHERE sku = 'MK'`); err != nil {
			t.Fatal(err)
		}
		return row.Formula, row.Pct, row.Sell
	}
	res, _, err := importCSV(t, d, "sku,name,cost_price,price_formula,price_pct\nMK,Marked up,10,markup,50\n", false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 1, 0, 0, 0)
	if f, pct, sell := pricing(); f != "markup" || pct == nil || *pct != "50" || sell != "15.00" && sell != "15" {
		t.Fatalf("after import: %s %v %s", f, pct, sell)
	}
	if res, _, err = importCSV(t, d, "sku,price_formula\nMK,fixed\n", false, false); err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 0, 1, 0, 0)
	if f, pct, _ := pricing(); f != "fixed" || pct != nil {
		t.Fatalf("a fixed formula kept its percentage: %s %v", f, pct)
	}
	for i, want := range []csvio.Result{{Updated: 1}, {Unchanged: 1}} {
		if res, _, err = importCSV(t, d, "sku,barcodes\nMK,96385074\n", false, false); err != nil {
			t.Fatal(err)
		}
		wantResult(t, res, want.Created, want.Updated, want.Unchanged, want.Rejected)
		if i == 0 {
			if m, err := catalog.Lookup(ctx, d, "96385074"); err != nil || m.SKU != "MK" {
				t.Fatalf("the new barcode: %+v %v", m, err)
			}
			if p, err := catalog.Get(ctx, d, "MK"); err != nil || p.Name != "Marked up" || p.CostPrice.String() != "10" {
				t.Fatalf("after a barcodes-only import: %+v %v", p, err)
			}
		}
	}

	// A purchase unit without a stock unit column is held against the stock unit the
	// product will have.
	_, rejects, err := importCSV(t, d, "sku,name,purchase_uom\nKG,By weight,kg\n", false, false)
	if !errors.Is(err, csvio.ErrRowsInvalid) || len(rejects) != 1 ||
		!strings.Contains(rejects[0].Errors[0].Reason, "a weight unit, but the stock unit ea is count") {
		t.Fatalf("a kg purchase unit for a count product: %v %+v", err, rejects)
	}

	text := "sku,name,barcodes,features\n" +
		"A1,First,4006381333931,Colour=Red\n" +
		"MK,,,Size=L\n" +
		"BAD,,73513537,Colour=Green\n" + // a new product without a name
		"A2,Second,12345670|50184385,Colour=Blue|Size=M\n"
	res, rejects, err = importCSV(t, d, text, true, false)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 2, 1, 0, 1)
	if len(rejects) != 1 || rejects[0].Row != 4 {
		t.Fatalf("rejects %+v; want row 4", rejects)
	}
	for code, sku := range map[string]string{"4006381333931": "A1", "12345670": "A2", "50184385": "A2", "96385074": "MK"} {
		if p, err := catalog.Lookup(ctx, d, code); err != nil || p.SKU != sku {
			t.Errorf("barcode %s: %+v %v; want %s", code, p, err, sku)
		}
	}
	if _, err := catalog.Lookup(ctx, d, "73513537"); err == nil {
		t.Error("the refused row's barcode was written")
	}
	for sku, want := range map[string]string{"A1": "Colour=Red", "A2": "Colour=Blue|Size=M", "MK": "Size=L"} {
		fs, err := catalog.Features(ctx, d, sku)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.Name+"="+f.Value)
		}
		if strings.Join(got, "|") != want {
			t.Errorf("%s features %v; want %s", sku, got, want)
		}
	}
	if n := countProducts(t, d); n != 3 {
		t.Fatalf("%d products; want MK, A1 and A2", n)
	}
}

// A SKU given twice in a file with nothing else wrong: new products' repeats are found as
// they go in, existing ones' before; either way the later rows are refused, and with
// --skip-invalid the first row of each is written, with its barcodes and features, and
// the products the file updates are counted once.
func TestImportRepeatedSKUs(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	mustAdd(t, d, "OLD", catalog.Changes{})
	text := "sku,name,barcodes,features\n" +
		"OLD,Renamed,,\n" +
		"NEW,First,4006381333931,Colour=Red\n" +
		"OTHER,Other,,\n" +
		"NEW,Second,96385074,Colour=Blue\n" +
		"NEW,Third,,\n"
	res, rejects, err := importCSV(t, d, text, false, false)
	if !errors.Is(err, csvio.ErrRowsInvalid) {
		t.Fatalf("want ErrRowsInvalid, got %v", err)
	}
	if res.Rejected != 2 || len(rejects) != 2 || rejects[0].Row != 5 || rejects[1].Row != 6 ||
		rejects[0].Errors[0].Column != "sku" || !strings.Contains(rejects[0].Errors[0].Reason, "the same SKU is on row 3 too") {
		t.Fatalf("rejects %+v (result %+v)", rejects, res)
	}
	if n := countProducts(t, d); n != 1 {
		t.Fatalf("%d products: a refused import wrote something", n)
	}
	if p, _ := catalog.Get(ctx, d, "OLD"); p.Name == "Renamed" {
		t.Fatal("a refused import renamed OLD")
	}

	res, rejects, err = importCSV(t, d, text, true, false)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, res, 2, 1, 0, 2)
	if len(rejects) != 2 {
		t.Fatalf("rejects %+v", rejects)
	}
	if p, err := catalog.Get(ctx, d, "NEW"); err != nil || p.Name != "First" {
		t.Fatalf("NEW: %+v %v; want the first row's", p, err)
	}
	if m, err := catalog.Lookup(ctx, d, "4006381333931"); err != nil || m.SKU != "NEW" {
		t.Fatalf("the first row's barcode: %+v %v", m, err)
	}
	if _, err := catalog.Lookup(ctx, d, "96385074"); err == nil {
		t.Fatal("a refused row's barcode was written")
	}
	if fs, err := catalog.Features(ctx, d, "NEW"); err != nil || len(fs) != 1 || fs[0].Value != "Red" {
		t.Fatalf("NEW's features: %+v %v", fs, err)
	}

	// Repeats of existing products.
	res, rejects, err = importCSV(t, d, "sku,name\nOLD,Once\nNEW,Again\nOLD,Twice\n", false, false)
	if !errors.Is(err, csvio.ErrRowsInvalid) || res.Rejected != 1 || len(rejects) != 1 || rejects[0].Row != 4 ||
		!strings.Contains(rejects[0].Errors[0].Reason, "the same SKU is on row 2 too") {
		t.Fatalf("want row 4 refused: %v %+v %+v", err, res, rejects)
	}
}

// New products record who imported them, as the columns' defaults would.
func TestImportRecordsTheActor(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	r, err := csvio.NewReader(strings.NewReader("sku,name\nP1,One\nP2,Two\n"), catalog.CSVColumns, catalog.CSVRequired, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.InBulk(ctx, d, false, func(b *db.Bulk) error {
		if _, err := b.ExecContext(ctx, `SET LOCAL stockctl.actor = 'importer'`); err != nil {
			return err
		}
		_, err := catalog.ImportProducts(ctx, b, r, csvio.ImportOptions{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.Get(&n, `SELECT count(*) FROM products WHERE sku IN ('P1', 'P2') AND created_by = 'importer' AND updated_by = 'importer'`); err != nil || n != 2 {
		t.Fatalf("%d of 2 products stamped by the importer (%v)", n, err)
	}
}

// A new product's SKU that another session adds while the import runs, after the checks
// found it free, is a conflict and not a repeat in the file: the import says to run it
// again, and writes nothing.
func TestImportSKUAddedMeanwhile(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	other, err := d.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Rollback() }()
	if _, err := other.ExecContext(ctx, `INSERT INTO products (sku, name, type) VALUES ('RACE', 'Theirs', 'stock')`); err != nil {
		t.Fatal(err)
	}
	r, err := csvio.NewReader(strings.NewReader("sku,name\nNEW,Mine too\nRACE,Mine\n"), catalog.CSVColumns, catalog.CSVRequired, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- db.InBulk(ctx, d, false, func(b *db.Bulk) error {
			_, err := catalog.ImportProducts(ctx, b, r, csvio.ImportOptions{})
			return err
		})
	}()
	// The import's INSERT waits on the other session's uncommitted RACE.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := d.Get(&waiting, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the import ended without waiting: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the import never waited for the other session")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	err = <-done
	if !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), "added by another session") ||
		!strings.Contains(err.Error(), "RACE") || !strings.Contains(err.Error(), "run the import again") {
		t.Fatalf("want a conflict naming RACE, got %v", err)
	}
	if _, err := catalog.Get(ctx, d, "NEW"); err == nil {
		t.Fatal("the refused import wrote NEW")
	}
	if p, err := catalog.Get(ctx, d, "RACE"); err != nil || p.Name != "Theirs" {
		t.Fatalf("RACE: %+v %v", p, err)
	}
}
