package sales_test

import (
	"os"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/stockctl/stockctl/db/dbtest"
)

// The sales migration goes down and up again cleanly and extends the documents view in
// place: the branches earlier migrations added survive both ways.
func TestSalesMigrationDownAndUp(t *testing.T) {
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
	for _, want := range []string{"transfers", "stocktakes", "purchase_orders", "sales_orders", "invoices", "work_orders", "shipments"} {
		if !strings.Contains(before, want) {
			t.Fatalf("documents view lacks %s:\n%s", want, before)
		}
	}
	if !strings.Contains(viewdef("product_activity"), "so_lines") {
		t.Fatal("product_activity does not count sales order lines")
	}
	if _, err := p.DownTo(ctx, 8); err != nil {
		t.Fatal(err)
	}
	after := viewdef("documents")
	if strings.Contains(after, "sales_orders") || strings.Contains(after, "invoices") || !strings.Contains(after, "purchase_orders") || !strings.Contains(after, "stocktakes") {
		t.Fatalf("documents view after down:\n%s", after)
	}
	if strings.Contains(viewdef("product_activity"), "so_lines") {
		t.Fatal("product_activity still reads so_lines")
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got := viewdef("documents"); got != before {
		t.Fatalf("documents view after up:\n%s\nwas:\n%s", got, before)
	}
}
