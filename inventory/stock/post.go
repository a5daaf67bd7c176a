package stock

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// Move kinds recorded on the ledger.
const (
	KindAdjustment = "adjustment"
	KindTransfer   = "transfer"
	KindDispatch   = "dispatch"
	KindReceive    = "transfer_receipt"
	KindStocktake  = "stocktake" // the moves a posted stocktake makes
)

// costScale is how many decimals an average cost keeps.
const costScale = 6

// Move is one stock movement to post: Qty of Product (in its stock unit) from From to To.
type Move struct {
	Product        catalog.Product
	Qty            decimal.Decimal
	From, To       Location
	FromBay, ToBay *Bay
	Batch          *Batch
	Serial         *Serial
	// UnitCost values stock coming in from outside (an adjustment up, a receipt); nil means
	// the product's current cost: the average cost while it has stock on hand, else its
	// cost price (Posted.CostSource says which). Stock going out or moving between holding
	// locations always moves at the average cost.
	UnitCost *decimal.Decimal
	// ExtraCost is a total added to the value of stock moved between holding locations
	// (transfer costs); it raises the average cost.
	ExtraCost decimal.Decimal
	Kind      string
	Reference string
	GLCode    string
	Reason    string
	Narrative string
	// SkipExpired keeps a move out of stock off batches expired before today (see Expired):
	// first-expiry-first-out passes them over, and a named batch that has expired is
	// refused. Shipments, transfers and work orders set it unless --allow-expired;
	// adjustments and stocktakes do not (writing expired stock off is what they are for).
	SkipExpired bool
}

// Posted is a move as it was written to the ledger. One Move taken from stock spread over
// several bays or batches is posted as one ledger move per bay and batch; Index says which
// Move each came from.
type Posted struct {
	Index    int
	ID       int64
	Qty      decimal.Decimal
	UnitCost decimal.Decimal
	Batch    *Batch
	Serial   *Serial
	FromBay  *Bay
	ToBay    *Bay
	// CostSource says what UnitCost is: CostGiven (the move's own unit cost), CostAverage
	// or CostPrice (stock coming in without a unit cost while the product had none on hand).
	CostSource string
}

// Where the unit cost of a posted move came from.
const (
	CostGiven   = "given"      // the unit cost the move was given (receipt, --unit-cost)
	CostAverage = "average"    // the product's moving-average cost
	CostPrice   = "cost_price" // the product's cost price: stock came in while none was on hand
)

// Settings of cost_price_follows: what receipts do to a product's cost price.
const (
	FollowManual      = "manual"       // nothing: people type it
	FollowAverage     = "average"      // it becomes the average cost whenever that changes
	FollowLastReceipt = "last_receipt" // it becomes the unit cost of the last stock in with a cost of its own
)

// InsufficientError says a location does not have what a move takes from it.
type InsufficientError struct {
	SKU, Location string
	Want, Have    decimal.Decimal
	What          string // "" for plain stock, else "batch B", "serial S" or "bay B"
	// Expired is the stock first-expiry-first-out passed over because it has expired
	// (Move.SkipExpired); Have leaves it out.
	Expired []ExpiredLot
}

func (e *InsufficientError) Error() string {
	what := ""
	if e.What != "" {
		what = " (" + e.What + ")"
	}
	msg := fmt.Sprintf("not enough %s at %s%s: want %s, have %s available", e.SKU, e.Location, what, e.Want, e.Have)
	if len(e.Expired) > 0 {
		lots := make([]string, len(e.Expired))
		for i, l := range e.Expired {
			lots[i] = l.String()
		}
		msg += fmt.Sprintf(" that has not expired; expired, not taken: %s (give --allow-expired to take expired stock)", strings.Join(lots, ", "))
	}
	return msg
}

// cost is the locked valuation state of one product during a posting, with the product's
// posting rules as they are under the lock.
type cost struct {
	avg     decimal.Decimal
	total   decimal.Decimal // on hand over all holding locations
	changed bool
	rules   rules
	// price is the product's cost price as locked; follows the setting cost_price_follows.
	price   decimal.Decimal
	follows string
	// current is the product's current cost as locked (see current); received is the unit
	// cost of the last stock in from outside with a cost of its own, nil if none.
	current  decimal.Decimal
	received *decimal.Decimal
	// seeded: the average cost is the cost price a move of this posting came in at (the
	// later units of one receipt, serial by serial, came in at the cost price too).
	seeded bool
	// held: the product had stock on hand when the posting locked it, so its average cost
	// is the current cost even after this posting's moves took all of it out (a stocktake
	// moving the last unit from one bay to another).
	held bool
	// template: the product is a template with variants, which is never stocked itself
	// (catalog.RefuseTemplate): read under the lock, as the rules are.
	template bool
}

