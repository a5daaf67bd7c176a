package commands

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/stockctl/stockctl/db/dbtest"
)

// historyRow is one line of history -o json.
type historyRow struct {
	ID     int64   `json:"id"`
	Actor  string  `json:"actor"`
	Table  string  `json:"table"`
	Key    string  `json:"key"`
	Op     string  `json:"op"`
	Column string  `json:"column"`
	Old    *string `json:"old"`
	New    *string `json:"new"`
}

func historyOf(t *testing.T, url string, args ...string) []historyRow {
	t.Helper()
	var rows []historyRow
	var out, errb bytes.Buffer
	// Not run(): its --actor would be read here as the filter "changes made by tester".
	app := &App{In: strings.NewReader(""), Out: &out, Err: &errb}
	if code := app.Run(context.Background(), append(append([]string{"--db", url, "history"}, args...), "-o", "json")); code != ExitOK {
		t.Fatalf("history %v: exit %d: %s", args, code, errb.String())
	}
	result{out: out.String()}.json(t, &rows)
	return rows
}

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

// lines renders rows as "actor table key op column old→new", the way a person reads them.
func lines(rows []historyRow) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Actor + " " + r.Table + " " + r.Key + " " + r.Op + " " + r.Column + " " + str(r.Old) + "→" + str(r.New) + "\n")
	}
	return b.String()
}

