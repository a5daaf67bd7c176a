package stocktake_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/barcode"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/inventory/stocktake"
	"github.com/stockctl/stockctl/io/csvio"
)

var ctx = context.Background()

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func str(s string) *string       { return &s }
func yes() *bool                 { b := true; return &b }

// gtin makes a valid EAN-13 from a 12-digit body.
func gtin(t *testing.T, body string) string {
	c, err := barcode.CheckDigit(body)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s%d", body, c)
}

// world is a location MAIN with bays A1 and A2 and products:
//
//	PLAIN   10 in A1 and 5 outside bays, at 2.00           (category tools)
//	LOT     batch B1 20 at 1.50 and B2 5 at 3.00: avg 1.80  (category rope)
//	SER     serials S1 and S2 in A1 at 100                  (category tools)
//	BOXED   none; pack box = 12, with barcodes for one and for a box
//
// and a second location NORTH with 7 PLAIN.
type world struct {
	t            *testing.T
	conn         *sqlx.DB
	unitCode     string
	boxCode      string
	serialRefCnt int
}

func setup(t *testing.T) *world {
	t.Helper()
	conn, _ := dbtest.New(t)
	w := &world{t: t, conn: conn}
	w.tx(func(tx *sqlx.Tx) error {
		for _, l := range []string{"MAIN", "NORTH"} {
			if _, err := stock.AddLocation(ctx, tx, l, l, "", ""); err != nil {
				return err
			}
		}
		for _, b := range []string{"A1", "A2"} {
			if _, err := stock.AddBay(ctx, tx, "MAIN", b, ""); err != nil {
				return err
			}
		}
		for sku, ch := range map[string]catalog.Changes{
			"PLAIN": {Name: str("Plain"), Category: str("tools")},
			"LOT":   {Name: str("Lot"), BatchTracked: yes(), Category: str("rope")},
			"SER":   {Name: str("Serial"), Serialized: yes(), Category: str("tools")},
			"BOXED": {Name: str("Boxed"), Category: str("boxes")},
		} {
			if _, err := catalog.Add(ctx, tx, sku, ch); err != nil {
				return err
			}
		}
		if _, err := catalog.AddPack(ctx, tx, "BOXED", "box", d("12")); err != nil {
			return err
		}
		w.unitCode, w.boxCode = gtin(t, "200000000010"), gtin(t, "200000000011")
		if _, err := catalog.AddBarcode(ctx, tx, "BOXED", w.unitCode, "", ""); err != nil {
			return err
		}
		if _, err := catalog.AddBarcode(ctx, tx, "BOXED", w.boxCode, "", "box"); err != nil {
			return err
		}
		cost := func(s string) *decimal.Decimal { v := d(s); return &v }
		_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{
			{SKU: "PLAIN", Location: "MAIN", Qty: d("10"), Bay: "A1", UnitCost: cost("2")},
			{SKU: "PLAIN", Location: "MAIN", Qty: d("5"), UnitCost: cost("2")},
			{SKU: "PLAIN", Location: "NORTH", Qty: d("7"), UnitCost: cost("2")},
			{SKU: "LOT", Location: "MAIN", Qty: d("20"), Batch: "B1", UnitCost: cost("1.5")},
			{SKU: "LOT", Location: "MAIN", Qty: d("5"), Batch: "B2", UnitCost: cost("3")},
			{SKU: "SER", Location: "MAIN", Qty: d("2"), Serials: []string{"S1", "S2"}, Bay: "A1", UnitCost: cost("100")},
		}, "")
		return err
	})
	return w
}

func (w *world) tx(fn func(tx *sqlx.Tx) error) {
	w.t.Helper()
	if err := db.InTx(ctx, w.conn, fn); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) newST(r stocktake.Request) (stocktake.Doc, error) {
	var doc stocktake.Doc
	err := db.InTx(ctx, w.conn, func(tx *sqlx.Tx) (err error) {
		doc, err = stocktake.New(ctx, tx, r)
		return err
	})
	return doc, err
}

func (w *world) mustNew(r stocktake.Request) stocktake.Doc {
	w.t.Helper()
	doc, err := w.newST(r)
	if err != nil {
		w.t.Fatal(err)
	}
	return doc
}

func (w *world) count(number string, cs ...stocktake.Count) ([]stocktake.Counted, error) {
	var out []stocktake.Counted
	err := db.InTx(ctx, w.conn, func(tx *sqlx.Tx) (err error) {
		out, err = stocktake.Record(ctx, tx, number, cs)
		return err
	})
	return out, err
}

func (w *world) mustCount(number string, cs ...stocktake.Count) []stocktake.Counted {
	w.t.Helper()
	out, err := w.count(number, cs...)
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

func (w *world) post(number string, opt stocktake.PostOptions) (stocktake.Doc, []stock.AdjustedMove, error) {
	var doc stocktake.Doc
	var moves []stock.AdjustedMove
	err := db.InTx(ctx, w.conn, func(tx *sqlx.Tx) (err error) {
		doc, moves, err = stocktake.Post(ctx, tx, number, opt)
		return err
	})
	return doc, moves, err
}

func (w *world) mustPost(number string, opt stocktake.PostOptions) (stocktake.Doc, []stock.AdjustedMove) {
	w.t.Helper()
	doc, moves, err := w.post(number, opt)
	if err != nil {
		w.t.Fatal(err)
	}
	w.checkClean()
	return doc, moves
}

func (w *world) get(number string) stocktake.Doc {
	w.t.Helper()
	doc, err := stocktake.Get(ctx, w.conn, number)
	if err != nil {
		w.t.Fatal(err)
	}
	return doc
}

// adjust posts a plain stock adjustment, standing for any stock movement.
func (w *world) adjust(a stock.Adjustment) {
	w.t.Helper()
	w.tx(func(tx *sqlx.Tx) error {
		_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{a}, "")
		return err
	})
}

