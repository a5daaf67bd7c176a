package stock_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

func d(s string) decimal.Decimal   { return decimal.RequireFromString(s) }
func dp(s string) *decimal.Decimal { v := d(s); return &v }
func yes() *bool                   { b := true; return &b }
func str(s string) *string         { return &s }

// setup makes locations A and B with bay A/X1 and products PLAIN, LOT (batch-tracked) and
// SER (serialised).
func setup(t *testing.T) *sqlx.DB {
	t.Helper()
	conn, _ := dbtest.New(t)
	ctx := context.Background()
	for _, l := range []string{"A", "B"} {
		if _, err := stock.AddLocation(ctx, conn, l, "Location "+l, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := stock.AddBay(ctx, conn, "A", "X1", ""); err != nil {
		t.Fatal(err)
	}
	for sku, ch := range map[string]catalog.Changes{
		"PLAIN": {Name: str("Plain")},
		"LOT":   {Name: str("Lot"), BatchTracked: yes()},
		"SER":   {Name: str("Serial"), Serialized: yes()},
	} {
		if _, err := catalog.Add(ctx, conn, sku, ch); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

func adjust(t *testing.T, conn *sqlx.DB, ref string, adjs ...stock.Adjustment) ([]stock.AdjustedMove, bool, error) {
	t.Helper()
	var moves []stock.AdjustedMove
	var applied bool
	err := db.InTx(context.Background(), conn, func(tx *sqlx.Tx) (err error) {
		moves, applied, err = stock.Adjust(context.Background(), tx, adjs, ref)
		return err
	})
	return moves, applied, err
}

func onHand(t *testing.T, conn *sqlx.DB, sku, loc string) decimal.Decimal {
	t.Helper()
	var v decimal.Decimal
	err := conn.Get(&v, `SELECT coalesce(sum(b.on_hand), 0) FROM stock_balances b JOIN products p ON p.id = b.product_id
		JOIN locations l ON l.id = b.location_id WHERE p.sku = $1 AND l.code = $2`, sku, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func avgCost(t *testing.T, conn *sqlx.DB, sku string) decimal.Decimal {
	t.Helper()
	var v decimal.Decimal
	if err := conn.Get(&v, `SELECT avg_cost FROM product_costs c JOIN products p ON p.id = c.product_id WHERE p.sku = $1`, sku); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAdjustPlainAndAverageCost(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	if _, _, err := adjust(t, conn, "", stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("2")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := adjust(t, conn, "", stock.Adjustment{SKU: "PLAIN", Location: "B", Qty: d("30"), UnitCost: dp("4")}); err != nil {
		t.Fatal(err)
	}
	if got := avgCost(t, conn, "PLAIN"); !got.Equal(d("3.5")) {
		t.Fatalf("average of 10@2 and 30@4 is 3.5, got %s", got)
	}
	moves, _, err := adjust(t, conn, "", stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("-4")})
	if err != nil || len(moves) != 1 || !moves[0].UnitCost.Equal(d("3.5")) || !moves[0].Qty.Equal(d("-4")) {
		t.Fatalf("out at average: %+v %v", moves, err)
	}
	_, _, err = adjust(t, conn, "", stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("-7")})
	if e, ok := stock.AsInsufficient(err); !ok || !e.Have.Equal(d("6")) || fault.KindOf(err) != fault.Invalid {
		t.Fatalf("shortage names what is there: %v", err)
	}
	if got := onHand(t, conn, "PLAIN", "A"); !got.Equal(d("6")) {
		t.Fatalf("on hand A: %s", got)
	}
	_, _, err = adjust(t, conn, "", stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("-1"), UnitCost: dp("1")})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "average cost") {
		t.Fatalf("unit cost on the way out: %v", err)
	}
}

func TestAdjustRefIsAppliedOnce(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	a := stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("5")}
	if _, applied, err := adjust(t, conn, "delivery-1", a); err != nil || !applied {
		t.Fatalf("first: %v %v", applied, err)
	}
	if _, applied, err := adjust(t, conn, "delivery-1", a); err != nil || applied {
		t.Fatalf("second must not apply: %v %v", applied, err)
	}
	if got := onHand(t, conn, "PLAIN", "A"); !got.Equal(d("5")) {
		t.Fatalf("on hand: %s", got)
	}
}

func TestAdjustBatchesAndSerials(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	exp1 := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	exp2 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	_, _, err := adjust(t, conn, "", stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("5")})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "--batch") {
		t.Fatalf("batch needed: %v", err)
	}
	if _, _, err := adjust(t, conn, "",
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("5"), Batch: "L1", Expiry: &exp1},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("3"), Batch: "L2", Expiry: &exp2, Bay: "X1"}); err != nil {
		t.Fatal(err)
	}
	moves, _, err := adjust(t, conn, "", stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("-2"), Batch: "L2"})
	if err != nil || len(moves) != 1 || *moves[0].Batch != "L2" || moves[0].Bay == nil || *moves[0].Bay != "X1" {
		t.Fatalf("named batch found in its bay: %+v %v", moves, err)
	}
	_, _, err = adjust(t, conn, "", stock.Adjustment{SKU: "SER", Location: "A", Qty: d("2"), Serials: []string{"S1"}})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "give 2 serial numbers") {
		t.Fatalf("serial count: %v", err)
	}
	moves, _, err = adjust(t, conn, "", stock.Adjustment{SKU: "SER", Location: "A", Qty: d("3"), SerialStart: "SN0998"})
	if err != nil || len(moves) != 3 || *moves[2].Serial != "SN1000" {
		t.Fatalf("serial run: %+v %v", moves, err)
	}
	_, _, err = adjust(t, conn, "", stock.Adjustment{SKU: "SER", Location: "B", Qty: d("1"), Serials: []string{"SN0999"}})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "already in stock at A") {
		t.Fatalf("a serial is in one place: %v", err)
	}
	if _, _, err := adjust(t, conn, "", stock.Adjustment{SKU: "SER", Location: "A", Qty: d("-1"), Serials: []string{"SN0999"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := adjust(t, conn, "", stock.Adjustment{SKU: "SER", Location: "B", Qty: d("1"), Serials: []string{"SN0999"}}); err != nil {
		t.Fatalf("after leaving, a serial can come back elsewhere: %v", err)
	}
}
