package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"
)

// waitSampler reads what the database's client backends are doing, 20 times a second, on a
// connection of its own: on CPU, waiting for a lock, for WAL to be flushed, or idle waiting
// for the client (ClientRead), which is time spent in round trips and in the client.
type waitSampler struct {
	samples int
	counts  map[string]int
	seen    int // backend-samples
	err     error
}

const waitSQL = `SELECT CASE WHEN state = 'active'
		THEN 'active, ' || coalesce(wait_event_type || ':' || wait_event, 'on CPU')
		ELSE coalesce(state, '?') || ', ' || coalesce(wait_event_type || ':' || wait_event, '-') END AS what,
	count(*) AS n
	FROM pg_stat_activity
	WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
	GROUP BY 1`

// sample runs until ctx is done.
func sampleWaits(ctx context.Context, url string) *waitSampler {
	w := &waitSampler{counts: map[string]int{}}
	conn, err := sqlx.Open("pgx", url)
	if err != nil {
		w.err = err
		return w
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return w
		case <-tick.C:
		}
		var rows []struct {
			What string `db:"what"`
			N    int    `db:"n"`
		}
		if err := conn.SelectContext(ctx, &rows, waitSQL); err != nil {
			if ctx.Err() == nil && w.err == nil {
				w.err = err
			}
			continue
		}
		w.samples++
		for _, r := range rows {
			w.counts[r.What] += r.N
			w.seen += r.N
		}
	}
}

func (w *waitSampler) print(out io.Writer) {
	if w.err != nil {
		fmt.Fprintf(out, "  wait sampling failed: %v\n", w.err)
	}
	if w.seen == 0 {
		fmt.Fprintln(out, "  wait sampling: no backend seen")
		return
	}
	type kv struct {
		k string
		v int
	}
	var all []kv
	for k, v := range w.counts {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || (all[i].v == all[j].v && all[i].k < all[j].k) })
	fmt.Fprintf(out, "  backend states (%d samples, %.1f backends on average):\n", w.samples, float64(w.seen)/float64(max(w.samples, 1)))
	for _, e := range all {
		fmt.Fprintf(out, "    %5.1f%%  %s\n", 100*float64(e.v)/float64(w.seen), e.k)
	}
}

// watch only samples wait events of the database for the duration (for another load).
func watch(ctx context.Context, c config) error {
	wctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	cpu0 := readCPU()
	w := sampleWaits(wctx, c.url)
	cpu1 := readCPU()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	fmt.Fprintln(stdout, "watch: wait events of the database's client backends")
	w.print(stdout)
	if busy, iowait, steal, ok := share(cpu0, cpu1); ok {
		fmt.Fprintf(stdout, "  machine CPU: %.0f%% busy, %.0f%% iowait, %.0f%% steal (all cores)\n", 100*busy, 100*iowait, 100*steal)
	}
	return nil
}
