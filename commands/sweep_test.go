package commands

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
)

// sweepGood is, per command, a command line (after the command's path) that the demo
// business accepts, positional arguments first. The sweep replaces one argument or flag
// value at a time with a bad one, so each bad value meets a command that gets as far as it
// can. A new command must be added here (or to sweepSkip) for TestSweepBadArguments to pass.
var sweepGood = map[string][]string{
	"backorders list":                 {},
	"batch list":                      {"ROPE-10", "--expiring", "30"},
	"batch trace":                     {"ROPE-10", "R2603"},
	"bay add":                         {"MAIN", "@new"},
	"bay list":                        {"MAIN"},
	"company add":                     {"@new", "--name", "New Co"},
	"company edit":                    {"ACME"},
	"company list":                    {},
	"company show":                    {"ACME"},
	"currency add":                    {"CHF", "--dry-run"},
	"currency list":                   {},
	"currency rate list":              {"EUR"},
	"currency rate set":               {"EUR", "1.09", "--dry-run"},
	"history":                         {"--since", "2026-01-01"},
	"history company":                 {"ACME"},
	"history product":                 {"BENCH"},
	"history prune":                   {"--before", "2000-01-01", "--yes", "--dry-run"},
	"history settings":                {"gl_sales"},
	"invoice export":                  {"@out"},
	"invoice list":                    {},
	"invoice show":                    {"INV-000001"},
	"landed-cost add":                 {"PO-000002", "--amount", "10", "--dry-run"},
	"landed-cost post":                {"PO-000002", "--dry-run"},
	"landed-cost show":                {"PO-000001"},
	"location add":                    {"@new", "--name", "Van"},
	"location list":                   {},
	"location show":                   {"MAIN"},
	"po add":                          {"PO-000003", "DRILL-18V", "1", "--dry-run"},
	"po cancel":                       {"PO-000002", "--dry-run"},
	"po generate":                     {"--reorder", "--dry-run"},
	"po list":                         {},
	"po new":                          {"EUROTOOL", "--location", "MAIN", "--dry-run"},
	"po order":                        {"PO-000002", "--dry-run"},
	"po receive":                      {"PO-000002", "--line", "1", "--dry-run"},
	"po render":                       {"PO-000002", "--out", "@out"},
	"po show":                         {"PO-000002"},
	"po template list":                {},
	"po template reset":               {"--supplier", "EUROTOOL"},
	"po template set":                 {"@template", "--supplier", "EUROTOOL", "--dry-run"},
	"po template show":                {},
	"portal export":                   {"@out"},
	"price break add":                 {"DRILL-18V", "--price", "80", "--min-qty", "50", "--dry-run"},
	"price break delete":              {"DRILL-18V", "--min-qty", "50", "--dry-run"},
	"price break export":              {"@out"},
	"price break import":              {"@breaks", "--dry-run"},
	"price break list":                {"DRILL-18V"},
	"price formula":                   {"DRILL-18V", "fixed", "--dry-run"},
	"price quote":                     {"DRILL-18V", "--customer", "ACME", "--qty", "2"},
	"price same-price":                {"DRILL-18V", "--dry-run"},
	"price show":                      {"DRILL-18V"},
	"price special add":               {"ACME", "DRILL-18V", "--price", "70", "--dry-run"},
	"price special delete":            {"ACME", "DRILL-18V", "--yes", "--dry-run"},
	"price special export":            {"@out"},
	"price special import":            {"@specials", "--dry-run"},
	"price special list":              {"ACME"},
	"price-type activate":             {"trade"},
	"price-type add":                  {"vip", "--dry-run"},
	"price-type deactivate":           {"trade", "--dry-run"},
	"price-type default":              {"retail", "--dry-run"},
	"price-type list":                 {},
	"product activate":                {"DRILL-18V"},
	"product add":                     {"NEW-1", "--name", "New", "--dry-run"},
	"product attribute add":           {"DRILL-18V", "Fit", "--values", "Slim", "--dry-run"},
	"product attribute list":          {"TEE"},
	"product barcode add":             {"DRILL-18V", "ABC-1", "--dry-run"},
	"product barcode list":            {"DRILL-18V"},
	"product barcode remove":          {"DRILL-18V", "2000000000015", "--dry-run"},
	"product bom add":                 {"BENCH", "SCREW-4X40", "--qty", "2", "--dry-run"},
	"product bom list":                {"BENCH"},
	"product bom remove":              {"BENCH", "SCREW-4X40", "--dry-run"},
	"product check":                   {},
	"product configure":               {"BENCH", "--choose", "Top=Oak"},
	"product deactivate":              {"DRILL-18V", "--force", "--dry-run"},
	"product delete":                  {"GUIDE-PDF", "--yes", "--dry-run"},
	"product edit":                    {"DRILL-18V", "--dry-run"},
	"product export":                  {"@out"},
	"product feature list":            {"DRILL-18V"},
	"product feature remove":          {"DRILL-18V", "Voltage", "--dry-run"},
	"product feature set":             {"DRILL-18V", "Voltage", "18V", "--dry-run"},
	"product import":                  {"@products", "--dry-run"},
	"product label":                   {"DRILL-18V", "--out", "@out"},
	"product list":                    {},
	"product lookup":                  {"DRILL-18V"},
	"product option add":              {"BENCH", "Finish", "--values", "Oil", "--dry-run"},
	"product option component set":    {"BENCH", "Top", "Oak", "BENCH-LEG", "--qty", "1", "--dry-run"},
	"product option component remove": {"BENCH", "Top", "Oak", "BENCH-LEG", "--dry-run"},
	"product option component list":   {"BENCH"},
	"product option list":             {"BENCH"},
	"product pack add":                {"SCREW-4X40", "crate", "--qty", "1000", "--dry-run"},
	"product pack list":               {"SCREW-4X40"},
	"product show":                    {"DRILL-18V"},
	"product variants generate":       {"TEE", "--dry-run"},
	"product variants follow":         {"TEE-M-NAVY", "--dry-run"},
	"product variants list":           {"TEE"},
	"region add":                      {"WA", "--dry-run"},
	"region list":                     {},
	"rfq add":                         {"RFQ-000001", "DRILL-18V", "5", "--dry-run"},
	"rfq cancel":                      {"RFQ-000001", "--dry-run"},
	"rfq compare":                     {"DRILL-18V"},
	"rfq convert":                     {"RFQ-000002", "--dry-run"},
	"rfq list":                        {},
	"rfq new":                         {"EUROTOOL", "--dry-run"},
	"rfq quote":                       {"RFQ-000001", "1", "--price", "50", "--dry-run"},
	"rfq render":                      {"RFQ-000001", "--out", "@out"},
	"rfq show":                        {"RFQ-000001"},
	"rfq template list":               {},
	"rfq template reset":              {"--supplier", "EUROTOOL"},
	"rfq template set":                {"@template", "--supplier", "EUROTOOL", "--dry-run"},
	"rfq template show":               {},
	"serial list":                     {"CAM-X1"},
	"serial trace":                    {"CAM-X1", "CX0001"},
	"settings get":                    {"gl_sales"},
	"settings list":                   {},
	"settings set":                    {"gl_sales", "4000", "--dry-run"},
	"so add":                          {"SO-000006", "DRILL-18V", "1", "--dry-run"},
	"so backorder":                    {"SO-000004", "1", "1", "--dry-run"},
	"so cancel":                       {"SO-000008", "--dry-run"},
	"so confirm":                      {"SO-000008", "--dry-run"},
	"so invoice":                      {"SO-000002", "--dry-run"},
	"so list":                         {},
	"so new":                          {"ACME", "--location", "MAIN", "--dry-run"},
	"so release":                      {"SO-000004", "--dry-run"},
	"so ship":                         {"SO-000004", "--line", "1", "--dry-run"},
	"so show":                         {"SO-000004"},
	"stock adjust":                    {"DRILL-18V", "--location", "MAIN", "--qty", "1", "--dry-run"},
	"stock check":                     {},
	"stock import":                    {"@adjustments", "--dry-run"},
	"stock levels export":             {"@out"},
	"stock levels import":             {"@levels", "--dry-run"},
	"stock levels set":                {"DRILL-18V", "--location", "MAIN", "--min", "1", "--dry-run"},
	"stock list":                      {},
	"stock moves":                     {"DRILL-18V"},
	"stock show":                      {"DRILL-18V"},
	"stock transfer":                  {"DRILL-18V", "--from", "MAIN", "--to", "STORE", "--qty", "1", "--dry-run"},
	"stocktake cancel":                {"ST-000001", "--yes", "--dry-run"},
	"stocktake close":                 {"ST-000001", "--dry-run"},
	"stocktake count":                 {"ST-000001", "DRILL-18V", "3", "--dry-run"},
	"stocktake list":                  {},
	"stocktake new":                   {"--location", "MAIN", "--dry-run"},
	"stocktake post":                  {"ST-000001", "--dry-run"},
	"stocktake scan":                  {"ST-000001"},
	"stocktake show":                  {"ST-000001"},
	"supplier price add":              {"EUROTOOL", "DRILL-18V", "--price", "40", "--dry-run"},
	"supplier price best":             {"DRILL-18V", "--qty", "5"},
	"supplier price export":           {"@out"},
	"supplier price import":           {"@prices", "--dry-run"},
	"supplier price list":             {"EUROTOOL"},
	"time bill":                       {"BLUEBIRD", "--dry-run"},
	"time edit":                       {"3", "--dry-run"},
	"time list":                       {},
	"time log":                        {"ACME", "--product", "CONSULT", "--qty", "1", "--dry-run"},
	"time product list":               {},
	"time product set":                {"CONSULT", "--dry-run"},
	"training promote":                {"1", "--dry-run"},
	"training register":               {"1", "BLUEBIRD", "--dry-run"},
	"training registrations":          {"1"},
	"training session add":            {"COURSE-SAFETY", "--date", "2026-09-01", "--location", "MAIN", "--capacity", "8", "--dry-run"},
	"training sessions":               {"COURSE-SAFETY"},
	"transfer list":                   {},
	"transfer receive":                {"TR-000002", "--dry-run"},
	"transfer show":                   {"TR-000002"},
	"uom add":                         {"crate", "--category", "count", "--ratio", "24", "--dry-run"},
	"uom categories":                  {},
	"uom convert":                     {"3", "dozen", "ea"},
	"uom list":                        {},
	"wo cancel":                       {"WO-000001", "--dry-run"},
	"wo complete":                     {"WO-000001", "--dry-run"},
	"wo generate":                     {"--dry-run"},
	"wo list":                         {},
	"wo new":                          {"BENCH", "1", "--location", "MAIN", "--dry-run"},
	"wo show":                         {"WO-000001"},
}

