package sales_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/pricing"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/sales"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func dp(s string) *decimal.Decimal {
	v := d(s)
	return &v
}
func str(s string) *string { return &s }
func yes() *bool           { b := true; return &b }

var ctx = context.Background()

// setup: locations MAIN and NORTH, customers ACME and BOB, products WID (stock, sell 10),
// LOT (batch-tracked), SER (serialised), FIT (service, sell 50); WID has 10 at MAIN and 4
// at NORTH at cost 3.
func setup(t *testing.T) *sqlx.DB {
	t.Helper()
	conn, _ := dbtest.New(t)
	for _, l := range []string{"MAIN", "NORTH"} {
		if _, err := stock.AddLocation(ctx, conn, l, "Location "+l, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []string{"ACME", "BOB"} {
		if _, err := company.Add(ctx, conn, c, company.Changes{Name: str(c + " Ltd"), Customer: yes()}); err != nil {
			t.Fatal(err)
		}
	}
	for sku, ch := range map[string]catalog.Changes{
		"WID": {Name: str("Widget"), SellPrice: dp("10")},
		"LOT": {Name: str("Lot"), BatchTracked: yes(), SellPrice: dp("2")},
		"SER": {Name: str("Serial"), Serialized: yes(), SellPrice: dp("100")},
		"FIT": {Name: str("Fitting"), Type: str("service"), SellPrice: dp("50")},
	} {
		if _, err := catalog.Add(ctx, conn, sku, ch); err != nil {
			t.Fatal(sku, err)
		}
	}
	adjust(t, conn, stock.Adjustment{SKU: "WID", Location: "MAIN", Qty: d("10"), UnitCost: dp("3")},
		stock.Adjustment{SKU: "WID", Location: "NORTH", Qty: d("4"), UnitCost: dp("3")})
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

func tx[T any](t *testing.T, conn *sqlx.DB, fn func(tx *sqlx.Tx) (T, error)) (T, error) {
	t.Helper()
	var out T
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}

func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func order(t *testing.T, conn *sqlx.DB, customer, loc string, lines ...sales.LineInput) string {
	t.Helper()
	doc := must(tx(t, conn, func(tx *sqlx.Tx) (sales.Doc, error) {
		return sales.New(ctx, tx, sales.NewOrder{Customer: customer, Location: loc})
	}))(t)
	for _, l := range lines {
		must(tx(t, conn, func(tx *sqlx.Tx) (sales.Line, error) { return sales.AddLine(ctx, tx, doc.Number, l) }))(t)
	}
	return doc.Number
}

func confirm(t *testing.T, conn *sqlx.DB, so string) sales.Doc {
	t.Helper()
	return must(tx(t, conn, func(tx *sqlx.Tx) (sales.Doc, error) { return sales.Confirm(ctx, tx, so) }))(t)
}

func invariants(t *testing.T, conn *sqlx.DB) {
	t.Helper()
	vs := must(tx(t, conn, func(tx *sqlx.Tx) ([]stock.Violation, error) { return stock.Check(ctx, tx) }))(t)
	if len(vs) > 0 {
		t.Fatalf("stock check: %+v", vs)
	}
	ms := must(sales.CheckAllocations(ctx, conn))(t)
	if len(ms) > 0 {
		t.Fatalf("allocations: %+v", ms)
	}
}

func balance(t *testing.T, conn *sqlx.DB, sku, loc string) (onHand, allocated decimal.Decimal) {
	t.Helper()
	var r struct {
		OnHand    decimal.Decimal `db:"on_hand"`
		Allocated decimal.Decimal `db:"allocated"`
	}
	err := conn.Get(&r, `SELECT coalesce(sum(b.on_hand), 0) AS on_hand, coalesce(sum(b.allocated), 0) AS allocated
		FROM stock_balances b JOIN products p ON p.id = b.product_id JOIN locations l ON l.id = b.location_id
		WHERE p.sku = $1 AND l.code = $2`, sku, loc)
	if err != nil {
		t.Fatal(err)
	}
	return r.OnHand, r.Allocated
}

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Fatalf("%s = %s, want %s", what, got, want)
	}
}

func TestOrderLinesPricesAndConfirm(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	if _, err := catalog.AddPack(ctx, conn, "WID", "box", d("6")); err != nil {
		t.Fatal(err)
	}
	so := order(t, conn, "ACME", "MAIN",
		sales.LineInput{SKU: "WID", Qty: d("2"), Unit: "box"},    // 12 ea: 10 allocated, 2 backordered
		sales.LineInput{SKU: "FIT", Qty: d("1")},                 // service: no stock
		sales.LineInput{SKU: "WID", Qty: d("1"), Price: dp("8")}) // nothing left: backordered
	if so != "SO-000001" {
		t.Fatalf("number %s", so)
	}
	doc := confirm(t, conn, so)
	if doc.Status != sales.Confirmed {
		t.Fatalf("status %s", doc.Status)
	}
	l1, l2, l3 := doc.Items[0], doc.Items[1], doc.Items[2]
	eq(t, "line 1 qty", l1.Qty, "12")
	// Line 1 is priced per box: 10 per ea × 6 ea = 60 per box; 2 box × 60 = 120.
	eq(t, "line 1 price", l1.UnitPrice, "60")
	eq(t, "line 1 amount", l1.Amount, "120")
	if l1.PriceSource != pricing.SourceSellPrice || l3.PriceSource != pricing.SourceManual {
		t.Fatalf("price sources %s, %s", l1.PriceSource, l3.PriceSource)
	}
	eq(t, "line 1 allocated", l1.Allocated, "10")
	eq(t, "line 1 backordered", l1.Backordered, "2")
	eq(t, "service allocated", l2.Allocated, "0")
	eq(t, "service backordered", l2.Backordered, "0")
	eq(t, "line 3 backordered", l3.Backordered, "1")
	// 2 box × 60 + 1 × 50 + 1 × 8 = 178
	eq(t, "subtotal", doc.Subtotal, "178")
	_, alloc := balance(t, conn, "WID", "MAIN")
	eq(t, "allocated at MAIN", alloc, "10")
	invariants(t, conn)

	// A deactivated product is refused on a new line.
	if _, _, err := tx2(conn, func(tx *sqlx.Tx) error { _, _, err := catalog.SetActive(ctx, tx, "FIT", false, true); return err }); err != nil {
		t.Fatal(err)
	}
	so2 := order(t, conn, "BOB", "MAIN")
	_, err := tx(t, conn, func(tx *sqlx.Tx) (sales.Line, error) {
		return sales.AddLine(ctx, tx, so2, sales.LineInput{SKU: "FIT", Qty: d("1")})
	})
	if !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != "sku" {
		t.Fatalf("inactive product: %v", err)
	}
}

func tx2(conn *sqlx.DB, fn func(tx *sqlx.Tx) error) (any, any, error) {
	return nil, nil, db.InTx(ctx, conn, fn)
}

func TestManualBackorderAndCancelFreeAllocation(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	so := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "WID", Qty: d("6")})
	confirm(t, conn, so)
	// Backorder 4 of 6: 4 of the allocation freed.
	l := must(tx(t, conn, func(tx *sqlx.Tx) (sales.Line, error) { return sales.SetBackorder(ctx, tx, so, 1, d("4")) }))(t)
	eq(t, "allocated", l.Allocated, "2")
	eq(t, "backordered", l.Backordered, "4")
	_, alloc := balance(t, conn, "WID", "MAIN")
	eq(t, "balance allocated", alloc, "2")
	// Another order takes 7 of the 8 now available; backordering 0 again needs 4: refused.
	so2 := order(t, conn, "BOB", "MAIN", sales.LineInput{SKU: "WID", Qty: d("7")})
	confirm(t, conn, so2)
	_, err := tx(t, conn, func(tx *sqlx.Tx) (sales.Line, error) { return sales.SetBackorder(ctx, tx, so, 1, d("0")) })
	if e, ok := stock.AsInsufficient(err); !ok || !e.Have.Equal(d("1")) {
		t.Fatalf("want shortage with 1 available, got %v", err)
	}
	invariants(t, conn)
	doc := must(tx(t, conn, func(tx *sqlx.Tx) (sales.Doc, error) { return sales.Cancel(ctx, tx, so2) }))(t)
	if doc.Status != sales.Cancelled {
		t.Fatalf("status %s", doc.Status)
	}
	_, alloc = balance(t, conn, "WID", "MAIN")
	eq(t, "after cancel", alloc, "2")
	invariants(t, conn)
}

