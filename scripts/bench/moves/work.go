package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/inventory/stock"
)

// Kinds of posting the workers make.
const (
	adjustIn = iota
	adjustOut
	transfer
	nKinds
)

var kindNames = [nKinds]string{"adjust in", "adjust out", "transfer"}

// op is one posting to make.
type op struct {
	kind     int
	product  int
	qty      int64
	from, to int // location indexes; from is the location of an adjustment
	cost     decimal.Decimal
}

// next draws a random posting.
func (f *fixture) next(rng *rand.Rand) op {
	o := op{kind: rng.IntN(nKinds), product: rng.IntN(len(f.products)), qty: 1 + rng.Int64N(5)}
	o.from = rng.IntN(len(f.locations))
	o.to = (o.from + 1 + rng.IntN(len(f.locations)-1)) % len(f.locations)
	o.cost = decimal.New(950+rng.Int64N(101), -2) // 9.50 .. 10.50
	return o
}

// post makes one posting through the library, in q's transaction.
func (f *fixture) post(ctx context.Context, q sqlx.ExtContext, o op) error {
	p := f.products[o.product]
	switch o.kind {
	case adjustIn, adjustOut:
		a := stock.Adjustment{SKU: p.SKU, Location: f.locations[o.from].Code, Qty: dec(o.qty), Reason: "bench"}
		if o.kind == adjustIn {
			a.UnitCost = &o.cost
		} else {
			a.Qty = a.Qty.Neg()
		}
		_, _, err := stock.Adjust(ctx, q, []stock.Adjustment{a}, "")
		return err
	default:
		_, err := stock.Post(ctx, q, []stock.Move{{Product: p, Qty: dec(o.qty), From: f.locations[o.from],
			To: f.locations[o.to], Kind: stock.KindTransfer, Reference: "bench", Reason: "bench"}})
		return err
	}
}

// tally is one worker's count; merged after the run.
type tally struct {
	committed [nKinds]int64
	hist      [nKinds]histogram
	started   int64 // postings begun
	attempts  int64 // transaction attempts, reruns included
	short     int64 // postings refused for lack of stock (rolled back, not counted)
	failed    int64
	firstErr  error
}

func (t *tally) add(o *tally) {
	for k := range nKinds {
		t.committed[k] += o.committed[k]
		t.hist[k].add(&o.hist[k])
	}
	t.started += o.started
	t.attempts += o.attempts
	t.short += o.short
	t.failed += o.failed
	if t.firstErr == nil {
		t.firstErr = o.firstErr
	}
}

func (t *tally) total() int64 {
	var n int64
	for _, c := range t.committed {
		n += c
	}
	return n
}

// work posts until the deadline (no new posting starts after it; one in flight finishes)
// or until ctx is cancelled.
func work(ctx context.Context, conn *sqlx.DB, f *fixture, seed uint64, id int, start <-chan struct{}, deadline *time.Time) *tally {
	t := &tally{}
	rng := rand.New(rand.NewPCG(seed, uint64(id)))
	<-start
	for ctx.Err() == nil && time.Now().Before(*deadline) {
		o := f.next(rng)
		t.started++
		t0 := time.Now()
		err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
			t.attempts++
			return f.post(ctx, tx, o)
		})
		switch {
		case err == nil:
			t.committed[o.kind]++
			t.hist[o.kind].record(time.Since(t0))
		case ctx.Err() != nil:
			// Interrupted mid-posting: neither committed nor a failure.
		case isShort(err):
			t.short++
		default:
			t.failed++
			if t.firstErr == nil {
				t.firstErr = fmt.Errorf("%s of %s: %w", kindNames[o.kind], f.products[o.product].SKU, err)
			}
		}
	}
	return t
}

func isShort(err error) bool {
	_, ok := stock.AsInsufficient(err)
	return ok
}

// histogram counts latencies in logarithmic buckets 4% wide, from 1µs to about 10 minutes.
type histogram struct {
	n       int64
	sum     time.Duration
	buckets [520]int64
}

const bucketBase = 1.04

func (h *histogram) record(d time.Duration) {
	us := float64(d) / float64(time.Microsecond)
	i := 0
	if us > 1 {
		i = min(int(math.Log(us)/math.Log(bucketBase)), len(h.buckets)-1)
	}
	h.buckets[i]++
	h.n++
	h.sum += d
}

func (h *histogram) add(o *histogram) {
	h.n += o.n
	h.sum += o.sum
	for i := range h.buckets {
		h.buckets[i] += o.buckets[i]
	}
}

func (h *histogram) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// quantile returns the upper edge of the bucket holding the q-th latency (within 4%).
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	want := int64(math.Ceil(q * float64(h.n)))
	var seen int64
	for i, c := range h.buckets {
		seen += c
		if seen >= want {
			return time.Duration(math.Pow(bucketBase, float64(i+1)) * float64(time.Microsecond))
		}
	}
	return time.Duration(math.Pow(bucketBase, float64(len(h.buckets))) * float64(time.Microsecond))
}

var errNoPostings = errors.New("no posting committed")
