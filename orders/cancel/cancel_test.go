package cancel_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/cancel"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/sales"
	"github.com/stockctl/stockctl/orders/timebill"
	"github.com/stockctl/stockctl/orders/training"
	"github.com/stockctl/stockctl/orders/work"
)

var ctx = context.Background()

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func dp(s string) *decimal.Decimal {
	v := d(s)
	return &v
}
func str(s string) *string { return &s }
func yes() *bool           { b := true; return &b }

// setup: location MAIN; customers ACME, BOB and CAT; time product DEV (800 a day of 8
// hours) and CONS (120 an hour); training product SAFE (250 a seat); stock products WID
// (sell 10; 10 on hand at cost 3), LEG (24 on hand at cost 2), TABLE (4 LEG) and STOOL
// (3 LEG), built by work orders.
func setup(t *testing.T) *sqlx.DB {
	t.Helper()
	conn, _ := dbtest.New(t)
	if _, err := stock.AddLocation(ctx, conn, "MAIN", "Main", "", ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"ACME", "BOB", "CAT"} {
		if _, err := company.Add(ctx, conn, c, company.Changes{Name: str(c), Customer: yes()}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []struct {
		sku string
		ch  catalog.Changes
	}{
		{"DEV", catalog.Changes{Name: str("Development"), Type: str("time"), SellPrice: dp("800")}},
		{"CONS", catalog.Changes{Name: str("Consulting"), Type: str("time"), SellPrice: dp("120")}},
		{"SAFE", catalog.Changes{Name: str("Safety course"), Type: str("training"), SellPrice: dp("250")}},
		{"WID", catalog.Changes{Name: str("Widget"), SellPrice: dp("10")}},
		{"LEG", catalog.Changes{Name: str("Leg"), SellPrice: dp("5")}},
		{"TABLE", catalog.Changes{Name: str("Table"), SellPrice: dp("200")}},
		{"STOOL", catalog.Changes{Name: str("Stool"), SellPrice: dp("60")}},
	} {
		if _, err := catalog.Add(ctx, conn, p.sku, p.ch); err != nil {
			t.Fatal(p.sku, err)
		}
	}
	if _, err := timebill.SetProduct(ctx, conn, "DEV", timebill.ProductChanges{PeriodQty: dp("1"), PeriodUnit: str("day")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ parent, comp, qty string }{{"TABLE", "LEG", "4"}, {"STOOL", "LEG", "3"}} {
		if _, _, err := catalog.AddComponent(ctx, conn, c.parent, c.comp, d(c.qty)); err != nil {
			t.Fatal(err)
		}
	}
	run(t, conn, func(tx *sqlx.Tx) error {
		_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{{SKU: "WID", Location: "MAIN", Qty: d("10"), UnitCost: dp("3")},
			{SKU: "LEG", Location: "MAIN", Qty: d("24"), UnitCost: dp("2")}}, "")
		return err
	})
	return conn
}

func run(t *testing.T, conn *sqlx.DB, fn func(tx *sqlx.Tx) error) {
	t.Helper()
	if err := db.InTx(ctx, conn, fn); err != nil {
		t.Fatal(err)
	}
}

func cancelSO(t *testing.T, conn *sqlx.DB, so string) cancel.Result {
	t.Helper()
	var r cancel.Result
	run(t, conn, func(tx *sqlx.Tx) (err error) {
		r, err = cancel.SalesOrder(ctx, tx, so)
		return err
	})
	if r.Order.Status != sales.Cancelled {
		t.Fatalf("%s is %s after cancel", so, r.Order.Status)
	}
	return r
}

// rows reads a query's rows as text, one string per row, for before/after comparisons.
func rows(t *testing.T, conn *sqlx.DB, query string, args ...any) []string {
	t.Helper()
	var out []string
	if err := conn.Select(&out, query, args...); err != nil {
		t.Fatal(err)
	}
	return out
}

func same(t *testing.T, what string, before, after []string) {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("%s: before %q, after %q", what, before, after)
	}
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("%s: before %q, after %q", what, before, after)
		}
	}
}

// clean runs stock check and the allocation check.
func clean(t *testing.T, conn *sqlx.DB) {
	t.Helper()
	vs, err := stock.Check(ctx, conn)
	if err != nil || len(vs) > 0 {
		t.Fatalf("stock check: %+v, %v", vs, err)
	}
	ms, err := sales.CheckAllocations(ctx, conn)
	if err != nil || len(ms) > 0 {
		t.Fatalf("allocations: %+v, %v", ms, err)
	}
}

