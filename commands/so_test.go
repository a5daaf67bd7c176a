package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db/dbtest"
)

func decEq(got, want string) bool {
	g, err := decimal.NewFromString(got)
	return err == nil && g.Equal(decimal.RequireFromString(want))
}

// soSetup: location MAIN and NORTH, customer ACME, product W (sell 10) with 5 at MAIN and 3 at
// NORTH, service FIT (sell 40).
func soSetup(t *testing.T) string {
	t.Helper()
	url := dbtest.NewURL(t)
	run(t, url, "location", "add", "MAIN", "--name", "Main").wantCode(t, ExitOK)
	run(t, url, "location", "add", "NORTH", "--name", "North").wantCode(t, ExitOK)
	run(t, url, "company", "add", "ACME", "--name", "Acme", "--customer").wantCode(t, ExitOK)
	run(t, url, "product", "add", "W", "--name", "Widget", "--sell-price", "10").wantCode(t, ExitOK)
	run(t, url, "product", "add", "FIT", "--name", "Fitting", "--type", "service", "--sell-price", "40").wantCode(t, ExitOK)
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "5", "--unit-cost", "2").wantCode(t, ExitOK)
	run(t, url, "stock", "adjust", "W", "--location", "NORTH", "--qty", "3", "--unit-cost", "2").wantCode(t, ExitOK)
	return url
}

type soJSON struct {
	Number      string `json:"number"`
	Status      string `json:"status"`
	Subtotal    string `json:"subtotal"`
	Backordered string `json:"backordered"`
	Lines       []struct {
		Line        int    `json:"line"`
		SKU         string `json:"sku"`
		Qty         string `json:"qty"`
		UnitPrice   string `json:"unit_price"`
		PriceSource string `json:"price_source"`
		Allocated   string `json:"allocated"`
		Backordered string `json:"backordered"`
		Shipped     string `json:"shipped"`
		Invoiced    string `json:"invoiced"`
	} `json:"lines"`
}

