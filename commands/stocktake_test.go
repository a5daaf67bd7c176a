package commands

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/inventory/barcode"
)

// runIn runs stockctl with stdin, as a script would, or as a person at a terminal when tty.
func runIn(t *testing.T, url, stdin string, tty bool, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	app := &App{In: strings.NewReader(stdin), Out: &out, Err: &errb, InTTY: tty, ErrTTY: tty}
	code := app.Run(context.Background(), append([]string{"--db", url, "--actor", "counter"}, args...))
	return result{out.String(), errb.String(), code}
}

func ean(t *testing.T, body string) string {
	t.Helper()
	c, err := barcode.CheckDigit(body)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s%d", body, c)
}

// stocktakeSetup: MAIN with bays A1 and A2; W (box = 12, a unit and a box barcode): 10 in A1
// at 2.00; LOT batch B1 20; SER serials S1, S2 in A1. Returns the URL and W's two barcodes.
func stocktakeSetup(t *testing.T) (url, unit, box string) {
	t.Helper()
	url = dbtest.NewURL(t)
	unit, box = ean(t, "200000000021"), ean(t, "200000000022")
	for _, args := range [][]string{
		{"location", "add", "MAIN", "--name", "Main"},
		{"bay", "add", "MAIN", "A1"},
		{"bay", "add", "MAIN", "A2"},
		{"product", "add", "W", "--name", "Widget", "--category", "tools"},
		{"product", "pack", "add", "W", "box", "--qty", "12"},
		{"product", "barcode", "add", "W", unit},
		{"product", "barcode", "add", "W", box, "--pack", "box"},
		{"product", "add", "LOT", "--name", "Lotted", "--batch-tracked"},
		{"product", "add", "SER", "--name", "Serialised", "--serialized"},
		{"stock", "adjust", "W", "--location", "MAIN", "--qty", "10", "--unit-cost", "2", "--bay", "A1"},
		{"stock", "adjust", "LOT", "--location", "MAIN", "--qty", "20", "--batch", "B1", "--unit-cost", "1"},
		{"stock", "adjust", "SER", "--location", "MAIN", "--qty", "2", "--serial", "S1,S2", "--bay", "A1", "--unit-cost", "50"},
	} {
		run(t, url, args...).wantCode(t, ExitOK)
	}
	return url, unit, box
}

type stLineJSON struct {
	SKU           string  `json:"sku"`
	Bay           *string `json:"bay"`
	Batch         *string `json:"batch"`
	Serial        *string `json:"serial"`
	Expected      *string `json:"expected"`
	Counted       *string `json:"counted"`
	OnHand        *string `json:"on_hand"`
	NetMoves      *string `json:"net_moves"`
	Moved         *bool   `json:"moved"`
	Variance      *string `json:"variance"`
	VarianceValue *string `json:"variance_value"`
	CountedBy     *string `json:"counted_by"`
}

type stDocJSON struct {
	Number        string       `json:"number"`
	Location      string       `json:"location"`
	Status        string       `json:"status"`
	Blind         bool         `json:"blind"`
	Lines         []stLineJSON `json:"lines"`
	Counted       int          `json:"counted"`
	Uncounted     int          `json:"uncounted"`
	VarianceValue *string      `json:"variance_value"`
}

func (d stDocJSON) line(t *testing.T, sku, bay string) stLineJSON {
	t.Helper()
	for _, l := range d.Lines {
		if l.SKU == sku && deref(l.Bay) == bay {
			return l
		}
	}
	t.Fatalf("%s has no line %s in %q: %+v", d.Number, sku, bay, d.Lines)
	return stLineJSON{}
}

