// Package wo is the wo command: work orders that build products from their bills of
// materials.
package wo

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/work"
)

// NewCmd returns the wo command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wo",
		Short: "Work orders: build products from their bills of materials",
		Long: `Work orders (WO-000001 ...) build a product from its bill of materials at a location. They go
open → partially_completed → completed, or cancelled. "wo generate" makes them for backordered
custom and manufactured sales order lines, linked to the line; "wo complete" consumes the
components (moves to ~production), produces the product at the location valued at the
components' cost, and allocates it to the linked sales order line.`,
	}
	cmd.AddCommand(newNewCmd(a), newGenerateCmd(a), newCompleteCmd(a), newShowCmd(a), newListCmd(a), newCancelCmd(a))
	return cmd
}

// NewOptions are wo new's arguments and flags, read into the domain's input.
type NewOptions struct {
	App    *app.App
	Input  work.NewOrder
	DryRun bool
}

func newNewCmd(a *app.App) *cobra.Command {
	opts := &NewOptions{App: a}
	in := &opts.Input
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
		Args:    app.Args("SKU", "QTY"),
		RunE: func(c *cobra.Command, args []string) error {
			q, err := app.QuantityArg(args[1], app.Positive, "a work order builds more than 0")
			if err != nil {
				return err
			}
			if in.Choices, err = app.ParseChoices(choose); err != nil {
				return err
			}
			if in.Location == "" {
				return fault.Usagef("location", "missing --location (where the product is built)")
			}
			in.SKU, in.Qty = args[0], q
			return runNew(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&in.Location, "location", "", "location the product is built at (components are taken from it)")
	cmd.Flags().StringArrayVar(&choose, "choose", nil, "GROUP=OPTION of a configurable product to build (repeat)")
	app.DryRunFlag(cmd, &opts.DryRun, "check and show the work order without saving it")
	return cmd
}

func runNew(ctx context.Context, opts *NewOptions) error {
	a := opts.App
	o, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) (work.Order, error) {
		return work.New(ctx, tx, opts.Input)
	})
	if err != nil {
		return err
	}
	a.Say("%s opened: build %s %s at %s (see stockctl wo show %s)", o.Number, o.Qty, o.SKU, o.Location, o.Number)
	return a.Printer().One(o)
}

// GenerateOptions are wo generate's flags.
type GenerateOptions struct {
	App    *app.App
	Orders []string // sales orders; none: every open order
	DryRun bool
}

func newGenerateCmd(a *app.App) *cobra.Command {
	opts := &GenerateOptions{App: a}
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
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runGenerate(c.Context(), opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.Orders, "so", nil, "these sales orders only (repeat or comma-separate)")
	app.DryRunFlag(cmd, &opts.DryRun, "show the work orders that would be made without saving them")
	return cmd
}

func runGenerate(ctx context.Context, opts *GenerateOptions) error {
	a := opts.App
	gs, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) ([]work.Generated, error) {
		return work.Generate(ctx, tx, opts.Orders)
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
		a.Say("no backordered custom or manufactured lines")
	case opts.DryRun:
		a.Say("would make %d work orders", made)
	default:
		a.Say("made %d work orders", made)
	}
	return a.Printer().List(gs)
}

// CompleteOptions are wo complete's argument and flags, read.
type CompleteOptions struct {
	App          *app.App
	Number       string
	Qty          *decimal.Decimal // nil: all that remains
	AllowExpired bool
	DryRun       bool
}

func newCompleteCmd(a *app.App) *cobra.Command {
	opts := &CompleteOptions{App: a}
	var qty app.DecimalFlag
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
		Args:    app.Args("WO"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Number = args[0]
			if qty.Given {
				opts.Qty = &qty.Value
			}
			return runComplete(c.Context(), opts)
		},
	}
	cmd.Flags().Var(qty.Of(bounds.Quantity, app.Positive), "qty", "quantity to build now (default: all that remains)")
	app.DryRunFlag(cmd, &opts.DryRun, "check and show the build without posting")
	cmd.Flags().BoolVar(&opts.AllowExpired, "allow-expired", false, "consume component batches past their expiry date too")
	return cmd
}

// runComplete builds and says what; -o json prints the whole completion, else what it consumed.
func runComplete(ctx context.Context, opts *CompleteOptions) error {
	a := opts.App
	res, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) (work.Completion, error) {
		return work.CompleteWith(ctx, tx, opts.Number, opts.Qty, work.Options{AllowExpired: opts.AllowExpired})
	})
	if err != nil {
		return err
	}
	a.Say("%s: built %s %s at %s, %s each (%s in all); %s allocated, work order %s",
		res.Order.Number, res.Qty, res.Order.SKU, res.Order.Location, res.UnitCost, res.Value, res.Allocated, res.Order.Status)
	if res.SO != nil && res.Allocated.IsPositive() {
		a.Say("ship it with stockctl so ship %s", *res.SO)
	}
	p := a.Printer()
	if p.Format == "json" {
		return p.One(res)
	}
	return p.List(res.Consumed)
}

// NumberOptions are what show and cancel take: the work order (cancel: and --dry-run).
type NumberOptions struct {
	App    *app.App
	Number string
	DryRun bool
}

func newShowCmd(a *app.App) *cobra.Command {
	opts := &NumberOptions{App: a}
	return &cobra.Command{
		Use:   "show WO",
		Short: "Show a work order with the components it needs and what is available",
		Long: `Show WO and, for what remains to build, each component it will consume: quantity per unit,
needed, available at the work order's location (on hand − allocated − stock in batches past
their expiry date) and short. For a configured item these are the bill of materials with the
chosen options' components applied (the configuration shows with --wide and -o json). -o json gives one object with its
components; -o csv and --fields print the components.`,
		Example: "  stockctl wo show WO-000001\n  stockctl wo show WO-000001 -o json",
		Args:    app.Args("WO"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Number = args[0]
			return runShow(c.Context(), opts)
		},
	}
}

// runShow prints the work order: one JSON object; a table of it, then its components; or,
// with -o csv or --fields, the components.
func runShow(ctx context.Context, opts *NumberOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	doc, err := work.Get(ctx, d, opts.Number)
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
}

// ListOptions are wo list's flags.
type ListOptions struct {
	App    *app.App
	Filter work.Filter
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	cmd := &cobra.Command{
		Use:     "list [--status S]",
		Short:   "List work orders, newest first",
		Long:    `List work orders newest first with what remains and the sales order line each builds for. --status: open, partially_completed, completed, cancelled.`,
		Example: "  stockctl wo list\n  stockctl wo list --status open -o json",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runList(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Filter.Status, "status", "", "open, partially_completed, completed or cancelled")
	return cmd
}

func runList(ctx context.Context, opts *ListOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	os, err := work.List(ctx, d, opts.Filter)
	if err != nil {
		return err
	}
	if len(os) == 0 {
		a.Say("no work orders")
	}
	return a.Printer().List(os)
}

func newCancelCmd(a *app.App) *cobra.Command {
	opts := &NumberOptions{App: a}
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
		Args:    app.Args("WO"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Number = args[0]
			return runCancel(c.Context(), opts)
		},
	}
	app.DryRunFlag(cmd, &opts.DryRun, "check without cancelling")
	return cmd
}

func runCancel(ctx context.Context, opts *NumberOptions) error {
	a := opts.App
	o, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) (work.Order, error) {
		return work.Cancel(ctx, tx, opts.Number)
	})
	if err != nil {
		return err
	}
	a.Say("%s %s", o.Number, o.Status)
	return a.Printer().One(o)
}
