package commands

import (
	"io"
	"os"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/printer"
	"github.com/stockctl/stockctl/io/render"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/rfq"
	"github.com/stockctl/stockctl/orders/sales"
)

func (a *App) poCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "po",
		Short: "Purchase orders: create, order, receive, list, render, and generate from backorders and reorder levels",
		Long: `A purchase order (PO-000001, from the setting number_format_po) buys from one supplier for one
location, in the supplier's currency unless --currency says otherwise. Its status goes
draft → ordered → partially_received → received, or cancelled.

Lines are added to a draft; their unit prices default to the supplier's price break at the
line's quantity (stockctl supplier price). "po order" sends it: the exchange rate to the
base currency is frozen then (the --rate given with po new, else the rate in force on the
order date) and never changes. Receipts bring the stock in at the line's price converted at
that frozen rate, which sets the moving-average cost; a later exchange rate changes nothing
received. Totals are shown in the PO's currency and in the base currency.`,
	}
	cmd.AddCommand(a.poNewCmd(), a.poAddCmd(), a.poOrderCmd(), a.poReceiveCmd(), a.poShowCmd(), a.poListCmd(), a.poCancelCmd(),
		a.poGenerateCmd(), a.renderCmd(purchasing.KindPO, "PO"), a.templateCmd(purchasing.KindPO))
	return cmd
}

func (a *App) poGenerateCmd() *cobra.Command {
	var reorder, fromBackorders, dry bool
	var location string
	var orders []string
	cmd := &cobra.Command{
		Use:   "generate [--from-backorders [--so SO ...]] [--reorder] [--location L] [--dry-run]",
		Short: "Build draft purchase orders for sales backorders and for what is below its reorder level",
		Long: `With --from-backorders, order what the backordered lines of confirmed sales orders want
beyond what covers them at their sell-from location: available stock (on hand − allocated)
and open purchase orders (draft, ordered and partially received, not yet received). --so
limits it to those sales orders (repeat it or separate numbers by commas). The cover goes to
the backorders in the order so release allocates (ship-by date, order date, SO number,
line), so an order's shortfall does not depend on which orders are asked about: ordering for
SO-000001 and running it again orders nothing, and asking for SO-000002 afterwards still
orders its part. Custom items and products with a bill of materials are left to work orders
(stockctl wo generate), and the components those work orders still need count instead: for
each open or partially completed work order, (qty − completed) × the bill of materials, with
the cover the component's own backorders leave (work orders in number order; with --so, those
built for the orders' lines). So a backorder a work order builds is counted once, through its
components, never also as the finished product; components with a bill of materials of their
own are built, not bought.

With --reorder, find every active, purchasable product whose available stock plus open
purchase orders, less what open work orders there still need of it as a component, is below its
minimum level at a location, and order it up to its maximum level (the minimum when no maximum
is set).

With both, one line per product and location orders the larger of the backorder shortfall
and the reorder need judged on available + open POs − backordered (the backorders will take
that stock), so no stock or PO is counted as cover twice.

--location limits the run to one location. Each product goes to its preferred supplier (best
priority, then the lowest price at the quantity wanted, compared in the base currency; see
stockctl supplier price best). The quantity is rounded up to that supplier's lowest minimum
quantity and to whole packs, and priced at the supplier's price break for the rounded
quantity. Lines go onto one draft PO per supplier, location and currency: an open draft an
earlier run of the same kind made, else a new one. Products no supplier prices, and
backordered products that are inactive or not purchasable, are listed as warnings on stderr.

Running it again orders nothing twice: the drafts it made count as open quantities. Two runs
at the same moment take turns. --dry-run shows the lines without writing them, with the numbers
new POs would get (a dry run uses none). Review the drafts and send them with stockctl po
order; once received, stockctl so release allocates the stock to the backorders.`,
		Example: `  stockctl po generate --from-backorders --so SO-000012 --dry-run
  stockctl po generate --from-backorders --location MAIN
  stockctl po generate --reorder --from-backorders -o json
  stockctl po generate --reorder --location MAIN`,
		Args: args(),
		RunE: func(c *cobra.Command, _ []string) error {
			if len(orders) > 0 && !fromBackorders {
				return fault.Usagef("so", "--so chooses sales orders for --from-backorders: give that too")
			}
			if !reorder && !fromBackorders {
				return fault.Usagef("reorder", "say what to order for: --from-backorders (sales backorders), --reorder (stock below its minimum level) or both")
			}
			req := purchasing.GenerateRequest{Reorder: reorder, Location: location, Orders: orders, Date: clock.Today()}
			if fromBackorders {
				req.Backorders = sales.PurchasingShortfalls(orders)
			}
			var res purchasing.GenerateResult
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				res, err = purchasing.GenerateFor(c.Context(), tx, req)
				return err
			}); err != nil {
				return err
			}
			for _, w := range res.Warnings {
				a.say("warning: %s at %s short %s: %s", w.SKU, w.Location, w.Qty, w.Reason)
			}
			switch {
			case len(res.Lines) == 0 && fromBackorders:
				a.say("nothing to order: every backorder is covered by available stock or open purchase orders")
			case len(res.Lines) == 0:
				a.say("nothing to order: every product is at or above its minimum, counting open purchase orders")
			case dry:
				a.say("would order %d line(s) on %d draft PO(s)", len(res.Lines), len(res.POs))
			default:
				a.say("%d line(s) on draft PO(s) %s: review them with stockctl po show, send them with stockctl po order",
					len(res.Lines), strings.Join(res.POs, ", "))
			}
			if p := a.Printer(); p.Format == printer.JSON {
				return p.One(res)
			}
			return a.Printer().List(res.Lines)
		},
	}
	cmd.Flags().BoolVar(&fromBackorders, "from-backorders", false, "order what sales backorders want beyond available stock and open POs")
	cmd.Flags().StringSliceVar(&orders, "so", nil, "with --from-backorders: only these sales orders (repeat or separate by commas)")
	cmd.Flags().BoolVar(&reorder, "reorder", false, "order what is below its minimum level up to its maximum")
	cmd.Flags().StringVar(&location, "location", "", "only this location (default: every location)")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "show the lines without writing the POs")
	return cmd
}

