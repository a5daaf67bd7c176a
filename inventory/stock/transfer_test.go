package stock_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
)

func trTransfer(t *testing.T, conn *sqlx.DB, r stock.TransferRequest) (stock.TransferDoc, error) {
	t.Helper()
	var doc stock.TransferDoc
	err := db.InTx(context.Background(), conn, func(tx *sqlx.Tx) (err error) {
		doc, err = stock.Transfer(context.Background(), tx, r)
		return err
	})
	return doc, err
}

func trMustTransfer(t *testing.T, conn *sqlx.DB, r stock.TransferRequest) stock.TransferDoc {
	t.Helper()
	doc, err := trTransfer(t, conn, r)
	if err != nil {
		t.Fatalf("transfer %+v: %v", r, err)
	}
	return doc
}

func trReceive(t *testing.T, conn *sqlx.DB, number string, qty *decimal.Decimal, line int, ref string) (stock.TransferDoc, error) {
	t.Helper()
	var doc stock.TransferDoc
	err := db.InTx(context.Background(), conn, func(tx *sqlx.Tx) (err error) {
		doc, err = stock.Receive(context.Background(), tx, number, qty, line, ref)
		return err
	})
	return doc, err
}

func trStock(t *testing.T, conn *sqlx.DB, adjs ...stock.Adjustment) {
	t.Helper()
	if _, _, err := adjust(t, conn, "", adjs...); err != nil {
		t.Fatal(err)
	}
}

func trBay(t *testing.T, conn *sqlx.DB, loc, code string) {
	t.Helper()
	if _, err := stock.AddBay(context.Background(), conn, loc, code, ""); err != nil {
		t.Fatal(err)
	}
}

