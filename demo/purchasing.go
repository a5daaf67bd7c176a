package demo

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/rfq"
)

// Notes that mark the demo's purchasing documents, so a rerun finds them instead of making
// them again.
const (
	demoRFQEuro     = "Demo: Q4 restock of drills and cameras"
	demoRFQPacific  = "Demo: a US quote for the same drills"
	demoPOReceived  = "Demo: spring drill and camera order"
	demoPOOpen      = "Demo: fasteners and rope for the autumn"
	demoReceiptRef  = "demo GRN 2026-0312"
	demoOrderDay    = "2026-03-02"
	demoReceiptDay  = "2026-03-12"
	demoOpenOrderOn = "2026-07-15"
)

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err) // constants above
	}
	return &t
}

// loadPurchasing adds supplier price lists in USD, EUR and GBP with quantity breaks, two
// RFQs for the same drills (one partly quoted), a PO in EUR received in full with a posted
// freight cost, an open PO in GBP ordered at July's rate, and a reorder level that po
// generate --reorder will act on. Every step looks for what an earlier run made first.
func loadPurchasing(ctx context.Context, tx *sqlx.Tx, s *Summary) error {
	dec := decimal.RequireFromString
	pr := func(v string) *decimal.Decimal { d := dec(v); return &d }
	n := func(i int) *int { return &i }
	var before, after int
	if err := tx.GetContext(ctx, &before, `SELECT count(*) FROM supplier_prices`); err != nil {
		return db.Classify(err)
	}
	if _, err := purchasing.AddPrices(ctx, tx, []purchasing.PriceInput{
		{Supplier: "EUROTOOL", SKU: "DRILL-18V", Price: dec("46.50"), SupplierSKU: str("EUT-46021"), LeadDays: n(21), Pack: "case"},
		{Supplier: "EUROTOOL", SKU: "DRILL-18V", Price: dec("44.00"), MinQty: pr("20"), LeadDays: n(21), Pack: "case"},
		{Supplier: "EUROTOOL", SKU: "CAM-X1", Price: dec("150.00"), SupplierSKU: str("EUT-IC-X1"), LeadDays: n(28)},
		{Supplier: "PACIFIC", SKU: "DRILL-18V", Price: dec("54.00"), LeadDays: n(4), Priority: n(2)},
		{Supplier: "PACIFIC", SKU: "PAINT-WHITE", Price: dec("6.10"), SupplierSKU: str("PS-PW-1L"), LeadDays: n(5)},
		{Supplier: "PACIFIC", SKU: "PAINT-WHITE", Price: dec("5.60"), MinQty: pr("60"), LeadDays: n(5)},
		{Supplier: "BRITFIX", SKU: "SCREW-4X40", Price: dec("0.011"), SupplierSKU: str("BF-WS440Z"), LeadDays: n(14), Pack: "box"},
		{Supplier: "BRITFIX", SKU: "SCREW-4X40", Price: dec("0.0095"), MinQty: pr("5000"), LeadDays: n(14), Pack: "box"},
		{Supplier: "BRITFIX", SKU: "ROPE-10", Price: dec("0.55"), SupplierSKU: str("BF-PR10"), LeadDays: n(14), Pack: "coil"},
	}); err != nil {
		return fault.Wrap(fault.KindOf(err), err, "demo supplier prices")
	}
	if err := tx.GetContext(ctx, &after, `SELECT count(*) FROM supplier_prices`); err != nil {
		return db.Classify(err)
	}
	s.SupplierPrices += after - before

	// White paint has a reorder level at MAIN and none in stock there: po generate --reorder
	// will propose it from PACIFIC.
	if _, err := stock.SetLevels(ctx, tx, "PAINT-WHITE", "MAIN", stock.LevelChanges{Min: pr("10"), Max: pr("40")}); err != nil {
		return err
	}

	// Two RFQs for the same 40 drills: EUROTOOL has quoted the drills but not the cameras yet,
	// PACIFIC has quoted in USD. rfq compare DRILL-18V puts them side by side.
	rfqs := []struct {
		supplier, notes string
		lines           [][2]string
		quotes          map[int]rfq.QuoteInput
	}{
		{"EUROTOOL", demoRFQEuro, [][2]string{{"DRILL-18V", "40"}, {"CAM-X1", "4"}},
			map[int]rfq.QuoteInput{1: {Price: dec("43.00"), Date: day("2026-11-20"), ValidUntil: day("2027-01-31"), LeadDays: n(21)}}},
		{"PACIFIC", demoRFQPacific, [][2]string{{"DRILL-18V", "40"}},
			map[int]rfq.QuoteInput{1: {Price: dec("49.90"), Date: day("2026-11-21"), ValidUntil: day("2027-01-31"), LeadDays: n(4)}}},
	}
	for _, r := range rfqs {
		existing, err := rfq.RFQs(ctx, tx, "", r.supplier)
		if err != nil {
			return err
		}
		if hasRFQ(existing, r.notes) {
			continue
		}
		doc, err := rfq.NewRFQ(ctx, tx, rfq.NewRFQInput{Supplier: r.supplier, Location: "MAIN", RespondBy: day("2026-12-15"), Notes: r.notes})
		if err != nil {
			return err
		}
		for _, l := range r.lines {
			if _, err := rfq.AddRFQLine(ctx, tx, doc.Number, l[0], dec(l[1]), ""); err != nil {
				return err
			}
		}
		for line, q := range r.quotes {
			if _, err := rfq.RecordQuote(ctx, tx, doc.Number, line, q); err != nil {
				return err
			}
		}
		s.RFQs++
	}

	// A PO in EUR, ordered in March (1 EUR = 1.0850 USD, frozen), received in full with its
	// cameras numbered, and a freight cost of 120 EUR apportioned by value and posted.
	pos, err := purchasing.List(ctx, tx, purchasing.ListFilter{Supplier: "EUROTOOL"})
	if err != nil {
		return err
	}
	if !hasPO(pos, demoPOReceived) {
		doc, err := purchasing.New(ctx, tx, purchasing.NewPO{Supplier: "EUROTOOL", Location: "MAIN", Notes: demoPOReceived})
		if err != nil {
			return err
		}
		for _, l := range []purchasing.LineInput{{SKU: "DRILL-18V", Qty: dec("20")}, {SKU: "CAM-X1", Qty: dec("2")}} {
			if _, err := purchasing.AddLine(ctx, tx, doc.Number, l); err != nil {
				return fault.Wrap(fault.KindOf(err), err, "demo PO %s", doc.Number)
			}
		}
		if _, err := purchasing.Order(ctx, tx, doc.Number, day(demoOrderDay)); err != nil {
			return err
		}
		if _, err := purchasing.Receive(ctx, tx, doc.Number, purchasing.ReceiveRequest{Ref: demoReceiptRef, Date: day(demoReceiptDay),
			Lines: []purchasing.ReceiveLine{{LineNo: 1, Bay: "A1"}, {LineNo: 2, SerialStart: "CX0101"}}}); err != nil {
			return fault.Wrap(fault.KindOf(err), err, "demo receipt of %s", doc.Number)
		}
		if _, err := purchasing.AddCost(ctx, tx, doc.Number, purchasing.CostInput{Amount: dec("120.00"), Currency: "EUR",
			Kind: "freight", Date: day(demoReceiptDay), Narrative: "Stuttgart to San Jose, air freight"}); err != nil {
			return err
		}
		if _, err := purchasing.PostCosts(ctx, tx, doc.Number); err != nil {
			return err
		}
		s.PurchaseOrders++
		s.LandedCosts++
	}

	// An open PO in GBP, ordered in July (1 GBP = 1.2950 USD, frozen): screws and rope on order.
	pos, err = purchasing.List(ctx, tx, purchasing.ListFilter{Supplier: "BRITFIX"})
	if err != nil {
		return err
	}
	if !hasPO(pos, demoPOOpen) {
		doc, err := purchasing.New(ctx, tx, purchasing.NewPO{Supplier: "BRITFIX", Location: "MAIN", Notes: demoPOOpen})
		if err != nil {
			return err
		}
		for _, l := range []purchasing.LineInput{{SKU: "SCREW-4X40", Qty: dec("10"), Unit: "box"}, {SKU: "ROPE-10", Qty: dec("3"), Unit: "coil"}} {
			if _, err := purchasing.AddLine(ctx, tx, doc.Number, l); err != nil {
				return fault.Wrap(fault.KindOf(err), err, "demo PO %s", doc.Number)
			}
		}
		if _, err := purchasing.Order(ctx, tx, doc.Number, day(demoOpenOrderOn)); err != nil {
			return err
		}
		s.PurchaseOrders++
	}
	return nil
}

func hasRFQ(rs []rfq.RFQSummary, notes string) bool {
	for _, r := range rs {
		if r.Notes == notes {
			return true
		}
	}
	return false
}

func hasPO(ps []purchasing.POSummary, notes string) bool {
	for _, p := range ps {
		if p.Notes == notes {
			return true
		}
	}
	return false
}
