package rfq

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/render"
	"github.com/stockctl/stockctl/orders/purchasing"
)

// RenderRFQ renders a request for quote (see purchasing.RenderOptions): with the supplier's
// RFQ template, else the system's, else the built-in one.
func RenderRFQ(ctx context.Context, q sqlx.QueryerContext, number string, opt purchasing.RenderOptions) ([]byte, string, error) {
	doc, supplierID, err := rfqDocument(ctx, q, number)
	if err != nil {
		return nil, "", err
	}
	return purchasing.RenderDocument(ctx, q, doc, supplierID, opt)
}

// rfqDocument gathers a request for quote's rendering data and its supplier's id.
func rfqDocument(ctx context.Context, q sqlx.QueryerContext, number string) (render.Document, int64, error) {
	r, err := GetRFQ(ctx, q, number)
	if err != nil {
		return render.Document{}, 0, err
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
		return render.Document{}, 0, fault.NotFoundf("request for quote %s does not exist", number)
	}
	if err != nil {
		return render.Document{}, 0, db.Classify(err)
	}
	created := clock.Day(r.CreatedAt)
	doc := render.Document{Kind: render.KindRFQ, Title: "Request for quotation", Number: r.Number, Status: r.Status, Date: &created,
		RespondBy: r.RespondBy, Supplier: render.Party{Code: r.Supplier, Name: r.SupplierName, Address: head.Address, Email: head.Email},
		Currency: r.Currency, BaseCurrency: head.Base, Total: r.QuotedTotal, Subtotal: r.QuotedTotal, Notes: r.Notes,
		Places: head.Places, BasePlaces: head.BasePlaces}
	if r.Location != nil {
		doc.ShipTo = &render.Party{Code: *r.Location, Name: deref(head.LocName), Address: deref(head.LocAddress)}
	}
	for _, l := range r.Lines {
		doc.Lines = append(doc.Lines, render.DocLine{No: l.LineNo, SKU: l.SKU, SupplierSKU: l.SupplierSKU, Name: l.Name, Qty: l.EnteredQty,
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
