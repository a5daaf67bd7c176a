package purchasing

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/render"
)

// Document kinds that render.
const (
	KindPO  = render.KindPO
	KindRFQ = render.KindRFQ
)

// RenderOptions say how to render a document.
type RenderOptions struct {
	Format   string           // html (default) or pdf
	Template *render.Template // nil: the supplier's template, else the system default, else the built-in one
	Now      time.Time        // the printed date; zero means now
}

// RenderPO renders a purchase order (see RenderOptions); it returns the bytes and the name
// of the template used.
func RenderPO(ctx context.Context, q sqlx.QueryerContext, number string, opt RenderOptions) ([]byte, string, error) {
	doc, supplierID, err := poDocument(ctx, q, number)
	if err != nil {
		return nil, "", err
	}
	return renderDoc(ctx, q, doc, supplierID, opt)
}

// RenderDocument renders a document another package built (orders/rfq's RFQs) for the
// supplier supplierID, as RenderPO does.
func RenderDocument(ctx context.Context, q sqlx.QueryerContext, doc render.Document, supplierID int64, opt RenderOptions) ([]byte, string, error) {
	return renderDoc(ctx, q, doc, supplierID, opt)
}

// renderDoc renders doc: the format checked, the printed date set, the template chosen (see
// RenderOptions), then io/render.
func renderDoc(ctx context.Context, q sqlx.QueryerContext, doc render.Document, supplierID int64, opt RenderOptions) ([]byte, string, error) {
	format := strings.ToLower(strings.TrimSpace(opt.Format))
	if format == "" {
		format = render.HTML
	}
	if format != render.HTML && format != render.PDF {
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
	out, err := render.Render(doc, *tpl, format)
	if err != nil {
		return nil, "", err
	}
	return out, tpl.Name, nil
}

// templateFor is the template a document of a supplier renders with: the supplier's own,
// else the system default, else the built-in one.
func templateFor(ctx context.Context, q sqlx.QueryerContext, kind string, supplierID int64) (render.Template, error) {
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
		return render.Template{}, db.Classify(err)
	}
	if len(rows) == 0 {
		return render.Builtin(kind)
	}
	r := rows[0]
	name := "system " + kind + " template"
	if r.Supplier != nil {
		name = *r.Supplier + "'s " + kind + " template"
	}
	if r.Source != "" {
		name += " (" + r.Source + ")"
	}
	return render.Template{Name: name, Body: r.Body}, nil
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
func SetTemplate(ctx context.Context, q sqlx.ExtContext, kind, supplierCode string, tpl render.Template) (TemplateInfo, error) {
	if _, err := render.Builtin(kind); err != nil {
		return TemplateInfo{}, err
	}
	if strings.TrimSpace(tpl.Body) == "" {
		return TemplateInfo{}, fault.Invalidf("template", "template %s is empty", tpl.Name)
	}
	if err := render.Check(kind, tpl); err != nil {
		return TemplateInfo{}, err
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
	if _, err := render.Builtin(kind); err != nil {
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
func EffectiveTemplate(ctx context.Context, q sqlx.QueryerContext, kind, supplierCode string) (render.Template, error) {
	if _, err := render.Builtin(kind); err != nil {
		return render.Template{}, err
	}
	var id int64
	if supplierCode != "" {
		s, err := requireSupplier(ctx, q, "supplier", supplierCode)
		if err != nil {
			return render.Template{}, err
		}
		id = s.ID
	}
	return templateFor(ctx, q, kind, id)
}

// poDocument gathers a purchase order's rendering data and its supplier's id.
func poDocument(ctx context.Context, q sqlx.QueryerContext, number string) (render.Document, int64, error) {
	po, err := Get(ctx, q, number)
	if err != nil {
		return render.Document{}, 0, err
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
		return render.Document{}, 0, db.Classify(err)
	}
	date := po.OrderDate
	if date == nil {
		t := clock.Today()
		date = &t
	}
	doc := render.Document{Kind: KindPO, Title: "Purchase order", Number: po.Number, Status: po.Status, Date: date, Expected: po.ExpectedDate,
		Supplier: render.Party{Code: po.Supplier, Name: po.SupplierName, Address: head.Address, Email: head.Email},
		ShipTo:   &render.Party{Code: po.Location, Name: head.LocName, Address: head.LocAddress},
		Currency: po.Currency, BaseCurrency: po.BaseCurrency, Rate: po.Rate, RateFrozen: po.RateFrozen,
		Subtotal: po.Subtotal, Tax: po.Tax, Total: po.Total, BaseSubtotal: po.BaseSubtotal, BaseTotal: po.BaseTotal,
		Notes: po.Notes, Places: head.Places, BasePlaces: head.BasePlaces}
	if po.Status == Draft {
		doc.Title = "Purchase order (draft)"
	}
	for _, l := range po.Lines {
		price, amount, rate, tax := l.UnitPrice, l.Amount, l.TaxRate, l.Tax
		doc.Lines = append(doc.Lines, render.DocLine{No: l.LineNo, SKU: l.SKU, SupplierSKU: l.SupplierSKU, Name: l.Name, Qty: l.EnteredQty,
			Unit: l.Unit, StockQty: l.Qty, StockUnit: l.StockUnit, UnitPrice: &price, Amount: &amount, TaxRate: &rate, Tax: &tax})
	}
	return doc, head.SupplierID, nil
}