func s(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestStocktakeCommands(t *testing.T) {
	t.Parallel()
	url, _, _ := stocktakeSetup(t)
	// Usage errors (4), rules (5), unknown things (6).
	run(t, url, "stocktake", "new").wantCode(t, ExitUsage).wantErr(t, "--location")
	run(t, url, "stocktake", "new", "--location", "MAIN", "--sku", "W", "--category", "tools").wantCode(t, ExitUsage).wantErr(t, "not both")
	run(t, url, "stocktake", "new", "--location", "NOPE").wantCode(t, ExitNotFound).wantErr(t, `unknown location "NOPE"`)
	run(t, url, "stocktake", "new", "--location", "MAIN", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")

	var doc stDocJSON
	r := run(t, url, "stocktake", "new", "--location", "MAIN", "-o", "json").wantCode(t, ExitOK).wantErr(t, "with 4 lines to count")
	r.json(t, &doc)
	if doc.Number != "ST-000001" || doc.Status != "open" || len(doc.Lines) != 4 {
		t.Fatalf("new (the dry run took no number): %+v", doc)
	}
	run(t, url, "stocktake", "new", "--location", "MAIN", "--sku", "W").wantCode(t, ExitInvalid).wantErr(t, "W at MAIN already in open stocktake ST-000001")

	run(t, url, "stocktake", "count").wantCode(t, ExitUsage).wantErr(t, "missing ST")
	run(t, url, "stocktake", "count", "ST-000001", "W").wantCode(t, ExitUsage).wantErr(t, "missing QTY")
	run(t, url, "stocktake", "count", "ST-000001", "W", "x").wantCode(t, ExitUsage).wantErr(t, "QTY x: not a number")
	run(t, url, "stocktake", "count", "ST-000009", "W", "1").wantCode(t, ExitNotFound).wantErr(t, "stocktake ST-000009 does not exist")
	run(t, url, "stocktake", "count", "ST-000001", "NOPE", "1").wantCode(t, ExitNotFound)
	run(t, url, "stocktake", "count", "ST-000001", "W", "--", "-1").wantCode(t, ExitInvalid).wantErr(t, "cannot be negative")
	run(t, url, "stocktake", "count", "ST-000001", "W", "1", "--bay", "Z9").wantCode(t, ExitNotFound).wantErr(t, `no bay "Z9"`)
	run(t, url, "stocktake", "count", "ST-000001", "LOT", "19", "--batch", "B1", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")

	var counted []stLineJSON
	run(t, url, "stocktake", "count", "ST-000001", "W", "9", "-o", "json").wantCode(t, ExitOK).json(t, &counted)
	if len(counted) != 1 || s(counted[0].Bay) != "A1" || s(counted[0].Counted) != "9" || s(counted[0].Variance) != "-1" || s(counted[0].CountedBy) != "tester" {
		t.Fatalf("count goes where W is expected: bay %s counted %s variance %s by %s", s(counted[0].Bay), s(counted[0].Counted), s(counted[0].Variance), s(counted[0].CountedBy))
	}
	run(t, url, "stocktake", "count", "ST-000001", "SER", "--serial", "S3").wantCode(t, ExitOK)
	run(t, url, "stocktake", "count", "ST-000001", "SER", "1", "--serial", "S1").wantCode(t, ExitOK)

	run(t, url, "stocktake", "show", "ST-000001", "-o", "json").wantCode(t, ExitOK).json(t, &doc)
	if doc.Counted != 3 || doc.Uncounted != 2 || s(doc.VarianceValue) != "48.00" {
		t.Fatalf("show: -1 x 2.00 + 1 x 50.00 = 48: %+v", doc)
	}
	// Piped table: the header as key<TAB>value lines, a blank line, then the lines.
	r = run(t, url, "stocktake", "show", "ST-000001").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "number\tST-000001\n") || !strings.Contains(r.out, "\n\nLOT\t\tB1\t\t20\t\t20\tfalse\t\t\n") {
		t.Fatalf("show table: %q", r.out)
	}
	r = run(t, url, "stocktake", "show", "ST-000001", "-o", "csv", "--fields", "sku,serial,counted,variance")
	if !strings.Contains(r.out, "sku,serial,counted,variance\nLOT,,,\nSER,S1,1,0\nSER,S2,,\nSER,S3,1,1\nW,,9,-1\n") {
		t.Fatalf("show csv: %q", r.out)
	}
	var list []map[string]any
	run(t, url, "stocktake", "list", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 1 || list[0]["number"] != "ST-000001" || list[0]["counted"] != float64(3) {
		t.Fatalf("list: %v", list)
	}
	run(t, url, "stocktake", "list", "--status", "posted").wantCode(t, ExitOK).wantErr(t, "no stocktakes")
	run(t, url, "stocktake", "list", "--status", "nah").wantCode(t, ExitInvalid)

	// Post: dry run first, then for real; W -1, S3 +1 (S2, uncounted, left alone).
	run(t, url, "stocktake", "post", "ST-000001", "--dry-run").wantCode(t, ExitOK).wantErr(t, "2 adjustment moves", "dry run")
	var moves []map[string]any
	run(t, url, "stocktake", "post", "ST-000001", "-o", "json").wantCode(t, ExitOK).wantErr(t, "ST-000001 posted: 2 adjustment moves, variance value 48.00").json(t, &moves)
	if len(moves) != 2 || moves[0]["sku"] != "W" || moves[0]["qty"] != "-1" || moves[1]["serial"] != "S3" {
		t.Fatalf("moves: %v", moves)
	}
	run(t, url, "stocktake", "post", "ST-000001").wantCode(t, ExitInvalid).wantErr(t, "already posted")
	run(t, url, "stocktake", "count", "ST-000001", "W", "1").wantCode(t, ExitInvalid).wantErr(t, "already posted")
	run(t, url, "stocktake", "cancel", "ST-000001", "--yes").wantCode(t, ExitInvalid).wantErr(t, "already posted")
	run(t, url, "stock", "check").wantCode(t, ExitOK)
	r = run(t, url, "stock", "moves", "W", "--kind", "stocktake", "-o", "json").wantCode(t, ExitOK)
	if !strings.Contains(r.out, `"ST-000001"`) {
		t.Fatalf("the move carries the stocktake number: %s", r.out)
	}

	// Cancel asks for --yes when not on a terminal.
	run(t, url, "stocktake", "new", "--location", "MAIN", "--sku", "W", "-o", "json").wantCode(t, ExitOK).json(t, &doc)
	if doc.Number != "ST-000002" {
		t.Fatalf("number: %s", doc.Number)
	}
	run(t, url, "stocktake", "cancel", "ST-000002").wantCode(t, ExitUsage).wantErr(t, "--yes")
	run(t, url, "stocktake", "cancel", "ST-000002", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &doc)
	if doc.Status != "cancelled" {
		t.Fatalf("cancelled: %+v", doc)
	}
}

func TestStocktakeMovesAfterSnapshotBothWays(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		flag, onHand, posted string
	}{
		{"", "8", "-1"},              // 6 - (10 - 3)
		{"--set-counted", "6", "-3"}, // 6 - 9
	} {
		t.Run("post"+c.flag, func(t *testing.T) {
			url, _, _ := stocktakeSetup(t)
			run(t, url, "stocktake", "new", "--location", "MAIN", "--sku", "W").wantCode(t, ExitOK)
			run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "-3", "--bay", "A1").wantCode(t, ExitOK)
			run(t, url, "stocktake", "count", "ST-000001", "W", "6").wantCode(t, ExitOK)
			run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "2", "--bay", "A1").wantCode(t, ExitOK)
			var doc stDocJSON
			run(t, url, "stocktake", "show", "ST-000001", "-o", "json").json(t, &doc)
			l := doc.line(t, "W", "A1")
			if s(l.Expected) != "10" || s(l.OnHand) != "9" || s(l.NetMoves) != "-1" || l.Moved == nil || !*l.Moved || s(l.Variance) != "-1" {
				t.Fatalf("moved line: %+v", l)
			}
			args := []string{"stocktake", "post", "ST-000001", "-o", "json"}
			if c.flag != "" {
				args = append(args, c.flag)
			}
			var moves []map[string]any
			run(t, url, args...).wantCode(t, ExitOK).json(t, &moves)
			if len(moves) != 1 || moves[0]["qty"] != c.posted {
				t.Fatalf("posted: %v", moves)
			}
			var show map[string]any
			run(t, url, "stock", "show", "W", "-o", "json").json(t, &show)
			if show["on_hand"] != c.onHand {
				t.Fatalf("on hand %v, want %s", show["on_hand"], c.onHand)
			}
			run(t, url, "stock", "check").wantCode(t, ExitOK)
		})
	}
}

