package stock_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// dispatch posts qty of sku from location to in-transit, as the first step of a two-step
// transfer does, with a reference; a serialised product names its serial.
func dispatch(t *testing.T, conn *sqlx.DB, sku, from, qty, ref string, serial ...string) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		p, err := catalog.Get(ctx, tx, sku)
		if err != nil {
			return err
		}
		l, err := stock.GetLocation(ctx, tx, "from", from)
		if err != nil {
			return err
		}
		tr, err := stock.Virtual(ctx, tx, stock.Transit)
		if err != nil {
			return err
		}
		m := stock.Move{Product: p, Qty: d(qty), From: l, To: tr, Kind: stock.KindDispatch, Reference: ref}
		if len(serial) > 0 {
			ss, err := stock.FindSerials(ctx, tx, p, serial)
			if err != nil {
				return err
			}
			m.Serial = &ss[0]
		}
		_, err = stock.Post(ctx, tx, []stock.Move{m})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mustAdjust(t *testing.T, conn *sqlx.DB, adjs ...stock.Adjustment) []stock.AdjustedMove {
	t.Helper()
	moves, _, err := adjust(t, conn, "", adjs...)
	if err != nil {
		t.Fatal(err)
	}
	return moves
}

func date(s string) *time.Time {
	v, _ := time.Parse(time.DateOnly, s)
	return &v
}

