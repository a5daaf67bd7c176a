package commands

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/business/region"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/pricing"
	"github.com/stockctl/stockctl/io/exactdec"
	"github.com/stockctl/stockctl/io/printer"
)

func (a *App) priceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "price",
		Short: "Pricing: sell price formulas, quantity breaks, special prices and quotes",
		Long: `How a line is priced (stockctl price quote shows it, rule by rule), first match wins:

  1. special         the customer's special price (price special add), valid on the day
  2. location_break  a break row of the customer's price type for the sales region, when the
                     setting location_pricing is sell_from (region of the sell-from location)
                     or sell_to (region of the customer), unless the product has the same price
                     at every location (price same-price)
  3. break           a break row of the customer's price type
  4. default_break   a break row of the default price type (setting default_price_type)
  5. sell_price      the product's unit sell price, fixed or from its formula (price formula)

Within a set of break rows the row with the largest minimum quantity <= the line quantity
prices the whole line. The default price type's first row (no region, minimum 0) is the unit
sell price itself: editing one edits the other. A price typed on a document line wins and is
kept (source manual).`,
	}
	cmd.AddCommand(a.priceFormulaCmd(), a.priceShowCmd(), a.priceSamePriceCmd(), a.priceBreakCmd(),
		a.priceSpecialCmd(), a.priceQuoteCmd())
	return cmd
}

func (a *App) priceFormulaCmd() *cobra.Command {
	var pct decimalFlag
	var dry bool
	cmd := &cobra.Command{
		Use:   "formula SKU fixed|markup|margin|discount|list [--pct P]",
		Short: "Set how a product's unit sell price is computed",
		Long: `Set the selling price formula of a product; P is a percentage (25 means 25 %):

  fixed     the sell price is typed (product edit --sell-price); it keeps its current value
  markup    cost × (1 + P)        cost 8.00, --pct 25 → 10.00
  margin    cost ÷ (1 − P)        cost 8.00, --pct 25 → 10.67 (P below 100)
  discount  list × (1 − P)        list 20.00, --pct 15 → 17.00 (P at most 100)
  list      the list price

The result is rounded half away from zero to the base currency's minor units (cents for USD)
and recomputed whenever the cost or list price changes, whatever changes it (product edit, an
import, ...). While a formula other than fixed is set, a sell price typed over it is refused.
The sell price is also the default price type's first break row, so that row follows.`,
		Example: `  stockctl price formula DRILL-18V markup --pct 150
  stockctl price formula PAINT-WHITE margin --pct 40
  stockctl price formula CAM-X1 discount --pct 10
  stockctl price formula TEE list
  stockctl price formula TEE fixed`,
		Args: args("SKU", "FORMULA"),
		RunE: func(c *cobra.Command, args []string) error {
			var p *decimal.Decimal
			if pct.Given {
				p = &pct.Value
			}
			var pp pricing.ProductPricing
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				pp, err = pricing.SetFormula(c.Context(), tx, args[0], args[1], p)
				return err
			})
			if err != nil {
				return err
			}
			switch {
			case (pp.Formula == pricing.Markup || pp.Formula == pricing.Margin) && pp.Cost.IsZero():
				a.say("note: %s has no cost price yet, so its sell price is 0 until it gets one (product edit %s --cost X)", pp.SKU, pp.SKU)
			case (pp.Formula == pricing.Discount || pp.Formula == pricing.List) && pp.ListPrice.IsZero():
				a.say("note: %s has no list price yet, so its sell price is 0 until it gets one (product edit %s --list-price X)", pp.SKU, pp.SKU)
			}
			return a.Printer().One(pp)
		},
	}
	cmd.Flags().Var(pct.Of(bounds.Percent, nonNegative), "pct", "percentage for markup, margin and discount (25 = 25%)")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "show the new sell price without saving")
	return cmd
}

func (a *App) priceShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "show SKU",
		Short:   "Show how a product is priced: cost, list and sell price, formula, location rule, rows",
		Example: "  stockctl price show DRILL-18V\n  stockctl price show DRILL-18V -o json",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			pp, err := pricing.Show(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().One(pp)
		},
	}
}

