package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/orders/sales"
)

// Sixteen stockctl processes invoice sixteen orders at the same moment, while four more
// dry-run invoices of other orders, against one database. By hand: each real invoice takes
// the next number and the dry runs take theirs back, so the invoices are exactly
// INV-000001..INV-000016, each once, and the counter stands at 16. (With a sequence, the
// dry runs burned numbers in between and left gaps.)
func TestConcurrentInvoicesNumberWithoutGaps(t *testing.T) {
	t.Parallel()
	conn, url := dbtest.New(t)
	env := []string{"STOCKCTL_DATABASE_URL=" + url}
	const invoiced, dry = 16, 4
	// Set up in-process, the orders in one transaction: quicker than a process per step.
	for _, args := range [][]string{
		{"location", "add", "MAIN"},
		{"company", "add", "ACME", "--name", "Acme", "--customer"},
		{"product", "add", "FIT", "--name", "Fitting", "--type", "service", "--sell-price", "40"},
	} {
		var out, errb bytes.Buffer
		app := &commands.App{In: strings.NewReader(""), Out: &out, Err: &errb}
		if code := app.Run(context.Background(), append([]string{"--db", url}, args...)); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
	}
	ctx := context.Background()
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		for i := 1; i <= invoiced+dry; i++ {
			o, err := sales.New(ctx, tx, sales.NewOrder{Customer: "ACME", Location: "MAIN"})
			if err != nil {
				return err
			}
			if _, err := sales.AddLine(ctx, tx, o.Number, sales.LineInput{SKU: "FIT", Qty: decimal.NewFromInt(1)}); err != nil {
				return err
			}
			if _, err := sales.Confirm(ctx, tx, o.Number); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	start := make(chan struct{})
	results := make([]proc, invoiced+dry)
	var wg sync.WaitGroup
	for i := 1; i <= invoiced+dry; i++ {
		args := []string{"so", "invoice", fmt.Sprintf("SO-%06d", i)}
		if i > invoiced {
			args = append(args, "--dry-run")
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			results[i-1] = stockctl(t, env, args...)
		}(i)
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("so invoice SO-%06d: exit %d: %s", i+1, r.code, r.err)
		}
	}

	d := conn
	var got []string
	if err := d.Select(&got, `SELECT number FROM invoices ORDER BY number`); err != nil {
		t.Fatal(err)
	}
	if len(got) != invoiced {
		t.Fatalf("%d invoices, want %d: %v", len(got), invoiced, got)
	}
	for i, n := range got {
		if want := fmt.Sprintf("INV-%06d", i+1); n != want {
			t.Fatalf("invoice numbers %v: position %d is %s, want %s", got, i, n, want)
		}
	}
	var orders, last int
	if err := d.QueryRow(`SELECT (SELECT count(DISTINCT so_id) FROM invoices), (SELECT last FROM document_counters WHERE kind = 'inv')`).Scan(&orders, &last); err != nil {
		t.Fatal(err)
	}
	if orders != invoiced || last != invoiced {
		t.Fatalf("%d orders invoiced, counter at %d; want %d and %d", orders, last, invoiced, invoiced)
	}
}
