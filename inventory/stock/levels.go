package stock

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// Levels are a product's stock levels at a location: the minimum (reorder point), the
// maximum (order-up-to level) and the default bay stock coming in goes to.
type Levels struct {
	SKU        string           `db:"sku" json:"sku"`
	Location   string           `db:"location" json:"location"`
	Min        *decimal.Decimal `db:"min_qty" json:"min"`
	Max        *decimal.Decimal `db:"max_qty" json:"max"`
	DefaultBay *string          `db:"default_bay" json:"default_bay"`
	UpdatedAt  time.Time        `db:"updated_at" json:"updated_at" print:"wide"`
	UpdatedBy  string           `db:"updated_by" json:"updated_by" print:"wide"`
}

// LevelChanges are the levels to set; nil keeps the current value. A Bay of "" clears the
// default bay.
type LevelChanges struct {
	Min, Max *decimal.Decimal
	Bay      *string
}

// SetLevels sets a stock-tracked product's levels at an internal location, creating the row
// on first use. Min and max are at least 0 with max at least min (checked against the
// values kept as well as the ones given), in the product's stock unit and precision; the
// default bay must be a bay of the location.
func SetLevels(ctx context.Context, q sqlx.ExtContext, sku, location string, ch LevelChanges) (Levels, error) {
	if ch.Min == nil && ch.Max == nil && ch.Bay == nil {
		return Levels{}, fault.Invalidf("", "nothing to set for %s at %s: give --min, --max or --bay", sku, location)
	}
	p, err := catalog.Get(ctx, q, sku)
	if err != nil {
		return Levels{}, err
	}
	if !p.TrackStock {
		return Levels{}, fault.Invalidf("sku", "product %s is not stock-tracked (type %s): it has no stock levels", p.SKU, p.Type)
	}
	loc, err := GetLocation(ctx, q, "location", location)
	if err != nil {
		return Levels{}, err
	}
	for _, v := range []struct {
		name string
		qty  *decimal.Decimal
	}{{"min", ch.Min}, {"max", ch.Max}} {
		if v.qty == nil {
			continue
		}
		if v.qty.IsNegative() {
			return Levels{}, fault.Invalidf(v.name, "%s: --%s cannot be negative, got %s", p.SKU, v.name, v.qty)
		}
		r, err := catalog.ToStock(ctx, q, p, *v.qty, "")
		if err != nil {
			return Levels{}, err
		}
		if !r.Equal(*v.qty) {
			return Levels{}, fault.Invalidf(v.name, "%s: --%s %s has more decimals than its unit %s keeps", p.SKU, v.name, v.qty, p.StockUOM)
		}
	}
	var bayID *int64
	if ch.Bay != nil && *ch.Bay != "" {
		b, err := GetBay(ctx, q, loc, *ch.Bay)
		if err != nil {
			return Levels{}, err
		}
		bayID = &b.ID
	}

	// The levels kept, locked, so max >= min is checked against what is really there.
	// (Plain Scan, not sqlx.Get: sqlx allocates pointer fields before it finds no row.)
	var lo, hi *decimal.Decimal
	err = q.QueryRowxContext(ctx, `SELECT min_qty, max_qty FROM stock_levels
		WHERE product_id = $1 AND location_id = $2 FOR UPDATE`, p.ID, loc.ID).Scan(&lo, &hi)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Levels{}, db.Classify(err)
	}
	if ch.Min != nil {
		lo = ch.Min
	}
	if ch.Max != nil {
		hi = ch.Max
	}
	if lo != nil && hi != nil && hi.LessThan(*lo) {
		field := "max"
		if ch.Max == nil {
			field = "min"
		}
		return Levels{}, fault.Invalidf(field, "%s at %s: the maximum (%s) cannot be below the minimum (%s)", p.SKU, loc.Code, hi, lo)
	}

	// Each column changes only when it was given, so two concurrent edits of different
	// levels both stick; the table's CHECK still guards max >= min.
	var l Levels
	err = sqlx.GetContext(ctx, q, &l, `WITH up AS (
		INSERT INTO stock_levels AS s (product_id, location_id, min_qty, max_qty, default_bay_id)
		VALUES ($1, $2, $3::numeric, $4::numeric, $5::bigint)
		ON CONFLICT (product_id, location_id) DO UPDATE SET
			min_qty = CASE WHEN $6::boolean THEN EXCLUDED.min_qty ELSE s.min_qty END,
			max_qty = CASE WHEN $7::boolean THEN EXCLUDED.max_qty ELSE s.max_qty END,
			default_bay_id = CASE WHEN $8::boolean THEN EXCLUDED.default_bay_id ELSE s.default_bay_id END
		RETURNING min_qty, max_qty, default_bay_id, updated_at, updated_by)
		SELECT $9::text AS sku, $10::text AS location, up.min_qty, up.max_qty, y.code AS default_bay,
			up.updated_at, up.updated_by
		FROM up LEFT JOIN bays y ON y.id = up.default_bay_id`,
		p.ID, loc.ID, ch.Min, ch.Max, bayID, ch.Min != nil, ch.Max != nil, ch.Bay != nil, p.SKU, loc.Code)
	return l, db.Classify(err)
}
