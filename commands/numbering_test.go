package commands

import (
	"strings"
	"testing"
)

// numberOf runs a command with -o json and returns the "number" it printed.
func numberOf(t *testing.T, url string, args ...string) string {
	t.Helper()
	var doc struct {
		Number string `json:"number"`
	}
	run(t, url, append(args, "-o", "json")...).wantCode(t, ExitOK).json(t, &doc)
	return doc.Number
}

// A dry run takes no number: three dry runs show the number the real run then gets. By hand:
// with the numbers drawn from sequences, the three dry runs took 1, 2 and 3 and the real
// run got 4 (INV-000004); drawn from the counters, every one of the four is number 1.
func TestDryRunsTakeNoNumber(t *testing.T) {
	t.Parallel()
	url := soSetup(t)
	step := func(kind, want string, args ...string) {
		t.Helper()
		for i := 1; i <= 3; i++ {
			if got := numberOf(t, url, append(args, "--dry-run")...); got != want {
				t.Fatalf("%s: dry run %d shows %s, want %s", kind, i, got, want)
			}
		}
		if got := numberOf(t, url, args...); got != want {
			t.Fatalf("%s: the real run after three dry runs got %s, want %s", kind, got, want)
		}
	}
	step("sales order", "SO-000001", "so", "new", "ACME", "--location", "MAIN")
	run(t, url, "so", "add", "SO-000001", "W", "2").wantCode(t, ExitOK)
	run(t, url, "so", "add", "SO-000001", "FIT", "1").wantCode(t, ExitOK)
	run(t, url, "so", "confirm", "SO-000001").wantCode(t, ExitOK)
	// so ship names its shipment on stderr and lists the lines on stdout.
	for i := 1; i <= 3; i++ {
		run(t, url, "so", "ship", "SO-000001", "--dry-run").wantCode(t, ExitOK).wantErr(t, "SO-000001: SH-000001 shipped", "dry run")
	}
	run(t, url, "so", "ship", "SO-000001").wantCode(t, ExitOK).wantErr(t, "SO-000001: SH-000001 shipped")
	step("invoice", "INV-000001", "so", "invoice", "SO-000001")
	step("transfer", "TR-000001", "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "1")
	// The next of each kind follows on: no number was lost.
	if got := numberOf(t, url, "so", "new", "ACME", "--location", "MAIN"); got != "SO-000002" {
		t.Fatalf("second order: %s, want SO-000002", got)
	}
	if got := numberOf(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "1"); got != "TR-000002" {
		t.Fatalf("second transfer: %s, want TR-000002", got)
	}
}

// A command refused after it took its document's number gives the number back. By hand: the
// transfer of 99 W (5 on hand) takes TR-000001 and is refused by the posting guard, so the
// next transfer is TR-000001 again (it was TR-000002 with sequences); rfq convert takes
// PO-000001 and is refused on its line (W is not purchasable), so the PO converted once W is
// purchasable again is PO-000001, and a PO made next is PO-000002.
func TestRefusedCommandsTakeNoNumber(t *testing.T) {
	t.Parallel()
	url := soSetup(t)
	run(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "99").wantCode(t, ExitInvalid)
	if got := numberOf(t, url, "stock", "transfer", "W", "--from", "MAIN", "--to", "NORTH", "--qty", "1"); got != "TR-000001" {
		t.Fatalf("transfer after a refused one: %s, want TR-000001", got)
	}

	run(t, url, "company", "add", "SUP", "--name", "Supplier", "--supplier").wantCode(t, ExitOK)
	run(t, url, "rfq", "new", "SUP", "--location", "MAIN").wantCode(t, ExitOK).wantErr(t, "RFQ-000001 created")
	run(t, url, "rfq", "add", "RFQ-000001", "W", "10").wantCode(t, ExitOK)
	run(t, url, "rfq", "quote", "RFQ-000001", "1", "--price", "3").wantCode(t, ExitOK)
	run(t, url, "product", "edit", "W", "--purchasable=false").wantCode(t, ExitOK)
	r := run(t, url, "rfq", "convert", "RFQ-000001").wantCode(t, ExitInvalid).wantErr(t, "not purchasable")
	if strings.Contains(r.err+r.out, "PO-000001") {
		t.Fatalf("the refused convert reports a PO: %s %s", r.out, r.err)
	}
	run(t, url, "product", "edit", "W", "--purchasable").wantCode(t, ExitOK)
	if got := numberOf(t, url, "rfq", "convert", "RFQ-000001"); got != "PO-000001" {
		t.Fatalf("PO converted after a refused convert: %s, want PO-000001", got)
	}
	if got := numberOf(t, url, "po", "new", "SUP", "--location", "MAIN"); got != "PO-000002" {
		t.Fatalf("next PO: %s, want PO-000002", got)
	}
}

// The shipment number format is a setting like the others, validated the same way.
func TestShipmentNumberFormat(t *testing.T) {
	t.Parallel()
	url := soSetup(t)
	run(t, url, "settings", "get", "number_format_sh").wantCode(t, ExitOK)
	run(t, url, "settings", "set", "number_format_sh", "SH %d").wantCode(t, ExitInvalid).wantErr(t, "spaces")
	run(t, url, "settings", "set", "number_format_sh", "DN-%s").wantCode(t, ExitInvalid).wantErr(t, "one %d")
	run(t, url, "settings", "set", "number_format_sh", "DN-%04d").wantCode(t, ExitOK)
	for _, k := range []string{"number_format_cn", "number_format_rma"} {
		run(t, url, "settings", "get", k).wantCode(t, ExitOK)
	}
	run(t, url, "so", "new", "ACME", "--location", "MAIN").wantCode(t, ExitOK)
	run(t, url, "so", "add", "SO-000001", "W", "1").wantCode(t, ExitOK)
	run(t, url, "so", "confirm", "SO-000001").wantCode(t, ExitOK)
	run(t, url, "so", "ship", "SO-000001").wantCode(t, ExitOK).wantErr(t, "SO-000001: DN-0001 shipped")
}
