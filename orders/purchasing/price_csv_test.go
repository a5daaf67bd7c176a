package purchasing_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/io/csvio"
	"github.com/stockctl/stockctl/orders/purchasing"
)

// importPrices imports text (rolled back when dry) and returns the result and the rejects.
func importPrices(t *testing.T, conn *sqlx.DB, text string, skip, dry bool) (csvio.Result, []csvio.Rejected, error) {
	t.Helper()
	r, err := csvio.NewReader(strings.NewReader(text), purchasing.PriceCSVColumns, purchasing.PriceCSVRequired, csvio.Options{})
	if err != nil {
		t.Fatalf("reading the header: %v", err)
	}
	var res csvio.Result
	var rejects []csvio.Rejected
	err = db.InBulk(ctx, conn, dry, func(b *db.Bulk) error {
		var err error
		res, err = purchasing.ImportPrices(ctx, b, r, csvio.ImportOptions{SkipInvalid: skip,
			Rejects: func(rj csvio.Rejected) error { rejects = append(rejects, rj); return nil }})
		return err
	})
	return res, rejects, err
}

func exportPrices(t *testing.T, conn *sqlx.DB, supplier string) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := purchasing.ExportPrices(ctx, conn, supplier, csvio.NewWriter(&buf)); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func wantCounts(t *testing.T, got csvio.Result, created, updated, unchanged, rejected int64) {
	t.Helper()
	if want := (csvio.Result{Created: created, Updated: updated, Unchanged: unchanged, Rejected: rejected}); got != want {
		t.Fatalf("import result %+v, want %+v", got, want)
	}
}

func priceOf(t *testing.T, conn *sqlx.DB, supplier, sku, minQty string) purchasing.Price {
	t.Helper()
	ps, err := purchasing.Prices(ctx, conn, purchasing.PriceFilter{Supplier: supplier, SKU: sku})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.MinQty.Equal(d(minQty)) {
			return p
		}
	}
	t.Fatalf("no price of %s for %s from %s in %+v", supplier, sku, minQty, ps)
	return purchasing.Price{}
}

const priceFile = `supplier,sku,price,currency,min_qty,supplier_sku,lead_days,pack,priority,valid_from,valid_until
EURO,W,9.50,,,,,,,,
EURO,W,8.75,EUR,30,,,5,,,
BRIT,BOLT,0.02,,1000,BB-1,7,box,2,2026-01-01,2026-12-31
BRIT,BOLT,0.015,gbp,2000,,,box,2,2026-01-01,
`

