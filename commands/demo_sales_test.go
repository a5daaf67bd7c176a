package commands

import (
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// The demo's sales: ACME's order shipped and invoiced (closed), Lone Star's paint backordered
// with stock only at STORE ("elsewhere"), Bluebird's custom workbench on an open work order
// that can be built ("none"), Acme's drills held back by hand with plenty at MAIN ("here"),
// Bluebird's tees with too few at STORE ("partial"): backorders list shows every status,
// the next steps the demo prints run, and stock check stays clean. Pacific's order is taken
// at prices that include tax and invoiced (below).
func TestDemoSales(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var sum map[string]float64
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["sales_orders"] != 6 || sum["shipments"] != 1 || sum["invoices"] != 2 || sum["work_orders"] != 1 {
		t.Fatalf("summary: %v", sum)
	}
	var orders []struct{ Number, Customer, Status, Backordered, Notes string }
	run(t, url, "so", "list", "-o", "json").wantCode(t, ExitOK).json(t, &orders)
	orders = demoSalesOnly(orders) // time billing and training add orders of their own (demo_time_test.go)
	status := map[string]string{}
	for _, o := range orders {
		status[o.Customer] = o.Status
	}
	if len(orders) != 6 || status["LONESTAR"] != "confirmed" || status["BLUEBIRD"] != "confirmed" || status["PACIFIC"] != "closed" {
		t.Fatalf("orders: %+v", orders)
	}
	closed := 0
	for _, o := range orders {
		if o.Status == "closed" {
			closed++
		}
	}
	if closed != 2 {
		t.Fatalf("two orders (ACME's first, PACIFIC's) are done and invoiced: %+v", orders)
	}
	// PACIFIC's order, SO-000009, at prices that include tax (8.25 %, tax_rate_sales: neither
	// PACIFIC nor the products have a rate of their own):
	//   INSTALL 3 h × 85.00 = 255.00, tax 255 × 8.25/108.25 = 19.434… → 19.43, net 235.57;
	//   GUIDE-PDF 2 × 9.99 less 10 % = 17.982 → 17.98, tax 17.98 × 8.25/108.25 = 1.370… → 1.37,
	//   net 16.61. Net 235.57 + 16.61 = 252.18, tax 19.43 + 1.37 = 20.80, total 272.98, and
	// its invoice says the same.
	var pac struct {
		Customer, Subtotal, Tax, Total string
		Inclusive                      bool `json:"prices_include_tax"`
		Lines                          []struct{ SKU, Amount, Tax, Total string }
	}
	run(t, url, "so", "show", "SO-000009", "-o", "json").wantCode(t, ExitOK).json(t, &pac)
	if pac.Customer != "PACIFIC" || !pac.Inclusive || pac.Subtotal != "252.18" || pac.Tax != "20.80" || pac.Total != "272.98" || len(pac.Lines) != 2 ||
		pac.Lines[0].SKU != "INSTALL" || pac.Lines[0].Amount != "235.57" || pac.Lines[0].Tax != "19.43" || pac.Lines[0].Total != "255.00" ||
		pac.Lines[1].SKU != "GUIDE-PDF" || pac.Lines[1].Amount != "16.61" || pac.Lines[1].Tax != "1.37" || pac.Lines[1].Total != "17.98" {
		t.Fatalf("Pacific's tax-inclusive order: %+v", pac)
	}
	var invs []struct{ Number, Subtotal, Tax, Total string }
	run(t, url, "invoice", "list", "--so", "SO-000009", "-o", "json").wantCode(t, ExitOK).json(t, &invs)
	if len(invs) != 1 || invs[0].Subtotal != "252.18" || invs[0].Tax != "20.80" || invs[0].Total != "272.98" {
		t.Fatalf("Pacific's invoice: %+v", invs)
	}
	// ACME's screws are a line in its own unit: 1 box of 200 ea at the sell price 0.06 (cost
	// 0.02 + 200% markup) × 200 = 12.00 per box, shipped and invoiced as 200 ea; with 60 m of
	// rope at its break price 2.10 = 126.00 (batch R2603), the order's subtotal is
	// 2 × 129 + 12.00 + 126.00 = 396.00; tax at 8.25 % per line: 21.285 → 21.29, 0.99,
	// 10.395 → 10.40, together 32.68; total 428.68.
	for _, o := range orders {
		if o.Status != "closed" || o.Customer != "ACME" {
			continue
		}
		out := run(t, url, "so", "show", o.Number).wantCode(t, ExitOK).out
		for _, want := range []string{"subtotal\t396.00\n", "tax\t32.68\n", "total\t428.68\n", "\tSCREW-4X40\t1 box (200 ea)\t12/box\tsell_price\t12.00\t0\t0\t200\t200\n"} {
			if !strings.Contains(out, want) {
				t.Fatalf("so show %s lacks %q:\n%s", o.Number, want, out)
			}
		}
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
	if orders = demoSalesOnly(orders); len(orders) != 6 {
		t.Fatalf("second load made orders: %+v", orders)
	}
	run(t, url, "stock", "check").wantCode(t, ExitOK)
}
