// Package db connects stockctl to PostgreSQL: where the database comes from, transactions
// with retry, the embedded schema migrations and the mapping of driver errors to faults.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/fault"
)

// Source says which database a command uses and where that choice came from.
type Source struct {
	URL     string
	From    string // "--db", "STOCKCTL_DATABASE_URL", "DATABASE_URL" or "private"
	Private bool
}

// Resolve picks the database: the --db flag, then STOCKCTL_DATABASE_URL, then DATABASE_URL;
// with none of them the caller uses the private server (Private is true and URL empty).
func Resolve(flagURL string) Source {
	if flagURL != "" {
		return Source{URL: flagURL, From: "--db"}
	}
	for _, env := range []string{"STOCKCTL_DATABASE_URL", "DATABASE_URL"} {
		if v := os.Getenv(env); v != "" {
			return Source{URL: v, From: env}
		}
	}
	return Source{From: "private", Private: true}
}

// Session is who a connection acts for and which business (schema) it works in.
type Session struct {
	// Actor is recorded as created_by/updated_by on every change and in the change history.
	Actor string
	// Schema is the schema holding the business; "" means DefaultSchema.
	Schema string
}

// Open connects to url and checks the server answers. The actor is sent as the session
// setting stockctl.actor, which the schema's defaults and triggers record on every change;
// the schema is the connection's whole search_path, so every name stockctl uses resolves in
// its own schema and nothing is ever created anywhere else.
//
// The driver is pgx through its database/sql adapter: it prepares each statement once per
// connection and reuses the plan, so a repeated posting is not parsed and planned again on
// every call (docs/performance.md).
func Open(ctx context.Context, rawURL string, s Session) (*sqlx.DB, error) {
	cfg, err := Config(rawURL, s)
	if err != nil {
		return nil, err
	}
	return OpenConfig(ctx, cfg, rawURL)
}

// Config parses a URL or key=value connection string into a pgx connection config carrying
// the actor as the stockctl.actor startup parameter and the schema as the search_path.
func Config(rawURL string, s Session) (*pgx.ConnConfig, error) {
	if s.Actor != "" && !actorOK.MatchString(s.Actor) {
		return nil, fault.Usagef("actor", "--actor %q: use letters, digits, spaces and . _ @ + - : ' (at most 100)", s.Actor)
	}
	schema := s.Schema
	if schema == "" {
		schema = DefaultSchema
	}
	if err := CheckSchemaName(schema); err != nil {
		return nil, err
	}
	cfg, err := parseConfig(rawURL)
	if err != nil {
		return nil, err
	}
	// lib/pq's binary_parameters, which earlier URLs carried, means nothing to pgx and
	// would be sent to the server as an unknown setting.
	delete(cfg.RuntimeParams, "binary_parameters")
	if s.Actor != "" {
		cfg.RuntimeParams["stockctl.actor"] = s.Actor
	}
	// A startup parameter costs no round trip, and it wins over a search_path in the URL's
	// options (the server applies options first).
	cfg.RuntimeParams["search_path"] = schema
	return cfg, nil
}

// parseConfig parses a URL or key=value connection string; errors are usage errors that
// show no password.
//
// A URL must start with postgres:// or postgresql:// exactly, as libpq (psql, pg_dump) also
// insists: the driver would read POSTGRES://..., " postgres://..." or postgress://... as
// key=value settings with unknown keys, and connect to the default local socket carrying
// the password as a setting.
func parseConfig(rawURL string) (*pgx.ConnConfig, error) {
	if !isKeywords(rawURL) && strings.TrimSpace(rawURL) != "" &&
		!strings.HasPrefix(rawURL, "postgres://") && !strings.HasPrefix(rawURL, "postgresql://") {
		return nil, fault.Usagef("db", "database URL %s: it must start with postgres:// or postgresql:// (lowercase, nothing before it), or be key=value settings (host=... dbname=...)", Redact(rawURL))
	}
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fault.Usagef("db", "database URL %s: %s (use postgres://user@host:port/dbname)", Redact(rawURL), connErr(err, rawURL))
	}
	return cfg, nil
}

// OpenConfig opens a pool on cfg and checks the server answers; rawURL is only for messages.
func OpenConfig(ctx context.Context, cfg *pgx.ConnConfig, rawURL string) (*sqlx.DB, error) {
	d := sqlx.NewDb(stdlib.OpenDB(*cfg), "pgx")
	d.SetMaxOpenConns(16)
	d.SetMaxIdleConns(4)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := d.PingContext(pctx); err != nil {
		d.Close()
		return nil, fault.Unavailablef("cannot reach database %s: %v (check the URL and that the server is running)",
			Redact(rawURL), connErr(err, rawURL))
	}
	return d, nil
}

var actorOK = regexp.MustCompile(`^[\p{L}\p{N}._@+\-:' ]{1,100}$`)

// maxAttempts bounds how often a transaction is retried after a serialization failure or deadlock.
const maxAttempts = 8

