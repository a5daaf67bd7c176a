package stock_test

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
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/io/csvio"
)

type importFn func(context.Context, *db.Bulk, *csvio.Reader, csvio.ImportOptions) (csvio.Result, error)

// importCSV runs an import of text in its own transaction (rolled back when it fails or dry)
// and returns the result, the rejects as "row/column=value: reason" lines and the error.
func importCSV(t *testing.T, conn *sqlx.DB, fn importFn, columns, required []string, text string, skip, dry bool) (csvio.Result, []string, error) {
	t.Helper()
	r, err := csvio.NewReader(strings.NewReader(text), columns, required, csvio.Options{})
	if err != nil {
		t.Fatalf("reader: %v", err)
	}
	var res csvio.Result
	var rejects []string
	last := 0
	err = db.InBulk(context.Background(), conn, dry, func(b *db.Bulk) error {
		var err error
		res, err = fn(context.Background(), b, r, csvio.ImportOptions{SkipInvalid: skip, ChunkRows: chunkRows(t), Rejects: func(rj csvio.Rejected) error {
			if rj.Row <= last || len(rj.Values) != len(columns) {
				t.Errorf("reject of row %d after row %d, %d values", rj.Row, last, len(rj.Values))
			}
			last = rj.Row
			for _, e := range rj.Errors {
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

func TestImportExportLevels(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	ctx := context.Background()
	if _, err := catalog.Add(ctx, conn, "SVC", catalog.Changes{Name: str("Service"), Type: str("service")}); err != nil {
		t.Fatal(err)
	}
	if _, err := stock.AddBay(ctx, conn, "B", "Y1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := setLevels(t, conn, "LOT", "A", stock.LevelChanges{Min: dp("2"), Max: dp("8")}); err != nil {
		t.Fatal(err)
	}
	imp := func(text string, skip, dry bool) (csvio.Result, []string, error) {
		return importCSV(t, conn, stock.ImportLevels, stock.LevelCSVColumns, stock.LevelCSVRequired, text, skip, dry)
	}
	bad := "sku,location,min,max,bay\n" +
		"PLAIN,A,5,20,X1\n" + // 2: good
		"NOPE,Z,1,2,\n" + // 3: unknown product and location
		"SVC,A,1,,\n" + // 4: not stock-tracked
		"PLAIN,B,-1,1.5,X1\n" + // 5: negative, too many decimals, bay of another location
		"SER,B,abc,,\n" + // 6: not a number
		",,1,,\n" + // 7: no sku, no location
		"PLAIN,A,1,,\n" + // 8: same as row 2
		"LOT,A,9,,\n" + // 9: min above the max kept (8)
		"SER,A,4,3,\n" + // 10: max below min
		"SER,B,1\n" // 11: a cell short
	res, rejects, err := imp(bad, false, false)
	if !errors.Is(err, csvio.ErrRowsInvalid) || res.Rejected != 9 {
		t.Fatalf("bad file: %+v %v\n%s", res, err, strings.Join(rejects, "\n"))
	}
	wantRejects(t, rejects,
		"3/sku=NOPE: product NOPE does not exist",
		"3/location=Z: unknown location",
		"4/sku=SVC: product SVC is not stock-tracked",
		"5/min=-1: cannot be negative",
		"5/max=1.5: more decimals than the unit ea of PLAIN keeps (0)",
		"5/bay=X1: location B has no bay \"X1\"",
		"6/min=abc: not a number",
		"7/sku=: missing",
		"7/location=: missing",
		"8/location=A: the same product and location are on row 2 too",
		"9/min=9: LOT at A: the maximum (8) cannot be below the minimum (9)",
		"10/max=3: SER at A: the maximum (3) cannot be below the minimum (4)",
		"11/=: has 3 cells, the header has 5",
	)
	var n int
	count := func() int {
		if err := conn.Get(&n, `SELECT count(*) FROM stock_levels`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count() != 1 {
		t.Fatal("a refused file wrote")
	}
	res, _, err = imp(bad, true, false)
	if err != nil || res != (csvio.Result{Created: 1, Rejected: 9}) || count() != 2 {
		t.Fatalf("skip invalid: %+v %v", res, err)
	}

	// Worked numbers; an empty cell keeps the value.
	good := "Location;SKU;Max;Min;Bay\n" +
		"A;PLAIN;;6;\n" + // min 5 -> 6, max 20 and bay X1 kept
		"A;LOT;8.0;;\n" + // 8.0 is the max 8: unchanged
		"B;SER;10;;Y1\n" + // new
		"B;LOT;;;\n" // nothing to set: unchanged, nothing created
	dry, _, err := imp(good, false, true)
	if err != nil {
		t.Fatal(err)
	}
	res, _, err = imp(good, false, false)
	if err != nil || res != (csvio.Result{Created: 1, Updated: 1, Unchanged: 2}) || dry != res || count() != 3 {
		t.Fatalf("good file: %+v (dry %+v) %v, %d rows", res, dry, err, n)
	}
	var buf bytes.Buffer
	rows, err := stock.ExportLevels(ctx, conn, "", "", csvio.NewWriter(&buf))
	want := "sku,location,min,max,bay\nLOT,A,2,8,\nPLAIN,A,6,20,X1\nSER,B,,10,Y1\n"
	if err != nil || rows != 3 || buf.String() != want {
		t.Fatalf("export (%d, %v):\n%s", rows, err, buf.String())
	}
	res, _, err = imp(buf.String(), false, false)
	if err != nil || res != (csvio.Result{Unchanged: 3}) {
		t.Fatalf("export re-imported: %+v %v", res, err)
	}
	buf.Reset()
	if _, err := stock.ExportLevels(ctx, conn, "", "B", csvio.NewWriter(&buf)); err != nil || buf.String() != "sku,location,min,max,bay\nSER,B,,10,Y1\n" {
		t.Fatalf("export of B: %v\n%s", err, buf.String())
	}
	if _, err := stock.ExportLevels(ctx, conn, "", "NOPE", csvio.NewWriter(&buf)); err == nil {
		t.Fatal("export of an unknown location")
	}
}

func TestImportAdjustments(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	cols, req := stock.AdjustCSVColumns, stock.AdjustCSVRequired
	var last stock.AdjustImport
	imp := func(text, ref string, skip, dry bool) (csvio.Result, []string, error) {
		fn := func(ctx context.Context, b *db.Bulk, r *csvio.Reader, opt csvio.ImportOptions) (csvio.Result, error) {
			var err error
			last, err = stock.ImportAdjustments(ctx, b, r, opt, ref)
			return last.Result, err
		}
		return importCSV(t, conn, fn, cols, req, text, skip, dry)
	}
	moves := func() int {
		var n int
		if err := conn.Get(&n, `SELECT count(*) FROM stock_moves`); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Opening stock: every row posted, in one go.
	opening := "sku,location,qty,unit_cost,reason,batch,expiry,serials,bay\n" +
		"PLAIN,A,10,2.50,opening,,,,X1\n" +
		"LOT,A,5,4,opening,B1,2099-01-31,,\n" +
		"SER,B,2,100,opening,,,S1;S2,\n"
	dry, _, err := imp(opening, "", false, true)
	if err != nil || dry != (csvio.Result{Created: 3}) || moves() != 0 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	res, _, err := imp(opening, "open-1", false, false)
	if err != nil || res != (csvio.Result{Created: 3}) || moves() != 4 {
		t.Fatalf("opening: %+v %v, %d moves", res, err, moves())
	}
	if !onHand(t, conn, "PLAIN", "A").Equal(d("10")) || !avgCost(t, conn, "PLAIN").Equal(d("2.5")) || !onHand(t, conn, "SER", "B").Equal(d("2")) {
		t.Fatal("opening stock not on hand at its cost")
	}
	// The same ref again posts nothing and answers with the first run's counts; stock
	// adjust with the same ref and other adjustments is refused, naming the difference.
	res, _, err = imp(opening, "open-1", false, false)
	if err != nil || res != (csvio.Result{Created: 3}) || !last.AlreadyPosted || moves() != 4 {
		t.Fatalf("ref again: %+v %+v %v", res, last, err)
	}
	_, _, err = adjust(t, conn, "open-1", stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("1")})
	if !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), "ref open-1 was posted with qty 10; this run asks 1") {
		t.Fatalf("stock adjust with the import's ref: %v", err)
	}
	var refMoves int
	if err := conn.Get(&refMoves, `SELECT moves FROM posting_refs WHERE ref = 'open-1'`); err != nil || refMoves != 4 {
		t.Fatalf("ref moves %d %v", refMoves, err)
	}

	// Bad rows: the cells of every row, then what posting each would break; nothing posted.
	bad := "sku,location,qty,unit_cost,batch,expiry,serials\n" +
		"PLAIN,A,-3,,,,\n" + // 2: good
		"PLAIN,A,abc,zz,,2027-02-30,\n" + // 3: three bad cells
		",,,,,,\n" + // blank: skipped
		"NOPE,A,1,,,,\n" + // 5: unknown product
		"PLAIN,A,-8,,,,\n" + // 6: only 7 left after row 2
		"LOT,A,1,,,,\n" + // 7: no batch
		"SER,B,1,,,,S1\n" + // 8: S1 is in stock already
		"PLAIN,Z,1,,,,\n" + // 9: unknown location
		"PLAIN,A,-1,5,,,\n" // 10: a cost for stock going out
	res, rejects, err := imp(bad, "", false, false)
	if !errors.Is(err, csvio.ErrRowsInvalid) || res.Rejected != 7 || moves() != 4 {
		t.Fatalf("bad file: %+v %v", res, err)
	}
	wantRejects(t, rejects,
		"3/qty=abc: not a number",
		"3/unit_cost=zz: not a number",
		"3/expiry=2027-02-30: not a date",
		"5/sku=NOPE: ",
		"6/qty=-8: ",
		"7/batch=: product LOT is batch-tracked",
		"8/serials=S1: ",
		"9/location=Z: unknown location",
		"10/unit_cost=5: ",
	)
	// --skip-invalid posts the good row, in file order.
	res, _, err = imp(bad, "bad-1", true, false)
	if err != nil || res != (csvio.Result{Created: 1, Rejected: 7}) || moves() != 5 || !onHand(t, conn, "PLAIN", "A").Equal(d("7")) {
		t.Fatalf("skip invalid: %+v %v, %d moves", res, err, moves())
	}
	if err := conn.Get(&refMoves, `SELECT moves FROM posting_refs WHERE ref = 'bad-1'`); err != nil || refMoves != 1 {
		t.Fatalf("ref moves %d %v", refMoves, err)
	}
	// Again: nothing posted, the first run's counts and its rejects (the rows refused for
	// bad cells, which are part of the request, and those refused when posting).
	res, rejects, err = imp(bad, "bad-1", true, false)
	if err != nil || res != (csvio.Result{Created: 1, Rejected: 7}) || !last.AlreadyPosted || last.RejectsShown != 7 || len(rejects) != 9 || moves() != 5 {
		t.Fatalf("skip invalid again: %+v %+v %v %d rejects, %d moves", res, last, err, len(rejects), moves())
	}
}

// The imports read a chunk of rows at a time: every chunk size gives the same rejects,
// counts and stock, with a product and location repeated from an earlier chunk refused like
// one repeated within it, and adjustments posted against what the earlier chunks posted.
func TestImportsInChunks(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("levels by %d", n), inChunks(n, TestImportExportLevels))
		t.Run(fmt.Sprintf("adjustments by %d", n), inChunks(n, TestImportAdjustments))
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
