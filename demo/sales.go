package demo

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/sales"
	"github.com/stockctl/stockctl/orders/work"
)

// Notes that mark the demo's sales orders, so a rerun finds them instead of making them again.
const (
	demoSOShipped   = "Demo: drills and screws for Acme, shipped and invoiced"
	demoSOBackorder = "Demo: paint for Lone Star, none at MAIN yet"
	demoSOCustom    = "Demo: an oak workbench built to order"
	demoSOHeld      = "Demo: drills for Acme's second shop, two held back"
	demoSOPartial   = "Demo: navy tees for Bluebird's crew, more than there are"
)

// loadSales adds five sales orders selling from MAIN, so that backorders list shows every
// availability status: ACME's drills, a box of screws (a line in its own unit: 1 box
// (200 ea), priced per box) and 60 m of rope (from batch R2603, which batch trace then
// follows to ACME's invoice), confirmed, shipped and invoiced;
// LONESTAR's drills and white paint, whose paint is backordered (MAIN has none, STORE has
// some: "elsewhere", blue); BLUEBIRD's custom oak workbench, backordered with a work order
// (wo generate) linked to its line, open and ready to build from the bench tops, legs and
// screws at MAIN ("none"); ACME's four drills for a second shop, two of them backordered by
// hand (so backorder) though MAIN has plenty ("here", green: so release allocates them);
// and BLUEBIRD's 20 navy tees, of which MAIN has none and STORE 15 ("partial").
func loadSales(ctx context.Context, tx *sqlx.Tx, s *Summary) error {
	dec := decimal.RequireFromString
	orders := []struct {
		customer, notes, date string
		lines                 []sales.LineInput
		ship                  bool
		build                 bool
	}{
		{"ACME", demoSOShipped, "2026-06-02", []sales.LineInput{{SKU: "DRILL-18V", Qty: dec("2")}, {SKU: "SCREW-4X40", Qty: dec("1"), Unit: "box"},
			{SKU: "ROPE-10", Qty: dec("60")}}, true, false},
		{"LONESTAR", demoSOBackorder, "2026-06-09", []sales.LineInput{{SKU: "DRILL-18V", Qty: dec("3")}, {SKU: "PAINT-WHITE", Qty: dec("24")}}, false, false},
		{"BLUEBIRD", demoSOCustom, "2026-06-16", []sales.LineInput{{SKU: "BENCH", Qty: dec("1"), Choices: map[string]string{"Top": "Oak", "Vise": "Quick-release"}}}, false, true},
		{"ACME", demoSOHeld, "2026-06-18", []sales.LineInput{{SKU: "DRILL-18V", Qty: dec("4")}}, false, false},
		{"BLUEBIRD", demoSOPartial, "2026-06-19", []sales.LineInput{{SKU: "TEE-M-NAVY", Qty: dec("20")}}, false, false},
	}
	for _, o := range orders {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM sales_orders WHERE notes = $1`, o.notes); err != nil {
			return db.Classify(err)
		}
		if n > 0 {
			continue
		}
		doc, err := sales.New(ctx, tx, sales.NewOrder{Customer: o.customer, Location: "MAIN", Date: *day(o.date), Notes: o.notes})
		if err != nil {
			return fault.Wrap(fault.KindOf(err), err, "demo sales order for %s", o.customer)
		}
		for _, l := range o.lines {
			if _, err := sales.AddLine(ctx, tx, doc.Number, l); err != nil {
				return fault.Wrap(fault.KindOf(err), err, "demo sales order %s: %s", doc.Number, l.SKU)
			}
		}
		if _, err := sales.Confirm(ctx, tx, doc.Number); err != nil {
			return err
		}
		s.SalesOrders++
		if o.notes == demoSOHeld {
			// The customer takes two now and two later: backordered by hand.
			if _, err := sales.SetBackorder(ctx, tx, doc.Number, 1, dec("2")); err != nil {
				return err
			}
		}
		if o.ship {
			if _, err := sales.Ship(ctx, tx, sales.ShipRequest{SO: doc.Number}); err != nil {
				return err
			}
			s.Shipments++
			if _, err := sales.Invoice(ctx, tx, doc.Number, *day(o.date)); err != nil {
				return err
			}
			s.Invoices++
		}
		if o.build {
			gs, err := work.Generate(ctx, tx, []string{doc.Number})
			if err != nil {
				return err
			}
			for _, g := range gs {
				if g.WO != "" {
					s.WorkOrders++
				}
			}
		}
	}
	return nil
}

// demoSOInclusive marks the demo's order at tax-inclusive prices.
const demoSOInclusive = "Demo: Pacific's installation and safety guides at tax-inclusive prices, invoiced"

// loadTaxInclusive adds PACIFIC's order, taken with prices that include tax while the
// business's setting stays exclusive (the order says so for itself, as so new
// --prices-include-tax does), and invoices it: 3 h of INSTALL at 85.00 = 255.00 holding
// 255 × 8.25/108.25 = 19.43 tax, and 2 GUIDE-PDF at 9.99 less 10 % = 17.98 holding 1.37;
// net 252.18 + tax 20.80 = 272.98, on the order and on its invoice alike. It runs after the
// other orders, so theirs keep their numbers.
func loadTaxInclusive(ctx context.Context, tx *sqlx.Tx, s *Summary) error {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM sales_orders WHERE notes = $1`, demoSOInclusive); err != nil {
		return db.Classify(err)
	}
	if n > 0 {
		return nil
	}
	inclusive := true
	doc, err := sales.New(ctx, tx, sales.NewOrder{Customer: "PACIFIC", Location: "MAIN", Date: *day("2026-06-22"),
		Notes: demoSOInclusive, PricesIncludeTax: &inclusive})
	if err != nil {
		return fault.Wrap(fault.KindOf(err), err, "demo sales order for PACIFIC")
	}
	for _, l := range []sales.LineInput{{SKU: "INSTALL", Qty: decimal.NewFromInt(3)}, {SKU: "GUIDE-PDF", Qty: decimal.NewFromInt(2), Discount: dec("10")}} {
		if _, err := sales.AddLine(ctx, tx, doc.Number, l); err != nil {
			return fault.Wrap(fault.KindOf(err), err, "demo sales order %s: %s", doc.Number, l.SKU)
		}
	}
	if _, err := sales.Confirm(ctx, tx, doc.Number); err != nil {
		return err
	}
	s.SalesOrders++
	if _, err := sales.Invoice(ctx, tx, doc.Number, *day("2026-06-22")); err != nil {
		return err
	}
	s.Invoices++
	return nil
}
