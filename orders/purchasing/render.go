package purchasing

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"html/template"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

//go:embed templates/*.html
var builtin embed.FS

// Document kinds that render.
const (
	KindPO  = "po"
	KindRFQ = "rfq"
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

	places, basePlaces int32
}

// Template is a user template: its name (shown in errors) and its text.
type Template struct {
	Name string
	Body string
}

// RenderOptions say how to render a document.
type RenderOptions struct {
	Format   string    // html (default) or pdf
	Template *Template // nil: the supplier's template, else the system default, else the built-in one
	Now      time.Time // the printed date; zero means now
}

// Formats a document renders to.
const (
	HTML = "html"
	PDF  = "pdf"
)

// RenderPO renders a purchase order (see RenderOptions); it returns the bytes and the name
// of the template used.
func RenderPO(ctx context.Context, q sqlx.QueryerContext, number string, opt RenderOptions) ([]byte, string, error) {
	doc, supplierID, err := poDocument(ctx, q, number)
	if err != nil {
		return nil, "", err
	}
	return render(ctx, q, doc, supplierID, opt)
}

// RenderRFQ renders a request for quote (see RenderOptions).
func RenderRFQ(ctx context.Context, q sqlx.QueryerContext, number string, opt RenderOptions) ([]byte, string, error) {
	doc, supplierID, err := rfqDocument(ctx, q, number)
	if err != nil {
		return nil, "", err
	}
	return render(ctx, q, doc, supplierID, opt)
}