func (a *App) priceSamePriceCmd() *cobra.Command {
	var off, dry bool
	cmd := &cobra.Command{
		Use:   "same-price SKU [--off]",
		Short: "Price a product the same at every location (ignore region break rows), or stop",
		Long: `Mark a product as "same price for all locations": location-based pricing (setting
location_pricing) then ignores its region break rows, and it is priced by the customer's price
type, the default price type and its sell price wherever it is sold from or to. --off removes
the mark. price show SKU says whether it is set.`,
		Example: "  stockctl price same-price GUIDE-PDF\n  stockctl price same-price GUIDE-PDF --off",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			var pp pricing.ProductPricing
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				pp, err = pricing.SetSamePrice(c.Context(), tx, args[0], !off)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(pp)
		},
	}
	cmd.Flags().BoolVar(&off, "off", false, "use region break rows for this product again")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "show the result without saving")
	return cmd
}

func (a *App) priceBreakCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "break",
		Short: "Quantity price breaks per product, price type and sales region",
	}
	var (
		minQty, price      decimalFlag
		priceType, region  string
		dry, delDry        bool
		delMin             decimalFlag
		delType, delRegion string
		listType           string
		breakUnit          string
	)
	add := &cobra.Command{
		Use:   "add SKU --price X [--min-qty N] [--uom U] [--price-type T] [--region R]",
		Short: "Set a break row: from N units (stock unit) on, a unit costs X",
		Long: `Set a quantity price break of a product: from --min-qty units on (in the product's stock
unit; fractions such as 2.5 are fine; default 0) a unit costs --price, for customers of
--price-type (default: the default price type). With --region the row is used by
location-based pricing only (setting location_pricing). The row with the largest minimum <=
the line quantity prices the whole line.

A row with the same product, price type, region and minimum is replaced (1 and 1.00 are the
same minimum), so running the same command again changes nothing. The default price type's
row at minimum 0 without region is the product's unit sell price: setting it sets the sell
price (refused while a formula computes the sell price).

--uom gives --min-qty and --price in another unit of the stock unit's category or a pack unit
of the product; the row is kept per stock unit, converted exactly: --min-qty 2 --price 60
--uom box (box of 12) is the row from 24 ea at 5.00. A minimum that does not convert exactly,
or a price that would need more than 6 decimals per stock unit, is refused.`,
		Example: `  stockctl price break add DRILL-18V --price-type trade --price 112
  stockctl price break add SCREW-4X40 --price-type trade --min-qty 5 --price 10.00 --uom box
  stockctl price break add DRILL-18V --price-type trade --min-qty 5 --price 105
  stockctl price break add ROPE-10 --min-qty 50 --price 2.10
  stockctl price break add DRILL-18V --region NY --price 134 --dry-run`,
		Args: args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			if !price.Given {
				return fault.Usagef("price", "missing --price")
			}
			in := pricing.BreakInput{SKU: args[0], PriceType: priceType, Region: region, Price: price.Value}
			if minQty.Given {
				in.MinQty = minQty.Value
			}
			var b pricing.Break
			var counts pricing.Counts
			var mode string
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				if breakUnit != "" {
					p, err := catalog.Get(c.Context(), tx, args[0])
					if err != nil {
						return err
					}
					if in.MinQty, in.Price, err = catalog.PerStockUnit(c.Context(), tx, p, in.MinQty, in.Price, breakUnit); err != nil {
						return err
					}
				}
				if b, counts, err = pricing.AddBreak(c.Context(), tx, in); err != nil {
					return err
				}
				if region != "" {
					err = tx.GetContext(c.Context(), &mode, `SELECT value FROM settings WHERE key = 'location_pricing'`)
				}
				return err
			})
			if err != nil {
				return fieldFlags(err)
			}
			a.say("%s", outcome(counts, "price break"))
			if b.SellPrice {
				a.say("this row is the unit sell price of %s", b.SKU)
			}
			if region != "" && mode == pricing.LocationPricingNone {
				a.say("note: location_pricing is none, so region rows are not used until: stockctl settings set location_pricing sell_from (or sell_to)")
			}
			return a.Printer().One(b)
		},
	}
	fl := add.Flags()
	fl.StringVar(&breakUnit, "uom", "", "unit --min-qty and --price are in: a unit of the stock unit's category or a pack unit (default: the stock unit)")
	fl.Var(minQty.Of(bounds.Quantity, nonNegative), "min-qty", "minimum quantity in the stock unit (or --uom) from which the price applies (default 0)")
	fl.Var(price.Of(bounds.Money, nonNegative), "price", "unit price in the base currency")
	fl.StringVar(&priceType, "price-type", "", "price type (default: the default price type)")
	fl.StringVar(&region, "region", "", "sales region the row applies in (location-based pricing)")
	fl.BoolVar(&dry, "dry-run", false, "validate and show the row without saving")

	list := &cobra.Command{
		Use:   "list SKU [--price-type T]",
		Short: "List a product's break rows, the unit sell price (the default price type's first row) included",
		Example: `  stockctl price break list DRILL-18V
  stockctl price break list DRILL-18V --price-type trade -o csv`,
		Args: args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			bs, err := pricing.Breaks(c.Context(), d, args[0], listType)
			if err != nil {
				return err
			}
			return a.Printer().List(bs)
		},
	}
	list.Flags().StringVar(&listType, "price-type", "", "only this price type's rows")

	del := &cobra.Command{
		Use:   "delete SKU --min-qty N [--price-type T] [--region R]",
		Short: "Delete one break row",
		Long: `Delete the break row of a product with this minimum, price type (default: the default price
type) and region (default: none). The default price type's first row is the unit sell price
and cannot be deleted; change the sell price instead.`,
		Example: `  stockctl price break delete DRILL-18V --min-qty 5 --price-type trade
  stockctl price break delete DRILL-18V --min-qty 0 --region NY`,
		Args: args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			if !delMin.Given {
				return fault.Usagef("min-qty", "missing --min-qty: the minimum of the row to delete (stockctl price break list %s)", args[0])
			}
			var b pricing.Break
			err := a.write(c, delDry, func(tx *sqlx.Tx) (err error) {
				b, err = pricing.DeleteBreak(c.Context(), tx, args[0], delType, delRegion, delMin.Value)
				return err
			})
			if err != nil {
				return err
			}
			a.say("price break deleted")
			return a.Printer().One(b)
		},
	}
	fl = del.Flags()
	fl.Var(delMin.Of(bounds.Quantity, nonNegative), "min-qty", "minimum quantity of the row")
	fl.StringVar(&delType, "price-type", "", "price type of the row (default: the default price type)")
	fl.StringVar(&delRegion, "region", "", "sales region of the row (default: none)")
	fl.BoolVar(&delDry, "dry-run", false, "show the row that would be deleted without deleting it")
	cmd.AddCommand(add, list, del)
	cmd.AddCommand(a.priceBreakCSVCmds()...)
	return cmd
}

