package purchasing

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// KindReceipt is the ledger kind of stock received on a purchase order.
const KindReceipt = "po_receipt"

// ReceiveLine is what arrived on one PO line.
type ReceiveLine struct {
	LineNo int
	// Qty in the stock unit; nil receives everything outstanding on the line. A serialised
	// line may give serials instead.
	Qty         *decimal.Decimal
	Batch       string     // batch-tracked products: the batch it arrived in
	Expiry      *time.Time // for a new batch
	Serials     []string   // serialised products: one per unit
	SerialStart string     // or number the units from here (SN1000, SN1001 ...)
	Bay         string     // default: the product's default bay at the PO's location
}

// ReceiveRequest is one receipt of a purchase order: the lines given, or with All every line
// with something outstanding (taking Defaults' batch, expiry, bay and serials where they
// apply).
type ReceiveRequest struct {
	All      bool
	Lines    []ReceiveLine
	Defaults ReceiveLine
	// Ref names the delivery (delivery note, ASN): the same ref on the same PO is received once.
	Ref string
	// AllowOver lets a line receive more than was ordered.
	AllowOver bool
	Date      *time.Time // default today
}

// recvLine is a PO line as Receive needs it.
type recvLine struct {
	ID          int64           `db:"id"`
	LineNo      int             `db:"line_no"`
	SKU         string          `db:"sku"`
	Qty         decimal.Decimal `db:"qty"`
	ReceivedQty decimal.Decimal `db:"received_qty"`
	UnitPrice   decimal.Decimal `db:"unit_price"`  // per EnteredQty's unit
	EnteredQty  decimal.Decimal `db:"entered_qty"` // Qty in the line's unit
}

func (l recvLine) outstanding() decimal.Decimal {
	return decimal.Max(l.Qty.Sub(l.ReceivedQty), decimal.Zero)
}

