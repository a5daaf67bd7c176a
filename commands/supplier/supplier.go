// Package supplier is the supplier command: suppliers' price lists, their import and export,
// and the preferred supplier for a quantity.
package supplier

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/purchasing"
)

// NewCmd returns the supplier command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "supplier",
		Short: "Suppliers' price lists: quantity breaks, currencies, part numbers, the preferred supplier",
		Long: `Suppliers are companies with the supplier role (stockctl company add CODE --supplier). Their
price lists say what they charge for each product: see stockctl supplier price --help.`,
	}
	price := &cobra.Command{
		Use:   "price",
		Short: "Supplier prices: add, list, import, export, and find the preferred supplier for a quantity",
		Long: `A supplier price is the price per stock unit a supplier charges for a product from a minimum
quantity on; several rows with different --min-qty are its quantity price breaks. Each row
has a currency, the supplier's part number, lead time, pack, priority and validity dates.

The preferred supplier of a product (used by po generate, and shown by supplier price best)
is the one with the best priority (lower number wins), then the lowest price at the
quantity wanted, compared in the base currency at the day's rate.`,
	}
	price.AddCommand(newPriceAddCmd(a), newPriceListCmd(a), newPriceBestCmd(a))
	price.AddCommand(newPriceImportCmd(a), newPriceExportCmd(a))
	cmd.AddCommand(price)
	return cmd
}

// PriceAddOptions are supplier price add's arguments and flags, read into the domain's input.
type PriceAddOptions struct {
	App    *app.App
	Input  purchasing.PriceInput
	DryRun bool
}

func newPriceAddCmd(a *app.App) *cobra.Command {
	opts := &PriceAddOptions{App: a}
	var cur, supSKU, pack, from, until, unit string
	var price, minQty app.DecimalFlag
	var lead, prio int
	cmd := &cobra.Command{
		Use:   "add SUPPLIER SKU --price X [flags]",
		Short: "Add a supplier price or quantity break (replacing the same break)",
		Long: `Add what SUPPLIER charges for SKU: --price per --uom (default the product's stock unit; any
unit of its category or one of its pack units: 60.00 per box of 12), in --currency (default:
the supplier's currency), from --min-qty on (default 1), also in --uom and kept in stock
units (--min-qty 2 --uom box is 24 ea). Several breaks of one supplier and product give
quantity prices: the break that applies to a quantity is the one with the greatest minimum
not above it. A purchase order or RFQ line in another unit gets the price converted (60.00
per box of 12 is 5.00 per ea), rounded once to 6 decimals.

--supplier-sku is the supplier's part number: product lookup finds the product by it. Left
out, a new break keeps the part number the supplier's other breaks for the product carry.
--lead-days is the delivery time; --pack is the supplier's pack, a number of stock units or
one of the product's pack units (box): po generate orders whole packs and at least the
supplier's lowest minimum quantity. --priority ranks suppliers (default 1; lower is
preferred, so 0 beats everyone and 2 is a fallback). --valid-from and --valid-until bound
the dates a price applies (inclusive).

A price with the same supplier, product, currency, minimum quantity and valid-from date as
an existing one replaces it, so a price list can be loaded again safely.`,
		Example: `  stockctl supplier price add EUROTOOL DRILL-18V --price 46.50 --supplier-sku ET-GSR18 --lead-days 21
  stockctl supplier price add EUROTOOL DRILL-18V --price 44.00 --min-qty 20
  stockctl supplier price add BRITFIX SCREW-4X40 --price 0.012 --pack box --priority 2
  stockctl supplier price add BRITFIX SCREW-4X40 --price 60.00 --uom box --min-qty 2
  stockctl supplier price add PACIFIC PAINT-WHITE --price 6.10 --valid-from 2026-07-01 --valid-until 2026-12-31`,
		Args: app.Args("SUPPLIER", "SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			if !price.Given {
				return fault.Usagef("price", "missing --price (per --uom, in the supplier's currency or --currency)")
			}
			in := purchasing.PriceInput{Supplier: args[0], SKU: args[1], Price: price.Value, Currency: cur, Pack: pack, Unit: unit,
				SupplierSKU: app.Ptr(c, "supplier-sku", supSKU), LeadDays: app.Ptr(c, "lead-days", lead), Priority: app.Ptr(c, "priority", prio)}
			if minQty.Given {
				in.MinQty = &minQty.Value
			}
			var err error
			if in.ValidFrom, err = app.OptionalDate("--valid-from", from); err != nil {
				return err
			}
			if in.ValidUntil, err = app.OptionalDate("--valid-until", until); err != nil {
				return err
			}
			opts.Input = in
			return runPriceAdd(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.Var(price.Of(bounds.Money, app.NonNegative), "price", "price per --uom")
	fl.StringVar(&unit, "uom", "", "unit --price and --min-qty are per: a unit of the stock unit's category or a pack unit (default: the stock unit)")
	fl.StringVar(&cur, "currency", "", "currency of the price (default: the supplier's)")
	fl.Var(minQty.Of(bounds.Quantity, app.NonNegative), "min-qty", "the break: the price applies from this quantity on (default 1)")
	fl.StringVar(&supSKU, "supplier-sku", "", "the supplier's part number (found by product lookup)")
	app.IntVar(fl, &lead, "lead-days", 0, 0, bounds.MaxWhole, "delivery time in days")
	fl.StringVar(&pack, "pack", "", "the supplier's pack: a number of stock units or a pack unit of the product")
	app.IntVar(fl, &prio, "priority", purchasing.DefaultPriority, 0, 9999, "supplier preference, lower is preferred")
	fl.StringVar(&from, "valid-from", "", "first day the price applies, YYYY-MM-DD")
	fl.StringVar(&until, "valid-until", "", "last day the price applies, YYYY-MM-DD")
	app.DryRunFlag(cmd, &opts.DryRun, "check the price and show it without saving")
	return cmd
}

func runPriceAdd(ctx context.Context, opts *PriceAddOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (purchasing.Price, error) {
		return purchasing.AddPrice(ctx, tx, opts.Input)
	})
}

// PriceListOptions are supplier price list's argument and flags.
type PriceListOptions struct {
	App    *app.App
	Filter purchasing.PriceFilter
}

func newPriceListCmd(a *app.App) *cobra.Command {
	opts := &PriceListOptions{App: a}
	f := &opts.Filter
	cmd := &cobra.Command{
		Use:   "list [SUPPLIER] [--sku S] [--current]",
		Short: "List supplier prices and their quantity breaks",
		Long: `List supplier prices by supplier, product, currency and minimum quantity, for one supplier
or all, one product (--sku) or all. The current column says whether the price applies today;
--current lists only those.`,
		Example: "  stockctl supplier price list EUROTOOL\n  stockctl supplier price list --sku DRILL-18V -o json",
		Args:    app.OptionalArgs("SUPPLIER"),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				f.Supplier = args[0]
			}
			return runPriceList(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&f.SKU, "sku", "", "only this product")
	cmd.Flags().BoolVar(&f.Current, "current", false, "only prices valid today")
	return cmd
}

func runPriceList(ctx context.Context, opts *PriceListOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	ps, err := purchasing.Prices(ctx, d, opts.Filter)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		a.Say("no supplier prices")
	}
	return a.Printer().List(ps)
}