const entryRows = `SELECT concat_ws('|', id, customer_id, product_id, entry_date, hours, note, ref, billable, rate, so_line_id, billed_at)
	FROM time_entries ORDER BY id`

// The order time bill made is cancelled: its hours are unbilled again, exactly as they were
// logged, and the next time bill bills them again at the same numbers.
func TestCancelTimeBillOrderUnbillsHours(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	on := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, e := range []timebill.NewEntry{
		{Customer: "ACME", SKU: "DEV", Hours: d("8"), Date: on},
		{Customer: "ACME", SKU: "DEV", Hours: d("4"), Date: on.AddDate(0, 0, 1)},
		{Customer: "ACME", SKU: "CONS", Hours: d("3"), Date: on},
		{Customer: "BOB", SKU: "CONS", Hours: d("2"), Date: on},
	} {
		if _, err := timebill.Log(ctx, conn, e); err != nil {
			t.Fatal(err)
		}
	}
	before := rows(t, conn, entryRows)
	bill := func() timebill.Billed {
		var b timebill.Billed
		run(t, conn, func(tx *sqlx.Tx) (err error) {
			b, err = timebill.Bill(ctx, tx, timebill.BillInput{Customer: "ACME", Date: on})
			return err
		})
		return b
	}
	// ACME: DEV 8 + 4 = 12 hours = 1.5 days × 800 = 1200; CONS 3 hours × 120 = 360;
	// subtotal 1200 + 360 = 1560 over 3 entries and 15 hours. BOB's 2 hours are not billed.
	b := bill()
	if b.Entries != 3 || !b.Hours.Equal(d("15")) || !b.Subtotal.Equal(d("1560")) {
		t.Fatalf("bill = %d entries, %s hours, subtotal %s; want 3, 15, 1560", b.Entries, b.Hours, b.Subtotal)
	}
	r := cancelSO(t, conn, b.SO)
	// The three entries come back: 8 + 4 + 3 = 15 hours.
	hours := decimal.Zero
	for _, u := range r.Unbilled {
		hours = hours.Add(u.Hours)
	}
	if len(r.Unbilled) != 3 || !hours.Equal(d("15")) {
		t.Fatalf("unbilled = %+v, want 3 entries of 15 hours", r.Unbilled)
	}
	same(t, "time entries", before, rows(t, conn, entryRows))
	// A billed entry stays frozen: only the unbilling of a cancelled order gets through.
	again := bill()
	if again.SO == b.SO || again.Entries != 3 || !again.Hours.Equal(d("15")) || !again.Subtotal.Equal(d("1560")) {
		t.Fatalf("bill again = %s, %d entries, %s hours, subtotal %s; want a new order, 3, 15, 1560", again.SO, again.Entries, again.Hours, again.Subtotal)
	}
	if _, err := conn.Exec(`UPDATE time_entries SET so_line_id = NULL, billed_at = NULL WHERE billed_at IS NOT NULL`); err == nil {
		t.Fatal("unbilling entries of an order that is not cancelled went through")
	}
	clean(t, conn)
}

const sessionRows = `SELECT concat_ws('|', id, capacity, seats_taken) FROM training_sessions ORDER BY id`

