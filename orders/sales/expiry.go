package sales

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/inventory/stock"
)

// Hold is a backordered line that stock in expired batches at its order's location could
// serve: what stays backordered because stockctl does not ship expired stock unasked.
type Hold struct {
	SO          string
	Line        int
	SKU         string
	Location    string
	Backordered decimal.Decimal
	Qty         decimal.Decimal // what the expired stock could serve: the least of the backorder and it
	Lots        []stock.ExpiredLot
}

// Note is the message a command prints for the hold.
func (h Hold) Note() string {
	lots := make([]string, len(h.Lots))
	for i, l := range h.Lots {
		lots[i] = l.String()
	}
	return fmt.Sprintf("%s line %d: %s %s stays backordered: at %s only expired stock could serve it (%s); to ship it anyway: stockctl so release %s --allow-expired --ship",
		h.SO, h.Line, h.Qty, h.SKU, h.Location, strings.Join(lots, ", "), h.SO)
}

// ExpiredHolds returns the backordered lines of open orders (the orders numbered, or all with
// none; with location, those selling from it) for which there is stock at the order's
// location only in batches past their expiry (stock.TodaySQL), with those batches, by order,
// line and expiry. One statement: it starts from the expired stock, which is little.
func ExpiredHolds(ctx context.Context, q sqlx.QueryerContext, orders []string, location string) ([]Hold, error) {
	var rows []struct {
		SO          string          `db:"so"`
		Line        int             `db:"line_no"`
		SKU         string          `db:"sku"`
		Location    string          `db:"location"`
		Backordered decimal.Decimal `db:"backordered"`
		Batch       string          `db:"batch"`
		Expiry      time.Time       `db:"expiry"`
		Qty         decimal.Decimal `db:"qty"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `WITH e AS (
			SELECT s.product_id, s.location_id, b.number, b.expiry, sum(s.qty) AS qty
			FROM stock_quants s JOIN batches b ON b.id = s.batch_id
			WHERE s.qty > 0 AND b.expiry < `+stock.TodaySQL+`
			GROUP BY 1, 2, 3, 4)
		SELECT o.number AS so, x.line_no, p.sku, l.code AS location, x.backordered, e.number AS batch, e.expiry, e.qty
		FROM e JOIN so_lines x ON x.product_id = e.product_id AND x.backordered > 0 AND NOT x.custom
		JOIN sales_orders o ON o.id = x.so_id AND o.location_id = e.location_id
		JOIN products p ON p.id = x.product_id
		JOIN locations l ON l.id = o.location_id
		WHERE o.status IN ('confirmed', 'partially_shipped')
		  AND (coalesce(cardinality($1::text[]), 0) = 0 OR o.number = ANY($1)) AND ($2 = '' OR l.code = $2)
		ORDER BY o.number, x.line_no, e.expiry, e.number`, pq.StringArray(orders), location)
	if err != nil {
		return nil, db.Classify(err)
	}
	var out []Hold
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].SO != r.SO || out[n-1].Line != r.Line {
			out = append(out, Hold{SO: r.SO, Line: r.Line, SKU: r.SKU, Location: r.Location, Backordered: r.Backordered, Qty: decimal.Zero})
		}
		h := &out[len(out)-1]
		h.Lots = append(h.Lots, stock.ExpiredLot{Batch: r.Batch, Expiry: r.Expiry, Qty: r.Qty})
		h.Qty = decimal.Min(h.Backordered, h.Qty.Add(r.Qty))
	}
	return out, nil
}

// BatchShipment is one shipment line that sent out stock of a batch: the shipment, its
// order, the customer, and the invoices that invoiced the order line (comma-separated, ""
// when not invoiced yet).
type BatchShipment struct {
	Move         int64           `db:"move_id"`
	Shipment     string          `db:"shipment"`
	SO           string          `db:"so"`
	Customer     string          `db:"customer"`
	CustomerName string          `db:"customer_name"`
	Qty          decimal.Decimal `db:"qty"`
	Invoices     string          `db:"invoices"`
}

// BatchShipments returns the shipment lines that sent out stock of batch batchID, keyed by
// their ledger move. One statement (through shipment_lines_batch, migration 00024).
func BatchShipments(ctx context.Context, q sqlx.QueryerContext, batchID int64) (map[int64]BatchShipment, error) {
	var rows []BatchShipment
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT sl.move_id, s.number AS shipment, o.number AS so, c.code AS customer,
			c.name AS customer_name, sl.qty,
			coalesce((SELECT string_agg(DISTINCT i.number, ', ' ORDER BY i.number) FROM invoice_lines il
			          JOIN invoices i ON i.id = il.invoice_id WHERE il.so_line_id = sl.so_line_id), '') AS invoices
		FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id
		JOIN sales_orders o ON o.id = s.so_id JOIN companies c ON c.id = o.customer_id
		WHERE sl.batch_id = $1`, batchID)
	if err != nil {
		return nil, db.Classify(err)
	}
	out := make(map[int64]BatchShipment, len(rows))
	for _, r := range rows {
		out[r.Move] = r
	}
	return out, nil
}
