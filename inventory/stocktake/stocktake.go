// Package stocktake counts the stock at a location against a snapshot of what the books
// expected and posts the differences to the ledger as adjustments.
package stocktake

import (
	"context"
	"database/sql"
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
	"github.com/stockctl/stockctl/inventory/stock"
)

// Statuses. Open: counting. Closed: counting finished (a blind stocktake now shows what was
// expected). Posted: the variances are on the ledger and nothing changes any more.
// Cancelled: dropped before posting.
const (
	Open      = "open"
	Closed    = "closed"
	Posted    = "posted"
	Cancelled = "cancelled"
)

// Scopes: which products a stocktake counts.
const (
	ScopeAll      = "all"      // every stock-tracked product at the location
	ScopeSKU      = "sku"      // the products named
	ScopeCategory = "category" // the stock-tracked products of one category
)

// Request is a new stocktake: at most one of SKUs and Category; neither means every
// stock-tracked product with stock at the location.
type Request struct {
	Location  string
	SKUs      []string
	Category  string
	Blind     bool
	Narrative string
}

// Summary is a stocktake without its lines. Moved and VarianceValue are nil while a blind
// stocktake is open, and in lists of stocktakes not yet posted (stocktake show has them).
type Summary struct {
	Number        string           `db:"number" json:"number"`
	Location      string           `db:"location" json:"location"`
	Status        string           `db:"status" json:"status"`
	Blind         bool             `db:"blind" json:"blind"`
	Scope         string           `db:"scope" json:"scope"`
	Category      *string          `db:"category" json:"category" print:"wide"`
	LineCount     int              `db:"line_count" json:"line_count"`
	Counted       int              `db:"counted" json:"counted"`
	Uncounted     int              `db:"uncounted" json:"uncounted"`
	Moved         *int             `db:"moved" json:"moved"`
	VarianceValue *decimal.Decimal `db:"variance_value" json:"variance_value"`
	Narrative     string           `db:"narrative" json:"narrative" print:"wide"`
	SnapshotAt    time.Time        `db:"snapshot_at" json:"snapshot_at" print:"wide"`
	ClosedAt      *time.Time       `db:"closed_at" json:"closed_at" print:"wide"`
	PostedAt      *time.Time       `db:"posted_at" json:"posted_at" print:"wide"`
	ZeroUncounted *bool            `db:"zero_uncounted" json:"zero_uncounted" print:"wide"`
	SetCounted    *bool            `db:"set_counted" json:"set_counted" print:"wide"`
	CancelledAt   *time.Time       `db:"cancelled_at" json:"cancelled_at" print:"wide"`
	CreatedAt     time.Time        `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy     string           `db:"created_by" json:"created_by" print:"wide"`
}

// Line is what a stocktake knows of one product, bay, batch and serial at its location.
//
//   - Expected: the quantity the snapshot found (0 for a line a count added).
//   - Counted: nil until counted.
//   - OnHand: the book quantity now (once posted: just before posting).
//   - NetMoves: OnHand - Expected, what moved since the snapshot; Moved flags a line that
//     any move touched since the snapshot, even moves that cancel out.
//   - Variance: what posting adjusts the line by by default, counted - the book quantity
//     when the count was entered (= counted - expected when nothing moved before the
//     count); once posted, what was posted. VarianceValue is it at UnitCost, the average
//     cost (once posted, the cost it was posted at).
//
// While a blind stocktake is open, everything that would tell the counter what to expect
// is nil: Expected, OnHand, NetMoves, Moved, Variance and its value, OnHandWhenCounted.
type Line struct {
	SKU               string           `db:"sku" json:"sku"`
	Name              string           `db:"name" json:"name" print:"wide"`
	Bay               *string          `db:"bay" json:"bay"`
	Batch             *string          `db:"batch" json:"batch"`
	Serial            *string          `db:"serial" json:"serial"`
	Expected          *decimal.Decimal `db:"-" json:"expected"`
	Counted           *decimal.Decimal `db:"counted" json:"counted"`
	OnHand            *decimal.Decimal `db:"-" json:"on_hand"`
	NetMoves          *decimal.Decimal `db:"-" json:"net_moves" print:"wide"`
	Moved             *bool            `db:"-" json:"moved"`
	Variance          *decimal.Decimal `db:"-" json:"variance"`
	VarianceValue     *decimal.Decimal `db:"-" json:"variance_value"`
	UnitCost          *decimal.Decimal `db:"-" json:"unit_cost" print:"wide"`
	OnHandWhenCounted *decimal.Decimal `db:"-" json:"on_hand_when_counted" print:"wide"`
	StockUOM          string           `db:"stock_uom" json:"uom" print:"wide"`
	CountedAt         *time.Time       `db:"counted_at" json:"counted_at" print:"wide"`
	CountedBy         *string          `db:"counted_by" json:"counted_by" print:"wide"`

	id int64
}

// Doc is a stocktake with its lines.
type Doc struct {
	Summary
	Lines []Line `json:"lines"`
}

// header is a stocktake row as the package works with it.
type header struct {
	Summary
	ID             int64 `db:"id"`
	LocationID     int64 `db:"location_id"`
	SnapshotMoveID int64 `db:"snapshot_move_id"`
}

// revealed reports whether expected quantities may be shown: always, except while a blind
// stocktake is open for counting.
func (h header) revealed() bool { return !h.Blind || h.Status != Open }

const selectHeader = `SELECT s.id, s.number, s.location_id, l.code AS location, s.status, s.blind, s.scope,
	s.category, s.narrative, s.snapshot_at, s.snapshot_move_id, s.closed_at, s.posted_at, s.zero_uncounted,
	s.set_counted, s.cancelled_at, s.created_at, s.created_by
	FROM stocktakes s JOIN locations l ON l.id = s.location_id`

// getHeader reads a stocktake by number; lock is "", "FOR SHARE" or "FOR UPDATE".
func getHeader(ctx context.Context, q sqlx.QueryerContext, number, lock string) (header, error) {
	var h header
	query := selectHeader + ` WHERE s.number = $1`
	if lock != "" {
		query += ` ` + lock + ` OF s`
	}
	err := sqlx.GetContext(ctx, q, &h, query, strings.TrimSpace(number))
	if errors.Is(err, sql.ErrNoRows) {
		return h, fault.NotFoundf("stocktake %s does not exist (see stockctl stocktake list)", number)
	}
	return h, db.Classify(err)
}

// StateError is a stocktake that is not in a state for what was asked: counting a closed,
// posted or cancelled one, posting one twice, cancelling a posted one.
type StateError struct {
	Number, Status, Action string
}

func (e *StateError) Error() string {
	switch e.Status {
	case Closed:
		return fmt.Sprintf("stocktake %s is closed: counting is finished; post it (stockctl stocktake post %s) or cancel it", e.Number, e.Number)
	case Posted:
		return fmt.Sprintf("stocktake %s is already posted: a posted stocktake cannot %s", e.Number, e.Action)
	case Cancelled:
		return fmt.Sprintf("stocktake %s is cancelled: it cannot %s", e.Number, e.Action)
	}
	return fmt.Sprintf("stocktake %s is %s: it cannot %s", e.Number, e.Status, e.Action)
}

func stateError(h header, action string) error {
	return fault.Wrap(fault.Conflict, &StateError{Number: h.Number, Status: h.Status, Action: action}, "")
}

// AsStateError reports whether err says a stocktake was in the wrong state.
func AsStateError(err error) (*StateError, bool) {
	var e *StateError
	ok := errors.As(err, &e)
	return e, ok
}

// New snapshots the stock at a location and opens a stocktake for counting it, numbered from
// the setting number_format_st. The snapshot is one statement, so it is one consistent
// moment of the ledger even while stock moves: one line per product, bay, batch and serial
// with stock there (and, for products named with SKUs that have none, one line expecting 0).
// A product already in another open stocktake at the location is refused: two counts of the
// same stock cannot both be posted.
func New(ctx context.Context, q sqlx.ExtContext, r Request) (Doc, error) {
	loc, err := stock.GetLocation(ctx, q, "location", strings.TrimSpace(r.Location))
	if err != nil {
		return Doc{}, err
	}
	r.Category = strings.TrimSpace(r.Category)
	if len(r.SKUs) > 0 && r.Category != "" {
		return Doc{}, fault.Invalidf("category", "give --sku or --category, not both")
	}
	scope := ScopeAll
	var ids []int64
	switch {
	case len(r.SKUs) > 0:
		scope = ScopeSKU
		seen := map[int64]bool{}
		for _, sku := range r.SKUs {
			p, err := catalog.Get(ctx, q, strings.TrimSpace(sku))
			if err != nil {
				return Doc{}, err
			}
			if !p.TrackStock {
				return Doc{}, fault.Invalidf("sku", "product %s is not stock-tracked (type %s): there is nothing to count", p.SKU, p.Type)
			}
			if !seen[p.ID] {
				seen[p.ID] = true
				ids = append(ids, p.ID)
			}
		}
	case r.Category != "":
		scope = ScopeCategory
		err = sqlx.SelectContext(ctx, q, &ids, `SELECT id FROM products WHERE category = $1 AND track_stock ORDER BY id`, r.Category)
		if err != nil {
			return Doc{}, db.Classify(err)
		}
		if len(ids) == 0 {
			return Doc{}, fault.Invalidf("category", "no stock-tracked product has category %q (categories match exactly, case included; see stockctl product list)", r.Category)
		}
	default:
		err = sqlx.SelectContext(ctx, q, &ids, `SELECT DISTINCT q.product_id FROM stock_quants q
			JOIN products p ON p.id = q.product_id AND p.track_stock
			WHERE q.location_id = $1 AND q.qty <> 0 ORDER BY 1`, loc.ID)
		if err != nil {
			return Doc{}, db.Classify(err)
		}
	}

	// Refused before the number is taken: a refused stocktake then never queues behind the
	// counter another stocktake holds until it commits. claimProducts below is what makes
	// the refusal certain; a refusal there rolls the number back with everything else.
	if err := checkFree(ctx, q, 0, loc, ids); err != nil {
		return Doc{}, err
	}
	number, err := numbering.Next(ctx, q, numbering.Stocktake)
	if err != nil {
		return Doc{}, err
	}
	var category *string
	if scope == ScopeCategory {
		category = &r.Category
	}
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `INSERT INTO stocktakes (number, location_id, blind, scope, category, narrative)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, number, loc.ID, r.Blind, scope, category, strings.TrimSpace(r.Narrative))
	if err != nil {
		return Doc{}, db.Classify(err)
	}
	if err := claimProducts(ctx, q, id, loc, ids); err != nil {
		return Doc{}, err
	}

	// The snapshot: every quant of the products at the location, and the last move it saw,
	// in one statement.
	_, err = q.ExecContext(ctx, `WITH snap AS (
		INSERT INTO stocktake_lines (stocktake_id, location_id, product_id, bay_id, batch_id, serial_id, expected, in_snapshot)
		SELECT $1, q.location_id, q.product_id, q.bay_id, q.batch_id, q.serial_id, q.qty, true
		FROM stock_quants q
		JOIN stocktake_products sp ON sp.stocktake_id = $1 AND sp.product_id = q.product_id
		WHERE q.location_id = $2 AND q.qty <> 0
		RETURNING 1
	)
	UPDATE stocktakes SET snapshot_at = statement_timestamp(),
		snapshot_move_id = coalesce((SELECT max(id) FROM stock_moves), 0)
	WHERE id = $1`, id, loc.ID)
	if err != nil {
		return Doc{}, db.Classify(err)
	}
	if scope == ScopeSKU {
		// A product named but not there is expected to be 0, in its default bay; batches and
		// serials found are added as they are counted.
		_, err = q.ExecContext(ctx, `INSERT INTO stocktake_lines (stocktake_id, location_id, product_id, bay_id, expected, in_snapshot)
			SELECT $1, $2, sp.product_id, lv.default_bay_id, 0, true
			FROM stocktake_products sp
			JOIN products p ON p.id = sp.product_id AND NOT p.serialized AND NOT p.batch_tracked
			LEFT JOIN stock_levels lv ON lv.product_id = sp.product_id AND lv.location_id = $2
			WHERE sp.stocktake_id = $1
			  AND NOT EXISTS (SELECT 1 FROM stocktake_lines l WHERE l.stocktake_id = $1 AND l.product_id = sp.product_id)`, id, loc.ID)
		if err != nil {
			return Doc{}, db.Classify(err)
		}
	}
	return Get(ctx, q, number)
}

