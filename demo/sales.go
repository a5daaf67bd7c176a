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
)

// loadSales adds three sales orders selling from MAIN: ACME's drills and screws, confirmed,
// shipped and invoiced; LONESTAR's drills and white paint, whose paint is backordered (MAIN
// has none, STORE has some: "elsewhere" in backorders list); and BLUEBIRD's custom oak
// workbench, backordered with a work order (wo generate) linked to its line, open and ready
// to build from the bench tops, legs and screws at MAIN.
func loadSales(ctx context.Context, tx *sqlx.Tx, s *Summary) error {
	dec := decimal.RequireFromString
	orders := []struct {
		customer, notes, date string
		lines                 []sales.LineInput
		ship                  bool
		build                 bool
	}{
		{"ACME", demoSOShipped, "2026-06-02", []sales.LineInput{{SKU: "DRILL-18V", Qty: dec("2")}, {SKU: "SCREW-4X40", Qty: dec("200")}}, true, false},
		{"LONESTAR", demoSOBackorder, "2026-06-09", []sales.LineInput{{SKU: "DRILL-18V", Qty: dec("3")}, {SKU: "PAINT-WHITE", Qty: dec("24")}}, false, false},
		{"BLUEBIRD", demoSOCustom, "2026-06-16", []sales.LineInput{{SKU: "BENCH", Qty: dec("1"), Choices: map[string]string{"Top": "Oak", "Vise": "Quick-release"}}}, false, true},
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
