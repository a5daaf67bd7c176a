package commands

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/history"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/fault"
)

// historyFilter holds the flags every history listing shares.
type historyFilter struct {
	since, before, actor string
}

func (h *historyFilter) register(c *cobra.Command) {
	c.Flags().StringVar(&h.since, "since", "", "changes on or after this day, YYYY-MM-DD (UTC)")
	c.Flags().StringVar(&h.before, "before", "", "changes before this day, YYYY-MM-DD (UTC)")
	// Here --actor names whose changes to show; it shadows the global --actor, which names
	// who makes a change and means nothing to a read.
	c.Flags().StringVar(&h.actor, "actor", "", "changes made by this actor")
}

// historyFilter reads the shared flags.
func (a *App) historyFilter(h historyFilter) (history.Filter, error) {
	f := history.Filter{Actor: h.actor}
	if h.since != "" {
		t, err := parseDate("--since", h.since)
		if err != nil {
			return f, err
		}
		f.Since = &t
	}
	if h.before != "" {
		t, err := parseDate("--before", h.before)
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

func (a *App) historyCmd() *cobra.Command {
	var all historyFilter
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
		Args: args(),
		RunE: func(c *cobra.Command, _ []string) error {
			f, err := a.historyFilter(all)
			if err != nil {
				return err
			}
			f.Table = table
			return a.printHistory(c, f, func(context.Context, sqlx.QueryerContext, *history.Filter) error { return nil })
		},
	}
	all.register(cmd)
	cmd.Flags().StringVar(&table, "table", "", "changes of one table (products, price_breaks, companies, settings ...)")

	var prod historyFilter
	product := &cobra.Command{
		Use:   "product SKU",
		Short: "A product's history: the product, its packs, bill of materials and prices",
		Long: historyLong + `

"history product SKU" shows the rows of one product: the product itself, its pack units
and bill of materials, its price breaks, special prices and supplier prices. A deleted
product's history is still found by its SKU.`,
		Example: `  stockctl history product DRILL-18V
  stockctl history product DRILL-18V --since 2026-01-01 -o csv`,
		Args: args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			f, err := a.historyFilter(prod)
			if err != nil {
				return err
			}
			return a.printHistory(c, f, func(ctx context.Context, q sqlx.QueryerContext, f *history.Filter) error {
				id, err := history.ProductID(ctx, q, args[0])
				f.ProductID = &id
				return err
			})
		},
	}
	prod.register(product)

	var comp historyFilter
	company := &cobra.Command{
		Use:   "company CODE",
		Short: "A company's history: the company, its special prices and supplier prices",
		Long: historyLong + `

"history company CODE" shows the company's own row and the special prices (as a customer)
and supplier prices (as a supplier) that name it.`,
		Example: `  stockctl history company ACME`,
		Args:    args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			f, err := a.historyFilter(comp)
			if err != nil {
				return err
			}
			return a.printHistory(c, f, func(ctx context.Context, q sqlx.QueryerContext, f *history.Filter) error {
				id, err := history.CompanyID(ctx, q, args[0])
				f.CompanyID = &id
				return err
			})
		},
	}
	comp.register(company)

	var set historyFilter
	sets := &cobra.Command{
		Use:   "settings [KEY]",
		Short: "The history of the settings, or of one",
		Long:  historyLong,
		Example: `  stockctl history settings
  stockctl history settings prices_include_tax -o json`,
		Args: optionalArgs("KEY"),
		RunE: func(c *cobra.Command, args []string) error {
			f, err := a.historyFilter(set)
			if err != nil {
				return err
			}
			f.Table = "settings"
			if len(args) == 1 {
				if err := settings.Known(args[0]); err != nil {
					return err
				}
				f.Key = args[0]
			}
			return a.printHistory(c, f, func(context.Context, sqlx.QueryerContext, *history.Filter) error { return nil })
		},
	}
	set.register(sets)

	var pruneBefore string
	var yes, dry bool
	prune := &cobra.Command{
		Use:   "prune --before DATE --yes",
		Short: "Remove the history recorded before a day",
		Long: `Remove every history entry recorded before DATE (midnight UTC). It asks first on a
terminal and needs --yes otherwise; --dry-run says how many entries would go.`,
		Example: `  stockctl history prune --before 2024-01-01 --yes`,
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			if pruneBefore == "" {
				return fault.Usagef("before", "give --before DATE: the day before which history is removed")
			}
			before, err := parseDate("--before", pruneBefore)
			if err != nil {
				return err
			}
			if !dry {
				if err := a.confirm(yes, "remove the history recorded before "+before.Format(time.DateOnly)); err != nil {
					return err
				}
			}
			var n int64
			err = a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				n, err = history.Prune(c.Context(), tx, before)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(struct {
				Before  time.Time `json:"before" print:"date"`
				Removed int64     `json:"removed"`
			}{before, n})
		},
	}
	prune.Flags().StringVar(&pruneBefore, "before", "", "remove entries recorded before this day, YYYY-MM-DD (UTC)")
	prune.Flags().BoolVar(&yes, "yes", false, "confirm removing them")
	prune.Flags().BoolVar(&dry, "dry-run", false, "say how many entries would go without removing them")

	cmd.AddCommand(product, company, sets, prune)
	return cmd
}

// printHistory prints the changes f selects as they are read; scope narrows f first (to a
// product or company found by its code).
func (a *App) printHistory(c *cobra.Command, f history.Filter,
	scope func(context.Context, sqlx.QueryerContext, *history.Filter) error) error {
	d, err := a.DB(c.Context())
	if err != nil {
		return err
	}
	if err := scope(c.Context(), d, &f); err != nil {
		return err
	}
	out, err := a.Printer().Rows(history.Change{})
	if err != nil {
		return err
	}
	n := 0
	err = history.Each(c.Context(), d, f, func(ch *history.Change) error {
		n++
		return out.Add(ch)
	})
	if err != nil {
		out.Discard()
		return err
	}
	if n == 0 {
		a.say("no changes recorded")
	}
	return out.Close()
}
