// Package timebill bills time: the billing period of time products, time entries logged in
// hours against a customer, and Bill, which puts a customer's unbilled entries on a new sales
// order priced by pricing.Quote, once.
//
// The working calendar that turns hours into periods: an hour is 1 hour, a day is the
// product's hours per day (8 unless set), a week 5 days, a month 20 days, a quarter 60 days
// and a year 240 days. The uoms table is not used for this: its day is 24 hours of clock time,
// a billing day is a working day. Ten hours against a product priced 800 per day of 8 hours
// is 1.25 days = 1000.
package timebill

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// Time units a period is counted in, and the time types of a time product.
const (
	Hour    = "hour"
	Day     = "day"
	Week    = "week"
	Month   = "month"
	Quarter = "quarter"
	Year    = "year"

	Labour = "labour"
	Travel = "travel"
)

// Units lists the period units in size order; Types the time types.
var (
	Units = []string{Hour, Day, Week, Month, Quarter, Year}
	Types = []string{Labour, Travel}
)

// daysPer is the working days in one unit (day and longer).
var daysPer = map[string]int64{Day: 1, Week: 5, Month: 20, Quarter: 60, Year: 240}

// periodScale is the decimals a number of periods keeps on a sales order line.
const periodScale = 6

// DefaultHoursPerDay is the working day of a time product that does not set its own.
var DefaultHoursPerDay = decimal.NewFromInt(8)

// Product is a time product with its billing period. Its price (sell price, breaks, special
// prices) is per period; break minimums count periods.
type Product struct {
	ID          int64           `db:"id" json:"-"`
	SKU         string          `db:"sku" json:"sku"`
	Name        string          `db:"name" json:"name"`
	Active      bool            `db:"active" json:"active" print:"wide"`
	PeriodQty   decimal.Decimal `db:"period_qty" json:"period_qty"`
	PeriodUnit  string          `db:"period_unit" json:"period_unit"`
	TimeType    string          `db:"time_type" json:"time_type"`
	HoursPerDay decimal.Decimal `db:"hours_per_day" json:"hours_per_day"`
	PeriodHours decimal.Decimal `db:"-" json:"period_hours"`
	SellPrice   decimal.Decimal `db:"sell_price" json:"price_per_period"`
}

// Period is how the period reads on a line: "day", "2 week".
func (p Product) Period() string {
	if p.PeriodQty.Equal(decimal.NewFromInt(1)) {
		return p.PeriodUnit
	}
	return p.PeriodQty.String() + " " + p.PeriodUnit
}

// PeriodHours is the working hours in qty × unit on a calendar of hoursPerDay hours a day.
func PeriodHours(qty decimal.Decimal, unit string, hoursPerDay decimal.Decimal) decimal.Decimal {
	if unit == Hour {
		return qty
	}
	return qty.Mul(hoursPerDay).Mul(decimal.NewFromInt(daysPer[unit]))
}

// Periods converts hours into periods of periodHours each, kept to 6 decimals (half up).
func Periods(hours, periodHours decimal.Decimal) decimal.Decimal {
	return hours.DivRound(periodHours, periodScale)
}

const selectProduct = `SELECT p.id, p.sku, p.name, p.active, p.sell_price, coalesce(t.period_qty, 1) AS period_qty,
	coalesce(t.period_unit, 'hour') AS period_unit, coalesce(t.time_type, 'labour') AS time_type,
	coalesce(t.hours_per_day, 8) AS hours_per_day
	FROM products p LEFT JOIN time_products t ON t.product_id = p.id`

func (p *Product) fill() { p.PeriodHours = PeriodHours(p.PeriodQty, p.PeriodUnit, p.HoursPerDay) }

