package commands

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

func TestCurrencyAndRates(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "currency", "add", "eur", "--name", "Euro").wantCode(t, ExitOK)
	run(t, url, "currency", "add", "EUR").wantCode(t, ExitInvalid).wantErr(t, "currency EUR already exists")
	run(t, url, "currency", "add", "XYZ").wantCode(t, ExitInvalid).wantErr(t, `"XYZ" is not an ISO 4217`)
	run(t, url, "currency", "add", "EURO").wantCode(t, ExitInvalid).wantErr(t, "three-letter")

	run(t, url, "currency", "rate", "set", "EUR", "1.08", "--date", "2026-01-01").wantCode(t, ExitOK)
	run(t, url, "currency", "rate", "set", "EUR", "1.10", "--date", "2026-06-01").wantCode(t, ExitOK)
	run(t, url, "currency", "rate", "set", "EUR", "0", "--date", "2026-06-01").wantCode(t, ExitInvalid).wantErr(t, "greater than 0")
	run(t, url, "currency", "rate", "set", "EUR", "--", "-1").wantCode(t, ExitInvalid)
	run(t, url, "currency", "rate", "set", "EUR", "abc").wantCode(t, ExitUsage).wantErr(t, "RATE abc: not a number")
	run(t, url, "currency", "rate", "set", "EUR", "1.2", "--date", "2026-13-01").wantCode(t, ExitUsage).wantErr(t, "YYYY-MM-DD")
	run(t, url, "currency", "rate", "set", "GBP", "1.2").wantCode(t, ExitNotFound).wantErr(t, "unknown currency GBP")
	run(t, url, "currency", "rate", "set", "USD", "1.2").wantCode(t, ExitInvalid).wantErr(t, "base currency")

	var rates []map[string]any
	run(t, url, "currency", "rate", "list", "EUR", "-o", "json").wantCode(t, ExitOK).json(t, &rates)
	if len(rates) != 2 || rates[0]["rate"] != "1.1" || rates[1]["rate"] != "1.08" {
		t.Fatalf("rates: %v", rates)
	}
	if rates[0]["valid_from"] != "2026-06-01" || rates[1]["valid_from"] != "2026-01-01" {
		t.Fatalf("rates newest first with dates: %v", rates)
	}

	r := run(t, url, "currency", "list", "-o", "csv").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "code,name,minor_units,base,created_at\n") || !strings.Contains(r.out, "USD,US Dollar,2,true") {
		t.Fatalf("csv: %q", r.out)
	}
}

