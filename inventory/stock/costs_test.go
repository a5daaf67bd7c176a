package stock_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// The cost price follows the average cost (setting cost_price_follows, default average)
// through postings and revaluations, and a markup formula's stored sell price follows the
// current cost (the average while stock is on hand, else the cost price) in every mode.
func TestCostPriceAndFormulaFollowTheCurrentCost(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	ctx := context.Background()
	exec := func(q string) {
		t.Helper()
		if _, err := conn.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE products SET price_formula = 'markup', price_pct = 50 WHERE sku = 'PLAIN'`)
	prices := func(what, cost, sell string) {
		t.Helper()
		var got struct {
			Cost string `db:"cost_price"`
			Sell string `db:"sell_price"`
		}
		if err := conn.Get(&got, `SELECT cost_price::text, sell_price::text FROM products WHERE sku = 'PLAIN'`); err != nil {
			t.Fatal(err)
		}
		if !d(got.Cost).Equal(d(cost)) || got.Sell != sell {
			t.Fatalf("%s: cost price %s sell price %s, want %s and %s", what, got.Cost, got.Sell, cost, sell)
		}
	}
	in := func(qty, cost string) {
		t.Helper()
		a := stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d(qty)}
		if cost != "" {
			a.UnitCost = dp(cost)
		}
		if _, _, err := adjust(t, conn, "", a); err != nil {
			t.Fatal(err)
		}
	}

	// 10 in at 6: average 6, cost price 6, sell 6 × 1.5 = 9.00.
	in("10", "6")
	prices("10 at 6", "6", "9.00")
	// A landed cost of 20 on those 10, all on hand: average (10 × 6 + 20) / 10 = 8, cost price
	// 8, sell 8 × 1.5 = 12.00.
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		p, err := catalog.Get(ctx, tx, "PLAIN")
		if err != nil {
			return err
		}
		_, err = stock.Revalue(ctx, tx, []stock.Revaluation{{Product: p, Amount: d("20"), Qty: d("10"), Kind: "landed_cost"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	prices("landed cost 20", "8", "12.00")
	// All 10 out: no stock, the formula works from the cost price 8: still 12.00.
	in("-10", "")
	prices("none on hand", "8", "12.00")

	// manual: 5 in at 10 with none on hand make the average 10; the cost price stays 8 and the
	// price follows the average: 10 × 1.5 = 15.00. Out again: back to the cost price, 12.00.
	exec(`UPDATE settings SET value = 'manual' WHERE key = 'cost_price_follows'`)
	in("5", "10")
	prices("manual, 5 at 10", "8", "15.00")
	in("-5", "")
	prices("manual, none on hand", "8", "12.00")
}

// A receipt that moves the cost price writes its own change history entry, the two columns it
// changes with their old and new values, once (not also the whole-row entry of the products
// trigger); an edit of the product later in the same transaction is recorded whole as any.
func TestCostPriceChangesAreInTheHistory(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	ctx := context.Background()
	if _, err := conn.Exec(`UPDATE products SET price_formula = 'markup', price_pct = 50, cost_price = 4 WHERE sku = 'PLAIN'`); err != nil {
		t.Fatal(err)
	}
	entries := func() []string {
		t.Helper()
		var out []string
		if err := conn.Select(&out, `SELECT h.op || ' ' || c.key || ' ' || coalesce(c.value ->> 0, '-') || '→' || coalesce(c.value ->> 1, '-')
			FROM history h CROSS JOIN LATERAL jsonb_each(h.changes) c JOIN products p ON p.id = h.product_id
			WHERE h.table_name = 'products' AND p.sku = 'PLAIN' AND c.key IN ('cost_price', 'sell_price', 'list_price')
			ORDER BY h.id, c.key`); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := len(entries())
	// 10 in at 6 with no stock before: average 6, so the cost price goes 4 → 6 and the
	// markup's sell price 4 × 1.5 = 6.00 → 6 × 1.5 = 9.00.
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		if _, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("6")}}, ""); err != nil {
			return err
		}
		// Then, in the same transaction, an edit the trigger records whole.
		_, err := tx.Exec(`UPDATE products SET list_price = 12.50 WHERE sku = 'PLAIN'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := entries()[before:]
	want := []string{"update cost_price 4→6", "update sell_price 6.00→9.00", "update list_price 0→12.50"}
	if len(got) != len(want) {
		t.Fatalf("history entries %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("history entries %q, want %q", got, want)
		}
	}
}