func (a *App) poNewCmd() *cobra.Command {
	var in purchasing.NewPO
	var rate decimalFlag
	var expected string
	var dry bool
	cmd := &cobra.Command{
		Use:   "new SUPPLIER --location L [--currency C] [--rate R]",
		Short: "Start a draft purchase order",
		Long: `Start a draft purchase order from SUPPLIER for --location (where the stock will arrive), in
--currency (default: the supplier's currency). --rate fixes the exchange rate (base units per
one unit of the currency) now; without it the rate is frozen when the PO is ordered.
--expected is the delivery date (default: the order date plus the longest lead time of the
lines' supplier prices).`,
		Example: `  stockctl po new EUROTOOL --location MAIN
  stockctl po new BRITFIX --location MAIN --rate 1.28 --expected 2026-12-15`,
		Args: args("SUPPLIER"),
		RunE: func(c *cobra.Command, args []string) error {
			if in.Location == "" {
				return fault.Usagef("location", "missing --location (where the stock will arrive)")
			}
			in.Supplier = args[0]
			if rate.Given {
				in.Rate = &rate.Value
			}
			var err error
			if in.Expected, err = optionalDate("--expected", expected); err != nil {
				return err
			}
			var doc purchasing.PODoc
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = purchasing.New(c.Context(), tx, in)
				return err
			}); err != nil {
				return err
			}
			a.say("%s created as a draft: add lines with stockctl po add %s SKU QTY", doc.Number, doc.Number)
			return a.printPO(doc)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&in.Location, "location", "", "location the stock is bought for")
	fl.StringVar(&in.Currency, "currency", "", "currency of the PO (default: the supplier's)")
	fl.Var(rate.Of(bounds.Rate, positive), "rate", "exchange rate, base units per one unit of the currency (default: frozen on order)")
	fl.StringVar(&expected, "expected", "", "expected delivery date, YYYY-MM-DD")
	fl.StringVar(&in.Notes, "notes", "", "notes printed on the PO")
	fl.BoolVar(&dry, "dry-run", false, "check and show the PO without saving")
	return cmd
}

