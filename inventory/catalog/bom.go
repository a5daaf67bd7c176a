package catalog

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/uom"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// BOMLock is the transaction-level advisory lock every bill-of-materials edit takes first, so
// edits run one at a time and the cycle check of one sees what the one before committed: two
// concurrent adds (A contains B, B contains A) can never both pass.
const BOMLock int64 = 727_0201

// BOMLine is one component of a product's bill of materials: Qty of the component, in its
// stock unit, per one stock unit of the product.
type BOMLine struct {
	SKU       string          `db:"sku" json:"sku" print:"wide"`
	Component string          `db:"component" json:"component"`
	Name      string          `db:"name" json:"name"`
	Qty       decimal.Decimal `db:"qty" json:"qty"`
	Unit      string          `db:"unit" json:"unit"`
	Cost      decimal.Decimal `db:"cost" json:"cost"`           // the component's cost price
	LineCost  decimal.Decimal `db:"line_cost" json:"line_cost"` // qty × cost
	Type      string          `db:"type" json:"type" print:"wide"`
	Active    bool            `db:"active" json:"active" print:"wide"`
}

// BillOfMaterials is a product's components and their total cost per unit of the product.
type BillOfMaterials struct {
	SKU   string          `json:"sku"`
	Unit  string          `json:"unit"`
	Lines []BOMLine       `json:"lines"`
	Total decimal.Decimal `json:"total"`
}

const selectBOM = `SELECT p.sku, c.sku AS component, c.name, b.qty, c.stock_uom AS unit, c.cost_price AS cost,
	b.qty * c.cost_price AS line_cost, c.type, c.active
	FROM product_bom b JOIN products p ON p.id = b.product_id JOIN products c ON c.id = b.component_id`

// Component types a bill of materials may name: physical stock and services (labour,
// machining). Virtual, time, training, freight and system products are refused.
var componentTypes = []string{Stock, Service}

// AddComponent puts qty (in the component's stock unit, more than 0, within the unit's
// precision) of component into sku's bill of materials, replacing the quantity when the
// component is there already (replaced reports that). The component must be an active stock
// or service product, and sku must not be reachable from it: a product can contain itself
// neither directly nor through other bills of materials or its options' components (the
// error shows the path, A -> B -> A).
func AddComponent(ctx context.Context, q sqlx.ExtContext, sku, component string, qty decimal.Decimal) (line BOMLine, replaced bool, err error) {
	if !qty.IsPositive() {
		return line, false, fault.Invalidf("qty", "bill of materials of %s: --qty of %s must be more than 0, got %s", sku, component, qty)
	}
	if err := lockBOM(ctx, q); err != nil {
		return line, false, err
	}
	p, err := Get(ctx, q, sku)
	if err != nil {
		return line, false, err
	}
	if err := requireOwnGroups(p, "a bill of materials"); err != nil {
		return line, false, err
	}
	c, err := RequireActive(ctx, q, component)
	if fault.Is(err, fault.Invalid) {
		return line, false, &fault.Error{Kind: fault.Invalid, Field: "component", Msg: "component", Err: err}
	}
	if err != nil {
		return line, false, err
	}
	if !hasValue(componentTypes, c.Type) {
		return line, false, fault.Invalidf("component", "%s is a %s product: a bill of materials takes only %s products", component, c.Type, strings.Join(componentTypes, " or "))
	}
	if c.ID == p.ID {
		return line, false, fault.Invalidf("component", "a product cannot contain itself: %s -> %s", sku, sku)
	}
	unit, err := uom.Get(ctx, q, c.StockUOM)
	if err != nil {
		return line, false, err
	}
	if !uom.Round(qty, unit).Equal(qty) {
		return line, false, fault.Invalidf("qty", "bill of materials of %s: %s %s of %s has more decimals than the unit allows (%d)", sku, qty, c.StockUOM, component, unit.Precision)
	}
	// Is sku reachable from the component? Then adding it closes a loop. Shortest path first.
	if path, err := containsPath(ctx, q, c.ID, p.ID); err != nil {
		return line, false, err
	} else if path != nil {
		return line, false, fault.Invalidf("component", "%s cannot contain %s: %s already contains %s, so it would contain itself: %s -> %s",
			sku, component, component, sku, sku, strings.Join(path, " -> "))
	}
	err = sqlx.GetContext(ctx, q, &replaced, `INSERT INTO product_bom (product_id, component_id, qty) VALUES ($1, $2, $3)
		ON CONFLICT (product_id, component_id) DO UPDATE SET qty = EXCLUDED.qty
		RETURNING xmax::text <> '0'`, p.ID, c.ID, qty)
	if err != nil {
		return line, false, db.Classify(err)
	}
	err = sqlx.GetContext(ctx, q, &line, selectBOM+` WHERE b.product_id = $1 AND b.component_id = $2`, p.ID, c.ID)
	return line, replaced, db.Classify(err)
}

// RemoveComponent takes component out of sku's bill of materials.
func RemoveComponent(ctx context.Context, q sqlx.ExtContext, sku, component string) error {
	if err := lockBOM(ctx, q); err != nil {
		return err
	}
	p, err := Get(ctx, q, sku)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `DELETE FROM product_bom b USING products c
		WHERE b.product_id = $1 AND c.id = b.component_id AND c.sku = $2`, p.ID, component)
	if err != nil {
		return db.Classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFoundf("the bill of materials of %s has no component %s (see stockctl product bom list %s)", sku, component, sku)
	}
	return nil
}

// BOM returns sku's bill of materials by component SKU, with each line's cost (qty × the
// component's cost price) and the total.
func BOM(ctx context.Context, q sqlx.QueryerContext, sku string) (BillOfMaterials, error) {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return BillOfMaterials{}, err
	}
	b := BillOfMaterials{SKU: p.SKU, Unit: p.StockUOM, Lines: []BOMLine{}, Total: decimal.Zero}
	if err := sqlx.SelectContext(ctx, q, &b.Lines, selectBOM+` WHERE b.product_id = $1 ORDER BY c.sku`, p.ID); err != nil {
		return b, db.Classify(err)
	}
	for _, l := range b.Lines {
		b.Total = b.Total.Add(l.LineCost)
	}
	return b, nil
}

func lockBOM(ctx context.Context, q sqlx.ExecerContext) error {
	_, err := q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, BOMLock)
	return db.Classify(err)
}
