package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

func TestProductCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var p map[string]any
	run(t, url, "product", "add", "DRILL", "--name", "Cordless drill", "--cost", "52.10", "--sell-price", "129",
		"--category", "tools", "--portal", "--barcode", "4006381333931", "-o", "json").wantCode(t, ExitOK).json(t, &p)
	if p["type"] != "stock" || p["track_stock"] != true || p["sell_price"] != "129" || p["cost_price"] != "52.1" || p["created_by"] != "tester" {
		t.Fatalf("add: %v", p)
	}
	run(t, url, "product", "add", "DRILL", "--name", "x").wantCode(t, ExitInvalid).wantErr(t, "already exists")
	run(t, url, "product", "add", "X1", "--name", "x", "--cost", "abc").wantCode(t, ExitUsage).wantErr(t, "--cost")
	run(t, url, "product", "add", "X1", "--name", "x", "--type", "service", "--track-stock").wantCode(t, ExitInvalid).wantErr(t, "never stock-tracked")
	// A bad barcode rolls the whole add back: no product without its barcode.
	run(t, url, "product", "add", "X1", "--name", "x", "--barcode", "4006381333932").wantCode(t, ExitInvalid).wantErr(t, "check digit should be 1")
	run(t, url, "product", "show", "X1").wantCode(t, ExitNotFound)
	run(t, url, "product", "add", "INSTALL", "--name", "Installation", "--type", "service", "--sell-price", "85").wantCode(t, ExitOK)

	run(t, url, "product", "show", "DRILL", "-o", "json").wantCode(t, ExitOK).json(t, &p)
	if bs, _ := p["barcodes"].([]any); len(bs) != 1 || !strings.HasPrefix(bs[0].(string), "4006381333931") {
		t.Fatalf("show lists barcodes: %v", p["barcodes"])
	}

	r := run(t, url, "product", "list", "--type", "service", "--fields", "sku,type").wantCode(t, ExitOK)
	if r.out != "INSTALL\tservice\n" {
		t.Fatalf("list by type: %q", r.out)
	}
	run(t, url, "product", "list", "--all", "--inactive").wantCode(t, ExitUsage)
	run(t, url, "product", "list", "--type", "gizmo").wantCode(t, ExitInvalid)

	run(t, url, "product", "edit", "DRILL", "--sell-price", "119", "--track-stock=false").wantCode(t, ExitOK)
	run(t, url, "product", "edit", "NOPE", "--sell-price", "1").wantCode(t, ExitNotFound)
	run(t, url, "product", "edit", "DRILL", "--sales-uom", "kg").wantCode(t, ExitInvalid).wantErr(t, "weight unit")

	run(t, url, "product", "deactivate", "INSTALL").wantCode(t, ExitOK)
	if r := run(t, url, "product", "list", "--fields", "sku"); strings.Contains(r.out, "INSTALL") {
		t.Fatalf("inactive hidden: %q", r.out)
	}
	if r := run(t, url, "product", "list", "--inactive", "--fields", "sku"); r.out != "INSTALL\n" {
		t.Fatalf("--inactive: %q", r.out)
	}
	run(t, url, "product", "activate", "INSTALL").wantCode(t, ExitOK)

	run(t, url, "product", "delete", "FREIGHT", "--yes").wantCode(t, ExitInvalid).wantErr(t, "never deleted")
	run(t, url, "product", "delete", "INSTALL").wantCode(t, ExitUsage).wantErr(t, "--yes")
	run(t, url, "product", "delete", "INSTALL", "--yes").wantCode(t, ExitOK)
	run(t, url, "product", "show", "INSTALL").wantCode(t, ExitNotFound)

	run(t, url, "product", "check").wantCode(t, ExitOK)
	run(t, url, "product", "edit", "DRILL", "--sales-gl", "").wantCode(t, ExitOK)
	r = run(t, url, "product", "check", "-o", "json").wantCode(t, ExitInvalid).wantErr(t, "1 product(s)")
	if !strings.Contains(r.out, `"sales_gl"`) {
		t.Fatalf("check names what is missing: %s", r.out)
	}
}

func TestPortalExport(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "product", "add", "P1", "--name", "Lamp", "--portal", "--portal-description", "=HYPERLINK(x)", "--sell-price", "20").wantCode(t, ExitOK)
	run(t, url, "product", "add", "P2", "--name", "Hidden").wantCode(t, ExitOK)
	r := run(t, url, "portal", "export").wantCode(t, ExitOK)
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "sku,name,description,category,price,currency,unit,available,in_stock") {
		t.Fatalf("csv catalogue: %q", r.out)
	}
	if !strings.Contains(lines[1], `P1,Lamp,'=HYPERLINK(x),,20,USD,ea,0,false`) {
		t.Fatalf("row (formula guarded, availability 0 until stock exists): %q", lines[1])
	}
	file := filepath.Join(t.TempDir(), "catalogue.json")
	run(t, url, "portal", "export", file, "-o", "json").wantCode(t, ExitOK).wantErr(t, "1 portal products written")
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), `"sku": "P1"`) {
		t.Fatalf("json file: %s %v", b, err)
	}
	run(t, url, "portal", "export", "/nonexistent-dir/x.csv").wantCode(t, ExitInvalid).wantErr(t, "cannot write")
}
