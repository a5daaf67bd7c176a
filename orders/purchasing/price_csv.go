package purchasing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgcopy"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/csvio"
)

// PriceCSVColumns are the columns of the supplier price CSV format in their export order
// (docs/csv-formats.md; scripts depend on the names and the order). They are what
// supplier price add takes.
var PriceCSVColumns = []string{
	"supplier", "sku", "price", "currency", "min_qty", "supplier_sku", "lead_days", "pack", "priority",
	"valid_from", "valid_until", "unit",
}

// PriceCSVRequired are the columns a supplier price file must have.
var PriceCSVRequired = []string{"supplier", "sku"}

// Column positions in PriceCSVColumns.
const (
	pcSupplier = iota
	pcSKU
	pcPrice
	pcCurrency
	pcMinQty
	pcSupplierSKU
	pcLeadDays
	pcPack
	pcPriority
	pcValidFrom
	pcValidUntil
	pcUnit
)

// priceStaging holds the rows of one supplier price import (see ImportPrices).
const priceStaging = "supplier_price_import"

// NormalizePriceCSVRow checks the cells of one supplier price row that can be checked
// without the database and rewrites them into the form the staging table casts from (plain
// decimals, upper-case currency, YYYY-MM-DD dates). values is aligned with PriceCSVColumns.
// It never panics, whatever the input.
func NormalizePriceCSVRow(row int, values []string) []csvio.RowError {
	var errs []csvio.RowError
	bad := func(col int, format string, args ...any) {
		errs = append(errs, csvio.RowError{Row: row, Column: PriceCSVColumns[col], Value: values[col], Reason: fmt.Sprintf(format, args...)})
	}
	if len(values) < len(PriceCSVColumns) {
		return []csvio.RowError{{Row: row, Reason: "the row has fewer cells than the format"}}
	}
	number := func(col int, k bounds.Number, what string) (decimal.Decimal, bool) {
		d, err := k.Parse(values[col])
		switch {
		case err != nil:
			bad(col, "%v", err)
			return d, false
		case d.IsNegative():
			bad(col, "%s cannot be negative", what)
			return d, false
		}
		values[col] = d.String()
		return d, true
	}
	integer := func(col, max int, what string) {
		n, err := bounds.ParseWhole(values[col], 0, int64(max))
		if err != nil {
			bad(col, "%s: give a whole number from 0 to %d", what, max)
			return
		}
		values[col] = strconv.FormatInt(n, 10)
	}
	var from, until time.Time
	date := func(col int) time.Time {
		t, err := bounds.ParseDay(values[col])
		if err != nil {
			bad(col, "%v", err)
			return time.Time{}
		}
		values[col] = t.Format(time.DateOnly)
		return t
	}
	if values[pcSupplier] == "" {
		bad(pcSupplier, "the supplier is missing: give the supplier's company code")
	} else if strings.ContainsAny(values[pcSupplier], " \t\r\n") {
		bad(pcSupplier, "no spaces allowed in a company code")
	}
	if values[pcSKU] == "" {
		bad(pcSKU, "the SKU is missing: every row needs one")
	}
	if values[pcPrice] != "" {
		number(pcPrice, bounds.Money, "the price")
	}
	if v := values[pcCurrency]; v != "" {
		if c, err := currency.ParseCode("currency", v); err != nil {
			bad(pcCurrency, "%s", strings.TrimPrefix(err.Error(), "currency: "))
		} else {
			values[pcCurrency] = c
		}
	}
	if values[pcMinQty] != "" {
		number(pcMinQty, bounds.Quantity, "the minimum quantity")
	}
	if v := values[pcSupplierSKU]; v != "" && (len(v) > 64 || strings.IndexFunc(v, unicode.IsControl) >= 0) {
		bad(pcSupplierSKU, "a supplier part number has at most 64 characters and no control characters")
	}
	if values[pcLeadDays] != "" {
		integer(pcLeadDays, math.MaxInt32, "lead time in days")
	}
	if v := values[pcPack]; v != "" {
		if looksNumber(v) {
			if d, err := bounds.Quantity.Parse(v); err != nil {
				bad(pcPack, "%v", err)
			} else if !d.IsPositive() {
				bad(pcPack, "a pack is a quantity above 0 or a pack unit of the product")
			} else {
				values[pcPack] = d.String()
			}
		} else if strings.ContainsAny(v, " \t\r\n") {
			bad(pcPack, "a pack is a quantity above 0 or a pack unit of the product (no spaces)")
		}
	}
	if values[pcPriority] != "" {
		integer(pcPriority, 9999, "priority (lower is preferred)")
	}
	if values[pcValidFrom] != "" {
		from = date(pcValidFrom)
	}
	if values[pcValidUntil] != "" {
		until = date(pcValidUntil)
	}
	if v := values[pcUnit]; v != "" && strings.ContainsAny(v, " \t\r\n") {
		bad(pcUnit, "a unit is a unit of the stock unit's category or a pack unit of the product (no spaces)")
	}
	if !from.IsZero() && !until.IsZero() && until.Before(from) {
		bad(pcValidUntil, "valid until is before valid from %s", values[pcValidFrom])
	}
	return errs
}