func render(ctx context.Context, q sqlx.QueryerContext, doc Document, supplierID int64, opt RenderOptions) ([]byte, string, error) {
	format := strings.ToLower(strings.TrimSpace(opt.Format))
	if format == "" {
		format = HTML
	}
	if format != HTML && format != PDF {
		return nil, "", fault.Invalidf("format", "format %q: use html or pdf", opt.Format)
	}
	doc.Printed = opt.Now
	if doc.Printed.IsZero() {
		doc.Printed = time.Now().UTC()
	}
	tpl := opt.Template
	if tpl == nil {
		t, err := templateFor(ctx, q, doc.Kind, supplierID)
		if err != nil {
			return nil, "", err
		}
		tpl = &t
	}
	html, err := execute(*tpl, doc)
	if err != nil {
		return nil, "", err
	}
	if format == HTML {
		return html, tpl.Name, nil
	}
	pdf, err := htmlToPDF(html, doc.Title+" "+doc.Number, true)
	if err != nil {
		return nil, "", fault.Wrap(fault.Invalid, err, "template %s: laying out the PDF", tpl.Name)
	}
	return pdf, tpl.Name, nil
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
		"money":     amount(doc.places),
		"basemoney": amount(doc.basePlaces),
		"price": func(v any) string {
			d, ok := asDecimal(v)
			if !ok {
				return ""
			}
			places := doc.places
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

// templateFor is the template a document of a supplier renders with: the supplier's own,
// else the system default, else the built-in one.
func templateFor(ctx context.Context, q sqlx.QueryerContext, kind string, supplierID int64) (Template, error) {
	var rows []struct {
		Supplier *string `db:"supplier"`
		Source   string  `db:"source"`
		Body     string  `db:"body"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT c.code AS supplier, t.source, t.body FROM document_templates t
		LEFT JOIN companies c ON c.id = t.supplier_id
		WHERE t.kind = $1 AND (t.supplier_id = $2 OR t.supplier_id IS NULL)
		ORDER BY t.supplier_id NULLS LAST LIMIT 1`, kind, supplierID)
	if err != nil {
		return Template{}, db.Classify(err)
	}
	if len(rows) == 0 {
		return Builtin(kind)
	}
	r := rows[0]
	name := "system " + kind + " template"
	if r.Supplier != nil {
		name = *r.Supplier + "'s " + kind + " template"
	}
	if r.Source != "" {
		name += " (" + r.Source + ")"
	}
	return Template{Name: name, Body: r.Body}, nil
}

// TemplateInfo describes a stored template.
type TemplateInfo struct {
	Kind      string    `db:"kind" json:"kind"`
	Supplier  *string   `db:"supplier" json:"supplier"` // nil: the system default
	Source    string    `db:"source" json:"source"`
	Bytes     int       `db:"bytes" json:"bytes"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
	UpdatedBy string    `db:"updated_by" json:"updated_by"`
}

// SetTemplate stores tpl as the default template of a kind, for one supplier or (supplier "")
// the system. It must parse and render a sample document, so a broken template is refused
// now, naming its line, rather than when a document is printed.
func SetTemplate(ctx context.Context, q sqlx.ExtContext, kind, supplierCode string, tpl Template) (TemplateInfo, error) {
	if _, err := Builtin(kind); err != nil {
		return TemplateInfo{}, err
	}
	if strings.TrimSpace(tpl.Body) == "" {
		return TemplateInfo{}, fault.Invalidf("template", "template %s is empty", tpl.Name)
	}
	for _, format := range []string{HTML, PDF} {
		html, err := execute(tpl, sampleDocument(kind))
		if err == nil && format == PDF {
			_, err = htmlToPDF(html, "sample", true)
		}
		if err != nil {
			return TemplateInfo{}, fault.Wrap(fault.Invalid, err, "rendering a sample %s", kind)
		}
	}
	var supID *int64
	if supplierCode != "" {
		s, err := requireSupplier(ctx, q, "supplier", supplierCode)
		if err != nil {
			return TemplateInfo{}, err
		}
		supID = &s.ID
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO document_templates (kind, supplier_id, body, source) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, (coalesce(supplier_id, 0))) DO UPDATE SET body = EXCLUDED.body, source = EXCLUDED.source`,
		kind, supID, tpl.Body, tpl.Name); err != nil {
		return TemplateInfo{}, db.Classify(err)
	}
	ts, err := Templates(ctx, q, kind)
	if err != nil {
		return TemplateInfo{}, err
	}
	for _, t := range ts {
		if (t.Supplier == nil && supplierCode == "") || (t.Supplier != nil && *t.Supplier == supplierCode) {
			return t, nil
		}
	}
	return TemplateInfo{}, fault.NotFoundf("template just stored is missing")
}

// ResetTemplate removes a stored default template; documents fall back to the next one.
func ResetTemplate(ctx context.Context, q sqlx.ExtContext, kind, supplierCode string) error {
	if _, err := Builtin(kind); err != nil {
		return err
	}
	var supID *int64
	if supplierCode != "" {
		s, err := requireSupplier(ctx, q, "supplier", supplierCode)
		if err != nil {
			return err
		}
		supID = &s.ID
	}
	res, err := q.ExecContext(ctx, `DELETE FROM document_templates WHERE kind = $1 AND coalesce(supplier_id, 0) = coalesce($2::bigint, 0)`, kind, supID)
	if err != nil {
		return db.Classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		who := "the system"
		if supplierCode != "" {
			who = supplierCode
		}
		return fault.NotFoundf("%s has no %s template of its own", who, kind)
	}
	return nil
}

// Templates lists the stored templates of a kind: the system default first, then by supplier.
func Templates(ctx context.Context, q sqlx.QueryerContext, kind string) ([]TemplateInfo, error) {
	out := []TemplateInfo{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT t.kind, c.code AS supplier, t.source, length(t.body) AS bytes, t.updated_at, t.updated_by
		FROM document_templates t LEFT JOIN companies c ON c.id = t.supplier_id
		WHERE t.kind = $1 ORDER BY c.code NULLS FIRST`, kind)
	return out, db.Classify(err)
}

// EffectiveTemplate is the template a supplier's documents (or, supplier "", any supplier's
// without one of its own) render with.
func EffectiveTemplate(ctx context.Context, q sqlx.QueryerContext, kind, supplierCode string) (Template, error) {
	if _, err := Builtin(kind); err != nil {
		return Template{}, err
	}
	var id int64
	if supplierCode != "" {
		s, err := requireSupplier(ctx, q, "supplier", supplierCode)
		if err != nil {
			return Template{}, err
		}
		id = s.ID
	}
	return templateFor(ctx, q, kind, id)
}

// sampleDocument is a document with every field set, to try a template on.
func sampleDocument(kind string) Document {
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	later := day.AddDate(0, 0, 14)
	rate := decimal.RequireFromString("1.085")
	price, amount, tax := decimal.RequireFromString("12.5"), decimal.RequireFromString("125.00"), decimal.RequireFromString("20")
	lead := 14
	doc := Document{Kind: kind, Title: "Purchase order", Number: "PO-000123", Status: Ordered, Date: &day, Expected: &later,
		Supplier: Party{Code: "SAMPLE", Name: "Sample Supplies Ltd", Address: "1 Sample Street, Sampletown", Email: "sales@sample.example"},
		ShipTo:   &Party{Code: "MAIN", Name: "Main warehouse", Address: "2 Depot Road"},
		Currency: "EUR", BaseCurrency: "USD", Rate: &rate, RateFrozen: true,
		Lines: []DocLine{
			{No: 1, SKU: "SAMPLE-1", SupplierSKU: "S-1", Name: "Sample product", Qty: decimal.NewFromInt(10), Unit: "ea",
				UnitPrice: &price, Amount: &amount, TaxRate: &tax, Tax: &tax, LeadDays: &lead, ValidUntil: &later},
			{No: 2, SKU: "SAMPLE-2", Name: "Unpriced sample", Qty: decimal.RequireFromString("2.5"), Unit: "kg"},
		},
		Subtotal: amount, Tax: tax, Total: amount.Add(tax), Notes: "Sample notes", Printed: day, places: 2, basePlaces: 2}
	base := doc.Total.Mul(rate).Round(2)
	doc.BaseSubtotal, doc.BaseTotal = &base, &base
	if kind == KindRFQ {
		doc.Title, doc.Number, doc.Status, doc.RespondBy = "Request for quotation", "RFQ-000123", RFQOpen, &later
	}
	return doc
}

// poDocument gathers a purchase order's rendering data and its supplier's id.
func poDocument(ctx context.Context, q sqlx.QueryerContext, number string) (Document, int64, error) {
	po, err := Get(ctx, q, number)
	if err != nil {
		return Document{}, 0, err
	}
	var head struct {
		SupplierID int64  `db:"supplier_id"`
		Address    string `db:"address"`
		Email      string `db:"email"`
		LocName    string `db:"loc_name"`
		LocAddress string `db:"loc_address"`
		Places     int32  `db:"places"`
		BasePlaces int32  `db:"base_places"`
	}
	if err := sqlx.GetContext(ctx, q, &head, `SELECT o.supplier_id, c.address, c.email, l.name AS loc_name, l.address AS loc_address,
		cu.minor_units AS places, (SELECT x.minor_units FROM settings s JOIN currencies x ON x.code = s.value
		WHERE s.key = 'base_currency') AS base_places
		FROM purchase_orders o JOIN companies c ON c.id = o.supplier_id JOIN locations l ON l.id = o.location_id
		JOIN currencies cu ON cu.code = o.currency WHERE o.id = $1`, po.ID); err != nil {
		return Document{}, 0, db.Classify(err)
	}
	date := po.OrderDate
	if date == nil {
		t := clock.Today()
		date = &t
	}
	doc := Document{Kind: KindPO, Title: "Purchase order", Number: po.Number, Status: po.Status, Date: date, Expected: po.ExpectedDate,
		Supplier: Party{Code: po.Supplier, Name: po.SupplierName, Address: head.Address, Email: head.Email},
		ShipTo:   &Party{Code: po.Location, Name: head.LocName, Address: head.LocAddress},
		Currency: po.Currency, BaseCurrency: po.BaseCurrency, Rate: po.Rate, RateFrozen: po.RateFrozen,
		Subtotal: po.Subtotal, Tax: po.Tax, Total: po.Total, BaseSubtotal: po.BaseSubtotal, BaseTotal: po.BaseTotal,
		Notes: po.Notes, places: head.Places, basePlaces: head.BasePlaces}
	if po.Status == Draft {
		doc.Title = "Purchase order (draft)"
	}
	for _, l := range po.Lines {
		price, amount, rate, tax := l.UnitPrice, l.Amount, l.TaxRate, l.Tax
		doc.Lines = append(doc.Lines, DocLine{No: l.LineNo, SKU: l.SKU, SupplierSKU: l.SupplierSKU, Name: l.Name, Qty: l.EnteredQty,
			Unit: l.Unit, StockQty: l.Qty, StockUnit: l.StockUnit, UnitPrice: &price, Amount: &amount, TaxRate: &rate, Tax: &tax})
	}
	return doc, head.SupplierID, nil
}

// rfqDocument gathers a request for quote's rendering data and its supplier's id.
func rfqDocument(ctx context.Context, q sqlx.QueryerContext, number string) (Document, int64, error) {
	r, err := GetRFQ(ctx, q, number)
	if err != nil {
		return Document{}, 0, err
	}
	var head struct {
		SupplierID int64   `db:"supplier_id"`
		Address    string  `db:"address"`
		Email      string  `db:"email"`
		LocName    *string `db:"loc_name"`
		LocAddress *string `db:"loc_address"`
		Places     int32   `db:"places"`
		BasePlaces int32   `db:"base_places"`
		Base       string  `db:"base"`
	}
	err = sqlx.GetContext(ctx, q, &head, `SELECT r.supplier_id, c.address, c.email, l.name AS loc_name, l.address AS loc_address,
		cu.minor_units AS places, x.minor_units AS base_places, x.code AS base
		FROM rfqs r JOIN companies c ON c.id = r.supplier_id LEFT JOIN locations l ON l.id = r.location_id
		JOIN currencies cu ON cu.code = r.currency
		CROSS JOIN (SELECT x.code, x.minor_units FROM settings s JOIN currencies x ON x.code = s.value WHERE s.key = 'base_currency') x
		WHERE r.id = $1`, r.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return Document{}, 0, fault.NotFoundf("request for quote %s does not exist", number)
	}
	if err != nil {
		return Document{}, 0, db.Classify(err)
	}
	created := clock.Day(r.CreatedAt)
	doc := Document{Kind: KindRFQ, Title: "Request for quotation", Number: r.Number, Status: r.Status, Date: &created,
		RespondBy: r.RespondBy, Supplier: Party{Code: r.Supplier, Name: r.SupplierName, Address: head.Address, Email: head.Email},
		Currency: r.Currency, BaseCurrency: head.Base, Total: r.QuotedTotal, Subtotal: r.QuotedTotal, Notes: r.Notes,
		places: head.Places, basePlaces: head.BasePlaces}
	if r.Location != nil {
		doc.ShipTo = &Party{Code: *r.Location, Name: deref(head.LocName), Address: deref(head.LocAddress)}
	}
	for _, l := range r.Lines {
		doc.Lines = append(doc.Lines, DocLine{No: l.LineNo, SKU: l.SKU, SupplierSKU: l.SupplierSKU, Name: l.Name, Qty: l.EnteredQty,
			Unit: l.Unit, StockQty: l.Qty, StockUnit: l.StockUnit, UnitPrice: l.Price, Amount: l.Amount, LeadDays: l.LeadDays, ValidUntil: l.ValidUntil})
	}
	return doc, head.SupplierID, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TemplateName is how a template read from a file is named in errors: its file name.
func TemplateName(path string) string { return filepath.Base(path) }
