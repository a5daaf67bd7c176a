package timebill

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/sales"
)

// billLockKey is the first half of the advisory lock that serialises billing per customer.
const billLockKey = 7011

// BillInput is what time bill takes.
type BillInput struct {
	Customer string
	Until    *time.Time // bill entries dated on or before; nil: all
	Location string     // the order's sell-from location; "": the first active internal location
	Date     time.Time  // order date (prices and exchange rate of that day); zero: today
}

// BillLine is one line of the order: the entries of one product at one rate.
type BillLine struct {
	Line        int             `json:"line"`
	SKU         string          `json:"sku"`
	Hours       decimal.Decimal `json:"hours"`
	Period      string          `json:"period"`
	Qty         decimal.Decimal `json:"qty"` // periods
	UnitPrice   decimal.Decimal `json:"unit_price"`
	PriceSource string          `json:"price_source"`
	Amount      decimal.Decimal `json:"amount"`
	Entries     []int64         `json:"entries" print:"wide"`
}

// Billed is what Bill did: the new order (empty when there was nothing to bill) and its lines.
type Billed struct {
	SO       string          `json:"so"`
	Customer string          `json:"customer"`
	Currency string          `json:"currency"`
	Entries  int             `json:"entries"`
	Hours    decimal.Decimal `json:"hours"`
	Subtotal decimal.Decimal `json:"subtotal"`
	Tax      decimal.Decimal `json:"tax"`
	Total    decimal.Decimal `json:"total"`
	Lines    []BillLine      `json:"lines"`
}

type billEntry struct {
	ID          int64            `db:"id"`
	ProductID   int64            `db:"product_id"`
	SKU         string           `db:"sku"`
	Hours       decimal.Decimal  `db:"hours"`
	Rate        *decimal.Decimal `db:"rate"`
	PeriodQty   decimal.Decimal  `db:"period_qty"`
	PeriodUnit  string           `db:"period_unit"`
	HoursPerDay decimal.Decimal  `db:"hours_per_day"`
}

