package purchasing

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/stockctl/stockctl/db"
)

// POSupplier is the supplier of a purchase order.
type POSupplier struct {
	PO           string `db:"number"`
	Supplier     string `db:"supplier"`
	SupplierName string `db:"supplier_name"`
}

// Suppliers returns the supplier of each purchase order numbered (the references of receipt
// moves, for batch trace), keyed by number; numbers of no purchase order are left out.
func Suppliers(ctx context.Context, q sqlx.QueryerContext, numbers []string) (map[string]POSupplier, error) {
	var rows []POSupplier
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT o.number, c.code AS supplier, c.name AS supplier_name
		FROM purchase_orders o JOIN companies c ON c.id = o.supplier_id WHERE o.number = ANY($1)`, pq.StringArray(numbers))
	if err != nil {
		return nil, db.Classify(err)
	}
	out := make(map[string]POSupplier, len(rows))
	for _, r := range rows {
		out[r.PO] = r
	}
	return out, nil
}
