package purchasing_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
)

func newPO(t *testing.T, conn *sqlx.DB, in purchasing.NewPO, lines ...purchasing.LineInput) purchasing.PODoc {
	t.Helper()
	var doc purchasing.PODoc
	if err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		if doc, err = purchasing.New(ctx, tx, in); err != nil {
			return err
		}
		for _, l := range lines {
			if doc, err = purchasing.AddLine(ctx, tx, doc.Number, l); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return doc
}

func order(t *testing.T, conn *sqlx.DB, number, on string) purchasing.PODoc {
	t.Helper()
	var doc purchasing.PODoc
	if err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		doc, err = purchasing.Order(ctx, tx, number, datep(on))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return doc
}

func receive(t *testing.T, conn *sqlx.DB, number string, r purchasing.ReceiveRequest) (purchasing.PODoc, error) {
	t.Helper()
	var doc purchasing.PODoc
	err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		doc, err = purchasing.Receive(ctx, tx, number, r)
		return err
	})
	return doc, err
}

func line(no int, qty string) purchasing.ReceiveLine {
	l := purchasing.ReceiveLine{LineNo: no}
	if qty != "" {
		l.Qty = dp(qty)
	}
	return l
}

func showStock(t *testing.T, conn *sqlx.DB, sku string) stock.Detail {
	t.Helper()
	s, err := stock.Show(ctx, conn, sku)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func checkClean(t *testing.T, conn *sqlx.DB) {
	t.Helper()
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		vs, err := stock.Check(ctx, tx)
		if err == nil && len(vs) > 0 {
			t.Fatalf("stock check: %+v", vs)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func onOrder(t *testing.T, conn *sqlx.DB, sku, loc string) decimal.Decimal {
	t.Helper()
	for _, l := range showStock(t, conn, sku).Locations {
		if l.Location == loc {
			return l.OnOrder
		}
	}
	return decimal.Zero
}

// A PO in EUR from draft to received: lines priced from the supplier's break at their
// quantity, totals in EUR and USD, the rate frozen when ordered, receipts partial and
// repeated at the frozen rate, refs applied once, over-receipt refused unless allowed.
func TestPurchaseOrderLifecycle(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	addPrices(t, conn,
		purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("10"), SupplierSKU: str("EW-1"), LeadDays: ip(14)},
		purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("9"), MinQty: dp("10")})
	// 10 W already in stock at 8.00 USD.
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{{SKU: "W", Location: "MAIN", Qty: d("10"), UnitCost: dp("8")}}, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := stock.SetLevels(ctx, conn, "W", "MAIN", stock.LevelChanges{Min: dp("5")}); err != nil {
		t.Fatal(err)
	}

	doc := newPO(t, conn, purchasing.NewPO{Supplier: "EURO", Location: "MAIN"},
		purchasing.LineInput{SKU: "W", Qty: d("12")},
		purchasing.LineInput{SKU: "FEE", Qty: d("1"), Price: dp("5"), TaxRate: dp("20")})
	if doc.Number != "PO-000001" || doc.Status != purchasing.Draft || doc.Currency != "EUR" || doc.RateFrozen {
		t.Fatalf("new PO: %+v", doc.POSummary)
	}
	l1, l2 := doc.Lines[0], doc.Lines[1]
	// 12 W take the break from 10: 9 EUR.
	if !l1.UnitPrice.Equal(d("9")) || l1.PriceSource != purchasing.FromSupplierPrice || l1.SupplierSKU != "EW-1" || !l1.Stocked {
		t.Fatalf("line 1: %+v", l1)
	}
	eq(t, "line 1 amount", l1.Amount, d("108"))
	eq(t, "line 2 tax", l2.Tax, d("1"))
	// Subtotal 113.00 + tax 1.00 = 114.00 EUR; a draft shows USD at today's rate 1.10.
	eq(t, "subtotal", doc.Subtotal, d("113"))
	eq(t, "total", doc.Total, d("114"))
	eq(t, "draft base total", *doc.BaseTotal, d("125.40"))
	if !onOrder(t, conn, "W", "MAIN").IsZero() {
		t.Fatal("a draft is not on order")
	}

	// Refused lines: inactive product, no price from the supplier, bad quantity.
	for _, c := range []struct {
		in    purchasing.LineInput
		field string
	}{
		{purchasing.LineInput{SKU: "OLD", Qty: d("1"), Price: dp("1")}, "sku"},
		{purchasing.LineInput{SKU: "BOLT", Qty: d("1")}, "price"},
		{purchasing.LineInput{SKU: "W", Qty: d("0")}, "qty"},
		{purchasing.LineInput{SKU: "W", Qty: d("1.5")}, "qty"},
		{purchasing.LineInput{SKU: "W", Qty: d("1"), Price: dp("-1")}, "price"},
	} {
		err := tx(t, conn, func(tx *sqlx.Tx) error {
			_, err := purchasing.AddLine(ctx, tx, doc.Number, c.in)
			return err
		})
		if fault.FieldOf(err) != c.field || !fault.Is(err, fault.Invalid) {
			t.Errorf("%s: field %q, want %q: %v", c.in.SKU, fault.FieldOf(err), c.field, err)
		}
	}

	// Receiving a draft is refused; ordering freezes EUR at 1.10 and sets the expected date.
	if _, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{All: true}); err == nil || !strings.Contains(err.Error(), "po order") {
		t.Fatalf("receiving a draft: %v", err)
	}
	doc = order(t, conn, doc.Number, "2026-03-02")
	if doc.Status != purchasing.Ordered || !doc.RateFrozen || !doc.Rate.Equal(d("1.10")) || doc.ExpectedDate.Format("2006-01-02") != "2026-03-16" {
		t.Fatalf("ordered: %+v", doc.POSummary)
	}
	eq(t, "base total", *doc.BaseTotal, d("125.40"))
	eq(t, "on order", onOrder(t, conn, "W", "MAIN"), d("12"))
	// Lines cannot change once ordered.
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := purchasing.AddLine(ctx, tx, doc.Number, purchasing.LineInput{SKU: "W", Qty: d("1")})
		return err
	}); err == nil {
		t.Fatal("a line was added to an ordered PO")
	}
	// A later rate changes nothing on the PO.
	if _, err := currency.SetRate(ctx, conn, "EUR", d("1.30"), date("2026-03-01")); err != nil {
		t.Fatal(err)
	}

	// 5 arrive: valued 9 EUR × 1.10 = 9.90 USD; average (10 × 8 + 5 × 9.90) / 15 = 8.633333.
	doc, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "5")}, Date: datep("2026-03-10")})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != purchasing.PartiallyReceived || !doc.Lines[0].ReceivedQty.Equal(d("5")) || len(doc.Receipts) != 1 {
		t.Fatalf("after 5: %+v", doc)
	}
	eq(t, "receipt unit cost", doc.Receipts[0].UnitCost, d("9.9"))
	s := showStock(t, conn, "W")
	eq(t, "on hand", s.OnHand, d("15"))
	eq(t, "average cost", s.AvgCost, d("8.633333"))
	eq(t, "on order", onOrder(t, conn, "W", "MAIN"), d("7"))

	// Over-receipt refused without --allow-over, naming what is outstanding.
	_, err = receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "8")}})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "PO-000001 line 1 (W)") || !strings.Contains(err.Error(), "outstanding 7") {
		t.Fatalf("over-receipt: %v", err)
	}
	// The rest with a ref, then the same ref again: applied once.
	doc, err = receive(t, conn, doc.Number, purchasing.ReceiveRequest{All: true, Ref: "DN-77"})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != purchasing.Received || doc.AlreadyPosted || !doc.Lines[1].ReceivedQty.Equal(d("1")) {
		t.Fatalf("received: %+v", doc.POSummary)
	}
	again, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{All: true, Ref: "DN-77"})
	if err != nil || !again.AlreadyPosted || len(again.Receipts) != len(doc.Receipts) {
		t.Fatalf("same ref twice: %v %+v", err, again.Receipts)
	}
	s = showStock(t, conn, "W")
	eq(t, "on hand after all", s.OnHand, d("22"))
	// (15 × 8.633333 + 7 × 9.90) / 22 = 9.036363 (rounded to 6 decimals).
	eq(t, "average after all", s.AvgCost, d("9.036363"))
	eq(t, "nothing on order", onOrder(t, conn, "W", "MAIN"), d("0"))

	// Received in full: more only with --allow-over.
	if _, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "1")}}); err == nil {
		t.Fatal("received more than ordered")
	}
	doc, err = receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "1")}, AllowOver: true})
	if err != nil || !doc.Lines[0].ReceivedQty.Equal(d("13")) || doc.Status != purchasing.Received {
		t.Fatalf("allowed over-receipt: %v %+v", err, doc.Lines[0])
	}
	// Every receipt moved stock at the frozen 1.10, not the later 1.30.
	moves, err := stock.Moves(ctx, conn, stock.MoveFilter{Reference: doc.Number})
	if err != nil {
		t.Fatal(err)
	}
	if len(moves) != 3 {
		t.Fatalf("moves: %+v", moves)
	}
	for _, m := range moves {
		if m.Kind != purchasing.KindReceipt || !m.UnitCost.Equal(d("9.9")) || m.From != "~supplier" || m.To != "MAIN" {
			t.Fatalf("move: %+v", m)
		}
	}
	// Cancelling a received PO is refused; a fresh draft cancels.
	if err := tx(t, conn, func(tx *sqlx.Tx) error { _, err := purchasing.Cancel(ctx, tx, doc.Number); return err }); err == nil {
		t.Fatal("cancelled a received PO")
	}
	checkClean(t, conn)

	list, err := purchasing.List(ctx, conn, purchasing.ListFilter{Status: "open"})
	if err != nil || len(list) != 0 {
		t.Fatalf("open POs: %v %+v", err, list)
	}
	if _, err := purchasing.List(ctx, conn, purchasing.ListFilter{Status: "shipped"}); fault.FieldOf(err) != "status" {
		t.Fatalf("bad status: %v", err)
	}
}

