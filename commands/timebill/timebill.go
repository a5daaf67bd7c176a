// Package timebill is the time command: time products' billing periods, time entries and
// billing them onto a sales order. (Not named time: that is the standard library's.)
package timebill

import (
	"context"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/exactdec"
	"github.com/stockctl/stockctl/orders/timebill"
)

const timeCalendar = `Hours become periods on a working calendar: a day is the product's hours per day (8 unless
set with "time product set SKU --hours-per-day H"), a week 5 days, a month 20 days, a quarter
60 days, a year 240 days. (The uom table's day is 24 hours of clock time; a billing day is a
working day.) 10 hours against a product priced 800 per day is 1.25 days = 1000.`

// NewCmd returns the time command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "time",
		Short: "Time billing: time products' periods, time entries, billing them on a sales order",
		Long: `Time is logged in hours against a customer and a time product (type time), then billed
once onto a new sales order with "time bill". A time product's price (sell price, breaks,
special prices) is per period: 1 hour unless set with "time product set".

` + timeCalendar,
	}
	cmd.AddCommand(newProductCmd(a), newLogCmd(a), newListCmd(a), newEditCmd(a), newBillCmd(a))
	return cmd
}

func newProductCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "product",
		Short: "The billing period and time type of time products",
	}
	cmd.AddCommand(newProductSetCmd(a), newProductListCmd(a))
	return cmd
}

// ProductSetOptions are time product set's argument and flags, read: the changes given.
type ProductSetOptions struct {
	App     *app.App
	SKU     string
	Changes timebill.ProductChanges
	DryRun  bool
}

func newProductSetCmd(a *app.App) *cobra.Command {
	opts := &ProductSetOptions{App: a}
	var period, hpd app.DecimalFlag
	var unit, typ string
	set := &cobra.Command{
		Use:   "set SKU [--period N] [--unit U] [--time-type labour|travel] [--hours-per-day H]",
		Short: "Set what one unit of a time product's price is (1 day of labour ...)",
		Long: `Set the billing period of time product SKU: --period N --unit hour|day|week|month|quarter|year
(the product's price is for N units), its --time-type (labour or travel), and the hours of
its working day (--hours-per-day, 8 by default). Flags not given keep their value.

` + timeCalendar,
		Example: `  stockctl time product set DEV --period 1 --unit day --time-type labour
  stockctl time product set TRAVEL --unit hour --time-type travel
  stockctl time product set RETAINER --unit month --hours-per-day 7.5 -o json`,
		Args: app.Args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			ch := timebill.ProductChanges{PeriodUnit: app.Ptr(c, "unit", unit), TimeType: app.Ptr(c, "time-type", typ)}
			if period.Given {
				ch.PeriodQty = &period.Value
			}
			if hpd.Given {
				ch.HoursPerDay = &hpd.Value
			}
			opts.SKU, opts.Changes = args[0], ch
			return runProductSet(c.Context(), opts)
		},
	}
	fl := set.Flags()
	fl.Var(period.Of(bounds.Quantity, app.Positive), "period", "number of units one price is for (default 1)")
	fl.StringVar(&unit, "unit", "", "period unit: hour, day, week, month, quarter or year")
	fl.StringVar(&typ, "time-type", "", "labour or travel")
	fl.Var(hpd.Of(bounds.Quantity, app.Positive), "hours-per-day", "working hours in a day of this product (default 8)")
	app.DryRunFlag(set, &opts.DryRun, "check and show without saving")
	return set
}

func runProductSet(ctx context.Context, opts *ProductSetOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (timebill.Product, error) {
		return timebill.SetProduct(ctx, tx, opts.SKU, opts.Changes)
	})
}

func newProductListCmd(a *app.App) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List time products with their period, hours per period and price per period",
		Example: "  stockctl time product list\n  stockctl time product list -o json",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runProductList(c.Context(), a)
		},
	}
}

func runProductList(ctx context.Context, a *app.App) error {
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	ps, err := timebill.ListProducts(ctx, d)
	if err != nil {
		return err
	}
	return a.Printer().List(ps)
}

// LogOptions are time log's argument and flags, read into the domain's entry.
type LogOptions struct {
	App    *app.App
	Entry  timebill.NewEntry
	DryRun bool
}

