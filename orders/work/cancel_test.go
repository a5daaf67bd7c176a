package work_test

import (
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/orders/sales"
	"github.com/stockctl/stockctl/orders/work"
)

// wouldGenerate is wo generate as a dry run: what it would build, rolled back.
func wouldGenerate(t *testing.T, conn *sqlx.DB) string {
	t.Helper()
	x, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = x.Rollback() }()
	gs, err := work.Generate(ctx, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range gs {
		out = append(out, fmt.Sprintf("%s/%d %s backordered %s covered %s build %s", g.SO, g.Line, g.SKU, g.Backordered, g.Covered, g.Qty))
	}
	return fmt.Sprint(out)
}

func balances(t *testing.T, conn *sqlx.DB) string {
	t.Helper()
	var out []string
	if err := conn.Select(&out, `SELECT concat_ws('|', p.sku, b.on_hand, b.allocated) FROM stock_balances b
		JOIN products p ON p.id = b.product_id ORDER BY p.sku`); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(out)
}

// An open work order made for a backorder is cancelled: the backorder is uncovered again
// (wo generate would build it as before the work order), the stock is untouched. A
// partially completed one is closed at what it built: the line keeps that unit and wo
// generate builds only the rest.
func TestCancelWOAsIfNeverMade(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	so := order(t, conn, sales.LineInput{SKU: "TABLE", Qty: d("2")})
	// 2 TABLE backordered, nothing covers them: build 2.
	before, beforeStock := wouldGenerate(t, conn), balances(t, conn)
	if before != "["+so+"/1 TABLE backordered 2 covered 0 build 2]" {
		t.Fatalf("wo generate before = %s", before)
	}
	gen := must[[]work.Generated](t)(tx(t, conn, func(tx *sqlx.Tx) ([]work.Generated, error) { return work.Generate(ctx, tx, nil) }))
	if got := wouldGenerate(t, conn); got != "["+so+"/1 TABLE backordered 2 covered 2 build 0]" {
		t.Fatalf("wo generate with %s open = %s", gen[0].WO, got)
	}
	o := must[work.Order](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Order, error) { return work.Cancel(ctx, tx, gen[0].WO) }))
	if o.Status != work.Cancelled {
		t.Fatalf("%s is %s", o.Number, o.Status)
	}
	if got, stock := wouldGenerate(t, conn), balances(t, conn); got != before || stock != beforeStock {
		t.Fatalf("after the cancel: wo generate %s, stock %s; before the work order %s, %s", got, stock, before, beforeStock)
	}

	// Built 1 of 2: 4 LEG (12 − 4 = 8) and 1 TOP (3 − 1 = 2) consumed, 1 TABLE made and
	// allocated to the line, which keeps 1 backordered.
	gen = must[[]work.Generated](t)(tx(t, conn, func(tx *sqlx.Tx) ([]work.Generated, error) { return work.Generate(ctx, tx, nil) }))
	must[work.Completion](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Completion, error) { return work.Complete(ctx, tx, gen[0].WO, dp("1")) }))
	o = must[work.Order](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Order, error) { return work.Cancel(ctx, tx, gen[0].WO) }))
	if o.Status != work.Completed || !o.Qty.Equal(d("1")) {
		t.Fatalf("%s after cancel = %s, qty %s; want completed at 1", o.Number, o.Status, o.Qty)
	}
	if got := wouldGenerate(t, conn); got != "["+so+"/1 TABLE backordered 1 covered 0 build 1]" {
		t.Fatalf("wo generate after closing at 1 = %s", got)
	}
	if got := balances(t, conn); got != "[LEG|8|0 TABLE|1|1 TOP|2|0]" {
		t.Fatalf("stock after building 1 = %s", got)
	}
	invariants(t, conn)
}