// GetProduct returns a time product with its period (1 hour of labour until one is set).
func GetProduct(ctx context.Context, q sqlx.QueryerContext, sku string) (Product, error) {
	sku = strings.TrimSpace(sku)
	var p Product
	var typ string
	err := sqlx.GetContext(ctx, q, &typ, `SELECT type FROM products WHERE sku = $1`, sku)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fault.NotFoundf("product %s does not exist (see stockctl product list --type time)", sku)
	}
	if err != nil {
		return p, db.Classify(err)
	}
	if typ != catalog.Time {
		return p, fault.Invalidf("product", "product %s is a %s product: time is logged and billed on time products (stockctl product list --type time)", sku, typ)
	}
	if err := sqlx.GetContext(ctx, q, &p, selectProduct+` WHERE p.sku = $1`, sku); err != nil {
		return p, db.Classify(err)
	}
	p.fill()
	return p, nil
}

// ListProducts returns every time product with its period, by SKU.
func ListProducts(ctx context.Context, q sqlx.QueryerContext) ([]Product, error) {
	out := []Product{}
	if err := sqlx.SelectContext(ctx, q, &out, selectProduct+` WHERE p.type = 'time' ORDER BY p.sku`); err != nil {
		return nil, db.Classify(err)
	}
	for i := range out {
		out[i].fill()
	}
	return out, nil
}

// ProductChanges are the period fields to set; nil leaves a field as it is.
type ProductChanges struct {
	PeriodQty   *decimal.Decimal
	PeriodUnit  *string
	TimeType    *string
	HoursPerDay *decimal.Decimal
}

// SetProduct sets the billing period and time type of a time product.
func SetProduct(ctx context.Context, q sqlx.ExtContext, sku string, ch ProductChanges) (Product, error) {
	p, err := GetProduct(ctx, q, sku)
	if err != nil {
		return p, err
	}
	if ch.PeriodQty != nil {
		if !ch.PeriodQty.IsPositive() {
			return p, fault.Invalidf("period", "time product %s: --period must be more than 0, got %s", p.SKU, ch.PeriodQty)
		}
		p.PeriodQty = *ch.PeriodQty
	}
	if ch.PeriodUnit != nil {
		u := strings.ToLower(strings.TrimSpace(*ch.PeriodUnit))
		u = strings.TrimSuffix(u, "s")
		if u == "h" {
			u = Hour
		}
		if !contains(Units, u) {
			return p, fault.Invalidf("unit", "time product %s: --unit %q: use one of %s", p.SKU, *ch.PeriodUnit, strings.Join(Units, ", "))
		}
		p.PeriodUnit = u
	}
	if ch.TimeType != nil {
		t := strings.ToLower(strings.TrimSpace(*ch.TimeType))
		if t == "labor" {
			t = Labour
		}
		if !contains(Types, t) {
			return p, fault.Invalidf("time-type", "time product %s: --time-type %q: use labour or travel", p.SKU, *ch.TimeType)
		}
		p.TimeType = t
	}
	if ch.HoursPerDay != nil {
		if !ch.HoursPerDay.IsPositive() || ch.HoursPerDay.GreaterThan(decimal.NewFromInt(24)) {
			return p, fault.Invalidf("hours-per-day", "time product %s: --hours-per-day must be more than 0 and at most 24, got %s", p.SKU, ch.HoursPerDay)
		}
		p.HoursPerDay = *ch.HoursPerDay
	}
	_, err = q.ExecContext(ctx, `INSERT INTO time_products (product_id, period_qty, period_unit, time_type, hours_per_day)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (product_id) DO UPDATE SET period_qty = EXCLUDED.period_qty, period_unit = EXCLUDED.period_unit,
			time_type = EXCLUDED.time_type, hours_per_day = EXCLUDED.hours_per_day`,
		p.ID, p.PeriodQty, p.PeriodUnit, p.TimeType, p.HoursPerDay)
	if err != nil {
		return p, db.Classify(err)
	}
	return GetProduct(ctx, q, p.SKU)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func dateOnly(t time.Time) string { return t.Format(time.DateOnly) }
