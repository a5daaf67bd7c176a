package commands

import (
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/exactdec"
	"github.com/stockctl/stockctl/orders/cancel"
	"github.com/stockctl/stockctl/orders/sales"
	"github.com/stockctl/stockctl/orders/work"
)

func (a *App) soCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "so",
		Short: "Sales orders: lines, confirm (allocate or backorder), release, ship, invoice",
		Long: `Sales orders (SO-000001 ...) go draft → confirmed → partially_shipped → shipped → closed,
or cancelled. Confirming allocates each stock line from what is available (on hand −
allocated) at the sell-from location and backorders the rest; "so release" allocates
stock that arrives later, "so ship" issues allocated stock, "so invoice" bills what shipped.`,
	}
	cmd.AddCommand(a.soNewCmd(), a.soAddCmd(), a.soConfirmCmd(), a.soBackorderCmd(), a.soReleaseCmd(),
		a.soShipCmd(), a.soInvoiceCmd(), a.soShowCmd(), a.soListCmd(), a.soCancelCmd())
	return cmd
}

func (a *App) soNewCmd() *cobra.Command {
	var in sales.NewOrder
	var shipBy, date string
	var dry, inclusive bool
	cmd := &cobra.Command{
		Use:   "new CUSTOMER --location L [flags]",
		Short: "Start a draft sales order for a customer",
		Long: `Start a draft sales order for CUSTOMER selling from --location. The order trades in the
customer's currency at the exchange rate in force on its date (frozen on the order), is priced
under the customer's price type unless --price-type is given, and ships to the customer's sales
region unless --ship-to is given. --ship-by is the requested ship date: release serves earlier
dates first. --ship-complete ships the order in one delivery: release allocates its backorders
all together or not at all.

Whether the order's prices include tax is the setting prices_include_tax when the order is
made, or --prices-include-tax=true|false for this order; it is frozen on the order (like its
rate), so its invoices follow it whatever the setting says later. With prices that include
tax a line's amount holds the tax: tax = amount × rate/(100 + rate), net = amount − tax;
without, tax = net × rate/100 on top. Per line, rounded half away from zero to the currency's
minor unit; the order's totals are the sums of its lines.`,
		Example: `  stockctl so new ACME --location MAIN
  stockctl so new BLUEBIRD --location STORE --price-type trade --ship-by 2026-07-01 --ship-complete`,
		Args: args("CUSTOMER"),
		RunE: func(c *cobra.Command, args []string) error {
			in.Customer = args[0]
			if in.Location == "" {
				return fault.Usagef("location", "missing --location (the location the order sells from)")
			}
			if shipBy != "" {
				t, err := parseDate("ship-by", shipBy)
				if err != nil {
					return err
				}
				in.ShipBy = &t
			}
			if date != "" {
				t, err := parseDate("date", date)
				if err != nil {
					return err
				}
				in.Date = t
			}
			if c.Flags().Changed("prices-include-tax") {
				in.PricesIncludeTax = &inclusive
			}
			var doc sales.Doc
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = sales.New(c.Context(), tx, in)
				return err
			})
			if err != nil {
				return err
			}
			a.say("%s created (draft): add lines with stockctl so add %s SKU QTY", doc.Number, doc.Number)
			return a.Printer().One(doc.Order)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&in.Location, "location", "", "location the order sells from")
	fl.StringVar(&in.PriceType, "price-type", "", "price type (default: the customer's)")
	fl.StringVar(&in.ShipTo, "ship-to", "", "sales region the goods go to (default: the customer's)")
	fl.StringVar(&shipBy, "ship-by", "", "requested ship date YYYY-MM-DD")
	fl.BoolVar(&in.ShipComplete, "ship-complete", false, "ship in one delivery: release backorders all or nothing")
	fl.StringVar(&date, "date", "", "order date YYYY-MM-DD (default today)")
	fl.StringVar(&in.Notes, "notes", "", "free text kept on the order")
	fl.BoolVar(&inclusive, "prices-include-tax", false, "the order's prices include tax (default: the setting prices_include_tax)")
	fl.BoolVar(&dry, "dry-run", false, "check everything and show the order without saving it")
	return cmd
}