// Batches with expiry, serials from --serial-start, bays, and receiving all lines at once.
func TestReceiveBatchesSerialsAndBays(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	doc := newPO(t, conn, purchasing.NewPO{Supplier: "HOME", Location: "MAIN"},
		purchasing.LineInput{SKU: "LOT", Qty: d("10"), Price: dp("2")},
		purchasing.LineInput{SKU: "SER", Qty: d("3"), Price: dp("100")},
		purchasing.LineInput{SKU: "W", Qty: d("4"), Price: dp("5")})
	if !doc.Rate.Equal(d("1")) {
		t.Fatalf("a USD PO has rate 1: %v", doc.Rate)
	}
	order(t, conn, doc.Number, "2026-05-01")

	bad := []struct {
		r    purchasing.ReceiveLine
		want string
	}{
		{line(1, "6"), "batch-tracked"},
		{purchasing.ReceiveLine{LineNo: 2, Serials: []string{"S1", "S2"}, Qty: dp("3")}, "give 3 serial numbers"},
		{purchasing.ReceiveLine{LineNo: 2, Qty: dp("1.5"), SerialStart: "S1"}, "more decimals"},
		{purchasing.ReceiveLine{LineNo: 3, Batch: "B1"}, "not batch-tracked"},
		{purchasing.ReceiveLine{LineNo: 3, Bay: "NOPE"}, "no bay"},
		{purchasing.ReceiveLine{LineNo: 9}, "no line 9"},
	}
	for _, b := range bad {
		if _, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{b.r}}); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("line %d: %v, want %q", b.r.LineNo, err, b.want)
		}
	}

	// One receipt of three lines: 6 LOT in batch B1, the 3 cameras numbered SN0998.., 4 W in bay R1.
	exp := datep("2099-06-30")
	doc, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{
		{LineNo: 1, Qty: dp("6"), Batch: "B1", Expiry: exp},
		{LineNo: 2, SerialStart: "SN0998"},
		{LineNo: 3, Bay: "R1"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != purchasing.PartiallyReceived || len(doc.Receipts) != 3 || doc.Receipts[1].Serials != "SN0998 SN0999 SN1000" {
		t.Fatalf("receipt: %+v", doc.Receipts)
	}
	lot := showStock(t, conn, "LOT")
	if len(lot.Batches) != 1 || lot.Batches[0].Batch != "B1" || lot.Batches[0].Expiry.Format("2006-01-02") != "2099-06-30" || !lot.Batches[0].Qty.Equal(d("6")) {
		t.Fatalf("batches: %+v", lot.Batches)
	}
	ser := showStock(t, conn, "SER")
	if len(ser.Serials) != 3 || ser.Serials[2].Serial != "SN1000" {
		t.Fatalf("serials: %+v", ser.Serials)
	}
	w := showStock(t, conn, "W")
	if len(w.Locations) != 1 || !w.OnHand.Equal(d("4")) {
		t.Fatalf("W: %+v", w)
	}
	// The rest of LOT with --all and a new batch.
	doc, err = receive(t, conn, doc.Number, purchasing.ReceiveRequest{All: true, Defaults: purchasing.ReceiveLine{Batch: "B2", Expiry: datep("2099-12-31")}})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != purchasing.Received || len(showStock(t, conn, "LOT").Batches) != 2 {
		t.Fatalf("all: %+v", doc.POSummary)
	}
	// The same serial cannot arrive twice.
	doc2 := newPO(t, conn, purchasing.NewPO{Supplier: "HOME", Location: "MAIN"}, purchasing.LineInput{SKU: "SER", Qty: d("1"), Price: dp("100")})
	order(t, conn, doc2.Number, "2026-05-02")
	if _, err := receive(t, conn, doc2.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{{LineNo: 1, Serials: []string{"SN0999"}}}}); err == nil || !strings.Contains(err.Error(), "already in stock") {
		t.Fatalf("serial twice: %v", err)
	}
	checkClean(t, conn)
}

