package sales_test

import (
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/sales"
)

// A line is entered and priced in its own unit, defaulting to the product's sales unit, and
// keeps its stock-unit quantity for allocation, shipping and invoicing.
func TestLinesInTheirOwnUnit(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	must(tx(t, conn, func(tx *sqlx.Tx) (catalog.Product, error) {
		return catalog.Add(ctx, tx, "FLOUR", catalog.Changes{Name: str("Flour"), StockUOM: str("kg"), SalesUOM: str("g"), SellPrice: dp("2.40")})
	}))(t)
	must(tx(t, conn, func(tx *sqlx.Tx) (catalog.Pack, error) { return catalog.AddPack(ctx, tx, "WID", "box", d("12")) }))(t)
	adjust(t, conn, stock.Adjustment{SKU: "FLOUR", Location: "MAIN", Qty: d("10"), UnitCost: dp("1")})

	so := order(t, conn, "ACME", "MAIN",
		// No unit: FLOUR's sales unit g. 500 g = 0.5 kg; 2.40 per kg × 0.5 kg / 500 g = 0.0024 per g;
		// amount 500 × 0.0024 = 1.20.
		sales.LineInput{SKU: "FLOUR", Qty: d("500")},
		// 2 box of 12 = 24 ea at 60 per box (given): amount 2 × 60 = 120. MAIN has 10 WID:
		// 10 allocated, 14 backordered.
		sales.LineInput{SKU: "WID", Qty: d("2"), Unit: "box", Price: dp("60")},
		// In the stock unit: priced per ea as before, 3 × 10 = 30.
		sales.LineInput{SKU: "WID", Qty: d("3"), Unit: "ea"})
	doc := confirm(t, conn, so)
	fl, box, ea := doc.Items[0], doc.Items[1], doc.Items[2]
	if fl.Unit != "g" || fl.PriceUnit != "g" || box.Unit != "box" || box.PriceUnit != "box" || ea.Unit != "ea" || ea.PriceUnit != "ea" {
		t.Fatalf("units %+v / %+v / %+v", fl, box, ea)
	}
	eq(t, "flour entered", fl.EnteredQty, "500")
	eq(t, "flour stock qty", fl.Qty, "0.5")
	eq(t, "flour price per g", fl.UnitPrice, "0.0024")
	eq(t, "flour amount", fl.Amount, "1.20")
	eq(t, "flour allocated (kg)", fl.Allocated, "0.5")
	eq(t, "box stock qty", box.Qty, "24")
	eq(t, "box amount", box.Amount, "120")
	eq(t, "box allocated", box.Allocated, "10")
	eq(t, "box backordered", box.Backordered, "14")
	eq(t, "ea amount", ea.Amount, "30")
	eq(t, "ea backordered", ea.Backordered, "3")
	// 1.20 + 120 + 30 = 151.20
	eq(t, "subtotal", doc.Subtotal, "151.20")
	_, alloc := balance(t, conn, "FLOUR", "MAIN")
	eq(t, "FLOUR allocated at MAIN (kg)", alloc, "0.5")

	// 20 WID arrive: the box line's 14 (older line first) and the ea line's 3 are released.
	adjust(t, conn, stock.Adjustment{SKU: "WID", Location: "MAIN", Qty: d("20"), UnitCost: dp("3")})
	must(tx(t, conn, func(tx *sqlx.Tx) ([]sales.Released, error) {
		return sales.Release(ctx, tx, sales.ReleaseRequest{All: true})
	}))(t)
	// Ship half the box line in stock units (12 ea) and all the flour.
	must(tx(t, conn, func(tx *sqlx.Tx) (sales.Shipment, error) {
		return sales.Ship(ctx, tx, sales.ShipRequest{SO: so, Lines: []sales.ShipLine{{Line: 1}, {Line: 2, Qty: d("12")}}})
	}))(t)
	inv := must(tx(t, conn, func(tx *sqlx.Tx) (sales.InvoiceDoc, error) { return sales.Invoice(ctx, tx, so, clock.Today()) }))(t)
	// Flour 0.5 kg billed its whole 1.20 (shown per kg: 0.0024 × 500 / 0.5 = 2.40); box line
	// 12 of 24 ea: 12 × 120 / 24 = 60.00 (shown per ea: 60 × 2 / 24 = 5). Subtotal 61.20.
	if len(inv.Lines) != 2 {
		t.Fatalf("invoice lines %+v", inv.Lines)
	}
	eq(t, "invoice flour qty", inv.Lines[0].Qty, "0.5")
	eq(t, "invoice flour price per kg", inv.Lines[0].UnitPrice, "2.40")
	eq(t, "invoice flour amount", inv.Lines[0].Amount, "1.20")
	eq(t, "invoice box qty", inv.Lines[1].Qty, "12")
	eq(t, "invoice box price per ea", inv.Lines[1].UnitPrice, "5")
	eq(t, "invoice box amount", inv.Lines[1].Amount, "60")
	eq(t, "invoice subtotal", inv.Subtotal, "61.20")
	// The rest: 12 ea of the box line (60.00) and the 3 ea line (30): 90.
	must(tx(t, conn, func(tx *sqlx.Tx) (sales.Shipment, error) { return sales.Ship(ctx, tx, sales.ShipRequest{SO: so}) }))(t)
	inv2 := must(tx(t, conn, func(tx *sqlx.Tx) (sales.InvoiceDoc, error) { return sales.Invoice(ctx, tx, so, clock.Today()) }))(t)
	eq(t, "second invoice subtotal", inv2.Subtotal, "90")
	invariants(t, conn)
}

// A quantity that does not convert exactly into the stock unit is refused naming both units,
// and nothing is added.
func TestLineUnitMustConvertExactly(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	must(tx(t, conn, func(tx *sqlx.Tx) (catalog.Product, error) {
		return catalog.Add(ctx, tx, "FLOUR", catalog.Changes{Name: str("Flour"), StockUOM: str("kg"), SalesUOM: str("g"), SellPrice: dp("2.40")})
	}))(t)
	so := order(t, conn, "ACME", "MAIN")
	for _, c := range []struct {
		in   sales.LineInput
		want string
	}{
		// 500.5 g = 0.5005 kg: a fourth decimal, kg keeps 3.
		{sales.LineInput{SKU: "FLOUR", Qty: d("500.5")}, "FLOUR: 500.5 g is 0.5005 kg, but kg keeps 3 decimals: give a quantity in g that converts exactly to kg"},
		// 1 lb = 0.45359237 kg.
		{sales.LineInput{SKU: "FLOUR", Qty: d("1"), Unit: "lb"}, "FLOUR: 1 lb is 0.45359237 kg, but kg keeps 3 decimals: give a quantity in lb that converts exactly to kg"},
	} {
		_, err := tx(t, conn, func(tx *sqlx.Tx) (sales.Line, error) { return sales.AddLine(ctx, tx, so, c.in) })
		if !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != "qty" || err.Error() != c.want {
			t.Errorf("%+v: %v, want %q", c.in, err, c.want)
		}
	}
	// A unit of another category is refused as before.
	_, err := tx(t, conn, func(tx *sqlx.Tx) (sales.Line, error) {
		return sales.AddLine(ctx, tx, so, sales.LineInput{SKU: "FLOUR", Qty: d("1"), Unit: "l"})
	})
	if !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != "unit" {
		t.Errorf("litres of flour: %v", err)
	}
	if doc := must(sales.Get(ctx, conn, so))(t); len(doc.Items) != 0 {
		t.Fatalf("lines were added: %+v", doc.Items)
	}
}