// now is the product's current cost: the average cost while stock is on hand, else the
// cost price (the SQL function product_cost, migration 00022, says the same). Stock coming
// in without a unit cost is valued at it (at the average also when the posting itself took
// the stock out: see held), and sell price formulas work from it.
func (c *cost) now(price decimal.Decimal) decimal.Decimal {
	if c.total.IsPositive() {
		return c.avg
	}
	return price
}

// rules are the product columns a posting is judged by: read in the statement that takes the
// posting lock, so they are the ones in force for the whole posting (see lock).
type rules struct {
	track, serialized, batch bool
	typ, uom                 string
}

func (r rules) of(p catalog.Product) bool {
	return r == rules{track: p.TrackStock, serialized: p.Serialized, batch: p.BatchTracked, typ: p.Type, uom: p.StockUOM}
}

// Post writes moves to the ledger and updates the balances and average costs, all in q's
// transaction: it is the one way stock changes. Products are locked in id order before any
// balance is touched, so concurrent postings never deadlock and a product's postings never
// interleave; every decrement is guarded, and the schema's constraints back it up. The
// caller owns the transaction (use db.InTx, which retries serialization failures).
func Post(ctx context.Context, q sqlx.ExtContext, moves []Move) ([]Posted, error) {
	if len(moves) == 0 {
		return nil, nil
	}
	for i, m := range moves {
		if err := check(m); err != nil {
			return nil, &MoveError{Index: i, Err: err}
		}
	}
	costs, negOK, err := lock(ctx, q, moves)
	if err != nil {
		return nil, err
	}
	if moves, err = recheck(moves, costs); err != nil {
		return nil, err
	}
	// A template is never stocked: nothing goes into a location for it. Stock it held
	// before it had variants may still leave (written off, returned), never come back.
	for i, m := range moves {
		if costs[m.Product.ID].template && m.To.Holds() {
			if err := catalog.RefuseTemplate(ctx, q, "sku", m.Product); err != nil {
				return nil, &MoveError{Index: i, Err: err}
			}
		}
	}
	var out []Posted
	for i, m := range moves {
		parts, err := pick(ctx, q, m, negOK)
		if err == nil {
			for _, part := range parts {
				var p Posted
				if p, err = post(ctx, q, part, costs[m.Product.ID], negOK); err != nil {
					break
				}
				p.Index = i
				out = append(out, p)
			}
		}
		if err != nil {
			return nil, &MoveError{Index: i, Err: err}
		}
	}
	if err := follow(ctx, q, costs); err != nil {
		return nil, err
	}
	return out, nil
}

// follow writes, in one statement, the cost price of the products whose cost price the
// setting cost_price_follows moves (average: to the new average cost after stock came in or
// its cost was raised; last_receipt: to the unit cost of the last stock in with a cost of its
// own), and writes again the products priced by a markup or margin formula whose current cost
// changed, so the products trigger stores the price the formula now gives (migration 00022).
// Products whose cost price stays and whose sell price is not worked out from cost are not
// touched.
func follow(ctx context.Context, q sqlx.ExtContext, costs map[int64]*cost) error {
	var ids pq.Int64Array
	var prices []string
	for id, c := range costs {
		price := c.price
		switch {
		case c.follows == FollowAverage && c.changed:
			price = c.avg
		case c.follows == FollowLastReceipt && c.received != nil:
			price = *c.received
		}
		if price.Equal(c.price) && c.now(price).Equal(c.current) {
			continue
		}
		ids, prices = append(ids, id), append(prices, price.String())
	}
	if len(ids) == 0 {
		return nil
	}
	// The change history's entries of these updates are written here, from the two columns
	// that change, not by the products trigger from whole rows (it is told to leave them by
	// stockctl.history_done; migration 00019, history_products_update): on the posting path
	// the whole-row comparison cost a fifth of the postings per second.
	_, err := q.ExecContext(ctx, `WITH v AS (SELECT * FROM unnest($1::bigint[], $2::numeric[]) AS v (id, cost)),
		done AS (SELECT set_config('stockctl.history_done', array_to_string($1::bigint[], ','), true)),
		old AS (SELECT p.id, p.cost_price, p.sell_price FROM products p JOIN v ON v.id = p.id),
		u AS (UPDATE products p SET cost_price = v.cost
			FROM (SELECT v.* FROM v, done ORDER BY 1) AS v
			WHERE p.id = v.id AND (p.cost_price <> v.cost OR p.price_formula IN ('markup', 'margin'))
			RETURNING p.id, p.cost_price, p.sell_price)
		INSERT INTO history (table_name, op, row_key, product_id, changes)
		SELECT 'products', 'update', jsonb_build_object('id', u.id), u.id, jsonb_strip_nulls(jsonb_build_object(
			'cost_price', CASE WHEN o.cost_price IS DISTINCT FROM u.cost_price THEN jsonb_build_array(o.cost_price, u.cost_price) END,
			'sell_price', CASE WHEN o.sell_price IS DISTINCT FROM u.sell_price THEN jsonb_build_array(o.sell_price, u.sell_price) END))
		FROM u JOIN old o ON o.id = u.id
		WHERE o.cost_price IS DISTINCT FROM u.cost_price OR o.sell_price IS DISTINCT FROM u.sell_price`, ids, pq.StringArray(prices))
	if err != nil {
		return db.Classify(err)
	}
	return nil
}

