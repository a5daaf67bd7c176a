package work_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/work"
)

// completeOn runs CompleteWith in a transaction whose day for expiry is day.
func completeOn(t *testing.T, conn *sqlx.DB, day, wo string, qty string, opt work.Options) (work.Completion, error) {
	t.Helper()
	var c work.Completion
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) (err error) {
		if _, err := tx.Exec(`SELECT set_config('stockctl.today', $1, true)`, day); err != nil {
			return err
		}
		n := d(qty)
		c, err = work.CompleteWith(ctx, tx, wo, &n, opt)
		return err
	})
	return c, err
}

// A build passes component batches past their expiry over, and does not count them as
// available, unless AllowExpired.
func TestCompleteSkipsExpiredComponents(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	must[catalog.Product](t)(catalog.Add(ctx, conn, "BOLT", catalog.Changes{Name: str("Bolt"), BatchTracked: yes()}))
	must[catalog.Product](t)(catalog.Add(ctx, conn, "BOX", catalog.Changes{Name: str("Box"), SellPrice: dp("10")}))
	if _, _, err := catalog.AddComponent(ctx, conn, "BOX", "BOLT", d("2")); err != nil {
		t.Fatal(err)
	}
	old, fresh := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
	adjust(t, conn, stock.Adjustment{SKU: "BOLT", Location: "MAIN", Qty: d("4"), UnitCost: dp("1"), Batch: "B-OLD", Expiry: &old},
		stock.Adjustment{SKU: "BOLT", Location: "MAIN", Qty: d("3"), UnitCost: dp("1"), Batch: "B-NEW", Expiry: &fresh})
	wo := must[work.Order](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Order, error) {
		return work.New(ctx, tx, work.NewOrder{SKU: "BOX", Qty: d("3"), Location: "MAIN"})
	}))
	const day = "2026-04-01" // B-OLD expired the day before
	// 1 box needs 2 bolts: B-OLD is passed over, B-NEW gives 2 (1 left).
	if _, err := completeOn(t, conn, day, wo.Number, "1", work.Options{}); err != nil {
		t.Fatal(err)
	}
	// 2 more need 4; available: on hand 7 - 2 = 5, less 4 expired = 1.
	_, err := completeOn(t, conn, day, wo.Number, "2", work.Options{})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "BOLT needs 4 ea, 1 available") {
		t.Fatalf("expired bolts are not available: %v", err)
	}
	// Allowed, first expiry first out takes B-OLD's 4.
	if _, err := completeOn(t, conn, day, wo.Number, "2", work.Options{AllowExpired: true}); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := conn.Get(&got, `SELECT string_agg(b.number || '=' || m.qty, ' ' ORDER BY m.id) FROM stock_moves m
		JOIN batches b ON b.id = m.batch_id WHERE m.kind = 'wo_consume'`); err != nil {
		t.Fatal(err)
	}
	if got != "B-NEW=2 B-OLD=4" {
		t.Fatalf("consumed %q, want B-NEW=2 B-OLD=4", got)
	}
	invariants(t, conn)
}
