package commands

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db/dbtest"
)

// blockOn starts stockctl with args in the background while another transaction holds
// table locked, waits until the command's statement waits for that lock, and returns the
// command's backend pid, a channel with its result, and a function that releases the lock.
func blockOn(t *testing.T, ctx context.Context, url, table string, args ...string) (pid int, res <-chan result, release func()) {
	t.Helper()
	locker, err := openRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := locker.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`LOCK TABLE ` + table + ` IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	release = func() {
		_ = tx.Rollback()
		locker.Close()
	}
	ch := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		app := &App{In: strings.NewReader(""), Out: &out, Err: &errb}
		code := app.Run(ctx, append([]string{"--db", url, "--actor", "tester"}, args...))
		ch <- result{out.String(), errb.String(), code}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := sqlx.Get(locker, &pid, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND pid <> pg_backend_pid() LIMIT 1`)
		if err == nil {
			return pid, ch, release
		}
		if time.Now().After(deadline) {
			release()
			t.Fatalf("the command never waited for the lock: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A server that ends the session while a command runs (here an administrator terminating
// its backend) exits 10 saying the database went away, without the driver's words.
func TestLostServerExits10(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	pid, res, release := blockOn(t, context.Background(), url, "sales_regions", "region", "add", "WA")
	defer release()
	killer, err := openRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close()
	var ok bool
	if err := killer.Get(&ok, `SELECT pg_terminate_backend($1)`, pid); err != nil || !ok {
		t.Fatalf("terminate %d: %v %v", pid, ok, err)
	}
	r := <-res
	r.wantCode(t, ExitUnavailable).wantErr(t, "stockctl: the database went away")
	if m := driverText.FindString(r.err); m != "" || strings.Count(r.err, "\n") != 1 {
		t.Fatalf("one plain line, without driver text (%q): %q", m, r.err)
	}
}

// Ctrl-C (the context cancelled) while a command waits on the database prints one plain
// line and exits 130; nothing is written.
func TestInterruptIsOneLine(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, res, release := blockOn(t, ctx, url, "sales_regions", "region", "add", "WA")
	cancel()
	r := <-res
	release()
	r.wantCode(t, ExitInterrupted)
	if r.err != "stockctl: interrupted\n" {
		t.Fatalf("stderr %q", r.err)
	}
	run(t, url, "region", "list", "-o", "csv").wantCode(t, ExitOK)
	if r := run(t, url, "region", "list", "--fields", "code"); strings.Contains(r.out, "WA") {
		t.Fatalf("an interrupted command wrote: %q", r.out)
	}
}

// so release of an order that does not exist is "not found" naming it (it used to fail
// scanning a NULL id).
func TestReleaseUnknownOrder(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "so", "release", "SO-999999").wantCode(t, ExitNotFound).wantErr(t, "SO-999999 does not exist")
	run(t, url, "so", "release", "SO-999999", "--dry-run", "-o", "json").wantCode(t, ExitNotFound).wantErr(t, `"kind":"not_found"`)
}

// A negative number is a positional argument where a command takes a quantity: refused
// with a sentence where a quantity cannot be negative, taken where it can; flags around it
// still work, and --qty -3 / --qty=-3 are as before.
func TestNegativeNumbersAsArguments(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	run(t, url, "po", "new", "EUROTOOL", "--location", "MAIN").wantCode(t, ExitOK) // PO-000003
	run(t, url, "po", "add", "PO-000003", "DRILL-18V", "-3").wantCode(t, ExitInvalid).
		wantErr(t, "quantity -3: a purchase order line orders more than 0")
	run(t, url, "po", "add", "PO-000003", "DRILL-18V", "-3", "--price", "5").wantCode(t, ExitInvalid).wantErr(t, "quantity -3")
	run(t, url, "po", "add", "PO-000003", "--price", "5", "DRILL-18V", "-3.5").wantCode(t, ExitInvalid).wantErr(t, "quantity -3.5")
	run(t, url, "so", "add", "SO-000006", "DRILL-18V", "-1").wantCode(t, ExitInvalid).wantErr(t, "quantity -1: a sales order line sells more than 0")
	run(t, url, "rfq", "add", "RFQ-000001", "DRILL-18V", "-2").wantCode(t, ExitInvalid).wantErr(t, "quantity -2")
	run(t, url, "wo", "new", "BENCH", "-2", "--location", "MAIN").wantCode(t, ExitInvalid).wantErr(t, "quantity -2: a work order builds more than 0")
	run(t, url, "stocktake", "count", "ST-000001", "DRILL-18V", "-3").wantCode(t, ExitInvalid).
		wantErr(t, "quantity -3: a count cannot be negative")
	run(t, url, "so", "backorder", "SO-000004", "1", "-1").wantCode(t, ExitInvalid).wantErr(t, "a backorder quantity cannot be negative")
	run(t, url, "stocktake", "count", "ST-000001", "DRILL-18V", "-1e3").wantCode(t, ExitUsage).wantErr(t, "no exponents")
	if r := run(t, url, "uom", "convert", "-3", "dozen", "ea", "-o", "csv").wantCode(t, ExitOK); !strings.Contains(r.out, "-36") {
		t.Fatalf("uom convert -3 dozen ea: %q", r.out)
	}
	for _, qty := range [][]string{{"--qty", "-1"}, {"--qty=-1"}} {
		args := append([]string{"stock", "adjust", "DRILL-18V", "--location", "MAIN", "--dry-run", "-o", "csv"}, qty...)
		if r := run(t, url, args...).wantCode(t, ExitOK); !strings.Contains(r.out, "DRILL-18V,MAIN,-1,") {
			t.Fatalf("%v: %q", qty, r.out)
		}
	}
	// An unknown flag is still one.
	run(t, url, "po", "add", "PO-000003", "DRILL-18V", "3", "-x").wantCode(t, ExitUsage).wantErr(t, "unknown shorthand flag")
}

// Numbers and dates beyond their limits are refused before the database, naming the flag:
// one that does not read (an exponent, a day that does not exist) exits 4, one out of
// range 5; -o json after the bad flag still gives the JSON error.
func TestLimitsOnFlags(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	adjust := func(extra ...string) result {
		return run(t, url, append([]string{"stock", "adjust", "DRILL-18V", "--location", "MAIN", "--dry-run"}, extra...)...)
	}
	adjust("--qty", "1e309").wantCode(t, ExitUsage).wantErr(t, "--qty 1e309: not a plain number", "no exponents")
	adjust("--qty", "1e3").wantCode(t, ExitUsage).wantErr(t, "no exponents")
	adjust("--qty", "99999999999999999999").wantCode(t, ExitInvalid).wantErr(t, "--qty 99999999999999999999: too large: a quantity has at most 12 digits")
	adjust("--qty", "0.0000001").wantCode(t, ExitInvalid).wantErr(t, "at most 6")
	adjust("--qty", "1", "--unit-cost", "1000000000000").wantCode(t, ExitInvalid).wantErr(t, "--unit-cost", "at most 12 digits")
	adjust("--qty", "1", "--unit-cost", "-1").wantCode(t, ExitInvalid).wantErr(t, "--unit-cost -1: cannot be negative")
	run(t, url, "stock", "adjust", "ROPE-10", "--location", "MAIN", "--qty", "1", "--batch", "B9", "--expiry", "0000-01-01", "--dry-run").
		wantCode(t, ExitInvalid).wantErr(t, "--expiry 0000-01-01: out of range: dates run from 1900-01-01 to 9999-12-31")
	run(t, url, "stock", "adjust", "ROPE-10", "--location", "MAIN", "--qty", "1", "--batch", "B9", "--expiry", "2026-13-45", "--dry-run").
		wantCode(t, ExitUsage).wantErr(t, "--expiry 2026-13-45: not a date")
	adjust("--qty", "1e309", "-o", "json").wantCode(t, ExitUsage).wantErr(t, `"field":"qty"`, `"exit_code":4`)
	adjust("--qty", "-1e3", "-o", "json").wantCode(t, ExitUsage).wantErr(t, `"field":"qty"`)
	run(t, url, "currency", "rate", "set", "EUR", "12345678901").wantCode(t, ExitInvalid).wantErr(t, "RATE 12345678901: too large: a rate")
	run(t, url, "price", "break", "add", "DRILL-18V", "--price", "1", "--min-qty", "1", "--price-type", "retail", "--dry-run").wantCode(t, ExitOK)
	run(t, url, "po", "receive", "PO-000002", "--line", "99999999999").wantCode(t, ExitUsage).wantErr(t, "--line 99999999999")
	run(t, url, "supplier", "price", "add", "EUROTOOL", "DRILL-18V", "--price", "1", "--lead-days", "3000000000").wantCode(t, ExitUsage).wantErr(t, "--lead-days")
	run(t, url, "supplier", "price", "add", "EUROTOOL", "DRILL-18V", "--price", "1", "--pack", "1e3", "--dry-run").wantCode(t, ExitInvalid).wantErr(t, "no exponents")
	run(t, url, "product", "edit", "DRILL-18V", "--category", strings.Repeat("c", 101), "--dry-run").wantCode(t, ExitInvalid).wantErr(t, "at most 100 characters")
	run(t, url, "stock", "adjust", "DRILL-18V", "--location", "MAIN", "--qty", "1", "--ref", strings.Repeat("r", 101), "--dry-run").
		wantCode(t, ExitInvalid).wantErr(t, "--ref: too long")
}

// The CSV readers hold numbers and dates to the same limits as the flags, reporting the
// row and column.
func TestLimitsInFiles(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	adj := write("adj.csv", "sku,location,qty,unit_cost,batch,expiry\n"+
		"DRILL-18V,MAIN,1e3,,,\n"+ // 2
		"DRILL-18V,MAIN,1000000000000,,,\n"+ // 3
		"ROPE-10,MAIN,1,,B9,0000-01-01\n"+ // 4
		"ROPE-10,MAIN,1,,B9,2026-13-45\n"+ // 5
		"DRILL-18V,MAIN,1,0.0000001,,\n") // 6
	r := run(t, url, "stock", "import", adj, "--dry-run", "-o", "csv").wantCode(t, ExitInvalid)
	for _, want := range []string{"2,qty,1e3,", "no exponents", "3,qty,1000000000000,too large", "4,expiry,0000-01-01,out of range: dates run from 1900-01-01",
		`5,expiry,2026-13-45,"not a date`, "6,unit_cost,0.0000001,too many decimals"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("stock import: %q lacks %q", r.out, want)
		}
	}
	products := write("products.csv", "sku,name,cost_price,weight,sales_tax_rate,category,features\nDRILL-18V,Drill,1e3,,,,\nSCREW-4X40,Screw,,1000000000000,,,\nROPE-10,Rope,,,12.34567,,\nTEE,Tee,,,,"+strings.Repeat("c", 101)+",\n"+
		"GUIDE-PDF,Guide,,,,,"+strings.Repeat("f", 65)+"=x\n")
	r = run(t, url, "product", "import", products, "--dry-run", "-o", "csv").wantCode(t, ExitInvalid)
	for _, want := range []string{"2,cost_price,1e3,", "3,weight,1000000000000,too large", "4,sales_tax_rate,12.34567,too many decimals", "5,category,", "at most 100 characters",
		"6,features,", "a feature name has at most 64 characters"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("product import: %q lacks %q", r.out, want)
		}
	}
	breaks := write("breaks.csv", "sku,min_qty,price\nDRILL-18V,1e2,5\nDRILL-18V,1,1000000000000\n")
	r = run(t, url, "price", "break", "import", breaks, "--dry-run", "-o", "csv").wantCode(t, ExitInvalid)
	for _, want := range []string{"2,min_qty,1e2,", "3,price,1000000000000,too large"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("price break import: %q lacks %q", r.out, want)
		}
	}
	specials := write("specials.csv", "customer,sku,price,valid_from\nACME,DRILL-18V,5,1899-12-31\n")
	r = run(t, url, "price", "special", "import", specials, "--dry-run", "-o", "csv").wantCode(t, ExitInvalid)
	if !strings.Contains(r.out, "2,valid_from,1899-12-31,out of range") {
		t.Errorf("price special import: %q", r.out)
	}
	prices := write("prices.csv", "supplier,sku,price,min_qty,pack,valid_until\nEUROTOOL,DRILL-18V,1e1,,,\nEUROTOOL,DRILL-18V,1,99999999999999999999,,\nEUROTOOL,DRILL-18V,1,,1e3,\nEUROTOOL,DRILL-18V,1,,,0000-01-01\n")
	r = run(t, url, "supplier", "price", "import", prices, "--dry-run", "-o", "csv").wantCode(t, ExitInvalid)
	for _, want := range []string{"2,price,1e1,", "3,min_qty,99999999999999999999,too large", "4,pack,1e3,", "5,valid_until,0000-01-01,out of range"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("supplier price import: %q lacks %q", r.out, want)
		}
	}
	counts := write("counts.csv", "sku,qty\nDRILL-18V,1e2\nSCREW-4X40,-4\n")
	r = run(t, url, "stocktake", "count", "ST-000001", "--file", counts).wantCode(t, ExitInvalid).
		wantErr(t, "stocktake count: 2 rows are invalid")
	for _, want := range []string{"2\tqty\t1e2\tnot a plain number", "3\tqty\t-4\ta count cannot be negative"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("stocktake count --file: %q lacks %q", r.out, want)
		}
	}
}
