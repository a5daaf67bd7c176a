package purchasing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// Shortfall is a quantity of a product wanted at a location that its stock and open purchase
// orders do not cover: what Generate orders. Reorder finds them from stock levels; sales
// backorders are the other source (GenerateFor, po generate --from-backorders).
type Shortfall struct {
	ProductID  int64           `json:"-"`
	SKU        string          `json:"sku"`
	LocationID int64           `json:"-"`
	Location   string          `json:"location"`
	Qty        decimal.Decimal `json:"qty"` // in the stock unit
	Reason     string          `json:"reason"`
	// Demand is the sales order lines a backorder shortfall is of (sales.Shortfalls' Lines):
	// Generate records them with the PO line (po_line_demands), so cancelling one of those
	// orders can take back what was ordered only for it (ForgetSalesOrder).
	Demand []Demand `json:"-"`
}

// Demand is one sales order line's part of a shortfall.
type Demand struct {
	SOLineID int64
	Qty      decimal.Decimal
}

// Generated is one line a po generate run put on a draft PO.
type Generated struct {
	PO          string           `json:"po"`
	Supplier    string           `json:"supplier"`
	Location    string           `json:"location"`
	LineNo      int              `json:"line_no"`
	SKU         string           `json:"sku"`
	Wanted      decimal.Decimal  `json:"wanted"`
	Qty         decimal.Decimal  `json:"qty"` // wanted, rounded up to the supplier's minimum and pack
	UnitPrice   decimal.Decimal  `json:"unit_price"`
	Currency    string           `json:"currency"`
	MinQty      decimal.Decimal  `json:"price_break" print:"wide"` // the break the price comes from
	SupplierMin decimal.Decimal  `json:"supplier_min" print:"wide"`
	Pack        *decimal.Decimal `json:"pack" print:"wide"`
	Reason      string           `json:"reason" print:"wide"`
}

// Warning is a shortfall a po generate run could not order.
type Warning struct {
	SKU      string          `json:"sku"`
	Location string          `json:"location"`
	Qty      decimal.Decimal `json:"qty"`
	Reason   string          `json:"reason"`
}

// GenerateResult is what a po generate run did.
type GenerateResult struct {
	Shortfalls []Shortfall `json:"shortfalls"`
	Lines      []Generated `json:"lines"`
	POs        []string    `json:"pos"`
	Warnings   []Warning   `json:"warnings"`
}