// A training order is cancelled: its seats are free again, the other registrations are as
// they were, and the waitlist can be promoted into the freed seats.
func TestCancelTrainingOrderFreesSeatsForWaitlist(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	var s training.Session
	run(t, conn, func(tx *sqlx.Tx) (err error) {
		s, err = training.AddSession(ctx, tx, training.NewSession{SKU: "SAFE", Date: time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC), Location: "MAIN", Capacity: 3})
		return err
	})
	register := func(in training.RegisterInput) training.Registration {
		var r training.Registration
		run(t, conn, func(tx *sqlx.Tx) (err error) {
			r, err = training.Register(ctx, tx, in)
			return err
		})
		return r
	}
	bob := register(training.RegisterInput{Session: s.ID, Customer: "BOB", Seats: 1})
	// Before ACME's order: 1 of 3 seats taken (BOB's).
	beforeSessions := rows(t, conn, sessionRows)
	bobRow := `SELECT concat_ws('|', id, status, seats, so_line_id) FROM training_registrations WHERE id = $1`
	beforeBob := rows(t, conn, bobRow, bob.ID)
	acme := register(training.RegisterInput{Session: s.ID, Customer: "ACME", Seats: 2})
	// 1 + 2 = 3 of 3 taken: CAT's 2 seats wait.
	cat := register(training.RegisterInput{Session: s.ID, Customer: "CAT", Seats: 2, Waitlist: true})
	if cat.Status != training.Waitlisted {
		t.Fatalf("CAT is %s, want waitlisted", cat.Status)
	}
	promote := func() (training.Registration, error) {
		var r training.Registration
		err := db.InTx(ctx, conn, func(tx *sqlx.Tx) (err error) {
			r, err = training.Promote(ctx, tx, cat.ID, "", time.Time{})
			return err
		})
		return r, err
	}
	if _, err := promote(); !fault.Is(err, fault.Conflict) {
		t.Fatalf("promote into a full session: %v, want a conflict", err)
	}

	r := cancelSO(t, conn, *acme.SO)
	// ACME's 2 seats come back: 3 − 1 = 2 free, which CAT's 2 waitlisted seats fit.
	if len(r.Seats) != 1 || r.Seats[0].Seats != 2 || r.Seats[0].Free != 2 || len(r.Seats[0].Offer) != 1 ||
		r.Seats[0].Offer[0].Registration != cat.ID || r.Seats[0].Offer[0].Seats != 2 {
		t.Fatalf("freed = %+v, want 2 seats, 2 free, offered to registration %d", r.Seats, cat.ID)
	}
	same(t, "sessions", beforeSessions, rows(t, conn, sessionRows))
	same(t, "BOB's registration", beforeBob, rows(t, conn, bobRow, bob.ID))
	got, err := training.GetRegistration(ctx, conn, acme.ID)
	if err != nil || got.Status != training.Cancelled || got.SO == nil || *got.SO != *acme.SO {
		t.Fatalf("ACME's registration = %+v, %v; want cancelled, still naming %s", got, err, *acme.SO)
	}

	// CAT is promoted into the freed seats: 2 × 250 = 500 on a new order; 1 + 2 = 3 taken.
	p, err := promote()
	if err != nil || p.Status != training.Registered || !p.UnitPrice.Equal(d("250")) {
		t.Fatalf("promote after the cancel = %+v, %v", p, err)
	}
	doc, err := sales.Get(ctx, conn, *p.SO)
	if err != nil || !doc.Subtotal.Equal(d("500")) {
		t.Fatalf("CAT's order = %+v, %v; want subtotal 500", doc.Order, err)
	}
	after, err := training.GetSession(ctx, conn, s.ID)
	if err != nil || after.Taken != 3 || after.Free != 0 || after.Waitlisted != 0 {
		t.Fatalf("session after promote = %+v, %v; want 3 taken, 0 free, none waiting", after, err)
	}
	clean(t, conn)
}

const balanceRows = `SELECT concat_ws('|', p.sku, b.on_hand, b.allocated) FROM stock_balances b JOIN products p ON p.id = b.product_id
	WHERE p.sku = ANY($1) ORDER BY p.sku`

