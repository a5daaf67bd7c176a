package commands

import (
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// transferSetup makes locations MAIN and NORTH (with bay N1), products W, LOT (batch-tracked)
// and SER (serialised), and puts 10 W at 2.00 in MAIN.
func transferSetup(t *testing.T) string {
	t.Helper()
	url := dbtest.NewURL(t)
	run(t, url, "location", "add", "MAIN", "--name", "Main warehouse").wantCode(t, ExitOK)
	run(t, url, "location", "add", "NORTH", "--name", "North store").wantCode(t, ExitOK)
	run(t, url, "bay", "add", "NORTH", "N1").wantCode(t, ExitOK)
	run(t, url, "product", "add", "W", "--name", "Widget").wantCode(t, ExitOK)
	run(t, url, "product", "add", "LOT", "--name", "Lotted", "--batch-tracked").wantCode(t, ExitOK)
	run(t, url, "product", "add", "SER", "--name", "Serialised", "--serialized").wantCode(t, ExitOK)
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "10", "--unit-cost", "2").wantCode(t, ExitOK)
	return url
}

type transferJSON struct {
	Number      string `json:"number"`
	From        string `json:"from"`
	To          string `json:"to"`
	SKU         string `json:"sku"`
	TwoStep     bool   `json:"two_step"`
	Status      string `json:"status"`
	Qty         string `json:"qty"`
	ReceivedQty string `json:"received_qty"`
	Outstanding string `json:"outstanding"`
	ExtraCost   string `json:"extra_cost"`
	Lines       []struct {
		LineNo      int     `json:"line_no"`
		SKU         string  `json:"sku"`
		Qty         string  `json:"qty"`
		ReceivedQty string  `json:"received_qty"`
		Outstanding string  `json:"outstanding"`
		Batch       *string `json:"batch"`
		Serial      *string `json:"serial"`
		FromBay     *string `json:"from_bay"`
		ToBay       *string `json:"to_bay"`
		UnitCost    string  `json:"unit_cost"`
	} `json:"lines"`
}