// lockGenerate serialises po generate runs: the second waits for the first to commit and
// then sees its draft POs as open quantities, so the same shortfall is never ordered twice.
func lockGenerate(ctx context.Context, q sqlx.ExtContext) error {
	_, err := q.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('stockctl po generate'))`)
	return db.Classify(err)
}

// ReorderShortfalls finds, at one internal location or ("") all, the products whose
// available stock plus open purchase orders (draft, ordered or partially received, not yet
// received) is below their minimum level, and how much brings them up to their maximum (to
// the minimum when no maximum is set). The components open work orders (open or partially
// completed) at the location still need for what they have left to build are demand on the
// same stock, which they do not allocate: the level is judged net of them. Only active,
// purchasable, stock-tracked products count, and never a template with variants (its
// variants are stocked). One statement.
func ReorderShortfalls(ctx context.Context, q sqlx.QueryerContext, location string) ([]Shortfall, error) {
	return reorderShortfalls(ctx, q, location, false)
}

// reorderShortfalls is ReorderShortfalls; with netBackorders the open backorders of each
// product at the location (confirmed and partially shipped sales orders, stock items: not
// custom, no bill of materials, as sales.Shortfalls counts them) are demand on the same
// stock, so the level is judged on the projection available + open POs − backordered
// (po generate --reorder --from-backorders).
func reorderShortfalls(ctx context.Context, q sqlx.QueryerContext, location string, netBackorders bool) ([]Shortfall, error) {
	var locID *int64
	if location != "" {
		l, err := stock.GetLocation(ctx, q, "location", location)
		if err != nil {
			return nil, err
		}
		locID = &l.ID
	}
	var rows []struct {
		ProductID  int64           `db:"product_id"`
		SKU        string          `db:"sku"`
		LocationID int64           `db:"location_id"`
		Location   string          `db:"location"`
		Available  decimal.Decimal `db:"available"`
		Open       decimal.Decimal `db:"open"`
		Backorders decimal.Decimal `db:"backordered"`
		Work       decimal.Decimal `db:"work"`
		Min        decimal.Decimal `db:"min_qty"`
		Max        decimal.Decimal `db:"max_qty"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT s.product_id, p.sku, s.location_id, l.code AS location,
			coalesce(b.on_hand - b.allocated, 0) AS available, coalesce(o.open, 0) AS open, coalesce(bo.qty, 0) AS backordered,
			coalesce(wo.qty, 0) AS work, s.min_qty, coalesce(s.max_qty, s.min_qty) AS max_qty
		FROM stock_levels s
		JOIN products p ON p.id = s.product_id AND p.active AND p.purchasable AND p.track_stock
		JOIN locations l ON l.id = s.location_id AND l.kind = 'internal' AND l.active
		LEFT JOIN stock_balances b ON b.product_id = s.product_id AND b.location_id = s.location_id
		LEFT JOIN LATERAL (SELECT sum(greatest(x.qty - x.received_qty, 0)) AS open
			FROM purchase_orders o JOIN po_lines x ON x.po_id = o.id
			WHERE o.status IN ('draft', 'ordered', 'partially_received') AND o.location_id = s.location_id
			  AND x.product_id = s.product_id) o ON true
		LEFT JOIN LATERAL (SELECT sum(x.backordered) AS qty
			FROM so_lines x JOIN sales_orders so ON so.id = x.so_id
			WHERE $2 AND x.product_id = s.product_id AND so.location_id = s.location_id AND x.backordered > 0 AND NOT x.custom
			  AND so.status IN ('confirmed', 'partially_shipped')
			  AND NOT EXISTS (SELECT 1 FROM product_bom m WHERE m.product_id = x.product_id)) bo ON true
		LEFT JOIN LATERAL (SELECT sum((w.qty - w.completed_qty) * m.qty) AS qty
			FROM work_orders w CROSS JOIN LATERAL (`+catalog.EffectiveBOM("w.product_id", "w.option_ids")+`) m
			WHERE m.component_id = s.product_id AND w.location_id = s.location_id
			  AND w.status IN ('open', 'partially_completed')) wo ON true
		WHERE s.min_qty IS NOT NULL AND ($1::bigint IS NULL OR s.location_id = $1)
		  AND NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.template_id = s.product_id) -- never stocked
		  AND coalesce(b.on_hand - b.allocated, 0) + coalesce(o.open, 0) - coalesce(bo.qty, 0) - coalesce(wo.qty, 0) < s.min_qty
		ORDER BY p.sku, l.code`, locID, netBackorders)
	if err != nil {
		return nil, db.Classify(err)
	}
	out := []Shortfall{}
	for _, r := range rows {
		qty := r.Max.Sub(r.Available.Add(r.Open).Sub(r.Backorders).Sub(r.Work))
		work := ""
		if r.Work.IsPositive() {
			work = fmt.Sprintf(" − open work orders %s", r.Work)
		}
		reason := fmt.Sprintf("available %s + open POs %s%s is below the minimum %s: up to %s", r.Available, r.Open, work, r.Min, r.Max)
		if netBackorders {
			reason = fmt.Sprintf("available %s + open POs %s − backordered %s%s is below the minimum %s: up to %s", r.Available, r.Open, r.Backorders, work, r.Min, r.Max)
		}
		out = append(out, Shortfall{ProductID: r.ProductID, SKU: r.SKU, LocationID: r.LocationID, Location: r.Location, Qty: qty,
			Reason: reason})
	}
	return out, nil
}

// Reorder is po generate --reorder: it orders what ReorderShortfalls finds, in draft POs
// (see Generate). Run in a transaction; with the transaction rolled back it is a dry run.
func Reorder(ctx context.Context, q sqlx.ExtContext, location string, date time.Time) (GenerateResult, error) {
	if err := lockGenerate(ctx, q); err != nil {
		return GenerateResult{}, err
	}
	sf, err := ReorderShortfalls(ctx, q, location)
	if err != nil {
		return GenerateResult{}, err
	}
	return Generate(ctx, q, sf, OriginReorder, date)
}

// Generate orders shortfalls on draft purchase orders, one per supplier, location and
// currency: each product from its preferred supplier (best priority, then lowest price at the
// quantity wanted, on date), its quantity rounded up to that supplier's lowest break and
// whole packs, priced at the supplier's break for the rounded quantity. Lines go onto a draft
// PO of the same origin, supplier, location and currency that is still open, else a new one.
// A product no supplier prices becomes a warning. The caller takes the lock (Reorder does)
// before it computes the shortfalls, so concurrent runs never order one shortfall twice.
//
// Any source of shortfalls can use it: GenerateFor passes sales backorders
// (--from-backorders) with their own origin.
func Generate(ctx context.Context, q sqlx.ExtContext, sf []Shortfall, origin string, date time.Time) (GenerateResult, error) {
	res := GenerateResult{Shortfalls: sf, Lines: []Generated{}, POs: []string{}, Warnings: []Warning{}}
	if len(sf) == 0 {
		return res, nil
	}
	if err := lockGenerate(ctx, q); err != nil {
		return res, err
	}
	ids := make(pq.Int64Array, len(sf))
	for i, s := range sf {
		ids[i] = s.ProductID
	}
	var precs []struct {
		ID        int64 `db:"id"`
		Precision int32 `db:"precision"`
	}
	if err := sqlx.SelectContext(ctx, q, &precs, `SELECT p.id, u.precision FROM products p JOIN uoms u ON u.code = p.stock_uom
		WHERE p.id = ANY($1)`, ids); err != nil {
		return res, db.Classify(err)
	}
	precision := map[int64]int32{}
	for _, p := range precs {
		precision[p.ID] = p.Precision
	}

	// Who supplies each, at the quantity wanted; then the break at the rounded quantity.
	needs := make([]need, len(sf))
	for i, s := range sf {
		needs[i] = need{ProductID: s.ProductID, Qty: s.Qty}
	}
	best, err := offers(ctx, q, needs, date)
	if err != nil {
		return res, err
	}
	type plan struct {
		s     Shortfall
		offer Offer
		qty   decimal.Decimal
	}
	var plans []plan
	var repriced []need
	for i, s := range sf {
		if len(best[i]) == 0 {
			res.Warnings = append(res.Warnings, Warning{SKU: s.SKU, Location: s.Location, Qty: s.Qty,
				Reason: fmt.Sprintf("no supplier prices %s on %s: add one with stockctl supplier price add SUPPLIER %s --price X", s.SKU, dateOnly(date), s.SKU)})
			continue
		}
		o := best[i][0]
		qty := roundOrder(s.Qty, o.SupplierMin, o.PackQty, precision[s.ProductID])
		plans = append(plans, plan{s: s, offer: o, qty: qty})
		repriced = append(repriced, need{ProductID: s.ProductID, Qty: qty, SupplierID: o.SupplierID, Currency: o.Currency})
	}
	at, err := offers(ctx, q, repriced, date)
	if err != nil {
		return res, err
	}
	for i := range plans {
		if len(at[i]) > 0 {
			plans[i].offer = at[i][0]
		}
	}

	// One draft per supplier, location and currency, in a fixed order.
	sort.SliceStable(plans, func(i, j int) bool {
		a, b := plans[i], plans[j]
		if a.offer.Supplier != b.offer.Supplier {
			return a.offer.Supplier < b.offer.Supplier
		}
		if a.s.Location != b.s.Location {
			return a.s.Location < b.s.Location
		}
		return a.offer.Currency < b.offer.Currency
	})
	drafts := map[string]poHead{}
	for _, p := range plans {
		key := fmt.Sprint(p.offer.SupplierID, "/", p.s.LocationID, "/", p.offer.Currency)
		h, ok := drafts[key]
		if !ok {
			var number string
			err := sqlx.GetContext(ctx, q, &number, `SELECT number FROM purchase_orders WHERE status = 'draft' AND origin = $1
				AND supplier_id = $2 AND location_id = $3 AND currency = $4 ORDER BY id LIMIT 1`,
				origin, p.offer.SupplierID, p.s.LocationID, p.offer.Currency)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return res, db.Classify(err)
			}
			if number == "" {
				doc, err := New(ctx, q, NewPO{Supplier: p.offer.Supplier, Location: p.s.Location, Currency: p.offer.Currency, Origin: origin})
				if err != nil {
					return res, err
				}
				number = doc.Number
			}
			if h, err = lockPO(ctx, q, number); err != nil {
				return res, err
			}
			drafts[key] = h
			res.POs = append(res.POs, h.Number)
		}
		price := p.offer.Price
		// In the stock unit, as the shortfall is: the offer's price per stock unit.
		err := addLine(ctx, q, h, LineInput{SKU: p.s.SKU, Qty: p.qty, InStockUnit: true, Price: &price, Source: FromSupplierPrice,
			SupplierSKU: p.offer.SupplierSKU}, date)
		if err != nil {
			return res, err
		}
		var line struct {
			ID     int64 `db:"id"`
			LineNo int   `db:"line_no"`
		}
		if err := sqlx.GetContext(ctx, q, &line, `SELECT id, line_no FROM po_lines WHERE po_id = $1 ORDER BY line_no DESC LIMIT 1`, h.ID); err != nil {
			return res, db.Classify(err)
		}
		lineNo := line.LineNo
		if err := recordDemand(ctx, q, line.ID, p.s.Demand); err != nil {
			return res, err
		}
		res.Lines = append(res.Lines, Generated{PO: h.Number, Supplier: p.offer.Supplier, Location: p.s.Location, LineNo: lineNo,
			SKU: p.s.SKU, Wanted: p.s.Qty, Qty: p.qty, UnitPrice: price, Currency: p.offer.Currency, MinQty: p.offer.MinQty,
			SupplierMin: p.offer.SupplierMin, Pack: p.offer.PackQty, Reason: p.s.Reason})
	}
	return res, nil
}
