package commands

import (
	"strings"
	"testing"
)

// A --ref reused with the same request answers "already posted", exit 0, and prints what
// the first run printed; with a different request it is refused, exit 5, naming the ref
// and the first difference, and nothing changes. These run every command that takes one.

// onHandCSV is "sku,on_hand" per product and location as stock list prints it.
func onHandCSV(t *testing.T, url string) string {
	t.Helper()
	return run(t, url, "stock", "list", "--fields", "sku,location,on_hand", "-o", "csv").wantCode(t, ExitOK).out
}

func wantSame(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s prints what the first run printed:\n%s\nwant\n%s", what, got, want)
	}
}

func TestStockAdjustRefCommand(t *testing.T) {
	t.Parallel()
	url := stockSetup(t)
	// 5 W in at 2.50: on hand 5.
	first := run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "5", "--unit-cost", "2.50", "--reason", "count",
		"--ref", "cron-1", "-o", "json").wantCode(t, ExitOK).out
	if !strings.Contains(first, `"unit_cost": "2.50"`) {
		t.Fatalf("first: %s", first)
	}
	// The same request, its numbers written otherwise: nothing posted, the first moves.
	again := run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "5.00", "--unit-cost", "2.5", "--reason", "count",
		"--ref", "cron-1", "-o", "json").wantCode(t, ExitOK).wantErr(t, "ref cron-1 was already posted").out
	wantSame(t, "stock adjust -o json", again, first)
	csv := run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "5", "--unit-cost", "2.5", "--reason", "count",
		"--ref", "cron-1", "-o", "csv").wantCode(t, ExitOK).wantErr(t, "already posted").out
	if !strings.HasPrefix(csv, "move,sku,location,qty,unit_cost,batch,serial,bay,cost_source\n") || !strings.Contains(csv, ",W,MAIN,5,2.50,,,,given\n") {
		t.Fatalf("csv: %q", csv)
	}
	// A cron job that changed its mind learns that its change was not posted.
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "7", "--unit-cost", "2.5", "--reason", "count", "--ref", "cron-1").
		wantCode(t, ExitInvalid).wantErr(t, "ref cron-1 was posted with qty 5; this run asks 7", "nothing was posted")
	r := run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "5", "--reason", "count", "--ref", "cron-1", "-o", "json").
		wantCode(t, ExitInvalid).wantErr(t, `"error"`, "ref cron-1 was posted with unit_cost 2.5; this run leaves it out")
	if r.out != "" {
		t.Fatalf("a refused run prints nothing on stdout: %q", r.out)
	}
	run(t, url, "stock", "adjust", "LOT", "--location", "MAIN", "--qty", "5", "--batch", "B1", "--ref", "cron-1").
		wantCode(t, ExitInvalid).wantErr(t, "ref cron-1 was posted with sku W; this run asks LOT")
	if got := onHandCSV(t, url); !strings.Contains(got, "W,MAIN,5\n") || strings.Contains(got, "LOT") {
		t.Fatalf("on hand: %q, want W 5 and no LOT", got)
	}

	// --file: the rows compared in order; the first that differs is named.
	dir := t.TempDir()
	f1 := writeCSV(t, dir, "f1.csv", "sku,location,qty,serials\nW,MAIN,2,\nSER,MAIN,2,S1 S2\n")
	first = run(t, url, "stock", "adjust", "--file", f1, "--ref", "night-1", "-o", "json").wantCode(t, ExitOK).out
	f2 := writeCSV(t, dir, "f2.csv", "qty,sku,location,serials\n2.0,W,MAIN,\n2,SER,MAIN,S2;S1\n")
	again = run(t, url, "stock", "adjust", "--file", f2, "--ref", "night-1", "-o", "json").wantCode(t, ExitOK).wantErr(t, "already posted").out
	wantSame(t, "stock adjust --file -o json", again, first)
	f3 := writeCSV(t, dir, "f3.csv", "sku,location,qty,serials\nW,MAIN,2,\nSER,MAIN,2,S1 S3\n")
	run(t, url, "stock", "adjust", "--file", f3, "--ref", "night-1").wantCode(t, ExitInvalid).
		wantErr(t, `ref night-1 was posted with serials "S1 S2" in row 3; this run asks "S1 S3"`)
	// 5 + 2 W; 2 SER, once.
	if got := onHandCSV(t, url); !strings.Contains(got, "W,MAIN,7\n") || !strings.Contains(got, "SER,MAIN,2\n") {
		t.Fatalf("on hand after the file: %q, want W 7 and SER 2", got)
	}
}