// ImportPrices creates or updates supplier prices from the rows r yields, in b's
// transaction, the way product import does (docs/csv-formats.md): the rows stream with COPY
// into a temporary staging table, every check that needs the database runs over the whole
// table at once, and one statement updates and one inserts. A row is keyed like supplier
// price add: supplier, sku, currency (empty: the supplier's), min_qty (empty: 1) and
// valid_from (empty: none). On an existing price an empty cell leaves the field as it is; a
// new price needs a price and takes supplier price add's defaults (priority 1, the part
// number the supplier's other prices of the product carry). Rejected rows go to
// opt.Rejects; with any and SkipInvalid off it returns csvio.ErrRowsInvalid and the caller
// rolls back.
func ImportPrices(ctx context.Context, b *db.Bulk, r *csvio.Reader, opt csvio.ImportOptions) (csvio.Result, error) {
	var res csvio.Result
	defs := make([]string, len(PriceCSVColumns))
	for i, c := range PriceCSVColumns {
		defs[i] = c + " text"
	}
	if _, err := b.ExecContext(ctx, `CREATE TEMP TABLE `+priceStaging+` (row_no int NOT NULL, `+strings.Join(defs, ", ")+
		`, perrs jsonb, errs jsonb, supplier_id bigint, product_id bigint, cur text, min numeric, pack_qty numeric,
		pack_unit text, price_id bigint, price_unit text, price_qty numeric) ON COMMIT DROP`); err != nil {
		return res, db.Classify(err)
	}
	src := pgcopy.NewStageSource(r, PriceCSVColumns, NormalizePriceCSVRow, opt.Progress)
	defer src.Close()
	if _, err := b.CopyBinary(ctx, priceStaging, src.Columns(PriceCSVColumns), src); err != nil {
		if src.Err() != nil {
			return res, src.Err()
		}
		return res, db.Classify(err)
	}
	if src.Err() != nil {
		return res, src.Err()
	}
	if err := resolveStagedPrices(ctx, b); err != nil {
		return res, err
	}
	if err := validateStagedPrices(ctx, b); err != nil {
		return res, err
	}
	rejected, err := rejectedPriceRows(ctx, b, opt)
	if err != nil {
		return res, err
	}
	res.Rejected = rejected
	if rejected > 0 && !opt.SkipInvalid {
		return res, csvio.ErrRowsInvalid
	}
	return mergeStagedPrices(ctx, b, res)
}

