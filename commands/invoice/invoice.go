// Package invoice is the invoice command: listing, showing and exporting invoices.
package invoice

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/io/printer"
	"github.com/stockctl/stockctl/orders/sales"
)

// NewCmd returns the invoice command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "invoice",
		Short: "Invoices: list, show, export for an accounting system",
		Long: `Invoices are made by "stockctl so invoice" (or so release --ship --invoice). They are numbered
(setting number_format_inv, INV-000001 ...) and immutable.

Invoice numbers never skip: a number is taken in the transaction that writes the invoice, so
a --dry-run or a refused command uses none. Two commands invoicing at once take turns.`,
	}
	cmd.AddCommand(newListCmd(a), newShowCmd(a), newExportCmd(a))
	return cmd
}

// Print prints an invoice: JSON as one object with its lines, a table as header then
// lines, CSV and --fields as the lines. so invoice prints through it too.
func Print(a *app.App, inv sales.InvoiceDoc) error {
	return a.PrintDocument(inv, inv.InvoiceHeader, inv.Lines)
}

// filterFlags are the flags list and export share.
type filterFlags struct {
	f     sales.InvoiceFilter
	since string
}

func (ff *filterFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&ff.f.SO, "so", "", "one sales order's invoices")
	c.Flags().StringVar(&ff.f.Customer, "customer", "", "one customer's invoices")
	c.Flags().StringVar(&ff.since, "since", "", "invoices dated on or after YYYY-MM-DD")
}

// filter is the filter the flags give, --since read.
func (ff *filterFlags) filter() (sales.InvoiceFilter, error) {
	f := ff.f
	if ff.since == "" {
		return f, nil
	}
	t, err := app.ParseDate("since", ff.since)
	if err != nil {
		return f, err
	}
	f.Since = &t
	return f, nil
}

// ListOptions are invoice list's flags.
type ListOptions struct {
	App    *app.App
	Filter sales.InvoiceFilter
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	var ff filterFlags
	cmd := &cobra.Command{
		Use:     "list [--so SO] [--customer C] [--since D]",
		Short:   "List invoices, newest first",
		Example: "  stockctl invoice list\n  stockctl invoice list --customer ACME --since 2026-01-01 -o json",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) (err error) {
			if opts.Filter, err = ff.filter(); err != nil {
				return err
			}
			return runList(c.Context(), opts)
		},
	}
	ff.register(cmd)
	return cmd
}

func runList(ctx context.Context, opts *ListOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	rows, err := sales.Invoices(ctx, d, opts.Filter)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		a.Say("no invoices")
	}
	return a.Printer().List(rows)
}

// ShowOptions are invoice show's argument.
type ShowOptions struct {
	App    *app.App
	Number string
}

func newShowCmd(a *app.App) *cobra.Command {
	opts := &ShowOptions{App: a}
	return &cobra.Command{
		Use:     "show INV",
		Short:   "Show an invoice with its lines",
		Example: "  stockctl invoice show INV-000001\n  stockctl invoice show INV-000001 -o json",
		Args:    app.Args("INV"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Number = args[0]
			return runShow(c.Context(), opts)
		},
	}
}

func runShow(ctx context.Context, opts *ShowOptions) error {
	d, err := opts.App.DB(ctx)
	if err != nil {
		return err
	}
	inv, err := sales.GetInvoice(ctx, d, opts.Number)
	if err != nil {
		return err
	}
	return Print(opts.App, inv)
}

// ExportOptions are invoice export's argument ("" or "-": standard output) and flags.
type ExportOptions struct {
	App    *app.App
	File   string
	Filter sales.InvoiceFilter
}

func newExportCmd(a *app.App) *cobra.Command {
	opts := &ExportOptions{App: a}
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "export [FILE|-] [--so SO] [--customer C] [--since D]",
		Short: "Export invoice lines as CSV (or -o json) for an accounting system",
		Long: `Write one row per invoice line with its invoice's header (number, date, SO, customer,
currency, rate, line, SKU, qty, unit price, discount, tax rate, amount, tax, sales GL code,
invoice total) to FILE, or stdout when FILE is - or left out. CSV unless -o json.

` + app.FileHelp("FILE"),
		Example: "  stockctl invoice export invoices.csv --since 2026-06-01\n  stockctl invoice export - -o json",
		Args:    app.OptionalArgs("FILE"),
		RunE: func(c *cobra.Command, args []string) (err error) {
			if opts.Filter, err = ff.filter(); err != nil {
				return err
			}
			if len(args) > 0 {
				opts.File = args[0]
			}
			return runExport(c.Context(), opts)
		},
	}
	ff.register(cmd)
	return cmd
}

func runExport(ctx context.Context, opts *ExportOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	rows, err := sales.Export(ctx, d, opts.Filter)
	if err != nil {
		return err
	}
	format := printer.CSV
	if a.Printer().Format == printer.JSON {
		format = printer.JSON
	}
	if opts.File == "" || opts.File == "-" {
		return printer.New(a.Out, format, a.Fields, false, false).List(rows)
	}
	if err := app.WriteFile(opts.File, "FILE", func(w io.Writer) error {
		return printer.New(w, format, a.Fields, false, false).List(rows)
	}); err != nil {
		return err
	}
	a.Say("%d invoice lines written to %s", len(rows), opts.File)
	return nil
}
