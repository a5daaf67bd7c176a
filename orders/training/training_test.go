package training_test

import (
	"context"
	"fmt"
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
	"github.com/stockctl/stockctl/inventory/pricing"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/sales"
	"github.com/stockctl/stockctl/orders/training"
)

var ctx = context.Background()

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func dp(s string) *decimal.Decimal {
	v := d(s)
	return &v
}
func str(s string) *string { return &s }
func yes() *bool           { b := true; return &b }

// setup: location MAIN, customers C0..C(n-1) plus ACME, training product SAFE (250 a seat,
// 200 from 3 seats in a break of the default price type), stock product WID; one session of
// SAFE at MAIN on 2026-05-04 for capacity seats.
func setup(t *testing.T, customers, capacity int) (*sqlx.DB, training.Session) {
	t.Helper()
	conn, _ := dbtest.New(t)
	if _, err := stock.AddLocation(ctx, conn, "MAIN", "Main", "", ""); err != nil {
		t.Fatal(err)
	}
	codes := []string{"ACME"}
	for i := 0; i < customers; i++ {
		codes = append(codes, fmt.Sprintf("C%d", i))
	}
	for _, c := range codes {
		if _, err := company.Add(ctx, conn, c, company.Changes{Name: str(c), Customer: yes()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := catalog.Add(ctx, conn, "SAFE", catalog.Changes{Name: str("Safety course"), Type: str("training"), SellPrice: dp("250")}); err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.Add(ctx, conn, "WID", catalog.Changes{Name: str("Widget"), SellPrice: dp("10")}); err != nil {
		t.Fatal(err)
	}
	if _, err := pricing.SetBreaks(ctx, conn, []pricing.BreakInput{{SKU: "SAFE", PriceType: "retail", MinQty: d("3"), Price: d("200")}}); err != nil {
		t.Fatal(err)
	}
	s, err := training.AddSession(ctx, conn, training.NewSession{SKU: "SAFE", Date: time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC), Location: "MAIN", Capacity: capacity})
	if err != nil {
		t.Fatal(err)
	}
	return conn, s
}

func register(conn *sqlx.DB, in training.RegisterInput) (training.Registration, error) {
	var r training.Registration
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) (err error) {
		r, err = training.Register(ctx, tx, in)
		return err
	})
	return r, err
}

func TestSessionRules(t *testing.T) {
	t.Parallel()
	conn, s := setup(t, 0, 10)
	if s.SKU != "SAFE" || s.Capacity != 10 || s.Free != 10 || s.Location != "MAIN" {
		t.Fatalf("session = %+v", s)
	}
	date := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in    training.NewSession
		kind  fault.Kind
		field string
	}{
		{training.NewSession{SKU: "WID", Date: date, Location: "MAIN", Capacity: 5}, fault.Invalid, "sku"},
		{training.NewSession{SKU: "SAFE", Date: date, Location: "NOWHERE", Capacity: 5}, fault.NotFound, "location"},
		{training.NewSession{SKU: "SAFE", Date: date, Location: "MAIN", Capacity: 0}, fault.Invalid, "capacity"},
		{training.NewSession{SKU: "SAFE", Location: "MAIN", Capacity: 5}, fault.Invalid, "date"},
	} {
		if _, err := training.AddSession(ctx, conn, c.in); !fault.Is(err, c.kind) || fault.FieldOf(err) != c.field {
			t.Errorf("AddSession(%+v) = %v, want %v %s", c.in, err, c.kind, c.field)
		}
	}
	if _, err := training.Sessions(ctx, conn, "NOPE"); !fault.Is(err, fault.NotFound) {
		t.Fatalf("sessions of a missing product: %v", err)
	}
}