// trQuant is the quantity of sku at loc in one bay/batch/serial ("" means none / any serial).
func trQuant(t *testing.T, conn *sqlx.DB, sku, loc, bay, batch, serial string) decimal.Decimal {
	t.Helper()
	var v decimal.Decimal
	err := conn.Get(&v, `SELECT coalesce(sum(s.qty), 0) FROM stock_quants s JOIN products p ON p.id = s.product_id
		JOIN locations l ON l.id = s.location_id LEFT JOIN bays y ON y.id = s.bay_id
		LEFT JOIN batches b ON b.id = s.batch_id LEFT JOIN serials n ON n.id = s.serial_id
		WHERE p.sku = $1 AND l.code = $2 AND coalesce(y.code, '') = $3 AND coalesce(b.number, '') = $4
		  AND ($5 = '' OR n.serial = $5)`, sku, loc, bay, batch, serial)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func trCount(t *testing.T, conn *sqlx.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.Get(&n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// trLedgerHolds checks that balances are the sum of the ledger: per product and holding
// location, on hand = moves in - moves out = the sum of its quants; and per product, the sum
// of on hand over holding locations equals the ledger's net over them.
func trLedgerHolds(t *testing.T, conn *sqlx.DB) {
	t.Helper()
	var bad []string
	err := conn.Select(&bad, `WITH net AS (
		SELECT m.product_id, m.loc, sum(m.qty) AS qty FROM (
			SELECT product_id, to_location_id AS loc, qty FROM stock_moves
			UNION ALL SELECT product_id, from_location_id, -qty FROM stock_moves) m
		JOIN locations l ON l.id = m.loc WHERE l.kind IN ('internal', 'transit') GROUP BY 1, 2
	), q AS (SELECT product_id, location_id AS loc, sum(qty) AS qty FROM stock_quants GROUP BY 1, 2)
	SELECT format('product %s location %s: on hand %s, ledger %s, quants %s', coalesce(b.product_id, n.product_id),
		coalesce(b.location_id, n.loc), b.on_hand, n.qty, q.qty)
	FROM stock_balances b FULL JOIN net n ON n.product_id = b.product_id AND n.loc = b.location_id
	LEFT JOIN q ON q.product_id = coalesce(b.product_id, n.product_id) AND q.loc = coalesce(b.location_id, n.loc)
	WHERE coalesce(b.on_hand, 0) <> coalesce(n.qty, 0) OR coalesce(b.on_hand, 0) <> coalesce(q.qty, 0)
	UNION ALL
	SELECT format('product %s: on hand %s, ledger %s', p.id,
		(SELECT sum(on_hand) FROM stock_balances WHERE product_id = p.id),
		(SELECT sum(CASE WHEN t.kind IN ('internal', 'transit') THEN m.qty ELSE 0 END)
		      - sum(CASE WHEN f.kind IN ('internal', 'transit') THEN m.qty ELSE 0 END)
		 FROM stock_moves m JOIN locations f ON f.id = m.from_location_id JOIN locations t ON t.id = m.to_location_id
		 WHERE m.product_id = p.id))
	FROM products p
	WHERE coalesce((SELECT sum(on_hand) FROM stock_balances WHERE product_id = p.id), 0) <>
	      coalesce((SELECT sum(CASE WHEN t.kind IN ('internal', 'transit') THEN m.qty ELSE 0 END)
		      - sum(CASE WHEN f.kind IN ('internal', 'transit') THEN m.qty ELSE 0 END)
		 FROM stock_moves m JOIN locations f ON f.id = m.from_location_id JOIN locations t ON t.id = m.to_location_id
		 WHERE m.product_id = p.id), 0)`)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("balances disagree with the ledger:\n%s", strings.Join(bad, "\n"))
	}
}

func TestTransferImmediate(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	trStock(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("2")})
	doc := trMustTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("4"), Narrative: "restock"})
	if !strings.HasPrefix(doc.Number, "TR-") || doc.Status != stock.TransferReceived || doc.TwoStep ||
		!doc.Qty.Equal(d("4")) || !doc.ReceivedQty.Equal(d("4")) || !doc.Outstanding.IsZero() || doc.From != "A" || doc.To != "B" {
		t.Fatalf("document: %+v", doc)
	}
	if len(doc.Lines) != 1 || !doc.Lines[0].UnitCost.Equal(d("2")) || doc.Lines[0].SKU != "PLAIN" || doc.Lines[0].LineNo != 1 {
		t.Fatalf("lines: %+v", doc.Lines)
	}
	if a, b := onHand(t, conn, "PLAIN", "A"), onHand(t, conn, "PLAIN", "B"); !a.Equal(d("6")) || !b.Equal(d("4")) {
		t.Fatalf("on hand A %s B %s", a, b)
	}
	if got := avgCost(t, conn, "PLAIN"); !got.Equal(d("2")) {
		t.Fatalf("a transfer without extra cost leaves the average alone: %s", got)
	}
	if n := trCount(t, conn, `SELECT count(*) FROM stock_moves WHERE kind = 'transfer' AND reference = $1 AND narrative = 'restock'`, doc.Number); n != 1 {
		t.Fatalf("one transfer move referencing %s, got %d", doc.Number, n)
	}
	// The number follows the setting.
	if _, err := conn.Exec(`UPDATE settings SET value = 'MV%04d' WHERE key = 'number_format_tr'`); err != nil {
		t.Fatal(err)
	}
	doc2 := trMustTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "B", To: "A", Qty: d("1")})
	if !strings.HasPrefix(doc2.Number, "MV") || len(doc2.Number) != 6 {
		t.Fatalf("number format: %s", doc2.Number)
	}
	got, err := stock.GetTransfer(context.Background(), conn, doc.Number)
	if err != nil || got.Number != doc.Number || len(got.Lines) != 1 || got.Narrative != "restock" {
		t.Fatalf("get: %+v %v", got, err)
	}
	if _, err := stock.GetTransfer(context.Background(), conn, "TR-999999"); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown transfer: %v", err)
	}
	list, err := stock.Transfers(context.Background(), conn, "")
	if err != nil || len(list) != 2 || list[0].Number != doc2.Number {
		t.Fatalf("list newest first: %+v %v", list, err)
	}
	if _, err := stock.Transfers(context.Background(), conn, "lost"); !fault.Is(err, fault.Invalid) {
		t.Fatalf("bad status: %v", err)
	}
	trLedgerHolds(t, conn)
}

