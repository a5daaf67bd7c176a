package commands

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/db/dbtest"
)

// flagName is a flag of stock adjust named in a reason, where a file row's column should be.
var flagName = regexp.MustCompile(`--(qty|batch|expiry|serial|serial-start|unit-cost|gl-code|bay|location)\b`)

// stock adjust --file reports like stock import: every bad row (its cells, its product, and
// what posting it would break), by file row (the header is row 1) and CSV column, and posts
// nothing; stock import reports the same rows with the same reasons.
func TestAdjustFileReportsEveryBadRow(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	dir := t.TempDir()
	file := filepath.Join(dir, "adj.csv")
	body := "sku,location,qty,unit_cost,batch\n" +
		"DRILL-18V,MAIN,2,,\n" + // 2: good
		"DRILL-18V,MAIN,0,,\n" + // 3: changes nothing
		"ROPE-10,MAIN,5,,\n" + // 4: batch-tracked without a batch
		"NOPE,MAIN,1,,\n" + // 5: unknown product
		"DRILL-18V,MAIN,abc,,\n" + // 6: not a number
		"DRILL-18V,MAIN,-1,5,\n" + // 7: a cost on stock going out
		"DRILL-18V,NOWHERE,1,,\n" + // 8: unknown location
		"DRILL-18V,MAIN,-100000,,\n" + // 9: not enough stock
		"SCREW-4X40,MAIN,3,,\n" // 10: good
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	before := run(t, url, "stock", "show", "DRILL-18V", "-o", "json").wantCode(t, ExitOK).out

	r := run(t, url, "stock", "adjust", "--file", file, "-o", "json").wantCode(t, ExitInvalid).
		wantErr(t, "stock adjust: 7 rows are invalid (listed on standard output); nothing was posted")
	var got struct {
		Rejected int                `json:"rejected"`
		Errors   []app.RowErrorLine `json:"errors"`
	}
	r.json(t, &got)
	want := []struct {
		row      int
		col, has string
	}{
		{3, "qty", "qty 0 changes nothing"},
		{4, "batch", "give batch (and expiry for a new batch)"},
		{5, "sku", "product NOPE does not exist"},
		{6, "qty", "not a number"},
		{7, "unit_cost", "unit_cost values stock coming in"},
		{8, "location", `unknown location "NOWHERE"`},
		{9, "qty", "not enough DRILL-18V at MAIN"},
	}
	if got.Rejected != len(want) || len(got.Errors) != len(want) {
		t.Fatalf("rejected %d, errors %+v", got.Rejected, got.Errors)
	}
	for i, w := range want {
		e := got.Errors[i]
		if e.Row != w.row || e.Column != w.col || !strings.Contains(e.Reason, w.has) {
			t.Errorf("error %d: %+v, want row %d column %s with %q", i, e, w.row, w.col, w.has)
		}
		if flagName.MatchString(e.Reason) {
			t.Errorf("row %d names a flag, not its column: %q", e.Row, e.Reason)
		}
	}
	if after := run(t, url, "stock", "show", "DRILL-18V", "-o", "json").out; after != before {
		t.Fatalf("a refused file posted something:\n%s\n%s", before, after)
	}

	// stock import checks the file with the same code: the same rows, columns and reasons.
	imp := run(t, url, "stock", "import", file, "-o", "json").wantCode(t, ExitInvalid)
	var impGot struct {
		Errors []app.RowErrorLine `json:"errors"`
	}
	imp.json(t, &impGot)
	a, _ := json.Marshal(got.Errors)
	b, _ := json.Marshal(impGot.Errors)
	if string(a) != string(b) {
		t.Fatalf("stock adjust --file and stock import disagree:\n%s\n%s", a, b)
	}

	// As a table, one line per reason, row first.
	r = run(t, url, "stock", "adjust", "--file", file).wantCode(t, ExitInvalid)
	if lines := strings.Split(strings.TrimSpace(r.out), "\n"); len(lines) != 7 || !strings.HasPrefix(lines[0], "3\tqty\t0\t") {
		t.Fatalf("table: %q", r.out)
	}

	// A refused file claims no ref: fixed, it posts under the same ref, once.
	r = run(t, url, "stock", "adjust", "--file", file, "--ref", "night-1").wantCode(t, ExitInvalid)
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte("sku,location,qty\nDRILL-18V,MAIN,2\nSCREW-4X40,MAIN,3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, url, "stock", "adjust", "--file", good, "--ref", "night-1").wantCode(t, ExitOK).wantErr(t, "2 adjustments posted as 2 moves")
	run(t, url, "stock", "adjust", "--file", good, "--ref", "night-1").wantCode(t, ExitOK).wantErr(t, "already posted")

	// The read flags of every import: a foreign header mapped, semicolons, a dry run.
	mapped := filepath.Join(dir, "mapped.csv")
	if err := os.WriteFile(mapped, []byte("Item;Where;Change\nDRILL-18V;MAIN;1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, url, "stock", "adjust", "--file", mapped, "--map", "Item=sku,Where=location,Change=qty", "--delimiter", ";", "--dry-run").
		wantCode(t, ExitOK).wantErr(t, "1 adjustments posted as 1 moves")
	run(t, url, "stock", "adjust", "--file", mapped).wantCode(t, ExitInvalid).wantErr(t, `unknown column`)
}

// A row that can only be refused once the rows before it are posted (the stock they leave)
// is found, and named by its own row: rows post in file order, as stock import's do.
func TestAdjustFileRowsPostInOrder(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	var levels []struct {
		Available string `json:"available"`
	}
	run(t, url, "stock", "list", "--sku", "DRILL-18V", "--location", "MAIN", "-o", "json").json(t, &levels)
	if len(levels) != 1 || levels[0].Available == "0" {
		t.Fatalf("the demo has drills available at MAIN: %+v", levels)
	}
	available := levels[0].Available
	dir := t.TempDir()
	file := filepath.Join(dir, "adj.csv")
	// Row 2 takes all there is; row 3 takes one more, which row 2 left no room for.
	body := "sku,location,qty\nDRILL-18V,MAIN,-" + available + "\nDRILL-18V,MAIN,-1\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Errors []app.RowErrorLine `json:"errors"`
	}
	run(t, url, "stock", "adjust", "--file", file, "-o", "json").wantCode(t, ExitInvalid).wantErr(t, "1 row is invalid").json(t, &got)
	if len(got.Errors) != 1 || got.Errors[0].Row != 3 || got.Errors[0].Column != "qty" || !strings.Contains(got.Errors[0].Reason, "not enough") {
		t.Fatalf("only row 3 is refused: %+v", got.Errors)
	}
}
