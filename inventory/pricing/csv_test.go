package pricing_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/pricing"
	"github.com/stockctl/stockctl/io/csvio"
)

type importFn func(context.Context, *db.Bulk, *csvio.Reader, csvio.ImportOptions) (csvio.Result, error)

// importCSV runs an import of text in its own transaction (rolled back when it fails or dry)
// and returns the result, the rejects as "row/column: reason" lines and the error.
func importCSV(t *testing.T, conn *sqlx.DB, fn importFn, columns, required []string, text string, skip, dry bool) (csvio.Result, []string, error) {
	t.Helper()
	r, err := csvio.NewReader(strings.NewReader(text), columns, required, csvio.Options{})
	if err != nil {
		t.Fatalf("reader: %v", err)
	}
	var res csvio.Result
	var rejects []string
	err = db.InBulk(bg, conn, dry, func(b *db.Bulk) error {
		var err error
		res, err = fn(bg, b, r, csvio.ImportOptions{SkipInvalid: skip, ChunkRows: chunkRows(t), Rejects: func(rj csvio.Rejected) error {
			if len(rj.Values) != len(columns) {
				t.Errorf("row %d: %d values for %d columns", rj.Row, len(rj.Values), len(columns))
			}
			for _, e := range rj.Errors {
				if e.Row != rj.Row {
					t.Errorf("reject of row %d has an error of row %d", rj.Row, e.Row)
				}
				rejects = append(rejects, fmt.Sprintf("%d/%s=%s: %s", e.Row, e.Column, e.Value, e.Reason))
			}
			return nil
		}})
		return err
	})
	return res, rejects, err
}

func wantRejects(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("rejects:\n  %s\nwant %d", strings.Join(got, "\n  "), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("reject %d: %q, want it to start %q", i, got[i], w)
		}
	}
}

func exportBreaks(t *testing.T, conn *sqlx.DB, sku, typ string) string {
	t.Helper()
	var buf bytes.Buffer
	_, err := pricing.ExportBreaks(bg, conn, sku, typ, csvio.NewWriter(&buf))
	must(t, err)
	return buf.String()
}

