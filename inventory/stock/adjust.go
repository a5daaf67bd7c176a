package stock

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/io/csvio"
)

// Adjustment is a change of stock at a location made by hand: found, lost, damaged, opening
// stock. Qty is signed, in the product's stock unit.
type Adjustment struct {
	SKU         string
	Location    string
	Qty         decimal.Decimal
	Reason      string
	GLCode      string           // default: setting gl_adjustment
	UnitCost    *decimal.Decimal // stock coming in; default the average cost, or the cost price with none on hand
	Narrative   string
	Batch       string
	Expiry      *time.Time
	Serials     []string
	SerialStart string // generate the serials of stock coming in from here
	Bay         string
	// Row is the file row the adjustment was read from (0: not from a file), which a ref
	// reused with another file names.
	Row int
}

// AdjustedMove is one ledger move an adjustment posted.
type AdjustedMove struct {
	Move     int64           `json:"move"`
	SKU      string          `json:"sku"`
	Location string          `json:"location"`
	Qty      decimal.Decimal `json:"qty"`
	UnitCost decimal.Decimal `json:"unit_cost"`
	Batch    *string         `json:"batch"`
	Serial   *string         `json:"serial"`
	Bay      *string         `json:"bay"`
	// CostSource says what UnitCost is (CostGiven, CostAverage, CostPrice): stock coming in
	// without a unit cost is valued at the average cost, or at the cost price when the
	// product had no stock on hand.
	CostSource string `json:"cost_source" print:"wide"`
}

// adjustPosting is the result kept with a ref of stock adjust or stock import, which share
// refs (refScope): each keeps what it prints, and the counts stock import prints.
type adjustPosting struct {
	Moves   []AdjustedMove   `json:"moves,omitempty"`   // stock adjust: the moves posted
	Import  csvio.Result     `json:"import"`            // the rows posted, as stock import counts them
	Rejects []csvio.Rejected `json:"rejects,omitempty"` // stock import: its first KeptLines rejected rows
}

// Adjust posts adjustments all-or-nothing in q's transaction. With a ref, the same ref is
// applied once. Given again with the same adjustments (compared as canonical values:
// quantity 5 is 5.00, serials in any order), it posts nothing and returns applied=false
// with the moves the first call posted (nil when they were not kept: a ref posted before
// migration 00016, when nothing could be compared either, or by stock import). Given again
// with other adjustments, it is refused (fault.Conflict) naming the ref and the first
// difference.
func Adjust(ctx context.Context, q sqlx.ExtContext, adjs []Adjustment, ref string) (moves []AdjustedMove, applied bool, err error) {
	return adjustOnce(ctx, q, adjs, ref, func() ([]AdjustedMove, error) { return adjust(ctx, q, adjs) })
}

// AdjustFile posts the adjustments of a file (stock adjust --file) all or nothing, with a
// ref as Adjust does, checking the rows as stock import does: adjs are the rows whose cells
// read (each with its Row; rows[i] is the file row of adjs[i]) and rejects those whose
// cells did not. When any row is bad (its cells, its product, or what posting it would
// break), nothing is posted and the error, invalid, wraps a *csvio.RowsError with every bad row
// and every reason, by file row and column. The rows are posted together first; only when
// that is refused is each posted on its own in a savepoint to find the bad ones.
func AdjustFile(ctx context.Context, q sqlx.ExtContext, adjs []Adjustment, rows []csvio.Row, rejects []csvio.Rejected, ref string) (moves []AdjustedMove, applied bool, err error) {
	if len(rejects) > 0 {
		// Nothing can be posted: find what else is wrong, so every bad row is reported.
		return nil, false, checkRows(ctx, q, adjs, rows, rejects)
	}
	return adjustOnce(ctx, q, adjs, ref, func() ([]AdjustedMove, error) {
		known, knownRows, refused, err := knownProducts(ctx, q, adjs, rows, nil)
		if err != nil {
			return nil, err
		}
		if len(refused) > 0 {
			return nil, checkRows(ctx, q, known, knownRows, refused)
		}
		ms, refused, err := postAdjustments(ctx, q, adjs, rows)
		if err != nil || len(refused) == 0 {
			return ms, err
		}
		return nil, rowsError(refused)
	})
}

