// Package purchasing buys stock: supplier pricing with quantity breaks and the preferred
// supplier, purchase orders and their receipts, landed costs, reorder proposals (po
// generate) and the data and templates POs and RFQs render with (io/render lays them out).
// Requests for quote are orders/rfq, which makes its purchase orders through this package.
//
// Every change of stock goes through stock.Post (receipts) or stock.Revalue (landed costs);
// this package never touches balances or costs itself. Functions take ctx, then the
// database handle (a transaction when they write), like the rest of the domain.
package purchasing

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// supplier is a company checked to be an active supplier.
type supplier struct {
	ID       int64
	Code     string
	Name     string
	Currency string
	TaxRate  *decimal.Decimal
}

// requireSupplier returns the company code as a supplier: it must exist, be a supplier and
// be active. field names the argument for errors.
func requireSupplier(ctx context.Context, q sqlx.QueryerContext, field, code string) (supplier, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return supplier{}, fault.Invalidf(field, "give the supplier's company code")
	}
	c, err := company.Get(ctx, q, code)
	if fault.Is(err, fault.NotFound) {
		return supplier{}, fault.Unknownf(field, "unknown supplier %q: see stockctl company list --suppliers", code)
	}
	if err != nil {
		return supplier{}, err
	}
	if !c.Supplier {
		return supplier{}, fault.Invalidf(field, "company %s is not a supplier: make it one with stockctl company edit %s --supplier", c.Code, c.Code)
	}
	if !c.Active {
		return supplier{}, fault.Invalidf(field, "supplier %s is inactive: activate it with stockctl company edit %s --active", c.Code, c.Code)
	}
	return supplier{ID: c.ID, Code: c.Code, Name: c.Name, Currency: c.Currency, TaxRate: c.TaxRate}, nil
}

// RequireSupplier is requireSupplier for other packages: the id and currency of the
// active supplier code names.
func RequireSupplier(ctx context.Context, q sqlx.QueryerContext, field, code string) (id int64, currency string, err error) {
	s, err := requireSupplier(ctx, q, field, code)
	return s.ID, s.Currency, err
}

// minorUnits returns how many decimals amounts in a currency keep (2 for EUR, 0 for JPY).
func minorUnits(ctx context.Context, q sqlx.QueryerContext, code string) (int32, error) {
	var n int32
	err := sqlx.GetContext(ctx, q, &n, `SELECT minor_units FROM currencies WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.Unknownf("currency", "unknown currency %s: add it with stockctl currency add %s", code, code)
	}
	return n, db.Classify(err)
}

// dateOnly is how dates travel to SQL: as YYYY-MM-DD text cast to date, the same with
// every driver.
func dateOnly(t time.Time) string { return t.Format(time.DateOnly) }

// datePtr is dateOnly for optional dates; nil stays NULL.
func datePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := dateOnly(*t)
	return &s
}

// costScale is how many decimals a unit cost in the base currency keeps (as in stock).
const costScale = 6

// priceScale is the most decimals a unit price may have (0.0215 per screw).
const priceScale = 6

// checkScale refuses a number with more than n decimals.
func checkScale(field string, v decimal.Decimal, n int32, what string) error {
	if v.Exponent() < -n && !v.Equal(v.Round(n)) {
		return fault.Invalidf(field, "%s %s has more than %d decimals", what, v, n)
	}
	return nil
}

// ceilTo rounds v up to n decimals.
func ceilTo(v decimal.Decimal, n int32) decimal.Decimal {
	if v.Exponent() >= -n {
		return v
	}
	return v.Shift(n).Ceil().Shift(-n)
}

// normal drops trailing zeros (11.0 and 11.000 print as 11), for amounts computed in SQL.
func normal(v decimal.Decimal) decimal.Decimal {
	return decimal.RequireFromString(v.String())
}