func TestImportExportBreaks(t *testing.T) {
	t.Parallel()
	conn := world(t)
	addProduct(t, conn, "F", "8", "0", "0")
	_, err := pricing.SetFormula(bg, conn, "F", "markup", dec("50")) // sell price 12, by formula
	must(t, err)
	cols, req := pricing.BreakCSVColumns, pricing.BreakCSVRequired
	imp := func(text string, skip, dry bool) (csvio.Result, []string, error) {
		return importCSV(t, conn, pricing.ImportBreaks, cols, req, text, skip, dry)
	}
	var n int
	count := func() int {
		must(t, conn.Get(&n, `SELECT count(*) FROM price_breaks`))
		return n
	}

	// Every kind of bad row, all reasons of each, by file row number; nothing written.
	bad := "sku,price_type,region,min_qty,price\n" +
		"W,trade,,10,7\n" + // 2: good
		"NOPE,gold,,1,1\n" + // 3: unknown product and price type
		"W,,ZZ,1,1\n" + // 4: unknown region
		"W,,,-1,-2\n" + // 5: both amounts negative
		"W,,,abc,1e3\n" + // 6: neither a number
		",,,1,\n" + // 7: no sku, no price
		"W,trade,,10.00,6\n" + // 8: same key as row 2
		"F,,,0,3\n" + // 9: sell price of a formula product
		"W,,,1\n" + // 10: a cell short
		"W,retail,CA,5,9\n" // 11: good
	res, rejects, err := imp(bad, false, false)
	if !errors.Is(err, csvio.ErrRowsInvalid) || res.Rejected != 8 {
		t.Fatalf("bad file: %+v %v", res, err)
	}
	wantRejects(t, rejects,
		"3/sku=NOPE: product NOPE does not exist",
		"3/price_type=gold: unknown price type",
		"4/region=ZZ: unknown sales region",
		"5/min_qty=-1: minimum quantity -1 cannot be negative",
		"5/price=-2: price -2 cannot be negative",
		"6/min_qty=abc: not a number",
		"6/price=1e3: not a plain number",
		"7/sku=: missing",
		"7/price=: missing",
		"8/min_qty=10.00: same product, price type, region and minimum as row 2",
		"9/price=3: the first retail row of F (minimum 0, no region) is its unit sell price, which its markup formula computes",
		"10/=: has 4 cells, the header has 5",
	)
	if count() != 0 || !eq(sellPrice(t, conn, "W"), "10") {
		t.Fatal("a refused file wrote")
	}

	// --skip-invalid: the good rows are written, the bad ones reported.
	res, rejects, err = imp(bad, true, false)
	must(t, err)
	if res != (csvio.Result{Created: 2, Rejected: 8}) || len(rejects) != 12 || count() != 2 {
		t.Fatalf("skip invalid: %+v %d rejects, %d rows", res, len(rejects), n)
	}

	// Worked numbers: created, updated (a price and the sell price), unchanged.
	good := "SKU;Min Qty;Price;Price Type;Region\n" +
		"W;10;6.95;trade;\n" + // update of row 2's price
		"W;5;9;retail;CA\n" + // unchanged
		"W;0;10.50;;\n" + // the sell price, 10 -> 10.50
		"W;0.5;9.90;;\n" + // new
		"W;20;6.50;trade;\n" // new
	dryRes, _, err := imp(good, false, true)
	must(t, err)
	res, _, err = imp(good, false, false)
	must(t, err)
	if res != (csvio.Result{Created: 2, Updated: 2, Unchanged: 1}) || dryRes != res {
		t.Fatalf("good file: %+v (dry run %+v)", res, dryRes)
	}
	if !eq(sellPrice(t, conn, "W"), "10.50") || count() != 4 {
		t.Fatalf("sell price %s, %d rows", sellPrice(t, conn, "W"), n)
	}

	// The export: stored rows and fixed products' sell price rows (not F's, by formula).
	out := exportBreaks(t, conn, "", "")
	want := "sku,price_type,region,min_qty,price\n" +
		"W,retail,,0,10.50\nW,retail,,0.5,9.90\nW,retail,CA,5,9\nW,trade,,10,6.95\nW,trade,,20,6.50\n"
	if out != want {
		t.Fatalf("export:\n%s\nwant:\n%s", out, want)
	}
	if got := exportBreaks(t, conn, "W", "trade"); got != "sku,price_type,region,min_qty,price\nW,trade,,10,6.95\nW,trade,,20,6.50\n" {
		t.Fatalf("filtered export:\n%s", got)
	}
	// ... which imports back unchanged.
	res, _, err = imp(out, false, false)
	must(t, err)
	if res != (csvio.Result{Unchanged: 5}) {
		t.Fatalf("export re-imported: %+v", res)
	}
	_, err = pricing.ExportBreaks(bg, conn, "NOPE", "", csvio.NewWriter(&bytes.Buffer{}))
	wantKind(t, err, fault.NotFound, "NOPE")
}