func newLogCmd(a *app.App) *cobra.Command {
	opts := &LogOptions{App: a}
	in := &opts.Entry
	var qty, rate app.DecimalFlag
	var date string
	cmd := &cobra.Command{
		Use:   "log CUSTOMER --product P --qty HOURS [flags]",
		Short: "Log hours for a customer against a time product",
		Long: `Log --qty hours of time product --product for CUSTOMER on --date (default today). --ref ties
the entry to a project or ticket (time list --ref). --non-billable keeps the entry out of
billing. --rate types the price per period by hand (in the customer's currency); without it
the entry is priced by the pricing engine when billed. Entries can be changed with
"time edit" until they are billed.`,
		Example: `  stockctl time log ACME --product CONSULT --qty 2.5
  stockctl time log ACME --product CONSULT --qty 1 --date 2026-06-03 --ref TICKET-42 --note "printer setup"
  stockctl time log ACME --product CONSULT --qty 0.5 --non-billable`,
		Args: app.Args("CUSTOMER"),
		RunE: func(c *cobra.Command, args []string) error {
			in.Customer = args[0]
			if in.SKU == "" {
				return fault.Usagef("product", "missing --product (the time product the hours are for)")
			}
			if !qty.Given {
				return fault.Usagef("qty", "missing --qty (hours)")
			}
			in.Hours = qty.Value
			if rate.Given {
				in.Rate = &rate.Value
			}
			if date != "" {
				t, err := app.ParseDate("date", date)
				if err != nil {
					return err
				}
				in.Date = t
			}
			return runLog(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&in.SKU, "product", "", "time product SKU")
	fl.Var(qty.Of(bounds.Quantity, app.Positive), "qty", "hours")
	fl.StringVar(&date, "date", "", "day worked YYYY-MM-DD (default today)")
	fl.StringVar(&in.Note, "note", "", "what was done")
	fl.StringVar(&in.Ref, "ref", "", "project or ticket")
	fl.BoolVar(&in.NonBillable, "non-billable", false, "never bill this entry")
	fl.Var(rate.Of(bounds.Money, app.NonNegative), "rate", "price per period by hand (default: priced when billed)")
	app.DryRunFlag(cmd, &opts.DryRun, "check and show the entry without saving it")
	return cmd
}

func runLog(ctx context.Context, opts *LogOptions) error {
	a := opts.App
	e, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) (timebill.Entry, error) {
		return timebill.Log(ctx, tx, opts.Entry)
	})
	if err != nil {
		return err
	}
	if !opts.DryRun {
		a.Say("time entry %d logged: %s hours of %s for %s", e.ID, e.Hours, e.SKU, e.Customer)
	}
	return a.Printer().One(e)
}

// ListOptions are time list's flags.
type ListOptions struct {
	App    *app.App
	Filter timebill.Filter
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	f := &opts.Filter
	var until string
	cmd := &cobra.Command{
		Use:   "list [--unbilled] [--customer C] [--ref R] [--product P] [--until D]",
		Short: "List time entries, oldest first",
		Long: `List time entries oldest first, with the sales order and line that billed each one.
--unbilled shows only billable entries not billed yet: what "time bill" would bill.`,
		Example: `  stockctl time list --unbilled
  stockctl time list --customer ACME --ref TICKET-42 -o json`,
		Args: app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			if until != "" {
				t, err := app.ParseDate("until", until)
				if err != nil {
					return err
				}
				f.Until = &t
			}
			return runList(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.Unbilled, "unbilled", false, "only billable entries not billed yet")
	fl.StringVar(&f.Customer, "customer", "", "only this customer's entries")
	fl.StringVar(&f.Ref, "ref", "", "only entries with this project or ticket")
	fl.StringVar(&f.SKU, "product", "", "only entries of this time product")
	fl.StringVar(&until, "until", "", "only entries dated on or before YYYY-MM-DD")
	return cmd
}

func runList(ctx context.Context, opts *ListOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]timebill.Entry, error) {
		return timebill.List(ctx, d, opts.Filter)
	})
}

// EditOptions are time edit's argument and flags, read: the changes given.
type EditOptions struct {
	App     *app.App
	ID      int64
	Changes timebill.EntryChanges
	DryRun  bool
}

