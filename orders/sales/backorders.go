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
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// Availability statuses of a backordered line (backorders list).
const (
	AvailHere      = "here"      // available at the sell-from location covers the backorder
	AvailElsewhere = "elsewhere" // not here, but the other locations together cover it
	AvailPartial   = "partial"   // some is available (here or elsewhere), not enough
	AvailNone      = "none"      // nothing available anywhere
)

// BackorderFilter narrows Backorders. Empty fields do not filter.
type BackorderFilter struct {
	Location string
	Customer string
	SKU      string
	Status   string // here, elsewhere, partial or none
	Custom   *bool  // only custom items (true) or only stock items (false)
	Orders   []string
}

// Backorder is one open backordered line with what could cover it.
type Backorder struct {
	SO          string          `db:"so" json:"so"`
	OrderDate   time.Time       `db:"order_date" json:"order_date" print:"date"`
	ShipBy      *time.Time      `db:"ship_by" json:"ship_by" print:"date,wide"`
	Customer    string          `db:"customer" json:"customer"`
	Line        int             `db:"line_no" json:"line" print:"wide"`
	SKU         string          `db:"sku" json:"sku"`
	Name        string          `db:"name" json:"name"`
	Backordered decimal.Decimal `db:"backordered" json:"backordered"`
	Location    string          `db:"location" json:"location"`
	Here        decimal.Decimal `db:"available_here" json:"available_here"`
	Elsewhere   decimal.Decimal `db:"available_elsewhere" json:"available_elsewhere"`
	OnOrder     decimal.Decimal `db:"on_order" json:"on_order"`
	Status      string          `db:"status" json:"status"`
	Custom      bool            `db:"custom" json:"custom" print:"wide"`
}

// CellColor paints the status: green when it can ship from here, blue when from elsewhere.
func (b Backorder) CellColor(field string) string {
	if field != "status" {
		return ""
	}
	switch b.Status {
	case AvailHere:
		return "green"
	case AvailElsewhere:
		return "blue"
	}
	return ""
}

