package work_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/sales"
	"github.com/stockctl/stockctl/orders/work"
)

var ctx = context.Background()

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func dp(s string) *decimal.Decimal {
	v := d(s)
	return &v
}
func str(s string) *string { return &s }
func yes() *bool           { b := true; return &b }

func tx[T any](t *testing.T, conn *sqlx.DB, fn func(tx *sqlx.Tx) (T, error)) (T, error) {
	t.Helper()
	var out T
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Fatalf("%s = %s, want %s", what, got, want)
	}
}

// setup: location MAIN, customer ACME; TABLE (sell 200) is built from 4 LEG, 1 TOP and 0.5
// LAB (a labour service at cost 30). MAIN holds 12 LEG (6 at 2 and 6 at 3: average 2.50) and
// 3 TOP (1 at 40 and 2 at 43: average 42). DESK (cost price 100) has no bill of materials.
func setup(t *testing.T) *sqlx.DB {
	t.Helper()
	conn, _ := dbtest.New(t)
	must[stock.Location](t)(stock.AddLocation(ctx, conn, "MAIN", "Main", "", ""))
	must[company.Company](t)(company.Add(ctx, conn, "ACME", company.Changes{Name: str("Acme"), Customer: yes()}))
	for sku, ch := range map[string]catalog.Changes{
		"TABLE": {Name: str("Table"), SellPrice: dp("200")},
		"DESK":  {Name: str("Desk"), SellPrice: dp("300"), CostPrice: dp("100")},
		"LEG":   {Name: str("Leg"), SellPrice: dp("5")},
		"TOP":   {Name: str("Top"), SellPrice: dp("80")},
		"LAB":   {Name: str("Labour"), Type: str("service"), StockUOM: str("h"), CostPrice: dp("30"), SellPrice: dp("60")},
	} {
		must[catalog.Product](t)(catalog.Add(ctx, conn, sku, ch))
	}
	for comp, qty := range map[string]string{"LEG": "4", "TOP": "1", "LAB": "0.5"} {
		if _, _, err := catalog.AddComponent(ctx, conn, "TABLE", comp, d(qty)); err != nil {
			t.Fatal(err)
		}
	}
	adjust(t, conn, stock.Adjustment{SKU: "LEG", Location: "MAIN", Qty: d("6"), UnitCost: dp("2")},
		stock.Adjustment{SKU: "LEG", Location: "MAIN", Qty: d("6"), UnitCost: dp("3")},
		stock.Adjustment{SKU: "TOP", Location: "MAIN", Qty: d("1"), UnitCost: dp("40")},
		stock.Adjustment{SKU: "TOP", Location: "MAIN", Qty: d("2"), UnitCost: dp("43")})
	return conn
}

