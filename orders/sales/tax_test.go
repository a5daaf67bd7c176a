package sales_test

import (
	"os"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/pricing"
	"github.com/stockctl/stockctl/orders/sales"
)

// money asserts an amount of money to the cent, with the minor unit's decimals as shown.
func money(t *testing.T, what string, got interface{ StringFixed(int32) string }, want string) {
	t.Helper()
	if s := got.StringFixed(2); s != want {
		t.Fatalf("%s = %s, want %s", what, s, want)
	}
}

func setTaxMode(t *testing.T, conn *sqlx.DB, v string) {
	t.Helper()
	if _, err := settings.Set(ctx, conn, "prices_include_tax", v); err != nil {
		t.Fatal(err)
	}
}

// The sales order, its invoices, price quote and the portal feed agree to the cent in both
// tax modes, with several rates, quantities and discounts; the mode is frozen on the order
// when it is made, so changing the setting afterwards changes neither the order nor its
// invoice. Currency USD (2 decimals). Lines (TAXI: service, sell 19.99, sales tax rate 20 %;
// ACME has no tax rate of its own, so a quoted TAXI line is taxed at the product's 20 %):
//
//  1. FIT 1 × 110 (typed), 10 %
//  2. WID 3 × 10 less 15 % = 25.50, 20 %
//  3. TAXI 3 × 19.99 = 59.97, 20 %
//
// Inclusive (SO-000001): 1. tax 110 × 10/110 = 10.00, net 100.00; 2. tax 25.50 × 20/120 = 4.25,
// net 21.25; 3. tax 59.97 × 20/120 = 9.995 → 10.00, net 49.97. Net 100 + 21.25 + 49.97 =
// 171.22, tax 10 + 4.25 + 10 = 24.25, total 110 + 25.50 + 59.97 = 195.47.
//
// Exclusive (SO-000002): 1. 110.00 + 11.00 = 121.00; 2. 25.50 + 5.10 = 30.60; 3. 59.97 +
// 11.994 → 11.99 = 71.96. Net 110 + 25.50 + 59.97 = 195.47, tax 11 + 5.10 + 11.99 = 28.09,
// total 121 + 30.60 + 71.96 = 223.56.
func TestTaxModeAgreesEverywhere(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	if _, err := catalog.Add(ctx, conn, "TAXI", catalog.Changes{Name: str("Taxi ride"), Type: str("service"), SellPrice: dp("19.99"),
		SalesTaxRate: dp("20"), InPortal: yes()}); err != nil {
		t.Fatal(err)
	}
	lines := []sales.LineInput{
		{SKU: "FIT", Qty: d("1"), Price: dp("110"), TaxRate: dp("10")},
		{SKU: "WID", Qty: d("3"), Discount: dp("15"), TaxRate: dp("20")},
		{SKU: "TAXI", Qty: d("3")},
	}
	ids := must(pricing.Lookup(ctx, conn, "TAXI", "ACME", ""))(t)
	check := func(mode string, doc sales.Doc, want [][3]string, totals [3]string) {
		t.Helper()
		for i, l := range doc.Items {
			money(t, mode+" line amount", l.Amount, want[i][0])
			money(t, mode+" line tax", l.Tax, want[i][1])
			money(t, mode+" line total", l.Total, want[i][2])
		}
		money(t, mode+" subtotal", doc.Subtotal, totals[0])
		money(t, mode+" tax", doc.Tax, totals[1])
		money(t, mode+" total", doc.Total, totals[2])
		// A quote of TAXI × 3 for ACME now is line 3 to the cent.
		q := must(pricing.Quote(ctx, conn, pricing.Request{ProductID: ids.Product, CustomerID: ids.Customer, Qty: d("3")}))(t)
		eq(t, mode+" quote tax rate", q.TaxRate, "20")
		money(t, mode+" quote net", q.Net, want[2][0])
		money(t, mode+" quote tax", q.Tax, want[2][1])
		money(t, mode+" quote total", q.Total, want[2][2])
	}
	portal := func(mode, net, tax, gross string) {
		t.Helper()
		items := must(catalog.Portal(ctx, conn))(t)
		if len(items) != 1 || items[0].SKU != "TAXI" {
			t.Fatalf("portal: %+v", items)
		}
		eq(t, mode+" portal price", items[0].Price, "19.99")
		money(t, mode+" portal net", items[0].PriceNet, net)
		money(t, mode+" portal tax", items[0].PriceTax, tax)
		money(t, mode+" portal gross", items[0].PriceGross, gross)
	}
	inclusive := [][3]string{{"100.00", "10.00", "110.00"}, {"21.25", "4.25", "25.50"}, {"49.97", "10.00", "59.97"}}
	inclusiveTotals := [3]string{"171.22", "24.25", "195.47"}

	setTaxMode(t, conn, "true")
	so1 := order(t, conn, "ACME", "MAIN", lines...)
	doc1 := must(sales.Get(ctx, conn, so1))(t)
	if !doc1.PricesIncludeTax {
		t.Fatal("an order made under prices_include_tax true does not include tax")
	}
	check("inclusive", doc1, inclusive, inclusiveTotals)
	// One TAXI in the portal: 19.99 holds 19.99 × 20/120 = 3.331… → 3.33, net 16.66.
	portal("inclusive", "16.66", "3.33", "19.99")

	// The setting changes; SO-000001 keeps its mode, totals and (below) invoice.
	setTaxMode(t, conn, "false")
	doc1 = must(sales.Get(ctx, conn, so1))(t)
	if !doc1.PricesIncludeTax {
		t.Fatal("the order's tax mode followed the setting")
	}
	confirm(t, conn, so1)
	must(tx(t, conn, func(tx *sqlx.Tx) (sales.Shipment, error) { return sales.Ship(ctx, tx, sales.ShipRequest{SO: so1}) }))(t)
	inv := must(tx(t, conn, func(tx *sqlx.Tx) (sales.InvoiceDoc, error) { return sales.Invoice(ctx, tx, so1, clock.Today()) }))(t)
	money(t, "inclusive invoice subtotal", inv.Subtotal, "171.22")
	money(t, "inclusive invoice tax", inv.Tax, "24.25")
	money(t, "inclusive invoice total", inv.Total, "195.47")
	for i, l := range inv.Lines {
		money(t, "inclusive invoice line amount", l.Amount, inclusive[i][0])
		money(t, "inclusive invoice line tax", l.Tax, inclusive[i][1])
	}

	so2 := order(t, conn, "ACME", "MAIN", lines...)
	doc2 := must(sales.Get(ctx, conn, so2))(t)
	if doc2.PricesIncludeTax {
		t.Fatal("an order made under prices_include_tax false includes tax")
	}
	check("exclusive", doc2, [][3]string{{"110.00", "11.00", "121.00"}, {"25.50", "5.10", "30.60"}, {"59.97", "11.99", "71.96"}},
		[3]string{"195.47", "28.09", "223.56"})
	// One TAXI in the portal: 19.99 + 19.99 × 0.2 = 3.998 → 4.00 = 23.99.
	portal("exclusive", "19.99", "4.00", "23.99")

	// Invoiced in two parts, each is what its lines are on the order: first FIT, TAXI and 2 WID
	// (2 × 10 × 0.85 = 17.00, tax 3.40): net 110 + 59.97 + 17 = 186.97, tax 11 + 11.99 + 3.40 =
	// 26.39, total 213.36; then the last WID 8.50 + 1.70 = 10.20. 213.36 + 10.20 = 223.56.
	confirm(t, conn, so2)
	must(tx(t, conn, func(tx *sqlx.Tx) (sales.Shipment, error) {
		return sales.Ship(ctx, tx, sales.ShipRequest{SO: so2, Lines: []sales.ShipLine{{Line: 2, Qty: d("2")}}})
	}))(t)
	inv = must(tx(t, conn, func(tx *sqlx.Tx) (sales.InvoiceDoc, error) { return sales.Invoice(ctx, tx, so2, clock.Today()) }))(t)
	money(t, "first invoice subtotal", inv.Subtotal, "186.97")
	money(t, "first invoice tax", inv.Tax, "26.39")
	money(t, "first invoice total", inv.Total, "213.36")
	must(tx(t, conn, func(tx *sqlx.Tx) (sales.Shipment, error) { return sales.Ship(ctx, tx, sales.ShipRequest{SO: so2}) }))(t)
	inv = must(tx(t, conn, func(tx *sqlx.Tx) (sales.InvoiceDoc, error) { return sales.Invoice(ctx, tx, so2, clock.Today()) }))(t)
	money(t, "second invoice total", inv.Total, "10.20")
	invariants(t, conn)
}

