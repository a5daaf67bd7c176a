package stock_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/io/csvio"
)

// wantRefConflict fails unless err refuses a reused ref (exit 5) with a message containing
// want and saying nothing was posted.
func wantRefConflict(t *testing.T, err error, want string) {
	t.Helper()
	if !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "nothing was posted") {
		t.Fatalf("want a conflict saying %q, got %v", want, err)
	}
}

func exactJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := db.JSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A request is compared field by field as canonical values (5 = 5.00, serials in any
// order), line by line, then by the number of lines; the first difference is named.
func TestRequestBuilder(t *testing.T) {
	t.Parallel()
	row := func(qty string, serials ...string) []stock.Field {
		return []stock.Field{stock.TextField("sku", "W"), stock.DecField("qty", d(qty)), stock.SetField("serials", serials),
			stock.TextField("batch", "")}
	}
	build := func(prior *stock.Request, twoStep bool, rows ...[]stock.Field) (stock.Request, error) {
		b, err := stock.NewRequestBuilder("cron-1", "row", prior, stock.FlagField("two_step", twoStep))
		if err != nil {
			return stock.Request{}, err
		}
		for i, r := range rows {
			if err := b.Line(fmt.Sprintf("row %d", i+2), r...); err != nil {
				return stock.Request{}, err
			}
		}
		return b.Done()
	}
	first, err := build(nil, false, row("5", "S1", "S2"), row("-1"))
	if err != nil || first.Count != 2 || len(first.Lines) != 2 || first.Blocks != nil || first.Digest == "" {
		t.Fatalf("first: %+v %v", first, err)
	}
	same, err := build(&first, false, row("5.00", " S2", "S1"), row("-1.0"))
	if err != nil || same.Digest != first.Digest {
		t.Fatalf("5.00 is 5 and serials come in any order: %+v %v", same, err)
	}
	_, err = build(&first, true, row("5", "S1", "S2"), row("-1"))
	wantRefConflict(t, err, "ref cron-1 was posted with two_step no; this run asks yes")
	_, err = build(&first, false, row("5", "S1", "S2"), row("-2"))
	wantRefConflict(t, err, "ref cron-1 was posted with qty -1 in row 3; this run asks -2")
	_, err = build(&first, false, row("5", "S1", "S3"), row("-2"))
	wantRefConflict(t, err, `ref cron-1 was posted with serials "S1 S2" in row 2; this run asks "S1 S3"`)
	_, err = build(&first, false, row("5", "S1", "S2"))
	wantRefConflict(t, err, "ref cron-1 was posted with 2 rows; this run has 1")
	_, err = build(&first, false, row("5"), row("-1"))
	wantRefConflict(t, err, `ref cron-1 was posted with serials "S1 S2" in row 2; this run leaves it out`)
	withBatch := append(row("5", "S1", "S2")[:3], stock.TextField("batch", "B7"))
	_, err = build(&first, false, withBatch, row("-1"))
	wantRefConflict(t, err, "ref cron-1 was posted without batch in row 2; this run asks batch B7")
}

// Past stock.KeptLines lines a request keeps a digest per block of KeptLines lines instead
// of the lines, and a difference is named by its block.
func TestRequestOfManyLines(t *testing.T) {
	t.Parallel()
	n := stock.KeptLines
	build := func(prior *stock.Request, count, changed int) (stock.Request, error) {
		b, err := stock.NewRequestBuilder("big-1", "row", prior)
		if err != nil {
			return stock.Request{}, err
		}
		for i := range count {
			qty := i % 7
			if i == changed {
				qty = 100
			}
			if err := b.Line(fmt.Sprintf("row %d", i+2), stock.TextField("sku", "W"), stock.DecField("qty", d(fmt.Sprint(qty)))); err != nil {
				return stock.Request{}, err
			}
		}
		return b.Done()
	}
	// 2.5 blocks: rows 2..10001, 10002..20001, 20002..25000 (the header is row 1).
	total := n*5/2 - 1 // odd, so the last block is not full
	first, err := build(nil, total, -1)
	if err != nil || first.Count != total || first.Lines != nil || len(first.Blocks) != 3 {
		t.Fatalf("first: count %d, %d lines, %d blocks, %v", first.Count, len(first.Lines), len(first.Blocks), err)
	}
	if again, err := build(&first, total, -1); err != nil || again.Digest != first.Digest {
		t.Fatalf("same rows: %v", err)
	}
	_, err = build(&first, total, n+n/3)
	wantRefConflict(t, err, fmt.Sprintf("the first difference is between row %d and row %d", n+2, 2*n+1))
	_, err = build(&first, total, 2*n+5)
	wantRefConflict(t, err, fmt.Sprintf("the first difference is between row %d and row %d", 2*n+2, total+1))
	_, err = build(&first, total+1, -1)
	wantRefConflict(t, err, fmt.Sprintf("ref big-1 was posted with %d rows; this run has %d", total, total+1))
	// Up to KeptLines, the lines are kept and the row is named.
	kept, err := build(nil, n, -1)
	if err != nil || len(kept.Lines) != n || kept.Blocks != nil {
		t.Fatalf("kept: %d lines, %d blocks, %v", len(kept.Lines), len(kept.Blocks), err)
	}
	_, err = build(&kept, n, n-1)
	wantRefConflict(t, err, fmt.Sprintf("ref big-1 was posted with qty %d in row %d; this run asks 100", (n-1)%7, n+1))
}

// stock adjust with a ref: the same request (5 = 5.00) answers with the first moves and
// posts nothing; another is refused naming the first difference, and posts nothing.
func TestAdjustRefRequest(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	a := stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("5"), UnitCost: dp("2.50"), Reason: "count"}
	first, applied, err := adjust(t, conn, "cron-1", a)
	if err != nil || !applied || len(first) != 1 {
		t.Fatalf("first: %+v %v %v", first, applied, err)
	}
	same := a
	same.Qty, same.UnitCost, same.Reason = d("5.00"), dp("2.5"), " count "
	again, applied, err := adjust(t, conn, "cron-1", same)
	if err != nil || applied || exactJSON(t, again) != exactJSON(t, first) {
		t.Fatalf("same request: applied %v, %v\n%s\nwant\n%s", applied, err, exactJSON(t, again), exactJSON(t, first))
	}
	for _, c := range []struct {
		change func(*stock.Adjustment)
		want   string
	}{
		{func(x *stock.Adjustment) { x.Qty = d("7") }, "ref cron-1 was posted with qty 5; this run asks 7"},
		{func(x *stock.Adjustment) { x.Location = "B" }, "ref cron-1 was posted with location A; this run asks B"},
		{func(x *stock.Adjustment) { x.UnitCost = dp("3") }, "ref cron-1 was posted with unit_cost 2.5; this run asks 3"},
		{func(x *stock.Adjustment) { x.UnitCost = nil }, "ref cron-1 was posted with unit_cost 2.5; this run leaves it out"},
		{func(x *stock.Adjustment) { x.Reason = "found" }, "ref cron-1 was posted with reason count; this run asks found"},
		{func(x *stock.Adjustment) { x.Bay = "X1" }, "ref cron-1 was posted without bay; this run asks bay X1"},
		{func(x *stock.Adjustment) { x.SKU = "SER"; x.Serials = []string{"S1"}; x.Qty = d("1") }, "ref cron-1 was posted with sku PLAIN; this run asks SER"},
	} {
		x := a
		c.change(&x)
		_, _, err := adjust(t, conn, "cron-1", x)
		wantRefConflict(t, err, c.want)
	}
	// Two adjustments where one was posted.
	_, _, err = adjust(t, conn, "cron-1", a, a)
	wantRefConflict(t, err, "ref cron-1 was posted with 1 adjustment; this run has 2")
	// 5 came in once: on hand 5, one move.
	if got := onHand(t, conn, "PLAIN", "A"); !got.Equal(d("5")) {
		t.Fatalf("on hand A: %s, want 5", got)
	}

	// Serials in any order are the same request; another serial is not. Adjustments read
	// from a file are named by their row.
	s1 := stock.Adjustment{SKU: "SER", Location: "A", Qty: d("2"), Serials: []string{"S1", "S2"}, Row: 2}
	s2 := stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("3"), Batch: "L1", Row: 3}
	if _, applied, err := adjust(t, conn, "file-1", s1, s2); err != nil || !applied {
		t.Fatalf("file: %v %v", applied, err)
	}
	s1.Serials = []string{"S2", "S1"}
	if _, applied, err := adjust(t, conn, "file-1", s1, s2); err != nil || applied {
		t.Fatalf("serials in another order: %v %v", applied, err)
	}
	s2.Batch = "L2"
	_, _, err = adjust(t, conn, "file-1", s1, s2)
	wantRefConflict(t, err, "ref file-1 was posted with batch L1 in row 3; this run asks L2")
	if got := onHand(t, conn, "LOT", "A"); !got.Equal(d("3")) {
		t.Fatalf("on hand LOT: %s, want 3", got)
	}

	// A ref posted before requests were kept: already posted, nothing to compare or show.
	if _, err := conn.Exec(`INSERT INTO posting_refs (scope, ref, moves) VALUES ('stock adjust', 'old-1', 1)`); err != nil {
		t.Fatal(err)
	}
	moves, applied, err := adjust(t, conn, "old-1", stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("9")})
	if err != nil || applied || moves != nil {
		t.Fatalf("old ref: %+v %v %v", moves, applied, err)
	}
	if got := onHand(t, conn, "PLAIN", "A"); !got.Equal(d("5")) {
		t.Fatalf("on hand after the old ref: %s, want 5", got)
	}
}