// A price changed through an edit, an import and an UPDATE typed in psql (another session,
// its own search_path, no stockctl actor) is recorded each time with old and new value and
// who made it; so are a price break added, changed and deleted, and a setting.
func TestHistoryRecordsEveryPath(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "product", "add", "W", "--name", "Widget", "--list-price", "10.00").wantCode(t, ExitOK)
	// A new product is its row's own created_at/created_by: nothing recorded yet.
	if rows := historyOf(t, url, "product", "W"); len(rows) != 0 {
		t.Fatalf("a new product has no history entries, got:\n%s", lines(rows))
	}
	run(t, url, "--actor", "jane", "product", "edit", "W", "--list-price", "12.50").wantCode(t, ExitOK)
	file := writeCSV(t, t.TempDir(), "p.csv", "sku,list_price\nW,13.25\n")
	run(t, url, "--actor", "importer", "product", "import", file).wantCode(t, ExitOK)
	raw, err := pgx.Connect(context.Background(), strings.Replace(url, "search_path=stockctl", "search_path=public", 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(context.Background(), `UPDATE stockctl.products SET list_price = 14 WHERE sku = 'W'`); err != nil {
		t.Fatal(err)
	}
	var dbUser string
	if err := raw.QueryRow(context.Background(), `SELECT session_user`).Scan(&dbUser); err != nil {
		t.Fatal(err)
	}
	raw.Close(context.Background())

	// 10 → 12.5 by jane; → 13.25 by the import; → 14 by psql, whose actor is the database
	// user. Values exactly as stored (product add and edit store 10.00 as 10, as product
	// show prints it).
	want := "jane products W update list_price 10→12.5\n" +
		"importer products W update list_price 12.5→13.25\n" +
		dbUser + " products W update list_price 13.25→14\n"
	if got := lines(historyOf(t, url, "product", "W")); got != want {
		t.Fatalf("history product W:\n%s\nwant\n%s", got, want)
	}
	// --actor narrows to one actor's changes; --table to one table.
	if got := lines(historyOf(t, url, "--actor", "importer")); got != "importer products W update list_price 12.5→13.25\n" {
		t.Fatalf("history --actor importer:\n%s", got)
	}

	// A break added, changed, deleted: an insert with the new values, an update, a delete
	// with the old ones, all under the product.
	run(t, url, "price", "break", "add", "W", "--price-type", "retail", "--min-qty", "10", "--price", "9.00").wantCode(t, ExitOK)
	run(t, url, "price", "break", "add", "W", "--price-type", "retail", "--min-qty", "10", "--price", "8.50").wantCode(t, ExitOK)
	run(t, url, "price", "break", "delete", "W", "--price-type", "retail", "--min-qty", "10").wantCode(t, ExitOK)
	var breaks []historyRow
	for _, r := range historyOf(t, url, "product", "W") {
		if r.Table == "price_breaks" && (r.Column == "price" || r.Column == "min_qty") {
			breaks = append(breaks, r)
		}
	}
	want = "tester price_breaks W insert min_qty <null>→10\n" +
		"tester price_breaks W insert price <null>→9.00\n" +
		"tester price_breaks W update price 9.00→8.50\n" +
		"tester price_breaks W delete min_qty 10→<null>\n" +
		"tester price_breaks W delete price 8.50→<null>\n"
	if got := lines(breaks); got != want {
		t.Fatalf("price break history:\n%s\nwant\n%s", got, want)
	}

	run(t, url, "settings", "set", "tax_rate_sales", "7.5").wantCode(t, ExitOK)
	if got := lines(historyOf(t, url, "settings", "tax_rate_sales")); got != "tester settings tax_rate_sales update value 0→7.5\n" {
		t.Fatalf("history settings tax_rate_sales:\n%s", got)
	}
	run(t, url, "history", "settings", "no_such").wantCode(t, ExitInvalid).wantErr(t, `unknown setting "no_such"`)
	run(t, url, "history", "product", "NOPE").wantCode(t, ExitNotFound).wantErr(t, "product NOPE does not exist")
}

// A company's history holds its own row and the special prices that name it; a deleted
// product's history is still found by its SKU, with the values it had.
func TestHistoryCompanyAndDeletedProduct(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "company", "add", "ACME", "--name", "Acme", "--customer").wantCode(t, ExitOK)
	run(t, url, "product", "add", "G", "--name", "Gadget", "--list-price", "5").wantCode(t, ExitOK)
	run(t, url, "company", "edit", "ACME", "--name", "Acme Ltd").wantCode(t, ExitOK)
	run(t, url, "price", "special", "add", "ACME", "G", "--price", "4.25").wantCode(t, ExitOK)
	var got []string
	for _, r := range historyOf(t, url, "company", "ACME") {
		if r.Column == "name" || r.Column == "price" {
			got = append(got, r.Table+" "+r.Key+" "+r.Op+" "+r.Column+" "+str(r.Old)+"→"+str(r.New))
		}
	}
	want := []string{"companies ACME insert name <null>→Acme", "companies ACME update name Acme→Acme Ltd", "special_prices G insert price <null>→4.25"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("history company ACME:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The special price's customer is shown by code, not by id.
	for _, r := range historyOf(t, url, "company", "ACME") {
		if r.Column == "customer_id" && str(r.New) != "ACME" {
			t.Fatalf("customer_id shown as %q, want ACME", str(r.New))
		}
	}

	run(t, url, "price", "special", "delete", "ACME", "G", "--yes").wantCode(t, ExitOK)
	run(t, url, "product", "delete", "G", "--yes").wantCode(t, ExitOK)
	var sku, list string
	for _, r := range historyOf(t, url, "product", "G") {
		if r.Table == "products" && r.Op == "delete" {
			switch r.Column {
			case "sku":
				sku = str(r.Old)
			case "list_price":
				list = str(r.Old)
			}
		}
	}
	if sku != "G" || list != "5" {
		t.Fatalf("the deleted product's history: sku %q list_price %q, want G and 5", sku, list)
	}
}

// prune asks first, removes only what is older than the day, and the history itself
// cannot be rewritten.
func TestHistoryPrune(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	// Migrations may have recorded settings of their own: count from what is there.
	before := len(historyOf(t, url, "settings"))
	run(t, url, "settings", "set", "tax_rate_sales", "5").wantCode(t, ExitOK)
	run(t, url, "history", "prune", "--before", "2099-01-01").wantCode(t, ExitUsage).wantErr(t, "add --yes to confirm")
	run(t, url, "history", "prune").wantCode(t, ExitUsage).wantErr(t, "give --before DATE")
	run(t, url, "history", "prune", "--before", "2026-02-30", "--yes").wantCode(t, ExitUsage)
	// Everything was recorded today, after 2000-01-01: nothing goes.
	var res struct {
		Removed int64 `json:"removed"`
	}
	run(t, url, "history", "prune", "--before", "2000-01-01", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &res)
	if res.Removed != 0 {
		t.Fatalf("prune before 2000 removed %d", res.Removed)
	}
	if n := len(historyOf(t, url, "settings")); n != before+1 {
		t.Fatalf("%d settings entries, want %d", n, before+1)
	}
	// A dry run counts without removing.
	run(t, url, "history", "prune", "--before", "2099-01-01", "--dry-run", "-o", "json").wantCode(t, ExitOK).json(t, &res)
	if res.Removed < 1 || len(historyOf(t, url, "settings")) != before+1 {
		t.Fatalf("dry run: removed %d and kept the entry", res.Removed)
	}
	run(t, url, "history", "prune", "--before", "2099-01-01", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &res)
	if res.Removed < 1 || len(historyOf(t, url, "settings")) != 0 {
		t.Fatalf("prune before 2099: removed %d", res.Removed)
	}

	d, err := openRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	run(t, url, "settings", "set", "tax_rate_sales", "6").wantCode(t, ExitOK)
	if _, err := d.Exec(`UPDATE history SET actor = 'someone else'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("rewriting history: %v, want refused", err)
	}
	// CSV: a header and one line per changed column.
	out := run(t, url, "history", "settings", "-o", "csv").wantCode(t, ExitOK).out
	if !strings.HasPrefix(out, "id,at,actor,table,key,row,op,column,old,new\n") || !strings.Contains(out, ",tester,settings,tax_rate_sales,tax_rate_sales,update,value,5,6\n") {
		t.Fatalf("csv:\n%s", out)
	}
}
