package commands

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/io/printer"
)

func (a *App) portalCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "portal", Short: "The web portal catalogue"}
	export := &cobra.Command{
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

` + fileHelp("FILE"),
		Example: "  stockctl portal export catalogue.csv\n  stockctl portal export -o json > catalogue.json",
		Args:    optionalArgs("FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			items, err := catalog.Portal(c.Context(), d)
			if err != nil {
				return err
			}
			format := printer.CSV
			if a.Output == "json" {
				format = printer.JSON
			}
			if len(args) == 0 || args[0] == "-" {
				return printer.New(a.Out, format, a.Fields, false, false).List(items)
			}
			if err := writeFile(args[0], "FILE", func(w io.Writer) error {
				return printer.New(w, format, a.Fields, false, false).List(items)
			}); err != nil {
				return err
			}
			a.say("%d portal products written to %s", len(items), args[0])
			return nil
		},
	}
	cmd.AddCommand(export)
	return cmd
}
