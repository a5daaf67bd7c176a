package catalog

import (
	"context"
	"io"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
)

// exportSQL reads products as CSV cells in the order of CSVColumns: decimals as PostgreSQL
// prints them, booleans as true/false, barcodes and features as "|"-separated lists (a pack
// barcode as CODE@PACK), free-text cells through guard. System products are left out: they
// come with every database.
var exportSQL = `SELECT p.sku, ` + guard("p.name") + ` AS name, p.type, p.active::text AS active,
	` + guard("p.description") + ` AS description, ` + guard("p.category") + ` AS category,
	p.stock_uom, p.purchase_uom, p.sales_uom,
	p.cost_price::text AS cost_price, p.list_price::text AS list_price, p.sell_price::text AS sell_price, p.price_formula,
	p.price_pct::text AS price_pct, p.same_price_all_locations::text AS same_price_all_locations,
	p.sellable::text AS sellable, p.purchasable::text AS purchasable, p.track_stock::text AS track_stock,
	p.serialized::text AS serialized, p.batch_tracked::text AS batch_tracked, p.weight::text AS weight,
	p.volume::text AS volume, m.code AS manufacturer, ` + guard("p.mfr_part_no") + ` AS mfr_part_no,
	p.in_portal::text AS in_portal, ` + guard("p.portal_description") + ` AS portal_description,
	` + guard("p.sales_gl") + ` AS sales_gl, ` + guard("p.purchase_gl") + ` AS purchase_gl,
	` + guard("p.inventory_gl") + ` AS inventory_gl, ` + guard("p.cogs_gl") + ` AS cogs_gl,
	p.sales_tax_rate::text AS sales_tax_rate, p.purchase_tax_rate::text AS purchase_tax_rate,
	` + guard("bc.codes") + ` AS barcodes, ` + guard("ft.features") + ` AS features
	FROM products p
	LEFT JOIN companies m ON m.id = p.manufacturer_id
	LEFT JOIN (SELECT b.product_id, string_agg(b.code || coalesce('@' || k.code, ''), '|' ORDER BY b.code) AS codes
	           FROM product_barcodes b LEFT JOIN product_packs k ON k.id = b.pack_id GROUP BY b.product_id) bc
	       ON bc.product_id = p.id
	LEFT JOIN (SELECT f.product_id, string_agg(f.name || '=' || f.value, '|' ORDER BY f.name) AS features
	           FROM product_features f GROUP BY f.product_id) ft
	       ON ft.product_id = p.id
	WHERE p.type <> 'system' AND `

// guard is csvio.Writer's formula-injection guard in SQL, so the server can write the CSV
// itself: a cell that starts with any number of ' and then = + - @ tab or CR gets one more
// leading ', unless it is a plain number; an empty cell is written as NULL (an empty field).
func guard(col string) string {
	// The first-character test lets the regular expressions run only on the few cells that need them.
	return `nullif(CASE WHEN left(` + col + `, 1) IN ('''', '=', '+', '-', '@', E'\t', E'\r')
		AND ` + col + ` ~ E'^''*[-=+@\\t\\r]' AND ` + col + ` !~ '^[+-]?[0-9]+(\.[0-9]+)?$'
		THEN '''' || ` + col + ` ELSE ` + col + ` END, '')`
}

// ExportProducts writes the products f selects as CSV with the header of CSVColumns, in SKU
// order, to w: PostgreSQL writes the file itself (COPY ... TO STDOUT in CSV), streamed through
// b's transaction. It returns how many rows it wrote.
func ExportProducts(ctx context.Context, b *db.Bulk, f Filter, w io.Writer) (int64, error) {
	where, args, err := f.where()
	if err != nil {
		return 0, err
	}
	// JIT compiles for longer than it saves on this one pass (local to the transaction).
	if _, err := b.ExecContext(ctx, `SELECT set_config('jit', 'off', true)`); err != nil {
		return 0, db.Classify(err)
	}
	// COPY takes no parameters: the server itself writes the filter values into the
	// statement as quoted literals (format's %L), so nothing is quoted by hand in Go.
	template := strings.NewReplacer("%", "%%", "$1", "%1$L", "$2", "%2$L", "$3", "%3$L", "$4", "%4$L", "$5", "%5$L").
		Replace(`COPY (` + exportSQL + where + ` ORDER BY p.sku) TO STDOUT WITH (FORMAT csv, HEADER)`)
	var stmt string
	if err := sqlx.GetContext(ctx, b, &stmt, `SELECT format($1, $2::boolean, $3::text, $4::boolean, $5::text, $6::text)`,
		append([]any{template}, args...)...); err != nil {
		return 0, db.Classify(err)
	}
	n, err := b.CopyOut(ctx, w, stmt)
	return n, db.Classify(err)
}