// fieldFlags turns a domain field name (price_type, min_qty) into the flag a person typed.
func fieldFlags(err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) && strings.Contains(fe.Field, "_") {
		cp := *fe
		cp.Field = strings.ReplaceAll(fe.Field, "_", "-")
		return &cp
	}
	return err
}

// outcome says what a set did.
func outcome(c pricing.Counts, what string) string {
	switch {
	case c.Created > 0:
		return what + " added"
	case c.Updated > 0:
		return what + " changed"
	}
	return what + " unchanged: it was already so"
}

func (a *App) priceSpecialCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "special",
		Short: "Special prices per customer and product, with their own break rows and validity dates",
	}
	var (
		price, minQty decimalFlag
		from, until   string
		dry           bool
	)
	add := &cobra.Command{
		Use:   "add CUSTOMER SKU --price X [--min-qty N] [--from D] [--until D]",
		Short: "Set a customer's special price for a product (one break row, optionally dated)",
		Long: `Set a special price: from --min-qty units on (stock unit, default 0) CUSTOMER pays --price
for SKU, on the days --from to --until (both inclusive, YYYY-MM-DD; either may be left open).
A special price comes before every other rule. A customer may have several rows for a product
(one per minimum), each with its own dates; on a given day the valid row with the largest
minimum <= the quantity applies.

The row with the same customer, product and minimum is replaced, price and dates together
(leaving --from/--until out makes it open-ended).`,
		Example: `  stockctl price special add ACME DRILL-18V --price 119
  stockctl price special add ACME DRILL-18V --min-qty 10 --price 115 --from 2026-12-01 --until 2026-12-31`,
		Args: args("CUSTOMER", "SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			if !price.Given {
				return fault.Usagef("price", "missing --price")
			}
			in := pricing.SpecialInput{Customer: args[0], SKU: args[1], Price: price.Value}
			if minQty.Given {
				in.MinQty = minQty.Value
			}
			for _, f := range []struct {
				flag, v string
				dst     **time.Time
			}{{"--from", from, &in.From}, {"--until", until, &in.Until}} {
				if f.v == "" {
					continue
				}
				t, err := parseDate(f.flag, f.v)
				if err != nil {
					return err
				}
				*f.dst = &t
			}
			var s pricing.Special
			var counts pricing.Counts
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				s, counts, err = pricing.AddSpecial(c.Context(), tx, in, clock.Today())
				return err
			})
			if err != nil {
				return fieldFlags(err)
			}
			a.say("%s", outcome(counts, "special price"))
			return a.Printer().One(s)
		},
	}
	fl := add.Flags()
	fl.Var(price.Of(bounds.Money, nonNegative), "price", "unit price in the base currency")
	fl.Var(minQty.Of(bounds.Quantity, nonNegative), "min-qty", "minimum quantity in the stock unit from which the price applies (default 0)")
	fl.StringVar(&from, "from", "", "first day the price is valid, YYYY-MM-DD (default: always)")
	fl.StringVar(&until, "until", "", "last day the price is valid, YYYY-MM-DD (default: no end)")
	fl.BoolVar(&dry, "dry-run", false, "validate and show the row without saving")

	var listSKU, listDate string
	list := &cobra.Command{
		Use:   "list [CUSTOMER] [--sku S] [--date D]",
		Short: "List special prices, with whether each is current, expired or future",
		Example: `  stockctl price special list
  stockctl price special list ACME --sku DRILL-18V -o json`,
		Args: optionalArgs("CUSTOMER"),
		RunE: func(c *cobra.Command, args []string) error {
			on, err := parseDate("--date", listDate)
			if err != nil {
				return err
			}
			customer := ""
			if len(args) > 0 {
				customer = args[0]
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			ss, err := pricing.Specials(c.Context(), d, customer, listSKU, on)
			if err != nil {
				return err
			}
			if len(ss) == 0 {
				a.say("no special prices")
			}
			return a.Printer().List(ss)
		},
	}
	list.Flags().StringVar(&listSKU, "sku", "", "only this product's special prices")
	list.Flags().StringVar(&listDate, "date", "", "the day the status is for, YYYY-MM-DD (default: today)")

	var delMin decimalFlag
	var yes, delDry bool
	del := &cobra.Command{
		Use:   "delete CUSTOMER SKU [--min-qty N] [--yes]",
		Short: "Delete one special price row, or (after confirmation) the whole special price",
		Long: `Delete a customer's special price for a product: with --min-qty the one row at that minimum;
without it every row of the pair, which asks for confirmation on a terminal and needs --yes
otherwise.`,
		Example: `  stockctl price special delete ACME DRILL-18V --min-qty 10
  stockctl price special delete ACME DRILL-18V --yes`,
		Args: args("CUSTOMER", "SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			var minQty *decimal.Decimal
			if delMin.Given {
				minQty = &delMin.Value
			} else if err := a.confirm(yes, fmt.Sprintf("delete every special price row of %s for %s", args[0], args[1])); err != nil {
				return err
			}
			var gone []pricing.Special
			err := a.write(c, delDry, func(tx *sqlx.Tx) (err error) {
				gone, err = pricing.DeleteSpecial(c.Context(), tx, args[0], args[1], minQty, clock.Today())
				return err
			})
			if err != nil {
				return err
			}
			a.say("%d special price row(s) of %s for %s deleted", len(gone), args[0], args[1])
			return a.Printer().List(gone)
		},
	}
	fl = del.Flags()
	fl.Var(delMin.Of(bounds.Quantity, nonNegative), "min-qty", "delete only the row at this minimum")
	fl.BoolVar(&yes, "yes", false, "confirm deleting the whole special price")
	fl.BoolVar(&delDry, "dry-run", false, "say what would be deleted without deleting it")
	cmd.AddCommand(add, list, del)
	cmd.AddCommand(a.priceSpecialCSVCmds()...)
	return cmd
}

