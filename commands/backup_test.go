package commands

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
)

// schemaDigest is, per table and sequence of schema, its row count and an md5 of its rows
// in order (for a sequence, its last value): equal digests mean equal contents.
func schemaDigest(t *testing.T, url, schema string) map[string]string {
	t.Helper()
	d, err := openRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var rels []struct {
		Name string `db:"relname"`
		Kind string `db:"relkind"`
	}
	if err := d.Select(&rels, `SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'S') ORDER BY 1`, schema); err != nil {
		t.Fatal(err)
	}
	if len(rels) == 0 {
		t.Fatalf("schema %s holds no tables", schema)
	}
	out := map[string]string{}
	for _, r := range rels {
		rel := pgx.Identifier{schema, r.Name}.Sanitize()
		q := `SELECT count(*)::text || ' ' || coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '') FROM ` + rel + ` t`
		if r.Kind == "S" {
			q = `SELECT last_value::text || ' ' || is_called::text FROM ` + rel
		}
		var v string
		if err := d.Get(&v, q); err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		out[r.Name] = v
	}
	return out
}

func sameDigest(t *testing.T, before, after map[string]string) {
	t.Helper()
	for name, v := range before {
		if after[name] != v {
			t.Errorf("%s: %q before the backup, %q after the restore", name, v, after[name])
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s: restored but not backed up", name)
		}
	}
}

func dropSchema(t *testing.T, url, schema string) {
	t.Helper()
	d, err := openRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := db.DropSchema(context.Background(), d.DB, schema); err != nil {
		t.Fatal(err)
	}
}

func schemaExists(t *testing.T, url, schema string) bool {
	t.Helper()
	d, err := openRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ok, err := db.SchemaExists(context.Background(), d.DB, schema)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

var backedUp = regexp.MustCompile(`^backed up schema stockctl \(\d+ tables, schema version \d+\) to .+: [0-9.]+ [kMG]?B in [0-9.]+m?s\n$`)

// TestBackupRestoreRoundTrip: demo → backup → drop → restore gives every table and
// sequence back row for row, stock check is clean, and each command says what it did in
// one line.
func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	before := schemaDigest(t, url, "stockctl")
	file := filepath.Join(t.TempDir(), "stockctl.dump")
	r := run(t, url, "db", "backup", file).wantCode(t, ExitOK)
	if !backedUp.MatchString(r.err) || r.out != "" {
		t.Fatalf("backup said %q (stdout %q)", r.err, r.out)
	}
	dropSchema(t, url, "stockctl")
	r = run(t, url, "db", "restore", file).wantCode(t, ExitOK)
	if !strings.HasPrefix(r.err, "restored schema stockctl (") || strings.Count(r.err, "\n") != 1 {
		t.Fatalf("restore said %q", r.err)
	}
	sameDigest(t, before, schemaDigest(t, url, "stockctl"))
	run(t, url, "stock", "check").wantCode(t, ExitOK)
	// Numbering goes on where it stood.
	run(t, url, "region", "add", "ZZ").wantCode(t, ExitOK)
}

// TestRestoreRefusesNonEmptySchema: a schema holding a business is refused (exit 5, named)
// unless --replace --yes, which puts back exactly what was backed up.
func TestRestoreRefusesNonEmptySchema(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "region", "add", "CA", "--name", "California").wantCode(t, ExitOK)
	before := schemaDigest(t, url, "stockctl")
	file := filepath.Join(t.TempDir(), "b.dump")
	run(t, url, "db", "backup", file).wantCode(t, ExitOK)
	run(t, url, "region", "add", "NV", "--name", "Nevada").wantCode(t, ExitOK)

	run(t, url, "db", "restore", file).wantCode(t, ExitInvalid).wantErr(t, "schema stockctl already holds a business", "--replace --yes")
	run(t, url, "db", "restore", file, "--replace").wantCode(t, ExitUsage).wantErr(t, "--yes")
	run(t, url, "db", "restore", file, "--dry-run").wantCode(t, ExitInvalid)
	r := run(t, url, "db", "restore", file, "--replace", "--dry-run").wantCode(t, ExitOK)
	if !strings.Contains(r.err, "nothing restored") {
		t.Fatalf("dry run said %q", r.err)
	}
	run(t, url, "region", "list").wantCode(t, ExitOK) // still there after the dry run
	if !strings.Contains(run(t, url, "region", "list").out, "NV") {
		t.Fatal("--dry-run changed the schema")
	}
	run(t, url, "db", "restore", file, "--replace", "--yes").wantCode(t, ExitOK)
	sameDigest(t, before, schemaDigest(t, url, "stockctl"))
	if strings.Contains(run(t, url, "region", "list").out, "NV") {
		t.Fatal("a region added after the backup survived --replace")
	}
}

