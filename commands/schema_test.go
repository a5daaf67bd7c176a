package commands

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/demo"
)

// Two businesses in one database, each in its own schema: neither sees the other's
// products, stock, document numbers or settings.
func TestTwoBusinessesInOneDatabase(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t) // business A in the default schema, already migrated
	b := func(args ...string) result { return run(t, url, append([]string{"--schema", "north"}, args...)...) }
	b("product", "list").wantCode(t, ExitUnavailable).wantErr(t, "schema north", "db migrate")
	b("db", "migrate").wantCode(t, ExitOK)

	for _, biz := range []func(args ...string) result{
		func(args ...string) result { return run(t, url, args...) }, b,
	} {
		biz("company", "add", "ACME", "--name", "Acme", "--customer").wantCode(t, ExitOK)
		biz("location", "add", "MAIN", "--name", "Main").wantCode(t, ExitOK)
	}
	run(t, url, "product", "add", "SOUTH-W", "--name", "Widget").wantCode(t, ExitOK)
	b("product", "add", "NORTH-W", "--name", "Widget").wantCode(t, ExitOK)
	// A: 5 in stock; B: 7.
	run(t, url, "stock", "adjust", "SOUTH-W", "--location", "MAIN", "--qty", "5", "--unit-cost", "2").wantCode(t, ExitOK)
	b("stock", "adjust", "NORTH-W", "--location", "MAIN", "--qty", "7", "--unit-cost", "3").wantCode(t, ExitOK)
	run(t, url, "settings", "set", "location_pricing", "sell_from").wantCode(t, ExitOK)
	// Each business numbers its own orders from 1.
	for i, biz := range []func(args ...string) result{
		func(args ...string) result { return run(t, url, args...) }, b,
	} {
		var so struct{ Number string }
		biz("so", "new", "ACME", "--location", "MAIN", "-o", "json").wantCode(t, ExitOK).json(t, &so)
		if so.Number != "SO-000001" {
			t.Fatalf("business %d's first order is %s, want SO-000001", i, so.Number)
		}
	}

	if r := run(t, url, "product", "list", "--type", "stock", "--fields", "sku"); r.out != "SOUTH-W\n" {
		t.Fatalf("A's products: %q", r.out)
	}
	if r := b("product", "list", "--type", "stock", "--fields", "sku"); r.out != "NORTH-W\n" {
		t.Fatalf("B's products: %q", r.out)
	}
	run(t, url, "stock", "show", "NORTH-W").wantCode(t, ExitNotFound)
	b("stock", "show", "SOUTH-W").wantCode(t, ExitNotFound)
	if r := b("stock", "list", "--fields", "sku,on_hand"); r.out != "NORTH-W\t7\n" {
		t.Fatalf("B's stock: %q", r.out)
	}
	if r := b("settings", "get", "location_pricing"); strings.TrimSpace(r.out) != "none" {
		t.Fatalf("B's settings are its own: %q", r.out)
	}
	if r := run(t, url, "settings", "get", "location_pricing"); strings.TrimSpace(r.out) != "sell_from" {
		t.Fatalf("A's setting: %q", r.out)
	}
	run(t, url, "stock", "check").wantCode(t, ExitOK)
	b("stock", "check").wantCode(t, ExitOK)

	// STOCKCTL_SCHEMA is the same choice as --schema (checked in db's tests); a name that is
	// not stockctl's to own is refused before anything connects.
	run(t, url, "--schema", "public", "db", "migrate").wantCode(t, ExitUsage).wantErr(t, "public")
}

// demo on a database given by URL asks first, naming where it would write; --reset asks too.
func TestDemoOnURLDatabaseAsksFirst(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo").wantCode(t, ExitUsage).wantErr(t, "--yes", "database stockctl_t_", "schema stockctl", "from --db")
	run(t, url, "demo", "--reset").wantCode(t, ExitUsage).wantErr(t, "--yes", "drop schema stockctl", "database stockctl_t_")
	if r := run(t, url, "company", "list", "--fields", "code"); r.out != "" {
		t.Fatalf("nothing was loaded: %q", r.out)
	}
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	run(t, url, "company", "show", "ACME").wantCode(t, ExitOK)
}

// A database stockctl shares with another application: migrate, the demo, every command
// the demo suggests, demo --reset and migrate again leave that application's schema byte
// for byte as it was.
func TestSharedDatabaseUntouched(t *testing.T) {
	t.Parallel()
	url := dbtest.NewBlankURL(t)
	raw, err := openRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`
		CREATE TABLE public.users (id int PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
		INSERT INTO public.users (id, name) VALUES (1, 'ann'), (2, 'bob');
		CREATE TABLE public.products (sku text PRIMARY KEY, note text);
		INSERT INTO public.products VALUES ('NOT-OURS', 'another application''s catalogue');
		CREATE FUNCTION public.user_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM public.users';
		CREATE VIEW public.user_names AS SELECT name FROM public.users`); err != nil {
		t.Fatal(err)
	}
	before := dumpPublic(t, url)
	dir := t.TempDir()

	run(t, url, "db", "migrate").wantCode(t, ExitOK)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	for _, step := range demo.NextSteps {
		args := strings.Fields(strings.SplitN(step, "#", 2)[0])[1:] // drop "stockctl" and the comment
		for i, a := range args {
			if strings.HasPrefix(a, "/tmp/") {
				args[i] = filepath.Join(dir, filepath.Base(a))
			}
		}
		run(t, url, args...).wantCode(t, ExitOK)
	}
	run(t, url, "demo", "--reset", "--yes").wantCode(t, ExitOK)
	run(t, url, "db", "migrate").wantCode(t, ExitOK)

	if after := dumpPublic(t, url); !bytes.Equal(before, after) {
		t.Fatalf("public changed:\n--- before\n%s\n--- after\n%s", before, after)
	}
	var names []string
	if err := raw.Select(&names, `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "public,stockctl" {
		t.Fatalf("schemas %v: stockctl made only its own", names)
	}
}

// dumpPublic is pg_dump of the public schema, with its data.
func dumpPublic(t *testing.T, url string) []byte {
	t.Helper()
	cmd := exec.Command(pgDump(t), "--schema=public", "--no-owner", "--dbname="+url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pg_dump: %v: %s", err, stderr.String())
	}
	// Newer pg_dump guards its script with a random \restrict key, different every run.
	var kept [][]byte
	for _, line := range bytes.Split(out, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte(`\restrict `)) && !bytes.HasPrefix(line, []byte(`\unrestrict `)) {
			kept = append(kept, line)
		}
	}
	return bytes.Join(kept, []byte("\n"))
}

func pgDump(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("STOCKCTL_PG_BINDIR"); dir != "" {
		return filepath.Join(dir, "pg_dump")
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
	sort.Strings(dirs)
	if len(dirs) > 0 {
		return dirs[len(dirs)-1]
	}
	p, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Fatalf("no pg_dump: %v", err)
	}
	return p
}
