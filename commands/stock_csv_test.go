package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/commands/app"
)

func TestStockLevelsImportExportCommands(t *testing.T) {
	t.Parallel()
	url := stockSetup(t)
	dir := t.TempDir()
	bad := writeCSV(t, dir, "bad.csv", "sku,location,min,max,bay\nW,MAIN,5,20,A1\nW,NOPE,1,x,\n")
	r := run(t, url, "stock", "levels", "import", bad, "-o", "json").wantCode(t, ExitInvalid).wantErr(t, "nothing was written")
	var sum struct {
		Created, Updated, Unchanged, Rejected int
		Errors                                []app.RowErrorLine
	}
	r.json(t, &sum)
	if sum.Rejected != 1 || len(sum.Errors) != 2 || sum.Errors[0].Column != "location" || sum.Errors[1].Column != "max" || sum.Errors[1].Value != "x" || sum.Errors[1].Row != 3 {
		t.Fatalf("json summary: %+v", sum)
	}
	empty := "sku,location,min,max,bay\n"
	if r := run(t, url, "stock", "levels", "export"); r.out != empty {
		t.Fatalf("a refused import wrote: %q", r.out)
	}
	run(t, url, "stock", "levels", "import", bad, "--skip-invalid", "--dry-run").wantCode(t, ExitPartial).wantErr(t, "1 created", "dry run")
	if r := run(t, url, "stock", "levels", "export"); r.out != empty {
		t.Fatalf("a dry run wrote: %q", r.out)
	}
	rej := filepath.Join(dir, "rejects.csv")
	run(t, url, "stock", "levels", "import", bad, "--skip-invalid", "--rejects", rej).wantCode(t, ExitPartial).wantErr(t, "1 created, 0 updated, 0 unchanged, 1 rejected")
	if b, _ := os.ReadFile(rej); !strings.Contains(string(b), `W,NOPE,1,x,,"row 3, location: unknown location`) || !strings.Contains(string(b), "row 3, max: not a number") {
		t.Fatalf("rejects file:\n%s", b)
	}
	out := filepath.Join(dir, "levels.csv")
	run(t, url, "stock", "levels", "export", out, "--location", "MAIN").wantCode(t, ExitOK).wantErr(t, "stock levels export: 1 rows")
	if b, _ := os.ReadFile(out); string(b) != empty+"W,MAIN,5,20,A1\n" {
		t.Fatalf("export:\n%s", b)
	}
	run(t, url, "stock", "levels", "import", out).wantCode(t, ExitOK).wantErr(t, "0 created, 0 updated, 1 unchanged, 0 rejected")
}

func TestStockImportCommand(t *testing.T) {
	t.Parallel()
	url := stockSetup(t)
	dir := t.TempDir()
	onHand := func() string {
		return run(t, url, "stock", "list", "--fields", "sku,on_hand", "-o", "csv").wantCode(t, ExitOK).out
	}
	before := onHand()
	bad := writeCSV(t, dir, "bad.csv", "sku,location,qty,unit_cost,batch,expiry,serials\nW,MAIN,10,2.5,,,\nW,MAIN,-11,,,,\nLOT,MAIN,x,,B1,2099-01-31,\n")
	r := run(t, url, "stock", "import", bad, "-o", "json").wantCode(t, ExitInvalid).wantErr(t, "2 rows are invalid", "nothing was written")
	var sum struct {
		Created, Updated, Unchanged, Rejected int
		Errors                                []app.RowErrorLine
	}
	r.json(t, &sum)
	if sum.Rejected != 2 || len(sum.Errors) != 2 || sum.Errors[0].Row != 3 || sum.Errors[0].Column != "qty" ||
		!strings.Contains(sum.Errors[0].Reason, "want 11, have 10") || sum.Errors[1].Row != 4 || sum.Errors[1].Reason[:12] != "not a number" {
		t.Fatalf("json summary: %+v", sum)
	}
	if onHand() != before {
		t.Fatal("a refused import posted")
	}
	run(t, url, "stock", "import", bad, "--skip-invalid", "--dry-run").wantCode(t, ExitPartial).wantErr(t, "stock import: 1 created", "dry run")
	if onHand() != before {
		t.Fatal("a dry run posted")
	}
	rej := filepath.Join(dir, "rejects.csv")
	run(t, url, "stock", "import", bad, "--skip-invalid", "--rejects", rej, "--ref", "OPEN-1").wantCode(t, ExitPartial).
		wantErr(t, "stock import: 1 created, 0 updated, 0 unchanged, 2 rejected")
	if b, _ := os.ReadFile(rej); !strings.HasPrefix(string(b), "sku,location,qty,unit_cost,batch,expiry,serials,reject_reasons\nW,MAIN,-11,,,,,\"row 3, qty: not enough W at MAIN") {
		t.Fatalf("rejects file:\n%s", b)
	}
	if got := onHand(); !strings.Contains(got, "W,10\n") {
		t.Fatalf("on hand after import: %q", got)
	}
	// The same ref with another file is refused, naming the first row that differs; stock
	// adjust knows the ref too.
	good := writeCSV(t, dir, "good.csv", "sku,location,qty\nW,MAIN,1\n")
	run(t, url, "stock", "import", good, "--ref", "OPEN-1").wantCode(t, ExitInvalid).wantErr(t, "ref OPEN-1 was posted with qty 10 in row 2; this run asks 1")
	run(t, url, "stock", "adjust", "--file", good, "--ref", "OPEN-1").wantCode(t, ExitInvalid).wantErr(t, "ref OPEN-1 was posted with qty 10 in row 2; this run asks 1")
	run(t, url, "stock", "import", good, "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum.Created != 1 || !strings.Contains(onHand(), "W,11\n") {
		t.Fatalf("good import: %+v %s", sum, onHand())
	}
}
