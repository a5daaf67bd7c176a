package commands

import (
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

func TestDemoLoadsEveryAreaOnce(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var sum map[string]float64
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["companies"] != 6 || sum["products"] != 14 || sum["variants"] != 8 || sum["rates"] != 4 {
		t.Fatalf("first load: %v", sum)
	}
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	for k, v := range sum {
		if k != "settings" && v != 0 {
			t.Fatalf("second load added %s: %v", k, sum)
		}
	}
	// Each product type is represented, and the demo's catalogue passes its own check.
	var types []map[string]any
	run(t, url, "product", "list", "-o", "json", "--fields", "type").json(t, &types)
	seen := map[any]bool{}
	for _, p := range types {
		seen[p["type"]] = true
	}
	for _, typ := range []string{"stock", "service", "virtual", "time", "training", "freight", "system"} {
		if !seen[typ] {
			t.Errorf("demo has no %s product", typ)
		}
	}
	run(t, url, "product", "check").wantCode(t, ExitOK)
	run(t, url, "stock", "check").wantCode(t, ExitOK)
	if r := run(t, url, "transfer", "list", "--status", "in_transit", "--fields", "number"); r.out != "TR-000002\n" {
		t.Fatalf("the demo leaves one transfer in transit: %q", r.out)
	}
	run(t, url, "product", "lookup", "12000000000012", "-o", "json").wantCode(t, ExitOK)
	run(t, url, "demo", "--reset").wantCode(t, ExitUsage).wantErr(t, "--yes")
}