func (a *App) soAddCmd() *cobra.Command {
	var in sales.LineInput
	var price, discount, tax decimalFlag
	var choose []string
	var shipComplete, dry bool
	cmd := &cobra.Command{
		Use:   "add SO SKU QTY [flags]",
		Short: "Add a line to a draft sales order",
		Long: `Add QTY of SKU to draft order SO. QTY is in --uom: any unit of the product's stock unit
category or one of its pack units (default the product's sales unit). The line keeps QTY in
that unit and its stock-unit quantity, which allocation, backorders and shipments work in; a
QTY that does not convert exactly within the stock unit's decimals (500.5 g of a product kept
in kg to 3 decimals) is refused naming both units. The product must be active and sellable.
Service, time, freight and virtual products need no stock.

The unit price is per the line's unit, in the order's currency, and the line's amount is QTY ×
unit price (less discount): it comes from the pricing engine (special price, location break,
price type break, default break, sell price, all per stock unit: see stockctl price quote),
converted to the line's unit, unless --price is given (price source "manual"). A line whose
unit is not the stock unit shows as "2 box (24 ea)" at "60/box". --custom marks a custom item (built to order):
it is backordered until a work order builds it; --choose GROUP=OPTION configures a configurable
product (implies --custom) and adds the options' price adjustments; the line records the
options, and the work order built for it consumes the bill of materials with the options'
components applied (stockctl product option component). The tax rate is --tax-rate,
else the customer's, else the product's sales tax rate, else the setting tax_rate_sales.`,
		Example: `  stockctl so add SO-000001 DRILL-18V 2
  stockctl so add SO-000001 SCREW-4 3 --uom box --discount 5
  stockctl so add SO-000001 FLOUR 500 --uom g
  stockctl so add SO-000001 FREIGHT 1 --price 12.50
  stockctl so add SO-000001 DESK --custom --choose top=oak --choose legs=steel 1`,
		Args: args("SO", "SKU", "QTY"),
		RunE: func(c *cobra.Command, args []string) error {
			q, err := quantityArg(args[2], positive, "a sales order line sells more than 0")
			if err != nil {
				return err
			}
			in.SKU, in.Qty = args[1], q
			if price.Given {
				in.Price = &price.Value
			}
			if discount.Given {
				in.Discount = &discount.Value
			}
			if tax.Given {
				in.TaxRate = &tax.Value
			}
			in.ShipComplete = ptr(c, "ship-complete", shipComplete)
			if len(choose) > 0 {
				in.Choices = map[string]string{}
				for _, ch := range choose {
					k, v, ok := strings.Cut(ch, "=")
					if !ok {
						return fault.Usagef("choose", "--choose %q: write GROUP=OPTION", ch)
					}
					in.Choices[k] = v
				}
			}
			var l sales.Line
			err = a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				l, err = sales.AddLine(c.Context(), tx, args[0], in)
				return err
			})
			if err != nil {
				return err
			}
			if a.tableOnly() {
				return a.Printer().One(soLineViewOf(l))
			}
			return a.Printer().One(l)
		},
	}
	fl := cmd.Flags()
	unitFlags(fl, &in.Unit, "unit of QTY: a unit of the stock unit's category or a pack unit (default: the sales unit)")
	fl.Var(price.Of(bounds.Money, nonNegative), "price", "unit price per --uom in the order's currency (price source manual)")
	fl.Var(discount.Of(bounds.Percent, nonNegative), "discount", "discount in percent")
	fl.Var(tax.Of(bounds.Percent, nonNegative), "tax-rate", "tax rate in percent")
	fl.BoolVar(&in.Custom, "custom", false, "custom item: backordered until a work order builds it")
	fl.StringArrayVar(&choose, "choose", nil, "GROUP=OPTION of a configurable product (repeat)")
	fl.BoolVar(&shipComplete, "ship-complete", false, "this line ships whole (default: the order's setting)")
	fl.BoolVar(&dry, "dry-run", false, "price and check the line without saving it")
	return cmd
}