func TestImportPricesUpsertsAndExportReimportsUnchanged(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	addPrices(t, conn, purchasing.PriceInput{Supplier: "EURO", SKU: "W", Price: d("10"), SupplierSKU: str("ET-W"), LeadDays: ip(14)})

	// Dry run: the counts, nothing written.
	res, _, err := importPrices(t, conn, priceFile, false, true)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res, 3, 1, 0, 0)
	eq(t, "after the dry run", priceOf(t, conn, "EURO", "W", "1").Price, d("10"))

	res, _, err = importPrices(t, conn, priceFile, false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res, 3, 1, 0, 0)
	// Row 2 updated the price only: empty cells kept the part number and lead time.
	w1 := priceOf(t, conn, "EURO", "W", "1")
	if !w1.Price.Equal(d("9.5")) || w1.SupplierSKU != "ET-W" || w1.LeadDays == nil || *w1.LeadDays != 14 || w1.Currency != "EUR" {
		t.Fatalf("EURO W from 1: %+v", w1)
	}
	// Row 3, a new break: the supplier's part number for W, packs of 5, priority 1.
	w30 := priceOf(t, conn, "EURO", "W", "30")
	if !w30.Price.Equal(d("8.75")) || w30.SupplierSKU != "ET-W" || w30.PackQty == nil || !w30.PackQty.Equal(d("5")) ||
		w30.Priority != 1 || w30.LeadDays != nil {
		t.Fatalf("EURO W from 30: %+v", w30)
	}
	// Rows 4 and 5: the box is 100 BOLT; row 5 takes row 4's part number; currency defaulted
	// to the supplier's GBP on row 4 and typed lower case on row 5.
	b1 := priceOf(t, conn, "BRIT", "BOLT", "1000")
	b2 := priceOf(t, conn, "BRIT", "BOLT", "2000")
	if b1.Currency != "GBP" || b1.PackUnit != "box" || !b1.PackQty.Equal(d("100")) || b1.Priority != 2 || *b1.LeadDays != 7 ||
		b1.ValidFrom.Format("2006-01-02") != "2026-01-01" || b1.ValidUntil.Format("2006-01-02") != "2026-12-31" {
		t.Fatalf("BRIT BOLT from 1000: %+v", b1)
	}
	if b2.Currency != "GBP" || b2.SupplierSKU != "BB-1" || !b2.Price.Equal(d("0.015")) || b2.ValidUntil != nil {
		t.Fatalf("BRIT BOLT from 2000: %+v", b2)
	}

	// The same file again changes nothing.
	res, _, err = importPrices(t, conn, priceFile, false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res, 0, 0, 4, 0)

	// The export, with every column, reads back unchanged; the file above, without the unit
	// column, imported prices per stock unit: their unit is ea.
	out := exportPrices(t, conn, "")
	want := `supplier,sku,price,currency,min_qty,supplier_sku,lead_days,pack,priority,valid_from,valid_until,unit
BRIT,BOLT,0.02,GBP,1000,BB-1,7,box,2,2026-01-01,2026-12-31,ea
BRIT,BOLT,0.015,GBP,2000,BB-1,,box,2,2026-01-01,,ea
EURO,W,9.5,EUR,1,ET-W,14,,1,,,ea
EURO,W,8.75,EUR,30,ET-W,,5,1,,,ea
`
	if out != want {
		t.Fatalf("export:\n%s\nwant:\n%s", out, want)
	}
	res, _, err = importPrices(t, conn, out, false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res, 0, 0, 4, 0)
	if got := exportPrices(t, conn, "EURO"); strings.Count(got, "\n") != 3 || strings.Contains(got, "BRIT") {
		t.Fatalf("export of EURO:\n%s", got)
	}
	if _, err := purchasing.ExportPrices(ctx, conn, "CUST", csvio.NewWriter(&bytes.Buffer{})); err == nil {
		t.Fatal("exporting a customer's prices: no error")
	}
}

func TestImportPricesRejectsBadRowsBeforeWriting(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	file := `supplier,sku,price,currency,min_qty,pack,valid_from,valid_until
EURO,W,10,,,,,
NOBODY,W,1,,,,,
CUST,W,1,,,,,
EURO,NOPE,1,,,,,
EURO,BOLT,abc,,,,,
EURO,BOLT,,,5,,,
EURO,BOLT,1,,,crate,,
EURO,W,11,,,,,
HOME,W,1,JPY,,,,
HOME,W,2,,,,2026-03-01,2026-02-01
HOME,W,3,,1.5,,,
`
	res, rejects, err := importPrices(t, conn, file, false, false)
	if !errors.Is(err, csvio.ErrRowsInvalid) {
		t.Fatalf("want ErrRowsInvalid, got %v", err)
	}
	if res.Rejected != 10 {
		t.Fatalf("rejected %d: %+v", res.Rejected, rejects)
	}
	if ps, _ := purchasing.Prices(ctx, conn, purchasing.PriceFilter{}); len(ps) != 0 {
		t.Fatalf("written although rows were bad: %+v", ps)
	}
	wantReject := map[int]struct{ col, reason string }{
		3:  {"supplier", "unknown supplier"},
		4:  {"supplier", "CUST is not a supplier"},
		5:  {"sku", "does not exist"},
		6:  {"price", "not a number"},
		7:  {"price", "a new supplier price needs a price"},
		8:  {"pack", "no pack unit crate"},
		9:  {"min_qty", "on row 2 too"},
		10: {"currency", "unknown currency JPY"},
		11: {"valid_until", "before valid from 2026-03-01"},
		12: {"min_qty", "more decimals than the unit ea keeps (0)"},
	}
	for _, rj := range rejects {
		w, ok := wantReject[rj.Row]
		if !ok || len(rj.Errors) != 1 || rj.Errors[0].Column != w.col || !strings.Contains(rj.Errors[0].Reason, w.reason) {
			t.Fatalf("row %d: %+v, want %s: %s", rj.Row, rj.Errors, w.col, w.reason)
		}
		delete(wantReject, rj.Row)
	}
	if len(wantReject) != 0 {
		t.Fatalf("not rejected: %v", wantReject)
	}

	// --skip-invalid: the one good row is written.
	res, _, err = importPrices(t, conn, file, true, false)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res, 1, 0, 0, 10)
	eq(t, "EURO W", priceOf(t, conn, "EURO", "W", "1").Price, d("10"))
}