// quant is the stock of a product at MAIN in one bay ("" outside bays), batch and serial.
func (w *world) quant(sku, bay, batch, serial string) decimal.Decimal {
	w.t.Helper()
	var v decimal.Decimal
	err := w.conn.Get(&v, `SELECT coalesce(sum(q.qty), 0) FROM stock_quants q
		JOIN products p ON p.id = q.product_id JOIN locations l ON l.id = q.location_id AND l.code = 'MAIN'
		LEFT JOIN bays y ON y.id = q.bay_id LEFT JOIN batches b ON b.id = q.batch_id LEFT JOIN serials n ON n.id = q.serial_id
		WHERE p.sku = $1 AND coalesce(y.code, '') = $2 AND coalesce(b.number, '') = $3 AND coalesce(n.serial, '') = $4`,
		sku, bay, batch, serial)
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

func (w *world) checkClean() {
	w.t.Helper()
	var vs []stock.Violation
	w.tx(func(tx *sqlx.Tx) (err error) {
		vs, err = stock.Check(ctx, tx)
		return err
	})
	if len(vs) > 0 {
		w.t.Fatalf("stock check after posting: %+v", vs)
	}
}

func find(t *testing.T, doc stocktake.Doc, sku, bay, batch, serial string) stocktake.Line {
	t.Helper()
	for _, l := range doc.Lines {
		if l.SKU == sku && deref(l.Bay) == bay && deref(l.Batch) == batch && deref(l.Serial) == serial {
			return l
		}
	}
	t.Fatalf("%s has no line %s/%s/%s/%s; lines: %s", doc.Number, sku, bay, batch, serial, dump(doc.Lines))
	return stocktake.Line{}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func dump(lines []stocktake.Line) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "\n  %s bay=%s batch=%s serial=%s expected=%v counted=%v on_hand=%v variance=%v", l.SKU, deref(l.Bay),
			deref(l.Batch), deref(l.Serial), l.Expected, l.Counted, l.OnHand, l.Variance)
	}
	return b.String()
}

func eq(t *testing.T, what string, got *decimal.Decimal, want string) {
	t.Helper()
	if want == "" {
		if got != nil {
			t.Fatalf("%s: want none, got %s", what, got)
		}
		return
	}
	if got == nil || !got.Equal(d(want)) {
		t.Fatalf("%s: want %s, got %v", what, want, got)
	}
}

func TestNewSnapshotsEveryProductBayBatchAndSerial(t *testing.T) {
	t.Parallel()
	w := setup(t)
	doc := w.mustNew(stocktake.Request{Location: "MAIN", Narrative: "year end"})
	if doc.Number != "ST-000001" || doc.Status != stocktake.Open || doc.Scope != stocktake.ScopeAll || doc.Location != "MAIN" {
		t.Fatalf("header: %+v", doc.Summary)
	}
	// PLAIN in A1 and outside bays, LOT in two batches, SER two serials; BOXED has no stock.
	if len(doc.Lines) != 6 || doc.Counted != 0 || doc.Uncounted != 6 {
		t.Fatalf("lines: %s", dump(doc.Lines))
	}
	eq(t, "PLAIN outside bays", find(t, doc, "PLAIN", "", "", "").Expected, "5")
	eq(t, "PLAIN A1", find(t, doc, "PLAIN", "A1", "", "").Expected, "10")
	eq(t, "LOT B1", find(t, doc, "LOT", "", "B1", "").Expected, "20")
	eq(t, "LOT B2", find(t, doc, "LOT", "", "B2", "").Expected, "5")
	s1 := find(t, doc, "SER", "A1", "", "S1")
	eq(t, "S1", s1.Expected, "1")
	if s1.Moved == nil || *s1.Moved || s1.Variance != nil {
		t.Fatalf("nothing moved, nothing counted: %+v", s1)
	}
	eq(t, "variance value of nothing counted", doc.VarianceValue, "0")

	// Numbers come from the sequence; a --sku stocktake at another location lists a product
	// named without stock there as expecting 0.
	doc2 := w.mustNew(stocktake.Request{Location: "NORTH", SKUs: []string{"PLAIN", "BOXED", "PLAIN"}})
	if doc2.Number != "ST-000002" || doc2.Scope != stocktake.ScopeSKU || len(doc2.Lines) != 2 {
		t.Fatalf("sku stocktake: %+v %s", doc2.Summary, dump(doc2.Lines))
	}
	eq(t, "BOXED at NORTH", find(t, doc2, "BOXED", "", "", "").Expected, "0")
	eq(t, "PLAIN at NORTH", find(t, doc2, "PLAIN", "", "", "").Expected, "7")

	// Bad requests name what is wrong.
	for _, c := range []struct {
		r     stocktake.Request
		kind  fault.Kind
		field string
		msg   string
	}{
		{stocktake.Request{Location: "NOPE"}, fault.NotFound, "location", "unknown location"},
		{stocktake.Request{Location: "MAIN", SKUs: []string{"PLAIN"}, Category: "tools"}, fault.Invalid, "category", "not both"},
		{stocktake.Request{Location: "MAIN", Category: "nothing"}, fault.Invalid, "category", `no stock-tracked product has category "nothing"`},
		{stocktake.Request{Location: "MAIN", SKUs: []string{"GHOST"}}, fault.NotFound, "", "GHOST does not exist"},
	} {
		_, err := w.newST(c.r)
		if fault.KindOf(err) != c.kind || fault.FieldOf(err) != c.field || err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: got %v (kind %v, field %q)", c.r, err, fault.KindOf(err), fault.FieldOf(err))
		}
	}
}

