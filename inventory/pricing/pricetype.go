// Package pricing holds price types, the named price levels customers are put on, and the
// rules that turn a product, customer and quantity into a price.
package pricing

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// PriceType is a named price level such as retail or wholesale.
type PriceType struct {
	Code   string `db:"code" json:"code"`
	Name   string `db:"name" json:"name"`
	Active bool   `db:"active" json:"active"`
}

// RequireType checks that code names an active price type; field names the argument.
func RequireType(ctx context.Context, q sqlx.QueryerContext, field, code string) (PriceType, error) {
	var pt PriceType
	err := sqlx.GetContext(ctx, q, &pt, `SELECT code, name, active FROM price_types WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return pt, fault.Invalidf(field, "unknown price type %q: see stockctl price-type list", code)
	}
	if err != nil {
		return pt, db.Classify(err)
	}
	if !pt.Active {
		return pt, fault.Invalidf(field, "price type %q is inactive: choose an active one (stockctl price-type list)", code)
	}
	return pt, nil
}

// Types lists the price types.
func Types(ctx context.Context, q sqlx.QueryerContext) ([]PriceType, error) {
	var ts []PriceType
	err := sqlx.SelectContext(ctx, q, &ts, `SELECT code, name, active FROM price_types ORDER BY code`)
	return ts, db.Classify(err)
}