// Backorders lists every open backordered line (orders confirmed or partially shipped),
// oldest order first (order date, SO number, line), with the stock available (on hand −
// allocated) at its sell-from location and at the other internal locations together, the
// quantity on open purchase orders (ordered or partially received) for the sell-from
// location, and the availability status. Availability is per line: lines of one product
// compete for the same stock, which so release settles in priority order.
//
// One set-based statement driven by the partial index so_lines_backordered (backordered
// lines only): the balances and purchase order lines are read for the backordered products
// only, once each, so the cost follows the number of backordered lines, not of products or
// order lines.
func Backorders(ctx context.Context, q sqlx.QueryerContext, f BackorderFilter) ([]Backorder, error) {
	var a []any
	arg := func(v any) string {
		a = append(a, v)
		return fmt.Sprintf("$%d", len(a))
	}
	where := []string{`x.backordered > 0`, `o.status IN ('confirmed', 'partially_shipped')`}
	if f.Location != "" {
		l, err := requireLocation(ctx, q, "location", f.Location)
		if err != nil {
			return nil, err
		}
		where = append(where, `o.location_id = `+arg(l.ID))
	}
	if f.Customer != "" {
		var id int64
		if err := sqlx.GetContext(ctx, q, &id, `SELECT coalesce((SELECT id FROM companies WHERE code = $1), 0)`, f.Customer); err != nil {
			return nil, db.Classify(err)
		}
		if id == 0 {
			return nil, fault.Invalidf("customer", "unknown customer %q: see stockctl company list --customers", f.Customer)
		}
		where = append(where, `o.customer_id = `+arg(id))
	}
	if f.SKU != "" {
		p, err := catalog.Get(ctx, q, f.SKU)
		if err != nil {
			return nil, fault.Invalidf("sku", "unknown product %q (find it with stockctl product lookup)", f.SKU)
		}
		where = append(where, `x.product_id = `+arg(p.ID))
	}
	if f.Custom != nil {
		where = append(where, `x.custom = `+arg(*f.Custom))
	}
	if len(f.Orders) > 0 {
		where = append(where, `o.number = ANY(`+arg(pq.StringArray(f.Orders))+`::text[])`)
	}
	statusWhere := ""
	switch f.Status {
	case "":
	case AvailHere, AvailElsewhere, AvailPartial, AvailNone:
		statusWhere = ` WHERE r.status = ` + arg(f.Status)
	default:
		return nil, fault.Invalidf("status", "--status %q: use here, elsewhere, partial or none", f.Status)
	}
	query := `WITH bo AS MATERIALIZED (
			SELECT x.id, x.line_no, x.product_id, x.backordered, x.custom, o.number, o.order_date, o.ship_by,
			       o.customer_id, o.location_id
			FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
			WHERE ` + strings.Join(where, ` AND `) + `
		), prods AS MATERIALIZED (
			SELECT DISTINCT product_id FROM bo
		), avail AS MATERIALIZED (
			SELECT b.product_id, b.location_id, greatest(b.on_hand - b.allocated, 0) AS qty
			FROM prods d JOIN stock_balances b ON b.product_id = d.product_id
			JOIN locations l ON l.id = b.location_id AND l.kind = 'internal'
			WHERE b.on_hand - b.allocated > 0
		), total AS (
			SELECT product_id, sum(qty) AS qty FROM avail GROUP BY product_id
		), po AS (
			SELECT x.product_id, o.location_id, sum(greatest(x.qty - x.received_qty, 0)) AS qty
			FROM prods d JOIN po_lines x ON x.product_id = d.product_id
			JOIN purchase_orders o ON o.id = x.po_id AND o.status IN ('ordered', 'partially_received')
			GROUP BY 1, 2
		), r AS (
			SELECT bo.number AS so, bo.order_date, bo.ship_by, c.code AS customer, bo.line_no, p.sku, p.name, bo.backordered,
			       l.code AS location, coalesce(h.qty, 0) AS available_here,
			       coalesce(t.qty, 0) - coalesce(h.qty, 0) AS available_elsewhere, coalesce(po.qty, 0) AS on_order,
			       CASE WHEN coalesce(h.qty, 0) >= bo.backordered THEN 'here'
			            WHEN coalesce(t.qty, 0) - coalesce(h.qty, 0) >= bo.backordered THEN 'elsewhere'
			            WHEN coalesce(t.qty, 0) > 0 THEN 'partial'
			            ELSE 'none' END AS status,
			       bo.custom
			FROM bo
			JOIN products p ON p.id = bo.product_id
			JOIN companies c ON c.id = bo.customer_id
			JOIN locations l ON l.id = bo.location_id
			LEFT JOIN avail h ON h.product_id = bo.product_id AND h.location_id = bo.location_id
			LEFT JOIN total t ON t.product_id = bo.product_id
			LEFT JOIN po ON po.product_id = bo.product_id AND po.location_id = bo.location_id
		)
		SELECT * FROM r` + statusWhere + `
		ORDER BY r.order_date, r.so, r.line_no`
	out := []Backorder{}
	err := sqlx.SelectContext(ctx, q, &out, query, a...)
	return out, db.Classify(err)
}

// Shortfall is what backordered lines want of a product at a location beyond what its
// available stock and open purchase orders cover: what purchasing should order.
type Shortfall struct {
	ProductID   int64           `db:"product_id" json:"-"`
	SKU         string          `db:"sku" json:"sku"`
	LocationID  int64           `db:"location_id" json:"-"`
	Location    string          `db:"location" json:"location"`
	Qty         decimal.Decimal `db:"qty" json:"qty"` // in the stock unit
	Backordered decimal.Decimal `db:"backordered" json:"backordered"`
	Available   decimal.Decimal `db:"available" json:"available"`
	OnOrder     decimal.Decimal `db:"on_order" json:"on_order"`
	Reason      string          `json:"reason"`
}

