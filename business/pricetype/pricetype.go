// Package pricetype holds price types, the named price levels (retail, wholesale ...)
// customers are put on and price breaks are kept per.
//
// Price types are master data: settings (default_price_type), company (a customer's price
// type), inventory/pricing and orders/sales all name them, so the package sits in business,
// below them all. It reads the setting default_price_type with its own SQL, because
// settings imports it to check that setting's value.
package pricetype

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// PriceType is a named price level such as retail or wholesale.
type PriceType struct {
	Code    string `db:"code" json:"code"`
	Name    string `db:"name" json:"name"`
	Active  bool   `db:"active" json:"active"`
	Default bool   `db:"is_default" json:"default"`
}

// TypeInfo is a price type with how many customers are on it.
type TypeInfo struct {
	PriceType
	Customers int64 `db:"customers" json:"customers"`
}

const selectType = `SELECT t.code, t.name, t.active,
	t.code = (SELECT value FROM settings WHERE key = 'default_price_type') AS is_default
	FROM price_types t`

var typeCodeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// GetType returns a price type, active or not.
func GetType(ctx context.Context, q sqlx.QueryerContext, code string) (PriceType, error) {
	var pt PriceType
	err := sqlx.GetContext(ctx, q, &pt, selectType+` WHERE t.code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return pt, fault.NotFoundf("price type %q does not exist: see stockctl price-type list", code)
	}
	return pt, db.Classify(err)
}

// All returns every price type, active or not.
func All(ctx context.Context, q sqlx.QueryerContext) ([]PriceType, error) {
	var ts []PriceType
	err := sqlx.SelectContext(ctx, q, &ts, selectType)
	return ts, db.Classify(err)
}

// RequireType checks that code names an active price type; field names the argument.
func RequireType(ctx context.Context, q sqlx.QueryerContext, field, code string) (PriceType, error) {
	pt, err := GetType(ctx, q, code)
	if fault.Is(err, fault.NotFound) {
		return pt, fault.Unknownf(field, "unknown price type %q: see stockctl price-type list", code)
	}
	if err != nil {
		return pt, err
	}
	if !pt.Active {
		return pt, fault.Invalidf(field, "price type %q is inactive: choose an active one (stockctl price-type list)", code)
	}
	return pt, nil
}

// Types lists the price types with the number of customers on each.
func Types(ctx context.Context, q sqlx.QueryerContext) ([]TypeInfo, error) {
	var ts []TypeInfo
	err := sqlx.SelectContext(ctx, q, &ts, `SELECT t.code, t.name, t.active, t.code = s.value AS is_default,
		count(c.id) AS customers
		FROM price_types t
		JOIN settings s ON s.key = 'default_price_type'
		LEFT JOIN companies c ON c.price_type = t.code AND c.is_customer
		GROUP BY t.code, t.name, t.active, s.value
		ORDER BY t.code`)
	return ts, db.Classify(err)
}

// DefaultType returns the code of the default price type (setting default_price_type).
func DefaultType(ctx context.Context, q sqlx.QueryerContext) (string, error) {
	var code string
	err := sqlx.GetContext(ctx, q, &code, `SELECT value FROM settings WHERE key = 'default_price_type'`)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.NotFoundf("setting default_price_type is missing from the database: run stockctl db migrate")
	}
	return code, db.Classify(err)
}

// AddType creates a price type; name defaults to the code.
func AddType(ctx context.Context, q sqlx.ExtContext, code, name string) (PriceType, error) {
	code = strings.TrimSpace(code)
	if !typeCodeRe.MatchString(code) {
		return PriceType{}, fault.Invalidf("code", "price type code %q: use 1 to 32 letters, digits or . _ - starting with a letter or digit", code)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = code
	}
	res, err := q.ExecContext(ctx, `INSERT INTO price_types (code, name) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING`, code, name)
	if err != nil {
		return PriceType{}, db.Classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return PriceType{}, fault.Conflictf("price type %s already exists (stockctl price-type list)", code)
	}
	return GetType(ctx, q, code)
}

// SetTypeActive activates or deactivates a price type and returns it with the number of
// customers on it. The default price type cannot be deactivated. Customers on an inactive
// price type are priced as if they had none: by the default price type.
func SetTypeActive(ctx context.Context, q sqlx.ExtContext, code string, active bool) (TypeInfo, error) {
	pt, err := GetType(ctx, q, code)
	if err != nil {
		return TypeInfo{}, err
	}
	if !active && pt.Default {
		return TypeInfo{}, fault.Invalidf("code", "price type %s is the default price type and cannot be deactivated: make another one the default first (stockctl price-type default CODE)", code)
	}
	if _, err := q.ExecContext(ctx, `UPDATE price_types SET active = $2 WHERE code = $1 AND active <> $2`, code, active); err != nil {
		return TypeInfo{}, db.Classify(err)
	}
	info := TypeInfo{PriceType: pt}
	info.Active = active
	err = sqlx.GetContext(ctx, q, &info.Customers, `SELECT count(*) FROM companies WHERE price_type = $1 AND is_customer`, code)
	return info, db.Classify(err)
}

// SetDefault makes code, an active price type, the default price type (setting
// default_price_type). The database then keeps prices steady (pricing_default_type_changed):
// the old default's first break rows are kept as ordinary rows of that type, so its customers
// pay what they paid; the new default's first row (no region, minimum 0) becomes the unit sell
// price of fixed-price products, and formula products keep their computed sell price.
func SetDefault(ctx context.Context, q sqlx.ExtContext, code string) (PriceType, error) {
	pt, err := RequireType(ctx, q, "code", strings.TrimSpace(code))
	if err != nil {
		return pt, err
	}
	if _, err := q.ExecContext(ctx, `UPDATE settings SET value = $1 WHERE key = 'default_price_type' AND value IS DISTINCT FROM $1`, pt.Code); err != nil {
		return pt, db.Classify(err)
	}
	return GetType(ctx, q, pt.Code)
}