// TestRegisterWorkedNumbers: capacity 5. ACME takes 3 seats: a new order, priced by the break
// from 3 at 200 = 600. C0 takes 2 at 250 = 500 on its own order. C1 asks 1: refused (0 free);
// with --waitlist it waits, no seat, no line. ACME's registration cannot be undone here, so
// the database's CHECK is tried directly, then the session grows and C1 is promoted.
func TestRegisterWorkedNumbers(t *testing.T) {
	t.Parallel()
	conn, s := setup(t, 2, 5)
	r, err := register(conn, training.RegisterInput{Session: s.ID, Customer: "ACME", Seats: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != training.Registered || r.SO == nil || r.UnitPrice == nil || !r.UnitPrice.Equal(d("200")) || *r.Source != pricing.SourceBreak && *r.Source != pricing.SourceDefaultBreak {
		t.Fatalf("ACME registration = %+v", r)
	}
	doc, _ := sales.Get(ctx, conn, *r.SO)
	if doc.Customer != "ACME" || doc.Location != "MAIN" || len(doc.Items) != 1 || !doc.Subtotal.Equal(d("600")) {
		t.Fatalf("ACME order = %+v", doc)
	}
	r2, err := register(conn, training.RegisterInput{Session: s.ID, Customer: "C0", Seats: 2})
	if err != nil || !r2.UnitPrice.Equal(d("250")) || *r2.SO == *r.SO {
		t.Fatalf("C0 registration = %+v, %v", r2, err)
	}
	if _, err := register(conn, training.RegisterInput{Session: s.ID, Customer: "C1"}); !fault.Is(err, fault.Conflict) {
		t.Fatalf("registration beyond capacity: %v, want conflict", err)
	}
	w, err := register(conn, training.RegisterInput{Session: s.ID, Customer: "C1", Waitlist: true})
	if err != nil || w.Status != training.Waitlisted || w.SO != nil || w.Seats != 1 {
		t.Fatalf("waitlisted = %+v, %v", w, err)
	}
	got, _ := training.GetSession(ctx, conn, s.ID)
	if got.Taken != 5 || got.Free != 0 || got.Waitlisted != 1 {
		t.Fatalf("session = %+v, want 5 taken, 0 free, 1 waitlisted", got)
	}
	// Last line of defence: a registration written past the domain is refused by the CHECK.
	if _, err := conn.ExecContext(ctx, `UPDATE training_registrations SET status = 'registered',
		so_line_id = (SELECT so_line_id FROM training_registrations WHERE id = $2) WHERE id = $1`, w.ID, r.ID); err == nil {
		t.Fatal("the database let seats go beyond capacity")
	}
	// Promote refuses while full, works once there is room.
	if _, err := training.Promote(ctx, conn, w.ID, "", time.Time{}); !fault.Is(err, fault.Conflict) {
		t.Fatalf("promote into a full session: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `UPDATE training_sessions SET capacity = 6 WHERE id = $1`, s.ID); err != nil {
		t.Fatal(err)
	}
	var p training.Registration
	err = db.InTx(ctx, conn, func(tx *sqlx.Tx) (err error) {
		p, err = training.Promote(ctx, tx, w.ID, "", time.Time{})
		return err
	})
	if err != nil || p.Status != training.Registered || p.SO == nil || !p.UnitPrice.Equal(d("250")) {
		t.Fatalf("promoted = %+v, %v", p, err)
	}
	if _, err := training.Promote(ctx, conn, w.ID, "", time.Time{}); !fault.Is(err, fault.Invalid) {
		t.Fatalf("promote twice: %v", err)
	}
	regs, err := training.Registrations(ctx, conn, s.ID)
	if err != nil || len(regs) != 3 {
		t.Fatalf("registrations = %+v, %v", regs, err)
	}
	// Adding to an existing draft order of the customer.
	if _, err := conn.ExecContext(ctx, `UPDATE training_sessions SET capacity = 7 WHERE id = $1`, s.ID); err != nil {
		t.Fatal(err)
	}
	r3, err := register(conn, training.RegisterInput{Session: s.ID, Customer: "ACME", SO: *r.SO})
	if err != nil || *r3.SO != *r.SO || *r3.SOLine != 2 {
		t.Fatalf("ACME second registration = %+v, %v", r3, err)
	}
	if _, err := register(conn, training.RegisterInput{Session: s.ID, Customer: "C0", SO: *r.SO, Waitlist: true}); !fault.Is(err, fault.Invalid) {
		t.Fatalf("registration on another customer's order: %v", err)
	}
	if _, err := register(conn, training.RegisterInput{Session: 999, Customer: "ACME"}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("missing session: %v", err)
	}
}

// TestRegisterConcurrent: 12 customers each ask 1 seat of a session of 5 at once: exactly 5
// are registered, 7 refused, seats_taken is 5 and there are 5 order lines.
func TestRegisterConcurrent(t *testing.T) {
	t.Parallel()
	conn, s := setup(t, 12, 5)
	var wg sync.WaitGroup
	errs := make([]error, 12)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = register(conn, training.RegisterInput{Session: s.ID, Customer: fmt.Sprintf("C%d", i)})
		}(i)
	}
	wg.Wait()
	ok, refused := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case fault.Is(err, fault.Conflict):
			refused++
		default:
			t.Fatal(err)
		}
	}
	got, _ := training.GetSession(ctx, conn, s.ID)
	var lines, seats int
	_ = conn.GetContext(ctx, &lines, `SELECT count(*) FROM so_lines`)
	_ = conn.GetContext(ctx, &seats, `SELECT coalesce(sum(seats), 0) FROM training_registrations WHERE status = 'registered'`)
	if ok != 5 || refused != 7 || got.Taken != 5 || lines != 5 || seats != 5 {
		t.Fatalf("ok %d refused %d taken %d lines %d seats %d, want 5 7 5 5 5", ok, refused, got.Taken, lines, seats)
	}
}