// Rules such as "the base currency cannot change once documents exist" read the documents
// view; every migration that redefines it must keep the stocktake branch.
func TestDocumentsViewListsStocktakes(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN"})
	var kinds []string
	if err := w.conn.Select(&kinds, `SELECT kind || ' ' || number FROM documents WHERE kind = 'stocktake'`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(kinds, ",") != "stocktake ST-000001" {
		var def string
		_ = w.conn.Get(&def, `SELECT pg_get_viewdef('documents'::regclass)`)
		t.Fatalf("documents lists %v: a migration after 00006 redefined the view without the stocktake branch "+
			"(UNION ALL SELECT 'stocktake', number, created_at FROM stocktakes); it is now:\n%s", kinds, def)
	}
}

func TestOneOpenStocktakePerProductAndLocation(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN", Category: "tools"}) // PLAIN and SER
	_, err := w.newST(stocktake.Request{Location: "MAIN", SKUs: []string{"LOT", "PLAIN"}})
	if !fault.Is(err, fault.Conflict) || !strings.Contains(err.Error(), "PLAIN at MAIN already in open stocktake ST-000001") {
		t.Fatalf("overlap: %v", err)
	}
	// Other products at the same location, and the same product elsewhere, are fine; the
	// refusal took no number.
	if doc := w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"LOT"}}); doc.Number != "ST-000002" {
		t.Fatalf("number after a refusal: %s", doc.Number)
	}
	w.mustNew(stocktake.Request{Location: "NORTH", SKUs: []string{"PLAIN"}})
	// The database refuses it whatever code path tries.
	_, err = w.conn.Exec(`INSERT INTO stocktake_products (stocktake_id, product_id, location_id)
		SELECT s.id, p.id, s.location_id FROM stocktakes s, products p WHERE s.number = 'ST-000002' AND p.sku = 'PLAIN'`)
	if db.Constraint(err) != "stocktake_products_open" {
		t.Fatalf("unique partial index: %v", err)
	}
	// A --sku stocktake counts only its products.
	_, err = w.count("ST-000003", stocktake.Count{SKU: "BOXED", Qty: d("1")})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "not on stocktake ST-000003") {
		t.Fatalf("sku scope: %v", err)
	}
	// Cancelled, the products are free again.
	var cancelled stocktake.Doc
	w.tx(func(tx *sqlx.Tx) (err error) { cancelled, err = stocktake.Cancel(ctx, tx, "ST-000001"); return err })
	if cancelled.Status != stocktake.Cancelled || cancelled.CancelledAt == nil {
		t.Fatalf("cancelled: %+v", cancelled.Summary)
	}
	doc := w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"PLAIN"}})
	if doc.Status != stocktake.Open || len(doc.Lines) != 2 {
		t.Fatalf("after cancel: %+v", doc.Summary)
	}
}

func TestConcurrentNewTakesEachProductOnce(t *testing.T) {
	t.Parallel()
	w := setup(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = w.newST(stocktake.Request{Location: "MAIN", SKUs: []string{"PLAIN", "LOT"}})
		}(i)
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !fault.Is(err, fault.Conflict):
			t.Fatalf("unexpected: %v", err)
		}
	}
	var open int
	if err := w.conn.Get(&open, `SELECT count(*) FROM stocktake_products WHERE open`); err != nil {
		t.Fatal(err)
	}
	if ok != 1 || open != 2 {
		t.Fatalf("%d stocktakes started, %d products open; want 1 and 2", ok, open)
	}
}

