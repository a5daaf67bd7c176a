package commands

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/inventory/stocktake"
	"github.com/stockctl/stockctl/io/csvio"
	"github.com/stockctl/stockctl/io/exactdec"
	"github.com/stockctl/stockctl/io/printer"
	"github.com/stockctl/stockctl/orders/sales"
)

func (a *App) stocktakeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stocktake",
		Short: "Stocktakes: snapshot a location, count (by hand, file or scanner), review and post the variances",
		Long: `A stocktake counts the stock at one location against a snapshot of what the books expected,
and posts the differences as adjustments.

  stocktake new       snapshot the expected stock (all products there, --sku or --category)
  stocktake count     enter counts by hand or from a CSV file
  stocktake scan      count with a barcode scanner (codes on standard input)
  stocktake show      expected, counted, variance and its value per line; lines that moved
  stocktake close     finish counting (a blind stocktake then shows what was expected)
  stocktake post      post one adjustment per variance
  stocktake cancel    drop a stocktake that is not posted
  stocktake list      stocktakes, newest first

Statuses: open (counting) -> closed (counting finished, optional) -> posted; or cancelled
before posting. A posted stocktake never changes. A product at a location can be on one
open (or closed) stocktake at a time.`,
	}
	cmd.AddCommand(a.stocktakeNewCmd(), a.stocktakeCountCmd(), a.stocktakeScanCmd(), a.stocktakeShowCmd(),
		a.stocktakeListCmd(), a.stocktakeCloseCmd(), a.stocktakePostCmd(), a.stocktakeCancelCmd())
	return cmd
}

func (a *App) stocktakeNewCmd() *cobra.Command {
	var r stocktake.Request
	var dry bool
	cmd := &cobra.Command{
		Use:   "new --location L [--sku S ...] [--category C] [--blind]",
		Short: "Snapshot the expected stock at a location and open a stocktake for counting",
		Long: `Open a stocktake at --location, numbered from the setting number_format_st (ST-000001 ...),
with a snapshot of what the books expect there: one line per product, bay, batch and serial.

What is counted:
  (default)        every stock-tracked product with stock at the location; products found
                   there later can still be counted (they are added, expecting 0)
  --sku S ...      only these products (repeat or separate with commas); one that has no
                   stock there gets a line expecting 0
  --category C     the stock-tracked products of category C (matched exactly)

The snapshot is taken in one statement, so it is one consistent moment even while stock
moves. Stock that moves afterwards is handled when posting (see stocktake post --help), and
stocktake show flags the lines it touched.

--blind hides the expected quantities (and so the variances) from stocktake show, count and
scan until the stocktake is closed (stocktake close) or posted, so counters count what they
see. (Anyone who may run stock show can of course still see stock levels.)

A product at a location can be on one open stocktake at a time: a second stocktake that
takes in a product another open one has is refused, naming it.`,
		Example: `  stockctl stocktake new --location MAIN
  stockctl stocktake new --location STORE --sku DRILL-18V --sku PAINT-WHITE
  stockctl stocktake new --location MAIN --category fasteners --blind`,
		Args: args(),
		RunE: func(c *cobra.Command, _ []string) error {
			if r.Location == "" {
				return fault.Usagef("location", "missing --location (the location to count)")
			}
			if len(r.SKUs) > 0 && r.Category != "" {
				return fault.Usagef("category", "give --sku or --category, not both")
			}
			var doc stocktake.Doc
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = stocktake.New(c.Context(), tx, r)
				return err
			})
			if err != nil {
				return err
			}
			blind := ""
			if doc.Blind {
				blind = " (blind: expected quantities are hidden until it is closed)"
			}
			a.say("%s opened at %s with %d lines to count%s; count with stockctl stocktake count|scan %s", doc.Number, doc.Location, len(doc.Lines), blind, doc.Number)
			return a.printStocktake(doc)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&r.Location, "location", "", "location to count")
	fl.StringSliceVar(&r.SKUs, "sku", nil, "count only these products (repeat or separate with commas)")
	fl.StringVar(&r.Category, "category", "", "count the stock-tracked products of this category")
	fl.BoolVar(&r.Blind, "blind", false, "hide expected quantities until counting is closed")
	fl.StringVar(&r.Narrative, "narrative", "", "free text kept on the stocktake")
	fl.BoolVar(&dry, "dry-run", false, "show the snapshot without opening the stocktake")
	return cmd
}

