package commands

import (
	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/work"
)

func (a *App) woCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wo",
		Short: "Work orders: build products from their bills of materials",
		Long: `Work orders (WO-000001 ...) build a product from its bill of materials at a location. They go
open → partially_completed → completed, or cancelled. "wo generate" makes them for backordered
custom and manufactured sales order lines, linked to the line; "wo complete" consumes the
components (moves to ~production), produces the product at the location valued at the
components' cost, and allocates it to the linked sales order line.`,
	}
	cmd.AddCommand(a.woNewCmd(), a.woGenerateCmd(), a.woCompleteCmd(), a.woShowCmd(), a.woListCmd(), a.woCancelCmd())
	return cmd
}

func (a *App) woNewCmd() *cobra.Command {
	var in work.NewOrder
	var dry bool
	var choose []string
	cmd := &cobra.Command{
		Use:   "new SKU QTY --location L [--choose GROUP=OPTION ...]",
		Short: "Open a work order to build QTY of a product at a location",
		Long: `Open a work order to build QTY (in the product's stock unit) of SKU at --location. The product
must be an active stock product with a bill of materials (stockctl product bom add), neither
serialised nor batch-tracked, and not a template with variants. --choose builds a
configuration of a configurable product (every required option group chosen, as product
configure checks): the work order consumes the bill of materials with the chosen options'
components applied (stockctl product option component). Without --choose it builds the plain
bill of materials. Nothing is reserved until it is completed; see what it needs with
stockctl wo show.`,
		Example: "  stockctl wo new TABLE 5 --location MAIN\n  stockctl wo new TABLE 2 --location MAIN --dry-run -o json\n  stockctl wo new BENCH 1 --location MAIN --choose Top=Oak",
		Args:    args("SKU", "QTY"),
		RunE: func(c *cobra.Command, args []string) error {
			q, err := quantityArg(args[1], positive, "a work order builds more than 0")
			if err != nil {
				return err
			}
			if in.Choices, err = parseChoices(choose); err != nil {
				return err
			}
			if in.Location == "" {
				return fault.Usagef("location", "missing --location (where the product is built)")
			}
			in.SKU, in.Qty = args[0], q
			var o work.Order
			err = a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				o, err = work.New(c.Context(), tx, in)
				return err
			})
			if err != nil {
				return err
			}
			a.say("%s opened: build %s %s at %s (see stockctl wo show %s)", o.Number, o.Qty, o.SKU, o.Location, o.Number)
			return a.Printer().One(o)
		},
	}
	cmd.Flags().StringVar(&in.Location, "location", "", "location the product is built at (components are taken from it)")
	cmd.Flags().StringArrayVar(&choose, "choose", nil, "GROUP=OPTION of a configurable product to build (repeat)")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check and show the work order without saving it")
	return cmd
}

func (a *App) woGenerateCmd() *cobra.Command {
	var orders []string
	var dry bool
	cmd := &cobra.Command{
		Use:   "generate [--so SO ...] [--dry-run]",
		Short: "Make work orders for backordered custom and manufactured sales order lines",
		Long: `Make a work order for each backordered line of the given sales orders (default: every open
order) that is a custom item or a product with a bill of materials. Each builds, at the order's
sell-from location, what the line has backordered beyond the open work orders already linked
to it, and is linked to the line: running it again makes nothing new, and completing the work
order allocates its output to the line. Stock already available is not counted: run
stockctl so release first if it should serve the line. Serialised and batch-tracked products
are listed as skipped. A custom item without a bill of materials is built at its cost price.
A configured line's work order builds with the options the line chose: it consumes the bill
of materials with their components applied (wo show lists them).`,
		Example: "  stockctl wo generate\n  stockctl wo generate --so SO-000004 --so SO-000007 --dry-run -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			var gs []work.Generated
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				gs, err = work.Generate(c.Context(), tx, orders)
				return err
			})
			if err != nil {
				return err
			}
			made := 0
			for _, g := range gs {
				if g.WO != "" {
					made++
				}
			}
			switch {
			case len(gs) == 0:
				a.say("no backordered custom or manufactured lines")
			case dry:
				a.say("would make %d work orders", made)
			default:
				a.say("made %d work orders", made)
			}
			return a.Printer().List(gs)
		},
	}
	cmd.Flags().StringSliceVar(&orders, "so", nil, "these sales orders only (repeat or comma-separate)")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "show the work orders that would be made without saving them")
	return cmd
}