func TestShow(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	ctx := context.Background()
	mustAdjust(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("2")},
		stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("4")})
	dispatch(t, conn, "PLAIN", "A", "5", "TR-000001")
	if _, err := setLevels(t, conn, "PLAIN", "B", stock.LevelChanges{Min: dp("4"), Max: dp("12")}); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`UPDATE stock_balances SET allocated = 3 WHERE location_id = (SELECT id FROM locations WHERE code = 'A')`); err != nil {
		t.Fatal(err)
	}
	det, err := stock.Show(ctx, conn, "PLAIN")
	if err != nil {
		t.Fatal(err)
	}
	s := det.Summary
	if s.SKU != "PLAIN" || !s.OnHand.Equal(d("15")) || !s.Allocated.Equal(d("3")) || !s.Available.Equal(d("12")) ||
		!s.InTransit.Equal(d("5")) || !s.AvgCost.Equal(d("3")) || !s.StockValue.Equal(d("60")) || s.StockUOM != "ea" {
		t.Fatalf("summary: %+v", s)
	}
	if len(det.Locations) != 2 {
		t.Fatalf("locations A (balance) and B (levels only): %+v", det.Locations)
	}
	a, b := det.Locations[0], det.Locations[1]
	if a.Location != "A" || !a.OnHand.Equal(d("15")) || !a.Available.Equal(d("12")) || !a.OnOrder.IsZero() ||
		!a.Backordered.IsZero() || a.Min != nil {
		t.Fatalf("A: %+v", a)
	}
	if b.Location != "B" || !b.OnHand.IsZero() || !b.Min.Equal(d("4")) || !b.Max.Equal(d("12")) {
		t.Fatalf("B: %+v", b)
	}
	if len(det.Batches) != 0 || len(det.Serials) != 0 || det.Batches == nil || det.Serials == nil {
		t.Fatalf("plain product has empty (not nil) batches and serials: %+v", det)
	}

	mustAdjust(t, conn, stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("5"), Batch: "L1", Expiry: date("2099-01-01")},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("3"), Batch: "L2", Expiry: date("2026-06-01"), Bay: "X1"},
		stock.Adjustment{SKU: "SER", Location: "B", Qty: d("2"), SerialStart: "S1"})
	det, err = stock.Show(ctx, conn, "LOT")
	if err != nil || len(det.Batches) != 2 || det.Batches[0].Batch != "L2" || *det.Batches[0].Bay != "X1" ||
		!det.Batches[0].Qty.Equal(d("3")) || det.Batches[0].Expiry.Format(time.DateOnly) != "2026-06-01" || det.Batches[1].Bay != nil {
		t.Fatalf("batches first expiry first: %+v %v", det.Batches, err)
	}
	det, err = stock.Show(ctx, conn, "SER")
	if err != nil || len(det.Serials) != 2 || det.Serials[0].Serial != "S1" || det.Serials[0].Location != "B" {
		t.Fatalf("serials: %+v %v", det.Serials, err)
	}

	if _, err := stock.Show(ctx, conn, "NOPE"); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := catalog.Add(ctx, conn, "FIT", catalog.Changes{Name: str("Fitting"), Type: str(catalog.Service)}); err != nil {
		t.Fatal(err)
	}
	if _, err := stock.Show(ctx, conn, "FIT"); !fault.Is(err, fault.Invalid) {
		t.Fatalf("service: %v", err)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	ctx := context.Background()
	mustAdjust(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10")},
		stock.Adjustment{SKU: "PLAIN", Location: "B", Qty: d("2")},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("7"), Batch: "L1"})
	for _, lv := range []struct {
		sku, loc string
		min      string
	}{{"PLAIN", "A", "5"}, {"PLAIN", "B", "3"}, {"SER", "B", "1"}, {"LOT", "A", "7"}} {
		if _, err := setLevels(t, conn, lv.sku, lv.loc, stock.LevelChanges{Min: dp(lv.min)}); err != nil {
			t.Fatal(err)
		}
	}
	// 2 of PLAIN at A are allocated: available 8, still above 5.
	if _, err := conn.Exec(`UPDATE stock_balances SET allocated = 2 WHERE location_id = (SELECT id FROM locations WHERE code = 'A')
		AND product_id = (SELECT id FROM products WHERE sku = 'PLAIN')`); err != nil {
		t.Fatal(err)
	}
	key := func(rows []stock.StockRow) string {
		var parts []string
		for _, r := range rows {
			parts = append(parts, r.SKU+"@"+r.Location+"="+r.Available.String())
		}
		return strings.Join(parts, " ")
	}
	for _, c := range []struct {
		f    stock.ListFilter
		want string
	}{
		{stock.ListFilter{}, "LOT@A=7 PLAIN@A=8 PLAIN@B=2 SER@B=0"},
		{stock.ListFilter{Location: "B"}, "PLAIN@B=2 SER@B=0"},
		{stock.ListFilter{SKU: "PLAIN"}, "PLAIN@A=8 PLAIN@B=2"},
		{stock.ListFilter{SKU: "PLAIN", Location: "A"}, "PLAIN@A=8"},
		{stock.ListFilter{BelowMin: true}, "PLAIN@B=2 SER@B=0"},
		{stock.ListFilter{BelowMin: true, Location: "A"}, ""},
		{stock.ListFilter{BelowMin: true, SKU: "SER"}, "SER@B=0"},
		{stock.ListFilter{Limit: 2}, "LOT@A=7 PLAIN@A=8"},
	} {
		rows, err := stock.List(ctx, conn, c.f)
		if err != nil || key(rows) != c.want {
			t.Errorf("%+v: got %q %v, want %q", c.f, key(rows), err, c.want)
		}
	}
	rows, _ := stock.List(ctx, conn, stock.ListFilter{SKU: "PLAIN", Location: "A"})
	if r := rows[0]; !r.OnHand.Equal(d("10")) || !r.Allocated.Equal(d("2")) || !r.OnOrder.IsZero() || !r.Min.Equal(d("5")) || r.Max != nil || r.Name != "Plain" {
		t.Fatalf("row: %+v", r)
	}
	if rows, err := stock.List(ctx, conn, stock.ListFilter{Location: "A", BelowMin: true}); err != nil || rows == nil {
		t.Fatalf("an empty list is empty, not nil: %v %v", rows, err)
	}
	if _, err := stock.List(ctx, conn, stock.ListFilter{SKU: "NOPE"}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown sku: %v", err)
	}
	if _, err := stock.List(ctx, conn, stock.ListFilter{Location: "NOPE"}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown location: %v", err)
	}
}

