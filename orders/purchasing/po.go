package purchasing

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/business/numbering"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// PO statuses (SPEC §5): draft → ordered → partially_received → received, or cancelled.
const (
	Draft             = "draft"
	Ordered           = "ordered"
	PartiallyReceived = "partially_received"
	Received          = "received"
	Cancelled         = "cancelled"
)

// Where a line's price came from.
const (
	FromSupplierPrice = "supplier price"
	FromGiven         = "given"
)

// OriginReorder marks the POs po generate --reorder makes.
const OriginReorder = "reorder"

// POSummary is a purchase order without its lines. Amounts are in the PO's currency; the
// base total is at the PO's rate: frozen when it was ordered (RateFrozen), else the rate
// given with it, else today's rate for a draft (nil when the currency has none).
type POSummary struct {
	ID           int64            `db:"id" json:"-"`
	Number       string           `db:"number" json:"number"`
	Supplier     string           `db:"supplier" json:"supplier"`
	SupplierName string           `db:"supplier_name" json:"supplier_name" print:"wide"`
	Location     string           `db:"location" json:"location"`
	Status       string           `db:"status" json:"status"`
	Currency     string           `db:"currency" json:"currency"`
	Rate         *decimal.Decimal `db:"rate" json:"rate"`
	RateFrozen   bool             `db:"rate_frozen" json:"rate_frozen" print:"wide"`
	OrderDate    *time.Time       `db:"order_date" json:"order_date" print:"date"`
	ExpectedDate *time.Time       `db:"expected_date" json:"expected_date" print:"date,wide"`
	Subtotal     decimal.Decimal  `db:"subtotal" json:"subtotal" print:"wide"`
	Tax          decimal.Decimal  `db:"tax" json:"tax" print:"wide"`
	Total        decimal.Decimal  `db:"total" json:"total"`
	BaseCurrency string           `db:"base_currency" json:"base_currency" print:"wide"`
	BaseSubtotal *decimal.Decimal `db:"base_subtotal" json:"base_subtotal" print:"wide"`
	BaseTotal    *decimal.Decimal `db:"base_total" json:"base_total"`
	LineCount    int              `db:"line_count" json:"line_count" print:"wide"`
	Qty          decimal.Decimal  `db:"qty" json:"qty" print:"wide"`
	ReceivedQty  decimal.Decimal  `db:"received_qty" json:"received_qty" print:"wide"`
	Outstanding  decimal.Decimal  `db:"outstanding" json:"outstanding"`
	Origin       string           `db:"origin" json:"origin" print:"wide"`
	Notes        string           `db:"notes" json:"notes" print:"wide"`
	CreatedAt    time.Time        `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy    string           `db:"created_by" json:"created_by" print:"wide"`
	UpdatedAt    time.Time        `db:"updated_at" json:"updated_at" print:"wide"`
}

// CellColor colours the status in a terminal table.
func (s POSummary) CellColor(field string) string {
	if field != "status" {
		return ""
	}
	switch s.Status {
	case Received:
		return "green"
	case PartiallyReceived, Ordered:
		return "blue"
	case Cancelled:
		return "red"
	}
	return ""
}

// POLine is one line of a purchase order. Qty, ReceivedQty and Outstanding are in the stock
// unit; the line was entered as EnteredQty of Unit (a unit of the stock unit's category or a
// pack unit; the stock unit for lines made before units on lines) and UnitPrice is per Unit.
// Amount is EnteredQty × unit price rounded to the currency's minor unit, Tax its tax;
// UnitCost is what one stock unit is valued at in the base currency on receipt (the price
// per stock unit at the PO's rate).
type POLine struct {
	PO          string           `db:"po" json:"po" print:"wide"`
	LineNo      int              `db:"line_no" json:"line_no"`
	SKU         string           `db:"sku" json:"sku"`
	Name        string           `db:"name" json:"name" print:"wide"`
	SupplierSKU string           `db:"supplier_sku" json:"supplier_sku" print:"wide"`
	Qty         decimal.Decimal  `db:"qty" json:"qty"`
	Unit        string           `db:"unit" json:"unit"`
	UnitPrice   decimal.Decimal  `db:"unit_price" json:"unit_price"`
	PriceSource string           `db:"price_source" json:"price_source" print:"wide"`
	TaxRate     decimal.Decimal  `db:"tax_rate" json:"tax_rate" print:"wide"`
	Amount      decimal.Decimal  `db:"amount" json:"amount"`
	Tax         decimal.Decimal  `db:"tax" json:"tax" print:"wide"`
	UnitCost    *decimal.Decimal `db:"unit_cost" json:"unit_cost" print:"wide"`
	ReceivedQty decimal.Decimal  `db:"received_qty" json:"received_qty"`
	Outstanding decimal.Decimal  `db:"outstanding" json:"outstanding"`
	Stocked     bool             `db:"stocked" json:"stocked" print:"wide"`
	EnteredQty  decimal.Decimal  `db:"entered_qty" json:"entered_qty" print:"wide"`
	StockUnit   string           `db:"stock_unit" json:"stock_unit" print:"wide"`
}

// ReceiptLine is what one receipt of a PO brought in on one line.
type ReceiptLine struct {
	Receipt    int             `db:"receipt" json:"receipt"`
	Ref        string          `db:"ref" json:"ref"`
	ReceivedOn time.Time       `db:"received_on" json:"received_on" print:"date"`
	LineNo     int             `db:"line_no" json:"line_no"`
	SKU        string          `db:"sku" json:"sku"`
	Qty        decimal.Decimal `db:"qty" json:"qty"`
	UnitCost   decimal.Decimal `db:"unit_cost" json:"unit_cost"`
	Batch      *string         `db:"batch" json:"batch"`
	Bay        *string         `db:"bay" json:"bay"`
	Serials    string          `db:"serials" json:"serials"`
	CreatedBy  string          `db:"created_by" json:"created_by" print:"wide"`
}

// PODoc is a purchase order with its lines and receipts.
type PODoc struct {
	POSummary
	Lines    []POLine      `json:"lines"`
	Receipts []ReceiptLine `json:"receipts"`
	// AlreadyPosted is set by Receive when its ref was received before: nothing changed.
	AlreadyPosted bool `json:"-"`
}

const selectPO = `SELECT o.id, o.number, c.code AS supplier, c.name AS supplier_name, l.code AS location, o.status,
	o.currency, r.rate, (o.status <> 'draft' AND o.rate IS NOT NULL) AS rate_frozen, o.order_date, o.expected_date,
	coalesce(t.subtotal, 0) AS subtotal, coalesce(t.tax, 0) AS tax, coalesce(t.subtotal + t.tax, 0) AS total,
	b.code AS base_currency, round(coalesce(t.subtotal, 0) * r.rate, b.minor_units) AS base_subtotal,
	round(coalesce(t.subtotal + t.tax, 0) * r.rate, b.minor_units) AS base_total,
	coalesce(t.lines, 0) AS line_count, coalesce(t.qty, 0) AS qty, coalesce(t.received, 0) AS received_qty,
	coalesce(t.outstanding, 0) AS outstanding, o.origin, o.notes, o.created_at, o.created_by, o.updated_at
	FROM purchase_orders o
	JOIN companies c ON c.id = o.supplier_id
	JOIN locations l ON l.id = o.location_id
	JOIN currencies cu ON cu.code = o.currency
	CROSS JOIN (SELECT x.code, x.minor_units FROM settings s JOIN currencies x ON x.code = s.value
	            WHERE s.key = 'base_currency') b
	CROSS JOIN LATERAL (SELECT coalesce(o.rate, CASE WHEN o.currency = b.code THEN 1::numeric ELSE
		(SELECT e.rate FROM exchange_rates e WHERE e.currency = o.currency AND e.valid_from <= current_date
		 ORDER BY e.valid_from DESC LIMIT 1) END) AS rate) r
	LEFT JOIN LATERAL (SELECT count(*) AS lines, sum(a.amount) AS subtotal,
		sum(round(a.amount * a.tax_rate / 100, cu.minor_units)) AS tax, sum(a.qty) AS qty, sum(a.received_qty) AS received,
		sum(greatest(a.qty - a.received_qty, 0)) AS outstanding
		FROM (SELECT round(x.entered_qty * x.unit_price, cu.minor_units) AS amount, x.tax_rate, x.qty, x.received_qty
		      FROM po_lines x WHERE x.po_id = o.id) a) t ON true`

// NewPO is what a new purchase order starts with.
type NewPO struct {
	Supplier string
	Location string           // the purchase-for location, where receipts go
	Currency string           // default: the supplier's currency
	Rate     *decimal.Decimal // base units per one unit of currency; default: frozen when ordered
	Expected *time.Time
	Notes    string
	Origin   string
}

// New creates a draft purchase order.
func New(ctx context.Context, q sqlx.ExtContext, in NewPO) (PODoc, error) {
	s, err := requireSupplier(ctx, q, "supplier", in.Supplier)
	if err != nil {
		return PODoc{}, err
	}
	if strings.TrimSpace(in.Location) == "" {
		return PODoc{}, fault.Invalidf("location", "a purchase order needs the location it buys for: give --location")
	}
	loc, err := stock.GetLocation(ctx, q, "location", in.Location)
	if err != nil {
		return PODoc{}, err
	}
	if !loc.Active {
		return PODoc{}, fault.Invalidf("location", "location %s is inactive", loc.Code)
	}
	cur := s.Currency
	if in.Currency != "" {
		if cur, err = currency.Require(ctx, q, "currency", in.Currency); err != nil {
			return PODoc{}, err
		}
	}
	if in.Rate != nil {
		if err := checkRate(ctx, q, cur, *in.Rate); err != nil {
			return PODoc{}, err
		}
	}
	number, err := numbering.Next(ctx, q, numbering.PurchaseOrder)
	if err != nil {
		return PODoc{}, err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO purchase_orders (number, supplier_id, location_id, currency, rate, rate_given,
		expected_date, notes, origin) VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9)`,
		number, s.ID, loc.ID, cur, in.Rate, in.Rate != nil, datePtr(in.Expected), strings.TrimSpace(in.Notes), in.Origin)
	if err != nil {
		return PODoc{}, db.Classify(err)
	}
	return Get(ctx, q, number)
}