// stock import with a ref over more than KeptLines rows: the ref keeps digests, the same
// file answers with the first counts and rejects, another is refused naming the block of
// rows that differs, or the number of rows.
func TestImportRefManyRows(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	n := stock.KeptLines + stock.KeptLines/20 // 10,500 rows: rows 2..10001, 10002..10501
	file := func(rows, changed int) string {
		var b strings.Builder
		b.WriteString("sku,location,qty\n")
		for i := range rows {
			qty := "1"
			if i == changed {
				qty = "2"
			}
			fmt.Fprintf(&b, "NOPE-%d,A,%s\n", i%10, qty)
		}
		return b.String()
	}
	var last stock.AdjustImport
	imp := func(text string) (csvio.Result, []string, error) {
		fn := func(ctx context.Context, b *db.Bulk, r *csvio.Reader, opt csvio.ImportOptions) (csvio.Result, error) {
			var err error
			last, err = stock.ImportAdjustments(ctx, b, r, opt, "big-1")
			return last.Result, err
		}
		return importCSV(t, conn, fn, stock.AdjustCSVColumns, stock.AdjustCSVRequired, text, true, false)
	}
	// Every row names an unknown product: all rejected, nothing posted, the ref claimed.
	res, rejects, err := imp(file(n, -1))
	if err != nil || res != (csvio.Result{Rejected: int64(n)}) || len(rejects) != n || last.AlreadyPosted {
		t.Fatalf("first: %+v %v %d rejects", res, err, len(rejects))
	}
	var kept struct {
		Count  int  `db:"count"`
		Lines  bool `db:"lines"`
		Blocks int  `db:"blocks"`
		Shown  int  `db:"shown"`
	}
	if err := conn.Get(&kept, `SELECT (request->>'count')::int AS count, request ? 'lines' AS lines,
		jsonb_array_length(request->'blocks') AS blocks, jsonb_array_length(result->'rejects') AS shown
		FROM posting_refs WHERE ref = 'big-1'`); err != nil {
		t.Fatal(err)
	}
	if kept.Count != n || kept.Lines || kept.Blocks != 2 || kept.Shown != stock.KeptLines {
		t.Fatalf("kept: %+v", kept)
	}
	res, rejects, err = imp(file(n, -1))
	if err != nil || res != (csvio.Result{Rejected: int64(n)}) || !last.AlreadyPosted || last.RejectsShown != stock.KeptLines || len(rejects) != stock.KeptLines {
		t.Fatalf("again: %+v %+v %v %d rejects", res, last, err, len(rejects))
	}
	_, _, err = imp(file(n, stock.KeptLines+300))
	wantRefConflict(t, err, fmt.Sprintf("ref big-1 was posted with other rows: the first difference is between row %d and row %d", stock.KeptLines+2, n+1))
	_, _, err = imp(file(n, 300))
	wantRefConflict(t, err, "ref big-1 was posted with other rows: the first difference is between row 2 and row 10001")
	_, _, err = imp(file(n+1, -1))
	wantRefConflict(t, err, fmt.Sprintf("ref big-1 was posted with %d rows; this run has %d", n, n+1))
}