// MoveError says which of the moves given to Post failed, so callers can name the line of
// their document or file; its message and kind are those of the underlying error.
type MoveError struct {
	Index int
	Err   error
}

func (e *MoveError) Error() string { return e.Err.Error() }
func (e *MoveError) Unwrap() error { return e.Err }

// FailedMove returns the index of the move Post failed on, if err came from Post.
func FailedMove(err error) (int, bool) {
	var e *MoveError
	if errors.As(err, &e) {
		return e.Index, true
	}
	return 0, false
}

// pick splits a move out of a holding location into one move per bay, batch and serial it
// takes from. An unnamed batch is picked first-expiry-first-out, an unnamed bay starting with
// stock in no bay; a named batch, bay or serial limits the choice to it. It runs after the
// product is locked, so what it reads cannot change before it is posted.
func pick(ctx context.Context, q sqlx.QueryerContext, m Move, negOK bool) ([]Move, error) {
	if !m.From.Holds() {
		if m.Serial != nil {
			// A serial coming in must not be in stock anywhere (checked under the product lock).
			var where []string
			if err := sqlx.SelectContext(ctx, q, &where, `SELECT l.code FROM stock_quants s JOIN locations l ON l.id = s.location_id
				WHERE s.serial_id = $1 AND s.qty > 0`, m.Serial.ID); err != nil {
				return nil, db.Classify(err)
			}
			if len(where) > 0 {
				return nil, fault.Invalidf("serial", "serial %s of %s is already in stock at %s: a serial number is in one place at a time", m.Serial.Serial, m.Product.SKU, where[0])
			}
		}
		return []Move{m}, nil
	}
	var quants []struct {
		BayID     *int64          `db:"bay_id"`
		BayCode   *string         `db:"bay_code"`
		BatchID   *int64          `db:"batch_id"`
		Number    *string         `db:"number"`
		Expiry    *time.Time      `db:"expiry"`
		Expired   bool            `db:"expired"`
		SerialID  *int64          `db:"serial_id"`
		SerialNum *string         `db:"serial"`
		Qty       decimal.Decimal `db:"qty"`
	}
	err := sqlx.SelectContext(ctx, q, &quants, `SELECT s.bay_id, y.code AS bay_code, s.batch_id, b.number, b.expiry,
		coalesce(b.expiry < `+TodaySQL+`, false) AS expired, s.serial_id, n.serial, s.qty
		FROM stock_quants s
		LEFT JOIN bays y ON y.id = s.bay_id
		LEFT JOIN batches b ON b.id = s.batch_id
		LEFT JOIN serials n ON n.id = s.serial_id
		WHERE s.product_id = $1 AND s.location_id = $2 AND s.qty > 0
		  AND ($3::bigint IS NULL OR s.batch_id = $3) AND ($4::bigint IS NULL OR s.bay_id = $4)
		  AND ($5::bigint IS NULL OR s.serial_id = $5)
		ORDER BY b.expiry NULLS LAST, b.number NULLS FIRST, y.code NULLS FIRST`,
		m.Product.ID, m.From.ID, batchPtr(m.Batch), bayPtr(m.FromBay), serialPtr(m.Serial))
	if err != nil {
		return nil, db.Classify(err)
	}
	var parts []Move
	var passed []ExpiredLot // expired stock passed over
	left := m.Qty
	for _, qt := range quants {
		if !left.IsPositive() {
			break
		}
		if qt.Expired && m.SkipExpired {
			if m.Batch != nil || m.Serial != nil {
				return nil, expiredNamed(m, qt.Number, qt.Expiry)
			}
			passed = addLot(passed, *qt.Number, *qt.Expiry, qt.Qty)
			continue
		}
		part := m
		part.Qty = decimal.Min(left, qt.Qty)
		if qt.BayID != nil {
			part.FromBay = &Bay{ID: *qt.BayID, Code: *qt.BayCode, Location: m.From.Code}
		} else {
			part.FromBay = nil
		}
		if qt.BatchID != nil {
			part.Batch = &Batch{ID: *qt.BatchID, Number: *qt.Number, Expiry: qt.Expiry}
		}
		if qt.SerialID != nil {
			part.Serial = &Serial{ID: *qt.SerialID, Serial: *qt.SerialNum}
		}
		// Extra cost follows the quantity.
		part.ExtraCost = m.ExtraCost.Mul(part.Qty).DivRound(m.Qty, costScale)
		if part.From.ID == part.To.ID && bayID(part.FromBay) == bayID(part.ToBay) {
			continue // already where it is going
		}
		parts = append(parts, part)
		left = left.Sub(part.Qty)
	}
	if left.IsPositive() && len(passed) > 0 {
		err := insufficient(ctx, q, m)
		if e, ok := AsInsufficient(err); ok {
			e.Expired = passed
			// What is there, expired stock aside, bounded by the location's unallocated stock.
			fresh := m.Qty.Sub(left)
			if fresh.LessThan(e.Have) {
				e.Have = fresh
			}
		}
		return nil, err
	}
	if left.IsPositive() {
		if !(negOK && !m.Product.BatchTracked && !m.Product.Serialized && m.FromBay == nil) {
			return nil, insufficient(ctx, q, m)
		}
		// Negative stock: the rest goes below zero outside any bay.
		part := m
		part.Qty, part.FromBay = left, nil
		part.ExtraCost = m.ExtraCost.Mul(left).DivRound(m.Qty, costScale)
		parts = append(parts, part)
	}
	return parts, nil
}

