package demo

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/timebill"
	"github.com/stockctl/stockctl/orders/training"
)

// demoTimeNote marks the demo's time entries, so a rerun finds them instead of logging again.
const demoTimeNote = "Demo: "

// loadTime adds time and training: CONSULT (120 an hour of labour) logged for ACME in June
// (2.5 + 1.5 hours on ticket TICKET-101, half an hour not billable) and billed up to
// 2026-06-30 on a sales order (4 hours × 120 = 480), plus 3 unbilled hours for BLUEBIRD in
// July; a session of COURSE-SAFETY at MAIN on 2026-07-14 for 8 seats with ACME registered for
// 3 and LONESTAR for 2, each on its own order at 250 a seat.
func loadTime(ctx context.Context, tx *sqlx.Tx, s *Summary) error {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM time_entries WHERE note LIKE $1 || '%'`, demoTimeNote); err != nil {
		return db.Classify(err)
	}
	if n == 0 {
		if _, err := timebill.SetProduct(ctx, tx, "CONSULT", timebill.ProductChanges{PeriodQty: dec("1"), PeriodUnit: str(timebill.Hour),
			TimeType: str(timebill.Labour)}); err != nil {
			return err
		}
		d := decimal.RequireFromString
		for _, e := range []timebill.NewEntry{
			{Customer: "ACME", SKU: "CONSULT", Hours: d("2.5"), Date: *day("2026-06-03"), Ref: "TICKET-101", Note: demoTimeNote + "stock count process review"},
			{Customer: "ACME", SKU: "CONSULT", Hours: d("1.5"), Date: *day("2026-06-10"), Ref: "TICKET-101", Note: demoTimeNote + "barcode scanner setup"},
			{Customer: "ACME", SKU: "CONSULT", Hours: d("0.5"), Date: *day("2026-06-10"), Ref: "TICKET-101", Note: demoTimeNote + "follow-up call", NonBillable: true},
			{Customer: "BLUEBIRD", SKU: "CONSULT", Hours: d("3"), Date: *day("2026-07-02"), Ref: "PRJ-WORKSHOP", Note: demoTimeNote + "workshop layout"},
		} {
			if _, err := timebill.Log(ctx, tx, e); err != nil {
				return fault.Wrap(fault.KindOf(err), err, "demo time entry for %s", e.Customer)
			}
			s.TimeEntries++
		}
		b, err := timebill.Bill(ctx, tx, timebill.BillInput{Customer: "ACME", Until: day("2026-06-30"), Location: "MAIN", Date: *day("2026-06-30")})
		if err != nil {
			return fault.Wrap(fault.KindOf(err), err, "demo time bill for ACME")
		}
		if b.SO != "" {
			s.TimeBills++
		}
	}

	sessions, err := training.Sessions(ctx, tx, "COURSE-SAFETY")
	if err != nil {
		return err
	}
	if len(sessions) > 0 {
		return nil
	}
	sess, err := training.AddSession(ctx, tx, training.NewSession{SKU: "COURSE-SAFETY", Date: *day("2026-07-14"), Location: "MAIN", Capacity: 8})
	if err != nil {
		return err
	}
	s.TrainingSessions++
	for _, r := range []training.RegisterInput{
		{Session: sess.ID, Customer: "ACME", Seats: 3, Date: *day("2026-07-01")},
		{Session: sess.ID, Customer: "LONESTAR", Seats: 2, Date: *day("2026-07-01")},
	} {
		if _, err := training.Register(ctx, tx, r); err != nil {
			return fault.Wrap(fault.KindOf(err), err, "demo registration of %s", r.Customer)
		}
		s.Registrations++
	}
	return nil
}
