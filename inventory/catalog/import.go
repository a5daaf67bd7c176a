package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgcopy"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/csvio"
)

// stagingTable holds the rows of one import: one text column per CSV column (NULL for an
// empty cell or a column the file does not have), the file's row number and what the
// row-level checks found.
const stagingTable = "product_import"

// ImportProducts creates or updates products from the rows r yields, keyed by SKU, in b's
// transaction: the rows stream into a temporary staging table with COPY, every check that
// needs the database runs over the whole table at once, and one set-based statement per
// table merges them. Empty cells leave a field of an existing product as it is (and take the
// default for a new one). Rejected rows go to opt.Rejects; with any and SkipInvalid off it
// returns csvio.ErrRowsInvalid and the caller must roll back.
func ImportProducts(ctx context.Context, b *db.Bulk, r *csvio.Reader, opt csvio.ImportOptions) (csvio.Result, error) {
	var res csvio.Result
	// JIT would spend seconds compiling the checks' and merges' many expressions (the
	// estimates through product_activity are huge) and win back less than it costs.
	if _, err := b.ExecContext(ctx, `SELECT set_config('jit', 'off', true)`); err != nil {
		return res, db.Classify(err)
	}
	// The checks and merges hash and sort a million rows (the update's join with products,
	// the count of distinct ids, repeats in a refused file): with the default 4 MB they
	// spill to disk (a million SKUs' grouping in 81 batches). This transaction's only.
	if _, err := b.ExecContext(ctx, `SELECT set_config('work_mem', '64MB', true)`); err != nil {
		return res, db.Classify(err)
	}
	defs := make([]string, 0, len(CSVColumns))
	for _, c := range CSVColumns {
		defs = append(defs, c+" text")
	}
	// Each staged row draws the id its product gets if it turns out new, as it is copied: the
	// barcode and feature rows then carry their product's id from the split on, instead of
	// finding a million new products again by SKU (two joins over the whole table). Rows
	// that update a product or are refused leave their id unused, as INSERT ... ON
	// CONFLICT does with every row that conflicts; ids are never shown and never reused.
	var seq string
	if err := sqlx.GetContext(ctx, b, &seq, `SELECT pg_get_serial_sequence('products', 'id')`); err != nil {
		return res, db.Classify(err)
	}
	if _, err := b.ExecContext(ctx, `CREATE TEMP TABLE `+stagingTable+` (row_no int NOT NULL, `+strings.Join(defs, ", ")+
		`, perrs jsonb, new_id bigint NOT NULL DEFAULT nextval('`+strings.ReplaceAll(seq, "'", "''")+`'::regclass)) ON COMMIT DROP`); err != nil {
		return res, db.Classify(err)
	}
	// Only the file's columns are copied; the others stay NULL ("leave as it is").
	src := pgcopy.NewStageSource(r, CSVColumns, NormalizeCSVRow, opt.Progress)
	defer src.Close()
	staged, err := b.CopyBinary(ctx, stagingTable, src.Columns(CSVColumns), src)
	if err != nil {
		if src.Err() != nil {
			return res, src.Err()
		}
		return res, db.Classify(err)
	}
	if src.Err() != nil {
		return res, src.Err()
	}
	// The statistics the checks and merges plan with: the table's size, the SKUs (joined to
	// products and grouped for duplicates) and which rows failed the row check.
	if _, err := b.ExecContext(ctx, `ANALYZE `+stagingTable+` (row_no, sku, perrs)`); err != nil {
		return res, db.Classify(err)
	}
	if err := checkStaged(ctx, b, r.Has); err != nil {
		return res, err
	}
	if err := lockRules(ctx, b, r.Has); err != nil {
		return res, err
	}
	hasCodes, hasFeatures := r.Has("barcodes"), r.Has("features")
	if err := splitLists(ctx, b, hasCodes, hasFeatures); err != nil {
		return res, err
	}
	// A SKU given twice: rows updating one product are found by its id, cheaply; repeats
	// among new products cost a grouping of the whole file, so when no row is refused so far
	// the unique index on products finds them as the new products go in (the merge then
	// rolls back to before it began, and the repeats are found and reported as here).
	if _, err := refuseRepeatedSKUs(ctx, b, true); err != nil {
		return res, err
	}
	refused, err := anyRefused(ctx, b)
	if err != nil {
		return res, err
	}
	if refused {
		if _, err := refuseRepeatedSKUs(ctx, b, false); err != nil {
			return res, err
		}
	}
	if res.Rejected, err = rejectedRows(ctx, b, opt); err != nil {
		return res, err
	}
	if res.Rejected > 0 && !opt.SkipInvalid {
		return res, csvio.ErrRowsInvalid
	}
	merged, err := mergeStaged(ctx, b, res, r.Has, staged, !refused)
	if !errors.Is(err, errRepeatedSKU) {
		return merged, err
	}
	found, ferr := refuseRepeatedSKUs(ctx, b, false)
	if ferr != nil {
		return res, ferr
	}
	if !found {
		// Not the file's own repeat: another session added the SKU since the checks.
		return res, fault.Conflictf("a product of this file was added by another session while the import ran (%s): run the import again",
			db.Detail(err))
	}
	if res.Rejected, err = rejectedRows(ctx, b, opt); err != nil {
		return res, err
	}
	if !opt.SkipInvalid {
		return res, csvio.ErrRowsInvalid
	}
	return mergeStaged(ctx, b, res, r.Has, staged, false)
}

// errRepeatedSKU is how mergeStaged says that a new product's SKU was already taken when
// it went in, and that it rolled back all it had written.
var errRepeatedSKU = errors.New("a new product's SKU is taken")