// recheck judges the moves again by the rules read under the posting lock. The caller built
// them from the product as it read it; a catalogue change that committed since (tracking,
// serials, batches, type, stock unit: each takes the product row FOR UPDATE, which waits for
// postings holding it and makes later ones wait, see lock) is seen here. A move that still
// fits the new rules is posted by them (the copy of the moves carries the new rules, so pick
// and post follow them); one that does not is refused. A changed stock unit always refuses:
// the quantity was worked out in the old one (a move whose product names no unit, built
// without reading one, is not held to it). The caller's moves are not changed.
func recheck(moves []Move, costs map[int64]*cost) ([]Move, error) {
	copied := false
	for i := range moves {
		r := costs[moves[i].Product.ID].rules
		if r.of(moves[i].Product) {
			continue
		}
		if !copied {
			moves = append([]Move(nil), moves...)
			copied = true
		}
		p := &moves[i].Product
		if p.StockUOM != "" && r.uom != p.StockUOM {
			return nil, &MoveError{Index: i, Err: fault.Conflictf("the stock unit of %s changed from %s to %s while this was being posted: nothing was posted; run it again",
				p.SKU, p.StockUOM, r.uom)}
		}
		p.TrackStock, p.Serialized, p.BatchTracked, p.Type = r.track, r.serialized, r.batch, r.typ
		if err := check(moves[i]); err != nil {
			return nil, &MoveError{Index: i, Err: fault.Wrap(fault.KindOf(err), err,
				"product %s was changed by another session while this was being posted (now %s); nothing was posted", p.SKU, r)}
		}
	}
	return moves, nil
}

// String says what the rules are, for messages.
func (r rules) String() string {
	switch {
	case !r.track && r.typ != catalog.Stock:
		return "type " + r.typ + ", not stock-tracked"
	case !r.track:
		return "not stock-tracked"
	case r.serialized:
		return "serialised"
	case r.batch:
		return "batch-tracked"
	}
	return "stock-tracked"
}

