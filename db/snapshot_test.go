package db_test

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
)

// Every read of InSnapshot sees the state the first one exported, not a commit made
// after it, though they run on different connections and the second starts later.
func TestInSnapshotSharesOneSnapshot(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	if _, err := d.Exec(`INSERT INTO sales_regions (code) VALUES ('A')`); err != nil {
		t.Fatal(err)
	}
	count := func(ctx context.Context, tx pgx.Tx) (n int, err error) {
		err = tx.QueryRow(ctx, `SELECT count(*) FROM sales_regions`).Scan(&n)
		return n, err
	}
	var first, second int
	committed := make(chan struct{})
	err := db.InSnapshot(ctx, d,
		func(ctx context.Context, tx pgx.Tx) (err error) {
			if first, err = count(ctx, tx); err != nil {
				return err
			}
			if _, err := d.ExecContext(ctx, `INSERT INTO sales_regions (code) VALUES ('B')`); err != nil {
				return err
			}
			close(committed)
			return nil
		},
		func(ctx context.Context, tx pgx.Tx) (err error) {
			<-committed
			second, err = count(ctx, tx)
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	var now int
	if err := d.Get(&now, `SELECT count(*) FROM sales_regions`); err != nil {
		t.Fatal(err)
	}
	if first != 1 || second != 1 || now != 2 {
		t.Fatalf("first read %d, second read %d, after %d; want 1, 1 and 2", first, second, now)
	}
}

// The first error comes back, the other reads are cancelled, and every connection goes
// back to the pool out of its transaction.
func TestInSnapshotStopsOnError(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.InSnapshot(ctx, d,
		func(ctx context.Context, tx pgx.Tx) error {
			<-ctx.Done()
			return ctx.Err()
		},
		func(ctx context.Context, tx pgx.Tx) error { return boom },
		func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT pg_sleep(30)`)
			return err
		})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v; want boom", err)
	}
	for range 4 {
		// A connection left in a read-only transaction would refuse this.
		if _, err := d.Exec(`INSERT INTO sales_regions (code) VALUES (md5(random()::text))`); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.InSnapshot(ctx, d, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sales_regions (code) VALUES ('C')`)
		return err
	}); err == nil {
		t.Fatal("a write in a read-only snapshot was accepted")
	}
}

func TestDecimal(t *testing.T) {
	t.Parallel()
	got, err := db.Decimal(pgtype.Numeric{Int: big.NewInt(-1250), Exp: -2, Valid: true})
	if err != nil || got.String() != "-12.5" || got.Exponent() != -2 {
		t.Fatalf("Decimal(-12.50) = %s (exp %d), %v", got, got.Exponent(), err)
	}
	for _, n := range []pgtype.Numeric{{}, {NaN: true, Valid: true}, {InfinityModifier: pgtype.Infinity, Valid: true}} {
		if _, err := db.Decimal(n); err == nil {
			t.Errorf("Decimal(%+v) accepted", n)
		}
	}
}
