package purchasing

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// Origins of the POs po generate makes from sales backorders (alone, and together with
// reorder levels); see OriginReorder.
const (
	OriginBackorders        = "backorders"
	OriginReorderBackorders = "reorder+backorders"
)

// GenerateRequest says what a po generate run orders.
type GenerateRequest struct {
	// Reorder orders what is below its minimum level up to its maximum (--reorder).
	Reorder bool
	// Backorders, when set, returns the backordered quantities no stock or open PO covers
	// (--from-backorders: the command passes sales.Shortfalls for the chosen orders). It is
	// called under the po generate lock, after the drafts of any earlier run are committed,
	// so two runs never both see one shortfall uncovered.
	Backorders func(ctx context.Context, q sqlx.QueryerContext) ([]Shortfall, error)
	// Orders are the sales orders Backorders was limited to (--so); none: every order. With
	// Backorders, the components open work orders still need count as demand too
	// (ComponentShortfalls): those of the work orders built for these orders' lines.
	Orders []string
	// Location limits the run to one internal location; "" is every location.
	Location string
	Date     time.Time
}

// GenerateFor is po generate: it takes the po generate lock, collects the shortfalls the
// request asks for and orders them with Generate.
//
// With Backorders and Reorder together both needs are ordered on one line per product and
// location, without counting any cover twice: the backorders are demand on the same stock,
// so the reorder need is judged on the projection available + open POs − backordered (when
// that is below the minimum: maximum − projection), and the line orders the larger of that
// and the backorder shortfall. (Adding the two would count the available stock and open POs
// as cover for both; ordering the larger covers the backorders and leaves the maximum once
// they are released.)
//
// Backordered products that are inactive or not purchasable become warnings, as do products
// no supplier prices (Generate). Run in a transaction; rolled back it is a dry run.
func GenerateFor(ctx context.Context, q sqlx.ExtContext, req GenerateRequest) (GenerateResult, error) {
	if !req.Reorder && req.Backorders == nil {
		return GenerateResult{}, fault.Usagef("reorder", "say what to order for: --reorder (stock below its minimum level), --from-backorders (sales backorders) or both")
	}
	if err := lockGenerate(ctx, q); err != nil {
		return GenerateResult{}, err
	}
	var loc string
	if req.Location != "" {
		l, err := stock.GetLocation(ctx, q, "location", req.Location)
		if err != nil {
			return GenerateResult{}, err
		}
		loc = l.Code
	}
	if req.Backorders == nil {
		sf, err := ReorderShortfalls(ctx, q, loc)
		if err != nil {
			return GenerateResult{}, err
		}
		return Generate(ctx, q, sf, OriginReorder, req.Date)
	}
	all, err := req.Backorders(ctx, q)
	if err != nil {
		return GenerateResult{}, err
	}
	cs, err := ComponentShortfalls(ctx, q, req.Orders)
	if err != nil {
		return GenerateResult{}, err
	}
	bo := make([]Shortfall, 0, len(all))
	for _, s := range addShortfalls(all, cs) {
		if loc == "" || s.Location == loc {
			bo = append(bo, s)
		}
	}
	origin := OriginBackorders
	if req.Reorder {
		rs, err := reorderShortfalls(ctx, q, loc, true)
		if err != nil {
			return GenerateResult{}, err
		}
		bo = mergeShortfalls(bo, rs)
		origin = OriginReorderBackorders
	}
	sf, warnings, err := purchasable(ctx, q, bo)
	if err != nil {
		return GenerateResult{}, err
	}
	res, err := Generate(ctx, q, sf, origin, req.Date)
	if err != nil {
		return res, err
	}
	res.Warnings = append(warnings, res.Warnings...)
	return res, nil
}

