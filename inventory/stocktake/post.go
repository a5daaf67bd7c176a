package stocktake

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// PostOptions choose how Post treats stock that moved and lines nobody counted.
type PostOptions struct {
	// ZeroUncounted sets every line nobody counted to 0 on hand; without it they are left
	// as they are.
	ZeroUncounted bool
	// SetCounted makes on hand equal to the count, whatever moved since: the adjustment is
	// counted - on hand now. Without it the adjustment is counted - the book quantity when
	// the count was entered (the expected quantity plus the net moves between the snapshot
	// and the count), so stock that moved after the count keeps its moves.
	SetCounted bool
	// Unallocate takes stock off allocations where posting leaves less on hand than is
	// allocated at the location (SPEC §4: counting less than is allocated never blocks
	// posting). The command fills it with the sales orders' function (newest order first,
	// back on backorder), so inventory does not import orders. nil: such a count is refused.
	Unallocate func(ctx context.Context, q sqlx.ExtContext, short []Shortage) error
}

// Shortage is stock a stocktake takes below what is allocated at its location: Qty of the
// product must stop being allocated before the variance is posted.
type Shortage struct {
	ProductID, LocationID int64
	SKU, Location         string
	Qty                   decimal.Decimal
}

// refScope is the posting_refs scope a stocktake claims its number in when posted.
const refScope = "stocktake post"

// postRow is a line as posting needs it.
type postRow struct {
	ID           int64            `db:"id"`
	ProductID    int64            `db:"product_id"`
	SKU          string           `db:"sku"`
	Type         string           `db:"type"`
	TrackStock   bool             `db:"track_stock"`
	Serialized   bool             `db:"serialized"`
	BatchTracked bool             `db:"batch_tracked"`
	StockUOM     string           `db:"stock_uom"`
	BayID        *int64           `db:"bay_id"`
	BayCode      *string          `db:"bay_code"`
	BatchID      *int64           `db:"batch_id"`
	BatchNumber  *string          `db:"batch_number"`
	Expiry       *time.Time       `db:"expiry"`
	SerialID     *int64           `db:"serial_id"`
	Serial       *string          `db:"serial"`
	Counted      *decimal.Decimal `db:"counted"`
	When         *decimal.Decimal `db:"on_hand_when_counted"`
	OnHand       decimal.Decimal  `db:"on_hand"`
	Moved        bool             `db:"moved"`
	AvgCost      decimal.Decimal  `db:"avg_cost"`
	Elsewhere    bool             `db:"elsewhere"`
}

func (r postRow) describe() string {
	l := Line{SKU: r.SKU, Bay: r.BayCode, Batch: r.BatchNumber, Serial: r.Serial}
	return describe(l)
}

const postRowsSQL = `SELECT l.id, l.product_id, p.sku, p.type, p.track_stock, p.serialized, p.batch_tracked, p.stock_uom,
	l.bay_id, y.code AS bay_code, l.batch_id, b.number AS batch_number, b.expiry, l.serial_id, n.serial,
	l.counted, l.on_hand_when_counted, coalesce(q.qty, 0) AS on_hand, product_cost(p.id, p.cost_price) AS avg_cost,
	coalesce(q.qty, 0) <> l.expected OR EXISTS (
	  SELECT 1 FROM stock_moves m
	  WHERE m.product_id = l.product_id AND m.id > s.snapshot_move_id
	    AND coalesce(m.batch_id, 0) = coalesce(l.batch_id, 0) AND coalesce(m.serial_id, 0) = coalesce(l.serial_id, 0)
	    AND ((m.from_location_id = l.location_id AND coalesce(m.from_bay_id, 0) = coalesce(l.bay_id, 0))
	      OR (m.to_location_id = l.location_id AND coalesce(m.to_bay_id, 0) = coalesce(l.bay_id, 0)))) AS moved,
	l.serial_id IS NOT NULL AND EXISTS (SELECT 1 FROM stocktake_lines o WHERE o.stocktake_id = l.stocktake_id
	  AND o.serial_id = l.serial_id AND o.id <> l.id AND o.counted > 0) AS elsewhere
	FROM stocktake_lines l
	JOIN stocktakes s ON s.id = l.stocktake_id
	JOIN products p ON p.id = l.product_id
	LEFT JOIN bays y ON y.id = l.bay_id
	LEFT JOIN batches b ON b.id = l.batch_id
	LEFT JOIN serials n ON n.id = l.serial_id
	LEFT JOIN stock_quants q ON q.product_id = l.product_id AND q.location_id = l.location_id
	     AND coalesce(q.bay_id, 0) = coalesce(l.bay_id, 0) AND coalesce(q.batch_id, 0) = coalesce(l.batch_id, 0)
	     AND coalesce(q.serial_id, 0) = coalesce(l.serial_id, 0)
	WHERE l.stocktake_id = $1
	ORDER BY p.sku, y.code NULLS FIRST, b.number NULLS FIRST, n.serial NULLS FIRST`

