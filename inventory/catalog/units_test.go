package catalog_test

import (
	"context"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// ToStockExact converts a document line's quantity like ToStock but refuses what ToStock
// would round; PerStockUnit converts a quantity and a price per unit together. By hand:
// 500 g = 0.5 kg; 1 lb = 0.45359237 kg (kg keeps 3 decimals: refused); 2 box of 12 = 24 ea
// at 60.00 per box = 5.00 per ea; 10.00 per box = 0.8333… per ea (refused).
func TestToStockExactAndPerStockUnit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	drill := bcProduct(t, d, "DRILL", catalog.Changes{})
	kg := "kg"
	flour := bcProduct(t, d, "FLOUR", catalog.Changes{StockUOM: &kg})
	if _, err := catalog.AddPack(ctx, d, "DRILL", "box", bcDec("12")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p         catalog.Product
		qty, unit string
		want      string
	}{
		{flour, "500", "g", "0.5"},
		{flour, "2.5", "", "2.5"},
		{drill, "2", "box", "24"},
		{drill, "0.5", "box", "6"},
		{drill, "3", "ea", "3"},
	} {
		got, err := catalog.ToStockExact(ctx, d, tc.p, bcDec(tc.qty), tc.unit)
		if err != nil || !got.Equal(bcDec(tc.want)) {
			t.Errorf("%s: %s %s = %s (%v), want %s", tc.p.SKU, tc.qty, tc.unit, got, err, tc.want)
		}
	}
	_, err := catalog.ToStockExact(ctx, d, flour, bcDec("1"), "lb")
	bcWant(t, err, fault.Invalid, "FLOUR: 1 lb is 0.45359237 kg, but kg keeps 3 decimals: give a quantity in lb that converts exactly to kg")
	_, err = catalog.ToStockExact(ctx, d, drill, bcDec("0.1"), "box")
	bcWant(t, err, fault.Invalid, "DRILL: 0.1 box is 1.2 ea, but ea keeps 0 decimals")
	_, err = catalog.ToStockExact(ctx, d, drill, bcDec("1"), "kg")
	bcWant(t, err, fault.Invalid, "different categories")

	qty, price, err := catalog.PerStockUnit(ctx, d, drill, bcDec("2"), bcDec("60.00"), "box")
	if err != nil || qty.String() != "24" || price.String() != "5" {
		t.Fatalf("2 box at 60.00 = %s ea at %s (%v), want 24 at 5", qty, price, err)
	}
	qty, price, err = catalog.PerStockUnit(ctx, d, drill, bcDec("7"), bcDec("1.25"), "")
	if err != nil || qty.String() != "7" || price.String() != "1.25" {
		t.Fatalf("the stock unit is left as given: %s at %s (%v)", qty, price, err)
	}
	_, _, err = catalog.PerStockUnit(ctx, d, drill, bcDec("1"), bcDec("10"), "box")
	bcWant(t, err, fault.Invalid, "DRILL: 10 per box is 0.833333333333 per ea, more than 6 decimals: give the price per ea")
	if fault.FieldOf(err) != "price" {
		t.Fatalf("field %q", fault.FieldOf(err))
	}
}
