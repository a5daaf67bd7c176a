package commands

import (
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// TestWOCommands: a backordered BENCH line (a bench is 2 LEG at 5 and 1 TOP at 30: 40) gets a
// work order from wo generate, once; completing it is refused while TOP is short, then goes
// through and allocates the bench to the line, which ships.
func TestWOCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "location", "add", "MAIN", "--name", "Main").wantCode(t, ExitOK)
	run(t, url, "company", "add", "ACME", "--name", "Acme", "--customer").wantCode(t, ExitOK)
	for _, p := range [][]string{{"BENCH", "90"}, {"LEG", "9"}, {"TOP", "50"}} {
		run(t, url, "product", "add", p[0], "--name", p[0], "--sell-price", p[1]).wantCode(t, ExitOK)
	}
	run(t, url, "product", "bom", "add", "BENCH", "LEG", "--qty", "2").wantCode(t, ExitOK)
	run(t, url, "product", "bom", "add", "BENCH", "TOP", "--qty", "1").wantCode(t, ExitOK)
	run(t, url, "stock", "adjust", "LEG", "--location", "MAIN", "--qty", "10", "--unit-cost", "5").wantCode(t, ExitOK)

	run(t, url, "wo", "new", "LEG", "1", "--location", "MAIN").wantCode(t, ExitInvalid).wantErr(t, "no bill of materials")
	run(t, url, "wo", "new", "BENCH", "2").wantCode(t, ExitUsage).wantErr(t, "--location")
	run(t, url, "wo", "show", "WO-000099").wantCode(t, ExitNotFound)

	run(t, url, "so", "new", "ACME", "--location", "MAIN").wantCode(t, ExitOK)
	run(t, url, "so", "add", "SO-000001", "BENCH", "2").wantCode(t, ExitOK)
	run(t, url, "so", "confirm", "SO-000001").wantCode(t, ExitOK)

	var gen []struct {
		SO, SKU, WO, Qty, Skipped string
		Line                      int
	}
	run(t, url, "wo", "generate", "--dry-run", "-o", "json").wantCode(t, ExitOK).json(t, &gen)
	run(t, url, "wo", "list", "-o", "json").wantCode(t, ExitOK).wantErr(t, "no work orders")
	run(t, url, "wo", "generate", "--so", "SO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &gen)
	if len(gen) != 1 || gen[0].WO == "" || gen[0].SO != "SO-000001" || gen[0].Line != 1 || !decEq(gen[0].Qty, "2") {
		t.Fatalf("generate: %+v", gen)
	}
	wo := gen[0].WO
	run(t, url, "wo", "generate", "-o", "json").wantCode(t, ExitOK).json(t, &gen)
	if len(gen) != 1 || gen[0].WO != "" || gen[0].Skipped == "" {
		t.Fatalf("second generate: %+v", gen)
	}

	var show struct {
		Number     string `json:"number"`
		SO         string `json:"so"`
		Components []struct {
			SKU, Needed, Available, Short string
		} `json:"components"`
	}
	run(t, url, "wo", "show", wo, "-o", "json").wantCode(t, ExitOK).json(t, &show)
	if show.SO != "SO-000001" || len(show.Components) != 2 || show.Components[1].SKU != "TOP" || !decEq(show.Components[1].Short, "2") {
		t.Fatalf("show: %+v", show)
	}
	run(t, url, "wo", "complete", wo).wantCode(t, ExitInvalid).wantErr(t, "TOP needs 2 ea, 0 available", "nothing was posted")

	run(t, url, "stock", "adjust", "TOP", "--location", "MAIN", "--qty", "2", "--unit-cost", "30").wantCode(t, ExitOK)
	var res struct {
		Qty       string `json:"qty"`
		Value     string `json:"value"`
		UnitCost  string `json:"unit_cost"`
		Allocated string `json:"allocated"`
		Order     struct {
			Status string `json:"status"`
		} `json:"work_order"`
	}
	run(t, url, "wo", "complete", wo, "--qty", "1", "--dry-run", "-o", "json").wantCode(t, ExitOK).json(t, &res)
	run(t, url, "wo", "complete", wo, "--qty", "1", "-o", "json").wantCode(t, ExitOK).json(t, &res)
	if !decEq(res.Value, "40") || !decEq(res.UnitCost, "40") || !decEq(res.Allocated, "1") || res.Order.Status != "partially_completed" {
		t.Fatalf("complete: %+v", res)
	}
	run(t, url, "wo", "complete", wo, "-o", "json").wantCode(t, ExitOK).json(t, &res)
	if !decEq(res.Qty, "1") || !decEq(res.Allocated, "1") || res.Order.Status != "completed" {
		t.Fatalf("complete the rest: %+v", res)
	}
	var so soJSON
	run(t, url, "so", "show", "SO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &so)
	if so.Lines[0].Allocated != "2" || so.Lines[0].Backordered != "0" {
		t.Fatalf("order after the build: %+v", so)
	}
	run(t, url, "so", "ship", "SO-000001").wantCode(t, ExitOK)
	run(t, url, "wo", "list", "--status", "completed").wantCode(t, ExitOK)
	run(t, url, "wo", "list", "--status", "bogus").wantCode(t, ExitInvalid).wantErr(t, "--status")
	run(t, url, "stock", "check").wantCode(t, ExitOK)
}