func (a *App) soConfirmCmd() *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "confirm SO",
		Short: "Confirm a draft order: allocate available stock, backorder the rest",
		Long: `Confirm draft order SO: each stock line is allocated from the stock available (on hand −
allocated) at the sell-from location; what cannot be allocated is backordered. Custom items
are backordered until a work order builds them. Safe to run concurrently: no unit is
allocated twice.

Stock in batches past their expiry date (before today, UTC; a batch expiring today is still
good) is not available: what only it could serve stays backordered, and a note on stderr
names the line, product, batches and quantities (release it with so release --allow-expired).`,
		Example: "  stockctl so confirm SO-000001\n  stockctl so confirm SO-000001 --dry-run -o json",
		Args:    args("SO"),
		RunE: func(c *cobra.Command, args []string) error {
			var doc sales.Doc
			var holds []sales.Hold
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				if doc, err = sales.Confirm(c.Context(), tx, args[0]); err != nil {
					return err
				}
				holds, err = sales.ExpiredHolds(c.Context(), tx, []string{doc.Number}, "")
				return err
			})
			if err != nil {
				return err
			}
			a.say("%s confirmed: %s backordered", doc.Number, doc.Backordered)
			a.sayHolds(holds)
			return a.printSO(doc)
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "show what would be allocated and backordered without saving")
	return cmd
}

func (a *App) soBackorderCmd() *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "backorder SO LINE QTY",
		Short: "Set a line's backordered quantity by hand, freeing the allocation it replaces",
		Long: `Set line LINE of SO to QTY backordered (stock unit), e.g. when the customer wants it all in
one delivery. Backordering more frees the allocation it replaces; backordering less allocates
the difference from available stock and is refused, saying what is available, when there is
not enough. QTY is at most what is still to ship.`,
		Example: "  stockctl so backorder SO-000001 1 6\n  stockctl so backorder SO-000001 2 0",
		Args:    args("SO", "LINE", "QTY"),
		RunE: func(c *cobra.Command, args []string) error {
			n, err := bounds.ParseWhole(args[1], 1, bounds.MaxWhole)
			if err != nil {
				return fault.Usagef("line", "LINE %s: give the line number (see stockctl so show %s)", quoteArg(args[1]), args[0])
			}
			line := int(n)
			q, err := quantityArg(args[2], nonNegative, "a backorder quantity cannot be negative (0 takes the line off backorder)")
			if err != nil {
				return err
			}
			var l sales.Line
			err = a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				l, err = sales.SetBackorder(c.Context(), tx, args[0], line, q)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(l)
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check and show the line without saving")
	return cmd
}

