package stock_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

func setLevels(t *testing.T, conn *sqlx.DB, sku, loc string, ch stock.LevelChanges) (stock.Levels, error) {
	t.Helper()
	var l stock.Levels
	err := db.InTx(context.Background(), conn, func(tx *sqlx.Tx) (err error) {
		l, err = stock.SetLevels(context.Background(), tx, sku, loc, ch)
		return err
	})
	return l, err
}

func TestSetLevels(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	ctx := context.Background()
	l, err := setLevels(t, conn, "PLAIN", "A", stock.LevelChanges{Min: dp("5"), Max: dp("20"), Bay: str("X1")})
	if err != nil || l.SKU != "PLAIN" || l.Location != "A" || !l.Min.Equal(d("5")) || !l.Max.Equal(d("20")) ||
		l.DefaultBay == nil || *l.DefaultBay != "X1" || l.UpdatedBy != "test" {
		t.Fatalf("set: %+v %v", l, err)
	}
	// Flags not given keep their value.
	l, err = setLevels(t, conn, "PLAIN", "A", stock.LevelChanges{Max: dp("30")})
	if err != nil || !l.Min.Equal(d("5")) || !l.Max.Equal(d("30")) || *l.DefaultBay != "X1" {
		t.Fatalf("keep: %+v %v", l, err)
	}
	// The default bay is where stock coming in goes.
	moves, _, err := adjust(t, conn, "", stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("2")})
	if err != nil || moves[0].Bay == nil || *moves[0].Bay != "X1" {
		t.Fatalf("default bay used: %+v %v", moves, err)
	}
	l, err = setLevels(t, conn, "PLAIN", "A", stock.LevelChanges{Bay: str("")})
	if err != nil || l.DefaultBay != nil || !l.Max.Equal(d("30")) {
		t.Fatalf("clear bay: %+v %v", l, err)
	}

	for _, c := range []struct {
		name string
		sku  string
		loc  string
		ch   stock.LevelChanges
		kind fault.Kind
		msg  string
	}{
		{"max below kept min", "PLAIN", "A", stock.LevelChanges{Max: dp("4")}, fault.Invalid, "cannot be below the minimum (5)"},
		{"min above kept max", "PLAIN", "A", stock.LevelChanges{Min: dp("31")}, fault.Invalid, "maximum (30)"},
		{"max below min", "PLAIN", "B", stock.LevelChanges{Min: dp("3"), Max: dp("2")}, fault.Invalid, "below the minimum"},
		{"negative", "PLAIN", "B", stock.LevelChanges{Min: dp("-1")}, fault.Invalid, "cannot be negative"},
		{"decimals", "PLAIN", "B", stock.LevelChanges{Min: dp("1.5")}, fault.Invalid, "more decimals"},
		{"bay elsewhere", "PLAIN", "B", stock.LevelChanges{Bay: str("X1")}, fault.NotFound, "has no bay"},
		{"unknown location", "PLAIN", "NOPE", stock.LevelChanges{Min: dp("1")}, fault.NotFound, "unknown location"},
		{"virtual location", "PLAIN", "~transit", stock.LevelChanges{Min: dp("1")}, fault.NotFound, "unknown location"},
		{"unknown product", "NOPE", "A", stock.LevelChanges{Min: dp("1")}, fault.NotFound, "does not exist"},
		{"nothing", "PLAIN", "A", stock.LevelChanges{}, fault.Invalid, "nothing to set"},
	} {
		_, err := setLevels(t, conn, c.sku, c.loc, c.ch)
		if fault.KindOf(err) != c.kind || !strings.Contains(fmt.Sprint(err), c.msg) {
			t.Errorf("%s: want %v %q, got %v", c.name, c.kind, c.msg, err)
		}
	}
	if _, err := catalog.Add(ctx, conn, "FIT", catalog.Changes{Name: str("Fitting"), Type: str(catalog.Service)}); err != nil {
		t.Fatal(err)
	}
	if _, err := setLevels(t, conn, "FIT", "A", stock.LevelChanges{Min: dp("1")}); !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "not stock-tracked") {
		t.Fatalf("service: %v", err)
	}
	// Nothing of the refused changes stuck.
	var n int
	if err := conn.Get(&n, `SELECT count(*) FROM stock_levels`); err != nil || n != 1 {
		t.Fatalf("level rows: %d %v", n, err)
	}
	// A first row with only a minimum (the maximum stays unset).
	if l, err := setLevels(t, conn, "PLAIN", "B", stock.LevelChanges{Min: dp("2")}); err != nil || !l.Min.Equal(d("2")) || l.Max != nil || l.DefaultBay != nil {
		t.Fatalf("min only: %+v %v", l, err)
	}
}