func (a *App) stocktakeCountCmd() *cobra.Command {
	var f struct {
		batch, serial, bay, unit, file string
		add, dry                       bool
		read                           csvReadFlags
	}
	cmd := &cobra.Command{
		Use:   "count ST SKU QTY [--batch B] [--serial S] [--bay B] | count ST --file FILE",
		Short: "Enter counts against a stocktake, one by hand or many from a CSV file",
		Long: `Enter what was counted on one line of stocktake ST: QTY of SKU, in its stock unit (or --unit,
a unit of the same category or one of the product's packs: --unit box counts boxes). A count
replaces what the line had; --add adds to it (a second counter, a second shelf).

Which line: a serialised product is counted by serial (--serial S; QTY 1 = here, 0 = not
here, and may be left out for 1), a batch-tracked one by batch (--batch). --bay names the bay;
"--bay -" means stock outside any bay. What is not given is taken from the snapshot: the bay
or batch where the product is expected, when that is one place; a product expected nowhere
goes to its default bay at the location. When the product is expected in several places the
count is refused, naming them. A bay, batch or serial nobody expected gets a new line
expecting 0 (stock found); a serial or batch never recorded is recorded.

--file counts from a CSV file (- for standard input) in one all-or-nothing transaction.
Columns, any order, header required: sku, qty (required), unit, batch, serial, bay. It is read
like every import (docs/csv-formats.md: header names matched leniently or renamed with --map,
UTF-8 or Windows-1252, comma, semicolon or tab). With any bad row nothing is counted (exit 5)
and every bad row is listed on standard output as the imports list them: row (the file's
line, the header is row 1), column, value and reason, one line per reason
(-o json: {"rejected":N,"errors":[...]}).

Counting is refused once the stocktake is closed, posted or cancelled.`,
		Example: `  stockctl stocktake count ST-000001 DRILL-18V 22 --bay A1
  stockctl stocktake count ST-000001 SCREW-4X40 30 --unit box --add
  stockctl stocktake count ST-000001 ROPE-10 180 --batch R2603
  stockctl stocktake count ST-000001 CAM-X1 --serial CX0003
  stockctl stocktake count ST-000001 --file counts.csv`,
		Args: func(c *cobra.Command, got []string) error {
			switch {
			case len(got) == 0:
				return fault.Usagef("st", "missing ST (the stocktake number)")
			case f.file != "" && len(got) > 1:
				return fault.Usagef("file", "give either SKU QTY or --file, not both")
			case f.file == "" && len(got) == 1:
				return fault.Usagef("sku", "missing SKU QTY (or --file FILE)")
			case f.file == "" && len(got) == 2 && f.serial == "":
				return fault.Usagef("qty", "missing QTY (the quantity counted)")
			case len(got) > 3:
				return fault.Usagef("", "unexpected argument %q", got[3])
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			number := args[0]
			if f.file != "" {
				return a.countFile(c, number, f.file, &f.read, f.add, f.dry)
			}
			cnt := stocktake.Count{SKU: args[1], Qty: decimal.NewFromInt(1), Unit: f.unit, Batch: f.batch, Serial: f.serial, Bay: f.bay, Add: f.add}
			if len(args) == 3 {
				q, err := quantityArg(args[2], nonNegative, "a count cannot be negative")
				if err != nil {
					return err
				}
				cnt.Qty = q
			}
			var got []stocktake.Counted
			err := a.write(c, f.dry, func(tx *sqlx.Tx) (err error) {
				got, err = stocktake.Record(c.Context(), tx, number, []stocktake.Count{cnt})
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().List(got)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.batch, "batch", "", "batch counted (batch-tracked products)")
	fl.StringVar(&f.serial, "serial", "", "serial number counted (serialised products)")
	fl.StringVar(&f.bay, "bay", "", `bay counted ("-" for outside any bay; default: where the product is expected)`)
	fl.StringVar(&f.unit, "unit", "", "unit QTY is in: a unit of the stock unit's category or a pack of the product")
	fl.BoolVar(&f.add, "add", false, "add to what the line has counted instead of replacing it")
	fl.StringVar(&f.file, "file", "", "CSV file of counts (- for standard input)")
	fl.BoolVar(&f.dry, "dry-run", false, "check the counts and show the lines without saving")
	f.read.Add(cmd)
	return cmd
}

// countFile enters a CSV file of counts all-or-nothing: inventory/stocktake reads it with
// the reader every import uses and checks it; every bad row is listed as the imports list
// theirs.
func (a *App) countFile(c *cobra.Command, number, path string, read *csvReadFlags, add, dry bool) error {
	var f *stocktake.CountFile
	err := a.readFile(path, read, stocktake.CountCSVColumns, stocktake.CountCSVRequired, "counts", func(r *csvio.Reader) (int, error) {
		var err error
		f, err = stocktake.ReadCounts(r, add)
		if err != nil {
			return 0, err
		}
		return f.Rows(), nil
	})
	if err != nil {
		return err
	}
	var got []stocktake.Counted
	err = a.write(c, dry, func(tx *sqlx.Tx) (err error) {
		got, err = stocktake.RecordFile(c.Context(), tx, number, f)
		return err
	})
	if err != nil {
		return a.reportRows("stocktake count", "counted", err)
	}
	a.say("%d counts recorded on %s", len(got), number)
	return a.Printer().List(got)
}

// scanLine is what one scanning session did to one stocktake line.
type scanLine struct {
	SKU     string           `json:"sku"`
	Bay     *string          `json:"bay"`
	Batch   *string          `json:"batch"`
	Serial  *string          `json:"serial"`
	Scans   int              `json:"scans"`
	Added   decimal.Decimal  `json:"added"`
	Counted *decimal.Decimal `json:"counted"`
}

// scanProblem is a scanned code that was not counted.
type scanProblem struct {
	Scan  int    `json:"scan"`
	Code  string `json:"code"`
	Error string `json:"error"`
}

// scanSummary is what a scanning session did.
type scanSummary struct {
	Stocktake  string          `json:"stocktake"`
	Scans      int             `json:"scans"`
	Counted    int             `json:"counted"`
	NotCounted int             `json:"not_counted"`
	Units      decimal.Decimal `json:"units"`
	Lines      []scanLine      `json:"lines"`
	Problems   []scanProblem   `json:"problems"`
}

func (a *App) stocktakeScanCmd() *cobra.Command {
	var opt stocktake.ScanOptions
	var dry bool
	cmd := &cobra.Command{
		Use:   "scan ST [--bay B] [--batch B]",
		Short: "Count with a barcode scanner: codes on standard input, one per line",
		Long: `Read barcodes or SKUs from standard input, one per line, and add each to stocktake ST's
count: a USB scanner that types into the terminal works as it is, and so does a file of
codes piped in. One scan of a product's barcode, SKU or part number adds one unit; a pack
barcode adds the pack's quantity (a case of 4 adds 4); a serial number counts that unit as
found (once, however often it is scanned; a serialised product's own barcode is refused).

--bay B counts everything of this session in bay B ("-": outside any bay); without it each
product goes where the snapshot expects it (refused when that is several places). --batch B
is the batch of the batch-tracked products scanned (else the one batch they are expected in).

Every scan is committed as it is read: a session that is killed loses nothing it had
confirmed. On a terminal each scan prints a running tally (what it added and the line's
count; expected too unless the stocktake is blind); Ctrl-D ends the session. Piped, only
codes that were not counted are reported, each on standard error as it happens, and a
summary comes at the end: the lines counted (table, or -o json with the problems too).

A code that is unknown, or refused (a product not on a --sku stocktake, a batch that must be
named ...), is reported and the session goes on. Exit code: 0 when every code was counted,
3 when some were not (the others are counted and stay counted), 5 when the stocktake is not
open, 130 when interrupted (what was scanned before stays counted). --dry-run checks each
code without counting it.`,
		Example: `  stockctl stocktake scan ST-000001 --bay A1
  stockctl stocktake scan ST-000001 < codes.txt
  printf '200000000001\n1200000000001\n' | stockctl stocktake scan ST-000001 -o json`,
		Args: args("ST"),
		RunE: func(c *cobra.Command, args []string) error {
			return a.scan(c.Context(), args[0], opt, dry)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opt.Bay, "bay", "", `bay being counted ("-" for outside any bay)`)
	fl.StringVar(&opt.Batch, "batch", "", "batch of the batch-tracked products scanned")
	fl.BoolVar(&dry, "dry-run", false, "check every code without counting it")
	return cmd
}

// scan runs a scanning session: one transaction per code, so each count is durable as soon
// as it is reported.
func (a *App) scan(ctx context.Context, number string, opt stocktake.ScanOptions, dry bool) error {
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	st, err := stocktake.Ready(ctx, d, number)
	if err != nil {
		return err
	}
	tally := a.InTTY
	if tally {
		where := "where each product is expected"
		if opt.Bay == stocktake.NoBay {
			where = "outside bays"
		} else if opt.Bay != "" {
			where = "bay " + opt.Bay
		}
		fmt.Fprintf(a.Err, "Scanning into %s at %s, %s. Scan or type a code per line; Ctrl-D ends.\n", st.Number, printer.Escape(st.Location), printer.Escape(where))
	}

	// Read on a goroutine, so Ctrl-C ends the session even while waiting for a scan.
	codes := make(chan string)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(codes)
		sc := bufio.NewScanner(a.In)
		for sc.Scan() {
			select {
			case codes <- sc.Text():
			case <-done:
				return
			}
		}
	}()

	sum := scanSummary{Stocktake: st.Number, Lines: []scanLine{}, Problems: []scanProblem{}}
	index := map[string]int{} // line key -> index in sum.Lines
	var stopErr error
loop:
	for {
		var code string
		var ok bool
		select {
		case <-ctx.Done():
			stopErr = &fault.Error{Kind: fault.Interrupted, Msg: "the scans before it stay counted"}
			break loop
		case code, ok = <-codes:
			if !ok {
				break loop
			}
		}
		code = strings.TrimSpace(code)
		if code == "" {
			continue
		}
		sum.Scans++
		var s stocktake.Scanned
		err := db.InTxOrDryRun(ctx, d, dry, func(tx *sqlx.Tx) (err error) {
			s, err = stocktake.Scan(ctx, tx, number, code, opt)
			return err
		})
		if err != nil {
			if _, state := stocktake.AsStateError(err); state || !fault.Is(err, fault.NotFound) && !fault.Is(err, fault.Invalid) && !fault.Is(err, fault.Conflict) {
				stopErr = fault.Wrap(fault.KindOf(err), err, "scan %d (%s)", sum.Scans, code)
				if ctx.Err() != nil {
					stopErr = &fault.Error{Kind: fault.Interrupted, Msg: "the scans before it stay counted"}
				}
				break loop
			}
			sum.NotCounted++
			sum.Problems = append(sum.Problems, scanProblem{Scan: sum.Scans, Code: code, Error: err.Error()})
			if tally {
				fmt.Fprintf(a.Err, "  ! %s: %s  [%s]\n", printer.Escape(code), printer.EscapeLines(err.Error()), sum.totals())
			} else {
				fmt.Fprintf(a.Err, "stockctl: scan %d (%s) not counted: %s\n", sum.Scans, printer.Escape(code), printer.EscapeLines(err.Error()))
			}
			continue
		}
		sum.Counted++
		sum.Units = sum.Units.Add(s.Qty)
		key := fmt.Sprintf("%s\x00%s\x00%s\x00%s", s.SKU, deref(s.Bay), deref(s.Batch), deref(s.Serial))
		i, seen := index[key]
		if !seen {
			i = len(sum.Lines)
			index[key] = i
			sum.Lines = append(sum.Lines, scanLine{SKU: s.SKU, Bay: s.Bay, Batch: s.Batch, Serial: s.Serial, Added: decimal.Zero})
		}
		l := &sum.Lines[i]
		l.Scans++
		l.Added = l.Added.Add(s.Qty)
		l.Counted = s.Counted.Counted
		if tally {
			fmt.Fprintf(a.Err, "  %s  [%s]\n", printer.Escape(tallyLine(s)), sum.totals())
		}
	}

	what := "counted"
	if dry {
		what = "checked (dry run: nothing counted)"
	}
	a.say("%s: %d scans, %d %s (%s units on %d lines), %d not counted", st.Number, sum.Scans, sum.Counted, what, sum.Units, len(sum.Lines), sum.NotCounted)
	if err := a.printScan(sum); err != nil {
		return err
	}
	if stopErr != nil {
		return stopErr
	}
	if sum.NotCounted > 0 {
		return &fault.Error{Kind: fault.Partial, Msg: fmt.Sprintf("%d of %d scans not counted (reported above); the rest are counted", sum.NotCounted, sum.Scans)}
	}
	return nil
}

func (s scanSummary) totals() string {
	return fmt.Sprintf("%d scans, %s units, %d not counted", s.Scans, s.Units, s.NotCounted)
}

// tallyLine says what one scan did: +4 DRILL-18V (case) bay A1: counted 8 of 24.
func tallyLine(s stocktake.Scanned) string {
	var b strings.Builder
	if s.Again {
		fmt.Fprintf(&b, "= %s serial %s already counted", s.SKU, deref(s.Serial))
		return b.String()
	}
	fmt.Fprintf(&b, "+%s %s", s.Qty, s.SKU)
	if s.Pack != nil {
		fmt.Fprintf(&b, " (%s)", *s.Pack)
	}
	switch {
	case s.Serial != nil:
		fmt.Fprintf(&b, " serial %s", *s.Serial)
	case s.Batch != nil:
		fmt.Fprintf(&b, " batch %s", *s.Batch)
	}
	if s.Bay != nil {
		fmt.Fprintf(&b, " bay %s", *s.Bay)
	} else {
		b.WriteString(" outside bays")
	}
	if s.Counted.Counted != nil {
		fmt.Fprintf(&b, ": counted %s", s.Counted.Counted)
	}
	if s.Expected != nil {
		fmt.Fprintf(&b, " of %s expected", s.Expected)
	}
	return b.String()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (a *App) printScan(sum scanSummary) error {
	p := a.Printer()
	if p.Format == printer.JSON {
		return p.One(sum)
	}
	return p.List(sum.Lines)
}

func (a *App) stocktakeShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show ST",
		Short: "Show a stocktake: expected, counted, variance and its value per line, and what moved",
		Long: `Show stocktake ST: its header and totals, then one line per product, bay, batch and serial:

  expected        what the snapshot found (0 on a line a count added: stock found)
  counted         what was counted; empty until counted
  on_hand         the book quantity now (once posted: just before posting)
  moved           true when stock of the line moved since the snapshot (net_moves, a wide
                  column, is on_hand - expected)
  variance        what posting adjusts by default: counted - the book quantity when the count
                  was entered, which is counted - expected unless stock moved before the count
                  (see stocktake post --help); once posted, what was posted
  variance_value  variance x the average cost (once posted, the cost it was posted at); the
                  header sums it

While a blind stocktake is open, expected, on_hand, moved, variance and their values are
left empty; they show once it is closed or posted.

Output: -o json prints the stocktake with its lines as one object; a table shows the header
and then the lines; -o csv and --fields print the lines.`,
		Example: "  stockctl stocktake show ST-000001\n  stockctl stocktake show ST-000001 -o json | jq '.lines[] | select(.variance != \"0\")'",
		Args:    args("ST"),
		RunE: func(c *cobra.Command, args []string) error {
			var doc stocktake.Doc
			err := a.snapshot(c.Context(), func(tx *sqlx.Tx) (err error) {
				doc, err = stocktake.Get(c.Context(), tx, args[0])
				return err
			})
			if err != nil {
				return err
			}
			return a.printStocktake(doc)
		},
	}
}

// printStocktake prints a stocktake: as one JSON object with its lines, or as a table of
// the header followed by a table of the lines; CSV and --fields print the lines.
func (a *App) printStocktake(doc stocktake.Doc) error {
	p := a.Printer()
	switch {
	case p.Format == printer.JSON:
		return p.One(doc)
	case p.Format == printer.CSV || len(a.Fields) > 0:
		return p.List(doc.Lines)
	}
	if err := p.One(doc.Summary); err != nil {
		return err
	}
	if len(doc.Lines) == 0 {
		return nil
	}
	if _, err := a.Out.Write([]byte("\n")); err != nil {
		return err
	}
	return p.List(doc.Lines)
}

func (a *App) stocktakeListCmd() *cobra.Command {
	var f stocktake.Filter
	cmd := &cobra.Command{
		Use:   "list [--status S] [--location L]",
		Short: "List stocktakes, newest first",
		Long: `List stocktakes newest first with their number of lines, counted and uncounted; posted
ones also with the lines that had moved and the value they posted. --status is open, closed,
posted, cancelled, or active (open and closed).`,
		Example: "  stockctl stocktake list --status active\n  stockctl stocktake list --location MAIN -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			ss, err := stocktake.List(c.Context(), d, f)
			if err != nil {
				return err
			}
			if len(ss) == 0 {
				a.say("no stocktakes")
			}
			return a.Printer().List(ss)
		},
	}
	cmd.Flags().StringVar(&f.Status, "status", "", "open, closed, posted, cancelled or active")
	cmd.Flags().StringVar(&f.Location, "location", "", "only stocktakes of this location")
	return cmd
}

func (a *App) stocktakeCloseCmd() *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "close ST",
		Short: "Finish counting: no more counts, and a blind stocktake shows what was expected",
		Long: `Close stocktake ST for counting. Counts are refused from then on, and a blind stocktake shows
its expected quantities and variances, ready to review and post. Closing is optional: an open
stocktake can be posted directly (posting closes it). To count again, cancel it and start a
new one.`,
		Example: "  stockctl stocktake close ST-000001",
		Args:    args("ST"),
		RunE: func(c *cobra.Command, args []string) error {
			var doc stocktake.Doc
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = stocktake.Close(c.Context(), tx, args[0])
				return err
			})
			if err != nil {
				return err
			}
			a.say("%s closed: %d of %d lines counted", doc.Number, doc.Counted, len(doc.Lines))
			return a.printStocktake(doc)
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "show the result without closing")
	return cmd
}