func adjust(t *testing.T, conn *sqlx.DB, adjs ...stock.Adjustment) {
	t.Helper()
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		_, _, err := stock.Adjust(ctx, tx, adjs, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func order(t *testing.T, conn *sqlx.DB, lines ...sales.LineInput) string {
	t.Helper()
	doc := must[sales.Doc](t)(tx(t, conn, func(tx *sqlx.Tx) (sales.Doc, error) {
		return sales.New(ctx, tx, sales.NewOrder{Customer: "ACME", Location: "MAIN"})
	}))
	for _, l := range lines {
		must[sales.Line](t)(tx(t, conn, func(tx *sqlx.Tx) (sales.Line, error) { return sales.AddLine(ctx, tx, doc.Number, l) }))
	}
	must[sales.Doc](t)(tx(t, conn, func(tx *sqlx.Tx) (sales.Doc, error) { return sales.Confirm(ctx, tx, doc.Number) }))
	return doc.Number
}

func invariants(t *testing.T, conn *sqlx.DB) {
	t.Helper()
	vs := must[[]stock.Violation](t)(tx(t, conn, func(tx *sqlx.Tx) ([]stock.Violation, error) { return stock.Check(ctx, tx) }))
	if len(vs) > 0 {
		t.Fatalf("stock check: %+v", vs)
	}
	ms := must[[]sales.AllocationMismatch](t)(sales.CheckAllocations(ctx, conn))
	if len(ms) > 0 {
		t.Fatalf("allocations: %+v", ms)
	}
}

func balance(t *testing.T, conn *sqlx.DB, sku string) (onHand, allocated decimal.Decimal) {
	t.Helper()
	var b struct {
		OnHand    decimal.Decimal `db:"on_hand"`
		Allocated decimal.Decimal `db:"allocated"`
	}
	err := conn.Get(&b, `SELECT coalesce(sum(b.on_hand), 0) AS on_hand, coalesce(sum(b.allocated), 0) AS allocated
		FROM stock_balances b JOIN products p ON p.id = b.product_id JOIN locations l ON l.id = b.location_id
		WHERE p.sku = $1 AND l.code = 'MAIN'`, sku)
	if err != nil {
		t.Fatal(err)
	}
	return b.OnHand, b.Allocated
}

func line(t *testing.T, conn *sqlx.DB, so string, n int) sales.Line {
	t.Helper()
	doc := must[sales.Doc](t)(sales.Get(ctx, conn, so))
	return doc.Items[n-1]
}

// A backordered TABLE line gets one work order (never two); completing 2 of its 3 consumes
// 8 LEG at 2.50 (20), 2 TOP at 42 (84) and 1 h of labour at 30 (30): 134, so 67 a table, and
// allocates the 2 tables to the line; the last one costs 4 × 2.50 + 42 + 15 = 67 again.
func TestGenerateAndCompleteAllocatesToTheLine(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	so := order(t, conn, sales.LineInput{SKU: "TABLE", Qty: d("3")})
	eq(t, "backordered after confirm", line(t, conn, so, 1).Backordered, "3")

	gen := must[[]work.Generated](t)(tx(t, conn, func(tx *sqlx.Tx) ([]work.Generated, error) { return work.Generate(ctx, tx, []string{so}) }))
	if len(gen) != 1 || gen[0].WO != "WO-000001" || !gen[0].Qty.Equal(d("3")) || gen[0].SO != so || gen[0].Line != 1 || gen[0].Location != "MAIN" {
		t.Fatalf("generate: %+v", gen)
	}
	again := must[[]work.Generated](t)(tx(t, conn, func(tx *sqlx.Tx) ([]work.Generated, error) { return work.Generate(ctx, tx, nil) }))
	if len(again) != 1 || again[0].WO != "" || again[0].Skipped == "" || !again[0].Covered.Equal(d("3")) {
		t.Fatalf("second generate made work orders again: %+v", again)
	}
	if os := must[[]work.Order](t)(work.List(ctx, conn, work.Filter{})); len(os) != 1 || *os[0].SO != so || *os[0].SOLine != 1 {
		t.Fatalf("work orders: %+v", os)
	}

	doc := must[work.Doc](t)(work.Get(ctx, conn, "WO-000001"))
	want := map[string][2]string{"LAB": {"1.5", "0"}, "LEG": {"12", "12"}, "TOP": {"3", "3"}}
	for _, c := range doc.Components {
		if !c.Needed.Equal(d(want[c.SKU][0])) || !c.Available.Equal(d(want[c.SKU][1])) || !c.Short.IsZero() {
			t.Fatalf("component %+v, want needed/available %v", c, want[c.SKU])
		}
	}

	two := d("2")
	c := must[work.Completion](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Completion, error) { return work.Complete(ctx, tx, "WO-000001", &two) }))
	eq(t, "value", c.Value, "134")
	eq(t, "unit cost", c.UnitCost, "67")
	eq(t, "allocated", c.Allocated, "2")
	if c.Order.Status != work.PartiallyCompleted || !c.Order.Remaining.Equal(d("1")) || !c.Order.ProducedCost.Equal(d("134")) {
		t.Fatalf("work order after partial completion: %+v", c.Order)
	}
	for _, x := range c.Consumed {
		switch x.SKU {
		case "LEG":
			eq(t, "LEG qty", x.Qty, "8")
			eq(t, "LEG value", x.Value, "20")
		case "TOP":
			eq(t, "TOP qty", x.Qty, "2")
			eq(t, "TOP value", x.Value, "84")
		case "LAB":
			eq(t, "LAB value", x.Value, "30")
		}
	}
	l := line(t, conn, so, 1)
	eq(t, "line allocated", l.Allocated, "2")
	eq(t, "line backordered", l.Backordered, "1")
	onHand, alloc := balance(t, conn, "TABLE")
	eq(t, "TABLE on hand", onHand, "2")
	eq(t, "TABLE allocated", alloc, "2")
	legs, _ := balance(t, conn, "LEG")
	eq(t, "LEG left", legs, "4")
	var avg decimal.Decimal
	if err := conn.Get(&avg, `SELECT c.avg_cost FROM product_costs c JOIN products p ON p.id = c.product_id WHERE p.sku = 'TABLE'`); err != nil {
		t.Fatal(err)
	}
	eq(t, "TABLE average cost", avg, "67")
	var kinds []string
	if err := conn.Select(&kinds, `SELECT m.kind || ':' || f.code || '>' || t.code FROM stock_moves m JOIN locations f ON f.id = m.from_location_id
		JOIN locations t ON t.id = m.to_location_id WHERE m.reference = 'WO-000001' ORDER BY m.id`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(kinds, " ") != "wo_consume:MAIN>~production wo_consume:MAIN>~production wo_produce:~production>MAIN" {
		t.Fatalf("moves: %v", kinds)
	}
	invariants(t, conn)

	c = must[work.Completion](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Completion, error) { return work.Complete(ctx, tx, "WO-000001", nil) }))
	eq(t, "last value", c.Value, "67")
	if c.Order.Status != work.Completed || !c.Order.ProducedCost.Equal(d("201")) {
		t.Fatalf("work order after completion: %+v", c.Order)
	}
	l = line(t, conn, so, 1)
	eq(t, "line allocated", l.Allocated, "3")
	eq(t, "line backordered", l.Backordered, "0")
	if _, err := tx(t, conn, func(tx *sqlx.Tx) (work.Completion, error) { return work.Complete(ctx, tx, "WO-000001", nil) }); !fault.Is(err, fault.Invalid) {
		t.Fatalf("completing a completed work order: %v", err)
	}
	invariants(t, conn)

	// The built tables ship like any allocated stock, at 67 each.
	ship := must[sales.Shipment](t)(tx(t, conn, func(tx *sqlx.Tx) (sales.Shipment, error) { return sales.Ship(ctx, tx, sales.ShipRequest{SO: so}) }))
	if len(ship.Lines) != 1 {
		t.Fatalf("shipment: %+v", ship)
	}
	invariants(t, conn)
}

