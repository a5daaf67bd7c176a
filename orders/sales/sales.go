// Package sales sells stock: sales orders and their lines, allocation and backorders,
// release of backorders, shipments and invoices.
//
// Allocation is kept twice, equal in every transaction: per line (so_lines.allocated) and per
// product and sell-from location (stock_balances.allocated, which the posting guard of
// stock.Post reads). Every function that changes it first takes the products' posting locks
// with stock.Lock (product id order, the order stock.Post uses), then re-reads what it needs
// and changes the balances with guarded, set-based updates. Stock itself only ever moves
// through stock.Post. Functions take ctx, then the database handle (a transaction when they
// write); the caller owns the transaction (db.InTx), so several calls compose atomically.
package sales

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
	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/business/numbering"
	"github.com/stockctl/stockctl/business/pricetype"
	"github.com/stockctl/stockctl/business/region"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
)

// Order statuses (SPEC §6).
const (
	Draft            = "draft"
	Confirmed        = "confirmed"
	PartiallyShipped = "partially_shipped"
	Shipped          = "shipped"
	Closed           = "closed"
	Cancelled        = "cancelled"
)

// Statuses lists the order statuses in their life-cycle order.
var Statuses = []string{Draft, Confirmed, PartiallyShipped, Shipped, Closed, Cancelled}

// KindSale is the kind of the ledger moves a shipment posts.
const KindSale = "sale"

// priceScale is the most decimals a unit price keeps.
const priceScale = 6

