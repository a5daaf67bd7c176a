package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/orders/sales"
)

// TestMain lets the test binary act as stockctl itself, so end-to-end tests run the real
// main the way a cron job would: a separate process with its own environment.
func TestMain(m *testing.M) {
	if os.Getenv("STOCKCTL_E2E_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

type proc struct {
	out, err string
	code     int
}

func stockctl(t *testing.T, env []string, args ...string) proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	// Built with -race, a process sleeps a second on exit for reports of other goroutines
	// (atexit_sleep_ms): seconds a test, which runs dozens of them, need not wait.
	cmd.Env = append(cleanEnv(), append(env, "STOCKCTL_E2E_MAIN=1",
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return proc{out.String(), errb.String(), code}
}

// cleanEnv drops database settings a developer may have exported, so the private server
// is what these tests exercise.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "STOCKCTL_") || strings.HasPrefix(kv, "DATABASE_URL=") || strings.HasPrefix(kv, "PG") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// freshHome returns a STOCKCTL_HOME that does not exist yet, under a directory the
// unprivileged server user can traverse when the tests run as root.
func freshHome(t *testing.T) []string {
	t.Helper()
	parent, err := os.MkdirTemp("", "stockctl-e2e")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(parent, 0o711); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(parent, "home")
	env := []string{"STOCKCTL_HOME=" + home}
	t.Cleanup(func() {
		stockctl(t, env, "db", "stop")
		os.RemoveAll(parent)
	})
	return env
}

func (p proc) want(t *testing.T, code int) proc {
	t.Helper()
	if p.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", p.code, code, p.out, p.err)
	}
	return p
}

func TestPrivateDatabaseLifecycle(t *testing.T) {
	t.Parallel()
	env := freshHome(t)

	// Two commands racing to create the private server: both succeed, one cluster results.
	var wg sync.WaitGroup
	results := make([]proc, 2)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = stockctl(t, env, "demo")
		}(i)
	}
	wg.Wait()
	for _, r := range results {
		r.want(t, 0)
	}
	if !strings.Contains(results[0].out+results[1].out, "Try:") {
		t.Fatalf("demo says what to try: %q", results[0].out)
	}

	var companies []map[string]any
	r := stockctl(t, env, "company", "list", "-o", "json").want(t, 0)
	if err := json.Unmarshal([]byte(r.out), &companies); err != nil || len(companies) != 6 {
		t.Fatalf("demo companies (loaded once although demo ran twice): %v %s", err, r.out)
	}

	r = stockctl(t, env, "db", "status", "-o", "json").want(t, 0)
	if !strings.Contains(r.out, `"running": true`) || !strings.Contains(r.out, `"source": "private"`) {
		t.Fatalf("status: %s", r.out)
	}
	r = stockctl(t, env, "db", "url").want(t, 0)
	if !strings.Contains(r.out, "host=") {
		t.Fatalf("db url names the socket: %s", r.out)
	}

	// Stopped, the next command starts it again; the data is still there.
	stockctl(t, env, "db", "stop").want(t, 0)
	r = stockctl(t, env, "db", "status").want(t, 10)
	// Stopped: said once, on stderr; every row printed says something.
	if strings.Count(r.out+r.err, "not running") != 1 || !strings.Contains(r.out, "running\tfalse") {
		t.Fatalf("a stopped server is reported once:\nstdout %s\nstderr %s", r.out, r.err)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.out), "\n") {
		if k, v, _ := strings.Cut(line, "\t"); v == "" {
			t.Fatalf("empty row %q in db status:\n%s", k, r.out)
		}
	}
	r = stockctl(t, env, "company", "show", "ACME", "-o", "json").want(t, 0)
	if !strings.Contains(r.out, `"name": "Acme Hardware Stores"`) {
		t.Fatalf("data survived a restart: %s", r.out)
	}

	// A stale pid file left by a crash is recovered.
	stockctl(t, env, "db", "stop").want(t, 0)
	home := strings.TrimPrefix(env[0], "STOCKCTL_HOME=")
	pidFile := filepath.Join(home, "pg", "data", "postmaster.pid")
	if err := os.WriteFile(pidFile, []byte("999999\n"+filepath.Join(home, "pg", "data")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stockctl(t, env, "region", "list").want(t, 0)

	// The demo again with --reset empties and reloads.
	stockctl(t, env, "demo", "--reset").want(t, 4)
	stockctl(t, env, "demo", "--reset", "--yes").want(t, 0)
}

func TestNoPostgreSQL(t *testing.T) {
	t.Parallel()
	env := append(freshHome(t), "STOCKCTL_PG_BINDIR="+t.TempDir())
	r := stockctl(t, env, "company", "list").want(t, 10)
	if !strings.Contains(r.err, "install PostgreSQL") || !strings.Contains(r.err, "--db") {
		t.Fatalf("error says how to get a database: %s", r.err)
	}
}

func TestHelpNeedsNoDatabase(t *testing.T) {
	t.Parallel()
	env := []string{"STOCKCTL_HOME=/nonexistent/stockctl", "STOCKCTL_PG_BINDIR=/nonexistent"}
	r := stockctl(t, env, "--help").want(t, 0)
	if !strings.Contains(r.out, "company") {
		t.Fatalf("help: %s", r.out)
	}
	stockctl(t, env, "company", "add", "X", "--bogus").want(t, 4)
}

// Several stockctl processes adjust and transfer the same products against one database at
// once, as cron jobs and shells would; afterwards stock check is clean and stock is conserved.
func TestConcurrentProcesses(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	env := []string{"STOCKCTL_DATABASE_URL=" + url}
	for _, args := range [][]string{
		{"location", "add", "A"}, {"location", "add", "B"},
		{"product", "add", "W", "--name", "Widget"},
		{"product", "add", "S", "--name", "Serialised", "--serialized"},
		{"stock", "adjust", "W", "--location", "A", "--qty", "40", "--unit-cost", "2"},
		{"stock", "adjust", "W", "--location", "B", "--qty", "40", "--unit-cost", "4"},
		{"stock", "adjust", "S", "--location", "A", "--qty", "4", "--serial-start", "S1"},
	} {
		stockctl(t, env, args...).want(t, 0)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 6; i++ {
				from, to := "A", "B"
				if (w+i)%2 == 0 {
					from, to = to, from
				}
				var args []string
				switch i % 3 {
				case 0:
					args = []string{"stock", "transfer", "W", "--from", from, "--to", to, "--qty", "7"}
				case 1:
					args = []string{"stock", "adjust", "W", "--location", from, "--qty", "-3", "--ref", "job-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)}
				case 2:
					args = []string{"stock", "transfer", "S", "--from", from, "--to", to, "--serial", "S" + strconv.Itoa(1+w)}
				}
				r := stockctl(t, env, args...)
				if r.code != 0 && r.code != 5 {
					mu.Lock()
					failures = append(failures, strings.Join(args, " ")+": exit "+strconv.Itoa(r.code)+": "+r.err)
					mu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	for _, f := range failures {
		t.Errorf("%s", f)
	}
	stockctl(t, env, "stock", "check").want(t, 0)
	d, err := sqlx.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Transfers move stock around; only adjustments change the total.
	var total, adjusted decimal.Decimal
	d.Get(&total, `SELECT coalesce(sum(on_hand), 0) FROM stock_balances b JOIN products p ON p.id = b.product_id WHERE p.sku = 'W'`)
	d.Get(&adjusted, `SELECT coalesce(sum(CASE WHEN f.kind = 'adjustment' THEN m.qty ELSE -m.qty END), 0) FROM stock_moves m
		JOIN products p ON p.id = m.product_id JOIN locations f ON f.id = m.from_location_id JOIN locations t ON t.id = m.to_location_id
		WHERE p.sku = 'W' AND (f.kind = 'adjustment' OR t.kind = 'adjustment')`)
	if total.IsZero() || !total.Equal(adjusted) {
		t.Fatalf("W on hand %s does not equal the net of its adjustments %s", total, adjusted)
	}
}

// Several stockctl processes confirm sales orders for the same scarce products at once (W: 10
// on hand for 8 orders of 3; G: 4 for 8 orders of 1, lines in either product order): no unit
// is allocated twice, all the stock is allocated since demand exceeds it, the rest is
// backordered, and stock check and the allocation check are clean.
func TestConcurrentConfirms(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	env := []string{"STOCKCTL_DATABASE_URL=" + url}
	for _, args := range [][]string{
		{"location", "add", "MAIN"},
		{"company", "add", "ACME", "--name", "Acme", "--customer"},
		{"product", "add", "W", "--name", "Widget", "--sell-price", "10"},
		{"product", "add", "G", "--name", "Gadget", "--sell-price", "20"},
		{"stock", "adjust", "W", "--location", "MAIN", "--qty", "10", "--unit-cost", "2"},
		{"stock", "adjust", "G", "--location", "MAIN", "--qty", "4", "--unit-cost", "5"},
	} {
		stockctl(t, env, args...).want(t, 0)
	}
	const orders = 8
	for i := 1; i <= orders; i++ {
		so := fmt.Sprintf("SO-%06d", i)
		stockctl(t, env, "so", "new", "ACME", "--location", "MAIN").want(t, 0)
		first, second := []string{"W", "3"}, []string{"G", "1"}
		if i%2 == 0 {
			first, second = second, first
		}
		stockctl(t, env, "so", "add", so, first[0], first[1]).want(t, 0)
		stockctl(t, env, "so", "add", so, second[0], second[1]).want(t, 0)
	}
	var wg sync.WaitGroup
	codes := make([]proc, orders)
	for i := 1; i <= orders; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i-1] = stockctl(t, env, "so", "confirm", fmt.Sprintf("SO-%06d", i))
		}(i)
	}
	wg.Wait()
	for i, p := range codes {
		if p.code != 0 {
			t.Errorf("so confirm SO-%06d: exit %d: %s", i+1, p.code, p.err)
		}
	}
	stockctl(t, env, "stock", "check").want(t, 0)
	d, err := sqlx.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for sku, want := range map[string][3]string{"W": {"10", "10", "14"}, "G": {"4", "4", "4"}} {
		var got struct {
			OnHand      decimal.Decimal `db:"on_hand"`
			Balance     decimal.Decimal `db:"balance"`
			Lines       decimal.Decimal `db:"lines"`
			Backordered decimal.Decimal `db:"backordered"`
			Broken      int             `db:"broken"`
		}
		err := d.Get(&got, `SELECT b.on_hand, b.allocated AS balance,
			(SELECT sum(x.allocated) FROM so_lines x WHERE x.product_id = p.id) AS lines,
			(SELECT sum(x.backordered) FROM so_lines x WHERE x.product_id = p.id) AS backordered,
			(SELECT count(*) FROM so_lines x WHERE x.product_id = p.id AND x.allocated + x.backordered <> x.qty) AS broken
			FROM products p JOIN stock_balances b ON b.product_id = p.id WHERE p.sku = $1`, sku)
		if err != nil {
			t.Fatal(err)
		}
		if !got.OnHand.Equal(decimal.RequireFromString(want[0])) || got.Balance.GreaterThan(got.OnHand) ||
			!got.Balance.Equal(decimal.RequireFromString(want[1])) || !got.Lines.Equal(got.Balance) ||
			!got.Backordered.Equal(decimal.RequireFromString(want[2])) || got.Broken != 0 {
			t.Fatalf("%s: %+v, want on hand %s, allocated %s (lines too), backordered %s", sku, got, want[0], want[1], want[2])
		}
	}
	ms, err := sales.CheckAllocations(context.Background(), d)
	if err != nil || len(ms) > 0 {
		t.Fatalf("allocation check: %v %+v", err, ms)
	}
}

// An import killed with SIGKILL in the middle of streaming its rows leaves the database as it
// was, and running it again completes. The rows come through a pipe the test holds open, so
// the process is certainly mid-COPY when it is killed (more than the 64 KiB the reader peeks
// at to detect the encoding are written first).
func TestImportKilledMidwayWritesNothing(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	env := []string{"STOCKCTL_DATABASE_URL=" + url}
	var file strings.Builder
	file.WriteString("sku,name,cost_price\n")
	for i := 0; i < 20000; i++ {
		file.WriteString("K" + strconv.Itoa(i) + ",Killed " + strconv.Itoa(i) + ",1.5\n")
	}
	half := len(file.String()) / 2

	cmd := exec.Command(os.Args[0], "product", "import", "-")
	cmd.Env = append(cleanEnv(), append(env, "STOCKCTL_E2E_MAIN=1")...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := stdin.Write([]byte(file.String()[:half])); err != nil {
		t.Fatal(err)
	}
	d, err := sqlx.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Wait until the import is streaming rows into its staging table.
	copying := false
	for i := 0; i < 200 && !copying; i++ {
		d.Get(&copying, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query ILIKE 'copy%product_import%' AND pid <> pg_backend_pid())`)
		if !copying {
			time.Sleep(25 * time.Millisecond)
		}
	}
	if !copying {
		t.Fatal("the import never started copying")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	var n int
	// The server notices the dead client and aborts its transaction.
	for i := 0; i < 200; i++ {
		var busy bool
		d.Get(&busy, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query ILIKE 'copy%product_import%' AND pid <> pg_backend_pid())`)
		if !busy {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if err := d.Get(&n, `SELECT count(*) FROM products WHERE sku LIKE 'K%'`); err != nil || n != 0 {
		t.Fatalf("%d products after the killed import (%v)", n, err)
	}

	path := filepath.Join(t.TempDir(), "import.csv")
	if err := os.WriteFile(path, []byte(file.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r := stockctl(t, env, "product", "import", path).want(t, 0)
	if !strings.Contains(r.err, "20000 created, 0 updated") {
		t.Fatalf("rerun: %s", r.err)
	}
	if err := d.Get(&n, `SELECT count(*) FROM products WHERE sku LIKE 'K%'`); err != nil || n != 20000 {
		t.Fatalf("%d products after the rerun (%v)", n, err)
	}
}

// The backorder loop end to end, each step a separate process as cron and admins run them:
// an order for a bought product and a built one is confirmed with no stock, so both lines go
// on backorder; po generate --from-backorders orders the bought one (and a second run orders
// nothing more); wo generate makes a work order for the built one; receiving the PO and
// completing the work order make both lines releasable; so release allocates them and so ship
// sends them; the stock check stays clean.
func TestBackorderLoopEndToEnd(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	env := []string{"STOCKCTL_DATABASE_URL=" + url}
	for _, args := range [][]string{
		{"location", "add", "MAIN", "--name", "Main"},
		{"company", "add", "CUST", "--name", "Customer", "--customer"},
		{"company", "add", "SUPP", "--name", "Supplier", "--supplier"},
		{"product", "add", "BOLT", "--name", "Bolt", "--sell-price", "2"},
		{"product", "add", "LEG", "--name", "Leg", "--cost", "3"},
		{"product", "add", "TABLE", "--name", "Table", "--sell-price", "80"},
		{"product", "bom", "add", "TABLE", "LEG", "--qty", "4"},
		{"supplier", "price", "add", "SUPP", "BOLT", "--price", "0.50"},
		{"stock", "adjust", "LEG", "--location", "MAIN", "--qty", "8", "--unit-cost", "3"},
		{"so", "new", "CUST", "--location", "MAIN"},
		{"so", "add", "SO-000001", "BOLT", "30"},
		{"so", "add", "SO-000001", "TABLE", "2"},
		{"so", "confirm", "SO-000001"},
	} {
		stockctl(t, env, args...).want(t, 0)
	}
	r := stockctl(t, env, "backorders", "list", "-o", "json").want(t, 0)
	var bos []map[string]any
	if err := json.Unmarshal([]byte(r.out), &bos); err != nil || len(bos) != 2 {
		t.Fatalf("backorders after confirm: %v %s", err, r.out)
	}

	r = stockctl(t, env, "po", "generate", "--from-backorders", "--so", "SO-000001", "-o", "json").want(t, 0)
	if !strings.Contains(r.out, "PO-000001") || !strings.Contains(r.out, "BOLT") || strings.Contains(r.out, "TABLE") {
		t.Fatalf("po generate: %s %s", r.out, r.err)
	}
	r = stockctl(t, env, "po", "generate", "--from-backorders", "--so", "SO-000001", "-o", "json").want(t, 0)
	if strings.Contains(r.out, "BOLT") {
		t.Fatalf("the same shortfall ordered twice: %s", r.out)
	}
	r = stockctl(t, env, "wo", "generate", "--so", "SO-000001", "-o", "json").want(t, 0)
	if !strings.Contains(r.out, "WO-000001") || !strings.Contains(r.out, "TABLE") {
		t.Fatalf("wo generate: %s %s", r.out, r.err)
	}

	stockctl(t, env, "po", "order", "PO-000001").want(t, 0)
	stockctl(t, env, "po", "receive", "PO-000001", "--all").want(t, 0)
	stockctl(t, env, "wo", "complete", "WO-000001").want(t, 0)
	stockctl(t, env, "so", "release", "SO-000001").want(t, 0)
	r = stockctl(t, env, "backorders", "list", "-o", "json").want(t, 0)
	if strings.TrimSpace(r.out) != "[]" {
		t.Fatalf("backorders after the loop: %s", r.out)
	}
	stockctl(t, env, "so", "ship", "SO-000001").want(t, 0)
	stockctl(t, env, "stock", "check").want(t, 0)

	d, err := sqlx.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var shipped []string
	if err := d.Select(&shipped, `SELECT p.sku || ':' || sum(m.qty)::text FROM stock_moves m
		JOIN products p ON p.id = m.product_id JOIN locations t ON t.id = m.to_location_id
		WHERE t.kind = 'customer' GROUP BY p.sku ORDER BY p.sku`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(shipped, ",") != "BOLT:30,TABLE:2" {
		t.Fatalf("shipped %v, want 30 BOLT and 2 TABLE", shipped)
	}
}
