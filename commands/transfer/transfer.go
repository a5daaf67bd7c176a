// Package transfer is the transfer command (list, show, receive) and stock transfer, which
// makes transfers.
package transfer

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
)

// MakeOptions are stock transfer's argument and flags, read into the domain's request.
type MakeOptions struct {
	App     *app.App
	Request stock.TransferRequest
	DryRun  bool
}

// NewStockTransferCmd returns stock transfer, a verb of the stock command.
func NewStockTransferCmd(a *app.App) *cobra.Command {
	opts := &MakeOptions{App: a}
	var from, to, batch, fromBay, toBay, narrative, ref string
	var qty, cost app.DecimalFlag
	var serials []string
	var twoStep, allowExpired bool
	cmd := &cobra.Command{
		Use:   "transfer SKU --from L1 --to L2 --qty N [flags]",
		Short: "Move stock between two locations, at once or dispatched now and received later",
		Long: `Transfer --qty of SKU (in its stock unit) from location --from to location --to and print the
transfer document (number from the setting number_format_tr, e.g. TR-000001).

An immediate transfer moves the stock at once. With --two-step the stock is dispatched: it
leaves --from and waits in transit, where it is not sellable, until "stockctl transfer receive"
brings it (in part or in full) into --to.

Batches, serials and bays travel with the stock: each bay and batch the stock is taken from
becomes one line of the transfer. Batches are taken first-expiry-first-out unless --batch names
one; stock outside any bay goes first unless --from-bay names one. Batches that have expired
(expiry date before today, UTC; a batch expiring today is still good) are passed over, and
naming one is refused, unless --allow-expired. Serialised products need one
--serial per unit (--qty may then be left out). Stock arrives in --to-bay, else in the product's
default bay at --to.

--cost adds an extra transfer cost (a total in the base currency: freight, handling) to what
arrives: it raises the moving-average cost. A two-step transfer spreads it over its receipts by
quantity.

A shortage is refused with what is there, and nothing is written.

--ref REF makes the transfer idempotent. Run again with the same ref and the same request
(compared as values: --qty 4 and --qty 4.0 are the same; serials in any order) it posts
nothing, says "already posted" and prints the transfer as the first run printed it (exit
0). With a different request (another SKU, quantity, location, batch, serials, bay, cost,
two-step or narrative) it is refused naming the ref and the first difference, and nothing
is posted (exit 5). A ref posted before stockctl kept requests (migration 00016) is
answered "already posted" without a comparison.`,
		Example: `  stockctl stock transfer DRILL-18V --from MAIN --to STORE2 --qty 4
  stockctl stock transfer ROPE-10 --from MAIN --to VAN1 --qty 50 --batch R2611 --to-bay SHELF1
  stockctl stock transfer CAM-X1 --from MAIN --to STORE2 --serial CX0001 --serial CX0002
  stockctl stock transfer DRILL-18V --from MAIN --to NORTH --qty 20 --two-step --cost 45.00 --ref truck-118`,
		Args: app.Args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			if from == "" {
				return fault.Usagef("from", "missing --from (the location the stock leaves)")
			}
			if to == "" {
				return fault.Usagef("to", "missing --to (the location the stock goes to)")
			}
			if !qty.Given && len(serials) == 0 {
				return fault.Usagef("qty", "missing --qty (or one --serial per unit for a serialised product)")
			}
			req := stock.TransferRequest{SKU: args[0], From: from, To: to, Qty: qty.Value, Batch: batch, Serials: serials,
				FromBay: fromBay, ToBay: toBay, TwoStep: twoStep, Narrative: narrative, Ref: ref, AllowExpired: allowExpired}
			if !qty.Given {
				req.Qty = decimal.NewFromInt(int64(len(serials)))
			}
			if cost.Given {
				req.ExtraCost = &cost.Value
			}
			opts.Request = req
			return runMake(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&from, "from", "", "location the stock leaves")
	fl.StringVar(&to, "to", "", "location the stock goes to")
	fl.Var(qty.Of(bounds.Quantity, app.Positive), "qty", "quantity in the stock unit (serialised: default the number of --serial)")
	fl.StringVar(&batch, "batch", "", "take this batch only (default: first expiry first out)")
	fl.StringSliceVar(&serials, "serial", nil, "serial number(s), one per unit; repeat or separate with commas")
	fl.StringVar(&fromBay, "from-bay", "", "take the stock from this bay of --from")
	fl.StringVar(&toBay, "to-bay", "", "put the stock into this bay of --to (default: the product's default bay)")
	fl.BoolVar(&twoStep, "two-step", false, "dispatch now into transit; receive later with transfer receive")
	fl.BoolVar(&allowExpired, "allow-expired", false, "take batches past their expiry date too")
	fl.Var(cost.Of(bounds.Money, app.NonNegative), "cost", "extra transfer cost, a total in the base currency; raises the average cost")
	fl.StringVar(&narrative, "narrative", "", "free text kept on the transfer and its moves")
	fl.StringVar(&ref, "ref", "", "idempotency ref: posted once; again with the same request it prints the first result, with another it is refused")
	app.DryRunFlag(cmd, &opts.DryRun, "check everything and show the transfer without posting")
	return cmd
}

func runMake(ctx context.Context, opts *MakeOptions) error {
	a, ref := opts.App, opts.Request.Ref
	doc, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) (stock.TransferDoc, error) {
		return stock.Transfer(ctx, tx, opts.Request)
	})
	if err != nil {
		return err
	}
	if doc.AlreadyPosted {
		if doc.Number == "" {
			a.Say("ref %s was already posted: nothing changed (before stockctl kept what a ref posted: the request could not be compared, the transfer is not shown)", ref)
			return nil
		}
		a.Say("ref %s was already posted with the same request as %s: nothing changed; as it was posted:", ref, doc.Number)
		return printDoc(a, doc)
	}
	if doc.TwoStep {
		a.Say("%s dispatched: %s %s in transit to %s; receive it with stockctl transfer receive %s", doc.Number, doc.Qty, doc.SKU, doc.To, doc.Number)
	}
	return printDoc(a, doc)
}