// InTx runs fn in one transaction and commits it; any error rolls everything back. A
// serialization failure or deadlock (SQLSTATE 40001, 40P01) reruns fn from the start, a
// bounded number of times, so fn must do all its work through tx.
func InTx(ctx context.Context, d *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	return inTx(ctx, d, false, fn)
}

// InTxOrDryRun is InTx, or with dry set a transaction that is always rolled back, so
// --dry-run exercises exactly the code a real run would.
func InTxOrDryRun(ctx context.Context, d *sqlx.DB, dry bool, fn func(tx *sqlx.Tx) error) error {
	return inTx(ctx, d, dry, fn)
}

func inTx(ctx context.Context, d *sqlx.DB, rollback bool, fn func(tx *sqlx.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = once(ctx, d, rollback, fn)
		if err == nil || !Retryable(err) || attempt >= maxAttempts {
			return Classify(err)
		}
		// Jittered backoff so two colliding writers do not collide again in lockstep.
		wait := time.Duration(attempt*attempt)*5*time.Millisecond + time.Duration(rand.IntN(10))*time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

func once(ctx context.Context, d *sqlx.DB, rollback bool, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := d.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if rollback {
		return tx.Rollback()
	}
	return tx.Commit()
}

// Retryable reports a serialization failure or deadlock, which a rerun of the transaction cures.
func Retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// SQLState returns the SQLSTATE code of a PostgreSQL error, or "".
func SQLState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// Constraint returns the name of the constraint a PostgreSQL error reports, or "".
func Constraint(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	return ""
}

// Detail returns the detail of a PostgreSQL error (which key, which row), or "".
func Detail(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Detail
	}
	return ""
}

// Classify maps driver errors that escaped the domain's own checks to fault kinds, so a
// constraint that fires as the last line of defence still gives the right exit code.
// Already classified errors pass through unchanged. The messages never carry the driver's
// own wording (SQLSTATE codes, "sql:", "conn closed"): they say what happened.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &fault.Error{Kind: fault.NotFound, Msg: "not found", Err: err, Quiet: true}
	}
	if why, ok := lost(err); ok {
		return &fault.Error{Kind: fault.Unavailable, Err: err, Quiet: true,
			Msg: "the database went away (" + why + "): what the command had not committed was rolled back; run it again once the server is back"}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		class := pe.Code[:2]
		detail := pe.Detail // "Key (code)=(ACME) already exists."
		if detail == "" {
			detail = pe.ConstraintName
		}
		switch {
		case pe.Code == "23505":
			return &fault.Error{Kind: fault.Conflict, Msg: "already exists: " + detail, Err: err, Quiet: true}
		case pe.Code == "23503":
			return &fault.Error{Kind: fault.Conflict, Msg: "refers to or is referred to by other data: " + detail, Err: err, Quiet: true}
		case pe.Code == "23514":
			return &fault.Error{Kind: fault.Invalid, Msg: "refused by the database's rule " + pe.ConstraintName + " on " + pe.TableName, Err: err, Quiet: true}
		case pe.Code == "23502":
			return &fault.Error{Kind: fault.Invalid, Msg: "a value is missing: " + pe.TableName + " needs " + pe.ColumnName, Err: err, Quiet: true}
		case class == "22", pe.Code == "54000":
			// Out of range, too long, not a valid date ...: the limits of business/bounds keep
			// these from the database; this is the last line of defence.
			return &fault.Error{Kind: fault.Invalid, Msg: "a value is outside what the database can keep: " + pe.Message, Err: err, Quiet: true}
		case pe.Code == "P0001":
			// Raised by our own triggers with a message meant for the user.
			return &fault.Error{Kind: fault.Invalid, Msg: pe.Message, Err: err, Quiet: true}
		case pe.Code == "57014":
			return &fault.Error{Kind: fault.Interrupted, Msg: "cancelled", Err: err, Quiet: true}
		case class == "57", class == "53":
			return &fault.Error{Kind: fault.Unavailable, Msg: "database unavailable: " + pe.Message, Err: err, Quiet: true}
		}
		return &fault.Error{Kind: fault.Unexpected, Msg: "the database refused the command: " + pe.Message, Err: err, Quiet: true}
	}
	if errors.Is(err, context.Canceled) {
		return &fault.Error{Kind: fault.Interrupted, Msg: "interrupted", Err: err, Quiet: true}
	}
	return err
}

// lost reports an error that means the connection to the server is gone (the server shut
// down, crashed or ended the session; the socket was reset, closed or broke), with a few
// words on why.
func lost(err error) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "57P01":
			return "the server ended the connection: it is shutting down or an administrator terminated the session", true
		case pe.Code == "57P02":
			return "the server crashed", true
		case pe.Code == "57P03":
			return "the server is starting up or shutting down", true
		case strings.HasPrefix(pe.Code, "08"):
			return "the connection failed", true
		}
		return "", false
	}
	switch {
	case errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone):
		return "the connection was closed", true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection", true
	case errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNRESET), errors.Is(err, net.ErrClosed):
		return "the connection broke", true
	}
	var ne *net.OpError
	if errors.As(err, &ne) {
		return "the connection broke", true
	}
	return "", false
}
