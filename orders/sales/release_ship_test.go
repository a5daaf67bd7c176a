package sales_test

import (
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/sales"
)

// so release --ship ships everything allocated on the lines it released to, not only the
// units it just released, and --invoice invoices it: the order ends as so ship plus so
// invoice would leave it.
func TestReleaseShipShipsEverythingAllocatedOnTheLines(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	// ACME orders 14 WID (sell 10) and 1 FIT (service, 50) from MAIN, which has 10: 10
	// allocated, 4 backordered. BOB orders 3 WID from NORTH (4 there): all allocated, and
	// not released to, so not shipped.
	a := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "WID", Qty: d("14")}, sales.LineInput{SKU: "FIT", Qty: d("1")})
	b := order(t, conn, "BOB", "NORTH", sales.LineInput{SKU: "WID", Qty: d("3")})
	confirm(t, conn, a)
	confirm(t, conn, b)
	// 4 arrive at MAIN at 3.
	adjust(t, conn, stock.Adjustment{SKU: "WID", Location: "MAIN", Qty: d("4"), UnitCost: dp("3")})

	type result struct {
		rs    []sales.Released
		ships []sales.Shipment
		invs  []sales.InvoiceDoc
	}
	got := must(tx(t, conn, func(tx *sqlx.Tx) (result, error) {
		rs, ships, invs, err := sales.ReleaseAndShip(ctx, tx, sales.ReleaseRequest{All: true}, true, true, time.Time{})
		return result{rs, ships, invs}, err
	}))(t)
	// Released: the 4 backordered on ACME's line 1. Shipped: all 10 + 4 = 14 allocated on it,
	// at the average cost 3. Invoiced: 14 × 10 + 1 × 50 = 190.
	if len(got.rs) != 1 || got.rs[0].SO != a || !got.rs[0].Released.Equal(d("4")) {
		t.Fatalf("released: %+v", got.rs)
	}
	if len(got.ships) != 1 || len(got.ships[0].Lines) != 1 || !got.ships[0].Lines[0].Qty.Equal(d("14")) ||
		!got.ships[0].Lines[0].UnitCost.Equal(d("3")) || got.ships[0].Status != sales.Shipped {
		t.Fatalf("shipped: %+v", got.ships)
	}
	if len(got.invs) != 1 || len(got.invs[0].Lines) != 2 || !got.invs[0].Subtotal.Equal(d("190")) ||
		!got.invs[0].Lines[0].Qty.Equal(d("14")) || !got.invs[0].Lines[1].Qty.Equal(d("1")) {
		t.Fatalf("invoiced: %+v", got.invs)
	}
	// ACME's order: line 1 shipped and invoiced 14, nothing allocated or backordered, FIT
	// invoiced 1: closed, as so ship and so invoice leave a fully shipped and invoiced order.
	doc := must(sales.Get(ctx, conn, a))(t)
	w, f := doc.Items[0], doc.Items[1]
	if doc.Status != "closed" || !w.Shipped.Equal(d("14")) || !w.Invoiced.Equal(d("14")) || !w.Allocated.IsZero() ||
		!w.Backordered.IsZero() || !f.Invoiced.Equal(d("1")) {
		t.Fatalf("after release --ship --invoice: %s %+v %+v", doc.Status, w, f)
	}
	// BOB's order was not released to: its 3 stay allocated, unshipped.
	other := must(sales.Get(ctx, conn, b))(t)
	if other.Status != sales.Confirmed || !other.Items[0].Allocated.Equal(d("3")) || !other.Items[0].Shipped.IsZero() {
		t.Fatalf("BOB: %s %+v", other.Status, other.Items[0])
	}
	// MAIN: 10 + 4 - 14 = 0 on hand.
	var onHand string
	if err := conn.Get(&onHand, `SELECT on_hand::text FROM stock_balances b JOIN products p ON p.id = b.product_id
		JOIN locations l ON l.id = b.location_id WHERE p.sku = 'WID' AND l.code = 'MAIN'`); err != nil || onHand != "0" {
		t.Fatalf("MAIN on hand %q, %v", onHand, err)
	}
	invariants(t, conn)
}
