// Package work builds products from their bills of materials: work orders (WO-000001 ...),
// made by hand or generated from backordered sales order lines, and their completion, which
// consumes the components, produces the product and allocates it to the line that asked.
//
// Stock only moves through stock.Post: components go from the work order's location to the
// virtual location ~production (kind wo_consume), the product comes back from ~production
// (kind wo_produce) valued at what its components cost. Completion takes the posting locks of
// the product and its components (stock.Lock, product id order, the order stock.Post and the
// sales package use) before the work order row and the sales order line, so completing,
// confirming, releasing and shipping never deadlock. Functions take ctx, then the database
// handle (a transaction when they write); the caller owns the transaction (db.InTx).
package work

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/numbering"
	"github.com/stockctl/stockctl/business/uom"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// Work order statuses.
const (
	Open               = "open"
	PartiallyCompleted = "partially_completed"
	Completed          = "completed"
	Cancelled          = "cancelled"
)

// Statuses lists the work order statuses in their life-cycle order.
var Statuses = []string{Open, PartiallyCompleted, Completed, Cancelled}

// Ledger kinds of the moves a completion posts.
const (
	KindConsume = "wo_consume" // components from the location to ~production
	KindProduce = "wo_produce" // the product from ~production to the location
)

// costScale is how many decimals the unit cost of a produced unit keeps (as stock.Post's
// average cost).
const costScale = 6

// generateLock is the transaction-level advisory lock wo generate takes, so two runs at once
// cannot both see a backorder as uncovered and build it twice.
const generateLock int64 = 727_0601