// NewCmd returns the transfer command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "transfer",
		Short: "Stock transfers: list them, show one, receive two-step transfers",
		Long: `Transfers move stock between locations; create them with "stockctl stock transfer". A
two-step transfer stays in_transit until it is received, partially_received while part of it
is outstanding, and received when everything has arrived.`,
	}

	cmd.AddCommand(newListCmd(a), newShowCmd(a), newReceiveCmd(a))
	return cmd
}

// ListOptions are transfer list's flags.
type ListOptions struct {
	App    *app.App
	Status string
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	list := &cobra.Command{
		Use:   "list [--status S]",
		Short: "List transfers, newest first",
		Long: `List transfers newest first with their quantities dispatched, received and outstanding.
--status narrows the list: in_transit, partially_received, received, or open (the first two).`,
		Example: "  stockctl transfer list --status open\n  stockctl transfer list -o json",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runList(c.Context(), opts)
		},
	}
	list.Flags().StringVar(&opts.Status, "status", "", "in_transit, partially_received, received or open")
	return list
}

func runList(ctx context.Context, opts *ListOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	ts, err := stock.Transfers(ctx, d, opts.Status)
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		a.Say("no transfers")
	}
	return a.Printer().List(ts)
}

// ShowOptions are transfer show's argument.
type ShowOptions struct {
	App    *app.App
	Number string
}

func newShowCmd(a *app.App) *cobra.Command {
	opts := &ShowOptions{App: a}
	return &cobra.Command{
		Use:   "show TR",
		Short: "Show a transfer with its lines",
		Long: `Show transfer TR and its lines: per line the product, the quantity dispatched, received and
outstanding, its batch, serial, bays and the unit cost it left at. -o json gives the
document with its lines as one object; a table shows the header and then the lines; -o csv
and --fields print the lines.`,
		Example: "  stockctl transfer show TR-000012\n  stockctl transfer show TR-000012 -o json",
		Args:    app.Args("TR"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Number = args[0]
			return runShow(c.Context(), opts)
		},
	}
}

