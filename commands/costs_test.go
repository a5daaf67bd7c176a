package commands

import (
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// Stock coming in without a unit cost is valued at the average cost, or at the cost price
// when the product has no stock on hand, and the command says which; the setting
// cost_price_follows decides what receipts do to the cost price; markup and margin work from
// the average cost while there is stock, else the cost price, and --explain says which.
func TestCostsStockComesInAtCost(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "location", "add", "MAIN").wantCode(t, ExitOK)
	run(t, url, "product", "add", "W", "--name", "Widget", "--cost", "10").wantCode(t, ExitOK)

	type move struct {
		Qty, UnitCost, CostSource string
	}
	adjust := func(want move, stderr string, args ...string) {
		t.Helper()
		var ms []struct {
			Qty        string `json:"qty"`
			UnitCost   string `json:"unit_cost"`
			CostSource string `json:"cost_source"`
		}
		r := run(t, url, append([]string{"stock", "adjust", "W", "--location", "MAIN", "-o", "json"}, args...)...).wantCode(t, ExitOK)
		r.json(t, &ms)
		if len(ms) != 1 || (move{ms[0].Qty, ms[0].UnitCost, ms[0].CostSource}) != want {
			t.Fatalf("stock adjust %v: %+v, want %+v", args, ms, want)
		}
		if stderr == "" && r.err != "" || !strings.Contains(r.err, stderr) {
			t.Fatalf("stock adjust %v said %q, want %q", args, r.err, stderr)
		}
	}
	stockIs := func(avg, value string) {
		t.Helper()
		var s map[string]any
		run(t, url, "stock", "show", "W", "-o", "json").wantCode(t, ExitOK).json(t, &s)
		if s["avg_cost"] != avg || s["stock_value"] != value {
			t.Fatalf("stock show: avg %v value %v, want %s and %s (money in cents)", s["avg_cost"], s["stock_value"], avg, value)
		}
	}
	prices := func(cost, sell string) {
		t.Helper()
		var p map[string]any
		run(t, url, "product", "show", "W", "-o", "json").wantCode(t, ExitOK).json(t, &p)
		if p["cost_price"] != cost || p["sell_price"] != sell {
			t.Fatalf("product show: cost %v sell %v, want %s and %s", p["cost_price"], p["sell_price"], cost, sell)
		}
	}
	quote := func(price, reason string) {
		t.Helper()
		var q struct {
			UnitPrice string `json:"unit_price"`
			Steps     []struct {
				Rule   string `json:"rule"`
				Reason string `json:"reason"`
			} `json:"steps"`
		}
		run(t, url, "price", "quote", "W", "--qty", "1", "--explain", "-o", "json").wantCode(t, ExitOK).json(t, &q)
		last := q.Steps[len(q.Steps)-1]
		if q.UnitPrice != price || last.Rule != "sell_price" || !strings.Contains(last.Reason, reason) {
			t.Fatalf("quote: %s (%+v), want %s by %q", q.UnitPrice, last, price, reason)
		}
	}

	// No stock yet: 12 come in at the cost price 10; average 10, value 12 × 10 = 120.
	adjust(move{"12", "10", "cost_price"}, "W: 12 in at MAIN valued at the product's cost price 10", "--qty", "12")
	stockIs("10", "120.00")
	// 8 at 20: average (12 × 10 + 8 × 20) / 20 = 280 / 20 = 14; the cost price follows (average).
	adjust(move{"8", "20", "given"}, "", "--qty", "8", "--unit-cost", "20")
	stockIs("14", "280.00")
	prices("14", "0")
	// 5 more without a cost come in at the average 14: it stays 14, value 25 × 14 = 350.
	adjust(move{"5", "14", "average"}, "W: 5 in at MAIN valued at the average cost 14", "--qty", "5")
	stockIs("14", "350.00")

	// Markup 50 % over the average cost 14: 14 × 1.5 = 21.00, stored and quoted.
	var pp map[string]any
	run(t, url, "price", "formula", "W", "markup", "--pct", "50", "-o", "json").wantCode(t, ExitOK).json(t, &pp)
	if pp["sell_price"] != "21.00" || pp["cost"] != "14" || pp["cost_basis"] != "average" || pp["rule"] != "markup: average cost 14 × (1 + 50%)" {
		t.Fatalf("price formula: %v", pp)
	}
	quote("21.00", "markup: average cost 14 × (1 + 50%)")

	// manual: 5 at 32 make the average (25 × 14 + 5 × 32) / 30 = 510 / 30 = 17 and leave the
	// cost price at 14; the formula follows the average: 17 × 1.5 = 25.50.
	run(t, url, "settings", "set", "cost_price_follows", "manual").wantCode(t, ExitOK)
	adjust(move{"5", "32", "given"}, "", "--qty", "5", "--unit-cost", "32")
	stockIs("17", "510.00")
	prices("14", "25.50")
	quote("25.50", "markup: average cost 17 × (1 + 50%)")
	// All 30 out (at the average 17): no stock, so the formula falls back to the cost price
	// 14: 21.00.
	adjust(move{"-30", "17", "average"}, "", "--qty", "-30")
	prices("14", "21.00")
	quote("21.00", "markup: cost price 14 × (1 + 50%)")

	// last_receipt: 4 at 9 with none on hand: average 9, cost price 9, price 9 × 1.5 = 13.50.
	run(t, url, "settings", "set", "cost_price_follows", "last_receipt").wantCode(t, ExitOK)
	adjust(move{"4", "9", "given"}, "", "--qty", "4", "--unit-cost", "9")
	stockIs("9", "36.00")
	prices("9", "13.50")
	// 6 without a cost come in at the average 9 and are no receipt of a cost: all stays.
	adjust(move{"6", "9", "average"}, "valued at the average cost 9", "--qty", "6")
	prices("9", "13.50")
	// 10 at 12: average (10 × 9 + 10 × 12) / 20 = 210 / 20 = 10.5, cost price 12 (the last
	// receipt), price from the average: 10.5 × 1.5 = 15.75.
	adjust(move{"10", "12", "given"}, "", "--qty", "10", "--unit-cost", "12")
	stockIs("10.5", "210.00")
	prices("12", "15.75")

	// A serial receipt without a cost: all 3 units at the cost price 7 (value 21), said once.
	run(t, url, "product", "add", "SN", "--name", "Serialised", "--serialized", "--cost", "7").wantCode(t, ExitOK)
	var sn []struct {
		UnitCost   string `json:"unit_cost"`
		CostSource string `json:"cost_source"`
	}
	r := run(t, url, "stock", "adjust", "SN", "--location", "MAIN", "--qty", "3", "--serial-start", "X1", "-o", "json").wantCode(t, ExitOK)
	r.json(t, &sn)
	if len(sn) != 3 || strings.Count(r.err, "valued at") != 1 || !strings.Contains(r.err, "SN: 3 in at MAIN valued at the product's cost price 7") {
		t.Fatalf("serial receipt: %+v, said %q", sn, r.err)
	}
	for _, m := range sn {
		if m.UnitCost != "7" || m.CostSource != "cost_price" {
			t.Fatalf("serial receipt: %+v", sn)
		}
	}

	run(t, url, "settings", "set", "cost_price_follows", "always").wantCode(t, ExitInvalid).wantErr(t, "manual, average, last_receipt")
	if r := run(t, url, "settings", "get", "cost_price_follows"); r.out != "last_receipt\n" {
		t.Fatalf("settings get: %q", r.out)
	}
}

