package sales_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/inventory/stocktake"
	"github.com/stockctl/stockctl/orders/sales"
)

// Counting less than is allocated never blocks posting a stocktake: the shortfall comes off
// allocations newest order first and those lines go back on backorder.
func TestStocktakeShortOfAllocationsTakesNewestOrdersFirst(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	// MAIN has 10 WID. ACME's SO-000001 (older) takes 4, BOB's SO-000002 (newer) 5: 9
	// allocated, 1 free.
	older := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "WID", Qty: d("4")})
	newer := order(t, conn, "BOB", "MAIN", sales.LineInput{SKU: "WID", Qty: d("5")})
	confirm(t, conn, older)
	confirm(t, conn, newer)
	st := must(tx(t, conn, func(tx *sqlx.Tx) (stocktake.Doc, error) {
		return stocktake.New(ctx, tx, stocktake.Request{Location: "MAIN", SKUs: []string{"WID"}})
	}))(t)
	must(tx(t, conn, func(tx *sqlx.Tx) ([]stocktake.Counted, error) {
		return stocktake.Record(ctx, tx, st.Number, []stocktake.Count{{SKU: "WID", Qty: d("3")}})
	}))(t)

	// Without anyone to take it off the orders, the post is refused and nothing changes.
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		_, _, err := stocktake.Post(ctx, tx, st.Number, stocktake.PostOptions{})
		return err
	})
	if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "WID at MAIN") {
		t.Fatalf("post without Unallocate: %v", err)
	}

	// Counted 3 of 10: on hand 3 against 9 allocated, 9 - 3 = 6 short. The newest order,
	// SO-000002, gives all its 5 (backordered 5), then SO-000001 gives 1 (allocated 3,
	// backordered 1).
	var lost []sales.Unallocated
	opt := stocktake.PostOptions{Unallocate: func(ctx context.Context, q sqlx.ExtContext, short []stocktake.Shortage) (err error) {
		if len(short) != 1 || short[0].SKU != "WID" || !short[0].Qty.Equal(d("6")) {
			t.Errorf("shortages: %+v", short)
		}
		need := []sales.Unallocation{{ProductID: short[0].ProductID, LocationID: short[0].LocationID, SKU: short[0].SKU,
			Location: short[0].Location, Qty: short[0].Qty}}
		lost, err = sales.Unallocate(ctx, q, need)
		return err
	}}
	err = db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		_, moves, err := stocktake.Post(ctx, tx, st.Number, opt)
		if err == nil && (len(moves) != 1 || !moves[0].Qty.Equal(d("-7"))) {
			t.Errorf("moves: %+v", moves)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(lost) != 2 || lost[0].SO != newer || !lost[0].Qty.Equal(d("5")) || !lost[0].Backordered.Equal(d("5")) ||
		lost[1].SO != older || !lost[1].Qty.Equal(d("1")) || !lost[1].Backordered.Equal(d("1")) {
		t.Fatalf("lines that lost stock: %+v", lost)
	}
	a := must(sales.Get(ctx, conn, older))(t).Items[0]
	b := must(sales.Get(ctx, conn, newer))(t).Items[0]
	if !a.Allocated.Equal(d("3")) || !a.Backordered.Equal(d("1")) || !b.Allocated.IsZero() || !b.Backordered.Equal(d("5")) {
		t.Fatalf("after the post: %s %+v; %s %+v", older, a, newer, b)
	}
	// MAIN: on hand 3, allocated 3 (the lines' 3 + 0).
	var bal struct {
		OnHand    string `db:"on_hand"`
		Allocated string `db:"allocated"`
	}
	if err := conn.Get(&bal, `SELECT b.on_hand::text, b.allocated::text FROM stock_balances b JOIN products p ON p.id = b.product_id
		JOIN locations l ON l.id = b.location_id WHERE p.sku = 'WID' AND l.code = 'MAIN'`); err != nil || bal.OnHand != "3" || bal.Allocated != "3" {
		t.Fatalf("MAIN balance %+v, %v", bal, err)
	}
	invariants(t, conn)
}

// Stock found in another bay than expected, all of it allocated: the stock comes into the new
// bay before it leaves the old one, so no order loses its allocation, and it keeps its average
// cost (WID has no cost price: valued at that, it would be worth nothing).
func TestStocktakeMovingAllocatedStockBetweenBays(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	if _, err := stock.AddBay(ctx, conn, "MAIN", "B1", ""); err != nil {
		t.Fatal(err)
	}
	so := order(t, conn, "ACME", "MAIN", sales.LineInput{SKU: "WID", Qty: d("10")})
	confirm(t, conn, so) // all 10 at MAIN (outside bays, at 3) allocated
	st := must(tx(t, conn, func(tx *sqlx.Tx) (stocktake.Doc, error) {
		return stocktake.New(ctx, tx, stocktake.Request{Location: "MAIN", SKUs: []string{"WID"}})
	}))(t)
	must(tx(t, conn, func(tx *sqlx.Tx) ([]stocktake.Counted, error) {
		return stocktake.Record(ctx, tx, st.Number, []stocktake.Count{{SKU: "WID", Qty: d("0"), Bay: stocktake.NoBay},
			{SKU: "WID", Qty: d("10"), Bay: "B1"}})
	}))(t)
	called := false
	opt := stocktake.PostOptions{Unallocate: func(context.Context, sqlx.ExtContext, []stocktake.Shortage) error {
		called = true
		return nil
	}}
	// +10 into B1 at the average 3, then -10 out of no bay at 3: on hand 10, average 3.
	var moves []stock.AdjustedMove
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) (err error) {
		_, moves, err = stocktake.Post(ctx, tx, st.Number, opt)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if called || len(moves) != 2 || !moves[0].Qty.Equal(d("10")) || !moves[0].UnitCost.Equal(d("3")) ||
		moves[0].CostSource != stock.CostAverage || !moves[1].Qty.Equal(d("-10")) || !moves[1].UnitCost.Equal(d("3")) {
		t.Fatalf("moves %+v (unallocate called: %v)", moves, called)
	}
	if l := must(sales.Get(ctx, conn, so))(t).Items[0]; !l.Allocated.Equal(d("10")) || !l.Backordered.IsZero() {
		t.Fatalf("the order lost stock: %+v", l)
	}
	var avg decimal.Decimal
	if err := conn.Get(&avg, `SELECT avg_cost FROM product_costs c JOIN products p ON p.id = c.product_id WHERE p.sku = 'WID'`); err != nil || !avg.Equal(d("3")) {
		t.Fatalf("average cost %s, want 3 (%v)", avg, err)
	}
	invariants(t, conn)
}
