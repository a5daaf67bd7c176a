package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
)

// tripCounter counts round trips on a connection: a write after a read (or the first
// write) is the client sending a request and then waiting for the answer.
type tripCounter struct {
	trips, writes atomic.Int64
}

type countingConn struct {
	net.Conn
	c       *tripCounter
	readSet atomic.Bool // the last operation was a read
}

func (cc *countingConn) Write(b []byte) (int, error) {
	if cc.readSet.Swap(false) {
		cc.c.trips.Add(1)
	}
	cc.c.writes.Add(1)
	return cc.Conn.Write(b)
}

func (cc *countingConn) Read(b []byte) (int, error) {
	cc.readSet.Store(true)
	return cc.Conn.Read(b)
}

type countingDialer struct {
	d net.Dialer
	c *tripCounter
}

func (d *countingDialer) wrap(conn net.Conn, err error) (net.Conn, error) {
	if err != nil {
		return nil, err
	}
	cc := &countingConn{Conn: conn, c: d.c}
	cc.readSet.Store(true)
	return cc, nil
}

func (d *countingDialer) Dial(network, address string) (net.Conn, error) {
	return d.wrap(d.d.Dial(network, address))
}

func (d *countingDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	return d.wrap(net.DialTimeout(network, address, timeout))
}

func (d *countingDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return d.wrap(d.d.DialContext(ctx, network, address))
}

// countingExt counts the statements the library sends through a transaction.
type countingExt struct {
	sqlx.ExtContext
	n *int64
}

func (c countingExt) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	*c.n++
	return c.ExtContext.QueryContext(ctx, q, args...)
}

func (c countingExt) QueryxContext(ctx context.Context, q string, args ...any) (*sqlx.Rows, error) {
	*c.n++
	return c.ExtContext.QueryxContext(ctx, q, args...)
}

func (c countingExt) QueryRowxContext(ctx context.Context, q string, args ...any) *sqlx.Row {
	*c.n++
	return c.ExtContext.QueryRowxContext(ctx, q, args...)
}

func (c countingExt) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	*c.n++
	return c.ExtContext.ExecContext(ctx, q, args...)
}

// traceResult is the average cost of one posting of a kind.
// planStat is how PostgreSQL planned one statement the trace prepared: a statement that
// keeps getting custom plans is planned again on every call.
type planStat struct {
	Statement string `db:"statement"`
	Generic   int64  `db:"generic_plans"`
	Custom    int64  `db:"custom_plans"`
}

type traceResult struct {
	n                 int
	statements, trips float64
	latency           time.Duration
}

// traceTrips posts n postings of each kind one at a time on a single connection whose
// socket counts round trips, and returns statements and round trips per posting (BEGIN and
// COMMIT included). It uses the same driver and URL parameters as the timed phase.
func traceTrips(ctx context.Context, rawURL string, f *fixture, n int, seed uint64) (out [nKinds]traceResult, plans []planStat, err error) {
	// The same config db.Open uses, so the trace sees exactly what the timed phase sends.
	cfg, err := db.Config(rawURL, db.Session{Actor: "bench"})
	if err != nil {
		return out, nil, err
	}
	counter := &tripCounter{}
	dialer := &countingDialer{c: counter}
	cfg.DialFunc = dialer.DialContext
	conn, err := db.OpenConfig(ctx, cfg, rawURL)
	if err != nil {
		return out, nil, err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if err := conn.PingContext(ctx); err != nil {
		return out, nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 1<<32))
	for kind := range nKinds {
		r := &out[kind]
		for r.n < n {
			o := f.next(rng)
			o.kind = kind
			var stmts int64
			before := counter.trips.Load()
			t0 := time.Now()
			err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
				stmts = 2 // BEGIN and COMMIT (or ROLLBACK)
				return f.post(ctx, countingExt{tx, &stmts}, o)
			})
			if isShort(err) {
				continue
			}
			if err != nil {
				return out, nil, fmt.Errorf("tracing %s: %w", kindNames[kind], err)
			}
			r.latency += time.Since(t0)
			r.statements += float64(stmts)
			r.trips += float64(counter.trips.Load() - before)
			r.n++
		}
		r.statements /= float64(r.n)
		r.trips /= float64(r.n)
		r.latency /= time.Duration(r.n)
	}
	// The driver's prepared statements of this one connection, as the server planned them.
	err = conn.SelectContext(ctx, &plans, `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
		WHERE NOT from_sql ORDER BY custom_plans DESC, statement`)
	return out, plans, err
}