func (a *App) soReleaseCmd() *cobra.Command {
	var r sales.ReleaseRequest
	var ship, invoice, dry bool
	cmd := &cobra.Command{
		Use:   "release [SO ...] [--all] [--location L] [--ship] [--invoice] [--dry-run]",
		Short: "Allocate newly available stock to backordered lines, in priority order",
		Long: `Allocate available stock (on hand − allocated at each order's sell-from location) to the
backordered lines of the orders named, or of every open order with --all (--location narrows
to orders selling from L).

Priority: requested ship date (--ship-by; orders without one last), then order date, then SO
number, then line number. A line takes what there is, in part, unless it is ship-complete (then
all or nothing); the backorders of a ship-complete order are released together or not at all,
leaving the stock to the next order. Custom items wait for their work orders.

Stock in batches past their expiry date (before today, UTC; a batch expiring today is still
good) is not released, and not shipped, unless --allow-expired: what only it could serve
stays backordered, and a note on stderr names each such line with its batches.

--ship ships everything allocated on the lines it released to (what was allocated to them
before as well as what was just released), --invoice (with --ship) then invoices the orders
shipped as so invoice does (every shipped, not yet invoiced quantity, and non-stock lines), all
in the same transaction: the orders end as so ship --line N of those lines plus so invoice
would leave them.
Safe from cron and from several shells at once: products are locked in one fixed order and
every update is guarded, so no unit is released twice. --dry-run shows what would happen.`,
		Example: `  stockctl so release --all
  stockctl so release SO-000003 SO-000007 --ship --invoice
  stockctl so release --all --location MAIN --dry-run -o json`,
		RunE: func(c *cobra.Command, args []string) error {
			r.Orders = args
			if !r.All && len(args) == 0 {
				return fault.Usagef("all", "name the sales orders to release, or give --all")
			}
			if r.All && len(args) > 0 {
				return fault.Usagef("all", "give sales orders or --all, not both")
			}
			if invoice && !ship {
				return fault.Usagef("invoice", "--invoice invoices what --ship shipped: give --ship too")
			}
			var rs []sales.Released
			var ships []sales.Shipment
			var invs []sales.InvoiceDoc
			var holds []sales.Hold
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				if rs, ships, invs, err = sales.ReleaseAndShip(c.Context(), tx, r, ship, invoice, clock.Today()); err != nil {
					return err
				}
				if !r.AllowExpired {
					holds, err = sales.ExpiredHolds(c.Context(), tx, r.Orders, r.Location)
				}
				return err
			})
			if err != nil {
				return err
			}
			for _, s := range ships {
				a.say("%s shipped %s (%s)", s.SO, s.Number, s.Status)
			}
			for _, i := range invs {
				a.say("%s invoiced %s: %s %s", i.SO, i.Number, exactdec.String(i.Total), i.Currency)
			}
			if len(rs) == 0 {
				a.say("nothing to release")
			} else {
				a.say("released to %d lines of %d orders", len(rs), len(sales.ReleaseOrders(rs)))
			}
			a.sayHolds(holds)
			return a.Printer().List(rs)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&r.All, "all", false, "every open order with backorders")
	fl.StringVar(&r.Location, "location", "", "only orders selling from this location")
	fl.BoolVar(&ship, "ship", false, "ship everything allocated on the lines released to")
	fl.BoolVar(&invoice, "invoice", false, "invoice what was shipped (with --ship)")
	fl.BoolVar(&r.AllowExpired, "allow-expired", false, "release (and ship) stock in batches past their expiry date too")
	fl.BoolVar(&dry, "dry-run", false, "show what would be released without saving")
	return cmd
}

func (a *App) soShipCmd() *cobra.Command {
	var line int
	var qty decimalFlag
	var batch string
	var serials []string
	var dry, allowExpired bool
	cmd := &cobra.Command{
		Use:   "ship SO [--line N --qty Q] [--batch B] [--serial S ...] [--allow-expired]",
		Short: "Ship allocated stock of a sales order to the customer",
		Long: `Issue allocated stock of SO to the customer and record a shipment (SH-000001 ...). Without
--line every allocated line ships in full; --line N ships that line (--qty Q of it, default all
allocated). Batches are taken first-expiry-first-out unless --batch names one; serialised
products name one --serial per unit. Stock leaves through the ledger (kind sale, to ~customer)
at the average cost; allocated and on hand go down together. Only allocated stock ships:
release backorders first.

Batches past their expiry date (before today, UTC; a batch expiring today is still good) do
not ship unless --allow-expired: first-expiry-first-out passes them over and --batch naming
one is refused. What only expired stock could serve goes from the line's allocation back to
its backorder, and a note on stderr names the line, product, batches and quantities; when
that leaves nothing to ship, no shipment is made (exit 0, nothing printed on stdout but an
empty list).

Shipment numbers come from the setting number_format_sh and never skip: --dry-run and a
refused shipment use none.`,
		Example: `  stockctl so ship SO-000001
  stockctl so ship SO-000001 --line 2 --qty 3 --batch R2611
  stockctl so ship SO-000001 --line 3 --serial CX0001 --serial CX0002`,
		Args: args("SO"),
		RunE: func(c *cobra.Command, args []string) error {
			req := sales.ShipRequest{SO: args[0]}
			if c.Flags().Changed("line") {
				if line < 1 {
					return fault.Usagef("line", "--line %d: lines are numbered from 1", line)
				}
				req.Lines = []sales.ShipLine{{Line: line, Qty: qty.Value, Batch: batch, Serials: serials}}
			} else if qty.Given || batch != "" || len(serials) > 0 {
				return fault.Usagef("line", "--qty, --batch and --serial apply to one line: give --line N")
			}
			req.AllowExpired = allowExpired
			var s sales.Shipment
			var holds []sales.Hold
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				if s, err = sales.Ship(c.Context(), tx, req); err != nil || allowExpired {
					return err
				}
				holds, err = sales.ExpiredHolds(c.Context(), tx, []string{s.SO}, "")
				return err
			})
			if err != nil {
				return err
			}
			if s.Number == "" {
				a.say("%s: nothing shipped: only expired stock was there; order %s", s.SO, s.Status)
			} else {
				a.say("%s: %s shipped, order %s", s.SO, s.Number, s.Status)
			}
			a.sayHolds(holds)
			return a.Printer().List(s.Lines)
		},
	}
	fl := cmd.Flags()
	intVar(fl, &line, "line", 0, 1, bounds.MaxWhole, "ship this line only")
	fl.Var(qty.Of(bounds.Quantity, positive), "qty", "quantity of --line to ship, in the stock unit (default: all allocated)")
	fl.StringVar(&batch, "batch", "", "take this batch (default: first expiry first out)")
	fl.StringSliceVar(&serials, "serial", nil, "serial numbers shipped, one per unit")
	fl.BoolVar(&allowExpired, "allow-expired", false, "ship batches past their expiry date too")
	fl.BoolVar(&dry, "dry-run", false, "check and show the shipment without posting")
	return cmd
}