func TestCountsAndPostWithoutMoves(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN"})
	// PLAIN is in two places: a count must say which. Its bay then decides the line.
	_, err := w.count("ST-000001", stocktake.Count{SKU: "PLAIN", Qty: d("8")})
	if fault.FieldOf(err) != "bay" || !strings.Contains(err.Error(), "bay A1, outside bays") {
		t.Fatalf("ambiguous bay: %v", err)
	}
	got := w.mustCount("ST-000001",
		stocktake.Count{SKU: "PLAIN", Qty: d("8"), Bay: "A1"},
		stocktake.Count{SKU: "PLAIN", Qty: d("5"), Bay: stocktake.NoBay},
		stocktake.Count{SKU: "PLAIN", Qty: d("3"), Bay: "A2"}, // found where none was expected
	)
	if len(got) != 3 || deref(got[0].Bay) != "A1" || got[2].Bay == nil || *got[2].Bay != "A2" {
		t.Fatalf("counted lines: %+v", got)
	}
	// A count replaces the one before; --add adds.
	w.mustCount("ST-000001", stocktake.Count{SKU: "PLAIN", Qty: d("7"), Bay: "A1"})
	w.mustCount("ST-000001", stocktake.Count{SKU: "PLAIN", Qty: d("1"), Bay: "A1", Add: true})

	doc := w.get("ST-000001")
	a1 := find(t, doc, "PLAIN", "A1", "", "")
	eq(t, "A1 counted", a1.Counted, "8")
	eq(t, "A1 variance 8 - 10", a1.Variance, "-2")
	eq(t, "A1 value -2 x 2.00", a1.VarianceValue, "-4")
	eq(t, "outside bays variance", find(t, doc, "PLAIN", "", "", "").Variance, "0")
	a2 := find(t, doc, "PLAIN", "A2", "", "")
	eq(t, "A2 expected", a2.Expected, "0")
	eq(t, "A2 variance", a2.Variance, "3")
	eq(t, "total -4 + 6", doc.VarianceValue, "2")
	if doc.Counted != 3 || doc.Uncounted != 4 {
		t.Fatalf("counted %d uncounted %d", doc.Counted, doc.Uncounted)
	}

	doc, moves := w.mustPost("ST-000001", stocktake.PostOptions{})
	if doc.Status != stocktake.Posted || doc.PostedAt == nil || len(moves) != 2 {
		t.Fatalf("posted: %+v %+v", doc.Summary, moves)
	}
	if got := w.quant("PLAIN", "A1", "", ""); !got.Equal(d("8")) {
		t.Fatalf("A1 after posting: %s", got)
	}
	if got := w.quant("PLAIN", "A2", "", ""); !got.Equal(d("3")) {
		t.Fatalf("A2 after posting: %s", got)
	}
	// Uncounted lines are left alone.
	if got := w.quant("LOT", "", "B1", ""); !got.Equal(d("20")) {
		t.Fatalf("LOT B1 uncounted: %s", got)
	}
	// The moves: kind stocktake, the ~stocktake location on the other side, GL 5210, the
	// number as reference, at the average cost.
	var ms []struct {
		Kind, Ref, GL, From, To string
		Qty, Cost               decimal.Decimal
	}
	err = w.conn.Select(&ms, `SELECT m.kind, m.reference AS ref, m.gl_code AS gl, f.code AS "from", t.code AS "to", m.qty, m.unit_cost AS cost
		FROM stock_moves m JOIN locations f ON f.id = m.from_location_id JOIN locations t ON t.id = m.to_location_id
		WHERE m.kind = 'stocktake' ORDER BY m.id`)
	if err != nil {
		t.Fatal(err)
	}
	// Stock coming in goes first (A2's 3), then stock going out (A1's 2), so on hand never
	// dips below what is allocated.
	if len(ms) != 2 || ms[1].From != "MAIN" || ms[1].To != "~stocktake" || !ms[1].Qty.Equal(d("2")) ||
		ms[0].From != "~stocktake" || ms[0].To != "MAIN" || !ms[0].Qty.Equal(d("3")) ||
		ms[0].GL != "5210" || ms[0].Ref != "ST-000001" || !ms[0].Cost.Equal(d("2")) || !ms[1].Cost.Equal(d("2")) {
		t.Fatalf("moves: %+v", ms)
	}

	// Posted is final: no second posting, no counts, no cancel, not even behind our back.
	_, _, err = w.post("ST-000001", stocktake.PostOptions{})
	if e, ok := stocktake.AsStateError(err); !ok || e.Status != stocktake.Posted || !fault.Is(err, fault.Conflict) {
		t.Fatalf("second post: %v", err)
	}
	if _, err := w.count("ST-000001", stocktake.Count{SKU: "PLAIN", Qty: d("1"), Bay: "A1"}); !fault.Is(err, fault.Conflict) {
		t.Fatalf("count after post: %v", err)
	}
	if err := db.InTx(ctx, w.conn, func(tx *sqlx.Tx) error { _, err := stocktake.Cancel(ctx, tx, "ST-000001"); return err }); !fault.Is(err, fault.Conflict) {
		t.Fatalf("cancel after post: %v", err)
	}
	_, err = w.conn.Exec(`UPDATE stocktake_lines SET counted = 99 WHERE counted IS NOT NULL`)
	if err == nil || !strings.Contains(err.Error(), "stocktake ST-000001 is posted: it cannot be changed") {
		t.Fatalf("trigger: %v", err)
	}
	// Shown after posting: what was posted, at the cost it was posted at.
	doc = w.get("ST-000001")
	eq(t, "posted A1", find(t, doc, "PLAIN", "A1", "", "").Variance, "-2")
	eq(t, "left alone", find(t, doc, "LOT", "", "B1", "").Variance, "")
	eq(t, "posted value", doc.VarianceValue, "2")
}

// The worked example of stocktake post --help and the README: 10 expected in A1; 3 leave
// before the count, the counter counts 6 (one is missing), 2 arrive after the count. On
// hand is then 10 - 3 + 2 = 9.
func movedSinceSnapshot(t *testing.T) *world {
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"PLAIN"}})
	w.adjust(stock.Adjustment{SKU: "PLAIN", Location: "MAIN", Qty: d("-3"), Bay: "A1"})
	w.mustCount("ST-000001", stocktake.Count{SKU: "PLAIN", Qty: d("6"), Bay: "A1"})
	w.adjust(stock.Adjustment{SKU: "PLAIN", Location: "MAIN", Qty: d("2"), Bay: "A1"})
	doc := w.get("ST-000001")
	l := find(t, doc, "PLAIN", "A1", "", "")
	eq(t, "expected", l.Expected, "10")
	eq(t, "on hand", l.OnHand, "9")
	eq(t, "net moves", l.NetMoves, "-1")
	eq(t, "book when counted", l.OnHandWhenCounted, "7")
	eq(t, "variance 6 - 7", l.Variance, "-1")
	if l.Moved == nil || !*l.Moved || *doc.Moved != 1 {
		t.Fatalf("the line is flagged as moved: %+v", l)
	}
	// Outside bays nothing moved.
	if o := find(t, doc, "PLAIN", "", "", ""); o.Moved == nil || *o.Moved {
		t.Fatalf("outside bays did not move: %+v", o)
	}
	return w
}

