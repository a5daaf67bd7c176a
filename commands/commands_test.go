package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
)

// result is what one in-process run of the command line produced.
type result struct {
	out, err string
	code     int
}

// run executes stockctl with args against the database at url, as a script would (not a TTY).
func run(t *testing.T, url string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	app := &App{In: strings.NewReader(""), Out: &out, Err: &errb}
	full := append([]string{"--db", url, "--actor", "tester"}, args...)
	code := app.Run(context.Background(), full)
	return result{out.String(), errb.String(), code}
}

func (r result) wantCode(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.out, r.err)
	}
	return r
}

func (r result) wantErr(t *testing.T, parts ...string) result {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.err, p) {
			t.Fatalf("stderr %q does not contain %q", r.err, p)
		}
	}
	return r
}

func (r result) json(t *testing.T, into any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.out), into); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.out)
	}
}

func openRaw(url string) (*sqlx.DB, error) { return sqlx.Open("pgx", url) }

// fakeDocument makes the documents view report one document, as a sales order would once
// that table exists, to test rules that depend on documents existing.
func fakeDocument(t *testing.T, url string) {
	t.Helper()
	d, err := openRaw(url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(`CREATE OR REPLACE VIEW documents (kind, number, created_at) AS SELECT 'SO'::text, 'SO-000001'::text, now()`); err != nil {
		t.Fatal(err)
	}
}
