package stock_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// runCheck runs stock.Check the way stock check does: in a read-only snapshot.
func runCheck(t testing.TB, conn *sqlx.DB) []stock.Violation {
	t.Helper()
	ctx := context.Background()
	tx, err := conn.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	vs, err := stock.Check(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func exec(t *testing.T, conn *sqlx.DB, query string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// dropChecks removes a table's CHECK constraints, so a test can store what they forbid and
// see that stock check finds it too.
func dropChecks(t *testing.T, conn *sqlx.DB, table string) {
	t.Helper()
	exec(t, conn, fmt.Sprintf(`DO $$ DECLARE c text; BEGIN
		FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = '%[1]s'::regclass AND contype = 'c' LOOP
			EXECUTE format('ALTER TABLE %[1]s DROP CONSTRAINT %%I', c);
		END LOOP; END $$`, table))
}

func describe(vs []stock.Violation) string {
	var b strings.Builder
	for _, v := range vs {
		loc := "-"
		if v.Location != nil {
			loc = *v.Location
		}
		fmt.Fprintf(&b, "\n  %s %s %s: %s", v.Check, v.SKU, loc, v.Detail)
	}
	return b.String()
}

// want fails unless vs holds exactly the checks named (in any number), and each of wants
// (check, sku, location, part of the detail) is found.
func want(t *testing.T, vs []stock.Violation, checks []string, wants ...[4]string) {
	t.Helper()
	allowed := map[string]bool{}
	for _, c := range checks {
		allowed[c] = true
	}
	seen := map[string]bool{}
	for _, v := range vs {
		if !allowed[v.Check] {
			t.Fatalf("unexpected %s violation:%s", v.Check, describe(vs))
		}
		seen[v.Check] = true
	}
	for _, c := range checks {
		if !seen[c] {
			t.Fatalf("no %s violation found:%s", c, describe(vs))
		}
	}
	for _, w := range wants {
		found := false
		for _, v := range vs {
			loc := ""
			if v.Location != nil {
				loc = *v.Location
			}
			if v.Check == w[0] && v.SKU == w[1] && loc == w[2] && strings.Contains(v.Detail, w[3]) {
				found = true
			}
		}
		if !found {
			t.Fatalf("want %v among:%s", w, describe(vs))
		}
	}
}

// stocked is setup with stock of every kind posted through the library: plain stock in and
// out, a bay, batches, serials, a bay-to-bay move and stock in transit.
func stocked(t *testing.T) *sqlx.DB {
	t.Helper()
	conn := setup(t)
	ctx := context.Background()
	mustAdjust(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("2")},
		stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("4"), Bay: "X1"},
		stock.Adjustment{SKU: "PLAIN", Location: "B", Qty: d("3")},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("5"), Batch: "L1", Expiry: date("2099-01-01")},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("2"), Batch: "L2", Bay: "X1"},
		stock.Adjustment{SKU: "SER", Location: "A", Qty: d("3"), SerialStart: "S1"})
	mustAdjust(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("-1")},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("-1"), Batch: "L2"},
		stock.Adjustment{SKU: "SER", Location: "A", Qty: d("-1"), Serials: []string{"S2"}})
	dispatch(t, conn, "PLAIN", "A", "2", "TR-000001")
	dispatch(t, conn, "SER", "A", "1", "TR-000001", "S3")
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		p, _ := catalog.Get(ctx, tx, "PLAIN")
		a, _ := stock.GetLocation(ctx, tx, "l", "A")
		x1, _ := stock.GetBay(ctx, tx, a, "X1")
		_, err := stock.Post(ctx, tx, []stock.Move{{Product: p, Qty: d("3"), From: a, To: a, ToBay: &x1, Kind: "bay_move"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if vs := runCheck(t, conn); len(vs) != 0 {
		t.Fatalf("stock posted through the library breaks nothing:%s", describe(vs))
	}
	return conn
}

// ids of the test's products, locations and bays by name.
func id(t *testing.T, conn *sqlx.DB, table, code string) int64 {
	t.Helper()
	col := map[string]string{"products": "sku", "locations": "code", "bays": "code", "batches": "number", "serials": "serial"}[table]
	var v int64
	if err := conn.Get(&v, `SELECT id FROM `+table+` WHERE `+col+` = $1`, code); err != nil {
		t.Fatalf("%s %s: %v", table, code, err)
	}
	return v
}

func TestCheckBalances(t *testing.T) {
	t.Parallel()
	t.Run("balance off the ledger", func(t *testing.T) {
		conn := stocked(t)
		exec(t, conn, `UPDATE stock_balances SET on_hand = on_hand + 1 WHERE product_id = $1 AND location_id = $2`,
			id(t, conn, "products", "PLAIN"), id(t, conn, "locations", "A"))
		want(t, runCheck(t, conn), []string{stock.CheckBalanceLedger, stock.CheckBalanceQuants, stock.CheckCostStock},
			[4]string{"balance_ledger", "PLAIN", "A", "on hand 12, ledger 11"},
			[4]string{"balance_quants", "PLAIN", "A", "on hand 12, sum of quants 11"},
			[4]string{"cost_stock", "PLAIN", "", "the average cost is spread over 16, but 17 is on hand"})
	})
	t.Run("cost row off the balances", func(t *testing.T) {
		conn := stocked(t)
		exec(t, conn, `UPDATE product_costs SET on_hand = on_hand - 2 WHERE product_id = $1`, id(t, conn, "products", "LOT"))
		want(t, runCheck(t, conn), []string{stock.CheckCostStock},
			[4]string{"cost_stock", "LOT", "", "the average cost is spread over 4, but 6 is on hand"})
	})
	t.Run("ledger with no balance row", func(t *testing.T) {
		conn := stocked(t)
		exec(t, conn, `DELETE FROM stock_balances WHERE product_id = $1 AND location_id = $2`,
			id(t, conn, "products", "LOT"), id(t, conn, "locations", "A"))
		want(t, runCheck(t, conn), []string{stock.CheckBalanceLedger, stock.CheckBalanceQuants, stock.CheckCostStock},
			[4]string{"balance_ledger", "LOT", "A", "on hand missing (no balance row), ledger 6"})
	})
	t.Run("balance row with no moves", func(t *testing.T) {
		conn := stocked(t)
		exec(t, conn, `INSERT INTO stock_balances (product_id, location_id, on_hand) VALUES ($1, $2, 4)`,
			id(t, conn, "products", "LOT"), id(t, conn, "locations", "B"))
		want(t, runCheck(t, conn), []string{stock.CheckBalanceLedger, stock.CheckBalanceQuants, stock.CheckCostStock},
			[4]string{"balance_ledger", "LOT", "B", "on hand 4, ledger 0"})
	})
	t.Run("stray move", func(t *testing.T) {
		conn := stocked(t)
		exec(t, conn, `INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, unit_cost, kind)
			VALUES ($1, 2, $2, $3, 0, 'adjustment')`,
			id(t, conn, "products", "PLAIN"), id(t, conn, "locations", "~adjustment"), id(t, conn, "locations", "B"))
		want(t, runCheck(t, conn), []string{stock.CheckBalanceLedger, stock.CheckQuantLedger},
			[4]string{"balance_ledger", "PLAIN", "B", "on hand 3, ledger 5"},
			[4]string{"quant_ledger", "PLAIN", "B", "quant 3, ledger 5"})
	})
	t.Run("quant in the wrong bay", func(t *testing.T) {
		conn := stocked(t)
		// The location's total stays right; only the bay grain disagrees with the ledger.
		exec(t, conn, `UPDATE stock_quants SET bay_id = $3 WHERE product_id = $1 AND location_id = $2 AND batch_id = $4`,
			id(t, conn, "products", "LOT"), id(t, conn, "locations", "A"), id(t, conn, "bays", "X1"), id(t, conn, "batches", "L1"))
		want(t, runCheck(t, conn), []string{stock.CheckQuantLedger},
			[4]string{"quant_ledger", "LOT", "A", "bay X1, batch L1: quant 5, ledger 0"},
			[4]string{"quant_ledger", "LOT", "A", "batch L1: quant missing (no quant row), ledger 5"})
	})
	t.Run("allocated", func(t *testing.T) {
		conn := stocked(t)
		dropChecks(t, conn, "stock_balances")
		exec(t, conn, `UPDATE stock_balances SET allocated = on_hand + 1 WHERE product_id = $1 AND location_id = $2`,
			id(t, conn, "products", "PLAIN"), id(t, conn, "locations", "A"))
		exec(t, conn, `UPDATE stock_balances SET allocated = -1 WHERE product_id = $1 AND location_id = $2`,
			id(t, conn, "products", "PLAIN"), id(t, conn, "locations", "B"))
		// No order line allocates either, so allocated_orders finds them too.
		want(t, runCheck(t, conn), []string{stock.CheckAllocated, stock.CheckAllocOrders},
			[4]string{"allocated", "PLAIN", "A", "allocated 12, on hand 11"},
			[4]string{"allocated", "PLAIN", "B", "allocated -1"},
			[4]string{"allocated_orders", "PLAIN", "A", "allocated 12, but the sales order lines selling from here allocate 0"})
	})
	t.Run("more than MaxPerCheck", func(t *testing.T) {
		conn := setup(t)
		n := stock.MaxPerCheck + 5
		exec(t, conn, `INSERT INTO locations (code, name) SELECT 'L' || g, 'L' || g FROM generate_series(1, $1) g`, n)
		exec(t, conn, `INSERT INTO stock_balances (product_id, location_id, on_hand)
			SELECT $1, id, 1 FROM locations WHERE code LIKE 'L%'`, id(t, conn, "products", "PLAIN"))
		vs := runCheck(t, conn)
		count := map[string]int{}
		for _, v := range vs {
			count[v.Check]++
		}
		if count[stock.CheckBalanceLedger] != stock.MaxPerCheck || count[stock.CheckBalanceQuants] != stock.MaxPerCheck ||
			!strings.Contains(vs[stock.MaxPerCheck-1].Detail, "(and 5 more balance_ledger violations not listed)") {
			t.Fatalf("capped per check: %v, last %+v", count, vs[stock.MaxPerCheck-1])
		}
	})
}

func TestCheckNegativeAndSerials(t *testing.T) {
	t.Parallel()
	t.Run("negative stock", func(t *testing.T) {
		conn := stocked(t)
		exec(t, conn, `UPDATE settings SET value = 'true' WHERE key = 'negative_stock_allowed'`)
		mustAdjust(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "B", Qty: d("-5")})
		if vs := runCheck(t, conn); len(vs) != 0 {
			t.Fatalf("negative stock while allowed is fine:%s", describe(vs))
		}
		exec(t, conn, `UPDATE settings SET value = 'false' WHERE key = 'negative_stock_allowed'`)
		want(t, runCheck(t, conn), []string{stock.CheckNegative},
			[4]string{"negative", "PLAIN", "B", "on hand -2 while negative_stock_allowed is false"},
			[4]string{"negative", "PLAIN", "B", "quantity -2 while negative_stock_allowed is false"})
	})
	t.Run("negative batch", func(t *testing.T) {
		conn := stocked(t)
		exec(t, conn, `UPDATE settings SET value = 'true' WHERE key = 'negative_stock_allowed'`)
		dropChecks(t, conn, "stock_quants")
		exec(t, conn, `UPDATE stock_quants SET qty = -1 WHERE batch_id = $1`, id(t, conn, "batches", "L1"))
		want(t, runCheck(t, conn), []string{stock.CheckNegative, stock.CheckBalanceQuants, stock.CheckQuantLedger},
			[4]string{"negative", "LOT", "A", "batch L1: quantity -1: a batch or serial is never negative"})
	})
	t.Run("serial in two places", func(t *testing.T) {
		conn := stocked(t)
		exec(t, conn, `DROP INDEX stock_quants_serial_once`)
		exec(t, conn, `INSERT INTO stock_quants (product_id, location_id, serial_id, qty) VALUES ($1, $2, $3, 1)`,
			id(t, conn, "products", "SER"), id(t, conn, "locations", "B"), id(t, conn, "serials", "S1"))
		want(t, runCheck(t, conn), []string{stock.CheckSerial, stock.CheckBalanceQuants, stock.CheckQuantLedger},
			[4]string{"serial", "SER", "A", "serial S1: in stock in 2 places at once"},
			[4]string{"serial", "SER", "B", "serial S1: in stock in 2 places at once"})
	})
	t.Run("serial quantity", func(t *testing.T) {
		conn := stocked(t)
		dropChecks(t, conn, "stock_quants")
		exec(t, conn, `UPDATE stock_quants SET qty = 2 WHERE serial_id = $1`, id(t, conn, "serials", "S1"))
		want(t, runCheck(t, conn), []string{stock.CheckSerial, stock.CheckBalanceQuants, stock.CheckQuantLedger},
			[4]string{"serial", "SER", "A", "serial S1: quantity 2: a serial number is 0 or 1"})
	})
}

func TestCheckTracking(t *testing.T) {
	t.Parallel()
	t.Run("moves without serial or batch", func(t *testing.T) {
		conn := stocked(t)
		adj, a := id(t, conn, "locations", "~adjustment"), id(t, conn, "locations", "A")
		exec(t, conn, `INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, unit_cost, kind)
			VALUES ($1, 1, $2, $3, 0, 'stray'), ($4, 2, $2, $3, 0, 'stray')`,
			id(t, conn, "products", "SER"), adj, a, id(t, conn, "products", "LOT"))
		exec(t, conn, `INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, unit_cost, kind, batch_id)
			VALUES ($1, 1, $2, $3, 0, 'stray', $4)`, id(t, conn, "products", "PLAIN"), adj, a, id(t, conn, "batches", "L1"))
		want(t, runCheck(t, conn), []string{stock.CheckTracking, stock.CheckBalanceLedger, stock.CheckQuantLedger},
			[4]string{"tracking", "SER", "A", "(stray, qty 1) has no serial number, but the product is serialised"},
			[4]string{"tracking", "LOT", "A", "(stray, qty 2) has no batch, but the product is batch-tracked"},
			[4]string{"tracking", "PLAIN", "A", "batch L1: move"})
	})
	t.Run("stock outside a serial", func(t *testing.T) {
		conn := stocked(t)
		exec(t, conn, `UPDATE stock_quants SET serial_id = NULL WHERE serial_id = $1`, id(t, conn, "serials", "S1"))
		want(t, runCheck(t, conn), []string{stock.CheckTracking, stock.CheckQuantLedger},
			[4]string{"tracking", "SER", "A", "quantity 1 without a serial number, but the product is serialised"})
	})
	t.Run("switched on after moves", func(t *testing.T) {
		conn := setup(t)
		ctx := context.Background()
		mustAdjust(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("5")})
		mustAdjust(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("-5")})
		time.Sleep(5 * time.Millisecond)
		if _, err := catalog.Edit(ctx, conn, "PLAIN", catalog.Changes{Serialized: yes()}); err != nil {
			t.Fatal(err)
		}
		mustAdjust(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("1"), Serials: []string{"P1"}})
		if vs := runCheck(t, conn); len(vs) != 0 {
			t.Fatalf("moves from before serials were switched on are fine:%s", describe(vs))
		}
		// A later edit of the product does not excuse a move without a serial after the first
		// one with a serial.
		exec(t, conn, `INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, unit_cost, kind, created_at)
			VALUES ($1, 1, $2, $3, 0, 'stray', now() - interval '1 hour')`,
			id(t, conn, "products", "PLAIN"), id(t, conn, "locations", "~adjustment"), id(t, conn, "locations", "B"))
		want(t, runCheck(t, conn), []string{stock.CheckTracking, stock.CheckBalanceLedger, stock.CheckQuantLedger},
			[4]string{"tracking", "PLAIN", "B", "has no serial number"})
	})
}

