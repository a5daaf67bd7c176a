package sales_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/io/csvio"
	"github.com/stockctl/stockctl/orders/sales"
)

func no() *bool { b := false; return &b }

func track(conn *sqlx.DB, sku string, on bool) error {
	return db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		_, err := catalog.Edit(ctx, tx, sku, catalog.Changes{TrackStock: &on})
		return err
	})
}

func importTracking(conn *sqlx.DB, sku string) error {
	r, err := csvio.NewReader(strings.NewReader("sku,track_stock\n"+sku+",true\n"), catalog.CSVColumns, catalog.CSVRequired, csvio.Options{})
	if err != nil {
		return err
	}
	var rejected []string
	err = db.InBulk(ctx, conn, false, func(b *db.Bulk) error {
		_, err := catalog.ImportProducts(ctx, b, r, csvio.ImportOptions{Rejects: func(rj csvio.Rejected) error {
			for _, e := range rj.Errors {
				rejected = append(rejected, e.Reason)
			}
			return nil
		}})
		return err
	})
	if err != nil && len(rejected) > 0 {
		return fault.Invalidf("file", "%s", strings.Join(rejected, "; "))
	}
	return err
}

// Tracking is not switched on while open sales lines were taken untracked: product edit and
// product import refuse, naming each line; once the orders are cancelled it is switched on
// and the next sale takes its units out of stock.
func TestTrackingOnRefusedWhileUntrackedLinesOpen(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	if _, err := catalog.Add(ctx, conn, "GAD", catalog.Changes{Name: str("Gadget"), SellPrice: dp("20"), TrackStock: no()}); err != nil {
		t.Fatal(err)
	}
	// SO-000001: 4 GAD, confirmed (a non-stock line: nothing allocated). SO-000002: a draft
	// with 1 FIT and 1 GAD (line 2).
	so1 := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "GAD", Qty: d("4")})
	confirm(t, conn, so1)
	so2 := order(t, conn, "BOB", "MAIN", sales.LineInput{SKU: "FIT", Qty: d("1")}, sales.LineInput{SKU: "GAD", Qty: d("1")})
	for name, err := range map[string]error{"product edit": track(conn, "GAD", true), "product import": importTracking(conn, "GAD")} {
		if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), so1+" line 1 (4") || !strings.Contains(err.Error(), so2+" line 2 (1") {
			t.Fatalf("%s switching tracking on: %v; want invalid naming %s line 1 and %s line 2", name, err, so1, so2)
		}
	}
	if p, _ := catalog.Get(ctx, conn, "GAD"); p.TrackStock {
		t.Fatal("a refused change switched tracking on")
	}
	for _, so := range []string{so1, so2} {
		must(tx(t, conn, func(tx *sqlx.Tx) (sales.Doc, error) { return sales.Cancel(ctx, tx, so) }))(t)
	}
	if err := track(conn, "GAD", true); err != nil {
		t.Fatal(err)
	}
	// 10 GAD in; a new order of 4 is a stock line: allocated 4, shipped, 10 − 4 = 6 on hand.
	adjust(t, conn, stock.Adjustment{SKU: "GAD", Location: "MAIN", Qty: d("10"), UnitCost: dp("5")})
	so3 := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "GAD", Qty: d("4")})
	doc := confirm(t, conn, so3)
	if !doc.Items[0].Stock || !doc.Items[0].Allocated.Equal(d("4")) {
		t.Fatalf("line after tracking on = %+v, want a stock line allocated 4", doc.Items[0])
	}
	must(tx(t, conn, func(tx *sqlx.Tx) (sales.Shipment, error) { return sales.Ship(ctx, tx, sales.ShipRequest{SO: so3}) }))(t)
	onHand, allocated := balance(t, conn, "GAD", "MAIN")
	eq(t, "GAD on hand", onHand, "6")
	eq(t, "GAD allocated", allocated, "0")
	invariants(t, conn)
}

// waitForLock waits until some session of the test database waits on a lock.
func waitForLock(t *testing.T, conn *sqlx.DB, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := conn.Get(&waiting, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return
		}
		select {
		case err := <-done:
			t.Fatalf("ended without waiting for the other transaction: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("never waited for the other transaction")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A sales line and a tracking change of its product racing: whichever takes the product's
// rule lock first, the other waits and then follows it. A line added first makes the change
// refused; a change first makes the line follow the new rule (a stock line once tracking is
// on, a non-stock line once it is off).
func TestSalesLineRacingTrackingChange(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	// GAD and GIZ untracked, TOY tracked; none has stock.
	for sku, tracked := range map[string]bool{"GAD": false, "GIZ": false, "TOY": true} {
		if _, err := catalog.Add(ctx, conn, sku, catalog.Changes{Name: str(sku), SellPrice: dp("20"), TrackStock: &tracked}); err != nil {
			t.Fatal(err)
		}
	}
	draft := func() string {
		return must(tx(t, conn, func(tx *sqlx.Tx) (sales.Doc, error) {
			return sales.New(ctx, tx, sales.NewOrder{Customer: "ACME", Location: "MAIN"})
		}))(t).Number
	}

	// The line first: the tracking change waits for it, then refuses naming it.
	so := draft()
	line, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = line.Rollback() }()
	if _, err := sales.AddLine(ctx, line, so, sales.LineInput{SKU: "GAD", Qty: d("4")}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- track(conn, "GAD", true) }()
	waitForLock(t, conn, done)
	if err := line.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), so+" line 1 (4") {
		t.Fatalf("tracking on after a line was added: %v; want refused naming %s line 1", err, so)
	}

	// The change first, each way: the line waits for it and takes the new rule.
	for _, c := range []struct {
		sku   string
		on    bool
		stock bool
	}{{"GIZ", true, true}, {"TOY", false, false}} {
		so := draft()
		change, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := catalog.Edit(ctx, change, c.sku, catalog.Changes{TrackStock: &c.on}); err != nil {
			_ = change.Rollback()
			t.Fatal(c.sku, err)
		}
		added := make(chan sales.Line, 1)
		done := make(chan error, 1)
		go func() {
			l, err := tx(t, conn, func(tx *sqlx.Tx) (sales.Line, error) {
				return sales.AddLine(ctx, tx, so, sales.LineInput{SKU: c.sku, Qty: d("2")})
			})
			added <- l
			done <- err
		}()
		waitForLock(t, conn, done)
		if err := change.Commit(); err != nil {
			t.Fatal(err)
		}
		l := <-added
		if err := <-done; err != nil || l.Stock != c.stock {
			t.Fatalf("%s line added while tracking became %v: stock %v (%v), want %v", c.sku, c.on, l.Stock, err, c.stock)
		}
	}
	invariants(t, conn)
}