// refuseRepeatedSKUs refuses every row whose SKU an earlier row of the file has too (rows
// whose cells did not parse aside): among the rows updating a product when existing is
// set, else among the others, and reports whether it found any. A SKU is either in the
// catalog or not, so the two never refuse the same row.
func refuseRepeatedSKUs(ctx context.Context, b *db.Bulk, existing bool) (bool, error) {
	if existing {
		// Most files name a product once: a count of distinct ids (a sort of integers)
		// says so in a quarter of the time the grouping below takes to find nothing.
		var repeats bool
		if err := sqlx.GetContext(ctx, b, &repeats, `SELECT count(DISTINCT pid) <> count(pid) FROM `+checkedTable); err != nil {
			return false, db.Classify(err)
		}
		if !repeats {
			return false, nil
		}
	}
	found := `SELECT k.row_no, p.sku, 'the same SKU is on row ' || d.first || ' too: a product appears once per file'
		FROM (SELECT pid, min(row_no) AS first FROM ` + checkedTable + ` WHERE pid IS NOT NULL GROUP BY pid HAVING count(*) > 1) d
		JOIN ` + checkedTable + ` k ON k.pid = d.pid AND k.row_no <> d.first
		JOIN products p ON p.id = d.pid`
	if !existing {
		found = `WITH n AS (
			SELECT s.row_no, s.sku FROM ` + stagingTable + ` s
			WHERE s.perrs IS NULL AND NOT EXISTS (SELECT 1 FROM ` + checkedTable + ` k WHERE k.row_no = s.row_no AND k.pid IS NOT NULL)),
		d AS (SELECT sku, min(row_no) AS first FROM n GROUP BY sku HAVING count(*) > 1)
		SELECT n.row_no, n.sku, 'the same SKU is on row ' || d.first || ' too: a product appears once per file'
		FROM n JOIN d ON d.sku = n.sku
		WHERE n.row_no <> d.first`
	}
	n, err := appendErrs(ctx, b, "sku", found)
	if err != nil {
		return false, fmt.Errorf("checking for repeated SKUs: %w", err)
	}
	return n > 0, nil
}

// appendErrs adds the reasons found (rows of row_no, value, reason) gives for column to
// the rows' errors in the checked table, and says how many rows it refused.
func appendErrs(ctx context.Context, b *db.Bulk, column, found string) (int64, error) {
	var n int64
	err := sqlx.GetContext(ctx, b, &n, `WITH found (row_no, value, reason) AS (`+found+`),
		agg AS (SELECT row_no, jsonb_agg(jsonb_build_object('row', row_no, 'column', '`+column+`', 'value', coalesce(value, ''),
		        'reason', reason)) AS errs FROM found GROUP BY row_no),
		upd AS (UPDATE `+checkedTable+` s SET errs = coalesce(s.errs, '[]'::jsonb) || agg.errs FROM agg
		        WHERE s.row_no = agg.row_no RETURNING s.row_no),
		-- A good new product's row was not in the table yet.
		ins AS (INSERT INTO `+checkedTable+` (row_no, pid, errs)
		        SELECT agg.row_no, NULL, agg.errs FROM agg WHERE agg.row_no NOT IN (SELECT row_no FROM upd) RETURNING 1)
		SELECT count(*) FROM agg`)
	return n, db.Classify(err)
}

// anyRefused reports whether a row has been refused.
func anyRefused(ctx context.Context, b *db.Bulk) (bool, error) {
	var refused bool
	err := sqlx.GetContext(ctx, b, &refused, `SELECT EXISTS (SELECT 1 FROM `+checkedTable+` WHERE errs IS NOT NULL)`)
	return refused, db.Classify(err)
}

// checkedTable holds what the checks found, only for the rows that need it said: the row,
// the id of the product it updates (NULL for a new one) and every reason it is refused
// (NULL when it is good). A row not in it is a good new product, so an import of new
// products writes next to nothing here; the rows' cells stay in the staging table.
const checkedTable = "product_checked"

// importRule is one rule a staged row is checked against: when cond holds (SQL over the
// columns of r in checkStaged), the row is refused with reason for column col.
type importRule struct{ col, cond, value, reason string }