func TestImportExportSpecials(t *testing.T) {
	t.Parallel()
	conn := world(t)
	cols, req := pricing.SpecialCSVColumns, pricing.SpecialCSVRequired
	imp := func(text string, skip bool) (csvio.Result, []string, error) {
		return importCSV(t, conn, pricing.ImportSpecials, cols, req, text, skip, false)
	}
	bad := "customer,sku,min_qty,price,valid_from,valid_until\n" +
		"ACME,W,,8,2026-01-01,\n" + // 2: good
		"SUPP,NOPE,,8,,\n" + // 3: not a customer, no product
		"GHOST,W,,8,,\n" + // 4: no such company
		"ACME,W,1,-1,2026-13-01,someday\n" + // 5: negative price, bad dates
		"BLUE,W,,5,2026-06-01,2026-05-01\n" + // 6: until before from
		"ACME,W,0.0,7,,\n" // 7: same as row 2
	res, rejects, err := imp(bad, false)
	if !errors.Is(err, csvio.ErrRowsInvalid) || res.Rejected != 5 {
		t.Fatalf("bad file: %+v %v", res, err)
	}
	wantRejects(t, rejects,
		"3/customer=SUPP: company SUPP is not a customer",
		"3/sku=NOPE: product NOPE does not exist",
		"4/customer=GHOST: company GHOST does not exist",
		"5/valid_from=2026-13-01: not a date",
		"5/valid_until=someday: not a date",
		"6/valid_until=2026-05-01: valid until 2026-05-01 is before valid from 2026-06-01",
		"7/min_qty=0.0: same customer, product and minimum as row 2",
	)
	var n int
	must(t, conn.Get(&n, `SELECT count(*) FROM special_prices`))
	if n != 0 {
		t.Fatal("a refused file wrote")
	}
	// Row 5's price is checked once its dates parse.
	_, rejects, _ = imp("customer,sku,price\nACME,W,-1\n", false)
	wantRejects(t, rejects, "2/price=-1: price -1 cannot be negative")

	res, _, err = imp(bad, true)
	must(t, err)
	if res != (csvio.Result{Created: 1, Rejected: 5}) {
		t.Fatalf("skip invalid: %+v", res)
	}
	res, _, err = imp("customer,sku,min_qty,price,valid_from,valid_until\n"+
		"ACME,W,0,7.50,2026-01-01,\n"+ // price changed
		"ACME,W,10,6,,2026-12-31\n"+ // new
		"BLUE,W,0,5,,\n", false) // new
	must(t, err)
	if res != (csvio.Result{Created: 2, Updated: 1}) {
		t.Fatalf("good file: %+v", res)
	}
	var buf bytes.Buffer
	rows, err := pricing.ExportSpecials(bg, conn, "", "", csvio.NewWriter(&buf))
	must(t, err)
	want := "customer,sku,min_qty,price,valid_from,valid_until\n" +
		"ACME,W,0,7.50,2026-01-01,\nACME,W,10,6,,2026-12-31\nBLUE,W,0,5,,\n"
	if rows != 3 || buf.String() != want {
		t.Fatalf("export (%d rows):\n%s", rows, buf.String())
	}
	res, _, err = imp(buf.String(), false)
	must(t, err)
	if res != (csvio.Result{Unchanged: 3}) {
		t.Fatalf("export re-imported: %+v", res)
	}
	// An empty date is open-ended: it clears a date the row had.
	res, _, err = imp("customer,sku,min_qty,price\nACME,W,0,7.50\n", false)
	must(t, err)
	specials, err := pricing.Specials(bg, conn, "ACME", "W", *day("2025-01-01"))
	must(t, err)
	if res != (csvio.Result{Updated: 1}) || specials[0].ValidFrom != nil || specials[0].Status != pricing.StatusCurrent {
		t.Fatalf("open-ended: %+v %+v", res, specials[0])
	}
	buf.Reset()
	rows, err = pricing.ExportSpecials(bg, conn, "BLUE", "", csvio.NewWriter(&buf))
	must(t, err)
	if rows != 1 || !strings.HasSuffix(buf.String(), "\nBLUE,W,0,5,,\n") {
		t.Fatalf("filtered export: %s", buf.String())
	}
}

// The imports read a chunk of rows at a time: every chunk size gives the same rejects,
// counts and prices, with rows that repeat a key of an earlier chunk refused like those
// that repeat one within it.
func TestImportsInChunks(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("breaks by %d", n), inChunks(n, TestImportExportBreaks))
		t.Run(fmt.Sprintf("specials by %d", n), inChunks(n, TestImportExportSpecials))
	}
}

// chunkSizes holds the chunk size importCSV passes for a (sub)test run by inChunks; other
// tests import with the default.
var chunkSizes sync.Map // *testing.T -> int

// inChunks runs test with imports read n rows at a time.
func inChunks(n int, test func(*testing.T)) func(*testing.T) {
	return func(t *testing.T) {
		chunkSizes.Store(t, n)
		t.Cleanup(func() { chunkSizes.Delete(t) })
		test(t)
	}
}

// chunkRows is the ImportOptions.ChunkRows for t's imports: 0 (the default) unless t runs
// under inChunks.
func chunkRows(t *testing.T) int {
	n, _ := chunkSizes.Load(t)
	k, _ := n.(int)
	return k
}
