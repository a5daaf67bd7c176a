package stock_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
)

// Many goroutines adjust, transfer (immediate and two-step) and move serials and batches of
// the same few products at once. Afterwards every invariant holds, the stock of each product
// equals what came in minus what went out, and no operation failed with anything but a clean
// shortage (never a raw deadlock or serialization error).
func TestConcurrentPostingKeepsEveryInvariant(t *testing.T) {
	conn := setup(t)
	ctx := context.Background()
	if _, err := stock.AddLocation(ctx, conn, "C", "Location C", "", ""); err != nil {
		t.Fatal(err)
	}
	locs := []string{"A", "B", "C"}
	exp := time.Date(2099, 6, 1, 0, 0, 0, 0, time.UTC)
	exp2 := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	var serials []string
	for i := 0; i < 12; i++ {
		serials = append(serials, fmt.Sprintf("SN%02d", i))
	}
	var opening []stock.Adjustment
	for _, l := range locs {
		opening = append(opening,
			stock.Adjustment{SKU: "PLAIN", Location: l, Qty: d("60"), UnitCost: dp("3")},
			stock.Adjustment{SKU: "LOT", Location: l, Qty: d("30"), Batch: "L1", Expiry: &exp, UnitCost: dp("5")},
			stock.Adjustment{SKU: "LOT", Location: l, Qty: d("30"), Batch: "L2", Expiry: &exp2, UnitCost: dp("5")})
	}
	opening = append(opening, stock.Adjustment{SKU: "SER", Location: "A", Qty: d("12"), Serials: serials, UnitCost: dp("100")})
	if _, _, err := adjust(t, conn, "", opening...); err != nil {
		t.Fatal(err)
	}

	var productIDs []int64
	if err := conn.Select(&productIDs, `SELECT id FROM products WHERE sku IN ('LOT', 'PLAIN') ORDER BY id`); err != nil {
		t.Fatal(err)
	}

	// net[sku] is what successful adjustments added; transfers must not change totals.
	var netPlain, netLot atomic.Int64
	netPlain.Store(180)
	netLot.Store(180)
	var ok, short atomic.Int64
	var transits sync.Map // two-step transfer numbers to receive

	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for i := 0; i < rounds; i++ {
				from, to := locs[r.IntN(3)], locs[r.IntN(3)]
				for to == from {
					to = locs[r.IntN(3)]
				}
				n := int64(1 + r.IntN(6))
				var err error
				switch op := r.IntN(6); op {
				case 0: // adjust plain up or down
					if r.IntN(2) == 0 {
						n = -n
					}
					err = db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
						_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{{SKU: "PLAIN", Location: from, Qty: decimal.NewFromInt(n)}}, "")
						return err
					})
					if err == nil {
						netPlain.Add(n)
					}
				case 1: // immediate transfer of plain and lot stock in one transaction, lot FEFO
					err = db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
						// Two documents in one transaction lock every product they post
						// before the first takes its number (docs/ARCHITECTURE.md, "Document
						// numbers"), as so release --ship does: each number holds its counter
						// to commit, so a second product locked after it could deadlock with a
						// transaction holding that product and waiting for the counter.
						if err := stock.Lock(ctx, tx, productIDs); err != nil {
							return err
						}
						if _, err := stock.Transfer(ctx, tx, stock.TransferRequest{SKU: "LOT", From: from, To: to, Qty: decimal.NewFromInt(n)}); err != nil {
							return err
						}
						_, err := stock.Transfer(ctx, tx, stock.TransferRequest{SKU: "PLAIN", From: to, To: from, Qty: decimal.NewFromInt(n)})
						return err
					})
				case 2: // move one serial from wherever it is
					sn := serials[r.IntN(len(serials))]
					err = db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
						var at string
						if err := tx.Get(&at, `SELECT l.code FROM stock_quants q JOIN locations l ON l.id = q.location_id
							JOIN serials s ON s.id = q.serial_id WHERE s.serial = $1 AND q.qty > 0 AND l.kind = 'internal'`, sn); err != nil {
							return fault.Invalidf("serial", "serial in transit or gone")
						}
						dest := locs[r.IntN(3)]
						if dest == at {
							return nil
						}
						_, err := stock.Transfer(ctx, tx, stock.TransferRequest{SKU: "SER", From: at, To: dest, Serials: []string{sn}})
						return err
					})
				case 3: // two-step dispatch
					// Offered to receivers only once committed: before that the transfer
					// does not exist for anyone else.
					var number string
					err = db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
						doc, err := stock.Transfer(ctx, tx, stock.TransferRequest{SKU: "PLAIN", From: from, To: to, Qty: decimal.NewFromInt(n), TwoStep: true})
						number = doc.Number
						return err
					})
					if err == nil {
						transits.Store(number, true)
					}
				case 4: // receive some open transfer (others may race for the same one)
					transits.Range(func(k, _ any) bool {
						err = db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
							_, err := stock.Receive(ctx, tx, k.(string), nil, 0, "")
							return err
						})
						return false
					})
				case 5: // lot adjust down, named batch
					err = db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
						_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{{SKU: "LOT", Location: from, Qty: decimal.NewFromInt(-n), Batch: "L1"}}, "")
						return err
					})
					if err == nil {
						netLot.Add(-n)
					}
				}
				switch {
				case err == nil:
					ok.Add(1)
				case fault.KindOf(err) == fault.Invalid:
					short.Add(1) // a shortage or a transfer already received: expected in a race
				default:
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("operation failed with an unclassified error (raw deadlock or serialization failure?): %v", err)
	}
	// Bring everything in transit home.
	transits.Range(func(k, _ any) bool {
		_ = db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
			_, err := stock.Receive(ctx, tx, k.(string), nil, 0, "")
			return err
		})
		return true
	})
	t.Logf("%d operations succeeded, %d refused cleanly", ok.Load(), short.Load())
	if ok.Load() < workers*rounds/3 {
		t.Fatalf("too few operations succeeded (%d) to prove anything", ok.Load())
	}

	var vs []stock.Violation
	if err := db.InTx(ctx, conn, func(tx *sqlx.Tx) (err error) {
		vs, err = stock.Check(ctx, tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Errorf("stock check: %+v", v)
	}
	total := func(sku string) decimal.Decimal {
		var v decimal.Decimal
		if err := conn.Get(&v, `SELECT coalesce(sum(on_hand), 0) FROM stock_balances b JOIN products p ON p.id = b.product_id WHERE p.sku = $1`, sku); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := total("PLAIN"); !got.Equal(decimal.NewFromInt(netPlain.Load())) {
		t.Errorf("PLAIN total %s, want %d: transfers created or lost stock", got, netPlain.Load())
	}
	if got := total("LOT"); !got.Equal(decimal.NewFromInt(netLot.Load())) {
		t.Errorf("LOT total %s, want %d", got, netLot.Load())
	}
	if got := total("SER"); !got.Equal(d("12")) {
		t.Errorf("SER total %s, want 12", got)
	}
}

// Concurrent receipts and issues of one product at different costs: the average cost must be
// exactly what replaying the ledger in posting order gives. Each posting reads the stock on
// hand under the product's lock; a figure read before waiting for the lock would weigh the
// new cost against stale stock.
func TestConcurrentAverageCostFollowsTheLedger(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	ctx := context.Background()
	if _, _, err := adjust(t, conn, "", stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("50"), UnitCost: dp("4")}); err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				a := stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: decimal.NewFromInt(int64(1 + (w+i)%7))}
				if (w+i)%3 == 0 {
					a.Qty = a.Qty.Neg() // out at the average cost
				} else {
					c := decimal.New(int64(300+w*37+i*11), -2)
					a.UnitCost = &c
				}
				errs <- db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
					_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{a}, "")
					return err
				})
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Replay: moves are numbered under the product lock, so id order is posting order.
	var moves []struct {
		Qty  decimal.Decimal `db:"qty"`
		Cost decimal.Decimal `db:"unit_cost"`
		In   bool            `db:"inbound"`
	}
	if err := conn.Select(&moves, `SELECT m.qty, m.unit_cost, t.kind = 'internal' AS inbound FROM stock_moves m
		JOIN locations t ON t.id = m.to_location_id ORDER BY m.id`); err != nil {
		t.Fatal(err)
	}
	var total, avg decimal.Decimal
	for i, m := range moves {
		if m.In {
			if total.IsPositive() {
				avg = total.Mul(avg).Add(m.Qty.Mul(m.Cost)).DivRound(total.Add(m.Qty), 6)
			} else {
				avg = m.Cost
			}
			total = total.Add(m.Qty)
		} else {
			if !m.Cost.Equal(avg) {
				t.Fatalf("move %d went out at %s, the average cost then was %s", i+1, m.Cost, avg)
			}
			total = total.Sub(m.Qty)
		}
	}
	if got := avgCost(t, conn, "PLAIN"); !got.Equal(avg) {
		t.Errorf("average cost %s, replaying the ledger gives %s", got, avg)
	}
	if vs := runCheck(t, conn); len(vs) > 0 {
		t.Errorf("stock check: %s", describe(vs))
	}
}
