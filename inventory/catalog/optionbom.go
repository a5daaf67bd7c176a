package catalog

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/uom"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Configurable options into the bill of materials: an option may name components that,
// when it is chosen, replace a component of the product's bill of materials (the replaced
// line is left out) or add to it (quantities of a component already there add up). Work
// orders for a configured item consume the bill of materials with the chosen options
// applied (EffectiveBOM).

// OptionComponent is one component an option puts into the bill of materials when chosen:
// Qty of Component, in its stock unit, per one stock unit of the product, replacing the
// bill-of-materials component Replaces (nil: added).
type OptionComponent struct {
	SKU       string          `db:"sku" json:"sku" print:"wide"`
	Group     string          `db:"group_name" json:"group"`
	Option    string          `db:"value" json:"option"`
	Component string          `db:"component" json:"component"`
	Name      string          `db:"name" json:"name"`
	Qty       decimal.Decimal `db:"qty" json:"qty"`
	Unit      string          `db:"unit" json:"unit"`
	Replaces  *string         `db:"replaces" json:"replaces"`
}

const selectOptionComponent = `SELECT p.sku, g.name AS group_name, o.value, c.sku AS component, c.name, x.qty,
	c.stock_uom AS unit, r.sku AS replaces
	FROM product_option_components x JOIN products p ON p.id = x.product_id
	JOIN product_options o ON o.id = x.option_id JOIN product_option_groups g ON g.id = o.group_id
	JOIN products c ON c.id = x.component_id LEFT JOIN products r ON r.id = x.replaces_id`

// findOption returns the id of option value of product's group, both matched
// case-insensitively, or an error listing what there is.
func findOption(ctx context.Context, q sqlx.QueryerContext, p Product, group, value string) (int64, error) {
	opts, err := options(ctx, q, p.ID, 0)
	if err != nil {
		return 0, err
	}
	var groups, values []string
	for _, o := range opts {
		if len(groups) == 0 || groups[len(groups)-1] != o.Group {
			groups = append(groups, o.Group)
		}
	}
	g, ok := matchValue(groups, group)
	if !ok {
		if len(groups) == 0 {
			return 0, fault.NotFoundf("%s has no option group %q: add it with stockctl product option add %s GROUP --values V1,V2", p.SKU, strings.TrimSpace(group), p.SKU)
		}
		return 0, fault.NotFoundf("%s has no option group %q (groups: %s)", p.SKU, strings.TrimSpace(group), strings.Join(groups, ", "))
	}
	for _, o := range opts {
		if o.Group == g {
			values = append(values, o.Value)
		}
	}
	v, ok := matchValue(values, value)
	if !ok {
		return 0, fault.NotFoundf("%q is not an option of %s %s (options: %s)", strings.TrimSpace(value), p.SKU, g, strings.Join(values, ", "))
	}
	for _, o := range opts {
		if o.Group == g && o.Value == v {
			return o.ID, nil
		}
	}
	return 0, fault.NotFoundf("%q is not an option of %s %s", value, p.SKU, g)
}

// SetOptionComponent makes option (of sku's group) put qty of component into the bill of
// materials when chosen, replacing the bill-of-materials component replaces ("" adds it).
// qty nil takes the quantity of the replaced line (and is required when nothing is
// replaced). The component must be an active stock or service product other than sku and
// must not contain sku (through bills of materials); replaces must be in sku's bill of
// materials. Setting the same option and component again changes its quantity and what it
// replaces (replaced reports that).
func SetOptionComponent(ctx context.Context, q sqlx.ExtContext, sku, group, option, component string,
	qty *decimal.Decimal, replaces string) (line OptionComponent, replaced bool, err error) {
	if err := lockBOM(ctx, q); err != nil {
		return line, false, err
	}
	p, err := Get(ctx, q, sku)
	if err != nil {
		return line, false, err
	}
	if err := requireOwnGroups(p, "options"); err != nil {
		return line, false, err
	}
	optionID, err := findOption(ctx, q, p, group, option)
	if err != nil {
		return line, false, err
	}
	c, err := RequireActive(ctx, q, strings.TrimSpace(component))
	if fault.Is(err, fault.Invalid) {
		return line, false, &fault.Error{Kind: fault.Invalid, Field: "component", Msg: "component", Err: err}
	}
	if err != nil {
		return line, false, err
	}
	if !hasValue(componentTypes, c.Type) {
		return line, false, fault.Invalidf("component", "%s is a %s product: an option's component is one of %s products", c.SKU, c.Type, strings.Join(componentTypes, " or "))
	}
	if c.ID == p.ID {
		return line, false, fault.Invalidf("component", "a product cannot contain itself: option %s=%s of %s names %s", group, option, p.SKU, p.SKU)
	}
	if path, err := containsPath(ctx, q, c.ID, p.ID); err != nil {
		return line, false, err
	} else if path != nil {
		return line, false, fault.Invalidf("component", "%s cannot contain %s: %s already contains %s, so it would contain itself: %s -> %s",
			p.SKU, c.SKU, c.SKU, p.SKU, p.SKU, strings.Join(path, " -> "))
	}
	var replacesID *int64
	if r := strings.TrimSpace(replaces); r != "" {
		var b struct {
			ID  int64           `db:"component_id"`
			Qty decimal.Decimal `db:"qty"`
		}
		err := sqlx.GetContext(ctx, q, &b, `SELECT b.component_id, b.qty FROM product_bom b JOIN products r ON r.id = b.component_id
			WHERE b.product_id = $1 AND r.sku = $2`, p.ID, r)
		if errors.Is(err, sql.ErrNoRows) {
			return line, false, fault.Invalidf("replaces", "--replaces %s: %s is not in the bill of materials of %s (see stockctl product bom list %s)", r, r, p.SKU, p.SKU)
		}
		if err != nil {
			return line, false, db.Classify(err)
		}
		replacesID = &b.ID
		if qty == nil {
			qty = &b.Qty
		}
	}
	if qty == nil {
		return line, false, fault.Invalidf("qty", "option %s=%s of %s adds %s: give its quantity per %s of %s with --qty N", group, option, p.SKU, c.SKU, p.StockUOM, p.SKU)
	}
	if !qty.IsPositive() {
		return line, false, fault.Invalidf("qty", "option %s=%s of %s: --qty of %s must be more than 0, got %s", group, option, p.SKU, c.SKU, qty)
	}
	unit, err := uom.Get(ctx, q, c.StockUOM)
	if err != nil {
		return line, false, err
	}
	if !uom.Round(*qty, unit).Equal(*qty) {
		return line, false, fault.Invalidf("qty", "option %s=%s of %s: %s %s of %s has more decimals than the unit allows (%d)", group, option, p.SKU, qty, c.StockUOM, c.SKU, unit.Precision)
	}
	var id int64
	err = q.QueryRowxContext(ctx, `INSERT INTO product_option_components (product_id, option_id, component_id, qty, replaces_id)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (option_id, component_id) DO UPDATE SET qty = EXCLUDED.qty, replaces_id = EXCLUDED.replaces_id
		RETURNING id, xmax::text <> '0'`, p.ID, optionID, c.ID, *qty, replacesID).Scan(&id, &replaced)
	if err != nil {
		return line, false, db.Classify(err)
	}
	err = sqlx.GetContext(ctx, q, &line, selectOptionComponent+` WHERE x.id = $1`, id)
	return line, replaced, db.Classify(err)
}