func (a *App) poAddCmd() *cobra.Command {
	var in purchasing.LineInput
	var price, tax decimalFlag
	var dry bool
	cmd := &cobra.Command{
		Use:   "add PO SKU QTY [--price X] [--uom U]",
		Short: "Add a line to a draft purchase order",
		Long: `Add QTY of SKU to draft purchase order PO. QTY is in --uom: a unit of the stock unit's category
or one of the product's pack units (--uom box), by default the product's purchase unit. The
line keeps QTY in that unit and its stock-unit quantity, which receipts work in; a QTY that
does not convert exactly within the stock unit's decimals is refused naming both units.
--price is per --uom in the PO's currency, and the line's amount is QTY × price; without it
the supplier's price break at the line's quantity applies (the break with the greatest
minimum not above it), converted to the line's unit (60.00 per box of 12 is 5.00 per ea).
--tax-rate defaults to the product's purchase tax rate. Inactive and non-purchasable
products are refused. A line in a unit of its own shows as "2 box (24 ea)" at "60/box".`,
		Example: `  stockctl po add PO-000003 DRILL-18V 20
  stockctl po add PO-000003 SCREW-4X40 5 --uom box
  stockctl po add PO-000003 FREIGHT 1 --price 35.00 --tax-rate 0`,
		Args: args("PO", "SKU", "QTY"),
		RunE: func(c *cobra.Command, args []string) error {
			qty, err := quantityArg(args[2], positive, "a purchase order line orders more than 0")
			if err != nil {
				return err
			}
			in.SKU, in.Qty = args[1], qty
			if price.Given {
				in.Price = &price.Value
			}
			if tax.Given {
				in.TaxRate = &tax.Value
			}
			var doc purchasing.PODoc
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = purchasing.AddLine(c.Context(), tx, args[0], in)
				return err
			}); err != nil {
				return err
			}
			return a.printPO(doc)
		},
	}
	fl := cmd.Flags()
	fl.Var(price.Of(bounds.Money, nonNegative), "price", "unit price per --uom in the PO's currency (default: the supplier's price break)")
	unitFlags(fl, &in.Unit, "unit QTY is in: a unit of the stock unit's category or a pack unit (default: the purchase unit)")
	fl.Var(tax.Of(bounds.Percent, nonNegative), "tax-rate", "tax rate in percent (default: the product's purchase tax rate)")
	fl.BoolVar(&dry, "dry-run", false, "check and show the PO without saving")
	return cmd
}

func (a *App) poOrderCmd() *cobra.Command {
	var on string
	var dry bool
	cmd := &cobra.Command{
		Use:   "order PO [--date D]",
		Short: "Send a draft purchase order: it becomes ordered and its exchange rate is frozen",
		Long: `Mark draft PO as ordered on --date (default today). Its exchange rate is frozen: the rate
given with po new --rate, else the rate in force on the order date (an error says how to set
one when the currency has none). The frozen rate values every receipt, whatever rates are
set later. Its quantities now count as "on order" in stock show and stock list.`,
		Example: "  stockctl po order PO-000003\n  stockctl po order PO-000003 --date 2026-11-20",
		Args:    args("PO"),
		RunE: func(c *cobra.Command, args []string) error {
			day, err := optionalDate("--date", on)
			if err != nil {
				return err
			}
			var doc purchasing.PODoc
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = purchasing.Order(c.Context(), tx, args[0], day)
				return err
			}); err != nil {
				return err
			}
			a.say("%s ordered: 1 %s = %s %s, frozen for its receipts", doc.Number, doc.Currency, doc.Rate, doc.BaseCurrency)
			return a.printPO(doc)
		},
	}
	cmd.Flags().StringVar(&on, "date", "", "order date, YYYY-MM-DD (default today)")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check and show the PO without saving")
	return cmd
}