// resolveStagedPrices fills in, for the rows the reader accepted, what the codes name: the
// supplier and product ids, the key's currency (the supplier's when empty) and minimum (1
// when empty), the pack as a quantity (and pack unit when a unit of the product is named),
// and the existing price the row's key matches. One statement.
func resolveStagedPrices(ctx context.Context, b *db.Bulk) error {
	if _, err := b.ExecContext(ctx, `CREATE INDEX ON `+priceStaging+` (row_no); ANALYZE `+priceStaging); err != nil {
		return db.Classify(err)
	}
	_, err := b.ExecContext(ctx, `UPDATE `+priceStaging+` s SET supplier_id = c.id, product_id = p.id,
			cur = coalesce(s.currency, c.currency), min = coalesce(s.min_qty::numeric, 1),
			pack_qty = CASE WHEN s.pack ~ '^[0-9]*\.?[0-9]+$' THEN s.pack::numeric ELSE k.qty END,
			pack_unit = CASE WHEN s.pack ~ '^[0-9]*\.?[0-9]+$' THEN '' WHEN k.qty IS NOT NULL THEN k.code END,
			price_id = x.id,
			price_unit = CASE WHEN t.unit IS NULL THEN NULL WHEN t.unit = p.stock_uom THEN ''
			                  WHEN pk.qty IS NOT NULL OR pq.qty IS NOT NULL THEN t.unit END,
			price_qty = CASE WHEN t.unit IS NULL THEN NULL WHEN t.unit = p.stock_uom THEN 1 ELSE coalesce(pk.qty, pq.qty) END
		FROM `+priceStaging+` t
		LEFT JOIN companies c ON c.code = t.supplier
		LEFT JOIN products p ON p.sku = t.sku
		LEFT JOIN product_packs k ON k.product_id = p.id AND k.code = t.pack
		LEFT JOIN product_packs pk ON pk.product_id = p.id AND pk.code = t.unit
		LEFT JOIN uoms su ON su.code = p.stock_uom
		LEFT JOIN uoms pu ON pu.code = t.unit AND pu.category = su.category
		-- A unit of the category is ratio / stock ratio stock units, when that is exact.
		LEFT JOIN LATERAL (SELECT round(pu.ratio / su.ratio, 12) AS qty) q0 ON true
		LEFT JOIN LATERAL (SELECT q0.qty WHERE q0.qty > 0 AND q0.qty * su.ratio = pu.ratio) pq ON true
		LEFT JOIN supplier_prices x ON x.supplier_id = c.id AND x.product_id = p.id
		     AND x.currency = coalesce(t.currency, c.currency) AND x.min_qty = coalesce(t.min_qty::numeric, 1)
		     AND coalesce(x.valid_from, '-infinity'::date) = coalesce(t.valid_from::date, '-infinity'::date)
		WHERE s.row_no = t.row_no AND t.perrs IS NULL`)
	if err != nil {
		return fmt.Errorf("resolving the rows: %w", db.Classify(err))
	}
	return nil
}

// validateStagedPrices adds to each staged row's errs what only the database can tell, the
// checks AddPrices makes: the supplier (known, a supplier, active), the product (known,
// purchasable), the currency (known), the minimum and pack against the stock unit's
// decimals, a pack unit the product has, a price for a new row, and the same key twice in
// the file. One statement; rows the reader refused (perrs) are not checked further.
func validateStagedPrices(ctx context.Context, b *db.Bulk) error {
	_, err := b.ExecContext(ctx, `WITH r AS (
			SELECT s.*, c.code AS sup_code, c.is_supplier, c.active AS sup_active, p.purchasable, p.stock_uom, u.precision,
			       k.code IS NOT NULL AS cur_known,
			       min(s.row_no) OVER (PARTITION BY s.supplier_id, s.product_id, s.cur, s.min, s.valid_from) AS first
			FROM `+priceStaging+` s
			LEFT JOIN companies c ON c.id = s.supplier_id
			LEFT JOIN products p ON p.id = s.product_id
			LEFT JOIN uoms u ON u.code = p.stock_uom
			LEFT JOIN currencies k ON k.code = s.cur
			WHERE s.perrs IS NULL
		), found AS (
			SELECT r.row_no, v.col, v.value, v.reason FROM r
			CROSS JOIN LATERAL (VALUES
			  ('supplier', r.supplier_id IS NULL, r.supplier, 'unknown supplier: see stockctl company list --suppliers'),
			  ('supplier', r.supplier_id IS NOT NULL AND NOT r.is_supplier, r.supplier,
			   'company ' || r.sup_code || ' is not a supplier: make it one with stockctl company edit ' || r.sup_code || ' --supplier'),
			  ('supplier', r.supplier_id IS NOT NULL AND r.is_supplier AND NOT r.sup_active, r.supplier,
			   'supplier ' || r.sup_code || ' is inactive'),
			  ('sku', r.product_id IS NULL, r.sku,
			   'product does not exist (find it with stockctl product lookup or product list --search)'),
			  ('sku', r.product_id IS NOT NULL AND NOT r.purchasable, r.sku,
			   'product is not purchasable: make it so with stockctl product edit ' || r.sku || ' --purchasable'),
			  ('currency', r.supplier_id IS NOT NULL AND NOT r.cur_known, coalesce(r.currency, ''),
			   'unknown currency ' || r.cur || ': add it first with stockctl currency add ' || r.cur),
			  ('min_qty', r.product_id IS NOT NULL AND r.min <> round(r.min, r.precision), coalesce(r.min_qty, ''),
			   'more decimals than the unit ' || r.stock_uom || ' keeps (' || r.precision || ')'),
			  ('unit', r.product_id IS NOT NULL AND r.unit IS NOT NULL AND r.price_qty IS NULL, r.unit,
			   'not a pack unit of the product, nor a unit of the category of ' || r.stock_uom
			   || ' that is an exact number of ' || r.stock_uom || ': see stockctl uom list and product pack list ' || r.sku),
			  ('pack', r.product_id IS NOT NULL AND r.pack IS NOT NULL AND r.pack_qty IS NULL, r.pack,
			   'the product has no pack unit ' || r.pack || ': give a number of ' || r.stock_uom
			   || ' or add the pack with stockctl product pack add ' || r.sku || ' ' || r.pack || ' --qty N'),
			  ('pack', r.product_id IS NOT NULL AND r.pack_unit = '' AND r.pack_qty <> round(r.pack_qty, r.precision), r.pack,
			   'more decimals than the unit ' || r.stock_uom || ' keeps (' || r.precision || ')'),
			  ('price', r.product_id IS NOT NULL AND r.supplier_id IS NOT NULL AND r.price_id IS NULL AND r.price IS NULL, '',
			   'a new supplier price needs a price'),
			  ('min_qty', r.supplier_id IS NOT NULL AND r.product_id IS NOT NULL AND r.row_no <> r.first, coalesce(r.min_qty, ''),
			   'the same supplier, sku, currency, min_qty and valid_from are on row ' || r.first || ' too: a price appears once per file')
			) v (col, bad, value, reason)
			WHERE v.bad
		), agg AS (
			SELECT row_no, jsonb_agg(jsonb_build_object('row', row_no, 'column', col, 'value', coalesce(value, ''), 'reason', reason)
			       ORDER BY col) AS errs
			FROM found GROUP BY row_no
		)
		UPDATE `+priceStaging+` s SET errs = agg.errs FROM agg WHERE s.row_no = agg.row_no`)
	if err != nil {
		return fmt.Errorf("checking the rows: %w", db.Classify(err))
	}
	return nil
}

