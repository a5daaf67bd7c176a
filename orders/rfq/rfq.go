// Package rfq holds requests for quote: asking a supplier for prices, recording the quotes,
// comparing them across suppliers and converting a quoted request into a draft purchase
// order (through orders/purchasing), and rendering one for the supplier.
package rfq

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/business/numbering"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
)

// RFQ statuses: open while a line has no quoted price, quoted when every line has one,
// converted once it became a purchase order, or cancelled.
const (
	RFQOpen      = "open"
	RFQQuoted    = "quoted"
	RFQConverted = "converted"
	RFQCancelled = "cancelled"
)

// RFQSummary is a request for quote without its lines.
type RFQSummary struct {
	ID           int64           `db:"id" json:"-"`
	Number       string          `db:"number" json:"number"`
	Supplier     string          `db:"supplier" json:"supplier"`
	SupplierName string          `db:"supplier_name" json:"supplier_name" print:"wide"`
	Location     *string         `db:"location" json:"location"`
	Currency     string          `db:"currency" json:"currency"`
	Status       string          `db:"status" json:"status"`
	RespondBy    *time.Time      `db:"respond_by" json:"respond_by" print:"date"`
	LineCount    int             `db:"line_count" json:"line_count"`
	QuotedLines  int             `db:"quoted_lines" json:"quoted_lines"`
	QuotedTotal  decimal.Decimal `db:"quoted_total" json:"quoted_total"`
	PO           *string         `db:"po" json:"po"`
	Notes        string          `db:"notes" json:"notes" print:"wide"`
	CreatedAt    time.Time       `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy    string          `db:"created_by" json:"created_by" print:"wide"`
	UpdatedAt    time.Time       `db:"updated_at" json:"updated_at" print:"wide"`
}

// RFQLine is one product and quantity asked for, and the price quoted for it. Qty is in the
// stock unit; the line asks for EnteredQty of Unit (the purchase unit unless another was
// given), and Price is per Unit: Amount = EnteredQty × Price.
type RFQLine struct {
	RFQ         string           `db:"rfq" json:"rfq" print:"wide"`
	LineNo      int              `db:"line_no" json:"line_no"`
	SKU         string           `db:"sku" json:"sku"`
	Name        string           `db:"name" json:"name" print:"wide"`
	SupplierSKU string           `db:"supplier_sku" json:"supplier_sku"`
	Qty         decimal.Decimal  `db:"qty" json:"qty"`
	Unit        string           `db:"unit" json:"unit"`
	Price       *decimal.Decimal `db:"price" json:"price"`
	Amount      *decimal.Decimal `db:"amount" json:"amount"`
	QuotedOn    *time.Time       `db:"quoted_on" json:"quoted_on" print:"date"`
	ValidUntil  *time.Time       `db:"valid_until" json:"valid_until" print:"date"`
	LeadDays    *int             `db:"lead_days" json:"lead_days"`
	EnteredQty  decimal.Decimal  `db:"entered_qty" json:"entered_qty" print:"wide"`
	StockUnit   string           `db:"stock_unit" json:"stock_unit" print:"wide"`
}

// RFQDoc is a request for quote with its lines.
type RFQDoc struct {
	RFQSummary
	Lines []RFQLine `json:"lines"`
}

const selectRFQ = `SELECT r.id, r.number, c.code AS supplier, c.name AS supplier_name, l.code AS location, r.currency,
	r.status, r.respond_by, coalesce(t.lines, 0) AS line_count, coalesce(t.quoted, 0) AS quoted_lines,
	coalesce(t.total, 0) AS quoted_total, o.number AS po, r.notes, r.created_at, r.created_by, r.updated_at
	FROM rfqs r
	JOIN companies c ON c.id = r.supplier_id
	JOIN currencies cu ON cu.code = r.currency
	LEFT JOIN locations l ON l.id = r.location_id
	LEFT JOIN purchase_orders o ON o.id = r.po_id
	LEFT JOIN LATERAL (SELECT count(*) AS lines, count(x.price) AS quoted,
		sum(round(x.entered_qty * x.price, cu.minor_units)) AS total FROM rfq_lines x WHERE x.rfq_id = r.id) t ON true`

// NewRFQInput is what a new request for quote starts with.
type NewRFQInput struct {
	Supplier  string
	Location  string // the ship-to location; needed by the time it is converted
	Currency  string // default: the supplier's currency
	RespondBy *time.Time
	Notes     string
}

// NewRFQ starts a request for quote to a supplier.
func NewRFQ(ctx context.Context, q sqlx.ExtContext, in NewRFQInput) (RFQDoc, error) {
	supID, supCurrency, err := purchasing.RequireSupplier(ctx, q, "supplier", in.Supplier)
	if err != nil {
		return RFQDoc{}, err
	}
	var locID *int64
	if in.Location != "" {
		l, err := stock.GetLocation(ctx, q, "location", in.Location)
		if err != nil {
			return RFQDoc{}, err
		}
		locID = &l.ID
	}
	cur := supCurrency
	if in.Currency != "" {
		if cur, err = currency.Require(ctx, q, "currency", in.Currency); err != nil {
			return RFQDoc{}, err
		}
	}
	number, err := numbering.Next(ctx, q, numbering.RFQ)
	if err != nil {
		return RFQDoc{}, err
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO rfqs (number, supplier_id, location_id, currency, respond_by, notes)
		VALUES ($1, $2, $3, $4, $5::date, $6)`, number, supID, locID, cur, datePtr(in.RespondBy), strings.TrimSpace(in.Notes)); err != nil {
		return RFQDoc{}, db.Classify(err)
	}
	return GetRFQ(ctx, q, number)
}

