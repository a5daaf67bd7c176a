package commands

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// querySetup makes locations MAIN (bay A1) and VAN, products W (plain), LOT (batch-tracked),
// SER (serialised) and FIT (a service), and stock of each at MAIN.
func querySetup(t *testing.T) string {
	t.Helper()
	url := dbtest.NewURL(t)
	for _, args := range [][]string{
		{"location", "add", "MAIN", "--name", "Main warehouse"},
		{"location", "add", "VAN", "--name", "Van"},
		{"bay", "add", "MAIN", "A1"},
		{"product", "add", "W", "--name", "Widget"},
		{"product", "add", "LOT", "--name", "Lotted", "--batch-tracked"},
		{"product", "add", "SER", "--name", "Serialised", "--serialized"},
		{"product", "add", "FIT", "--name", "Fitting", "--type", "service"},
		{"stock", "adjust", "W", "--location", "MAIN", "--qty", "10", "--unit-cost", "2.50", "--reason", "opening"},
		{"stock", "adjust", "W", "--location", "MAIN", "--qty", "-1", "--reason", "damaged", "--narrative", "dropped"},
		{"stock", "adjust", "LOT", "--location", "MAIN", "--qty", "5", "--batch", "B1", "--expiry", "2099-01-31", "--bay", "A1"},
		{"stock", "adjust", "SER", "--location", "MAIN", "--qty", "2", "--serial", "S1,S2"},
		{"stock", "adjust", "SER", "--location", "MAIN", "--qty", "-1", "--serial", "S2", "--reason", "sold"},
	} {
		run(t, url, args...).wantCode(t, ExitOK)
	}
	return url
}

// runTTY runs stockctl as if stdout were a terminal.
func runTTY(t *testing.T, url string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	app := &App{In: strings.NewReader(""), Out: &out, Err: &errb, OutTTY: true}
	code := app.Run(context.Background(), append([]string{"--db", url, "--actor", "tester"}, args...))
	return result{out.String(), errb.String(), code}
}