// Order is a sales order header with its totals in the order's currency.
type Order struct {
	ID           int64           `db:"id" json:"-"`
	Number       string          `db:"number" json:"number"`
	CustomerID   int64           `db:"customer_id" json:"-"`
	Customer     string          `db:"customer" json:"customer"`
	CustomerName string          `db:"customer_name" json:"customer_name" print:"wide"`
	LocationID   int64           `db:"location_id" json:"-"`
	Location     string          `db:"location" json:"location"`
	ShipTo       *string         `db:"ship_to_region" json:"ship_to_region" print:"wide"`
	Currency     string          `db:"currency" json:"currency"`
	Rate         decimal.Decimal `db:"rate" json:"rate" print:"wide"`
	PriceType    string          `db:"price_type" json:"price_type" print:"wide"`
	Status       string          `db:"status" json:"status"`
	OrderDate    time.Time       `db:"order_date" json:"order_date" print:"date"`
	ShipBy       *time.Time      `db:"ship_by" json:"ship_by" print:"date"`
	ShipComplete bool            `db:"ship_complete" json:"ship_complete" print:"wide"`
	// PricesIncludeTax is the setting prices_include_tax frozen on the order when it was made:
	// whether its unit prices hold the tax (see currency.Line).
	PricesIncludeTax bool            `db:"prices_include_tax" json:"prices_include_tax" print:"wide"`
	MinorUnits       int32           `db:"minor_units" json:"-"` // of the order's currency
	Lines            int             `db:"lines" json:"line_count"`
	Subtotal         decimal.Decimal `db:"subtotal" json:"subtotal"`
	Tax              decimal.Decimal `db:"tax" json:"tax" print:"wide"`
	Total            decimal.Decimal `db:"total" json:"total"`
	Backordered      decimal.Decimal `db:"backordered" json:"backordered"`
	Notes            string          `db:"notes" json:"notes" print:"wide"`
	CreatedAt        time.Time       `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy        string          `db:"created_by" json:"created_by" print:"wide"`
}

// Line is one line of a sales order. Qty, Allocated, Backordered, Shipped and Invoiced are in
// the product's stock unit; EnteredQty is the quantity in the line's Unit. UnitPrice is per
// PriceUnit: the line's Unit for lines entered in a unit of their own, else the stock unit
// (lines in the stock unit, lines made before units on lines, time billing's lines). Amount
// (the quantity in PriceUnit × UnitPrice less the discount, net of tax), Tax and Total are
// money in the order's currency's minor unit (currency.Line); UnitPrice keeps its precision.
type Line struct {
	ID            int64           `db:"id" json:"-"`
	SOID          int64           `db:"so_id" json:"-"`
	LineNo        int             `db:"line_no" json:"line"`
	ProductID     int64           `db:"product_id" json:"-"`
	SKU           string          `db:"sku" json:"sku"`
	Name          string          `db:"name" json:"name" print:"wide"`
	Stock         bool            `db:"stock" json:"stock" print:"wide"`
	Qty           decimal.Decimal `db:"qty" json:"qty"`
	StockUnit     string          `db:"stock_uom" json:"stock_unit" print:"wide"`
	EnteredQty    decimal.Decimal `db:"entered_qty" json:"entered_qty" print:"wide"`
	Unit          string          `db:"unit" json:"unit" print:"wide"`
	UnitPrice     decimal.Decimal `db:"unit_price" json:"unit_price"`
	PriceUnit     string          `db:"price_unit" json:"price_unit" print:"wide"` // what UnitPrice is per: Unit, or the stock unit
	PricedQty     decimal.Decimal `db:"priced_qty" json:"-"`                       // the quantity in PriceUnit
	PriceSource   string          `db:"price_source" json:"price_source"`
	Discount      decimal.Decimal `db:"discount" json:"discount" print:"wide"`
	TaxRate       decimal.Decimal `db:"tax_rate" json:"tax_rate" print:"wide"`
	Amount        decimal.Decimal `db:"-" json:"amount"`
	Tax           decimal.Decimal `db:"-" json:"tax" print:"wide"`
	Total         decimal.Decimal `db:"-" json:"total" print:"wide"`
	Custom        bool            `db:"custom" json:"custom" print:"wide"`
	Configuration string          `db:"configuration" json:"configuration" print:"wide"`
	ShipComplete  bool            `db:"ship_complete" json:"ship_complete" print:"wide"`
	Allocated     decimal.Decimal `db:"allocated" json:"allocated"`
	Backordered   decimal.Decimal `db:"backordered" json:"backordered"`
	Shipped       decimal.Decimal `db:"shipped" json:"shipped"`
	Invoiced      decimal.Decimal `db:"invoiced" json:"invoiced"`
}

// Doc is a sales order with its lines.
type Doc struct {
	Order
	Items []Line `json:"lines"`
}

const selectOrder = `SELECT o.id, o.number, o.customer_id, c.code AS customer, c.name AS customer_name, o.location_id,
	l.code AS location, o.ship_to_region, o.currency, o.rate, o.price_type, o.status, o.order_date, o.ship_by,
	o.ship_complete, o.prices_include_tax, cu.minor_units, o.notes, o.created_at, o.created_by,
	coalesce(t.lines, 0) AS lines, coalesce(t.backordered, 0) AS backordered
	FROM sales_orders o
	JOIN companies c ON c.id = o.customer_id
	JOIN locations l ON l.id = o.location_id
	JOIN currencies cu ON cu.code = o.currency
	LEFT JOIN LATERAL (SELECT count(*) AS lines, sum(x.backordered) AS backordered
		FROM so_lines x WHERE x.so_id = o.id) t ON true`

// pricedQty is a line's quantity in the unit its price is per.
const pricedQty = `CASE WHEN x.unit_priced THEN x.entered_qty ELSE x.qty END`

const selectLine = `SELECT x.id, x.so_id, x.line_no, x.product_id, p.sku, p.name, x.stock, x.qty, p.stock_uom, x.entered_qty,
	x.unit, x.unit_price, CASE WHEN x.unit_priced THEN x.unit ELSE p.stock_uom END AS price_unit, ` + pricedQty + ` AS priced_qty,
	x.price_source, x.discount, x.tax_rate,
	x.custom, x.configuration, x.ship_complete, x.allocated, x.backordered, x.shipped, x.invoiced
	FROM so_lines x JOIN products p ON p.id = x.product_id`

// money fills in a line's amount, tax and total under its order's tax mode and currency.
func (l *Line) money(o Order) {
	m := currency.Line(l.UnitPrice, l.PricedQty, l.Discount, l.TaxRate, o.PricesIncludeTax, o.MinorUnits)
	l.Amount, l.Tax, l.Total = m.Net, m.Tax, m.Gross
}

// totals fills in the orders' subtotal, tax and total: the sums of their lines' money
// (currency.Line), read for every order in one statement.
func totals(ctx context.Context, q sqlx.QueryerContext, orders []Order) error {
	if len(orders) == 0 {
		return nil
	}
	ids := make(pq.Int64Array, len(orders))
	at := make(map[int64]*Order, len(orders))
	for i := range orders {
		o := &orders[i]
		ids[i], at[o.ID] = o.ID, o
		zero := currency.Round(decimal.Zero, o.MinorUnits)
		o.Subtotal, o.Tax, o.Total = zero, zero, zero
	}
	rows, err := q.QueryxContext(ctx, `SELECT x.so_id, `+pricedQty+`, x.unit_price, x.discount, x.tax_rate FROM so_lines x WHERE x.so_id = ANY($1)`, ids)
	if err != nil {
		return db.Classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var qty, price, discount, rate decimal.Decimal
		if err := rows.Scan(&id, &qty, &price, &discount, &rate); err != nil {
			return db.Classify(err)
		}
		o := at[id]
		m := currency.Line(price, qty, discount, rate, o.PricesIncludeTax, o.MinorUnits)
		o.Subtotal, o.Tax, o.Total = o.Subtotal.Add(m.Net), o.Tax.Add(m.Tax), o.Total.Add(m.Gross)
	}
	return db.Classify(rows.Err())
}

// NewOrder is what so new takes.
type NewOrder struct {
	Customer     string
	Location     string
	PriceType    string     // "": the customer's price type (else the default)
	ShipTo       string     // sales region the goods go to; "": the customer's region
	ShipBy       *time.Time // requested ship date: first in release priority
	ShipComplete bool       // release the order's backorders all or nothing
	Date         time.Time  // order date; zero: today (UTC)
	Notes        string
	// PricesIncludeTax says whether the order's prices hold the tax; nil: the setting
	// prices_include_tax as it is now. Frozen on the order either way.
	PricesIncludeTax *bool
}

// New creates a draft sales order. The customer must be an active customer and the location
// an active internal location; the order trades in the customer's currency at the rate in
// force on the order date, and with prices that include tax or not (in.PricesIncludeTax, else
// the setting prices_include_tax), both frozen on the order.
func New(ctx context.Context, q sqlx.ExtContext, in NewOrder) (Doc, error) {
	c, err := requireCustomer(ctx, q, in.Customer)
	if err != nil {
		return Doc{}, err
	}
	loc, err := requireLocation(ctx, q, "location", in.Location)
	if err != nil {
		return Doc{}, err
	}
	date := in.Date
	if date.IsZero() {
		date = clock.Today()
	}
	pt := in.PriceType
	if pt == "" && c.PriceType != nil {
		pt = *c.PriceType
	}
	if pt == "" {
		if pt, err = settings.Value(ctx, q, "default_price_type"); err != nil {
			return Doc{}, err
		}
	}
	t, err := pricetype.RequireType(ctx, q, "price-type", pt)
	if err != nil {
		return Doc{}, err
	}
	if !t.Active {
		return Doc{}, fault.Invalidf("price-type", "price type %s is inactive: choose another with --price-type", t.Code)
	}
	var shipTo *string
	if in.ShipTo != "" {
		if err := region.Require(ctx, q, "ship-to", in.ShipTo); err != nil {
			return Doc{}, err
		}
		shipTo = &in.ShipTo
	} else {
		shipTo = c.Region
	}
	rate, err := currency.RateOn(ctx, q, c.Currency, date)
	if err != nil {
		return Doc{}, err
	}
	number, err := numbering.Next(ctx, q, numbering.SalesOrder)
	if err != nil {
		return Doc{}, err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO sales_orders (number, customer_id, location_id, ship_to_region, currency, rate,
		price_type, order_date, ship_by, ship_complete, notes, prices_include_tax)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9::date, $10, $11, coalesce($12, setting_prices_include_tax()))`,
		number, c.ID, loc.ID, shipTo, c.Currency, rate, t.Code, dateOnly(date), datePtr(in.ShipBy), in.ShipComplete, in.Notes,
		in.PricesIncludeTax)
	if err != nil {
		return Doc{}, db.Classify(err)
	}
	return Get(ctx, q, number)
}