// Order is a work order.
type Order struct {
	ID           int64           `db:"id" json:"-"`
	Number       string          `db:"number" json:"number"`
	ProductID    int64           `db:"product_id" json:"-"`
	SKU          string          `db:"sku" json:"sku"`
	Name         string          `db:"name" json:"name"`
	Unit         string          `db:"unit" json:"unit" print:"wide"`
	LocationID   int64           `db:"location_id" json:"-"`
	Location     string          `db:"location" json:"location"`
	Qty          decimal.Decimal `db:"qty" json:"qty"`
	CompletedQty decimal.Decimal `db:"completed_qty" json:"completed_qty"`
	Remaining    decimal.Decimal `db:"remaining" json:"remaining"`
	Status       string          `db:"status" json:"status"`
	SOLineID     *int64          `db:"so_line_id" json:"-"`
	SO           *string         `db:"so" json:"so"`
	SOLine       *int            `db:"so_line" json:"so_line"`
	ProducedCost decimal.Decimal `db:"produced_cost" json:"produced_cost"`
	// Configuration is the options the work order builds with ("Top=Oak (+180.00)"), from its
	// sales order line or wo new --choose; OptionIDs are those options.
	Configuration string        `db:"configuration" json:"configuration" print:"wide"`
	OptionIDs     pq.Int64Array `db:"option_ids" json:"-"`
	CreatedAt     time.Time     `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy     string        `db:"created_by" json:"created_by" print:"wide"`
}

// Component is one line of a work order's bill of materials for the quantity still to build:
// what it needs at the work order's location and what is available there (on hand −
// allocated). Non-stock components (services such as labour) need no stock and are costed
// at their cost price.
type Component struct {
	ProductID  int64           `db:"product_id" json:"-"`
	SKU        string          `db:"sku" json:"sku"`
	Name       string          `db:"name" json:"name"`
	Unit       string          `db:"unit" json:"unit"`
	PerUnit    decimal.Decimal `db:"per_unit" json:"per_unit"`
	Needed     decimal.Decimal `db:"needed" json:"needed"`
	Available  decimal.Decimal `db:"available" json:"available"`
	Short      decimal.Decimal `db:"short" json:"short"`
	Stock      bool            `db:"track_stock" json:"stock" print:"wide"`
	Serialized bool            `db:"serialized" json:"-"`
	CostPrice  decimal.Decimal `db:"cost_price" json:"cost_price" print:"wide"`
}

// Doc is a work order with the components its remaining quantity needs.
type Doc struct {
	Order
	Components []Component `json:"components"`
}

const selectOrder = `SELECT w.id, w.number, w.product_id, p.sku, p.name, p.stock_uom AS unit, w.location_id,
	l.code AS location, w.qty, w.completed_qty, w.qty - w.completed_qty AS remaining, w.status, w.so_line_id,
	so.number AS so, x.line_no AS so_line,
	round(w.produced_cost, (SELECT c.minor_units FROM settings s JOIN currencies c ON c.code = s.value WHERE s.key = 'base_currency')) AS produced_cost,
	w.configuration, w.option_ids, w.created_at, w.created_by
	FROM work_orders w JOIN products p ON p.id = w.product_id JOIN locations l ON l.id = w.location_id
	LEFT JOIN so_lines x ON x.id = w.so_line_id LEFT JOIN sales_orders so ON so.id = x.so_id`

// NewOrder is what wo new takes.
type NewOrder struct {
	SKU      string
	Qty      decimal.Decimal // in the product's stock unit
	Location string
	Choices  map[string]string // option group -> option of a configurable product; nil: none
}

// New creates an open work order to build qty of sku at location. The product must be an
// active stock-tracked product with a bill of materials, neither serialised nor
// batch-tracked (a build names no serials or batches), and qty within its unit's precision.
// With Choices it builds that configuration (catalog.Configure validates it): the bill of
// materials with the chosen options' components applied (catalog.EffectiveBOM); without,
// the plain bill of materials.
func New(ctx context.Context, q sqlx.ExtContext, in NewOrder) (Order, error) {
	p, err := buildable(ctx, q, in.SKU)
	if err != nil {
		return Order{}, err
	}
	optionIDs, config := pq.Int64Array{}, ""
	if len(in.Choices) > 0 {
		cfg, err := catalog.Configure(ctx, q, p.SKU, in.Choices)
		if err != nil {
			return Order{}, err
		}
		for _, c := range cfg.Choices {
			optionIDs = append(optionIDs, c.OptionID)
		}
		config = cfg.Choices.String()
	}
	var n int
	if err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM (`+catalog.EffectiveBOM("$1", "$2")+`) b`, p.ID, optionIDs); err != nil {
		return Order{}, db.Classify(err)
	}
	if n == 0 {
		return Order{}, fault.Invalidf("sku", "%s has no bill of materials: add its components with stockctl product bom add %s COMPONENT --qty N", p.SKU, p.SKU)
	}
	if err := checkQty(ctx, q, p, "QTY", in.Qty); err != nil {
		return Order{}, err
	}
	loc, err := requireLocation(ctx, q, in.Location)
	if err != nil {
		return Order{}, err
	}
	number, err := numbering.Next(ctx, q, numbering.WorkOrder)
	if err != nil {
		return Order{}, err
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO work_orders (number, product_id, location_id, qty, option_ids, configuration)
		VALUES ($1, $2, $3, $4, $5, $6)`, number, p.ID, loc.ID, in.Qty, optionIDs, config); err != nil {
		return Order{}, db.Classify(err)
	}
	return getOrder(ctx, q, number)
}

// buildable returns sku's product when work orders can build it.
func buildable(ctx context.Context, q sqlx.QueryerContext, sku string) (catalog.Product, error) {
	sku = strings.TrimSpace(sku)
	if sku == "" {
		return catalog.Product{}, fault.Invalidf("sku", "give the SKU of the product to build")
	}
	p, err := catalog.Get(ctx, q, sku)
	if fault.Is(err, fault.NotFound) {
		return p, fault.Unknownf("sku", "unknown product %q (find it with stockctl product lookup)", sku)
	}
	if err != nil {
		return p, err
	}
	switch {
	case !p.Active:
		return p, fault.Invalidf("sku", "product %s is inactive: activate it with stockctl product activate %s", p.SKU, p.SKU)
	case !p.TrackStock:
		return p, fault.Invalidf("sku", "product %s is a %s product without stock: work orders build stock products", p.SKU, p.Type)
	case p.Serialized, p.BatchTracked:
		return p, fault.Invalidf("sku", "product %s is serialised or batch-tracked: work orders build untracked products only (receive it with stockctl stock adjust --batch/--serial)", p.SKU)
	}
	return p, catalog.RefuseTemplate(ctx, q, "sku", p)
}

func checkQty(ctx context.Context, q sqlx.QueryerContext, p catalog.Product, field string, qty decimal.Decimal) error {
	if !qty.IsPositive() {
		return fault.Invalidf(field, "%s must be more than 0, got %s", field, qty)
	}
	u, err := uom.Get(ctx, q, p.StockUOM)
	if err != nil {
		return err
	}
	if !uom.Round(qty, u).Equal(qty) {
		return fault.Invalidf(field, "%s %s %s of %s has more decimals than the unit allows (%d)", field, qty, p.StockUOM, p.SKU, u.Precision)
	}
	return nil
}

func requireLocation(ctx context.Context, q sqlx.QueryerContext, code string) (stock.Location, error) {
	if strings.TrimSpace(code) == "" {
		return stock.Location{}, fault.Invalidf("location", "give the location to build at (--location)")
	}
	l, err := stock.GetLocation(ctx, q, "location", code)
	if err != nil {
		return l, err
	}
	if !l.Active {
		return l, fault.Invalidf("location", "location %s is inactive", l.Code)
	}
	return l, nil
}

// Get returns a work order with the components its remaining quantity needs.
func Get(ctx context.Context, q sqlx.QueryerContext, number string) (Doc, error) {
	o, err := getOrder(ctx, q, number)
	if err != nil {
		return Doc{}, err
	}
	cs, err := components(ctx, q, o, o.Remaining, false)
	return Doc{Order: o, Components: cs}, err
}

func getOrder(ctx context.Context, q sqlx.QueryerContext, number string) (Order, error) {
	number = strings.TrimSpace(number)
	if number == "" {
		return Order{}, fault.Invalidf("wo", "give the work order number (WO-000001)")
	}
	var o Order
	err := sqlx.GetContext(ctx, q, &o, selectOrder+` WHERE w.number = $1`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fault.NotFoundf("work order %s does not exist (see stockctl wo list)", number)
	}
	return o, db.Classify(err)
}

// components reads what work order o consumes to build qty at its location, by component
// SKU: its product's bill of materials with the options it builds with applied. A
// component's available stock is on hand − allocated there, less what is in expired batches
// unless expiredOK.
func components(ctx context.Context, q sqlx.QueryerContext, o Order, qty decimal.Decimal, expiredOK bool) ([]Component, error) {
	out := []Component{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT c.id AS product_id, c.sku, c.name, c.stock_uom AS unit, b.qty AS per_unit,
		b.qty * $2::numeric AS needed, c.track_stock, c.serialized, c.cost_price,
		CASE WHEN c.track_stock THEN coalesce(s.available, 0) ELSE 0 END AS available,
		CASE WHEN c.track_stock THEN greatest(b.qty * $2::numeric - coalesce(s.available, 0), 0) ELSE 0 END AS short
		FROM (`+catalog.EffectiveBOM("$1", "$4")+`) b JOIN products c ON c.id = b.component_id
		LEFT JOIN LATERAL (SELECT greatest(s.on_hand - s.allocated
		                          - CASE WHEN $5 OR NOT c.batch_tracked THEN 0 ELSE `+stock.ExpiredSQL("c.id", "$3")+` END, 0) AS available
		                   FROM stock_balances s WHERE s.product_id = c.id AND s.location_id = $3) s ON true
		ORDER BY c.sku`, o.ProductID, qty, o.LocationID, o.optionIDs(), expiredOK)
	return out, db.Classify(err)
}

