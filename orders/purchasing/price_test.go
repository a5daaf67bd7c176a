package purchasing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/io/csvio"
	"github.com/stockctl/stockctl/orders/purchasing"
)

func TestAddPricesDefaultsAndReplace(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	ps := addPrices(t, conn,
		purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("10.00"), SupplierSKU: str("ET-W1"), LeadDays: ip(14)},
		purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("9.00"), MinQty: dp("10")},
		purchasing.PriceInput{Supplier: "BRIT", SKU: "BOLT", Price: d("0.0215"), Pack: "box", Priority: ip(2)},
	)
	if len(ps) != 3 {
		t.Fatalf("want 3 prices, got %d", len(ps))
	}
	// Defaults: the supplier's currency, minimum 1, priority 1; the second break takes the
	// part number the first carries.
	if ps[0].Currency != "EUR" || !ps[0].MinQty.Equal(d("1")) || ps[0].Priority != 1 || *ps[0].LeadDays != 14 || !ps[0].Current {
		t.Fatalf("first price: %+v", ps[0])
	}
	if ps[1].SupplierSKU != "ET-W1" || !ps[1].MinQty.Equal(d("10")) {
		t.Fatalf("second break keeps the part number: %+v", ps[1])
	}
	if ps[2].Currency != "GBP" || ps[2].PackUnit != "box" || !ps[2].PackQty.Equal(d("100")) || ps[2].Priority != 2 {
		t.Fatalf("pack unit resolves to its quantity: %+v", ps[2])
	}

	// The same key again replaces the row: the list has no duplicates.
	addPrices(t, conn, purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("8.50"), MinQty: dp("10.0")})
	list, err := purchasing.Prices(ctx, conn, purchasing.PriceFilter{Supplier: "EURO"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || !list[1].Price.Equal(d("8.50")) || list[1].SupplierSKU != "ET-W1" {
		t.Fatalf("replaced break: %+v", list)
	}

	// A supplier part number is found by product lookup.
	m, err := catalog.Lookup(ctx, conn, "ET-W1")
	if err != nil {
		t.Fatal(err)
	}
	if m.SKU != "W" || m.MatchedBy != "supplier part number (EURO)" {
		t.Fatalf("lookup by supplier part number: %+v", m)
	}
}

func TestAddPricesRefusesBadRowsTogether(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := purchasing.AddPrices(ctx, tx, []purchasing.PriceInput{
			{Supplier: "EURO", SKU: "W", Price: d("1")},
			{Supplier: "CUST", SKU: "W", Price: d("1")},
			{Supplier: "EURO", SKU: "NOPE", Price: d("1")},
			{Supplier: "EURO", SKU: "W", Price: d("-1"), MinQty: dp("5")},
			{Supplier: "EURO", SKU: "BOLT", Price: d("1"), Pack: "crate"},
			{Supplier: "EURO", SKU: "W", Price: d("1"), Currency: "XYZ"},
			{Supplier: "EURO", SKU: "W", Price: d("2")},
			{Supplier: "EURO", SKU: "W", Price: d("1"), MinQty: dp("2"), ValidFrom: datep("2026-05-01"), ValidUntil: datep("2026-04-01")},
			{Supplier: "EURO", SKU: "W", Price: d("0.0000001"), MinQty: dp("3")},
		})
		return err
	})
	if !fault.Is(err, fault.Invalid) {
		t.Fatalf("want invalid, got %v", err)
	}
	var rows csvio.RowErrors
	if !errors.As(err, &rows) {
		t.Fatalf("no row errors in %v", err)
	}
	want := map[int]string{2: "supplier", 3: "sku", 4: "price", 5: "pack", 6: "currency", 7: "min-qty", 8: "valid-until", 9: "price"}
	if len(rows) != len(want) {
		t.Fatalf("row errors: %v", rows)
	}
	for _, r := range rows {
		if want[r.Row] != r.Column {
			t.Errorf("row %d: field %s, want %s (%v)", r.Row, r.Column, want[r.Row], r.Reason)
		}
	}
	if !strings.Contains(err.Error(), "given twice (rows 1 and 7)") {
		t.Fatalf("duplicate named: %v", err)
	}
	list, _ := purchasing.Prices(ctx, conn, purchasing.PriceFilter{})
	if len(list) != 0 {
		t.Fatalf("nothing is written when a row is bad: %+v", list)
	}
	// One bad row alone reads as a plain error naming its field.
	err = tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := purchasing.AddPrice(ctx, tx, purchasing.PriceInput{Supplier: "EURO", SKU: "FEE", Price: d("1"), LeadDays: ip(-2)})
		return err
	})
	if fault.FieldOf(err) != "lead-days" || strings.HasPrefix(err.Error(), "row") {
		t.Fatalf("single error: %v (field %q)", err, fault.FieldOf(err))
	}
}

