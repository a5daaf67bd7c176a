package purchasing_test

import (
	"os"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/stockctl/stockctl/db/dbtest"
)

// The purchasing migration goes down and up again cleanly, and extends the documents view
// in place: the branches other migrations added (transfers, stocktakes) survive both ways.
func TestPurchasingMigrationDownAndUp(t *testing.T) {
	t.Parallel()
	conn, _ := dbtest.New(t)
	p, err := goose.NewProvider(goose.DialectPostgres, conn.DB, os.DirFS("../../db/migrations"),
		goose.WithTableName("stockctl_schema_version"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	viewdef := func(view string) string {
		t.Helper()
		var def string
		if err := conn.Get(&def, `SELECT pg_get_viewdef($1::regclass)`, view); err != nil {
			t.Fatal(err)
		}
		return def
	}
	before := viewdef("documents")
	for _, want := range []string{"transfers", "purchase_orders", "rfqs"} {
		if !strings.Contains(before, want) {
			t.Fatalf("documents view lacks %s:\n%s", want, before)
		}
	}
	if _, err := p.DownTo(ctx, 6); err != nil {
		t.Fatal(err)
	}
	after := viewdef("documents")
	if strings.Contains(after, "purchase_orders") || strings.Contains(after, "rfqs") || !strings.Contains(after, "transfers") {
		t.Fatalf("documents view after down:\n%s", after)
	}
	if strings.Contains(before, "stocktakes") != strings.Contains(after, "stocktakes") {
		t.Fatalf("the stocktake branch was lost:\n%s", after)
	}
	if strings.Contains(viewdef("product_codes"), "supplier") {
		t.Fatal("product_codes still lists supplier part numbers")
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got := viewdef("documents"); got != before {
		t.Fatalf("documents view after up:\n%s\nwas:\n%s", got, before)
	}
}