// optionIDs are the options o builds with, never nil (an empty array, not NULL, in SQL).
func (o Order) optionIDs() pq.Int64Array {
	if o.OptionIDs == nil {
		return pq.Int64Array{}
	}
	return o.OptionIDs
}

// Filter narrows List.
type Filter struct {
	Status string // one status, or "open" (open or partially completed)
}

// List returns work orders, newest first.
func List(ctx context.Context, q sqlx.QueryerContext, f Filter) ([]Order, error) {
	var statuses []string
	switch f.Status {
	case "":
	case "open":
		statuses = []string{Open, PartiallyCompleted}
	default:
		ok := false
		for _, s := range Statuses {
			ok = ok || s == f.Status
		}
		if !ok {
			return nil, fault.Invalidf("status", "--status %q: use %s", f.Status, strings.Join(Statuses, ", "))
		}
		statuses = []string{f.Status}
	}
	out := []Order{}
	err := sqlx.SelectContext(ctx, q, &out, selectOrder+` WHERE (coalesce(cardinality($1::text[]), 0) = 0 OR w.status = ANY($1))
		ORDER BY w.id DESC`, pq.StringArray(statuses))
	return out, db.Classify(err)
}

// Cancel cancels an open work order that has produced nothing yet, or closes a partially
// completed one at what it has produced (its status becomes completed with qty lowered to
// what was built), so wo generate may build the rest again.
func Cancel(ctx context.Context, q sqlx.ExtContext, number string) (Order, error) {
	o, err := getOrder(ctx, q, number)
	if err != nil {
		return o, err
	}
	if _, err := q.ExecContext(ctx, `SELECT 1 FROM work_orders WHERE id = $1 FOR UPDATE`, o.ID); err != nil {
		return o, db.Classify(err)
	}
	if o, err = getOrder(ctx, q, number); err != nil {
		return o, err
	}
	switch o.Status {
	case Open:
		_, err = q.ExecContext(ctx, `UPDATE work_orders SET status = 'cancelled' WHERE id = $1`, o.ID)
	case PartiallyCompleted:
		_, err = q.ExecContext(ctx, `UPDATE work_orders SET status = 'completed', qty = completed_qty WHERE id = $1`, o.ID)
	default:
		return o, fault.Invalidf("wo", "work order %s is %s: only open work orders can be cancelled", o.Number, o.Status)
	}
	if err != nil {
		return o, db.Classify(err)
	}
	return getOrder(ctx, q, number)
}