// Get returns a sales order with its lines in line order.
func Get(ctx context.Context, q sqlx.QueryerContext, number string) (Doc, error) {
	o, err := getOrder(ctx, q, number)
	if err != nil {
		return Doc{}, err
	}
	d := Doc{Order: o, Items: []Line{}}
	if err = sqlx.SelectContext(ctx, q, &d.Items, selectLine+` WHERE x.so_id = $1 ORDER BY x.line_no`, o.ID); err != nil {
		return d, db.Classify(err)
	}
	for i := range d.Items {
		d.Items[i].money(o)
	}
	return d, nil
}

func getOrder(ctx context.Context, q sqlx.QueryerContext, number string) (Order, error) {
	number = strings.TrimSpace(number)
	if number == "" {
		return Order{}, fault.Invalidf("so", "give the sales order number (SO-000001)")
	}
	var o Order
	err := sqlx.GetContext(ctx, q, &o, selectOrder+` WHERE o.number = $1`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fault.NotFoundf("sales order %s does not exist (see stockctl so list)", number)
	}
	if err != nil {
		return o, db.Classify(err)
	}
	orders := []Order{o}
	err = totals(ctx, q, orders)
	return orders[0], err
}

// lockOrder locks the order row for the rest of the transaction and returns it as it is now.
func lockOrder(ctx context.Context, q sqlx.ExtContext, number string) (Order, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, `SELECT id FROM sales_orders WHERE number = $1 FOR UPDATE`, strings.TrimSpace(number))
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, fault.NotFoundf("sales order %s does not exist (see stockctl so list)", number)
	}
	if err != nil {
		return Order{}, db.Classify(err)
	}
	return getOrder(ctx, q, number)
}