func TestBackordersListAndRelease(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	a := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "WID", Qty: d("13")}) // 10 allocated, 3 backordered
	confirm(t, conn, a)
	b := order(t, conn, "BOB", "MAIN", sales.LineInput{SKU: "WID", Qty: d("2")}) // 2 backordered
	confirm(t, conn, b)
	c := order(t, conn, "BOB", "NORTH", sales.LineInput{SKU: "WID", Qty: d("1")}, sales.LineInput{SKU: "LOT", Qty: d("5")})
	confirm(t, conn, c) // WID allocated from NORTH's 4; LOT backordered, none anywhere

	rows := must(sales.Backorders(ctx, conn, sales.BackorderFilter{}))(t)
	if len(rows) != 3 {
		t.Fatalf("rows %+v", rows)
	}
	// Oldest first; WID at MAIN: 0 here, 3 at NORTH (4 − 1 allocated).
	if rows[0].SO != a || rows[0].Status != sales.AvailElsewhere || !rows[0].Elsewhere.Equal(d("3")) || !rows[0].Here.IsZero() {
		t.Fatalf("row 0 %+v", rows[0])
	}
	if rows[1].SO != b || rows[1].Status != sales.AvailElsewhere {
		t.Fatalf("row 1 %+v", rows[1])
	}
	if rows[2].SKU != "LOT" || rows[2].Status != sales.AvailNone {
		t.Fatalf("row 2 %+v", rows[2])
	}
	none := must(sales.Backorders(ctx, conn, sales.BackorderFilter{Status: "none"}))(t)
	if len(none) != 1 || none[0].SKU != "LOT" {
		t.Fatalf("--status none %+v", none)
	}
	bob := must(sales.Backorders(ctx, conn, sales.BackorderFilter{Customer: "BOB", Location: "MAIN"}))(t)
	if len(bob) != 1 || bob[0].SO != b {
		t.Fatalf("BOB at MAIN %+v", bob)
	}

	// 4 arrive at MAIN: order a (older) gets its 3, order b 1 of 2.
	adjust(t, conn, stock.Adjustment{SKU: "WID", Location: "MAIN", Qty: d("4"), UnitCost: dp("3")})
	here := must(sales.Backorders(ctx, conn, sales.BackorderFilter{SKU: "WID", Location: "MAIN"}))(t)
	if here[0].Status != sales.AvailHere || here[1].Status != sales.AvailHere {
		t.Fatalf("after receipt %+v", here)
	}
	// Dry run (rolled back) changes nothing.
	_ = db.InTxOrDryRun(ctx, conn, true, func(tx *sqlx.Tx) error {
		_, err := sales.Release(ctx, tx, sales.ReleaseRequest{All: true})
		return err
	})
	_, alloc := balance(t, conn, "WID", "MAIN")
	eq(t, "after dry run", alloc, "10")

	rs := must(tx(t, conn, func(tx *sqlx.Tx) ([]sales.Released, error) {
		return sales.Release(ctx, tx, sales.ReleaseRequest{All: true})
	}))(t)
	if len(rs) != 2 || rs[0].SO != a || !rs[0].Released.Equal(d("3")) || rs[1].SO != b || !rs[1].Released.Equal(d("1")) || !rs[1].Remaining.Equal(d("1")) {
		t.Fatalf("released %+v", rs)
	}
	onHand, alloc := balance(t, conn, "WID", "MAIN")
	eq(t, "on hand", onHand, "14")
	eq(t, "allocated", alloc, "14")
	invariants(t, conn)

	// Shortfalls for purchasing: b wants 1 more WID at MAIN, c 5 LOT at NORTH.
	sf := must(sales.Shortfalls(ctx, conn, nil))(t)
	if len(sf) != 2 || sf[0].SKU != "LOT" || !sf[0].Qty.Equal(d("5")) || sf[1].SKU != "WID" || !sf[1].Qty.Equal(d("1")) {
		t.Fatalf("shortfalls %+v", sf)
	}
	sfa := must(sales.Shortfalls(ctx, conn, []string{a}))(t)
	if len(sfa) != 0 {
		t.Fatalf("order a is fully allocated: %+v", sfa)
	}
}

