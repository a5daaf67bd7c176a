// Package settings holds the business-wide settings (base currency, default price type,
// location pricing mode, tax and GL defaults, document number formats) and their rules.
package settings

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/business/pricetype"
	"github.com/stockctl/stockctl/business/uom"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Setting is one key and its value.
type Setting struct {
	Key         string    `db:"key" json:"key"`
	Value       string    `db:"value" json:"value"`
	Description string    `db:"-" json:"description"`
	UpdatedAt   time.Time `db:"updated_at" json:"updated_at" print:"wide"`
	UpdatedBy   string    `db:"updated_by" json:"updated_by" print:"wide"`
}

// check validates and normalises a new value; it may refuse with a reason.
type check func(ctx context.Context, q sqlx.ExtContext, value string) (string, error)

type def struct {
	desc  string
	check check
}

var defs = map[string]def{
	"base_currency": {"currency all stock values are kept in; cannot change once documents exist", func(ctx context.Context, q sqlx.ExtContext, v string) (string, error) {
		return currency.SetBase(ctx, q, v)
	}},
	"default_price_type": {"price type a new customer gets", func(ctx context.Context, q sqlx.ExtContext, v string) (string, error) {
		pt, err := pricetype.RequireType(ctx, q, "value", v)
		return pt.Code, err
	}},
	"default_uom": {"unit of measure new products are counted in", func(ctx context.Context, q sqlx.ExtContext, v string) (string, error) {
		u, err := uom.Get(ctx, q, v)
		return u.Code, err
	}},
	"location_pricing":       {"location-based pricing: none, sell_from or sell_to", oneOf("none", "sell_from", "sell_to")},
	"prices_include_tax":     {"whether prices include tax: true or false", boolean},
	"negative_stock_allowed": {"whether on hand may go below zero: true or false", boolean},
	"cost_price_follows":     {"what stock coming in does to a product's cost price: manual (nothing), average (it becomes the average cost) or last_receipt (the unit cost of the last stock in with a cost of its own)", oneOf("manual", "average", "last_receipt")},
	"gl_sales":               {"default sales GL code", glCode},
	"gl_purchase":            {"default purchase GL code", glCode},
	"gl_inventory":           {"default inventory asset GL code", glCode},
	"gl_cogs":                {"default cost of goods sold GL code", glCode},
	"gl_adjustment":          {"default GL code of stock adjustments", glCode},
	"gl_stocktake":           {"default GL code of stocktake variances", glCode},
	"tax_rate_sales":         {"default selling tax rate, percent", percent},
	"tax_rate_purchase":      {"default purchasing tax rate, percent", percent},
	"number_format_so":       {"sales order numbers, printf format with one %d", numberFormat},
	"number_format_po":       {"purchase order numbers, printf format with one %d", numberFormat},
	"number_format_rfq":      {"request for quote numbers, printf format with one %d", numberFormat},
	"number_format_wo":       {"work order numbers, printf format with one %d", numberFormat},
	"number_format_st":       {"stocktake numbers, printf format with one %d", numberFormat},
	"number_format_tr":       {"transfer numbers, printf format with one %d", numberFormat},
	"number_format_inv":      {"invoice numbers, printf format with one %d", numberFormat},
	"number_format_sh":       {"shipment numbers, printf format with one %d", numberFormat},
	"number_format_cn":       {"credit note numbers, printf format with one %d", numberFormat},
	"number_format_rma":      {"customer return (RMA) numbers, printf format with one %d", numberFormat},
}

