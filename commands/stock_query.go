package commands

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/io/exactdec"
	"github.com/stockctl/stockctl/io/printer"
)

// stockQueryCmds are the stock verbs that read (show, list, moves, check) and stock levels.
func (a *App) stockQueryCmds() []*cobra.Command {
	return []*cobra.Command{a.stockLevelsCmd(), a.stockShowCmd(), a.stockListCmd(), a.stockMovesCmd(), a.stockCheckCmd()}
}

func (a *App) stockLevelsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "levels",
		Short: "Stock levels per product and location: minimum, maximum, default bay",
	}
	var location, bay string
	var lo, hi decimalFlag
	var dry bool
	set := &cobra.Command{
		Use:   "set SKU --location L [--min N] [--max N] [--bay B]",
		Short: "Set a product's minimum, maximum or default bay at a location",
		Long: `Set the stock levels of a product at a location. --min is the reorder point (stock list
--below-min shows products whose available + on order is under it), --max the level to order
up to; both are in the product's stock unit, at least 0, and the maximum is never below the
minimum. --bay is the default bay stock coming in is put in; it must be a bay of the
location, and --bay "" clears it. Flags not given keep their value.`,
		Example: `  stockctl stock levels set DRILL-18V --location MAIN --min 5 --max 20
  stockctl stock levels set DRILL-18V --location MAIN --bay A3-B
  stockctl stock levels set ROPE-10 --location VAN1 --max 50 --dry-run`,
		Args: args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			if location == "" {
				return fault.Usagef("location", "missing --location")
			}
			ch := stock.LevelChanges{Bay: ptr(c, "bay", bay)}
			if lo.Given {
				ch.Min = &lo.Value
			}
			if hi.Given {
				ch.Max = &hi.Value
			}
			if ch.Min == nil && ch.Max == nil && ch.Bay == nil {
				return fault.Usagef("min", "nothing to set: give --min, --max or --bay")
			}
			var l stock.Levels
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				l, err = stock.SetLevels(c.Context(), tx, args[0], location, ch)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(l)
		},
	}
	fl := set.Flags()
	fl.StringVar(&location, "location", "", "location code")
	fl.Var(lo.Of(bounds.Quantity, nonNegative), "min", "minimum stock (reorder point), in the stock unit")
	fl.Var(hi.Of(bounds.Quantity, nonNegative), "max", "maximum stock (order-up-to level), in the stock unit")
	fl.StringVar(&bay, "bay", "", `default bay at the location ("" clears it)`)
	fl.BoolVar(&dry, "dry-run", false, "validate and show the result without saving")
	cmd.AddCommand(set)
	cmd.AddCommand(a.stockLevelsCSVCmds()...)
	return cmd
}

// stockShowJSON is stock show's JSON object: the summary with the sections nested, each
// rendered by the printer so amounts keep their exact digits and dates read YYYY-MM-DD.
type stockShowJSON struct {
	stock.Summary
	Locations json.RawMessage `json:"locations"`
	Batches   json.RawMessage `json:"batches"`
	Serials   json.RawMessage `json:"serials"`
}

func (a *App) stockShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show SKU",
		Short: "Show a product's stock: per location, batches, serials, average cost and value",
		Long: `Show a product's inventory details: per internal location (every one with a balance or
stock levels) on hand, allocated, expired (on hand in batches past their expiry date: before
today, UTC; a batch expiring today is still good), available (on hand - allocated - expired;
below 0 when stock allocated earlier has expired since), on order, backordered, min, max and
default bay; then the batches (number, expiry, location, bay, qty, expired) and serial
numbers in stock, the quantity in transit between locations, the moving-average unit cost
and the stock value (on hand in every location, in transit included, times the average
cost, in the base currency).

Output: -o json prints one object with the summary and the arrays locations, batches and
serials (--fields picks among its top-level keys). On a terminal the table format prints
each section under a heading. Piped, with -o csv or with --fields, stdout carries only the
locations table (so scripts can cut and awk it) and the summary goes to stderr; use -o json
for everything in one document.`,
		Example: `  stockctl stock show DRILL-18V
  stockctl stock show ROPE-10 -o json | jq '.batches'`,
		Args: args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			var det stock.Detail
			err := a.snapshot(c.Context(), func(tx *sqlx.Tx) (err error) {
				det, err = stock.Show(c.Context(), tx, args[0])
				return err
			})
			if err != nil {
				return err
			}
			return a.printStockShow(det)
		},
	}
}

