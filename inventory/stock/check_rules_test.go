package stock_test

import (
	"context"
	"testing"
	"time"

	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// Each invariant that posting takes for granted is planted with SQL into stock posted
// through the library, and stock check names it. No trigger needs disabling: the catalogue's
// and the order tables' constraints allow every state planted here (the rules broken are
// kept by the code, which is what the check is for).
func TestCheckWhatPostingAssumes(t *testing.T) {
	t.Parallel()
	t.Run("stock of an untracked product", func(t *testing.T) {
		t.Parallel()
		conn := stocked(t)
		exec(t, conn, `UPDATE products SET track_stock = false WHERE sku = 'PLAIN'`)
		want(t, runCheck(t, conn), []string{stock.CheckUntracked},
			[4]string{"untracked", "PLAIN", "A", "on hand 11, allocated 0, but the product is not stock-tracked"},
			[4]string{"untracked", "PLAIN", "B", "on hand 3"},
			[4]string{"untracked", "PLAIN", "~transit", "on hand 2"})
	})
	t.Run("stock of a non-stock type", func(t *testing.T) {
		t.Parallel()
		conn := stocked(t)
		exec(t, conn, `UPDATE products SET type = 'service', track_stock = false WHERE sku = 'PLAIN'`)
		want(t, runCheck(t, conn), []string{stock.CheckUntracked},
			[4]string{"untracked", "PLAIN", "A", "is of type service, which never holds stock"})
	})
	t.Run("allocated against the order lines", func(t *testing.T) {
		t.Parallel()
		conn := stocked(t)
		ctx := context.Background()
		if _, err := stock.AddBay(ctx, conn, "B", "Y1", ""); err != nil {
			t.Fatal(err)
		}
		exec(t, conn, `INSERT INTO companies (code, name, is_customer, currency) VALUES ('C', 'Customer', true, 'USD')`)
		// An order at A whose line allocates 3 where the balance says 5 (the audit's case), and
		// one at B whose line allocates 2 that the balance does not count.
		exec(t, conn, `INSERT INTO sales_orders (number, customer_id, location_id, currency, rate, price_type, status)
			SELECT n, (SELECT id FROM companies WHERE code = 'C'), l.id, 'USD', 1, 'retail', 'confirmed'
			FROM (VALUES ('SO-A', 'A'), ('SO-B', 'B')) v (n, loc) JOIN locations l ON l.code = v.loc`)
		exec(t, conn, `INSERT INTO so_lines (so_id, line_no, product_id, stock, qty, entered_qty, unit, unit_price, price_source, allocated)
			SELECT o.id, 1, p.id, true, 4, 4, 'ea', 1, 'manual', CASE o.number WHEN 'SO-A' THEN 3 ELSE 2 END
			FROM sales_orders o, products p WHERE p.sku = 'PLAIN'`)
		exec(t, conn, `UPDATE stock_balances SET allocated = 5 WHERE product_id = $1 AND location_id = $2`,
			id(t, conn, "products", "PLAIN"), id(t, conn, "locations", "A"))
		want(t, runCheck(t, conn), []string{stock.CheckAllocOrders},
			[4]string{"allocated_orders", "PLAIN", "A", "allocated 5, but the sales order lines selling from here allocate 3"},
			[4]string{"allocated_orders", "PLAIN", "B", "allocated 0, but the sales order lines selling from here allocate 2"})
		// Set right, both agree.
		exec(t, conn, `UPDATE stock_balances b SET allocated = CASE l.code WHEN 'A' THEN 3 ELSE 2 END
			FROM locations l WHERE l.id = b.location_id AND l.code IN ('A', 'B') AND b.product_id = $1`, id(t, conn, "products", "PLAIN"))
		if vs := runCheck(t, conn); len(vs) != 0 {
			t.Fatalf("allocations that agree with the lines:%s", describe(vs))
		}
	})
	t.Run("unbatched stock of a batch-tracked product", func(t *testing.T) {
		t.Parallel()
		conn := stocked(t)
		exec(t, conn, `UPDATE stock_quants SET batch_id = NULL WHERE batch_id = $1`, id(t, conn, "batches", "L1"))
		want(t, runCheck(t, conn), []string{stock.CheckTracking, stock.CheckQuantLedger},
			[4]string{"tracking", "LOT", "A", "quantity 5 without a batch, but the product is batch-tracked"})
	})
	t.Run("stock of a serialised product outside a serial and a serial above 1", func(t *testing.T) {
		t.Parallel()
		conn := stocked(t)
		dropChecks(t, conn, "stock_quants")
		exec(t, conn, `UPDATE stock_quants SET serial_id = NULL WHERE serial_id = $1`, id(t, conn, "serials", "S3"))
		exec(t, conn, `UPDATE stock_quants SET qty = 3 WHERE serial_id = $1`, id(t, conn, "serials", "S1"))
		want(t, runCheck(t, conn), []string{stock.CheckTracking, stock.CheckSerial, stock.CheckQuantLedger, stock.CheckBalanceQuants},
			[4]string{"tracking", "SER", "~transit", "quantity 1 without a serial number, but the product is serialised"},
			[4]string{"serial", "SER", "A", "serial S1: quantity 3: a serial number is 0 or 1"})
	})
	t.Run("bay of another location", func(t *testing.T) {
		t.Parallel()
		conn := stocked(t)
		if _, err := stock.AddBay(context.Background(), conn, "B", "Y1", ""); err != nil {
			t.Fatal(err)
		}
		exec(t, conn, `UPDATE stock_quants SET bay_id = $1 WHERE bay_id = $2 AND product_id = $3`,
			id(t, conn, "bays", "Y1"), id(t, conn, "bays", "X1"), id(t, conn, "products", "LOT"))
		want(t, runCheck(t, conn), []string{stock.CheckBay, stock.CheckQuantLedger},
			[4]string{"bay", "LOT", "A", "bay Y1, batch L2: quantity 1, but the bay is in another location"})
	})
	t.Run("batch and serial of another product", func(t *testing.T) {
		t.Parallel()
		conn := stocked(t)
		plain := id(t, conn, "products", "PLAIN")
		exec(t, conn, `INSERT INTO batches (product_id, number) VALUES ($1, 'ALIEN')`, plain)
		exec(t, conn, `INSERT INTO serials (product_id, serial) VALUES ($1, 'ALIEN1')`, plain)
		exec(t, conn, `UPDATE stock_quants SET batch_id = $1 WHERE batch_id = $2`, id(t, conn, "batches", "ALIEN"), id(t, conn, "batches", "L1"))
		exec(t, conn, `UPDATE stock_quants SET serial_id = $1 WHERE serial_id = $2`, id(t, conn, "serials", "ALIEN1"), id(t, conn, "serials", "S1"))
		want(t, runCheck(t, conn), []string{stock.CheckOwner, stock.CheckQuantLedger},
			[4]string{"owner", "LOT", "A", "batch ALIEN: quantity 5, but the batch belongs to another product"},
			[4]string{"owner", "SER", "A", "serial ALIEN1: quantity 1, but the serial number belongs to another product"})
	})
}

// A change of tracking that began before a posting, and waited for it at the product's
// lock, is stamped after that posting's moves: stock check does not take the moves it
// waited for as breaking the new rule. (Stamped with the transaction's start, the switch
// came before the move it waited for, and the check named it under "tracking".)
func TestCheckAfterAnEditThatWaitedForAPosting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := setup(t)
	if _, _, err := adjust(t, conn, "", stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("1"), UnitCost: dp("2")}); err != nil {
		t.Fatal(err)
	}
	// The edit's transaction begins first and takes its time before touching the product.
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`SELECT now()`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	// Meanwhile a posting takes the last unit out, unserialised, as the rules then allowed.
	if _, _, err := adjust(t, conn, "", stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("-1")}); err != nil {
		t.Fatal(err)
	}
	// Now the edit: no stock left, so serialising is allowed.
	if _, err := catalog.Edit(ctx, tx, "PLAIN", catalog.Changes{Serialized: yes()}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if vs := runCheck(t, conn); len(vs) != 0 {
		t.Fatalf("stock check after an edit that waited for a posting:%s", describe(vs))
	}
}