// claimProducts adds products to stocktake id, refusing those another open stocktake at the
// location is counting. The unique partial index stocktake_products_open decides, so two
// stocktakes started at once cannot both take a product.
func claimProducts(ctx context.Context, q sqlx.ExtContext, id int64, loc stock.Location, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var got []int64
	err := sqlx.SelectContext(ctx, q, &got, `INSERT INTO stocktake_products (stocktake_id, product_id, location_id)
		SELECT $1, p, $2 FROM unnest($3::bigint[]) AS p ORDER BY p
		ON CONFLICT DO NOTHING RETURNING product_id`, id, loc.ID, pq.Int64Array(ids))
	if err != nil {
		return db.Classify(err)
	}
	if len(got) == len(ids) {
		return nil
	}
	return checkFree(ctx, q, id, loc, ids)
}

// checkFree refuses products that an open stocktake other than id (0: any) counts at the
// location, naming them and the stocktake.
func checkFree(ctx context.Context, q sqlx.QueryerContext, id int64, loc stock.Location, ids []int64) error {
	var taken []struct {
		SKU    string `db:"sku"`
		Number string `db:"number"`
	}
	err := sqlx.SelectContext(ctx, q, &taken, `SELECT p.sku, s.number FROM stocktake_products sp
		JOIN stocktakes s ON s.id = sp.stocktake_id
		JOIN products p ON p.id = sp.product_id
		WHERE sp.location_id = $1 AND sp.open AND sp.stocktake_id <> $2 AND sp.product_id = ANY($3)
		ORDER BY p.sku LIMIT 11`, loc.ID, id, pq.Int64Array(ids))
	if err != nil {
		return db.Classify(err)
	}
	if len(taken) == 0 {
		return nil // added by this stocktake already (a count racing another count)
	}
	var what, nums []string
	numbers := map[string]bool{}
	for i, t := range taken {
		if i < 10 {
			what = append(what, t.SKU)
		}
		if !numbers[t.Number] {
			numbers[t.Number] = true
			nums = append(nums, t.Number)
		}
	}
	more := ""
	if len(taken) > 10 {
		more = " and more"
	}
	return fault.Conflictf("%s%s at %s already in open stocktake %s: post or cancel it first (stockctl stocktake post|cancel %s)",
		strings.Join(what, ", "), more, loc.Code, strings.Join(nums, ", "), nums[0])
}