// PriceQuote is price quote's answer (exported so quoteJSON can embed it for the printer).
type PriceQuote struct {
	SKU       string          `json:"sku"`
	Customer  string          `json:"customer"`
	Location  string          `json:"location"`
	Date      time.Time       `json:"date" print:"date"`
	Qty       decimal.Decimal `json:"qty"`
	UnitPrice decimal.Decimal `json:"unit_price"`
	Amount    decimal.Decimal `json:"amount"`
	// TaxRate, PricesIncludeTax, Net, Tax and Total: the amount split as the sales order
	// line will show it (currency.Line).
	TaxRate          decimal.Decimal `json:"tax_rate"`
	PricesIncludeTax bool            `json:"prices_include_tax"`
	Net              decimal.Decimal `json:"net"`
	Tax              decimal.Decimal `json:"tax"`
	Total            decimal.Decimal `json:"total"`
	Currency         string          `json:"currency"`
	Source           string          `json:"source"`
	PriceType        string          `json:"price_type"`
	Region           string          `json:"region"`
	MinQty           decimal.Decimal `json:"min_qty"`
}

// stepOut is one rule of price quote --explain.
type stepOut struct {
	Step    int              `json:"step"`
	Rule    string           `json:"rule"`
	Applied bool             `json:"applied"`
	Price   *decimal.Decimal `json:"price"`
	Reason  string           `json:"reason"`
}