// BenchmarkCheck times stock.Check over a synthetic ledger of STOCKCTL_BENCH_MOVES moves
// (default 100000): one product per 100 moves, 10 warehouses with 3 bays each, every tenth
// product batch-tracked (5 batches, stock only coming in), the others coming in from
// adjustments, going out to customers and moving between warehouses, to and from random bays
// or none. Balances and quants are derived from the ledger (negative stock allowed), so the
// check must find nothing. For the 10M-move budget:
//
//	STOCKCTL_BENCH_MOVES=10000000 go test ./inventory/stock/ -run '^$' -bench Check -benchtime 1x -timeout 1h
func BenchmarkCheck(b *testing.B) {
	n := 100000
	if v := os.Getenv("STOCKCTL_BENCH_MOVES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	conn, _ := dbtest.New(b)
	start := time.Now()
	for _, q := range []string{
		`INSERT INTO locations (code, name) SELECT 'W' || g, 'Warehouse ' || g FROM generate_series(1, 10) g`,
		`INSERT INTO bays (location_id, code) SELECT l.id, 'B' || g FROM locations l, generate_series(1, 3) g WHERE l.code LIKE 'W%'`,
		`INSERT INTO products (sku, name, type, track_stock, batch_tracked)
		 SELECT 'P' || g, 'Product ' || g, 'stock', true, g % 10 = 0 FROM generate_series(1, greatest($1 / 100, 1)) g`,
		`INSERT INTO batches (product_id, number) SELECT p.id, 'B' || g FROM products p, generate_series(1, 5) g WHERE p.batch_tracked`,
		// The foreign-key triggers would check 7 keys per row; the data is made consistent.
		`ALTER TABLE stock_moves DISABLE TRIGGER ALL`,
		`WITH c AS (
		   SELECT greatest($1 / 100, 1) AS np, (SELECT min(id) FROM products WHERE sku LIKE 'P%') AS pmin,
		          (SELECT min(id) FROM locations WHERE code LIKE 'W%') AS wmin,
		          (SELECT id FROM locations WHERE code = '~adjustment') AS adj,
		          (SELECT id FROM locations WHERE code = '~customer') AS cust),
		 x AS (
		   SELECT g, c.pmin + i.idx - 1 AS product_id, i.idx % 10 = 0 AS lot, 1 + g % 7 AS qty,
		          CASE WHEN i.idx % 10 = 0 THEN 0 ELSE g % 3 END AS k,
		          c.wmin + (hashint4(g + 1) & 2147483647) % 10 AS w1, c.wmin + (hashint4(g + 2) & 2147483647) % 10 AS w2,
		          (hashint4(g + 3) & 2147483647) % 4 AS b1, (hashint4(g + 4) & 2147483647) % 4 AS b2, c.adj, c.cust
		   FROM c, generate_series(1, $1) g, LATERAL (SELECT 1 + (hashint4(g) & 2147483647) % c.np AS idx) i)
		 INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, from_bay_id, to_bay_id, batch_id, unit_cost, kind)
		 SELECT x.product_id, x.qty,
		        CASE WHEN x.k = 0 THEN x.adj ELSE x.w1 END,
		        CASE WHEN x.k = 1 THEN x.cust WHEN x.k = 2 THEN x.w2 ELSE x.w1 END,
		        CASE WHEN x.k <> 0 THEN y1.id END,
		        CASE WHEN x.k = 0 THEN y1.id WHEN x.k = 2 THEN y2.id END,
		        bt.id, 1, CASE x.k WHEN 0 THEN 'adjustment' WHEN 1 THEN 'issue' ELSE 'transfer' END
		 FROM x
		 LEFT JOIN bays y1 ON y1.location_id = x.w1 AND y1.code = 'B' || x.b1
		 LEFT JOIN bays y2 ON y2.location_id = x.w2 AND y2.code = 'B' || x.b2
		 LEFT JOIN batches bt ON x.lot AND bt.product_id = x.product_id AND bt.number = 'B' || (1 + x.g % 5)
		 WHERE x.k <> 2 OR x.w1 <> x.w2`,
		`ALTER TABLE stock_moves ENABLE TRIGGER ALL`,
		`INSERT INTO stock_quants (product_id, location_id, bay_id, batch_id, serial_id, qty)
		 SELECT m.product_id, s.location_id, s.bay_id, m.batch_id, m.serial_id, sum(s.qty)
		 FROM stock_moves m CROSS JOIN LATERAL (VALUES (m.to_location_id, m.to_bay_id, m.qty),
		      (m.from_location_id, m.from_bay_id, -m.qty)) s (location_id, bay_id, qty)
		 WHERE s.location_id IN (SELECT id FROM locations WHERE kind IN ('internal', 'transit'))
		 GROUP BY 1, 2, 3, 4, 5`,
		`INSERT INTO stock_balances (product_id, location_id, on_hand)
		 SELECT product_id, location_id, sum(qty) FROM stock_quants GROUP BY 1, 2`,
		`UPDATE settings SET value = 'true' WHERE key = 'negative_stock_allowed'`,
		`VACUUM ANALYZE`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, n)
		}
		if _, err := conn.Exec(q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	var moves int64
	_ = conn.Get(&moves, `SELECT count(*) FROM stock_moves`)
	b.Logf("%d moves generated in %s", moves, time.Since(start).Round(time.Millisecond))
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		vs := runCheck(b, conn)
		if len(vs) != 0 {
			b.Fatalf("synthetic ledger should check clean:%s", describe(vs))
		}
		b.Logf("stock check over %d moves: %s", moves, time.Since(t0).Round(time.Millisecond))
	}
}
