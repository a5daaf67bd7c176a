package purchasing_test

import (
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/orders/purchasing"
	rfqs "github.com/stockctl/stockctl/orders/rfq"
)

// A supplier price per box of 12 is converted exactly for lines in other units; PO lines are
// entered and priced in their own unit (default the purchase unit), received in stock units
// and valued per stock unit.
func TestPurchaseLinesInTheirOwnUnit(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		if _, err := catalog.Add(ctx, tx, "CUP", catalog.Changes{Name: str("Cup"), PurchaseUOM: str("crate")}); err == nil {
			t.Fatal("a purchase unit that is no unit or pack was taken")
		}
		if _, err := catalog.Add(ctx, tx, "CUP", catalog.Changes{Name: str("Cup")}); err != nil {
			return err
		}
		if _, err := catalog.AddPack(ctx, tx, "CUP", "case", d("12")); err != nil {
			return err
		}
		_, err := catalog.Edit(ctx, tx, "CUP", catalog.Changes{PurchaseUOM: str("case")})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// 60.00 EUR per case of 12 from 1 case (12 ea), 54.00 per case from 2 cases (24 ea).
	ps := addPrices(t, conn,
		purchasing.PriceInput{Supplier: "EURO", SKU: "CUP", Price: d("60"), Unit: "case"},
		purchasing.PriceInput{Supplier: "EURO", SKU: "CUP", Price: d("54"), Unit: "case", MinQty: dp("2")})
	if ps[0].Unit != "case" || !ps[0].UnitQty.Equal(d("12")) || !ps[0].MinQty.Equal(d("12")) || !ps[1].MinQty.Equal(d("24")) {
		t.Fatalf("prices %+v", ps)
	}
	// Best offer for 12 ea: 60 / 12 = 5.00 per ea; for 30 ea the break from 24: 54 / 12 = 4.50.
	os, err := purchasing.Offers(ctx, conn, "CUP", d("12"), clock.Today())
	if err != nil || len(os) != 1 {
		t.Fatalf("offers %+v %v", os, err)
	}
	eq(t, "price per ea at 12", os[0].Price, d("5"))
	os, _ = purchasing.Offers(ctx, conn, "CUP", d("30"), clock.Today())
	eq(t, "price per ea at 30", os[0].Price, d("4.5"))

	doc := newPO(t, conn, purchasing.NewPO{Supplier: "EURO", Location: "MAIN"},
		// No unit: the purchase unit case. 2 case = 24 ea: the break from 24, 54.00 per case;
		// amount 2 × 54 = 108.00.
		purchasing.LineInput{SKU: "CUP", Qty: d("2")},
		// 6 ea (below the 24 break): 60 per case / 12 = 5.00 per ea; 6 × 5 = 30.00.
		purchasing.LineInput{SKU: "CUP", Qty: d("6"), Unit: "ea"},
		// 3 box of 100 BOLT at 1.50 per box given: 300 ea, 4.50.
		purchasing.LineInput{SKU: "BOLT", Qty: d("3"), Unit: "box", Price: dp("1.5")})
	l1, l2, l3 := doc.Lines[0], doc.Lines[1], doc.Lines[2]
	if l1.Unit != "case" || l1.StockUnit != "ea" || l2.Unit != "ea" || l3.Unit != "box" {
		t.Fatalf("units %+v %+v %+v", l1, l2, l3)
	}
	eq(t, "line 1 entered", l1.EnteredQty, d("2"))
	eq(t, "line 1 stock qty", l1.Qty, d("24"))
	eq(t, "line 1 price per case", l1.UnitPrice, d("54"))
	eq(t, "line 1 amount", l1.Amount, d("108"))
	eq(t, "line 2 price per ea", l2.UnitPrice, d("5"))
	eq(t, "line 2 amount", l2.Amount, d("30"))
	eq(t, "line 3 stock qty", l3.Qty, d("300"))
	eq(t, "line 3 amount", l3.Amount, d("4.5"))
	// 108 + 30 + 4.50 = 142.50 EUR.
	eq(t, "subtotal", doc.Subtotal, d("142.5"))

	// A quantity that does not convert exactly is refused naming both units; nothing is added.
	err = tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := purchasing.AddLine(ctx, tx, doc.Number, purchasing.LineInput{SKU: "CUP", Qty: d("0.1"), Price: dp("1")})
		return err
	})
	// 0.1 case = 1.2 ea; ea keeps 0 decimals.
	if !fault.Is(err, fault.Invalid) || err.Error() != "CUP: 0.1 case is 1.2 ea, but ea keeps 0 decimals: give a quantity in case that converts exactly to ea" {
		t.Fatalf("0.1 case: %v", err)
	}

	// Ordered at 1.10 USD per EUR. Receiving 12 ea of line 1 (1 case) values each ea at
	// 54 / 12 = 4.50 EUR × 1.10 = 4.95 USD; line 3's bolts at 1.50 / 100 × 1.10 = 0.0165.
	doc = order(t, conn, doc.Number, "2026-03-02")
	if len(doc.Lines) != 3 {
		t.Fatalf("the refused line was added: %+v", doc.Lines)
	}
	eq(t, "line 1 unit cost (USD per ea)", *doc.Lines[0].UnitCost, d("4.95"))
	doc, err = receive(t, conn, doc.Number, purchasing.ReceiveRequest{Lines: []purchasing.ReceiveLine{line(1, "12"), line(3, "")}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "line 1 received (ea)", doc.Lines[0].ReceivedQty, d("12"))
	eq(t, "line 1 outstanding (ea)", doc.Lines[0].Outstanding, d("12"))
	eq(t, "receipt cost per ea", doc.Receipts[0].UnitCost, d("4.95"))
	eq(t, "receipt cost per bolt", doc.Receipts[1].UnitCost, d("0.0165"))
	eq(t, "CUP on hand", showStock(t, conn, "CUP").OnHand, d("12"))
	eq(t, "CUP average cost", showStock(t, conn, "CUP").AvgCost, d("4.95"))

	// The document shows the line's unit, the stock quantity in brackets and the price per unit.
	html, _, err := renderPO(t, conn, doc.Number, purchasing.RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<td class="num">2</td><td>case (24 ea)</td><td class="num">54.00/case</td>`,
		`<td class="num">6</td><td>ea</td><td class="num">5.00</td>`,
		`<td class="num">3</td><td>box (300 ea)</td><td class="num">1.50/box</td>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("PO document lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(html)
	}
}

// An RFQ line asks in the purchase unit, is quoted per that unit and converts into a PO line
// in the same unit; quotes compare per stock unit.
func TestRFQLinesInTheirOwnUnit(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	var rfq rfqs.RFQDoc
	err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		if _, err = catalog.Edit(ctx, tx, "BOLT", catalog.Changes{PurchaseUOM: str("box")}); err != nil {
			return err
		}
		if rfq, err = rfqs.NewRFQ(ctx, tx, rfqs.NewRFQInput{Supplier: "EURO", Location: "MAIN"}); err != nil {
			return err
		}
		if _, err = rfqs.AddRFQLine(ctx, tx, rfq.Number, "BOLT", d("5"), ""); err != nil {
			return err
		}
		_, err = rfqs.AddRFQLine(ctx, tx, rfq.Number, "BOLT", d("150"), "ea")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Line 1: 5 box (500 ea) at 2.00 per box: 10.00. Line 2: 150 ea at 0.03: 4.50. Total 14.50.
	for _, q := range []struct {
		line  int
		price string
	}{{1, "2"}, {2, "0.03"}} {
		if err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
			rfq, err = rfqs.RecordQuote(ctx, tx, rfq.Number, q.line, rfqs.QuoteInput{Price: d(q.price)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if l := rfq.Lines[0]; l.Unit != "box" || !l.EnteredQty.Equal(d("5")) || !l.Qty.Equal(d("500")) || !l.Amount.Equal(d("10")) {
		t.Fatalf("line 1 %+v", l)
	}
	eq(t, "quoted total", rfq.QuotedTotal, d("14.5"))
	// Per stock unit: 2.00 / 100 = 0.02 beats 0.03.
	cmp, err := rfqs.Compare(ctx, conn, "BOLT", clock.Today())
	if err != nil || len(cmp) != 2 || cmp[0].LineNo != 1 || !cmp[0].Price.Equal(d("0.02")) || !cmp[1].Price.Equal(d("0.03")) {
		t.Fatalf("compare %+v %v", cmp, err)
	}
	var po purchasing.PODoc
	if err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		po, err = rfqs.Convert(ctx, tx, rfq.Number, rfqs.ConvertInput{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if l := po.Lines[0]; l.Unit != "box" || !l.EnteredQty.Equal(d("5")) || !l.Qty.Equal(d("500")) || !l.UnitPrice.Equal(d("2")) {
		t.Fatalf("PO line 1 %+v", l)
	}
	eq(t, "PO subtotal", po.Subtotal, d("14.5"))
}