// CellColor shows the rule that priced the line in green.
func (s stepOut) CellColor(field string) string {
	if s.Applied && (field == "applied" || field == "rule") {
		return "green"
	}
	return ""
}

type quoteJSON struct {
	PriceQuote
	Steps json.RawMessage `json:"steps"`
}

func (a *App) priceQuoteCmd() *cobra.Command {
	var (
		customer, location, date, priceType, unit, shipTo string
		qty                                               decimalFlag
		explain                                           bool
	)
	cmd := &cobra.Command{
		Use:   "quote SKU [--customer C] [--qty N] [--location L] [--date D] [--price-type T] [--explain]",
		Short: "Price a line the way sales documents will, and say why",
		Long: `Price --qty units (default 1, in the product's stock unit, or in --unit: a unit of the same
category or a pack unit of the product) of SKU for --customer (none: the default price type)
sold from --location on --date (default today), exactly as a sales order line is priced.
--price-type prices with another price type than the customer's (as a sales order's
--price-type does); --ship-to gives the region the goods go to for location_pricing sell_to
(default: the customer's region).

The amount is qty × unit price rounded half away from zero to the base currency's minor
units. tax_rate is the rate a sales order line would get (the customer's, else the product's
sales tax rate, else the setting tax_rate_sales); net, tax and total split the amount the way
the order line will (with prices_include_tax true the amount holds the tax: tax = amount ×
rate/(100 + rate); else tax = amount × rate/100 on top), rounded per line half away from zero
to the currency's minor unit. --explain adds every rule considered, in order, with whether it applied and why (or
why not); a rule below the one that applied shows the price it would have given. With -o json
it is one object with a "steps" array; piped, -o csv or --fields print the rules table and
the answer goes to stderr.`,
		Example: `  stockctl price quote DRILL-18V --customer BLUEBIRD --qty 6 --location STORE --explain
  stockctl price quote ROPE-10 --customer ACME --qty 2 --unit coil
  stockctl price quote DRILL-18V --qty 1 --date 2026-12-24 -o json`,
		Args: args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			on, err := parseDate("--date", date)
			if err != nil {
				return err
			}
			q := decimal.NewFromInt(1)
			if qty.Given {
				q = qty.Value
			}
			var res pricing.Result
			err = a.snapshot(c.Context(), func(tx *sqlx.Tx) error {
				ids, err := pricing.Lookup(c.Context(), tx, args[0], customer, location)
				if err != nil {
					return err
				}
				if shipTo != "" {
					if err := region.Require(c.Context(), tx, "ship-to", shipTo); err != nil {
						return err
					}
				}
				if unit != "" {
					p, err := catalog.Get(c.Context(), tx, args[0])
					if err != nil {
						return err
					}
					if q, err = catalog.ToStock(c.Context(), tx, p, q, unit); err != nil {
						return err
					}
				}
				res, err = pricing.Quote(c.Context(), tx, pricing.Request{ProductID: ids.Product, CustomerID: ids.Customer,
					LocationID: ids.Location, Qty: q, On: on, PriceType: priceType, ShipTo: shipTo})
				return err
			})
			if err != nil {
				return err
			}
			out := PriceQuote{SKU: args[0], Customer: customer, Location: location, Date: on, Qty: res.Qty,
				UnitPrice: res.UnitPrice, Amount: res.Amount, TaxRate: res.TaxRate, PricesIncludeTax: res.PricesIncludeTax,
				Net: res.Net, Tax: res.Tax, Total: res.Total, Currency: res.Currency, Source: res.Source,
				PriceType: res.PriceType, Region: res.Region, MinQty: res.MinQty}
			if !explain {
				return a.Printer().One(out)
			}
			return a.printQuote(out, res.Steps)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&customer, "customer", "", "customer code (default: none, the default price type)")
	fl.Var(qty.Of(bounds.Quantity, positive), "qty", "quantity, in the stock unit unless --unit (default 1)")
	fl.StringVar(&unit, "unit", "", "unit of --qty: a unit of the stock unit's category or a pack unit")
	fl.StringVar(&location, "location", "", "sell-from location code")
	fl.StringVar(&date, "date", "", "day to price on, YYYY-MM-DD (default: today); special prices are valid by day")
	fl.StringVar(&priceType, "price-type", "", "price with this price type instead of the customer's")
	fl.StringVar(&shipTo, "ship-to", "", "sales region the goods go to (location_pricing sell_to; default: the customer's)")
	fl.BoolVar(&explain, "explain", false, "show every rule considered, in order, and why it did or did not apply")
	return cmd
}

