package timebill

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// Entry is time logged for a customer against a time product, in hours.
type Entry struct {
	ID         int64            `db:"id" json:"id"`
	Date       time.Time        `db:"entry_date" json:"date" print:"date"`
	CustomerID int64            `db:"customer_id" json:"-"`
	Customer   string           `db:"customer" json:"customer"`
	ProductID  int64            `db:"product_id" json:"-"`
	SKU        string           `db:"sku" json:"sku"`
	Hours      decimal.Decimal  `db:"hours" json:"hours"`
	Billable   bool             `db:"billable" json:"billable"`
	Rate       *decimal.Decimal `db:"rate" json:"rate" print:"wide"`
	Ref        string           `db:"ref" json:"ref"`
	Note       string           `db:"note" json:"note"`
	SO         *string          `db:"so" json:"so"`
	SOLine     *int             `db:"so_line" json:"so_line" print:"wide"`
	BilledAt   *time.Time       `db:"billed_at" json:"billed_at" print:"wide"`
	CreatedBy  string           `db:"created_by" json:"created_by" print:"wide"`
}

const selectEntry = `SELECT e.id, e.entry_date, e.customer_id, c.code AS customer, e.product_id, p.sku, e.hours, e.billable,
	e.rate, e.ref, e.note, o.number AS so, l.line_no AS so_line, e.billed_at, e.created_by
	FROM time_entries e
	JOIN companies c ON c.id = e.customer_id
	JOIN products p ON p.id = e.product_id
	LEFT JOIN so_lines l ON l.id = e.so_line_id
	LEFT JOIN sales_orders o ON o.id = l.so_id`

// NewEntry is what time log takes.
type NewEntry struct {
	Customer    string
	SKU         string
	Hours       decimal.Decimal
	Date        time.Time // zero: today (UTC)
	Note        string
	Ref         string // project or ticket
	NonBillable bool
	Rate        *decimal.Decimal // price per period by hand, in the customer's currency; nil: quoted when billed
}

// Log records an entry of time. The customer must be an active customer, the product an
// active, sellable time product, the hours more than 0.
func Log(ctx context.Context, q sqlx.ExtContext, in NewEntry) (Entry, error) {
	c, err := requireCustomer(ctx, q, in.Customer)
	if err != nil {
		return Entry{}, err
	}
	p, err := requireProduct(ctx, q, in.SKU)
	if err != nil {
		return Entry{}, err
	}
	if err := checkHours(in.Hours); err != nil {
		return Entry{}, err
	}
	if err := checkRate(in.Rate); err != nil {
		return Entry{}, err
	}
	date := in.Date
	if date.IsZero() {
		date = clock.Today()
	}
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `INSERT INTO time_entries (customer_id, product_id, entry_date, hours, note, ref, billable, rate)
		VALUES ($1, $2, $3::date, $4, $5, $6, $7, $8) RETURNING id`,
		c.ID, p.ID, dateOnly(date), in.Hours, strings.TrimSpace(in.Note), strings.TrimSpace(in.Ref), !in.NonBillable, in.Rate)
	if err != nil {
		return Entry{}, db.Classify(err)
	}
	return Get(ctx, q, id)
}