// Receive records a receipt of a purchase order: stock arrives at the PO's location through
// stock.Post, valued at the line's price converted at the PO's frozen rate (so the average
// cost follows, and a later change of exchange rates changes nothing received). Receipts
// may be partial and repeated; receiving more than ordered needs AllowOver. The PO row is
// locked first, so two receipts of one PO queue and never receive more than ordered
// between them; the update of each line is guarded as well.
//
// A ref names the delivery and is received once per PO. The receipt keeps the request in
// canonical form (quantities as numbers, serials in any order) and the document it
// returned. Given again with the same request, nothing happens and the result is that
// document, AlreadyPosted; with another request it is refused (fault.Conflict) naming the
// first difference. A ref received before migration 00016 kept neither: it is
// AlreadyPosted without a comparison, and the document is empty but for AlreadyPosted.
func Receive(ctx context.Context, q sqlx.ExtContext, number string, r ReceiveRequest) (PODoc, error) {
	h, err := lockPO(ctx, q, number)
	if err != nil {
		return PODoc{}, err
	}
	r.Ref = strings.TrimSpace(r.Ref)
	if err := bounds.CheckText("a ref", r.Ref, bounds.MaxRef); err != nil {
		return PODoc{}, fault.Invalidf("ref", "--ref: %v", err)
	}
	var req stock.Request
	if r.Ref != "" {
		var kept []struct {
			Request []byte `db:"request"`
			Result  []byte `db:"result"`
		}
		if err := sqlx.SelectContext(ctx, q, &kept, `SELECT request, result FROM po_receipts WHERE po_id = $1 AND ref = $2`, h.ID, r.Ref); err != nil {
			return PODoc{}, db.Classify(err)
		}
		var prior *stock.Request
		if len(kept) > 0 && kept[0].Request != nil {
			prior = new(stock.Request)
			if err := json.Unmarshal(kept[0].Request, prior); err != nil {
				return PODoc{}, fmt.Errorf("%s: ref %s: the request kept with it does not read: %w", h.Number, r.Ref, err)
			}
		}
		if req, err = r.request(prior); err != nil {
			return PODoc{}, fault.Wrap(fault.KindOf(err), err, "%s", h.Number)
		}
		if len(kept) > 0 {
			var doc PODoc
			if kept[0].Result != nil {
				if err := json.Unmarshal(kept[0].Result, &doc); err != nil {
					return PODoc{}, fmt.Errorf("%s: ref %s: the result kept with it does not read: %w", h.Number, r.Ref, err)
				}
			}
			doc.AlreadyPosted = true
			return doc, nil
		}
	}
	switch h.Status {
	case Ordered, PartiallyReceived:
	case Received:
		if !r.AllowOver {
			return PODoc{}, fault.Invalidf("po", "%s is received in full: nothing is outstanding (receive more than ordered with --allow-over)", h.Number)
		}
	case Draft:
		return PODoc{}, fault.Invalidf("po", "%s is a draft: order it first with stockctl po order %s", h.Number, h.Number)
	default:
		return PODoc{}, fault.Invalidf("po", "%s is %s: nothing can be received on it", h.Number, h.Status)
	}
	var lines []recvLine
	if err := sqlx.SelectContext(ctx, q, &lines, `SELECT x.id, x.line_no, p.sku, x.qty, x.received_qty, x.unit_price, x.entered_qty
		FROM po_lines x JOIN products p ON p.id = x.product_id WHERE x.po_id = $1 ORDER BY x.line_no`, h.ID); err != nil {
		return PODoc{}, db.Classify(err)
	}
	byNo := map[int]recvLine{}
	for _, l := range lines {
		byNo[l.LineNo] = l
	}
	want := r.Lines
	if r.All {
		if len(r.Lines) > 0 {
			return PODoc{}, fault.Invalidf("line", "receive either all lines or the lines given, not both")
		}
		want, err = allLines(ctx, q, h, lines, r.Defaults)
		if err != nil {
			return PODoc{}, err
		}
	}
	if len(want) == 0 {
		return PODoc{}, fault.Invalidf("line", "%s: say what arrived: every line (--all) or --line N", h.Number)
	}

	loc, err := stock.GetLocation(ctx, q, "location", locationCode(ctx, q, h.LocationID))
	if err != nil {
		return PODoc{}, err
	}
	from, err := stock.Virtual(ctx, q, stock.SupplierSide)
	if err != nil {
		return PODoc{}, err
	}
	defaultGL, err := settings.Value(ctx, q, "gl_inventory")
	if err != nil {
		return PODoc{}, err
	}
	day := clock.Today()
	if r.Date != nil {
		day = *r.Date
	}
	var receiptNo int
	if err := sqlx.GetContext(ctx, q, &receiptNo, `SELECT coalesce(max(receipt_no), 0) + 1 FROM po_receipts WHERE po_id = $1`, h.ID); err != nil {
		return PODoc{}, db.Classify(err)
	}
	narrative := fmt.Sprintf("receipt %d from %s", receiptNo, h.Supplier)
	if r.Ref != "" {
		narrative += " (" + r.Ref + ")"
	}

	type part struct {
		line recvLine
		received
	}
	var parts []part
	var moves []stock.Move
	var moveLine []int // the part each move belongs to
	seen := map[int]bool{}
	for _, w := range want {
		l, ok := byNo[w.LineNo]
		if !ok {
			return PODoc{}, fault.Invalidf("line", "%s has no line %d: its lines are 1 to %d (see stockctl po show %s)", h.Number, w.LineNo, len(lines), h.Number)
		}
		if seen[w.LineNo] {
			return PODoc{}, fault.Invalidf("line", "%s: line %d is given twice in one receipt", h.Number, w.LineNo)
		}
		seen[w.LineNo] = true
		pt, ms, err := receiveLineMoves(ctx, q, h, l, w, r.AllowOver, loc, from, defaultGL, narrative)
		if err != nil {
			return PODoc{}, fault.Wrap(fault.KindOf(err), err, "%s line %d (%s)", h.Number, l.LineNo, l.SKU)
		}
		parts = append(parts, part{line: l, received: pt})
		for range ms {
			moveLine = append(moveLine, len(parts)-1)
		}
		moves = append(moves, ms...)
	}
	if _, err := stock.Post(ctx, q, moves); err != nil {
		if i, ok := stock.FailedMove(err); ok {
			l := parts[moveLine[i]].line
			return PODoc{}, fault.Wrap(fault.KindOf(err), err, "%s line %d (%s)", h.Number, l.LineNo, l.SKU)
		}
		return PODoc{}, err
	}

	var keptReq *string // NULL without a ref
	if r.Ref != "" {
		b, err := json.Marshal(req)
		if err != nil {
			return PODoc{}, err
		}
		s := string(b)
		keptReq = &s
	}
	var receiptID int64
	err = sqlx.GetContext(ctx, q, &receiptID, `INSERT INTO po_receipts (po_id, receipt_no, ref, received_on, request) VALUES ($1, $2, $3, $4::date, $5)
		RETURNING id`, h.ID, receiptNo, r.Ref, dateOnly(day), keptReq)
	if err != nil {
		if db.Constraint(err) == "po_receipts_ref" {
			return PODoc{}, fault.Conflictf("%s: ref %s was received at the same moment by another run", h.Number, r.Ref)
		}
		return PODoc{}, db.Classify(err)
	}
	for _, pt := range parts {
		var batchID, bayID *int64
		if pt.batch != nil {
			batchID = &pt.batch.ID
		}
		if pt.bay != nil {
			bayID = &pt.bay.ID
		}
		serials := pq.StringArray(pt.serials)
		if serials == nil {
			serials = pq.StringArray{}
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO po_receipt_lines (receipt_id, po_line_id, qty, unit_cost, batch_id, bay_id, serials)
			VALUES ($1, $2, $3, $4, $5, $6, $7::text[])`, receiptID, pt.line.ID, pt.qty, pt.cost, batchID, bayID, serials); err != nil {
			return PODoc{}, db.Classify(err)
		}
		// Guarded: the PO lock already makes receipts queue; this is the last line of defence.
		res, err := q.ExecContext(ctx, `UPDATE po_lines SET received_qty = received_qty + $2
			WHERE id = $1 AND ($3 OR received_qty + $2 <= qty)`, pt.line.ID, pt.qty, r.AllowOver)
		if err != nil {
			return PODoc{}, db.Classify(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return PODoc{}, fault.Invalidf("qty", "%s line %d (%s): receiving %s would receive more than ordered (use --allow-over)", h.Number, pt.line.LineNo, pt.line.SKU, pt.qty)
		}
	}
	if _, err := q.ExecContext(ctx, `UPDATE purchase_orders SET status = CASE WHEN EXISTS
		(SELECT 1 FROM po_lines WHERE po_id = $1 AND received_qty < qty) THEN 'partially_received' ELSE 'received' END
		WHERE id = $1`, h.ID); err != nil {
		return PODoc{}, db.Classify(err)
	}
	doc, err := Get(ctx, q, h.Number)
	if err != nil || r.Ref == "" {
		return doc, err
	}
	result, err := db.JSON(doc)
	if err != nil {
		return PODoc{}, err
	}
	if _, err := q.ExecContext(ctx, `UPDATE po_receipts SET result = $2 WHERE id = $1`, receiptID, string(result)); err != nil {
		return PODoc{}, db.Classify(err)
	}
	return doc, nil
}

// request is the receipt in canonical form, as its ref keeps it, checked against prior
// (nil: nothing to check). The date counts only when given: a receipt of "today" run again
// tomorrow is the same request.
func (r ReceiveRequest) request(prior *stock.Request) (stock.Request, error) {
	fields := []stock.Field{stock.FlagField("all", r.All), stock.FlagField("allow_over", r.AllowOver), stock.DateField("date", r.Date)}
	if r.All {
		fields = append(fields, r.Defaults.fields()[2:]...) // all but line and qty
	}
	b, err := stock.NewRequestBuilder(r.Ref, "line", prior, fields...)
	if err != nil {
		return stock.Request{}, err
	}
	for i, l := range r.Lines {
		label := "" // one line: its fields name it
		if len(r.Lines) > 1 {
			label = fmt.Sprintf("receipt line %d", i+1)
		}
		if err := b.Line(label, l.fields()...); err != nil {
			return stock.Request{}, err
		}
	}
	return b.Done()
}

// fields are what arrived on one line in canonical form; qty "" is what is outstanding.
func (l ReceiveLine) fields() []stock.Field {
	return []stock.Field{stock.IntField("line", l.LineNo), stock.DecPtrField("qty", l.Qty), stock.TextField("batch", l.Batch),
		stock.DateField("expiry", l.Expiry), stock.SetField("serials", l.Serials), stock.TextField("serial_start", l.SerialStart),
		stock.TextField("bay", l.Bay)}
}

func locationCode(ctx context.Context, q sqlx.QueryerContext, id int64) string {
	var code string
	_ = sqlx.GetContext(ctx, q, &code, `SELECT code FROM locations WHERE id = $1`, id)
	return code
}

// allLines is every line with something outstanding, with the defaults that apply to it:
// a batch for batch-tracked products, serials for the one serialised line, a bay for all.
func allLines(ctx context.Context, q sqlx.QueryerContext, h poHead, lines []recvLine, def ReceiveLine) ([]ReceiveLine, error) {
	var out []ReceiveLine
	serialLines := 0
	for _, l := range lines {
		if !l.outstanding().IsPositive() {
			continue
		}
		p, err := catalog.Get(ctx, q, l.SKU)
		if err != nil {
			return nil, err
		}
		w := ReceiveLine{LineNo: l.LineNo}
		if p.TrackStock {
			w.Bay = def.Bay
		}
		if p.BatchTracked {
			w.Batch, w.Expiry = def.Batch, def.Expiry
		}
		if p.Serialized {
			serialLines++
			w.Serials, w.SerialStart = def.Serials, def.SerialStart
		}
		out = append(out, w)
	}
	if serialLines > 1 && (len(def.Serials) > 0 || def.SerialStart != "") {
		return nil, fault.Invalidf("serial", "%s has %d serialised lines outstanding: receive them one at a time with --line N and their serials", h.Number, serialLines)
	}
	if len(out) == 0 {
		return nil, fault.Invalidf("po", "%s: nothing is outstanding (receive more than ordered with --line N --qty Q --allow-over)", h.Number)
	}
	return out, nil
}

// received is what one receive line adds up to.
type received struct {
	qty     decimal.Decimal
	cost    decimal.Decimal
	batch   *stock.Batch
	bay     *stock.Bay
	serials []string
}

// receiveLineMoves checks one receive line against its PO line and the product's tracking
// rules and builds the moves that bring it in (none for products that are not stocked).
func receiveLineMoves(ctx context.Context, q sqlx.ExtContext, h poHead, l recvLine, w ReceiveLine, allowOver bool,
	loc, from stock.Location, defaultGL, narrative string) (received, []stock.Move, error) {
	var out received
	p, err := catalog.Get(ctx, q, l.SKU)
	if err != nil {
		return out, nil, err
	}
	qty := l.outstanding()
	switch {
	case w.Qty != nil:
		qty = *w.Qty
	case p.Serialized && len(w.Serials) > 0:
		qty = decimal.NewFromInt(int64(len(w.Serials)))
	}
	if !qty.IsPositive() {
		if w.Qty == nil {
			return out, nil, fault.Invalidf("qty", "nothing is outstanding: give --qty to receive more than ordered (with --allow-over)")
		}
		return out, nil, fault.Invalidf("qty", "the quantity received must be more than 0, got %s", qty)
	}
	if r, err := catalog.ToStock(ctx, q, p, qty, ""); err != nil {
		return out, nil, err
	} else if !r.Equal(qty) {
		return out, nil, fault.Invalidf("qty", "%s has more decimals than the unit %s keeps", qty, p.StockUOM)
	}
	if after := l.ReceivedQty.Add(qty); after.GreaterThan(l.Qty) && !allowOver {
		return out, nil, fault.Invalidf("qty", "receiving %s would make %s received of %s ordered (outstanding %s): check the delivery, or accept the extra with --allow-over",
			qty, after, l.Qty, l.outstanding())
	}
	out.qty = qty
	// Per stock unit: the line's price is per its own unit, of which EnteredQty make Qty.
	out.cost = l.UnitPrice.Mul(l.EnteredQty).Mul(*h.Rate).DivRound(l.Qty, costScale)
	if !p.TrackStock {
		if w.Batch != "" || len(w.Serials) > 0 || w.SerialStart != "" || w.Bay != "" {
			return out, nil, fault.Invalidf("line", "%s is not stock-tracked: it arrives without batch, serials or bay", p.SKU)
		}
		return out, nil, nil
	}
	base := stock.Move{Product: p, From: from, To: loc, UnitCost: &out.cost, Kind: KindReceipt, Reference: h.Number,
		GLCode: p.InventoryGL, Narrative: narrative}
	if base.GLCode == "" {
		base.GLCode = defaultGL
	}
	if w.Bay != "" {
		b, err := stock.GetBay(ctx, q, loc, w.Bay)
		if err != nil {
			return out, nil, err
		}
		base.ToBay = &b
	} else if base.ToBay, err = stock.DefaultBay(ctx, q, p.ID, loc); err != nil {
		return out, nil, err
	}
	out.bay = base.ToBay
	switch {
	case p.BatchTracked && w.Batch == "":
		return out, nil, fault.Invalidf("batch", "%s is batch-tracked: give the batch it arrived in with --batch (and --expiry for a new batch)", p.SKU)
	case !p.BatchTracked && (w.Batch != "" || w.Expiry != nil):
		return out, nil, fault.Invalidf("batch", "%s is not batch-tracked: leave out --batch and --expiry", p.SKU)
	case p.BatchTracked:
		b, err := stock.EnsureBatch(ctx, q, p, w.Batch, w.Expiry)
		if err != nil {
			return out, nil, err
		}
		base.Batch, out.batch = &b, &b
	}
	if !p.Serialized {
		if len(w.Serials) > 0 || w.SerialStart != "" {
			return out, nil, fault.Invalidf("serial", "%s is not serialised: leave out --serial and --serial-start", p.SKU)
		}
		base.Qty = qty
		return out, []stock.Move{base}, nil
	}
	if !qty.Equal(qty.Truncate(0)) {
		return out, nil, fault.Invalidf("qty", "%s is serialised: receive whole units, got %s", p.SKU, qty)
	}
	n := int(qty.IntPart())
	names := w.Serials
	if w.SerialStart != "" {
		if len(w.Serials) > 0 {
			return out, nil, fault.Invalidf("serial-start", "give --serial or --serial-start, not both")
		}
		if names, err = stock.SerialRun(w.SerialStart, n); err != nil {
			return out, nil, err
		}
	}
	if len(names) != n {
		return out, nil, fault.Invalidf("serial", "%s is serialised: give %d serial numbers (--serial, or --serial-start SN1000), got %d", p.SKU, n, len(names))
	}
	serials, err := stock.EnsureSerials(ctx, q, p, names)
	if err != nil {
		return out, nil, err
	}
	out.serials = names
	moves := make([]stock.Move, n)
	for i := range serials {
		m := base
		m.Qty = decimal.NewFromInt(1)
		s := serials[i]
		m.Serial = &s
		moves[i] = m
	}
	return out, moves, nil
}