func TestTransferRules(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	trStock(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("2")})
	for _, c := range []struct {
		r    stock.TransferRequest
		kind fault.Kind
		msg  string
	}{
		{stock.TransferRequest{SKU: "NOPE", From: "A", To: "B", Qty: d("1")}, fault.NotFound, "NOPE does not exist"},
		{stock.TransferRequest{SKU: "PLAIN", From: "A", To: "A", Qty: d("1")}, fault.Invalid, "two locations"},
		{stock.TransferRequest{SKU: "PLAIN", From: "A", To: "ZZ", Qty: d("1")}, fault.NotFound, `unknown location "ZZ"`},
		{stock.TransferRequest{SKU: "PLAIN", From: "A", To: "~transit", Qty: d("1")}, fault.NotFound, "unknown location"},
		{stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("0")}, fault.Invalid, "more than 0"},
		{stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("1"), Batch: "L1"}, fault.Invalid, "not batch-tracked"},
		{stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("1"), Serials: []string{"S1"}}, fault.Invalid, "not serialised"},
		{stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("1"), FromBay: "NO"}, fault.NotFound, "no bay"},
		{stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("1"), ExtraCost: dp("-1")}, fault.Invalid, "negative"},
		{stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("0.5")}, fault.Invalid, "decimals"},
	} {
		if _, err := trTransfer(t, conn, c.r); !fault.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: got %v, want %v containing %q", c.r, err, c.kind, c.msg)
		}
	}
}

func TestTransferInsufficientWritesNothing(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	trStock(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("2")})
	for _, two := range []bool{false, true} {
		_, err := trTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("11"), TwoStep: two, Ref: "x"})
		e, ok := stock.AsInsufficient(err)
		if !ok || !e.Have.Equal(d("10")) || !e.Want.Equal(d("11")) || fault.KindOf(err) != fault.Invalid {
			t.Fatalf("shortage: %v", err)
		}
	}
	if n := trCount(t, conn, `SELECT (SELECT count(*) FROM transfers) + (SELECT count(*) FROM transfer_lines)
		+ (SELECT count(*) FROM posting_refs) + (SELECT count(*) FROM stock_moves WHERE kind <> 'adjustment')`); n != 0 {
		t.Fatalf("a refused transfer writes nothing, found %d rows", n)
	}
	if got := onHand(t, conn, "PLAIN", "A"); !got.Equal(d("10")) {
		t.Fatalf("on hand: %s", got)
	}
	// The ref was not used up by the failure.
	doc, err := trTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("10"), Ref: "x"})
	if err != nil || doc.AlreadyPosted {
		t.Fatalf("after a failure the ref is free: %+v %v", doc, err)
	}
}

func TestTransferExtraCostRaisesAverage(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	trStock(t, conn,
		stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("2")},
		stock.Adjustment{SKU: "PLAIN", Location: "B", Qty: d("10"), UnitCost: dp("2")})
	doc := trMustTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("5"), ExtraCost: dp("10")})
	// 10 of extra cost over 20 on hand raises the average by 0.5; what arrived cost 2 + 10/5.
	if got := avgCost(t, conn, "PLAIN"); !got.Equal(d("2.5")) {
		t.Fatalf("average: %s, want 2.5", got)
	}
	var unit decimal.Decimal
	if err := conn.Get(&unit, `SELECT unit_cost FROM stock_moves WHERE reference = $1`, doc.Number); err != nil {
		t.Fatal(err)
	}
	if !unit.Equal(d("4")) || !doc.Lines[0].UnitCost.Equal(d("4")) || !doc.ExtraCost.Equal(d("10")) {
		t.Fatalf("arriving unit cost %s (line %s), extra %s", unit, doc.Lines[0].UnitCost, doc.ExtraCost)
	}
	trLedgerHolds(t, conn)
}