func TestPostKeepsMovesAfterTheCountByDefault(t *testing.T) {
	t.Parallel()
	w := movedSinceSnapshot(t)
	// counted - (expected + net moves before the count) = 6 - (10 - 3) = -1: on hand 9 - 1 = 8.
	_, moves := w.mustPost("ST-000001", stocktake.PostOptions{})
	if len(moves) != 1 || !moves[0].Qty.Equal(d("-1")) {
		t.Fatalf("moves: %+v", moves)
	}
	if got := w.quant("PLAIN", "A1", "", ""); !got.Equal(d("8")) {
		t.Fatalf("on hand: %s, want 8", got)
	}
	l := find(t, w.get("ST-000001"), "PLAIN", "A1", "", "")
	eq(t, "on hand at posting", l.OnHand, "9")
	if !*l.Moved {
		t.Fatal("moved flag kept after posting")
	}
}

func TestPostSetCountedForcesOnHandToTheCount(t *testing.T) {
	t.Parallel()
	w := movedSinceSnapshot(t)
	// counted - on hand now = 6 - 9 = -3: on hand 6.
	_, moves := w.mustPost("ST-000001", stocktake.PostOptions{SetCounted: true})
	if len(moves) != 1 || !moves[0].Qty.Equal(d("-3")) {
		t.Fatalf("moves: %+v", moves)
	}
	if got := w.quant("PLAIN", "A1", "", ""); !got.Equal(d("6")) {
		t.Fatalf("on hand: %s, want 6", got)
	}
}

func TestPostRefusesWhatLeftAfterTheCount(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"PLAIN"}})
	// Counted 1 of 5 outside bays (-4), then 3 more leave: 2 remain, -4 cannot be posted
	// there (nor taken from the bays).
	w.mustCount("ST-000001", stocktake.Count{SKU: "PLAIN", Qty: d("1"), Bay: stocktake.NoBay})
	w.adjust(stock.Adjustment{SKU: "PLAIN", Location: "MAIN", Qty: d("-3"), Bay: ""})
	_, _, err := w.post("ST-000001", stocktake.PostOptions{})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "PLAIN, outside bays: posting -4 needs 4 on hand there, and 2 are") ||
		!strings.Contains(err.Error(), "--set-counted") {
		t.Fatalf("refused: %v", err)
	}
	if got := w.quant("PLAIN", "A1", "", ""); !got.Equal(d("10")) {
		t.Fatalf("A1 untouched: %s", got)
	}
	// --set-counted: 1 - 2 = -1, on hand 1.
	w.mustPost("ST-000001", stocktake.PostOptions{SetCounted: true})
	if got := w.quant("PLAIN", "", "", ""); !got.Equal(d("1")) {
		t.Fatalf("outside bays: %s", got)
	}
}

func TestZeroUncounted(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN", Category: "tools"})
	w.mustCount("ST-000001", stocktake.Count{SKU: "PLAIN", Qty: d("10"), Bay: "A1"})
	// PLAIN outside bays (5) and serials S1, S2 are not counted: with --zero-uncounted they
	// go; PLAIN at 2.00 and SER at 100: -5 x 2 - 2 x 100 = -210.
	doc, moves := w.mustPost("ST-000001", stocktake.PostOptions{ZeroUncounted: true})
	if len(moves) != 3 {
		t.Fatalf("moves: %+v", moves)
	}
	eq(t, "value", doc.VarianceValue, "-210")
	for _, q := range []decimal.Decimal{w.quant("PLAIN", "", "", ""), w.quant("SER", "A1", "", "S1"), w.quant("SER", "A1", "", "S2")} {
		if !q.IsZero() {
			t.Fatalf("uncounted not zeroed: %s", q)
		}
	}
	if got := w.quant("PLAIN", "A1", "", ""); !got.Equal(d("10")) {
		t.Fatalf("counted line: %s", got)
	}
	if *doc.ZeroUncounted != true || *doc.SetCounted != false {
		t.Fatalf("options recorded: %+v", doc.Summary)
	}
}

func TestBatchesReconcilePerBatch(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"LOT"}})
	_, err := w.count("ST-000001", stocktake.Count{SKU: "LOT", Qty: d("18")})
	if fault.FieldOf(err) != "batch" || !strings.Contains(err.Error(), "expected in batches B1, B2") {
		t.Fatalf("batch needed: %v", err)
	}
	// B1 18 of 20, B2 7 of 5, and 4 of a batch B3 nobody recorded.
	w.mustCount("ST-000001",
		stocktake.Count{SKU: "LOT", Qty: d("18"), Batch: "B1"},
		stocktake.Count{SKU: "LOT", Qty: d("7"), Batch: "B2"},
		stocktake.Count{SKU: "LOT", Qty: d("4"), Batch: "B3"})
	doc := w.get("ST-000001")
	// Average cost (20 x 1.50 + 5 x 3.00) / 25 = 1.80: -3.60 + 3.60 + 7.20 = 7.20.
	eq(t, "B1 value", find(t, doc, "LOT", "", "B1", "").VarianceValue, "-3.6")
	eq(t, "B3 expected", find(t, doc, "LOT", "", "B3", "").Expected, "0")
	eq(t, "total", doc.VarianceValue, "7.2")
	w.mustPost("ST-000001", stocktake.PostOptions{})
	for batch, want := range map[string]string{"B1": "18", "B2": "7", "B3": "4"} {
		if got := w.quant("LOT", "", batch, ""); !got.Equal(d(want)) {
			t.Fatalf("batch %s: %s, want %s", batch, got, want)
		}
	}
	var avg decimal.Decimal
	if err := w.conn.Get(&avg, `SELECT avg_cost FROM product_costs c JOIN products p ON p.id = c.product_id WHERE p.sku = 'LOT'`); err != nil {
		t.Fatal(err)
	}
	if !avg.Equal(d("1.8")) {
		t.Fatalf("a stocktake moves stock at the average cost, which stays 1.80: %s", avg)
	}
}

