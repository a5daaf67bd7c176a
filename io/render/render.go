// Package render turns a document (plain data the domain fills) into HTML through an
// html/template template, and that HTML into a PDF; it embeds the built-in templates.
package render

import (
	"bytes"
	"embed"
	"html/template"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/fault"
)

//go:embed templates/*.html
var builtin embed.FS

// Document kinds that render: each has a built-in template, templates/<kind>.html.
const (
	KindPO  = "po"
	KindRFQ = "rfq"
)

// Formats a document renders to.
const (
	HTML = "html"
	PDF  = "pdf"
)

// Party is a supplier or the ship-to location on a rendered document.
type Party struct {
	Code    string
	Name    string
	Address string
	Email   string
}

// DocLine is one line of a rendered document. UnitPrice, Amount and TaxRate are nil on an RFQ
// line nobody has quoted yet.
type DocLine struct {
	No          int
	SKU         string
	SupplierSKU string
	Name        string
	Qty         decimal.Decimal // in Unit, the line's own unit
	Unit        string
	StockQty    decimal.Decimal  // Qty in the product's stock unit
	StockUnit   string           // equal to Unit for a line in the stock unit
	UnitPrice   *decimal.Decimal // per Unit
	Amount      *decimal.Decimal
	TaxRate     *decimal.Decimal
	Tax         *decimal.Decimal
	LeadDays    *int
	ValidUntil  *time.Time
}

// Document is what RFQ and PO templates render: the document with its lines, the supplier,
// the ship-to location and totals in the document's currency and in the base currency.
// Templates also get the functions money and basemoney (an amount to the document's or the
// base currency's minor unit), price (a unit price with at least the minor unit's decimals),
// qty (a quantity as it is) and date (YYYY-MM-DD, or empty).
type Document struct {
	Kind         string // po or rfq
	Title        string // "Purchase order" or "Request for quotation"
	Number       string
	Status       string
	Date         *time.Time // order date (a draft: today), or the RFQ's date
	Expected     *time.Time // POs: the expected delivery date
	RespondBy    *time.Time // RFQs: the reply wanted by
	Supplier     Party
	ShipTo       *Party
	Currency     string
	BaseCurrency string
	Rate         *decimal.Decimal // POs: base units per one unit of Currency
	RateFrozen   bool             // false: the rate of the day, for information
	Lines        []DocLine
	Subtotal     decimal.Decimal
	Tax          decimal.Decimal
	Total        decimal.Decimal
	BaseSubtotal *decimal.Decimal
	BaseTotal    *decimal.Decimal
	Notes        string
	Printed      time.Time

	// Places and BasePlaces are the minor units of Currency and BaseCurrency, which money,
	// basemoney and price round to.
	Places, BasePlaces int32
}

// Template is a template: its name (shown in errors) and its text.
type Template struct {
	Name string
	Body string
}

// priceScale is the most decimals a unit price may have (0.0215 per screw).
const priceScale = 6

// Render renders doc with tpl to format (html, or pdf: the HTML laid out on pages).
func Render(doc Document, tpl Template, format string) ([]byte, error) {
	html, err := execute(tpl, doc)
	if err != nil {
		return nil, err
	}
	if format == HTML {
		return html, nil
	}
	pdf, err := htmlToPDF(html, doc.Title+" "+doc.Number, true)
	if err != nil {
		return nil, fault.Wrap(fault.Invalid, err, "template %s: laying out the PDF", tpl.Name)
	}
	return pdf, nil
}

// Check renders a sample document of kind with tpl to HTML and to PDF, so a broken template
// is refused when it is stored, naming its line, rather than when a document is printed.
func Check(kind string, tpl Template) error {
	for _, format := range []string{HTML, PDF} {
		html, err := execute(tpl, sampleDocument(kind))
		if err == nil && format == PDF {
			_, err = htmlToPDF(html, "sample", true)
		}
		if err != nil {
			return fault.Wrap(fault.Invalid, err, "rendering a sample %s", kind)
		}
	}
	return nil
}

