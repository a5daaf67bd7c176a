package commands

import (
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/recall"
)

func (a *App) batchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "batch", Short: "Batches (lots) of batch-tracked products: expiry, recall trace"}
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
		Args: optionalArgs("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			var f stock.BatchFilter
			if len(args) > 0 {
				f.SKU = args[0]
			}
			if c.Flags().Changed("expiring") {
				f.Expiring = &expiring
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			rows, err := stock.ListBatches(c.Context(), d, f)
			if err != nil {
				return err
			}
			if len(rows) == 0 && a.OutTTY {
				switch {
				case f.Expiring != nil:
					a.say("no stock expires within %d days", expiring)
				case f.SKU != "":
					a.say("%s has no batches yet", f.SKU)
				default:
					a.say("no batches yet")
				}
			}
			return a.Printer().List(rows)
		},
	}
	intVar(list.Flags(), &expiring, "expiring", 0, 0, bounds.MaxWhole, "only stock of batches expiring within DAYS days, or expired")
	trace := &cobra.Command{
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
		Args: args("SKU", "BATCH"),
		RunE: func(c *cobra.Command, args []string) error {
			var t recall.Trace
			err := a.snapshot(c.Context(), func(tx *sqlx.Tx) (err error) {
				t, err = recall.Of(c.Context(), tx, args[0], args[1])
				return err
			})
			if err != nil {
				return err
			}
			expiry := "no expiry"
			if t.Expiry != nil {
				expiry = "expiry " + t.Expiry.Format(time.DateOnly)
			}
			a.say("%s batch %s (%s): received %s, shipped %s to %d customer(s), on hand %s",
				t.SKU, t.Batch, expiry, t.Received, t.Shipped, t.Customers, t.OnHand)
			return a.Printer().List(t.Rows)
		},
	}
	cmd.AddCommand(list, trace)
	return cmd
}
