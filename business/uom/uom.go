// Package uom holds units of measure, grouped in categories whose units convert exactly into
// one another through their ratio to the category's reference unit.
package uom

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Category is a kind of measure (count, weight, length, volume, time); every unit in it is
// measured against its reference unit.
type Category struct {
	Code          string `db:"code" json:"code"`
	Name          string `db:"name" json:"name"`
	ReferenceUnit string `db:"reference_unit" json:"reference_unit"`
}

// Unit is one unit of measure: one of it is Ratio of its category's reference unit
// (g: 0.001 kg), and a quantity in it keeps Precision decimals.
type Unit struct {
	Code      string          `db:"code" json:"code"`
	Name      string          `db:"name" json:"name"`
	Category  string          `db:"category" json:"category"`
	Ratio     decimal.Decimal `db:"ratio" json:"ratio"`
	Precision int32           `db:"precision" json:"precision"`
}

// MaxPrecision is the most decimals a unit may keep.
const MaxPrecision = 6

var codeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,15}$`)

// Convert turns qty in unit from into unit to, rounded half away from zero to to's precision.
// The rounding is exact: the quotient is never rounded twice. Units of different categories
// do not convert.
func Convert(qty decimal.Decimal, from, to Unit) (decimal.Decimal, error) {
	if from.Category != to.Category {
		return decimal.Zero, fault.Invalidf("unit", "cannot convert %s (%s) to %s (%s): units of different categories do not convert",
			from.Code, from.Category, to.Code, to.Category)
	}
	if !from.Ratio.IsPositive() || !to.Ratio.IsPositive() {
		return decimal.Zero, fault.Invalidf("unit", "cannot convert %s to %s: both units need a ratio greater than 0 (look them up with Get)", from.Code, to.Code)
	}
	// DivRound decides the rounding on the exact remainder, so no intermediate rounding.
	return qty.Mul(from.Ratio).DivRound(to.Ratio, to.Precision), nil
}

// ConvertExact is Convert for a quantity that must not change on the way: one that does not
// come out exactly in to's precision (500.5 g into kg kept to 3 decimals) is refused, naming
// both units, rather than rounded.
func ConvertExact(qty decimal.Decimal, from, to Unit) (decimal.Decimal, error) {
	r, err := Convert(qty, from, to)
	if err != nil {
		return r, err
	}
	if !r.Mul(to.Ratio).Equal(qty.Mul(from.Ratio)) {
		exact := qty.Mul(from.Ratio).DivRound(to.Ratio, MaxPrecision+10)
		return decimal.Zero, fault.Invalidf("qty", "%s %s is %s %s, but %s keeps %d decimals: give a quantity in %s that converts exactly to %s",
			qty, from.Code, exact, to.Code, to.Code, to.Precision, from.Code, to.Code)
	}
	return r, nil
}

// Round rounds qty half away from zero to the unit's precision.
func Round(qty decimal.Decimal, u Unit) decimal.Decimal {
	return qty.Round(u.Precision)
}

const selectUnit = `SELECT code, name, category, ratio, precision FROM uoms`

// Get returns the unit with the given code; an unknown code is not found.
func Get(ctx context.Context, q sqlx.QueryerContext, code string) (Unit, error) {
	var u Unit
	err := sqlx.GetContext(ctx, q, &u, selectUnit+` WHERE code = $1`, strings.TrimSpace(code))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fault.Unknownf("unit", "unknown unit %q: see stockctl uom list", code)
	}
	return u, db.Classify(err)
}

// List returns the units of one category, or of all with category "", by category and then
// from the smallest unit to the largest.
func List(ctx context.Context, q sqlx.QueryerContext, category string) ([]Unit, error) {
	us := []Unit{}
	if category == "" {
		err := sqlx.SelectContext(ctx, q, &us, selectUnit+` ORDER BY category, ratio, code`)
		return us, db.Classify(err)
	}
	cat, err := requireCategory(ctx, q, category)
	if err != nil {
		return nil, err
	}
	err = sqlx.SelectContext(ctx, q, &us, selectUnit+` WHERE category = $1 ORDER BY ratio, code`, cat.Code)
	return us, db.Classify(err)
}

// Categories returns every category by code.
func Categories(ctx context.Context, q sqlx.QueryerContext) ([]Category, error) {
	cs := []Category{}
	err := sqlx.SelectContext(ctx, q, &cs, `SELECT code, name, reference_unit FROM uom_categories ORDER BY code`)
	return cs, db.Classify(err)
}

// Add creates a unit in category: one of it is ratio reference units, and quantities in it
// keep precision decimals. An empty name becomes the code; a code that exists is a conflict.
func Add(ctx context.Context, q sqlx.ExtContext, code, category string, ratio decimal.Decimal, precision int, name string) (Unit, error) {
	code = strings.TrimSpace(code)
	if !codeRe.MatchString(code) {
		return Unit{}, fault.Invalidf("code", "unit code %q: use 1 to 16 letters, digits or . _ - starting with a letter", code)
	}
	cat, err := requireCategory(ctx, q, category)
	if err != nil {
		return Unit{}, err
	}
	if !ratio.IsPositive() {
		return Unit{}, fault.Invalidf("ratio", "ratio %s for %s: give how many %s one %s is, a number greater than 0",
			ratio, code, cat.ReferenceUnit, code)
	}
	if precision < 0 || precision > MaxPrecision {
		return Unit{}, fault.Invalidf("precision", "precision %d for %s: give the decimals a quantity in %s keeps, 0 to %d",
			precision, code, code, MaxPrecision)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = code
	}
	var u Unit
	err = sqlx.GetContext(ctx, q, &u, `INSERT INTO uoms (code, name, category, ratio, precision) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (code) DO NOTHING RETURNING code, name, category, ratio, precision`, code, name, cat.Code, ratio, precision)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fault.Conflictf("unit %s already exists", code)
	}
	return u, db.Classify(err)
}

// requireCategory returns the category named by category (case is ignored).
func requireCategory(ctx context.Context, q sqlx.QueryerContext, category string) (Category, error) {
	var c Category
	if strings.TrimSpace(category) == "" {
		return c, fault.Invalidf("category", "give the unit's category (see stockctl uom categories)")
	}
	err := sqlx.GetContext(ctx, q, &c, `SELECT code, name, reference_unit FROM uom_categories WHERE code = $1`,
		strings.ToLower(strings.TrimSpace(category)))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fault.Unknownf("category", "unknown unit category %q: see stockctl uom categories", category)
	}
	return c, db.Classify(err)
}