// ComponentShortfalls finds the components open work orders (open or partially completed)
// still need for what they have left to build, (qty − completed) × the bill of materials,
// that no stock or open purchase order covers once the sales backorders of the same component
// at the same location have had theirs: cover = available (on hand − allocated) + open POs
// (draft, ordered, partially received), taken first by the backorders sales.Shortfalls
// counts, then by the work orders in number order. With orders, only the work orders built
// for lines of those sales orders count (the others still come first for the cover, as
// earlier backorders do in sales.Shortfalls). A component with a bill of materials of its own
// is built, not bought, and left out, as are non-stock components. The finished products are
// never here: products with a bill of materials are left out of sales.Shortfalls, so a
// backorder a work order covers is counted once, through its components. One statement.
func ComponentShortfalls(ctx context.Context, q sqlx.QueryerContext, orders []string) ([]Shortfall, error) {
	var rows []struct {
		ProductID   int64           `db:"product_id"`
		SKU         string          `db:"sku"`
		LocationID  int64           `db:"location_id"`
		Location    string          `db:"location"`
		Needed      decimal.Decimal `db:"needed"`
		Backordered decimal.Decimal `db:"backordered"`
		Available   decimal.Decimal `db:"available"`
		OnOrder     decimal.Decimal `db:"on_order"`
		Qty         decimal.Decimal `db:"qty"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `WITH need AS (
			SELECT b.component_id AS product_id, w.location_id, w.number, (w.qty - w.completed_qty) * b.qty AS qty,
			       (coalesce(cardinality($1::text[]), 0) = 0 OR so.number = ANY($1)) AS chosen
			FROM work_orders w
			CROSS JOIN LATERAL (`+catalog.EffectiveBOM("w.product_id", "w.option_ids")+`) b -- with its chosen options
			JOIN products c ON c.id = b.component_id AND c.track_stock
			LEFT JOIN so_lines x ON x.id = w.so_line_id LEFT JOIN sales_orders so ON so.id = x.so_id
			WHERE w.status IN ('open', 'partially_completed') AND w.qty > w.completed_qty
			  AND NOT EXISTS (SELECT 1 FROM product_bom m WHERE m.product_id = b.component_id)
		), ahead AS (
			SELECT g.product_id, g.location_id,
			       coalesce((SELECT greatest(b.on_hand - b.allocated, 0) FROM stock_balances b
			                 WHERE b.product_id = g.product_id AND b.location_id = g.location_id), 0) AS available,
			       coalesce((SELECT sum(greatest(l.qty - l.received_qty, 0)) FROM po_lines l JOIN purchase_orders o ON o.id = l.po_id
			                 WHERE l.product_id = g.product_id AND o.location_id = g.location_id
			                   AND o.status IN ('draft', 'ordered', 'partially_received')), 0) AS on_order,
			       coalesce((SELECT sum(x.backordered) FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
			                 WHERE x.product_id = g.product_id AND o.location_id = g.location_id AND x.backordered > 0
			                   AND NOT x.custom AND o.status IN ('confirmed', 'partially_shipped')), 0) AS backordered
			FROM (SELECT DISTINCT product_id, location_id FROM need WHERE chosen) g
		), r AS (
			SELECT n.product_id, n.location_id, n.qty, n.chosen, a.available, a.on_order, a.backordered,
			       a.backordered + sum(n.qty) OVER (PARTITION BY n.product_id, n.location_id ORDER BY n.number) AS upto
			FROM need n JOIN ahead a ON a.product_id = n.product_id AND a.location_id = n.location_id
		)
		SELECT r.product_id, p.sku, r.location_id, l.code AS location, sum(r.qty) AS needed, r.backordered, r.available,
		       r.on_order, sum(least(r.qty, greatest(r.upto - r.available - r.on_order, 0))) AS qty
		FROM r JOIN products p ON p.id = r.product_id JOIN locations l ON l.id = r.location_id
		WHERE r.chosen
		GROUP BY r.product_id, p.sku, r.location_id, l.code, r.backordered, r.available, r.on_order
		HAVING sum(least(r.qty, greatest(r.upto - r.available - r.on_order, 0))) > 0
		ORDER BY p.sku, l.code`, pq.StringArray(orders))
	if err != nil {
		return nil, db.Classify(err)
	}
	out := make([]Shortfall, len(rows))
	for i, r := range rows {
		out[i] = Shortfall{ProductID: r.ProductID, SKU: r.SKU, LocationID: r.LocationID, Location: r.Location, Qty: r.Qty,
			Reason: fmt.Sprintf("open work orders need %s, backordered %s, available %s, on order %s", r.Needed, r.Backordered, r.Available, r.OnOrder)}
	}
	return out, nil
}

// addShortfalls adds the component shortfalls of open work orders to the backorder
// shortfalls: both are demand no cover meets, and ComponentShortfalls gives the work orders
// only the cover the backorders leave, so the two add up without counting any cover twice.
func addShortfalls(backorders, components []Shortfall) []Shortfall {
	if len(components) == 0 {
		return backorders
	}
	type key struct{ p, l int64 }
	at := map[key]int{}
	out := make([]Shortfall, 0, len(backorders)+len(components))
	for _, s := range backorders {
		at[key{s.ProductID, s.LocationID}] = len(out)
		out = append(out, s)
	}
	for _, c := range components {
		i, ok := at[key{c.ProductID, c.LocationID}]
		if !ok {
			out = append(out, c)
			continue
		}
		out[i].Reason = fmt.Sprintf("%s (short %s); %s (short %s)", out[i].Reason, out[i].Qty, c.Reason, c.Qty)
		out[i].Qty = out[i].Qty.Add(c.Qty)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].SKU != out[j].SKU {
			return out[i].SKU < out[j].SKU
		}
		return out[i].Location < out[j].Location
	})
	return out
}

// mergeShortfalls puts backorder shortfalls and reorder shortfalls (judged net of the
// backorders) of the same product and location on one row ordering the larger quantity;
// rows only one list has are kept as they are. Sorted by SKU and location.
func mergeShortfalls(backorders, reorder []Shortfall) []Shortfall {
	type key struct{ p, l int64 }
	at := map[key]int{}
	out := make([]Shortfall, 0, len(backorders)+len(reorder))
	for _, s := range backorders {
		at[key{s.ProductID, s.LocationID}] = len(out)
		out = append(out, s)
	}
	for _, r := range reorder {
		i, ok := at[key{r.ProductID, r.LocationID}]
		if !ok {
			out = append(out, r)
			continue
		}
		b := out[i]
		if r.Qty.GreaterThan(b.Qty) {
			out[i].Qty = r.Qty
		}
		out[i].Reason = fmt.Sprintf("%s; %s: ordering the larger, %s", b.Reason, r.Reason, decimal.Max(b.Qty, r.Qty))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].SKU != out[j].SKU {
			return out[i].SKU < out[j].SKU
		}
		return out[i].Location < out[j].Location
	})
	return out
}

// purchasable splits shortfalls into those a PO can order and warnings for the products
// that are inactive or not purchasable (a PO line refuses them). One lookup.
func purchasable(ctx context.Context, q sqlx.QueryerContext, sf []Shortfall) ([]Shortfall, []Warning, error) {
	warnings := []Warning{}
	if len(sf) == 0 {
		return sf, warnings, nil
	}
	ids := make(pq.Int64Array, len(sf))
	for i, s := range sf {
		ids[i] = s.ProductID
	}
	var bad []struct {
		ID          int64 `db:"id"`
		Active      bool  `db:"active"`
		Purchasable bool  `db:"purchasable"`
	}
	if err := sqlx.SelectContext(ctx, q, &bad, `SELECT id, active, purchasable FROM products
		WHERE id = ANY($1) AND NOT (active AND purchasable)`, ids); err != nil {
		return nil, nil, db.Classify(err)
	}
	if len(bad) == 0 {
		return sf, warnings, nil
	}
	inactive := map[int64]bool{}
	for _, b := range bad {
		inactive[b.ID] = !b.Active
	}
	out := make([]Shortfall, 0, len(sf))
	for _, s := range sf {
		off, ok := inactive[s.ProductID]
		switch {
		case !ok:
			out = append(out, s)
		case off:
			warnings = append(warnings, Warning{SKU: s.SKU, Location: s.Location, Qty: s.Qty,
				Reason: fmt.Sprintf("%s is inactive: activate it (stockctl product activate %s) to order it", s.SKU, s.SKU)})
		default:
			warnings = append(warnings, Warning{SKU: s.SKU, Location: s.Location, Qty: s.Qty,
				Reason: fmt.Sprintf("%s is not purchasable: make it so with stockctl product edit %s --purchasable", s.SKU, s.SKU)})
		}
	}
	return out, warnings, nil
}