// checkRows posts, in savepoints, the rows that can be (their products known) to find every
// other bad row, and returns them all with rejects as a refused file; the caller's
// transaction must be rolled back.
func checkRows(ctx context.Context, q sqlx.ExtContext, adjs []Adjustment, rows []csvio.Row, rejects []csvio.Rejected) error {
	adjs, rows, rejects, err := knownProducts(ctx, q, adjs, rows, rejects)
	if err != nil {
		return err
	}
	_, refused, err := postAdjustments(ctx, q, adjs, rows)
	if err != nil {
		return err
	}
	return rowsError(append(rejects, refused...))
}

func rowsError(rejects []csvio.Rejected) error {
	sortRejects(rejects)
	return csvio.Refuse(rejects, "posted")
}

// adjustOnce is Adjust with the posting given: with a ref, the ref is claimed and the
// request compared first, and post runs only for a fresh ref.
func adjustOnce(ctx context.Context, q sqlx.ExtContext, adjs []Adjustment, ref string, post func() ([]AdjustedMove, error)) (moves []AdjustedMove, applied bool, err error) {
	if ref == "" {
		moves, err = post()
		return moves, err == nil, err
	}
	c, err := claimRef(ctx, q, refScope, ref)
	if err != nil {
		return nil, false, err
	}
	req, err := adjustRequest(ref, c.prior, adjs)
	if err != nil {
		return nil, false, err
	}
	if !c.fresh {
		var kept adjustPosting
		if c.result != nil {
			if err := json.Unmarshal(c.result, &kept); err != nil {
				return nil, false, fmt.Errorf("ref %s: the result kept with it does not read: %w", ref, err)
			}
		}
		return kept.Moves, false, nil
	}
	if moves, err = post(); err != nil {
		return nil, false, err
	}
	kept := adjustPosting{Moves: moves, Import: csvio.Result{Created: int64(len(adjs))}}
	if err := keepRef(ctx, q, refScope, ref, req, len(moves), kept); err != nil {
		return nil, false, err
	}
	return moves, true, nil
}

// arg names one input of the adjustment as its source has it: the flag (--qty) of one given
// on the command line, the column (qty) of a file row.
func (a Adjustment) arg(flag string) string {
	if a.Row == 0 {
		return "--" + flag
	}
	return adjustColumn(flag)
}

// fields are the adjustment in canonical form, as a ref keeps it (the columns of an
// adjustments file, and serial_start).
func (a Adjustment) fields() []Field {
	return []Field{TextField("sku", a.SKU), TextField("location", a.Location), DecField("qty", a.Qty),
		TextField("reason", a.Reason), DecPtrField("unit_cost", a.UnitCost), TextField("gl_code", a.GLCode),
		TextField("narrative", a.Narrative), TextField("batch", a.Batch), DateField("expiry", a.Expiry),
		SetField("serials", a.Serials), TextField("serial_start", a.SerialStart), TextField("bay", a.Bay)}
}

// adjustRequest is the request of adjustments posted under ref, checked against prior.
// Adjustments read from a file are named by their row, others by their number when there
// are several.
func adjustRequest(ref string, prior *Request, adjs []Adjustment) (Request, error) {
	noun := "adjustment"
	if len(adjs) > 0 && adjs[0].Row != 0 {
		noun = "row"
	}
	b, err := NewRequestBuilder(ref, noun, prior)
	if err != nil {
		return Request{}, err
	}
	for i, a := range adjs {
		label := ""
		switch {
		case a.Row != 0:
			label = fmt.Sprintf("row %d", a.Row)
		case len(adjs) > 1:
			label = fmt.Sprintf("adjustment %d", i+1)
		}
		if err := b.Line(label, a.fields()...); err != nil {
			return Request{}, err
		}
	}
	return b.Done()
}