// Filter narrows List.
type Filter struct {
	Status   string // one status, or "open" (confirmed or partially shipped)
	Customer string
	Limit    int
}

// List returns sales orders, newest first.
func List(ctx context.Context, q sqlx.QueryerContext, f Filter) ([]Order, error) {
	var statuses []string
	switch f.Status {
	case "":
	case "open":
		statuses = []string{Confirmed, PartiallyShipped}
	default:
		if !contains(Statuses, f.Status) {
			return nil, fault.Invalidf("status", "--status %q: use %s or open", f.Status, strings.Join(Statuses, ", "))
		}
		statuses = []string{f.Status}
	}
	var custID *int64
	if f.Customer != "" {
		c, err := company.Get(ctx, q, f.Customer)
		if err != nil {
			return nil, fault.Unknownf("customer", "unknown customer %q: see stockctl company list --customers", f.Customer)
		}
		custID = &c.ID
	}
	query := selectOrder + ` WHERE (coalesce(cardinality($1::text[]), 0) = 0 OR o.status = ANY($1)) AND ($2::bigint IS NULL OR o.customer_id = $2)
		ORDER BY o.id DESC`
	args := []any{pq.StringArray(statuses), custID}
	if f.Limit > 0 {
		query += ` LIMIT $3`
		args = append(args, f.Limit)
	}
	out := []Order{}
	if err := sqlx.SelectContext(ctx, q, &out, query, args...); err != nil {
		return nil, db.Classify(err)
	}
	return out, totals(ctx, q, out)
}

func requireCustomer(ctx context.Context, q sqlx.QueryerContext, code string) (company.Company, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return company.Company{}, fault.Invalidf("customer", "give the customer's company code")
	}
	c, err := company.Get(ctx, q, code)
	if fault.Is(err, fault.NotFound) {
		return c, fault.Unknownf("customer", "unknown customer %q: see stockctl company list --customers", code)
	}
	if err != nil {
		return c, err
	}
	if !c.Customer {
		return c, fault.Invalidf("customer", "company %s is not a customer: make it one with stockctl company edit %s --customer", c.Code, c.Code)
	}
	if !c.Active {
		return c, fault.Invalidf("customer", "customer %s is inactive: activate it with stockctl company edit %s --active", c.Code, c.Code)
	}
	return c, nil
}

// requireLocation returns an active internal location: the place an order sells from or a
// work order builds at.
func requireLocation(ctx context.Context, q sqlx.QueryerContext, field, code string) (stock.Location, error) {
	if strings.TrimSpace(code) == "" {
		return stock.Location{}, fault.Invalidf(field, "give the location (--%s)", field)
	}
	l, err := stock.GetLocation(ctx, q, field, code)
	if err != nil {
		return l, err
	}
	if l.Kind != stock.Internal {
		return l, fault.Invalidf(field, "%s is not a stock location", l.Code)
	}
	if !l.Active {
		return l, fault.Invalidf(field, "location %s is inactive", l.Code)
	}
	return l, nil
}

func dateOnly(t time.Time) string { return t.Format(time.DateOnly) }

func datePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := dateOnly(*t)
	return &s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