// checkRate validates a rate given for a document in currency cur.
func checkRate(ctx context.Context, q sqlx.QueryerContext, cur string, rate decimal.Decimal) error {
	if !rate.IsPositive() || rate.Exponent() < -10 || rate.GreaterThanOrEqual(decimal.New(1, 10)) {
		return fault.Invalidf("rate", "rate %s: give base units per one %s, above 0, at most 10 decimals", rate, cur)
	}
	base, err := currency.Base(ctx, q)
	if err != nil {
		return err
	}
	if cur == base && !rate.Equal(decimal.NewFromInt(1)) {
		return fault.Invalidf("rate", "%s is the base currency: its rate is 1, not %s", cur, rate)
	}
	return nil
}

// poHead is a purchase order as the functions that change it need it, locked.
type poHead struct {
	ID         int64            `db:"id"`
	Number     string           `db:"number"`
	SupplierID int64            `db:"supplier_id"`
	Supplier   string           `db:"supplier"`
	LocationID int64            `db:"location_id"`
	Currency   string           `db:"currency"`
	Rate       *decimal.Decimal `db:"rate"`
	Status     string           `db:"status"`
	OrderDate  *time.Time       `db:"order_date"`
}

// lockPO reads a PO's head and locks its row: every change of a PO (lines, status,
// receipts, landed costs) takes this lock first, so they queue per PO.
func lockPO(ctx context.Context, q sqlx.QueryerContext, number string) (poHead, error) {
	var h poHead
	number = strings.TrimSpace(number)
	err := sqlx.GetContext(ctx, q, &h, `SELECT o.id, o.number, o.supplier_id, c.code AS supplier, o.location_id, o.currency,
		o.rate, o.status, o.order_date FROM purchase_orders o JOIN companies c ON c.id = o.supplier_id
		WHERE o.number = $1 FOR UPDATE OF o`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fault.NotFoundf("purchase order %s does not exist (see stockctl po list)", number)
	}
	return h, db.Classify(err)
}