func (a *App) soInvoiceCmd() *cobra.Command {
	var date string
	var dry bool
	cmd := &cobra.Command{
		Use:   "invoice SO [--date D]",
		Short: "Invoice what a sales order shipped and has not been invoiced",
		Long: `Invoice the quantities of SO shipped and not yet invoiced, and its non-stock lines not yet
invoiced, as a numbered, immutable invoice (INV-000001 ...) in the order's currency. Per line
amount = qty × unit price × (1 − discount%) rounded to the currency's minor unit; under the
order's tax mode (frozen when the order was made, see so new) tax = amount × rate% on top, or,
when its prices include tax, tax = amount × rate/(100 + rate) held in it and the line's net
amount is amount − tax. Each rounding is per line, half away from zero, exactly as the order
shows its lines, so invoicing whole lines gives the order's totals. The order closes once
everything has shipped and been invoiced.

Invoice numbers (setting number_format_inv) never skip: --dry-run shows the number the invoice
will get and uses none, and neither does a refused invoice.`,
		Example: "  stockctl so invoice SO-000001\n  stockctl so invoice SO-000001 --date 2026-06-30 -o json",
		Args:    args("SO"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := parseDate("date", date)
			if err != nil {
				return err
			}
			var inv sales.InvoiceDoc
			err = a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				inv, err = sales.Invoice(c.Context(), tx, args[0], d)
				return err
			})
			if err != nil {
				return err
			}
			return a.printInvoice(inv)
		},
	}
	cmd.Flags().StringVar(&date, "date", "", "invoice date YYYY-MM-DD (default today)")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "show the invoice without saving it")
	return cmd
}

func (a *App) soShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show SO",
		Short: "Show a sales order with its lines",
		Long: `Show SO and its lines: quantity, price and its source, allocated, backordered, shipped and
invoiced. -o json gives the order with its lines as one object; a table shows the header and
then the lines; -o csv and --fields print the lines.`,
		Example: "  stockctl so show SO-000001\n  stockctl so show SO-000001 -o json",
		Args:    args("SO"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			doc, err := sales.Get(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.printSO(doc)
		},
	}
}

func (a *App) soListCmd() *cobra.Command {
	var f sales.Filter
	cmd := &cobra.Command{
		Use:     "list [--status S] [--customer C]",
		Short:   "List sales orders, newest first",
		Long:    `List sales orders newest first with totals and what is backordered. --status: draft, confirmed, partially_shipped, shipped, closed, cancelled, or open (confirmed or partially shipped).`,
		Example: "  stockctl so list --status open\n  stockctl so list --customer ACME -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			os, err := sales.List(c.Context(), d, f)
			if err != nil {
				return err
			}
			if len(os) == 0 {
				a.say("no sales orders")
			}
			return a.Printer().List(os)
		},
	}
	cmd.Flags().StringVar(&f.Status, "status", "", "status, or open")
	cmd.Flags().StringVar(&f.Customer, "customer", "", "one customer's orders")
	intVar(cmd.Flags(), &f.Limit, "limit", 0, 0, bounds.MaxWhole, "at most this many (0: all)")
	return cmd
}