// adjust posts adjustments all-or-nothing in q's transaction.
func adjust(ctx context.Context, q sqlx.ExtContext, adjs []Adjustment) (moves []AdjustedMove, err error) {
	var all []Move
	var from []int // the adjustment each move comes from
	for i, a := range adjs {
		ms, err := adjustmentMoves(ctx, q, a)
		if err != nil {
			if len(adjs) > 1 {
				return nil, fault.Wrap(fault.KindOf(err), err, "adjustment %d (%s at %s)", i+1, a.SKU, a.Location)
			}
			return nil, err
		}
		all = append(all, ms...)
		for range ms {
			from = append(from, i)
		}
	}
	posted, err := Post(ctx, q, all)
	if err != nil {
		if i, ok := FailedMove(err); ok && len(adjs) > 1 {
			a := adjs[from[i]]
			return nil, fault.Wrap(fault.KindOf(err), err, "adjustment %d (%s at %s)", from[i]+1, a.SKU, a.Location)
		}
		return nil, err
	}
	for _, p := range posted {
		m := all[p.Index]
		loc := m.To
		if !loc.Holds() {
			loc = m.From
		}
		qty := p.Qty
		bay := p.ToBay
		if m.From.Holds() {
			qty, bay = qty.Neg(), p.FromBay
		}
		am := AdjustedMove{Move: p.ID, SKU: m.Product.SKU, Location: loc.Code, Qty: qty, UnitCost: p.UnitCost, CostSource: p.CostSource}
		if p.Batch != nil {
			am.Batch = &p.Batch.Number
		}
		if p.Serial != nil {
			am.Serial = &p.Serial.Serial
		}
		if bay != nil {
			am.Bay = &bay.Code
		}
		moves = append(moves, am)
	}
	return moves, nil
}

// adjustmentMoves validates one adjustment and turns it into moves to post.
func adjustmentMoves(ctx context.Context, q sqlx.ExtContext, a Adjustment) ([]Move, error) {
	p, err := catalog.Get(ctx, q, a.SKU)
	if err != nil {
		return nil, err
	}
	if !p.TrackStock {
		return nil, fault.Invalidf("sku", "product %s is not stock-tracked (type %s): it has no stock to adjust", p.SKU, p.Type)
	}
	loc, defaultBay, adjLoc, defaultGL, err := adjustmentPlaces(ctx, q, a.Location, p.ID)
	if err != nil {
		return nil, err
	}
	if a.Qty.IsZero() {
		return nil, fault.Invalidf("qty", "%s: %s 0 changes nothing: give a positive or negative quantity", p.SKU, a.arg("qty"))
	}
	if r, err := catalog.ToStock(ctx, q, p, a.Qty, ""); err != nil {
		return nil, err
	} else if !r.Equal(a.Qty) {
		return nil, fault.Invalidf("qty", "%s: %s has more decimals than its unit %s keeps", p.SKU, a.Qty, p.StockUOM)
	}
	in := a.Qty.IsPositive()
	if !in && a.UnitCost != nil {
		return nil, fault.Invalidf("unit-cost", "%s: %s values stock coming in; stock going out is taken out at the average cost", p.SKU, a.arg("unit-cost"))
	}
	if p.BatchTracked && a.Batch == "" {
		return nil, fault.Invalidf("batch", "product %s is batch-tracked: give %s (and %s for a new batch)", p.SKU, a.arg("batch"), a.arg("expiry"))
	}
	if !p.BatchTracked && (a.Batch != "" || a.Expiry != nil) {
		return nil, fault.Invalidf("batch", "product %s is not batch-tracked: leave out %s and %s", p.SKU, a.arg("batch"), a.arg("expiry"))
	}
	if !p.Serialized && (len(a.Serials) > 0 || a.SerialStart != "") {
		return nil, fault.Invalidf("serial", "product %s is not serialised: leave out %s", p.SKU, a.arg("serial"))
	}
	if a.SerialStart != "" && (!in || len(a.Serials) > 0) {
		return nil, fault.Invalidf("serial-start", "--serial-start makes serials for stock coming in, instead of --serial")
	}
	base := Move{Product: p, Kind: KindAdjustment, GLCode: a.GLCode, Reason: a.Reason, Narrative: a.Narrative, UnitCost: a.UnitCost}
	if base.GLCode == "" {
		base.GLCode = defaultGL
	}
	var bay *Bay
	if a.Bay != "" {
		b, err := GetBay(ctx, q, loc, a.Bay)
		if err != nil {
			return nil, err
		}
		bay = &b
	}
	qty := a.Qty.Abs()
	if in {
		base.From, base.To, base.ToBay = adjLoc, loc, bay
		if bay == nil {
			base.ToBay = defaultBay
		}
	} else {
		base.From, base.To, base.FromBay = loc, adjLoc, bay
	}
	if p.BatchTracked {
		var b Batch
		if in {
			b, err = EnsureBatch(ctx, q, p, a.Batch, a.Expiry)
		} else {
			if a.Expiry != nil {
				return nil, fault.Invalidf("expiry", "%s: %s is for a batch coming in", p.SKU, a.arg("expiry"))
			}
			b, err = FindBatch(ctx, q, p, a.Batch)
		}
		if err != nil {
			return nil, err
		}
		base.Batch = &b
	}
	if !p.Serialized {
		base.Qty = qty
		return []Move{base}, nil
	}
	// One move per serial.
	if !qty.Equal(qty.Truncate(0)) {
		return nil, fault.Invalidf("qty", "%s is serialised: the quantity must be whole, got %s", p.SKU, a.Qty)
	}
	n := int(qty.IntPart())
	names := a.Serials
	if a.SerialStart != "" {
		if names, err = SerialRun(a.SerialStart, n); err != nil {
			return nil, err
		}
	}
	if len(names) != n {
		how := "--serial, or --serial-start for stock coming in"
		if a.Row != 0 {
			how = "in serials"
		}
		return nil, fault.Invalidf("serial", "%s is serialised: give %d serial numbers (%s), got %d", p.SKU, n, how, len(names))
	}
	var serials []Serial
	if in {
		serials, err = EnsureSerials(ctx, q, p, names)
	} else {
		serials, err = FindSerials(ctx, q, p, names)
	}
	if err != nil {
		return nil, err
	}
	moves := make([]Move, n)
	for i := range serials {
		m := base
		m.Qty = decimal.NewFromInt(1)
		s := serials[i]
		m.Serial = &s
		moves[i] = m
	}
	return moves, nil
}

