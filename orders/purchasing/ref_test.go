package purchasing_test

import (
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/purchasing"
)

// po receive with a ref: the same request (5 = 5.00, serials in any order, the date left
// out) answers with the PO as the first receipt left it and receives nothing; another
// request is refused naming the first difference, and receives nothing.
func TestReceiveRefRequest(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	doc := newPO(t, conn, purchasing.NewPO{Supplier: "HOME", Location: "MAIN"},
		purchasing.LineInput{SKU: "W", Qty: d("10"), Price: dp("4.50")},
		purchasing.LineInput{SKU: "SER", Qty: d("2"), Price: dp("100")})
	order(t, conn, doc.Number, "2026-03-02")
	jsonOf := func(v any) string {
		b, err := db.JSON(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	conflict := func(err error, want string) {
		t.Helper()
		if !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), want) {
			t.Fatalf("want a conflict saying %q, got %v", want, err)
		}
	}

	first, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "5")}, Ref: "DN-1"})
	if err != nil || first.AlreadyPosted {
		t.Fatalf("first: %+v %v", first.POSummary, err)
	}
	again, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "5.00")}, Ref: "DN-1"})
	if err != nil || !again.AlreadyPosted || jsonOf(again) != jsonOf(first) {
		t.Fatalf("same request: %v\n%s\nwant\n%s", err, jsonOf(again), jsonOf(first))
	}
	for _, c := range []struct {
		r    purchasing.ReceiveRequest
		want string
	}{
		{purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "7")}}, "PO-000001: ref DN-1 was posted with qty 5; this run asks 7"},
		{purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(2, "5")}}, "ref DN-1 was posted with line 1; this run asks 2"},
		{purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "")}}, "ref DN-1 was posted with qty 5; this run leaves it out"},
		{purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{{LineNo: 1, Qty: dp("5"), Bay: "R1"}}}, "ref DN-1 was posted without bay; this run asks bay R1"},
		{purchasing.ReceiveRequest{All: true}, "ref DN-1 was posted with all no; this run asks yes"},
		{purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "5")}, Date: datep("2026-03-05")}, "ref DN-1 was posted without date; this run asks date 2026-03-05"},
		{purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "5"), line(2, "1")}}, "ref DN-1 was posted with 1 line; this run has 2"},
	} {
		c.r.Ref = "DN-1"
		_, err := receive(t, conn, doc.Number, c.r)
		conflict(err, c.want)
	}
	// Serials in another order are the same request; another serial is not.
	ser := func(serials ...string) purchasing.ReceiveRequest {
		return purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{{LineNo: 2, Serials: serials}}, Ref: "DN-2"}
	}
	if got, err := receive(t, conn, doc.Number, ser("S1", "S2")); err != nil || got.AlreadyPosted {
		t.Fatalf("serials: %v", err)
	}
	if got, err := receive(t, conn, doc.Number, ser("S2", "S1")); err != nil || !got.AlreadyPosted {
		t.Fatalf("serials in another order: %v", err)
	}
	_, err = receive(t, conn, doc.Number, ser("S1", "S3"))
	conflict(err, `ref DN-2 was posted with serials "S1 S2"; this run asks "S1 S3"`)

	// W: 5 of 10 received once, at 4.50; SER: 2 of 2. Two receipts in all.
	eq(t, "W on hand", showStock(t, conn, "W").OnHand, d("5"))
	eq(t, "SER on hand", showStock(t, conn, "SER").OnHand, d("2"))
	got, err := purchasing.Get(ctx, conn, doc.Number)
	if err != nil || len(got.Receipts) != 2 || !got.Lines[0].ReceivedQty.Equal(d("5")) {
		t.Fatalf("receipts: %+v %v", got.Receipts, err)
	}

	// A ref received before requests were kept: already posted, nothing compared or shown.
	if _, err := conn.Exec(`INSERT INTO po_receipts (po_id, receipt_no, ref, received_on)
		SELECT id, 9, 'OLD-1', '2026-03-03' FROM purchase_orders WHERE number = $1`, doc.Number); err != nil {
		t.Fatal(err)
	}
	old, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "1")}, Ref: "OLD-1"})
	if err != nil || !old.AlreadyPosted || old.Number != "" {
		t.Fatalf("old ref: %+v %v", old.POSummary, err)
	}
	eq(t, "W on hand after the old ref", showStock(t, conn, "W").OnHand, d("5"))
}
