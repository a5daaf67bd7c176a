package commands

import (
	"strings"
	"testing"
)

// The loop through the command line: two sales orders backordered 5 and 3 of W; po generate
// --from-backorders --so the first orders 5 rounded to HOME's pack of 6; again orders nothing;
// ordering and receiving the PO lets so release allocate the line.
func TestPoGenerateFromBackorders(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	run(t, url, "supplier", "price", "add", "HOME", "W", "--price", "4", "--pack", "6").wantCode(t, ExitOK)
	run(t, url, "supplier", "price", "add", "BRIT", "W", "--price", "2", "--priority", "2").wantCode(t, ExitOK)
	for _, q := range []string{"5", "3"} {
		r := run(t, url, "so", "new", "CUST", "--location", "MAIN").wantCode(t, ExitOK)
		so := "SO-000001"
		if q == "3" {
			so = "SO-000002"
		}
		if !strings.Contains(r.err, so) {
			t.Fatalf("so new: %q", r.err)
		}
		run(t, url, "so", "add", so, "W", q, "--price", "9").wantCode(t, ExitOK)
		run(t, url, "so", "confirm", so).wantCode(t, ExitOK)
	}
	run(t, url, "so", "add", "SO-000001", "LOT", "1").wantCode(t, ExitInvalid) // confirmed: no more lines

	run(t, url, "po", "generate", "--so", "SO-000001").wantCode(t, ExitUsage).wantErr(t, "--from-backorders")
	run(t, url, "po", "generate", "--from-backorders", "--so", "SO-000404").wantCode(t, ExitNotFound).wantErr(t, "SO-000404")
	r := run(t, url, "po", "generate", "--from-backorders", "--so", "SO-000001", "--dry-run").wantCode(t, ExitOK).
		wantErr(t, "would order 1 line(s) on 1 draft PO(s)", "dry run")
	// Piped table: po, supplier, location, line, sku, wanted, qty, price, currency.
	if !strings.Contains(r.out, "HOME\tMAIN\t1\tW\t5\t6\t4\tUSD") {
		t.Fatalf("dry run: %q", r.out)
	}
	var res struct {
		POs   []string `json:"pos"`
		Lines []struct {
			PO     string `json:"po"`
			Wanted string `json:"wanted"`
			Qty    string `json:"qty"`
		} `json:"lines"`
	}
	run(t, url, "po", "generate", "--from-backorders", "--so", "SO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &res)
	if len(res.POs) != 1 || len(res.Lines) != 1 || res.Lines[0].Wanted != "5" || res.Lines[0].Qty != "6" {
		t.Fatalf("generated: %+v", res)
	}
	po := res.POs[0]
	var doc poJSON
	run(t, url, "po", "show", po, "-o", "json").wantCode(t, ExitOK).json(t, &doc)
	if doc.Status != "draft" || doc.Origin != "backorders" || doc.Total != "24.00" {
		t.Fatalf("draft: %+v", doc)
	}
	run(t, url, "po", "generate", "--from-backorders", "--so", "SO-000001").wantCode(t, ExitOK).
		wantErr(t, "nothing to order: every backorder is covered")

	run(t, url, "po", "order", po).wantCode(t, ExitOK)
	run(t, url, "po", "receive", po, "--all").wantCode(t, ExitOK)
	run(t, url, "so", "release", "SO-000001").wantCode(t, ExitOK)
	var so soJSON
	run(t, url, "so", "show", "SO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &so)
	if len(so.Lines) != 1 || !decEq(so.Lines[0].Allocated, "5") || !decEq(so.Lines[0].Backordered, "0") {
		t.Fatalf("after release: %+v", so)
	}
	// SO-000002 wants 3, 1 of the 6 is left: 2 to order, a pack of 6 on a new draft.
	run(t, url, "po", "generate", "--from-backorders", "--reorder", "-o", "json").wantCode(t, ExitOK).json(t, &res)
	if len(res.Lines) != 1 || res.Lines[0].Wanted != "2" || res.Lines[0].Qty != "6" || res.Lines[0].PO == po {
		t.Fatalf("second order: %+v", res)
	}
}

// A product on an open purchase order cannot stop tracking stock until the PO is received
// or cancelled.
func TestPoOpenOrderKeepsStockTracking(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	run(t, url, "po", "new", "HOME", "--location", "MAIN").wantCode(t, ExitOK)
	run(t, url, "po", "add", "PO-000001", "W", "4", "--price", "3").wantCode(t, ExitOK)
	run(t, url, "product", "edit", "W", "--track-stock=false").wantCode(t, ExitInvalid).wantErr(t, "1 open order lines")
	run(t, url, "po", "cancel", "PO-000001").wantCode(t, ExitOK)
	run(t, url, "product", "edit", "W", "--track-stock=false").wantCode(t, ExitOK)
}
