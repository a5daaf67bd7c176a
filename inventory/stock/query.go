package stock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// The quantity on open purchase orders (on order) and on sales order lines that could not be
// allocated and are still wanted (backordered), for the product and location of a row, as
// SQL expressions over k.product_id and k.location_id. There are no order tables yet, so
// both are 0; the purchasing and sales order work replaces them with sums over their lines
// (e.g. coalesce((SELECT sum(l.qty - l.received_qty) FROM po_lines l ... WHERE
// l.product_id = k.product_id AND ... = k.location_id), 0)), and stock show, stock list and
// stock list --below-min follow without further change.
const (
	onOrderSQL = `coalesce((SELECT sum(greatest(l.qty - l.received_qty, 0)) FROM purchase_orders o
		JOIN po_lines l ON l.po_id = o.id
		WHERE o.status IN ('ordered', 'partially_received') AND o.location_id = k.location_id
		  AND l.product_id = k.product_id), 0)`
	backorderedSQL = `coalesce((SELECT sum(l.backordered) FROM so_lines l JOIN sales_orders o ON o.id = l.so_id
		WHERE l.backordered > 0 AND l.product_id = k.product_id AND o.location_id = k.location_id), 0)`
)

// LocationStock is a product's stock at one internal location. Expired is the part of on
// hand in batches past their expiry (TodaySQL); available = on hand − allocated − expired,
// below 0 when more is allocated than the unexpired stock (allocated before a batch expired).
type LocationStock struct {
	Location    string           `db:"location" json:"location"`
	OnHand      decimal.Decimal  `db:"on_hand" json:"on_hand"`
	Allocated   decimal.Decimal  `db:"allocated" json:"allocated"`
	Available   decimal.Decimal  `db:"available" json:"available"`
	OnOrder     decimal.Decimal  `db:"on_order" json:"on_order"`
	Backordered decimal.Decimal  `db:"backordered" json:"backordered"`
	Min         *decimal.Decimal `db:"min_qty" json:"min"`
	Max         *decimal.Decimal `db:"max_qty" json:"max"`
	DefaultBay  *string          `db:"default_bay" json:"default_bay"`
	Expired     decimal.Decimal  `db:"expired" json:"expired"` // last, so scripts reading columns by position keep working
}

// BatchStock is the quantity of one batch in one bay (or none) of a holding location.
type BatchStock struct {
	Batch    string          `db:"batch" json:"batch"`
	Expiry   *time.Time      `db:"expiry" json:"expiry" print:"date"`
	Location string          `db:"location" json:"location"`
	Bay      *string         `db:"bay" json:"bay"`
	Qty      decimal.Decimal `db:"qty" json:"qty"`
	Expired  bool            `db:"expired" json:"expired"`
}

// SerialStock is where one serialised unit in stock is.
type SerialStock struct {
	Serial   string  `db:"serial" json:"serial"`
	Location string  `db:"location" json:"location"`
	Bay      *string `db:"bay" json:"bay"`
}

// Summary is a product's stock in total: on hand, allocated, expired (in batches past their
// expiry) and available (on hand − allocated − expired) over the internal locations, what is
// in transit between them, the moving-average unit cost (exact) and the stock value (on hand
// in every holding location, in transit included, times the average cost), money rounded
// half away from zero to the base currency's minor unit.
type Summary struct {
	SKU          string          `db:"sku" json:"sku"`
	Name         string          `db:"name" json:"name"`
	StockUOM     string          `db:"stock_uom" json:"stock_uom"`
	Serialized   bool            `db:"serialized" json:"serialized"`
	BatchTracked bool            `db:"batch_tracked" json:"batch_tracked"`
	OnHand       decimal.Decimal `db:"on_hand" json:"on_hand"`
	Allocated    decimal.Decimal `db:"allocated" json:"allocated"`
	Expired      decimal.Decimal `db:"expired" json:"expired"`
	Available    decimal.Decimal `db:"available" json:"available"`
	InTransit    decimal.Decimal `db:"in_transit" json:"in_transit"`
	AvgCost      decimal.Decimal `db:"avg_cost" json:"avg_cost"`
	StockValue   decimal.Decimal `db:"stock_value" json:"stock_value"`
}

// Detail is a product's inventory details, for stock show.
type Detail struct {
	Summary
	Locations []LocationStock `json:"locations"`
	Batches   []BatchStock    `json:"batches"`
	Serials   []SerialStock   `json:"serials"`
}