func TestStockImportRefCommand(t *testing.T) {
	t.Parallel()
	url := stockSetup(t)
	dir := t.TempDir()
	// 4 W in at 1.50 and 2 of batch B1; the third row cannot be posted (12 W out of 4).
	a := writeCSV(t, dir, "a.csv", "sku,location,qty,unit_cost,batch,expiry\nW,MAIN,4,1.50,,\nLOT,MAIN,2,,B1,2099-01-31\nW,MAIN,-12,,,\n")
	first := run(t, url, "stock", "import", a, "--ref", "imp-1", "--skip-invalid", "-o", "json").wantCode(t, ExitPartial).out
	if !strings.Contains(first, `"created": 2`) || !strings.Contains(first, `"rejected": 1`) || !strings.Contains(first, "not enough W") {
		t.Fatalf("first: %s", first)
	}
	// The same rows, laid out otherwise (columns, 4.00 for 4): nothing posted, exit 0, the
	// first run's counts and rejected rows.
	b := writeCSV(t, dir, "b.csv", "qty,sku,location,unit_cost,expiry,batch\n4.00,W,MAIN,1.5,,\n2,LOT,MAIN,,2099-01-31,B1\n-12.0,W,MAIN,,,\n")
	again := run(t, url, "stock", "import", b, "--ref", "imp-1", "--skip-invalid", "-o", "json").wantCode(t, ExitOK).
		wantErr(t, "ref imp-1 was already posted", "2 created, 0 updated, 0 unchanged, 1 rejected").out
	wantSame(t, "stock import -o json", again, first)
	again = run(t, url, "stock", "import", b, "--ref", "imp-1", "-o", "json").wantCode(t, ExitOK).wantErr(t, "already posted").out
	wantSame(t, "stock import without --skip-invalid", again, first)
	// Another quantity in row 2, a row more: refused, naming them.
	c := writeCSV(t, dir, "c.csv", "sku,location,qty,unit_cost,batch,expiry\nW,MAIN,5,1.50,,\nLOT,MAIN,2,,B1,2099-01-31\nW,MAIN,-12,,,\n")
	run(t, url, "stock", "import", c, "--ref", "imp-1", "--skip-invalid").wantCode(t, ExitInvalid).
		wantErr(t, "ref imp-1 was posted with qty 4 in row 2; this run asks 5", "nothing was posted")
	d := writeCSV(t, dir, "d.csv", "sku,location,qty,unit_cost,batch,expiry\nW,MAIN,4,1.50,,\nLOT,MAIN,2,,B1,2099-01-31\nW,MAIN,-12,,,\nW,MAIN,1,,,\n")
	run(t, url, "stock", "import", d, "--ref", "imp-1", "--skip-invalid").wantCode(t, ExitInvalid).
		wantErr(t, "ref imp-1 was posted with 3 rows; this run has 4")
	// The ref is stock adjust's too: the same single row is the same request.
	one := writeCSV(t, dir, "one.csv", "sku,location,qty\nW,MAIN,3\n")
	first = run(t, url, "stock", "import", one, "--ref", "imp-2", "-o", "json").wantCode(t, ExitOK).out
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "3.0", "--ref", "imp-2").wantCode(t, ExitOK).wantErr(t, "already posted")
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "2", "--ref", "imp-2").wantCode(t, ExitInvalid).
		wantErr(t, "ref imp-2 was posted with qty 3; this run asks 2")
	// 4 + 3 W, 2 LOT, each posted once.
	if got := onHandCSV(t, url); !strings.Contains(got, "W,MAIN,7\n") || !strings.Contains(got, "LOT,MAIN,2\n") {
		t.Fatalf("on hand: %q, want W 7 and LOT 2", got)
	}
	if !strings.Contains(first, `"created": 1`) {
		t.Fatalf("one row: %s", first)
	}
}