// TestRestoreIntoEmptySchema: an existing schema without tables (made for a user who may
// not create schemas) is restored into and kept.
func TestRestoreIntoEmptySchema(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	file := filepath.Join(t.TempDir(), "b.dump")
	run(t, url, "region", "add", "CA").wantCode(t, ExitOK)
	run(t, url, "db", "backup", file).wantCode(t, ExitOK)
	blank := dbtest.NewBlankURL(t)
	d, err := openRaw(blank)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(`CREATE SCHEMA stockctl; COMMENT ON SCHEMA stockctl IS 'made by the DBA'`); err != nil {
		t.Fatal(err)
	}
	run(t, blank, "db", "restore", file).wantCode(t, ExitOK)
	if r := run(t, blank, "region", "list").wantCode(t, ExitOK); !strings.Contains(r.out, "CA") {
		t.Fatalf("regions after the restore: %q", r.out)
	}
}

// TestRestoreBadFiles: a missing, empty, garbage or truncated file is refused with a clear
// message and a non-zero exit, and leaves the target as it was.
func TestRestoreBadFiles(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.dump")
	run(t, url, "region", "add", "CA").wantCode(t, ExitOK)
	run(t, url, "db", "backup", good).wantCode(t, ExitOK)
	archive, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	blank := dbtest.NewBlankURL(t)
	run(t, blank, "db", "restore", filepath.Join(dir, "missing.dump")).wantCode(t, ExitInvalid).wantErr(t, "cannot read", "missing.dump", "no such file")
	run(t, blank, "db", "restore", write("empty.dump", nil)).wantCode(t, ExitInvalid).wantErr(t, "empty.dump is not a stockctl backup")
	run(t, blank, "db", "restore", write("notes.txt", []byte("SKU,name\nA,b\n"))).wantCode(t, ExitInvalid).wantErr(t, "notes.txt is not a stockctl backup")
	run(t, blank, "db", "restore", dir).wantCode(t, ExitInvalid).wantErr(t, "is a directory")
	run(t, blank, "db", "restore", "-").wantCode(t, ExitUsage)
	head := write("head.dump", archive[:200])
	r := run(t, blank, "db", "restore", head)
	if r.code == ExitOK || !strings.Contains(r.err, "head.dump") {
		t.Fatalf("a file cut short in its header: exit %d, %q", r.code, r.err)
	}
	// Cut in the last table's data: the table of contents reads, pg_restore fails
	// part-way, and the transaction leaves nothing.
	cut := write("cut.dump", archive[:len(archive)-8])
	r = run(t, blank, "db", "restore", cut)
	if r.code == ExitOK || !strings.Contains(r.err, "cut.dump") {
		t.Fatalf("a file cut short: exit %d, %q", r.code, r.err)
	}
	if schemaExists(t, blank, "stockctl") {
		t.Fatal("a failed restore left schema stockctl behind")
	}
	// --replace reads the file through before dropping anything.
	before := schemaDigest(t, url, "stockctl")
	run(t, url, "db", "restore", cut, "--replace", "--yes").wantCode(t, ExitInvalid).wantErr(t, "cut.dump is damaged (nothing was changed)")
	sameDigest(t, before, schemaDigest(t, url, "stockctl"))
}

// TestRestoreSchemaMismatch: a backup holds one schema, only that one, and is restored
// under its own name; another --schema is refused naming the one to use.
func TestRestoreSchemaMismatch(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	dir := t.TempDir()
	run(t, url, "region", "add", "CA").wantCode(t, ExitOK)
	run(t, url, "--schema", "shop_2", "db", "migrate").wantCode(t, ExitOK)
	run(t, url, "--schema", "shop_2", "region", "add", "NV").wantCode(t, ExitOK)
	main, shop2 := filepath.Join(dir, "main.dump"), filepath.Join(dir, "shop_2.dump")
	run(t, url, "db", "backup", main).wantCode(t, ExitOK)
	run(t, url, "--schema", "shop_2", "db", "backup", shop2).wantCode(t, ExitOK)

	blank := dbtest.NewBlankURL(t)
	run(t, blank, "--schema", "shop_3", "db", "restore", main).wantCode(t, ExitInvalid).
		wantErr(t, "holds the business of schema stockctl, not shop_3", "--schema stockctl")
	run(t, blank, "db", "restore", shop2).wantCode(t, ExitInvalid).
		wantErr(t, "holds the business of schema shop_2, not stockctl", "--schema shop_2")
	if schemaExists(t, blank, "shop_3") || schemaExists(t, blank, "stockctl") {
		t.Fatal("a refused restore created a schema")
	}
	run(t, blank, "--schema", "shop_2", "db", "restore", shop2).wantCode(t, ExitOK)
	if schemaExists(t, blank, "stockctl") {
		t.Fatal("the backup of shop_2 brought schema stockctl along")
	}
	r := run(t, blank, "--schema", "shop_2", "region", "list").wantCode(t, ExitOK)
	if !strings.Contains(r.out, "NV") || strings.Contains(r.out, "CA") {
		t.Fatalf("shop_2's regions after the restore: %q", r.out)
	}
}

