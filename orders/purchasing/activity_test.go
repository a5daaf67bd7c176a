package purchasing_test

import (
	"os"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/orders/purchasing"
)

func no() *bool { b := false; return &b }

// A product on an open purchase order (draft, ordered or partially received) cannot stop
// tracking stock (product_activity counts open PO lines, migration 00010); once the PO is
// cancelled it can.
func TestOpenPOKeepsStockTracking(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	po := newPO(t, conn, purchasing.NewPO{Supplier: "HOME", Location: "MAIN"}, purchasing.LineInput{SKU: "W", Qty: d("4"), Price: dp("3")})
	stop := func() error {
		return tx(t, conn, func(tx *sqlx.Tx) error {
			_, err := catalog.Edit(ctx, tx, "W", catalog.Changes{TrackStock: no()})
			return err
		})
	}
	var open int64
	if err := conn.Get(&open, `SELECT open_orders FROM product_activity v JOIN products p ON p.id = v.product_id WHERE p.sku = 'W'`); err != nil {
		t.Fatal(err)
	}
	if open != 1 {
		t.Fatalf("open_orders of W on a draft PO = %d, want 1", open)
	}
	err := stop()
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "1 open order lines") {
		t.Fatalf("draft PO: stop tracking gave %v", err)
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := purchasing.Order(ctx, tx, po.Number, datep("2026-06-01"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := stop(); !fault.Is(err, fault.Invalid) {
		t.Fatalf("ordered PO: stop tracking gave %v", err)
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := purchasing.Cancel(ctx, tx, po.Number)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatalf("cancelled PO: %v", err)
	}
}

// Migration 00010 goes down to 00009's product_activity (no PO lines) and up again.
func TestPOActivityMigrationDownAndUp(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	newPO(t, conn, purchasing.NewPO{Supplier: "HOME", Location: "MAIN"}, purchasing.LineInput{SKU: "W", Qty: d("4"), Price: dp("3")})
	p, err := goose.NewProvider(goose.DialectPostgres, conn.DB, os.DirFS("../../db/migrations"),
		goose.WithTableName("stockctl_schema_version"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		var n int
		if err := conn.Get(&n, `SELECT count(*) FROM product_activity v JOIN products p ON p.id = v.product_id
			WHERE p.sku = 'W' AND v.open_orders > 0`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var def string
	if err := conn.Get(&def, `SELECT pg_get_viewdef('product_activity'::regclass)`); err != nil {
		t.Fatal(err)
	}
	if count() != 1 || !strings.Contains(def, "po_lines") || !strings.Contains(def, "so_lines") {
		t.Fatalf("up: %d rows\n%s", count(), def)
	}
	if _, err := p.DownTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	if err := conn.Get(&def, `SELECT pg_get_viewdef('product_activity'::regclass)`); err != nil {
		t.Fatal(err)
	}
	if count() != 0 || strings.Contains(def, "po_lines") || !strings.Contains(def, "so_lines") {
		t.Fatalf("down: %d rows\n%s", count(), def)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if count() != 1 {
		t.Fatal("up again: the PO line is not counted")
	}
}