func (a *App) printStockShow(det stock.Detail) error {
	f, _ := printer.ParseFormat(a.Output)
	s := det.Summary
	switch {
	case f == printer.JSON:
		out := stockShowJSON{Summary: s}
		var err error
		if out.Locations, err = jsonList(det.Locations); err != nil {
			return err
		}
		if out.Batches, err = jsonList(det.Batches); err != nil {
			return err
		}
		if out.Serials, err = jsonList(det.Serials); err != nil {
			return err
		}
		return a.Printer().One(out)
	case f == printer.CSV || !a.OutTTY || len(a.Fields) > 0:
		expired := ""
		if !s.Expired.IsZero() {
			expired = fmt.Sprintf(", expired %s", s.Expired)
		}
		a.say("%s %s: on hand %s, allocated %s%s, available %s, in transit %s %s; average cost %s, stock value %s (-o json shows batches and serials)",
			s.SKU, s.Name, s.OnHand, s.Allocated, expired, s.Available, s.InTransit, s.StockUOM, s.AvgCost, exactdec.String(s.StockValue))
		return a.Printer().List(det.Locations)
	}
	p := a.Printer()
	if err := p.One(s); err != nil {
		return err
	}
	sections := []struct {
		title string
		rows  any
		n     int
		show  bool
	}{{"Locations", det.Locations, len(det.Locations), true},
		{"Batches", det.Batches, len(det.Batches), s.BatchTracked},
		{"Serial numbers", det.Serials, len(det.Serials), s.Serialized}}
	for _, sec := range sections {
		if !sec.show && sec.n == 0 {
			continue
		}
		fmt.Fprintf(a.Out, "\n%s\n", sec.title)
		if sec.n == 0 {
			fmt.Fprintln(a.Out, "  none")
			continue
		}
		if err := p.List(sec.rows); err != nil {
			return err
		}
	}
	return nil
}

// jsonList renders rows as the printer's JSON array.
func jsonList(rows any) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := printer.New(&buf, printer.JSON, nil, false, false).List(rows); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}

