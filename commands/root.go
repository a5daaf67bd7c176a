// Package commands is stockctl's command line: the Cobra tree, flag parsing, output and exit
// codes. It is the only package that knows about terminals; the work is done by the domain.
package commands

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"os/user"
	"reflect"
	"strings"
	"syscall"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgserver"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/printer"
)

// version is set at build time with -ldflags "-X github.com/stockctl/stockctl/commands.version=...".
var version = "dev"

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

// Main runs stockctl with the process's arguments and streams and returns its exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &App{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, InTTY: isTerminal(os.Stdin),
		OutTTY: isTerminal(os.Stdout), ErrTTY: isTerminal(os.Stderr)}
	return app.Run(ctx, os.Args[1:])
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// Run executes one command line and returns the exit code; tests call it in-process.
func (a *App) Run(ctx context.Context, args []string) int {
	defer a.close()
	root := a.newRoot()
	root.SetArgs(numbersAsArguments(root, args))
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
	return a.report(cmd, err)
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

func (a *App) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "stockctl",
		Short: "Run a business's inventory on PostgreSQL from the command line",
		Long: `stockctl runs a business's inventory on PostgreSQL: products, stock in locations,
purchasing, sales orders with backorders, pricing, stocktakes and time billing.

Commands read: stockctl NOUN VERB [ARGS] [FLAGS]. Data goes to stdout (a table on a terminal,
tab-separated when piped, or -o json / -o csv), messages and errors to stderr, and the exit code
says what happened (see "stockctl help exit-codes").

Without --db, STOCKCTL_DATABASE_URL or DATABASE_URL, stockctl runs its own private PostgreSQL
server under $STOCKCTL_HOME and starts it on first use.`,
		Example: `  stockctl demo                      # load a small business and see what to try
  stockctl company list --customers -o json
  stockctl currency rate set EUR 1.08 --date 2026-01-01`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		Version:           version,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.DBURL, "db", "", "database URL (else $STOCKCTL_DATABASE_URL, $DATABASE_URL, or the private server)")
	pf.StringVar(&a.Schema, "schema", "", "the schema holding the business (else $STOCKCTL_SCHEMA, else stockctl); one database can hold several")
	pf.StringVarP(&a.Output, "output", "o", "table", "output format: table, json or csv")
	pf.StringSliceVar(&a.Fields, "fields", nil, "columns to print, comma-separated (see -o json for names)")
	pf.StringVar(&a.Actor, "actor", "", "who is making the change, recorded on every change (default: the OS user)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return flagError(err) })
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if _, err := printer.ParseFormat(a.Output); err != nil {
			return err
		}
		return refusedFlag(c)
	}
	root.AddCommand(
		a.dbCmd(),
		a.settingsCmd(),
		a.regionCmd(),
		a.currencyCmd(),
		a.companyCmd(),
		a.productCmd(),
		a.portalCmd(),
		a.locationCmd(),
		a.bayCmd(),
		a.batchCmd(), a.serialCmd(),
		a.stockCmd(),
		a.transferCmd(),
		a.stocktakeCmd(),
		a.priceTypeCmd(), a.priceCmd(),
		a.supplierCmd(), a.rfqCmd(), a.poCmd(), a.landedCostCmd(),
		a.soCmd(), a.backordersCmd(), a.invoiceCmd(),
		a.woCmd(),
		a.timeCmd(), a.trainingCmd(),
		a.uomCmd(),
		a.historyCmd(),
		a.demoCmd(),
		a.versionCmd(),
		a.docsCmd(),
		exitCodesTopic(),
	)
	guardGroups(root)
	return root
}

// printDocument prints a document with lines (an order, a transfer, an invoice ...): with -o
// json the whole document as one object; with -o csv or --fields its lines, so the columns
// are the lines'; as a table the header, then each section that has rows (the lines first)
// after a blank line.
func (a *App) printDocument(whole, header, lines any, more ...any) error {
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

// guardGroups makes every command that only groups verbs print its help when called alone
// and refuse unknown verbs as a usage error, instead of silently succeeding.
func guardGroups(c *cobra.Command) {
	for _, sub := range c.Commands() {
		guardGroups(sub)
	}
	if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fault.Usagef("", "unknown command %q for %q: see %s --help", args[0], cmd.CommandPath(), cmd.CommandPath())
			}
			return nil
		}
		c.RunE = func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			return cmd.Help()
		}
	}
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
	conn, err := a.connect(ctx)
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

// connect opens the database without looking at its schema (db migrate and db status need that).
func (a *App) connect(ctx context.Context) (*sqlx.DB, error) {
	a.src = db.Resolve(a.DBURL)
	url := a.src.URL
	if a.src.Private {
		srv, err := a.privateServer()
		if err != nil {
			return nil, err
		}
		if url, err = srv.Ensure(ctx); err != nil {
			return nil, err
		}
	}
	sess, err := a.session()
	if err != nil {
		return nil, err
	}
	return db.Open(ctx, url, sess)
}

// session is who the connection acts for and the schema it works in.
func (a *App) session() (db.Session, error) {
	schema, _, err := db.ResolveSchema(a.Schema)
	return db.Session{Actor: a.actor(), Schema: schema}, err
}

func (a *App) privateServer() (*pgserver.Server, error) {
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

func (a *App) close() {
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

// say writes a message for people to stderr, its control characters escaped (the values
// in it come from the user and the database; printer.EscapeLines).
func (a *App) say(format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	msg = printer.EscapeLines(strings.TrimSuffix(msg, "\n")) + "\n"
	_, _ = io.WriteString(a.Err, a.scrub(msg))
}
