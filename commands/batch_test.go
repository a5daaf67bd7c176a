package commands

import (
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// TestBatchExpiryCommands follows batch R-OLD of ROPE (10 received from SUP on PO-000001,
// expiry 31 March 2026) and R-NEW (6 by adjustment, expiry 20 April) from 30 March, when
// both are good, to 1 April, when R-OLD has expired: so confirm, backorders list, stock
// show, batch list --expiring, stock transfer, so ship, so release --allow-expired and
// batch trace. The day is the connection's stockctl.today.
func TestBatchExpiryCommands(t *testing.T) {
	t.Parallel()
	base := dbtest.NewURL(t)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	before := base + sep + "options=-cstockctl.today%3D2026-03-30"
	url := base + sep + "options=-cstockctl.today%3D2026-04-01"
	for _, c := range [][]string{
		{"location", "add", "MAIN", "--name", "Main"},
		{"location", "add", "STORE", "--name", "Store"},
		{"company", "add", "ACME", "--name", "Acme", "--customer"},
		{"company", "add", "BOB", "--name", "Bob", "--customer"},
		{"company", "add", "SUP", "--name", "Supplier", "--supplier"},
		{"product", "add", "ROPE", "--name", "Rope", "--batch-tracked", "--sell-price", "2"},
		{"po", "new", "SUP", "--location", "MAIN"},
		{"po", "add", "PO-000001", "ROPE", "10", "--price", "1"},
		{"po", "order", "PO-000001"},
		{"po", "receive", "PO-000001", "--line", "1", "--batch", "R-OLD", "--expiry", "2026-03-31"},
		{"stock", "adjust", "ROPE", "--location", "MAIN", "--qty", "6", "--batch", "R-NEW", "--expiry", "2026-04-20", "--unit-cost", "1"},
		// 30 March: R-OLD is good. SO-000001 takes 4 of it (first expiry first out), invoiced;
		// 2 more of it go to STORE. MAIN keeps R-OLD 10 − 4 − 2 = 4 and R-NEW 6.
		{"so", "new", "ACME", "--location", "MAIN"},
		{"so", "add", "SO-000001", "ROPE", "4"},
		{"so", "confirm", "SO-000001"},
		{"so", "ship", "SO-000001"},
		{"so", "invoice", "SO-000001"},
		{"stock", "transfer", "ROPE", "--from", "MAIN", "--to", "STORE", "--qty", "2", "--batch", "R-OLD"},
	} {
		run(t, before, c...).wantCode(t, ExitOK)
	}

	// 1 April. SO-000002 wants 8: available at MAIN 10 − 0 − 4 expired = 6; 2 stay backordered,
	// which only R-OLD's 4 could serve: least(2, 4) = 2.
	run(t, url, "so", "new", "BOB", "--location", "MAIN").wantCode(t, ExitOK)
	run(t, url, "so", "add", "SO-000002", "ROPE", "8").wantCode(t, ExitOK)
	note := "note: SO-000002 line 1: 2 ROPE stays backordered: at MAIN only expired stock could serve it (4 batch R-OLD (expired 2026-03-31)); to ship it anyway: stockctl so release SO-000002 --allow-expired --ship"
	run(t, url, "so", "confirm", "SO-000002").wantCode(t, ExitOK).wantErr(t, "SO-000002 confirmed: 2 backordered", note)

	// backorders list: here 10 − 6 − 4 = 0; STORE 2 − 0 − 2 expired = 0; expired here 4.
	var bo []map[string]any
	run(t, url, "backorders", "list", "-o", "json").wantCode(t, ExitOK).json(t, &bo)
	if len(bo) != 1 || bo[0]["available_here"] != "0" || bo[0]["available_elsewhere"] != "0" || bo[0]["expired_here"] != "4" || bo[0]["status"] != "none" {
		t.Fatalf("backorders list: %v", bo)
	}
	// stock show: on hand 10 + 2 = 12, allocated 6, expired 4 + 2 = 6, available 12 − 6 − 6 = 0.
	var det struct {
		OnHand    string `json:"on_hand"`
		Allocated string `json:"allocated"`
		Expired   string `json:"expired"`
		Available string `json:"available"`
		Locations []map[string]any
		Batches   []map[string]any
	}
	run(t, url, "stock", "show", "ROPE", "-o", "json").wantCode(t, ExitOK).json(t, &det)
	if det.OnHand != "12" || det.Allocated != "6" || det.Expired != "6" || det.Available != "0" || len(det.Locations) != 2 ||
		det.Locations[0]["expired"] != "4" || det.Locations[0]["available"] != "0" || det.Locations[1]["expired"] != "2" {
		t.Fatalf("stock show: %+v", det)
	}
	if r := run(t, url, "stock", "show", "ROPE").wantCode(t, ExitOK); !strings.Contains(r.err, "allocated 6, expired 6, available 0") {
		t.Fatalf("piped summary: %s", r.err)
	}

	// batch list --expiring 19 reaches 20 April: R-OLD (expired, days left 31 March − 1 April
	// = −1) at MAIN 4 and STORE 2, R-NEW at MAIN 6 with 19 days left; --expiring 18 only R-OLD.
	var bl []map[string]any
	run(t, url, "batch", "list", "--expiring", "19", "-o", "json").wantCode(t, ExitOK).json(t, &bl)
	if len(bl) != 3 || bl[0]["batch"] != "R-OLD" || bl[0]["location"] != "MAIN" || bl[0]["on_hand"] != "4" || bl[0]["days_left"] != float64(-1) ||
		bl[0]["expired"] != true || bl[1]["location"] != "STORE" || bl[1]["on_hand"] != "2" ||
		bl[2]["batch"] != "R-NEW" || bl[2]["days_left"] != float64(19) || bl[2]["expired"] != false || bl[2]["sku"] != "ROPE" {
		t.Fatalf("batch list --expiring 19: %v", bl)
	}
	run(t, url, "batch", "list", "ROPE", "--expiring", "18", "-o", "json").wantCode(t, ExitOK).json(t, &bl)
	if len(bl) != 2 || bl[1]["batch"] != "R-OLD" {
		t.Fatalf("batch list --expiring 18: %v", bl)
	}
	run(t, url, "batch", "list", "ROPE", "--expiring", "-1").wantCode(t, ExitUsage).wantErr(t, "--expiring")

	// STORE holds only expired stock: a transfer is refused, with --allow-expired it would go.
	run(t, url, "stock", "transfer", "ROPE", "--from", "STORE", "--to", "MAIN", "--qty", "1").wantCode(t, ExitInvalid).
		wantErr(t, "want 1, have 0 available that has not expired; expired, not taken: 2 batch R-OLD (expired 2026-03-31)", "--allow-expired")
	run(t, url, "stock", "transfer", "ROPE", "--from", "STORE", "--to", "MAIN", "--qty", "1", "--allow-expired", "--dry-run").wantCode(t, ExitOK)

	// Naming the expired batch is refused, and nothing changes.
	run(t, url, "so", "ship", "SO-000002", "--line", "1", "--qty", "1", "--batch", "R-OLD").wantCode(t, ExitInvalid).
		wantErr(t, "batch R-OLD of ROPE expired on 2026-03-31: take another batch, or give --allow-expired")
	// so ship sends R-NEW's 6; the 2 backordered stay so, and the note says so again.
	var lines []map[string]any
	run(t, url, "so", "ship", "SO-000002", "-o", "json").wantCode(t, ExitOK).wantErr(t, "SH-000002 shipped", note).json(t, &lines)
	if len(lines) != 1 || lines[0]["batch"] != "R-NEW" || lines[0]["qty"] != "6" {
		t.Fatalf("ship: %v", lines)
	}
	// Allowed, release --ship sends 2 of R-OLD.
	r := run(t, url, "so", "release", "SO-000002", "--allow-expired", "--ship").wantCode(t, ExitOK).wantErr(t, "SO-000002 shipped SH-000003 (shipped)")
	if strings.Contains(r.err, "note:") {
		t.Fatalf("no note once released: %s", r.err)
	}

	// The recall report of R-OLD: 10 received from SUP, 4 to ACME on INV-000001, 2 to STORE,
	// 2 to BOB (not invoiced); on hand MAIN 4 − 2 = 2 and STORE 2: 4 in all.
	var tr []map[string]any
	r = run(t, url, "batch", "trace", "ROPE", "R-OLD", "-o", "json").wantCode(t, ExitOK).
		wantErr(t, "ROPE batch R-OLD (expiry 2026-03-31): received 10, shipped 6 to 2 customer(s), on hand 4")
	r.json(t, &tr)
	var got []string
	for _, row := range tr {
		got = append(got, strings.Join([]string{row["kind"].(string), row["qty"].(string), row["from"].(string), row["to"].(string),
			row["document"].(string), row["so"].(string), row["party"].(string), row["invoices"].(string)}, " "))
	}
	want := []string{
		"po_receipt 10 ~supplier MAIN PO-000001  SUP ",
		"sale 4 MAIN ~customer SH-000001 SO-000001 ACME INV-000001",
		"transfer 2 MAIN STORE TR-000001   ",
		"sale 2 MAIN ~customer SH-000003 SO-000002 BOB ",
		"on_hand 2  MAIN    ",
		"on_hand 2  STORE    ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("batch trace:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r := run(t, url, "batch", "trace", "ROPE", "R-OLD", "-o", "csv").wantCode(t, ExitOK); !strings.HasPrefix(r.out, "kind,time,qty,from,to,bay,document,so,party,party_name,invoices,note,move\n") {
		t.Fatalf("csv: %q", r.out)
	}
	run(t, url, "batch", "trace", "ROPE", "NOPE").wantCode(t, ExitNotFound).wantErr(t, "no batch NOPE")
	run(t, url, "batch", "trace", "NOPE", "R-OLD").wantCode(t, ExitNotFound)
}

// The demo's rope batch R2603 expires 30 days after the demo is loaded (here loaded on
// 1 April 2026: 1 May): 300 opening stock at MAIN, 120 dispatched to STORE on TR-000002
// (still in transit), 60 shipped to ACME on SH-000001 and invoiced on INV-000001; MAIN keeps
// 300 − 120 − 60 = 120.
func TestDemoBatchNearExpiry(t *testing.T) {
	t.Parallel()
	base := dbtest.NewURL(t)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	url := base + sep + "options=-cstockctl.today%3D2026-04-01"
	if r := run(t, url, "demo", "--yes").wantCode(t, ExitOK); !strings.Contains(r.out, "stockctl batch trace ROPE-10 R2603") {
		t.Fatalf("the demo does not suggest the trace:\n%s", r.out)
	}
	var bl []map[string]any
	run(t, url, "batch", "list", "--expiring", "45", "-o", "json").wantCode(t, ExitOK).json(t, &bl)
	if len(bl) != 2 || bl[0]["batch"] != "R2603" || bl[0]["expiry"] != "2026-05-01" || bl[0]["days_left"] != float64(30) ||
		bl[0]["location"] != "MAIN" || bl[0]["on_hand"] != "120" || bl[1]["location"] != "~transit" || bl[1]["on_hand"] != "120" {
		t.Fatalf("batch list --expiring 45: %v", bl)
	}
	var tr []map[string]any
	run(t, url, "batch", "trace", "ROPE-10", "R2603", "-o", "json").wantCode(t, ExitOK).
		wantErr(t, "ROPE-10 batch R2603 (expiry 2026-05-01): received 300, shipped 60 to 1 customer(s), on hand 240").json(t, &tr)
	var got []string
	for _, row := range tr {
		got = append(got, strings.Join([]string{row["kind"].(string), row["qty"].(string), row["to"].(string),
			row["document"].(string), row["party"].(string), row["invoices"].(string)}, " "))
	}
	want := "adjustment 300 MAIN   \ndispatch 120 ~transit TR-000002  \nsale 60 ~customer SH-000001 ACME INV-000001\n" +
		"on_hand 120 MAIN   \non_hand 120 ~transit   "
	if strings.Join(got, "\n") != want {
		t.Fatalf("trace:\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
	// Loaded again a day later, the demo keeps the batch's date and posts nothing new.
	run(t, base+sep+"options=-cstockctl.today%3D2026-04-02", "demo", "--yes").wantCode(t, ExitOK)
	run(t, url, "stock", "check").wantCode(t, ExitOK)
}
