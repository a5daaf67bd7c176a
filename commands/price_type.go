package commands

import (
	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/pricetype"
)

func (a *App) priceTypeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "price-type",
		Short: "Price types: the named price levels customers are on (retail, wholesale, trade ...)",
		Long: `Price types are named price levels. Every customer is on one (company add/edit --price-type);
a new customer gets the default price type (setting default_price_type, retail out of the box).
Quantity price breaks are given per product and price type (stockctl price break add).`,
	}
	var name string
	var dry bool
	add := &cobra.Command{
		Use:     "add CODE [--name N]",
		Short:   "Add a price type",
		Example: "  stockctl price-type add vip --name \"VIP customers\"\n  stockctl price-type add export --dry-run",
		Args:    args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			var pt pricetype.PriceType
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				pt, err = pricetype.AddType(c.Context(), tx, args[0], name)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(pt)
		},
	}
	add.Flags().StringVar(&name, "name", "", "price type name (default: the code)")
	add.Flags().BoolVar(&dry, "dry-run", false, "validate without saving")

	list := &cobra.Command{
		Use:     "list",
		Short:   "List the price types, which one is the default and how many customers are on each",
		Example: "  stockctl price-type list\n  stockctl price-type list -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			ts, err := pricetype.Types(c.Context(), d)
			if err != nil {
				return err
			}
			return a.Printer().List(ts)
		},
	}

	var defDry bool
	def := &cobra.Command{
		Use:   "default CODE",
		Short: "Make a price type the default (setting default_price_type)",
		Long: `Make CODE the default price type: new customers get it, customers without a better rule are
priced by its break rows, and its first break row (no region, minimum 0) is each product's
unit sell price. The same as "stockctl settings set default_price_type CODE".

Prices stay steady across the change: the old default's first rows (the sell prices) are kept
as ordinary break rows of the old price type, so its customers pay what they paid; where the
new default has a first row of its own, that price becomes the product's unit sell price
(products priced by a formula keep their computed sell price).`,
		Example: "  stockctl price-type default trade\n  stockctl price-type default wholesale --dry-run",
		Args:    args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			var pt pricetype.PriceType
			err := a.write(c, defDry, func(tx *sqlx.Tx) (err error) {
				pt, err = pricetype.SetDefault(c.Context(), tx, args[0])
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(pt)
		},
	}
	def.Flags().BoolVar(&defDry, "dry-run", false, "show the result without saving")

	activeCmd := func(verb string, active bool) *cobra.Command {
		var dry bool
		short := "Deactivate a price type: it can no longer be given to customers or break rows"
		long := `Deactivate a price type. It can no longer be given to customers or used for new break rows;
its rows are kept. Customers still on it are priced as if they had no price type (by the
default price type) until they are moved or it is activated again. The default price type
cannot be deactivated.`
		example := "  stockctl price-type deactivate export"
		if active {
			short = "Activate a price type again"
			long = "Activate a price type again: its customers are priced by its break rows again."
			example = "  stockctl price-type activate export"
		}
		cmd := &cobra.Command{
			Use:     verb + " CODE",
			Short:   short,
			Long:    long,
			Example: example,
			Args:    args("CODE"),
			RunE: func(c *cobra.Command, args []string) error {
				var info pricetype.TypeInfo
				err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
					info, err = pricetype.SetTypeActive(c.Context(), tx, args[0], active)
					return err
				})
				if err != nil {
					return err
				}
				if !active && info.Customers > 0 {
					a.say("%d customer(s) on price type %s are now priced by the default price type: move them with stockctl company edit CODE --price-type T", info.Customers, info.Code)
				}
				return a.Printer().One(info)
			},
		}
		cmd.Flags().BoolVar(&dry, "dry-run", false, "show the result without saving")
		return cmd
	}
	cmd.AddCommand(add, list, def, activeCmd("deactivate", false), activeCmd("activate", true))
	return cmd
}