// Shortfalls returns, per product and sell-from location, what the backordered lines of the
// given sales orders (none: every open order) want beyond what covers them: available stock
// at the location (on hand − allocated) plus open purchase order quantities there (POs in
// draft, ordered or partially received, not yet received: a draft po generate made is cover,
// so the same shortfall is never ordered twice). The cover goes to every open backordered
// line of the product and location in release priority order (ship-by, order date, SO
// number, line: the order so release allocates in), and a chosen order's shortfall is what
// its lines get none of. So the answer for an order does not depend on which other orders
// were asked about: ordering for SO-1 and then asking again for SO-1 gives nothing, and
// asking for SO-2 afterwards still gives SO-2's part. Custom items and products with a bill
// of materials are left out: work orders (wo generate) build them. One statement.
//
// po generate --from-backorders wires it: purchasing.Shortfall{ProductID, SKU, LocationID,
// Location, Qty, Reason} takes the same fields.
func Shortfalls(ctx context.Context, q sqlx.QueryerContext, orders []string) ([]Shortfall, error) {
	if len(orders) > 0 {
		var missing []string
		if err := sqlx.SelectContext(ctx, q, &missing, `SELECT w.n FROM unnest($1::text[]) AS w(n)
			WHERE NOT EXISTS (SELECT 1 FROM sales_orders o WHERE o.number = w.n)`, pq.StringArray(orders)); err != nil {
			return nil, db.Classify(err)
		}
		if len(missing) > 0 {
			return nil, fault.NotFoundf("sales order %s does not exist (see stockctl so list)", strings.Join(missing, ", "))
		}
	}
	out := []Shortfall{}
	err := sqlx.SelectContext(ctx, q, &out, `WITH bo AS (
			SELECT x.product_id, o.location_id, x.backordered,
			       (coalesce(cardinality($1::text[]), 0) = 0 OR o.number = ANY($1)) AS chosen,
			       sum(x.backordered) OVER (PARTITION BY x.product_id, o.location_id
			           ORDER BY coalesce(o.ship_by, 'infinity'::date), o.order_date, o.number, x.line_no) AS upto
			FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
			WHERE x.backordered > 0 AND NOT x.custom AND o.status IN ('confirmed', 'partially_shipped')
			  AND NOT EXISTS (SELECT 1 FROM product_bom m WHERE m.product_id = x.product_id)
		), cov AS (
			SELECT g.product_id, g.location_id,
			       coalesce((SELECT greatest(b.on_hand - b.allocated, 0) FROM stock_balances b
			                 WHERE b.product_id = g.product_id AND b.location_id = g.location_id), 0) AS available,
			       coalesce((SELECT sum(greatest(l.qty - l.received_qty, 0)) FROM po_lines l JOIN purchase_orders o ON o.id = l.po_id
			                 WHERE l.product_id = g.product_id AND o.location_id = g.location_id
			                   AND o.status IN ('draft', 'ordered', 'partially_received')), 0) AS on_order
			FROM (SELECT DISTINCT product_id, location_id FROM bo WHERE chosen) g
		), r AS (
			SELECT c.product_id, c.location_id, c.available, c.on_order, sum(bo.backordered) AS backordered,
			       sum(least(bo.backordered, greatest(bo.upto - c.available - c.on_order, 0))) AS qty
			FROM cov c JOIN bo ON bo.product_id = c.product_id AND bo.location_id = c.location_id AND bo.chosen
			GROUP BY 1, 2, 3, 4
		)
		SELECT r.product_id, p.sku, r.location_id, l.code AS location, r.backordered, r.available, r.on_order, r.qty
		FROM r JOIN products p ON p.id = r.product_id JOIN locations l ON l.id = r.location_id
		WHERE r.qty > 0
		ORDER BY p.sku, l.code`, pq.StringArray(orders))
	for i, s := range out {
		out[i].Reason = fmt.Sprintf("backordered %s, available %s, on order %s", s.Backordered, s.Available, s.OnOrder)
	}
	return out, db.Classify(err)
}