func TestSerialsReconcilePerSerial(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"SER"}})
	_, err := w.count("ST-000001", stocktake.Count{SKU: "SER", Qty: d("1")})
	if fault.FieldOf(err) != "serial" {
		t.Fatalf("serial needed: %v", err)
	}
	_, err = w.count("ST-000001", stocktake.Count{SKU: "SER", Qty: d("2"), Serial: "S1"})
	if fault.FieldOf(err) != "qty" {
		t.Fatalf("a serial counts 0 or 1: %v", err)
	}
	// S1 found where expected (bay taken from the snapshot), S3 found that was never
	// recorded (goes where the product is, A1), S2 not counted.
	got := w.mustCount("ST-000001",
		stocktake.Count{SKU: "SER", Qty: d("1"), Serial: "S1"},
		stocktake.Count{SKU: "SER", Qty: d("1"), Serial: "S3"})
	if deref(got[0].Bay) != "A1" || deref(got[1].Bay) != "A1" {
		t.Fatalf("bays: %+v", got)
	}
	_, err = w.count("ST-000001", stocktake.Count{SKU: "SER", Qty: d("1"), Serial: "S1", Bay: "A2"})
	if !strings.Contains(err.Error(), "already counted in bay A1") {
		t.Fatalf("a serial is counted in one place: %v", err)
	}
	_, moves := w.mustPost("ST-000001", stocktake.PostOptions{})
	if len(moves) != 1 || deref(moves[0].Serial) != "S3" || !moves[0].Qty.Equal(d("1")) || !moves[0].UnitCost.Equal(d("100")) {
		t.Fatalf("S3 added at the average cost, S2 left alone: %+v", moves)
	}
	if !w.quant("SER", "A1", "", "S2").Equal(d("1")) || !w.quant("SER", "A1", "", "S3").Equal(d("1")) {
		t.Fatal("S2 left, S3 added")
	}

	// Next count: S1 found in A2 (it moves there), S2 missing (removed with
	// --zero-uncounted), S3 where it is.
	w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"SER"}})
	w.mustCount("ST-000002",
		stocktake.Count{SKU: "SER", Qty: d("1"), Serial: "S1", Bay: "A2"},
		stocktake.Count{SKU: "SER", Qty: d("1"), Serial: "S3"})
	doc := w.get("ST-000002")
	eq(t, "S1 in A1 is counted elsewhere", find(t, doc, "SER", "A1", "", "S1").Variance, "-1")
	eq(t, "S1 in A2", find(t, doc, "SER", "A2", "", "S1").Variance, "1")
	_, moves = w.mustPost("ST-000002", stocktake.PostOptions{ZeroUncounted: true})
	if len(moves) != 3 || !moves[0].Qty.IsNegative() || !moves[1].Qty.IsNegative() || !moves[2].Qty.IsPositive() {
		t.Fatalf("out before in: %+v", moves)
	}
	for _, c := range []struct{ bay, serial, want string }{{"A1", "S1", "0"}, {"A2", "S1", "1"}, {"A1", "S2", "0"}, {"A1", "S3", "1"}} {
		if got := w.quant("SER", c.bay, "", c.serial); !got.Equal(d(c.want)) {
			t.Fatalf("%s in %s: %s, want %s", c.serial, c.bay, got, c.want)
		}
	}
}

func TestBlindHidesExpectedUntilClosed(t *testing.T) {
	t.Parallel()
	w := setup(t)
	doc := w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"PLAIN"}, Blind: true})
	if !doc.Blind || doc.VarianceValue != nil || doc.Moved != nil {
		t.Fatalf("blind summary: %+v", doc.Summary)
	}
	got := w.mustCount("ST-000001", stocktake.Count{SKU: "PLAIN", Qty: d("9"), Bay: "A1"})
	if got[0].Expected != nil || got[0].Variance != nil || got[0].OnHand != nil {
		t.Fatalf("a count of a blind stocktake tells nothing expected: %+v", got[0])
	}
	for _, l := range w.get("ST-000001").Lines {
		if l.Expected != nil || l.OnHand != nil || l.NetMoves != nil || l.Moved != nil || l.Variance != nil ||
			l.VarianceValue != nil || l.OnHandWhenCounted != nil || l.UnitCost != nil {
			t.Fatalf("blind line shows too much: %+v", l)
		}
	}
	eq(t, "counted is shown", find(t, w.get("ST-000001"), "PLAIN", "A1", "", "").Counted, "9")
	var closed stocktake.Doc
	w.tx(func(tx *sqlx.Tx) (err error) { closed, err = stocktake.Close(ctx, tx, "ST-000001"); return err })
	if closed.Status != stocktake.Closed || closed.ClosedAt == nil {
		t.Fatalf("closed: %+v", closed.Summary)
	}
	l := find(t, closed, "PLAIN", "A1", "", "")
	eq(t, "expected after close", l.Expected, "10")
	eq(t, "variance after close", l.Variance, "-1")
	_, err := w.count("ST-000001", stocktake.Count{SKU: "PLAIN", Qty: d("10"), Bay: "A1"})
	if e, ok := stocktake.AsStateError(err); !ok || e.Status != stocktake.Closed {
		t.Fatalf("no counts after close: %v", err)
	}
	w.mustPost("ST-000001", stocktake.PostOptions{})
	if got := w.quant("PLAIN", "A1", "", ""); !got.Equal(d("9")) {
		t.Fatalf("posted from closed: %s", got)
	}
}