// LineInput is one line to add to a draft PO.
type LineInput struct {
	SKU  string
	Qty  decimal.Decimal
	Unit string // a unit of the stock unit's category or a pack unit of the product; "" the purchase unit
	// InStockUnit says Qty is in the stock unit when Unit is "" (po generate's shortfalls).
	InStockUnit bool
	// Price per Unit in the PO's currency; nil takes the supplier's price break at the
	// line's quantity, converted to Unit.
	Price   *decimal.Decimal
	TaxRate *decimal.Decimal // percent; nil: the product's purchase tax rate, else setting tax_rate_purchase
	// Source says where a given price came from (an RFQ); "" means "given".
	Source      string
	SupplierSKU string
}

// AddLine adds a line to a draft purchase order. The product must be active and purchasable.
func AddLine(ctx context.Context, q sqlx.ExtContext, number string, in LineInput) (PODoc, error) {
	h, err := lockPO(ctx, q, number)
	if err != nil {
		return PODoc{}, err
	}
	if err := addLine(ctx, q, h, in, clock.Today()); err != nil {
		return PODoc{}, err
	}
	return Get(ctx, q, h.Number)
}

// AddLines adds lines to a draft PO in one lock, priced on date (RFQ conversion). On an
// error it returns the index of the line refused.
func AddLines(ctx context.Context, q sqlx.ExtContext, number string, lines []LineInput, date time.Time) (int, error) {
	h, err := lockPO(ctx, q, number)
	if err != nil {
		return -1, err
	}
	for i, l := range lines {
		if err := addLine(ctx, q, h, l, date); err != nil {
			return i, err
		}
	}
	return -1, nil
}