// importRules are the rules of SPEC §2 that need the database: what the product will be after
// the import (the row's cell, else its current value, else the default catalog.Add gives) is
// held against units, manufacturers, the type and tracking rules and the product's activity.
var importRules = []importRule{
	{"name", "r.pid IS NULL AND r.name IS NULL", "''", "'a new product needs a name'"},
	{"stock_uom", "r.stock_uom IS NOT NULL AND NOT r.uom_known", "r.stock_uom", "'unknown unit: see stockctl uom list'"},
	{"purchase_uom", "r.purchase_uom IS NOT NULL AND NOT r.pu_pack AND NOT r.pu_known", "r.purchase_uom",
		"'unknown unit: use a unit of the stock unit''s category (stockctl uom list) or a pack unit of the product'"},
	{"purchase_uom", "r.purchase_uom IS NOT NULL AND NOT r.pu_pack AND r.pu_known AND r.pu_category IS DISTINCT FROM r.uom_category",
		"r.purchase_uom", "'a ' || r.pu_category || ' unit, but the stock unit ' || r.uom || ' is ' || coalesce(r.uom_category, '?')"},
	{"sales_uom", "r.sales_uom IS NOT NULL AND NOT r.lu_pack AND NOT r.lu_known", "r.sales_uom",
		"'unknown unit: use a unit of the stock unit''s category (stockctl uom list) or a pack unit of the product'"},
	{"sales_uom", "r.sales_uom IS NOT NULL AND NOT r.lu_pack AND r.lu_known AND r.lu_category IS DISTINCT FROM r.uom_category",
		"r.sales_uom", "'a ' || r.lu_category || ' unit, but the stock unit ' || r.uom || ' is ' || coalesce(r.uom_category, '?')"},
	{"manufacturer", "r.manufacturer IS NOT NULL AND r.mfr_id IS NULL", "r.manufacturer",
		"'unknown manufacturer: add it with stockctl company add ' || r.manufacturer || ' --name N --manufacturer'"},
	{"manufacturer", "r.manufacturer IS NOT NULL AND r.mfr_id IS NOT NULL AND NOT r.is_manufacturer", "r.manufacturer",
		"'company ' || r.manufacturer || ' is not a manufacturer: stockctl company edit ' || r.manufacturer || ' --manufacturer'"},
	{"track_stock", "r.eff_track AND r.eff_type <> 'stock'", "'true'", "'only stock products are stock-tracked; a ' || r.eff_type || ' product never is'"},
	{"track_stock", "(r.eff_serialized OR r.eff_batch) AND NOT r.eff_track AND r.eff_type = 'stock'", "'false'",
		"'serialised or batch-tracked products are always stock-tracked'"},
	{"serialized", "r.eff_serialized AND r.eff_batch", "'true'", "'choose serial numbers or batches, not both'"},
	{"sell_price", "r.sell_price IS NOT NULL AND coalesce(r.price_formula, r.old_formula, 'fixed') <> 'fixed' AND (r.pid IS NULL OR r.sell_price::numeric <> r.old_sell)",
		"r.sell_price", "'the sell price comes from the ' || coalesce(r.price_formula, r.old_formula) || ' formula: change the cost or list price, or set price_formula to fixed'"},
	{"price_pct", "coalesce(r.price_formula, r.old_formula, 'fixed') IN ('markup', 'margin', 'discount') AND coalesce(r.price_pct, r.old_pct::text) IS NULL",
		"''", "'the ' || coalesce(r.price_formula, r.old_formula) || ' formula needs price_pct (a percentage)'"},
}

// updateRules are the rules only a row updating a product can break: they hold its current
// state against the row. A new product's row skips them all with one test.
var updateRules = []importRule{
	{"stock_uom", "r.stock_uom IS NOT NULL AND r.stock_uom <> r.old_uom AND (r.on_hand <> 0 OR r.moves > 0 OR r.open_orders > 0)",
		"r.stock_uom", "'the stock unit cannot change from ' || r.old_uom || ' once the product has stock, moves or open orders'"},
	{"type", "r.old_type = 'system' AND r.eff_type <> 'system'", "r.eff_type", "'system products cannot change type'"},
	{"track_stock", "r.old_track AND NOT r.eff_track AND (r.on_hand <> 0 OR r.allocated <> 0 OR r.open_orders > 0)", "'false'",
		"'cannot stop tracking stock: it has ' || r.on_hand || ' on hand, ' || r.allocated || ' allocated, ' || r.open_orders || ' open order lines'"},
	{"track_stock", "NOT r.old_track AND r.eff_track AND r.untracked_lines IS NOT NULL", "'true'",
		"'cannot start tracking stock: ' || r.untracked_lines || ' sold it while it was not tracked and would never take it out of stock: cancel those orders (stockctl so cancel SO) or invoice them first'"},
	{"serialized", "((r.old_serial AND NOT r.eff_serialized) OR (r.old_batch AND NOT r.eff_batch)) AND r.moves > 0", "'false'",
		"'cannot switch serial numbers or batches off: the product has ' || r.moves || ' stock moves naming them'"},
	{"serialized", "((NOT r.old_serial AND r.eff_serialized) OR (NOT r.old_batch AND r.eff_batch)) AND r.on_hand <> 0", "'true'",
		"'cannot switch serial numbers or batches on while ' || r.on_hand || ' are on hand without them: adjust the stock to zero first'"},
	{"active", "r.active = 'false' AND r.old_active AND r.on_hand <> 0", "'false'",
		"'the product has ' || r.on_hand || ' on hand: deactivate it with stockctl product deactivate --force'"},
}

