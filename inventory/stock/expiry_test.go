package stock_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
)

// onDay runs fn in a transaction whose day for expiry is day (stockctl.today).
func onDay(t *testing.T, conn *sqlx.DB, day string, fn func(tx *sqlx.Tx) error) error {
	t.Helper()
	return db.InTx(context.Background(), conn, func(tx *sqlx.Tx) error {
		if _, err := tx.Exec(`SELECT set_config('stockctl.today', $1, true)`, day); err != nil {
			return err
		}
		return fn(tx)
	})
}

func dayTransfer(t *testing.T, conn *sqlx.DB, day string, r stock.TransferRequest) (stock.TransferDoc, error) {
	t.Helper()
	var doc stock.TransferDoc
	err := onDay(t, conn, day, func(tx *sqlx.Tx) (err error) {
		doc, err = stock.Transfer(context.Background(), tx, r)
		return err
	})
	return doc, err
}

func lines(doc stock.TransferDoc) string {
	var parts []string
	for _, l := range doc.Lines {
		parts = append(parts, *l.Batch+"="+l.Qty.String())
	}
	return strings.Join(parts, " ")
}

// First-expiry-first-out passes expired batches over for a transfer unless AllowExpired; a
// batch expiring today is still taken; an adjustment (a write-off) may take expired stock.
func TestTransferSkipsExpiredBatches(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	date := func(s string) *time.Time { v, _ := time.Parse(time.DateOnly, s); return &v }
	trStock(t, conn,
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("4"), Batch: "OLD", Expiry: date("2026-03-31")},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("3"), Batch: "TODAY", Expiry: date("2026-04-01")},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("5"), Batch: "NEW", Expiry: date("2026-06-30")})
	const day = "2026-04-01"

	// 5 from A: OLD (expired the day before) is passed over; TODAY gives its 3, NEW the other 2.
	doc, err := dayTransfer(t, conn, day, stock.TransferRequest{SKU: "LOT", From: "A", To: "B", Qty: d("5")})
	if err != nil || lines(doc) != "TODAY=3 NEW=2" {
		t.Fatalf("transfer 5: %q, %v", lines(doc), err)
	}
	// A holds OLD 4 (expired) and NEW 5 - 2 = 3: 10 cannot go; the 3 unexpired are what is there.
	_, err = dayTransfer(t, conn, day, stock.TransferRequest{SKU: "LOT", From: "A", To: "B", Qty: d("10")})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "want 10, have 3 available that has not expired; expired, not taken: 4 batch OLD (expired 2026-03-31) (give --allow-expired") {
		t.Fatalf("10 with only 3 unexpired: %v", err)
	}
	// Naming the expired batch is refused, nothing moved.
	_, err = dayTransfer(t, conn, day, stock.TransferRequest{SKU: "LOT", From: "A", To: "B", Qty: d("1"), Batch: "OLD"})
	if !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != "batch" || !strings.Contains(err.Error(), "batch OLD of LOT expired on 2026-03-31: take another batch, or give --allow-expired") {
		t.Fatalf("named expired batch: %v", err)
	}
	// A write-off is an adjustment: it may name the expired batch.
	var moves []stock.AdjustedMove
	err = onDay(t, conn, day, func(tx *sqlx.Tx) (err error) {
		moves, _, err = stock.Adjust(context.Background(), tx, []stock.Adjustment{{SKU: "LOT", Location: "A", Qty: d("-1"), Batch: "OLD"}}, "")
		return err
	})
	if err != nil || len(moves) != 1 || *moves[0].Batch != "OLD" || !moves[0].Qty.Equal(d("-1")) {
		t.Fatalf("write-off takes the expired batch: %+v %v", moves, err)
	}
	// With AllowExpired first expiry first out takes OLD's 4 - 1 = 3 and 1 of NEW.
	doc, err = dayTransfer(t, conn, day, stock.TransferRequest{SKU: "LOT", From: "A", To: "B", Qty: d("4"), AllowExpired: true})
	if err != nil || lines(doc) != "OLD=3 NEW=1" {
		t.Fatalf("allow expired: %q, %v", lines(doc), err)
	}
	// The next day TODAY has expired too: B holds TODAY 3, NEW 2 + 1 = 3, OLD 3; 4 back to A
	// would take NEW's 3, and the fourth is short: want 4, have 3.
	_, err = dayTransfer(t, conn, "2026-04-02", stock.TransferRequest{SKU: "LOT", From: "B", To: "A", Qty: d("4")})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "want 4, have 3 available that has not expired; expired, not taken: 3 batch OLD (expired 2026-03-31), 3 batch TODAY (expired 2026-04-01)") {
		t.Fatalf("the day after: %v", err)
	}
	if q := trQuant(t, conn, "LOT", "B", "", "TODAY", ""); !q.Equal(d("3")) {
		t.Fatalf("B TODAY: %s, want 3 (nothing moved)", q)
	}
}

// stock show counts stock in expired batches apart: A holds OLD 4 (expiry 31 March) and NEW 5.
func TestShowCountsExpiredApart(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	date := func(s string) *time.Time { v, _ := time.Parse(time.DateOnly, s); return &v }
	trStock(t, conn,
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("4"), Batch: "OLD", Expiry: date("2026-03-31")},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("5"), Batch: "NEW", Expiry: date("2026-06-30")})
	for _, c := range []struct {
		day, expired, available, flags string
	}{
		// On 31 March OLD expires that day and is still good: expired 0, available 9 − 0 = 9.
		{"2026-03-31", "0", "9", "OLD=false NEW=false"},
		// On 1 April it has expired: expired 4, available 9 − 0 allocated − 4 = 5.
		{"2026-04-01", "4", "5", "OLD=true NEW=false"},
	} {
		var det stock.Detail
		if err := onDay(t, conn, c.day, func(tx *sqlx.Tx) (err error) {
			det, err = stock.Show(context.Background(), tx, "LOT")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var flags []string
		for _, b := range det.Batches {
			flags = append(flags, b.Batch+"="+map[bool]string{true: "true", false: "false"}[b.Expired])
		}
		loc := det.Locations[0]
		if !det.OnHand.Equal(d("9")) || !det.Expired.Equal(d(c.expired)) || !det.Available.Equal(d(c.available)) ||
			len(det.Locations) != 1 || !loc.Expired.Equal(d(c.expired)) || !loc.Available.Equal(d(c.available)) ||
			strings.Join(flags, " ") != c.flags {
			t.Fatalf("%s: summary %+v, location %+v, batches %s", c.day, det.Summary, loc, strings.Join(flags, " "))
		}
	}
}
