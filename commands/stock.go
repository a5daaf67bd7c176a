package commands

import (
	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/io/csvio"
)

func (a *App) stockCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stock",
		Short: "Stock: adjustments, transfers, levels, what is where, the ledger and its check",
	}
	cmd.AddCommand(a.stockAdjustCmd())
	cmd.AddCommand(a.stockImportCmd())
	cmd.AddCommand(a.stockTransferCmd())
	cmd.AddCommand(a.stockQueryCmds()...)
	return cmd
}

type adjustFlags struct {
	location, reason, glCode, narrative, batch, expiry, serialStart, bay, ref, file string
	qty, unitCost                                                                   decimalFlag
	serials                                                                         []string
	dry                                                                             bool
	read                                                                            csvReadFlags
}

func (a *App) stockAdjustCmd() *cobra.Command {
	var f adjustFlags
	cmd := &cobra.Command{
		Use:   "adjust SKU --location L --qty ±N [flags] | adjust --file FILE",
		Short: "Add or remove stock by hand (found, damaged, opening stock), one line or a CSV file",
		Long: `Post a stock adjustment: --qty 5 adds, --qty -2 removes (in the product's stock unit).
Stock coming in is valued at --unit-cost and raises the moving-average cost; without it, at
the current average cost, or at the product's cost price when the product has no stock on
hand (a first receipt, or after it ran out); the command says which on standard error, and
the moves' cost_source (given, average, cost_price; -o json/csv, or --fields) records it.
Stock going out leaves at the average cost. The setting cost_price_follows (average by
default) says whether stock coming in also moves the product's cost price. The GL code
defaults to the setting gl_adjustment.

Batch-tracked products need --batch (and --expiry for a new batch); serialised products need
one --serial per unit, or --serial-start SN1000 to number stock coming in. --bay puts stock in
(or takes it from) a bay; stock coming in goes to the product's default bay when none is given.

--file posts many adjustments from a CSV file in one all-or-nothing transaction. Columns (any
order, header required): sku, location, qty (required), reason, unit_cost, gl_code, narrative,
batch, expiry (YYYY-MM-DD), serials (separated by spaces, semicolons or commas), bay. It is
read like every import (docs/csv-formats.md: header names matched leniently or renamed with
--map, UTF-8 or Windows-1252, comma, semicolon or tab) and is the format of stock import,
which posts the same file with --skip-invalid, --rejects, --dry-run and a summary. The rows
are checked with stock import's code, in file order; with any bad row nothing is posted (exit
5) and every bad row is listed on standard output as stock import lists them: row (the file's
line, the header is row 1), column, value and reason, one line per reason (-o json:
{"rejected":N,"errors":[...]}).

--qty takes a negative number as it is (--qty -3 or --qty=-3); quantities have at most 12
digits before the point and 6 after, unit costs likewise, expiry dates run from 1900 to 9999,
and no number is written with an exponent (see "Limits" in README.md).

--ref REF makes the posting idempotent. Run again with the same ref and the same request
(compared as values: --qty 5 and --qty 5.00 are the same; serials in any order) it posts
nothing, says "already posted" and prints the moves the first run posted (exit 0). With a
different request (another SKU, quantity, location, cost, batch, serials, bay, reason ...,
or another file's rows) it is refused naming the ref and the first difference, and nothing
is posted (exit 5). stock import shares these refs. A ref posted before stockctl kept
requests (migration 00016) is answered "already posted" without a comparison.

A posting is judged by the product's rules as they are once it holds the product's posting
lock: if another session switched the product's tracking, serial numbers, batches or stock
unit meanwhile, a line that no longer fits is refused and nothing is posted (exit 5; run it
again), and a product deleted meanwhile is reported missing (exit 6).`,
		Example: `  stockctl stock adjust DRILL-18V --location MAIN --qty 12 --unit-cost 52.10 --reason opening
  stockctl stock adjust ROPE-10 --location MAIN --qty 200 --batch R2611 --expiry 2031-11-30
  stockctl stock adjust CAM-X1 --location MAIN --qty 3 --serial-start CX0001
  stockctl stock adjust DRILL-18V --location MAIN --qty -1 --reason damaged
  stockctl stock adjust --file counts.csv --ref night-count-2026-11-26`,
		Args: optionalArgs("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			var adjs []stock.Adjustment
			var rows []csvio.Row
			var rejects []csvio.Rejected
			var err error
			if f.file != "" {
				if len(args) > 0 {
					return fault.Usagef("file", "give either SKU and flags or --file, not both")
				}
				err = a.readFile(f.file, &f.read, stock.AdjustCSVColumns, stock.AdjustCSVRequired, "adjustments", func(r *csvio.Reader) (int, error) {
					var err error
					adjs, rows, rejects, err = stock.ReadAdjustments(r, csvio.ImportOptions{})
					return len(adjs) + len(rejects), err
				})
				if err != nil {
					return err
				}
			} else {
				if len(args) == 0 {
					return fault.Usagef("sku", "missing SKU (or --file FILE)")
				}
				adj, err := f.adjustment(args[0])
				if err != nil {
					return err
				}
				adjs = append(adjs, adj)
			}
			var moves []stock.AdjustedMove
			applied := true
			err = a.write(c, f.dry, func(tx *sqlx.Tx) (err error) {
				if f.file != "" {
					moves, applied, err = stock.AdjustFile(c.Context(), tx, adjs, rows, rejects, f.ref)
				} else {
					moves, applied, err = stock.Adjust(c.Context(), tx, adjs, f.ref)
				}
				return err
			})
			if err != nil {
				return a.reportRows("stock adjust", "posted", err)
			}
			if !applied {
				if moves == nil {
					a.say("ref %s was already posted: nothing changed (by stock import, or before stockctl kept what a ref posted: the request could not be compared, the moves are not shown)", f.ref)
					return nil
				}
				a.say("ref %s was already posted with the same request: nothing changed; the moves it posted:", f.ref)
				return a.Printer().List(moves)
			}
			if f.file != "" {
				a.say("%d adjustments posted as %d moves", len(adjs), len(moves))
			} else {
				sayCostSource(a, moves)
			}
			return a.Printer().List(moves)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.location, "location", "", "location code")
	fl.Var(f.qty.Of(bounds.Quantity, anySign), "qty", "quantity to add (positive) or remove (negative), in the stock unit")
	fl.StringVar(&f.reason, "reason", "", "why: damaged, found, opening, count ...")
	fl.Var(f.unitCost.Of(bounds.Money, nonNegative), "unit-cost", "unit cost of stock coming in, base currency (default: the average cost, or the cost price with no stock on hand)")
	fl.StringVar(&f.glCode, "gl-code", "", "GL code (default: setting gl_adjustment)")
	fl.StringVar(&f.narrative, "narrative", "", "free text kept on the move")
	fl.StringVar(&f.batch, "batch", "", "batch number (batch-tracked products)")
	fl.StringVar(&f.expiry, "expiry", "", "expiry date of a new batch, YYYY-MM-DD")
	fl.StringSliceVar(&f.serials, "serial", nil, "serial number(s), one per unit; repeat or separate with commas")
	fl.StringVar(&f.serialStart, "serial-start", "", "number the units coming in from here (SN1000, SN1001 ...)")
	fl.StringVar(&f.bay, "bay", "", "bay within the location")
	fl.StringVar(&f.ref, "ref", "", "idempotency ref: posted once; again with the same request it prints the first result, with another it is refused")
	fl.StringVar(&f.file, "file", "", "CSV file of adjustments (- for stdin)")
	fl.BoolVar(&f.dry, "dry-run", false, "check everything and show the moves without posting")
	f.read.Add(cmd)
	return cmd
}

// sayCostSource says, for stock that came in without --unit-cost, which cost it was valued
// at: the average cost, or the cost price when the product had no stock on hand.
func sayCostSource(a *App, moves []stock.AdjustedMove) {
	type key struct{ sku, location, source, cost string }
	var keys []key
	qty := map[key]decimal.Decimal{}
	for _, m := range moves {
		if !m.Qty.IsPositive() || (m.CostSource != stock.CostAverage && m.CostSource != stock.CostPrice) {
			continue
		}
		k := key{m.SKU, m.Location, m.CostSource, m.UnitCost.String()}
		if _, ok := qty[k]; !ok {
			keys = append(keys, k)
		}
		qty[k] = qty[k].Add(m.Qty)
	}
	for _, k := range keys {
		if k.source == stock.CostAverage {
			a.say("%s: %s in at %s valued at the average cost %s (no --unit-cost)", k.sku, qty[k], k.location, k.cost)
		} else {
			a.say("%s: %s in at %s valued at the product's cost price %s (no stock on hand to average, no --unit-cost)", k.sku, qty[k], k.location, k.cost)
		}
	}
}

func (f *adjustFlags) adjustment(sku string) (stock.Adjustment, error) {
	if f.location == "" {
		return stock.Adjustment{}, fault.Usagef("location", "missing --location")
	}
	if !f.qty.Given {
		return stock.Adjustment{}, fault.Usagef("qty", "missing --qty (positive adds, negative removes)")
	}
	adj := stock.Adjustment{SKU: sku, Location: f.location, Qty: f.qty.Value, Reason: f.reason, GLCode: f.glCode,
		Narrative: f.narrative, Batch: f.batch, Serials: f.serials, SerialStart: f.serialStart, Bay: f.bay}
	if f.unitCost.Given {
		adj.UnitCost = &f.unitCost.Value
	}
	if f.expiry != "" {
		t, err := parseDate("--expiry", f.expiry)
		if err != nil {
			return adj, err
		}
		adj.Expiry = &t
	}
	return adj, nil
}
