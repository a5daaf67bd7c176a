package commands

import (
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// The demo's sales: ACME's order shipped and invoiced (closed), Lone Star's paint backordered
// with stock only at STORE ("elsewhere"), Bluebird's custom workbench on an open work order
// that can be built ("none"), Acme's drills held back by hand with plenty at MAIN ("here"),
// Bluebird's tees with too few at STORE ("partial"): backorders list shows every status,
// the next steps the demo prints run, and stock check stays clean.
func TestDemoSales(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var sum map[string]float64
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["sales_orders"] != 5 || sum["shipments"] != 1 || sum["invoices"] != 1 || sum["work_orders"] != 1 {
		t.Fatalf("summary: %v", sum)
	}
	var orders []struct{ Number, Customer, Status, Backordered, Notes string }
	run(t, url, "so", "list", "-o", "json").wantCode(t, ExitOK).json(t, &orders)
	orders = demoSalesOnly(orders) // time billing and training add orders of their own (demo_time_test.go)
	status := map[string]string{}
	for _, o := range orders {
		status[o.Customer] = o.Status
	}
	if len(orders) != 5 || status["LONESTAR"] != "confirmed" || status["BLUEBIRD"] != "confirmed" {
		t.Fatalf("orders: %+v", orders)
	}
	closed := 0
	for _, o := range orders {
		if o.Status == "closed" {
			closed++
		}
	}
	if closed != 1 {
		t.Fatalf("one order (ACME's first) is shipped and invoiced: %+v", orders)
	}
	var bo []struct{ SO, Customer, SKU, Status, Backordered string }
	run(t, url, "backorders", "list", "-o", "json").wantCode(t, ExitOK).json(t, &bo)
	if len(bo) != 4 || bo[0].SKU != "PAINT-WHITE" || bo[0].Status != "elsewhere" || !decEq(bo[0].Backordered, "24") ||
		bo[1].SKU != "BENCH" || bo[1].Status != "none" ||
		bo[2].SKU != "DRILL-18V" || bo[2].Status != "here" || !decEq(bo[2].Backordered, "2") ||
		bo[3].SKU != "TEE-M-NAVY" || bo[3].Status != "partial" || !decEq(bo[3].Backordered, "20") {
		t.Fatalf("backorders: %+v", bo)
	}
	var wos []struct{ Number, SKU, Status, SO string }
	run(t, url, "wo", "list", "-o", "json").wantCode(t, ExitOK).json(t, &wos)
	if len(wos) != 1 || wos[0].Number != "WO-000001" || wos[0].SKU != "BENCH" || wos[0].Status != "open" || wos[0].SO != bo[1].SO {
		t.Fatalf("work orders: %+v", wos)
	}
	run(t, url, "so", "release", "--all", "--dry-run").wantCode(t, ExitOK)
	run(t, url, "wo", "complete", "WO-000001", "--dry-run").wantCode(t, ExitOK)
	run(t, url, "stock", "check").wantCode(t, ExitOK)
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["sales_orders"] != 0 || sum["work_orders"] != 0 {
		t.Fatalf("second load: %v", sum)
	}
	run(t, url, "so", "list", "-o", "json").wantCode(t, ExitOK).json(t, &orders)
	if orders = demoSalesOnly(orders); len(orders) != 5 {
		t.Fatalf("second load made orders: %+v", orders)
	}
	run(t, url, "stock", "check").wantCode(t, ExitOK)
}
