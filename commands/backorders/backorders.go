// Package backorders is the backorders command: backordered sales order lines and what
// could cover them.
package backorders

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/sales"
)

// NewCmd returns the backorders command and its verb.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backorders",
		Short: "Backordered sales order lines and what could cover them",
	}
	cmd.AddCommand(newListCmd(a))
	return cmd
}

// ListOptions are backorders list's flags.
type ListOptions struct {
	App    *app.App
	Filter sales.BackorderFilter
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	f := &opts.Filter
	var custom, stockOnly bool
	list := &cobra.Command{
		Use:   "list [--location L] [--customer C] [--sku S] [--status here|elsewhere|partial|none] [--custom]",
		Short: "List every open backordered line, oldest order first, with its availability",
		Long: `List every backordered line of open sales orders (confirmed or partially shipped), oldest
order first: SO number, order date, customer, SKU, product name, backordered quantity, sell-from
location, available here (on hand − allocated at the sell-from location), available at the other
locations together, on order (open purchase orders for the sell-from location: ordered or
partially received), the availability status, and expired here: stock at the sell-from
location in batches past their expiry date (before today, UTC), which is not counted as
available (so release and so ship take it only with --allow-expired). The status:

  here       enough is available at the sell-from location (green in a terminal)
  elsewhere  not here, but the other locations together have enough (blue): transfer it
  partial    some is available here or elsewhere, not enough
  none       nothing is available anywhere

Availability is per line: lines of one product compete for the same stock; "so release"
settles that in priority order. Colours only on a terminal, never with NO_COLOR.`,
		Example: `  stockctl backorders list
  stockctl backorders list --location MAIN --status here
  stockctl backorders list --customer ACME --sku DRILL-18V -o json
  stockctl backorders list --custom -o csv`,
		Args: app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			if custom && stockOnly {
				return fault.Usagef("custom", "give --custom or --no-custom, not both")
			}
			if custom {
				f.Custom = &custom
			} else if stockOnly {
				no := false
				f.Custom = &no
			}
			return runList(c.Context(), opts)
		},
	}
	fl := list.Flags()
	fl.StringVar(&f.Location, "location", "", "orders selling from this location")
	fl.StringVar(&f.Customer, "customer", "", "one customer's orders")
	fl.StringVar(&f.SKU, "sku", "", "one product")
	fl.StringVar(&f.Status, "status", "", "here, elsewhere, partial or none")
	fl.BoolVar(&custom, "custom", false, "custom (built-to-order) items only")
	fl.BoolVar(&stockOnly, "no-custom", false, "leave custom items out")
	fl.StringSliceVar(&f.Orders, "so", nil, "these sales orders only")
	return list
}

// runList prints the backordered lines as they are read: 50,000 of them are a normal morning.
func runList(ctx context.Context, opts *ListOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	out, err := a.Printer().Rows(sales.Backorder{})
	if err != nil {
		return err
	}
	n := 0
	err = sales.EachBackorder(ctx, d, opts.Filter, func(b *sales.Backorder) error {
		n++
		return out.Add(b)
	})
	if err != nil {
		out.Discard()
		return err
	}
	if n == 0 {
		a.Say("no backorders")
	}
	return out.Close()
}