func (w *world) scan(number, code string, opt stocktake.ScanOptions) (stocktake.Scanned, error) {
	var s stocktake.Scanned
	err := db.InTx(ctx, w.conn, func(tx *sqlx.Tx) (err error) {
		s, err = stocktake.Scan(ctx, tx, number, code, opt)
		return err
	})
	return s, err
}

func TestScanAddsUnitsPacksAndSerials(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN"})
	// A unit barcode adds 1, the box barcode 12, the SKU 1: BOXED was not at MAIN at the
	// snapshot, so the all-products stocktake takes it in, expecting 0.
	for _, c := range []struct {
		code, by string
		qty      string
		counted  string
	}{
		{w.unitCode, catalog.ByBarcode, "1", "1"},
		{w.boxCode, catalog.ByBarcode, "12", "13"},
		{" BOXED ", catalog.BySKU, "1", "14"},
	} {
		s, err := w.scan("ST-000001", c.code, stocktake.ScanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if s.SKU != "BOXED" || s.MatchedBy != c.by || !s.Qty.Equal(d(c.qty)) {
			t.Fatalf("scan %s: %+v", c.code, s)
		}
		eq(t, "counted after "+c.code, s.Counted.Counted, c.counted)
	}
	s, _ := w.scan("ST-000001", w.boxCode, stocktake.ScanOptions{})
	if s.Pack == nil || *s.Pack != "box" {
		t.Fatalf("pack named: %+v", s)
	}
	// An unknown code is a not-found error, nothing counted.
	_, err := w.scan("ST-000001", "4006381333931", stocktake.ScanOptions{})
	if !fault.Is(err, fault.NotFound) || !strings.Contains(err.Error(), `unknown code "4006381333931"`) {
		t.Fatalf("unknown: %v", err)
	}
	// A serial number counts that unit, once; the product's own code is refused.
	s, err = w.scan("ST-000001", "S2", stocktake.ScanOptions{})
	if err != nil || s.MatchedBy != stocktake.BySerial || s.SKU != "SER" || deref(s.Bay) != "A1" || s.Again {
		t.Fatalf("serial scan: %+v %v", s, err)
	}
	s, err = w.scan("ST-000001", "S2", stocktake.ScanOptions{})
	if err != nil || !s.Again || !s.Qty.IsZero() {
		t.Fatalf("serial scanned twice: %+v %v", s, err)
	}
	eq(t, "S2 counted once", s.Counted.Counted, "1")
	if _, err := w.scan("ST-000001", "SER", stocktake.ScanOptions{}); fault.FieldOf(err) != "code" {
		t.Fatalf("serialised product by SKU: %v", err)
	}
	// --bay for the session; a batch-tracked product needs its batch when not clear.
	if _, err := w.scan("ST-000001", "PLAIN", stocktake.ScanOptions{Bay: "A1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.scan("ST-000001", "LOT", stocktake.ScanOptions{}); fault.FieldOf(err) != "batch" {
		t.Fatalf("batch: %v", err)
	}
	s, err = w.scan("ST-000001", "LOT", stocktake.ScanOptions{Batch: "B2"})
	if err != nil || deref(s.Batch) != "B2" {
		t.Fatalf("batch for the session: %+v %v", s, err)
	}
	doc := w.get("ST-000001")
	eq(t, "BOXED expected", find(t, doc, "BOXED", "", "", "").Expected, "0")
	eq(t, "BOXED counted 1 + 12 + 1 + 12", find(t, doc, "BOXED", "", "", "").Counted, "26")
	eq(t, "PLAIN A1", find(t, doc, "PLAIN", "A1", "", "").Counted, "1")
}

func TestConcurrentScansAddUp(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"BOXED"}})
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				code := w.unitCode
				if i%5 == 0 {
					code = w.boxCode
				}
				if _, err := w.scan("ST-000001", code, stocktake.ScanOptions{}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Each scanner: 8 units and 2 boxes = 32; four of them 128.
	eq(t, "counted", find(t, w.get("ST-000001"), "BOXED", "", "", "").Counted, "128")
}