func (a *App) poReceiveCmd() *cobra.Command {
	var all, allowOver, dry bool
	var lineNo int
	var qty decimalFlag
	var batch, expiry, serialStart, bay, ref, on string
	var serials []string
	cmd := &cobra.Command{
		Use:   "receive PO [--all | --line N [--qty Q]] [flags]",
		Short: "Receive stock on an ordered purchase order, in full or in part",
		Long: `Record what arrived on PO and raise on hand at its location: --all receives everything
outstanding on every line; --line N receives line N (everything outstanding on it, or --qty Q,
in the stock unit whatever unit the line was ordered in). Receipts may be partial and repeated.

Each unit is valued at the line's price per stock unit converted at the PO's frozen rate; the moving-average
cost follows. Batch-tracked products need --batch (with --expiry for a new batch); serialised
products need one --serial per unit or --serial-start SN1000 to number them. --bay puts the
stock in a bay (default: the product's default bay). With --all, --batch/--expiry apply to the
batch-tracked lines and --serial/--serial-start to the one serialised line.

Receiving more than ordered is refused unless --allow-over. Two receipts of one PO at the
same time queue; they never receive more than ordered together.

--ref REF names the delivery (delivery note) and is received once per PO. Run again with the
same ref and the same request (--all or --line, --qty, --batch, --expiry, serials, --bay,
--allow-over, --date; compared as values: --qty 5 and 5.00 are the same) it receives
nothing, says "already posted" and prints the PO as that receipt left it (exit 0). With
a different request it is refused naming the ref and the first difference, and nothing is
received (exit 5). A ref received before stockctl kept requests (migration 00016) is
answered "already posted" without a comparison.`,
		Example: `  stockctl po receive PO-000003 --all --ref DN-55012
  stockctl po receive PO-000003 --line 1 --qty 12 --bay A1
  stockctl po receive PO-000004 --line 2 --batch R2611 --expiry 2031-11-30
  stockctl po receive PO-000004 --line 3 --serial-start CX0100
  stockctl po receive PO-000003 --line 1 --qty 2 --allow-over`,
		Args: args("PO"),
		RunE: func(c *cobra.Command, args []string) error {
			lineSet := c.Flags().Changed("line")
			switch {
			case all && lineSet:
				return fault.Usagef("line", "give --all or --line N, not both")
			case !all && !lineSet:
				return fault.Usagef("all", "say what arrived: --all, or --line N [--qty Q]")
			case lineSet && lineNo < 1:
				return fault.Usagef("line", "--line %d: lines are numbered from 1 (see stockctl po show %s)", lineNo, args[0])
			case all && qty.Given:
				return fault.Usagef("qty", "--qty goes with --line N; --all receives what is outstanding")
			}
			l := purchasing.ReceiveLine{LineNo: lineNo, Batch: batch, Serials: serials, SerialStart: serialStart, Bay: bay}
			var err error
			if l.Expiry, err = optionalDate("--expiry", expiry); err != nil {
				return err
			}
			if qty.Given {
				l.Qty = &qty.Value
			}
			r := purchasing.ReceiveRequest{All: all, Ref: ref, AllowOver: allowOver}
			if all {
				r.Defaults = l
			} else {
				r.Lines = []purchasing.ReceiveLine{l}
			}
			if r.Date, err = optionalDate("--date", on); err != nil {
				return err
			}
			var doc purchasing.PODoc
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = purchasing.Receive(c.Context(), tx, args[0], r)
				return err
			}); err != nil {
				return err
			}
			if doc.AlreadyPosted {
				if doc.Number == "" {
					a.say("ref %s was already posted on %s: nothing changed (before stockctl kept what a ref posted: the request could not be compared, the result is not shown)", ref, args[0])
					return nil
				}
				a.say("ref %s was already posted on %s with the same request: nothing changed; the PO as that receipt left it:", ref, doc.Number)
				return a.printPO(doc)
			}
			a.say("%s %s: %s received, %s outstanding", doc.Number, doc.Status, doc.ReceivedQty, doc.Outstanding)
			return a.printPO(doc)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&all, "all", false, "receive everything outstanding on every line")
	intVar(fl, &lineNo, "line", 0, 1, bounds.MaxWhole, "receive this line")
	fl.Var(qty.Of(bounds.Quantity, positive), "qty", "quantity received on --line, in the stock unit (default: what is outstanding)")
	fl.StringVar(&batch, "batch", "", "batch the stock arrived in (batch-tracked products)")
	fl.StringVar(&expiry, "expiry", "", "expiry date of a new batch, YYYY-MM-DD")
	fl.StringSliceVar(&serials, "serial", nil, "serial number(s), one per unit; repeat or separate with commas")
	fl.StringVar(&serialStart, "serial-start", "", "number the units from here (SN1000, SN1001 ...)")
	fl.StringVar(&bay, "bay", "", "bay to put the stock in (default: the product's default bay)")
	fl.StringVar(&ref, "ref", "", "delivery reference, per PO: received once; again with the same request it prints the first result, with another it is refused")
	fl.BoolVar(&allowOver, "allow-over", false, "accept more than was ordered")
	fl.StringVar(&on, "date", "", "date received, YYYY-MM-DD (default today)")
	fl.BoolVar(&dry, "dry-run", false, "check everything and show the result without posting")
	return cmd
}