// lineRow is a line as read, before masking and the variance are worked out.
type lineRow struct {
	Line
	ID         int64            `db:"id"`
	RawExpect  decimal.Decimal  `db:"raw_expected"`
	RawOnHand  decimal.Decimal  `db:"raw_on_hand"`
	RawMoved   bool             `db:"raw_moved"`
	RawCost    decimal.Decimal  `db:"raw_cost"`
	RawWhen    *decimal.Decimal `db:"raw_when"`
	PostedQty  *decimal.Decimal `db:"posted_qty"`
	StatusPost bool             `db:"status_posted"`
	Minor      int32            `db:"minor"`
	Elsewhere  bool             `db:"elsewhere"` // a serial counted on another line
}

// lineSQL reads the lines of stocktake $1 with the book quantity now (once posted: at
// posting), whether anything moved since the snapshot, and the unit cost. "Moved" is the
// net change or any move since the snapshot's last move touching the line's product at the
// location with its bay, batch and serial.
const lineSQL = `SELECT l.id, p.sku, p.name, p.stock_uom, y.code AS bay, b.number AS batch, n.serial,
	l.expected AS raw_expected, l.counted, l.on_hand_when_counted AS raw_when, l.counted_at, l.counted_by,
	l.posted_qty, s.status = 'posted' AS status_posted,
	CASE WHEN s.status = 'posted' THEN l.on_hand_at_post ELSE coalesce(q.qty, 0) END AS raw_on_hand,
	CASE WHEN s.status = 'posted' THEN l.moved_at_post
	     ELSE coalesce(q.qty, 0) <> l.expected OR EXISTS (
	       SELECT 1 FROM stock_moves m
	       WHERE m.product_id = l.product_id AND m.id > s.snapshot_move_id
	         AND coalesce(m.batch_id, 0) = coalesce(l.batch_id, 0) AND coalesce(m.serial_id, 0) = coalesce(l.serial_id, 0)
	         AND ((m.from_location_id = l.location_id AND coalesce(m.from_bay_id, 0) = coalesce(l.bay_id, 0))
	           OR (m.to_location_id = l.location_id AND coalesce(m.to_bay_id, 0) = coalesce(l.bay_id, 0))))
	END AS raw_moved,
	CASE WHEN s.status = 'posted' THEN l.unit_cost ELSE product_cost(p.id, p.cost_price) END AS raw_cost,
	coalesce((SELECT minor_units FROM currencies WHERE code = (SELECT value FROM settings WHERE key = 'base_currency')), 2) AS minor,
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
	WHERE l.stocktake_id = $1 AND ($2::bigint[] IS NULL OR l.id = ANY($2))`