// sweepNewArgs are, per command, the positional arguments (by index) where a name nobody
// has used is not an unknown thing: it names something new (product add SKU), is a value
// (settings set KEY VALUE), comes from a fixed list (price formula SKU FORMULA, settings get
// KEY: exit 5) or is a currency code, which has a form of its own (a three-letter code).
// Every other name argument, unknown, must exit 6 naming it.
var sweepNewArgs = map[string][]int{
	"bay add":               {1},
	"company add":           {0},
	"currency add":          {0},
	"currency rate list":    {0},
	"currency rate set":     {0},
	"history settings":      {0},
	"location add":          {0},
	"price formula":         {1},
	"price-type add":        {0},
	"product add":           {0},
	"product attribute add": {1},
	"product barcode add":   {1},
	"product feature set":   {1, 2},
	"product option add":    {1},
	"product pack add":      {1},
	"region add":            {0},
	"settings get":          {0},
	"settings set":          {0, 1},
	"uom add":               {0},
}

// sweepSkip are the commands the sweep leaves alone: they manage the server or the whole
// database, or print only what they are.
var sweepSkip = []string{"db", "demo", "completion", "docs", "version", "exit-codes", "help"}

// driverText is what a driver or database says that must never reach a user, and the words
// db.Classify uses when a constraint or a range error of the database is all that stopped a
// value (a command's own checks must say what was wrong, in its terms, first).
var driverText = regexp.MustCompile(`SQLSTATE|\bsql: |\bpq: |pgx|pgconn|Scan error|\bconn\b|violates .*constraint|relation "|refused by the database|what the database can keep|the database refused`)