func (a *App) poShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show PO",
		Short: "Show a purchase order with its lines, totals and receipts",
		Long: `Show purchase order PO: supplier, location, status, currency and exchange rate, totals in its
currency and in the base currency, then its lines (quantity, price, amount, tax, unit cost in
the base currency, received and outstanding) and its receipts. -o json gives one object with
lines and receipts; -o csv and --fields print the lines.`,
		Example: "  stockctl po show PO-000003\n  stockctl po show PO-000003 -o json",
		Args:    args("PO"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			doc, err := purchasing.Get(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.printPO(doc)
		},
	}
}

func (a *App) poListCmd() *cobra.Command {
	var f purchasing.ListFilter
	cmd := &cobra.Command{
		Use:   "list [--status S] [--supplier S] [--location L]",
		Short: "List purchase orders, newest first",
		Long: `List purchase orders newest first with their totals (in the PO's currency and the base
currency) and what is outstanding. --status is draft, ordered, partially_received, received,
cancelled, or open (draft, ordered and partially received).`,
		Example: "  stockctl po list --status open\n  stockctl po list --supplier EUROTOOL -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			pos, err := purchasing.List(c.Context(), d, f)
			if err != nil {
				return err
			}
			if len(pos) == 0 {
				a.say("no purchase orders")
			}
			return a.Printer().List(pos)
		},
	}
	cmd.Flags().StringVar(&f.Status, "status", "", "draft, ordered, partially_received, received, cancelled or open")
	cmd.Flags().StringVar(&f.Supplier, "supplier", "", "only this supplier's")
	cmd.Flags().StringVar(&f.Location, "location", "", "only those for this location")
	return cmd
}

func (a *App) poCancelCmd() *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "cancel PO",
		Short: "Cancel a draft or ordered purchase order that has received nothing",
		Long: `Cancel PO. Only a draft or an ordered PO with nothing received can be cancelled. What it
undoes: its quantities stop counting as on order (stock show, po generate, which orders the
shortfall again) and as open orders of its products; an RFQ converted into it is quoted again
and can be converted again. The PO, its lines and any landed costs stay as its history.`,
		Example: "  stockctl po cancel PO-000003",
		Args:    args("PO"),
		RunE: func(c *cobra.Command, args []string) error {
			var doc purchasing.PODoc
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = purchasing.Cancel(c.Context(), tx, args[0])
				return err
			}); err != nil {
				return err
			}
			return a.printPO(doc)
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check and show the result without saving")
	return cmd
}