// stocktake post counted below what is allocated: it posts, and lists the order lines that
// lost stock on stderr.
func TestCostsStocktakePostShortOfAllocations(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	for _, args := range [][]string{
		{"location", "add", "MAIN"},
		{"company", "add", "ACME", "--name", "Acme", "--customer"},
		{"product", "add", "W", "--name", "Widget", "--cost", "2", "--sell-price", "5"},
		{"stock", "adjust", "W", "--location", "MAIN", "--qty", "5"},
		{"so", "new", "ACME", "--location", "MAIN"},
		{"so", "add", "SO-000001", "W", "5"},
		{"so", "confirm", "SO-000001"},
		{"stocktake", "new", "--location", "MAIN", "--sku", "W"},
		{"stocktake", "count", "ST-000001", "W", "2"},
	} {
		run(t, url, args...).wantCode(t, ExitOK)
	}
	// 5 on hand, all 5 allocated to SO-000001; 2 counted: 5 - 2 = 3 come off its allocation
	// and go back on backorder; the post moves -3 at the average cost 2 (value -6).
	run(t, url, "stocktake", "post", "ST-000001").wantCode(t, ExitOK).
		wantErr(t, "ST-000001 posted: 1 adjustment moves, variance value -6",
			"SO-000001 line 1: 3 W at MAIN back on backorder (counted short; backordered now 3)")
	var so soJSON
	run(t, url, "so", "show", "SO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &so)
	if so.Lines[0].Allocated != "2" || so.Lines[0].Backordered != "3" {
		t.Fatalf("SO-000001 after the stocktake: %+v", so.Lines[0])
	}
	run(t, url, "stock", "check").wantCode(t, ExitOK)
}
