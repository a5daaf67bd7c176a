package commands

import (
	"context"
	"io"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/commands/app"
	invoicecmd "github.com/stockctl/stockctl/commands/invoice"
	transfercmd "github.com/stockctl/stockctl/commands/transfer"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgserver"
	"github.com/stockctl/stockctl/io/csvio"
	"github.com/stockctl/stockctl/io/printer"
	"github.com/stockctl/stockctl/orders/sales"
)

// The nouns not yet in packages of their own (stock, stocktake, product, po, price) still
// call the shared plumbing by the names it had in this package: these forwarders and aliases
// keep those files as they were while they are being changed elsewhere. Each goes when the
// last noun calling it moves to commands/<noun>, which calls commands/app directly.

func (a *App) DB(ctx context.Context) (*sqlx.DB, error) { return a.app().DB(ctx) }
func (a *App) Printer() *printer.Printer                { return a.app().Printer() }
func (a *App) say(format string, args ...any)           { a.app().Say(format, args...) }
func (a *App) scrub(msg string) string                  { return a.app().Scrub(msg) }
func (a *App) confirm(yes bool, question string) error {
	return a.app().Confirm(yes, question)
}
func (a *App) write(c *cobra.Command, dry bool, fn func(tx *sqlx.Tx) error) error {
	return a.app().Write(c.Context(), dry, fn)
}
func (a *App) printDocument(whole, header, lines any, more ...any) error {
	return a.app().PrintDocument(whole, header, lines, more...)
}
func (a *App) snapshot(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return a.app().Snapshot(ctx, fn)
}
func (a *App) tableOnly() bool { return a.app().TableOnly() }
func (a *App) openInput(name string) (io.Reader, int64, func(), error) {
	return a.app().OpenInput(name)
}
func (a *App) progress(what string, size int64) (func(int64), func()) {
	return a.app().Progress(what, size)
}
func (a *App) runImport(c *cobra.Command, name string, f *importFlags, spec importSpec) error {
	return a.app().RunImport(c, name, f, spec)
}
func (a *App) runExport(c *cobra.Command, argv []string, what string, export func(q sqlx.QueryerContext, w *csvio.Writer) (int64, error)) error {
	return a.app().RunExport(c, argv, what, export)
}
func (a *App) runCopyExport(c *cobra.Command, argv []string, what string, export func(b *db.Bulk, w io.Writer) (int64, error)) error {
	return a.app().RunCopyExport(c, argv, what, export)
}
func (a *App) readFile(name string, f *csvReadFlags, columns, required []string, what string, read func(r *csvio.Reader) (int, error)) error {
	return a.app().ReadFile(name, f, columns, required, what, read)
}
func (a *App) reportRows(what, done string, err error) error {
	return a.app().ReportRows(what, done, err)
}
func (a *App) printImport(res csvio.Result, rejects []csvio.Rejected) error {
	return a.app().PrintImport(res, rejects)
}

type (
	decimalFlag  = app.DecimalFlag
	importFlags  = app.ImportFlags
	importSpec   = app.ImportSpec
	csvReadFlags = app.CSVReadFlags
)

const (
	positive    = app.Positive
	nonNegative = app.NonNegative
	anySign     = app.AnySign
)

var (
	args         = app.Args
	optionalArgs = app.OptionalArgs
	numberError  = app.NumberError
	quoteArg     = app.QuoteArg
	parseNumber  = app.ParseNumber
	quantityArg  = app.QuantityArg
	parseDate    = app.ParseDate
	optionalDate = app.OptionalDate
	parseChoices = app.ParseChoices
	intVar       = app.IntVar
	fileHelp     = app.FileHelp
	writeFile    = app.WriteFile
	fileError    = app.FileError
	notSameFile  = app.NotSameFile
	unwrapPath   = app.UnwrapPath
	unitFlags    = app.UnitFlags
)

func ptr[T any](c *cobra.Command, flag string, v T) *T { return app.Ptr(c, flag, v) }

func (a *App) connect(ctx context.Context) (*sqlx.DB, error) { return a.app().Connect(ctx) }
func (a *App) session() (db.Session, error)                  { return a.app().Session() }
func (a *App) privateServer() (*pgserver.Server, error)      { return a.app().PrivateServer() }

// printInvoice is how so invoice prints its invoice (invoicecmd.Print).
func (a *App) printInvoice(inv sales.InvoiceDoc) error { return invoicecmd.Print(a.app(), inv) }

// stockTransferCmd is stock transfer, which lives with the transfer command.
func (a *App) stockTransferCmd() *cobra.Command { return transfercmd.NewStockTransferCmd(a.app()) }