func TestMoves(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	ctx := context.Background()
	m1 := mustAdjust(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("2"), Reason: "opening", Narrative: "first count"})
	m2 := mustAdjust(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "B", Qty: d("4")})
	dispatch(t, conn, "PLAIN", "A", "3", "TR-000001")
	m4 := mustAdjust(t, conn, stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("2"), Batch: "L1", Bay: "X1"})
	ids := func(rows []stock.MoveRow) []int64 {
		var out []int64
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	all, err := stock.Moves(ctx, conn, stock.MoveFilter{})
	if err != nil || len(all) != 4 || all[0].ID != m4[0].Move || all[3].ID != m1[0].Move {
		t.Fatalf("newest first: %v %v", ids(all), err)
	}
	first := all[3]
	if first.SKU != "PLAIN" || first.From != "~adjustment" || first.To != "A" || !first.Qty.Equal(d("10")) ||
		!first.UnitCost.Equal(d("2")) || first.Kind != stock.KindAdjustment || first.Reason != "opening" ||
		first.Narrative != "first count" || first.Actor != "test" || first.GLCode == "" || first.Time.IsZero() {
		t.Fatalf("first move: %+v", first)
	}
	if lot := all[0]; lot.Batch == nil || *lot.Batch != "L1" || lot.ToBay == nil || *lot.ToBay != "X1" || lot.FromBay != nil {
		t.Fatalf("batch and bay: %+v", lot)
	}
	dispatchID := all[1].ID
	for _, c := range []struct {
		f    stock.MoveFilter
		want []int64
	}{
		{stock.MoveFilter{SKU: "PLAIN"}, []int64{dispatchID, m2[0].Move, m1[0].Move}},
		{stock.MoveFilter{SKU: "PLAIN", Limit: 1}, []int64{dispatchID}},
		{stock.MoveFilter{Location: "A"}, []int64{m4[0].Move, dispatchID, m1[0].Move}},
		{stock.MoveFilter{Location: "A", Limit: 2}, []int64{m4[0].Move, dispatchID}},
		{stock.MoveFilter{Location: "~transit"}, []int64{dispatchID}},
		{stock.MoveFilter{Location: "A", SKU: "PLAIN"}, []int64{dispatchID, m1[0].Move}},
		{stock.MoveFilter{Kind: stock.KindDispatch}, []int64{dispatchID}},
		{stock.MoveFilter{Reference: "TR-000001"}, []int64{dispatchID}},
		{stock.MoveFilter{Reference: "TR-000002"}, nil},
		{stock.MoveFilter{Since: date("2000-01-01"), Limit: 2}, []int64{m4[0].Move, dispatchID}},
		{stock.MoveFilter{Since: date("2999-01-01")}, nil},
	} {
		rows, err := stock.Moves(ctx, conn, c.f)
		if err != nil || fmt.Sprint(ids(rows)) != fmt.Sprint(c.want) {
			t.Errorf("%+v: got %v %v, want %v", c.f, ids(rows), err, c.want)
		}
	}
	// A bay-to-bay move within A is listed once for --location A.
	err = db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
		p, _ := catalog.Get(ctx, tx, "PLAIN")
		a, _ := stock.GetLocation(ctx, tx, "l", "A")
		x1, _ := stock.GetBay(ctx, tx, a, "X1")
		_, err := stock.Post(ctx, tx, []stock.Move{{Product: p, Qty: d("1"), From: a, To: a, ToBay: &x1, Kind: "bay_move"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := stock.Moves(ctx, conn, stock.MoveFilter{Location: "A", Kind: "bay_move"}); err != nil || len(rows) != 1 {
		t.Fatalf("bay move once: %+v %v", rows, err)
	}
	if _, err := stock.Moves(ctx, conn, stock.MoveFilter{SKU: "NOPE"}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown sku: %v", err)
	}
	if _, err := stock.Moves(ctx, conn, stock.MoveFilter{Location: "NOPE"}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown location: %v", err)
	}
	if _, err := stock.Moves(ctx, conn, stock.MoveFilter{Limit: -1}); !fault.Is(err, fault.Invalid) {
		t.Fatalf("negative limit: %v", err)
	}
}

func TestBatchesSerialsTrace(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	ctx := context.Background()
	mustAdjust(t, conn, stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("5"), Batch: "L1", Expiry: date("2099-01-01")},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("2"), Batch: "L1", Bay: "X1"},
		stock.Adjustment{SKU: "LOT", Location: "B", Qty: d("1"), Batch: "L1"},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("3"), Batch: "L0", Expiry: date("2026-01-01")})
	mustAdjust(t, conn, stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("-3"), Batch: "L0"})
	rows, err := stock.Batches(ctx, conn, "LOT")
	if err != nil || len(rows) != 3 {
		t.Fatalf("batches: %+v %v", rows, err)
	}
	if r := rows[0]; r.Batch != "L0" || r.Location != nil || !r.OnHand.IsZero() {
		t.Fatalf("empty batch first (earliest expiry), no location: %+v", r)
	}
	if r := rows[1]; r.Batch != "L1" || *r.Location != "A" || !r.OnHand.Equal(d("7")) {
		t.Fatalf("bays summed per location: %+v", r)
	}
	if r := rows[2]; *r.Location != "B" || !r.OnHand.Equal(d("1")) || r.Expiry.Format(time.DateOnly) != "2099-01-01" {
		t.Fatalf("B: %+v", r)
	}
	if _, err := stock.Batches(ctx, conn, "PLAIN"); !fault.Is(err, fault.Invalid) {
		t.Fatalf("plain has no batches: %v", err)
	}
	if _, err := stock.Batches(ctx, conn, "NOPE"); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown: %v", err)
	}

	mustAdjust(t, conn, stock.Adjustment{SKU: "SER", Location: "A", Qty: d("3"), SerialStart: "SN1", Bay: "X1"})
	mustAdjust(t, conn, stock.Adjustment{SKU: "SER", Location: "A", Qty: d("-1"), Serials: []string{"SN2"}, Reason: "sold"})
	dispatch(t, conn, "SER", "A", "1", "TR-000009", "SN1")
	if _, err := stock.EnsureSerials(ctx, conn, mustProduct(t, conn, "SER"), []string{"SN9"}); err != nil {
		t.Fatal(err)
	}
	ss, err := stock.Serials(ctx, conn, "SER")
	if err != nil || len(ss) != 4 {
		t.Fatalf("serials: %+v %v", ss, err)
	}
	status := map[string]stock.SerialRow{}
	var states []string
	for _, s := range ss {
		status[s.Serial] = s
		states = append(states, s.Status)
	}
	if g := status["SN2"]; g.Status != stock.SerialGone || g.Location != nil || *g.LastTo != "~adjustment" || *g.LastKind != stock.KindAdjustment {
		t.Fatalf("gone with its last move: %+v", g)
	}
	if n := status["SN9"]; n.Status != stock.SerialNew || n.LastMove != nil {
		t.Fatalf("never moved: %+v", n)
	}
	if strings.Join(states, ",") != "in_transit,gone,in_stock,new" {
		t.Fatalf("states: %v", states)
	}
	for _, s := range ss {
		if s.Status == stock.SerialInStock && (*s.Location != "A" || *s.Bay != "X1") {
			t.Fatalf("in stock in its bay: %+v", s)
		}
		if s.Status == stock.SerialInTransit && (*s.Location != "~transit" || *s.LastReference != "TR-000009") {
			t.Fatalf("in transit: %+v", s)
		}
	}
	if _, err := stock.Serials(ctx, conn, "LOT"); !fault.Is(err, fault.Invalid) {
		t.Fatalf("lot has no serials: %v", err)
	}

	tr, err := stock.Trace(ctx, conn, "SER", "SN2")
	if err != nil || len(tr) != 2 || tr[0].To != "A" || tr[1].From != "A" || tr[1].Reason != "sold" || tr[0].ID > tr[1].ID ||
		*tr[0].Serial != "SN2" || *tr[0].ToBay != "X1" {
		t.Fatalf("trace oldest first: %+v %v", tr, err)
	}
	if tr, err := stock.Trace(ctx, conn, "SER", "SN9"); err != nil || len(tr) != 0 || tr == nil {
		t.Fatalf("never moved: %+v %v", tr, err)
	}
	if _, err := stock.Trace(ctx, conn, "SER", "SN77"); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown serial: %v", err)
	}
	if _, err := stock.Trace(ctx, conn, "NOPE", "SN1"); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown product: %v", err)
	}
}

func mustProduct(t *testing.T, conn *sqlx.DB, sku string) catalog.Product {
	t.Helper()
	p, err := catalog.Get(context.Background(), conn, sku)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
