package catalog

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Feature is a free name/value attribute of a product (colour=red, voltage=240V). Features
// are found by product list --search (name, value or name=value).
type Feature struct {
	SKU       string    `db:"sku" json:"sku"`
	Name      string    `db:"name" json:"name"`
	Value     string    `db:"value" json:"value"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at" print:"wide"`
	UpdatedBy string    `db:"updated_by" json:"updated_by" print:"wide"`
}

// The longest feature name and value, in characters (the name is kept in an index).
const (
	featureNameMax  = 64
	featureValueMax = 255
)

const selectFeature = `SELECT p.sku, f.name, f.value, f.updated_at, f.updated_by
	FROM product_features f JOIN products p ON p.id = f.product_id`

// checkText checks a name or value a user types for a feature, attribute, option group or their
// values: trimmed, not empty, at most limit characters, no control characters, and (names only)
// no "=", which separates a name from its value on the command line and in searches.
func checkText(field, what, s string, limit int, isName bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return s, fault.Invalidf(field, "%s cannot be empty", what)
	case utf8.RuneCountInString(s) > limit:
		return s, fault.Invalidf(field, "%s %q is longer than %d characters", what, s, limit)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return s, fault.Invalidf(field, "%s %q contains a control character (tab, newline ...)", what, s)
	case isName && strings.Contains(s, "="):
		return s, fault.Invalidf(field, "%s %q cannot contain \"=\" (it separates a name from its value)", what, s)
	}
	return s, nil
}

// SetFeature gives a product the feature name=value, replacing the value when the product
// already has a feature of that name. Names match case-insensitively (Colour and colour are
// the same feature); the name keeps the spelling it was first given.
func SetFeature(ctx context.Context, q sqlx.ExtContext, sku, name, value string) (Feature, error) {
	name, err := checkText("name", "feature name", name, featureNameMax, true)
	if err != nil {
		return Feature{}, err
	}
	if strings.TrimSpace(value) == "" {
		return Feature{}, fault.Invalidf("value", "feature %s of %s needs a value: to drop the feature use stockctl product feature remove %s %s", name, sku, sku, name)
	}
	if value, err = checkText("value", "feature value", value, featureValueMax, false); err != nil {
		return Feature{}, err
	}
	// Locking the product serialises feature changes, so two spellings of a name never race
	// into two rows.
	p, err := get(ctx, q, sku, true)
	if err != nil {
		return Feature{}, err
	}
	var f Feature
	err = sqlx.GetContext(ctx, q, &f, `WITH upd AS (
			UPDATE product_features SET value = $3 WHERE product_id = $1 AND lower(name) = lower($2)
			RETURNING name, value, updated_at, updated_by),
		ins AS (
			INSERT INTO product_features (product_id, name, value) SELECT $1, $2, $3
			WHERE NOT EXISTS (SELECT 1 FROM upd) RETURNING name, value, updated_at, updated_by)
		SELECT $4::text AS sku, * FROM upd UNION ALL SELECT $4::text, * FROM ins`, p.ID, name, value, p.SKU)
	if err != nil {
		return Feature{}, db.Classify(err)
	}
	return f, nil
}

// RemoveFeature drops a product's feature (name matched case-insensitively).
func RemoveFeature(ctx context.Context, q sqlx.ExtContext, sku, name string) error {
	p, err := get(ctx, q, sku, true)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `DELETE FROM product_features WHERE product_id = $1 AND lower(name) = lower($2)`,
		p.ID, strings.TrimSpace(name))
	if err != nil {
		return db.Classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFoundf("product %s has no feature %q (see stockctl product feature list %s)", sku, name, sku)
	}
	return nil
}

// Features lists a product's features by name.
func Features(ctx context.Context, q sqlx.QueryerContext, sku string) ([]Feature, error) {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return nil, err
	}
	fs := []Feature{}
	err = sqlx.SelectContext(ctx, q, &fs, selectFeature+` WHERE f.product_id = $1 ORDER BY lower(f.name)`, p.ID)
	return fs, db.Classify(err)
}