// A confirmed order is cancelled: its allocations are freed (the balances are as before the
// order), the work order made for one line that built nothing is cancelled, and the one that
// has built a unit is kept, unlinked, its unit free stock.
func TestCancelConfirmedOrderFreesAllocationsAndWorkOrders(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	order := func(customer string, lines ...sales.LineInput) string {
		var so string
		run(t, conn, func(tx *sqlx.Tx) error {
			doc, err := sales.New(ctx, tx, sales.NewOrder{Customer: customer, Location: "MAIN"})
			if err != nil {
				return err
			}
			for _, l := range lines {
				if _, err := sales.AddLine(ctx, tx, doc.Number, l); err != nil {
					return err
				}
			}
			so = doc.Number
			_, err = sales.Confirm(ctx, tx, so)
			return err
		})
		return so
	}
	// BOB's order allocates 3 of the 10 WID.
	order("BOB", sales.LineInput{SKU: "WID", Qty: d("3")})
	skus := []string{"WID", "LEG", "TABLE", "STOOL"}
	before := rows(t, conn, balanceRows, skus)
	// WID 10 on hand, 3 allocated; LEG 24 on hand, none allocated.
	same(t, "balances before", []string{"LEG|24|0", "WID|10|3"}, before)

	// ACME: 4 WID allocated (3 + 4 = 7 of 10), 1 TABLE and 2 STOOL backordered (no stock).
	so := order("ACME", sales.LineInput{SKU: "WID", Qty: d("4")}, sales.LineInput{SKU: "TABLE", Qty: d("1")},
		sales.LineInput{SKU: "STOOL", Qty: d("2")})
	var gen []work.Generated
	run(t, conn, func(tx *sqlx.Tx) (err error) {
		gen, err = work.Generate(ctx, tx, []string{so})
		return err
	})
	if len(gen) != 2 || gen[0].WO == "" || gen[1].WO == "" {
		t.Fatalf("wo generate = %+v, want two work orders", gen)
	}
	wo := map[string]string{gen[0].SKU: gen[0].WO, gen[1].SKU: gen[1].WO}
	// One STOOL is built: 3 LEG consumed (24 − 3 = 21), 1 STOOL produced and allocated to
	// ACME's line.
	run(t, conn, func(tx *sqlx.Tx) error {
		_, err := work.Complete(ctx, tx, wo["STOOL"], dp("1"))
		return err
	})
	same(t, "balances with the order", []string{"LEG|21|0", "STOOL|1|1", "WID|10|7"}, rows(t, conn, balanceRows, skus))

	r := cancelSO(t, conn, so)
	if len(r.WorkOrders) != 2 || r.WorkOrders[0].Number != wo["TABLE"] || r.WorkOrders[0].Action != work.Cancelled ||
		r.WorkOrders[1].Number != wo["STOOL"] || r.WorkOrders[1].Action != "unlinked" {
		t.Fatalf("work orders = %+v, want %s cancelled and %s unlinked", r.WorkOrders, wo["TABLE"], wo["STOOL"])
	}
	// WID back to 3 allocated (BOB's), as before ACME's order. The built STOOL and the 3 LEG
	// it took are real moves, not undone: 1 STOOL on hand, free; LEG 21.
	same(t, "balances after", []string{"LEG|21|0", "STOOL|1|0", "WID|10|3"}, rows(t, conn, balanceRows, skus))
	table, err := work.Get(ctx, conn, wo["TABLE"])
	if err != nil || table.Status != work.Cancelled {
		t.Fatalf("%s = %+v, %v; want cancelled", wo["TABLE"], table.Order, err)
	}
	stool, err := work.Get(ctx, conn, wo["STOOL"])
	if err != nil || stool.Status != work.PartiallyCompleted || stool.SO != nil || !stool.Remaining.Equal(d("1")) {
		t.Fatalf("%s = %+v, %v; want partially completed, 1 to build, linked to no order", wo["STOOL"], stool.Order, err)
	}
	// The second STOOL is built into free stock: 2 on hand, none allocated; LEG 21 − 3 = 18.
	run(t, conn, func(tx *sqlx.Tx) error {
		_, err := work.Complete(ctx, tx, wo["STOOL"], nil)
		return err
	})
	same(t, "balances after the build", []string{"LEG|18|0", "STOOL|2|0", "WID|10|3"}, rows(t, conn, balanceRows, skus))
	clean(t, conn)
}

// An order with an invoiced line cannot be cancelled, and the refusal writes nothing.
func TestCancelRefusesInvoicedOrder(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	on := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	if _, err := timebill.Log(ctx, conn, timebill.NewEntry{Customer: "ACME", SKU: "CONS", Hours: d("2"), Date: on}); err != nil {
		t.Fatal(err)
	}
	var b timebill.Billed
	run(t, conn, func(tx *sqlx.Tx) (err error) {
		if b, err = timebill.Bill(ctx, tx, timebill.BillInput{Customer: "ACME", Date: on}); err != nil {
			return err
		}
		if _, err = sales.Confirm(ctx, tx, b.SO); err != nil {
			return err
		}
		_, err = sales.Invoice(ctx, tx, b.SO, on)
		return err
	})
	before := rows(t, conn, entryRows)
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		_, err := cancel.SalesOrder(ctx, tx, b.SO)
		return err
	})
	if !fault.Is(err, fault.Invalid) {
		t.Fatalf("cancel of an invoiced order: %v, want invalid", err)
	}
	same(t, "time entries", before, rows(t, conn, entryRows))
}