func TestTransferRefCommands(t *testing.T) {
	t.Parallel()
	url := transferSetup(t) // 10 W at MAIN
	first := run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "4", "--two-step", "--cost", "3.00",
		"--ref", "van-1", "-o", "json").wantCode(t, ExitOK).out
	again := run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "4.0", "--two-step", "--cost", "3",
		"--ref", "van-1", "-o", "json").wantCode(t, ExitOK).wantErr(t, "ref van-1 was already posted").out
	wantSame(t, "stock transfer -o json", again, first)
	table := run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "4", "--two-step", "--cost", "3",
		"--ref", "van-1").wantCode(t, ExitOK).wantErr(t, "already posted").out
	if !strings.HasPrefix(table, "number\tTR-000001\n") || !strings.Contains(table, "status\tin_transit\n") {
		t.Fatalf("table: %q", table)
	}
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "5", "--two-step", "--cost", "3", "--ref", "van-1").
		wantCode(t, ExitInvalid).wantErr(t, "ref van-1 was posted with qty 4; this run asks 5", "nothing was posted")
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "4", "--cost", "3", "--ref", "van-1").
		wantCode(t, ExitInvalid).wantErr(t, "ref van-1 was posted with two_step yes; this run asks no")

	first = run(t, url, "transfer", "receive", "TR-000001", "--qty", "1", "--ref", "grn-1", "-o", "json").wantCode(t, ExitOK).out
	again = run(t, url, "transfer", "receive", "TR-000001", "--qty", "1.00", "--ref", "grn-1", "-o", "json").
		wantCode(t, ExitOK).wantErr(t, "ref grn-1 was already posted").out
	wantSame(t, "transfer receive -o json", again, first)
	run(t, url, "transfer", "receive", "TR-000001", "--qty", "2", "--ref", "grn-1").wantCode(t, ExitInvalid).
		wantErr(t, "ref grn-1 was posted with qty 1; this run asks 2")
	run(t, url, "transfer", "receive", "TR-000001", "--ref", "grn-1").wantCode(t, ExitInvalid).
		wantErr(t, "ref grn-1 was posted with qty 1; this run leaves it out")
	// 10 − 4 at MAIN; 1 of the 4 received at NORTH, once.
	if got := onHandCSV(t, url); !strings.Contains(got, "W,MAIN,6\n") || !strings.Contains(got, "W,NORTH,1\n") {
		t.Fatalf("on hand: %q, want MAIN 6 and NORTH 1", got)
	}
}

func TestPoReceiveRefCommand(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	run(t, url, "po", "new", "HOME", "--location", "MAIN").wantCode(t, ExitOK)
	run(t, url, "po", "add", "PO-000001", "W", "10", "--price", "4.50").wantCode(t, ExitOK)
	run(t, url, "po", "add", "PO-000001", "SER", "2", "--price", "100").wantCode(t, ExitOK)
	run(t, url, "po", "order", "PO-000001", "--date", "2026-04-01").wantCode(t, ExitOK)

	first := run(t, url, "po", "receive", "PO-000001", "--line", "1", "--qty", "5", "--bay", "R1", "--ref", "DN-1", "-o", "json").wantCode(t, ExitOK).out
	again := run(t, url, "po", "receive", "PO-000001", "--line", "1", "--qty", "5.00", "--bay", "R1", "--ref", "DN-1", "-o", "json").
		wantCode(t, ExitOK).wantErr(t, "ref DN-1 was already posted on PO-000001").out
	wantSame(t, "po receive -o json", again, first)
	csv := run(t, url, "po", "receive", "PO-000001", "--line", "1", "--qty", "5", "--bay", "R1", "--ref", "DN-1", "-o", "csv").
		wantCode(t, ExitOK).wantErr(t, "already posted").out
	if !strings.Contains(csv, "PO-000001,1,W,") {
		t.Fatalf("csv: %q", csv)
	}
	run(t, url, "po", "receive", "PO-000001", "--line", "1", "--qty", "6", "--bay", "R1", "--ref", "DN-1").wantCode(t, ExitInvalid).
		wantErr(t, "PO-000001: ref DN-1 was posted with qty 5; this run asks 6", "nothing was posted")
	run(t, url, "po", "receive", "PO-000001", "--line", "1", "--qty", "5", "--ref", "DN-1").wantCode(t, ExitInvalid).
		wantErr(t, "ref DN-1 was posted with bay R1; this run leaves it out")
	run(t, url, "po", "receive", "PO-000001", "--line", "2", "--serial", "S1,S2", "--ref", "DN-1").wantCode(t, ExitInvalid).
		wantErr(t, "ref DN-1 was posted with line 1; this run asks 2")
	run(t, url, "po", "receive", "PO-000001", "--all", "--ref", "DN-1").wantCode(t, ExitInvalid).
		wantErr(t, "ref DN-1 was posted with all no; this run asks yes")
	// 5 of 10 W received once, nothing of SER.
	if got := onHandCSV(t, url); !strings.Contains(got, "W,MAIN,5\n") || strings.Contains(got, "SER") {
		t.Fatalf("on hand: %q, want W 5 and no SER", got)
	}
}