func newEditCmd(a *app.App) *cobra.Command {
	opts := &EditOptions{App: a}
	var customer, sku, date, note, ref string
	var qty, rate app.DecimalFlag
	var billable, quoted bool
	cmd := &cobra.Command{
		Use:   "edit ID [flags]",
		Short: "Change a time entry that is not billed yet",
		Long: `Change time entry ID. Only flags given change. A billed entry is frozen (the database
refuses any change to it as well): correct the sales order instead. --quoted drops a typed
--rate so the entry is priced by the pricing engine when billed.`,
		Example: `  stockctl time edit 12 --qty 3 --note "incl. testing"
  stockctl time edit 12 --billable=false
  stockctl time edit 12 --rate 95`,
		Args: app.Args("ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(strings.TrimSpace(args[0]), 10, 64)
			if err != nil || id <= 0 {
				return fault.Usagef("id", "ID %q is not a time entry number (see stockctl time list)", args[0])
			}
			ch := timebill.EntryChanges{Customer: app.Ptr(c, "customer", customer), SKU: app.Ptr(c, "product", sku),
				Note: app.Ptr(c, "note", note), Ref: app.Ptr(c, "ref", ref), Billable: app.Ptr(c, "billable", billable), ClearRate: quoted}
			if qty.Given {
				ch.Hours = &qty.Value
			}
			if rate.Given {
				if quoted {
					return fault.Usagef("rate", "give --rate or --quoted, not both")
				}
				ch.Rate = &rate.Value
			}
			if date != "" {
				t, err := app.ParseDate("date", date)
				if err != nil {
					return err
				}
				ch.Date = &t
			}
			opts.ID, opts.Changes = id, ch
			return runEdit(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&customer, "customer", "", "customer")
	fl.StringVar(&sku, "product", "", "time product SKU")
	fl.Var(qty.Of(bounds.Quantity, app.Positive), "qty", "hours")
	fl.StringVar(&date, "date", "", "day worked YYYY-MM-DD")
	fl.StringVar(&note, "note", "", "what was done")
	fl.StringVar(&ref, "ref", "", "project or ticket")
	fl.BoolVar(&billable, "billable", true, "whether the entry is billed")
	fl.Var(rate.Of(bounds.Money, app.NonNegative), "rate", "price per period by hand")
	fl.BoolVar(&quoted, "quoted", false, "drop a typed rate: price the entry by the pricing engine")
	app.DryRunFlag(cmd, &opts.DryRun, "check and show without saving")
	return cmd
}

func runEdit(ctx context.Context, opts *EditOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (timebill.Entry, error) {
		return timebill.Edit(ctx, tx, opts.ID, opts.Changes)
	})
}

// BillOptions are time bill's argument and flags, read into the domain's input.
type BillOptions struct {
	App    *app.App
	Input  timebill.BillInput
	DryRun bool
}

func newBillCmd(a *app.App) *cobra.Command {
	opts := &BillOptions{App: a}
	in := &opts.Input
	var until, date string
	cmd := &cobra.Command{
		Use:   "bill CUSTOMER [--until D] [--location L] [--date D] [--dry-run]",
		Short: "Put a customer's unbilled time on a new sales order, once",
		Long: `Bill every unbilled, billable time entry of CUSTOMER dated on or before --until (default: all)
onto one new draft sales order: one line per product and rate. A line's quantity is the
entries' hours converted into the product's periods (6 decimals), its entered quantity the
hours; its price is the entries' typed --rate, else the pricing engine's price per period for
the customer at that quantity on the order's --date (default today). Each entry is linked to
its line and marked billed in the same transaction, so an hour is never billed twice, even
when two bills of one customer run at once. The order sells from --location, default the
first active stock location (the oldest). Confirm and invoice it with "so confirm" and
"so invoice". With nothing to bill it says so, makes no order and exits 0.

` + timeCalendar,
		Example: `  stockctl time bill ACME --until 2026-06-30 --dry-run
  stockctl time bill ACME --until 2026-06-30
  stockctl time bill BLUEBIRD --location STORE -o json`,
		Args: app.Args("CUSTOMER"),
		RunE: func(c *cobra.Command, args []string) error {
			in.Customer = args[0]
			if until != "" {
				t, err := app.ParseDate("until", until)
				if err != nil {
					return err
				}
				in.Until = &t
			}
			if date != "" {
				t, err := app.ParseDate("date", date)
				if err != nil {
					return err
				}
				in.Date = t
			}
			return runBill(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&until, "until", "", "bill entries dated on or before YYYY-MM-DD (default: all)")
	fl.StringVar(&in.Location, "location", "", "location the order sells from (default: the first active stock location)")
	fl.StringVar(&date, "date", "", "order date YYYY-MM-DD: prices and exchange rate of that day (default today)")
	app.DryRunFlag(cmd, &opts.DryRun, "show the order that would be made without saving anything")
	return cmd
}

// runBill bills and says what; -o json prints the whole bill, else its lines.
func runBill(ctx context.Context, opts *BillOptions) error {
	a := opts.App
	b, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) (timebill.Billed, error) {
		return timebill.Bill(ctx, tx, opts.Input)
	})
	if err != nil {
		return err
	}
	p := a.Printer()
	if b.SO == "" {
		a.Say("nothing to bill for %s", b.Customer)
	} else {
		verb := "billed on"
		if opts.DryRun {
			verb = "would be billed on"
		}
		a.Say("%d entries (%s hours) of %s %s %s: %d lines, subtotal %s %s", b.Entries, b.Hours, b.Customer, verb, b.SO,
			len(b.Lines), exactdec.String(b.Subtotal), b.Currency)
	}
	if p.Format == "json" {
		return p.One(b)
	}
	return p.List(b.Lines)
}
