package sales_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/sales"
)

// so release --ship --invoice takes every order's lock before the first shipment or invoice
// number, so it never waits for an order while holding a counter. Here another transaction
// holds order B, and invoices it while release is waiting for it: B's invoice gets the
// invoice counter at once and release then carries on. Had release shipped and invoiced A
// first, it would hold the invoice counter while waiting for B, the invoice of B would wait
// for the counter, and one of the two would die of a deadlock.
//
// By hand: B's service line is invoiced first (INV-000001); release then ships 2 WID of A
// (SH-000001) and of B (SH-000002) and invoices A (INV-000002, WID and FIT) and B
// (INV-000003, WID).
func TestReleaseShipInvoiceTakesCountersLast(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	adjust(t, conn, stock.Adjustment{SKU: "WID", Location: "NORTH", Qty: d("-4")})
	lines := []sales.LineInput{{SKU: "WID", Qty: d("2")}, {SKU: "FIT", Qty: d("1")}}
	a, b := order(t, conn, "ACME", "NORTH", lines...), order(t, conn, "BOB", "NORTH", lines...)
	confirm(t, conn, a)
	confirm(t, conn, b)
	adjust(t, conn, stock.Adjustment{SKU: "WID", Location: "NORTH", Qty: d("4"), UnitCost: dp("3")})

	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	holder, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	var pid int
	if err := holder.GetContext(ctx, &pid, `SELECT pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(ctx, `SELECT id FROM sales_orders WHERE number = $1 FOR UPDATE`, b); err != nil {
		t.Fatal(err)
	}

	type released struct {
		ships []sales.Shipment
		invs  []sales.InvoiceDoc
		err   error
	}
	done := make(chan released, 1)
	go func() {
		// A transaction of its own without retries: a deadlock would show as its error.
		rel, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			done <- released{err: err}
			return
		}
		defer rel.Rollback()
		_, ships, invs, err := sales.ReleaseAndShip(ctx, rel, sales.ReleaseRequest{Orders: []string{a, b}}, true, true, time.Time{})
		if err == nil {
			err = rel.Commit()
		}
		done <- released{ships, invs, err}
	}()
	// Wait until release is queued behind the holder's lock on B.
	for waiting := 0; waiting == 0; {
		if err := conn.GetContext(ctx, &waiting, `SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, pid); err != nil {
			t.Fatal(err)
		}
		select {
		case r := <-done:
			t.Fatalf("release finished while B was locked: %+v", r)
		case <-time.After(20 * time.Millisecond):
		}
	}
	inv, err := sales.Invoice(ctx, holder, b, time.Time{})
	if err != nil {
		t.Fatalf("invoice of B while release waits: %v", err)
	}
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("release --ship --invoice: %v", r.err)
	}
	got := fmt.Sprintf("%s %s/%s %s/%s %s/%s %s/%s", inv.Number, r.ships[0].SO, r.ships[0].Number, r.ships[1].SO, r.ships[1].Number,
		r.invs[0].SO, r.invs[0].Number, r.invs[1].SO, r.invs[1].Number)
	want := fmt.Sprintf("INV-000001 %s/SH-000001 %s/SH-000002 %s/INV-000002 %s/INV-000003", a, b, a, b)
	if got != want {
		t.Fatalf("numbers: %s, want %s", got, want)
	}
	invariants(t, conn)
}