// rfqHead is an RFQ locked for a change.
type rfqHead struct {
	ID         int64   `db:"id"`
	Number     string  `db:"number"`
	SupplierID int64   `db:"supplier_id"`
	Supplier   string  `db:"supplier"`
	Location   *string `db:"location"`
	Currency   string  `db:"currency"`
	Status     string  `db:"status"`
}

func lockRFQ(ctx context.Context, q sqlx.QueryerContext, number string) (rfqHead, error) {
	var h rfqHead
	number = strings.TrimSpace(number)
	err := sqlx.GetContext(ctx, q, &h, `SELECT r.id, r.number, r.supplier_id, c.code AS supplier, l.code AS location, r.currency, r.status
		FROM rfqs r JOIN companies c ON c.id = r.supplier_id LEFT JOIN locations l ON l.id = r.location_id
		WHERE r.number = $1 FOR UPDATE OF r`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fault.NotFoundf("request for quote %s does not exist (see stockctl rfq list)", number)
	}
	return h, db.Classify(err)
}

// AddRFQLine asks the supplier for a quantity of a product in unit (a unit of the stock
// unit's category or a pack unit; "": the product's purchase unit), converted exactly to the
// stock unit.
func AddRFQLine(ctx context.Context, q sqlx.ExtContext, number, sku string, qty decimal.Decimal, unit string) (RFQDoc, error) {
	h, err := lockRFQ(ctx, q, number)
	if err != nil {
		return RFQDoc{}, err
	}
	if h.Status != RFQOpen && h.Status != RFQQuoted {
		return RFQDoc{}, fault.Invalidf("rfq", "%s is %s: lines are added to open requests only", h.Number, h.Status)
	}
	p, err := catalog.RequireActive(ctx, q, strings.TrimSpace(sku))
	if err != nil {
		return RFQDoc{}, err
	}
	if !p.Purchasable {
		return RFQDoc{}, fault.Invalidf("sku", "product %s is not purchasable", p.SKU)
	}
	if err := catalog.RefuseTemplate(ctx, q, "sku", p); err != nil {
		return RFQDoc{}, err
	}
	if !qty.IsPositive() {
		return RFQDoc{}, fault.Invalidf("qty", "%s: the quantity must be more than 0, got %s", p.SKU, qty)
	}
	unit = strings.TrimSpace(unit)
	if unit == "" {
		unit = p.PurchaseUOM
	}
	if unit == "" {
		unit = p.StockUOM
	}
	stockQty, err := catalog.ToStockExact(ctx, q, p, qty, unit)
	if err != nil {
		return RFQDoc{}, err
	}
	if !stockQty.IsPositive() || (unit == p.StockUOM && !stockQty.Equal(qty)) {
		return RFQDoc{}, fault.Invalidf("qty", "%s: %s has more decimals than its unit %s keeps", p.SKU, qty, p.StockUOM)
	}
	var supSKU string
	_ = sqlx.GetContext(ctx, q, &supSKU, `SELECT supplier_sku FROM supplier_prices WHERE supplier_id = $1 AND product_id = $2
		AND supplier_sku <> '' ORDER BY updated_at DESC LIMIT 1`, h.SupplierID, p.ID)
	if _, err := q.ExecContext(ctx, `INSERT INTO rfq_lines (rfq_id, line_no, product_id, qty, supplier_sku, unit, entered_qty)
		VALUES ($1, (SELECT coalesce(max(line_no), 0) + 1 FROM rfq_lines WHERE rfq_id = $1), $2, $3, $4, $5, $6)`,
		h.ID, p.ID, stockQty, supSKU, unit, qty); err != nil {
		return RFQDoc{}, db.Classify(err)
	}
	if err := settleRFQ(ctx, q, h.ID); err != nil {
		return RFQDoc{}, err
	}
	return GetRFQ(ctx, q, h.Number)
}