func TestStocktakeBlindAndZeroUncounted(t *testing.T) {
	t.Parallel()
	url, _, _ := stocktakeSetup(t)
	run(t, url, "stocktake", "new", "--location", "MAIN", "--blind").wantCode(t, ExitOK).wantErr(t, "blind")
	run(t, url, "stocktake", "count", "ST-000001", "W", "12").wantCode(t, ExitOK)
	var doc stDocJSON
	run(t, url, "stocktake", "show", "ST-000001", "-o", "json").json(t, &doc)
	if doc.VarianceValue != nil {
		t.Fatalf("blind total: %+v", doc)
	}
	for _, l := range doc.Lines {
		if l.Expected != nil || l.Variance != nil || l.OnHand != nil || l.Moved != nil {
			t.Fatalf("blind line: %+v", l)
		}
	}
	r := run(t, url, "stocktake", "show", "ST-000001", "--fields", "sku,expected,counted")
	if !strings.Contains(r.out, "W\t\t12\n") {
		t.Fatalf("blind table: %q", r.out)
	}
	run(t, url, "stocktake", "close", "ST-000001", "-o", "json").wantCode(t, ExitOK).wantErr(t, "1 of 4 lines counted").json(t, &doc)
	if l := doc.line(t, "W", "A1"); s(l.Expected) != "10" || s(l.Variance) != "2" {
		t.Fatalf("closed reveals: %+v", l)
	}
	run(t, url, "stocktake", "count", "ST-000001", "W", "1").wantCode(t, ExitInvalid).wantErr(t, "ST-000001 is closed")
	run(t, url, "stocktake", "close", "ST-000001").wantCode(t, ExitInvalid)
	// --zero-uncounted: W +2 (4.00), LOT -20 at 1.00, S1 and S2 -1 each at 50: -116.
	run(t, url, "stocktake", "post", "ST-000001", "--zero-uncounted").wantCode(t, ExitOK).wantErr(t, "4 adjustment moves, variance value -116.00")
	var show map[string]any
	run(t, url, "stock", "show", "LOT", "-o", "json").json(t, &show)
	if show["on_hand"] != "0" {
		t.Fatalf("LOT zeroed: %v", show)
	}
	run(t, url, "stock", "check").wantCode(t, ExitOK)
}

