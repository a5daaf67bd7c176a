package catalog

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/io/csvio"
)

// exportSQL reads products as CSV cells in the order of CSVColumns: decimals as PostgreSQL
// prints them, booleans as true/false, barcodes and features as "|"-separated lists (a pack
// barcode as CODE@PACK). System products are left out: they come with every database.
const exportSQL = `SELECT p.sku, p.name, p.type, p.active::text, p.description, p.category,
	p.stock_uom, p.purchase_uom, p.sales_uom,
	p.cost_price::text, p.list_price::text, p.sell_price::text, p.price_formula, coalesce(p.price_pct::text, ''),
	p.same_price_all_locations::text, p.sellable::text, p.purchasable::text, p.track_stock::text,
	p.serialized::text, p.batch_tracked::text, coalesce(p.weight::text, ''), coalesce(p.volume::text, ''),
	coalesce(m.code, ''), p.mfr_part_no, p.in_portal::text, p.portal_description,
	p.sales_gl, p.purchase_gl, p.inventory_gl, p.cogs_gl,
	coalesce(p.sales_tax_rate::text, ''), coalesce(p.purchase_tax_rate::text, ''),
	coalesce((SELECT string_agg(b.code || coalesce('@' || k.code, ''), '|' ORDER BY b.code)
	          FROM product_barcodes b LEFT JOIN product_packs k ON k.id = b.pack_id WHERE b.product_id = p.id), ''),
	coalesce((SELECT string_agg(f.name || '=' || f.value, '|' ORDER BY f.name)
	          FROM product_features f WHERE f.product_id = p.id), '')
	FROM products p
	LEFT JOIN companies m ON m.id = p.manufacturer_id
	WHERE p.type <> 'system' AND `

// ExportProducts writes the header and one row per product f selects, in SKU order, streaming
// from the database; it returns how many rows it wrote.
func ExportProducts(ctx context.Context, q sqlx.QueryerContext, f Filter, w *csvio.Writer) (int64, error) {
	where, args, err := f.where()
	if err != nil {
		return 0, err
	}
	rows, err := q.QueryxContext(ctx, exportSQL+where+` ORDER BY p.sku`, args...)
	if err != nil {
		return 0, db.Classify(err)
	}
	defer rows.Close()
	if err := w.Write(CSVColumns); err != nil {
		return 0, err
	}
	cells := make([]string, len(CSVColumns))
	dest := make([]any, len(CSVColumns))
	raw := make([]sql.RawBytes, len(CSVColumns))
	for i := range dest {
		dest[i] = &raw[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, db.Classify(err)
		}
		for i, b := range raw {
			cells[i] = string(b)
		}
		if err := w.Write(cells); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, db.Classify(err)
	}
	return n, w.Flush()
}