// printPO prints a purchase order: one JSON object with its lines and receipts; or the
// header, a blank line, the lines and (if any) the receipts as tables; CSV and --fields
// print the lines.
func (a *App) printPO(doc purchasing.PODoc) error {
	if !a.tableOnly() {
		return a.printDocument(doc, doc.POSummary, doc.Lines, doc.Receipts)
	}
	views := make([]poLineView, len(doc.Lines))
	for i, l := range doc.Lines {
		views[i] = poLineViewOf(l)
	}
	return a.printDocument(doc, doc.POSummary, views, doc.Receipts)
}

// renderCmd is "po render" and "rfq render".
func (a *App) renderCmd(kind, arg string) *cobra.Command {
	var format, tplFile, out string
	what, example := "purchase order", "PO-000003"
	if kind == purchasing.KindRFQ {
		what, example = "request for quote", "RFQ-000001"
	}
	cmd := &cobra.Command{
		Use:   "render " + arg + " [--format html|pdf] [--template FILE] [--out FILE]",
		Short: "Render a " + what + " to HTML or PDF to print or send",
		Long: `Render ` + arg + ` as a printable HTML page (with a print stylesheet) or a PDF, from a Go
html/template: --template FILE for this call, else the supplier's own template, else the
system default (set them with "` + kind + ` template set"), else the built-in one. The data a
template gets (the document, its lines, supplier, ship-to location and totals in both
currencies) and the functions money, basemoney, price, qty and date are described in
docs/ARCHITECTURE.md; "` + kind + ` template show" prints the built-in template to start from.

The PDF is the same HTML laid out by stockctl's own engine, which understands headings,
paragraphs, line breaks, bold/italic and tables (class "num" right-aligns, class "layout"
makes a table of side-by-side blocks) and ignores CSS. A template that does not parse or
fails on the document is refused with its line number.

--format defaults to the --out file's extension, else html. Without --out the document goes
to standard output (a PDF only when that is not a terminal).

` + fileHelp("--out FILE") + `
--out may not name the --template file.`,
		Example: "  stockctl " + kind + " render " + example + " --out /tmp/" + example + ".pdf\n" +
			"  stockctl " + kind + " render " + example + " --template mine.html > " + example + ".html",
		Args: args(arg),
		RunE: func(c *cobra.Command, args []string) error {
			if format == "" {
				format = render.HTML
				if strings.HasSuffix(strings.ToLower(out), ".pdf") {
					format = render.PDF
				}
			}
			format = strings.ToLower(format)
			if format != render.HTML && format != render.PDF {
				return fault.Usagef("format", "--format %q: use html or pdf", format)
			}
			if err := notSameFile("--out", out, "--template", tplFile); err != nil {
				return err
			}
			if format == render.PDF && out == "" && a.OutTTY {
				return fault.Usagef("out", "a PDF is not for the terminal: give --out FILE or redirect standard output")
			}
			opt := purchasing.RenderOptions{Format: format}
			if tplFile != "" {
				t, err := readTemplate(tplFile)
				if err != nil {
					return err
				}
				opt.Template = &t
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			var body []byte
			var used string
			if kind == purchasing.KindPO {
				body, used, err = purchasing.RenderPO(c.Context(), d, args[0], opt)
			} else {
				body, used, err = rfq.RenderRFQ(c.Context(), d, args[0], opt)
			}
			if err != nil {
				return err
			}
			if out == "" {
				_, err := a.Out.Write(body)
				return err
			}
			if err := writeFile(out, "out", func(w io.Writer) error { _, err := w.Write(body); return err }); err != nil {
				return err
			}
			a.say("%s written to %s (%s, %d bytes, template: %s)", args[0], out, format, len(body), used)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "html or pdf (default: from --out, else html)")
	cmd.Flags().StringVar(&tplFile, "template", "", "render with this html/template file")
	cmd.Flags().StringVar(&out, "out", "", "write to this file (default: standard output)")
	return cmd
}

// readTemplate reads a user template file; its name in errors is the file's name.
func readTemplate(path string) (render.Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return render.Template{}, fault.Invalidf("template", "cannot read template %s: %v", path, unwrapPath(err))
	}
	return render.Template{Name: render.TemplateName(path), Body: string(b)}, nil
}

// templateCmd is "po template" and "rfq template": the stored default templates.
func (a *App) templateCmd(kind string) *cobra.Command {
	what := "purchase orders"
	if kind == purchasing.KindRFQ {
		what = "requests for quote"
	}
	cmd := &cobra.Command{
		Use:   "template",
		Short: "The default templates " + what + " render with: system-wide or per supplier",
		Long: `Documents render with --template FILE when given, else the supplier's own template, else the
system default, else the template built into stockctl. Templates are stored in the database
(table document_templates), so every machine and cron job prints the same documents.`,
	}
	var supplier string
	var dry bool
	set := &cobra.Command{
		Use:   "set FILE [--supplier S]",
		Short: "Store a template as the system default, or one supplier's",
		Long: `Store FILE (a Go html/template) as the default template of ` + what + `, for --supplier or for
everyone. It is tried on a sample document first, as HTML and as PDF: a template that does not
parse or fails is refused naming its line, and nothing is stored.`,
		Example: "  stockctl " + kind + " template set letterhead.html\n  stockctl " + kind + " template set eurotool.html --supplier EUROTOOL",
		Args:    args("FILE"),
		RunE: func(c *cobra.Command, args []string) error {
			t, err := readTemplate(args[0])
			if err != nil {
				return err
			}
			var info purchasing.TemplateInfo
			if err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				info, err = purchasing.SetTemplate(c.Context(), tx, kind, supplier, t)
				return err
			}); err != nil {
				return err
			}
			return a.Printer().One(info)
		},
	}
	set.Flags().StringVar(&supplier, "supplier", "", "only this supplier's documents (default: every supplier's)")
	set.Flags().BoolVar(&dry, "dry-run", false, "try the template without storing it")

	var showSupplier string
	show := &cobra.Command{
		Use:     "show [--supplier S]",
		Short:   "Print the template documents render with (the built-in one if none is stored)",
		Example: "  stockctl " + kind + " template show > " + kind + ".html\n  stockctl " + kind + " template show --supplier EUROTOOL",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			t, err := purchasing.EffectiveTemplate(c.Context(), d, kind, showSupplier)
			if err != nil {
				return err
			}
			a.say("template: %s", t.Name)
			_, err = io.WriteString(a.Out, t.Body)
			return err
		},
	}
	show.Flags().StringVar(&showSupplier, "supplier", "", "the template this supplier's documents use")

	list := &cobra.Command{
		Use:     "list",
		Short:   "List the stored templates",
		Example: "  stockctl " + kind + " template list",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			ts, err := purchasing.Templates(c.Context(), d, kind)
			if err != nil {
				return err
			}
			if len(ts) == 0 {
				a.say("no stored templates: %s render with the built-in one", what)
			}
			return a.Printer().List(ts)
		},
	}

	var resetSupplier string
	var resetDry bool
	reset := &cobra.Command{
		Use:     "reset [--supplier S]",
		Short:   "Remove a stored template (documents fall back to the next one)",
		Example: "  stockctl " + kind + " template reset --supplier EUROTOOL\n  stockctl " + kind + " template reset",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			if err := a.write(c, resetDry, func(tx *sqlx.Tx) error {
				return purchasing.ResetTemplate(c.Context(), tx, kind, resetSupplier)
			}); err != nil {
				return err
			}
			a.say("template removed")
			return nil
		},
	}
	reset.Flags().StringVar(&resetSupplier, "supplier", "", "the supplier's own template (default: the system default)")
	reset.Flags().BoolVar(&resetDry, "dry-run", false, "check without removing")
	cmd.AddCommand(set, show, list, reset)
	return cmd
}
