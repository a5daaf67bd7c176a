package location

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/inventory/stock"
)

// NewBayCmd returns the bay command and its verbs.
func NewBayCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{Use: "bay", Short: "Bays: named spots inside a location (aisle 3 shelf B)"}
	cmd.AddCommand(newBayAddCmd(a), newBayListCmd(a))
	return cmd
}

// BayAddOptions are bay add's arguments and flags.
type BayAddOptions struct {
	App                  *app.App
	Location, Code, Name string
	DryRun               bool
}

func newBayAddCmd(a *app.App) *cobra.Command {
	opts := &BayAddOptions{App: a}
	cmd := &cobra.Command{
		Use:     "add LOCATION CODE",
		Short:   "Add a bay to a location",
		Example: "  stockctl bay add MAIN A3-B --name \"Aisle 3, shelf B\"",
		Args:    app.Args("LOCATION", "CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Location, opts.Code = args[0], args[1]
			return runBayAdd(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "description of the bay")
	app.DryRunFlag(cmd, &opts.DryRun, "validate without saving")
	return cmd
}

func runBayAdd(ctx context.Context, opts *BayAddOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (stock.Bay, error) {
		return stock.AddBay(ctx, tx, opts.Location, opts.Code, opts.Name)
	})
}

// BayListOptions are bay list's argument.
type BayListOptions struct {
	App      *app.App
	Location string
}

func newBayListCmd(a *app.App) *cobra.Command {
	opts := &BayListOptions{App: a}
	return &cobra.Command{
		Use:     "list LOCATION",
		Short:   "List the bays of a location",
		Example: "  stockctl bay list MAIN",
		Args:    app.Args("LOCATION"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Location = args[0]
			return runBayList(c.Context(), opts)
		},
	}
}

func runBayList(ctx context.Context, opts *BayListOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]stock.Bay, error) {
		return stock.Bays(ctx, d, opts.Location)
	})
}