// Keys returns the known setting keys in order.
func Keys() []string {
	keys := make([]string, 0, len(defs))
	for k := range defs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Known refuses a key that names no setting, listing those that do.
func Known(key string) error {
	_, err := known(key)
	return err
}

func known(key string) (def, error) {
	d, ok := defs[key]
	if !ok {
		return d, fault.Invalidf("key", "unknown setting %q: known settings are %s", key, strings.Join(Keys(), ", "))
	}
	return d, nil
}

// List returns every setting with its description.
func List(ctx context.Context, q sqlx.QueryerContext) ([]Setting, error) {
	var ss []Setting
	if err := sqlx.SelectContext(ctx, q, &ss, `SELECT key, value, updated_at, updated_by FROM settings ORDER BY key`); err != nil {
		return nil, db.Classify(err)
	}
	for i := range ss {
		ss[i].Description = defs[ss[i].Key].desc
	}
	return ss, nil
}

// Get returns one setting.
func Get(ctx context.Context, q sqlx.QueryerContext, key string) (Setting, error) {
	d, err := known(key)
	if err != nil {
		return Setting{}, err
	}
	var s Setting
	err = sqlx.GetContext(ctx, q, &s, `SELECT key, value, updated_at, updated_by FROM settings WHERE key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fault.NotFoundf("setting %s is missing from the database: run stockctl db migrate", key)
	}
	s.Description = d.desc
	return s, db.Classify(err)
}

// Value returns the value of one setting.
func Value(ctx context.Context, q sqlx.QueryerContext, key string) (string, error) {
	s, err := Get(ctx, q, key)
	return s.Value, err
}

// Values returns several settings in one query, keyed by name; a key that is not a known
// setting is an error.
func Values(ctx context.Context, q sqlx.QueryerContext, keys ...string) (map[string]string, error) {
	for _, k := range keys {
		if _, err := known(k); err != nil {
			return nil, err
		}
	}
	var rows []Setting
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT key, value, updated_at, updated_by FROM settings WHERE key = ANY($1)`, pq.StringArray(keys)); err != nil {
		return nil, db.Classify(err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Key] = r.Value
	}
	for _, k := range keys {
		if _, ok := out[k]; !ok {
			return nil, fault.NotFoundf("setting %s is missing from the database: run stockctl db migrate", k)
		}
	}
	return out, nil
}

// Bool returns a true/false setting.
func Bool(ctx context.Context, q sqlx.QueryerContext, key string) (bool, error) {
	v, err := Value(ctx, q, key)
	if err != nil {
		return false, err
	}
	return v == "true", nil
}

// Set validates value for key and stores it.
func Set(ctx context.Context, q sqlx.ExtContext, key, value string) (Setting, error) {
	d, err := known(key)
	if err != nil {
		return Setting{}, err
	}
	v, err := d.check(ctx, q, strings.TrimSpace(value))
	if err != nil {
		return Setting{}, err
	}
	if _, err := q.ExecContext(ctx, `UPDATE settings SET value = $2 WHERE key = $1 AND value IS DISTINCT FROM $2`, key, v); err != nil {
		return Setting{}, db.Classify(err)
	}
	return Get(ctx, q, key)
}

func oneOf(choices ...string) check {
	return func(_ context.Context, _ sqlx.ExtContext, v string) (string, error) {
		for _, c := range choices {
			if v == c {
				return v, nil
			}
		}
		return "", fault.Invalidf("value", "%q: use one of %s", v, strings.Join(choices, ", "))
	}
}

func boolean(_ context.Context, _ sqlx.ExtContext, v string) (string, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return "", fault.Invalidf("value", "%q: use true or false", v)
	}
	return strconv.FormatBool(b), nil
}

var glRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

func glCode(_ context.Context, _ sqlx.ExtContext, v string) (string, error) {
	if !glRe.MatchString(v) {
		return "", fault.Invalidf("value", "GL code %q: use 1 to 32 letters, digits or . _ -", v)
	}
	return v, nil
}

func percent(_ context.Context, _ sqlx.ExtContext, v string) (string, error) {
	d, err := bounds.Percent.Parse(v)
	if err != nil || d.IsNegative() || d.GreaterThan(decimal.NewFromInt(100)) {
		return "", fault.Invalidf("value", "tax rate %q: give a percentage from 0 to 100, e.g. 10 or 12.5", v)
	}
	return d.String(), nil
}

// One integer verb, optionally zero-padded, and no other verbs: "SO-%06d", "%d/2026".
var formatRe = regexp.MustCompile(`^[^%]*%0?[1-9]?[0-9]?d[^%]*$`)

func numberFormat(_ context.Context, _ sqlx.ExtContext, v string) (string, error) {
	if !formatRe.MatchString(v) || len(v) > 40 {
		return "", fault.Invalidf("value", "number format %q: give text with exactly one %%d, optionally zero-padded, e.g. SO-%%06d", v)
	}
	if strings.ContainsAny(fmt.Sprintf(v, 1), " \t\n") {
		return "", fault.Invalidf("value", "number format %q: document numbers cannot contain spaces", v)
	}
	return v, nil
}