// Show returns a stock-tracked product's inventory details: the summary, one row per
// internal location that has a balance or stock levels, the batches and serials in stock
// in holding locations (transit included). The lists are empty, never nil.
func Show(ctx context.Context, q sqlx.QueryerContext, sku string) (Detail, error) {
	p, err := trackedProduct(ctx, q, sku)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Summary: Summary{SKU: p.SKU, Name: p.Name, StockUOM: p.StockUOM, Serialized: p.Serialized, BatchTracked: p.BatchTracked},
		Locations: []LocationStock{}, Batches: []BatchStock{}, Serials: []SerialStock{}}
	var minor int32
	err = q.QueryRowxContext(ctx, `SELECT
		coalesce(sum(b.on_hand) FILTER (WHERE l.kind = 'internal'), 0),
		coalesce(sum(b.allocated) FILTER (WHERE l.kind = 'internal'), 0),
		coalesce(sum(b.on_hand) FILTER (WHERE l.kind = 'transit'), 0),
		coalesce((SELECT avg_cost FROM product_costs WHERE product_id = $1), 0),
		(SELECT c.minor_units FROM settings s JOIN currencies c ON c.code = s.value WHERE s.key = 'base_currency'),
		coalesce(sum(`+ExpiredSQL("b.product_id", "b.location_id")+`) FILTER (WHERE l.kind = 'internal'), 0)
		FROM stock_balances b JOIN locations l ON l.id = b.location_id
		WHERE b.product_id = $1`, p.ID).Scan(&d.OnHand, &d.Allocated, &d.InTransit, &d.AvgCost, &minor, &d.Expired)
	if err != nil {
		return d, db.Classify(err)
	}
	d.Available = d.OnHand.Sub(d.Allocated).Sub(d.Expired)
	d.StockValue = currency.Round(d.OnHand.Add(d.InTransit).Mul(d.AvgCost), minor)

	err = sqlx.SelectContext(ctx, q, &d.Locations, `SELECT l.code AS location,
		coalesce(b.on_hand, 0) AS on_hand, coalesce(b.allocated, 0) AS allocated, e.qty AS expired,
		coalesce(b.on_hand - b.allocated, 0) - e.qty AS available,
		`+onOrderSQL+` AS on_order, `+backorderedSQL+` AS backordered,
		s.min_qty, s.max_qty, y.code AS default_bay
		FROM (SELECT product_id, location_id FROM stock_balances WHERE product_id = $1
		      UNION SELECT product_id, location_id FROM stock_levels WHERE product_id = $1) k
		JOIN locations l ON l.id = k.location_id AND l.kind = 'internal'
		LEFT JOIN stock_balances b ON b.product_id = k.product_id AND b.location_id = k.location_id
		LEFT JOIN stock_levels s ON s.product_id = k.product_id AND s.location_id = k.location_id
		LEFT JOIN bays y ON y.id = s.default_bay_id
		CROSS JOIN LATERAL (SELECT `+ExpiredSQL("k.product_id", "k.location_id")+` AS qty) e
		ORDER BY l.code`, p.ID)
	if err != nil {
		return d, db.Classify(err)
	}
	err = sqlx.SelectContext(ctx, q, &d.Batches, `SELECT b.number AS batch, b.expiry, l.code AS location,
		y.code AS bay, q.qty, coalesce(b.expiry < `+TodaySQL+`, false) AS expired
		FROM stock_quants q
		JOIN batches b ON b.id = q.batch_id
		JOIN locations l ON l.id = q.location_id AND l.kind IN ('internal', 'transit')
		LEFT JOIN bays y ON y.id = q.bay_id
		WHERE q.product_id = $1 AND q.batch_id IS NOT NULL AND q.qty <> 0
		ORDER BY b.expiry NULLS LAST, b.number, l.code, y.code NULLS FIRST`, p.ID)
	if err != nil {
		return d, db.Classify(err)
	}
	err = sqlx.SelectContext(ctx, q, &d.Serials, `SELECT n.serial, l.code AS location, y.code AS bay
		FROM stock_quants q
		JOIN serials n ON n.id = q.serial_id
		JOIN locations l ON l.id = q.location_id AND l.kind IN ('internal', 'transit')
		LEFT JOIN bays y ON y.id = q.bay_id
		WHERE q.product_id = $1 AND q.serial_id IS NOT NULL AND q.qty > 0
		ORDER BY n.serial`, p.ID)
	return d, db.Classify(err)
}