// settleRFQ sets an open or quoted RFQ's status from its lines.
func settleRFQ(ctx context.Context, q sqlx.ExtContext, id int64) error {
	_, err := q.ExecContext(ctx, `UPDATE rfqs SET status = CASE WHEN EXISTS (SELECT 1 FROM rfq_lines WHERE rfq_id = $1)
		AND NOT EXISTS (SELECT 1 FROM rfq_lines WHERE rfq_id = $1 AND price IS NULL) THEN 'quoted' ELSE 'open' END
		WHERE id = $1 AND status IN ('open', 'quoted')`, id)
	return db.Classify(err)
}

// QuoteInput is what a supplier quoted for one line.
type QuoteInput struct {
	Price       decimal.Decimal // per the line's unit in the RFQ's currency
	Date        *time.Time      // quoted on; default today
	ValidUntil  *time.Time
	LeadDays    *int
	SupplierSKU *string
}

// RecordQuote records the supplier's quoted price for a line of an RFQ (a second quote
// replaces the first). The RFQ is quoted once every line has a price. (pricing.Quote is
// another thing: the price stockctl asks of a customer.)
func RecordQuote(ctx context.Context, q sqlx.ExtContext, number string, line int, in QuoteInput) (RFQDoc, error) {
	h, err := lockRFQ(ctx, q, number)
	if err != nil {
		return RFQDoc{}, err
	}
	if h.Status != RFQOpen && h.Status != RFQQuoted {
		return RFQDoc{}, fault.Invalidf("rfq", "%s is %s: quotes are recorded on open requests only", h.Number, h.Status)
	}
	if in.Price.IsNegative() {
		return RFQDoc{}, fault.Invalidf("price", "%s line %d: the price cannot be negative, got %s", h.Number, line, in.Price)
	}
	if in.Price.Exponent() < -priceScale && !in.Price.Equal(in.Price.Round(priceScale)) {
		return RFQDoc{}, fault.Invalidf("price", "price %s has more than %d decimals", in.Price, priceScale)
	}
	if in.LeadDays != nil && *in.LeadDays < 0 {
		return RFQDoc{}, fault.Invalidf("lead-days", "%s line %d: lead time cannot be negative", h.Number, line)
	}
	day := clock.Today()
	if in.Date != nil {
		day = *in.Date
	}
	if in.ValidUntil != nil && in.ValidUntil.Before(day) {
		return RFQDoc{}, fault.Invalidf("valid-until", "%s line %d: valid until %s is before the quote's date %s", h.Number, line, dateOnly(*in.ValidUntil), dateOnly(day))
	}
	var supSKU *string
	if in.SupplierSKU != nil {
		s := strings.TrimSpace(*in.SupplierSKU)
		supSKU = &s
	}
	res, err := q.ExecContext(ctx, `UPDATE rfq_lines SET price = $3, quoted_on = $4::date, valid_until = $5::date, lead_days = $6,
		supplier_sku = coalesce($7, supplier_sku) WHERE rfq_id = $1 AND line_no = $2`,
		h.ID, line, in.Price, dateOnly(day), datePtr(in.ValidUntil), in.LeadDays, supSKU)
	if err != nil {
		return RFQDoc{}, db.Classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return RFQDoc{}, fault.Invalidf("line", "%s has no line %d (see stockctl rfq show %s)", h.Number, line, h.Number)
	}
	if err := settleRFQ(ctx, q, h.ID); err != nil {
		return RFQDoc{}, err
	}
	return GetRFQ(ctx, q, h.Number)
}

