// Package app is one invocation of stockctl as every command sees it: its streams, global
// flags, database, printer, the messages for people and the error → exit code mapping.
package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"reflect"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgserver"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/printer"
)

// App is one invocation: its streams, global flags and the database it opened.
type App struct {
	In          io.Reader
	Out, Err    io.Writer
	InTTY       bool // stdin is a terminal: destructive commands may ask instead of demanding --yes
	OutTTY      bool // stdout is a terminal: tables are drawn, colours may be used
	ErrTTY      bool // stderr is a terminal: progress bars may be drawn
	DBURL       string
	Schema      string // --schema; see schema()
	Output      string
	Fields      []string
	Actor       string
	ShowVersion bool
	// Pool, when set, is the database every command uses, opened by the caller (a test, a
	// program running many command lines): its schema is taken as current, and it is left
	// open.
	Pool *sqlx.DB

	conn *sqlx.DB
	src  db.Source
}

// unclassifiedFile makes a file that could not be opened, read or written, which no command
// classified, invalid input naming the file.
func unclassifiedFile(err error) error {
	var pe *fs.PathError
	if fault.KindOf(err) != fault.Unexpected || !errors.As(err, &pe) {
		return err
	}
	return &fault.Error{Kind: fault.Invalid, Msg: fmt.Sprintf("cannot %s %s: %v", pe.Op, pe.Path, pe.Err)}
}

// PrintDocument prints a document with lines (an order, a transfer, an invoice ...): with -o
// json the whole document as one object; with -o csv or --fields its lines, so the columns
// are the lines'; as a table the header, then each section that has rows (the lines first)
// after a blank line.
func (a *App) PrintDocument(whole, header, lines any, more ...any) error {
	p := a.Printer()
	switch {
	case p.Format == printer.JSON:
		return p.One(whole)
	case p.Format == printer.CSV || len(a.Fields) > 0:
		return p.List(lines)
	}
	if err := p.One(header); err != nil {
		return err
	}
	for _, section := range append([]any{lines}, more...) {
		if v := reflect.ValueOf(section); v.Kind() == reflect.Slice && v.Len() == 0 {
			continue
		}
		if _, err := a.Out.Write([]byte("\n")); err != nil {
			return err
		}
		if err := p.List(section); err != nil {
			return err
		}
	}
	return nil
}

