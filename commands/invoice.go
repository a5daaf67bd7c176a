package commands

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/io/printer"
	"github.com/stockctl/stockctl/orders/sales"
)

func (a *App) invoiceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "invoice",
		Short: "Invoices: list, show, export for an accounting system",
		Long: `Invoices are made by "stockctl so invoice" (or so release --ship --invoice). They are numbered
(setting number_format_inv, INV-000001 ...) and immutable.

Invoice numbers never skip: a number is taken in the transaction that writes the invoice, so
a --dry-run or a refused command uses none. Two commands invoicing at once take turns.`,
	}
	var f sales.InvoiceFilter
	var since string
	list := &cobra.Command{
		Use:     "list [--so SO] [--customer C] [--since D]",
		Short:   "List invoices, newest first",
		Example: "  stockctl invoice list\n  stockctl invoice list --customer ACME --since 2026-01-01 -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := sinceFlag(since, &f); err != nil {
				return err
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			rows, err := sales.Invoices(c.Context(), d, f)
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				a.say("no invoices")
			}
			return a.Printer().List(rows)
		},
	}
	show := &cobra.Command{
		Use:     "show INV",
		Short:   "Show an invoice with its lines",
		Example: "  stockctl invoice show INV-000001\n  stockctl invoice show INV-000001 -o json",
		Args:    args("INV"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			inv, err := sales.GetInvoice(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.printInvoice(inv)
		},
	}
	export := &cobra.Command{
		Use:   "export [FILE|-] [--so SO] [--customer C] [--since D]",
		Short: "Export invoice lines as CSV (or -o json) for an accounting system",
		Long: `Write one row per invoice line with its invoice's header (number, date, SO, customer,
currency, rate, line, SKU, qty, unit price, discount, tax rate, amount, tax, sales GL code,
invoice total) to FILE, or stdout when FILE is - or left out. CSV unless -o json.

` + fileHelp("FILE"),
		Example: "  stockctl invoice export invoices.csv --since 2026-06-01\n  stockctl invoice export - -o json",
		Args:    optionalArgs("FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := sinceFlag(since, &f); err != nil {
				return err
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			rows, err := sales.Export(c.Context(), d, f)
			if err != nil {
				return err
			}
			format := printer.CSV
			if a.Printer().Format == printer.JSON {
				format = printer.JSON
			}
			if len(args) == 0 || args[0] == "-" {
				return printer.New(a.Out, format, a.Fields, false, false).List(rows)
			}
			if err := writeFile(args[0], "FILE", func(w io.Writer) error {
				return printer.New(w, format, a.Fields, false, false).List(rows)
			}); err != nil {
				return err
			}
			a.say("%d invoice lines written to %s", len(rows), args[0])
			return nil
		},
	}
	for _, c := range []*cobra.Command{list, export} {
		c.Flags().StringVar(&f.SO, "so", "", "one sales order's invoices")
		c.Flags().StringVar(&f.Customer, "customer", "", "one customer's invoices")
		c.Flags().StringVar(&since, "since", "", "invoices dated on or after YYYY-MM-DD")
	}
	cmd.AddCommand(list, show, export)
	return cmd
}

func sinceFlag(since string, f *sales.InvoiceFilter) error {
	if since == "" {
		return nil
	}
	t, err := parseDate("since", since)
	if err != nil {
		return err
	}
	f.Since = &t
	return nil
}

// printInvoice prints an invoice: JSON as one object with its lines, a table as header then
// lines, CSV and --fields as the lines.
func (a *App) printInvoice(inv sales.InvoiceDoc) error {
	return a.printDocument(inv, inv.InvoiceHeader, inv.Lines)
}