// adjustment is what posting does to one line: nil leaves it alone.
func (r postRow) adjustment(opt PostOptions) *decimal.Decimal {
	var adj decimal.Decimal
	switch {
	case r.Counted != nil && opt.SetCounted:
		adj = r.Counted.Sub(r.OnHand)
	case r.Counted != nil:
		adj = r.Counted.Sub(*r.When)
	case r.Elsewhere:
		// A serial counted on another line is not here, whatever was expected.
		adj = r.OnHand.Neg()
	case opt.ZeroUncounted:
		adj = r.OnHand.Neg()
	default:
		return nil
	}
	return &adj
}

// Post posts a stocktake: one adjustment move per line with a variance, through stock.Post
// (kind stocktake, the other side the ~stocktake location, valued at the average cost, GL
// code from the setting gl_stocktake, reference the stocktake's number), all in q's
// transaction. The adjustment of a counted line is counted - the book quantity when it was
// counted, or with SetCounted counted - on hand now; a line nobody counted is left alone,
// or with ZeroUncounted taken to 0. A serial counted on one line is taken off every other
// line it was expected on (it was found elsewhere at the location). Plain and batch stock
// coming in goes first, then stock going out, then serials coming in: on hand does not dip
// below what is allocated when stock is found in another bay, and a serial found in another
// bay moves out of the old one before it comes into the new one. What the count leaves
// short of the allocated stock goes to opt.Unallocate first (see unallocate).
//
// The stocktake is locked, then its products (as stock.Post locks them), so what posting
// reads cannot change before it posts. A posted stocktake cannot be posted again: its
// status, its number claimed as a posting ref, and the schema's trigger all refuse it.
func Post(ctx context.Context, q sqlx.ExtContext, number string, opt PostOptions) (Doc, []stock.AdjustedMove, error) {
	h, err := getHeader(ctx, q, number, "FOR UPDATE")
	if err != nil {
		return Doc{}, nil, err
	}
	if h.Status != Open && h.Status != Closed {
		return Doc{}, nil, stateError(h, "be posted again")
	}
	if fresh, err := stock.ClaimRef(ctx, q, refScope, h.Number); err != nil {
		return Doc{}, nil, err
	} else if !fresh {
		return Doc{}, nil, stateError(header{Summary: Summary{Number: h.Number, Status: Posted}}, "be posted again")
	}
	var ids []int64
	if err := sqlx.SelectContext(ctx, q, &ids, `SELECT DISTINCT product_id FROM stocktake_lines WHERE stocktake_id = $1 ORDER BY 1`, h.ID); err != nil {
		return Doc{}, nil, db.Classify(err)
	}
	if err := stock.Lock(ctx, q, ids); err != nil {
		return Doc{}, nil, err
	}
	var rows []postRow
	if err := sqlx.SelectContext(ctx, q, &rows, postRowsSQL, h.ID); err != nil {
		return Doc{}, nil, db.Classify(err)
	}
	loc, err := (&counter{h: h}).location(ctx, q)
	if err != nil {
		return Doc{}, nil, err
	}
	side, err := stock.Virtual(ctx, q, stock.StocktakeSide)
	if err != nil {
		return Doc{}, nil, err
	}
	gl, err := settings.Value(ctx, q, "gl_stocktake")
	if err != nil {
		return Doc{}, nil, err
	}

	var outs, ins, serialIns []stock.Move
	var outRows, inRows, serialInRows []int // the row each move is for
	adjs := make([]*decimal.Decimal, len(rows))
	for i, r := range rows {
		adj := r.adjustment(opt)
		adjs[i] = adj
		if adj == nil || adj.IsZero() {
			continue
		}
		if adj.IsNegative() && adj.Neg().GreaterThan(decimal.Max(r.OnHand, decimal.Zero)) {
			return Doc{}, nil, fault.Invalidf("qty", "%s: posting %s needs %s on hand there, and %s are (stock left after it was counted): recount it, or post with --set-counted",
				r.describe(), adj, adj.Neg(), r.OnHand)
		}
		m := stock.Move{
			Product: catalog.Product{ID: r.ProductID, SKU: r.SKU, Type: r.Type, TrackStock: r.TrackStock,
				Serialized: r.Serialized, BatchTracked: r.BatchTracked, StockUOM: r.StockUOM},
			Qty: adj.Abs(), Kind: stock.KindStocktake, Reference: h.Number, GLCode: gl, Reason: "stocktake",
			Narrative: "stocktake " + h.Number,
		}
		if r.BatchID != nil {
			m.Batch = &stock.Batch{ID: *r.BatchID, Number: *r.BatchNumber, Expiry: r.Expiry}
		}
		if r.SerialID != nil {
			m.Serial = &stock.Serial{ID: *r.SerialID, Serial: *r.Serial}
		}
		var bay *stock.Bay
		if r.BayID != nil {
			bay = &stock.Bay{ID: *r.BayID, Code: *r.BayCode, Location: loc.Code}
		}
		if adj.IsPositive() {
			m.From, m.To, m.ToBay = side, loc, bay
			if m.Serial != nil {
				serialIns, serialInRows = append(serialIns, m), append(serialInRows, i)
			} else {
				ins, inRows = append(ins, m), append(inRows, i)
			}
		} else {
			m.From, m.FromBay, m.To = loc, bay, side
			outs, outRows = append(outs, m), append(outRows, i)
		}
	}
	if err := unallocate(ctx, q, rows, adjs, loc, opt); err != nil {
		return Doc{}, nil, err
	}
	// Plain and batch stock coming in goes first, so stock found in another bay than
	// expected is in before the old bay's goes out and on hand never dips below what is
	// allocated; a serial goes out of its old place before it comes into its new one.
	moves := append(append(ins, outs...), serialIns...)
	rowOf := append(append(inRows, outRows...), serialInRows...)
	posted, err := stock.Post(ctx, q, moves)
	if err != nil {
		if i, ok := stock.FailedMove(err); ok {
			return Doc{}, nil, fault.Wrap(fault.KindOf(err), err, "%s", rows[rowOf[i]].describe())
		}
		return Doc{}, nil, err
	}

	// What posting saw and did, per line.
	costs := make([]decimal.Decimal, len(rows))
	for i, r := range rows {
		costs[i] = r.AvgCost
	}
	var out []stock.AdjustedMove
	for _, p := range posted {
		m, r := moves[p.Index], rowOf[p.Index]
		costs[r] = p.UnitCost
		am := stock.AdjustedMove{Move: p.ID, SKU: m.Product.SKU, Location: loc.Code, Qty: p.Qty, UnitCost: p.UnitCost,
			CostSource: p.CostSource}
		bay := p.ToBay
		if m.From.Holds() {
			am.Qty, bay = p.Qty.Neg(), p.FromBay
		}
		if p.Batch != nil {
			am.Batch = &p.Batch.Number
		}
		if p.Serial != nil {
			am.Serial = &p.Serial.Serial
		}
		if bay != nil {
			am.Bay = &bay.Code
		}
		out = append(out, am)
	}
	lineIDs := make(pq.Int64Array, len(rows))
	onHand, postedQty, cost := make(pq.StringArray, len(rows)), make(pq.StringArray, len(rows)), make(pq.StringArray, len(rows))
	moved := make(pq.BoolArray, len(rows))
	for i, r := range rows {
		lineIDs[i], onHand[i], cost[i], moved[i] = r.ID, r.OnHand.String(), costs[i].String(), r.Moved
		if adjs[i] != nil {
			postedQty[i] = adjs[i].String()
		}
	}
	_, err = q.ExecContext(ctx, `UPDATE stocktake_lines l SET on_hand_at_post = v.on_hand::numeric, moved_at_post = v.moved,
		posted_qty = nullif(v.posted, '')::numeric, unit_cost = v.cost::numeric
		FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::text[], $5::text[]) AS v (id, on_hand, moved, posted, cost)
		WHERE l.id = v.id`, lineIDs, onHand, moved, postedQty, cost)
	if err != nil {
		return Doc{}, nil, db.Classify(err)
	}
	if _, err := q.ExecContext(ctx, `UPDATE stocktake_products SET open = false WHERE stocktake_id = $1`, h.ID); err != nil {
		return Doc{}, nil, db.Classify(err)
	}
	_, err = q.ExecContext(ctx, `UPDATE stocktakes SET status = 'posted', posted_at = statement_timestamp(),
		closed_at = coalesce(closed_at, statement_timestamp()), zero_uncounted = $2, set_counted = $3 WHERE id = $1`,
		h.ID, opt.ZeroUncounted, opt.SetCounted)
	if err != nil {
		return Doc{}, nil, db.Classify(err)
	}
	if _, err := q.ExecContext(ctx, `UPDATE posting_refs SET moves = $3 WHERE scope = $1 AND ref = $2`, refScope, h.Number, len(out)); err != nil {
		return Doc{}, nil, db.Classify(err)
	}
	d, err := Get(ctx, q, number)
	if out == nil {
		out = []stock.AdjustedMove{}
	}
	return d, out, err
}

