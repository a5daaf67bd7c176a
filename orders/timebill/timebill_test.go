package timebill_test

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
	"github.com/stockctl/stockctl/inventory/pricing"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/sales"
	"github.com/stockctl/stockctl/orders/timebill"
)

var ctx = context.Background()

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func dp(s string) *decimal.Decimal {
	v := d(s)
	return &v
}
func str(s string) *string { return &s }
func yes() *bool           { b := true; return &b }
func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// setup: location MAIN, customers ACME and BOB, time products DEV (800 per day of 8 hours,
// labour) and CONS (120 per hour), stock product WID.
func setup(t *testing.T) *sqlx.DB {
	t.Helper()
	conn, _ := dbtest.New(t)
	if _, err := stock.AddLocation(ctx, conn, "MAIN", "Main", "", ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"ACME", "BOB"} {
		if _, err := company.Add(ctx, conn, c, company.Changes{Name: str(c), Customer: yes()}); err != nil {
			t.Fatal(err)
		}
	}
	for sku, ch := range map[string]catalog.Changes{
		"DEV":  {Name: str("Development"), Type: str("time"), SellPrice: dp("800")},
		"CONS": {Name: str("Consulting"), Type: str("time"), SellPrice: dp("120")},
		"WID":  {Name: str("Widget"), SellPrice: dp("10")},
	} {
		if _, err := catalog.Add(ctx, conn, sku, ch); err != nil {
			t.Fatal(err)
		}
	}
	p, err := timebill.SetProduct(ctx, conn, "DEV", timebill.ProductChanges{PeriodQty: dp("1"), PeriodUnit: str("day"), TimeType: str("labour")})
	if err != nil {
		t.Fatal(err)
	}
	if !p.PeriodHours.Equal(d("8")) || p.Period() != "day" {
		t.Fatalf("DEV period = %s (%s hours), want day of 8 hours", p.Period(), p.PeriodHours)
	}
	return conn
}