// DB opens the database on first use: the chosen URL (whose schema must already be current),
// or the private server, started and migrated as needed.
func (a *App) DB(ctx context.Context) (*sqlx.DB, error) {
	if a.Pool != nil {
		return a.Pool, nil
	}
	if a.conn != nil {
		return a.conn, nil
	}
	conn, err := a.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if a.src.Private {
		err = migrateIfPending(ctx, conn.DB)
	} else {
		err = db.CheckSchema(ctx, conn.DB, "the database from "+a.src.From)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	a.conn = conn
	return conn, nil
}

// Connect opens the database without looking at its schema (db migrate and db status need that).
func (a *App) Connect(ctx context.Context) (*sqlx.DB, error) {
	a.src = db.Resolve(a.DBURL)
	url := a.src.URL
	if a.src.Private {
		srv, err := a.PrivateServer()
		if err != nil {
			return nil, err
		}
		if url, err = srv.Ensure(ctx); err != nil {
			return nil, err
		}
	}
	sess, err := a.Session()
	if err != nil {
		return nil, err
	}
	return db.Open(ctx, url, sess)
}

// Session is who the connection acts for and the schema it works in.
func (a *App) Session() (db.Session, error) {
	schema, _, err := db.ResolveSchema(a.Schema)
	return db.Session{Actor: a.actor(), Schema: schema}, err
}

func (a *App) PrivateServer() (*pgserver.Server, error) {
	home, err := pgserver.DefaultHome()
	if err != nil {
		return nil, err
	}
	var opts []pgserver.Option
	if dir := os.Getenv("STOCKCTL_PG_BINDIR"); dir != "" {
		opts = append(opts, pgserver.WithBinDir(dir))
	}
	return pgserver.New(home, opts...), nil
}

func migrateIfPending(ctx context.Context, d *sql.DB) error {
	v, err := db.SchemaVersion(ctx, d)
	if err != nil {
		return err
	}
	if v.Current == v.Target {
		return nil
	}
	if v.Current > v.Target {
		return db.CheckSchema(ctx, d, "the private database")
	}
	_, err = db.Migrate(ctx, d)
	return err
}

// Close closes the database opened by DB or Connect (not a Pool given by the caller).
func (a *App) Close() {
	if a.conn != nil {
		a.conn.Close()
		a.conn = nil
	}
}

func (a *App) actor() string {
	if a.Actor != "" {
		return a.Actor
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// Printer renders data to stdout in the chosen format.
func (a *App) Printer() *printer.Printer {
	f, _ := printer.ParseFormat(a.Output)
	return printer.New(a.Out, f, a.Fields, a.OutTTY, a.color())
}

// color reports whether colours may be used on stdout.
func (a *App) color() bool {
	_, noColor := os.LookupEnv("NO_COLOR")
	return a.OutTTY && !noColor
}

// Say writes a message for people to stderr, its control characters escaped (the values
// in it come from the user and the database; printer.EscapeLines).
func (a *App) Say(format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	msg = printer.EscapeLines(strings.TrimSuffix(msg, "\n")) + "\n"
	_, _ = io.WriteString(a.Err, a.Scrub(msg))
}

// Execute runs the command tree root on args and returns the exit code, the error reported
// on stderr; it closes the database at the end.
func (a *App) Execute(ctx context.Context, root *cobra.Command, args []string) int {
	defer a.Close()
	root.SetArgs(NumbersAsArguments(root, args))
	root.SetIn(a.In)
	root.SetOut(a.Out)
	root.SetErr(a.Err)
	cmd, err := root.ExecuteContextC(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		// One plain line whatever the interrupted step said (context canceled, a cancelled
		// statement, a closed connection): the transaction was rolled back.
		err = &fault.Error{Kind: fault.Interrupted, Msg: "interrupted"}
	case err != nil:
		// Driver errors and files that reached here unclassified still get their exit code.
		err = unclassifiedFile(db.Classify(err))
	}
	return a.Report(cmd, err)
}

// Snapshot runs fn in a read-only REPEATABLE READ transaction, so every statement it makes
// sees the same committed state even while others post stock.
func (a *App) Snapshot(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	tx, err := d.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return db.Classify(err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

// Write runs fn in one transaction (rolled back with --dry-run, which it then says).
func (a *App) Write(ctx context.Context, dry bool, fn func(tx *sqlx.Tx) error) error {
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	if err := db.InTxOrDryRun(ctx, d, dry, fn); err != nil {
		return err
	}
	if dry {
		a.Say("dry run: nothing was written")
	}
	return nil
}

// WriteThenPrint is the shape of most writing commands: fn in one transaction (Write, so
// --dry-run rolls it back and says so), then the row it returns printed as one item.
func WriteThenPrint[T any](ctx context.Context, a *App, dry bool, fn func(tx *sqlx.Tx) (T, error)) error {
	v, err := WriteThen(ctx, a, dry, fn)
	if err != nil {
		return err
	}
	return a.Printer().One(v)
}

// WriteThen runs fn in one transaction (Write: --dry-run rolls it back and says so) and
// returns what fn made, for a command that says or prints more than the one row.
func WriteThen[T any](ctx context.Context, a *App, dry bool, fn func(tx *sqlx.Tx) (T, error)) (T, error) {
	var v T
	err := a.Write(ctx, dry, func(tx *sqlx.Tx) (err error) {
		v, err = fn(tx)
		return err
	})
	return v, err
}

// ReadThenList is the shape of most listing commands, WriteThenPrint's twin: fn reads rows
// from the database, which are printed as a list.
func ReadThenList[T any](ctx context.Context, a *App, fn func(q *sqlx.DB) ([]T, error)) error {
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	rows, err := fn(d)
	if err != nil {
		return err
	}
	return a.Printer().List(rows)
}

// DryRunFlag registers --dry-run. usage is the command's own help text: the texts differ
// from command to command today and help output must not change.
func DryRunFlag(c *cobra.Command, dry *bool, usage string) {
	c.Flags().BoolVar(dry, "dry-run", false, usage)
}

// Source is where the database came from, once DB or Connect has opened it.
func (a *App) Source() db.Source { return a.src }
