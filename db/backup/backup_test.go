package backup

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/db/pgserver"
	"github.com/stockctl/stockctl/fault"
)

// TestClientConn: the password leaves the connection string (to go to PGPASSWORD) and
// settings libpq does not know are dropped, in both URL and key=value form.
func TestClientConn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, conn, pw string }{
		{"postgres://inv:s3cr%40t@db.internal:5433/inv?sslmode=require&search_path=shop", "postgres://inv@db.internal:5433/inv?sslmode=require", "s3cr@t"},
		{"postgresql://inv@/inv?host=%2Fvar%2Frun%20x&password=p%26w&statement_cache_capacity=0", "postgresql://inv@/inv?host=%2Fvar%2Frun%20x", "p&w"},
		{"postgres://stockctl@/stockctl?host=/var/lib/stockctl/pg/run&port=5432&sslmode=disable", "postgres://stockctl@/stockctl?host=/var/lib/stockctl/pg/run&port=5432&sslmode=disable", ""},
		{"postgres://db.internal", "postgres://db.internal", ""},
		// A '?' or '#' in a password ends nothing: the user information runs to the '@'.
		{"postgres://inv:Pw?7k#Qz@db.internal/inv?sslmode=disable", "postgres://inv@db.internal/inv?sslmode=disable", "Pw?7k#Qz"},
		{"postgres://inv:Pw:7k@db.internal", "postgres://inv@db.internal", "Pw:7k"},
		{"host=db.internal dbname=inv password='it\\'s x' search_path=shop user = inv", "host='db.internal' dbname='inv' user='inv'", "it's x"},
		{"host=/tmp password=a\\ b sslmode=disable", "host='/tmp' sslmode='disable'", "a b"},
	} {
		conn, pw, err := clientConn(c.in)
		if err != nil || conn != c.conn || pw != c.pw {
			t.Errorf("clientConn(%q) = %q, %q, %v; want %q, %q", c.in, conn, pw, err, c.conn, c.pw)
		}
	}
	if _, _, err := clientConn("host=x password='open"); !fault.Is(err, fault.Usage) {
		t.Errorf("unterminated quote: %v", err)
	}
}

// TestPasswordOffCommandLine: pg_dump gets the password in its environment only, and
// anything it says is passed on with the password hidden.
func TestPasswordOffCommandLine(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	dir := t.TempDir()
	script := `#!/bin/sh
if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 99.0"; exit 0; fi
printf '%s\n' "$@" > "` + dir + `/argv"
printf '%s' "$PGPASSWORD" > "` + dir + `/password"
echo "pg_dump: error: connection failed: password s3cretPW was refused" >&2
exit 1
`
	if err := os.WriteFile(filepath.Join(dir, "pg_dump"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	target := Target{URL: "postgres://inv:s3cretPW@/inv?host=/nowhere&search_path=stockctl", Schema: "stockctl", BinDir: dir}
	_, err := Dump(context.Background(), d.DB, target, io.Discard, nil)
	if err == nil || strings.Contains(err.Error(), "s3cretPW") || !strings.Contains(err.Error(), "password xxxxx was refused") {
		t.Fatalf("error: %v", err)
	}
	argv, _ := os.ReadFile(filepath.Join(dir, "argv"))
	if strings.Contains(string(argv), "s3cretPW") || !strings.Contains(string(argv), "--dbname=postgres://inv@/inv?host=/nowhere\n") ||
		!strings.Contains(string(argv), "--schema=stockctl\n") || !strings.Contains(string(argv), "--format=custom\n") {
		t.Fatalf("argv:\n%s", argv)
	}
	if pw, _ := os.ReadFile(filepath.Join(dir, "password")); string(pw) != "s3cretPW" {
		t.Fatalf("PGPASSWORD %q", pw)
	}
}

// TestArchiveCheck: an archive must hold one stockctl schema, the one restored into.
func TestArchiveCheck(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a    Archive
		want string
	}{
		{Archive{Path: "f", Schemas: []string{"stockctl"}, hasMeta: true}, ""},
		{Archive{Path: "f", Schemas: []string{"shop_2"}, hasMeta: true}, "f holds the business of schema shop_2, not stockctl: restore it with --schema shop_2"},
		{Archive{Path: "f"}, "f is not a stockctl backup: it holds no stockctl schema"},
		{Archive{Path: "f", Schemas: []string{"stockctl"}}, "it holds no stockctl schema"},
		{Archive{Path: "f", Schemas: []string{"stockctl", "public"}, hasMeta: true}, "several schemas (stockctl, public)"},
	} {
		err := c.a.Check("stockctl")
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !fault.Is(err, fault.Invalid)) {
			t.Errorf("%+v: %v, want %q", c.a, err, c.want)
		}
	}
}