// Get returns one entry.
func Get(ctx context.Context, q sqlx.QueryerContext, id int64) (Entry, error) {
	var e Entry
	err := sqlx.GetContext(ctx, q, &e, selectEntry+` WHERE e.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fault.NotFoundf("time entry %d does not exist (see stockctl time list)", id)
	}
	return e, db.Classify(err)
}

// Filter narrows List.
type Filter struct {
	Unbilled bool   // only billable entries not billed yet
	Customer string // company code
	Ref      string
	SKU      string
	Until    *time.Time // entries dated on or before
}

// List returns entries oldest first.
func List(ctx context.Context, q sqlx.QueryerContext, f Filter) ([]Entry, error) {
	var custID *int64
	if f.Customer != "" {
		c, err := company.Get(ctx, q, strings.TrimSpace(f.Customer))
		if err != nil {
			return nil, fault.Unknownf("customer", "unknown customer %q: see stockctl company list --customers", f.Customer)
		}
		custID = &c.ID
	}
	if sku := strings.TrimSpace(f.SKU); sku != "" {
		if _, err := catalog.Get(ctx, q, sku); fault.Is(err, fault.NotFound) {
			return nil, fault.Unknownf("product", "unknown product %q: see stockctl product list --type time", sku)
		} else if err != nil {
			return nil, err
		}
	}
	var until *string
	if f.Until != nil {
		s := dateOnly(*f.Until)
		until = &s
	}
	out := []Entry{}
	err := sqlx.SelectContext(ctx, q, &out, selectEntry+` WHERE (NOT $1 OR (e.so_line_id IS NULL AND e.billable))
		AND ($2::bigint IS NULL OR e.customer_id = $2) AND ($3 = '' OR e.ref = $3) AND ($4 = '' OR p.sku = $4)
		AND ($5::date IS NULL OR e.entry_date <= $5::date)
		ORDER BY e.entry_date, e.id`, f.Unbilled, custID, strings.TrimSpace(f.Ref), strings.TrimSpace(f.SKU), until)
	return out, db.Classify(err)
}

// EntryChanges are the fields time edit sets; nil leaves a field as it is.
type EntryChanges struct {
	Customer  *string
	SKU       *string
	Hours     *decimal.Decimal
	Date      *time.Time
	Note      *string
	Ref       *string
	Billable  *bool
	Rate      *decimal.Decimal
	ClearRate bool // back to the quoted price
}

// Edit changes an entry that is not billed yet; a billed entry is refused (and frozen by a
// trigger whatever code path tries).
func Edit(ctx context.Context, q sqlx.ExtContext, id int64, ch EntryChanges) (Entry, error) {
	var billed bool
	err := sqlx.GetContext(ctx, q, &billed, `SELECT so_line_id IS NOT NULL FROM time_entries WHERE id = $1 FOR UPDATE`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fault.NotFoundf("time entry %d does not exist (see stockctl time list)", id)
	}
	if err != nil {
		return Entry{}, db.Classify(err)
	}
	e, err := Get(ctx, q, id)
	if err != nil {
		return e, err
	}
	if billed {
		return e, fault.Invalidf("id", "time entry %d is billed on %s line %d and can no longer change", id, deref(e.SO), derefInt(e.SOLine))
	}
	if ch.Customer != nil {
		c, err := requireCustomer(ctx, q, *ch.Customer)
		if err != nil {
			return e, err
		}
		e.CustomerID = c.ID
	}
	if ch.SKU != nil {
		p, err := requireProduct(ctx, q, *ch.SKU)
		if err != nil {
			return e, err
		}
		e.ProductID = p.ID
	}
	if ch.Hours != nil {
		if err := checkHours(*ch.Hours); err != nil {
			return e, err
		}
		e.Hours = *ch.Hours
	}
	if ch.Date != nil {
		e.Date = *ch.Date
	}
	if ch.Note != nil {
		e.Note = strings.TrimSpace(*ch.Note)
	}
	if ch.Ref != nil {
		e.Ref = strings.TrimSpace(*ch.Ref)
	}
	if ch.Billable != nil {
		e.Billable = *ch.Billable
	}
	if ch.ClearRate {
		e.Rate = nil
	}
	if ch.Rate != nil {
		if err := checkRate(ch.Rate); err != nil {
			return e, err
		}
		e.Rate = ch.Rate
	}
	_, err = q.ExecContext(ctx, `UPDATE time_entries SET customer_id = $2, product_id = $3, hours = $4, entry_date = $5::date,
		note = $6, ref = $7, billable = $8, rate = $9 WHERE id = $1`,
		id, e.CustomerID, e.ProductID, e.Hours, dateOnly(e.Date), e.Note, e.Ref, e.Billable, e.Rate)
	if err != nil {
		return e, db.Classify(err)
	}
	return Get(ctx, q, id)
}

func checkHours(h decimal.Decimal) error {
	if !h.IsPositive() {
		return fault.Invalidf("qty", "--qty is hours and must be more than 0, got %s", h)
	}
	if h.GreaterThan(decimal.NewFromInt(24 * 366)) {
		return fault.Invalidf("qty", "--qty %s hours is more than a year: log time per day or week", h)
	}
	return nil
}

func checkRate(r *decimal.Decimal) error {
	if r != nil && r.IsNegative() {
		return fault.Invalidf("rate", "--rate cannot be negative, got %s", r)
	}
	return nil
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

// requireProduct returns an active, sellable time product.
func requireProduct(ctx context.Context, q sqlx.QueryerContext, sku string) (catalog.Product, error) {
	sku = strings.TrimSpace(sku)
	if sku == "" {
		return catalog.Product{}, fault.Invalidf("product", "give the time product with --product SKU")
	}
	p, err := catalog.RequireActive(ctx, q, sku)
	if fault.Is(err, fault.NotFound) {
		return p, fault.Unknownf("product", "unknown product %q: see stockctl product list --type time", sku)
	}
	if err != nil {
		return p, err
	}
	if p.Type != catalog.Time {
		return p, fault.Invalidf("product", "product %s is a %s product: time is logged against time products (stockctl product list --type time)", p.SKU, p.Type)
	}
	if !p.Sellable {
		return p, fault.Invalidf("product", "product %s is not sellable: make it so with stockctl product edit %s --sellable", p.SKU, p.SKU)
	}
	return p, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(i *int) int {
	if i == nil {
		return 0
	}
	return *i
}