// poGenerate is po generate --from-backorders, wired as the command wires it.
func poGenerate(t *testing.T, conn *sqlx.DB) purchasing.GenerateResult {
	t.Helper()
	var res purchasing.GenerateResult
	run(t, conn, func(tx *sqlx.Tx) (err error) {
		res, err = purchasing.GenerateFor(ctx, tx, purchasing.GenerateRequest{Date: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
			Backorders: func(ctx context.Context, q sqlx.QueryerContext) ([]purchasing.Shortfall, error) {
				sf, err := sales.Shortfalls(ctx, q, nil)
				out := make([]purchasing.Shortfall, len(sf))
				for i, s := range sf {
					out[i] = purchasing.Shortfall{ProductID: s.ProductID, SKU: s.SKU, LocationID: s.LocationID, Location: s.Location, Qty: s.Qty}
					for _, l := range s.Lines {
						out[i].Demand = append(out[i].Demand, purchasing.Demand{SOLineID: l.SOLineID, Qty: l.Qty})
					}
				}
				return out, err
			}})
		return err
	})
	return res
}

const poRows = `SELECT concat_ws('|', o.number, o.status, l.line_no, p.sku, l.qty) FROM purchase_orders o
	LEFT JOIN po_lines l ON l.po_id = o.id LEFT JOIN products p ON p.id = l.product_id ORDER BY o.number, l.line_no`
const demandRows = `SELECT concat_ws('|', o.number, l.line_no, s.number, x.line_no, d.qty) FROM po_line_demands d
	JOIN po_lines l ON l.id = d.po_line_id JOIN purchase_orders o ON o.id = l.po_id
	JOIN so_lines x ON x.id = d.so_line_id JOIN sales_orders s ON s.id = x.so_id ORDER BY 1`

// A confirmed order's backorders were put on draft POs by po generate: cancelling it removes
// the draft line ordered only for it (and cancels the draft it leaves empty) and keeps the
// line shared with another order, which forgets only its part.
func TestCancelOrderTakesBackItsDraftPOLines(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	for _, c := range []string{"WSUP", "LSUP"} {
		if _, err := company.Add(ctx, conn, c, company.Changes{Name: str(c), Supplier: yes()}); err != nil {
			t.Fatal(err)
		}
	}
	run(t, conn, func(tx *sqlx.Tx) error {
		_, err := purchasing.AddPrices(ctx, tx, []purchasing.PriceInput{{Supplier: "WSUP", SKU: "WID", Price: d("3")},
			{Supplier: "LSUP", SKU: "LEG", Price: d("1")}})
		return err
	})
	order := func(customer string, lines ...sales.LineInput) string {
		var so string
		run(t, conn, func(tx *sqlx.Tx) error {
			doc, err := sales.New(ctx, tx, sales.NewOrder{Customer: customer, Location: "MAIN"})
			if err != nil {
				return err
			}
			for _, l := range lines {
				if _, err := sales.AddLine(ctx, tx, doc.Number, l); err != nil {
					return err
				}
			}
			so = doc.Number
			_, err = sales.Confirm(ctx, tx, so)
			return err
		})
		return so
	}
	// ACME: 12 WID (10 allocated, 2 backordered) and 30 LEG (24 allocated, 6 backordered).
	// BOB: 4 LEG, all backordered (nothing left).
	acme := order("ACME", sales.LineInput{SKU: "WID", Qty: d("12")}, sales.LineInput{SKU: "LEG", Qty: d("30")})
	bob := order("BOB", sales.LineInput{SKU: "LEG", Qty: d("4")})
	// po generate: LEG 6 + 4 = 10 from LSUP on PO-000001, WID 2 from WSUP on PO-000002.
	res := poGenerate(t, conn)
	if len(res.POs) != 2 {
		t.Fatalf("po generate made %v", res.POs)
	}
	same(t, "draft POs", []string{"PO-000001|draft|1|LEG|10", "PO-000002|draft|1|WID|2"}, rows(t, conn, poRows))
	same(t, "demands", []string{"PO-000001|1|" + acme + "|2|6", "PO-000001|1|" + bob + "|1|4", "PO-000002|1|" + acme + "|1|2"},
		rows(t, conn, demandRows))

	r := cancelSO(t, conn, acme)
	if len(r.POs.Lines) != 2 || r.POs.Lines[0].Action != "kept" || r.POs.Lines[1].Action != "removed" ||
		len(r.POs.Cancelled) != 1 || r.POs.Cancelled[0] != "PO-000002" {
		t.Fatalf("draft POs undone = %+v", r.POs)
	}
	// PO-000002 held only ACME's 2 WID: its line is gone and it is cancelled. PO-000001's 10
	// LEG stay ordered for BOB's 4 (and cover); ACME's 6 are forgotten.
	same(t, "draft POs after", []string{"PO-000001|draft|1|LEG|10", "PO-000002|cancelled"}, rows(t, conn, poRows))
	same(t, "demands after", []string{"PO-000001|1|" + bob + "|1|4"}, rows(t, conn, demandRows))
	// Nothing is left to order: BOB's 4 LEG are covered by the 24 ACME freed.
	if again := poGenerate(t, conn); len(again.Lines) != 0 {
		t.Fatalf("po generate after the cancel ordered %+v", again.Lines)
	}
	clean(t, conn)
}

