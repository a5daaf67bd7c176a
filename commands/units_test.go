package commands

import (
	"strings"
	"testing"
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
