// Package stock holds where stock is and how it moves: locations and bays, stock levels,
// batches and serials, the append-only ledger of moves with the balances it keeps, moving-
// average valuation, adjustments and transfers.
package stock

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/region"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Location kinds. Internal locations hold sellable stock, transit holds dispatched stock, the
// rest are the far side of moves and hold nothing.
const (
	Internal       = "internal"
	Transit        = "transit"
	SupplierSide   = "supplier"
	CustomerSide   = "customer"
	AdjustmentSide = "adjustment"
	ProductionSide = "production"
	StocktakeSide  = "stocktake"
)

// Location is a place stock is in, or comes from and goes to.
type Location struct {
	ID        int64     `db:"id" json:"-"`
	Code      string    `db:"code" json:"code"`
	Name      string    `db:"name" json:"name"`
	Kind      string    `db:"kind" json:"kind" print:"wide"`
	Region    *string   `db:"region" json:"region"`
	Address   string    `db:"address" json:"address" print:"wide"`
	Active    bool      `db:"active" json:"active"`
	CreatedAt time.Time `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy string    `db:"created_by" json:"created_by" print:"wide"`
}

// Holds reports whether the location keeps a balance (internal and transit locations).
func (l Location) Holds() bool { return l.Kind == Internal || l.Kind == Transit }

var codeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$`)

const selectLocation = `SELECT id, code, name, kind, region, address, active, created_at, created_by FROM locations`

// AddLocation creates an internal location.
func AddLocation(ctx context.Context, q sqlx.ExtContext, code, name, regionCode, address string) (Location, error) {
	code = strings.TrimSpace(code)
	if !codeRe.MatchString(code) {
		return Location{}, fault.Invalidf("code", "location code %q: use 1 to 32 letters, digits or . _ / - starting with a letter or digit", code)
	}
	if strings.TrimSpace(name) == "" {
		name = code
	}
	var reg *string
	if regionCode != "" {
		if err := region.Require(ctx, q, "region", regionCode); err != nil {
			return Location{}, err
		}
		reg = &regionCode
	}
	var l Location
	err := sqlx.GetContext(ctx, q, &l, `INSERT INTO locations (code, name, region, address) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO NOTHING RETURNING id, code, name, kind, region, address, active, created_at, created_by`,
		code, strings.TrimSpace(name), reg, strings.TrimSpace(address))
	if errors.Is(err, sql.ErrNoRows) {
		return l, fault.Conflictf("location %s already exists", code)
	}
	return l, db.Classify(err)
}

// GetLocation returns an internal location by code; field names the argument for errors.
func GetLocation(ctx context.Context, q sqlx.QueryerContext, field, code string) (Location, error) {
	var l Location
	err := sqlx.GetContext(ctx, q, &l, selectLocation+` WHERE code = $1 AND kind = 'internal'`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return l, fault.Unknownf(field, "unknown location %q: see stockctl location list, or add it with stockctl location add %s --name N", code, code)
	}
	return l, db.Classify(err)
}

// ShowLocation returns an internal location by code, as a not-found error when missing.
func ShowLocation(ctx context.Context, q sqlx.QueryerContext, code string) (Location, error) {
	l, err := GetLocation(ctx, q, "code", code)
	if fault.Is(err, fault.NotFound) {
		return l, fault.NotFoundf("location %s does not exist (see stockctl location list)", code)
	}
	return l, err
}

// Virtual returns the virtual location of a kind (supplier, customer, adjustment, production,
// stocktake, transit).
func Virtual(ctx context.Context, q sqlx.QueryerContext, kind string) (Location, error) {
	var l Location
	err := sqlx.GetContext(ctx, q, &l, selectLocation+` WHERE kind = $1 ORDER BY id LIMIT 1`, kind)
	return l, db.Classify(err)
}

// Locations lists the internal locations by code.
func Locations(ctx context.Context, q sqlx.QueryerContext, all bool) ([]Location, error) {
	var ls []Location
	err := sqlx.SelectContext(ctx, q, &ls, selectLocation+` WHERE kind = 'internal' AND ($1 OR active) ORDER BY code`, all)
	return ls, db.Classify(err)
}

// Bay is a named spot inside a location.
type Bay struct {
	ID       int64  `db:"id" json:"-"`
	Location string `db:"location" json:"location"`
	Code     string `db:"code" json:"code"`
	Name     string `db:"name" json:"name"`
}

// AddBay creates a bay in an internal location.
func AddBay(ctx context.Context, q sqlx.ExtContext, location, code, name string) (Bay, error) {
	l, err := GetLocation(ctx, q, "location", location)
	if err != nil {
		return Bay{}, err
	}
	code = strings.TrimSpace(code)
	if !codeRe.MatchString(code) {
		return Bay{}, fault.Invalidf("code", "bay code %q: use 1 to 32 letters, digits or . _ / - starting with a letter or digit", code)
	}
	b := Bay{Location: l.Code, Code: code, Name: strings.TrimSpace(name)}
	err = sqlx.GetContext(ctx, q, &b.ID, `INSERT INTO bays (location_id, code, name) VALUES ($1, $2, $3)
		ON CONFLICT (location_id, code) DO NOTHING RETURNING id`, l.ID, code, b.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fault.Conflictf("location %s already has a bay %s", l.Code, code)
	}
	return b, db.Classify(err)
}

// Bays lists the bays of a location.
func Bays(ctx context.Context, q sqlx.QueryerContext, location string) ([]Bay, error) {
	l, err := GetLocation(ctx, q, "location", location)
	if err != nil {
		return nil, err
	}
	var bs []Bay
	err = sqlx.SelectContext(ctx, q, &bs, `SELECT id, $2::text AS location, code, name FROM bays WHERE location_id = $1 ORDER BY code`, l.ID, l.Code)
	return bs, db.Classify(err)
}

// GetBay finds a bay of location l by code.
func GetBay(ctx context.Context, q sqlx.QueryerContext, l Location, code string) (Bay, error) {
	b := Bay{Location: l.Code}
	err := sqlx.GetContext(ctx, q, &b, `SELECT id, $2::text AS location, code, name FROM bays WHERE location_id = $1 AND code = $3`, l.ID, l.Code, code)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fault.Unknownf("bay", "location %s has no bay %q: add it with stockctl bay add %s %s", l.Code, code, l.Code, code)
	}
	return b, db.Classify(err)
}
