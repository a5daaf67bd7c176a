// Package recall traces a batch for a recall: where it came from (receipts and their
// suppliers, adjustments, stocktakes), where it went (shipments to which customers, on
// which invoices; transfers; work orders that consumed it) and where the rest is now.
package recall

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/sales"
)

// KindOnHand is the kind of the rows that say where the rest of the batch is now.
const KindOnHand = "on_hand"

// Row is one line of a batch trace: a move of the batch (Kind the ledger's: po_receipt,
// adjustment, stocktake, transfer, dispatch, transfer_receipt, sale, wo_consume ...) with
// the document and the other party, or (Kind on_hand, no time) stock of it at a location now.
type Row struct {
	Kind      string          `json:"kind"`
	Time      *time.Time      `json:"time"`
	Qty       decimal.Decimal `json:"qty"`
	From      string          `json:"from"`
	To        string          `json:"to"` // on_hand: the location the stock is at
	Bay       *string         `json:"bay"`
	Document  string          `json:"document"` // PO, shipment, transfer, work order or stocktake number; an adjustment's ref
	SO        string          `json:"so"`
	Party     string          `json:"party"` // the supplier of a receipt, the customer of a shipment
	PartyName string          `json:"party_name" print:"wide"`
	Invoices  string          `json:"invoices"` // of the order line a shipment sent, comma-separated
	Note      string          `json:"note" print:"wide"`
	Move      *int64          `json:"move" print:"wide"`
}

// Trace is the recall report of one batch.
type Trace struct {
	SKU       string
	Batch     string
	Expiry    *time.Time
	Rows      []Row
	Received  decimal.Decimal // into stock from outside: receipts, adjustments and counts up, production
	Shipped   decimal.Decimal // to customers
	Customers int             // how many customers got some
	OnHand    decimal.Decimal // at holding locations now, in transit included
}

// Of traces batch of product sku: every move of the batch in ledger order, receipts with
// their supplier (purchasing), shipments with their order, customer and invoices (sales),
// then where the rest is now, per location and bay. Reads only; run it on one snapshot.
func Of(ctx context.Context, q sqlx.QueryerContext, sku, batch string) (Trace, error) {
	h, err := stock.TraceBatch(ctx, q, sku, batch)
	if err != nil {
		return Trace{}, err
	}
	ships, err := sales.BatchShipments(ctx, q, h.Batch.ID)
	if err != nil {
		return Trace{}, err
	}
	var pos []string
	for _, m := range h.Moves {
		if m.Kind == purchasing.KindReceipt {
			pos = append(pos, m.Reference)
		}
	}
	suppliers, err := purchasing.Suppliers(ctx, q, pos)
	if err != nil {
		return Trace{}, err
	}
	t := Trace{SKU: h.SKU, Batch: h.Batch.Number, Expiry: h.Batch.Expiry, Rows: []Row{},
		Received: decimal.Zero, Shipped: decimal.Zero, OnHand: decimal.Zero}
	customers := map[string]bool{}
	for _, m := range h.Moves {
		r := Row{Kind: m.Kind, Time: &m.Time, Qty: m.Qty, From: m.From, To: m.To, Document: m.Reference, Move: &m.ID}
		r.Note = m.Reason
		if r.Note == "" {
			r.Note = m.Narrative
		}
		switch {
		case m.Kind == purchasing.KindReceipt:
			if s, ok := suppliers[m.Reference]; ok {
				r.Party, r.PartyName = s.Supplier, s.SupplierName
			}
		case m.Kind == sales.KindSale:
			if s, ok := ships[m.ID]; ok {
				r.Document, r.SO, r.Party, r.PartyName, r.Invoices = s.Shipment, s.SO, s.Customer, s.CustomerName, s.Invoices
				customers[s.Customer] = true
			} else {
				r.SO = m.Reference
			}
			t.Shipped = t.Shipped.Add(m.Qty)
		}
		if outside(m.From) && !outside(m.To) {
			t.Received = t.Received.Add(m.Qty)
		}
		t.Rows = append(t.Rows, r)
	}
	for _, p := range h.Now {
		t.Rows = append(t.Rows, Row{Kind: KindOnHand, Qty: p.Qty, To: p.Location, Bay: p.Bay})
		t.OnHand = t.OnHand.Add(p.Qty)
	}
	t.Customers = len(customers)
	return t, nil
}

// outside is a virtual location other than transit: stock from there comes into the business.
func outside(code string) bool {
	return len(code) > 0 && code[0] == '~' && code != "~transit"
}