// TestRestoreOldBackupOnURL: a backup from an older stockctl restores, and a URL database
// then reports its schema as old (exit 10) like any other command would.
func TestRestoreOldBackupOnURL(t *testing.T) {
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
	file := filepath.Join(t.TempDir(), "old.dump")
	run(t, url, "db", "backup", file).wantCode(t, ExitOK) // backing up needs no current schema
	blank := dbtest.NewBlankURL(t)
	run(t, blank, "db", "restore", file).wantCode(t, ExitUnavailable).wantErr(t, "restored schema stockctl", "run stockctl db migrate")
	if !schemaExists(t, blank, "stockctl") {
		t.Fatal("nothing restored")
	}
	// Nothing to back up in a schema without a business.
	run(t, blank, "--schema", "nobiz", "db", "backup", filepath.Join(t.TempDir(), "x.dump")).wantCode(t, ExitNotFound).wantErr(t, "schema nobiz", "nothing to back up")
}

// TestBackupFileHandling: a symbolic link at FILE is replaced, its target left alone; the
// file gets the umask's mode; a failed backup leaves neither the file nor a temporary one.
func TestBackupFileHandling(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	dir := t.TempDir()
	victim, link := filepath.Join(dir, "victim"), filepath.Join(dir, "latest.dump")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	run(t, url, "db", "backup", link).wantCode(t, ExitOK)
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("the link's target was overwritten: %q", b)
	}
	fi, err := os.Lstat(link)
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("%s is not a regular file now: %v %v", link, fi, err)
	}
	if b, _ := os.ReadFile(link); !bytes.HasPrefix(b, []byte("PGDMP")) {
		t.Fatal("the backup is no pg_dump archive")
	}
	if mask, ok := umask(); ok && fi.Mode().Perm() != 0o666&^mask {
		t.Fatalf("mode %v, want %v (umask %03o)", fi.Mode().Perm(), os.FileMode(0o666&^mask), mask)
	}
	run(t, url, "db", "backup", filepath.Join(dir, "no", "such", "dir.dump")).wantCode(t, ExitInvalid).wantErr(t, "cannot write")
	run(t, url, "db", "backup", dir).wantCode(t, ExitInvalid).wantErr(t, "is a directory")
	run(t, url, "--schema", "nobiz", "db", "backup", filepath.Join(dir, "nobiz.dump")).wantCode(t, ExitNotFound)
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "latest.dump victim" {
		t.Fatalf("left in the directory: %v", names)
	}
}

// umask reads the process's umask without changing it (Linux).
func umask() (os.FileMode, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Umask:"); ok {
			m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			return os.FileMode(m), err == nil
		}
	}
	return 0, false
}

// TestBackupToStdoutAndPassword: "-" writes the archive to stdout (and it restores); a
// password in the URL never shows in what stockctl says.
func TestBackupToStdoutAndPassword(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "region", "add", "CA").wantCode(t, ExitOK)
	withPW := strings.Replace(url, "://stockctl@", "://stockctl:s3cretPW@", 1)
	if withPW == url {
		t.Skip("the test database URL has no user to add a password to")
	}
	r := run(t, withPW, "db", "backup", "-").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "PGDMP") || !strings.Contains(r.err, "to standard output") {
		t.Fatalf("stdout starts %q; stderr %q", r.out[:min(len(r.out), 5)], r.err)
	}
	file := filepath.Join(t.TempDir(), "piped.dump")
	if err := os.WriteFile(file, []byte(r.out), 0o600); err != nil {
		t.Fatal(err)
	}
	blank := dbtest.NewBlankURL(t)
	blankPW := strings.Replace(blank, "://stockctl@", "://stockctl:s3cretPW@", 1)
	r2 := run(t, blankPW, "db", "restore", file).wantCode(t, ExitOK)
	if r := run(t, blank, "region", "list").wantCode(t, ExitOK); !strings.Contains(r.out, "CA") {
		t.Fatalf("regions after the restore: %q", r.out)
	}
	r3 := run(t, blankPW, "db", "restore", file).wantCode(t, ExitInvalid)
	for _, s := range []string{r.err, r2.err, r3.err} {
		if strings.Contains(s, "s3cretPW") {
			t.Fatalf("password shown: %q", s)
		}
	}
}

// TestBackupProgressOnTerminal: with stderr on a terminal, a progress line names the table
// being copied, and is cleared before the summary.
func TestBackupProgressOnTerminal(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	file := filepath.Join(t.TempDir(), "b.dump")
	tty := func(args ...string) string {
		var out, errb bytes.Buffer
		app := &App{In: strings.NewReader(""), Out: &out, Err: &errb, ErrTTY: true}
		if code := app.Run(context.Background(), append([]string{"--db", url}, args...)); code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		return errb.String()
	}
	s := tty("db", "backup", file)
	if !regexp.MustCompile(`\r\x1b\[Kbacking up: \w+ \(\d+ of \d+ tables\)`).MatchString(s) || !strings.Contains(s, "\r\x1b[Kbacked up schema stockctl") {
		t.Fatalf("backup on a terminal: %q", s)
	}
	dropSchema(t, url, "stockctl")
	s = tty("db", "restore", file)
	if !regexp.MustCompile(`\r\x1b\[Krestoring: \w+ \(\d+ of \d+ tables\)`).MatchString(s) || !strings.Contains(s, "\r\x1b[Krestored schema stockctl") {
		t.Fatalf("restore on a terminal: %q", s)
	}
}