func trackedProduct(ctx context.Context, q sqlx.QueryerContext, sku string) (catalog.Product, error) {
	p, err := catalog.Get(ctx, q, sku)
	if err == nil && !p.TrackStock {
		err = fault.Invalidf("sku", "product %s is not stock-tracked (type %s): it has no stock", p.SKU, p.Type)
	}
	return p, err
}

// ListFilter narrows List. Empty fields do not filter; Limit 0 means all rows.
type ListFilter struct {
	Location string
	SKU      string
	BelowMin bool // only rows whose available + on order is below the minimum
	Limit    int
}

// StockRow is one product at one internal location, for stock list.
type StockRow struct {
	SKU        string           `db:"sku" json:"sku"`
	Name       string           `db:"name" json:"name" print:"wide"`
	Location   string           `db:"location" json:"location"`
	OnHand     decimal.Decimal  `db:"on_hand" json:"on_hand"`
	Allocated  decimal.Decimal  `db:"allocated" json:"allocated"`
	Available  decimal.Decimal  `db:"available" json:"available"`
	OnOrder    decimal.Decimal  `db:"on_order" json:"on_order"`
	Min        *decimal.Decimal `db:"min_qty" json:"min"`
	Max        *decimal.Decimal `db:"max_qty" json:"max"`
	DefaultBay *string          `db:"default_bay" json:"default_bay" print:"wide"`
}

