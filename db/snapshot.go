package db

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"golang.org/x/sync/errgroup"
)

// InSnapshot runs the reads fns at the same time, each on its own connection in a
// read-only repeatable-read transaction, all seeing one snapshot of the database (the
// first transaction exports it, as pg_dump's workers share one). Independent reads of one
// consistent state so use several of the server's cores instead of one after another.
//
// The transactions are pgx's own, not database/sql's: these are reads of tens of
// thousands of rows made while a user waits (backorders list), and pgx scans a row into
// typed values without first boxing each value into an interface.
//
// The context given to each fn is cancelled when another fails; the first error is
// returned.
func InSnapshot(ctx context.Context, d *sqlx.DB, fns ...func(ctx context.Context, tx pgx.Tx) error) error {
	g, gctx := errgroup.WithContext(ctx)
	var snapshot string
	exported := make(chan struct{}) // closed once snapshot is set
	// The exporting transaction must outlive every import of its snapshot.
	var imported sync.WaitGroup
	imported.Add(len(fns) - 1)
	for i, fn := range fns {
		g.Go(func() error {
			if i > 0 {
				var once sync.Once
				done := func() { once.Do(imported.Done) }
				defer done()
				return inTxOn(gctx, d, func(tx pgx.Tx) error {
					select {
					case <-exported:
					case <-gctx.Done():
						return gctx.Err()
					}
					// SET TRANSACTION takes no parameters; the id comes from the server.
					if _, err := tx.Exec(gctx, `SET TRANSACTION SNAPSHOT '`+snapshot+`'`); err != nil {
						return Classify(err)
					}
					done()
					return fn(gctx, tx)
				})
			}
			return inTxOn(gctx, d, func(tx pgx.Tx) error {
				if len(fns) > 1 {
					if err := tx.QueryRow(gctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
						return Classify(err)
					}
					close(exported)
				}
				err := fn(gctx, tx)
				imported.Wait() // each import ends, done or failed, even when fn failed
				return err
			})
		})
	}
	return g.Wait()
}

// inTxOn runs fn in a read-only repeatable-read pgx transaction on a connection of d's pool.
func inTxOn(ctx context.Context, d *sqlx.DB, fn func(tx pgx.Tx) error) error {
	conn, err := d.Conn(ctx)
	if err != nil {
		return Classify(err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("db: InSnapshot needs a pgx connection, got %T", dc)
		}
		tx, err := sc.Conn().BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return Classify(err)
		}
		// Read only: ending it either way keeps nothing. Not with ctx, which may be
		// cancelled by now, leaving the connection mid-transaction in the pool.
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		return fn(tx)
	})
}

// Decimal is a numeric as pgx reads it, turned into a decimal without going through
// text. NULL, NaN and the infinities, which no quantity or amount column holds, are
// errors.
func Decimal(n pgtype.Numeric) (decimal.Decimal, error) {
	if !n.Valid || n.NaN || n.InfinityModifier != pgtype.Finite {
		return decimal.Decimal{}, fmt.Errorf("db: numeric %v is not a finite number", n)
	}
	return decimal.NewFromBigInt(n.Int, n.Exp), nil
}
