package catalog

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/db"
)

// PortalItem is one product as a web shop sees it.
type PortalItem struct {
	SKU          string           `db:"sku" json:"sku"`
	Name         string           `db:"name" json:"name"`
	Description  string           `db:"description" json:"description"`
	Category     string           `db:"category" json:"category"`
	Price        decimal.Decimal  `db:"price" json:"price"`
	Currency     string           `db:"currency" json:"currency"`
	Unit         string           `db:"unit" json:"unit"`
	Available    decimal.Decimal  `db:"available" json:"available"`
	InStock      bool             `db:"in_stock" json:"in_stock"`
	Barcode      *string          `db:"barcode" json:"barcode"`
	Manufacturer *string          `db:"manufacturer" json:"manufacturer"`
	MfrPartNo    string           `db:"mfr_part_no" json:"mfr_part_no"`
	Weight       *decimal.Decimal `db:"weight" json:"weight"`
	Template     *string          `db:"template" json:"template"`
	// TaxRate is the product's sales tax rate (else the setting tax_rate_sales);
	// PricesIncludeTax the setting prices_include_tax, which says whether Price holds the
	// tax. PriceNet, PriceTax and PriceGross are one unit at Price split by currency.Line:
	// money in the currency's minor unit, what a sales order line of one unit shows.
	TaxRate          decimal.Decimal `db:"tax_rate" json:"tax_rate"`
	PricesIncludeTax bool            `db:"prices_include_tax" json:"prices_include_tax"`
	PriceNet         decimal.Decimal `db:"-" json:"price_net"`
	PriceTax         decimal.Decimal `db:"-" json:"price_tax"`
	PriceGross       decimal.Decimal `db:"-" json:"price_gross"`
	MinorUnits       int32           `db:"minor_units" json:"-"`
}

// Portal returns the active portal products with their price in the base currency (one unit
// split into net, tax and gross as a sales order line without a customer would be) and the
// quantity available (on hand less allocated, over all locations). Products that are not
// stock-tracked are always in stock.
func Portal(ctx context.Context, q sqlx.QueryerContext) ([]PortalItem, error) {
	var items []PortalItem
	err := sqlx.SelectContext(ctx, q, &items, `
		SELECT p.sku, p.name, CASE WHEN p.portal_description <> '' THEN p.portal_description ELSE p.description END AS description,
		       p.category, p.sell_price AS price,
		       coalesce(p.sales_tax_rate, (SELECT value::numeric FROM settings WHERE key = 'tax_rate_sales')) AS tax_rate,
		       (SELECT value = 'true' FROM settings WHERE key = 'prices_include_tax') AS prices_include_tax,
		       cu.minor_units, cu.code AS currency,
		       p.sales_uom AS unit, coalesce(a.available, 0) AS available,
		       (NOT p.track_stock OR coalesce(a.available, 0) > 0) AS in_stock,
		       (SELECT b.code FROM product_barcodes b WHERE b.product_id = p.id AND b.pack_id IS NULL ORDER BY b.id LIMIT 1) AS barcode,
		       m.code AS manufacturer, p.mfr_part_no, p.weight, t.sku AS template
		FROM products p
		LEFT JOIN (SELECT product_id, sum(on_hand - allocated) AS available FROM product_activity GROUP BY product_id) a
		       ON a.product_id = p.id
		JOIN settings bc ON bc.key = 'base_currency' JOIN currencies cu ON cu.code = bc.value
		LEFT JOIN companies m ON m.id = p.manufacturer_id
		LEFT JOIN product_variants l ON l.variant_id = p.id
		LEFT JOIN products t ON t.id = l.template_id
		WHERE p.in_portal AND p.active
		ORDER BY p.sku`)
	for i := range items {
		it := &items[i]
		m := currency.Line(it.Price, decimal.NewFromInt(1), decimal.Zero, it.TaxRate, it.PricesIncludeTax, it.MinorUnits)
		it.PriceNet, it.PriceTax, it.PriceGross = m.Net, m.Tax, m.Gross
	}
	return items, db.Classify(err)
}