func TestStocktakeCountFile(t *testing.T) {
	t.Parallel()
	url, _, _ := stocktakeSetup(t)
	run(t, url, "stocktake", "new", "--location", "MAIN").wantCode(t, ExitOK)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.csv", "sku,qty,bay,batch,serial\nW,abc,,,\n,1,,,\nGHOST,1,,,\nW,1,Z9,,\nLOT,3,,B1,\nSER,,,,S1\nLOT,2,,,X\n")
	// Listed as every import lists its rejected rows: rows 2, 3, 4, 5 and 8 of the file's
	// eight lines are bad (6 and 7 are good), one reason each.
	r := run(t, url, "stocktake", "count", "ST-000001", "--file", bad, "-o", "json").wantCode(t, ExitInvalid).
		wantErr(t, "stocktake count: 5 rows are invalid (listed on standard output); nothing was counted")
	var rep struct {
		Rejected int                `json:"rejected"`
		Errors   []app.RowErrorLine `json:"errors"`
	}
	r.json(t, &rep)
	want := []app.RowErrorLine{
		{Row: 2, Column: "qty", Value: "abc", Reason: "not a number"},
		{Row: 3, Column: "sku", Value: "", Reason: "missing: give the product's SKU"},
		{Row: 4, Column: "sku", Value: "GHOST", Reason: "product GHOST does not exist"},
		{Row: 5, Column: "bay", Value: "Z9", Reason: `location MAIN has no bay "Z9"`},
		{Row: 8, Column: "serial", Value: "X", Reason: "product LOT is not serialised"},
	}
	if rep.Rejected != len(want) || len(rep.Errors) != len(want) {
		t.Fatalf("rejected %d, errors %+v", rep.Rejected, rep.Errors)
	}
	for i, w := range want {
		e := rep.Errors[i]
		if e.Row != w.Row || e.Column != w.Column || e.Value != w.Value || !strings.Contains(e.Reason, w.Reason) {
			t.Errorf("error %d: %+v, want %+v", i, e, w)
		}
	}
	var doc stDocJSON
	run(t, url, "stocktake", "show", "ST-000001", "-o", "json").json(t, &doc)
	if doc.Counted != 0 {
		t.Fatalf("all or nothing: %d counted", doc.Counted)
	}
	run(t, url, "stocktake", "count", "ST-000001", "--file", write("unknown.csv", "sku,qty,colour\nW,1,red\n")).
		wantCode(t, ExitInvalid).wantErr(t, `unknown column "colour"`)
	// The read flags of every import: --ignore-unknown, --map, --delimiter.
	run(t, url, "stocktake", "count", "ST-000001", "--dry-run", "--ignore-unknown", "--file", write("unknown.csv", "sku,qty,colour\nW,1,red\n")).
		wantCode(t, ExitOK).wantErr(t, "1 counts recorded on ST-000001")
	run(t, url, "stocktake", "count", "ST-000001", "--dry-run", "--map", "Item=sku,Counted=qty", "--delimiter", ";", "--file", write("mapped.csv", "Item;Counted\nW;1\n")).
		wantCode(t, ExitOK).wantErr(t, "1 counts recorded on ST-000001")
	// Rows are the file's lines: the first row spans lines 2-3, the second starts on line 4
	// and names the row it repeats by its line, 2. Table output: row, column, value, reason.
	r = run(t, url, "stocktake", "count", "ST-000001", "--file", write("dup.csv", "sku,qty,bay\nW,1,\"A1\n\"\nW,2,A1\n")).
		wantCode(t, ExitInvalid).wantErr(t, "1 row is invalid")
	if !strings.Contains(r.out, "4\tsku\tW\tthe same line as row 2 (W, bay A1): give it once, or add the counts up (--add)\n") {
		t.Fatalf("dup row: %q", r.out)
	}

	good := write("good.csv", "\xef\xbb\xbfqty,sku,unit,batch,serial,bay\n1,W,box,,,A1\n19,LOT,,B1,,\n,SER,,,S2,\n0,SER,,,S1,\n")
	r = run(t, url, "stocktake", "count", "ST-000001", "--file", good, "-o", "json").wantCode(t, ExitOK).wantErr(t, "4 counts recorded on ST-000001")
	var lines []stLineJSON
	r.json(t, &lines)
	if len(lines) != 4 || s(lines[0].Counted) != "12" || s(lines[0].Variance) != "2" {
		t.Fatalf("file counts (a box of W is 12): %+v", lines)
	}
	// --add with the same file adds; standard input works too.
	runIn(t, url, "sku,qty,bay\nW,3,A1\nW,1,A1\n", false, "stocktake", "count", "ST-000001", "--file", "-", "--add").wantCode(t, ExitOK)
	run(t, url, "stocktake", "show", "ST-000001", "-o", "json").json(t, &doc)
	if l := doc.line(t, "W", "A1"); s(l.Counted) != "16" {
		t.Fatalf("added: %+v", l)
	}
}

