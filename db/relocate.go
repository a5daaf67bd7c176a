package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/stockctl/stockctl/fault"
)

// Until migration 13, stockctl kept its objects in the public schema. The first migrate of
// the default schema moves them, with every row, into their own schema: only the objects
// those migrations made (by name, and only those of migrations the database had applied),
// so anything else in public (another application's tables) stays where it is.

// legacyObject is one object a migration of the public-schema era created.
type legacyObject struct {
	version int64  // the migration that created it
	kind    string // TABLE, VIEW, SEQUENCE or FUNCTION, as ALTER ... SET SCHEMA spells it
	name    string // for functions, with the argument types
}

// legacyObjects are the objects of migrations 1 to 13, as they stood then. The version
// table comes first, so a half-done move cannot exist (it runs in one transaction anyway).
var legacyObjects = func() []legacyObject {
	var out []legacyObject
	add := func(v int64, kind string, names ...string) {
		for _, n := range names {
			out = append(out, legacyObject{v, kind, n})
		}
	}
	add(0, "TABLE", migrationTable)
	add(1, "FUNCTION", "stockctl_actor()", "stamp_update()")
	add(1, "TABLE", "settings", "currencies", "exchange_rates", "sales_regions", "price_types", "companies")
	add(1, "VIEW", "documents")
	add(2, "TABLE", "uom_categories", "uoms")
	add(2, "FUNCTION", "uom_categories_reference_ratio()", "uoms_reference_ratio()")
	add(3, "TABLE", "products", "product_packs", "product_barcodes", "product_features", "product_attributes",
		"product_attribute_values", "product_variant_values", "product_option_groups", "product_options", "product_bom")
	add(3, "FUNCTION", "products_keep_system()")
	add(3, "VIEW", "product_activity", "product_codes")
	add(4, "TABLE", "locations", "bays", "stock_levels", "batches", "serials", "stock_moves", "stock_balances",
		"stock_quants", "product_costs", "posting_refs", "transfers", "transfer_lines")
	add(4, "FUNCTION", "stock_moves_append_only()")
	add(4, "SEQUENCE", "transfer_numbers")
	add(5, "FUNCTION", "pricing_formula_price(text, numeric, numeric, numeric)", "pricing_apply_formula()",
		"price_breaks_sell_price_row()", "pricing_default_type_changed()", "price_types_keep_default()")
	add(5, "TABLE", "price_breaks", "special_prices")
	add(5, "VIEW", "product_price_breaks")
	add(6, "SEQUENCE", "stocktake_numbers")
	add(6, "TABLE", "stocktakes", "stocktake_products", "stocktake_lines")
	add(6, "FUNCTION", "stocktake_frozen()")
	add(7, "TABLE", "supplier_prices", "rfqs", "rfq_lines", "purchase_orders", "po_lines", "po_receipts",
		"po_receipt_lines", "stock_revaluations", "landed_costs", "landed_cost_shares", "document_templates")
	add(7, "SEQUENCE", "rfq_numbers", "po_numbers")
	add(7, "FUNCTION", "stock_revaluations_append_only()")
	add(9, "SEQUENCE", "so_numbers", "shipment_numbers", "invoice_numbers", "wo_numbers")
	add(9, "TABLE", "sales_orders", "so_lines", "shipments", "shipment_lines", "invoices", "invoice_lines", "work_orders")
	add(9, "FUNCTION", "invoices_immutable()")
	add(11, "TABLE", "time_products", "time_entries", "training_sessions", "training_registrations")
	add(11, "FUNCTION", "time_entries_frozen()", "training_seats()")
	add(13, "TABLE", "product_variants")
	return out
}()

// lastLegacyVersion is the last migration made in the public schema.
const lastLegacyVersion = 13

// relocateLock serialises schema preparation across processes (a session-level advisory
// lock is goose's; this one is taken per transaction).
const relocateLock = 727014

// queryRower is what both *sql.DB and *sql.Tx offer for one-row reads.
type queryRower interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// legacyVersion is the version of a stockctl schema left in public, or 0 when there is none.
func legacyVersion(ctx context.Context, q queryRower) (int64, error) {
	var there bool
	if err := q.QueryRowContext(ctx, `SELECT to_regclass('public.`+migrationTable+`') IS NOT NULL`).Scan(&there); err != nil || !there {
		return 0, Classify(err)
	}
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT max(version_id) FROM public.`+migrationTable).Scan(&v)
	return v.Int64, Classify(err)
}

// prepareSchema makes sure the schema exists, and moves a public-schema stockctl into it
// when it is the default schema and has no version table of its own yet. It runs in one
// transaction under an advisory lock, so two processes never both move, and a failure
// leaves public as it was.
func prepareSchema(ctx context.Context, d *sql.DB, schema string) error {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return Classify(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, relocateLock); err != nil {
		return Classify(err)
	}
	var exists, versioned bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1),
		to_regclass(format('%I.%I', $1::text, $2::text)) IS NOT NULL`, schema, migrationTable).Scan(&exists, &versioned); err != nil {
		return Classify(err)
	}
	if !exists {
		// Only when missing: CREATE SCHEMA IF NOT EXISTS would still need the right to create
		// schemas, which a user given a ready schema may not have.
		if _, err := tx.ExecContext(ctx, `CREATE SCHEMA `+quoteSchema(schema)); err != nil {
			return fault.Wrap(fault.Unavailable, Classify(err), "creating schema %s (ask the database's owner to create it for you, or to GRANT CREATE ON DATABASE)", schema)
		}
	}
	if !versioned && schema == DefaultSchema {
		legacy, err := legacyVersion(ctx, tx)
		if err != nil {
			return err
		}
		if legacy > 0 {
			if err := relocate(ctx, tx, schema, legacy); err != nil {
				return err
			}
		}
	}
	return Classify(tx.Commit())
}

// relocate moves the objects migrations up to version made in public into schema.
// ALTER ... SET SCHEMA keeps every row, index, constraint, trigger and owned sequence, and
// views and defaults refer to what they use by identity, so they follow; function bodies
// find their tables through the search_path, which is the schema on every stockctl
// connection (migration 14 pins it on the functions themselves).
func relocate(ctx context.Context, tx *sql.Tx, schema string, version int64) error {
	if version > lastLegacyVersion {
		return fault.Unavailablef("public holds a stockctl schema at version %d, but stockctl moved out of public at version %d: move it by hand or ask for help", version, lastLegacyVersion)
	}
	for _, o := range legacyObjects {
		if o.version > version {
			continue
		}
		var present bool
		check := `SELECT to_regclass($1) IS NOT NULL`
		if o.kind == "FUNCTION" {
			check = `SELECT to_regprocedure($1) IS NOT NULL`
		}
		if err := tx.QueryRowContext(ctx, check, "public."+o.name).Scan(&present); err != nil {
			return Classify(err)
		}
		if !present {
			continue
		}
		stmt := fmt.Sprintf(`ALTER %s public.%s SET SCHEMA %s`, o.kind, o.name, quoteSchema(schema))
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fault.Wrap(fault.Unavailable, Classify(err), "moving %s %s from public into schema %s", strings.ToLower(o.kind), o.name, schema)
		}
	}
	return nil
}
