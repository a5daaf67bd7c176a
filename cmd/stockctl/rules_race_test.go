package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/commands"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/inventory/stock"
)

// inProcess runs a stockctl command line in this process, for the setup around the racing
// processes.
func inProcess(t *testing.T, url string, args ...string) proc {
	t.Helper()
	var out, errb bytes.Buffer
	app := &commands.App{In: strings.NewReader(""), Out: &out, Err: &errb}
	code := app.Run(context.Background(), append([]string{"--db", url}, args...))
	return proc{out.String(), errb.String(), code}
}

// procRace is one kind of trial between two stockctl processes: a change of what postings
// are judged by, and a posting of the same product.
type procRace struct {
	name    string
	trials  int
	uom     string // the product's stock unit ("": ea)
	opening string // stock at A before the race ("": none)
	// edit and post give the command lines for product sku, trial n (whose purchase or
	// sales order, if the kind uses one, is number n of its kind).
	edit, post func(sku string, n int) []string
	// setup gives command lines run before the trials, once per trial.
	setup func(sku string, n int) [][]string
	// exclusive: the posting breaks the changed rule, so both cannot succeed.
	exclusive bool
}

// Changes of tracking, serials, batches, the stock unit, deactivation and deletion, by
// product edit, deactivate, delete and import, race adjustments, transfers, receipts and
// shipments of the same product as separate stockctl processes, as cron jobs and shells
// would (24 trials; the domain test races 176 more in goroutines). Each ends one of two
// ways: the change exits 5 because of the stock, or the posting exits 5 (6 for a product
// deleted under it) or posts by the new rule. stock check's statement finds nothing after
// every trial (run here on one connection: a command costs a few hundred milliseconds on a
// busy machine, most of it connecting), and stock check, as a process, exits 0 at the end.
func TestRuleChangesRacePostingProcesses(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	env := []string{"STOCKCTL_DATABASE_URL=" + url}
	dir := t.TempDir()
	importFile := func(sku, col, val string) string {
		path := filepath.Join(dir, sku+".csv")
		if err := os.WriteFile(path, []byte("sku,"+col+"\n"+sku+","+val+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	adjust := func(qty string) func(string, int) []string {
		return func(sku string, _ int) []string {
			return []string{"stock", "adjust", sku, "--location", "A", "--qty", qty, "--unit-cost", "2"}
		}
	}
	races := []procRace{
		{name: "edit --serialized/adjust in", trials: 4, edit: func(sku string, _ int) []string {
			return []string{"product", "edit", sku, "--serialized"}
		}, post: adjust("3"), exclusive: true},
		{name: "edit --track-stock=false/adjust in", trials: 3, edit: func(sku string, _ int) []string {
			return []string{"product", "edit", sku, "--track-stock=false"}
		}, post: adjust("5"), exclusive: true},
		{name: "edit --batch-tracked/po receive", trials: 3, edit: func(sku string, _ int) []string {
			return []string{"product", "edit", sku, "--batch-tracked"}
		}, post: func(_ string, n int) []string {
			return []string{"po", "receive", fmt.Sprintf("PO-%06d", n), "--all"}
		}, setup: func(sku string, n int) [][]string {
			po := fmt.Sprintf("PO-%06d", n)
			return [][]string{{"po", "new", "SUP", "--location", "A"}, {"po", "add", po, sku, "2", "--price", "1"}, {"po", "order", po}}
		}, exclusive: true},
		// 0.5 kg has more decimals than grams keep: only one side can succeed.
		{name: "edit --uom/adjust in", trials: 3, uom: "kg", edit: func(sku string, _ int) []string {
			return []string{"product", "edit", sku, "--uom", "g"}
		}, post: adjust("0.5"), exclusive: true},
		{name: "deactivate/adjust in", trials: 2, edit: func(sku string, _ int) []string {
			return []string{"product", "deactivate", sku}
		}, post: adjust("3")},
		{name: "delete/adjust in", trials: 3, edit: func(sku string, _ int) []string {
			return []string{"product", "delete", sku, "--yes"}
		}, post: adjust("3"), exclusive: true},
		{name: "import track_stock/adjust in", trials: 3, edit: func(sku string, _ int) []string {
			return []string{"product", "import", importFile(sku, "track_stock", "false")}
		}, post: adjust("5"), exclusive: true},
		{name: "import serialized/transfer", trials: 1, opening: "5", edit: func(sku string, _ int) []string {
			return []string{"product", "import", importFile(sku, "serialized", "true")}
		}, post: func(sku string, _ int) []string {
			return []string{"stock", "transfer", sku, "--from", "A", "--to", "B", "--qty", "2"}
		}},
		{name: "edit --track-stock=false/so ship", trials: 2, opening: "3", edit: func(sku string, _ int) []string {
			return []string{"product", "edit", sku, "--track-stock=false"}
		}, post: func(_ string, n int) []string {
			return []string{"so", "ship", fmt.Sprintf("SO-%06d", n)}
		}, setup: func(sku string, n int) [][]string {
			so := fmt.Sprintf("SO-%06d", n)
			return [][]string{{"so", "new", "CUST", "--location", "A"}, {"so", "add", so, sku, "3", "--price", "4"}, {"so", "confirm", so}}
		}},
	}
	total := 0
	for _, r := range races {
		total += r.trials
	}
	if total != 24 {
		t.Fatalf("%d trials, want 24", total)
	}

	// One import makes every product, one adjustment file the opening stock.
	var products, opening strings.Builder
	products.WriteString("sku,name,stock_uom,purchase_uom,sales_uom,sell_price\n")
	opening.WriteString("sku,location,qty,unit_cost\n")
	sku := func(k, n int) string { return fmt.Sprintf("P%d-%d", k, n) }
	for k, r := range races {
		u := r.uom
		if u == "" {
			u = "ea"
		}
		for n := 0; n < r.trials; n++ {
			fmt.Fprintf(&products, "%s,Race %s,%s,%s,%s,4\n", sku(k, n), sku(k, n), u, u, u)
			if r.opening != "" {
				fmt.Fprintf(&opening, "%s,A,%s,2\n", sku(k, n), r.opening)
			}
		}
	}
	for name, text := range map[string]string{"products.csv": products.String(), "opening.csv": opening.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"location", "add", "A"}, {"location", "add", "B"},
		{"company", "add", "SUP", "--name", "Supplier", "--supplier"},
		{"company", "add", "CUST", "--name", "Customer", "--customer"},
		{"product", "import", filepath.Join(dir, "products.csv")},
		{"stock", "adjust", "--file", filepath.Join(dir, "opening.csv")},
	} {
		inProcess(t, url, args...).want(t, 0)
	}
	for k, r := range races {
		for n := 0; n < r.trials && r.setup != nil; n++ {
			for _, args := range r.setup(sku(k, n), n+1) {
				inProcess(t, url, args...).want(t, 0)
			}
		}
	}

	conn, err := sqlx.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// stock check's own statement, as the command runs it: one read-only snapshot.
	check := func(conn *sqlx.DB) ([]stock.Violation, error) {
		ctx := context.Background()
		tx, err := conn.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return nil, err
		}
		defer func() { _ = tx.Rollback() }()
		return stock.Check(ctx, tx)
	}
	refused := regexp.MustCompile(`on hand|stock|moves|allocated|open order`)
	type trial struct {
		race             procRace
		sku              string
		edit, post       []string
		lag              time.Duration
		editRes, postRes proc
	}
	var trials []*trial
	rng := rand.New(rand.NewPCG(22, 2))
	for k, r := range races {
		for n := 0; n < r.trials; n++ {
			// The posting starts up to 20ms after the change or before it: process start-up
			// dwarfs both transactions, so this spreads them over each other.
			trials = append(trials, &trial{race: r, sku: sku(k, n), edit: r.edit(sku(k, n), n+1), post: r.post(sku(k, n), n+1),
				lag: time.Duration(rng.IntN(40)-20) * time.Millisecond})
		}
	}
	// Trials run a few at a time, each on its own product: the processes spend most of
	// their time starting up, and stock check after each wave covers every trial in it.
	const wave = 3
	for w := 0; w < len(trials); w += wave {
		batch := trials[w:min(w+wave, len(trials))]
		var wg sync.WaitGroup
		for _, tr := range batch {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if tr.lag < 0 {
					time.Sleep(-tr.lag)
				}
				tr.editRes = stockctl(t, env, tr.edit...)
			}()
			go func() {
				defer wg.Done()
				if tr.lag > 0 {
					time.Sleep(tr.lag)
				}
				tr.postRes = stockctl(t, env, tr.post...)
			}()
		}
		wg.Wait()
		var said []string
		for _, tr := range batch {
			ed, po := tr.editRes, tr.postRes
			what := fmt.Sprintf("%s %s (%s | %s)", tr.race.name, tr.sku, strings.Join(tr.edit, " "), strings.Join(tr.post, " "))
			switch {
			case ed.code != 0 && (ed.code != 5 || !refused.MatchString(ed.err)):
				t.Fatalf("%s: the change exited %d, not 5 because of the stock: %s", what, ed.code, ed.err)
			case po.code != 0 && po.code != 5 && po.code != 6:
				t.Fatalf("%s: the posting exited %d: %s", what, po.code, po.err)
			case ed.code != 0 && po.code != 0:
				t.Fatalf("%s: both refused:\n  change: %s  posting: %s", what, ed.err, po.err)
			case tr.race.exclusive && ed.code == 0 && po.code == 0:
				t.Fatalf("%s: both committed, but the posting breaks the changed rule", what)
			}
			said = append(said, fmt.Sprintf("%s: change exit %d %s; posting exit %d %s", what, ed.code, ed.err, po.code, po.err))
		}
		if vs, err := check(conn); err != nil || len(vs) > 0 {
			t.Fatalf("stock check after the trials\n  %s\n%v %+v", strings.Join(said, "\n  "), err, vs)
		}
	}
	stockctl(t, env, "stock", "check").want(t, 0)
}