func TestRegionsAndCompanies(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "region", "add", "NSW", "--name", "New South Wales").wantCode(t, ExitOK)
	run(t, url, "region", "add", "NSW").wantCode(t, ExitInvalid).wantErr(t, "already exists")
	run(t, url, "region", "add", "bad code").wantCode(t, ExitInvalid).wantErr(t, `region code "bad code"`)
	run(t, url, "currency", "add", "EUR").wantCode(t, ExitOK)

	var c map[string]any
	run(t, url, "company", "add", "ACME", "--name", "Acme", "--customer", "--region", "NSW", "--tax-rate", "10", "-o", "json").
		wantCode(t, ExitOK).json(t, &c)
	if c["price_type"] != "retail" || c["currency"] != "USD" || c["region"] != "NSW" || c["tax_rate"] != "10" {
		t.Fatalf("new customer defaults: %v", c)
	}
	if c["created_by"] != "tester" {
		t.Fatalf("actor not recorded: %v", c["created_by"])
	}
	run(t, url, "company", "add", "ACME", "--name", "Again").wantCode(t, ExitInvalid).wantErr(t, "company ACME already exists")
	run(t, url, "company", "add", "NONAME").wantCode(t, ExitInvalid).wantErr(t, "--name")
	run(t, url, "company", "add", "EU", "--name", "EU", "--supplier", "--currency", "JPY").wantCode(t, ExitNotFound).wantErr(t, "unknown currency JPY")
	run(t, url, "company", "add", "EU", "--name", "EU", "--supplier", "--currency", "QQQ").wantCode(t, ExitInvalid).wantErr(t, "not an ISO 4217")
	run(t, url, "company", "add", "EU", "--name", "EU", "--supplier", "--price-type", "trade").wantCode(t, ExitInvalid).wantErr(t, "customers only")
	run(t, url, "company", "add", "EU", "--name", "EU", "--customer", "--price-type", "nope").wantCode(t, ExitNotFound).wantErr(t, `unknown price type "nope"`)
	run(t, url, "company", "add", "EU", "--name", "EU", "--customer", "--region", "VIC").wantCode(t, ExitNotFound).wantErr(t, `unknown sales region "VIC"`)
	run(t, url, "company", "add", "EU", "--name", "EU", "--supplier", "--tax-rate", "150").wantCode(t, ExitInvalid).wantErr(t, "0 to 100")
	run(t, url, "company", "add", "EU", "--name", "EU", "--supplier", "--tax-rate", "ten").wantCode(t, ExitUsage).wantErr(t, "--tax-rate")
	run(t, url, "company", "add", "EU", "--name", "EU", "--supplier", "--email", "not-an-address").wantCode(t, ExitInvalid).wantErr(t, "e-mail")
	run(t, url, "company", "add", "EU", "--name", "EuroParts", "--supplier", "--currency", "eur").wantCode(t, ExitOK)

	// Nothing half-written: every refused add above left no row behind.
	var all []map[string]any
	run(t, url, "company", "list", "-o", "json").wantCode(t, ExitOK).json(t, &all)
	if len(all) != 2 {
		t.Fatalf("want 2 companies, got %d: %v", len(all), all)
	}

	run(t, url, "company", "edit", "ACME", "--price-type", "wholesale", "--email", "a@acme.example").wantCode(t, ExitOK)
	run(t, url, "company", "edit", "NOPE", "--name", "x").wantCode(t, ExitNotFound).wantErr(t, "company NOPE does not exist")
	run(t, url, "company", "show", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "company", "show", "ACME", "-o", "json").wantCode(t, ExitOK).json(t, &c)
	if c["price_type"] != "wholesale" || c["email"] != "a@acme.example" || c["name"] != "Acme" {
		t.Fatalf("edit changed the wrong fields: %v", c)
	}

	r := run(t, url, "company", "list", "--suppliers", "--fields", "code,currency").wantCode(t, ExitOK)
	if r.out != "EU\tEUR\n" {
		t.Fatalf("piped table: %q", r.out)
	}
	run(t, url, "company", "list", "--fields", "code,nope").wantCode(t, ExitUsage).wantErr(t, "nope")

	run(t, url, "company", "edit", "ACME", "--active=false").wantCode(t, ExitOK)
	r = run(t, url, "company", "list", "--customers", "-o", "json").wantCode(t, ExitOK)
	if strings.TrimSpace(r.out) != "[]" {
		t.Fatalf("empty list must be []: %q", r.out)
	}
	run(t, url, "company", "list", "--customers", "--all", "-o", "json").json(t, &all)
	if len(all) != 1 || all[0]["active"] != false {
		t.Fatalf("--all shows inactive: %v", all)
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	r := run(t, url, "settings", "get", "base_currency").wantCode(t, ExitOK)
	if r.out != "USD\n" {
		t.Fatalf("get: %q", r.out)
	}
	run(t, url, "settings", "set", "location_pricing", "sideways").wantCode(t, ExitInvalid).wantErr(t, "none, sell_from, sell_to")
	run(t, url, "settings", "set", "no_such_key", "1").wantCode(t, ExitInvalid).wantErr(t, `unknown setting "no_such_key"`)
	run(t, url, "settings", "set", "negative_stock_allowed", "maybe").wantCode(t, ExitInvalid)
	run(t, url, "settings", "set", "number_format_so", "SO-%s").wantCode(t, ExitInvalid).wantErr(t, "exactly one %d")
	run(t, url, "settings", "set", "default_price_type", "gold").wantCode(t, ExitNotFound).wantErr(t, `unknown price type "gold"`)
	run(t, url, "settings", "set", "tax_rate_sales", "12.5").wantCode(t, ExitOK)
	run(t, url, "settings", "set", "negative_stock_allowed", "1", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	if r := run(t, url, "settings", "get", "negative_stock_allowed"); r.out != "false\n" {
		t.Fatalf("dry run wrote: %q", r.out)
	}

	// Changing the base currency: allowed while no document exists, refused after.
	run(t, url, "currency", "add", "EUR").wantCode(t, ExitOK)
	run(t, url, "currency", "rate", "set", "EUR", "1.1").wantCode(t, ExitOK)
	run(t, url, "settings", "set", "base_currency", "XXY").wantCode(t, ExitInvalid)
	run(t, url, "settings", "set", "base_currency", "aud").wantCode(t, ExitOK)
	if r := run(t, url, "currency", "rate", "list", "-o", "json"); strings.TrimSpace(r.out) != "[]" {
		t.Fatalf("rates against the old base must go: %q", r.out)
	}
	fakeDocument(t, url)
	run(t, url, "settings", "set", "base_currency", "USD").wantCode(t, ExitInvalid).wantErr(t, "cannot change the base currency", "1 documents")
}

func TestOutputContract(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "region", "add", "CA", "-o", "xml").wantCode(t, ExitUsage).wantErr(t, "xml")
	run(t, url, "region", "list", "--bogus").wantCode(t, ExitUsage).wantErr(t, "unknown flag: --bogus")
	run(t, url, "region", "add").wantCode(t, ExitUsage).wantErr(t, "missing CODE", "usage: stockctl region add CODE")
	run(t, url, "region", "frobnicate").wantCode(t, ExitUsage).wantErr(t, `unknown command "frobnicate"`)

	// Errors with -o json are one JSON object on stderr.
	r := run(t, url, "company", "show", "NOPE", "-o", "json").wantCode(t, ExitNotFound)
	var e map[string]any
	if err := json.Unmarshal([]byte(r.err), &e); err != nil {
		t.Fatalf("stderr is not one JSON object: %q", r.err)
	}
	if e["kind"] != "not_found" || e["exit_code"] != float64(ExitNotFound) {
		t.Fatalf("json error: %v", e)
	}
	r = run(t, url, "currency", "add", "ZZZ", "-o", "json").wantCode(t, ExitInvalid)
	json.Unmarshal([]byte(r.err), &e)
	if e["field"] != "code" {
		t.Fatalf("json error names the field: %v", e)
	}

	// Empty lists: [] in JSON, header only in CSV, nothing in a piped table.
	if r := run(t, url, "region", "list", "-o", "json"); r.out != "[]\n" {
		t.Fatalf("json empty: %q", r.out)
	}
	if r := run(t, url, "region", "list", "-o", "csv"); r.out != "code,name,created_at,created_by\n" {
		t.Fatalf("csv empty: %q", r.out)
	}
	if r := run(t, url, "region", "list"); r.out != "" || r.code != 0 {
		t.Fatalf("table empty: %q", r.out)
	}
	// One item: JSON object.
	r = run(t, url, "region", "add", "CA", "--name", "=cmd|' /C calc'!A0", "-o", "csv").wantCode(t, ExitOK)
	if !strings.Contains(r.out, `'=cmd`) {
		t.Fatalf("csv formula guard: %q", r.out)
	}
}