// unallocate hands opt.Unallocate what the adjustments take below the allocated stock of each
// product at the location: allocated - the lowest on hand the posting passes through, which
// is on hand + the product's adjustments except serials coming in (they are posted last,
// after the serials going out: a serial found in another bay than expected while every unit
// is allocated takes one unit off an order, which so release gives back). It runs under the
// products' posting locks, before the moves are posted, so the posting's guard (on hand -
// allocated) holds.
func unallocate(ctx context.Context, q sqlx.ExtContext, rows []postRow, adjs []*decimal.Decimal, loc stock.Location, opt PostOptions) error {
	net := map[int64]decimal.Decimal{}
	sku := map[int64]string{}
	var ids pq.Int64Array
	for i, r := range rows {
		if adjs[i] == nil || (r.SerialID != nil && adjs[i].IsPositive()) {
			continue
		}
		if _, ok := sku[r.ProductID]; !ok {
			sku[r.ProductID] = r.SKU
			ids = append(ids, r.ProductID)
		}
		net[r.ProductID] = net[r.ProductID].Add(*adjs[i])
	}
	if len(ids) == 0 {
		return nil
	}
	var bals []struct {
		ProductID int64           `db:"product_id"`
		OnHand    decimal.Decimal `db:"on_hand"`
		Allocated decimal.Decimal `db:"allocated"`
	}
	if err := sqlx.SelectContext(ctx, q, &bals, `SELECT product_id, on_hand, allocated FROM stock_balances
		WHERE location_id = $1 AND product_id = ANY($2) AND allocated > 0 ORDER BY product_id`, loc.ID, ids); err != nil {
		return db.Classify(err)
	}
	var short []Shortage
	for _, b := range bals {
		after := b.OnHand.Add(net[b.ProductID])
		if after.GreaterThanOrEqual(b.Allocated) {
			continue
		}
		qty := decimal.Min(b.Allocated, b.Allocated.Sub(after))
		short = append(short, Shortage{ProductID: b.ProductID, LocationID: loc.ID, SKU: sku[b.ProductID], Location: loc.Code, Qty: qty})
	}
	if len(short) == 0 {
		return nil
	}
	if opt.Unallocate == nil {
		s := short[0]
		return fault.Invalidf("qty", "%s at %s: the count leaves %s less on hand than is allocated to orders, and nothing was asked to take it off them",
			s.SKU, s.Location, s.Qty)
	}
	return opt.Unallocate(ctx, q, short)
}