func TestShipCompleteReleasesWholeOrNothing(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	adjust(t, conn, stock.Adjustment{SKU: "WID", Location: "MAIN", Qty: d("-10")})
	a := must(tx(t, conn, func(tx *sqlx.Tx) (sales.Doc, error) {
		return sales.New(ctx, tx, sales.NewOrder{Customer: "ACME", Location: "MAIN", ShipComplete: true})
	}))(t)
	must(tx(t, conn, func(tx *sqlx.Tx) (sales.Line, error) {
		return sales.AddLine(ctx, tx, a.Number, sales.LineInput{SKU: "WID", Qty: d("5")})
	}))(t)
	confirm(t, conn, a.Number)
	b := order(t, conn, "BOB", "MAIN", sales.LineInput{SKU: "WID", Qty: d("3")})
	confirm(t, conn, b)
	adjust(t, conn, stock.Adjustment{SKU: "WID", Location: "MAIN", Qty: d("4"), UnitCost: dp("3")})
	rs := must(tx(t, conn, func(tx *sqlx.Tx) ([]sales.Released, error) {
		return sales.Release(ctx, tx, sales.ReleaseRequest{All: true})
	}))(t)
	// a wants 5, only 4: skipped whole; b gets its 3.
	if len(rs) != 1 || rs[0].SO != b || !rs[0].Released.Equal(d("3")) {
		t.Fatalf("released %+v", rs)
	}
	invariants(t, conn)
}

