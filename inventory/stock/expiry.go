package stock

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// TodaySQL is the day expiry is judged on, as an SQL expression: the session setting
// stockctl.today (YYYY-MM-DD) when it is set, else the database's current date in UTC. A
// batch has expired when its expiry date is before that day: a batch expiring today is still
// usable today (as ERPNext and Odoo's removal date treat it). Tests set the day with
// SET LOCAL stockctl.today in their transaction, or the connection option
// -c stockctl.today=...; nothing in stockctl sets it.
const TodaySQL = `coalesce(nullif(current_setting('stockctl.today', true), '')::date, (now() AT TIME ZONE 'UTC')::date)`

// ExpiredSQL is the quantity of product prod at location loc (SQL expressions, such as
// column names or parameters) in batches that have expired (TodaySQL), as an SQL expression.
// Stock of a batch-tracked product is always in a batch, so on hand − this is the stock
// that may still be shipped, transferred or built with.
func ExpiredSQL(prod, loc string) string {
	return `coalesce((SELECT sum(eq.qty) FROM stock_quants eq JOIN batches eb ON eb.id = eq.batch_id
		WHERE eq.product_id = ` + prod + ` AND eq.location_id = ` + loc + ` AND eq.qty > 0
		  AND eb.expiry < ` + TodaySQL + `), 0)`
}

// ExpiredLot is stock of one expired batch at a location.
type ExpiredLot struct {
	Batch  string          `json:"batch"`
	Expiry time.Time       `json:"expiry"`
	Qty    decimal.Decimal `json:"qty"`
}

func (l ExpiredLot) String() string {
	return fmt.Sprintf("%s batch %s (expired %s)", l.Qty, l.Batch, l.Expiry.Format(time.DateOnly))
}

// addLot adds qty of batch to lots, summing the bays of one batch.
func addLot(lots []ExpiredLot, batch string, expiry time.Time, qty decimal.Decimal) []ExpiredLot {
	for i := range lots {
		if lots[i].Batch == batch {
			lots[i].Qty = lots[i].Qty.Add(qty)
			return lots
		}
	}
	return append(lots, ExpiredLot{Batch: batch, Expiry: expiry, Qty: qty})
}

// expiredNamed refuses taking a named batch (or a serial in it) that has expired.
func expiredNamed(m Move, batch *string, expiry *time.Time) error {
	what := fmt.Sprintf("batch %s of %s", *batch, m.Product.SKU)
	if m.Serial != nil {
		what = fmt.Sprintf("serial %s of %s is in batch %s, which", m.Serial.Serial, m.Product.SKU, *batch)
	}
	return fault.Invalidf("batch", "%s expired on %s: take another batch, or give --allow-expired to take it anyway",
		what, expiry.Format(time.DateOnly))
}

// Today is the day expiry is judged on (TodaySQL), for callers that work out dates from it.
// It is the database's day, which a session may set (stockctl.today), and so may differ
// from clock.Today, the process's day that documents default to.
func Today(ctx context.Context, q sqlx.QueryerContext) (time.Time, error) {
	var d time.Time
	err := sqlx.GetContext(ctx, q, &d, `SELECT `+TodaySQL)
	return d.UTC(), db.Classify(err)
}