func TestTransferBatchesFEFO(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	late := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	early := time.Date(2099, 12, 1, 0, 0, 0, 0, time.UTC)
	trStock(t, conn,
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("5"), Batch: "L1", Expiry: &late},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("3"), Batch: "L2", Expiry: &early, Bay: "X1"})
	doc := trMustTransfer(t, conn, stock.TransferRequest{SKU: "LOT", From: "A", To: "B", Qty: d("5")})
	if len(doc.Lines) != 2 || *doc.Lines[0].Batch != "L2" || !doc.Lines[0].Qty.Equal(d("3")) || *doc.Lines[0].FromBay != "X1" ||
		*doc.Lines[1].Batch != "L1" || !doc.Lines[1].Qty.Equal(d("2")) || doc.Lines[1].FromBay != nil {
		t.Fatalf("first expiry first out, one line per batch: %+v", doc.Lines)
	}
	if l2, l1 := trQuant(t, conn, "LOT", "B", "", "L2", ""), trQuant(t, conn, "LOT", "B", "", "L1", ""); !l2.Equal(d("3")) || !l1.Equal(d("2")) {
		t.Fatalf("batches travel: B has L2 %s L1 %s", l2, l1)
	}
	doc = trMustTransfer(t, conn, stock.TransferRequest{SKU: "LOT", From: "A", To: "B", Qty: d("2"), Batch: "L1"})
	if len(doc.Lines) != 1 || *doc.Lines[0].Batch != "L1" {
		t.Fatalf("named batch: %+v", doc.Lines)
	}
	if got := trQuant(t, conn, "LOT", "A", "", "L1", ""); !got.Equal(d("1")) {
		t.Fatalf("L1 left at A: %s", got)
	}
	_, err := trTransfer(t, conn, stock.TransferRequest{SKU: "LOT", From: "A", To: "B", Qty: d("1"), Batch: "L2"})
	if e, ok := stock.AsInsufficient(err); !ok || e.What != "batch L2" {
		t.Fatalf("named batch that is gone: %v", err)
	}
	if _, err := trTransfer(t, conn, stock.TransferRequest{SKU: "LOT", From: "A", To: "B", Qty: d("1"), Batch: "L9"}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown batch: %v", err)
	}
	trLedgerHolds(t, conn)
}

func TestTransferSerialsTravel(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	trStock(t, conn, stock.Adjustment{SKU: "SER", Location: "A", Qty: d("3"), SerialStart: "SN1", UnitCost: dp("100")})
	_, err := trTransfer(t, conn, stock.TransferRequest{SKU: "SER", From: "A", To: "B", Qty: d("3"), Serials: []string{"SN1", "SN2"}})
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "serial") {
		t.Fatalf("qty must equal the serials: %v", err)
	}
	if _, err := trTransfer(t, conn, stock.TransferRequest{SKU: "SER", From: "A", To: "B", Qty: d("1")}); !fault.Is(err, fault.Invalid) {
		t.Fatalf("serials needed: %v", err)
	}
	doc := trMustTransfer(t, conn, stock.TransferRequest{SKU: "SER", From: "A", To: "B", Serials: []string{"SN1", "SN3"}, ExtraCost: dp("1")})
	if len(doc.Lines) != 2 || *doc.Lines[0].Serial != "SN1" || *doc.Lines[1].Serial != "SN3" || !doc.Qty.Equal(d("2")) {
		t.Fatalf("a line per serial, qty from the serials: %+v", doc)
	}
	for _, sn := range []string{"SN1", "SN3"} {
		if at, from := trQuant(t, conn, "SER", "B", "", "", sn), trQuant(t, conn, "SER", "A", "", "", sn); !at.Equal(d("1")) || !from.IsZero() {
			t.Fatalf("%s: at B %s, at A %s", sn, at, from)
		}
	}
	if got := trQuant(t, conn, "SER", "A", "", "", "SN2"); !got.Equal(d("1")) {
		t.Fatalf("SN2 stays: %s", got)
	}
	// The extra cost of 1 is spread over the units: 3 on hand, so the average rises by a third
	// (to the average's 6 decimals, rounded once per unit moved).
	if got := avgCost(t, conn, "SER"); got.Sub(d("100.333333")).Abs().GreaterThan(d("0.000002")) {
		t.Fatalf("average after extra cost over serials: %s", got)
	}
	_, err = trTransfer(t, conn, stock.TransferRequest{SKU: "SER", From: "A", To: "B", Serials: []string{"SN1"}})
	if e, ok := stock.AsInsufficient(err); !ok || e.What != "serial SN1" {
		t.Fatalf("a serial not at the source: %v", err)
	}
	if _, err := trTransfer(t, conn, stock.TransferRequest{SKU: "SER", From: "A", To: "B", Serials: []string{"SN9"}}); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown serial: %v", err)
	}
	trLedgerHolds(t, conn)
}