// SetRFQ records the request for quote (its id) a PO was converted from.
func SetRFQ(ctx context.Context, q sqlx.ExtContext, poID, rfqID int64) error {
	_, err := q.ExecContext(ctx, `UPDATE purchase_orders SET rfq_id = $2 WHERE id = $1`, poID, rfqID)
	return db.Classify(err)
}

// addLine adds a line to the locked PO h, priced on date.
func addLine(ctx context.Context, q sqlx.ExtContext, h poHead, in LineInput, date time.Time) error {
	if h.Status != Draft {
		return fault.Invalidf("po", "%s is %s: lines are added to draft purchase orders only", h.Number, h.Status)
	}
	p, err := catalog.RequireActive(ctx, q, strings.TrimSpace(in.SKU))
	if err != nil {
		return err
	}
	if !p.Purchasable {
		return fault.Invalidf("sku", "product %s is not purchasable: make it so with stockctl product edit %s --purchasable", p.SKU, p.SKU)
	}
	if err := catalog.RefuseTemplate(ctx, q, "sku", p); err != nil {
		return err
	}
	if !in.Qty.IsPositive() {
		return fault.Invalidf("qty", "%s: the quantity must be more than 0, got %s", p.SKU, in.Qty)
	}
	unit := strings.TrimSpace(in.Unit)
	if unit == "" && !in.InStockUnit {
		unit = p.PurchaseUOM
	}
	if unit == "" {
		unit = p.StockUOM
	}
	qty, err := catalog.ToStockExact(ctx, q, p, in.Qty, unit)
	if err != nil {
		return err
	}
	if !qty.IsPositive() {
		return fault.Invalidf("qty", "%s: %s %s is less than the smallest quantity of %s", p.SKU, in.Qty, unit, p.StockUOM)
	}
	if unit == p.StockUOM && !qty.Equal(in.Qty) {
		return fault.Invalidf("qty", "%s: %s has more decimals than its unit %s keeps", p.SKU, in.Qty, p.StockUOM)
	}
	price, source, supSKU := decimal.Zero, in.Source, in.SupplierSKU
	if in.Price != nil {
		price = *in.Price
		if price.IsNegative() {
			return fault.Invalidf("price", "%s: the price cannot be negative, got %s", p.SKU, price)
		}
		if err := checkScale("price", price, priceScale, p.SKU+": price"); err != nil {
			return err
		}
		if source == "" {
			source = FromGiven
		}
	} else {
		os, err := offers(ctx, q, []need{{ProductID: p.ID, Qty: qty, SupplierID: h.SupplierID, Currency: h.Currency}}, date)
		if err != nil {
			return err
		}
		if len(os[0]) == 0 {
			return fault.Invalidf("price", "%s has no price for %s in %s on %s: give --price, or add one with stockctl supplier price add %s %s --price X --currency %s",
				h.Supplier, p.SKU, h.Currency, dateOnly(date), h.Supplier, p.SKU, h.Currency)
		}
		o := os[0][0]
		price, source = o.lineUnitPrice(qty, in.Qty), FromSupplierPrice
		if supSKU == "" {
			supSKU = o.SupplierSKU
		}
	}
	if supSKU == "" {
		// The part number is the supplier's whichever price row carries it.
		_ = sqlx.GetContext(ctx, q, &supSKU, `SELECT supplier_sku FROM supplier_prices WHERE supplier_id = $1 AND product_id = $2
			AND supplier_sku <> '' ORDER BY updated_at DESC LIMIT 1`, h.SupplierID, p.ID)
	}
	tax, err := lineTaxRate(ctx, q, p, in.TaxRate)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO po_lines (po_id, line_no, product_id, qty, unit_price, price_source, tax_rate, supplier_sku,
		unit, entered_qty)
		VALUES ($1, (SELECT coalesce(max(line_no), 0) + 1 FROM po_lines WHERE po_id = $1), $2, $3, $4, $5, $6, $7, $8, $9)`,
		h.ID, p.ID, qty, price, source, tax, supSKU, unit, in.Qty)
	return db.Classify(err)
}

// lineTaxRate is a given rate, else the product's purchase tax rate, else the setting.
func lineTaxRate(ctx context.Context, q sqlx.QueryerContext, p catalog.Product, given *decimal.Decimal) (decimal.Decimal, error) {
	if given != nil {
		if given.IsNegative() || given.GreaterThan(decimal.NewFromInt(100)) {
			return decimal.Zero, fault.Invalidf("tax-rate", "tax rate %s: give a percentage from 0 to 100", given)
		}
		return *given, nil
	}
	if p.PurchaseTaxRate != nil {
		return *p.PurchaseTaxRate, nil
	}
	v, err := settings.Value(ctx, q, "tax_rate_purchase")
	if err != nil {
		return decimal.Zero, err
	}
	return decimal.NewFromString(v)
}

// Order sends a draft purchase order: it becomes ordered on date (default today) and its
// exchange rate is frozen — the rate given with it, else the rate in force on that date —
// and never changes afterwards. Without an expected date it gets the order date plus the
// longest lead time of its lines' supplier prices.
func Order(ctx context.Context, q sqlx.ExtContext, number string, date *time.Time) (PODoc, error) {
	h, err := lockPO(ctx, q, number)
	if err != nil {
		return PODoc{}, err
	}
	if h.Status != Draft {
		return PODoc{}, fault.Invalidf("po", "%s is %s: only a draft can be ordered", h.Number, h.Status)
	}
	var lines int
	if err := sqlx.GetContext(ctx, q, &lines, `SELECT count(*) FROM po_lines WHERE po_id = $1`, h.ID); err != nil {
		return PODoc{}, db.Classify(err)
	}
	if lines == 0 {
		return PODoc{}, fault.Invalidf("po", "%s has no lines: add them with stockctl po add %s SKU QTY", h.Number, h.Number)
	}
	day := clock.Today()
	if date != nil {
		day = *date
	}
	rate := h.Rate
	if rate == nil {
		r, err := currency.RateOn(ctx, q, h.Currency, day)
		if err != nil {
			return PODoc{}, fault.Wrap(fault.KindOf(err), err, "ordering %s", h.Number)
		}
		rate = &r
	}
	_, err = q.ExecContext(ctx, `UPDATE purchase_orders o SET status = 'ordered', rate = $2, order_date = $3::date,
		expected_date = coalesce(o.expected_date, $3::date + (SELECT max(s.lead_days) FROM po_lines l
			JOIN supplier_prices s ON s.supplier_id = o.supplier_id AND s.product_id = l.product_id
			WHERE l.po_id = o.id))
		WHERE o.id = $1`, h.ID, *rate, dateOnly(day))
	if err != nil {
		return PODoc{}, db.Classify(err)
	}
	return Get(ctx, q, h.Number)
}

// Cancel cancels a draft or ordered purchase order that has received nothing.
func Cancel(ctx context.Context, q sqlx.ExtContext, number string) (PODoc, error) {
	h, err := lockPO(ctx, q, number)
	if err != nil {
		return PODoc{}, err
	}
	switch h.Status {
	case Draft, Ordered:
	case Cancelled:
		return PODoc{}, fault.Invalidf("po", "%s is already cancelled", h.Number)
	default:
		return PODoc{}, fault.Invalidf("po", "%s is %s: stock was received on it, so it cannot be cancelled", h.Number, h.Status)
	}
	if _, err := q.ExecContext(ctx, `UPDATE purchase_orders SET status = 'cancelled' WHERE id = $1`, h.ID); err != nil {
		return PODoc{}, db.Classify(err)
	}
	// The one write of purchasing on orders/rfq's table: the RFQ a cancelled PO was
	// converted from is quoted again (rfq imports purchasing, so this cannot call it).
	_, err = q.ExecContext(ctx, `UPDATE rfqs SET status = 'quoted', po_id = NULL WHERE po_id = $1`, h.ID)
	if err != nil {
		return PODoc{}, db.Classify(err)
	}
	return Get(ctx, q, h.Number)
}

// Get returns a purchase order with its lines and receipts (empty lists, never nil).
func Get(ctx context.Context, q sqlx.QueryerContext, number string) (PODoc, error) {
	var doc PODoc
	number = strings.TrimSpace(number)
	err := sqlx.GetContext(ctx, q, &doc.POSummary, selectPO+` WHERE o.number = $1`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return doc, fault.NotFoundf("purchase order %s does not exist (see stockctl po list)", number)
	}
	if err != nil {
		return doc, db.Classify(err)
	}
	doc.Lines = []POLine{}
	err = sqlx.SelectContext(ctx, q, &doc.Lines, `SELECT $2::text AS po, x.line_no, p.sku, p.name, x.supplier_sku, x.qty,
		x.unit, x.unit_price, x.price_source, x.tax_rate, a.amount,
		round(a.amount * x.tax_rate / 100, cu.minor_units) AS tax, round(x.unit_price * x.entered_qty / x.qty * $3::numeric, 6) AS unit_cost,
		x.received_qty, greatest(x.qty - x.received_qty, 0) AS outstanding, p.track_stock AS stocked,
		x.entered_qty, p.stock_uom AS stock_unit
		FROM po_lines x JOIN products p ON p.id = x.product_id JOIN currencies cu ON cu.code = $4
		CROSS JOIN LATERAL (SELECT round(x.entered_qty * x.unit_price, cu.minor_units) AS amount) a
		WHERE x.po_id = $1 ORDER BY x.line_no`, doc.ID, doc.Number, doc.Rate, doc.Currency)
	if err != nil {
		return doc, db.Classify(err)
	}
	doc.Receipts = []ReceiptLine{}
	err = sqlx.SelectContext(ctx, q, &doc.Receipts, `SELECT r.receipt_no AS receipt, r.ref, r.received_on, x.line_no, p.sku,
		rl.qty, rl.unit_cost, b.number AS batch, y.code AS bay, array_to_string(rl.serials, ' ') AS serials, r.created_by
		FROM po_receipts r JOIN po_receipt_lines rl ON rl.receipt_id = r.id
		JOIN po_lines x ON x.id = rl.po_line_id JOIN products p ON p.id = x.product_id
		LEFT JOIN batches b ON b.id = rl.batch_id LEFT JOIN bays y ON y.id = rl.bay_id
		WHERE r.po_id = $1 ORDER BY r.receipt_no, x.line_no, rl.id`, doc.ID)
	return doc, db.Classify(err)
}

// ListFilter narrows List; empty fields do not filter. Status "open" means draft, ordered
// or partially received.
type ListFilter struct {
	Status   string
	Supplier string
	Location string
}

// OpenStatuses are the statuses of purchase orders still expecting stock (po generate counts
// their outstanding quantities; "on order" counts those of ordered ones).
var OpenStatuses = []string{Draft, Ordered, PartiallyReceived}

// List returns purchase orders newest first.
func List(ctx context.Context, q sqlx.QueryerContext, f ListFilter) ([]POSummary, error) {
	var statuses []string
	switch s := strings.TrimSpace(f.Status); s {
	case "":
	case "open":
		statuses = OpenStatuses
	case Draft, Ordered, PartiallyReceived, Received, Cancelled:
		statuses = []string{s}
	default:
		return nil, fault.Invalidf("status", "unknown status %q: use draft, ordered, partially_received, received, cancelled or open", s)
	}
	var supID, locID *int64
	if f.Supplier != "" {
		s, err := requireSupplier(ctx, q, "supplier", f.Supplier)
		if err != nil {
			return nil, err
		}
		supID = &s.ID
	}
	if f.Location != "" {
		l, err := stock.GetLocation(ctx, q, "location", f.Location)
		if err != nil {
			return nil, err
		}
		locID = &l.ID
	}
	out := []POSummary{}
	err := sqlx.SelectContext(ctx, q, &out, selectPO+`
		WHERE ($1::text[] IS NULL OR o.status = ANY($1)) AND ($2::bigint IS NULL OR o.supplier_id = $2)
		  AND ($3::bigint IS NULL OR o.location_id = $3)
		ORDER BY o.id DESC`, pq.StringArray(statuses), supID, locID)
	return out, db.Classify(err)
}
