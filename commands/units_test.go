package commands

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/commands/app"
)

// so add takes --uom (default the sales unit) and a table shows a line in its own unit with
// the stock quantity in brackets; a line in the stock unit prints as it always did.
func TestSOLinesInTheirOwnUnit(t *testing.T) {
	t.Parallel()
	url := soSetup(t)
	run(t, url, "product", "add", "FLOUR", "--name", "Flour", "--uom", "kg", "--sales-uom", "g", "--sell-price", "2.40").wantCode(t, ExitOK)
	run(t, url, "product", "pack", "add", "W", "box", "--qty", "12").wantCode(t, ExitOK)
	run(t, url, "so", "new", "ACME", "--location", "MAIN").wantCode(t, ExitOK)
	// The case: 500 without a unit is 500 g of FLOUR (its sales unit), 0.5 kg.
	// 2.40 per kg × 0.5 kg / 500 g = 0.0024 per g; 500 × 0.0024 = 1.20.
	r := run(t, url, "so", "add", "SO-000001", "FLOUR", "500").wantCode(t, ExitOK)
	for _, want := range []string{"qty\t500 g (0.5 kg)\n", "unit_price\t0.0024/g\n", "amount\t1.20\n"} {
		if !strings.Contains(r.out, want) {
			t.Fatalf("so add output lacks %q:\n%s", want, r.out)
		}
	}
	// 2 box of 12 W at 60.00 per box: 24 ea, amount 120.00.
	run(t, url, "so", "add", "SO-000001", "W", "2", "--uom", "box", "--price", "60.00").wantCode(t, ExitOK)
	// In the stock unit: 3 ea at 10 (sell price), 30.
	run(t, url, "so", "add", "SO-000001", "W", "3").wantCode(t, ExitOK)
	run(t, url, "so", "add", "SO-000001", "FLOUR", "500.5").wantCode(t, ExitInvalid).
		wantErr(t, "FLOUR: 500.5 g is 0.5005 kg, but kg keeps 3 decimals")
	run(t, url, "so", "add", "SO-000001", "W", "1", "--uom", "crate").wantCode(t, ExitNotFound).wantErr(t, `unknown unit "crate" for W`)

	out := run(t, url, "so", "show", "SO-000001", "--fields", "line,qty,unit,entered_qty,unit_price,price_unit,amount").wantCode(t, ExitOK).out
	// --fields lists the lines' data as stored: qty in the stock unit, the price per price_unit.
	want := "1\t0.5\tg\t500\t0.0024\tg\t1.20\n" +
		"2\t24\tbox\t2\t60\tbox\t120.00\n" +
		"3\t3\tea\t3\t10\tea\t30.00\n"
	if out != want {
		t.Fatalf("so show --fields:\n%s\nwant:\n%s", out, want)
	}
	out = run(t, url, "so", "show", "SO-000001").wantCode(t, ExitOK).out
	// The table: 1.20 + 120.00 + 30.00 = 151.20.
	for _, want := range []string{"subtotal\t151.20\n", "1\tFLOUR\t500 g (0.5 kg)\t0.0024/g\t", "2\tW\t2 box (24 ea)\t60/box\t",
		"3\tW\t3\t10\tsell_price\t30.00\t"} {
		if !strings.Contains(out, want) {
			t.Fatalf("so show lacks %q:\n%s", want, out)
		}
	}
}