func runShow(ctx context.Context, opts *ShowOptions) error {
	d, err := opts.App.DB(ctx)
	if err != nil {
		return err
	}
	doc, err := stock.GetTransfer(ctx, d, opts.Number)
	if err != nil {
		return err
	}
	return printDoc(opts.App, doc)
}

// ReceiveOptions are transfer receive's argument and flags, read.
type ReceiveOptions struct {
	App         *app.App
	Number, Ref string
	Qty         *decimal.Decimal // nil: everything outstanding
	Line        int              // 0: every line
	DryRun      bool
}

func newReceiveCmd(a *app.App) *cobra.Command {
	opts := &ReceiveOptions{App: a}
	var qty app.DecimalFlag
	receive := &cobra.Command{
		Use:   "receive TR [--qty N] [--line N]",
		Short: "Receive a two-step transfer at its destination, in full or in part",
		Long: `Bring dispatched stock of transfer TR out of transit into its destination, with the batches
and serials that were dispatched, into the bays recorded on its lines.

Without --qty everything outstanding is received (on --line N only, when given). --qty N
receives N across the lines in line order; serial lines are received in whole units. Receiving
more than is outstanding is refused, saying what is outstanding; so is receiving a transfer
that has arrived in full. Each receipt takes its share of the transfer's extra cost by
quantity, so the receipts together carry exactly the extra cost.

--ref REF makes the receipt idempotent; a ref is per transfer. Run again with the same ref
and the same --qty and --line (5 and 5.00 are the same) it receives nothing, says "already
posted" and prints the transfer as that receipt left it (exit 0). With another --qty or
--line it is refused naming the ref and the difference, and nothing is received (exit 5).
A ref posted before stockctl kept requests (migration 00016) is answered "already posted"
without a comparison.`,
		Example: `  stockctl transfer receive TR-000012
  stockctl transfer receive TR-000012 --qty 5
  stockctl transfer receive TR-000012 --line 2 --ref grn-4471`,
		Args: app.Args("TR"),
		RunE: func(c *cobra.Command, args []string) error {
			if c.Flags().Changed("line") && opts.Line < 1 {
				return fault.Usagef("line", "--line %d: lines are numbered from 1 (see stockctl transfer show %s)", opts.Line, args[0])
			}
			opts.Number = args[0]
			if qty.Given {
				opts.Qty = &qty.Value
			}
			return runReceive(c.Context(), opts)
		},
	}
	fl := receive.Flags()
	fl.Var(qty.Of(bounds.Quantity, app.Positive), "qty", "quantity to receive (default: everything outstanding)")
	app.IntVar(fl, &opts.Line, "line", 0, 1, bounds.MaxWhole, "receive this line only")
	fl.StringVar(&opts.Ref, "ref", "", "idempotency ref, per transfer: posted once; again with the same request it prints the first result, with another it is refused")
	app.DryRunFlag(receive, &opts.DryRun, "check everything and show the result without posting")
	return receive
}

func runReceive(ctx context.Context, opts *ReceiveOptions) error {
	a, ref := opts.App, opts.Ref
	doc, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) (stock.TransferDoc, error) {
		return stock.Receive(ctx, tx, opts.Number, opts.Qty, opts.Line, ref)
	})
	if err != nil {
		return err
	}
	if doc.AlreadyPosted {
		if doc.Number == "" {
			a.Say("ref %s was already posted for %s: nothing changed (before stockctl kept what a ref posted: the request could not be compared, the result is not shown)", ref, opts.Number)
			return nil
		}
		a.Say("ref %s was already posted for %s with the same request: nothing changed; as that receipt left it:", ref, doc.Number)
		return printDoc(a, doc)
	}
	a.Say("%s %s: %s received, %s outstanding", doc.Number, doc.Status, doc.ReceivedQty, doc.Outstanding)
	return printDoc(a, doc)
}

// printDoc prints a transfer document: as one JSON object with its lines, or as a table of the
// header followed by a table of the lines; CSV and --fields print the lines.
func printDoc(a *app.App, doc stock.TransferDoc) error {
	return a.PrintDocument(doc, doc.TransferSummary, doc.Lines)
}
