package commands

import (
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

type demoOrder = struct{ Number, Customer, Status, Backordered, Notes string }

// demoSalesOnly keeps the sales orders the demo's sales part makes (notes "Demo: ..."),
// leaving out those time billing and training registrations make.
func demoSalesOnly(orders []demoOrder) []demoOrder {
	out := []demoOrder{}
	for _, o := range orders {
		if strings.HasPrefix(o.Notes, "Demo:") {
			out = append(out, o)
		}
	}
	return out
}

// The demo's time and training: ACME's June hours billed on one order (2.5 + 1.5 hours of
// CONSULT at 120 = 480; the non-billable half hour stays out), BLUEBIRD's 3 July hours
// unbilled, a COURSE-SAFETY session of 8 with 5 seats taken on two orders; loading twice adds
// nothing.
func TestDemoTime(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var sum map[string]float64
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["time_entries"] != 4 || sum["time_bills"] != 1 || sum["training_sessions"] != 1 || sum["registrations"] != 2 {
		t.Fatalf("summary: %v", sum)
	}
	var entries []timeEntryJSON
	run(t, url, "time", "list", "-o", "json").wantCode(t, ExitOK).json(t, &entries)
	if len(entries) != 4 || entries[0].SO == nil || entries[1].SO == nil || *entries[0].SO != *entries[1].SO || entries[2].SO != nil || entries[3].SO != nil {
		t.Fatalf("entries: %+v", entries)
	}
	var so soJSON
	run(t, url, "so", "show", *entries[0].SO, "-o", "json").wantCode(t, ExitOK).json(t, &so)
	if len(so.Lines) != 1 || so.Lines[0].SKU != "CONSULT" || !decEq(so.Lines[0].Qty, "4") || !decEq(so.Subtotal, "480") {
		t.Fatalf("time order: %+v", so)
	}
	var b timeBillJSON
	run(t, url, "time", "bill", "BLUEBIRD", "--dry-run", "-o", "json").wantCode(t, ExitOK).json(t, &b)
	if len(b.Lines) != 1 || !decEq(b.Lines[0].Amount, "360") {
		t.Fatalf("BLUEBIRD dry run: %+v", b)
	}
	var sessions []struct {
		ID    int64 `json:"id"`
		Taken int   `json:"seats_taken"`
		Free  int   `json:"seats_free"`
	}
	run(t, url, "training", "sessions", "COURSE-SAFETY", "-o", "json").wantCode(t, ExitOK).json(t, &sessions)
	if len(sessions) != 1 || sessions[0].Taken != 5 || sessions[0].Free != 3 {
		t.Fatalf("sessions: %+v", sessions)
	}
	run(t, url, "training", "register", "1", "BLUEBIRD", "--seats", "4", "--waitlist").wantCode(t, ExitOK).wantErr(t, "waitlisted")
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["time_entries"] != 0 || sum["time_bills"] != 0 || sum["training_sessions"] != 0 || sum["registrations"] != 0 {
		t.Fatalf("second load: %v", sum)
	}
	run(t, url, "time", "list", "-o", "json").wantCode(t, ExitOK).json(t, &entries)
	if len(entries) != 4 {
		t.Fatalf("second load logged time again: %d entries", len(entries))
	}
}
