package stock

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/numbering"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// Transfer statuses.
const (
	TransferInTransit         = "in_transit"
	TransferPartiallyReceived = "partially_received"
	TransferReceived          = "received"
)

// Ref scopes of transfers; a receipt's scope carries the transfer number, so one ref (say a
// delivery note) may receive several transfers, each once.
const (
	transferRefScope = "stock transfer"
	receiveRefScope  = "transfer receive "
)

// TransferRequest is a transfer of one product between two internal locations.
type TransferRequest struct {
	SKU      string
	From, To string // location codes
	// Qty in the product's stock unit. For a serialised product it is the number of serials
	// and may be left zero.
	Qty     decimal.Decimal
	Batch   string   // take only this batch (default: first-expiry-first-out)
	Serials []string // serialised products: one per unit
	FromBay string   // take only from this bay of From
	ToBay   string   // put into this bay of To (default: the product's default bay there)
	// TwoStep dispatches the stock into transit; Receive brings it to To later.
	TwoStep bool
	// ExtraCost is a total in the base currency (freight, handling) added to the value of
	// what arrives: it raises the moving-average cost.
	ExtraCost *decimal.Decimal
	Narrative string
	Ref       string // idempotency: the same ref is posted once
	// AllowExpired lets first-expiry-first-out (or --batch) take batches past their expiry;
	// without it they stay where they are (see Move.SkipExpired).
	AllowExpired bool
}