// execute parses and runs a template on doc. Errors name the template and, as html/template
// reports them, the line (and column) in it.
func execute(tpl Template, doc Document) ([]byte, error) {
	t, err := template.New(tpl.Name).Funcs(funcs(doc)).Parse(tpl.Body)
	if err != nil {
		return nil, fault.Invalidf("template", "template %s does not parse: %v", tpl.Name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, doc); err != nil {
		return nil, fault.Invalidf("template", "template %s failed on %s: %v", tpl.Name, doc.Number, err)
	}
	return buf.Bytes(), nil
}

// funcs are the template functions; money and price know the document's currency.
func funcs(doc Document) template.FuncMap {
	amount := func(places int32) func(v any) string {
		return func(v any) string {
			d, ok := asDecimal(v)
			if !ok {
				return ""
			}
			return d.StringFixed(places)
		}
	}
	return template.FuncMap{
		"money":     amount(doc.Places),
		"basemoney": amount(doc.BasePlaces),
		"price": func(v any) string {
			d, ok := asDecimal(v)
			if !ok {
				return ""
			}
			places := doc.Places
			if e := -d.Exponent(); e > places {
				places = min(e, priceScale)
			}
			return d.StringFixed(places)
		},
		"qty": func(v any) string {
			d, ok := asDecimal(v)
			if !ok {
				return ""
			}
			return normal(d).String()
		},
		"date": func(v any) string {
			switch t := v.(type) {
			case time.Time:
				return t.Format(time.DateOnly)
			case *time.Time:
				if t != nil {
					return t.Format(time.DateOnly)
				}
			}
			return ""
		},
	}
}

func asDecimal(v any) (decimal.Decimal, bool) {
	switch d := v.(type) {
	case decimal.Decimal:
		return d, true
	case *decimal.Decimal:
		if d != nil {
			return *d, true
		}
	}
	return decimal.Zero, false
}

// normal drops trailing zeros (11.0 and 11.000 print as 11).
func normal(v decimal.Decimal) decimal.Decimal {
	return decimal.RequireFromString(v.String())
}

// Builtin returns the embedded default template of a kind (po or rfq).
func Builtin(kind string) (Template, error) {
	if kind != KindPO && kind != KindRFQ {
		return Template{}, fault.Invalidf("kind", "unknown document kind %q: po or rfq", kind)
	}
	b, err := builtin.ReadFile("templates/" + kind + ".html")
	if err != nil {
		return Template{}, err
	}
	return Template{Name: "built-in " + kind + ".html", Body: string(b)}, nil
}

// sampleDocument is a document with every field set, to try a template on.
func sampleDocument(kind string) Document {
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	later := day.AddDate(0, 0, 14)
	rate := decimal.RequireFromString("1.085")
	price, amount, tax := decimal.RequireFromString("12.5"), decimal.RequireFromString("125.00"), decimal.RequireFromString("20")
	lead := 14
	doc := Document{Kind: kind, Title: "Purchase order", Number: "PO-000123", Status: "ordered", Date: &day, Expected: &later,
		Supplier: Party{Code: "SAMPLE", Name: "Sample Supplies Ltd", Address: "1 Sample Street, Sampletown", Email: "sales@sample.example"},
		ShipTo:   &Party{Code: "MAIN", Name: "Main warehouse", Address: "2 Depot Road"},
		Currency: "EUR", BaseCurrency: "USD", Rate: &rate, RateFrozen: true,
		Lines: []DocLine{
			{No: 1, SKU: "SAMPLE-1", SupplierSKU: "S-1", Name: "Sample product", Qty: decimal.NewFromInt(10), Unit: "ea",
				UnitPrice: &price, Amount: &amount, TaxRate: &tax, Tax: &tax, LeadDays: &lead, ValidUntil: &later},
			{No: 2, SKU: "SAMPLE-2", Name: "Unpriced sample", Qty: decimal.RequireFromString("2.5"), Unit: "kg"},
		},
		Subtotal: amount, Tax: tax, Total: amount.Add(tax), Notes: "Sample notes", Printed: day, Places: 2, BasePlaces: 2}
	base := doc.Total.Mul(rate).Round(2)
	doc.BaseSubtotal, doc.BaseTotal = &base, &base
	if kind == KindRFQ {
		doc.Title, doc.Number, doc.Status, doc.RespondBy = "Request for quotation", "RFQ-000123", "open", &later
	}
	return doc
}

// TemplateName is how a template read from a file is named in errors: its file name.
func TemplateName(path string) string { return filepath.Base(path) }