func TestRecordIsAllOrNothingAndNamesEveryBadCount(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN"})
	_, err := w.count("ST-000001",
		stocktake.Count{SKU: "PLAIN", Qty: d("4"), Bay: "A1"},
		stocktake.Count{SKU: "GHOST", Qty: d("1")},
		stocktake.Count{SKU: "PLAIN", Qty: d("-1"), Bay: "A1"},
		stocktake.Count{SKU: "PLAIN", Qty: d("1"), Bay: "Z9"},
		stocktake.Count{SKU: "PLAIN", Qty: d("2"), Bay: "A1"},
		stocktake.Count{SKU: "BOXED", Qty: d("1"), Unit: "crate"},
		stocktake.Count{SKU: "BOXED", Qty: d("2"), Unit: "box"},
	)
	// Counts not from a file are numbered from 1 in order: the first is good, the last too.
	var es csvio.RowErrors
	if !errors.As(err, &es) || !fault.Is(err, fault.Invalid) {
		t.Fatalf("count errors: %v", err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%d:%s", e.Row, e.Column))
	}
	if strings.Join(got, " ") != "2:sku 3:qty 4:bay 5:sku 6:unit" {
		t.Fatalf("errors: %v\n%v", got, err)
	}
	if doc := w.get("ST-000001"); doc.Counted != 0 {
		t.Fatalf("nothing kept: %d counted", doc.Counted)
	}
	// A pack unit converts: 2 boxes are 24.
	got2 := w.mustCount("ST-000001", stocktake.Count{SKU: "BOXED", Qty: d("2"), Unit: "box"})
	eq(t, "2 boxes", got2[0].Counted, "24")
}

func TestList(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"PLAIN"}})
	w.mustNew(stocktake.Request{Location: "NORTH"})
	w.mustCount("ST-000001", stocktake.Count{SKU: "PLAIN", Qty: d("12"), Bay: "A1"})
	w.mustPost("ST-000001", stocktake.PostOptions{})
	all, err := stocktake.List(ctx, w.conn, stocktake.Filter{})
	if err != nil || len(all) != 2 || all[0].Number != "ST-000002" {
		t.Fatalf("list: %+v %v", all, err)
	}
	posted := all[1]
	if posted.LineCount != 2 || posted.Counted != 1 || posted.Uncounted != 1 || posted.VarianceValue == nil || !posted.VarianceValue.Equal(d("4")) {
		t.Fatalf("posted summary (+2 at 2.00): %+v", posted)
	}
	if all[0].VarianceValue != nil {
		t.Fatalf("open stocktakes carry no value in lists: %+v", all[0])
	}
	open, _ := stocktake.List(ctx, w.conn, stocktake.Filter{Status: "active", Location: "NORTH"})
	if len(open) != 1 || open[0].Number != "ST-000002" {
		t.Fatalf("active at NORTH: %+v", open)
	}
	if _, err := stocktake.List(ctx, w.conn, stocktake.Filter{Status: "done"}); fault.FieldOf(err) != "status" {
		t.Fatalf("bad status: %v", err)
	}
	if _, err := stocktake.Get(ctx, w.conn, "ST-999999"); !fault.Is(err, fault.NotFound) {
		t.Fatalf("not found: %v", err)
	}
}

func TestMovedFlagsMovesThatCancelOut(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"PLAIN"}})
	// One in and one out of A1 after the snapshot: nothing changed, but the line moved.
	w.adjust(stock.Adjustment{SKU: "PLAIN", Location: "MAIN", Qty: d("1"), Bay: "A1"})
	w.adjust(stock.Adjustment{SKU: "PLAIN", Location: "MAIN", Qty: d("-1"), Bay: "A1"})
	doc := w.get("ST-000001")
	a1 := find(t, doc, "PLAIN", "A1", "", "")
	eq(t, "net moves", a1.NetMoves, "0")
	if a1.Moved == nil || !*a1.Moved {
		t.Fatalf("moves that cancel out are flagged: %+v", a1)
	}
	if o := find(t, doc, "PLAIN", "", "", ""); *o.Moved {
		t.Fatalf("outside bays did not move: %+v", o)
	}
	if *doc.Moved != 1 {
		t.Fatalf("moved lines: %d", *doc.Moved)
	}
}

// Stock found of a product that had none is valued at its cost price, not at nothing: NEW
// (cost price 4, no stock) counted 3 at MAIN has a variance of 3 worth 3 × 4 = 12, and
// posting brings the 3 in at 4, which becomes the average cost (stock value 12).
func TestFoundStockOfAProductWithoutStockIsValuedAtItsCostPrice(t *testing.T) {
	t.Parallel()
	w := setup(t)
	w.tx(func(tx *sqlx.Tx) error {
		four := d("4")
		_, err := catalog.Add(ctx, tx, "NEW", catalog.Changes{Name: str("New"), CostPrice: &four})
		return err
	})
	doc := w.mustNew(stocktake.Request{Location: "MAIN", SKUs: []string{"NEW"}})
	w.mustCount(doc.Number, stocktake.Count{SKU: "NEW", Qty: d("3")})
	l := find(t, w.get(doc.Number), "NEW", "", "", "")
	eq(t, "variance 3 - 0", l.Variance, "3")
	eq(t, "value 3 x 4", l.VarianceValue, "12")

	_, moves := w.mustPost(doc.Number, stocktake.PostOptions{})
	if len(moves) != 1 || !moves[0].UnitCost.Equal(d("4")) || moves[0].CostSource != stock.CostPrice {
		t.Fatalf("posted: %+v", moves)
	}
	posted := find(t, w.get(doc.Number), "NEW", "", "", "")
	eq(t, "posted value 3 x 4", posted.VarianceValue, "12")
	var avg decimal.Decimal
	if err := w.conn.Get(&avg, `SELECT avg_cost FROM product_costs c JOIN products p ON p.id = c.product_id WHERE p.sku = 'NEW'`); err != nil || !avg.Equal(d("4")) {
		t.Fatalf("average cost %s, want 4 (%v)", avg, err)
	}
}
