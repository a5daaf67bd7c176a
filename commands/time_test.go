package commands

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// timeSetup: location MAIN, customer ACME (no tax), time product DEV priced 800 per day of 8
// hours, training product SAFE at 250 a seat.
func timeSetup(t *testing.T) string {
	t.Helper()
	url := dbtest.NewURL(t)
	run(t, url, "location", "add", "MAIN", "--name", "Main").wantCode(t, ExitOK)
	run(t, url, "company", "add", "ACME", "--name", "Acme", "--customer", "--tax-rate", "0").wantCode(t, ExitOK)
	run(t, url, "company", "add", "BOB", "--name", "Bob", "--customer").wantCode(t, ExitOK)
	run(t, url, "product", "add", "DEV", "--name", "Development", "--type", "time", "--sell-price", "800").wantCode(t, ExitOK)
	run(t, url, "product", "add", "SAFE", "--name", "Safety course", "--type", "training", "--sell-price", "250").wantCode(t, ExitOK)
	return url
}

type timeEntryJSON struct {
	ID       int64   `json:"id"`
	Customer string  `json:"customer"`
	SKU      string  `json:"sku"`
	Hours    string  `json:"hours"`
	Billable bool    `json:"billable"`
	Ref      string  `json:"ref"`
	SO       *string `json:"so"`
	SOLine   *int    `json:"so_line"`
}

type timeBillJSON struct {
	SO       string `json:"so"`
	Entries  int    `json:"entries"`
	Hours    string `json:"hours"`
	Subtotal string `json:"subtotal"`
	Total    string `json:"total"`
	Lines    []struct {
		SKU         string  `json:"sku"`
		Period      string  `json:"period"`
		Qty         string  `json:"qty"`
		UnitPrice   string  `json:"unit_price"`
		PriceSource string  `json:"price_source"`
		Amount      string  `json:"amount"`
		Entries     []int64 `json:"entries"`
	} `json:"lines"`
}