// RemoveOptionComponent takes component off option of sku's group.
func RemoveOptionComponent(ctx context.Context, q sqlx.ExtContext, sku, group, option, component string) error {
	if err := lockBOM(ctx, q); err != nil {
		return err
	}
	p, err := Get(ctx, q, sku)
	if err != nil {
		return err
	}
	optionID, err := findOption(ctx, q, p, group, option)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `DELETE FROM product_option_components x USING products c
		WHERE x.option_id = $1 AND c.id = x.component_id AND c.sku = $2`, optionID, strings.TrimSpace(component))
	if err != nil {
		return db.Classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFoundf("option %s=%s of %s has no component %s (see stockctl product option component list %s)", group, option, p.SKU, component, p.SKU)
	}
	return nil
}

// OptionComponents lists the components sku's options put into its bill of materials, in
// group, option and component order.
func OptionComponents(ctx context.Context, q sqlx.QueryerContext, sku string) ([]OptionComponent, error) {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return nil, err
	}
	out := []OptionComponent{}
	err = sqlx.SelectContext(ctx, q, &out, selectOptionComponent+` WHERE x.product_id = $1
		ORDER BY g.position, o.position, c.sku`, p.ID)
	return out, db.Classify(err)
}

// EffectiveBOM is the SQL of product $1's bill of materials with the options whose ids are
// in the bigint[] parameter named by opts applied: (component_id, qty) per component, qty per
// one stock unit of the product. The lines the chosen options replace are left out; their
// components are added; one component from several sources adds up.
func EffectiveBOM(product, opts string) string {
	return `SELECT component_id, sum(qty) AS qty FROM (
		SELECT b.component_id, b.qty FROM product_bom b WHERE b.product_id = ` + product + `
		  AND NOT EXISTS (SELECT 1 FROM product_option_components x
		                  WHERE x.option_id = ANY(` + opts + `::bigint[]) AND x.product_id = b.product_id AND x.replaces_id = b.component_id)
		UNION ALL
		SELECT x.component_id, x.qty FROM product_option_components x
		WHERE x.option_id = ANY(` + opts + `::bigint[]) AND x.product_id = ` + product + `
	) bom GROUP BY component_id`
}

// containsPath returns the shortest path of SKUs from component to product through bills of
// materials and the components options may add, or nil when component does not contain
// product.
func containsPath(ctx context.Context, q sqlx.QueryerContext, component, product int64) ([]string, error) {
	var path pq.StringArray
	err := sqlx.GetContext(ctx, q, &path, `WITH RECURSIVE walk (id, path) AS (
			SELECT $1::bigint, ARRAY[$1::bigint]
		  UNION ALL
			SELECT b.component_id, w.path || b.component_id
			FROM walk w JOIN (SELECT product_id, component_id FROM product_bom
			                  UNION ALL SELECT product_id, component_id FROM product_option_components) b ON b.product_id = w.id
			WHERE w.id <> $2 AND b.component_id <> ALL (w.path))
		SELECT ARRAY(SELECT p.sku FROM unnest(w.path) WITH ORDINALITY AS u (id, n) JOIN products p ON p.id = u.id ORDER BY u.n)
		FROM walk w WHERE w.id = $2 ORDER BY cardinality(w.path) LIMIT 1`, component, product)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.Classify(err)
	}
	return path, nil
}