// rejectedPriceRows hands every row with errors to opt.Rejects, in row order, and counts them.
func rejectedPriceRows(ctx context.Context, b *db.Bulk, opt csvio.ImportOptions) (int64, error) {
	rows, err := b.QueryxContext(ctx, `SELECT row_no, `+strings.Join(PriceCSVColumns, ", ")+`,
		(coalesce(perrs, '[]') || coalesce(errs, '[]'))::text
		FROM `+priceStaging+` WHERE perrs IS NOT NULL OR errs IS NOT NULL ORDER BY row_no`)
	if err != nil {
		return 0, db.Classify(err)
	}
	defer rows.Close()
	n, err := csvio.ReadRejects(rows, len(PriceCSVColumns), opt.Rejects)
	return n, db.Classify(err)
}

// mergeStagedPrices writes the valid staged rows: one UPDATE of the existing prices where a
// given cell differs, one INSERT of the new ones; the counts come from what they returned.
func mergeStagedPrices(ctx context.Context, b *db.Bulk, res csvio.Result) (csvio.Result, error) {
	const ok = `s.perrs IS NULL AND s.errs IS NULL`
	var counts struct {
		Updated int64 `db:"updated"`
		Valid   int64 `db:"valid"`
	}
	err := sqlx.GetContext(ctx, b, &counts, `WITH u AS (
			UPDATE supplier_prices x SET price = coalesce(s.price::numeric, x.price),
				supplier_sku = coalesce(s.supplier_sku, x.supplier_sku), lead_days = coalesce(s.lead_days::int, x.lead_days),
				pack_qty = coalesce(s.pack_qty, x.pack_qty), pack_unit = coalesce(s.pack_unit, x.pack_unit),
				priority = coalesce(s.priority::int, x.priority), valid_until = coalesce(s.valid_until::date, x.valid_until),
				price_unit = coalesce(s.price_unit, x.price_unit), price_qty = coalesce(s.price_qty, x.price_qty)
			FROM `+priceStaging+` s
			WHERE `+ok+` AND x.id = s.price_id
			  AND (coalesce(s.price::numeric, x.price), coalesce(s.supplier_sku, x.supplier_sku),
			       coalesce(s.lead_days::int, x.lead_days), coalesce(s.pack_qty, x.pack_qty), coalesce(s.pack_unit, x.pack_unit),
			       coalesce(s.priority::int, x.priority), coalesce(s.valid_until::date, x.valid_until),
			       coalesce(s.price_unit, x.price_unit), coalesce(s.price_qty, x.price_qty))
			  IS DISTINCT FROM (x.price, x.supplier_sku, x.lead_days, x.pack_qty, x.pack_unit, x.priority, x.valid_until,
			       x.price_unit, x.price_qty)
			RETURNING x.id
		)
		SELECT count(*) AS updated,
		       (SELECT count(*) FROM `+priceStaging+` s WHERE `+ok+`) AS valid
		FROM u`)
	if err != nil {
		return res, db.Classify(err)
	}
	// New prices. A row without a part number takes the one another row of the file gives the
	// same supplier and product, else the one its stored prices carry (as supplier price add).
	var created int64
	err = sqlx.GetContext(ctx, b, &created, `WITH i AS (
			INSERT INTO supplier_prices (supplier_id, product_id, currency, min_qty, price, supplier_sku, lead_days,
				pack_qty, pack_unit, priority, valid_from, valid_until, price_unit, price_qty)
			SELECT s.supplier_id, s.product_id, s.cur, s.min, s.price::numeric,
				coalesce(s.supplier_sku,
					(SELECT t.supplier_sku FROM `+priceStaging+` t WHERE t.supplier_id = s.supplier_id AND t.product_id = s.product_id
					 AND t.supplier_sku IS NOT NULL AND t.perrs IS NULL AND t.errs IS NULL ORDER BY t.row_no LIMIT 1),
					(SELECT x.supplier_sku FROM supplier_prices x WHERE x.supplier_id = s.supplier_id AND x.product_id = s.product_id
					 AND x.supplier_sku <> '' ORDER BY x.updated_at DESC, x.id DESC LIMIT 1), ''),
				s.lead_days::int, s.pack_qty, coalesce(s.pack_unit, ''), coalesce(s.priority::int, $1), s.valid_from::date,
				s.valid_until::date, coalesce(s.price_unit, ''), coalesce(s.price_qty, 1)
			FROM `+priceStaging+` s
			WHERE `+ok+` AND s.price_id IS NULL
			ORDER BY s.row_no
			RETURNING id
		)
		SELECT count(*) FROM i`, DefaultPriority)
	if err != nil {
		return res, db.Classify(err)
	}
	res.Created, res.Updated = created, counts.Updated
	res.Unchanged = counts.Valid - created - counts.Updated
	return res, nil
}