func TestSOLifecycleCommands(t *testing.T) {
	t.Parallel()
	url := soSetup(t)
	run(t, url, "so", "new", "ACME").wantCode(t, ExitUsage).wantErr(t, "--location")
	run(t, url, "so", "new", "NOBODY", "--location", "MAIN").wantCode(t, ExitNotFound).wantErr(t, "unknown customer")
	run(t, url, "so", "new", "ACME", "--location", "MAIN").wantCode(t, ExitOK).wantErr(t, "SO-000001 created")
	run(t, url, "so", "add", "SO-000001", "W", "7").wantCode(t, ExitOK)
	run(t, url, "so", "add", "SO-000001", "FIT", "1", "--price", "35").wantCode(t, ExitOK)
	run(t, url, "so", "add", "SO-000001", "W", "x").wantCode(t, ExitUsage).wantErr(t, "QTY")
	run(t, url, "so", "add", "SO-000009", "W", "1").wantCode(t, ExitNotFound)

	var so soJSON
	run(t, url, "so", "confirm", "SO-000001", "--dry-run", "-o", "json").wantCode(t, ExitOK).json(t, &so)
	run(t, url, "so", "show", "SO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &so)
	if so.Status != "draft" {
		t.Fatalf("dry run confirmed: %+v", so)
	}
	run(t, url, "so", "confirm", "SO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &so)
	// 7 W: 5 allocated, 2 backordered; FIT manual at 35. 7 × 10 + 35 = 105.
	if so.Status != "confirmed" || !decEq(so.Subtotal, "105") || so.Lines[0].Allocated != "5" || so.Lines[0].Backordered != "2" ||
		so.Lines[0].PriceSource != "sell_price" || so.Lines[1].PriceSource != "manual" || so.Lines[1].Backordered != "0" {
		t.Fatalf("confirmed: %+v", so)
	}
	run(t, url, "so", "confirm", "SO-000001").wantCode(t, ExitInvalid).wantErr(t, "only a draft")

	// backorders list: 2 W at MAIN, 0 here, 3 at NORTH: elsewhere. Piped: no colour codes.
	var bo []struct {
		SO        string `json:"so"`
		Status    string `json:"status"`
		Here      string `json:"available_here"`
		Elsewhere string `json:"available_elsewhere"`
	}
	run(t, url, "backorders", "list", "-o", "json").wantCode(t, ExitOK).json(t, &bo)
	if len(bo) != 1 || bo[0].Status != "elsewhere" || bo[0].Here != "0" || bo[0].Elsewhere != "3" {
		t.Fatalf("backorders: %+v", bo)
	}
	out := run(t, url, "backorders", "list").wantCode(t, ExitOK).out
	if !strings.Contains(out, "elsewhere") || strings.Contains(out, "\x1b[") {
		t.Fatalf("piped table: %q", out)
	}
	run(t, url, "backorders", "list", "--status", "here", "-o", "json").wantCode(t, ExitOK).json(t, &bo)
	if len(bo) != 0 {
		t.Fatalf("--status here: %+v", bo)
	}
	run(t, url, "backorders", "list", "--status", "soon").wantCode(t, ExitInvalid).wantErr(t, "--status")

	// Manual backorder: all 7 on backorder frees the 5.
	run(t, url, "so", "backorder", "SO-000001", "1", "7").wantCode(t, ExitOK)
	run(t, url, "so", "backorder", "SO-000001", "1", "9").wantCode(t, ExitInvalid).wantErr(t, "between 0 and 7")
	// Release takes them back (5 available).
	var rel []struct {
		SO       string `json:"so"`
		Released string `json:"released"`
	}
	run(t, url, "so", "release").wantCode(t, ExitUsage)
	run(t, url, "so", "release", "--all", "--dry-run", "-o", "json").wantCode(t, ExitOK).json(t, &rel)
	if len(rel) != 1 || rel[0].Released != "5" {
		t.Fatalf("dry release: %+v", rel)
	}
	run(t, url, "so", "release", "SO-000001", "--ship", "--invoice", "-o", "json").wantCode(t, ExitOK).
		wantErr(t, "SH-000001", "INV-000001").json(t, &rel)
	run(t, url, "so", "show", "SO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &so)
	// Shipped 5 W, invoiced 5 W and the fitting; 2 still backordered.
	if so.Status != "partially_shipped" || so.Lines[0].Shipped != "5" || so.Lines[0].Invoiced != "5" || so.Lines[1].Invoiced != "1" || so.Lines[0].Backordered != "2" {
		t.Fatalf("after release --ship --invoice: %+v", so)
	}
	run(t, url, "stock", "check").wantCode(t, ExitOK)

	// 2 more arrive, release, ship line 1, invoice: closed.
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "2", "--unit-cost", "2").wantCode(t, ExitOK)
	run(t, url, "so", "release", "--all").wantCode(t, ExitOK)
	run(t, url, "so", "ship", "SO-000001", "--line", "1", "--qty", "3").wantCode(t, ExitInvalid).wantErr(t, "at most the 2 allocated")
	run(t, url, "so", "ship", "SO-000001", "--line", "1").wantCode(t, ExitOK).wantErr(t, "SH-000002", "shipped")
	var inv struct {
		Number string `json:"number"`
		Total  string `json:"total"`
	}
	run(t, url, "so", "invoice", "SO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &inv)
	if inv.Number != "INV-000002" || !decEq(inv.Total, "20") {
		t.Fatalf("invoice: %+v", inv)
	}
	run(t, url, "so", "list", "--status", "closed", "-o", "json").wantCode(t, ExitOK).json(t, &bo)
	if len(bo) != 1 {
		t.Fatalf("closed orders: %+v", bo)
	}
	run(t, url, "invoice", "show", "INV-000001", "-o", "json").wantCode(t, ExitOK).json(t, &inv)
	if !decEq(inv.Total, "85") { // 5 × 10 + 35
		t.Fatalf("INV-000001: %+v", inv)
	}
	file := filepath.Join(t.TempDir(), "inv.csv")
	run(t, url, "invoice", "export", file).wantCode(t, ExitOK)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "invoice,date,so,customer") || !strings.HasPrefix(lines[1], "INV-000001,") {
		t.Fatalf("export:\n%s", b)
	}
	run(t, url, "invoice", "show", "INV-000404").wantCode(t, ExitNotFound)
	run(t, url, "so", "cancel", "SO-000001").wantCode(t, ExitInvalid).wantErr(t, "cannot be cancelled")
}