func (a *App) woCompleteCmd() *cobra.Command {
	var qty decimalFlag
	var dry, allowExpired bool
	cmd := &cobra.Command{
		Use:   "complete WO [--qty N]",
		Short: "Build a work order: consume its components, produce the product, allocate it",
		Long: `Build --qty (default: all that remains) of WO in one transaction:

  - each stock component (bill of materials qty × N, in the component's stock unit) leaves the
    work order's location for ~production at its average cost (ledger kind wo_consume),
    batches first-expiry-first-out, passing over expired batches (expiry date before today,
    UTC) unless --allow-expired;
    components must be available there (on hand − allocated, less stock in batches past
    their expiry date unless --allow-expired): if any is short, the command
    is refused (exit 5) listing every short component with what it needs and what is
    available, and nothing is posted;
  - N of the product comes from ~production into the location (kind wo_produce), valued at
    the components' total cost ÷ N (service components such as labour at their cost price);
  - the produced units are allocated to the sales order line the work order was made for, so
    stockctl so ship can send them.

A partial completion leaves the rest open. Safe alongside confirm, release and ship: products
are locked in one fixed order.`,
		Example: "  stockctl wo complete WO-000001\n  stockctl wo complete WO-000001 --qty 2 --dry-run -o json",
		Args:    args("WO"),
		RunE: func(c *cobra.Command, args []string) error {
			var res work.Completion
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				var n = &qty.Value
				if !qty.Given {
					n = nil
				}
				res, err = work.CompleteWith(c.Context(), tx, args[0], n, work.Options{AllowExpired: allowExpired})
				return err
			})
			if err != nil {
				return err
			}
			a.say("%s: built %s %s at %s, %s each (%s in all); %s allocated, work order %s",
				res.Order.Number, res.Qty, res.Order.SKU, res.Order.Location, res.UnitCost, res.Value, res.Allocated, res.Order.Status)
			if res.SO != nil && res.Allocated.IsPositive() {
				a.say("ship it with stockctl so ship %s", *res.SO)
			}
			p := a.Printer()
			if p.Format == "json" {
				return p.One(res)
			}
			return p.List(res.Consumed)
		},
	}
	cmd.Flags().Var(qty.Of(bounds.Quantity, positive), "qty", "quantity to build now (default: all that remains)")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check and show the build without posting")
	cmd.Flags().BoolVar(&allowExpired, "allow-expired", false, "consume component batches past their expiry date too")
	return cmd
}

func (a *App) woShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show WO",
		Short: "Show a work order with the components it needs and what is available",
		Long: `Show WO and, for what remains to build, each component it will consume: quantity per unit,
needed, available at the work order's location (on hand − allocated − stock in batches past
their expiry date) and short. For a configured item these are the bill of materials with the
chosen options' components applied (the configuration shows with --wide and -o json). -o json gives one object with its
components; -o csv and --fields print the components.`,
		Example: "  stockctl wo show WO-000001\n  stockctl wo show WO-000001 -o json",
		Args:    args("WO"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			doc, err := work.Get(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			p := a.Printer()
			if p.Format == "json" {
				return p.One(doc)
			}
			if p.Format == "table" && len(a.Fields) == 0 {
				if err := p.One(doc.Order); err != nil {
					return err
				}
				if _, err := a.Out.Write([]byte("\n")); err != nil {
					return err
				}
			}
			return p.List(doc.Components)
		},
	}
}

func (a *App) woListCmd() *cobra.Command {
	var f work.Filter
	cmd := &cobra.Command{
		Use:     "list [--status S]",
		Short:   "List work orders, newest first",
		Long:    `List work orders newest first with what remains and the sales order line each builds for. --status: open, partially_completed, completed, cancelled.`,
		Example: "  stockctl wo list\n  stockctl wo list --status open -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			os, err := work.List(c.Context(), d, f)
			if err != nil {
				return err
			}
			if len(os) == 0 {
				a.say("no work orders")
			}
			return a.Printer().List(os)
		},
	}
	cmd.Flags().StringVar(&f.Status, "status", "", "open, partially_completed, completed or cancelled")
	return cmd
}

func (a *App) woCancelCmd() *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "cancel WO",
		Short: "Cancel an open work order, or close a partly built one at what it built",
		Long: `Cancel WO when nothing has been built yet: nothing was consumed or reserved for it, and
the backorder it was made for is uncovered again, so stockctl wo generate makes a new work
order for it. A partially completed work order is closed at what it built (completed, its
quantity lowered to that): what it consumed and built are real moves and stay, the built units
stay allocated to its sales order line, and the line keeps the rest backordered for
wo generate.`,
		Example: "  stockctl wo cancel WO-000003",
		Args:    args("WO"),
		RunE: func(c *cobra.Command, args []string) error {
			var o work.Order
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				o, err = work.Cancel(c.Context(), tx, args[0])
				return err
			})
			if err != nil {
				return err
			}
			a.say("%s %s", o.Number, o.Status)
			return a.Printer().One(o)
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check without cancelling")
	return cmd
}
