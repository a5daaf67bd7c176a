// Package history reads and prunes the change history of master data that the database's
// triggers record (migration 00019): who changed which column of which row, when, from what
// to what.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Change is one column of one recorded change. A change of three columns of a row is three
// Changes with the same ID. Old and New are the values as text, exactly as stored (a price
// keeps its scale: 12.50 stays 12.50); nil where there was no value: Old of an insert, New of
// a delete, or a column that was null.
type Change struct {
	ID     int64     `db:"id" json:"id" print:"wide"`
	At     time.Time `db:"at" json:"at"`
	Actor  string    `db:"actor" json:"actor"`
	Table  string    `db:"table_name" json:"table"`
	Key    string    `db:"key" json:"key"`
	Row    string    `db:"row_key" json:"row" print:"wide"`
	Op     string    `db:"op" json:"op"`
	Column string    `db:"column" json:"column"`
	Old    *string   `db:"old" json:"old"`
	New    *string   `db:"new" json:"new"`
}

// Filter selects changes; the zero Filter selects all of them.
type Filter struct {
	ProductID *int64     // rows of one product: the product, its packs, bill of materials and prices
	CompanyID *int64     // rows of one company: the company, its special and supplier prices
	Table     string     // rows of one table
	Key       string     // with Table: the row whose key (or, for settings, whose name) this is
	Since     *time.Time // at or after
	Before    *time.Time // before
	Actor     string     // made by this actor
}

// Each calls fn for every change the filter selects, oldest first, as they are read: a
// history of a million-row import is printed without holding it.
func Each(ctx context.Context, q sqlx.QueryerContext, f Filter, fn func(*Change) error) error {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.ProductID != nil {
		where = append(where, "h.product_id = "+arg(*f.ProductID))
	}
	if f.CompanyID != nil {
		where = append(where, "h.company_id = "+arg(*f.CompanyID))
	}
	if f.Table != "" {
		where = append(where, "h.table_name = "+arg(f.Table))
	}
	if f.Key != "" {
		where = append(where, "h.row_key = jsonb_build_object('key', "+arg(f.Key)+"::text)")
	}
	if f.Since != nil {
		where = append(where, "h.at >= "+arg(*f.Since))
	}
	if f.Before != nil {
		where = append(where, "h.at < "+arg(*f.Before))
	}
	if f.Actor != "" {
		where = append(where, "h.actor = "+arg(f.Actor))
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	// The key shown is what a person names the row by: the product's SKU for a row of a
	// product, the company's code for a row of a company, else the row's primary key. A
	// deleted product or company is named by the SKU or code its delete recorded.
	rows, err := q.QueryxContext(ctx, `
		SELECT h.id, h.at, h.actor, h.table_name, h.op, c.key AS column,
		       `+named("c.value ->> 0")+` AS old, `+named("c.value ->> 1")+` AS new,
		       (SELECT string_agg(v #>> '{}', '/') FROM jsonb_each(h.row_key) AS e(k, v)) AS row_key,
		       coalesce(
		         CASE WHEN h.product_id IS NOT NULL THEN coalesce(
		           (SELECT sku FROM products WHERE id = h.product_id),
		           (SELECT d.changes -> 'sku' ->> 0 FROM history d
		             WHERE d.table_name = 'products' AND d.op = 'delete' AND d.product_id = h.product_id LIMIT 1)) END,
		         CASE WHEN h.company_id IS NOT NULL THEN coalesce(
		           (SELECT code FROM companies WHERE id = h.company_id),
		           (SELECT d.changes -> 'code' ->> 0 FROM history d
		             WHERE d.table_name = 'companies' AND d.op = 'delete' AND d.company_id = h.company_id LIMIT 1)) END,
		         (SELECT string_agg(v #>> '{}', '/') FROM jsonb_each(h.row_key) AS e(k, v))) AS key
		FROM history h CROSS JOIN LATERAL jsonb_each(h.changes) AS c
		`+cond+`
		-- A row's product is its key already; its product_id is shown only when it changed.
		`+andOrWhere(cond)+` NOT (c.key = 'product_id' AND h.product_id IS NOT NULL AND h.op <> 'update')
		ORDER BY h.id, c.key`, args...)
	if err != nil {
		return db.Classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Change
		if err := rows.StructScan(&c); err != nil {
			return db.Classify(err)
		}
		c.At = c.At.UTC()
		if err := fn(&c); err != nil {
			return err
		}
	}
	return db.Classify(rows.Err())
}

func andOrWhere(cond string) string {
	if cond == "" {
		return "WHERE"
	}
	return "AND"
}

// named gives the SQL that shows a recorded value: a reference to a product, company,
// location or pack by the code people know it by (its id means nothing to them), else the
// value itself. A reference to a row since deleted shows its id.
func named(v string) string {
	ref := func(sql string) string { return "coalesce((" + sql + " = (" + v + ")::bigint), " + v + ")" }
	return `CASE
		WHEN c.key IN ('product_id', 'component_id', 'template_id', 'variant_id', 'replaces_id') THEN ` + ref("SELECT sku FROM products WHERE id") + `
		WHEN c.key = 'option_id' THEN ` + ref("SELECT g.name || '=' || o.value FROM product_options o JOIN product_option_groups g ON g.id = o.group_id WHERE o.id") + `
		WHEN c.key IN ('customer_id', 'supplier_id', 'manufacturer_id') THEN ` + ref("SELECT code FROM companies WHERE id") + `
		WHEN c.key = 'location_id' THEN ` + ref("SELECT code FROM locations WHERE id") + `
		WHEN c.key = 'pack_id' THEN ` + ref("SELECT code FROM product_packs WHERE id") + `
		ELSE ` + v + ` END`
}

// ProductID finds the product a SKU names for its history: the product, or one that was
// deleted under that SKU (its history outlives it).
func ProductID(ctx context.Context, q sqlx.QueryerContext, sku string) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, `
		SELECT id FROM products WHERE sku = $1
		UNION ALL
		(SELECT product_id FROM history WHERE table_name = 'products' AND op = 'delete' AND changes -> 'sku' ->> 0 = $1
		 ORDER BY id DESC LIMIT 1)
		LIMIT 1`, sku)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.NotFoundf("product %s does not exist and has no history (see stockctl product list)", sku)
	}
	return id, db.Classify(err)
}

// CompanyID finds the company a code names for its history, as ProductID does a product.
func CompanyID(ctx context.Context, q sqlx.QueryerContext, code string) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, `
		SELECT id FROM companies WHERE code = $1
		UNION ALL
		(SELECT company_id FROM history WHERE table_name = 'companies' AND op = 'delete' AND changes -> 'code' ->> 0 = $1
		 ORDER BY id DESC LIMIT 1)
		LIMIT 1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.NotFoundf("company %s does not exist and has no history (see stockctl company list)", code)
	}
	return id, db.Classify(err)
}

// Prune removes the changes recorded before a moment and says how many went.
func Prune(ctx context.Context, q sqlx.ExecerContext, before time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM history WHERE at < $1`, before)
	if err != nil {
		return 0, db.Classify(err)
	}
	return res.RowsAffected()
}