// check validates a move against the product's tracking rules before anything is locked.
func check(m Move) error {
	p := m.Product
	switch {
	case !m.Qty.IsPositive():
		return fault.Invalidf("qty", "%s: quantity must be more than 0, got %s", p.SKU, m.Qty)
	case !p.TrackStock:
		return fault.Invalidf("sku", "product %s is not stock-tracked (type %s): it has no stock to move", p.SKU, p.Type)
	case !m.From.Holds() && !m.To.Holds():
		return fault.Invalidf("location", "a move of %s needs a real location on one side", p.SKU)
	case m.From.ID == m.To.ID && bayID(m.FromBay) == bayID(m.ToBay):
		return fault.Invalidf("location", "%s: from and to are the same place (%s)", p.SKU, m.From.Code)
	case p.Serialized && m.Serial == nil:
		return fault.Invalidf("serial", "product %s is serialised: name the serial number of each unit (--serial)", p.SKU)
	case p.Serialized && !m.Qty.Equal(decimal.NewFromInt(1)):
		return fault.Invalidf("qty", "product %s is serialised: a move carries one unit per serial", p.SKU)
	case !p.Serialized && m.Serial != nil:
		return fault.Invalidf("serial", "product %s is not serialised: leave out --serial", p.SKU)
	case p.BatchTracked && m.Batch == nil && !m.From.Holds():
		return fault.Invalidf("batch", "product %s is batch-tracked: name the batch the stock comes in (--batch, with --expiry for a new one)", p.SKU)
	case !p.BatchTracked && m.Batch != nil:
		return fault.Invalidf("batch", "product %s is not batch-tracked: leave out --batch", p.SKU)
	case m.UnitCost != nil && m.UnitCost.IsNegative():
		return fault.Invalidf("unit-cost", "%s: unit cost cannot be negative", p.SKU)
	case m.ExtraCost.IsNegative():
		return fault.Invalidf("cost", "%s: extra cost cannot be negative", p.SKU)
	case m.Kind == "":
		return fault.Invalidf("kind", "%s: a move needs a kind", p.SKU)
	}
	if m.FromBay != nil && m.FromBay.Location != m.From.Code {
		return fault.Invalidf("bay", "bay %s is not in %s", m.FromBay.Code, m.From.Code)
	}
	if m.ToBay != nil && m.ToBay.Location != m.To.Code {
		return fault.Invalidf("bay", "bay %s is not in %s", m.ToBay.Code, m.To.Code)
	}
	return nil
}

func bayID(b *Bay) int64 {
	if b == nil {
		return 0
	}
	return b.ID
}