// CancelRFQ cancels an RFQ that was not converted.
func CancelRFQ(ctx context.Context, q sqlx.ExtContext, number string) (RFQDoc, error) {
	h, err := lockRFQ(ctx, q, number)
	if err != nil {
		return RFQDoc{}, err
	}
	if h.Status != RFQOpen && h.Status != RFQQuoted {
		return RFQDoc{}, fault.Invalidf("rfq", "%s is %s: it cannot be cancelled", h.Number, h.Status)
	}
	if _, err := q.ExecContext(ctx, `UPDATE rfqs SET status = 'cancelled' WHERE id = $1`, h.ID); err != nil {
		return RFQDoc{}, db.Classify(err)
	}
	return GetRFQ(ctx, q, h.Number)
}

// ConvertInput says how an RFQ becomes a purchase order.
type ConvertInput struct {
	Location     string // default: the RFQ's location
	SkipUnquoted bool   // leave out lines without a quoted price instead of refusing
	Date         *time.Time
}

// Convert turns a quoted RFQ into a draft purchase order with the supplier, currency,
// quantities and quoted prices of its lines. A line without a price (unless SkipUnquoted) or
// whose quote has expired is refused.
func Convert(ctx context.Context, q sqlx.ExtContext, number string, in ConvertInput) (purchasing.PODoc, error) {
	h, err := lockRFQ(ctx, q, number)
	if err != nil {
		return purchasing.PODoc{}, err
	}
	switch h.Status {
	case RFQOpen, RFQQuoted:
	case RFQConverted:
		return purchasing.PODoc{}, fault.Invalidf("rfq", "%s is already converted (see stockctl rfq show %s)", h.Number, h.Number)
	default:
		return purchasing.PODoc{}, fault.Invalidf("rfq", "%s is %s: it cannot be converted", h.Number, h.Status)
	}
	loc := in.Location
	if loc == "" && h.Location != nil {
		loc = *h.Location
	}
	if loc == "" {
		return purchasing.PODoc{}, fault.Invalidf("location", "%s has no location: give --location (where the stock will arrive)", h.Number)
	}
	day := clock.Today()
	if in.Date != nil {
		day = *in.Date
	}
	doc, err := GetRFQ(ctx, q, h.Number)
	if err != nil {
		return purchasing.PODoc{}, err
	}
	var take []RFQLine
	for _, l := range doc.Lines {
		switch {
		case l.Price == nil && in.SkipUnquoted:
			continue
		case l.Price == nil:
			return purchasing.PODoc{}, fault.Invalidf("line", "%s line %d (%s) has no quoted price: record it with stockctl rfq quote %s %d --price X, or leave it out with --skip-unquoted",
				h.Number, l.LineNo, l.SKU, h.Number, l.LineNo)
		case l.ValidUntil != nil && l.ValidUntil.Before(day):
			return purchasing.PODoc{}, fault.Invalidf("line", "%s line %d (%s): the quote expired on %s: record a new quote with stockctl rfq quote",
				h.Number, l.LineNo, l.SKU, dateOnly(*l.ValidUntil))
		}
		take = append(take, l)
	}
	if len(take) == 0 {
		return purchasing.PODoc{}, fault.Invalidf("rfq", "%s has no quoted lines to order", h.Number)
	}
	po, err := purchasing.New(ctx, q, purchasing.NewPO{Supplier: h.Supplier, Location: loc, Currency: h.Currency, Origin: h.Number})
	if err != nil {
		return purchasing.PODoc{}, err
	}
	lines := make([]purchasing.LineInput, len(take))
	for i, l := range take {
		lines[i] = purchasing.LineInput{SKU: l.SKU, Qty: l.EnteredQty, Unit: l.Unit, Price: l.Price, Source: fmt.Sprintf("%s line %d", h.Number, l.LineNo), SupplierSKU: l.SupplierSKU}
	}
	if i, err := purchasing.AddLines(ctx, q, po.Number, lines, day); err != nil {
		if i < 0 {
			return purchasing.PODoc{}, err
		}
		return purchasing.PODoc{}, fault.Wrap(fault.KindOf(err), err, "%s line %d", h.Number, take[i].LineNo)
	}
	if err := purchasing.SetRFQ(ctx, q, po.ID, h.ID); err != nil {
		return purchasing.PODoc{}, err
	}
	if _, err := q.ExecContext(ctx, `UPDATE rfqs SET status = 'converted', po_id = $2 WHERE id = $1`, h.ID, po.ID); err != nil {
		return purchasing.PODoc{}, db.Classify(err)
	}
	return purchasing.Get(ctx, q, po.Number)
}

