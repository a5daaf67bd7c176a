// Package currency holds the currencies a business trades in, their dated exchange rates to
// the base currency, and the base currency itself.
package currency

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	xcurrency "golang.org/x/text/currency"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Currency is one currency a business uses.
type Currency struct {
	Code       string    `db:"code" json:"code"`
	Name       string    `db:"name" json:"name"`
	MinorUnits int       `db:"minor_units" json:"minor_units"`
	Base       bool      `db:"base" json:"base"`
	CreatedAt  time.Time `db:"created_at" json:"created_at" print:"wide"`
}

// Rate says one unit of Currency is worth Rate base units from ValidFrom on.
type Rate struct {
	Currency  string          `db:"currency" json:"currency"`
	ValidFrom time.Time       `db:"valid_from" json:"valid_from" print:"date"`
	Rate      decimal.Decimal `db:"rate" json:"rate"`
	CreatedBy string          `db:"created_by" json:"created_by" print:"wide"`
}

// ParseCode checks that code is an ISO 4217 currency code and returns it upper-cased.
func ParseCode(field, code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if len(c) != 3 {
		return "", fault.Invalidf(field, "currency %q: give a three-letter ISO 4217 code such as EUR or USD", code)
	}
	u, err := xcurrency.ParseISO(c)
	if err != nil || u.String() != c {
		return "", fault.Invalidf(field, "currency %q is not an ISO 4217 currency code (EUR, USD, GBP, ...)", code)
	}
	return c, nil
}

func minorUnits(code string) int {
	scale, _ := xcurrency.Standard.Rounding(xcurrency.MustParseISO(code))
	return scale
}

// Base returns the base currency: the one stock values and exchange rates are kept in.
// Its value lives in the settings table under base_currency, but this package owns its rules.
func Base(ctx context.Context, q sqlx.QueryerContext) (string, error) {
	var code string
	err := sqlx.GetContext(ctx, q, &code, `SELECT value FROM settings WHERE key = 'base_currency'`)
	return code, db.Classify(err)
}

// SetBase makes code the base currency, adding it to the currencies if needed. It is refused
// once any document exists, because documents store amounts and rates in the old base.
func SetBase(ctx context.Context, q sqlx.ExtContext, code string) (string, error) {
	c, err := ParseCode("base_currency", code)
	if err != nil {
		return "", err
	}
	cur, err := Base(ctx, q)
	if err != nil {
		return "", err
	}
	if cur == c {
		return c, nil
	}
	var docs int64
	if err := sqlx.GetContext(ctx, q, &docs, `SELECT count(*) FROM documents`); err != nil {
		return "", db.Classify(err)
	}
	if docs > 0 {
		return "", fault.Invalidf("base_currency", "cannot change the base currency from %s to %s: %d documents already hold amounts in %s", cur, c, docs, cur)
	}
	if _, err := ensure(ctx, q, c, ""); err != nil {
		return "", err
	}
	// Rates were quoted against the old base; they mean nothing against the new one.
	if _, err := q.ExecContext(ctx, `DELETE FROM exchange_rates`); err != nil {
		return "", db.Classify(err)
	}
	if _, err := q.ExecContext(ctx, `UPDATE settings SET value = $1 WHERE key = 'base_currency'`, c); err != nil {
		return "", db.Classify(err)
	}
	return c, nil
}

// Add registers a currency. Adding one that exists is a conflict.
func Add(ctx context.Context, q sqlx.ExtContext, code, name string) (Currency, error) {
	c, err := ParseCode("code", code)
	if err != nil {
		return Currency{}, err
	}
	added, err := ensure(ctx, q, c, name)
	if err != nil {
		return Currency{}, err
	}
	if !added {
		return Currency{}, fault.Conflictf("currency %s already exists", c)
	}
	return Get(ctx, q, c)
}