func TestShipAndInvoice(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	adjust(t, conn, stock.Adjustment{SKU: "SER", Location: "MAIN", Qty: d("2"), Serials: []string{"S1", "S2"}, UnitCost: dp("60")})
	so := order(t, conn, "ACME", "MAIN",
		sales.LineInput{SKU: "WID", Qty: d("4"), Discount: dp("10"), TaxRate: dp("20")},
		sales.LineInput{SKU: "SER", Qty: d("1"), TaxRate: dp("0")},
		sales.LineInput{SKU: "FIT", Qty: d("2"), TaxRate: dp("0")})
	confirm(t, conn, so)
	_, err := tx(t, conn, func(tx *sqlx.Tx) (sales.Shipment, error) {
		return sales.Ship(ctx, tx, sales.ShipRequest{SO: so, Lines: []sales.ShipLine{{Line: 2}}})
	})
	if fault.FieldOf(err) != "serial" {
		t.Fatalf("serialised without serial: %v", err)
	}
	sh := must(tx(t, conn, func(tx *sqlx.Tx) (sales.Shipment, error) {
		return sales.Ship(ctx, tx, sales.ShipRequest{SO: so, Lines: []sales.ShipLine{{Line: 1, Qty: d("3")}, {Line: 2, Serials: []string{"S2"}}}})
	}))(t)
	if sh.Number != "SH-000001" || len(sh.Lines) != 2 || sh.Status != sales.PartiallyShipped || !sh.Lines[0].UnitCost.Equal(d("3")) {
		t.Fatalf("shipment %+v", sh)
	}
	onHand, alloc := balance(t, conn, "WID", "MAIN")
	eq(t, "WID on hand", onHand, "7")
	eq(t, "WID allocated", alloc, "1")
	invariants(t, conn)

	inv := must(tx(t, conn, func(tx *sqlx.Tx) (sales.InvoiceDoc, error) { return sales.Invoice(ctx, tx, so, clock.Today()) }))(t)
	// WID 3 × 10 × 0.9 = 27.00, tax 20% = 5.40; SER 100; FIT 2 × 50 = 100: 227 + 5.40.
	if inv.Number != "INV-000001" || len(inv.Lines) != 3 {
		t.Fatalf("invoice %+v", inv)
	}
	eq(t, "subtotal", inv.Subtotal, "227")
	eq(t, "tax", inv.Tax, "5.4")
	eq(t, "total", inv.Total, "232.4")
	// Immutable.
	if _, err := conn.Exec(`UPDATE invoices SET total = 0`); err == nil {
		t.Fatal("invoice was changed")
	}
	// Nothing more to invoice until the rest ships.
	if _, err := tx(t, conn, func(tx *sqlx.Tx) (sales.InvoiceDoc, error) { return sales.Invoice(ctx, tx, so, clock.Today()) }); !fault.Is(err, fault.Invalid) {
		t.Fatalf("second invoice: %v", err)
	}
	must(tx(t, conn, func(tx *sqlx.Tx) (sales.Shipment, error) { return sales.Ship(ctx, tx, sales.ShipRequest{SO: so}) }))(t)
	inv2 := must(tx(t, conn, func(tx *sqlx.Tx) (sales.InvoiceDoc, error) { return sales.Invoice(ctx, tx, so, clock.Today()) }))(t)
	eq(t, "second invoice", inv2.Total, "10.8") // 1 × 9 + 20%
	doc := must(sales.Get(ctx, conn, so))(t)
	if doc.Status != sales.Closed {
		t.Fatalf("status %s", doc.Status)
	}
	rows := must(sales.Export(ctx, conn, sales.InvoiceFilter{}))(t)
	if len(rows) != 4 || rows[0].Invoice != "INV-000001" || rows[0].SalesGL != "4000" {
		t.Fatalf("export %+v", rows)
	}
	invariants(t, conn)
}

