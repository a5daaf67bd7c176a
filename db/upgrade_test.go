package db_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/demo"
	"github.com/stockctl/stockctl/inventory/stock"
)

// A database from before stockctl had a schema of its own (migrations 1-13 in public, the
// demo business in it, and an application's own table beside it) is upgraded by migrate:
// every table's rows arrive unchanged in schema stockctl, public keeps only what is not
// stockctl's, and the books still check.
func TestUpgradeMovesPublicSchemaWithEveryRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.NewBlankURL(t)

	// The demo business, loaded by today's code into today's schema, to copy from.
	cur, err := db.Open(ctx, url, db.Session{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	if _, err := db.Migrate(ctx, cur.DB); err != nil {
		t.Fatal(err)
	}
	if err := db.InTx(ctx, cur, func(tx *sqlx.Tx) error { _, err := demo.Load(ctx, tx); return err }); err != nil {
		t.Fatal(err)
	}

	// The database as version 13 left it: its schema in public, with the same rows.
	pub, err := sqlx.Open("pgx", url+"&search_path=public")
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if err := db.MigrateLegacy(ctx, pub.DB, db.LastLegacyVersion); err != nil {
		t.Fatal(err)
	}
	mustExec(t, pub, `CREATE TABLE public.users (id int PRIMARY KEY, name text NOT NULL);
		INSERT INTO public.users VALUES (1, 'ann'), (2, 'bob')`)
	tables := copyInto(t, pub, "stockctl", "public")
	if len(tables) < 50 {
		t.Fatalf("only %d tables copied", len(tables))
	}
	// Version 13 numbered documents from sequences; today's counters say where they stood.
	var counters string
	if err := pub.Get(&counters, `SELECT string_agg(kind || '=' || last, ',' ORDER BY kind) FROM stockctl.document_counters`); err != nil {
		t.Fatal(err)
	}
	mustExec(t, pub, `SELECT setval('public.' || s.seq, c.last) FROM stockctl.document_counters c
		JOIN (VALUES ('so', 'so_numbers'), ('po', 'po_numbers'), ('rfq', 'rfq_numbers'), ('wo', 'wo_numbers'),
		             ('st', 'stocktake_numbers'), ('tr', 'transfer_numbers'), ('inv', 'invoice_numbers'),
		             ('sh', 'shipment_numbers')) AS s (kind, seq) ON s.kind = c.kind
		WHERE c.last > 0`)
	cols := map[string][]string{}
	for _, tbl := range tables {
		cols[tbl] = commonColumns(t, pub, "public", "public", tbl)
	}
	before := fingerprints(t, pub, "public", cols)
	seqs := sequenceStates(t, pub, "public")
	mustExec(t, pub, `DROP SCHEMA stockctl CASCADE`)
	cur.Close()

	up, err := db.Open(ctx, url, db.Session{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	v, err := db.SchemaVersion(ctx, up.DB)
	if err != nil || !v.Legacy || v.Current != db.LastLegacyVersion {
		t.Fatalf("a public-schema stockctl is seen at version %d: %+v, %v", db.LastLegacyVersion, v, err)
	}
	if err := db.CheckSchema(ctx, up.DB, "the test database"); err == nil || !strings.Contains(err.Error(), "schema public") || !strings.Contains(err.Error(), "db migrate") {
		t.Fatalf("an old layout is refused until migrated, saying why: %v", err)
	}
	if _, err := db.Migrate(ctx, up.DB); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx, up.DB, "the test database"); err != nil {
		t.Fatalf("after migrate the schema is current: %v", err)
	}

	after := fingerprints(t, pub, "stockctl", cols)
	for _, tbl := range tables {
		if before[tbl] != after[tbl] {
			t.Errorf("table %s changed in the move:\n before %s\n after  %s", tbl, before[tbl], after[tbl])
		}
	}
	delete(seqs, "stockctl_schema_version_id_seq") // migrate records its versions: that one moves on
	// The number sequences became counters that carry on where they stopped.
	var upgraded string
	if err := pub.Get(&upgraded, `SELECT string_agg(kind || '=' || last, ',' ORDER BY kind) FROM stockctl.document_counters`); err != nil || upgraded != counters {
		t.Errorf("document counters after the upgrade %q, before %q (%v)", upgraded, counters, err)
	}
	for name, state := range seqs {
		var now string
		if err := pub.Get(&now, `SELECT last_value || '/' || is_called FROM stockctl.`+name); err != nil {
			continue // a number sequence a later migration replaced; its counters are checked by their own tests
		}
		if now != state {
			t.Errorf("sequence %s was %s, is %s", name, state, now)
		}
	}
	// Nothing of stockctl's is left in public; the application's table is as it was.
	var left []string
	if err := pub.Select(&left, `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'v', 'S')
		UNION ALL SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(left, []string{"users"}) {
		t.Fatalf("public holds %v, want only the application's users table", left)
	}
	var users string
	if err := pub.Get(&users, `SELECT string_agg(id || '=' || name, ',' ORDER BY id) FROM public.users`); err != nil || users != "1=ann,2=bob" {
		t.Fatalf("users: %q, %v", users, err)
	}
	if vs, err := stock.Check(ctx, up); err != nil || len(vs) != 0 {
		t.Fatalf("stock check after the move: %v, %v", vs, err)
	}
	// The list of objects moved is exactly what migrations 1-13 made: nothing missed, so
	// nothing of stockctl's could stay behind in public on a real upgrade.
	var made []string
	if err := pub.Select(&made, `SELECT CASE c.relkind WHEN 'r' THEN 'TABLE ' WHEN 'v' THEN 'VIEW ' ELSE 'SEQUENCE ' END || c.relname
		FROM pg_class c WHERE c.relnamespace = 'stockctl'::regnamespace AND c.relkind IN ('r', 'v', 'S')
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))`); err != nil {
		t.Fatal(err)
	}
	legacy := db.LegacyObjectNames()
	for _, m := range made {
		if !slices.Contains(legacy, m) && !slices.Contains(newSince13, m) {
			t.Errorf("%s is in the schema but neither moved by the upgrade nor listed as made after version 13", m)
		}
	}
}

// newSince13 are the objects migrations after 13 add; they are made in the schema itself,
// never in public, so the upgrade has nothing to move for them.
var newSince13 = []string{"TABLE document_counters", "TABLE history", "VIEW product_untracked_lines", "TABLE po_line_demands", "TABLE product_option_components"}

func mustExec(t *testing.T, d sqlx.Execer, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// copyInto copies every row of each table of schema to that is also in schema from, over
// the columns both have, parents before children, with the tables' own triggers off (they
// would count seats twice or refuse lines of posted stocktakes). It returns the tables.
func copyInto(t *testing.T, d *sqlx.DB, from, to string) []string {
	t.Helper()
	var tables []string
	if err := d.Select(&tables, `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'stockctl_schema_version'
		AND tablename IN (SELECT tablename FROM pg_tables WHERE schemaname = $2) ORDER BY 1`, to, from); err != nil {
		t.Fatal(err)
	}
	var edges []struct{ Child, Parent string }
	if err := d.Select(&edges, `SELECT cl.relname AS child, pa.relname AS parent FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class pa ON pa.oid = c.confrelid
		WHERE c.contype = 'f' AND c.connamespace = $1::regnamespace AND c.conrelid <> c.confrelid`, to); err != nil {
		t.Fatal(err)
	}
	parents := map[string][]string{}
	for _, e := range edges {
		parents[e.Child] = append(parents[e.Child], e.Parent)
	}
	var order []string
	done := map[string]bool{}
	var visit func(string)
	visit = func(tbl string) {
		if done[tbl] {
			return
		}
		done[tbl] = true
		for _, p := range parents[tbl] {
			visit(p)
		}
		order = append(order, tbl)
	}
	for _, tbl := range tables {
		visit(tbl)
	}
	tx, err := d.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	// Units and their categories refer to each other: checked at commit.
	mustExec(t, tx, `SET CONSTRAINTS ALL DEFERRED`)
	// The migrations' own rows (settings, USD, units, system products) come from the copy too.
	mustExec(t, tx, `TRUNCATE `+to+`.`+strings.Join(tables, ", "+to+".")+` CASCADE`)
	for _, tbl := range tables {
		mustExec(t, tx, `ALTER TABLE `+to+`.`+tbl+` DISABLE TRIGGER USER`)
	}
	for _, tbl := range order {
		if !slices.Contains(tables, tbl) {
			continue
		}
		cols := commonColumns(t, d, from, to, tbl)
		list := strings.Join(cols, ", ")
		mustExec(t, tx, `INSERT INTO `+to+`.`+tbl+` (`+list+`) OVERRIDING SYSTEM VALUE SELECT `+list+` FROM `+from+`.`+tbl)
	}
	mustExec(t, tx, `SET CONSTRAINTS ALL IMMEDIATE`)
	for _, tbl := range tables {
		mustExec(t, tx, `ALTER TABLE `+to+`.`+tbl+` ENABLE TRIGGER USER`)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Identity sequences continue after the copied ids; number sequences where they stood.
	mustExec(t, d, `SELECT setval(pg_get_serial_sequence(format('%I.%I', $1::text, c.table_name), c.column_name),
			greatest(1, (xpath('/row/m/text()', query_to_xml(format('SELECT max(%I) AS m FROM %I.%I', c.column_name, $1::text, c.table_name), false, true, '')))[1]::text::bigint))
		FROM information_schema.columns c WHERE c.table_schema = $1 AND c.is_identity = 'YES'`, to)
	var seqs []string
	if err := d.Select(&seqs, `SELECT a.relname FROM pg_class a JOIN pg_class b ON b.relname = a.relname
		WHERE a.relkind = 'S' AND b.relkind = 'S' AND a.relnamespace = $1::regnamespace AND b.relnamespace = $2::regnamespace
		  AND a.relname LIKE '%\_numbers'`, to, from); err != nil {
		t.Fatal(err)
	}
	for _, s := range seqs {
		mustExec(t, d, `SELECT setval('`+to+`.`+s+`', last_value, is_called) FROM `+from+`.`+s)
	}
	return tables
}

func commonColumns(t *testing.T, d *sqlx.DB, from, to, table string) []string {
	t.Helper()
	var cols []string
	if err := d.Select(&cols, `SELECT quote_ident(a.column_name) FROM information_schema.columns a
		JOIN information_schema.columns b ON b.table_schema = $2 AND b.table_name = a.table_name AND b.column_name = a.column_name
		WHERE a.table_schema = $1 AND a.table_name = $3 AND a.is_generated = 'NEVER' ORDER BY a.ordinal_position`, to, from, table); err != nil {
		t.Fatal(err)
	}
	return cols
}

// fingerprints are each table's row count and a digest of its rows, over the columns the
// public-schema era had (cols), so columns later migrations add do not count as a change.
func fingerprints(t *testing.T, d *sqlx.DB, schema string, cols map[string][]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for tbl, c := range cols {
		c = slices.Clone(c)
		sort.Strings(c)
		var fp string
		if err := d.Get(&fp, `SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, E'\n' ORDER BY r::text)), '')
			FROM (SELECT `+strings.Join(c, ", ")+` FROM `+schema+`.`+tbl+`) r`); err != nil {
			t.Fatal(err)
		}
		out[tbl] = fp
	}
	return out
}

func sequenceStates(t *testing.T, d *sqlx.DB, schema string) map[string]string {
	t.Helper()
	var names []string
	if err := d.Select(&names, `SELECT relname FROM pg_class WHERE relkind = 'S' AND relnamespace = $1::regnamespace`, schema); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range names {
		var s string
		if err := d.Get(&s, `SELECT last_value || '/' || is_called FROM `+schema+`.`+n); err != nil {
			t.Fatal(err)
		}
		out[n] = s
	}
	return out
}
