package commands

import (
	"strings"
	"testing"
)

type rfqJSON struct {
	Number      string  `json:"number"`
	Supplier    string  `json:"supplier"`
	Location    *string `json:"location"`
	Currency    string  `json:"currency"`
	Status      string  `json:"status"`
	QuotedTotal string  `json:"quoted_total"`
	PO          *string `json:"po"`
	Lines       []struct {
		LineNo int     `json:"line_no"`
		SKU    string  `json:"sku"`
		Qty    string  `json:"qty"`
		Price  *string `json:"price"`
	} `json:"lines"`
}

func TestRfqCommands(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	var rfq rfqJSON
	run(t, url, "rfq", "new", "EURO", "--location", "MAIN", "--respond-by", "2026-07-01", "-o", "json").
		wantCode(t, ExitOK).wantErr(t, "RFQ-000001 created").json(t, &rfq)
	if rfq.Number != "RFQ-000001" || rfq.Status != "open" || rfq.Currency != "EUR" {
		t.Fatalf("new: %+v", rfq)
	}
	run(t, url, "rfq", "add", "RFQ-000001", "W", "40").wantCode(t, ExitOK)
	run(t, url, "rfq", "add", "RFQ-000001", "BOLT", "5", "--unit", "box", "-o", "json").wantCode(t, ExitOK).json(t, &rfq)
	if rfq.Lines[1].Qty != "500" {
		t.Fatalf("box of 100: %+v", rfq.Lines)
	}
	run(t, url, "rfq", "new", "BRIT").wantCode(t, ExitOK)
	run(t, url, "rfq", "add", "RFQ-000002", "W", "40").wantCode(t, ExitOK)

	run(t, url, "rfq", "quote", "RFQ-000001", "1", "--price", "9", "--date", "2026-06-01", "--valid-until", "2026-12-31", "--lead-days", "20").wantCode(t, ExitOK)
	// Line 2 asks for 5 box: quoted per box, 2.00 × 5 = 10.00; with 40 × 9 = 360: 370.00.
	run(t, url, "rfq", "quote", "RFQ-000001", "2", "--price", "2", "--date", "2026-06-01", "-o", "json").wantCode(t, ExitOK).json(t, &rfq)
	if rfq.Status != "quoted" || rfq.QuotedTotal != "370.00" {
		t.Fatalf("quoted: %+v", rfq)
	}
	run(t, url, "rfq", "quote", "RFQ-000002", "1", "--price", "7", "--date", "2026-06-02").wantCode(t, ExitOK)

	// 7 GBP × 1.25 = 8.75 USD beats 9 EUR × 1.10 = 9.90 USD.
	var cmp []struct {
		Rank      int    `json:"rank"`
		RFQ       string `json:"rfq"`
		BasePrice string `json:"base_price"`
		Best      bool   `json:"best"`
	}
	run(t, url, "rfq", "compare", "W", "--date", "2026-06-03", "-o", "json").wantCode(t, ExitOK).json(t, &cmp)
	if len(cmp) != 2 || cmp[0].RFQ != "RFQ-000002" || cmp[0].BasePrice != "8.75" || !cmp[0].Best || cmp[1].BasePrice != "9.9" {
		t.Fatalf("compare: %+v", cmp)
	}
	run(t, url, "rfq", "convert", "RFQ-000002").wantCode(t, ExitInvalid).wantErr(t, "--location")
	var po poJSON
	run(t, url, "rfq", "convert", "RFQ-000002", "--location", "MAIN", "-o", "json").wantCode(t, ExitOK).
		wantErr(t, "RFQ-000002 converted into draft PO-000001").json(t, &po)
	if po.Supplier != "BRIT" || po.Currency != "GBP" || po.Lines[0].UnitPrice != "7" || po.Lines[0].PriceSource != "RFQ-000002 line 1" || po.Origin != "RFQ-000002" {
		t.Fatalf("converted: %+v", po)
	}
	run(t, url, "rfq", "show", "RFQ-000002", "-o", "json").wantCode(t, ExitOK).json(t, &rfq)
	if rfq.Status != "converted" || *rfq.PO != "PO-000001" {
		t.Fatalf("after convert: %+v", rfq)
	}
	r := run(t, url, "rfq", "show", "RFQ-000001").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "number\tRFQ-000001\n") || !strings.Contains(r.out, "\n\n1\tW\t") {
		t.Fatalf("table:\n%s", r.out)
	}
	var list []rfqJSON
	run(t, url, "rfq", "list", "--status", "quoted", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 1 || list[0].Number != "RFQ-000001" {
		t.Fatalf("list: %+v", list)
	}
	run(t, url, "rfq", "cancel", "RFQ-000001", "-o", "json").wantCode(t, ExitOK).json(t, &rfq)
	if rfq.Status != "cancelled" {
		t.Fatalf("cancel: %+v", rfq)
	}
	// Errors.
	run(t, url, "rfq", "quote", "RFQ-000001", "1").wantCode(t, ExitUsage).wantErr(t, "--price")
	run(t, url, "rfq", "quote", "RFQ-000002", "x", "--price", "1").wantCode(t, ExitUsage).wantErr(t, "LINE")
	run(t, url, "rfq", "quote", "RFQ-000001", "1", "--price", "1").wantCode(t, ExitInvalid).wantErr(t, "cancelled")
	run(t, url, "rfq", "add", "RFQ-000009", "W", "1").wantCode(t, ExitNotFound)
	run(t, url, "rfq", "new", "CUST").wantCode(t, ExitInvalid).wantErr(t, "not a supplier")
	run(t, url, "rfq", "list", "--status", "won").wantCode(t, ExitInvalid)
	if r := run(t, url, "rfq", "compare", "LOT").wantCode(t, ExitOK); !strings.Contains(r.err, "no quotes for LOT") {
		t.Fatalf("no quotes: %q", r.err)
	}
}