// The unit column: what a row's price is per (a pack unit or a unit of the category); empty
// keeps an existing row's unit, and min_qty stays in stock units.
func TestImportPricesPerUnit(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	// BOLT's box is 100 ea: 1.80 per box from 200 ea is 0.018 per ea.
	res, _, err := importPrices(t, conn, `supplier,sku,price,min_qty,unit
EURO,BOLT,1.80,200,box
EURO,W,3,1,ea
`, false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res, 2, 0, 0, 0)
	b := priceOf(t, conn, "EURO", "BOLT", "200")
	if b.Unit != "box" || !b.UnitQty.Equal(d("100")) || !b.Price.Equal(d("1.8")) {
		t.Fatalf("BOLT per box: %+v", b)
	}
	if w := priceOf(t, conn, "EURO", "W", "1"); w.Unit != "ea" || !w.UnitQty.Equal(d("1")) {
		t.Fatalf("W per ea: %+v", w)
	}
	os, err := purchasing.Offers(ctx, conn, "BOLT", d("200"), clock.Today())
	if err != nil || len(os) != 1 || !os[0].Price.Equal(d("0.018")) {
		t.Fatalf("offer per ea: %+v %v", os, err)
	}
	// A new price without the unit column, then an empty unit cell on the box row: per ea for
	// the new row, still per box for the existing one (its price changed to 1.70 per box).
	res, _, err = importPrices(t, conn, `supplier,sku,price,min_qty,unit
EURO,BOLT,1.70,200,
EURO,BOLT,0.02,100,
`, false, false)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res, 1, 1, 0, 0)
	if b := priceOf(t, conn, "EURO", "BOLT", "200"); b.Unit != "box" || !b.Price.Equal(d("1.7")) {
		t.Fatalf("BOLT per box after an empty unit: %+v", b)
	}
	if b := priceOf(t, conn, "EURO", "BOLT", "100"); b.Unit != "ea" {
		t.Fatalf("new BOLT row: %+v", b)
	}
	// Units that do not fit are refused by row and column: kg is no count unit, crate no
	// pack of BOLT; dozen is 12 ea, exact.
	res, rejects, err := importPrices(t, conn, `supplier,sku,price,min_qty,unit
EURO,BOLT,1,5,kg
EURO,BOLT,1,6,crate
EURO,W,30,12,dozen
`, false, false)
	if !errors.Is(err, csvio.ErrRowsInvalid) || res.Rejected != 2 || len(rejects) != 2 {
		t.Fatalf("bad units: %+v %+v %v", res, rejects, err)
	}
	for i, r := range rejects {
		if len(r.Errors) != 1 || r.Errors[0].Column != "unit" || r.Errors[0].Row != i+2 {
			t.Fatalf("reject %d: %+v", i, r)
		}
	}
}
