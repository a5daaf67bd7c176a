// Command moves measures how many stock postings per second stockctl's library commits when
// several workers post concurrently, each posting in its own transaction (db.InTx), the way
// pgbench's tpcb-like script runs one transaction per script. It reports what it measures
// and nothing else; scripts/bench/run compares the figure with pgbench on the same server.
//
//	go run ./scripts/bench/moves --db URL [--workers 8] [--duration 20s] [--products 1000]
//
// The database must be migrated (stockctl --db URL db migrate). The program adds
// --locations internal locations and --products stock-tracked products with opening stock
// at every location (reusing those a previous run made), traces the statements and round
// trips of a few postings of each kind, then runs the timed phase: every worker repeatedly
// picks a random product and posts one of
//
//   - an adjustment in (stock.Adjust, +1..5 at a random location, at a random unit cost),
//   - an adjustment out (stock.Adjust, -1..5),
//   - a transfer between two random locations (stock.Post with two holding locations),
//
// each as its own transaction through db.InTx (which reruns serialization failures and
// deadlocks). Only committed postings count. The last line of output is
// "moves_per_sec=N" for scripts.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type config struct {
	url       string
	workers   int
	duration  time.Duration
	products  int
	locations int
	opening   int64
	seed      uint64
	trace     int
	waits     bool
	watch     bool
	verify    bool
	setupOnly bool
	cpuprof   string
}

func main() {
	var c config
	flag.StringVar(&c.url, "db", "", "database URL (default $STOCKCTL_DATABASE_URL, then $DATABASE_URL); it must be migrated")
	flag.IntVar(&c.workers, "workers", 8, "concurrent workers, each with its own connection and transactions")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "length of the timed phase")
	flag.IntVar(&c.products, "products", 1000, "stock-tracked products to post moves for")
	flag.IntVar(&c.locations, "locations", 4, "internal locations holding stock")
	flag.Int64Var(&c.opening, "opening", 1000, "opening stock of each product at each location")
	flag.Uint64Var(&c.seed, "seed", 1, "random seed of the workers' choices")
	flag.IntVar(&c.trace, "trace", 20, "postings of each kind traced for statements and round trips before the timed phase (0: none)")
	flag.BoolVar(&c.waits, "waits", false, "sample pg_stat_activity wait events of this database during the timed phase (one extra connection, 20 samples/s)")
	flag.BoolVar(&c.watch, "watch", false, "only sample wait events of the --db database for --duration (to profile another load, e.g. pgbench)")
	flag.StringVar(&c.cpuprof, "cpuprofile", "", "write a Go CPU profile of the timed phase to this file (go tool pprof)")
	flag.BoolVar(&c.setupOnly, "setup-only", false, "only make the locations, products and opening stock, then exit")
	flag.BoolVar(&c.verify, "verify", true, "after the run, check the bench products' balances and quants against the ledger")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./scripts/bench/moves --db URL [flags]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "moves: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if c.url == "" {
		c.url = os.Getenv("STOCKCTL_DATABASE_URL")
	}
	if c.url == "" {
		c.url = os.Getenv("DATABASE_URL")
	}
	switch {
	case c.url == "":
		fmt.Fprintln(os.Stderr, "moves: give --db URL of a migrated database (scripts/bench/run makes one)")
		os.Exit(2)
	case c.workers < 1, c.products < 1, c.locations < 2, c.duration <= 0, c.opening < 0, c.trace < 0:
		fmt.Fprintln(os.Stderr, "moves: --workers and --products must be at least 1, --locations at least 2, --duration positive")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if c.watch {
		err = watch(ctx, c)
	} else {
		err = run(ctx, c)
	}
	switch {
	case err == nil:
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "moves: interrupted")
		os.Exit(130)
	default:
		fmt.Fprintf(os.Stderr, "moves: %v\n", err)
		os.Exit(1)
	}
}
