package commands

import (
	"strings"
	"testing"
)

// stock check names stock held by an untracked product and a location whose allocated
// total disagrees with its order lines (the audit's 5 against 3), planted with SQL.
func TestStockCheckCommandUntrackedAndOrderAllocations(t *testing.T) {
	t.Parallel()
	url := querySetup(t)
	for _, args := range [][]string{
		{"product", "add", "P2", "--name", "Plain two"},
		{"stock", "adjust", "P2", "--location", "VAN", "--qty", "4", "--unit-cost", "1"},
		{"product", "edit", "W", "--sell-price", "10"},
		{"company", "add", "ACME", "--name", "Acme", "--customer"},
		{"so", "new", "ACME", "--location", "MAIN"},
		{"so", "add", "SO-000001", "W", "3"},
		{"so", "confirm", "SO-000001"},
	} {
		run(t, url, args...).wantCode(t, ExitOK)
	}
	run(t, url, "stock", "check").wantCode(t, ExitOK).wantErr(t, "every invariant holds")
	d, err := openRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, q := range []string{
		`UPDATE products SET track_stock = false WHERE sku = 'P2'`,
		`UPDATE stock_balances SET allocated = 5 WHERE product_id = (SELECT id FROM products WHERE sku = 'W')`,
	} {
		if _, err := d.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var vs []map[string]any
	r := run(t, url, "stock", "check", "-o", "json").wantCode(t, ExitInvalid).wantErr(t, "2 violation(s)")
	r.json(t, &vs)
	if len(vs) != 2 || vs[0]["check"] != "allocated_orders" || vs[0]["sku"] != "W" || vs[0]["location"] != "MAIN" ||
		vs[0]["detail"] != "allocated 5, but the sales order lines selling from here allocate 3" ||
		vs[1]["check"] != "untracked" || vs[1]["sku"] != "P2" || vs[1]["location"] != "VAN" ||
		!strings.Contains(vs[1]["detail"].(string), "on hand 4, allocated 0, but the product is not stock-tracked") {
		t.Fatalf("violations: %v", vs)
	}
}