func (a *App) printQuote(out PriceQuote, steps []pricing.Step) error {
	rows := make([]stepOut, len(steps))
	for i, s := range steps {
		rows[i] = stepOut{Step: i + 1, Rule: s.Rule, Applied: s.Applied, Price: s.Price, Reason: s.Reason}
	}
	f, _ := printer.ParseFormat(a.Output)
	switch {
	case f == printer.JSON:
		raw, err := jsonList(rows)
		if err != nil {
			return err
		}
		return a.Printer().One(quoteJSON{PriceQuote: out, Steps: raw})
	case f == printer.CSV || !a.OutTTY || len(a.Fields) > 0:
		a.say("%s × %s: %s each = %s %s, net %s + tax %s (%s%%) = %s (%s, price type %s)", out.SKU, exactdec.String(out.Qty), exactdec.String(out.UnitPrice),
			exactdec.String(out.Amount), out.Currency, exactdec.String(out.Net), exactdec.String(out.Tax), exactdec.String(out.TaxRate), exactdec.String(out.Total),
			out.Source, out.PriceType)
		return a.Printer().List(rows)
	}
	p := a.Printer()
	if err := p.One(out); err != nil {
		return err
	}
	fmt.Fprintf(a.Out, "\nRules considered, in order\n")
	return p.List(rows)
}