func TestTimeCommands(t *testing.T) {
	t.Parallel()
	url := timeSetup(t)
	run(t, url, "time", "product", "set", "DEV", "--unit", "fortnight").wantCode(t, ExitInvalid).wantErr(t, "--unit")
	run(t, url, "time", "product", "set", "SAFE", "--unit", "day").wantCode(t, ExitInvalid).wantErr(t, "training product")
	run(t, url, "time", "product", "set", "DEV", "--period", "1", "--unit", "day", "--time-type", "labour").wantCode(t, ExitOK)
	var prods []struct {
		SKU         string `json:"sku"`
		PeriodUnit  string `json:"period_unit"`
		PeriodHours string `json:"period_hours"`
		Price       string `json:"price_per_period"`
	}
	run(t, url, "time", "product", "list", "-o", "json").wantCode(t, ExitOK).json(t, &prods)
	if len(prods) != 1 || prods[0].PeriodUnit != "day" || !decEq(prods[0].PeriodHours, "8") || !decEq(prods[0].Price, "800") {
		t.Fatalf("time products = %+v", prods)
	}

	// Refusals: usage 4, rules 5, not found 6.
	run(t, url, "time", "log", "ACME", "--qty", "1").wantCode(t, ExitUsage).wantErr(t, "--product")
	run(t, url, "time", "log", "ACME", "--product", "DEV").wantCode(t, ExitUsage).wantErr(t, "--qty")
	run(t, url, "time", "log", "ACME", "--product", "DEV", "--qty", "x").wantCode(t, ExitUsage)
	run(t, url, "time", "log", "ACME", "--product", "DEV", "--qty", "-2").wantCode(t, ExitInvalid).wantErr(t, "--qty")
	run(t, url, "time", "log", "ACME", "--product", "SAFE", "--qty", "2").wantCode(t, ExitInvalid).wantErr(t, "SAFE")
	run(t, url, "time", "log", "NOBODY", "--product", "DEV", "--qty", "2").wantCode(t, ExitNotFound).wantErr(t, "unknown customer")
	run(t, url, "time", "log", "ACME", "--product", "DEV", "--qty", "2", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")

	var e1, e2, e3 timeEntryJSON
	run(t, url, "time", "log", "ACME", "--product", "DEV", "--qty", "6", "--date", "2026-03-02", "--ref", "PRJ-1", "-o", "json").wantCode(t, ExitOK).json(t, &e1)
	run(t, url, "time", "log", "ACME", "--product", "DEV", "--qty", "3", "--date", "2026-03-03", "--ref", "PRJ-1", "-o", "json").wantCode(t, ExitOK).json(t, &e2)
	run(t, url, "time", "log", "ACME", "--product", "DEV", "--qty", "1", "--date", "2026-03-03", "--non-billable", "-o", "json").wantCode(t, ExitOK).json(t, &e3)
	run(t, url, "time", "log", "BOB", "--product", "DEV", "--qty", "8", "--date", "2026-03-03").wantCode(t, ExitOK)
	if e1.Customer != "ACME" || !decEq(e1.Hours, "6") || !e1.Billable || e3.Billable || e1.SO != nil {
		t.Fatalf("entries %+v %+v", e1, e3)
	}
	// Edit before billing: 3 → 4 hours.
	var ed timeEntryJSON
	run(t, url, "time", "edit", itoa(e2.ID), "--qty", "4", "-o", "json").wantCode(t, ExitOK).json(t, &ed)
	if !decEq(ed.Hours, "4") || ed.Ref != "PRJ-1" {
		t.Fatalf("edited %+v", ed)
	}
	run(t, url, "time", "edit", "x").wantCode(t, ExitUsage)
	run(t, url, "time", "edit", "9999", "--qty", "1").wantCode(t, ExitNotFound)

	var list []timeEntryJSON
	run(t, url, "time", "list", "--unbilled", "--customer", "ACME", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 2 {
		t.Fatalf("unbilled for ACME = %+v, want 2", list)
	}
	run(t, url, "time", "list", "--ref", "PRJ-1", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 2 {
		t.Fatalf("PRJ-1 entries = %+v, want 2", list)
	}

	// Dry run: the bill is shown, nothing is billed.
	var b timeBillJSON
	run(t, url, "time", "bill", "ACME", "--until", "2026-03-31", "--dry-run", "-o", "json").wantCode(t, ExitOK).wantErr(t, "would be billed", "dry run").json(t, &b)
	if len(b.Lines) != 1 || !decEq(b.Lines[0].Qty, "1.25") {
		t.Fatalf("dry-run bill %+v", b)
	}
	run(t, url, "time", "list", "--unbilled", "--customer", "ACME", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 2 {
		t.Fatalf("after the dry run %d unbilled, want 2", len(list))
	}

	// 6 + 4 hours of DEV at 800 per day of 8 hours = 1.25 days = 1000.
	run(t, url, "time", "bill", "ACME", "--until", "2026-03-31", "--date", "2026-03-31", "-o", "json").wantCode(t, ExitOK).json(t, &b)
	if b.SO == "" || b.Entries != 2 || !decEq(b.Hours, "10") || len(b.Lines) != 1 || b.Lines[0].Period != "day" ||
		!decEq(b.Lines[0].Qty, "1.25") || !decEq(b.Lines[0].UnitPrice, "800") || b.Lines[0].PriceSource != "sell_price" ||
		!decEq(b.Lines[0].Amount, "1000") || !decEq(b.Subtotal, "1000") || !decEq(b.Total, "1000") || len(b.Lines[0].Entries) != 2 {
		t.Fatalf("bill %+v", b)
	}
	var so soJSON
	run(t, url, "so", "show", b.SO, "-o", "json").wantCode(t, ExitOK).json(t, &so)
	if so.Status != "draft" || len(so.Lines) != 1 || so.Lines[0].SKU != "DEV" || !decEq(so.Subtotal, "1000") {
		t.Fatalf("order %+v", so)
	}
	run(t, url, "time", "bill", "ACME").wantCode(t, ExitOK).wantErr(t, "nothing to bill for ACME")
	run(t, url, "time", "edit", itoa(e1.ID), "--qty", "7").wantCode(t, ExitInvalid).wantErr(t, "billed on "+b.SO)
	run(t, url, "time", "bill", "NOBODY").wantCode(t, ExitNotFound).wantErr(t, "unknown customer")
	run(t, url, "time", "bill", "ACME", "--until", "31/03").wantCode(t, ExitUsage).wantErr(t, "--until")
	out := run(t, url, "time", "list", "--customer", "ACME").wantCode(t, ExitOK).out
	if !strings.Contains(out, b.SO) {
		t.Fatalf("time list does not show the order:\n%s", out)
	}
}

func TestTrainingCommands(t *testing.T) {
	t.Parallel()
	url := timeSetup(t)
	run(t, url, "training", "session", "add", "SAFE", "--location", "MAIN", "--capacity", "3").wantCode(t, ExitUsage).wantErr(t, "--date")
	run(t, url, "training", "session", "add", "DEV", "--date", "2026-05-04", "--location", "MAIN", "--capacity", "3").wantCode(t, ExitInvalid)
	run(t, url, "training", "session", "add", "SAFE", "--date", "2026-05-04", "--location", "MAIN", "--capacity", "3").wantCode(t, ExitOK).wantErr(t, "session 1 of SAFE")
	type reg struct {
		ID        int64   `json:"id"`
		Status    string  `json:"status"`
		Seats     int     `json:"seats"`
		SO        *string `json:"so"`
		UnitPrice *string `json:"unit_price"`
	}
	var r reg
	run(t, url, "training", "register", "1", "ACME", "--seats", "2", "-o", "json").wantCode(t, ExitOK).json(t, &r)
	if r.Status != "registered" || r.SO == nil || r.UnitPrice == nil || !decEq(*r.UnitPrice, "250") {
		t.Fatalf("registration %+v", r)
	}
	var so soJSON
	run(t, url, "so", "show", *r.SO, "-o", "json").wantCode(t, ExitOK).json(t, &so)
	if len(so.Lines) != 1 || !decEq(so.Lines[0].Qty, "2") || !decEq(so.Subtotal, "500") {
		t.Fatalf("order %+v", so)
	}
	run(t, url, "training", "register", "1", "BOB", "--seats", "2").wantCode(t, ExitInvalid).wantErr(t, "1 of 3 seats free", "--waitlist")
	run(t, url, "training", "register", "1", "BOB", "--seats", "2", "--waitlist", "-o", "json").wantCode(t, ExitOK).wantErr(t, "waitlisted").json(t, &r)
	if r.Status != "waitlisted" || r.SO != nil {
		t.Fatalf("waitlisted %+v", r)
	}
	run(t, url, "training", "promote", itoa(r.ID)).wantCode(t, ExitInvalid).wantErr(t, "stays on the waitlist")
	run(t, url, "training", "register", "1", "BOB", "--seats", "0").wantCode(t, ExitUsage)
	run(t, url, "training", "register", "9", "BOB").wantCode(t, ExitNotFound)
	run(t, url, "training", "register", "x", "BOB").wantCode(t, ExitUsage)
	run(t, url, "training", "register", "1", "BOB", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	var sessions []struct {
		ID         int64 `json:"id"`
		Capacity   int   `json:"capacity"`
		Taken      int   `json:"seats_taken"`
		Free       int   `json:"seats_free"`
		Waitlisted int   `json:"waitlisted"`
	}
	run(t, url, "training", "sessions", "SAFE", "-o", "json").wantCode(t, ExitOK).json(t, &sessions)
	if len(sessions) != 1 || sessions[0].Taken != 2 || sessions[0].Free != 1 || sessions[0].Waitlisted != 2 {
		t.Fatalf("sessions %+v", sessions)
	}
	var regs []reg
	run(t, url, "training", "registrations", "1", "-o", "json").wantCode(t, ExitOK).json(t, &regs)
	if len(regs) != 2 || regs[0].Status != "registered" || regs[1].Status != "waitlisted" {
		t.Fatalf("registrations %+v", regs)
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// so cancel undoes what time bill and training register made: the hours are unbilled again
// and the seats freed, and stderr says so, naming the waitlisted registration that now fits.
func TestSOCancelUndoesTimeAndSeats(t *testing.T) {
	t.Parallel()
	url := timeSetup(t)
	run(t, url, "time", "product", "set", "DEV", "--period", "1", "--unit", "day").wantCode(t, ExitOK)
	run(t, url, "time", "log", "ACME", "--product", "DEV", "--qty", "4", "--date", "2026-03-02").wantCode(t, ExitOK)
	// 4 hours = 0.5 day × 800 = 400.
	var b timeBillJSON
	run(t, url, "time", "bill", "ACME", "--date", "2026-03-02", "-o", "json").wantCode(t, ExitOK).json(t, &b)
	if b.SO != "SO-000001" || b.Entries != 1 || !decEq(b.Subtotal, "400") {
		t.Fatalf("bill %+v", b)
	}
	run(t, url, "so", "cancel", "SO-000001").wantCode(t, ExitOK).
		wantErr(t, "SO-000001 cancelled\n1 time entries (4 hours) are unbilled again\n")
	var unbilled []timeEntryJSON
	run(t, url, "time", "list", "--unbilled", "-o", "json").wantCode(t, ExitOK).json(t, &unbilled)
	if len(unbilled) != 1 || unbilled[0].SO != nil || !decEq(unbilled[0].Hours, "4") {
		t.Fatalf("unbilled after the cancel %+v", unbilled)
	}

	// Session of 3 seats: ACME takes 2 (SO-000002), BOB's 2 wait (registration 2).
	run(t, url, "training", "session", "add", "SAFE", "--date", "2026-05-04", "--location", "MAIN", "--capacity", "3").wantCode(t, ExitOK)
	run(t, url, "training", "register", "1", "ACME", "--seats", "2").wantCode(t, ExitOK)
	run(t, url, "training", "register", "1", "BOB", "--seats", "2", "--waitlist").wantCode(t, ExitOK)
	run(t, url, "training", "promote", "2").wantCode(t, ExitInvalid).wantErr(t, "stays on the waitlist")
	// Cancelling SO-000002 gives ACME's 2 seats back: 3 free, BOB's 2 fit.
	run(t, url, "so", "cancel", "SO-000002").wantCode(t, ExitOK).wantErr(t,
		"training session 1 (SAFE on 2026-05-04): 2 seats freed, 3 free\n",
		"  waitlisted registration 2 (BOB, 2 seats) fits: stockctl training promote 2\n")
	run(t, url, "training", "promote", "2").wantCode(t, ExitOK)
	type reg struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Seats  int    `json:"seats"`
	}
	var regs []reg
	run(t, url, "training", "registrations", "1", "-o", "json").wantCode(t, ExitOK).json(t, &regs)
	if len(regs) != 2 || regs[0].ID != 2 || regs[0].Status != "registered" || regs[1].ID != 1 || regs[1].Status != "cancelled" {
		t.Fatalf("registrations %+v", regs)
	}
}