// Missing components refuse the completion, naming each with what it needs and what is
// available (on hand − allocated), and nothing is posted.
func TestCompleteRefusesShortages(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	order(t, conn, sales.LineInput{SKU: "LEG", Qty: d("4")}) // allocates 4 of the 12 LEG
	wo := must[work.Order](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Order, error) {
		return work.New(ctx, tx, work.NewOrder{SKU: "TABLE", Qty: d("5"), Location: "MAIN"})
	}))
	var before int
	if err := conn.Get(&before, `SELECT count(*) FROM stock_moves`); err != nil {
		t.Fatal(err)
	}
	_, err := tx(t, conn, func(tx *sqlx.Tx) (work.Completion, error) { return work.Complete(ctx, tx, wo.Number, nil) })
	if !fault.Is(err, fault.Invalid) {
		t.Fatalf("want a refusal, got %v", err)
	}
	for _, want := range []string{"LEG needs 20 ea, 8 available", "TOP needs 5 ea, 3 available", "nothing was posted"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q lacks %q", err, want)
		}
	}
	if s, ok := work.AsShortage(err); !ok || len(s.Missing) != 2 {
		t.Fatalf("shortage: %+v", s)
	}
	var after int
	if err := conn.Get(&after, `SELECT count(*) FROM stock_moves`); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("moves posted: %d -> %d", before, after)
	}
	// Two tables fit (8 LEG available, 3 TOP): the partial completion goes through.
	two := d("2")
	c := must[work.Completion](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Completion, error) { return work.Complete(ctx, tx, wo.Number, &two) }))
	eq(t, "value", c.Value, "134")
	eq(t, "allocated (no sales order line)", c.Allocated, "0")
	six := d("6")
	if _, err := tx(t, conn, func(tx *sqlx.Tx) (work.Completion, error) { return work.Complete(ctx, tx, wo.Number, &six) }); !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != "qty" {
		t.Fatalf("--qty above what remains: %v", err)
	}
	invariants(t, conn)
}

func TestNewRefusesProductsItCannotBuild(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	for sku, want := range map[string]string{"LEG": "no bill of materials", "LAB": "without stock", "NOPE": "unknown product"} {
		_, err := tx(t, conn, func(tx *sqlx.Tx) (work.Order, error) {
			return work.New(ctx, tx, work.NewOrder{SKU: sku, Qty: d("1"), Location: "MAIN"})
		})
		kind := fault.Invalid
		if sku == "NOPE" {
			kind = fault.NotFound
		}
		if !fault.Is(err, kind) || fault.FieldOf(err) != "sku" || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: %v", sku, err)
		}
	}
	_, err := tx(t, conn, func(tx *sqlx.Tx) (work.Order, error) {
		return work.New(ctx, tx, work.NewOrder{SKU: "TABLE", Qty: d("1.5"), Location: "MAIN"})
	})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "decimals") {
		t.Fatalf("1.5 ea: %v", err)
	}
}

// A custom item without a bill of materials is built at its cost price (100) and allocated
// to its line; the stock line of the same order is not a work order's business.
func TestCustomLineWithoutBOM(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	so := order(t, conn, sales.LineInput{SKU: "DESK", Qty: d("1"), Custom: true}, sales.LineInput{SKU: "LEG", Qty: d("20")})
	gen := must[[]work.Generated](t)(tx(t, conn, func(tx *sqlx.Tx) ([]work.Generated, error) { return work.Generate(ctx, tx, nil) }))
	if len(gen) != 1 || gen[0].SKU != "DESK" || gen[0].WO == "" {
		t.Fatalf("generate: %+v", gen)
	}
	c := must[work.Completion](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Completion, error) { return work.Complete(ctx, tx, gen[0].WO, nil) }))
	eq(t, "value", c.Value, "100")
	eq(t, "allocated", c.Allocated, "1")
	eq(t, "desk allocated", line(t, conn, so, 1).Allocated, "1")
	invariants(t, conn)
}