// Migration 00021 gives the orders that exist the setting as it is then; later orders take
// it when they are made. SO-000001 (FIT 1 × 110 at 10 %) exists before; the setting is true
// when the migration runs, so it becomes inclusive: tax 110 × 10/110 = 10.00, net 100.00.
// SO-000002, made after the setting is back to false: 110.00 + 11.00 = 121.00.
func TestTaxModeMigrationTakesTheSetting(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	fit := sales.LineInput{SKU: "FIT", Qty: d("1"), Price: dp("110"), TaxRate: dp("10")}
	so1 := order(t, conn, "ACME", "MAIN", fit)
	p, err := goose.NewProvider(goose.DialectPostgres, conn.DB, os.DirFS("../../db/migrations"),
		goose.WithTableName("stockctl_schema_version"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 20); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`UPDATE settings SET value = 'true' WHERE key = 'prices_include_tax'`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	doc := must(sales.Get(ctx, conn, so1))(t)
	if !doc.PricesIncludeTax {
		t.Fatal("the existing order did not take the setting")
	}
	money(t, "existing subtotal", doc.Subtotal, "100.00")
	money(t, "existing tax", doc.Tax, "10.00")
	money(t, "existing total", doc.Total, "110.00")
	setTaxMode(t, conn, "false")
	so2 := order(t, conn, "ACME", "MAIN", fit)
	doc = must(sales.Get(ctx, conn, so2))(t)
	if doc.PricesIncludeTax {
		t.Fatal("a new order did not take the setting as it is now")
	}
	money(t, "new total", doc.Total, "121.00")
	// so new --prices-include-tax: the order says, whatever the setting.
	doc = must(tx(t, conn, func(tx *sqlx.Tx) (sales.Doc, error) {
		return sales.New(ctx, tx, sales.NewOrder{Customer: "ACME", Location: "MAIN", PricesIncludeTax: yes()})
	}))(t)
	if !doc.PricesIncludeTax {
		t.Fatal("PricesIncludeTax given was not kept")
	}
	money(t, "empty order total", doc.Total, "0.00")
}
