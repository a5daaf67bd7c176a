package purchasing_test

import (
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
	rfqs "github.com/stockctl/stockctl/orders/rfq"
)

// textRows reads a query's rows as one string each, for before/after comparisons.
func textRows(t *testing.T, conn *sqlx.DB, query string, args ...any) string {
	t.Helper()
	var out []string
	if err := conn.Select(&out, query, args...); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(out)
}

func shortfalls(t *testing.T, conn *sqlx.DB) string {
	t.Helper()
	sf, err := purchasing.ReorderShortfalls(ctx, conn, "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range sf {
		out = append(out, fmt.Sprintf("%s@%s %s", s.SKU, s.Location, s.Qty))
	}
	return fmt.Sprint(out)
}

func clean(t *testing.T, conn *sqlx.DB) {
	t.Helper()
	if vs, err := stock.Check(ctx, conn); err != nil || len(vs) > 0 {
		t.Fatalf("stock check: %+v, %v", vs, err)
	}
}

const rfqRows = `SELECT concat_ws('|', number, status, po_id) FROM rfqs ORDER BY id`
const activityRows = `SELECT concat_ws('|', p.sku, sum(a.on_hand), sum(a.allocated), sum(a.open_orders), sum(a.moves))
	FROM product_activity a JOIN products p ON p.id = a.product_id GROUP BY p.sku ORDER BY p.sku`

// A purchase order made from an RFQ and ordered is cancelled: the RFQ is quoted again, the
// stock it promised is no longer on order (po generate orders the shortfall again) and the
// product's activity is as before the PO.
func TestCancelPOAsIfNeverMade(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	// W at MAIN: minimum 10, maximum 30, nothing on hand: 0 + 0 open < 10, order up to 30.
	levels(t, conn, "W", "MAIN", "10", "30")
	rfq := newRFQ(t, conn, rfqs.NewRFQInput{Supplier: "EURO", Location: "MAIN"}, [2]string{"W", "20"})
	if _, err := quote(t, conn, rfq.Number, 1, rfqs.QuoteInput{Price: d("4"), Date: datep("2026-05-01")}); err != nil {
		t.Fatal(err)
	}
	beforeRFQ, beforeActivity, beforeShort := textRows(t, conn, rfqRows), textRows(t, conn, activityRows), shortfalls(t, conn)
	if beforeShort != "[W@MAIN 30]" {
		t.Fatalf("shortfalls before the PO = %s, want W@MAIN 30", beforeShort)
	}
	po, err := convert(t, conn, rfq.Number, rfqs.ConvertInput{Date: datep("2026-05-02")})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := purchasing.Order(ctx, tx, po.Number, datep("2026-05-02"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// 0 on hand + 20 on order is not below the minimum 10: nothing to reorder.
	if got := shortfalls(t, conn); got != "[]" {
		t.Fatalf("shortfalls with the PO ordered = %s, want none", got)
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := purchasing.Cancel(ctx, tx, po.Number)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for what, c := range map[string][2]string{
		"rfqs":       {beforeRFQ, textRows(t, conn, rfqRows)},
		"activity":   {beforeActivity, textRows(t, conn, activityRows)},
		"shortfalls": {beforeShort, shortfalls(t, conn)},
	} {
		if c[0] != c[1] {
			t.Fatalf("%s: before the PO %s, after its cancel %s", what, c[0], c[1])
		}
	}
	clean(t, conn)
}

func compare(t *testing.T, conn *sqlx.DB) string {
	t.Helper()
	cs, err := rfqs.Compare(ctx, conn, "W", date("2026-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%d %s %s %s %s best=%v", c.Rank, c.RFQ, c.Supplier, c.Price, c.BasePrice, c.Best))
	}
	return fmt.Sprint(out)
}

// A quoted RFQ is cancelled: rfq compare ranks the other quotes as before it was made.
func TestCancelRFQAsIfNeverMade(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	home := newRFQ(t, conn, rfqs.NewRFQInput{Supplier: "HOME", Location: "MAIN"}, [2]string{"W", "50"})
	if _, err := quote(t, conn, home.Number, 1, rfqs.QuoteInput{Price: d("3"), Date: datep("2026-05-01")}); err != nil {
		t.Fatal(err)
	}
	// HOME alone: 3 USD, the best.
	before := compare(t, conn)
	if before != "[1 "+home.Number+" HOME 3 3 best=true]" {
		t.Fatalf("compare before = %s", before)
	}
	// EURO quotes 2.50 EUR = 2.50 × 1.10 = 2.75 USD: better than HOME's 3.
	euro := newRFQ(t, conn, rfqs.NewRFQInput{Supplier: "EURO", Location: "MAIN"}, [2]string{"W", "50"})
	if _, err := quote(t, conn, euro.Number, 1, rfqs.QuoteInput{Price: d("2.50"), Date: datep("2026-05-01")}); err != nil {
		t.Fatal(err)
	}
	if got := compare(t, conn); got != "[1 "+euro.Number+" EURO 2.5 2.75 best=true 2 "+home.Number+" HOME 3 3 best=false]" {
		t.Fatalf("compare with EURO's quote = %s", got)
	}
	if err := tx(t, conn, func(tx *sqlx.Tx) error {
		_, err := rfqs.CancelRFQ(ctx, tx, euro.Number)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := compare(t, conn); got != before {
		t.Fatalf("compare after the cancel = %s, before EURO's RFQ %s", got, before)
	}
	clean(t, conn)
}