func TestStockTransferCommand(t *testing.T) {
	t.Parallel()
	url := transferSetup(t)
	var tr transferJSON
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "4", "--to-bay", "N1", "-o", "json").
		wantCode(t, ExitOK).json(t, &tr)
	if tr.Number != "TR-000001" || tr.Status != "received" || tr.TwoStep || tr.Qty != "4" || tr.ReceivedQty != "4" || tr.From != "MAIN" || tr.To != "NORTH" {
		t.Fatalf("transfer: %+v", tr)
	}
	if len(tr.Lines) != 1 || tr.Lines[0].ToBay == nil || *tr.Lines[0].ToBay != "N1" || tr.Lines[0].UnitCost != "2" || tr.Lines[0].Outstanding != "0" {
		t.Fatalf("lines: %+v", tr.Lines)
	}

	// Usage errors (4), rules (5), unknown things (6).
	run(t, url, "stock", "transfer", "--from", "MAIN", "--to", "NORTH", "--qty", "1").wantCode(t, ExitUsage).wantErr(t, "missing SKU")
	run(t, url, "stock", "transfer", "W", "--to", "NORTH", "--qty", "1").wantCode(t, ExitUsage).wantErr(t, "--from")
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--qty", "1").wantCode(t, ExitUsage).wantErr(t, "--to")
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH").wantCode(t, ExitUsage).wantErr(t, "--qty")
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "x").wantCode(t, ExitUsage).wantErr(t, "--qty")
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "1", "--cost", "lots").wantCode(t, ExitUsage).wantErr(t, "--cost")
	run(t, url, "stock", "transfer", "NOPE", "--from", "MAIN", "--to", "NORTH", "--qty", "1").wantCode(t, ExitNotFound)
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "7").wantCode(t, ExitInvalid).wantErr(t, "want 7, have 6")
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "MAIN", "--qty", "1").wantCode(t, ExitInvalid).wantErr(t, "two locations")
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "SOUTH", "--qty", "1").wantCode(t, ExitNotFound).wantErr(t, `unknown location "SOUTH"`)
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "1", "--to-bay", "Z9").wantCode(t, ExitNotFound).wantErr(t, "--to-bay")
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "1", "--cost", "-5").wantCode(t, ExitInvalid).wantErr(t, "negative")

	// --dry-run shows the document and writes nothing.
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "1", "--dry-run", "-o", "json").
		wantCode(t, ExitOK).wantErr(t, "dry run").json(t, &tr)
	if tr.Qty != "1" {
		t.Fatalf("dry run document: %+v", tr)
	}
	var list []transferJSON
	run(t, url, "transfer", "list", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 1 {
		t.Fatalf("dry run wrote a transfer: %+v", list)
	}

	// Extra cost raises the unit cost of what arrives: 2 + 6/2.
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "2", "--cost", "6", "--ref", "truck-1", "-o", "json").
		wantCode(t, ExitOK).json(t, &tr)
	if tr.ExtraCost != "6" || tr.Lines[0].UnitCost != "5" {
		t.Fatalf("extra cost: %+v", tr)
	}
	r := run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "2", "--cost", "6", "--ref", "truck-1").
		wantCode(t, ExitOK).wantErr(t, "ref truck-1 was already posted")
	if !strings.HasPrefix(r.out, "number\t"+tr.Number+"\n") {
		t.Fatalf("a repeated ref prints the transfer it posted: %q", r.out)
	}

	// Serialised: --qty defaults to the number of serials; serials travel.
	run(t, url, "stock", "adjust", "SER", "--location", "MAIN", "--qty", "3", "--serial-start", "S1").wantCode(t, ExitOK)
	run(t, url, "stock", "transfer", "SER", "--from", "MAIN", "--to", "NORTH", "--serial", "S1,S3", "-o", "json").wantCode(t, ExitOK).json(t, &tr)
	if tr.Qty != "2" || len(tr.Lines) != 2 || *tr.Lines[1].Serial != "S3" {
		t.Fatalf("serials: %+v", tr)
	}
	run(t, url, "stock", "transfer", "SER", "--from", "MAIN", "--to", "NORTH", "--qty", "2", "--serial", "S2").wantCode(t, ExitInvalid).wantErr(t, "serial")
	run(t, url, "stock", "transfer", "SER", "--from", "MAIN", "--to", "NORTH", "--serial", "S1").wantCode(t, ExitInvalid).wantErr(t, "serial S1")

	// Batches: first expiry first out, one line per batch.
	run(t, url, "stock", "adjust", "LOT", "--location", "MAIN", "--qty", "5", "--batch", "LATE", "--expiry", "2100-01-31").wantCode(t, ExitOK)
	run(t, url, "stock", "adjust", "LOT", "--location", "MAIN", "--qty", "2", "--batch", "SOON", "--expiry", "2099-01-31").wantCode(t, ExitOK)
	run(t, url, "stock", "transfer", "LOT", "--from", "MAIN", "--to", "NORTH", "--qty", "3", "-o", "json").wantCode(t, ExitOK).json(t, &tr)
	if len(tr.Lines) != 2 || *tr.Lines[0].Batch != "SOON" || tr.Lines[0].Qty != "2" || *tr.Lines[1].Batch != "LATE" {
		t.Fatalf("batches: %+v", tr.Lines)
	}
	run(t, url, "stock", "transfer", "LOT", "--from", "MAIN", "--to", "NORTH", "--qty", "1", "--batch", "SOON").wantCode(t, ExitInvalid).wantErr(t, "batch SOON")

	// Table (piped): the header, a blank line, then the lines; CSV: the lines.
	r = run(t, url, "transfer", "show", "TR-000001").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "number\tTR-000001\n") || !strings.Contains(r.out, "\n\n1\tW\t4\t4\t0\t") {
		t.Fatalf("table: %q", r.out)
	}
	r = run(t, url, "transfer", "show", "TR-000001", "-o", "csv").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "transfer,line_no,sku,qty,received_qty,outstanding,batch,serial,from_bay,to_bay,unit_cost\nTR-000001,1,W,4,4,0,,,,N1,2\n") {
		t.Fatalf("csv: %q", r.out)
	}
}

