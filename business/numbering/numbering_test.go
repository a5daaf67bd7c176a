package numbering_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"

	"github.com/stockctl/stockctl/business/numbering"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
)

// next takes one number of kind in a transaction of its own that commits.
func next(t *testing.T, d *sqlx.DB, kind numbering.Kind) string {
	t.Helper()
	var n string
	err := db.InTx(context.Background(), d, func(tx *sqlx.Tx) (err error) {
		n, err = numbering.Next(context.Background(), tx, kind)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Kinds count apart, each from 1, formatted by its setting; a rolled-back transaction, a
// dry run, and a transaction that fails after taking numbers all give theirs back.
func TestNextRollbackAndFormats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	for _, c := range []struct {
		kind numbering.Kind
		want string
	}{
		{numbering.SalesOrder, "SO-000001"}, {numbering.SalesOrder, "SO-000002"}, {numbering.Invoice, "INV-000001"},
		{numbering.PurchaseOrder, "PO-000001"}, {numbering.RFQ, "RFQ-000001"}, {numbering.WorkOrder, "WO-000001"},
		{numbering.Stocktake, "ST-000001"}, {numbering.Transfer, "TR-000001"}, {numbering.Shipment, "SH-000001"},
		{numbering.CreditNote, "CN-000001"}, {numbering.Return, "RMA-000001"},
	} {
		if got := next(t, d, c.kind); got != c.want {
			t.Errorf("%s: got %s, want %s", c.kind, got, c.want)
		}
	}

	// Rolled back three ways; INV-000002 each time, and INV-000002 once committed.
	boom := errors.New("refused after the number was taken")
	for i := 0; i < 3; i++ {
		var got []string
		err := db.InTxOrDryRun(ctx, d, i == 0, func(tx *sqlx.Tx) error {
			n, err := numbering.Next(ctx, tx, numbering.Invoice)
			got = append(got, n)
			if err != nil || i == 0 {
				return err
			}
			if i == 2 {
				ns, err := numbering.NextN(ctx, tx, numbering.Invoice, 5)
				got = append(got, ns...)
				if err != nil {
					return err
				}
			}
			return boom
		})
		if i > 0 && !errors.Is(err, boom) || i == 0 && err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if got[0] != "INV-000002" || i == 2 && (len(got) != 6 || got[5] != "INV-000007") {
			t.Fatalf("attempt %d took %v", i, got)
		}
	}
	if got := next(t, d, numbering.Invoice); got != "INV-000002" {
		t.Fatalf("after three rollbacks: %s, want INV-000002", got)
	}

	// n at once, in order, and the next one follows on.
	var ws []string
	if err := db.InTx(ctx, d, func(tx *sqlx.Tx) (err error) {
		ws, err = numbering.NextN(ctx, tx, numbering.WorkOrder, 3)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ws) != "[WO-000002 WO-000003 WO-000004]" {
		t.Fatalf("three work orders at once: %v", ws)
	}
	if got := next(t, d, numbering.WorkOrder); got != "WO-000005" {
		t.Fatalf("after three at once: %s", got)
	}
	if _, err := numbering.NextN(ctx, d, numbering.WorkOrder, 0); err == nil {
		t.Fatal("zero numbers asked for: want an error")
	}

	// A changed format applies from the next number; the count goes on.
	if _, err := settings.Set(ctx, d, "number_format_so", "%d/S"); err != nil {
		t.Fatal(err)
	}
	if got := next(t, d, numbering.SalesOrder); got != "3/S" {
		t.Fatalf("new format: %s, want 3/S", got)
	}

	// Every kind has its format setting; a kind without one takes nothing and makes no counter.
	for _, k := range numbering.Kinds() {
		if _, err := settings.Value(ctx, d, k.Setting()); err != nil {
			t.Errorf("kind %s: %v", k, err)
		}
	}
	if _, err := numbering.Next(ctx, d, numbering.Kind("zz")); fault.KindOf(err) != fault.NotFound {
		t.Fatalf("kind without a format setting: %v", err)
	}
	var n int
	if err := d.Get(&n, `SELECT count(*) FROM document_counters WHERE kind = 'zz'`); err != nil || n != 0 {
		t.Fatalf("counter rows for zz: %d (%v)", n, err)
	}
}

// Writers of one kind at once, some rolling back: the committed numbers are exactly 1..N,
// no gap and no repeat. By hand: 16 workers × 4 transactions, the second of each rolled
// back after taking its number, leaves 16 × 3 = 48 committed: SO-000001..SO-000048.
func TestConcurrentNumbersHaveNoGaps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	const workers, rounds = 16, 4
	var mu sync.Mutex
	var committed []string
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				var n string
				err := db.InTxOrDryRun(ctx, d, r == 1, func(tx *sqlx.Tx) (err error) {
					n, err = numbering.Next(ctx, tx, numbering.SalesOrder)
					return err
				})
				if err != nil {
					errs <- err
					continue
				}
				if r != 1 {
					mu.Lock()
					committed = append(committed, n)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	sort.Strings(committed)
	want := workers * (rounds - 1)
	if len(committed) != want {
		t.Fatalf("%d numbers committed, want %d", len(committed), want)
	}
	for i, n := range committed {
		if w := fmt.Sprintf("SO-%06d", i+1); n != w {
			t.Fatalf("committed numbers %v: position %d is %s, want %s", committed, i, n, w)
		}
	}
	var last int64
	if err := d.Get(&last, `SELECT last FROM document_counters WHERE kind = 'so'`); err != nil || last != int64(want) {
		t.Fatalf("counter at %d (%v), want %d", last, err, want)
	}
}

// Migration 15 starts each counter where its sequence stopped, so no number is issued twice,
// and going down hands the counters back to fresh sequences. By hand: so_numbers drawn three
// times (last_value 3, is_called) gives counter 3 and next SO-000004; invoice_numbers never
// drawn (last_value 1, not called) gives counter 0 and next INV-000001. Down again, so_numbers
// goes on at 5 (SO-000004 was issued) and invoice_numbers at 2.
func TestMigrationSeedsCountersFromSequences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	p, err := goose.NewProvider(goose.DialectPostgres, d.DB, os.DirFS("../../db/migrations"),
		goose.WithTableName("stockctl_schema_version"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`SELECT nextval('so_numbers') FROM generate_series(1, 3)`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got := next(t, d, numbering.SalesOrder); got != "SO-000004" {
		t.Fatalf("first order after the migration: %s, want SO-000004", got)
	}
	if got := next(t, d, numbering.Invoice); got != "INV-000001" {
		t.Fatalf("first invoice after the migration: %s, want INV-000001", got)
	}
	var seqs int
	if err := d.Get(&seqs, `SELECT count(*) FROM pg_sequences WHERE schemaname = current_schema() AND sequencename LIKE '%\_numbers'`); err != nil || seqs != 0 {
		t.Fatalf("%d number sequences left (%v)", seqs, err)
	}
	if _, err := p.DownTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	var so, inv, po int64
	if err := d.QueryRow(`SELECT nextval('so_numbers'), nextval('invoice_numbers'), nextval('po_numbers')`).Scan(&so, &inv, &po); err != nil {
		t.Fatal(err)
	}
	if so != 5 || inv != 2 || po != 1 {
		t.Fatalf("sequences after down: so %d, inv %d, po %d; want 5, 2, 1", so, inv, po)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
}
