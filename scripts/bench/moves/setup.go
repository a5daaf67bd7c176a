package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// fixture is what the workers post against: the products and locations, read once.
type fixture struct {
	products  []catalog.Product
	locations []stock.Location
	created   int // products this run created
}

func sku(i int) string            { return fmt.Sprintf("BENCH-%06d", i+1) }
func locCode(i int) string        { return fmt.Sprintf("BENCH-L%d", i+1) }
func ptr[T any](v T) *T           { return &v }
func dec(n int64) decimal.Decimal { return decimal.NewFromInt(n) }

// prepare makes (or finds) the locations and products, giving new products their opening
// stock, through the same library functions the commands use.
func prepare(ctx context.Context, conn *sqlx.DB, c config) (*fixture, error) {
	f := &fixture{products: make([]catalog.Product, c.products)}
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		f.locations = f.locations[:0]
		for i := range c.locations {
			l, err := stock.GetLocation(ctx, tx, "location", locCode(i))
			if fault.Is(err, fault.NotFound) {
				l, err = stock.AddLocation(ctx, tx, locCode(i), "Bench location "+fmt.Sprint(i+1), "", "")
			}
			if err != nil {
				return fmt.Errorf("location %s: %w", locCode(i), err)
			}
			f.locations = append(f.locations, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	// Products in chunks, one transaction each, a few chunks at a time.
	const chunk = 50
	type result struct {
		created int
		err     error
	}
	jobs := make(chan int)
	results := make(chan result)
	var wg sync.WaitGroup
	for range min(c.workers, 8) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range jobs {
				n, err := prepareChunk(ctx, conn, c, f, start, min(start+chunk, c.products))
				results <- result{n, err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for start := 0; start < c.products; start += chunk {
			select {
			case jobs <- start:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var firstErr error
	for r := range results {
		f.created += r.created
		if r.err != nil && firstErr == nil {
			firstErr = r.err
		}
	}
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return f, firstErr
}

func prepareChunk(ctx context.Context, conn *sqlx.DB, c config, f *fixture, from, to int) (int, error) {
	created := 0
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		created = 0
		for i := from; i < to; i++ {
			p, err := catalog.Get(ctx, tx, sku(i))
			if fault.Is(err, fault.NotFound) {
				p, err = catalog.Add(ctx, tx, sku(i), catalog.Changes{Name: ptr("Bench product " + fmt.Sprint(i+1))})
				if err == nil && c.opening > 0 {
					adjs := make([]stock.Adjustment, len(f.locations))
					for j, l := range f.locations {
						adjs[j] = stock.Adjustment{SKU: p.SKU, Location: l.Code, Qty: dec(c.opening),
							UnitCost: ptr(decimal.RequireFromString("10.00")), Reason: "bench opening stock"}
					}
					_, _, err = stock.Adjust(ctx, tx, adjs, "")
				}
				created++
			}
			if err != nil {
				return fmt.Errorf("product %s: %w", sku(i), err)
			}
			if !p.TrackStock || p.Serialized || p.BatchTracked {
				return fmt.Errorf("product %s exists but is not a plain stock-tracked product: use a fresh database", p.SKU)
			}
			f.products[i] = p
		}
		return nil
	})
	return created, err
}

// productIDs lists the fixture's product ids for queries limited to them.
func (f *fixture) productIDs() pq.Int64Array {
	ids := make(pq.Int64Array, len(f.products))
	for i, p := range f.products {
		ids[i] = p.ID
	}
	return ids
}