// lock takes the posting lock of the products in product id order and reads, in the same
// round trip, their average cost, total on hand and posting rules, with the negative-stock
// setting. For each product, first its products row FOR KEY SHARE, then its product_costs
// row FOR UPDATE:
//
//   - product_costs FOR UPDATE serialises the postings of one product: the average cost and
//     on hand are read from the locked row, as of the lock;
//   - products FOR KEY SHARE holds the product's posting rules (tracking, serials, batches,
//     type, stock unit) still. Every catalogue change of those rules, and deactivation and
//     deletion, lock the row FOR UPDATE before they check the product's stock (catalog: get
//     with forUpdate, and the product import's lock of the products whose rules it changes),
//     which conflicts with FOR KEY SHARE: a change waits for the postings that hold the row,
//     and a posting that comes later waits for the change to commit. Having waited, the
//     statement reads the committed row version (READ COMMITTED re-reads a locked row that
//     was updated), so the rules returned are the ones in force; Post judges the moves by
//     them again (recheck). FOR KEY SHARE does not conflict with postings of the same
//     product (they queue on the cost row) nor with edits of other columns (FOR NO KEY
//     UPDATE), and each posting takes it anyway when its moves' foreign keys are checked.
//
// The lock lives on the products row, catalog's, so catalog takes it with its own SQL and
// never imports stock (stock imports catalog). The product row comes before the cost row,
// in one product id order for everyone, so nothing deadlocks: a deletion holding the product
// row never waits for a cost row held by a posting that waits for the product row.
func lock(ctx context.Context, q sqlx.ExtContext, moves []Move) (map[int64]*cost, bool, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, m := range moves {
		if !seen[m.Product.ID] {
			seen[m.Product.ID] = true
			ids = append(ids, m.Product.ID)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	read := func() (map[int64]*cost, bool, error) {
		// One product (the usual case) gets its own statement: with "= ANY($1)" the server
		// plans the lock afresh on every call instead of caching the plan.
		where, arg := `p.id = ANY($1)`, any(pq.Int64Array(ids))
		if len(ids) == 1 {
			where, arg = `p.id = $1`, ids[0]
		}
		rows, err := q.QueryxContext(ctx, `SELECT c.product_id, c.avg_cost, c.on_hand, p.track_stock, p.serialized,
			p.batch_tracked, p.type, p.stock_uom, p.cost_price,
			coalesce((SELECT value = 'true' FROM settings WHERE key = 'negative_stock_allowed'), false),
			coalesce((SELECT value FROM settings WHERE key = 'cost_price_follows'), 'average'),
			EXISTS (SELECT 1 FROM product_variants v WHERE v.template_id = p.id)
			FROM products p JOIN product_costs c ON c.product_id = p.id
			WHERE `+where+` ORDER BY p.id FOR KEY SHARE OF p FOR UPDATE OF c`, arg)
		if err != nil {
			return nil, false, db.Classify(err)
		}
		defer rows.Close()
		costs := map[int64]*cost{}
		var negOK bool
		for rows.Next() {
			var id int64
			c := &cost{}
			r := &c.rules
			if err := rows.Scan(&id, &c.avg, &c.total, &r.track, &r.serialized, &r.batch, &r.typ, &r.uom, &c.price, &negOK, &c.follows, &c.template); err != nil {
				return nil, false, db.Classify(err)
			}
			c.current = c.now(c.price)
			c.held = c.total.IsPositive()
			costs[id] = c
		}
		return costs, negOK, db.Classify(rows.Err())
	}
	costs, negOK, err := read()
	if err != nil || len(costs) == len(ids) {
		return costs, negOK, err
	}
	// First moves of a product: create its cost row, then lock as usual.
	if _, err := q.ExecContext(ctx, `INSERT INTO product_costs (product_id) SELECT unnest($1::bigint[]) ORDER BY 1
		ON CONFLICT (product_id) DO NOTHING`, pq.Int64Array(ids)); err != nil {
		if db.Constraint(err) == "product_costs_product_id_fkey" {
			return nil, false, gone(moves, nil)
		}
		return nil, false, db.Classify(err)
	}
	if costs, negOK, err = read(); err != nil || len(costs) == len(ids) {
		return costs, negOK, err
	}
	return nil, false, gone(moves, costs)
}

// gone is the error for moves of a product deleted while they were being posted (its cost
// row cannot be made, or its row vanished while the lock waited for the deletion).
func gone(moves []Move, costs map[int64]*cost) error {
	for i, m := range moves {
		if costs[m.Product.ID] == nil {
			return &MoveError{Index: i, Err: fault.NotFoundf("product %s was deleted by another session while this was being posted: nothing was posted", m.Product.SKU)}
		}
	}
	return fault.NotFoundf("a product was deleted by another session while this was being posted: nothing was posted")
}

// postShape says which parts of the posting statement a move needs.
type postShape struct {
	from, to bool // the source / destination keeps a balance
	neg      bool // the source may go negative
	balances bool // the move changes location balances (not a bay-to-bay move)
	cost     bool // the average cost or the product's total stock changes
}

var postSQLs sync.Map // postShape → string

// postSQL is the statement that posts one move of shape s: take from the source (guarded),
// give to the destination, append the move and update the average cost, in one round trip.
// Each shape gets its own statement with only the parts it runs: a statement whose parts
// are switched off by parameters is planned afresh on every call, one without such switches
// gets a cached generic plan after a few calls (docs/performance.md). The guarded forms
// return no row when the source lacks the stock.
//
// Parameters: $1 product, $2 qty, $3 from, $4 to, $5 from bay, $6 to bay, $7 batch,
// $8 serial, $9 kind, $10 unit cost, $11 reference, $12 GL code, $13 reason, $14 narrative,
// and when s.cost $15 the new average cost and $16 the change of the product's total stock.
func postSQL(s postShape) string {
	if v, ok := postSQLs.Load(s); ok {
		return v.(string)
	}
	const quantKey = `ON CONFLICT (product_id, location_id, (coalesce(bay_id, 0)), (coalesce(batch_id, 0)), (coalesce(serial_id, 0)))`
	const quantMatch = `product_id = $1 AND location_id = $3 AND coalesce(bay_id, 0) = coalesce($5::bigint, 0)
	  AND coalesce(batch_id, 0) = coalesce($7::bigint, 0) AND coalesce(serial_id, 0) = coalesce($8::bigint, 0)`
	var ctes []string
	srcQ, srcB := "0", "0"
	if s.from {
		srcQ = "(SELECT count(*) FROM src_q)"
		if s.neg {
			ctes = append(ctes, `src_q AS (
	INSERT INTO stock_quants AS s (product_id, location_id, bay_id, batch_id, serial_id, qty)
	VALUES ($1, $3, $5, $7, $8, -$2::numeric) `+quantKey+`
	DO UPDATE SET qty = s.qty - $2 RETURNING 1)`)
		} else {
			ctes = append(ctes, `src_q AS (
	UPDATE stock_quants SET qty = qty - $2 WHERE `+quantMatch+` AND qty >= $2 RETURNING 1)`)
		}
		if s.balances {
			srcB = "(SELECT count(*) FROM src_b)"
			if s.neg {
				ctes = append(ctes, `src_b AS (
	INSERT INTO stock_balances AS b (product_id, location_id, on_hand) VALUES ($1, $3, -$2::numeric)
	ON CONFLICT (product_id, location_id) DO UPDATE SET on_hand = b.on_hand - $2
	WHERE b.on_hand - $2 >= b.allocated OR b.allocated = 0 RETURNING 1)`)
			} else {
				ctes = append(ctes, `src_b AS (
	UPDATE stock_balances SET on_hand = on_hand - $2
	WHERE product_id = $1 AND location_id = $3 AND on_hand - $2 >= allocated RETURNING 1)`)
			}
		}
	}
	if s.to {
		ctes = append(ctes, `dst_q AS (
	INSERT INTO stock_quants AS s (product_id, location_id, bay_id, batch_id, serial_id, qty)
	VALUES ($1, $4, $6, $7, $8, $2) `+quantKey+`
	DO UPDATE SET qty = s.qty + $2 RETURNING 1)`)
		if s.balances {
			ctes = append(ctes, `dst_b AS (
	INSERT INTO stock_balances AS b (product_id, location_id, on_hand) VALUES ($1, $4, $2)
	ON CONFLICT (product_id, location_id) DO UPDATE SET on_hand = b.on_hand + $2 RETURNING 1)`)
		}
	}
	if s.cost {
		ctes = append(ctes, `pc AS (
	UPDATE product_costs SET avg_cost = $15::numeric, on_hand = on_hand + $16::numeric, updated_at = now()
	WHERE product_id = $1 RETURNING 1)`)
	}
	ctes = append(ctes, `mv AS (
	INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, from_bay_id, to_bay_id, batch_id,
		serial_id, unit_cost, kind, reference, gl_code, reason, narrative)
	VALUES ($1::bigint, $2::numeric, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::bigint, $8::bigint,
		$10::numeric, $9::text, $11::text, $12::text, $13::text, $14::text)
	RETURNING id)`)
	sql := "WITH " + strings.Join(ctes, ",\n") + "\nSELECT " + srcQ + " AS src_q, " + srcB + " AS src_b, (SELECT id FROM mv) AS id"
	postSQLs.Store(s, sql)
	return sql
}

func post(ctx context.Context, q sqlx.ExtContext, m Move, c *cost, negOK bool) (Posted, error) {
	from, to := m.From.Holds(), m.To.Holds()
	// Negative stock is allowed only for plain quantities: a batch or serial is counted.
	neg := negOK && m.Batch == nil && m.Serial == nil
	balances := m.From.ID != m.To.ID // a bay-to-bay move leaves the location's balance alone

	unit, source := c.avg, CostAverage
	switch {
	case from && to:
		if m.ExtraCost.IsPositive() {
			unit = c.avg.Add(m.ExtraCost.DivRound(m.Qty, costScale))
			if c.total.IsPositive() {
				c.avg = c.total.Mul(c.avg).Add(m.ExtraCost).DivRound(c.total, costScale)
				c.changed = true
				c.seeded = false
			}
		}
	case to: // into stock from outside
		switch {
		case m.UnitCost != nil:
			unit, source = *m.UnitCost, CostGiven
			c.received, c.seeded = &unit, false
		case !c.total.IsPositive() && !c.held:
			unit, source = c.price, CostPrice
			c.seeded = true
		case c.seeded:
			unit, source = c.price, CostPrice // equal to the average, as typed
		}
		if c.total.IsPositive() {
			c.avg = c.total.Mul(c.avg).Add(m.Qty.Mul(unit)).DivRound(c.total.Add(m.Qty), costScale)
		} else {
			c.avg = unit
		}
		c.changed = true
		c.total = c.total.Add(m.Qty)
	case from: // out of stock
		c.total = c.total.Sub(m.Qty)
	}

	var res struct {
		SrcQ int64 `db:"src_q"`
		SrcB int64 `db:"src_b"`
		ID   int64 `db:"id"`
	}
	delta := decimal.Zero // of the product's total stock
	switch {
	case to && !from:
		delta = m.Qty
	case from && !to:
		delta = m.Qty.Neg()
	}
	shape := postShape{from: from, to: to, neg: neg, balances: balances, cost: c.changed || !delta.IsZero()}
	args := []any{m.Product.ID, m.Qty, m.From.ID, m.To.ID, bayPtr(m.FromBay), bayPtr(m.ToBay), batchPtr(m.Batch),
		serialPtr(m.Serial), m.Kind, unit, m.Reference, m.GLCode, m.Reason, m.Narrative}
	if shape.cost {
		args = append(args, c.avg, delta)
	}
	err := sqlx.GetContext(ctx, q, &res, postSQL(shape), args...)
	if err != nil {
		return Posted{}, moveError(m, err)
	}
	if from && (res.SrcQ == 0 || (balances && res.SrcB == 0)) {
		return Posted{}, insufficient(ctx, q, m)
	}
	return Posted{ID: res.ID, Qty: m.Qty, UnitCost: unit, Batch: m.Batch, Serial: m.Serial, FromBay: m.FromBay, ToBay: m.ToBay,
		CostSource: source}, nil
}

func bayPtr(b *Bay) *int64 {
	if b == nil {
		return nil
	}
	return &b.ID
}

func batchPtr(b *Batch) *int64 {
	if b == nil {
		return nil
	}
	return &b.ID
}

func serialPtr(s *Serial) *int64 {
	if s == nil {
		return nil
	}
	return &s.ID
}

// moveError turns a constraint that fired into what it means for this move. The checks
// before posting should make this unreachable; the constraints are the last line of defence.
func moveError(m Move, err error) error {
	if db.Constraint(err) == "stock_quants_serial_once" && m.Serial != nil {
		return fault.Invalidf("serial", "serial %s of %s is already in stock: a serial number is in one place at a time", m.Serial.Serial, m.Product.SKU)
	}
	return db.Classify(err)
}

// insufficient builds the error for a move whose source lacks the stock, saying what is
// there: the least of the named bay/batch/serial's quantity and the location's unallocated
// stock.
func insufficient(ctx context.Context, q sqlx.QueryerContext, m Move) error {
	e := &InsufficientError{SKU: m.Product.SKU, Location: m.From.Code, Want: m.Qty}
	switch {
	case m.Serial != nil:
		e.What = "serial " + m.Serial.Serial
	case m.Batch != nil:
		e.What = "batch " + m.Batch.Number
	case m.FromBay != nil:
		e.What = "bay " + m.FromBay.Code
	}
	var have struct {
		Specific  decimal.Decimal `db:"specific"`
		Available decimal.Decimal `db:"available"`
	}
	err := sqlx.GetContext(ctx, q, &have, `SELECT
		coalesce((SELECT sum(qty) FROM stock_quants WHERE product_id = $1 AND location_id = $2
			AND coalesce(bay_id, 0) = coalesce($3::bigint, 0) AND coalesce(batch_id, 0) = coalesce($4::bigint, 0)
			AND coalesce(serial_id, 0) = coalesce($5::bigint, 0)), 0) AS specific,
		coalesce((SELECT on_hand - allocated FROM stock_balances WHERE product_id = $1 AND location_id = $2), 0) AS available`,
		m.Product.ID, m.From.ID, bayPtr(m.FromBay), batchPtr(m.Batch), serialPtr(m.Serial))
	if err != nil {
		return db.Classify(err)
	}
	e.Have = have.Available
	if e.What != "" && have.Specific.LessThan(e.Have) {
		e.Have = have.Specific
	}
	if e.Have.IsNegative() {
		e.Have = decimal.Zero
	}
	return &fault.Error{Kind: fault.Invalid, Field: "qty", Err: e}
}

// AsInsufficient reports whether err is a shortage, and which.
func AsInsufficient(err error) (*InsufficientError, bool) {
	var e *InsufficientError
	ok := errors.As(err, &e)
	return e, ok
}