// Many goroutines confirm orders for the same scarce product: never more is allocated than
// on hand, the rest is backordered, and every invariant holds.
func TestConcurrentConfirmNeverOverAllocates(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	const n = 12
	var sos []string
	for i := 0; i < n; i++ {
		sos = append(sos, order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "WID", Qty: d("3")}))
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, so := range sos {
		wg.Add(1)
		go func(so string) {
			defer wg.Done()
			_, err := tx(t, conn, func(tx *sqlx.Tx) (sales.Doc, error) { return sales.Confirm(ctx, tx, so) })
			errs <- err
		}(so)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var allocated, backordered decimal.Decimal
	if err := conn.QueryRow(`SELECT sum(allocated), sum(backordered) FROM so_lines`).Scan(&allocated, &backordered); err != nil {
		t.Fatal(err)
	}
	eq(t, "allocated", allocated, "10")
	eq(t, "backordered", backordered, "26")
	invariants(t, conn)
}

// Several releases at once against scarce stock: no unit is released twice.
func TestConcurrentReleaseReleasesEachUnitOnce(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	adjust(t, conn, stock.Adjustment{SKU: "WID", Location: "MAIN", Qty: d("-10")})
	var sos []string
	for i := 0; i < 10; i++ {
		so := order(t, conn, "BOB", "MAIN", sales.LineInput{SKU: "WID", Qty: d("2")})
		confirm(t, conn, so)
		sos = append(sos, so)
	}
	adjust(t, conn, stock.Adjustment{SKU: "WID", Location: "MAIN", Qty: d("7"), UnitCost: dp("3")})
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := decimal.Zero
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			req := sales.ReleaseRequest{All: true}
			if w%2 == 1 {
				req = sales.ReleaseRequest{Orders: sos[w:]}
			}
			rs, err := tx(t, conn, func(tx *sqlx.Tx) ([]sales.Released, error) { return sales.Release(ctx, tx, req) })
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, r := range rs {
				total = total.Add(r.Released)
			}
		}(w)
	}
	wg.Wait()
	eq(t, "released in total", total, "7")
	_, alloc := balance(t, conn, "WID", "MAIN")
	eq(t, "allocated", alloc, "7")
	invariants(t, conn)
	_ = fmt.Sprint
}

// Shortfalls counts draft purchase orders as cover and hands the cover to the backorders in
// release priority order, so asking again for an order already covered gives nothing and
// another order still gets its own part.
func TestShortfallsCountDraftPOsInPriorityOrder(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	// MAIN has 10 WID: a (15) gets 10 and backorders 5, then b backorders all of its 3.
	a := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "WID", Qty: d("15")})
	confirm(t, conn, a)
	b := order(t, conn, "BOB", "MAIN", sales.LineInput{SKU: "WID", Qty: d("3")})
	confirm(t, conn, b)
	one := func(orders []string, want string) {
		t.Helper()
		sf := must(sales.Shortfalls(ctx, conn, orders))(t)
		if want == "" {
			if len(sf) != 0 {
				t.Fatalf("%v: want no shortfall, got %+v", orders, sf)
			}
			return
		}
		if len(sf) != 1 || sf[0].SKU != "WID" || sf[0].Location != "MAIN" {
			t.Fatalf("%v: %+v", orders, sf)
		}
		eq(t, fmt.Sprintf("%v shortfall", orders), sf[0].Qty, want)
	}
	one([]string{a}, "5")
	one([]string{b}, "3")
	one(nil, "8")

	// A draft PO for 6 WID at MAIN (what po generate makes for a's 5 in packs of 6).
	if _, err := company.Add(ctx, conn, "SUP", company.Changes{Name: str("Supplier"), Supplier: yes()}); err != nil {
		t.Fatal(err)
	}
	if err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		po, err := purchasing.New(ctx, tx, purchasing.NewPO{Supplier: "SUP", Location: "MAIN"})
		if err != nil {
			return err
		}
		_, err = purchasing.AddLine(ctx, tx, po.Number, purchasing.LineInput{SKU: "WID", Qty: d("6"), Price: dp("3")})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// a (older) takes 5 of the 6: covered; b gets the 6th and lacks 2.
	one([]string{a}, "")
	one([]string{b}, "2")
	one(nil, "2")
	sf := must(sales.Shortfalls(ctx, conn, []string{b}))(t)
	eq(t, "on order (draft)", sf[0].OnOrder, "6")
	eq(t, "b backordered", sf[0].Backordered, "3")
}