// Two receipts of one PO at once never receive more than was ordered, and the stock stays
// consistent: 8 goroutines try to receive 3 of 10 each; at most 3 succeed.
func TestConcurrentReceiptsNeverOverReceive(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	doc := newPO(t, conn, purchasing.NewPO{Supplier: "HOME", Location: "MAIN"}, purchasing.LineInput{SKU: "W", Qty: d("10"), Price: dp("4")})
	order(t, conn, doc.Number, "2026-05-01")
	var ok, refused atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "3")}})
			switch {
			case err == nil:
				ok.Add(1)
			case fault.Is(err, fault.Invalid):
				refused.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 3 || refused.Load() != 5 {
		t.Fatalf("%d receipts succeeded and %d were refused, want 3 and 5", ok.Load(), refused.Load())
	}
	// The same ref from several goroutines at once is applied once.
	var applied atomic.Int64
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "1")}, Ref: "same-truck"})
			if err != nil {
				t.Errorf("ref receipt: %v", err)
			} else if !d.AlreadyPosted {
				applied.Add(1)
			}
		}()
	}
	wg.Wait()
	if applied.Load() != 1 {
		t.Fatalf("ref applied %d times", applied.Load())
	}
	got, err := purchasing.Get(ctx, conn, doc.Number)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "received", got.Lines[0].ReceivedQty, d("10"))
	if got.Status != purchasing.Received {
		t.Fatalf("status %s", got.Status)
	}
	eq(t, "on hand", showStock(t, conn, "W").OnHand, d("10"))
	checkClean(t, conn)
}
