package purchasing_test

import (
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/rfq"
)

func newRFQ(t *testing.T, conn *sqlx.DB, in rfq.NewRFQInput, lines ...[2]string) rfq.RFQDoc {
	t.Helper()
	var doc rfq.RFQDoc
	if err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		if doc, err = rfq.NewRFQ(ctx, tx, in); err != nil {
			return err
		}
		for _, l := range lines {
			if doc, err = rfq.AddRFQLine(ctx, tx, doc.Number, l[0], d(l[1]), ""); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return doc
}

func quote(t *testing.T, conn *sqlx.DB, number string, line int, in rfq.QuoteInput) (rfq.RFQDoc, error) {
	t.Helper()
	var doc rfq.RFQDoc
	err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		doc, err = rfq.RecordQuote(ctx, tx, number, line, in)
		return err
	})
	return doc, err
}

func convert(t *testing.T, conn *sqlx.DB, number string, in rfq.ConvertInput) (purchasing.PODoc, error) {
	t.Helper()
	var doc purchasing.PODoc
	err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		doc, err = rfq.Convert(ctx, tx, number, in)
		return err
	})
	return doc, err
}

// Two suppliers are asked for the same 50 W; their quotes are compared in USD and the
// better one becomes a purchase order at the quoted prices.
func TestRFQQuoteCompareConvert(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	addPrices(t, conn, purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("10"), SupplierSKU: str("EW-1")})
	euro := newRFQ(t, conn, rfq.NewRFQInput{Supplier: "EURO", Location: "MAIN", RespondBy: datep("2026-06-10")},
		[2]string{"W", "50"}, [2]string{"BOLT", "500"})
	brit := newRFQ(t, conn, rfq.NewRFQInput{Supplier: "BRIT"}, [2]string{"W", "50"})
	if euro.Number != "RFQ-000001" || euro.Status != rfq.RFQOpen || euro.Currency != "EUR" || euro.Lines[0].SupplierSKU != "EW-1" || *euro.Location != "MAIN" {
		t.Fatalf("new RFQ: %+v", euro)
	}
	if _, err := quote(t, conn, euro.Number, 1, rfq.QuoteInput{Price: d("9"), Date: datep("2026-06-01"), ValidUntil: datep("2026-12-31"), LeadDays: ip(20)}); err != nil {
		t.Fatal(err)
	}
	doc, err := quote(t, conn, brit.Number, 1, rfq.QuoteInput{Price: d("8.50"), Date: datep("2026-06-02"), SupplierSKU: str("BW-50")})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != rfq.RFQQuoted || doc.Lines[0].SupplierSKU != "BW-50" {
		t.Fatalf("BRIT quoted: %+v", doc)
	}
	// EURO still has an unquoted line.
	if _, err := convert(t, conn, euro.Number, rfq.ConvertInput{}); !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "--skip-unquoted") {
		t.Fatalf("unquoted line: %v", err)
	}
	doc, err = quote(t, conn, euro.Number, 2, rfq.QuoteInput{Price: d("0.02"), Date: datep("2026-06-01")})
	if err != nil || doc.Status != rfq.RFQQuoted {
		t.Fatalf("EURO quoted: %v %+v", err, doc)
	}
	eq(t, "quoted total", doc.QuotedTotal, d("460")) // 50 × 9 + 500 × 0.02

	// 9 EUR × 1.10 = 9.90 USD beats 8.50 GBP × 1.25 = 10.625 USD.
	cmp, err := rfq.Compare(ctx, conn, "W", date("2026-06-03"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp) != 2 || cmp[0].RFQ != euro.Number || !cmp[0].Best || cmp[1].Best || !cmp[1].BasePrice.Equal(d("10.625")) {
		t.Fatalf("compare: %+v", cmp)
	}

	po, err := convert(t, conn, euro.Number, rfq.ConvertInput{Date: datep("2026-06-03")})
	if err != nil {
		t.Fatal(err)
	}
	if po.Status != purchasing.Draft || po.Supplier != "EURO" || po.Location != "MAIN" || po.Currency != "EUR" || po.Origin != euro.Number || len(po.Lines) != 2 {
		t.Fatalf("converted: %+v", po)
	}
	if !po.Lines[0].UnitPrice.Equal(d("9")) || po.Lines[0].PriceSource != "RFQ-000001 line 1" || !po.Lines[1].Qty.Equal(d("500")) {
		t.Fatalf("PO lines: %+v", po.Lines)
	}
	got, _ := rfq.GetRFQ(ctx, conn, euro.Number)
	if got.Status != rfq.RFQConverted || *got.PO != po.Number {
		t.Fatalf("RFQ after convert: %+v", got.RFQSummary)
	}
	if _, err := convert(t, conn, euro.Number, rfq.ConvertInput{}); err == nil {
		t.Fatal("converted twice")
	}
	if _, err := quote(t, conn, euro.Number, 1, rfq.QuoteInput{Price: d("1")}); err == nil {
		t.Fatal("quoted a converted RFQ")
	}
	// Once converted it is no longer the best choice to make.
	cmp, _ = rfq.Compare(ctx, conn, "W", date("2026-06-03"))
	if cmp[0].Best || !cmp[1].Best {
		t.Fatalf("compare after convert: %+v", cmp)
	}
	// Cancelling the PO lets the RFQ be converted again.
	if err := tx(t, conn, func(tx *sqlx.Tx) error { _, err := purchasing.Cancel(ctx, tx, po.Number); return err }); err != nil {
		t.Fatal(err)
	}
	if got, _ := rfq.GetRFQ(ctx, conn, euro.Number); got.Status != rfq.RFQQuoted || got.PO != nil {
		t.Fatalf("RFQ after the PO was cancelled: %+v", got.RFQSummary)
	}

	// BRIT's RFQ has no location: convert needs one.
	if _, err := convert(t, conn, brit.Number, rfq.ConvertInput{}); fault.FieldOf(err) != "location" {
		t.Fatalf("no location: %v", err)
	}
	// An expired quote is refused.
	late := newRFQ(t, conn, rfq.NewRFQInput{Supplier: "HOME", Location: "MAIN"}, [2]string{"W", "5"}, [2]string{"BOLT", "100"})
	if _, err := quote(t, conn, late.Number, 1, rfq.QuoteInput{Price: d("12"), Date: datep("2026-01-01"), ValidUntil: datep("2026-01-31")}); err != nil {
		t.Fatal(err)
	}
	if _, err := convert(t, conn, late.Number, rfq.ConvertInput{SkipUnquoted: true, Date: datep("2026-02-01")}); err == nil || !strings.Contains(err.Error(), "expired on 2026-01-31") {
		t.Fatalf("expired: %v", err)
	}
	po, err = convert(t, conn, late.Number, rfq.ConvertInput{SkipUnquoted: true, Date: datep("2026-01-15")})
	if err != nil || len(po.Lines) != 1 {
		t.Fatalf("skip unquoted: %v %+v", err, po.Lines)
	}
	// Bad input.
	for _, c := range []struct {
		line  int
		in    rfq.QuoteInput
		field string
	}{
		{1, rfq.QuoteInput{Price: d("-1")}, "price"},
		{7, rfq.QuoteInput{Price: d("1")}, "line"},
		{1, rfq.QuoteInput{Price: d("1"), Date: datep("2026-05-01"), ValidUntil: datep("2026-04-01")}, "valid-until"},
	} {
		if _, err := quote(t, conn, brit.Number, c.line, c.in); fault.FieldOf(err) != c.field {
			t.Errorf("quote %+v: field %q want %q: %v", c.in, fault.FieldOf(err), c.field, err)
		}
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := rfq.AddRFQLine(ctx, tx, brit.Number, "OLD", d("1"), "")
		return err
	}); fault.FieldOf(err) != "sku" {
		t.Fatalf("inactive product on an RFQ: %v", err)
	}
	list, err := rfq.RFQs(ctx, conn, "quoted", "")
	if err != nil || len(list) != 2 {
		t.Fatalf("quoted RFQs: %v %+v", err, list)
	}
}
