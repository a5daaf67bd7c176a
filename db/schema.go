package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/stockctl/stockctl/fault"
)

// DefaultSchema is the schema stockctl keeps a business in unless --schema or
// STOCKCTL_SCHEMA names another. Every table, view, function and sequence of stockctl, and
// its migration version table, live in that one schema; nothing is made outside it.
const DefaultSchema = "stockctl"

// schemaNameOK keeps schema names to plain lower-case identifiers, so they never need
// quoting in a search_path, a URL or a message.
var schemaNameOK = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CheckSchemaName refuses a schema name stockctl cannot own: not a plain lower-case
// identifier, PostgreSQL's own schemas, or public, which belongs to everyone using the
// database (demo --reset drops stockctl's schema, and must never drop that one).
func CheckSchemaName(name string) error {
	switch {
	case !schemaNameOK.MatchString(name):
		return fault.Usagef("schema", "schema %q: use lower-case letters, digits and _ (at most 63, not starting with a digit), e.g. stockctl or shop_2", name)
	case name == "public", name == "information_schema", strings.HasPrefix(name, "pg_"):
		return fault.Usagef("schema", "schema %q is not stockctl's to own: name a schema of its own, e.g. --schema stockctl (the default)", name)
	}
	return nil
}

// ResolveSchema picks the schema: the --schema flag, then STOCKCTL_SCHEMA, else
// DefaultSchema. from says which of the three it came from.
func ResolveSchema(flag string) (name, from string, err error) {
	name, from = DefaultSchema, "default"
	if flag != "" {
		name, from = flag, "--schema"
	} else if v := os.Getenv("STOCKCTL_SCHEMA"); v != "" {
		name, from = v, "STOCKCTL_SCHEMA"
	}
	if err := CheckSchemaName(name); err != nil {
		if from == "STOCKCTL_SCHEMA" {
			return "", from, fault.Usagef("schema", "STOCKCTL_SCHEMA: %v", err)
		}
		return "", from, err
	}
	return name, from, nil
}

// SchemaOf is the schema a connection pool works in: the search_path every stockctl
// connection is opened with (Config). A pool opened some other way is refused, so nothing
// is ever created in whatever schema a bare search_path would pick.
func SchemaOf(ctx context.Context, d *sql.DB) (string, error) {
	var path string
	if err := d.QueryRowContext(ctx, `SELECT current_setting('search_path')`).Scan(&path); err != nil {
		return "", fault.Wrap(fault.Unavailable, Classify(err), "reading the connection's schema")
	}
	if err := CheckSchemaName(path); err != nil {
		return "", fmt.Errorf("the connection's search_path is %q, not one schema of stockctl's (open it with db.Open): %w", path, err)
	}
	return path, nil
}

// quoteSchema is a schema name ready to splice into SQL.
func quoteSchema(name string) string { return pgx.Identifier{name}.Sanitize() }

// SchemaExists reports whether the schema is there.
func SchemaExists(ctx context.Context, d *sql.DB, schema string) (bool, error) {
	var ok bool
	err := d.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&ok)
	return ok, Classify(err)
}

// DropSchema removes a business: stockctl's schema and everything in it, and nothing else.
// It is what demo --reset and restore --replace start from.
func DropSchema(ctx context.Context, d *sql.DB, schema string) error {
	if err := CheckSchemaName(schema); err != nil {
		return err
	}
	_, err := d.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+quoteSchema(schema)+` CASCADE`)
	return Classify(err)
}

// Target names where a URL points, for messages that must say what they would write to.
type Target struct {
	Database string `json:"database"`
	Host     string `json:"host"` // host:port, or the socket directory
	User     string `json:"user"`
}

// Describe reads a URL or key=value connection string without connecting.
func Describe(rawURL string) (Target, error) {
	cfg, err := parseConfig(rawURL)
	if err != nil {
		return Target{}, err
	}
	host := cfg.Host
	if !strings.HasPrefix(host, "/") {
		host = fmt.Sprintf("%s:%d", host, cfg.Port)
	}
	return Target{Database: cfg.Database, Host: host, User: cfg.User}, nil
}

// String reads "database inv on db.internal:5432".
func (t Target) String() string {
	if strings.HasPrefix(t.Host, "/") {
		return fmt.Sprintf("database %s on the socket in %s", t.Database, t.Host)
	}
	return fmt.Sprintf("database %s on %s", t.Database, t.Host)
}