// PriceBestOptions are supplier price best's argument and flags, read.
type PriceBestOptions struct {
	App *app.App
	SKU string
	Qty decimal.Decimal
	Day time.Time
}

func newPriceBestCmd(a *app.App) *cobra.Command {
	opts := &PriceBestOptions{App: a}
	var qty app.DecimalFlag
	var on string
	cmd := &cobra.Command{
		Use:   "best SKU [--qty N] [--date D]",
		Short: "Rank the suppliers of a product for a quantity: the preferred one first",
		Long: `Show what every supplier asks for --qty of SKU (default 1) on --date (default today): the price
break that applies at that quantity, in the supplier's currency and in the base currency at
the day's rate, ranked as po generate chooses: best priority first, then the lowest base
price, then the shortest lead time. A currency without a rate on the date ranks last.`,
		Example: "  stockctl supplier price best DRILL-18V --qty 25\n  stockctl supplier price best SCREW-4X40 --qty 5000 -o json",
		Args:    app.Args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			q := decimal.NewFromInt(1)
			if qty.Given {
				q = qty.Value
			}
			day, err := app.ParseDate("--date", on)
			if err != nil {
				return err
			}
			opts.SKU, opts.Qty, opts.Day = args[0], q, day
			return runPriceBest(c.Context(), opts)
		},
	}
	cmd.Flags().Var(qty.Of(bounds.Quantity, app.Positive), "qty", "quantity wanted, in the stock unit (default 1)")
	cmd.Flags().StringVar(&on, "date", "", "the day to price on, YYYY-MM-DD (default today)")
	return cmd
}

func runPriceBest(ctx context.Context, opts *PriceBestOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	os, err := purchasing.Offers(ctx, d, opts.SKU, opts.Qty, opts.Day)
	if err != nil {
		return err
	}
	if len(os) == 0 {
		a.Say("no supplier prices %s on %s: add one with stockctl supplier price add SUPPLIER %s --price X", opts.SKU, opts.Day.Format(time.DateOnly), opts.SKU)
	}
	return a.Printer().List(os)
}
