// Package region holds sales regions: the areas (states, territories) companies and
// locations belong to and that location-based prices are keyed by.
package region

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Region is one sales region.
type Region struct {
	Code      string    `db:"code" json:"code"`
	Name      string    `db:"name" json:"name"`
	CreatedAt time.Time `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy string    `db:"created_by" json:"created_by" print:"wide"`
}

var codeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$`)

// Add creates a region; a code that exists is a conflict.
func Add(ctx context.Context, q sqlx.ExtContext, code, name string) (Region, error) {
	code = strings.TrimSpace(code)
	if !codeRe.MatchString(code) {
		return Region{}, fault.Invalidf("code", "region code %q: use 1 to 32 letters, digits or . _ / - starting with a letter or digit", code)
	}
	if name == "" {
		name = code
	}
	var r Region
	err := sqlx.GetContext(ctx, q, &r, `INSERT INTO sales_regions (code, name) VALUES ($1, $2)
		ON CONFLICT (code) DO NOTHING RETURNING code, name, created_at, created_by`, code, strings.TrimSpace(name))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fault.Conflictf("region %s already exists", code)
	}
	return r, db.Classify(err)
}

// List returns every region by code.
func List(ctx context.Context, q sqlx.QueryerContext) ([]Region, error) {
	var rs []Region
	err := sqlx.SelectContext(ctx, q, &rs, `SELECT code, name, created_at, created_by FROM sales_regions ORDER BY code`)
	return rs, db.Classify(err)
}

// Require checks that code names a region; field names the argument for the error.
func Require(ctx context.Context, q sqlx.QueryerContext, field, code string) error {
	var ok bool
	if err := sqlx.GetContext(ctx, q, &ok, `SELECT EXISTS (SELECT 1 FROM sales_regions WHERE code = $1)`, code); err != nil {
		return db.Classify(err)
	}
	if !ok {
		return fault.Unknownf(field, "unknown sales region %q: add it with stockctl region add %s", code, code)
	}
	return nil
}