// priceExportSQL reads supplier prices as CSV cells in the order of PriceCSVColumns: decimals
// as stored, the pack as its pack unit when it names one, else its quantity, and the unit the
// price is per (the stock unit's code for a price per stock unit).
const priceExportSQL = `SELECT c.code, p.sku, s.price::text, s.currency, s.min_qty::text, s.supplier_sku,
	coalesce(s.lead_days::text, ''),
	CASE WHEN s.pack_unit <> '' THEN s.pack_unit ELSE coalesce(s.pack_qty::text, '') END,
	s.priority::text, coalesce(to_char(s.valid_from, 'YYYY-MM-DD'), ''), coalesce(to_char(s.valid_until, 'YYYY-MM-DD'), ''),
	CASE WHEN s.price_unit = '' THEN p.stock_uom ELSE s.price_unit END
	FROM supplier_prices s
	JOIN companies c ON c.id = s.supplier_id
	JOIN products p ON p.id = s.product_id
	WHERE ($1::bigint IS NULL OR s.supplier_id = $1)
	ORDER BY c.code, p.sku, s.currency, s.min_qty, s.valid_from NULLS FIRST`

// ExportPrices writes the header and every supplier price (of one supplier when supplierCode
// is given) in supplier, SKU, currency, minimum and valid-from order, streaming from the
// database; it returns how many rows it wrote. The file imports back unchanged.
func ExportPrices(ctx context.Context, q sqlx.QueryerContext, supplierCode string, w *csvio.Writer) (int64, error) {
	var supID *int64
	if code := strings.TrimSpace(supplierCode); code != "" {
		var s struct {
			ID         int64 `db:"id"`
			IsSupplier bool  `db:"is_supplier"`
		}
		err := sqlx.GetContext(ctx, q, &s, `SELECT id, is_supplier FROM companies WHERE code = $1`, code)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return 0, fault.NotFoundf("unknown supplier %q: see stockctl company list --suppliers", code)
		case err != nil:
			return 0, db.Classify(err)
		case !s.IsSupplier:
			return 0, fault.Invalidf("SUPPLIER", "company %s is not a supplier", code)
		}
		supID = &s.ID
	}
	rows, err := q.QueryxContext(ctx, priceExportSQL, supID)
	if err != nil {
		return 0, db.Classify(err)
	}
	defer rows.Close()
	n, err := csvio.WriteRows(w, PriceCSVColumns, rows)
	return n, db.Classify(err)
}