// Preferred supplier (SPEC §5): best priority first, then the lowest price at the quantity
// wanted compared in the base currency, using that quantity's break.
func TestOffersPickThePreferredSupplier(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	addPrices(t, conn,
		// EURO: 10 EUR (11.00 USD), 8 EUR from 50 (8.80 USD).
		purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("10"), MinQty: dp("1")},
		purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("8"), MinQty: dp("50")},
		// BRIT: 8 GBP (10.00 USD) from 5.
		purchasing.PriceInput{Supplier: "BRIT", SKU: "W", Price: d("8"), MinQty: dp("5"), Pack: "5"},
		// HOME: 10.50 USD but only until 2026-03-31, then 9.50 from 2026-04-01.
		purchasing.PriceInput{Supplier: "HOME", SKU: "W", Price: d("10.50"), ValidUntil: datep("2026-03-31")},
		purchasing.PriceInput{Supplier: "HOME", SKU: "W", Price: d("9.50"), ValidFrom: datep("2026-04-01")},
	)
	best := func(qty, on string) []purchasing.Offer {
		t.Helper()
		os, err := purchasing.Offers(ctx, conn, "W", d(qty), date(on))
		if err != nil {
			t.Fatal(err)
		}
		return os
	}
	// 10 units in March: BRIT 10.00 < HOME 10.50 < EURO 11.00.
	os := best("10", "2026-03-01")
	if len(os) != 3 || os[0].Supplier != "BRIT" || os[1].Supplier != "HOME" || os[2].Supplier != "EURO" || !os[0].Preferred {
		t.Fatalf("march: %+v", os)
	}
	eq(t, "BRIT base price", *os[0].BasePrice, d("10"))
	eq(t, "EURO base price", *os[2].BasePrice, d("11"))
	// 10 units in April: HOME's new price 9.50 wins.
	if os := best("10", "2026-04-02"); os[0].Supplier != "HOME" || !os[0].Price.Equal(d("9.5")) {
		t.Fatalf("april: %+v", os)
	}
	// 60 units: EURO's break from 50 (8.80 USD) wins.
	os = best("60", "2026-04-02")
	if os[0].Supplier != "EURO" || !os[0].MinQty.Equal(d("50")) {
		t.Fatalf("60 units: %+v", os)
	}
	// 2 units is below BRIT's minimum 5: its lowest break applies and says so.
	os = best("2", "2026-03-01")
	for _, o := range os {
		if o.Supplier == "BRIT" && (!o.MinQty.Equal(d("5")) || !o.SupplierMin.Equal(d("5")) || !o.PackQty.Equal(d("5"))) {
			t.Fatalf("below the minimum: %+v", o)
		}
	}
	// Priority beats price: EURO at priority 0 comes first at any price.
	addPrices(t, conn, purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("10"), MinQty: dp("1"), Priority: ip(0)})
	if os := best("10", "2026-03-01"); os[0].Supplier != "EURO" {
		t.Fatalf("priority: %+v", os)
	}
	// No supplier: an empty list.
	if os := best("1", "2026-03-01"); len(os) == 0 {
		t.Fatal("W has offers")
	}
	os, err := purchasing.Offers(ctx, conn, "LOT", d("1"), date("2026-03-01"))
	if err != nil || len(os) != 0 {
		t.Fatalf("LOT has no supplier: %v %v", os, err)
	}
}