// ensure inserts the currency unless it exists and reports whether it did.
func ensure(ctx context.Context, q sqlx.ExtContext, code, name string) (bool, error) {
	if strings.TrimSpace(name) == "" {
		name = code
	}
	res, err := q.ExecContext(ctx, `INSERT INTO currencies (code, name, minor_units) VALUES ($1, $2, $3)
		ON CONFLICT (code) DO NOTHING`, code, strings.TrimSpace(name), minorUnits(code))
	if err != nil {
		return false, db.Classify(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

const selectCurrency = `SELECT c.code, c.name, c.minor_units, c.code = s.value AS base, c.created_at
	FROM currencies c CROSS JOIN (SELECT value FROM settings WHERE key = 'base_currency') s`

// Get returns one currency.
func Get(ctx context.Context, q sqlx.QueryerContext, code string) (Currency, error) {
	var c Currency
	err := sqlx.GetContext(ctx, q, &c, selectCurrency+` WHERE c.code = $1`, strings.ToUpper(strings.TrimSpace(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fault.NotFoundf("currency %s does not exist: add it with stockctl currency add %s", code, strings.ToUpper(code))
	}
	return c, db.Classify(err)
}

// Require checks that code names a known currency and returns it normalised; field names the
// argument for the error.
func Require(ctx context.Context, q sqlx.QueryerContext, field, code string) (string, error) {
	c, err := ParseCode(field, code)
	if err != nil {
		return "", err
	}
	var ok bool
	if err := sqlx.GetContext(ctx, q, &ok, `SELECT EXISTS (SELECT 1 FROM currencies WHERE code = $1)`, c); err != nil {
		return "", db.Classify(err)
	}
	if !ok {
		return "", fault.Unknownf(field, "unknown currency %s: add it first with stockctl currency add %s", c, c)
	}
	return c, nil
}

// List returns every currency, the base first.
func List(ctx context.Context, q sqlx.QueryerContext) ([]Currency, error) {
	var cs []Currency
	err := sqlx.SelectContext(ctx, q, &cs, selectCurrency+` ORDER BY base DESC, c.code`)
	return cs, db.Classify(err)
}

// SetRate records that one unit of code is worth rate base units from date on. Setting a rate
// for a date that has one replaces it; documents keep the rate they froze.
func SetRate(ctx context.Context, q sqlx.ExtContext, code string, rate decimal.Decimal, date time.Time) (Rate, error) {
	c, err := Require(ctx, q, "code", code)
	if err != nil {
		return Rate{}, err
	}
	base, err := Base(ctx, q)
	if err != nil {
		return Rate{}, err
	}
	if c == base {
		return Rate{}, fault.Invalidf("code", "%s is the base currency: its rate is always 1", c)
	}
	if !rate.IsPositive() {
		return Rate{}, fault.Invalidf("rate", "rate %s for %s: give a rate greater than 0 (base units per one %s)", rate, c, c)
	}
	if rate.Exponent() < -10 || rate.GreaterThanOrEqual(decimal.New(1, 10)) {
		return Rate{}, fault.Invalidf("rate", "rate %s for %s: at most 10 digits before and after the decimal point", rate, c)
	}
	var r Rate
	err = sqlx.GetContext(ctx, q, &r, `INSERT INTO exchange_rates (currency, valid_from, rate) VALUES ($1, $2, $3)
		ON CONFLICT (currency, valid_from) DO UPDATE SET rate = EXCLUDED.rate
		RETURNING currency, valid_from, rate, created_by`, c, date.Format(time.DateOnly), rate)
	return r, db.Classify(err)
}

// Rates lists the recorded rates, newest first, for one currency or ("" code) all.
func Rates(ctx context.Context, q sqlx.QueryerContext, code string) ([]Rate, error) {
	var rs []Rate
	if code == "" {
		err := sqlx.SelectContext(ctx, q, &rs, `SELECT currency, valid_from, rate, created_by FROM exchange_rates ORDER BY currency, valid_from DESC`)
		return rs, db.Classify(err)
	}
	c, err := Require(ctx, q, "code", code)
	if err != nil {
		return nil, err
	}
	err = sqlx.SelectContext(ctx, q, &rs, `SELECT currency, valid_from, rate, created_by FROM exchange_rates WHERE currency = $1 ORDER BY valid_from DESC`, c)
	return rs, db.Classify(err)
}

// RateOn returns the rate of code in force on date: 1 for the base currency, else the latest
// rate whose valid_from is on or before date. A currency with no rate yet is an error that
// says how to set one.
func RateOn(ctx context.Context, q sqlx.QueryerContext, code string, date time.Time) (decimal.Decimal, error) {
	c, err := Require(ctx, q, "currency", code)
	if err != nil {
		return decimal.Zero, err
	}
	base, err := Base(ctx, q)
	if err != nil {
		return decimal.Zero, err
	}
	if c == base {
		return decimal.NewFromInt(1), nil
	}
	var r decimal.Decimal
	err = sqlx.GetContext(ctx, q, &r, `SELECT rate FROM exchange_rates WHERE currency = $1 AND valid_from <= $2
		ORDER BY valid_from DESC LIMIT 1`, c, date.Format(time.DateOnly))
	if errors.Is(err, sql.ErrNoRows) {
		return decimal.Zero, fault.Invalidf("currency", "no exchange rate for %s on %s: set one with stockctl currency rate set %s RATE --date %s",
			c, date.Format(time.DateOnly), c, date.Format(time.DateOnly))
	}
	return r, db.Classify(err)
}