// TestLogLines: progress lines go to watch, problems (also split across writes) make the
// error.
func TestLogLines(t *testing.T) {
	t.Parallel()
	var seen []string
	l := &logLines{watch: func(s string) { seen = append(seen, s) }}
	for _, p := range []string{"pg_restore: creating TABLE \"s.t\"\npg_restore: processing data for ta", "ble \"s.t\"\n",
		"pg_restore: error: could not execute query: ERROR:  boom\nCommand was: CREATE SCHEMA s;\n", "pg_restore: warning: errors ignored"} {
		if _, err := l.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	l.flush()
	if strings.Join(seen, "|") != `creating TABLE "s.t"|processing data for table "s.t"` {
		t.Errorf("progress: %q", seen)
	}
	if len(l.problems) != 3 || l.problems[1] != "Command was: CREATE SCHEMA s;" {
		t.Errorf("problems: %q", l.problems)
	}
	if tableName(`"stockctl.products"`) != "products" {
		t.Error(tableName(`"stockctl.products"`))
	}
}

// TestReplaceFailingKeepsTheOldBusiness: --replace moves the old business aside, and when
// the restore then fails (here pg_restore refuses its one transaction) it is put back as it
// was, under its own name, with nothing else left behind.
func TestReplaceFailingKeepsTheOldBusiness(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, url := dbtest.New(t)
	major, err := ServerMajor(ctx, d.DB)
	if err != nil {
		t.Fatal(err)
	}
	real, _, err := pgserver.Tool(ctx, os.Getenv("STOCKCTL_PG_BINDIR"), "pg_restore", major)
	if err != nil {
		t.Fatal(err)
	}
	dump, _, err := pgserver.Tool(ctx, os.Getenv("STOCKCTL_PG_BINDIR"), "pg_dump", major)
	if err != nil {
		t.Fatal(err)
	}
	// A pg_restore that reads archives as the real one does, but fails the restore itself.
	dir := t.TempDir()
	script := "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = --single-transaction ] && { echo 'pg_restore: error: could not execute query: ERROR:  disk full' >&2; exit 1; }; done\nexec '" +
		real + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "pg_restore"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dump, filepath.Join(dir, "pg_dump")); err != nil {
		t.Fatal(err)
	}
	target := Target{URL: url, Schema: "stockctl", BinDir: dir}
	file := filepath.Join(t.TempDir(), "b.dump")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Dump(ctx, d.DB, target, f, nil); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := d.Exec(`INSERT INTO sales_regions (code, name) VALUES ('AFTER', 'added after the backup')`); err != nil {
		t.Fatal(err)
	}
	arch, err := Inspect(ctx, d.DB, target, file)
	if err != nil {
		t.Fatal(err)
	}
	err = Restore(ctx, d.DB, target, arch, RestoreOptions{Replace: true}, nil)
	if err == nil || !strings.Contains(err.Error(), "the old business is back as it was") || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("failed restore: %v", err)
	}
	var name string
	if err := d.Get(&name, `SELECT name FROM sales_regions WHERE code = 'AFTER'`); err != nil || name != "added after the backup" {
		t.Fatalf("the old business is back, with what came after the backup: %q %v", name, err)
	}
	var schemas []string
	if err := d.Select(&schemas, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'stockctl%' ORDER BY 1`); err != nil || strings.Join(schemas, ",") != "stockctl" {
		t.Fatalf("schemas left: %v %v", schemas, err)
	}
}
