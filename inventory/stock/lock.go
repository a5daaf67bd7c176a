package stock

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// Lock takes the posting lock of the products (their products rows FOR KEY SHARE and
// product_costs rows FOR UPDATE, in product id order, the order Post takes them in; see
// lock) for the rest of q's transaction, so what a caller reads of their stock, and their
// tracking rules, cannot change before it posts. Post takes the same locks again at no
// cost. It returns nothing about the products; read what is needed after it.
func Lock(ctx context.Context, q sqlx.ExtContext, productIDs []int64) error {
	if len(productIDs) == 0 {
		return nil
	}
	moves := make([]Move, len(productIDs))
	for i, id := range productIDs {
		moves[i].Product.ID = id
	}
	_, _, err := lock(ctx, q, moves)
	return err
}