// DefaultBay returns the product's default bay at a location, or nil.
func DefaultBay(ctx context.Context, q sqlx.QueryerContext, productID int64, l Location) (*Bay, error) {
	var bays []Bay
	err := sqlx.SelectContext(ctx, q, &bays, `SELECT y.id, $3::text AS location, y.code, y.name FROM stock_levels s
		JOIN bays y ON y.id = s.default_bay_id WHERE s.product_id = $1 AND s.location_id = $2`, productID, l.ID, l.Code)
	if err != nil || len(bays) == 0 {
		return nil, db.Classify(err)
	}
	return &bays[0], nil
}

// adjustmentPlaces returns, in one query (an adjustment is the most frequent posting, so
// each statement saved counts; docs/performance.md): the internal location code names, as
// GetLocation does; the product's default bay there (nil when none is set); the virtual
// adjustment location; and the default GL code of adjustments.
func adjustmentPlaces(ctx context.Context, q sqlx.QueryerContext, code string, productID int64) (loc Location, bay *Bay, side Location, gl string, err error) {
	var r struct {
		Location
		BayID    *int64  `db:"bay_id"`
		BayCode  *string `db:"bay_code"`
		BayName  *string `db:"bay_name"`
		SideID   int64   `db:"side_id"`
		SideCode string  `db:"side_code"`
		SideName string  `db:"side_name"`
		GL       *string `db:"gl"`
	}
	err = sqlx.GetContext(ctx, q, &r, `SELECT l.id, l.code, l.name, l.kind, l.region, l.address, l.active,
		l.created_at, l.created_by, y.id AS bay_id, y.code AS bay_code, y.name AS bay_name,
		v.id AS side_id, v.code AS side_code, v.name AS side_name,
		(SELECT value FROM settings WHERE key = 'gl_adjustment') AS gl
		FROM locations l
		CROSS JOIN LATERAL (SELECT id, code, name FROM locations WHERE kind = $3 ORDER BY id LIMIT 1) v
		LEFT JOIN stock_levels s ON s.product_id = $2 AND s.location_id = l.id
		LEFT JOIN bays y ON y.id = s.default_bay_id
		WHERE l.code = $1 AND l.kind = 'internal'`, code, productID, AdjustmentSide)
	if errors.Is(err, sql.ErrNoRows) {
		return loc, nil, side, "", fault.Unknownf("location", "unknown location %q: see stockctl location list, or add it with stockctl location add %s --name N", code, code)
	}
	if err != nil {
		return loc, nil, side, "", db.Classify(err)
	}
	if r.GL == nil {
		return loc, nil, side, "", fault.Invalidf("gl_adjustment", "setting gl_adjustment is missing: set it with stockctl settings set gl_adjustment CODE")
	}
	side = Location{ID: r.SideID, Code: r.SideCode, Name: r.SideName, Kind: AdjustmentSide, Active: true}
	if r.BayID != nil {
		bay = &Bay{ID: *r.BayID, Location: r.Code, Code: *r.BayCode, Name: *r.BayName}
	}
	return r.Location, bay, side, *r.GL, nil
}