// checkStaged builds the checked table from the staged rows in one statement: each row is
// joined once to its product, units, manufacturer and (only where the row changes what
// activity forbids) the product's activity, and held against every rule at once; the
// reasons are built only for the rows that break one. Then the barcode cells are checked
// against each other and the barcodes in use, which can only refuse more rows.
func checkStaged(ctx context.Context, b *db.Bulk, has func(string) bool) error {
	var any, existing, reasons []string
	for _, r := range importRules {
		any = append(any, "("+r.cond+")")
	}
	for _, r := range updateRules {
		existing = append(existing, "("+r.cond+")")
	}
	any = append(any, "(r.pid IS NOT NULL AND ("+strings.Join(existing, " OR ")+"))")
	for _, r := range append(slices.Clone(importRules), updateRules...) {
		reasons = append(reasons, fmt.Sprintf("(CASE WHEN %s THEN jsonb_build_object('row', r.row_no, 'column', '%s', 'value', coalesce(%s, ''), 'reason', %s) END)",
			r.cond, r.col, r.value, r.reason))
	}
	cols := "s." + strings.Join(CSVColumns, ", s.")
	// A unit or manufacturer column the file lacks is empty in every row: its rules cannot
	// fire, so its lookup (a join of every row) is left out. The stock unit's category is
	// needed whenever a purchase or sales unit is given.
	lookups := []string{}
	joins := []string{}
	if has("stock_uom") || has("purchase_uom") || has("sales_uom") {
		lookups = append(lookups, "su.category AS uom_category, su.code IS NOT NULL AS uom_known")
		joins = append(joins, "LEFT JOIN uoms su ON su.code = e.uom")
	} else {
		lookups = append(lookups, "NULL::text AS uom_category, false AS uom_known")
	}
	// A purchase or sales unit (alias pu, lu) is a unit of the stock unit's category or one
	// of the product's pack units.
	unit := func(col, alias string) {
		if !has(col) {
			lookups = append(lookups, fmt.Sprintf("NULL::text AS %[1]s_category, false AS %[1]s_known, false AS %[1]s_pack", alias))
			return
		}
		lookups = append(lookups, fmt.Sprintf(`%[1]s.category AS %[1]s_category, %[1]s.code IS NOT NULL AS %[1]s_known,
		       (e.%[2]s IS NOT NULL AND e.pid IS NOT NULL
		        AND EXISTS (SELECT 1 FROM product_packs k WHERE k.product_id = e.pid AND k.code = e.%[2]s)) AS %[1]s_pack`, alias, col))
		joins = append(joins, fmt.Sprintf("LEFT JOIN uoms %[1]s ON %[1]s.code = e.%[2]s", alias, col))
	}
	unit("purchase_uom", "pu")
	unit("sales_uom", "lu")
	if has("manufacturer") {
		lookups = append(lookups, "m.id AS mfr_id, m.is_manufacturer")
		joins = append(joins, "LEFT JOIN companies m ON m.code = e.manufacturer")
	} else {
		lookups = append(lookups, "NULL::bigint AS mfr_id, false AS is_manufacturer")
	}
	// Open sales lines taken while the product was untracked, only of products the file
	// starts tracking (checkUntrackedLines is the same rule for product edit).
	untracked, untrackedJoin := "NULL::text AS untracked_lines", ""
	if has("track_stock") || has("type") || has("serialized") || has("batch_tracked") {
		untracked = "ul.lines AS untracked_lines"
		untrackedJoin = `LEFT JOIN (SELECT u.product_id, string_agg(u.so || ' line ' || u.line_no || ' (' || u.qty || ', ' || u.status || ')', ', '
			ORDER BY u.so, u.line_no) AS lines FROM product_untracked_lines u
			WHERE u.product_id IN (SELECT e.pid FROM e WHERE e.pid IS NOT NULL AND NOT e.old_track AND e.eff_track)
			GROUP BY u.product_id) ul ON ul.product_id = e.pid`
	}
	stmt := `CREATE TEMP TABLE ` + checkedTable + ` ON COMMIT DROP AS
	WITH d AS (SELECT coalesce((SELECT value FROM settings WHERE key = 'default_uom'), 'ea') AS uom),
	e AS NOT MATERIALIZED (
		SELECT s.row_no, ` + cols + `, p.id AS pid, p.type AS old_type, p.track_stock AS old_track,
		       p.serialized AS old_serial, p.batch_tracked AS old_batch, p.stock_uom AS old_uom,
		       p.price_formula AS old_formula, p.price_pct AS old_pct, p.sell_price AS old_sell, p.active AS old_active,
		       coalesce(s.type, p.type, 'stock') AS eff_type,
		       coalesce(s.serialized::boolean, p.serialized, false) AS eff_serialized,
		       coalesce(s.batch_tracked::boolean, p.batch_tracked, false) AS eff_batch,
		       coalesce(s.track_stock::boolean, p.track_stock,
		                coalesce(s.type, 'stock') = 'stock' OR coalesce(s.serialized::boolean, false)
		                OR coalesce(s.batch_tracked::boolean, false)) AS eff_track,
		       coalesce(s.stock_uom, p.stock_uom, CASE WHEN coalesce(s.type, 'stock') = 'time' THEN 'h' ELSE d.uom END) AS uom
		FROM ` + stagingTable + ` s CROSS JOIN d
		LEFT JOIN products p ON p.sku = s.sku
		WHERE s.perrs IS NULL
	),
	-- Activity only of the products whose row changes what activity forbids.
	act AS (
		SELECT v.product_id, coalesce(sum(v.on_hand), 0) AS on_hand, coalesce(sum(v.allocated), 0) AS allocated,
		       coalesce(sum(v.open_orders), 0) AS open_orders, coalesce(sum(v.moves), 0) AS moves
		FROM product_activity v
		WHERE v.product_id IN (SELECT e.pid FROM e WHERE e.pid IS NOT NULL AND ` + strings.ReplaceAll(rulesChange, "r.", "e.") + `)
		GROUP BY v.product_id
	),
	r AS (
		SELECT e.row_no, ` + strings.Replace(cols, "s.", "e.", -1) + `, e.pid, e.old_type, e.old_track, e.old_serial, e.old_batch,
		       e.old_uom, e.old_formula, e.old_pct, e.old_sell, e.old_active, e.uom,
		       e.eff_type, e.eff_serialized, e.eff_batch, e.eff_track,
		       ` + strings.Join(lookups, ",\n\t\t       ") + `,
		       coalesce(a.on_hand, 0) AS on_hand, coalesce(a.allocated, 0) AS allocated,
		       coalesce(a.open_orders, 0) AS open_orders, coalesce(a.moves, 0) AS moves, ` + untracked + `
		FROM e
		` + strings.Join(joins, "\n\t\t") + `
		LEFT JOIN act a ON a.product_id = e.pid
		` + untrackedJoin + `
	)
	SELECT * FROM (
		SELECT r.row_no, r.pid,
		       CASE WHEN ` + strings.Join(any, "\n\t\t OR ") + `
		            THEN (SELECT jsonb_agg(x.e) FROM (VALUES ` + strings.Join(reasons, ",\n\t\t") + `) x (e) WHERE x.e IS NOT NULL) END AS errs,
		       r.pid IS NOT NULL AND ` + rulesChange + ` AS rules
		FROM r) c
	WHERE c.pid IS NOT NULL OR c.errs IS NOT NULL
	UNION ALL
	SELECT s.row_no, NULL::bigint, s.perrs, false FROM ` + stagingTable + ` s WHERE s.perrs IS NOT NULL`
	if _, err := b.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("checking the rows: %w", db.Classify(err))
	}
	// Temporary tables get no statistics by themselves; without them the merges' plans go
	// badly wrong at a million rows.
	if _, err := b.ExecContext(ctx, `ANALYZE `+checkedTable); err != nil {
		return db.Classify(err)
	}
	return nil
}