// Unlinked is what cancelling a sales order did to a work order made for one of its lines.
type Unlinked struct {
	Number string `db:"number" json:"wo"`
	SO     string `db:"so" json:"so"`
	Line   int    `db:"line_no" json:"so_line"`
	Action string `db:"action" json:"action"` // Cancelled, or "unlinked"
}

// CancelForOrder undoes the work orders made for the lines of cancelled sales order so
// (wo generate links them to the line): an open one has built nothing, so it is cancelled
// (it keeps its link as history); a partially completed one has consumed components and
// produced stock, so it is kept, unlinked from the line (so_line_id NULL), and builds the
// rest into free stock, or is closed with stockctl wo cancel. Completed work orders are
// history and stay as they are. The work order rows are locked in id order; the caller
// holds the order's posting locks (sales.Cancel), which completion takes first too.
func CancelForOrder(ctx context.Context, q sqlx.ExtContext, so string) ([]Unlinked, error) {
	if _, err := q.ExecContext(ctx, `SELECT 1 FROM work_orders w JOIN so_lines x ON x.id = w.so_line_id
		JOIN sales_orders o ON o.id = x.so_id WHERE o.number = $1 AND w.status IN ('open', 'partially_completed')
		ORDER BY w.id FOR UPDATE OF w`, so); err != nil {
		return nil, db.Classify(err)
	}
	out := []Unlinked{}
	err := sqlx.SelectContext(ctx, q, &out, `WITH t AS (
			SELECT w.id, w.number, w.status, x.line_no FROM work_orders w JOIN so_lines x ON x.id = w.so_line_id
			JOIN sales_orders o ON o.id = x.so_id
			WHERE o.number = $1 AND o.status = 'cancelled' AND w.status IN ('open', 'partially_completed')
		), u AS (
			UPDATE work_orders w SET status = CASE WHEN t.status = 'open' THEN 'cancelled' ELSE w.status END,
			       so_line_id = CASE WHEN t.status = 'open' THEN w.so_line_id END
			FROM t WHERE w.id = t.id RETURNING w.id
		)
		SELECT t.number, $1 AS so, t.line_no, CASE WHEN t.status = 'open' THEN 'cancelled' ELSE 'unlinked' END AS action
		FROM t JOIN u ON u.id = t.id ORDER BY t.id`, so)
	return out, db.Classify(err)
}
