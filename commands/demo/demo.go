// Package demo is the demo command: loading the demo business and saying what to try.
package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/demo"
)

// Options are demo's flags.
type Options struct {
	App        *app.App
	Reset, Yes bool
}

// NewCmd returns the demo command.
func NewCmd(a *app.App) *cobra.Command {
	opts := &Options{App: a}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load a small, realistic business into the database and say what to try",
		Long: `Load a demo business: customers and suppliers in three currencies (USD base, EUR, GBP)
with dated exchange rates, sales regions and settings; products of every type with packs,
barcodes and features, the variable product TEE with its variants, and the configurable
BENCH with options and a bill of materials; two locations with bays, stock levels, opening
stock (batches of rope, serialised cameras), and transfers (one still in transit). Running it again adds only what is
missing.

--reset first drops stockctl's schema (the business in it: every table stockctl keeps) and
migrates it again; it asks for --yes. Nothing outside that schema is touched, so a database
shared with other applications, or holding other businesses in other schemas, keeps them.

On a database given by --db, STOCKCTL_DATABASE_URL or DATABASE_URL, demo asks first even
without --reset: without --yes it refuses (exit 4), naming the database, host and schema it
would write to. On the private database it just loads.`,
		Example: "  stockctl demo\n  stockctl demo --reset --yes\n  stockctl --db postgres://inv@db.internal/scratch demo --yes",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return run(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Reset, "reset", false, "drop stockctl's schema and start over (only that schema)")
	cmd.Flags().BoolVar(&opts.Yes, "yes", false, "confirm --reset, or loading into a database given by URL")
	return cmd
}

// run loads the demo business (after --reset's drop), asking first when the database was
// given by URL.
func run(ctx context.Context, opts *Options) error {
	a, reset, yes := opts.App, opts.Reset, opts.Yes
	if src := db.Resolve(a.DBURL); !src.Private {
		t, err := db.Describe(src.URL)
		if err != nil {
			return err
		}
		schema, _, err := db.ResolveSchema(a.Schema)
		if err != nil {
			return err
		}
		what := fmt.Sprintf("demo would write a demo business into %s, schema %s (from %s)", t, schema, src.From)
		if reset {
			what = fmt.Sprintf("demo --reset would drop schema %s in %s (from %s) with everything in it, then load a demo business", schema, t, src.From)
		}
		if err := a.Confirm(yes, what); err != nil {
			return err
		}
		yes = true // asked once is enough
	}
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	if reset {
		if err := a.Confirm(yes, "demo --reset drops stockctl's schema with every table in it"); err != nil {
			return err
		}
		if err := demo.Reset(ctx, d); err != nil {
			return err
		}
		a.Say("schema emptied")
	}
	var sum demo.Summary
	if err := db.InTx(ctx, d, func(tx *sqlx.Tx) (err error) {
		sum, err = demo.Load(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	if a.Output != "table" {
		return a.Printer().One(sum)
	}
	fmt.Fprintf(a.Out, "Demo business loaded: %d companies, %d currencies, %d exchange rates, %d regions, %d products and %d variants, %d locations, %d stock moves and %d transfers, %d prices, %d stocktakes, %d supplier prices, %d RFQs, %d purchase orders, %d landed costs, %d sales orders, %d work orders, %d time entries and %d training registrations added.\n\nTry:\n  %s\n",
		sum.Companies, sum.Currencies, sum.Rates, sum.Regions, sum.Products, sum.Variants, sum.Locations, sum.Moves, sum.Transfers,
		sum.Prices, sum.Stocktakes, sum.SupplierPrices, sum.RFQs, sum.PurchaseOrders, sum.LandedCosts, sum.SalesOrders,
		sum.WorkOrders, sum.TimeEntries, sum.Registrations,
		strings.Join(demo.NextSteps, "\n  "))
	return nil
}