// GetRFQ returns a request for quote with its lines.
func GetRFQ(ctx context.Context, q sqlx.QueryerContext, number string) (RFQDoc, error) {
	var doc RFQDoc
	number = strings.TrimSpace(number)
	err := sqlx.GetContext(ctx, q, &doc.RFQSummary, selectRFQ+` WHERE r.number = $1`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return doc, fault.NotFoundf("request for quote %s does not exist (see stockctl rfq list)", number)
	}
	if err != nil {
		return doc, db.Classify(err)
	}
	doc.Lines = []RFQLine{}
	err = sqlx.SelectContext(ctx, q, &doc.Lines, `SELECT $2::text AS rfq, x.line_no, p.sku, p.name, x.supplier_sku, x.qty,
		x.unit, x.price, round(x.entered_qty * x.price, cu.minor_units) AS amount, x.quoted_on, x.valid_until, x.lead_days,
		x.entered_qty, p.stock_uom AS stock_unit
		FROM rfq_lines x JOIN products p ON p.id = x.product_id JOIN currencies cu ON cu.code = $3
		WHERE x.rfq_id = $1 ORDER BY x.line_no`, doc.ID, doc.Number, doc.Currency)
	return doc, db.Classify(err)
}

// RFQs lists requests for quote newest first, by status (open, quoted, converted,
// cancelled) and supplier when given.
func RFQs(ctx context.Context, q sqlx.QueryerContext, status, supplierCode string) ([]RFQSummary, error) {
	var statuses []string
	switch s := strings.TrimSpace(status); s {
	case "":
	case RFQOpen, RFQQuoted, RFQConverted, RFQCancelled:
		statuses = []string{s}
	default:
		return nil, fault.Invalidf("status", "unknown status %q: use open, quoted, converted or cancelled", s)
	}
	var supID *int64
	if supplierCode != "" {
		id, _, err := purchasing.RequireSupplier(ctx, q, "supplier", supplierCode)
		if err != nil {
			return nil, err
		}
		supID = &id
	}
	out := []RFQSummary{}
	err := sqlx.SelectContext(ctx, q, &out, selectRFQ+` WHERE ($1::text[] IS NULL OR r.status = ANY($1))
		AND ($2::bigint IS NULL OR r.supplier_id = $2) ORDER BY r.id DESC`, pq.StringArray(statuses), supID)
	return out, db.Classify(err)
}

