// Package dbtest gives each test its own PostgreSQL database, cloned in milliseconds from a
// template that is migrated once per schema version.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgserver"
)

// templateLock is the advisory lock that serialises template creation across the test
// binaries `go test ./...` runs in parallel.
const templateLock = 727003

var (
	once     sync.Once
	adminURL string
	template string
	setupErr error
	// admin is this process's pool on the admin URL, for the CREATE and DROP DATABASE of
	// every test.
	admin *sqlx.DB
	// strategy is the CREATE DATABASE clause clones use: FILE_COPY on PostgreSQL 15 and
	// later, whose default (WAL_LOG) writes the whole template to the WAL and costs the
	// server several times the CPU for a template this small.
	strategy string
)

// Home is the directory of this run's private test server, used when
// STOCKCTL_TEST_DATABASE_URL is unset: one per run of the tests (see server.go).
func Home() string { return runDir() }

// AdminURL returns a URL through which tests may create and drop databases, starting the
// test server when needed. It fails the test with a clear message when there is no
// PostgreSQL to use.
func AdminURL(t testing.TB) string {
	t.Helper()
	setup()
	if setupErr != nil {
		t.Fatalf("dbtest: no PostgreSQL for tests: %v\n(set STOCKCTL_TEST_DATABASE_URL to a server where the user may create databases, or install PostgreSQL's server binaries)", setupErr)
	}
	return adminURL
}

func setup() {
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if u := os.Getenv("STOCKCTL_TEST_DATABASE_URL"); u != "" {
			adminURL = u
		} else {
			opts := []pgserver.Option{pgserver.WithTestTuning()}
			if dir := os.Getenv("STOCKCTL_PG_BINDIR"); dir != "" {
				opts = append(opts, pgserver.WithBinDir(dir))
			}
			if adminURL, setupErr = startServer(ctx, opts); setupErr != nil {
				return
			}
		}
		if admin, setupErr = sqlx.Open("pgx", adminURL); setupErr != nil {
			return
		}
		var version int
		if setupErr = admin.GetContext(ctx, &version, `SELECT current_setting('server_version_num')::int`); setupErr != nil {
			return
		}
		if version >= 150000 {
			strategy = " STRATEGY FILE_COPY"
		}
		template = "stockctl_tmpl_" + db.MigrationsHash()
		setupErr = ensureTemplate(ctx)
	})
}

// ensureTemplate builds the migrated template database unless it exists. It builds under
// another name and renames, so a half-built template is never cloned.
func ensureTemplate(ctx context.Context) error {
	admin, err := sqlx.Open("pgx", adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	conn, err := admin.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, templateLock); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, templateLock)
	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, template); err != nil {
		return err
	}
	if exists {
		return nil
	}
	building := template + "_build"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{building}.Sanitize()); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+pgx.Identifier{building}.Sanitize()); err != nil {
		return err
	}
	d, err := db.Open(ctx, withDB(adminURL, building), db.Session{Actor: "test"})
	if err != nil {
		return err
	}
	_, err = db.Migrate(ctx, d.DB)
	d.Close()
	if err != nil {
		return fmt.Errorf("migrating the template: %w", err)
	}
	if _, err = conn.ExecContext(ctx, `ALTER DATABASE `+pgx.Identifier{building}.Sanitize()+` RENAME TO `+pgx.Identifier{template}.Sanitize()); err != nil {
		return err
	}
	// Templates of older migration sets are dead weight on a long-lived test server, but the
	// newest few may belong to another checkout (a branch with other migrations) whose tests
	// are running now and clone theirs between tests: only those beyond the newest four go.
	var old []string
	if err := conn.SelectContext(ctx, &old, `SELECT datname FROM pg_database WHERE datname LIKE 'stockctl\_tmpl\_%' AND datname NOT LIKE '%\_build' AND datname <> $1
		ORDER BY oid DESC OFFSET 4`, template); err == nil {
		for _, name := range old {
			_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize())
		}
	}
	return nil
}

// New returns a fresh, migrated database for this test and its URL; it is dropped when the
// test ends.
func New(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	url := NewURL(t)
	d, err := db.Open(context.Background(), url, db.Session{Actor: "test"})
	if err != nil {
		t.Fatalf("dbtest: opening test database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d, url
}

// NewURL creates a fresh migrated database and returns only its URL, for tests that run the
// command line against it. The URL carries search_path=stockctl, so a connection opened on it
// without db.Open (psql-like checks in tests) sees stockctl's schema too.
func NewURL(t testing.TB) string {
	t.Helper()
	AdminURL(t) // sets template
	return withSchema(clone(t, template), db.DefaultSchema)
}

// NewBlankURL creates an empty database (no stockctl schema, PostgreSQL's public schema as
// initdb makes it) and returns its URL without a search_path: a database some other
// application uses, or one a test builds up itself.
func NewBlankURL(t testing.TB) string {
	t.Helper()
	return clone(t, "template1")
}

// clone creates a database from the template and drops it when the test ends.
func clone(t testing.TB, template string) string {
	t.Helper()
	base := AdminURL(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "stockctl_t_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + pgx.Identifier{name}.Sanitize() + ` TEMPLATE ` + pgx.Identifier{template}.Sanitize() + strategy); err != nil {
		t.Fatalf("dbtest: cloning template: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + pgx.Identifier{name}.Sanitize() + ` WITH (FORCE)`)
	})
	return withDB(base, name)
}

// withSchema adds a search_path to a URL or key=value connection string.
func withSchema(raw, schema string) string {
	if strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://") {
		// Appended rather than re-encoded: url.Values would turn a space in the socket
		// directory into "+", which pgx reads as itself.
		if strings.Contains(raw, "?") {
			return raw + "&search_path=" + schema
		}
		return raw + "?search_path=" + schema
	}
	return raw + " search_path=" + schema
}

// withDB replaces the database name in a URL or key=value connection string.
func withDB(raw, name string) string {
	if strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://") {
		if u, err := url.Parse(raw); err == nil {
			u.Path = "/" + name
			return u.String()
		}
	}
	return raw + " dbname=" + name
}