func TestTransferBays(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	trBay(t, conn, "B", "Y1")
	trBay(t, conn, "B", "Y2")
	trStock(t, conn,
		stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("5"), Bay: "X1"},
		stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("5")})
	if _, err := conn.Exec(`INSERT INTO stock_levels (product_id, location_id, default_bay_id)
		SELECT p.id, l.id, y.id FROM products p, locations l JOIN bays y ON y.location_id = l.id
		WHERE p.sku = 'PLAIN' AND l.code = 'B' AND y.code = 'Y1'`); err != nil {
		t.Fatal(err)
	}
	doc := trMustTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("3"), FromBay: "X1"})
	if l := doc.Lines[0]; len(doc.Lines) != 1 || *l.FromBay != "X1" || l.ToBay == nil || *l.ToBay != "Y1" {
		t.Fatalf("from the named bay into the default bay: %+v", doc.Lines)
	}
	if x1, y1 := trQuant(t, conn, "PLAIN", "A", "X1", "", ""), trQuant(t, conn, "PLAIN", "B", "Y1", "", ""); !x1.Equal(d("2")) || !y1.Equal(d("3")) {
		t.Fatalf("A/X1 %s, B/Y1 %s", x1, y1)
	}
	doc = trMustTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("6"), ToBay: "Y2"})
	if len(doc.Lines) != 2 || doc.Lines[0].FromBay != nil || *doc.Lines[1].FromBay != "X1" || *doc.Lines[0].ToBay != "Y2" {
		t.Fatalf("stock outside bays first, then X1, into Y2: %+v", doc.Lines)
	}
	if got := trQuant(t, conn, "PLAIN", "B", "Y2", "", ""); !got.Equal(d("6")) {
		t.Fatalf("B/Y2: %s", got)
	}
	if _, err := trTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("1"), ToBay: "X1"}); !fault.Is(err, fault.NotFound) || !strings.Contains(err.Error(), "--to-bay") {
		t.Fatalf("a bay of the wrong location: %v", err)
	}
	// Two-step: the bay is decided at dispatch and used at receipt.
	doc = trMustTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("1"), TwoStep: true})
	if *doc.Lines[0].ToBay != "Y1" {
		t.Fatalf("two-step to bay: %+v", doc.Lines)
	}
	if _, err := trReceive(t, conn, doc.Number, nil, 0, ""); err != nil {
		t.Fatal(err)
	}
	if got := trQuant(t, conn, "PLAIN", "B", "Y1", "", ""); !got.Equal(d("4")) {
		t.Fatalf("received into Y1: %s", got)
	}
	trLedgerHolds(t, conn)
}

