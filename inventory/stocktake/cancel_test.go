package stocktake_test

import (
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/inventory/stocktake"
)

func (w *world) rows(query string) string {
	w.t.Helper()
	var out []string
	if err := w.conn.Select(&out, query); err != nil {
		w.t.Fatal(err)
	}
	return fmt.Sprint(out)
}

const quantRows = `SELECT concat_ws('|', p.sku, l.code, y.code, b.number, n.serial, q.qty) FROM stock_quants q
	JOIN products p ON p.id = q.product_id JOIN locations l ON l.id = q.location_id LEFT JOIN bays y ON y.id = q.bay_id
	LEFT JOIN batches b ON b.id = q.batch_id LEFT JOIN serials n ON n.id = q.serial_id
	ORDER BY p.sku, l.code, y.code NULLS FIRST, b.number NULLS FIRST, n.serial NULLS FIRST`
const openRows = `SELECT concat_ws('|', s.number, p.sku) FROM stocktake_products x JOIN stocktakes s ON s.id = x.stocktake_id
	JOIN products p ON p.id = x.product_id WHERE x.open ORDER BY 1`

// A counted stocktake is cancelled: stock is as it was (its counts are never posted), no
// product is held by it any more, and a new stocktake of the same products snapshots the
// same expected quantities the cancelled one did.
func TestCancelStocktakeAsIfNeverMade(t *testing.T) {
	t.Parallel()
	w := setup(t)
	beforeQuants, beforeOpen := w.rows(quantRows), w.rows(openRows)
	st := w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"PLAIN", "LOT"}})
	// PLAIN at MAIN: 10 in bay A1 and 5 outside a bay; counted 8 in A1 (variance −2).
	w.mustCount(st.Number, stocktake.Count{SKU: "PLAIN", Bay: "A1", Qty: d("8")})
	if got := w.rows(openRows); got != "["+st.Number+"|LOT "+st.Number+"|PLAIN]" {
		t.Fatalf("open stocktake products = %s", got)
	}
	var cancelled stocktake.Doc
	w.tx(func(tx *sqlx.Tx) (err error) { cancelled, err = stocktake.Cancel(ctx, tx, st.Number); return err })
	if cancelled.Status != stocktake.Cancelled {
		t.Fatalf("%s is %s", st.Number, cancelled.Status)
	}
	if q, o := w.rows(quantRows), w.rows(openRows); q != beforeQuants || o != beforeOpen {
		t.Fatalf("after the cancel: quants %s, open %s; before the stocktake %s, %s", q, o, beforeQuants, beforeOpen)
	}
	// PLAIN A1 still 10: the count of 8 was never posted.
	if v := w.quant("PLAIN", "A1", "", ""); !v.Equal(d("10")) {
		t.Fatalf("PLAIN in A1 = %s, want 10", v)
	}
	again := w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"PLAIN", "LOT"}})
	expected := func(doc stocktake.Doc) string {
		var out []string
		for _, l := range doc.Lines {
			out = append(out, fmt.Sprintf("%s %s %s %s", l.SKU, deref(l.Bay), deref(l.Batch), l.Expected))
		}
		return fmt.Sprint(out)
	}
	// LOT: B1 20, B2 5; PLAIN: 5 outside a bay, 10 in A1.
	if a, b := expected(st), expected(again); a != b || a != "[LOT  B1 20 LOT  B2 5 PLAIN   5 PLAIN A1  10]" {
		t.Fatalf("snapshot of the new stocktake %s, of the cancelled one %s", b, a)
	}
	w.checkClean()
}