func (a *App) soCancelCmd() *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "cancel SO",
		Short: "Cancel a sales order that has shipped nothing, undoing what was made for it",
		Long: `Cancel SO (draft or confirmed, nothing shipped or invoiced). Everything made for the
order is undone in the same transaction, as if it had never been made; only its number and
the cancelled order stay as history:
  - its allocations are freed and its backorders dropped;
  - time entries billed on it (time bill) are unbilled: the next time bill takes them again;
  - training registrations on it are cancelled and their seats freed; waitlisted
    registrations that now fit are named, to be promoted with stockctl training promote;
  - work orders made for its lines (wo generate) that have built nothing are cancelled;
    one that has built some is kept, unlinked from the order, and builds into free stock
    (close it with stockctl wo cancel);
  - draft purchase order lines po generate --from-backorders ordered only for its backorders
    are removed, and a draft left with no lines is cancelled; a line ordered for other
    orders (or a reorder level) too is kept as it is and only forgets this order. Ordered
    POs are not touched: cancel them with stockctl po cancel.`,
		Example: "  stockctl so cancel SO-000004",
		Args:    args("SO"),
		RunE: func(c *cobra.Command, args []string) error {
			var r cancel.Result
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				r, err = cancel.SalesOrder(c.Context(), tx, args[0])
				return err
			})
			if err != nil {
				return err
			}
			a.say("%s cancelled", r.Order.Number)
			a.sayUndone(r)
			return a.printSO(r.Order)
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check without cancelling")
	return cmd
}

// sayUndone tells what cancelling an order undid besides its allocations.
func (a *App) sayUndone(r cancel.Result) {
	if n := len(r.Unbilled); n > 0 {
		hours := decimal.Zero
		for _, u := range r.Unbilled {
			hours = hours.Add(u.Hours)
		}
		a.say("%d time entries (%s hours) are unbilled again", n, hours)
	}
	for _, f := range r.Seats {
		a.say("training session %d (%s on %s): %d seats freed, %d free", f.Session, f.SKU, f.Date, f.Seats, f.Free)
		for _, o := range f.Offer {
			a.say("  waitlisted registration %d (%s, %d seats) fits: stockctl training promote %d", o.Registration, o.Customer, o.Seats, o.Registration)
		}
	}
	for _, l := range r.POs.Lines {
		if l.Action == "removed" {
			a.say("%s line %d (%s %s, ordered only for %s) removed", l.PO, l.Line, l.Qty, l.SKU, r.Order.Number)
		} else {
			a.say("%s line %d (%s %s) kept: it is ordered for other needs too", l.PO, l.Line, l.Qty, l.SKU)
		}
	}
	for _, po := range r.POs.Cancelled {
		a.say("%s cancelled: nothing else was on it", po)
	}
	for _, w := range r.WorkOrders {
		if w.Action == work.Cancelled {
			a.say("%s (for line %d) cancelled", w.Number, w.Line)
		} else {
			a.say("%s (for line %d) has built some: kept, no longer linked to %s", w.Number, w.Line, w.SO)
		}
	}
}

// sayHolds prints a note on stderr for each backordered line only expired stock could serve.
func (a *App) sayHolds(holds []sales.Hold) {
	for _, h := range holds {
		a.say("note: %s", h.Note())
	}
}

// printSO prints an order: JSON as one object with its lines, a table as header then lines,
// CSV and --fields as the lines.
func (a *App) printSO(doc sales.Doc) error {
	if !a.tableOnly() {
		return a.printDocument(doc, doc.Order, doc.Items)
	}
	views := make([]soLineView, len(doc.Items))
	for i, l := range doc.Items {
		views[i] = soLineViewOf(l)
	}
	return a.printDocument(doc, doc.Order, views)
}
