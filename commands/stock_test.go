package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

func stockSetup(t *testing.T) string {
	t.Helper()
	url := dbtest.NewURL(t)
	run(t, url, "location", "add", "MAIN", "--name", "Main warehouse").wantCode(t, ExitOK)
	run(t, url, "bay", "add", "MAIN", "A1").wantCode(t, ExitOK)
	run(t, url, "product", "add", "W", "--name", "Widget").wantCode(t, ExitOK)
	run(t, url, "product", "add", "LOT", "--name", "Lotted", "--batch-tracked").wantCode(t, ExitOK)
	run(t, url, "product", "add", "SER", "--name", "Serialised", "--serialized").wantCode(t, ExitOK)
	return url
}

func TestLocationsAndBays(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "location", "add", "MAIN", "--name", "Main").wantCode(t, ExitOK)
	run(t, url, "location", "add", "MAIN").wantCode(t, ExitInvalid).wantErr(t, "already exists")
	run(t, url, "location", "add", "~x").wantCode(t, ExitInvalid)
	run(t, url, "location", "add", "VAN", "--region", "NOPE").wantCode(t, ExitNotFound).wantErr(t, "unknown sales region")
	run(t, url, "location", "show", "NOPE").wantCode(t, ExitNotFound)
	if r := run(t, url, "location", "list", "--fields", "code"); r.out != "MAIN\n" {
		t.Fatalf("virtual locations are never listed: %q", r.out)
	}
	run(t, url, "bay", "add", "MAIN", "A1").wantCode(t, ExitOK)
	run(t, url, "bay", "add", "MAIN", "A1").wantCode(t, ExitInvalid)
	run(t, url, "bay", "add", "NOPE", "A1").wantCode(t, ExitNotFound).wantErr(t, "unknown location")
	if r := run(t, url, "bay", "list", "MAIN", "--fields", "code"); r.out != "A1\n" {
		t.Fatalf("bays: %q", r.out)
	}
}

func TestStockAdjustCommand(t *testing.T) {
	t.Parallel()
	url := stockSetup(t)
	var moves []map[string]any
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "10", "--unit-cost", "2.5", "-o", "json").wantCode(t, ExitOK).json(t, &moves)
	if len(moves) != 1 || moves[0]["qty"] != "10" || moves[0]["unit_cost"] != "2.5" {
		t.Fatalf("moves: %v", moves)
	}
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "-11").wantCode(t, ExitInvalid).wantErr(t, "want 11, have 10")
	run(t, url, "stock", "adjust", "W", "--qty", "1").wantCode(t, ExitUsage).wantErr(t, "--location")
	run(t, url, "stock", "adjust", "W", "--location", "MAIN").wantCode(t, ExitUsage).wantErr(t, "--qty")
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "x").wantCode(t, ExitUsage)
	run(t, url, "stock", "adjust", "NOPE", "--location", "MAIN", "--qty", "1").wantCode(t, ExitNotFound)
	run(t, url, "stock", "adjust", "LOT", "--location", "MAIN", "--qty", "1").wantCode(t, ExitInvalid).wantErr(t, "--batch")
	run(t, url, "stock", "adjust", "SER", "--location", "MAIN", "--qty", "2", "--serial", "S1").wantCode(t, ExitInvalid).wantErr(t, "give 2 serial numbers")
	run(t, url, "stock", "adjust", "SER", "--location", "MAIN", "--qty", "2", "--serial", "S1,S2", "--bay", "A1").wantCode(t, ExitOK)
	run(t, url, "stock", "adjust", "LOT", "--location", "MAIN", "--qty", "5", "--batch", "B1", "--expiry", "2099-01-31").wantCode(t, ExitOK)
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "1", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")

	// --ref: the same delivery twice is recognised.
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "3", "--ref", "GRN-7").wantCode(t, ExitOK)
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "3", "--ref", "GRN-7").wantCode(t, ExitOK).wantErr(t, "already posted")

	// A file is all-or-nothing and reports every bad line.
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("sku,location,qty,unit_cost\nW,MAIN,abc,\n,MAIN,1,\nW,MAIN,1,zz\n"), 0o644)
	r := run(t, url, "stock", "adjust", "--file", bad).wantCode(t, ExitInvalid).wantErr(t, "3 rows are invalid (listed on standard output)")
	for _, want := range []string{"2\tqty\tabc\t", "3\tsku\t\t", "4\tunit_cost\tzz\t"} {
		if !strings.Contains(r.out, want) {
			t.Fatalf("bad rows: %q lacks %q", r.out, want)
		}
	}
	rule := filepath.Join(dir, "rule.csv")
	os.WriteFile(rule, []byte("sku,location,qty\nW,MAIN,1\nW,MAIN,-500\n"), 0o644)
	r = run(t, url, "stock", "adjust", "--file", rule).wantCode(t, ExitInvalid).wantErr(t, "1 row is invalid")
	if !strings.HasPrefix(r.out, "3\tqty\t-500\t") {
		t.Fatalf("the row refused is the file's row 3 (the header is row 1): %q", r.out)
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("\xef\xbb\xbfqty,sku,location,batch,serials\n4,W,MAIN,,\n2,LOT,MAIN,B1,\n-1,SER,MAIN,,S2\n"), 0o644)
	r = run(t, url, "stock", "adjust", "--file", good, "-o", "json").wantCode(t, ExitOK).wantErr(t, "3 adjustments posted")
	if !strings.Contains(r.out, `"serial": "S2"`) {
		t.Fatalf("file moves: %s", r.out)
	}
	unknown := filepath.Join(dir, "unknown.csv")
	os.WriteFile(unknown, []byte("sku,location,qty,colour\nW,MAIN,1,red\n"), 0o644)
	run(t, url, "stock", "adjust", "--file", unknown).wantCode(t, ExitInvalid).wantErr(t, `unknown column "colour"`)
}