func TestTransferTwoStep(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	trStock(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10"), UnitCost: dp("2")})
	doc := trMustTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("6"), TwoStep: true, ExtraCost: dp("6")})
	if doc.Status != stock.TransferInTransit || !doc.Outstanding.Equal(d("6")) || !doc.ReceivedQty.IsZero() || !doc.TwoStep {
		t.Fatalf("dispatched: %+v", doc)
	}
	if a, b, tr := onHand(t, conn, "PLAIN", "A"), onHand(t, conn, "PLAIN", "B"), onHand(t, conn, "PLAIN", "~transit"); !a.Equal(d("4")) || !b.IsZero() || !tr.Equal(d("6")) {
		t.Fatalf("in transit, at neither location: A %s B %s transit %s", a, b, tr)
	}
	if got := avgCost(t, conn, "PLAIN"); !got.Equal(d("2")) {
		t.Fatalf("dispatch leaves the average alone: %s", got)
	}
	if n := trCount(t, conn, `SELECT count(*) FROM stock_moves WHERE kind = 'dispatch' AND reference = $1`, doc.Number); n != 1 {
		t.Fatalf("dispatch moves: %d", n)
	}

	doc, err := trReceive(t, conn, doc.Number, dp("2"), 0, "")
	if err != nil || doc.Status != stock.TransferPartiallyReceived || !doc.ReceivedQty.Equal(d("2")) || !doc.Outstanding.Equal(d("4")) {
		t.Fatalf("partial: %+v %v", doc, err)
	}
	// 2 of 6 received: a third of the extra cost (2) over 10 on hand.
	if got := avgCost(t, conn, "PLAIN"); !got.Equal(d("2.2")) {
		t.Fatalf("average after the first receipt: %s", got)
	}
	_, err = trReceive(t, conn, doc.Number, dp("5"), 0, "")
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "only 4 is outstanding") {
		t.Fatalf("over-receipt: %v", err)
	}
	if doc, err = trReceive(t, conn, doc.Number, nil, 0, ""); err != nil || doc.Status != stock.TransferReceived || !doc.Outstanding.IsZero() {
		t.Fatalf("the rest: %+v %v", doc, err)
	}
	if got := avgCost(t, conn, "PLAIN"); !got.Equal(d("2.6")) {
		t.Fatalf("average after the last receipt (2 + 6/10): %s", got)
	}
	if a, b, tr := onHand(t, conn, "PLAIN", "A"), onHand(t, conn, "PLAIN", "B"), onHand(t, conn, "PLAIN", "~transit"); !a.Equal(d("4")) || !b.Equal(d("6")) || !tr.IsZero() {
		t.Fatalf("received: A %s B %s transit %s", a, b, tr)
	}
	_, err = trReceive(t, conn, doc.Number, nil, 0, "")
	if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "received in full") {
		t.Fatalf("receive twice: %v", err)
	}
	if _, err := trReceive(t, conn, "TR-999999", nil, 0, ""); !fault.Is(err, fault.NotFound) {
		t.Fatalf("unknown: %v", err)
	}
	imm := trMustTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("1")})
	if _, err := trReceive(t, conn, imm.Number, nil, 0, ""); !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "immediate") {
		t.Fatalf("receive an immediate transfer: %v", err)
	}
	open, err := stock.Transfers(context.Background(), conn, "open")
	if err != nil || len(open) != 0 {
		t.Fatalf("open transfers: %+v %v", open, err)
	}
	trLedgerHolds(t, conn)
}

// Receipts of thirds take shares of the extra cost that add up to it exactly.
func TestTransferExtraCostSharesAddUp(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	trStock(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("3"), UnitCost: dp("2")})
	doc := trMustTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("3"), TwoStep: true, ExtraCost: dp("10")})
	total := decimal.Zero
	for i := 0; i < 3; i++ {
		before := avgCost(t, conn, "PLAIN")
		if _, err := trReceive(t, conn, doc.Number, dp("1"), 0, ""); err != nil {
			t.Fatal(err)
		}
		var unit decimal.Decimal
		if err := conn.Get(&unit, `SELECT unit_cost FROM stock_moves WHERE reference = $1 AND kind = 'transfer_receipt' ORDER BY id DESC LIMIT 1`, doc.Number); err != nil {
			t.Fatal(err)
		}
		total = total.Add(unit.Sub(before))
	}
	if !total.Equal(d("10")) {
		t.Fatalf("extra cost shares add up to %s, want 10", total)
	}
}

