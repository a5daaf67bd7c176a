// Package cancel cancels a sales order together with everything made for it, so that after
// the cancel every dependent record is as if the order had never been made; only the order's
// number and its history (the cancelled order and its lines) stay.
//
// sales.Cancel frees the order's allocations and drops its backorders; then, in the same
// transaction, the packages that hang records on its lines undo them: timebill gives the
// billed hours back (unbilled, billed by the next time bill), training cancels the
// registrations and frees their seats for the waitlist, and work cancels the work orders
// made for its lines that have built nothing (and unlinks those that have, which keep
// building into free stock), and purchasing takes back the draft PO lines po generate
// ordered only for its backorders (cancelling a draft left empty). It lives above sales,
// timebill, training, work and purchasing because sales cannot import them (most import
// sales; purchasing is kept apart from it).
//
// Locks, in the order everyone takes them: the training sessions holding the order's seats
// (Register takes a session before the order it adds to), then the order's products and the
// order row (sales.Cancel), then the work order rows (completion takes the products first),
// then the draft POs (po generate takes none of these while it holds a PO).
package cancel

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/sales"
	"github.com/stockctl/stockctl/orders/timebill"
	"github.com/stockctl/stockctl/orders/training"
	"github.com/stockctl/stockctl/orders/work"
)

// Result is the cancelled order and what was undone for it.
type Result struct {
	Order      sales.Doc               `json:"order"`
	Unbilled   []timebill.Unbilled     `json:"unbilled"`
	Seats      []training.Freed        `json:"seats"`
	WorkOrders []work.Unlinked         `json:"work_orders"`
	POs        purchasing.ForgottenPOs `json:"purchase_orders"`
}

// SalesOrder cancels sales order number (draft or confirmed, nothing shipped or invoiced)
// and undoes its dependents, all in the transaction q. Nothing is written when any step is
// refused: the caller rolls the transaction back.
func SalesOrder(ctx context.Context, q sqlx.ExtContext, number string) (Result, error) {
	if err := training.LockSessionsOf(ctx, q, number); err != nil {
		return Result{}, err
	}
	doc, err := sales.Cancel(ctx, q, number)
	if err != nil {
		return Result{}, err
	}
	r := Result{Order: doc}
	if r.Unbilled, err = timebill.Unbill(ctx, q, doc.Number); err != nil {
		return r, err
	}
	if r.Seats, err = training.CancelOrder(ctx, q, doc.Number); err != nil {
		return r, err
	}
	if r.WorkOrders, err = work.CancelForOrder(ctx, q, doc.Number); err != nil {
		return r, err
	}
	if r.POs, err = purchasing.ForgetSalesOrder(ctx, q, doc.Number); err != nil {
		return r, err
	}
	return r, nil
}