func TestStocktakeScanThroughAPipe(t *testing.T) {
	t.Parallel()
	url, unit, box := stocktakeSetup(t)
	run(t, url, "stocktake", "new", "--location", "MAIN", "--sku", "W", "--sku", "SER").wantCode(t, ExitOK)
	// Two units, a box of 12, the SKU, an unknown code, a product not on the stocktake, a
	// serial number (twice), blank lines ignored: 15 units of W, S1 once.
	codes := strings.Join([]string{unit, unit, box, "", "W", "9999999999994", "LOT", "S1", "S1", "  "}, "\n") + "\n"
	r := runIn(t, url, codes, false, "stocktake", "scan", "ST-000001")
	r.wantCode(t, ExitPartial).wantErr(t,
		"scan 5 (9999999999994) not counted: unknown code",
		"scan 6 (LOT) not counted: product LOT is not on stocktake ST-000001",
		"ST-000001: 8 scans, 6 counted (16 units on 2 lines), 2 not counted",
		"2 of 8 scans not counted")
	if strings.Contains(r.err, "+1 W") {
		t.Fatalf("no running tally when piped: %q", r.err)
	}
	if r.out != "W\tA1\t\t\t4\t15\t15\nSER\tA1\t\tS1\t2\t1\t1\n" {
		t.Fatalf("summary lines: %q", r.out)
	}
	var doc stDocJSON
	run(t, url, "stocktake", "show", "ST-000001", "-o", "json").json(t, &doc)
	if l := doc.line(t, "W", "A1"); s(l.Counted) != "15" || s(l.Variance) != "5" {
		t.Fatalf("scanned counts are kept: %+v", l)
	}

	// All codes known: exit 0; -o json gives the summary with its lines and problems.
	var sum struct {
		Scans, Counted, NotCounted int
		Units                      string
		Lines                      []map[string]any
		Problems                   []map[string]any
	}
	r = runIn(t, url, box+"\n"+box+"\n", false, "stocktake", "scan", "ST-000001", "-o", "json").wantCode(t, ExitOK)
	r.json(t, &sum)
	if sum.Scans != 2 || sum.Units != "24" || len(sum.Lines) != 1 || sum.Lines[0]["counted"] != "39" || len(sum.Problems) != 0 {
		t.Fatalf("json summary: %+v", sum)
	}
	// --dry-run checks codes and counts nothing.
	runIn(t, url, unit+"\n", false, "stocktake", "scan", "ST-000001", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	run(t, url, "stocktake", "show", "ST-000001", "-o", "json").json(t, &doc)
	if l := doc.line(t, "W", "A1"); s(l.Counted) != "39" {
		t.Fatalf("dry run counted: %+v", l)
	}
	// A closed stocktake takes no scans.
	run(t, url, "stocktake", "close", "ST-000001").wantCode(t, ExitOK)
	runIn(t, url, unit+"\n", false, "stocktake", "scan", "ST-000001").wantCode(t, ExitInvalid).wantErr(t, "closed")
	run(t, url, "stocktake", "post", "ST-000001").wantCode(t, ExitOK)
	run(t, url, "stock", "check").wantCode(t, ExitOK)
}

func TestStocktakeScanTallyOnATerminal(t *testing.T) {
	t.Parallel()
	url, unit, box := stocktakeSetup(t)
	run(t, url, "stocktake", "new", "--location", "MAIN", "--sku", "W").wantCode(t, ExitOK)
	r := runIn(t, url, unit+"\n"+box+"\nnope\n", true, "stocktake", "scan", "ST-000001", "--bay", "A2")
	r.wantCode(t, ExitPartial).wantErr(t,
		"Scanning into ST-000001 at MAIN, bay A2",
		"+1 W bay A2: counted 1 of 0 expected  [1 scans, 1 units, 0 not counted]",
		"+12 W (box) bay A2: counted 13 of 0 expected  [2 scans, 13 units, 0 not counted]",
		`! nope: unknown code "nope"`)
	// A blind stocktake's tally says nothing expected.
	run(t, url, "stocktake", "new", "--location", "MAIN", "--sku", "SER", "--blind").wantCode(t, ExitOK)
	r = runIn(t, url, "S2\n", true, "stocktake", "scan", "ST-000002").wantCode(t, ExitOK)
	if !strings.Contains(r.err, "+1 SER serial S2 bay A1: counted 1  [") || strings.Contains(r.err, "expected  [") {
		t.Fatalf("blind tally: %q", r.err)
	}
}

func TestStocktakeInTheDemo(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var sum map[string]float64
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["stocktakes"] != 1 {
		t.Fatalf("demo: %v", sum)
	}
	var doc stDocJSON
	run(t, url, "stocktake", "show", "ST-000001", "-o", "json").wantCode(t, ExitOK).json(t, &doc)
	if doc.Location != "STORE" || doc.Status != "open" || doc.Counted != 4 || doc.Uncounted == 0 {
		t.Fatalf("demo stocktake: %+v", doc)
	}
	// Drills: 3 opening + 6 transferred = 9 in FRONT, 8 counted; paint 45, 44 counted.
	if l := doc.line(t, "DRILL-18V", "FRONT"); s(l.Expected) != "9" || s(l.Variance) != "-1" {
		t.Fatalf("drills: %+v", l)
	}
	if l := doc.line(t, "SCREW-4X40", ""); s(l.Counted) != "400" || s(l.Variance) != "0" {
		t.Fatalf("screws counted in boxes: %+v", l)
	}
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["stocktakes"] != 0 {
		t.Fatalf("second demo run: %v", sum)
	}
	// The try-this line works, and the demo stocktake posts cleanly.
	runIn(t, url, "2000000000015\n", false, "stocktake", "scan", "ST-000001").wantCode(t, ExitOK).wantErr(t, "1 counted")
	run(t, url, "stocktake", "post", "ST-000001").wantCode(t, ExitOK)
	run(t, url, "stock", "check").wantCode(t, ExitOK)
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["stocktakes"] != 0 {
		t.Fatalf("demo after posting: %v", sum)
	}
}