func TestTransferReceiveByLine(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	late := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	early := time.Date(2099, 12, 1, 0, 0, 0, 0, time.UTC)
	trStock(t, conn,
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("5"), Batch: "L1", Expiry: &late},
		stock.Adjustment{SKU: "LOT", Location: "A", Qty: d("3"), Batch: "L2", Expiry: &early})
	doc := trMustTransfer(t, conn, stock.TransferRequest{SKU: "LOT", From: "A", To: "B", Qty: d("7"), TwoStep: true})
	if len(doc.Lines) != 2 || *doc.Lines[0].Batch != "L2" || *doc.Lines[1].Batch != "L1" {
		t.Fatalf("lines: %+v", doc.Lines)
	}
	if got := trQuant(t, conn, "LOT", "~transit", "", "L1", ""); !got.Equal(d("4")) {
		t.Fatalf("batch L1 in transit: %s", got)
	}
	doc, err := trReceive(t, conn, doc.Number, nil, 2, "")
	if err != nil || !doc.Lines[1].Outstanding.IsZero() || !doc.Lines[0].Outstanding.Equal(d("3")) || doc.Status != stock.TransferPartiallyReceived {
		t.Fatalf("receive line 2: %+v %v", doc, err)
	}
	if b1, b2 := trQuant(t, conn, "LOT", "B", "", "L1", ""), trQuant(t, conn, "LOT", "B", "", "L2", ""); !b1.Equal(d("4")) || !b2.IsZero() {
		t.Fatalf("only L1 arrived: L1 %s L2 %s", b1, b2)
	}
	if _, err := trReceive(t, conn, doc.Number, nil, 2, ""); !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("line received in full: %v", err)
	}
	if _, err := trReceive(t, conn, doc.Number, nil, 9, ""); !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "no line 9") {
		t.Fatalf("no such line: %v", err)
	}
	if _, err := trReceive(t, conn, doc.Number, dp("4"), 1, ""); !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "only 3") {
		t.Fatalf("over-receipt on a line: %v", err)
	}
	if doc, err = trReceive(t, conn, doc.Number, dp("1"), 1, ""); err != nil || !doc.Lines[0].ReceivedQty.Equal(d("1")) {
		t.Fatalf("part of line 1: %+v %v", doc, err)
	}

	// Serial lines: whole units only, in line order.
	trStock(t, conn, stock.Adjustment{SKU: "SER", Location: "A", Qty: d("2"), Serials: []string{"S1", "S2"}})
	sd := trMustTransfer(t, conn, stock.TransferRequest{SKU: "SER", From: "A", To: "B", Serials: []string{"S1", "S2"}, TwoStep: true})
	if got := trQuant(t, conn, "SER", "~transit", "", "", "S1"); !got.Equal(d("1")) {
		t.Fatalf("S1 in transit: %s", got)
	}
	if _, err := trReceive(t, conn, sd.Number, dp("1.5"), 0, ""); !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "whole units") {
		t.Fatalf("half a serial: %v", err)
	}
	if _, err := trReceive(t, conn, sd.Number, dp("1"), 0, ""); err != nil {
		t.Fatal(err)
	}
	if b, tr := trQuant(t, conn, "SER", "B", "", "", "S1"), trQuant(t, conn, "SER", "~transit", "", "", "S2"); !b.Equal(d("1")) || !tr.Equal(d("1")) {
		t.Fatalf("S1 at B %s, S2 in transit %s", b, tr)
	}
	trLedgerHolds(t, conn)
}