// Bill puts every unbilled billable entry of the customer (dated on or before Until) on one
// new draft sales order: one line per product and rate, whose quantity is the entries' hours
// converted into the product's periods and whose price is the entries' rate when one was
// typed, else pricing.Quote for the customer on the order's date at that quantity. Each entry
// is linked to its line and marked billed in the same transaction. Billing one customer is
// serialised by an advisory lock and the entries are locked, so two runs at once never bill
// an hour twice: the second finds nothing left. With nothing to bill it returns a Billed with
// no SO and writes nothing.
func Bill(ctx context.Context, q sqlx.ExtContext, in BillInput) (Billed, error) {
	c, err := requireCustomer(ctx, q, in.Customer)
	if err != nil {
		return Billed{}, err
	}
	out := Billed{Customer: c.Code, Currency: c.Currency, Lines: []BillLine{}}
	if _, err := q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, ($2 % 2147483647)::int)`, billLockKey, c.ID); err != nil {
		return out, db.Classify(err)
	}
	var until *string
	if in.Until != nil {
		s := dateOnly(*in.Until)
		until = &s
	}
	var entries []billEntry
	err = sqlx.SelectContext(ctx, q, &entries, `SELECT e.id, e.product_id, p.sku, e.hours, e.rate,
		coalesce(t.period_qty, 1) AS period_qty, coalesce(t.period_unit, 'hour') AS period_unit,
		coalesce(t.hours_per_day, 8) AS hours_per_day
		FROM time_entries e JOIN products p ON p.id = e.product_id LEFT JOIN time_products t ON t.product_id = e.product_id
		WHERE e.customer_id = $1 AND e.billable AND e.so_line_id IS NULL AND ($2::date IS NULL OR e.entry_date <= $2::date)
		ORDER BY p.sku, e.rate NULLS FIRST, e.entry_date, e.id
		FOR UPDATE OF e`, c.ID, until)
	if err != nil {
		return out, db.Classify(err)
	}
	if len(entries) == 0 {
		return out, nil
	}
	location := strings.TrimSpace(in.Location)
	if location == "" {
		err := sqlx.GetContext(ctx, q, &location, `SELECT code FROM locations WHERE kind = 'internal' AND active ORDER BY id LIMIT 1`)
		if errors.Is(err, sql.ErrNoRows) {
			return out, fault.Invalidf("location", "no active stock location to sell from: add one with stockctl location add CODE --name N")
		}
		if err != nil {
			return out, db.Classify(err)
		}
	}
	note := "Time billed"
	if until != nil {
		note += " up to " + *until
	}
	doc, err := sales.New(ctx, q, sales.NewOrder{Customer: c.Code, Location: location, Date: in.Date, Notes: note})
	if err != nil {
		return out, err
	}
	out.SO = doc.Number

	// Entries come sorted by SKU and rate: each run of equal (product, rate) is one line.
	for i := 0; i < len(entries); {
		first := entries[i]
		j := i
		hours := decimal.Zero
		var ids []int64
		for ; j < len(entries) && entries[j].ProductID == first.ProductID && sameRate(entries[j].Rate, first.Rate); j++ {
			hours = hours.Add(entries[j].Hours)
			ids = append(ids, entries[j].ID)
		}
		i = j
		p := Product{SKU: first.SKU, PeriodQty: first.PeriodQty, PeriodUnit: first.PeriodUnit, HoursPerDay: first.HoursPerDay}
		p.fill()
		periods := Periods(hours, p.PeriodHours)
		if !periods.IsPositive() {
			return out, fault.Invalidf("qty", "%s hours of %s are 0 %s once rounded: log more time or bill it with a shorter period", hours, p.SKU, p.Period())
		}
		line, err := sales.AddExactLine(ctx, q, doc.Number, sales.ExactLine{SKU: p.SKU, Qty: periods, EnteredQty: hours, Unit: "h", Price: first.Rate})
		if err != nil {
			return out, fault.Wrap(fault.KindOf(err), err, "time bill %s: %s", c.Code, p.SKU)
		}
		res, err := q.ExecContext(ctx, `UPDATE time_entries SET so_line_id = $1, billed_at = now()
			WHERE id = ANY($2) AND so_line_id IS NULL AND billable`, line.ID, pq.Array(ids))
		if err != nil {
			return out, db.Classify(err)
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(ids)) {
			return out, fmt.Errorf("time bill %s: %d of %d entries of %s could be marked billed: nothing billed", c.Code, n, len(ids), p.SKU)
		}
		out.Lines = append(out.Lines, BillLine{Line: line.LineNo, SKU: p.SKU, Hours: hours, Period: p.Period(), Qty: periods,
			UnitPrice: line.UnitPrice, PriceSource: line.PriceSource, Amount: line.Amount, Entries: ids})
		out.Entries += len(ids)
		out.Hours = out.Hours.Add(hours)
	}
	doc, err = sales.Get(ctx, q, doc.Number)
	if err != nil {
		return out, err
	}
	out.Currency, out.Subtotal, out.Tax, out.Total = doc.Currency, doc.Subtotal, doc.Tax, doc.Total
	return out, nil
}

func sameRate(a, b *decimal.Decimal) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// Unbilled is a time entry given back by a cancelled sales order.
type Unbilled struct {
	ID    int64           `db:"id" json:"id"`
	SKU   string          `db:"sku" json:"sku"`
	Hours decimal.Decimal `db:"hours" json:"hours"`
}

// Unbill makes the entries billed on cancelled sales order so unbilled again, as if the
// order had never been made: no line, no billed time, so the next time bill takes them.
// The time_entries_frozen trigger lets exactly this update through, and only once the
// order is cancelled (orders/cancel cancels it first, in the same transaction).
func Unbill(ctx context.Context, q sqlx.ExtContext, so string) ([]Unbilled, error) {
	out := []Unbilled{}
	err := sqlx.SelectContext(ctx, q, &out, `WITH u AS (
			UPDATE time_entries e SET so_line_id = NULL, billed_at = NULL
			FROM so_lines l JOIN sales_orders o ON o.id = l.so_id
			WHERE l.id = e.so_line_id AND o.number = $1 AND o.status = 'cancelled'
			RETURNING e.id, e.product_id, e.hours)
		SELECT u.id, p.sku, u.hours FROM u JOIN products p ON p.id = u.product_id ORDER BY u.id`, so)
	return out, db.Classify(err)
}
