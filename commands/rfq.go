package commands

import (
	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/rfq"
)

func (a *App) rfqCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rfq",
		Short: "Requests for quote: ask suppliers for prices, record and compare quotes, convert to a PO",
		Long: `A request for quote (RFQ-000001, from the setting number_format_rfq) asks one supplier for
prices of products and quantities. Render it to send it (rfq render), record the prices the
supplier quotes (rfq quote), compare the quotes several suppliers gave for a product (rfq
compare), and convert the one you choose into a draft purchase order (rfq convert).

Status: open while a line has no quoted price, quoted when every line has one, converted once
it became a PO (cancelling that PO makes it quoted again), or cancelled.`,
	}
	cmd.AddCommand(a.rfqNewCmd(), a.rfqAddCmd(), a.rfqQuoteCmd(), a.rfqShowCmd(), a.rfqListCmd(), a.rfqCompareCmd(),
		a.rfqConvertCmd(), a.rfqCancelCmd(), a.renderCmd(purchasing.KindRFQ, "RFQ"), a.templateCmd(purchasing.KindRFQ))
	return cmd
}

func (a *App) rfqNewCmd() *cobra.Command {
	var in rfq.NewRFQInput
	var respond string
	var dry bool
	cmd := &cobra.Command{
		Use:   "new SUPPLIER [--location L] [--currency C] [--respond-by D]",
		Short: "Start a request for quote to a supplier",
		Long: `Start a request for quote to SUPPLIER, in --currency (default: the supplier's). --location is
where the goods would be delivered (needed by the time it is converted to a PO); --respond-by
is the date the quote is wanted by.`,
		Example: "  stockctl rfq new EUROTOOL --location MAIN --respond-by 2026-12-01\n  stockctl rfq new BRITFIX",
		Args:    args("SUPPLIER"),
		RunE: func(c *cobra.Command, args []string) error {
			in.Supplier = args[0]
			var err error
			if in.RespondBy, err = optionalDate("--respond-by", respond); err != nil {
				return err
			}
			var doc rfq.RFQDoc
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = rfq.NewRFQ(c.Context(), tx, in)
				return err
			}); err != nil {
				return err
			}
			a.say("%s created: add lines with stockctl rfq add %s SKU QTY", doc.Number, doc.Number)
			return a.printRFQ(doc)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&in.Location, "location", "", "delivery location")
	fl.StringVar(&in.Currency, "currency", "", "currency to quote in (default: the supplier's)")
	fl.StringVar(&respond, "respond-by", "", "date the quote is wanted by, YYYY-MM-DD")
	fl.StringVar(&in.Notes, "notes", "", "notes printed on the request")
	fl.BoolVar(&dry, "dry-run", false, "check and show the RFQ without saving")
	return cmd
}

func (a *App) rfqAddCmd() *cobra.Command {
	var unit string
	var dry bool
	cmd := &cobra.Command{
		Use:   "add RFQ SKU QTY [--uom U]",
		Short: "Ask for a quantity of a product on a request for quote",
		Long: `Add QTY of SKU to RFQ in --uom (a unit of the stock unit's category or a pack unit of the
product; default the product's purchase unit). The line keeps QTY in that unit and its
stock-unit quantity; a QTY that does not convert exactly within the stock unit's decimals is
refused naming both units. The supplier quotes per the line's unit (rfq quote), and
rfq convert orders in that unit. The supplier's part number is taken from its price list when it
has one. Inactive and non-purchasable products are refused.`,
		Example: "  stockctl rfq add RFQ-000001 DRILL-18V 40\n  stockctl rfq add RFQ-000001 SCREW-4X40 25 --uom box",
		Args:    args("RFQ", "SKU", "QTY"),
		RunE: func(c *cobra.Command, args []string) error {
			qty, err := quantityArg(args[2], positive, "a request for quote asks for more than 0")
			if err != nil {
				return err
			}
			var doc rfq.RFQDoc
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = rfq.AddRFQLine(c.Context(), tx, args[0], args[1], qty, unit)
				return err
			}); err != nil {
				return err
			}
			return a.printRFQ(doc)
		},
	}
	unitFlags(cmd.Flags(), &unit, "unit QTY is in: a unit of the stock unit's category or a pack unit (default: the purchase unit)")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check and show the RFQ without saving")
	return cmd
}

