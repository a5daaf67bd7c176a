// Package commands is stockctl's command line: Main, the root command that assembles the
// nouns' commands (commands/<noun>, and the nouns not yet moved out of this package).
package commands

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/commands/app"
	backorderscmd "github.com/stockctl/stockctl/commands/backorders"
	batchcmd "github.com/stockctl/stockctl/commands/batch"
	companycmd "github.com/stockctl/stockctl/commands/company"
	currencycmd "github.com/stockctl/stockctl/commands/currency"
	democmd "github.com/stockctl/stockctl/commands/demo"
	docscmd "github.com/stockctl/stockctl/commands/docs"
	historycmd "github.com/stockctl/stockctl/commands/history"
	invoicecmd "github.com/stockctl/stockctl/commands/invoice"
	landedcostcmd "github.com/stockctl/stockctl/commands/landedcost"
	locationcmd "github.com/stockctl/stockctl/commands/location"
	portalcmd "github.com/stockctl/stockctl/commands/portal"
	pricetypecmd "github.com/stockctl/stockctl/commands/pricetype"
	regioncmd "github.com/stockctl/stockctl/commands/region"
	settingscmd "github.com/stockctl/stockctl/commands/settings"
	suppliercmd "github.com/stockctl/stockctl/commands/supplier"
	timebillcmd "github.com/stockctl/stockctl/commands/timebill"
	trainingcmd "github.com/stockctl/stockctl/commands/training"
	transfercmd "github.com/stockctl/stockctl/commands/transfer"
	uomcmd "github.com/stockctl/stockctl/commands/uom"
	versioncmd "github.com/stockctl/stockctl/commands/version"
	wocmd "github.com/stockctl/stockctl/commands/wo"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/printer"
)

// version is set at build time with -ldflags "-X github.com/stockctl/stockctl/commands.version=...".
var version = "dev"

// App is one invocation (app.App) as this package runs it: Main and Run build the Cobra tree
// over it. Callers fill its streams (In, Out, Err, the TTY flags) and may give a Pool.
type App app.App

// app is the invocation as the noun packages take it.
func (a *App) app() *app.App { return (*app.App)(a) }

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
	return a.app().Execute(ctx, a.newRoot(), args)
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
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return app.FlagError(err) })
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if _, err := printer.ParseFormat(a.Output); err != nil {
			return err
		}
		return app.RefusedFlag(c)
	}
	root.AddCommand(
		a.dbCmd(),
		settingscmd.NewCmd(a.app()),
		regioncmd.NewCmd(a.app()),
		currencycmd.NewCmd(a.app()),
		companycmd.NewCmd(a.app()),
		a.productCmd(),
		portalcmd.NewCmd(a.app()),
		locationcmd.NewCmd(a.app()),
		locationcmd.NewBayCmd(a.app()),
		batchcmd.NewCmd(a.app()), a.serialCmd(),
		a.stockCmd(),
		transfercmd.NewCmd(a.app()),
		a.stocktakeCmd(),
		pricetypecmd.NewCmd(a.app()), a.priceCmd(),
		suppliercmd.NewCmd(a.app()), a.rfqCmd(), a.poCmd(), landedcostcmd.NewCmd(a.app()),
		a.soCmd(), backorderscmd.NewCmd(a.app()), invoicecmd.NewCmd(a.app()),
		wocmd.NewCmd(a.app()),
		timebillcmd.NewCmd(a.app()), trainingcmd.NewCmd(a.app()),
		uomcmd.NewCmd(a.app()),
		historycmd.NewCmd(a.app()),
		democmd.NewCmd(a.app()),
		versioncmd.NewCmd(a.app(), version),
		docscmd.NewCmd(a.app(), version),
		exitCodesTopic(),
	)
	guardGroups(root)
	return root
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