func TestURLDatabaseMustBeMigrated(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	d, err := openRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(`DELETE FROM stockctl_schema_version WHERE version_id = (SELECT max(version_id) FROM stockctl_schema_version)`); err != nil {
		t.Fatal(err)
	}
	run(t, url, "region", "list").wantCode(t, ExitUnavailable).wantErr(t, "run stockctl db migrate")
	r := run(t, url, "db", "status", "-o", "json").wantCode(t, ExitUnavailable)
	if !strings.Contains(r.out, `"reachable": true`) {
		t.Fatalf("status: %s", r.out)
	}
}

// db status names the database, host and schema and where each came from, one row each,
// with no empty rows; a schema not made yet is reported once, saying what to run.
func TestDBStatusSaysWhereFrom(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	r := run(t, url, "db", "status").wantCode(t, ExitOK)
	rows := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.out), "\n") {
		k, v, _ := strings.Cut(line, "\t")
		if v == "" {
			t.Fatalf("empty row %q:\n%s", k, r.out)
		}
		rows[k] = v
	}
	if rows["source"] != "--db" || rows["schema"] != "stockctl" || rows["schema_from"] != "default" ||
		!strings.HasPrefix(rows["database"], "stockctl_t_") || rows["host"] == "" || rows["reachable"] != "true" {
		t.Fatalf("status rows: %v", rows)
	}
	if _, ok := rows["running"]; ok {
		t.Fatalf("a URL database has no private server row: %v", rows)
	}
	r = run(t, url, "--schema", "north", "db", "status").wantCode(t, ExitUnavailable)
	if !strings.Contains(r.out, "schema\tnorth\n") || !strings.Contains(r.out, "schema_from\t--schema\n") ||
		strings.Count(r.err, "no stockctl schema north") != 1 || !strings.Contains(r.err, "db migrate") {
		t.Fatalf("missing schema:\nstdout %s\nstderr %s", r.out, r.err)
	}
}

func TestDatabaseURLPasswordHidden(t *testing.T) {
	t.Parallel()
	r := run(t, "postgres://inv:s3cret@127.0.0.1:1/inv?sslmode=disable&connect_timeout=2", "region", "list").wantCode(t, ExitUnavailable)
	if strings.Contains(r.err, "s3cret") {
		t.Fatalf("password leaked: %s", r.err)
	}
	r = run(t, "postgres://inv:s3cret@127.0.0.1:1/inv", "db", "url").wantCode(t, ExitOK)
	if strings.Contains(r.out, "s3cret") || !strings.Contains(r.out, "inv:xxxxx@") {
		t.Fatalf("db url: %s", r.out)
	}
	r = run(t, "postgres://inv:s3cret@127.0.0.1:1/inv", "db", "url", "--show-password").wantCode(t, ExitOK)
	if !strings.Contains(r.out, "s3cret") {
		t.Fatalf("db url --show-password: %s", r.out)
	}
}
