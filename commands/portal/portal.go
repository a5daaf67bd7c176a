// Package portal is the portal command: the web portal's catalogue export.
package portal

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/io/printer"
)

// NewCmd returns the portal command and its verb.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{Use: "portal", Short: "The web portal catalogue"}
	cmd.AddCommand(newExportCmd(a))
	return cmd
}

// ExportOptions are portal export's argument: the file, "" or "-" for standard output.
type ExportOptions struct {
	App  *app.App
	File string
}

func newExportCmd(a *app.App) *cobra.Command {
	opts := &ExportOptions{App: a}
	return &cobra.Command{
		Use:   "export [FILE|-]",
		Short: "Write the portal catalogue (active portal products with price and availability)",
		Long: `Write every active product marked --portal with its portal description (else its
description), sell price in the base currency, sales unit, first barcode and the quantity
available over all locations (on hand less allocated). Non-stock products are always in stock.

price is the unit sell price as stored (exact), which holds the tax when the setting
prices_include_tax is true (column prices_include_tax); tax_rate is the product's sales tax
rate (else tax_rate_sales); price_net, price_tax and price_gross are one unit at that price
split the way a sales order line is (rounded half away from zero to the currency's minor
unit), so a shop can show either.

CSV by default, JSON with -o json. "-" or no FILE writes to stdout.

` + app.FileHelp("FILE"),
		Example: "  stockctl portal export catalogue.csv\n  stockctl portal export -o json > catalogue.json",
		Args:    app.OptionalArgs("FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.File = args[0]
			}
			return runExport(c.Context(), opts)
		},
	}
}

func runExport(ctx context.Context, opts *ExportOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	items, err := catalog.Portal(ctx, d)
	if err != nil {
		return err
	}
	format := printer.CSV
	if a.Output == "json" {
		format = printer.JSON
	}
	if opts.File == "" || opts.File == "-" {
		return printer.New(a.Out, format, a.Fields, false, false).List(items)
	}
	if err := app.WriteFile(opts.File, "FILE", func(w io.Writer) error {
		return printer.New(w, format, a.Fields, false, false).List(items)
	}); err != nil {
		return err
	}
	a.Say("%d portal products written to %s", len(items), opts.File)
	return nil
}