func logTime(t *testing.T, conn *sqlx.DB, in timebill.NewEntry) timebill.Entry {
	t.Helper()
	e, err := timebill.Log(ctx, conn, in)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func bill(t *testing.T, conn *sqlx.DB, in timebill.BillInput) timebill.Billed {
	t.Helper()
	var b timebill.Billed
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) (err error) {
		b, err = timebill.Bill(ctx, tx, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPeriodCalendar(t *testing.T) {
	t.Parallel()
	eight := timebill.DefaultHoursPerDay
	for _, c := range []struct {
		qty, unit, hours string
	}{
		{"1", "hour", "1"}, {"1", "day", "8"}, {"2", "week", "80"}, {"1", "month", "160"},
		{"1", "quarter", "480"}, {"1", "year", "1920"}, {"0.5", "day", "4"},
	} {
		if got := timebill.PeriodHours(d(c.qty), c.unit, eight); !got.Equal(d(c.hours)) {
			t.Errorf("%s %s = %s hours, want %s", c.qty, c.unit, got, c.hours)
		}
	}
	// 10 hours against a day of 8 is 1.25 days; against a month of 160 hours 0.0625 months;
	// 1 hour against 3 days (24 hours) keeps 6 decimals, rounded half up.
	for _, c := range []struct{ hours, period, want string }{{"10", "8", "1.25"}, {"10", "160", "0.0625"}, {"1", "24", "0.041667"}} {
		if got := timebill.Periods(d(c.hours), d(c.period)); !got.Equal(d(c.want)) {
			t.Errorf("%s hours in periods of %s = %s, want %s", c.hours, c.period, got, c.want)
		}
	}
}

func TestProductRules(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	if _, err := timebill.SetProduct(ctx, conn, "WID", timebill.ProductChanges{PeriodUnit: str("day")}); !fault.Is(err, fault.Invalid) {
		t.Fatalf("period on a stock product: %v, want invalid", err)
	}
	if _, err := timebill.SetProduct(ctx, conn, "DEV", timebill.ProductChanges{PeriodUnit: str("fortnight")}); fault.FieldOf(err) != "unit" {
		t.Fatalf("unknown unit: %v", err)
	}
	if _, err := timebill.SetProduct(ctx, conn, "DEV", timebill.ProductChanges{TimeType: str("leisure")}); fault.FieldOf(err) != "time-type" {
		t.Fatalf("unknown time type: %v", err)
	}
	if _, err := timebill.SetProduct(ctx, conn, "NOPE", timebill.ProductChanges{}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown product: %v", err)
	}
	p, err := timebill.SetProduct(ctx, conn, "CONS", timebill.ProductChanges{PeriodQty: dp("2"), PeriodUnit: str("weeks"), TimeType: str("travel"), HoursPerDay: dp("7.5")})
	if err != nil {
		t.Fatal(err)
	}
	if p.Period() != "2 week" || p.TimeType != "travel" || !p.PeriodHours.Equal(d("75")) {
		t.Fatalf("CONS = %+v, want 2 week of 75 hours, travel", p)
	}
	list, err := timebill.ListProducts(ctx, conn)
	if err != nil || len(list) != 2 || list[0].SKU != "CONS" || list[1].SKU != "DEV" {
		t.Fatalf("ListProducts = %+v, %v", list, err)
	}
}

func TestLogRules(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	for _, c := range []struct {
		in    timebill.NewEntry
		kind  fault.Kind
		field string
	}{
		{timebill.NewEntry{Customer: "NOBODY", SKU: "DEV", Hours: d("1")}, fault.NotFound, "customer"},
		{timebill.NewEntry{Customer: "ACME", SKU: "WID", Hours: d("1")}, fault.Invalid, "product"},
		{timebill.NewEntry{Customer: "ACME", SKU: "DEV", Hours: d("0")}, fault.Invalid, "qty"},
		{timebill.NewEntry{Customer: "ACME", SKU: "DEV", Hours: d("1"), Rate: dp("-1")}, fault.Invalid, "rate"},
	} {
		_, err := timebill.Log(ctx, conn, c.in)
		if !fault.Is(err, c.kind) || fault.FieldOf(err) != c.field {
			t.Errorf("Log(%+v) = %v (field %q), want %v %s", c.in, err, fault.FieldOf(err), c.kind, c.field)
		}
	}
}

// TestBillWorkedNumbers: ACME logs 6 + 4 hours of DEV (800 a day of 8 hours) = 1.25 days =
// 1000; 2.5 hours of CONS (120 an hour) = 300; 1 hour of CONS at a typed rate of 100 = its
// own line; a non-billable hour and an entry after --until stay unbilled; BOB is not touched.
func TestBillWorkedNumbers(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	e1 := logTime(t, conn, timebill.NewEntry{Customer: "ACME", SKU: "DEV", Hours: d("6"), Date: day("2026-03-02"), Ref: "PRJ-1"})
	e2 := logTime(t, conn, timebill.NewEntry{Customer: "ACME", SKU: "DEV", Hours: d("4"), Date: day("2026-03-03"), Ref: "PRJ-1"})
	e3 := logTime(t, conn, timebill.NewEntry{Customer: "ACME", SKU: "CONS", Hours: d("2.5"), Date: day("2026-03-03")})
	e4 := logTime(t, conn, timebill.NewEntry{Customer: "ACME", SKU: "CONS", Hours: d("1"), Date: day("2026-03-04"), Rate: dp("100")})
	free := logTime(t, conn, timebill.NewEntry{Customer: "ACME", SKU: "CONS", Hours: d("1"), Date: day("2026-03-04"), NonBillable: true})
	late := logTime(t, conn, timebill.NewEntry{Customer: "ACME", SKU: "DEV", Hours: d("8"), Date: day("2026-04-01")})
	bob := logTime(t, conn, timebill.NewEntry{Customer: "BOB", SKU: "DEV", Hours: d("8"), Date: day("2026-03-02")})

	// Dry run: the same code in a transaction rolled back.
	err := db.InTxOrDryRun(ctx, conn, true, func(tx *sqlx.Tx) error {
		b, err := timebill.Bill(ctx, tx, timebill.BillInput{Customer: "ACME", Until: ptr(day("2026-03-31")), Date: day("2026-03-31")})
		if err == nil && len(b.Lines) != 3 {
			t.Errorf("dry run billed %d lines, want 3", len(b.Lines))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if un, _ := timebill.List(ctx, conn, timebill.Filter{Unbilled: true, Customer: "ACME"}); len(un) != 5 {
		t.Fatalf("after the dry run %d unbilled entries, want 5", len(un))
	}

	b := bill(t, conn, timebill.BillInput{Customer: "ACME", Until: ptr(day("2026-03-31")), Date: day("2026-03-31")})
	if b.SO == "" || b.Entries != 4 || !b.Hours.Equal(d("13.5")) || len(b.Lines) != 3 {
		t.Fatalf("bill = %+v, want 4 entries, 13.5 hours, 3 lines", b)
	}
	want := []struct {
		sku, qty, price, source, amount string
		entries                         []int64
	}{
		{"CONS", "2.5", "120", pricing.SourceSellPrice, "300", []int64{e3.ID}},
		{"CONS", "1", "100", pricing.SourceManual, "100", []int64{e4.ID}},
		{"DEV", "1.25", "800", pricing.SourceSellPrice, "1000", []int64{e1.ID, e2.ID}},
	}
	for i, w := range want {
		l := b.Lines[i]
		if l.SKU != w.sku || !l.Qty.Equal(d(w.qty)) || !l.UnitPrice.Equal(d(w.price)) || l.PriceSource != w.source || !l.Amount.Equal(d(w.amount)) || len(l.Entries) != len(w.entries) {
			t.Errorf("line %d = %+v, want %+v", i+1, l, w)
		}
	}
	if !b.Subtotal.Equal(d("1400")) {
		t.Errorf("subtotal %s, want 1400", b.Subtotal)
	}
	doc, err := sales.Get(ctx, conn, b.SO)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Customer != "ACME" || doc.Status != sales.Draft || len(doc.Items) != 3 || !doc.Items[2].Qty.Equal(d("1.25")) ||
		!doc.Items[2].EnteredQty.Equal(d("10")) || doc.Items[2].Unit != "h" || doc.Items[2].Stock {
		t.Fatalf("order %+v", doc)
	}
	got, _ := timebill.Get(ctx, conn, e1.ID)
	if got.SO == nil || *got.SO != b.SO || got.SOLine == nil || *got.SOLine != 3 || got.BilledAt == nil {
		t.Fatalf("entry %d after billing: %+v", e1.ID, got)
	}
	for _, id := range []int64{free.ID, late.ID, bob.ID} {
		if e, _ := timebill.Get(ctx, conn, id); e.SO != nil {
			t.Errorf("entry %d billed on %s, want unbilled", id, *e.SO)
		}
	}

	// Twice: nothing billed twice.
	again := bill(t, conn, timebill.BillInput{Customer: "ACME", Until: ptr(day("2026-03-31"))})
	if again.SO != "" || again.Entries != 0 {
		t.Fatalf("second bill = %+v, want nothing", again)
	}

	// Billed entries are frozen: by Edit and by the trigger.
	if _, err := timebill.Edit(ctx, conn, e1.ID, timebill.EntryChanges{Hours: dp("7")}); !fault.Is(err, fault.Invalid) {
		t.Fatalf("edit of a billed entry: %v, want invalid", err)
	}
	if _, err := conn.ExecContext(ctx, `UPDATE time_entries SET hours = 7 WHERE id = $1`, e1.ID); err == nil {
		t.Fatal("the trigger let a billed entry change")
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM time_entries WHERE id = $1`, e1.ID); err == nil {
		t.Fatal("the trigger let a billed entry be deleted")
	}
	// An unbilled entry edits freely.
	ed, err := timebill.Edit(ctx, conn, late.ID, timebill.EntryChanges{Hours: dp("2"), Note: str("fixed"), Billable: yesPtr(false)})
	if err != nil || !ed.Hours.Equal(d("2")) || ed.Note != "fixed" || ed.Billable {
		t.Fatalf("edit = %+v, %v", ed, err)
	}
	if _, err := timebill.Edit(ctx, conn, 99999, timebill.EntryChanges{}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("edit of a missing entry: %v", err)
	}
}

// TestBillSpecialPrice: the customer's special price per period applies, at the number of
// periods: 12 hours of DEV at ACME's special 700 a day = 1.5 × 700 = 1050.
func TestBillSpecialPrice(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	if _, err := pricing.SetSpecials(ctx, conn, []pricing.SpecialInput{{Customer: "ACME", SKU: "DEV", Price: d("700")}}); err != nil {
		t.Fatal(err)
	}
	logTime(t, conn, timebill.NewEntry{Customer: "ACME", SKU: "DEV", Hours: d("12")})
	b := bill(t, conn, timebill.BillInput{Customer: "ACME"})
	if len(b.Lines) != 1 || !b.Lines[0].Qty.Equal(d("1.5")) || !b.Lines[0].UnitPrice.Equal(d("700")) ||
		b.Lines[0].PriceSource != pricing.SourceSpecial || !b.Lines[0].Amount.Equal(d("1050")) {
		t.Fatalf("bill = %+v", b.Lines)
	}
}

// TestBillConcurrent: eight bills of one customer at once make one order; every entry is
// billed exactly once.
func TestBillConcurrent(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	for i := 0; i < 20; i++ {
		logTime(t, conn, timebill.NewEntry{Customer: "ACME", SKU: "DEV", Hours: d("0.5")})
		logTime(t, conn, timebill.NewEntry{Customer: "ACME", SKU: "CONS", Hours: d("0.25")})
	}
	var wg sync.WaitGroup
	results := make([]timebill.Billed, 8)
	errs := make([]error, 8)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = db.InTx(ctx, conn, func(tx *sqlx.Tx) (err error) {
				results[i], err = timebill.Bill(ctx, tx, timebill.BillInput{Customer: "ACME"})
				return err
			})
		}(i)
	}
	wg.Wait()
	orders := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if r.SO != "" {
			orders++
			// DEV: 20 × 0.5 = 10 hours = 1.25 days = 1000; CONS: 20 × 0.25 = 5 hours = 600.
			if r.Entries != 40 || len(r.Lines) != 2 || !r.Subtotal.Equal(d("1600")) {
				t.Fatalf("the bill = %+v", r)
			}
		}
	}
	if orders != 1 {
		t.Fatalf("%d orders made, want 1", orders)
	}
	var n, lines int
	if err := conn.GetContext(ctx, &n, `SELECT count(*) FROM time_entries WHERE so_line_id IS NULL`); err != nil || n != 0 {
		t.Fatalf("%d entries unbilled (%v)", n, err)
	}
	if err := conn.GetContext(ctx, &lines, `SELECT count(*) FROM so_lines`); err != nil || lines != 2 {
		t.Fatalf("%d order lines, want 2 (%v)", lines, err)
	}
}

func ptr[T any](v T) *T   { return &v }
func yesPtr(b bool) *bool { return &b }
