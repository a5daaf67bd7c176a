package purchasing_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/render"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/rfq"
)

var printed = time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC)

func renderPO(t *testing.T, conn *sqlx.DB, number string, opt purchasing.RenderOptions) (string, string, error) {
	t.Helper()
	opt.Now = printed
	b, used, err := purchasing.RenderPO(ctx, conn, number, opt)
	return string(b), used, err
}

func TestRenderPurchaseOrder(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	if _, err := company.Edit(ctx, conn, "EURO", company.Changes{Address: str("Werkstr. 5, 70173 Stuttgart"), Email: str("sales@euro.example")}); err != nil {
		t.Fatal(err)
	}
	addPrices(t, conn, purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("12.5"), SupplierSKU: str("EW-1")})
	doc := newPO(t, conn, purchasing.NewPO{Supplier: "EURO", Location: "MAIN", Notes: "Deliver to gate 3 <before noon>"},
		purchasing.LineInput{SKU: "W", Qty: d("8")},
		purchasing.LineInput{SKU: "BOLT", Qty: d("250"), Price: dp("0.0125"), TaxRate: dp("19")})
	order(t, conn, doc.Number, "2026-06-01")

	html, used, err := renderPO(t, conn, doc.Number, purchasing.RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if used != "built-in po.html" {
		t.Fatalf("template used: %s", used)
	}
	for _, want := range []string{
		"<title>Purchase order PO-000001</title>",
		"@media print",
		"EURO supplies (EURO)", "Werkstr. 5, 70173 Stuttgart", "sales@euro.example",
		"MAIN (MAIN)",
		"<b>Order date</b> 2026-06-01",
		"1 EUR = 1.1 USD",
		"<td>EW-1</td><td>Widget</td><td class=\"num\">8</td><td>ea</td><td class=\"num\">12.50</td>",
		// 250 × 0.0125 = 3.125 → 3.13 (round half away from zero); the price keeps its 4 decimals.
		"<td class=\"num\">0.0125</td><td class=\"num\">19</td><td class=\"num\">3.13</td>",
		// Subtotal 100.00 + 3.13; tax 19% of 3.13 = 0.59; total 103.72 EUR = 114.09 USD.
		"Subtotal EUR</td><td class=\"num\">103.13</td>",
		"Tax EUR</td><td class=\"num\">0.59</td>",
		"Total EUR</td><td class=\"num\">103.72</td>",
		"Total USD at 1.1</td><td class=\"num\">114.09</td>",
		"Deliver to gate 3 &lt;before noon&gt;", // escaped by html/template
		"Printed 2026-06-05",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(html)
		return
	}

	pdf, _, err := renderPO(t, conn, doc.Number, purchasing.RenderOptions{Format: "pdf"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pdf, "%PDF-1.") || !strings.HasSuffix(strings.TrimSpace(pdf), "%%EOF") || !strings.Contains(pdf, "/Count 1") {
		t.Fatalf("not a one-page PDF: %.200q", pdf)
	}
	if _, _, err := renderPO(t, conn, doc.Number, purchasing.RenderOptions{Format: "docx"}); fault.FieldOf(err) != "format" {
		t.Fatalf("format: %v", err)
	}
}

// A user template renders the same data; a broken one is refused naming its line.
func TestUserTemplates(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	doc := newPO(t, conn, purchasing.NewPO{Supplier: "BRIT", Location: "MAIN"}, purchasing.LineInput{SKU: "W", Qty: d("2"), Price: dp("7")})
	mine := render.Template{Name: "mine.html", Body: `<h1>{{.Number}} for {{.Supplier.Code}}</h1>
{{range .Lines}}<p>{{.SKU}} × {{qty .Qty}} at {{price .UnitPrice}} {{$.Currency}}</p>{{end}}
<p>Total {{money .Total}}{{with .BaseTotal}} ({{basemoney .}} {{$.BaseCurrency}}){{end}}</p>`}
	html, used, err := renderPO(t, conn, doc.Number, purchasing.RenderOptions{Template: &mine})
	if err != nil {
		t.Fatal(err)
	}
	// A draft shows USD at today's rate (1.25 since 2026-01-01): 14.00 GBP = 17.50 USD.
	if used != "mine.html" || !strings.Contains(html, "<h1>PO-000001 for BRIT</h1>") || !strings.Contains(html, "<p>W × 2 at 7.00 GBP</p>") ||
		!strings.Contains(html, "Total 14.00 (17.50 USD)") {
		t.Fatalf("user template: %s", html)
	}

	broken := render.Template{Name: "broken.html", Body: "<h1>{{.Number}}</h1>\n<p>\n{{.Total | euros}}\n</p>"}
	_, _, err = renderPO(t, conn, doc.Number, purchasing.RenderOptions{Template: &broken})
	if fault.FieldOf(err) != "template" || !strings.Contains(err.Error(), "broken.html:3") {
		t.Fatalf("parse error names the line: %v", err)
	}
	wrongField := render.Template{Name: "field.html", Body: "<p>ok</p>\n<p>{{.Nmber}}</p>"}
	_, _, err = renderPO(t, conn, doc.Number, purchasing.RenderOptions{Template: &wrongField})
	if !strings.Contains(err.Error(), "field.html:2:") || !strings.Contains(err.Error(), "Nmber") {
		t.Fatalf("execution error names the line: %v", err)
	}

	// Stored defaults: the supplier's own beats the system's, which beats the built-in one.
	set := func(supplier string, tpl render.Template) error {
		return tx(t, conn, func(tx *sqlx.Tx) error {
			_, err := purchasing.SetTemplate(ctx, tx, purchasing.KindPO, supplier, tpl)
			return err
		})
	}
	if err := set("", broken); err == nil || !strings.Contains(err.Error(), "broken.html:3") {
		t.Fatalf("a broken template is not stored: %v", err)
	}
	if err := set("", render.Template{Name: "house.html", Body: "<p>HOUSE {{.Number}}</p>"}); err != nil {
		t.Fatal(err)
	}
	if err := set("BRIT", render.Template{Name: "brit.html", Body: "<p>BRIT {{.Number}}</p>"}); err != nil {
		t.Fatal(err)
	}
	html, used, _ = renderPO(t, conn, doc.Number, purchasing.RenderOptions{})
	if html != "<p>BRIT PO-000001</p>" || !strings.Contains(used, "BRIT's po template (brit.html)") {
		t.Fatalf("supplier template: %s (%s)", html, used)
	}
	other := newPO(t, conn, purchasing.NewPO{Supplier: "HOME", Location: "MAIN"}, purchasing.LineInput{SKU: "W", Qty: d("1"), Price: dp("1")})
	if html, _, _ := renderPO(t, conn, other.Number, purchasing.RenderOptions{}); html != "<p>HOUSE PO-000002</p>" {
		t.Fatalf("system template: %s", html)
	}
	if html, _, _ := renderPO(t, conn, doc.Number, purchasing.RenderOptions{Template: &mine}); !strings.Contains(html, "<h1>") {
		t.Fatalf("--template beats stored ones: %s", html)
	}
	list, err := purchasing.Templates(ctx, conn, purchasing.KindPO)
	if err != nil || len(list) != 2 || list[0].Supplier != nil || *list[1].Supplier != "BRIT" || list[1].Source != "brit.html" {
		t.Fatalf("templates: %v %+v", err, list)
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error { return purchasing.ResetTemplate(ctx, tx, purchasing.KindPO, "BRIT") }); err != nil {
		t.Fatal(err)
	}
	if html, _, _ := renderPO(t, conn, doc.Number, purchasing.RenderOptions{}); html != "<p>HOUSE PO-000001</p>" {
		t.Fatalf("after reset: %s", html)
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error { return purchasing.ResetTemplate(ctx, tx, purchasing.KindPO, "BRIT") }); !fault.Is(err, fault.NotFound) {
		t.Fatalf("reset twice: %v", err)
	}
}

func TestRenderRFQ(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	r := newRFQ(t, conn, rfq.NewRFQInput{Supplier: "EURO", Location: "MAIN", RespondBy: datep("2026-06-20")},
		[2]string{"W", "40"}, [2]string{"BOLT", "1000"})
	if _, err := quote(t, conn, r.Number, 2, rfq.QuoteInput{Price: d("0.011"), LeadDays: ip(9), Date: datep("2026-06-02")}); err != nil {
		t.Fatal(err)
	}
	b, _, err := rfq.RenderRFQ(ctx, conn, r.Number, purchasing.RenderOptions{Now: printed})
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{"Request for quotation RFQ-000001", "<b>Please reply by</b> 2026-06-20", "<b>Quote in</b> EUR",
		`<td>W</td><td></td><td>Widget</td><td class="num">40</td><td>ea</td><td class="num">&nbsp;</td>`,
		`<td class="num">0.011</td><td class="num">9</td>`} {
		if !strings.Contains(html, want) {
			t.Errorf("RFQ HTML lacks %q\n%s", want, html)
		}
	}
	pdf, _, err := rfq.RenderRFQ(ctx, conn, r.Number, purchasing.RenderOptions{Format: "pdf"})
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("RFQ PDF: %v", err)
	}
}