const lineOrder = ` ORDER BY p.sku, y.code NULLS FIRST, b.number NULLS FIRST, n.serial NULLS FIRST`

// readLines reads the lines of h (all, or those with the given ids) and works out their
// variances.
func readLines(ctx context.Context, q sqlx.QueryerContext, h header, only ...int64) ([]Line, error) {
	var ids pq.Int64Array
	if len(only) > 0 {
		ids = only
	}
	var rows []lineRow
	if err := sqlx.SelectContext(ctx, q, &rows, lineSQL+lineOrder, h.ID, ids); err != nil {
		return nil, db.Classify(err)
	}
	show := h.revealed()
	lines := make([]Line, 0, len(rows))
	for _, r := range rows {
		l := r.Line
		l.id = r.ID
		var variance *decimal.Decimal
		switch {
		case r.StatusPost:
			variance = r.PostedQty
		case r.Counted != nil:
			v := r.Counted.Sub(*r.RawWhen)
			variance = &v
		case r.Elsewhere:
			// Counted elsewhere at the location: it is not here.
			v := r.RawOnHand.Neg()
			variance = &v
		}
		if show {
			expected, onHand, when := r.RawExpect, r.RawOnHand, r.RawWhen
			net := onHand.Sub(expected)
			moved := r.RawMoved
			cost := r.RawCost
			l.Expected, l.OnHand, l.NetMoves, l.Moved, l.UnitCost, l.OnHandWhenCounted = &expected, &onHand, &net, &moved, &cost, when
			if variance != nil {
				value := variance.Mul(cost).Round(r.Minor)
				l.Variance, l.VarianceValue = variance, &value
			}
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// Get returns a stocktake with its lines (by SKU, bay, batch, serial) and totals. A blind
// stocktake's expected quantities and variances stay hidden until it is closed or posted.
func Get(ctx context.Context, q sqlx.QueryerContext, number string) (Doc, error) {
	h, err := getHeader(ctx, q, number, "")
	if err != nil {
		return Doc{}, err
	}
	return doc(ctx, q, h)
}

func doc(ctx context.Context, q sqlx.QueryerContext, h header) (Doc, error) {
	lines, err := readLines(ctx, q, h)
	if err != nil {
		return Doc{}, err
	}
	d := Doc{Summary: h.Summary, Lines: lines}
	d.LineCount = len(lines)
	moved := 0
	total := decimal.Zero
	for _, l := range lines {
		if l.Counted != nil {
			d.Counted++
		}
		if l.Moved != nil && *l.Moved {
			moved++
		}
		if l.VarianceValue != nil {
			total = total.Add(*l.VarianceValue)
		}
	}
	d.Uncounted = d.LineCount - d.Counted
	if h.revealed() {
		d.Moved, d.VarianceValue = &moved, &total
	}
	return d, nil
}

// Filter narrows List.
type Filter struct {
	Status   string // open, closed, posted, cancelled, or "active" for open and closed
	Location string
}

// List returns stocktakes newest first with their line counts; posted ones with the value
// they posted.
func List(ctx context.Context, q sqlx.QueryerContext, f Filter) ([]Summary, error) {
	switch f.Status {
	case "", Open, Closed, Posted, Cancelled, "active":
	default:
		return nil, fault.Invalidf("status", "unknown status %q: use open, closed, posted, cancelled or active (open and closed)", f.Status)
	}
	var locID *int64
	if f.Location != "" {
		l, err := stock.GetLocation(ctx, q, "location", f.Location)
		if err != nil {
			return nil, err
		}
		locID = &l.ID
	}
	out := []Summary{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT s.number, l.code AS location, s.status, s.blind, s.scope, s.category,
		s.narrative, s.snapshot_at, s.closed_at, s.posted_at, s.zero_uncounted, s.set_counted, s.cancelled_at,
		s.created_at, s.created_by,
		coalesce(t.lines, 0) AS line_count, coalesce(t.counted, 0) AS counted, coalesce(t.lines - t.counted, 0) AS uncounted,
		CASE WHEN s.status = 'posted' THEN coalesce(t.moved, 0) END AS moved,
		CASE WHEN s.status = 'posted' THEN coalesce(t.value, 0) END AS variance_value
		FROM stocktakes s
		JOIN locations l ON l.id = s.location_id
		LEFT JOIN LATERAL (SELECT count(*)::int AS lines, count(x.counted)::int AS counted,
		                          count(*) FILTER (WHERE x.moved_at_post)::int AS moved,
		                          sum(round(x.posted_qty * x.unit_cost, coalesce((SELECT minor_units FROM currencies
		                              WHERE code = (SELECT value FROM settings WHERE key = 'base_currency')), 2))) AS value
		                   FROM stocktake_lines x WHERE x.stocktake_id = s.id) t ON true
		WHERE ($1 = '' OR s.status = $1 OR ($1 = 'active' AND s.status IN ('open', 'closed')))
		  AND ($2::bigint IS NULL OR s.location_id = $2)
		ORDER BY s.id DESC`, f.Status, locID)
	return out, db.Classify(err)
}

// Close ends counting: no more counts are taken, and a blind stocktake shows what was
// expected. Posting does not need it.
func Close(ctx context.Context, q sqlx.ExtContext, number string) (Doc, error) {
	h, err := getHeader(ctx, q, number, "FOR UPDATE")
	if err != nil {
		return Doc{}, err
	}
	if h.Status != Open {
		return Doc{}, stateError(h, "be closed")
	}
	if _, err := q.ExecContext(ctx, `UPDATE stocktakes SET status = 'closed', closed_at = statement_timestamp() WHERE id = $1`, h.ID); err != nil {
		return Doc{}, db.Classify(err)
	}
	return Get(ctx, q, number)
}

// Cancel drops a stocktake that is not posted: its counts are kept for the record but never
// posted, and its products may be counted by another stocktake.
func Cancel(ctx context.Context, q sqlx.ExtContext, number string) (Doc, error) {
	h, err := getHeader(ctx, q, number, "FOR UPDATE")
	if err != nil {
		return Doc{}, err
	}
	if h.Status != Open && h.Status != Closed {
		return Doc{}, stateError(h, "be cancelled")
	}
	if _, err := q.ExecContext(ctx, `UPDATE stocktake_products SET open = false WHERE stocktake_id = $1`, h.ID); err != nil {
		return Doc{}, db.Classify(err)
	}
	if _, err := q.ExecContext(ctx, `UPDATE stocktakes SET status = 'cancelled', cancelled_at = statement_timestamp() WHERE id = $1`, h.ID); err != nil {
		return Doc{}, db.Classify(err)
	}
	return Get(ctx, q, number)
}

// Ready returns a stocktake that is open for counting, or a StateError saying why it is not.
func Ready(ctx context.Context, q sqlx.QueryerContext, number string) (Summary, error) {
	h, err := getHeader(ctx, q, number, "")
	if err != nil {
		return Summary{}, err
	}
	if h.Status != Open {
		return Summary{}, stateError(h, "take counts")
	}
	return h.Summary, nil
}