func (a *App) stocktakePostCmd() *cobra.Command {
	var opt stocktake.PostOptions
	var dry bool
	cmd := &cobra.Command{
		Use:   "post ST [--zero-uncounted] [--set-counted]",
		Short: "Post a stocktake's variances as adjustments, at the average cost",
		Long: `Post stocktake ST: one adjustment move per line whose count differs from the books, valued at
the product's average cost, to the GL code of the setting gl_stocktake, with the stocktake
number as reference and the virtual location ~stocktake on the other side (stock moves
--kind stocktake lists them). Serials and batches are adjusted one by one: a serial counted
that was not expected is added, one expected but counted 0 is removed, and a serial counted
in another bay than expected is moved out of the old bay and into the new one.

Stock that moved after the snapshot. The book quantity of each line is recorded when its
count is entered. By default the adjustment is

  counted - (expected at the snapshot + net moves between the snapshot and the count)

so stock that moved after the count keeps its moves. With --set-counted the count is taken
as the truth now, whatever moved since: the adjustment is counted - on hand now.

  Worked example: 10 expected in bay A1. After the snapshot 3 are sold, then the counter
  counts 6 (one is missing), then 2 arrive. On hand is 10 - 3 + 2 = 9.
    default:        6 - (10 - 3) = -1   ->  on hand 8 (the 2 that arrived stay)
    --set-counted:  6 - 9        = -3   ->  on hand 6

Lines nobody counted are left as they are; --zero-uncounted takes them to 0 on hand (what
was not found is not there). A line whose stock left after it was counted, so the default
adjustment would take more than is there, is refused: recount it, or use --set-counted.

Counting less than is allocated never blocks posting: what the count leaves short of the
stock allocated at the location comes off the allocations of sales order lines, newest order
first (order date, then number, then last line first), and goes back on backorder there
(so release allocates it again when stock comes). The post lists each order line that lost
stock on standard error ("SO-000007 line 2: 3 W at MAIN back on backorder").

A posted stocktake is final: it cannot be posted again, counted, closed or cancelled; the
database refuses any change to it.`,
		Example: `  stockctl stocktake post ST-000001
  stockctl stocktake post ST-000001 --zero-uncounted --dry-run
  stockctl stocktake post ST-000001 --set-counted -o json`,
		Args: args("ST"),
		RunE: func(c *cobra.Command, args []string) error {
			var doc stocktake.Doc
			var moves []stock.AdjustedMove
			var lost []sales.Unallocated
			opt.Unallocate = func(ctx context.Context, q sqlx.ExtContext, short []stocktake.Shortage) (err error) {
				need := make([]sales.Unallocation, len(short))
				for i, s := range short {
					need[i] = sales.Unallocation{ProductID: s.ProductID, LocationID: s.LocationID, SKU: s.SKU, Location: s.Location, Qty: s.Qty}
				}
				lost, err = sales.Unallocate(ctx, q, need)
				return err
			}
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				lost = nil // a retried transaction starts again
				doc, moves, err = stocktake.Post(c.Context(), tx, args[0], opt)
				return err
			})
			if err != nil {
				return err
			}
			for _, l := range lost {
				a.say("%s line %d: %s %s at %s back on backorder (counted short; backordered now %s)", l.SO, l.Line, l.Qty, l.SKU, l.Location, l.Backordered)
			}
			value := decimal.Zero
			if doc.VarianceValue != nil {
				value = *doc.VarianceValue
			}
			a.say("%s posted: %d adjustment moves, variance value %s", doc.Number, len(moves), exactdec.String(value))
			return a.Printer().List(moves)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opt.ZeroUncounted, "zero-uncounted", false, "take lines nobody counted to 0 on hand")
	fl.BoolVar(&opt.SetCounted, "set-counted", false, "make on hand equal to the count, whatever moved since the count")
	fl.BoolVar(&dry, "dry-run", false, "show the adjustments without posting them")
	return cmd
}

func (a *App) stocktakeCancelCmd() *cobra.Command {
	var yes, dry bool
	cmd := &cobra.Command{
		Use:   "cancel ST [--yes]",
		Short: "Cancel a stocktake that is not posted; its counts are never posted",
		Long: `Cancel stocktake ST before posting. Its counts are kept for the record but never posted, so
stock is as if it had never been made, and its products can be counted by a new stocktake. A
posted stocktake cannot be cancelled. Not on a terminal, --yes is required (the counts are
given up).`,
		Example: "  stockctl stocktake cancel ST-000001 --yes",
		Args:    args("ST"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := a.confirm(yes || dry, "cancel "+args[0]+" and give up its counts"); err != nil {
				return err
			}
			var doc stocktake.Doc
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				doc, err = stocktake.Cancel(c.Context(), tx, args[0])
				return err
			})
			if err != nil {
				return err
			}
			a.say("%s cancelled", doc.Number)
			return a.printStocktake(doc)
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm without asking")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "show the result without cancelling")
	return cmd
}
