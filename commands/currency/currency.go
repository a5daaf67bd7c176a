// Package currency is the currency command: currencies and their dated exchange rates.
package currency

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/commands/app"
)

// NewCmd returns the currency command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "currency",
		Short: "Currencies and their dated exchange rates to the base currency",
	}
	rate := &cobra.Command{Use: "rate", Short: "Exchange rates: one unit of a currency in base units, from a date"}
	rate.AddCommand(newRateSetCmd(a), newRateListCmd(a))
	cmd.AddCommand(newAddCmd(a), newListCmd(a), rate)
	return cmd
}

// AddOptions are currency add's argument and flags.
type AddOptions struct {
	App    *app.App
	Code   string
	Name   string
	DryRun bool
}

func newAddCmd(a *app.App) *cobra.Command {
	opts := &AddOptions{App: a}
	cmd := &cobra.Command{
		Use:   "add CODE",
		Short: "Add an ISO 4217 currency",
		Long: `Add a currency by its ISO 4217 code. Its minor unit (cents: 2, yen: 0) comes from ISO 4217
and is used to round amounts in that currency.`,
		Example: "  stockctl currency add EUR --name Euro",
		Args:    app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Code = args[0]
			return runAdd(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "currency name (default: the code)")
	app.DryRunFlag(cmd, &opts.DryRun, "validate without saving")
	return cmd
}

func runAdd(ctx context.Context, opts *AddOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (currency.Currency, error) {
		return currency.Add(ctx, tx, opts.Code, opts.Name)
	})
}

// ListOptions are currency list's: none but the invocation.
type ListOptions struct {
	App *app.App
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	return &cobra.Command{
		Use:     "list",
		Short:   "List currencies, the base currency first",
		Example: "  stockctl currency list",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runList(c.Context(), opts)
		},
	}
}

func runList(ctx context.Context, opts *ListOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]currency.Currency, error) {
		return currency.List(ctx, d)
	})
}

// RateSetOptions are currency rate set's arguments and flags, read.
type RateSetOptions struct {
	App    *app.App
	Code   string
	Rate   decimal.Decimal
	Date   time.Time
	DryRun bool
}

func newRateSetCmd(a *app.App) *cobra.Command {
	opts := &RateSetOptions{App: a}
	var date string
	cmd := &cobra.Command{
		Use:   "set CODE RATE",
		Short: "Set the rate of a currency from a date on",
		Long: `Set how many base-currency units one unit of CODE is worth, from --date (default today) on.
Documents use the rate in force on their date and keep it; setting a rate again for the same
date replaces it, and changes no document that already froze a rate.`,
		Example: "  stockctl currency rate set EUR 1.08 --date 2026-01-01",
		Args:    app.Args("CODE", "RATE"),
		RunE: func(c *cobra.Command, args []string) (err error) {
			opts.Code = args[0]
			if opts.Rate, err = app.ParseNumber("RATE", args[1], bounds.Rate, app.AnySign); err != nil {
				return err
			}
			if opts.Date, err = app.ParseDate("--date", date); err != nil {
				return err
			}
			return runRateSet(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&date, "date", "", "first day the rate applies, YYYY-MM-DD (default today)")
	app.DryRunFlag(cmd, &opts.DryRun, "validate without saving")
	return cmd
}

func runRateSet(ctx context.Context, opts *RateSetOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (currency.Rate, error) {
		return currency.SetRate(ctx, tx, opts.Code, opts.Rate, opts.Date)
	})
}

// RateListOptions are currency rate list's: the currency, or "" for all.
type RateListOptions struct {
	App  *app.App
	Code string
}

func newRateListCmd(a *app.App) *cobra.Command {
	opts := &RateListOptions{App: a}
	return &cobra.Command{
		Use:     "list [CODE]",
		Short:   "List exchange rates, newest first",
		Example: "  stockctl currency rate list EUR",
		Args:    app.OptionalArgs("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Code = args[0]
			}
			return runRateList(c.Context(), opts)
		},
	}
}

func runRateList(ctx context.Context, opts *RateListOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]currency.Rate, error) {
		return currency.Rates(ctx, d, opts.Code)
	})
}
