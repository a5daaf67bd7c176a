package catalog

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
)

// Detail is a product with everything hanging off it, for product show.
type Detail struct {
	Product
	OnHand     decimal.Decimal `json:"on_hand"`
	Available  decimal.Decimal `json:"available"`
	Barcodes   []string        `json:"barcodes"`
	Packs      []string        `json:"packs"`
	Features   []string        `json:"features"`
	Attributes []string        `json:"attributes"`
	Variants   []string        `json:"variants"`
	Options    []string        `json:"options"`
	BOM        []string        `json:"bom"`
}

// Describe returns a product with its barcodes, packs, features, attributes, variants,
// option groups, bill of materials and stock, each list rendered as short text lines.
func Describe(ctx context.Context, q sqlx.QueryerContext, sku string) (Detail, error) {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Product: p}
	act, err := activity(ctx, q, p.ID)
	if err != nil {
		return d, err
	}
	d.OnHand, d.Available = act.OnHand, act.OnHand.Sub(act.Allocated)
	var barcodes, packs, features, attributes, variants, options, bom pq.StringArray
	err = q.QueryRowxContext(ctx, `SELECT
		ARRAY(SELECT b.code || ' ' || b.symbology || coalesce(' (' || k.code || ')', '')
		      FROM product_barcodes b LEFT JOIN product_packs k ON k.id = b.pack_id
		      WHERE b.product_id = $1 ORDER BY b.id),
		ARRAY(SELECT k.code || ' = ' || k.qty || ' ' || p.stock_uom
		      FROM product_packs k JOIN products p ON p.id = k.product_id WHERE k.product_id = $1 ORDER BY k.code),
		ARRAY(SELECT name || '=' || value FROM product_features WHERE product_id = $1 ORDER BY name),
		ARRAY(SELECT a.name || ': ' || (SELECT string_agg(v.value || CASE WHEN v.price_extra <> 0 THEN ' (' || CASE WHEN v.price_extra > 0 THEN '+' ELSE '' END || v.price_extra || ')' ELSE '' END, ', ' ORDER BY v.position)
		                                FROM product_attribute_values v WHERE v.attribute_id = a.id)
		      FROM product_attributes a WHERE a.product_id = $1 ORDER BY a.position),
		ARRAY(SELECT p.sku FROM product_variants v JOIN products p ON p.id = v.variant_id WHERE v.template_id = $1 ORDER BY p.sku),
		ARRAY(SELECT g.name || CASE WHEN g.required THEN '' ELSE ' (optional)' END || ': ' ||
		             (SELECT string_agg(o.value || CASE WHEN o.price_adjustment <> 0 THEN ' (' || CASE WHEN o.price_adjustment > 0 THEN '+' ELSE '' END || o.price_adjustment || ')' ELSE '' END, ', ' ORDER BY o.position)
		              FROM product_options o WHERE o.group_id = g.id)
		      FROM product_option_groups g WHERE g.product_id = $1 ORDER BY g.position),
		ARRAY(SELECT c.sku || ' x ' || b.qty || ' ' || c.stock_uom
		      FROM product_bom b JOIN products c ON c.id = b.component_id WHERE b.product_id = $1 ORDER BY c.sku)`,
		p.ID).Scan(&barcodes, &packs, &features, &attributes, &variants, &options, &bom)
	if err != nil {
		return d, db.Classify(err)
	}
	d.Barcodes, d.Packs, d.Features, d.Attributes = barcodes, packs, features, attributes
	d.Variants, d.Options, d.BOM = variants, options, bom
	return d, nil
}
