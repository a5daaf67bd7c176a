// Package batch is the batch command: batches of batch-tracked products, their expiry and
// the recall trace of one.
package batch

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/recall"
)

// NewCmd returns the batch command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{Use: "batch", Short: "Batches (lots) of batch-tracked products: expiry, recall trace"}
	cmd.AddCommand(newListCmd(a), newTraceCmd(a))
	return cmd
}

// ListOptions are batch list's argument and flags.
type ListOptions struct {
	App    *app.App
	Filter stock.BatchFilter
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	var expiring int
	list := &cobra.Command{
		Use:   "list [SKU] [--expiring DAYS]",
		Short: "List batches with expiry, days left and on hand per location",
		Long: `List the batches of a batch-tracked product (or of every product without SKU), first
expiry first, one row per batch and location holding it (bays summed; in transit included);
a batch with no stock has one row with no location and 0 on hand. days_left counts the days
from today (UTC) to the expiry date, negative once it has passed; expired is true when the
expiry date is before today: a batch expiring today is still good today, and from tomorrow
so ship, stock transfer and wo complete leave it alone unless --allow-expired.

--expiring DAYS keeps the stock on hand of batches that expire within DAYS days or have
already expired (0: expired or expiring today): what to sell first, move or write off.`,
		Example: `  stockctl batch list ROPE-10
  stockctl batch list --expiring 30
  stockctl batch list ROPE-10 --expiring 90 -o csv`,
		Args: app.OptionalArgs("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.Filter.SKU = args[0]
			}
			if c.Flags().Changed("expiring") {
				opts.Filter.Expiring = &expiring
			}
			return runList(c.Context(), opts)
		},
	}
	app.IntVar(list.Flags(), &expiring, "expiring", 0, 0, bounds.MaxWhole, "only stock of batches expiring within DAYS days, or expired")
	return list
}

func runList(ctx context.Context, opts *ListOptions) error {
	a, f := opts.App, opts.Filter
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	rows, err := stock.ListBatches(ctx, d, f)
	if err != nil {
		return err
	}
	if len(rows) == 0 && a.OutTTY {
		switch {
		case f.Expiring != nil:
			a.Say("no stock expires within %d days", *f.Expiring)
		case f.SKU != "":
			a.Say("%s has no batches yet", f.SKU)
		default:
			a.Say("no batches yet")
		}
	}
	return a.Printer().List(rows)
}

// TraceOptions are batch trace's arguments.
type TraceOptions struct {
	App        *app.App
	SKU, Batch string
}

func newTraceCmd(a *app.App) *cobra.Command {
	opts := &TraceOptions{App: a}
	return &cobra.Command{
		Use:   "trace SKU BATCH",
		Short: "Recall report: where a batch came from, which customers got it, where the rest is",
		Long: `Trace one batch for a recall, one row per move of the batch in ledger order, then one row
per location and bay still holding it:

  kind        the ledger kind: po_receipt (received on a purchase order), adjustment,
              stocktake, transfer, dispatch and transfer_receipt (two-step transfers), sale
              (shipped), wo_consume (used by a work order) ...; on_hand for the rows that say
              where the rest is now
  time        when (UTC); empty on on_hand rows
  qty         how much
  from, to    locations (~supplier, ~customer, ~production ... for the outside world); on
              on_hand rows, to is where the stock is
  bay         on_hand rows: the bay
  document    the purchase order, shipment, transfer, work order or stocktake number, or an
              adjustment's reference
  so          the sales order a shipment belongs to
  party       the supplier of a receipt, the customer of a shipment (party_name with
              --fields or -o json/csv)
  invoices    the invoices of the order line a shipment sent
  note, move  (wide) the move's reason or narrative, and its ledger id

A summary goes to stderr: received, shipped to how many customers, on hand now.`,
		Example: `  stockctl batch trace ROPE-10 R2603
  stockctl batch trace ROPE-10 R2603 -o csv > recall-R2603.csv
  stockctl batch trace ROPE-10 R2603 -o json | jq '[.[] | select(.kind == "sale") | .party] | unique'`,
		Args: app.Args("SKU", "BATCH"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.SKU, opts.Batch = args[0], args[1]
			return runTrace(c.Context(), opts)
		},
	}
}

// runTrace prints the trace's rows and says its summary on stderr.
func runTrace(ctx context.Context, opts *TraceOptions) error {
	a := opts.App
	var t recall.Trace
	err := a.Snapshot(ctx, func(tx *sqlx.Tx) (err error) {
		t, err = recall.Of(ctx, tx, opts.SKU, opts.Batch)
		return err
	})
	if err != nil {
		return err
	}
	expiry := "no expiry"
	if t.Expiry != nil {
		expiry = "expiry " + t.Expiry.Format(time.DateOnly)
	}
	a.Say("%s batch %s (%s): received %s, shipped %s to %d customer(s), on hand %s",
		t.SKU, t.Batch, expiry, t.Received, t.Shipped, t.Customers, t.OnHand)
	return a.Printer().List(t.Rows)
}