// unknownName names nothing: each run makes it unique (NOPE-1, NOPE-2 ...).
const unknownName = "NOPE"

// The bad values: each argument or flag gets those of its kind.
var (
	longText   = longWord(3000)
	badName    = []string{unknownName, longText}
	badNumber  = []string{"abc", "1e309", "99999999999999999999", "-3", "0"}
	badWhole   = []string{"abc", "99999999999999999999", "-3"}
	badDate    = []string{"0000-01-01", "2026-13-45"}
	dateFlags  = []string{"date", "since", "before", "until", "from", "expiry", "expected", "respond-by", "valid-from", "valid-until", "ship-by"}
	fileFlags  = []string{"out", "rejects", "template", "file"}
	fileArgs   = []string{"FILE", "DIR"}
	numberArgs = []string{"QTY", "RATE"}
	wholeArgs  = []string{"LINE", "ID", "SESSION", "REGISTRATION"}
)

// Every command, given a bad argument of each kind where it takes one (an unknown SKU,
// code or number, a malformed number, an out-of-range number, a bad date, a negative
// quantity, an over-long string), exits with a documented code (never 1) and says so
// without a word of driver text.
func TestSweepBadArguments(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	run(t, url, "po", "new", "EUROTOOL", "--location", "MAIN").wantCode(t, ExitOK) // PO-000003, a draft
	dir := t.TempDir()
	files := map[string]string{}
	for name, body := range map[string]string{
		"@adjustments": "sku,location,qty\nDRILL-18V,MAIN,1\n",
		"@levels":      "sku,location,min\nDRILL-18V,MAIN,1\n",
		"@breaks":      "sku,price\nDRILL-18V,80\n",
		"@specials":    "customer,sku,price\nACME,DRILL-18V,70\n",
		"@prices":      "supplier,sku,price\nEUROTOOL,DRILL-18V,40\n",
		"@products":    "sku,name\nDRILL-18V,Drill\n",
		"@template":    "<p>{{.Number}}</p>\n",
	} {
		files[name] = filepath.Join(dir, strings.Trim(name, "@"))
		if err := os.WriteFile(files[name], []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	missing := filepath.Join(dir, "no", "such.csv")
	// One pool for every run: a new connection per run would cost more than most runs.
	pool, err := db.Open(context.Background(), url, db.Session{Actor: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	root := (&App{}).newRoot()
	runs := 0
	for _, c := range leaves(root) {
		path := strings.TrimPrefix(c.CommandPath(), "stockctl ")
		if slices.Contains(sweepSkip, strings.Fields(path)[0]) {
			continue
		}
		good, ok := sweepGood[path]
		if !ok {
			t.Errorf("%s: not in sweepGood: give it a command line the demo accepts", path)
			continue
		}
		out := filepath.Join(dir, strings.ReplaceAll(path, " ", "-"))
		good = slices.Clone(good)
		for i, g := range good {
			if g == "@out" {
				good[i] = out
			} else if f, ok := files[g]; ok {
				good[i] = f
			}
		}
		// try runs the command with args; notFound says an unknown name is in them that
		// must exit 6, naming it.
		try := func(args []string, what string, notFound bool) {
			runs++
			// Codes a command creates are new on each run; an unknown name is unknown on
			// each run, even after a command that creates what it is given.
			args = slices.Clone(args)
			unknown := fmt.Sprintf("%s-%d", unknownName, runs)
			for i, a := range args {
				switch a {
				case "@new":
					args[i] = fmt.Sprintf("NEW%d", runs)
				case unknownName:
					args[i] = unknown
				}
			}
			r := runOn(pool, append(strings.Fields(path), args...)...)
			switch {
			case notFound && (r.code != ExitNotFound || !strings.Contains(r.err, unknown)):
				t.Errorf("%s with %s: exit %d, want %d naming %s\nstderr: %s", path, what, r.code, ExitNotFound, unknown, cut(r.err))
			case r.code == ExitOK, r.code == ExitPartial, r.code == ExitUsage, r.code == ExitInvalid, r.code == ExitNotFound:
			default:
				t.Errorf("%s with %s: exit %d\nstderr: %s", path, what, r.code, cut(r.err))
			}
			if m := driverText.FindString(r.out + r.err); m != "" {
				t.Errorf("%s with %s: driver text %q reached the user:\nstdout: %s\nstderr: %s", path, what, m, cut(r.out), cut(r.err))
			}
		}
		// Positional arguments: the leading values of the good line.
		names := argNames(c.Use)
		npos := 0
		for npos < len(good) && !strings.HasPrefix(good[npos], "-") {
			npos++
		}
		for i := 0; i < npos; i++ {
			name := ""
			if i < len(names) {
				name = names[i]
			}
			var bad []string
			switch {
			case slices.Contains(fileArgs, name):
				bad = []string{missing}
			case slices.Contains(numberArgs, name):
				bad = badNumber
			case slices.Contains(wholeArgs, name):
				bad = badWhole
			default:
				bad = append(slices.Clone(badName), "-3")
			}
			for _, b := range bad {
				args := slices.Clone(good)
				args[i] = b
				notFound := b == unknownName && !slices.Contains(sweepNewArgs[path], i)
				try(args, fmt.Sprintf("%s %q", name, cut(b)), notFound)
			}
		}
		// Flags: each of the command's own that takes a value.
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.NoOptDefVal != "" || f.Name == "help" {
				return
			}
			var bad []string
			switch {
			case slices.Contains(fileFlags, f.Name):
				bad = []string{missing}
			case f.Value.Type() == "number":
				bad = badNumber
			case f.Value.Type() == "int":
				bad = badWhole
			case slices.Contains(dateFlags, f.Name):
				bad = badDate
			default:
				bad = badName
			}
			for _, b := range bad {
				args := withFlag(good, f.Name, b)
				try(args, fmt.Sprintf("--%s %q", f.Name, cut(b)), false)
			}
		})
	}
	t.Logf("%d runs", runs)
}

// runOn executes stockctl with args in-process on pool, as a script would (not a TTY).
func runOn(pool *sqlx.DB, args ...string) result {
	var out, errb bytes.Buffer
	app := &App{In: strings.NewReader(""), Out: &out, Err: &errb, Pool: pool}
	code := app.Run(context.Background(), args)
	return result{out.String(), errb.String(), code}
}

// leaves are the runnable commands under c.
func leaves(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, sub := range c.Commands() {
		if sub.HasSubCommands() {
			out = append(out, leaves(sub)...)
		} else if sub.Runnable() {
			out = append(out, sub)
		}
	}
	return out
}

// argNames are the names of the positional arguments in a Use line ("count ST SKU QTY
// [--batch B]" gives ST, SKU, QTY; "export [FILE|-]" gives FILE).
func argNames(use string) []string {
	var names []string
	for _, tok := range strings.Fields(use)[1:] {
		if strings.HasPrefix(tok, "-") || strings.HasPrefix(tok, "[-") || tok == "|" {
			break
		}
		tok = strings.Trim(tok, "[]")
		tok, _, _ = strings.Cut(tok, "|")
		if tok == "..." || tok == "" {
			continue
		}
		names = append(names, tok)
	}
	return names
}

// withFlag is args with flag set to v: replaced where args give it, else added.
func withFlag(args []string, flag, v string) []string {
	out := slices.Clone(args)
	for i, a := range out {
		if a == "--"+flag && i+1 < len(out) {
			out[i+1] = v
			return out
		}
	}
	return append(out, "--"+flag, v)
}

// longWord is n letters that do not repeat in a pattern a database could compress away.
func longWord(n int) string {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[x%62]
	}
	return string(b)
}

func cut(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}
