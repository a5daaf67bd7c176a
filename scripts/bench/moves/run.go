package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
)

var stdout io.Writer = os.Stdout

func run(ctx context.Context, c config) error {
	conn, err := db.Open(ctx, c.url, db.Session{Actor: "bench"})
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := db.CheckSchema(ctx, conn.DB, "the bench database"); err != nil {
		return err
	}
	if err := describeServer(ctx, conn); err != nil {
		return err
	}

	t0 := time.Now()
	f, err := prepare(ctx, conn, c)
	if err != nil {
		return fmt.Errorf("preparing products: %w", err)
	}
	fmt.Fprintf(stdout, "moves: %d products (%d made now, %d reused) at %d locations, opening stock %d each; setup %.1fs\n",
		len(f.products), f.created, len(f.products)-f.created, len(f.locations), c.opening, time.Since(t0).Seconds())

	if c.setupOnly {
		return nil
	}
	if c.trace > 0 {
		tr, plans, err := traceTrips(ctx, c.url, f, c.trace, c.seed)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "moves: cost of one posting alone (%d of each kind, one connection, BEGIN and COMMIT included):\n", c.trace)
		fmt.Fprintf(stdout, "  %-11s %10s %11s %9s\n", "kind", "statements", "round trips", "latency")
		for k, r := range tr {
			fmt.Fprintf(stdout, "  %-11s %10.1f %11.1f %9s\n", kindNames[k], r.statements, r.trips, ms(r.latency))
		}
		fmt.Fprintln(stdout, "  (pgbench tpcb-like: 7 statements, 7 round trips, simple query protocol)")
		var custom int
		for _, p := range plans {
			if p.Custom > p.Generic {
				custom++
			}
		}
		fmt.Fprintf(stdout, "  prepared statements: %d, of which %d are planned again on every call (custom plans)\n", len(plans), custom)
		for _, p := range plans {
			if p.Custom > p.Generic {
				fmt.Fprintf(stdout, "    custom %d, generic %d: %s\n", p.Custom, p.Generic, oneLine(p.Statement, 110))
			}
		}
	}

	var maxID int64
	if err := conn.GetContext(ctx, &maxID, `SELECT coalesce(max(id), 0) FROM stock_moves`); err != nil {
		return db.Classify(err)
	}
	var wal0 string
	if err := conn.GetContext(ctx, &wal0, `SELECT pg_current_wal_lsn()::text`); err != nil {
		return db.Classify(err)
	}
	var backend int
	if err := conn.GetContext(ctx, &backend, `SELECT pg_backend_pid()`); err != nil {
		return db.Classify(err)
	}
	postmaster := postmasterOf(backend)

	if c.cpuprof != "" {
		pf, err := os.Create(c.cpuprof)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Fprintf(stdout, "moves: %d workers posting for %s, one posting per transaction (db.InTx) ...\n", c.workers, c.duration)
	start := make(chan struct{})
	var deadline time.Time
	results := make(chan *tally, c.workers)
	for i := range c.workers {
		go func() { results <- work(ctx, conn, f, c.seed, i, start, &deadline) }()
	}
	var waits *waitSampler
	wctx, stopWaits := context.WithCancel(ctx)
	defer stopWaits()
	waitsDone := make(chan struct{})
	if c.waits {
		go func() { waits = sampleWaits(wctx, c.url); close(waitsDone) }()
	} else {
		close(waitsDone)
	}
	srv0, srvOK := serverCPU(postmaster)
	cpu0 := readCPU()
	u0, s0, cpuOK := selfCPU()
	pool0 := conn.Stats()
	begin := time.Now()
	deadline = begin.Add(c.duration)
	close(start)
	total := &tally{}
	for range c.workers {
		total.add(<-results)
	}
	elapsed := time.Since(begin)
	if c.cpuprof != "" {
		pprof.StopCPUProfile()
	}
	stopWaits()
	<-waitsDone
	cpu1 := readCPU()
	u1, s1, _ := selfCPU()
	srv1, srvOK1 := serverCPU(postmaster)
	srvOK = srvOK && srvOK1
	pool1 := conn.Stats()
	interrupted := ctx.Err() != nil

	n := total.total()
	rate := float64(n) / elapsed.Seconds()
	state := ""
	if interrupted {
		state = " (interrupted: partial run)"
	}
	fmt.Fprintf(stdout, "moves: %d postings committed in %.2fs = %.1f moves/s%s\n", n, elapsed.Seconds(), rate, state)
	fmt.Fprintf(stdout, "  %-11s %8s %9s %9s %9s %9s %9s\n", "kind", "count", "moves/s", "mean", "p50", "p95", "p99")
	for k := range nKinds {
		h := &total.hist[k]
		fmt.Fprintf(stdout, "  %-11s %8d %9.1f %9s %9s %9s %9s\n", kindNames[k], total.committed[k],
			float64(total.committed[k])/elapsed.Seconds(), ms(h.mean()), ms(h.quantile(.5)), ms(h.quantile(.95)), ms(h.quantile(.99)))
	}
	fmt.Fprintf(stdout, "  reruns (serialization failures, deadlocks): %d; refused for lack of stock: %d; failed: %d\n",
		total.attempts-total.started, total.short, total.failed)
	fmt.Fprintf(stdout, "  connection pool (db.Open): %d open at the end, %d closed by the idle limit (the end of the run included), waited %d times for a connection\n",
		pool1.OpenConnections, pool1.MaxIdleClosed-pool0.MaxIdleClosed, pool1.WaitCount-pool0.WaitCount)
	used := (u1 - u0) + (s1 - s0)
	if cpuOK && n > 0 {
		fmt.Fprintf(stdout, "  this process's CPU: %.2fs (user %.2fs, sys %.2fs) = %s per posting\n",
			used.Seconds(), (u1 - u0).Seconds(), (s1 - s0).Seconds(), us(used/time.Duration(n)))
	}
	if busy, iowait, steal, ok := share(cpu0, cpu1); ok {
		ncpu := float64(runtime.NumCPU())
		fmt.Fprintf(stdout, "  machine CPU during the run: %.0f%% busy, %.0f%% iowait, %.0f%% steal (%d cores)\n",
			100*busy, 100*iowait, 100*steal, runtime.NumCPU())
		rest := time.Duration(busy*ncpu*float64(elapsed)) - used
		if srvOK && n > 0 {
			srv := srv1 - srv0
			fmt.Fprintf(stdout, "  PostgreSQL server CPU: %.2fs = %s per posting\n", srv.Seconds(), us(srv/time.Duration(n)))
			other := float64(rest-srv) / (ncpu * float64(elapsed))
			fmt.Fprintf(stdout, "  other processes on the machine: %.0f%% of its CPU%s\n", 100*max(other, 0), disturbed(other))
		} else if cpuOK && n > 0 {
			fmt.Fprintf(stdout, "  CPU of everything else (the PostgreSQL server, mostly): %s per posting\n", us(rest/time.Duration(n)))
		}
	}
	var walBytes float64
	if err := conn.GetContext(context.WithoutCancel(ctx), &walBytes, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)`, wal0); err == nil && n > 0 {
		fmt.Fprintf(stdout, "  WAL written by the server during the run: %.1f MB = %.0f bytes per posting\n", walBytes/1e6, walBytes/float64(n))
	}
	if waits != nil {
		waits.print(stdout)
	}
	if total.firstErr != nil {
		fmt.Fprintf(stdout, "  first failure: %v\n", total.firstErr)
	}
	if interrupted {
		return ctx.Err()
	}

	if c.verify {
		if err := verify(ctx, conn, f, maxID, n); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "moves_per_sec=%.1f\n", rate)
	switch {
	case total.failed > 0:
		return fmt.Errorf("%d postings failed (first: %v)", total.failed, total.firstErr)
	case n == 0:
		return errNoPostings
	}
	return nil
}

// describeServer prints the server version and the settings that decide commit cost.
func describeServer(ctx context.Context, conn *sqlx.DB) error {
	var info struct {
		DB      string `db:"db"`
		Version string `db:"version"`
	}
	if err := conn.GetContext(ctx, &info, `SELECT current_database() AS db, current_setting('server_version') AS version`); err != nil {
		return db.Classify(err)
	}
	var settings []struct {
		Name    string `db:"name"`
		Setting string `db:"setting"`
		Unit    string `db:"unit"`
	}
	if err := conn.SelectContext(ctx, &settings, `SELECT name, setting, coalesce(unit, '') AS unit FROM pg_settings
		WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'wal_buffers', 'max_connections')
		ORDER BY name`); err != nil {
		return db.Classify(err)
	}
	var parts []string
	for _, s := range settings {
		parts = append(parts, s.Name+"="+s.Setting+s.Unit)
	}
	fmt.Fprintf(stdout, "moves: database %s on PostgreSQL %s (%s)\n", info.DB, info.Version, strings.Join(parts, " "))
	return nil
}

// verify checks the run against the ledger: one move per committed posting, and the bench
// products' balances and quants equal to what the ledger sums to.
func verify(ctx context.Context, conn *sqlx.DB, f *fixture, maxID, committed int64) error {
	ids := f.productIDs()
	var moved int64
	if err := conn.GetContext(ctx, &moved, `SELECT count(*) FROM stock_moves WHERE id > $1 AND product_id = ANY($2)`, maxID, ids); err != nil {
		return db.Classify(err)
	}
	var bad struct {
		Balances int64 `db:"balances"`
		Quants   int64 `db:"quants"`
	}
	err := conn.GetContext(ctx, &bad, `WITH ledger AS (
		SELECT m.product_id, m.location_id, sum(m.qty) AS qty
		FROM (SELECT product_id, to_location_id AS location_id, qty FROM stock_moves WHERE product_id = ANY($1)
		      UNION ALL
		      SELECT product_id, from_location_id, -qty FROM stock_moves WHERE product_id = ANY($1)) m
		JOIN locations l ON l.id = m.location_id AND l.kind IN ('internal', 'transit')
		GROUP BY 1, 2
	), bal AS (
		SELECT product_id, location_id, on_hand FROM stock_balances WHERE product_id = ANY($1)
	), qua AS (
		SELECT product_id, location_id, sum(qty) AS qty FROM stock_quants WHERE product_id = ANY($1) GROUP BY 1, 2
	)
	SELECT (SELECT count(*) FROM ledger l FULL JOIN bal b USING (product_id, location_id)
	        WHERE coalesce(l.qty, 0) <> coalesce(b.on_hand, 0)) AS balances,
	       (SELECT count(*) FROM qua q FULL JOIN bal b USING (product_id, location_id)
	        WHERE coalesce(q.qty, 0) <> coalesce(b.on_hand, 0)) AS quants`, ids)
	if err != nil {
		return db.Classify(err)
	}
	if moved != committed || bad.Balances != 0 || bad.Quants != 0 {
		return fmt.Errorf("ledger check failed: %d moves written for %d committed postings; %d balances and %d quant sums differ from the ledger",
			moved, committed, bad.Balances, bad.Quants)
	}
	fmt.Fprintf(stdout, "moves: ledger check ok: %d moves written for %d committed postings; balances and quants of the %d products agree with the ledger\n",
		moved, committed, len(f.products))
	return nil
}

// disturbed warns when other processes took a noticeable share of the machine.
func disturbed(share float64) string {
	if share > 0.05 {
		return " (the machine was not quiet: the figures are disturbed, run again)"
	}
	return ""
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
func us(d time.Duration) string { return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond)) }

// oneLine squeezes a statement's whitespace and cuts it to n runes, for a report line.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