// args numbers the parameters of a query built from fixed fragments.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// List returns one row per product and internal location that has a balance or stock
// levels, by SKU and location. With BelowMin only rows with a minimum whose available plus
// on order is below it are kept: what needs reordering. It is one statement. For one SKU
// or with a limit it walks the products in SKU order (their SKU index) and looks up each
// one's rows by the balances' and levels' primary keys, so a first page of a million
// products costs a few index lookups; the whole list is read set-wise with hash joins (a
// location through the balances' location index).
func List(ctx context.Context, q sqlx.QueryerContext, f ListFilter) ([]StockRow, error) {
	if f.Limit < 0 {
		return nil, fault.Invalidf("limit", "--limit %d: give 0 (all) or more", f.Limit)
	}
	var a args
	var product, location string // parameters, when filtered
	if f.SKU != "" {
		p, err := catalog.Get(ctx, q, f.SKU)
		if err != nil {
			return nil, err
		}
		product = a.add(p.ID)
	}
	if f.Location != "" {
		l, err := GetLocation(ctx, q, "location", f.Location)
		if err != nil {
			return nil, err
		}
		location = a.add(l.ID)
	}
	// keys reads the (product, location) rows with their balance and levels; prod restricts
	// them to one product (a parameter or the outer query's p.id), or is "".
	keys := func(prod string) string {
		var bc, sc string
		if prod != "" {
			bc, sc = ` AND b.product_id = `+prod, ` AND s.product_id = `+prod
		}
		if location != "" {
			bc, sc = bc+` AND b.location_id = `+location, sc+` AND s.location_id = `+location
		}
		if f.BelowMin {
			// Only rows with a minimum can be below it: start from the levels.
			return `SELECT s.product_id, s.location_id, coalesce(b.on_hand, 0) AS on_hand,
				coalesce(b.allocated, 0) AS allocated, s.min_qty, s.max_qty, s.default_bay_id
				FROM stock_levels s
				LEFT JOIN stock_balances b ON b.product_id = s.product_id AND b.location_id = s.location_id
				WHERE s.min_qty IS NOT NULL` + sc
		}
		return `SELECT b.product_id, b.location_id, b.on_hand, b.allocated, s.min_qty, s.max_qty, s.default_bay_id
			FROM stock_balances b
			LEFT JOIN stock_levels s ON s.product_id = b.product_id AND s.location_id = b.location_id
			WHERE true` + bc + `
			UNION ALL
			SELECT s.product_id, s.location_id, 0, 0, s.min_qty, s.max_qty, s.default_bay_id
			FROM stock_levels s
			WHERE NOT EXISTS (SELECT 1 FROM stock_balances b
			                  WHERE b.product_id = s.product_id AND b.location_id = s.location_id)` + sc
	}
	withQty := func(keys string) string {
		return `(SELECT k.*, k.on_hand - k.allocated AS available, ` + onOrderSQL + ` AS on_order FROM (` + keys + `) k) k`
	}
	var from string
	var where []string
	if f.SKU != "" || f.Limit > 0 {
		// One product, or the first rows: walk the products in SKU order and look up each
		// one's rows by the balances' and levels' primary keys, stopping at the limit.
		from = `products p CROSS JOIN LATERAL ` + withQty(keys(`p.id`))
		if product != "" {
			where = append(where, `p.id = `+product)
		}
	} else {
		// The whole list: read the balances and levels set-wise and join the products.
		from = withQty(keys(product)) + ` JOIN products p ON p.id = k.product_id`
	}
	query := `SELECT p.sku, p.name, l.code AS location, k.on_hand, k.allocated, k.available, k.on_order,
		k.min_qty, k.max_qty, y.code AS default_bay
		FROM ` + from + `
		JOIN locations l ON l.id = k.location_id AND l.kind = 'internal'
		LEFT JOIN bays y ON y.id = k.default_bay_id`
	if f.BelowMin {
		where = append(where, `k.available + k.on_order < k.min_qty`)
	}
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY p.sku, l.code`
	if f.Limit > 0 {
		query += ` LIMIT ` + a.add(f.Limit)
	}
	rows := []StockRow{}
	err := sqlx.SelectContext(ctx, q, &rows, query, a...)
	return rows, db.Classify(err)
}

// MoveFilter narrows Moves. Empty fields do not filter; Limit 0 means every move.
type MoveFilter struct {
	SKU       string
	Location  string     // moves from or to it; virtual locations (~customer ...) may be named too
	Since     *time.Time // moves at or after this time
	Kind      string
	Reference string
	Limit     int
}

// MoveRow is one move of the ledger as people read it.
type MoveRow struct {
	ID        int64           `db:"id" json:"id"`
	Time      time.Time       `db:"created_at" json:"time"`
	SKU       string          `db:"sku" json:"sku"`
	Qty       decimal.Decimal `db:"qty" json:"qty"`
	From      string          `db:"from_location" json:"from"`
	To        string          `db:"to_location" json:"to"`
	Batch     *string         `db:"batch" json:"batch"`
	Serial    *string         `db:"serial" json:"serial"`
	FromBay   *string         `db:"from_bay" json:"from_bay" print:"wide"`
	ToBay     *string         `db:"to_bay" json:"to_bay" print:"wide"`
	UnitCost  decimal.Decimal `db:"unit_cost" json:"unit_cost" print:"wide"`
	Kind      string          `db:"kind" json:"kind"`
	Reference string          `db:"reference" json:"reference"`
	GLCode    string          `db:"gl_code" json:"gl_code" print:"wide"`
	Reason    string          `db:"reason" json:"reason" print:"wide"`
	Narrative string          `db:"narrative" json:"narrative" print:"wide"`
	Actor     string          `db:"actor" json:"actor" print:"wide"`
}

// selectMoves reads moves whose ids come from the subquery i, joined to their names.
const selectMoves = `SELECT m.id, m.created_at, p.sku, m.qty, fl.code AS from_location, tl.code AS to_location,
	b.number AS batch, n.serial, fb.code AS from_bay, tb.code AS to_bay, m.unit_cost, m.kind, m.reference,
	m.gl_code, m.reason, m.narrative, m.actor
	FROM stock_moves m
	JOIN products p ON p.id = m.product_id
	JOIN locations fl ON fl.id = m.from_location_id
	JOIN locations tl ON tl.id = m.to_location_id
	LEFT JOIN batches b ON b.id = m.batch_id
	LEFT JOIN serials n ON n.id = m.serial_id
	LEFT JOIN bays fb ON fb.id = m.from_bay_id
	LEFT JOIN bays tb ON tb.id = m.to_bay_id`

// Moves returns moves of the ledger, newest first. The ids are picked first by a subquery
// that walks one index backwards and stops at the limit: (product_id, id) for a SKU (with or
// without a location), (from_location_id, id) and (to_location_id, id) merged for a
// location; without either the planner picks the reference index, the created_at index or
// the primary key. Only the picked moves are joined to their names.
func Moves(ctx context.Context, q sqlx.QueryerContext, f MoveFilter) ([]MoveRow, error) {
	if f.Limit < 0 {
		return nil, fault.Invalidf("limit", "--limit %d: give 0 (all) or more", f.Limit)
	}
	var a args
	var productID, locationID *int64
	if f.SKU != "" {
		p, err := catalog.Get(ctx, q, f.SKU)
		if err != nil {
			return nil, err
		}
		productID = &p.ID
	}
	if f.Location != "" {
		var id int64
		err := sqlx.GetContext(ctx, q, &id, `SELECT id FROM locations WHERE code = $1`, f.Location)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fault.Unknownf("location", "unknown location %q: see stockctl location list", f.Location)
		}
		if err != nil {
			return nil, db.Classify(err)
		}
		locationID = &id
	}
	var conds []string
	if f.Since != nil {
		conds = append(conds, `m.created_at >= `+a.add(*f.Since))
	}
	if f.Kind != "" {
		conds = append(conds, `m.kind = `+a.add(f.Kind))
	}
	if f.Reference != "" {
		// The reference index is partial (reference <> ''); saying so lets the planner use it.
		conds = append(conds, `m.reference = `+a.add(f.Reference)+` AND m.reference <> ''`)
	}
	limit := ""
	if f.Limit > 0 {
		limit = ` LIMIT ` + a.add(f.Limit)
	}
	where := func(extra ...string) string {
		all := append(append([]string(nil), conds...), extra...)
		if len(all) == 0 {
			return ""
		}
		return ` WHERE ` + strings.Join(all, ` AND `)
	}
	// walk reads the ids matching cond newest first from the (column, id) index of cond's
	// column alone (an index-only scan), then looks each move up by id for the other
	// filters, until the limit. Filters merged into the walk could make the planner prefer
	// the primary key (or a merge join along it), betting on the filters being common, and
	// a rare --kind or --since would turn that into a scan of the whole ledger; this way the
	// walk is bounded by the product's or location's own moves. OFFSET 0 keeps each
	// subquery from being merged into the other.
	walk := func(cond string, extra ...string) string {
		if w := where(extra...); w != "" {
			return `SELECT w.id FROM (SELECT id FROM stock_moves WHERE ` + cond + ` ORDER BY id DESC OFFSET 0) w
				CROSS JOIN LATERAL (SELECT 1 FROM stock_moves m` + w + ` AND m.id = w.id OFFSET 0) f
				ORDER BY w.id DESC` + limit
		}
		return `SELECT id FROM stock_moves WHERE ` + cond + ` ORDER BY id DESC` + limit
	}
	var ids string
	switch {
	case productID != nil && locationID != nil:
		n := a.add(*locationID)
		ids = walk(`product_id = `+a.add(*productID), `(m.from_location_id = `+n+` OR m.to_location_id = `+n+`)`)
	case productID != nil:
		ids = walk(`product_id = ` + a.add(*productID))
	case locationID != nil:
		// Two walks merged; a move within the location (bay to bay) is taken once, from the first.
		n := a.add(*locationID)
		ids = `SELECT id FROM ((` + walk(`from_location_id = `+n) + `) UNION ALL (` +
			walk(`to_location_id = `+n, `m.from_location_id <> `+n) + `)) u ORDER BY id DESC` + limit
	default:
		ids = `SELECT m.id FROM stock_moves m` + where() + ` ORDER BY m.id DESC` + limit
	}
	rows := []MoveRow{}
	err := sqlx.SelectContext(ctx, q, &rows, `WITH i AS (`+ids+`) `+
		strings.Replace(selectMoves, `FROM stock_moves m`, `FROM i JOIN stock_moves m ON m.id = i.id`, 1)+
		` ORDER BY m.id DESC`, a...)
	return rows, db.Classify(err)
}

// BatchRow is one batch of a product with its stock at one holding location; a batch with
// no stock anywhere has one row with no location and 0 on hand. DaysLeft is the days from
// today (TodaySQL) to the expiry, negative once it has passed; Expired says the expiry is
// before today (a batch expiring today is still good).
type BatchRow struct {
	SKU         string          `db:"sku" json:"sku"`
	Batch       string          `db:"batch" json:"batch"`
	Expiry      *time.Time      `db:"expiry" json:"expiry" print:"date"`
	DaysLeft    *int            `db:"days_left" json:"days_left"`
	Expired     bool            `db:"expired" json:"expired"`
	Location    *string         `db:"location" json:"location"`
	OnHand      decimal.Decimal `db:"on_hand" json:"on_hand"`
	Description string          `db:"description" json:"description" print:"wide"`
	CreatedAt   time.Time       `db:"created_at" json:"created_at" print:"wide"`
}

// BatchFilter narrows ListBatches. Empty fields do not filter.
type BatchFilter struct {
	SKU string // one batch-tracked product
	// Expiring keeps the stock (on hand, at a holding location) of batches that expire within
	// that many days from today, or have expired: what to sell first, or pull.
	Expiring *int
}

// Batches lists a batch-tracked product's batches (ListBatches for one SKU).
func Batches(ctx context.Context, q sqlx.QueryerContext, sku string) ([]BatchRow, error) {
	return ListBatches(ctx, q, BatchFilter{SKU: sku})
}

// ListBatches lists batches, first expiry first (then SKU, number and location), with the
// quantity on hand per holding location (bays summed; in transit included). One statement.
func ListBatches(ctx context.Context, q sqlx.QueryerContext, f BatchFilter) ([]BatchRow, error) {
	var productID *int64
	if f.SKU != "" {
		p, err := catalog.Get(ctx, q, f.SKU)
		if err != nil {
			return nil, err
		}
		if !p.BatchTracked {
			return nil, fault.Invalidf("sku", "product %s is not batch-tracked: it has no batches", p.SKU)
		}
		productID = &p.ID
	}
	if f.Expiring != nil && *f.Expiring < 0 {
		return nil, fault.Invalidf("expiring", "--expiring %d: give 0 (expired or expiring today) or more days", *f.Expiring)
	}
	rows := []BatchRow{}
	err := sqlx.SelectContext(ctx, q, &rows, `WITH d AS (SELECT `+TodaySQL+` AS today)
		SELECT p.sku, b.number AS batch, b.expiry, b.expiry - d.today AS days_left,
		coalesce(b.expiry < d.today, false) AS expired, l.code AS location,
		coalesce(s.qty, 0) AS on_hand, b.description, b.created_at
		FROM batches b CROSS JOIN d
		JOIN products p ON p.id = b.product_id
		LEFT JOIN (SELECT q.batch_id, q.location_id, sum(q.qty) AS qty FROM stock_quants q
		           JOIN locations l ON l.id = q.location_id AND l.kind IN ('internal', 'transit')
		           WHERE q.batch_id IS NOT NULL AND ($1::bigint IS NULL OR q.product_id = $1)
		           GROUP BY 1, 2 HAVING sum(q.qty) <> 0) s ON s.batch_id = b.id
		LEFT JOIN locations l ON l.id = s.location_id
		WHERE ($1::bigint IS NULL OR b.product_id = $1)
		  AND ($2::int IS NULL OR (s.qty > 0 AND b.expiry <= d.today + $2::int))
		ORDER BY b.expiry NULLS LAST, p.sku, b.number, l.code`, productID, f.Expiring)
	return rows, db.Classify(err)
}

// Serial states in SerialRow.Status.
const (
	SerialInStock   = "in_stock"   // at an internal location
	SerialInTransit = "in_transit" // dispatched, not yet received
	SerialGone      = "gone"       // moved out of stock (sold, scrapped ...): see the last move
	SerialNew       = "new"        // recorded but never moved
)

// SerialRow is one serial number of a product: where it is now, or that it is gone, with
// the last move that touched it.
type SerialRow struct {
	Serial        string     `db:"serial" json:"serial"`
	Status        string     `db:"status" json:"status"`
	Location      *string    `db:"location" json:"location"`
	Bay           *string    `db:"bay" json:"bay"`
	LastMove      *int64     `db:"last_move" json:"last_move"`
	LastMovedAt   *time.Time `db:"last_moved_at" json:"last_moved_at"`
	LastKind      *string    `db:"last_kind" json:"last_kind"`
	LastFrom      *string    `db:"last_from" json:"last_from" print:"wide"`
	LastTo        *string    `db:"last_to" json:"last_to"`
	LastReference *string    `db:"last_reference" json:"last_reference" print:"wide"`
}

// Serials lists a serialised product's serial numbers: where each is (location and bay), or
// gone, and the last move of each.
func Serials(ctx context.Context, q sqlx.QueryerContext, sku string) ([]SerialRow, error) {
	p, err := catalog.Get(ctx, q, sku)
	if err != nil {
		return nil, err
	}
	if !p.Serialized {
		return nil, fault.Invalidf("sku", "product %s is not serialised: it has no serial numbers", p.SKU)
	}
	rows := []SerialRow{}
	err = sqlx.SelectContext(ctx, q, &rows, `SELECT s.serial,
		CASE WHEN l.kind = 'transit' THEN 'in_transit' WHEN l.id IS NOT NULL THEN 'in_stock'
		     WHEN lm.id IS NOT NULL THEN 'gone' ELSE 'new' END AS status,
		l.code AS location, y.code AS bay, lm.id AS last_move, lm.created_at AS last_moved_at,
		lm.kind AS last_kind, lf.code AS last_from, lt.code AS last_to, lm.reference AS last_reference
		FROM serials s
		LEFT JOIN LATERAL (SELECT q.location_id, q.bay_id FROM stock_quants q
		                   WHERE q.serial_id = s.id AND q.qty > 0 ORDER BY q.location_id LIMIT 1) q ON true
		LEFT JOIN locations l ON l.id = q.location_id
		LEFT JOIN bays y ON y.id = q.bay_id
		LEFT JOIN LATERAL (SELECT m.id, m.created_at, m.kind, m.from_location_id, m.to_location_id, m.reference
		                   FROM stock_moves m WHERE m.serial_id = s.id ORDER BY m.id DESC LIMIT 1) lm ON true
		LEFT JOIN locations lf ON lf.id = lm.from_location_id
		LEFT JOIN locations lt ON lt.id = lm.to_location_id
		WHERE s.product_id = $1
		ORDER BY s.serial`, p.ID)
	return rows, db.Classify(err)
}

// Trace returns every move of one serialised unit, oldest first.
func Trace(ctx context.Context, q sqlx.QueryerContext, sku, serial string) ([]MoveRow, error) {
	p, err := catalog.Get(ctx, q, sku)
	if err != nil {
		return nil, err
	}
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `SELECT id FROM serials WHERE product_id = $1 AND serial = $2`, p.ID, serial)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFoundf("product %s has no serial number %s (see stockctl serial list %s)", p.SKU, serial, p.SKU)
	}
	if err != nil {
		return nil, db.Classify(err)
	}
	rows := []MoveRow{}
	err = sqlx.SelectContext(ctx, q, &rows, selectMoves+` WHERE m.serial_id = $1 ORDER BY m.id`, id)
	return rows, db.Classify(err)
}

// BatchPlace is where stock of a batch is now: a holding location (in transit included)
// and bay.
type BatchPlace struct {
	Location string          `db:"location" json:"location"`
	Bay      *string         `db:"bay" json:"bay"`
	Qty      decimal.Decimal `db:"qty" json:"qty"`
}

// BatchHistory is a batch with every move of it, oldest first, and where its stock is now.
type BatchHistory struct {
	SKU   string
	Batch Batch
	Moves []MoveRow
	Now   []BatchPlace
}

// TraceBatch returns the history of one batch of a batch-tracked product: its moves in
// ledger order (through stock_moves_batch, migration 00024) and its quantities now per
// holding location and bay. Reads only the stock tables; orders/recall adds the documents.
func TraceBatch(ctx context.Context, q sqlx.QueryerContext, sku, batch string) (BatchHistory, error) {
	p, err := catalog.Get(ctx, q, sku)
	if err != nil {
		return BatchHistory{}, err
	}
	if !p.BatchTracked {
		return BatchHistory{}, fault.Invalidf("sku", "product %s is not batch-tracked: it has no batches to trace", p.SKU)
	}
	b, err := FindBatch(ctx, q, p, batch)
	if err != nil {
		return BatchHistory{}, err
	}
	h := BatchHistory{SKU: p.SKU, Batch: b, Moves: []MoveRow{}, Now: []BatchPlace{}}
	if err := sqlx.SelectContext(ctx, q, &h.Moves, selectMoves+` WHERE m.batch_id = $1 ORDER BY m.id`, b.ID); err != nil {
		return h, db.Classify(err)
	}
	err = sqlx.SelectContext(ctx, q, &h.Now, `SELECT l.code AS location, y.code AS bay, q.qty
		FROM stock_quants q JOIN locations l ON l.id = q.location_id AND l.kind IN ('internal', 'transit')
		LEFT JOIN bays y ON y.id = q.bay_id
		WHERE q.batch_id = $1 AND q.qty <> 0
		ORDER BY l.code, y.code NULLS FIRST`, b.ID)
	return h, db.Classify(err)
}