func (a *App) rfqQuoteCmd() *cobra.Command {
	var price decimalFlag
	var on, until, supSKU string
	var lead int
	var dry bool
	cmd := &cobra.Command{
		Use:   "quote RFQ LINE --price X [--date D] [--valid-until D] [--lead-days N]",
		Short: "Record the price a supplier quoted for a line",
		Long: `Record the supplier's quoted --price (per the line's unit, in the RFQ's currency) for line LINE of
RFQ, quoted on --date (default today), valid until --valid-until, with the --lead-days it
promised and its --supplier-sku. A new quote for a line replaces the old one. The RFQ is
quoted once every line has a price.`,
		Example: "  stockctl rfq quote RFQ-000001 1 --price 44.80 --valid-until 2026-12-31 --lead-days 21",
		Args:    args("RFQ", "LINE"),
		RunE: func(c *cobra.Command, args []string) error {
			if !price.Given {
				return fault.Usagef("price", "missing --price (per the line's unit, in the RFQ's currency)")
			}
			line, err := parseLine(args[1])
			if err != nil {
				return err
			}
			in := rfq.QuoteInput{Price: price.Value, LeadDays: ptr(c, "lead-days", lead), SupplierSKU: ptr(c, "supplier-sku", supSKU)}
			if in.Date, err = optionalDate("--date", on); err != nil {
				return err
			}
			if in.ValidUntil, err = optionalDate("--valid-until", until); err != nil {
				return err
			}
			var doc rfq.RFQDoc
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = rfq.RecordQuote(c.Context(), tx, args[0], line, in)
				return err
			}); err != nil {
				return err
			}
			return a.printRFQ(doc)
		},
	}
	fl := cmd.Flags()
	fl.Var(price.Of(bounds.Money, nonNegative), "price", "quoted price per the line's unit")
	fl.StringVar(&on, "date", "", "date of the quote, YYYY-MM-DD (default today)")
	fl.StringVar(&until, "valid-until", "", "last day the quote holds, YYYY-MM-DD")
	intVar(fl, &lead, "lead-days", 0, 0, bounds.MaxWhole, "delivery time promised, in days")
	fl.StringVar(&supSKU, "supplier-sku", "", "the supplier's part number")
	fl.BoolVar(&dry, "dry-run", false, "check and show the RFQ without saving")
	return cmd
}

func (a *App) rfqShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show RFQ",
		Short: "Show a request for quote with its lines and quoted prices",
		Long: `Show RFQ: supplier, location, currency, status, and per line the product, quantity and what was
quoted (price, amount, date, validity, lead time). -o json gives one object with its lines;
-o csv and --fields print the lines.`,
		Example: "  stockctl rfq show RFQ-000001\n  stockctl rfq show RFQ-000001 -o json",
		Args:    args("RFQ"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			doc, err := rfq.GetRFQ(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.printRFQ(doc)
		},
	}
}

func (a *App) rfqListCmd() *cobra.Command {
	var status, supplier string
	cmd := &cobra.Command{
		Use:     "list [--status S] [--supplier S]",
		Short:   "List requests for quote, newest first",
		Long:    `List requests for quote newest first; --status is open, quoted, converted or cancelled.`,
		Example: "  stockctl rfq list --status quoted\n  stockctl rfq list --supplier EUROTOOL -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			rs, err := rfq.RFQs(c.Context(), d, status, supplier)
			if err != nil {
				return err
			}
			if len(rs) == 0 {
				a.say("no requests for quote")
			}
			return a.Printer().List(rs)
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "open, quoted, converted or cancelled")
	cmd.Flags().StringVar(&supplier, "supplier", "", "only this supplier's")
	return cmd
}

