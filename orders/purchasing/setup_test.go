package purchasing_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
)

func d(s string) decimal.Decimal   { return decimal.RequireFromString(s) }
func dp(s string) *decimal.Decimal { v := d(s); return &v }
func str(s string) *string         { return &s }
func yes() *bool                   { b := true; return &b }
func ip(i int) *int                { return &i }
func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
func datep(s string) *time.Time { t := date(s); return &t }

var ctx = context.Background()

// setup makes a business in USD with EUR at 1.10 and GBP at 1.25 (from 2026-01-01);
// locations MAIN (bay R1) and NORTH; suppliers EURO (EUR), BRIT (GBP) and HOME (USD) and
// the customer CUST; products W (stock, 2 kg, 0.5 l), BOLT (pack box = 100), LOT
// (batch-tracked), SER (serialised), FEE (service) and OLD (inactive).
func setup(t *testing.T) *sqlx.DB {
	t.Helper()
	conn, _ := dbtest.New(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []string{"EUR", "GBP"} {
		_, err := currency.Add(ctx, conn, c, "")
		must(err)
	}
	_, err := currency.SetRate(ctx, conn, "EUR", d("1.10"), date("2026-01-01"))
	must(err)
	_, err = currency.SetRate(ctx, conn, "GBP", d("1.25"), date("2026-01-01"))
	must(err)
	for _, l := range []string{"MAIN", "NORTH"} {
		_, err := stock.AddLocation(ctx, conn, l, l, "", "")
		must(err)
	}
	_, err = stock.AddBay(ctx, conn, "MAIN", "R1", "")
	must(err)
	for code, cur := range map[string]string{"EURO": "EUR", "BRIT": "GBP", "HOME": "USD"} {
		_, err := company.Add(ctx, conn, code, company.Changes{Name: str(code + " supplies"), Supplier: yes(), Currency: str(cur)})
		must(err)
	}
	_, err = company.Add(ctx, conn, "CUST", company.Changes{Name: str("A customer"), Customer: yes()})
	must(err)
	for sku, ch := range map[string]catalog.Changes{
		"W":    {Name: str("Widget"), Weight: dp("2"), Volume: dp("0.5")},
		"BOLT": {Name: str("Bolt"), Weight: dp("0.01")},
		"LOT":  {Name: str("Lotted"), BatchTracked: yes()},
		"SER":  {Name: str("Serialised"), Serialized: yes()},
		"FEE":  {Name: str("Handling fee"), Type: str("service")},
		"OLD":  {Name: str("Old thing")},
	} {
		_, err := catalog.Add(ctx, conn, sku, ch)
		must(err)
	}
	_, err = catalog.AddPack(ctx, conn, "BOLT", "box", d("100"))
	must(err)
	_, err = conn.Exec(`UPDATE products SET active = false WHERE sku = 'OLD'`)
	must(err)
	return conn
}

// tx runs fn in a transaction and fails the test on an error it did not expect.
func tx(t *testing.T, conn *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	t.Helper()
	return db.InTx(ctx, conn, fn)
}

func addPrices(t *testing.T, conn *sqlx.DB, ins ...purchasing.PriceInput) []purchasing.Price {
	t.Helper()
	var ps []purchasing.Price
	if err := tx(t, conn, func(tx *sqlx.Tx) (err error) {
		ps, err = purchasing.AddPrices(ctx, tx, ins)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ps
}

func eq(t *testing.T, what string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s = %s, want %s", what, got, want)
	}
}
