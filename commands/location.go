package commands

import (
	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/inventory/stock"
)

func (a *App) locationCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "location",
		Short: "Locations that hold stock: warehouses, stores, vans",
		Long: `Locations hold stock. Besides the ones you add, stockctl keeps virtual locations for the
other side of every move (suppliers, customers, adjustments, production, stocktakes, in
transit); they are never listed as stock and you never name them.`,
	}
	var name, region, address string
	var dry, all bool
	add := &cobra.Command{
		Use:     "add CODE --name NAME [--region R]",
		Short:   "Add a location",
		Example: "  stockctl location add MAIN --name \"Main warehouse\" --region CA\n  stockctl location add VAN1 --name \"Service van 1\"",
		Args:    args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			var l stock.Location
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				l, err = stock.AddLocation(c.Context(), tx, args[0], name, region, address)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(l)
		},
	}
	add.Flags().StringVar(&name, "name", "", "location name (default: the code)")
	add.Flags().StringVar(&region, "region", "", "sales region code")
	add.Flags().StringVar(&address, "address", "", "postal address, one line")
	add.Flags().BoolVar(&dry, "dry-run", false, "validate without saving")
	list := &cobra.Command{
		Use:     "list",
		Short:   "List locations",
		Example: "  stockctl location list -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			ls, err := stock.Locations(c.Context(), d, all)
			if err != nil {
				return err
			}
			return a.Printer().List(ls)
		},
	}
	list.Flags().BoolVar(&all, "all", false, "include inactive locations")
	show := &cobra.Command{
		Use:     "show CODE",
		Short:   "Show one location",
		Example: "  stockctl location show MAIN",
		Args:    args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			l, err := stock.ShowLocation(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().One(l)
		},
	}
	cmd.AddCommand(add, list, show)
	return cmd
}

func (a *App) bayCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bay", Short: "Bays: named spots inside a location (aisle 3 shelf B)"}
	var name string
	var dry bool
	add := &cobra.Command{
		Use:     "add LOCATION CODE",
		Short:   "Add a bay to a location",
		Example: "  stockctl bay add MAIN A3-B --name \"Aisle 3, shelf B\"",
		Args:    args("LOCATION", "CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			var b stock.Bay
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				b, err = stock.AddBay(c.Context(), tx, args[0], args[1], name)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(b)
		},
	}
	add.Flags().StringVar(&name, "name", "", "description of the bay")
	add.Flags().BoolVar(&dry, "dry-run", false, "validate without saving")
	list := &cobra.Command{
		Use:     "list LOCATION",
		Short:   "List the bays of a location",
		Example: "  stockctl bay list MAIN",
		Args:    args("LOCATION"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			bs, err := stock.Bays(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().List(bs)
		},
	}
	cmd.AddCommand(add, list)
	return cmd
}