func (a *App) stockListCmd() *cobra.Command {
	var f stock.ListFilter
	cmd := &cobra.Command{
		Use:   "list [--location L] [--below-min] [--sku S] [--limit N]",
		Short: "List stock per product and location; --below-min shows what needs reordering",
		Long: `List one row per product and internal location that has stock (a balance, even 0) or
stock levels, by SKU and location: on hand, allocated, available (on hand - allocated), on
order, min and max (name and default bay with --fields or -o json). --below-min keeps the
rows whose available + on order is below the minimum: what to reorder (up to max). --limit N
stops after N rows (0, the default, lists all). An empty list exits 0.`,
		Example: `  stockctl stock list --location MAIN
  stockctl stock list --below-min -o csv
  stockctl stock list --sku DRILL-18V -o json
  stockctl stock list --limit 50`,
		Args: args(),
		RunE: func(c *cobra.Command, _ []string) error {
			if f.Limit < 0 {
				return fault.Usagef("limit", "--limit %d: give 0 (all) or more", f.Limit)
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			rows, err := stock.List(c.Context(), d, f)
			if err != nil {
				return err
			}
			if len(rows) == 0 && a.OutTTY {
				a.say("no stock matches")
			}
			return a.Printer().List(rows)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Location, "location", "", "only this location")
	fl.StringVar(&f.SKU, "sku", "", "only this product")
	fl.BoolVar(&f.BelowMin, "below-min", false, "only rows whose available + on order is below the minimum")
	intVar(fl, &f.Limit, "limit", 0, 0, bounds.MaxWhole, "at most this many rows (0: all)")
	return cmd
}

func (a *App) stockMovesCmd() *cobra.Command {
	var f stock.MoveFilter
	var since string
	cmd := &cobra.Command{
		Use:   "moves [SKU] [--location L] [--since YYYY-MM-DD] [--kind K] [--reference R] [--limit N]",
		Short: "List moves of the stock ledger, newest first",
		Long: `List moves of the stock ledger, newest first, at most --limit of them (default 100, 0 for
all). Filters combine: a SKU, --location (moves from or to it; the virtual locations such as
~customer or ~transit may be named too), --since (moves at or after 00:00 UTC that day),
--kind (adjustment, transfer, dispatch, transfer_receipt ...) and --reference (the document
a move belongs to). Times are UTC. The table leaves out the wide columns (bays, unit cost,
GL code, reason, narrative, actor); -o json and -o csv carry every column, or pick with
--fields.

With a SKU or --location only that product's or location's moves are read (through their
indexes), newest first until the limit is met. --kind alone reads the ledger newest first
until the limit is met, so a rare kind can take a while on a large ledger.`,
		Example: `  stockctl stock moves DRILL-18V
  stockctl stock moves --location MAIN --since 2026-01-01 --limit 0 -o csv
  stockctl stock moves --kind adjustment --fields id,time,sku,qty,reason`,
		Args: optionalArgs("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				f.SKU = args[0]
			}
			if f.Limit < 0 {
				return fault.Usagef("limit", "--limit %d: give 0 (all) or more", f.Limit)
			}
			if since != "" {
				t, err := parseDate("--since", since)
				if err != nil {
					return err
				}
				f.Since = &t
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			rows, err := stock.Moves(c.Context(), d, f)
			if err != nil {
				return err
			}
			if len(rows) == 0 && a.OutTTY {
				a.say("no moves match")
			}
			return a.Printer().List(rows)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Location, "location", "", "only moves from or to this location")
	fl.StringVar(&since, "since", "", "only moves on or after this date, YYYY-MM-DD (UTC)")
	fl.StringVar(&f.Kind, "kind", "", "only moves of this kind")
	fl.StringVar(&f.Reference, "reference", "", "only moves of this document reference")
	intVar(fl, &f.Limit, "limit", 100, 0, bounds.MaxWhole, "at most this many moves, newest first (0: all)")
	return cmd
}

func (a *App) stockCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Verify the stock invariants against the ledger (exit 5 naming each violation)",
		Long: `Verify every stock invariant with set-based SQL over one consistent snapshot, and print each
violation (check, sku, location, detail). Exits 0, with a message on stderr, when everything
holds and 5 when anything is broken, so cron and CI can alert. The checks:

  balance_ledger  on hand per product and location = the ledger (moves in - moves out), for
                  internal and in-transit locations, including ledger stock with no balance
                  row and balance rows with no moves
  balance_quants  on hand = the sum of its bay, batch and serial quantities
  quant_ledger    each bay/batch/serial quantity = the ledger summed at that grain
  allocated       0 <= allocated <= on hand
  allocated_orders
                  allocated per product and location = the sum of what the lines of the
                  sales orders selling from there have allocated
  negative        no stock below zero unless the setting negative_stock_allowed is true;
                  batches and serial numbers never below zero
  serial          a serial number's quantity is 0 or 1, and it is in one place at most
  tracking        moves and stock of serialised products carry a serial number (qty 1), of
                  batch-tracked products a batch, and of other products neither; moves made
                  before serials or batches were switched on for a product are not held to it
  untracked       only stock-tracked products of type stock have stock on hand or allocated
  bay             stock in a bay is in the bay's location
  owner           stock under a batch or serial number is of the product it belongs to
  cost_stock      the quantity a product's average cost is spread over (kept with the cost)
                  = its on hand over all locations

At most 1000 violations per check are listed; the last one says how many more there are.
The ledger is read in one pass, so the check takes seconds even for tens of millions of moves.`,
		Example: "  stockctl stock check\n  stockctl stock check -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			var vs []stock.Violation
			err := a.snapshot(c.Context(), func(tx *sqlx.Tx) (err error) {
				vs, err = stock.Check(c.Context(), tx)
				return err
			})
			if err != nil {
				return err
			}
			if err := a.Printer().List(vs); err != nil {
				return err
			}
			if len(vs) > 0 {
				return fault.Invalidf("", "stock check: %d violation(s) listed: the balances disagree with the ledger or break a rule", len(vs))
			}
			a.say("stock check: every invariant holds (balances and quants match the ledger; allocations, negative stock, serials, tracking, bays and costs are in order)")
			return nil
		},
	}
}

func (a *App) serialCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "serial", Short: "Serial numbers of serialised products: where each unit is, its history"}
	list := &cobra.Command{
		Use:   "list SKU",
		Short: "List a product's serial numbers: where each is now, or gone, with its last move",
		Long: `List the serial numbers of a serialised product with their status: in_stock (location and
bay given), in_transit, gone (moved out of stock: the last move says where to, e.g.
~customer) or new (recorded, never moved), and the last move of each.`,
		Example: "  stockctl serial list CAM-X1\n  stockctl serial list CAM-X1 -o json | jq '.[] | select(.status == \"gone\")'",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			rows, err := stock.Serials(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			if len(rows) == 0 && a.OutTTY {
				a.say("%s has no serial numbers yet", args[0])
			}
			return a.Printer().List(rows)
		},
	}
	trace := &cobra.Command{
		Use:     "trace SKU SERIAL",
		Short:   "Show every move of one serialised unit, oldest first",
		Example: "  stockctl serial trace CAM-X1 CX0001",
		Args:    args("SKU", "SERIAL"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			rows, err := stock.Trace(c.Context(), d, args[0], args[1])
			if err != nil {
				return err
			}
			return a.Printer().List(rows)
		},
	}
	cmd.AddCommand(list, trace)
	return cmd
}
