// Package region is the region command: adding and listing sales regions.
package region

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/region"
	"github.com/stockctl/stockctl/commands/app"
)

// NewCmd returns the region command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "region",
		Short: "Sales regions (states, territories) that companies and locations belong to",
	}
	cmd.AddCommand(newAddCmd(a), newListCmd(a))
	return cmd
}

// AddOptions are region add's argument and flags.
type AddOptions struct {
	App    *app.App
	Code   string
	Name   string
	DryRun bool
}

func newAddCmd(a *app.App) *cobra.Command {
	opts := &AddOptions{App: a}
	cmd := &cobra.Command{
		Use:     "add CODE",
		Short:   "Add a sales region",
		Example: "  stockctl region add NSW --name 'New South Wales'",
		Args:    app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Code = args[0]
			return runAdd(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "region name (default: the code)")
	app.DryRunFlag(cmd, &opts.DryRun, "validate without saving")
	return cmd
}

func runAdd(ctx context.Context, opts *AddOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (region.Region, error) {
		return region.Add(ctx, tx, opts.Code, opts.Name)
	})
}

// ListOptions are region list's: none but the invocation.
type ListOptions struct {
	App *app.App
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	return &cobra.Command{
		Use:     "list",
		Short:   "List sales regions",
		Example: "  stockctl region list -o csv",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runList(c.Context(), opts)
		},
	}
}

func runList(ctx context.Context, opts *ListOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]region.Region, error) {
		return region.List(ctx, d)
	})
}