// supplier price add --uom, po add --uom (default the purchase unit) and rfq add: lines in
// their own unit, shown with the stock quantity in brackets.
func TestPurchaseLinesInTheirOwnUnitCommands(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	run(t, url, "product", "edit", "BOLT", "--purchase-uom", "box").wantCode(t, ExitOK)
	// 1.80 EUR per box of 100 from 2 box: kept as min 200 ea.
	r := run(t, url, "supplier", "price", "add", "EURO", "BOLT", "--price", "1.80", "--uom", "box", "--min-qty", "2").wantCode(t, ExitOK)
	for _, want := range []string{"min_qty\t200\n", "price\t1.8", "unit\tbox\n", "unit_qty\t100\n"} {
		if !strings.Contains(r.out, want) {
			t.Fatalf("supplier price add lacks %q:\n%s", want, r.out)
		}
	}
	run(t, url, "supplier", "price", "add", "EURO", "BOLT", "--price", "1", "--uom", "kg").wantCode(t, ExitInvalid).wantErr(t, "kg is a weight unit")
	run(t, url, "supplier", "price", "add", "EURO", "BOLT", "--price", "1", "--uom", "crate").wantCode(t, ExitNotFound).wantErr(t, `unknown unit "crate"`)
	// min 0.005 box is 0.5 ea, but ea keeps 0 decimals.
	run(t, url, "supplier", "price", "add", "EURO", "BOLT", "--price", "1", "--uom", "box", "--min-qty", "0.005").wantCode(t, ExitInvalid).
		wantErr(t, "minimum quantity 0.005 box is 0.5 ea, but ea keeps 0 decimals")

	run(t, url, "po", "new", "EURO", "--location", "MAIN").wantCode(t, ExitOK)
	// No --uom: the purchase unit box. 3 box = 300 ea at 1.80 per box: 5.40.
	run(t, url, "po", "add", "PO-000001", "BOLT", "3").wantCode(t, ExitOK)
	// 250 ea: 1.80 / 100 = 0.018 per ea; 250 × 0.018 = 4.50.
	out := run(t, url, "po", "add", "PO-000001", "BOLT", "250", "--uom", "ea").wantCode(t, ExitOK).out
	for _, want := range []string{"subtotal\t9.90\n", "1\tBOLT\t3 box (300 ea)\tbox\t1.8/box\t5.40\t0\t3 box (300 ea)\n", "2\tBOLT\t250\tea\t0.018\t4.50\t0\t250\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("po add lacks %q:\n%s", want, out)
		}
	}
	run(t, url, "po", "add", "PO-000001", "BOLT", "0.001").wantCode(t, ExitInvalid).wantErr(t, "BOLT: 0.001 box is 0.1 ea, but ea keeps 0 decimals")
	run(t, url, "po", "order", "PO-000001", "--date", "2026-06-01").wantCode(t, ExitOK)
	// 100 ea of line 1 received: shown as 1 box (100 ea), 2 box (200 ea) outstanding.
	out = run(t, url, "po", "receive", "PO-000001", "--line", "1", "--qty", "100").wantCode(t, ExitOK).out
	if want := "1\tBOLT\t3 box (300 ea)\tbox\t1.8/box\t5.40\t1 box (100 ea)\t2 box (200 ea)\n"; !strings.Contains(out, want) {
		t.Fatalf("po receive lacks %q:\n%s", want, out)
	}
	// 50 ea more: 150 ea received and 150 outstanding, each exactly 1.5 box.
	out = run(t, url, "po", "receive", "PO-000001", "--line", "1", "--qty", "50").wantCode(t, ExitOK).out
	if want := "\t1.5 box (150 ea)\t1.5 box (150 ea)\n"; !strings.Contains(out, want) {
		t.Fatalf("po receive lacks %q:\n%s", want, out)
	}

	run(t, url, "rfq", "new", "EURO", "--location", "MAIN").wantCode(t, ExitOK)
	run(t, url, "rfq", "add", "RFQ-000001", "BOLT", "4").wantCode(t, ExitOK)
	// Quoted per box: 4 × 1.75 = 7.00.
	out = run(t, url, "rfq", "quote", "RFQ-000001", "1", "--price", "1.75").wantCode(t, ExitOK).out
	if want := "1\tBOLT\t\t4 box (400 ea)\tbox\t1.75/box\t7.00\t"; !strings.Contains(out, want) {
		t.Fatalf("rfq quote lacks %q:\n%s", want, out)
	}
}

// How tables show a line's quantities and price, by hand: a case of 3 ea, 2 case = 6 ea.
// 3 ea received is 3 × 2 / 6 = 1 case exactly; 1 ea is 1/3 case, not exact: shown in ea.
func TestLineQuantityCells(t *testing.T) {
	t.Parallel()
	dec := decimal.RequireFromString
	for _, c := range []struct{ got, want string }{
		{app.LineQty(dec("2"), "case", dec("6"), "ea"), "2 case (6 ea)"},
		{app.LineQty(dec("6"), "ea", dec("6"), "ea"), "6"},
		{app.LineQty(dec("500"), "g", dec("0.500"), "kg"), "500 g (0.500 kg)"},
		{app.LinePrice(dec("60.00"), "case", "ea"), "60.00/case"},
		{app.LinePrice(dec("5.00"), "ea", "ea"), "5.00"},
		{app.PartQty(dec("3"), dec("2"), "case", dec("6"), "ea"), "1 case (3 ea)"},
		{app.PartQty(dec("1"), dec("2"), "case", dec("6"), "ea"), "1 ea"},
		{app.PartQty(dec("0"), dec("2"), "case", dec("6"), "ea"), "0"},
		{app.PartQty(dec("4"), dec("6"), "ea", dec("6"), "ea"), "4"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// price break add --uom: the row is kept per stock unit, converted exactly, and prices a
// sales line in any unit. By hand: min 2 case of 12 = 24 ea; 60.00 per case / 12 = 5.00 per
// ea. A line of 2 case (24 ea) takes the break: 5.00 × 24 / 2 = 60.00 per case, 120.00.
func TestPriceBreakInAUnit(t *testing.T) {
	t.Parallel()
	url := soSetup(t)
	run(t, url, "product", "pack", "add", "W", "case", "--qty", "12").wantCode(t, ExitOK)
	out := run(t, url, "price", "break", "add", "W", "--min-qty", "2", "--price", "60", "--uom", "case").wantCode(t, ExitOK).out
	if !strings.Contains(out, "min_qty\t24\n") || !strings.Contains(out, "price\t5\n") {
		t.Fatalf("break:\n%s", out)
	}
	// 10.00 per case is 0.8333… per ea; 0.1 case is 1.2 ea.
	run(t, url, "price", "break", "add", "W", "--min-qty", "1", "--price", "10", "--uom", "case").wantCode(t, ExitInvalid).
		wantErr(t, "W: 10 per case is 0.833333333333 per ea, more than 6 decimals: give the price per ea")
	run(t, url, "price", "break", "add", "W", "--min-qty", "0.1", "--price", "12", "--uom", "case").wantCode(t, ExitInvalid).
		wantErr(t, "W: 0.1 case is 1.2 ea, but ea keeps 0 decimals")
	run(t, url, "so", "new", "ACME", "--location", "MAIN").wantCode(t, ExitOK)
	out = run(t, url, "so", "add", "SO-000001", "W", "2", "--uom", "case").wantCode(t, ExitOK).out
	for _, want := range []string{"qty\t2 case (24 ea)\n", "unit_price\t60/case\n", "price_source\tbreak\n", "amount\t120.00\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("so add lacks %q:\n%s", want, out)
		}
	}
}