// Comparison is one quote for a product, for comparing suppliers.
type Comparison struct {
	Rank       int              `db:"-" json:"rank"`
	RFQ        string           `db:"rfq" json:"rfq"`
	Supplier   string           `db:"supplier" json:"supplier"`
	LineNo     int              `db:"line_no" json:"line_no"`
	Qty        decimal.Decimal  `db:"qty" json:"qty"`
	Price      decimal.Decimal  `db:"price" json:"price"` // per stock unit
	Currency   string           `db:"currency" json:"currency"`
	BasePrice  *decimal.Decimal `db:"base_price" json:"base_price"`
	LeadDays   *int             `db:"lead_days" json:"lead_days"`
	QuotedOn   time.Time        `db:"quoted_on" json:"quoted_on" print:"date"`
	ValidUntil *time.Time       `db:"valid_until" json:"valid_until" print:"date"`
	Expired    bool             `db:"expired" json:"expired"`
	Status     string           `db:"status" json:"status"`
	Best       bool             `db:"-" json:"best"`
}

// Compare lists every quoted price for a product on RFQs that are open, quoted or
// converted, best first: quotes still valid on date before expired ones, then the lowest
// price in the base currency (at the rate on date), then the shortest lead time. Best marks
// the first valid quote of an RFQ not yet converted.
func Compare(ctx context.Context, q sqlx.QueryerContext, sku string, date time.Time) ([]Comparison, error) {
	p, err := catalog.Get(ctx, q, strings.TrimSpace(sku))
	if err != nil {
		return nil, err
	}
	out := []Comparison{}
	// Quotes are compared per stock unit, whatever unit each line asked in.
	err = sqlx.SelectContext(ctx, q, &out, `SELECT r.number AS rfq, c.code AS supplier, x.line_no, x.qty,
			CASE WHEN x.entered_qty = x.qty THEN x.price ELSE round(x.price * x.entered_qty / x.qty, 6) END AS price, r.currency,
			round(x.price * x.entered_qty / x.qty * rt.rate, 6) AS base_price, x.lead_days, x.quoted_on, x.valid_until,
			coalesce(x.valid_until < $2::date, false) AS expired, r.status
		FROM rfq_lines x JOIN rfqs r ON r.id = x.rfq_id JOIN companies c ON c.id = r.supplier_id
		CROSS JOIN LATERAL (SELECT CASE WHEN r.currency = (SELECT value FROM settings WHERE key = 'base_currency') THEN 1::numeric
			ELSE (SELECT e.rate FROM exchange_rates e WHERE e.currency = r.currency AND e.valid_from <= $2::date
			      ORDER BY e.valid_from DESC LIMIT 1) END AS rate) rt
		WHERE x.product_id = $1 AND x.price IS NOT NULL AND r.status IN ('open', 'quoted', 'converted')
		ORDER BY expired, base_price NULLS LAST, x.lead_days NULLS LAST, r.number, x.line_no`, p.ID, dateOnly(date))
	if err != nil {
		return nil, db.Classify(err)
	}
	best := false
	for i := range out {
		out[i].Rank = i + 1
		if out[i].BasePrice != nil {
			v := normal(*out[i].BasePrice)
			out[i].BasePrice = &v
		}
		if !best && !out[i].Expired && out[i].Status != RFQConverted {
			out[i].Best, best = true, true
		}
	}
	return out, nil
}

// priceScale is the most decimals a quoted price may have, as a PO line's (purchasing).
const priceScale = 6

// dateOnly is how dates travel to SQL: as YYYY-MM-DD text cast to date.
func dateOnly(t time.Time) string { return t.Format(time.DateOnly) }

// datePtr is dateOnly for optional dates; nil stays NULL.
func datePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := dateOnly(*t)
	return &s
}

// normal drops trailing zeros (11.0 and 11.000 print as 11), for amounts computed in SQL.
func normal(v decimal.Decimal) decimal.Decimal {
	return decimal.RequireFromString(v.String())
}