func TestStockLevelsCommand(t *testing.T) {
	t.Parallel()
	url := querySetup(t)
	var l map[string]any
	run(t, url, "stock", "levels", "set", "W", "--location", "MAIN", "--min", "5", "--max", "20", "--bay", "A1", "-o", "json").
		wantCode(t, ExitOK).json(t, &l)
	if l["sku"] != "W" || l["location"] != "MAIN" || l["min"] != "5" || l["max"] != "20" || l["default_bay"] != "A1" || l["updated_by"] != "tester" {
		t.Fatalf("set: %v", l)
	}
	run(t, url, "stock", "levels", "set", "W", "--location", "MAIN", "--max", "30", "-o", "json").wantCode(t, ExitOK).json(t, &l)
	if l["min"] != "5" || l["max"] != "30" || l["default_bay"] != "A1" {
		t.Fatalf("flags not given keep their value: %v", l)
	}
	run(t, url, "stock", "levels", "set", "W", "--location", "MAIN", "--bay", "", "-o", "json").wantCode(t, ExitOK).json(t, &l)
	if l["default_bay"] != nil {
		t.Fatalf(`--bay "" clears: %v`, l)
	}
	run(t, url, "stock", "levels", "set", "W", "--location", "VAN", "--min", "1", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	run(t, url, "stock", "levels", "set", "W", "--location", "MAIN", "--max", "2").wantCode(t, ExitInvalid).wantErr(t, "below the minimum")
	run(t, url, "stock", "levels", "set", "W", "--location", "MAIN", "--min", "-1").wantCode(t, ExitInvalid).wantErr(t, "negative")
	run(t, url, "stock", "levels", "set", "W", "--location", "VAN", "--bay", "A1").wantCode(t, ExitNotFound).wantErr(t, "has no bay")
	run(t, url, "stock", "levels", "set", "W", "--location", "NOPE", "--min", "1").wantCode(t, ExitNotFound).wantErr(t, "unknown location")
	run(t, url, "stock", "levels", "set", "FIT", "--location", "MAIN", "--min", "1").wantCode(t, ExitInvalid).wantErr(t, "not stock-tracked")
	run(t, url, "stock", "levels", "set", "NOPE", "--location", "MAIN", "--min", "1").wantCode(t, ExitNotFound)
	run(t, url, "stock", "levels", "set", "W", "--min", "1").wantCode(t, ExitUsage).wantErr(t, "--location")
	run(t, url, "stock", "levels", "set", "W", "--location", "MAIN").wantCode(t, ExitUsage).wantErr(t, "nothing to set")
	run(t, url, "stock", "levels", "set", "W", "--location", "MAIN", "--min", "lots").wantCode(t, ExitUsage)
	run(t, url, "stock", "levels", "set", "--location", "MAIN", "--min", "1").wantCode(t, ExitUsage).wantErr(t, "missing SKU")
	run(t, url, "stock", "levels", "bogus").wantCode(t, ExitUsage)
	if r := run(t, url, "stock", "list", "--location", "VAN"); r.out != "" {
		t.Fatalf("the dry run stored nothing: %q", r.out)
	}
}

// A stock value is money: rounded half away from zero to the base currency's minor unit,
// while the average cost keeps its six decimals. 3 at 1.00 and 4 at 2.00: average (3 + 8)/7
// = 1.5714285… → 1.571429; value 7 × 1.571429 = 11.000003 → 11.00 (not 11.000003).
func TestStockValueInMinorUnits(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	for _, args := range [][]string{
		{"location", "add", "MAIN", "--name", "Main warehouse"},
		{"product", "add", "W", "--name", "Widget"},
		{"stock", "adjust", "W", "--location", "MAIN", "--qty", "3", "--unit-cost", "1.00", "--reason", "opening"},
		{"stock", "adjust", "W", "--location", "MAIN", "--qty", "4", "--unit-cost", "2.00", "--reason", "found"},
	} {
		run(t, url, args...).wantCode(t, ExitOK)
	}
	var det struct {
		AvgCost    string `json:"avg_cost"`
		StockValue string `json:"stock_value"`
	}
	run(t, url, "stock", "show", "W", "-o", "json").wantCode(t, ExitOK).json(t, &det)
	if det.AvgCost != "1.571429" || det.StockValue != "11.00" {
		t.Fatalf("avg_cost %s (want 1.571429), stock_value %s (want 11.00)", det.AvgCost, det.StockValue)
	}
	run(t, url, "stock", "show", "W").wantCode(t, ExitOK).wantErr(t, "average cost 1.571429, stock value 11.00 ")
}

func TestStockShowCommand(t *testing.T) {
	t.Parallel()
	url := querySetup(t)
	run(t, url, "stock", "levels", "set", "W", "--location", "VAN", "--min", "4").wantCode(t, ExitOK)
	var det struct {
		SKU        string `json:"sku"`
		OnHand     string `json:"on_hand"`
		Available  string `json:"available"`
		InTransit  string `json:"in_transit"`
		AvgCost    string `json:"avg_cost"`
		StockValue string `json:"stock_value"`
		Locations  []map[string]any
		Batches    []map[string]any
		Serials    []map[string]any
	}
	// Stock value 9 × 2.5 = 22.5, money shown in USD's minor unit: 22.50; the average cost
	// (a unit cost) keeps its own precision, 2.5.
	run(t, url, "stock", "show", "W", "-o", "json").wantCode(t, ExitOK).json(t, &det)
	if det.SKU != "W" || det.OnHand != "9" || det.Available != "9" || det.InTransit != "0" || det.AvgCost != "2.5" || det.StockValue != "22.50" {
		t.Fatalf("summary: %+v", det)
	}
	if len(det.Locations) != 2 || det.Locations[0]["location"] != "MAIN" || det.Locations[0]["on_order"] != "0" ||
		det.Locations[0]["backordered"] != "0" || det.Locations[1]["location"] != "VAN" || det.Locations[1]["min"] != "4" ||
		det.Locations[1]["on_hand"] != "0" || det.Batches == nil || len(det.Batches) != 0 || det.Serials == nil {
		t.Fatalf("sections: %+v", det)
	}
	run(t, url, "stock", "show", "LOT", "-o", "json").wantCode(t, ExitOK).json(t, &det)
	if len(det.Batches) != 1 || det.Batches[0]["batch"] != "B1" || det.Batches[0]["expiry"] != "2099-01-31" ||
		det.Batches[0]["bay"] != "A1" || det.Batches[0]["qty"] != "5" {
		t.Fatalf("batches: %+v", det.Batches)
	}
	run(t, url, "stock", "show", "SER", "-o", "json").wantCode(t, ExitOK).json(t, &det)
	if len(det.Serials) != 1 || det.Serials[0]["serial"] != "S1" || det.Serials[0]["location"] != "MAIN" {
		t.Fatalf("serials: %+v", det.Serials)
	}
	// Piped: only the locations table on stdout, the summary on stderr.
	r := run(t, url, "stock", "show", "W").wantCode(t, ExitOK).wantErr(t, "average cost 2.5,", "stock value 22.50 ")
	if lines := strings.Split(strings.TrimSpace(r.out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "MAIN\t9\t0\t9\t0\t0") {
		t.Fatalf("piped show: %q", r.out)
	}
	r = run(t, url, "stock", "show", "W", "-o", "csv").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "location,on_hand,allocated,available,on_order,backordered,min,max,default_bay,expired\n") {
		t.Fatalf("csv: %q", r.out)
	}
	// On a terminal: each section under its heading.
	r = runTTY(t, url, "stock", "show", "LOT").wantCode(t, ExitOK)
	for _, want := range []string{"stock_value:", "Locations\n", "Batches\n", "B1"} {
		if !strings.Contains(r.out, want) {
			t.Fatalf("terminal show lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "Serial numbers") {
		t.Fatalf("a batch-tracked product has no serials section:\n%s", r.out)
	}
	if r := runTTY(t, url, "stock", "show", "SER").wantCode(t, ExitOK); !strings.Contains(r.out, "Serial numbers\n") || strings.Contains(r.out, "Batches") {
		t.Fatalf("serialised product:\n%s", r.out)
	}
	run(t, url, "stock", "show", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "stock", "show", "FIT", "-o", "json").wantCode(t, ExitInvalid).wantErr(t, `"exit_code":5`)
	run(t, url, "stock", "show").wantCode(t, ExitUsage)
}

func TestStockListCommand(t *testing.T) {
	t.Parallel()
	url := querySetup(t)
	run(t, url, "stock", "levels", "set", "W", "--location", "MAIN", "--min", "10", "--max", "40").wantCode(t, ExitOK)
	run(t, url, "stock", "levels", "set", "LOT", "--location", "MAIN", "--min", "5").wantCode(t, ExitOK)
	run(t, url, "stock", "levels", "set", "SER", "--location", "VAN", "--min", "1").wantCode(t, ExitOK)
	var rows []map[string]any
	run(t, url, "stock", "list", "-o", "json").wantCode(t, ExitOK).json(t, &rows)
	if len(rows) != 4 {
		t.Fatalf("every balance and level: %v", rows)
	}
	run(t, url, "stock", "list", "--below-min", "-o", "json").wantCode(t, ExitOK).json(t, &rows)
	if len(rows) != 2 || rows[0]["sku"] != "SER" || rows[0]["location"] != "VAN" || rows[1]["sku"] != "W" ||
		rows[1]["available"] != "9" || rows[1]["on_order"] != "0" || rows[1]["min"] != "10" || rows[1]["max"] != "40" {
		t.Fatalf("below min: %v", rows)
	}
	if r := run(t, url, "stock", "list", "--below-min", "--location", "MAIN", "--fields", "sku,available,min"); r.out != "W\t9\t10\n" {
		t.Fatalf("below min at MAIN: %q", r.out)
	}
	if r := run(t, url, "stock", "list", "--sku", "LOT", "-o", "json"); !strings.Contains(r.out, `"on_hand": "5"`) {
		t.Fatalf("--sku: %s", r.out)
	}
	if r := run(t, url, "stock", "list", "--location", "VAN", "--below-min", "--sku", "W", "-o", "json").wantCode(t, ExitOK); strings.TrimSpace(r.out) != "[]" {
		t.Fatalf("empty list: %q", r.out)
	}
	run(t, url, "stock", "list", "--sku", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "stock", "list", "--location", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "stock", "list", "--limit", "-1").wantCode(t, ExitUsage)
	run(t, url, "stock", "list", "W").wantCode(t, ExitUsage)
}

func TestStockMovesCommand(t *testing.T) {
	t.Parallel()
	url := querySetup(t)
	var moves []map[string]any
	run(t, url, "stock", "moves", "-o", "json").wantCode(t, ExitOK).json(t, &moves)
	if len(moves) != 6 || moves[0]["sku"] != "SER" || moves[5]["reason"] != "opening" || moves[5]["qty"] != "10" ||
		moves[5]["from"] != "~adjustment" || moves[5]["to"] != "MAIN" || moves[5]["unit_cost"] != "2.5" ||
		moves[5]["actor"] != "tester" || moves[5]["kind"] != "adjustment" {
		t.Fatalf("newest first, every column: %v", moves)
	}
	run(t, url, "stock", "moves", "W", "-o", "json").wantCode(t, ExitOK).json(t, &moves)
	if len(moves) != 2 || moves[0]["narrative"] != "dropped" || moves[0]["from"] != "MAIN" {
		t.Fatalf("by SKU: %v", moves)
	}
	run(t, url, "stock", "moves", "--location", "MAIN", "--limit", "2", "-o", "json").wantCode(t, ExitOK).json(t, &moves)
	if len(moves) != 2 || moves[0]["serial"] != "S2" {
		t.Fatalf("--limit: %v", moves)
	}
	run(t, url, "stock", "moves", "LOT", "--since", "2000-01-01", "--kind", "adjustment", "-o", "json").wantCode(t, ExitOK).json(t, &moves)
	if len(moves) != 1 || moves[0]["batch"] != "B1" || moves[0]["to_bay"] != "A1" {
		t.Fatalf("filters: %v", moves)
	}
	r := run(t, url, "stock", "moves", "--limit", "0").wantCode(t, ExitOK)
	if lines := strings.Split(strings.TrimSpace(r.out), "\n"); len(lines) != 6 || strings.Contains(r.out, "dropped") {
		t.Fatalf("the table leaves out the wide columns: %q", r.out)
	}
	if r := run(t, url, "stock", "moves", "--since", "2999-01-01", "-o", "json"); strings.TrimSpace(r.out) != "[]" {
		t.Fatalf("none: %q", r.out)
	}
	if r := run(t, url, "stock", "moves", "--reference", "TR-1", "-o", "csv"); !strings.HasPrefix(r.out, "id,time,sku,qty,from,to,batch,serial,from_bay,to_bay,unit_cost,kind,reference,gl_code,reason,narrative,actor\n") {
		t.Fatalf("csv header: %q", r.out)
	}
	run(t, url, "stock", "moves", "--since", "yesterday").wantCode(t, ExitUsage).wantErr(t, "--since")
	run(t, url, "stock", "moves", "--limit", "-1").wantCode(t, ExitUsage)
	run(t, url, "stock", "moves", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "stock", "moves", "--location", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "stock", "moves", "W", "X").wantCode(t, ExitUsage)
}

func TestBatchAndSerialCommands(t *testing.T) {
	t.Parallel()
	url := querySetup(t)
	var rows []map[string]any
	run(t, url, "batch", "list", "LOT", "-o", "json").wantCode(t, ExitOK).json(t, &rows)
	if len(rows) != 1 || rows[0]["batch"] != "B1" || rows[0]["expiry"] != "2099-01-31" || rows[0]["location"] != "MAIN" || rows[0]["on_hand"] != "5" {
		t.Fatalf("batch list: %v", rows)
	}
	run(t, url, "batch", "list", "W").wantCode(t, ExitInvalid).wantErr(t, "not batch-tracked")
	run(t, url, "batch", "list", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "batch", "list", "LOT", "W").wantCode(t, ExitUsage)
	run(t, url, "batch", "list", "-o", "json").wantCode(t, ExitOK).json(t, &rows)
	if len(rows) != 1 || rows[0]["sku"] != "LOT" {
		t.Fatalf("batch list of every product: %v", rows)
	}

	run(t, url, "serial", "list", "SER", "-o", "json").wantCode(t, ExitOK).json(t, &rows)
	if len(rows) != 2 || rows[0]["serial"] != "S1" || rows[0]["status"] != "in_stock" || rows[0]["location"] != "MAIN" ||
		rows[1]["status"] != "gone" || rows[1]["location"] != nil || rows[1]["last_to"] != "~adjustment" || rows[1]["last_kind"] != "adjustment" {
		t.Fatalf("serial list: %v", rows)
	}
	run(t, url, "serial", "trace", "SER", "S2", "-o", "json").wantCode(t, ExitOK).json(t, &rows)
	if len(rows) != 2 || rows[0]["to"] != "MAIN" || rows[1]["from"] != "MAIN" || rows[1]["reason"] != "sold" {
		t.Fatalf("trace: %v", rows)
	}
	run(t, url, "serial", "trace", "SER", "S9").wantCode(t, ExitNotFound).wantErr(t, "no serial number S9")
	run(t, url, "serial", "list", "LOT").wantCode(t, ExitInvalid)
	run(t, url, "serial", "trace", "SER").wantCode(t, ExitUsage).wantErr(t, "missing SERIAL")
}

func TestStockCheckCommand(t *testing.T) {
	t.Parallel()
	url := querySetup(t)
	r := run(t, url, "stock", "check", "-o", "json").wantCode(t, ExitOK).wantErr(t, "every invariant holds")
	if strings.TrimSpace(r.out) != "[]" {
		t.Fatalf("nothing broken: %q", r.out)
	}
	d, err := openRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(`UPDATE stock_balances SET on_hand = on_hand + 1 WHERE product_id = (SELECT id FROM products WHERE sku = 'W')`); err != nil {
		t.Fatal(err)
	}
	var vs []map[string]any
	r = run(t, url, "stock", "check", "-o", "json").wantCode(t, ExitInvalid).wantErr(t, `"exit_code":5`, "3 violation(s)")
	r.json(t, &vs)
	if len(vs) != 3 || vs[0]["check"] != "balance_ledger" || vs[0]["sku"] != "W" || vs[0]["location"] != "MAIN" ||
		vs[0]["detail"] != "on hand 10, ledger 9" || vs[1]["check"] != "balance_quants" ||
		vs[2]["check"] != "cost_stock" || vs[2]["location"] != nil {
		t.Fatalf("violations: %v", vs)
	}
	r = run(t, url, "stock", "check").wantCode(t, ExitInvalid).wantErr(t, "stockctl: stock check: 3 violation(s)")
	if !strings.HasPrefix(r.out, "balance_ledger\tW\tMAIN\ton hand 10, ledger 9\n") {
		t.Fatalf("piped: %q", r.out)
	}
	run(t, url, "stock", "check", "extra").wantCode(t, ExitUsage)
}