func TestTransferCommands(t *testing.T) {
	t.Parallel()
	url := transferSetup(t)
	var tr transferJSON
	r := run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "6", "--two-step", "--cost", "3",
		"--narrative", "weekly run", "-o", "json").wantCode(t, ExitOK).wantErr(t, "TR-000001 dispatched", "transfer receive TR-000001")
	r.json(t, &tr)
	if tr.Status != "in_transit" || !tr.TwoStep || tr.Outstanding != "6" || tr.ReceivedQty != "0" || tr.ExtraCost != "3" {
		t.Fatalf("dispatched: %+v", tr)
	}
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "1").wantCode(t, ExitOK)

	var list []transferJSON
	run(t, url, "transfer", "list", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 2 || list[0].Number != "TR-000002" || list[1].Number != "TR-000001" {
		t.Fatalf("newest first: %+v", list)
	}
	run(t, url, "transfer", "list", "--status", "in_transit", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 1 || list[0].Number != "TR-000001" || list[0].Lines != nil {
		t.Fatalf("in transit: %+v", list)
	}
	run(t, url, "transfer", "list", "--status", "lost").wantCode(t, ExitInvalid).wantErr(t, "unknown transfer status")
	run(t, url, "transfer", "list", "--status", "partially_received").wantCode(t, ExitOK).wantErr(t, "no transfers")

	run(t, url, "transfer", "show", "TR-000001", "-o", "json").wantCode(t, ExitOK).json(t, &tr)
	if len(tr.Lines) != 1 || tr.Lines[0].Outstanding != "6" {
		t.Fatalf("show: %+v", tr)
	}
	run(t, url, "transfer", "show", "TR-999999").wantCode(t, ExitNotFound).wantErr(t, "TR-999999 does not exist")
	run(t, url, "transfer", "show").wantCode(t, ExitUsage).wantErr(t, "missing TR")

	// Receive in part, refuse too much, dry run, then the rest.
	run(t, url, "transfer", "receive").wantCode(t, ExitUsage).wantErr(t, "missing TR")
	run(t, url, "transfer", "receive", "TR-000001", "--qty", "two").wantCode(t, ExitUsage).wantErr(t, "--qty")
	run(t, url, "transfer", "receive", "TR-000001", "--line", "0").wantCode(t, ExitUsage).wantErr(t, "--line")
	run(t, url, "transfer", "receive", "TR-000001", "--line", "3").wantCode(t, ExitInvalid).wantErr(t, "no line 3")
	run(t, url, "transfer", "receive", "TR-000009").wantCode(t, ExitNotFound)
	run(t, url, "transfer", "receive", "TR-000001", "--qty", "2", "--ref", "grn-1", "-o", "json").
		wantCode(t, ExitOK).wantErr(t, "partially_received").json(t, &tr)
	if tr.Status != "partially_received" || tr.ReceivedQty != "2" || tr.Outstanding != "4" {
		t.Fatalf("partial: %+v", tr)
	}
	run(t, url, "transfer", "receive", "TR-000001", "--qty", "2", "--ref", "grn-1").wantCode(t, ExitOK).wantErr(t, "already posted")
	run(t, url, "transfer", "receive", "TR-000001", "--qty", "5").wantCode(t, ExitInvalid).wantErr(t, "only 4 is outstanding")
	run(t, url, "transfer", "receive", "TR-000001", "--dry-run", "-o", "json").wantCode(t, ExitOK).wantErr(t, "dry run").json(t, &tr)
	if tr.Status != "received" {
		t.Fatalf("dry run shows the result: %+v", tr)
	}
	run(t, url, "transfer", "show", "TR-000001", "-o", "json").wantCode(t, ExitOK).json(t, &tr)
	if tr.Outstanding != "4" {
		t.Fatalf("dry run changed nothing: %+v", tr)
	}
	run(t, url, "transfer", "receive", "TR-000001", "-o", "json").wantCode(t, ExitOK).json(t, &tr)
	if tr.Status != "received" || tr.ReceivedQty != "6" || tr.Outstanding != "0" || tr.Lines[0].ReceivedQty != "6" {
		t.Fatalf("received: %+v", tr)
	}
	run(t, url, "transfer", "receive", "TR-000001").wantCode(t, ExitInvalid).wantErr(t, "received in full")
	run(t, url, "transfer", "receive", "TR-000002").wantCode(t, ExitInvalid).wantErr(t, "immediate")
	run(t, url, "transfer", "list", "--status", "open").wantCode(t, ExitOK).wantErr(t, "no transfers")
}
