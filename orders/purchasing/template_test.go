package purchasing_test

import (
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/orders/purchasing"
)

// W with stock levels (min 10, max 40; nothing in stock) is reordered while it is a plain
// product: 40 - 0 = 40 wanted. Once it is a template with variants it is never stocked: po
// generate --reorder passes it by, and a purchase order line for it is refused.
func TestTemplateIsNeitherReorderedNorBought(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	levels(t, conn, "W", "MAIN", "10", "40")
	sf, err := purchasing.ReorderShortfalls(ctx, conn, "MAIN")
	if err != nil {
		t.Fatal(err)
	}
	if len(sf) != 1 || sf[0].SKU != "W" || !sf[0].Qty.Equal(d("40")) {
		t.Fatalf("before: %+v", sf)
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		if _, err := catalog.AddAttribute(ctx, tx, "W", "Size", []string{"S", "L"}, map[string]decimal.Decimal{}); err != nil {
			return err
		}
		_, _, err := catalog.GenerateVariants(ctx, tx, "W")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if sf, err = purchasing.ReorderShortfalls(ctx, conn, "MAIN"); err != nil || len(sf) != 0 {
		t.Fatalf("after: %+v, %v", sf, err)
	}
	var number string
	err = tx(t, conn, func(tx *sqlx.Tx) error {
		po, err := purchasing.New(ctx, tx, purchasing.NewPO{Supplier: "EURO", Location: "MAIN"})
		if err != nil {
			return err
		}
		number = po.Number
		_, err = purchasing.AddLine(ctx, tx, number, purchasing.LineInput{SKU: "W", Qty: d("5"), Price: dp("9")})
		return err
	})
	if fault.KindOf(err) != fault.Invalid || fault.FieldOf(err) != "sku" ||
		err.Error() != "W is a template with variants: stock and sell its variants (W-L, W-S; see stockctl product variants list W)" {
		t.Fatalf("PO line for a template: %v", err)
	}
}