// TransferSummary is a transfer without its lines, as listed.
type TransferSummary struct {
	ID          int64           `db:"id" json:"-"`
	Number      string          `db:"number" json:"number"`
	From        string          `db:"from_location" json:"from"`
	To          string          `db:"to_location" json:"to"`
	SKU         string          `db:"sku" json:"sku"` // the products of its lines, comma-separated
	TwoStep     bool            `db:"two_step" json:"two_step"`
	Status      string          `db:"status" json:"status"`
	Qty         decimal.Decimal `db:"qty" json:"qty"`
	ReceivedQty decimal.Decimal `db:"received_qty" json:"received_qty"`
	Outstanding decimal.Decimal `db:"outstanding" json:"outstanding"`
	LineCount   int             `db:"line_count" json:"line_count" print:"wide"`
	ExtraCost   decimal.Decimal `db:"extra_cost" json:"extra_cost" print:"wide"`
	Narrative   string          `db:"narrative" json:"narrative" print:"wide"`
	CreatedAt   time.Time       `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy   string          `db:"created_by" json:"created_by" print:"wide"`
	UpdatedAt   time.Time       `db:"updated_at" json:"updated_at" print:"wide"`
}

// TransferLine is one part of a transfer: a quantity of one product from one bay, batch and
// serial. What was dispatched on a line is exactly what is received on it.
type TransferLine struct {
	Transfer    string          `db:"transfer" json:"transfer" print:"wide"`
	LineNo      int             `db:"line_no" json:"line_no"`
	SKU         string          `db:"sku" json:"sku"`
	Qty         decimal.Decimal `db:"qty" json:"qty"`
	ReceivedQty decimal.Decimal `db:"received_qty" json:"received_qty"`
	Outstanding decimal.Decimal `db:"outstanding" json:"outstanding"`
	Batch       *string         `db:"batch" json:"batch"`
	Serial      *string         `db:"serial" json:"serial"`
	FromBay     *string         `db:"from_bay" json:"from_bay"`
	ToBay       *string         `db:"to_bay" json:"to_bay"`
	// UnitCost is what one unit left the source at (with an immediate transfer's extra cost,
	// what it arrived at); receipts record their own unit cost on their moves.
	UnitCost decimal.Decimal `db:"unit_cost" json:"unit_cost"`
}

// TransferDoc is a transfer with its lines.
type TransferDoc struct {
	TransferSummary
	Lines []TransferLine `json:"lines"`
	// AlreadyPosted is set when a ref was given that was posted before with the same
	// request: nothing changed, and the rest is the document as that posting returned it
	// (empty, Number "", for a ref posted before migration 00016, which kept none).
	AlreadyPosted bool `json:"-"`
}

// fields are the request in canonical form, as a ref keeps it.
func (t TransferRequest) fields() []Field {
	qty := t.Qty
	if qty.IsZero() && len(t.Serials) > 0 {
		qty = decimal.NewFromInt(int64(len(t.Serials)))
	}
	cost := Field{"cost", ""} // none and 0 are the same request
	if t.ExtraCost != nil && !t.ExtraCost.IsZero() {
		cost = DecField("cost", *t.ExtraCost)
	}
	return []Field{TextField("sku", t.SKU), TextField("from", t.From), TextField("to", t.To), DecField("qty", qty),
		TextField("batch", t.Batch), SetField("serials", t.Serials), TextField("from_bay", t.FromBay),
		TextField("to_bay", t.ToBay), FlagField("two_step", t.TwoStep), cost, TextField("narrative", t.Narrative)}
}

// fieldsRequest is the request of a posting under ref that has fields and no lines,
// checked against prior.
func fieldsRequest(ref string, prior *Request, fields ...Field) (Request, error) {
	b, err := NewRequestBuilder(ref, "line", prior, fields...)
	if err != nil {
		return Request{}, err
	}
	return b.Done()
}

// keptTransfer is the document kept with a ref posted before, marked AlreadyPosted.
func keptTransfer(ref string, result []byte) (TransferDoc, error) {
	var doc TransferDoc
	if result != nil {
		if err := json.Unmarshal(result, &doc); err != nil {
			return TransferDoc{}, fmt.Errorf("ref %s: the result kept with it does not read: %w", ref, err)
		}
	}
	doc.AlreadyPosted = true
	return doc, nil
}

// Transfer moves stock of one product from one internal location to another, at once or,
// with TwoStep, into transit to be received later (Receive). Stock is taken as Post picks it
// (named batch/bay/serials, else first-expiry-first-out and stock outside bays first); each
// part Post takes is one transfer line, so batches, serials and bays travel with the stock.
// With a ref posted before, the same request posts nothing and returns the document that
// posting returned, AlreadyPosted; another request is refused naming the first difference.
func Transfer(ctx context.Context, q sqlx.ExtContext, t TransferRequest) (TransferDoc, error) {
	var req Request
	if t.Ref != "" {
		c, err := claimRef(ctx, q, transferRefScope, t.Ref)
		if err != nil {
			return TransferDoc{}, err
		}
		if req, err = fieldsRequest(t.Ref, c.prior, t.fields()...); err != nil {
			return TransferDoc{}, err
		}
		if !c.fresh {
			return keptTransfer(t.Ref, c.result)
		}
	}
	base, serials, extra, err := transferMoves(ctx, q, t)
	if err != nil {
		return TransferDoc{}, err
	}
	to := base.To
	transit := to
	if t.TwoStep {
		if transit, err = Virtual(ctx, q, Transit); err != nil {
			return TransferDoc{}, err
		}
	}
	// The product's posting lock before the number: numbering holds the transfer counter
	// until commit, so it comes last, as shipments take theirs after their products.
	if err := Lock(ctx, q, []int64{base.Product.ID}); err != nil {
		return TransferDoc{}, err
	}
	number, err := numbering.Next(ctx, q, numbering.Transfer)
	if err != nil {
		return TransferDoc{}, err
	}
	base.Reference = number
	destBay := base.ToBay // where the stock is put away at the destination
	if t.TwoStep {
		// Dispatch: the stock goes into transit as it is; bays and extra cost apply on receipt.
		base.Kind, base.To, base.ToBay, base.ExtraCost = KindDispatch, transit, nil, decimal.Zero
	}
	var moves []Move
	if serials == nil {
		moves = []Move{base}
	} else {
		shares := apportion(base.ExtraCost, ones(len(serials)))
		for i := range serials {
			m := base
			m.Qty, m.Serial, m.ExtraCost = decimal.NewFromInt(1), &serials[i], shares[i]
			moves = append(moves, m)
		}
	}
	posted, err := Post(ctx, q, moves)
	if err != nil {
		return TransferDoc{}, err
	}

	status := TransferReceived
	if t.TwoStep {
		status = TransferInTransit
	}
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `INSERT INTO transfers (number, from_location_id, to_location_id, two_step, status, extra_cost, narrative)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		number, base.From.ID, to.ID, t.TwoStep, status, extra, strings.TrimSpace(t.Narrative))
	if err != nil {
		return TransferDoc{}, db.Classify(err)
	}
	for i, p := range posted {
		received, toBay := p.Qty, p.ToBay
		if t.TwoStep {
			received, toBay = decimal.Zero, destBay
		}
		_, err := q.ExecContext(ctx, `INSERT INTO transfer_lines (transfer_id, line_no, product_id, qty, received_qty,
			batch_id, serial_id, from_bay_id, to_bay_id, unit_cost) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, i+1, base.Product.ID, p.Qty, received, batchPtr(p.Batch), serialPtr(p.Serial), bayPtr(p.FromBay), bayPtr(toBay), p.UnitCost)
		if err != nil {
			return TransferDoc{}, db.Classify(err)
		}
	}
	doc, err := GetTransfer(ctx, q, number)
	if err == nil && t.Ref != "" {
		err = keepRef(ctx, q, transferRefScope, t.Ref, req, len(posted), doc)
	}
	return doc, err
}

// transferMoves validates a request and returns the move to post (Kind transfer, From -> To)
// with, for a serialised product, the serials to move one by one, and the extra cost.
func transferMoves(ctx context.Context, q sqlx.ExtContext, t TransferRequest) (Move, []Serial, decimal.Decimal, error) {
	var m Move
	extra := decimal.Zero
	p, err := catalog.Get(ctx, q, t.SKU)
	if err != nil {
		return m, nil, extra, err
	}
	if !p.TrackStock {
		return m, nil, extra, fault.Invalidf("sku", "product %s is not stock-tracked (type %s): it has no stock to transfer", p.SKU, p.Type)
	}
	from, err := GetLocation(ctx, q, "from", t.From)
	if err != nil {
		return m, nil, extra, err
	}
	to, err := GetLocation(ctx, q, "to", t.To)
	if err != nil {
		return m, nil, extra, err
	}
	if from.ID == to.ID {
		return m, nil, extra, fault.Invalidf("to", "%s: --from and --to are both %s: a transfer goes between two locations (move between bays with stock adjust)", p.SKU, from.Code)
	}
	qty := t.Qty
	if qty.IsZero() && p.Serialized && len(t.Serials) > 0 {
		qty = decimal.NewFromInt(int64(len(t.Serials)))
	}
	if !qty.IsPositive() {
		return m, nil, extra, fault.Invalidf("qty", "%s: the quantity to transfer must be more than 0, got %s", p.SKU, qty)
	}
	if r, err := catalog.ToStock(ctx, q, p, qty, ""); err != nil {
		return m, nil, extra, err
	} else if !r.Equal(qty) {
		return m, nil, extra, fault.Invalidf("qty", "%s: %s has more decimals than its unit %s keeps", p.SKU, qty, p.StockUOM)
	}
	if t.ExtraCost != nil {
		if t.ExtraCost.IsNegative() {
			return m, nil, extra, fault.Invalidf("cost", "%s: the extra transfer cost cannot be negative, got %s", p.SKU, *t.ExtraCost)
		}
		extra = *t.ExtraCost
	}
	m = Move{Product: p, Qty: qty, From: from, To: to, Kind: KindTransfer, ExtraCost: extra, Narrative: strings.TrimSpace(t.Narrative),
		SkipExpired: !t.AllowExpired}
	if t.FromBay != "" {
		b, err := GetBay(ctx, q, from, t.FromBay)
		if err != nil {
			return m, nil, extra, fault.Wrap(fault.KindOf(err), err, "--from-bay")
		}
		m.FromBay = &b
	}
	if m.ToBay, err = transferToBay(ctx, q, p, to, t.ToBay); err != nil {
		return m, nil, extra, err
	}
	if t.Batch != "" {
		if !p.BatchTracked {
			return m, nil, extra, fault.Invalidf("batch", "product %s is not batch-tracked: leave out --batch", p.SKU)
		}
		b, err := FindBatch(ctx, q, p, t.Batch)
		if err != nil {
			return m, nil, extra, err
		}
		m.Batch = &b
	}
	if !p.Serialized {
		if len(t.Serials) > 0 {
			return m, nil, extra, fault.Invalidf("serial", "product %s is not serialised: leave out --serial", p.SKU)
		}
		return m, nil, extra, nil
	}
	if !qty.Equal(qty.Truncate(0)) || !qty.Equal(decimal.NewFromInt(int64(len(t.Serials)))) {
		return m, nil, extra, fault.Invalidf("serial", "%s is serialised: name the serial of each unit transferred (--serial, once per unit): --qty %s but %d serial(s) given", p.SKU, qty, len(t.Serials))
	}
	serials, err := FindSerials(ctx, q, p, t.Serials)
	if err != nil {
		return m, nil, extra, err
	}
	return m, serials, extra, nil
}

// transferToBay is the named bay of the destination, else the product's default bay there.
func transferToBay(ctx context.Context, q sqlx.QueryerContext, p catalog.Product, to Location, code string) (*Bay, error) {
	if code == "" {
		return DefaultBay(ctx, q, p.ID, to)
	}
	b, err := GetBay(ctx, q, to, code)
	if err != nil {
		return nil, fault.Wrap(fault.KindOf(err), err, "--to-bay")
	}
	return &b, nil
}

// receiptLine is a transfer line as Receive needs it.
type receiptLine struct {
	ID          int64           `db:"id"`
	LineNo      int             `db:"line_no"`
	SKU         string          `db:"sku"`
	Qty         decimal.Decimal `db:"qty"`
	ReceivedQty decimal.Decimal `db:"received_qty"`
	BatchID     *int64          `db:"batch_id"`
	BatchNumber *string         `db:"batch_number"`
	Expiry      *time.Time      `db:"expiry"`
	SerialID    *int64          `db:"serial_id"`
	Serial      *string         `db:"serial"`
	ToBayID     *int64          `db:"to_bay_id"`
	ToBayCode   *string         `db:"to_bay_code"`
}

func (l receiptLine) outstanding() decimal.Decimal { return l.Qty.Sub(l.ReceivedQty) }

// Receive brings dispatched stock of a two-step transfer from transit into its destination,
// in the bays recorded on its lines and with the batches and serials that were dispatched.
// qty nil receives everything outstanding (on line, or on every line when line is 0); a qty
// is received across the lines in line order, whole units on serial lines. Each receipt takes
// its share of the transfer's extra cost by quantity; the last one takes the remainder, so
// the shares add up to the extra cost exactly. The transfer row is locked first, so two
// receipts of one transfer queue and never receive the same stock twice. A ref is per
// transfer: given again with the same qty and line it receives nothing and returns the
// document that receipt returned, AlreadyPosted; with another it is refused naming the
// first difference.
func Receive(ctx context.Context, q sqlx.ExtContext, number string, qty *decimal.Decimal, line int, ref string) (TransferDoc, error) {
	number = strings.TrimSpace(number)
	var req Request
	if ref != "" {
		c, err := claimRef(ctx, q, receiveRefScope+number, ref)
		if err != nil {
			return TransferDoc{}, err
		}
		if req, err = fieldsRequest(ref, c.prior, IntField("line", line), DecPtrField("qty", qty)); err != nil {
			return TransferDoc{}, err
		}
		if !c.fresh {
			return keptTransfer(ref, c.result)
		}
	}
	var tr struct {
		ID        int64           `db:"id"`
		ToID      int64           `db:"to_location_id"`
		TwoStep   bool            `db:"two_step"`
		Status    string          `db:"status"`
		ExtraCost decimal.Decimal `db:"extra_cost"`
	}
	err := sqlx.GetContext(ctx, q, &tr, `SELECT id, to_location_id, two_step, status, extra_cost FROM transfers WHERE number = $1 FOR UPDATE`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return TransferDoc{}, fault.NotFoundf("transfer %s does not exist (see stockctl transfer list)", number)
	}
	if err != nil {
		return TransferDoc{}, db.Classify(err)
	}
	if tr.Status == TransferReceived {
		if !tr.TwoStep {
			return TransferDoc{}, fault.Invalidf("transfer", "transfer %s was immediate: its stock arrived when it was posted, there is nothing to receive", number)
		}
		return TransferDoc{}, fault.Invalidf("transfer", "transfer %s is received in full: nothing is outstanding (see stockctl transfer show %s)", number, number)
	}
	var lines []receiptLine
	err = sqlx.SelectContext(ctx, q, &lines, `SELECT x.id, x.line_no, p.sku, x.qty, x.received_qty, x.batch_id, b.number AS batch_number,
		b.expiry, x.serial_id, s.serial, x.to_bay_id, y.code AS to_bay_code
		FROM transfer_lines x JOIN products p ON p.id = x.product_id
		LEFT JOIN batches b ON b.id = x.batch_id LEFT JOIN serials s ON s.id = x.serial_id LEFT JOIN bays y ON y.id = x.to_bay_id
		WHERE x.transfer_id = $1 ORDER BY x.line_no`, tr.ID)
	if err != nil {
		return TransferDoc{}, db.Classify(err)
	}
	totalQty, receivedBefore := decimal.Zero, decimal.Zero
	for _, l := range lines {
		totalQty = totalQty.Add(l.Qty)
		receivedBefore = receivedBefore.Add(l.ReceivedQty)
	}

	// Which lines, and how much of each.
	var open []receiptLine
	what := "transfer " + number
	if line != 0 {
		found := false
		for _, l := range lines {
			if l.LineNo == line {
				found = true
				open = append(open, l)
			}
		}
		if !found {
			return TransferDoc{}, fault.Invalidf("line", "transfer %s has no line %d: its lines are 1 to %d", number, line, len(lines))
		}
		what = fmt.Sprintf("line %d of transfer %s", line, number)
		if !open[0].outstanding().IsPositive() {
			return TransferDoc{}, fault.Invalidf("line", "%s is received in full: nothing is outstanding on it", what)
		}
	} else {
		for _, l := range lines {
			if l.outstanding().IsPositive() {
				open = append(open, l)
			}
		}
	}
	outstanding := decimal.Zero
	for _, l := range open {
		outstanding = outstanding.Add(l.outstanding())
	}
	takes := make([]decimal.Decimal, len(open))
	if qty == nil {
		for i, l := range open {
			takes[i] = l.outstanding()
		}
	} else {
		if !qty.IsPositive() {
			return TransferDoc{}, fault.Invalidf("qty", "%s: the quantity to receive must be more than 0, got %s", what, *qty)
		}
		if qty.GreaterThan(outstanding) {
			return TransferDoc{}, fault.Invalidf("qty", "%s: cannot receive %s: only %s is outstanding", what, *qty, outstanding)
		}
		left := *qty
		for i, l := range open {
			takes[i] = decimal.Min(left, l.outstanding())
			left = left.Sub(takes[i])
		}
	}

	to, err := locationByID(ctx, q, tr.ToID)
	if err != nil {
		return TransferDoc{}, err
	}
	transit, err := Virtual(ctx, q, Transit)
	if err != nil {
		return TransferDoc{}, err
	}
	products := map[string]catalog.Product{}
	var moves []Move
	var moved []int // the open line each move receives
	var weights []decimal.Decimal
	receiving := decimal.Zero
	for i, l := range open {
		take := takes[i]
		if !take.IsPositive() {
			continue
		}
		p, ok := products[l.SKU]
		if !ok {
			if p, err = catalog.Get(ctx, q, l.SKU); err != nil {
				return TransferDoc{}, err
			}
			products[l.SKU] = p
		}
		if l.SerialID != nil && !take.Equal(l.outstanding()) {
			return TransferDoc{}, fault.Invalidf("qty", "line %d of transfer %s is serial %s of %s: receive whole units (the --qty stops part way through it)", l.LineNo, number, *l.Serial, l.SKU)
		}
		if r, err := catalog.ToStock(ctx, q, p, take, ""); err != nil {
			return TransferDoc{}, err
		} else if !r.Equal(take) {
			return TransferDoc{}, fault.Invalidf("qty", "line %d of transfer %s: %s has more decimals than the unit %s of %s keeps", l.LineNo, number, take, p.StockUOM, p.SKU)
		}
		m := Move{Product: p, Qty: take, From: transit, To: to, Kind: KindReceive, Reference: number}
		if l.BatchID != nil {
			m.Batch = &Batch{ID: *l.BatchID, Number: *l.BatchNumber, Expiry: l.Expiry}
		}
		if l.SerialID != nil {
			m.Serial = &Serial{ID: *l.SerialID, Serial: *l.Serial}
		}
		if l.ToBayID != nil {
			m.ToBay = &Bay{ID: *l.ToBayID, Code: *l.ToBayCode, Location: to.Code}
		}
		moves = append(moves, m)
		moved = append(moved, i)
		weights = append(weights, take)
		receiving = receiving.Add(take)
	}

	// This receipt's share of the extra cost: cumulative shares are rounded, so the receipts
	// together take exactly the extra cost, the last one whatever is left.
	if tr.ExtraCost.IsPositive() {
		before := tr.ExtraCost.Mul(receivedBefore).DivRound(totalQty, costScale)
		after := tr.ExtraCost
		if receivedBefore.Add(receiving).LessThan(totalQty) {
			after = tr.ExtraCost.Mul(receivedBefore.Add(receiving)).DivRound(totalQty, costScale)
		}
		for i, share := range apportion(after.Sub(before), weights) {
			moves[i].ExtraCost = share
		}
	}
	if _, err := Post(ctx, q, moves); err != nil {
		return TransferDoc{}, err
	}
	for k, i := range moved {
		if _, err := q.ExecContext(ctx, `UPDATE transfer_lines SET received_qty = received_qty + $2 WHERE id = $1`, open[i].ID, moves[k].Qty); err != nil {
			return TransferDoc{}, db.Classify(err)
		}
	}
	if _, err := q.ExecContext(ctx, `UPDATE transfers SET status = CASE WHEN EXISTS
		(SELECT 1 FROM transfer_lines WHERE transfer_id = $1 AND received_qty < qty) THEN 'partially_received' ELSE 'received' END
		WHERE id = $1`, tr.ID); err != nil {
		return TransferDoc{}, db.Classify(err)
	}
	doc, err := GetTransfer(ctx, q, number)
	if err == nil && ref != "" {
		err = keepRef(ctx, q, receiveRefScope+number, ref, req, len(moves), doc)
	}
	return doc, err
}

// apportion splits total over weights: each part is the difference of rounded cumulative
// shares, so no part is negative and the parts add up to total exactly.
func apportion(total decimal.Decimal, weights []decimal.Decimal) []decimal.Decimal {
	out := make([]decimal.Decimal, len(weights))
	sum := decimal.Zero
	for _, w := range weights {
		sum = sum.Add(w)
	}
	if total.IsZero() || !sum.IsPositive() {
		for i := range out {
			out[i] = decimal.Zero
		}
		return out
	}
	cum, prev := decimal.Zero, decimal.Zero
	for i, w := range weights {
		cum = cum.Add(w)
		next := total
		if i < len(weights)-1 {
			next = total.Mul(cum).DivRound(sum, costScale)
		}
		out[i] = next.Sub(prev)
		prev = next
	}
	return out
}

func ones(n int) []decimal.Decimal {
	out := make([]decimal.Decimal, n)
	for i := range out {
		out[i] = decimal.NewFromInt(1)
	}
	return out
}

func locationByID(ctx context.Context, q sqlx.QueryerContext, id int64) (Location, error) {
	var l Location
	err := sqlx.GetContext(ctx, q, &l, selectLocation+` WHERE id = $1`, id)
	return l, db.Classify(err)
}

const selectTransfer = `SELECT t.id, t.number, f.code AS from_location, o.code AS to_location, coalesce(l.skus, '') AS sku,
	t.two_step, t.status, coalesce(l.qty, 0) AS qty, coalesce(l.received, 0) AS received_qty,
	coalesce(l.qty - l.received, 0) AS outstanding, coalesce(l.n, 0) AS line_count,
	t.extra_cost, t.narrative, t.created_at, t.created_by, t.updated_at
	FROM transfers t JOIN locations f ON f.id = t.from_location_id JOIN locations o ON o.id = t.to_location_id
	LEFT JOIN LATERAL (SELECT string_agg(DISTINCT p.sku, ',') AS skus, sum(x.qty) AS qty, sum(x.received_qty) AS received,
		count(*) AS n FROM transfer_lines x JOIN products p ON p.id = x.product_id WHERE x.transfer_id = t.id) l ON true`

// Transfers lists transfers newest first; status narrows the list to in_transit,
// partially_received, received, or open (either of the first two).
func Transfers(ctx context.Context, q sqlx.QueryerContext, status string) ([]TransferSummary, error) {
	status = strings.TrimSpace(status)
	var statuses []string
	switch status {
	case "":
	case "open":
		statuses = []string{TransferInTransit, TransferPartiallyReceived}
	case TransferInTransit, TransferPartiallyReceived, TransferReceived:
		statuses = []string{status}
	default:
		return nil, fault.Invalidf("status", "unknown transfer status %q: use in_transit, partially_received, received or open", status)
	}
	out := []TransferSummary{}
	err := sqlx.SelectContext(ctx, q, &out, selectTransfer+` WHERE $1::text[] IS NULL OR t.status = ANY($1)
		ORDER BY t.id DESC`, pq.StringArray(statuses))
	return out, db.Classify(err)
}

// GetTransfer returns a transfer with its lines.
func GetTransfer(ctx context.Context, q sqlx.QueryerContext, number string) (TransferDoc, error) {
	var doc TransferDoc
	number = strings.TrimSpace(number)
	err := sqlx.GetContext(ctx, q, &doc.TransferSummary, selectTransfer+` WHERE t.number = $1`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return doc, fault.NotFoundf("transfer %s does not exist (see stockctl transfer list)", number)
	}
	if err != nil {
		return doc, db.Classify(err)
	}
	doc.Lines = []TransferLine{}
	err = sqlx.SelectContext(ctx, q, &doc.Lines, `SELECT $2::text AS transfer, x.line_no, p.sku, x.qty, x.received_qty,
		x.qty - x.received_qty AS outstanding, b.number AS batch, s.serial, fb.code AS from_bay, tb.code AS to_bay, x.unit_cost
		FROM transfer_lines x JOIN products p ON p.id = x.product_id
		LEFT JOIN batches b ON b.id = x.batch_id LEFT JOIN serials s ON s.id = x.serial_id
		LEFT JOIN bays fb ON fb.id = x.from_bay_id LEFT JOIN bays tb ON tb.id = x.to_bay_id
		WHERE x.transfer_id = $1 ORDER BY x.line_no`, doc.ID, doc.Number)
	return doc, db.Classify(err)
}
