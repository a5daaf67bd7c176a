// Package history is the history command: who changed which master data, when, from what
// to what, and pruning that record.
package history

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/history"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/fault"
)

// filterFlags are the flags every history listing shares.
type filterFlags struct {
	since, before, actor string
}

func (h *filterFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&h.since, "since", "", "changes on or after this day, YYYY-MM-DD (UTC)")
	c.Flags().StringVar(&h.before, "before", "", "changes before this day, YYYY-MM-DD (UTC)")
	// Here --actor names whose changes to show; it shadows the global --actor, which names
	// who makes a change and means nothing to a read.
	c.Flags().StringVar(&h.actor, "actor", "", "changes made by this actor")
}

// filter reads the shared flags.
func (h *filterFlags) filter() (history.Filter, error) {
	f := history.Filter{Actor: h.actor}
	if h.since != "" {
		t, err := app.ParseDate("--since", h.since)
		if err != nil {
			return f, err
		}
		f.Since = &t
	}
	if h.before != "" {
		t, err := app.ParseDate("--before", h.before)
		if err != nil {
			return f, err
		}
		f.Before = &t
	}
	return f, nil
}

const historyLong = `Every change to master data is recorded by the database itself, whatever made it (a
command, an import, an UPDATE typed in psql): when (UTC), who (--actor of the command that
made it, else the OS user; the database user for changes made outside stockctl), the table,
the row, and the old and new value of each changed column, one line per column.

Recorded: products (a new product's creation is its own created_at/created_by, shown by
"product show"; every later edit and a delete are recorded), pack units, bills of
materials, price breaks, special prices, supplier prices, companies, locations, settings,
units and unit categories, price types, currencies, exchange rates and sales regions.
Stock, orders and documents have their own records (the stock ledger, the documents).

Values are shown exactly as stored: a price keeps its scale (12.50). OLD is empty for an
insert and NEW for a delete; in JSON they are null.`

// NewCmd returns the history command (which lists by itself) and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	var ff filterFlags
	var table string
	cmd := &cobra.Command{
		Use:   "history [--since D] [--before D] [--actor A] [--table T]",
		Short: "Who changed which master data, when, from what to what",
		Long: historyLong + `

Without a subcommand it lists every recorded change; --since, --before, --actor and
--table narrow it. "history prune" removes old entries.`,
		Example: `  stockctl history --since 2026-12-01
  stockctl history --actor jane --table price_breaks -o csv
  stockctl history product DRILL-18V
  stockctl history company ACME -o json
  stockctl history settings base_currency
  stockctl history prune --before 2024-01-01 --yes`,
		Args: app.Args(),
		RunE: func(c *cobra.Command, _ []string) (err error) {
			if opts.Filter, err = ff.filter(); err != nil {
				return err
			}
			opts.Filter.Table = table
			return runList(c.Context(), opts)
		},
	}
	ff.register(cmd)
	cmd.Flags().StringVar(&table, "table", "", "changes of one table (products, price_breaks, companies, settings ...)")
	cmd.AddCommand(newProductCmd(a), newCompanyCmd(a), newSettingsCmd(a), newPruneCmd(a))
	return cmd
}

// ListOptions are what every history listing takes: the filter its flags give, narrowed to
// one product (SKU) or company (Company) when one is named.
type ListOptions struct {
	App          *app.App
	Filter       history.Filter
	SKU, Company string
}

func newProductCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "product SKU",
		Short: "A product's history: the product, its packs, bill of materials and prices",
		Long: historyLong + `

"history product SKU" shows the rows of one product: the product itself, its pack units
and bill of materials, its price breaks, special prices and supplier prices. A deleted
product's history is still found by its SKU.`,
		Example: `  stockctl history product DRILL-18V
  stockctl history product DRILL-18V --since 2026-01-01 -o csv`,
		Args: app.Args("SKU"),
		RunE: func(c *cobra.Command, args []string) (err error) {
			if opts.Filter, err = ff.filter(); err != nil {
				return err
			}
			opts.SKU = args[0]
			return runList(c.Context(), opts)
		},
	}
	ff.register(cmd)
	return cmd
}

func newCompanyCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "company CODE",
		Short: "A company's history: the company, its special prices and supplier prices",
		Long: historyLong + `

"history company CODE" shows the company's own row and the special prices (as a customer)
and supplier prices (as a supplier) that name it.`,
		Example: `  stockctl history company ACME`,
		Args:    app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) (err error) {
			if opts.Filter, err = ff.filter(); err != nil {
				return err
			}
			opts.Company = args[0]
			return runList(c.Context(), opts)
		},
	}
	ff.register(cmd)
	return cmd
}

func newSettingsCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "settings [KEY]",
		Short: "The history of the settings, or of one",
		Long:  historyLong,
		Example: `  stockctl history settings
  stockctl history settings prices_include_tax -o json`,
		Args: app.OptionalArgs("KEY"),
		RunE: func(c *cobra.Command, args []string) (err error) {
			if opts.Filter, err = ff.filter(); err != nil {
				return err
			}
			opts.Filter.Table = "settings"
			if len(args) == 1 {
				if err := settings.Known(args[0]); err != nil {
					return err
				}
				opts.Filter.Key = args[0]
			}
			return runList(c.Context(), opts)
		},
	}
	ff.register(cmd)
	return cmd
}

// runList prints the changes the options select as they are read.
func runList(ctx context.Context, opts *ListOptions) error {
	a, f := opts.App, opts.Filter
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	if err := scope(ctx, d, opts, &f); err != nil {
		return err
	}
	out, err := a.Printer().Rows(history.Change{})
	if err != nil {
		return err
	}
	n := 0
	err = history.Each(ctx, d, f, func(ch *history.Change) error {
		n++
		return out.Add(ch)
	})
	if err != nil {
		out.Discard()
		return err
	}
	if n == 0 {
		a.Say("no changes recorded")
	}
	return out.Close()
}

// scope narrows f to the product or company the options name, found by its code.
func scope(ctx context.Context, q sqlx.QueryerContext, opts *ListOptions, f *history.Filter) error {
	switch {
	case opts.SKU != "":
		id, err := history.ProductID(ctx, q, opts.SKU)
		f.ProductID = &id
		return err
	case opts.Company != "":
		id, err := history.CompanyID(ctx, q, opts.Company)
		f.CompanyID = &id
		return err
	}
	return nil
}

// PruneOptions are history prune's flags.
type PruneOptions struct {
	App         *app.App
	Before      time.Time
	Yes, DryRun bool
}

func newPruneCmd(a *app.App) *cobra.Command {
	opts := &PruneOptions{App: a}
	var before string
	cmd := &cobra.Command{
		Use:   "prune --before DATE --yes",
		Short: "Remove the history recorded before a day",
		Long: `Remove every history entry recorded before DATE (midnight UTC). It asks first on a
terminal and needs --yes otherwise; --dry-run says how many entries would go.`,
		Example: `  stockctl history prune --before 2024-01-01 --yes`,
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) (err error) {
			if before == "" {
				return fault.Usagef("before", "give --before DATE: the day before which history is removed")
			}
			if opts.Before, err = app.ParseDate("--before", before); err != nil {
				return err
			}
			return runPrune(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&before, "before", "", "remove entries recorded before this day, YYYY-MM-DD (UTC)")
	cmd.Flags().BoolVar(&opts.Yes, "yes", false, "confirm removing them")
	app.DryRunFlag(cmd, &opts.DryRun, "say how many entries would go without removing them")
	return cmd
}

func runPrune(ctx context.Context, opts *PruneOptions) error {
	a := opts.App
	if !opts.DryRun {
		if err := a.Confirm(opts.Yes, "remove the history recorded before "+opts.Before.Format(time.DateOnly)); err != nil {
			return err
		}
	}
	n, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) (int64, error) {
		return history.Prune(ctx, tx, opts.Before)
	})
	if err != nil {
		return err
	}
	return a.Printer().One(struct {
		Before  time.Time `json:"before" print:"date"`
		Removed int64     `json:"removed"`
	}{opts.Before, n})
}
