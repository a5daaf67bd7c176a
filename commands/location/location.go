// Package location is the location and bay commands: the places that hold stock.
package location

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/inventory/stock"
)

// NewCmd returns the location command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "location",
		Short: "Locations that hold stock: warehouses, stores, vans",
		Long: `Locations hold stock. Besides the ones you add, stockctl keeps virtual locations for the
other side of every move (suppliers, customers, adjustments, production, stocktakes, in
transit); they are never listed as stock and you never name them.`,
	}
	cmd.AddCommand(newAddCmd(a), newListCmd(a), newShowCmd(a))
	return cmd
}

// AddOptions are location add's argument and flags.
type AddOptions struct {
	App                         *app.App
	Code, Name, Region, Address string
	DryRun                      bool
}

func newAddCmd(a *app.App) *cobra.Command {
	opts := &AddOptions{App: a}
	cmd := &cobra.Command{
		Use:     "add CODE --name NAME [--region R]",
		Short:   "Add a location",
		Example: "  stockctl location add MAIN --name \"Main warehouse\" --region CA\n  stockctl location add VAN1 --name \"Service van 1\"",
		Args:    app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Code = args[0]
			return runAdd(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "location name (default: the code)")
	cmd.Flags().StringVar(&opts.Region, "region", "", "sales region code")
	cmd.Flags().StringVar(&opts.Address, "address", "", "postal address, one line")
	app.DryRunFlag(cmd, &opts.DryRun, "validate without saving")
	return cmd
}

func runAdd(ctx context.Context, opts *AddOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (stock.Location, error) {
		return stock.AddLocation(ctx, tx, opts.Code, opts.Name, opts.Region, opts.Address)
	})
}

// ListOptions are location list's flags.
type ListOptions struct {
	App *app.App
	All bool
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List locations",
		Example: "  stockctl location list -o json",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runList(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "include inactive locations")
	return cmd
}

func runList(ctx context.Context, opts *ListOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]stock.Location, error) {
		return stock.Locations(ctx, d, opts.All)
	})
}

// ShowOptions are location show's argument.
type ShowOptions struct {
	App  *app.App
	Code string
}

func newShowCmd(a *app.App) *cobra.Command {
	opts := &ShowOptions{App: a}
	return &cobra.Command{
		Use:     "show CODE",
		Short:   "Show one location",
		Example: "  stockctl location show MAIN",
		Args:    app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Code = args[0]
			return runShow(c.Context(), opts)
		},
	}
}

func runShow(ctx context.Context, opts *ShowOptions) error {
	d, err := opts.App.DB(ctx)
	if err != nil {
		return err
	}
	l, err := stock.ShowLocation(ctx, d, opts.Code)
	if err != nil {
		return err
	}
	return opts.App.Printer().One(l)
}