// Cancelling a training order races a registration onto the same order and a promotion into
// the same session, 8 times: whichever comes first, the session's seats equal its registered
// seats and stay within capacity, nothing registered is left on the cancelled order, and each
// racer either succeeds or is refused cleanly (invalid or conflict).
func TestCancelRacesRegistrationAndPromotion(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	for trial := 0; trial < 8; trial++ {
		var s training.Session
		run(t, conn, func(tx *sqlx.Tx) (err error) {
			s, err = training.AddSession(ctx, tx, training.NewSession{SKU: "SAFE", Date: time.Date(2026, 5, 4+trial, 0, 0, 0, 0, time.UTC), Location: "MAIN", Capacity: 3})
			return err
		})
		var acme, cat training.Registration
		run(t, conn, func(tx *sqlx.Tx) (err error) {
			if acme, err = training.Register(ctx, tx, training.RegisterInput{Session: s.ID, Customer: "ACME", Seats: 2}); err != nil {
				return err
			}
			// 2 of 3 taken: CAT's 2 wait.
			cat, err = training.Register(ctx, tx, training.RegisterInput{Session: s.ID, Customer: "CAT", Seats: 2, Waitlist: true})
			return err
		})
		so := *acme.SO
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i, fn := range []func(tx *sqlx.Tx) error{
			func(tx *sqlx.Tx) error { _, err := cancel.SalesOrder(ctx, tx, so); return err },
			func(tx *sqlx.Tx) error {
				_, err := training.Register(ctx, tx, training.RegisterInput{Session: s.ID, Customer: "ACME", Seats: 1, SO: so})
				return err
			},
			func(tx *sqlx.Tx) error { _, err := training.Promote(ctx, tx, cat.ID, "", time.Time{}); return err },
		} {
			wg.Add(1)
			go func(i int, fn func(tx *sqlx.Tx) error) {
				defer wg.Done()
				errs[i] = db.InTx(ctx, conn, fn)
			}(i, fn)
		}
		wg.Wait()
		if errs[0] != nil {
			t.Fatalf("trial %d: cancel: %v", trial, errs[0])
		}
		for _, err := range errs[1:] {
			if err != nil && !fault.Is(err, fault.Invalid) && !fault.Is(err, fault.Conflict) {
				t.Fatalf("trial %d: %v, want success or a clean refusal", trial, err)
			}
		}
		var got struct {
			Taken      int `db:"taken"`
			Registered int `db:"registered"`
			OnOrder    int `db:"on_order"`
		}
		if err := conn.Get(&got, `SELECT s.seats_taken AS taken,
				coalesce((SELECT sum(r.seats) FROM training_registrations r WHERE r.session_id = s.id AND r.status = 'registered'), 0) AS registered,
				(SELECT count(*) FROM training_registrations r JOIN so_lines l ON l.id = r.so_line_id JOIN sales_orders o ON o.id = l.so_id
				 WHERE o.number = $2 AND r.status = 'registered') AS on_order
			FROM training_sessions s WHERE s.id = $1`, s.ID, so); err != nil {
			t.Fatal(err)
		}
		// Taken is CAT's 2 when promoted, else 0; never beyond 3, none left on the order.
		if got.Taken != got.Registered || got.Taken > 3 || got.OnOrder != 0 || (errs[2] == nil) != (got.Taken == 2) {
			t.Fatalf("trial %d: %+v (promote: %v)", trial, got, errs[2])
		}
	}
	clean(t, conn)
}