func (a *App) rfqCompareCmd() *cobra.Command {
	var on string
	cmd := &cobra.Command{
		Use:   "compare SKU [--date D]",
		Short: "Compare the prices suppliers quoted for a product",
		Long: `List every price quoted for SKU on open, quoted and converted RFQs, best first: quotes still
valid on --date (default today) before expired ones, then the lowest price in the base
currency at that date's rates, then the shortest lead time. "best" marks the quote to convert
(stockctl rfq convert RFQ).`,
		Example: "  stockctl rfq compare DRILL-18V\n  stockctl rfq compare DRILL-18V -o json",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			day, err := parseDate("--date", on)
			if err != nil {
				return err
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			cs, err := rfq.Compare(c.Context(), d, args[0], day)
			if err != nil {
				return err
			}
			if len(cs) == 0 {
				a.say("no quotes for %s: ask for them with stockctl rfq new SUPPLIER and rfq add", args[0])
			}
			return a.Printer().List(cs)
		},
	}
	cmd.Flags().StringVar(&on, "date", "", "compare as of this day, YYYY-MM-DD (default today)")
	return cmd
}

func (a *App) rfqConvertCmd() *cobra.Command {
	var in rfq.ConvertInput
	var dry bool
	cmd := &cobra.Command{
		Use:   "convert RFQ [--location L] [--skip-unquoted]",
		Short: "Turn a quoted request for quote into a draft purchase order",
		Long: `Create a draft purchase order from RFQ: same supplier and currency, for the RFQ's location (or
--location), one line per RFQ line at its quoted price. A line without a quoted price is
refused unless --skip-unquoted leaves it out; an expired quote is refused. Review the PO and
send it with stockctl po order.`,
		Example: "  stockctl rfq convert RFQ-000001\n  stockctl rfq convert RFQ-000002 --location STORE --skip-unquoted",
		Args:    args("RFQ"),
		RunE: func(c *cobra.Command, args []string) error {
			var doc purchasing.PODoc
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = rfq.Convert(c.Context(), tx, args[0], in)
				return err
			}); err != nil {
				return err
			}
			a.say("%s converted into draft %s: send it with stockctl po order %s", args[0], doc.Number, doc.Number)
			return a.printPO(doc)
		},
	}
	cmd.Flags().StringVar(&in.Location, "location", "", "location the PO buys for (default: the RFQ's)")
	cmd.Flags().BoolVar(&in.SkipUnquoted, "skip-unquoted", false, "leave out lines without a quoted price")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check and show the PO without saving")
	return cmd
}

func (a *App) rfqCancelCmd() *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "cancel RFQ",
		Short: "Cancel a request for quote that was not converted",
		Long: `Cancel RFQ (open or quoted; a converted RFQ is undone by cancelling its PO). What it
undoes: its quotes no longer count in rfq compare and it can no longer be converted. The RFQ
and its quotes stay as its history.`,
		Example: "  stockctl rfq cancel RFQ-000002",
		Args:    args("RFQ"),
		RunE: func(c *cobra.Command, args []string) error {
			var doc rfq.RFQDoc
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = rfq.CancelRFQ(c.Context(), tx, args[0])
				return err
			}); err != nil {
				return err
			}
			return a.printRFQ(doc)
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check and show the result without saving")
	return cmd
}

// printRFQ prints an RFQ like printPO prints a PO.
func (a *App) printRFQ(doc rfq.RFQDoc) error {
	if !a.tableOnly() {
		return a.printDocument(doc, doc.RFQSummary, doc.Lines)
	}
	views := make([]rfqLineView, len(doc.Lines))
	for i, l := range doc.Lines {
		views[i] = rfqLineViewOf(l)
	}
	return a.printDocument(doc, doc.RFQSummary, views)
}

// parseLine reads a line number argument.
func parseLine(s string) (int, error) {
	n, err := bounds.ParseWhole(s, 1, bounds.MaxWhole)
	if err != nil {
		return 0, fault.Usagef("line", "LINE %s: give a line number from 1 (see the show command)", quoteArg(s))
	}
	return int(n), nil
}
