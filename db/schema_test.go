package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
)

func TestSchemaNames(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"stockctl", "shop_2", "_x", strings.Repeat("a", 63)} {
		if err := db.CheckSchemaName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "public", "pg_catalog", "pg_temp", "information_schema", "Shop", "2shop",
		"shop-2", "a;drop", `a"b`, strings.Repeat("a", 64)} {
		if err := db.CheckSchemaName(bad); fault.KindOf(err) != fault.Usage {
			t.Errorf("%q accepted or not a usage error: %v", bad, err)
		}
	}
	if name, from, err := db.ResolveSchema("shop"); name != "shop" || from != "--schema" || err != nil {
		t.Fatalf("flag: %s %s %v", name, from, err)
	}
}

// Not parallel: it sets STOCKCTL_SCHEMA for the process.
func TestResolveSchemaFromEnvironment(t *testing.T) {
	t.Setenv("STOCKCTL_SCHEMA", "")
	if name, from, _ := db.ResolveSchema(""); name != db.DefaultSchema || from != "default" {
		t.Fatalf("default: %s %s", name, from)
	}
	t.Setenv("STOCKCTL_SCHEMA", "north")
	if name, from, _ := db.ResolveSchema(""); name != "north" || from != "STOCKCTL_SCHEMA" {
		t.Fatalf("environment: %s %s", name, from)
	}
	if name, _, _ := db.ResolveSchema("south"); name != "south" {
		t.Fatalf("the flag wins: %s", name)
	}
	t.Setenv("STOCKCTL_SCHEMA", "Public")
	if _, _, err := db.ResolveSchema(""); err == nil || !strings.Contains(err.Error(), "STOCKCTL_SCHEMA") {
		t.Fatalf("a bad STOCKCTL_SCHEMA is named: %v", err)
	}
}

// The connection's search_path is the schema alone, even when the URL asks for another.
func TestConnectionWorksInItsSchemaOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.NewURL(t)
	d, err := db.Open(ctx, url+"&options=-csearch_path%3Dpublic", db.Session{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var path string
	if err := d.Get(&path, `SHOW search_path`); err != nil || path != "stockctl" {
		t.Fatalf("search_path %q, %v", path, err)
	}
	if s, err := db.SchemaOf(ctx, d.DB); s != "stockctl" || err != nil {
		t.Fatalf("SchemaOf: %q %v", s, err)
	}
	raw, err := sqlx.Open("pgx", strings.Replace(url, "search_path=stockctl", "search_path=public", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := db.Migrate(ctx, raw.DB); err == nil || !strings.Contains(err.Error(), "search_path") {
		t.Fatalf("a connection not opened by db.Open is refused before anything is created: %v", err)
	}
}

// Functions find stockctl's tables whatever the calling session's search_path: a change
// typed in psql (search_path public) fires the triggers as a stockctl command would.
func TestFunctionsPinnedToTheirSchema(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	raw, err := sqlx.Open("pgx", strings.Replace(url, "search_path=stockctl", "search_path=public", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var unpinned []string
	if err := raw.Select(&unpinned, `SELECT p.proname FROM pg_proc p
		WHERE p.pronamespace = 'stockctl'::regnamespace AND p.proname <> 'stockctl_actor'
		  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=stockctl%')`); err != nil {
		t.Fatal(err)
	}
	if len(unpinned) > 0 {
		t.Fatalf("functions without SET search_path FROM CURRENT: %v", unpinned)
	}
	// products_keep_system reads no table, stamp_update calls stockctl_actor(): both must run.
	if _, err := raw.Exec(`UPDATE stockctl.settings SET value = '4001' WHERE key = 'gl_sales'`); err != nil {
		t.Fatalf("stamp trigger from a public session: %v", err)
	}
	_, err = raw.Exec(`DELETE FROM stockctl.products WHERE sku = 'FREIGHT'`)
	if err == nil || !strings.Contains(err.Error(), "FREIGHT") {
		t.Fatalf("the system product guard fires from a public session: %v", err)
	}
	// A formula price reads settings and currencies from inside a trigger.
	if _, err := raw.Exec(`UPDATE stockctl.products SET price_formula = 'markup', price_pct = 50, cost_price = 10 WHERE sku = 'SERVICE'`); err != nil {
		t.Fatalf("formula trigger from a public session: %v", err)
	}
	var sell string
	if err := raw.Get(&sell, `SELECT sell_price::text FROM stockctl.products WHERE sku = 'SERVICE'`); err != nil || sell != "15.00" {
		t.Fatalf("10 + 50 %% = 15.00, got %q (%v)", sell, err)
	}
}