func trRefOK(t *testing.T, doc stock.TransferDoc, err error, posted bool) stock.TransferDoc {
	t.Helper()
	if err != nil || doc.AlreadyPosted == posted {
		t.Fatalf("want AlreadyPosted %v: %+v %v", !posted, doc, err)
	}
	return doc
}

// stock transfer and transfer receive with a ref: the same request (4 = 4.0) answers with
// the first document and moves nothing; another is refused naming the first difference.
func TestTransferRefRequest(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	trStock(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("2")})
	r := stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("4"), TwoStep: true, ExtraCost: dp("2.50"), Ref: "van-1"}
	doc, err := trTransfer(t, conn, r)
	doc = trRefOK(t, doc, err, true)
	same := r
	same.Qty, same.ExtraCost = d("4.0"), dp("2.5")
	again, err := trTransfer(t, conn, same)
	again = trRefOK(t, again, err, false)
	if exactJSON(t, again) != exactJSON(t, doc) {
		t.Fatalf("same request answers with the first document:\n%s\nwant\n%s", exactJSON(t, again), exactJSON(t, doc))
	}
	for _, c := range []struct {
		change func(*stock.TransferRequest)
		want   string
	}{
		{func(x *stock.TransferRequest) { x.Qty = d("5") }, "ref van-1 was posted with qty 4; this run asks 5"},
		{func(x *stock.TransferRequest) { x.TwoStep = false }, "ref van-1 was posted with two_step yes; this run asks no"},
		{func(x *stock.TransferRequest) { x.ExtraCost = nil }, "ref van-1 was posted with cost 2.5; this run leaves it out"},
		{func(x *stock.TransferRequest) { x.To = "A"; x.From = "B" }, "ref van-1 was posted with from A; this run asks B"},
		{func(x *stock.TransferRequest) { x.ToBay = "X1" }, "ref van-1 was posted without to_bay; this run asks to_bay X1"},
	} {
		x := r
		c.change(&x)
		_, err := trTransfer(t, conn, x)
		wantRefConflict(t, err, c.want)
	}
	// 10 − 4 dispatched once: 6 at A, 4 in transit, nothing at B yet.
	if a, tr, b := onHand(t, conn, "PLAIN", "A"), onHand(t, conn, "PLAIN", "~transit"), onHand(t, conn, "PLAIN", "B"); !a.Equal(d("6")) || !tr.Equal(d("4")) || !b.IsZero() {
		t.Fatalf("A %s, transit %s, B %s; want 6, 4, 0", a, tr, b)
	}

	got, err := trReceive(t, conn, doc.Number, dp("1"), 0, "grn-1")
	got = trRefOK(t, got, err, true)
	rcv, err := trReceive(t, conn, doc.Number, dp("1.00"), 0, "grn-1")
	rcv = trRefOK(t, rcv, err, false)
	if exactJSON(t, rcv) != exactJSON(t, got) || rcv.ReceivedQty.String() != "1" {
		t.Fatalf("same receipt answers with the first document: %+v", rcv)
	}
	_, err = trReceive(t, conn, doc.Number, dp("2"), 0, "grn-1")
	wantRefConflict(t, err, "ref grn-1 was posted with qty 1; this run asks 2")
	_, err = trReceive(t, conn, doc.Number, dp("1"), 1, "grn-1")
	wantRefConflict(t, err, "ref grn-1 was posted without line; this run asks line 1")
	_, err = trReceive(t, conn, doc.Number, nil, 0, "grn-1")
	wantRefConflict(t, err, "ref grn-1 was posted with qty 1; this run leaves it out")
	// One received once: B 1, transit 3.
	if tr, b := onHand(t, conn, "PLAIN", "~transit"), onHand(t, conn, "PLAIN", "B"); !tr.Equal(d("3")) || !b.Equal(d("1")) {
		t.Fatalf("transit %s, B %s; want 3, 1", tr, b)
	}

	// A ref posted before requests were kept: already posted, no document.
	if err := db.InTx(context.Background(), conn, func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO posting_refs (scope, ref) VALUES ('stock transfer', 'old-1')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	old, err := trTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("1"), Ref: "old-1"})
	if old = trRefOK(t, old, err, false); old.Number != "" || !onHand(t, conn, "PLAIN", "A").Equal(d("6")) {
		t.Fatalf("old ref: %+v", old)
	}
}

// BenchmarkRequestRow is the cost per file row of a ref's request: canonical fields, the
// digests, and the row kept (up to stock.KeptLines rows).
func BenchmarkRequestRow(b *testing.B) {
	cost := d("52.10")
	a := stock.Adjustment{SKU: "DRILL-18V", Location: "MAIN", Qty: d("24"), UnitCost: &cost, Reason: "opening", Row: 2}
	rb, err := stock.NewRequestBuilder("bench", "row", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.Row = i + 2
		if err := rb.Line("row", stock.TextField("sku", a.SKU), stock.TextField("location", a.Location), stock.DecField("qty", a.Qty),
			stock.TextField("reason", a.Reason), stock.DecPtrField("unit_cost", a.UnitCost), stock.TextField("gl_code", ""),
			stock.TextField("narrative", ""), stock.TextField("batch", ""), stock.DateField("expiry", nil),
			stock.SetField("serials", nil), stock.TextField("serial_start", ""), stock.TextField("bay", "")); err != nil {
			b.Fatal(err)
		}
	}
}