func TestTransferRefIsPostedOnce(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	trStock(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("10")})
	r := stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("4"), TwoStep: true, Ref: "van-7"}
	doc := trMustTransfer(t, conn, r)
	if doc.AlreadyPosted || doc.Number == "" {
		t.Fatalf("first: %+v", doc)
	}
	again := trMustTransfer(t, conn, r)
	if !again.AlreadyPosted || again.Number != doc.Number {
		t.Fatalf("second must not post, and answers with the first's document: %+v", again)
	}
	if n := trCount(t, conn, `SELECT count(*) FROM transfers`); n != 1 {
		t.Fatalf("transfers: %d", n)
	}
	if got := onHand(t, conn, "PLAIN", "A"); !got.Equal(d("6")) {
		t.Fatalf("on hand A: %s", got)
	}
	if got, err := trReceive(t, conn, doc.Number, dp("1"), 0, "grn-1"); err != nil || got.AlreadyPosted {
		t.Fatalf("receive: %+v %v", got, err)
	}
	if got, err := trReceive(t, conn, doc.Number, dp("1"), 0, "grn-1"); err != nil || !got.AlreadyPosted {
		t.Fatalf("receive again: %+v %v", got, err)
	}
	if got := onHand(t, conn, "PLAIN", "B"); !got.Equal(d("1")) {
		t.Fatalf("received once: %s", got)
	}
}

// Six receipts of the same transfer at once: the transfer row lock makes them queue, one
// receives everything and the rest are told it is received, never a driver error.
func TestTransferConcurrentReceipts(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	trStock(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("12"), UnitCost: dp("3")})
	doc := trMustTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("12"), TwoStep: true, ExtraCost: dp("12")})

	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = db.InTx(context.Background(), conn, func(tx *sqlx.Tx) error {
				_, err := stock.Receive(context.Background(), tx, doc.Number, nil, 0, "")
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "received in full"):
			t.Errorf("a losing receipt gets a clear fault, got %T %v", err, err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d receipts succeeded, want 1: %v", ok, errs)
	}
	got, err := stock.GetTransfer(context.Background(), conn, doc.Number)
	if err != nil || !got.ReceivedQty.Equal(d("12")) || got.Status != stock.TransferReceived {
		t.Fatalf("received exactly what was dispatched: %+v %v", got, err)
	}
	if b, tr := onHand(t, conn, "PLAIN", "B"), onHand(t, conn, "PLAIN", "~transit"); !b.Equal(d("12")) || !tr.IsZero() {
		t.Fatalf("B %s transit %s", b, tr)
	}
	if got := avgCost(t, conn, "PLAIN"); !got.Equal(d("4")) {
		t.Fatalf("extra cost applied once: average %s, want 4", got)
	}
	trLedgerHolds(t, conn)

	// Partial receipts racing: 8 receipts of 2 against 12 outstanding; exactly 6 get through.
	trStock(t, conn, stock.Adjustment{SKU: "PLAIN", Location: "A", Qty: d("12")})
	doc = trMustTransfer(t, conn, stock.TransferRequest{SKU: "PLAIN", From: "A", To: "B", Qty: d("12"), TwoStep: true})
	errs = make([]error, 8)
	start = make(chan struct{})
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = db.InTx(context.Background(), conn, func(tx *sqlx.Tx) error {
				_, err := stock.Receive(context.Background(), tx, doc.Number, dp("2"), 0, "")
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	ok = 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !fault.Is(err, fault.Invalid):
			t.Errorf("a losing receipt gets a clear fault, got %T %v", err, err)
		}
	}
	got, err = stock.GetTransfer(context.Background(), conn, doc.Number)
	if ok != 6 || err != nil || !got.ReceivedQty.Equal(d("12")) || got.Status != stock.TransferReceived {
		t.Fatalf("%d partial receipts succeeded, transfer %+v %v", ok, got, err)
	}
	trLedgerHolds(t, conn)
}
