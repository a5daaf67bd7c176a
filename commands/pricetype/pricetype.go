// Package pricetype is the price-type command: the named price levels customers are on.
package pricetype

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/pricetype"
	"github.com/stockctl/stockctl/commands/app"
)

// NewCmd returns the price-type command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "price-type",
		Short: "Price types: the named price levels customers are on (retail, wholesale, trade ...)",
		Long: `Price types are named price levels. Every customer is on one (company add/edit --price-type);
a new customer gets the default price type (setting default_price_type, retail out of the box).
Quantity price breaks are given per product and price type (stockctl price break add).`,
	}
	cmd.AddCommand(newAddCmd(a), newListCmd(a), newDefaultCmd(a), newActiveCmd(a, "deactivate", false), newActiveCmd(a, "activate", true))
	return cmd
}

// AddOptions are price-type add's argument and flags.
type AddOptions struct {
	App        *app.App
	Code, Name string
	DryRun     bool
}

func newAddCmd(a *app.App) *cobra.Command {
	opts := &AddOptions{App: a}
	cmd := &cobra.Command{
		Use:     "add CODE [--name N]",
		Short:   "Add a price type",
		Example: "  stockctl price-type add vip --name \"VIP customers\"\n  stockctl price-type add export --dry-run",
		Args:    app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Code = args[0]
			return runAdd(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "price type name (default: the code)")
	app.DryRunFlag(cmd, &opts.DryRun, "validate without saving")
	return cmd
}

func runAdd(ctx context.Context, opts *AddOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (pricetype.PriceType, error) {
		return pricetype.AddType(ctx, tx, opts.Code, opts.Name)
	})
}

// ListOptions are price-type list's: none but the invocation.
type ListOptions struct {
	App *app.App
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	return &cobra.Command{
		Use:     "list",
		Short:   "List the price types, which one is the default and how many customers are on each",
		Example: "  stockctl price-type list\n  stockctl price-type list -o json",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runList(c.Context(), opts)
		},
	}
}

func runList(ctx context.Context, opts *ListOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]pricetype.TypeInfo, error) {
		return pricetype.Types(ctx, d)
	})
}

// DefaultOptions are price-type default's argument and flags.
type DefaultOptions struct {
	App    *app.App
	Code   string
	DryRun bool
}

func newDefaultCmd(a *app.App) *cobra.Command {
	opts := &DefaultOptions{App: a}
	cmd := &cobra.Command{
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
		Args:    app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Code = args[0]
			return runDefault(c.Context(), opts)
		},
	}
	app.DryRunFlag(cmd, &opts.DryRun, "show the result without saving")
	return cmd
}

func runDefault(ctx context.Context, opts *DefaultOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (pricetype.PriceType, error) {
		return pricetype.SetDefault(ctx, tx, opts.Code)
	})
}

// ActiveOptions are price-type activate's and deactivate's: the code, and which verb.
type ActiveOptions struct {
	App    *app.App
	Code   string
	Active bool
	DryRun bool
}

func newActiveCmd(a *app.App, verb string, active bool) *cobra.Command {
	opts := &ActiveOptions{App: a, Active: active}
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
		Args:    app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Code = args[0]
			return runActive(c.Context(), opts)
		},
	}
	app.DryRunFlag(cmd, &opts.DryRun, "show the result without saving")
	return cmd
}

func runActive(ctx context.Context, opts *ActiveOptions) error {
	a := opts.App
	info, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) (pricetype.TypeInfo, error) {
		return pricetype.SetTypeActive(ctx, tx, opts.Code, opts.Active)
	})
	if err != nil {
		return err
	}
	if !opts.Active && info.Customers > 0 {
		a.Say("%d customer(s) on price type %s are now priced by the default price type: move them with stockctl company edit CODE --price-type T", info.Customers, info.Code)
	}
	return a.Printer().One(info)
}