// rulesChange is the condition, over a checked row r (checkStaged), that the row changes a
// product column postings are judged by: tracking, serials, batches, type, stock unit or
// active (deactivation needs --force while stock is on hand).
const rulesChange = `((r.stock_uom IS NOT NULL AND r.stock_uom <> r.old_uom) OR r.eff_track <> r.old_track
		OR r.eff_serialized <> r.old_serial OR r.eff_batch <> r.old_batch OR r.eff_type <> r.old_type
		OR (r.active IS NOT NULL AND r.active::boolean <> r.old_active))`

// ruleColumns are the products columns of rulesChange: the merge writes them only for the
// products lockRules locked.
var ruleColumns = map[string]bool{"type": true, "active": true, "stock_uom": true, "track_stock": true,
	"serialized": true, "batch_tracked": true}

// lockRules takes the posting-rules lock (stock.Post's: the products row FOR UPDATE, which
// waits for postings of the product in flight and makes new ones wait) of every product
// whose tracking, serials, batches, type, stock unit or active flag the file changes: the
// rows checkStaged marked, locked in product id order in one statement. Files that change
// no such column (price lists, re-imports) lock nothing and pay one scan of the checked
// table. The checks ran before the lock, against stock that postings in flight could still
// change, so they run again under it; a product whose rules a concurrent session changed
// in between (now changed by the file but not locked) makes the import fail with a
// conflict, to be run again. Products the file does not change the rules of keep theirs
// whatever happens meanwhile: the merge writes the rule columns only of locked products.
func lockRules(ctx context.Context, b *db.Bulk, has func(string) bool) error {
	any := false
	for col := range ruleColumns {
		any = any || has(col)
	}
	if !any {
		return nil
	}
	var ids []int64
	if err := sqlx.SelectContext(ctx, b, &ids, `SELECT DISTINCT pid FROM `+checkedTable+` WHERE rules ORDER BY 1`); err != nil {
		return db.Classify(err)
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := b.ExecContext(ctx, `SELECT 1 FROM products WHERE id = ANY($1) ORDER BY id FOR UPDATE`, pq.Int64Array(ids)); err != nil {
		return db.Classify(err)
	}
	if _, err := b.ExecContext(ctx, `DROP TABLE `+checkedTable); err != nil {
		return db.Classify(err)
	}
	if err := checkStaged(ctx, b, has); err != nil {
		return err
	}
	var sku []string
	if err := sqlx.SelectContext(ctx, b, &sku, `SELECT p.sku FROM `+checkedTable+` k JOIN products p ON p.id = k.pid
		WHERE k.rules AND k.pid <> ALL($1) ORDER BY p.sku LIMIT 1`, pq.Int64Array(ids)); err != nil {
		return db.Classify(err)
	}
	if len(sku) > 0 {
		return fault.Conflictf("product %s was changed by another session while the import ran: nothing was written; run the import again", sku[0])
	}
	return nil
}

// codesTable and featuresTable hold the barcode and feature cells of the rows that parsed,
// split once into one row per code or feature, for the checks and the merges to share.
const (
	codesTable    = "product_import_codes"
	featuresTable = "product_import_features"
)

// splitLists splits the barcodes and features cells (when the file has those columns) and
// checks the barcodes: of another product, twice in the file, a pack the product lacks.
// The cells come without repeats (NormalizeCSVRow, dedupeList: the last feature of a name
// and the last entry of a code win), so the split needs no DISTINCT, and as a code twice
// in the file is refused, the merge needs none either.
func splitLists(ctx context.Context, b *db.Bulk, barcodes, features bool) error {
	if barcodes {
		if _, err := b.ExecContext(ctx, `CREATE TEMP TABLE `+codesTable+` ON COMMIT DROP AS
			SELECT s.row_no, s.sku, k.pid, coalesce(k.pid, s.new_id) AS id,
			       split_part(trim(c), '@', 1) AS code, nullif(split_part(trim(c), '@', 2), '') AS pack
			FROM `+stagingTable+` s LEFT JOIN `+checkedTable+` k ON k.row_no = s.row_no
			CROSS JOIN LATERAL unnest(string_to_array(s.barcodes, '|')) c
			WHERE s.barcodes IS NOT NULL AND s.perrs IS NULL AND k.errs IS NULL AND trim(c) <> ''`); err != nil {
			return db.Classify(err)
		}
		if _, err := b.ExecContext(ctx, `ANALYZE `+codesTable); err != nil {
			return db.Classify(err)
		}
		for _, found := range []string{
			`SELECT c.row_no, c.code, 'barcode already belongs to product ' || p.sku
			FROM ` + codesTable + ` c
			JOIN product_barcodes b ON b.code = c.code
			JOIN products p ON p.id = b.product_id
			WHERE p.sku <> c.sku`,
			`SELECT row_no, code, 'the same barcode is on row ' || first || ' too'
			FROM (SELECT c.row_no, c.code, min(c.row_no) OVER (PARTITION BY c.code) AS first FROM ` + codesTable + ` c) y
			WHERE row_no <> first`,
			`SELECT c.row_no, c.code || '@' || c.pack, 'no pack unit ' || c.pack || ' for this product: add it first with stockctl product pack add'
			FROM ` + codesTable + ` c
			WHERE c.pack IS NOT NULL
			  AND NOT EXISTS (SELECT 1 FROM product_packs k WHERE k.product_id = c.pid AND k.code = c.pack)`,
		} {
			if _, err := appendErrs(ctx, b, "barcodes", found); err != nil {
				return fmt.Errorf("checking the barcodes: %w", err)
			}
		}
	}
	if features {
		if _, err := b.ExecContext(ctx, `CREATE TEMP TABLE `+featuresTable+` ON COMMIT DROP AS
			SELECT s.row_no, s.sku, k.pid, coalesce(k.pid, s.new_id) AS id, x.name, x.value
			FROM `+stagingTable+` s LEFT JOIN `+checkedTable+` k ON k.row_no = s.row_no
			CROSS JOIN LATERAL (SELECT trim(split_part(c, '=', 1)) AS name, trim(substr(c, position('=' IN c) + 1)) AS value
			                    FROM unnest(string_to_array(s.features, '|')) AS u (c) WHERE trim(c) <> '') x
			WHERE s.features IS NOT NULL AND s.perrs IS NULL AND k.errs IS NULL`); err != nil {
			return db.Classify(err)
		}
		if _, err := b.ExecContext(ctx, `ANALYZE `+featuresTable); err != nil {
			return db.Classify(err)
		}
	}
	return nil
}

// rejectedRows hands every row with errors to opt.Rejects, in row order, and counts them.
func rejectedRows(ctx context.Context, b *db.Bulk, opt csvio.ImportOptions) (int64, error) {
	rows, err := b.QueryxContext(ctx, `SELECT s.row_no, s.`+strings.Join(CSVColumns, ", s.")+`, k.errs::text
		FROM `+checkedTable+` k JOIN `+stagingTable+` s ON s.row_no = k.row_no
		WHERE k.errs IS NOT NULL ORDER BY k.row_no`)
	if err != nil {
		return 0, db.Classify(err)
	}
	defer rows.Close()
	n, err := csvio.ReadRejects(rows, len(CSVColumns), opt.Rejects)
	return n, db.Classify(err)
}

// productFields are the products columns a row can set, with the SQL that reads the staged
// text (s) into the column's type.
var productFields = []struct{ col, expr string }{
	{"name", "s.name"}, {"type", "s.type"}, {"active", "s.active::boolean"}, {"description", "s.description"},
	{"category", "s.category"}, {"stock_uom", "s.stock_uom"}, {"purchase_uom", "s.purchase_uom"},
	{"sales_uom", "s.sales_uom"}, {"cost_price", "s.cost_price::numeric"}, {"list_price", "s.list_price::numeric"},
	{"sell_price", "s.sell_price::numeric"}, {"price_formula", "s.price_formula"}, {"price_pct", "s.price_pct::numeric"},
	{"same_price_all_locations", "s.same_price_all_locations::boolean"}, {"sellable", "s.sellable::boolean"},
	{"purchasable", "s.purchasable::boolean"}, {"track_stock", "s.track_stock::boolean"},
	{"serialized", "s.serialized::boolean"}, {"batch_tracked", "s.batch_tracked::boolean"},
	{"weight", "s.weight::numeric"}, {"volume", "s.volume::numeric"}, {"manufacturer_id", "m.id"},
	{"mfr_part_no", "s.mfr_part_no"}, {"in_portal", "s.in_portal::boolean"}, {"portal_description", "s.portal_description"},
	{"sales_gl", "s.sales_gl"}, {"purchase_gl", "s.purchase_gl"}, {"inventory_gl", "s.inventory_gl"},
	{"cogs_gl", "s.cogs_gl"}, {"sales_tax_rate", "s.sales_tax_rate::numeric"},
	{"purchase_tax_rate", "s.purchase_tax_rate::numeric"},
}

// csvColumn is the CSV column a products column is read from.
func csvColumn(col string) string {
	if col == "manufacturer_id" {
		return "manufacturer"
	}
	return col
}

// mergeStaged writes the valid staged rows (staged in all, has telling the file's columns):
// updates of existing products where something differs, inserts of new ones with the
// defaults catalog.Add gives, then barcodes and features. Each is one statement; the counts
// come from what they returned. A column the file does not have is empty in every row and
// leaves every product's field as it is, so the statements neither set nor compare it.
// With unchecked set, new products' SKUs have not been checked for repeats: a SKU taken
// when the new products go in rolls back everything the merge wrote and returns an error
// wrapping errRepeatedSKU and the database's.
func mergeStaged(ctx context.Context, b *db.Bulk, res csvio.Result, has func(string) bool, staged int64, unchecked bool) (csvio.Result, error) {
	codes, features := has("barcodes"), has("features")
	if unchecked {
		if _, err := b.ExecContext(ctx, `SAVEPOINT product_merge`); err != nil {
			return res, db.Classify(err)
		}
	}
	var set, differs, olds []string
	for _, f := range productFields {
		if !has(csvColumn(f.col)) && (f.col != "price_pct" || !has("price_formula")) {
			continue
		}
		if f.col == "price_pct" {
			// A new formula without a percentage clears it (fixed and list take none).
			set = append(set, "price_pct = CASE WHEN s.price_formula IN ('fixed', 'list') AND s.price_pct IS NULL THEN NULL ELSE coalesce(s.price_pct::numeric, p.price_pct) END")
			differs = append(differs, "CASE WHEN s.price_formula IN ('fixed', 'list') AND s.price_pct IS NULL THEN NULL ELSE coalesce(s.price_pct::numeric, p.price_pct) END")
			olds = append(olds, "p.price_pct")
			continue
		}
		v := fmt.Sprintf("coalesce(%s, p.%s)", f.expr, f.col)
		if ruleColumns[f.col] {
			// Only a product locked and checked for it changes these (lockRules).
			v = fmt.Sprintf("CASE WHEN k.rules THEN %s ELSE p.%s END", v, f.col)
		}
		set = append(set, f.col+" = "+v)
		differs = append(differs, v)
		olds = append(olds, "p."+f.col)
	}
	// The existing products something changed for (created ones are counted as inserted).
	if _, err := b.ExecContext(ctx, `CREATE TEMP TABLE product_import_changed (product_id bigint PRIMARY KEY) ON COMMIT DROP`); err != nil {
		return res, db.Classify(err)
	}
	// Updates. The sell price is written last so that a formula set in the same row applies.
	mfr := ""
	if has("manufacturer") {
		mfr = `LEFT JOIN companies m ON m.code = s.manufacturer`
	}
	if len(set) > 0 {
		upd := `WITH u AS (
		UPDATE products p SET ` + strings.Join(set, ", ") + `
		FROM ` + checkedTable + ` k JOIN ` + stagingTable + ` s ON s.row_no = k.row_no
		` + mfr + `
		WHERE k.errs IS NULL AND p.id = k.pid
		  AND (` + strings.Join(differs, ", ") + `) IS DISTINCT FROM (` + strings.Join(olds, ", ") + `)
		RETURNING p.id)
		INSERT INTO product_import_changed SELECT id FROM u`
		if _, err := b.ExecContext(ctx, upd); err != nil {
			return res, db.Classify(err)
		}
	}
	// Every row that updates a product or is refused is in the checked table; the others
	// are new (newRows over the staged rows s). With none of either (a file of new products)
	// the planner, estimating a row there, would scan it once for each of a million rows to
	// find nothing; with none new (a re-import) there is nothing to insert.
	var checked int64
	if err := sqlx.GetContext(ctx, b, &checked, `SELECT count(*) FROM `+checkedTable); err != nil {
		return res, db.Classify(err)
	}
	newRows := "s.perrs IS NULL"
	if checked > 0 {
		newRows += ` AND NOT EXISTS (SELECT 1 FROM ` + checkedTable + ` k WHERE k.row_no = s.row_no)`
	}
	// Inserts, with the defaults of catalog.Add: type stock, sellable, purchasable for stock,
	// service and freight, tracked when stock (or serialised/batch-tracked), units from the
	// setting default_uom (h for time), accounting from the settings.
	var cols, vals []string
	for _, f := range productFields {
		cols = append(cols, f.col)
		def := "NULL"
		switch f.col {
		case "type":
			def = "'stock'"
		case "active", "sellable":
			def = "true"
		case "description", "category", "mfr_part_no", "portal_description":
			def = "''"
		case "stock_uom":
			def = "x.uom"
		case "purchase_uom", "sales_uom":
			def = "coalesce(s.stock_uom, x.uom)"
		case "cost_price", "list_price", "sell_price":
			def = "0"
		case "price_formula":
			def = "'fixed'"
		case "same_price_all_locations", "in_portal", "serialized", "batch_tracked":
			def = "false"
		case "purchasable":
			def = "coalesce(s.type, 'stock') IN ('stock', 'service', 'freight')"
		case "track_stock":
			def = "coalesce(s.type, 'stock') = 'stock' OR coalesce(s.serialized::boolean, false) OR coalesce(s.batch_tracked::boolean, false)"
		case "sales_gl":
			def = "g.gl_sales"
		case "purchase_gl":
			def = "g.gl_purchase"
		case "inventory_gl":
			def = "g.gl_inventory"
		case "cogs_gl":
			def = "g.gl_cogs"
		case "sales_tax_rate":
			def = "g.tax_rate_sales::numeric"
		case "purchase_tax_rate":
			def = "g.tax_rate_purchase::numeric"
		}
		switch {
		case !has(csvColumn(f.col)):
			vals = append(vals, def)
		case f.col == "manufacturer_id":
			vals = append(vals, "m.id")
		default:
			vals = append(vals, fmt.Sprintf("coalesce(%s, %s)", f.expr, def))
		}
	}
	// Who made them is found once, not by the columns' defaults for every row. No
	// RETURNING: the command tag counts the rows, and returning a million of them into
	// a CTE only to count them cost a quarter of a second.
	ins := `WITH g AS (
		SELECT max(value) FILTER (WHERE key = 'gl_sales') AS gl_sales, max(value) FILTER (WHERE key = 'gl_purchase') AS gl_purchase,
		       max(value) FILTER (WHERE key = 'gl_inventory') AS gl_inventory, max(value) FILTER (WHERE key = 'gl_cogs') AS gl_cogs,
		       max(value) FILTER (WHERE key = 'tax_rate_sales') AS tax_rate_sales,
		       max(value) FILTER (WHERE key = 'tax_rate_purchase') AS tax_rate_purchase,
		       coalesce(max(value) FILTER (WHERE key = 'default_uom'), 'ea') AS default_uom,
		       stockctl_actor() AS actor
		FROM settings)
		INSERT INTO products (id, sku, ` + strings.Join(cols, ", ") + `, created_by, updated_by) OVERRIDING SYSTEM VALUE
		SELECT s.new_id, s.sku, ` + strings.Join(vals, ", ") + `, g.actor, g.actor
		FROM ` + stagingTable + ` s
		CROSS JOIN g
		CROSS JOIN LATERAL (SELECT coalesce(s.stock_uom, CASE WHEN s.type = 'time' THEN 'h' ELSE g.default_uom END) AS uom) x
		` + mfr + `
		WHERE ` + newRows
	if checked < staged {
		inserted, err := b.ExecContext(ctx, ins)
		if unchecked && db.Constraint(err) == "products_sku_key" {
			if _, rerr := b.ExecContext(ctx, `ROLLBACK TO SAVEPOINT product_merge`); rerr != nil {
				return res, db.Classify(rerr)
			}
			return res, fmt.Errorf("%w: %w", errRepeatedSKU, err)
		}
		if err != nil {
			return res, db.Classify(err)
		}
		if res.Created, err = inserted.RowsAffected(); err != nil {
			return res, db.Classify(err)
		}
	}
	// Rows refused by the barcode checks after the split are left out (only with
	// --skip-invalid does a merge run with rejects).
	good := ""
	if res.Rejected > 0 {
		good = ` AND NOT EXISTS (SELECT 1 FROM ` + checkedTable + ` x WHERE x.row_no = c.row_no AND x.errs IS NOT NULL)`
	}
	// Barcodes listed are added; barcodes the product has and the file does not list stay.
	// The split rows carry the product's id (a new product's drawn when it was staged).
	// Known barcodes and unchanged features are dropped from the split tables first, in
	// statements of their own: an anti-join in the inserting statement would scan the very
	// table it fills, and with statistics taken when that table was empty the planner
	// makes that a scan per row.
	if codes {
		if _, err := b.ExecContext(ctx, `DELETE FROM `+codesTable+` c USING product_barcodes e WHERE e.code = c.code`); err != nil {
			return res, db.Classify(err)
		}
		// New products' barcodes with a plain INSERT: nobody else can have a barcode of a
		// product this transaction made, and ON CONFLICT with RETURNING cost half a second
		// per 300,000. A new product has no pack units yet (a code naming one was refused).
		// Existing products' barcodes say which products changed.
		// One pattern match a code, not one per symbology: they were a third of the statement.
		symbology := `CASE WHEN c.code !~ '^[0-9]{8,14}$' THEN 'code128'
			         ELSE CASE length(c.code) WHEN 8 THEN 'ean8' WHEN 12 THEN 'upca' WHEN 13 THEN 'ean13'
			                                  WHEN 14 THEN 'gtin14' ELSE 'code128' END END`
		if _, err := b.ExecContext(ctx, `INSERT INTO product_barcodes (product_id, code, symbology, pack_id)
			SELECT c.id, c.code, `+symbology+`, NULL
			FROM `+codesTable+` c
			WHERE c.pid IS NULL`+good); err != nil {
			return res, db.Classify(err)
		}
		if _, err := b.ExecContext(ctx, `WITH n AS (
			INSERT INTO product_barcodes (product_id, code, symbology, pack_id)
			SELECT DISTINCT ON (c.code) c.pid, c.code, `+symbology+`, k.id
			FROM `+codesTable+` c
			LEFT JOIN product_packs k ON k.product_id = c.pid AND k.code = c.pack
			WHERE c.pid IS NOT NULL`+good+`
			ON CONFLICT (code) DO NOTHING
			RETURNING product_id)
			INSERT INTO product_import_changed SELECT DISTINCT n.product_id FROM n ON CONFLICT DO NOTHING`); err != nil {
			return res, db.Classify(err)
		}
	}
	// Features listed are set; features not listed stay.
	if features {
		if _, err := b.ExecContext(ctx, `DELETE FROM `+featuresTable+` c USING product_features e
			WHERE e.product_id = c.pid AND e.name = c.name AND e.value = c.value`); err != nil {
			return res, db.Classify(err)
		}
		// As the barcodes: a new product's features by plain INSERT, an existing one's by
		// upsert, saying which products changed.
		if _, err := b.ExecContext(ctx, `INSERT INTO product_features (product_id, name, value)
			SELECT c.id, c.name, c.value
			FROM `+featuresTable+` c
			WHERE c.pid IS NULL`+good); err != nil {
			return res, db.Classify(err)
		}
		if _, err := b.ExecContext(ctx, `WITH f AS (
			INSERT INTO product_features AS pf (product_id, name, value)
			SELECT c.pid, c.name, c.value
			FROM `+featuresTable+` c
			WHERE c.pid IS NOT NULL`+good+`
			ON CONFLICT (product_id, name) DO UPDATE SET value = excluded.value WHERE pf.value <> excluded.value
			RETURNING product_id)
			INSERT INTO product_import_changed SELECT DISTINCT f.product_id FROM f ON CONFLICT DO NOTHING`); err != nil {
			return res, db.Classify(err)
		}
	}
	if err := sqlx.GetContext(ctx, b, &res.Updated, `SELECT count(*) FROM product_import_changed`); err != nil {
		return res, db.Classify(err)
	}
	// Every staged row not rejected was created, updated or found unchanged.
	res.Unchanged = staged - res.Rejected - res.Created - res.Updated
	return res, nil
}
