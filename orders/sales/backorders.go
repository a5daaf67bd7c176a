package sales

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/purchasing"
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
	// ExpiredHere is on hand at the sell-from location in batches past their expiry: not in
	// Here, not released or shipped without --allow-expired. Last, so scripts reading the
	// columns by position keep working.
	ExpiredHere decimal.Decimal `db:"expired_here" json:"expired_here"`
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
// allocated − stock in expired batches) at its sell-from location and at the other internal
// locations together, the stock in expired batches at the sell-from location, the
// quantity on open purchase orders (ordered or partially received) for the sell-from
// location, and the availability status. Availability is per line: lines of one product
// compete for the same stock, which so release settles in priority order.
func Backorders(ctx context.Context, d *sqlx.DB, f BackorderFilter) ([]Backorder, error) {
	return collect(func(fn func(*Backorder) error) error { return EachBackorder(ctx, d, f, fn) })
}

// BackordersIn is Backorders read through the caller's executor, inside its transaction
// (see EachBackorderIn).
func BackordersIn(ctx context.Context, q sqlx.ExtContext, f BackorderFilter) ([]Backorder, error) {
	return collect(func(fn func(*Backorder) error) error { return EachBackorderIn(ctx, q, f, fn) })
}

func collect(each func(func(*Backorder) error) error) ([]Backorder, error) {
	out := []Backorder{}
	err := each(func(b *Backorder) error {
		out = append(out, *b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachBackorder calls fn with each line Backorders lists, in the same order, as the
// database sends them, so a long list is printed while it is read. The Backorder is
// reused: fn must copy what it keeps. An error from fn stops the listing and is returned.
//
// Three reads of one snapshot (db.InSnapshot) on two connections. First, at once, the
// SKU and name of the selected lines' products on one, and on the other what covers them
// (available stock per internal location, open purchase order quantities per location)
// with the customer and location codes; each is read once per product or code. Then the
// lines, in order, each one's product, codes and availability filled in here as its row
// arrives. Joining all of it in one statement cost three times as much: the hash joins
// copied every wide line row, the sort held them all back, and the product lookups were
// made per line, not per product (docs/performance.md).
//
// It takes the pool, not a transaction, because a snapshot shared by several connections
// is what lets the reads run at once (and pgx's own transactions scan faster); a caller
// that must read inside its own transaction uses EachBackorderIn.
func EachBackorder(ctx context.Context, d *sqlx.DB, f BackorderFilter, fn func(*Backorder) error) error {
	sel, err := selectBackorders(ctx, d, f)
	if err != nil {
		return err
	}
	var cov *cover
	ready := make(chan struct{})
	return db.InSnapshot(ctx, d,
		func(ctx context.Context, tx pgx.Tx) error {
			products, err := sel.products(ctx, pgxReader{tx})
			if err != nil {
				return err
			}
			return sel.lines(ctx, pgxReader{tx}, products, func() *cover {
				select {
				case <-ready:
					return cov
				case <-ctx.Done():
					return nil
				}
			}, fn)
		},
		func(ctx context.Context, tx pgx.Tx) error {
			c, err := sel.cover(ctx, pgxReader{tx})
			if err != nil {
				return err
			}
			cov = c
			close(ready)
			return nil
		})
}

// EachBackorderIn is EachBackorder read through the caller's executor: the same three
// reads, one after the other on q, so inside the caller's transaction they see what it
// sees, its own writes included. Slower than EachBackorder on long lists (one connection,
// database/sql scanning); the setting enable_sort the line read turns off is put back.
func EachBackorderIn(ctx context.Context, q sqlx.ExtContext, f BackorderFilter, fn func(*Backorder) error) error {
	sel, err := selectBackorders(ctx, q, f)
	if err != nil {
		return err
	}
	r := sqlReader{q}
	products, err := sel.products(ctx, r)
	if err != nil {
		return err
	}
	cov, err := sel.cover(ctx, r)
	if err != nil {
		return err
	}
	var sortSetting string
	if err := sqlx.GetContext(ctx, q, &sortSetting, `SELECT current_setting('enable_sort')`); err != nil {
		return db.Classify(err)
	}
	if err := sel.lines(ctx, r, products, func() *cover { return cov }, fn); err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `SELECT set_config('enable_sort', $1, true)`, sortSetting)
	return db.Classify(err)
}

// backorderReader is what the backorder reads run on: a pgx transaction of
// db.InSnapshot's (pgxReader) or the caller's executor (sqlReader).
type backorderReader interface {
	exec(ctx context.Context, sql string, args ...any) error
	query(ctx context.Context, sql string, args ...any) (backorderRows, error)
}

// backorderRows are the rows of a backorder read.
type backorderRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type pgxReader struct{ tx pgx.Tx }

func (r pgxReader) exec(ctx context.Context, sql string, args ...any) error {
	_, err := r.tx.Exec(ctx, sql, args...)
	return err
}

func (r pgxReader) query(ctx context.Context, sql string, args ...any) (backorderRows, error) {
	rows, err := r.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

type sqlReader struct{ q sqlx.ExtContext }

func (r sqlReader) exec(ctx context.Context, sql string, args ...any) error {
	_, err := r.q.ExecContext(ctx, sql, args...)
	return err
}

func (r sqlReader) query(ctx context.Context, sql string, args ...any) (backorderRows, error) {
	rows, err := r.q.QueryxContext(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

// sqlRows are database/sql rows with pgx's Close, which returns nothing (Err says).
type sqlRows struct{ rows *sqlx.Rows }

func (r sqlRows) Next() bool             { return r.rows.Next() }
func (r sqlRows) Scan(dest ...any) error { return r.rows.Scan(dest...) }
func (r sqlRows) Err() error             { return r.rows.Err() }
func (r sqlRows) Close()                 { _ = r.rows.Close() }

// backorderSelection is the SQL for the lines a BackorderFilter selects.
type backorderSelection struct {
	from   string // so_lines x joined to sales_orders o
	where  string
	args   []any
	status string // filtered here, once the availability is known
	// lineWhere is the selection by the lines alone when nothing is asked of the orders
	// (no --location, --customer or --so), else empty: lines with something backordered
	// belong to open orders (confirming backorders, cancelling clears them).
	lineWhere string
}

func selectBackorders(ctx context.Context, q sqlx.QueryerContext, f BackorderFilter) (*backorderSelection, error) {
	var a []any
	arg := func(v any) string {
		a = append(a, v)
		return fmt.Sprintf("$%d", len(a))
	}
	// line holds the conditions on the lines alone, order the ones that need the order.
	line := []string{`x.backordered > 0`}
	order := []string{`o.status IN ('confirmed', 'partially_shipped')`}
	if f.Location != "" {
		l, err := requireLocation(ctx, q, "location", f.Location)
		if err != nil {
			return nil, err
		}
		order = append(order, `o.location_id = `+arg(l.ID))
	}
	if f.Customer != "" {
		// Not requireCustomer: an inactive customer's backorders are still listed.
		c, err := company.Get(ctx, q, f.Customer)
		if fault.Is(err, fault.NotFound) {
			return nil, fault.Unknownf("customer", "unknown customer %q: see stockctl company list --customers", f.Customer)
		}
		if err != nil {
			return nil, err
		}
		order = append(order, `o.customer_id = `+arg(c.ID))
	}
	if f.SKU != "" {
		p, err := catalog.Get(ctx, q, f.SKU)
		if err != nil {
			return nil, fault.Unknownf("sku", "unknown product %q (find it with stockctl product lookup)", f.SKU)
		}
		line = append(line, `x.product_id = `+arg(p.ID))
	}
	if f.Custom != nil {
		line = append(line, `x.custom = `+arg(*f.Custom))
	}
	if len(f.Orders) > 0 {
		if err := requireOrders(ctx, q, f.Orders); err != nil {
			return nil, err
		}
		order = append(order, `o.number = ANY(`+arg(f.Orders)+`::text[])`)
	}
	switch f.Status {
	case "", AvailHere, AvailElsewhere, AvailPartial, AvailNone:
	default:
		return nil, fault.Invalidf("status", "--status %q: use here, elsewhere, partial or none", f.Status)
	}
	sel := &backorderSelection{
		from:   `so_lines x JOIN sales_orders o ON o.id = x.so_id`,
		where:  `WHERE ` + strings.Join(append(line, order...), ` AND `),
		args:   a,
		status: f.Status,
	}
	if len(order) == 1 { // only the open status, which every backordered line has
		sel.lineWhere = `WHERE ` + strings.Join(line, ` AND `)
	}
	return sel, nil
}

// requireOrders refuses sales order numbers that do not exist, naming them all: a
// mistyped --so would otherwise select nothing and say nothing.
func requireOrders(ctx context.Context, q sqlx.QueryerContext, orders []string) error {
	if len(orders) == 0 {
		return nil
	}
	var missing []string
	if err := sqlx.SelectContext(ctx, q, &missing, `SELECT w.n FROM unnest($1::text[]) AS w(n)
		WHERE NOT EXISTS (SELECT 1 FROM sales_orders o WHERE o.number = w.n)`, pq.StringArray(orders)); err != nil {
		return db.Classify(err)
	}
	if len(missing) > 0 {
		return fault.NotFoundf("sales order %s does not exist (see stockctl so list)", strings.Join(missing, ", "))
	}
	return nil
}

// productSet is the set of products of the selected lines, for a WITH clause. Without
// order filters it is read from the lines alone, in product order from the index
// so_lines_backordered, which costs a third of joining the orders.
func (s *backorderSelection) productSet(materialized bool) string {
	as := ` AS (`
	if materialized {
		as = ` AS MATERIALIZED (`
	}
	if s.lineWhere != "" {
		return `prods` + as + `SELECT DISTINCT x.product_id FROM so_lines x ` + s.lineWhere + `)`
	}
	return `prods` + as + `SELECT DISTINCT x.product_id FROM ` + s.from + ` ` + s.where + `)`
}

// backorderedProduct is a product of the selected lines, with what covers it.
type backorderedProduct struct {
	sku, name string
	total     decimal.Decimal // available at all internal locations together
	avail     []atLocation    // available per internal location
	onOrder   []atLocation    // on open purchase orders per receiving location
	expired   []atLocation    // in expired batches per internal location
	places    []place         // per sell-from location, worked out as lines ask
}

type atLocation struct {
	location int64
	qty      decimal.Decimal
}

// place is what covers a product at a sell-from location.
type place struct {
	location                          int64
	here, elsewhere, onOrder, expired decimal.Decimal
}

// at returns what covers the product at sell-from location loc. The lists are a few
// locations long, so a search is cheaper than a map.
func (p *backorderedProduct) at(loc int64) *place {
	for i := range p.places {
		if p.places[i].location == loc {
			return &p.places[i]
		}
	}
	pl := place{location: loc}
	for _, a := range p.avail {
		if a.location == loc {
			pl.here = a.qty
		}
	}
	for _, o := range p.onOrder {
		if o.location == loc {
			pl.onOrder = o.qty
		}
	}
	for _, e := range p.expired {
		if e.location == loc {
			pl.expired = e.qty
		}
	}
	pl.elsewhere = p.total.Sub(pl.here)
	p.places = append(p.places, pl)
	return &p.places[len(p.places)-1]
}

// products reads the SKU and name of the selected lines' products.
func (s *backorderSelection) products(ctx context.Context, q backorderReader) (map[int64]*backorderedProduct, error) {
	// Materialised, the set looks small to the planner, which then looks each product up
	// by key; inlined, it guessed a share of a million products big enough to read them
	// all, on every core.
	rows, err := q.query(ctx, `WITH `+s.productSet(true)+`
		SELECT p.id, p.sku, p.name FROM prods JOIN products p ON p.id = prods.product_id`, s.args...)
	if err != nil {
		return nil, db.Classify(err)
	}
	defer rows.Close()
	products := map[int64]*backorderedProduct{}
	for rows.Next() {
		var id int64
		p := &backorderedProduct{}
		if err := rows.Scan(&id, &p.sku, &p.name); err != nil {
			return nil, db.Classify(err)
		}
		products[id] = p
	}
	return products, db.Classify(rows.Err())
}

// cover is what could cover the selected lines' products, as read, and the codes of
// customers and locations.
type cover struct {
	rows                 []coverRow
	customers, locations map[int64]string
}

type coverRow struct {
	product, location int64
	qty               decimal.Decimal
	kind              int16 // coverStock, coverPO or coverExpired
}

// What a cover row counts.
const (
	coverStock   = 0 // available stock (on hand − allocated − expired)
	coverPO      = 1 // on open purchase orders
	coverExpired = 2 // on hand in batches past their expiry
)

// cover reads, for the products of the selected lines, the available stock per internal
// location (coverStock), the open purchase order quantities per receiving location
// (coverPO) and the stock in expired batches per internal location (coverExpired, found
// from the batches past their expiry, which are few), in one statement so the set of products is worked out once; then the codes of
// the customers of open orders and of the locations, so the lines need carry only ids:
// a number is cheaper to send and to read than a string.
func (s *backorderSelection) cover(ctx context.Context, q backorderReader) (*cover, error) {
	rows, err := q.query(ctx, `WITH `+s.productSet(false)+`, exp AS MATERIALIZED (
			SELECT s.product_id, s.location_id, sum(s.qty) AS qty
			FROM batches eb JOIN stock_quants s ON s.batch_id = eb.id AND s.qty > 0
			JOIN locations l ON l.id = s.location_id AND l.kind = 'internal'
			WHERE eb.expiry < `+stock.TodaySQL+` AND eb.product_id IN (SELECT product_id FROM prods)
			GROUP BY 1, 2)
		SELECT b.product_id, b.location_id, b.on_hand - b.allocated - coalesce(e.qty, 0) AS qty, 0::int2 AS kind
		FROM stock_balances b JOIN locations l ON l.id = b.location_id AND l.kind = 'internal'
		LEFT JOIN exp e ON e.product_id = b.product_id AND e.location_id = b.location_id
		WHERE b.on_hand - b.allocated - coalesce(e.qty, 0) > 0 AND b.product_id IN (SELECT product_id FROM prods)
		UNION ALL
		SELECT pl.product_id, po.location_id, sum(greatest(pl.qty - pl.received_qty, 0)), 1::int2
		FROM po_lines pl JOIN purchase_orders po ON po.id = pl.po_id AND po.status IN ('ordered', 'partially_received')
		WHERE pl.product_id IN (SELECT product_id FROM prods)
		GROUP BY 1, 2
		UNION ALL
		SELECT product_id, location_id, qty, 2::int2 FROM exp`, s.args...)
	if err != nil {
		return nil, db.Classify(err)
	}
	defer rows.Close()
	c := &cover{customers: map[int64]string{}, locations: map[int64]string{}}
	for rows.Next() {
		var r coverRow
		var qty pgtype.Numeric
		if err := rows.Scan(&r.product, &r.location, &qty, &r.kind); err != nil {
			return nil, db.Classify(err)
		}
		if r.qty, err = db.Decimal(qty); err != nil {
			return nil, err
		}
		c.rows = append(c.rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, db.Classify(err)
	}
	rows, err = q.query(ctx, `SELECT false, id, code FROM companies
			WHERE id IN (SELECT customer_id FROM sales_orders WHERE status IN ('confirmed', 'partially_shipped'))
		UNION ALL
		SELECT true, id, code FROM locations`)
	if err != nil {
		return nil, db.Classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		var location bool
		var id int64
		var code string
		if err := rows.Scan(&location, &id, &code); err != nil {
			return nil, db.Classify(err)
		}
		if location {
			c.locations[id] = code
		} else {
			c.customers[id] = code
		}
	}
	return c, db.Classify(rows.Err())
}

// lines reads the selected lines in order and calls fn for each with its product,
// codes and availability. The query is sent before the cover is asked for (coverOf
// waits for it, or returns nil when the listing is abandoned), so the database starts
// on the lines while the cover is put to the products.
func (s *backorderSelection) lines(ctx context.Context, tx backorderReader, products map[int64]*backorderedProduct,
	coverOf func() *cover, fn func(*Backorder) error) error {
	// The plan that walks the open orders in (order date, number) order and their lines
	// by index sends rows from the start, so they are printed while the database still
	// works; the planner prefers joining everything and sorting it, which sends nothing
	// until all is done. Every selection has that walk (sales_orders_open_age and
	// so_lines_backordered_so), so this cannot leave the planner without a way.
	if err := tx.exec(ctx, `SET LOCAL enable_sort = off`); err != nil {
		return db.Classify(err)
	}
	rows, err := tx.query(ctx, `SELECT o.number, o.order_date, o.ship_by, o.customer_id, x.line_no,
			x.backordered, x.custom, x.product_id, o.location_id
		FROM `+s.from+`
		`+s.where+`
		ORDER BY o.order_date, o.number, x.line_no`, s.args...)
	if err != nil {
		return db.Classify(err)
	}
	defer rows.Close()
	cov := coverOf()
	if cov == nil {
		return ctx.Err()
	}
	for _, r := range cov.rows {
		p := products[r.product]
		switch {
		case p == nil: // not in the selection read by products: nothing asks for it
		case r.kind == coverPO:
			p.onOrder = append(p.onOrder, atLocation{r.location, r.qty})
		case r.kind == coverExpired:
			p.expired = append(p.expired, atLocation{r.location, r.qty})
		default:
			p.avail = append(p.avail, atLocation{r.location, r.qty})
			p.total = p.total.Add(r.qty)
		}
	}
	var b Backorder
	var customer, product, location int64
	var backordered pgtype.Numeric
	for rows.Next() {
		if err := rows.Scan(&b.SO, &b.OrderDate, &b.ShipBy, &customer, &b.Line,
			&backordered, &b.Custom, &product, &location); err != nil {
			return db.Classify(err)
		}
		if b.Backordered, err = db.Decimal(backordered); err != nil {
			return err
		}
		p := products[product]
		if p == nil {
			return fmt.Errorf("backorders: line %s/%d has a product the same snapshot did not list", b.SO, b.Line)
		}
		at := p.at(location)
		b.Customer, b.Location = cov.customers[customer], cov.locations[location]
		b.SKU, b.Name = p.sku, p.name
		b.Here, b.Elsewhere, b.OnOrder, b.ExpiredHere = at.here, at.elsewhere, at.onOrder, at.expired
		b.Status = availability(b.Backordered, b.Here, b.Elsewhere)
		if s.status != "" && b.Status != s.status {
			continue
		}
		if err := fn(&b); err != nil {
			return err
		}
	}
	return db.Classify(rows.Err())
}

// availability is the status of a line wanting backordered units, given what is
// available at its sell-from location and at the other locations together.
func availability(backordered, here, elsewhere decimal.Decimal) string {
	switch {
	case here.Cmp(backordered) >= 0:
		return AvailHere
	case elsewhere.Cmp(backordered) >= 0:
		return AvailElsewhere
	case here.Sign() > 0 || elsewhere.Sign() > 0:
		return AvailPartial
	}
	return AvailNone
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
	// Lines are the order lines the shortfall is of and each one's part of it, so what is
	// ordered for them can be undone when their order is cancelled (orders/cancel).
	Lines []LineShortfall `db:"-" json:"-"`
}

// LineShortfall is one order line's part of a Shortfall.
type LineShortfall struct {
	SOLineID int64
	Qty      decimal.Decimal
}

// Shortfalls returns, per product and sell-from location, what the backordered lines of the
// given sales orders (none: every open order) want beyond what covers them: available stock
// at the location (on hand − allocated − stock in expired batches, which release does not
// allocate) plus open purchase order quantities there (POs in
// draft, ordered or partially received, not yet received: a draft po generate made is cover,
// so the same shortfall is never ordered twice). The cover goes to every open backordered
// line of the product and location in release priority order (ship-by, order date, SO
// number, line: the order so release allocates in), and a chosen order's shortfall is what
// its lines get none of. So the answer for an order does not depend on which other orders
// were asked about: ordering for SO-1 and then asking again for SO-1 gives nothing, and
// asking for SO-2 afterwards still gives SO-2's part. Custom items and products with a bill
// of materials are left out: work orders (wo generate) build them. One statement.
//
// po generate --from-backorders takes them through PurchasingShortfalls.
func Shortfalls(ctx context.Context, q sqlx.QueryerContext, orders []string) ([]Shortfall, error) {
	if err := requireOrders(ctx, q, orders); err != nil {
		return nil, err
	}
	var rows []struct {
		Shortfall
		LineIDs pq.Int64Array  `db:"line_ids"`
		LineQty pq.StringArray `db:"line_qty"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `WITH bo AS (
			SELECT x.id, x.product_id, o.location_id, x.backordered,
			       (coalesce(cardinality($1::text[]), 0) = 0 OR o.number = ANY($1)) AS chosen,
			       sum(x.backordered) OVER (PARTITION BY x.product_id, o.location_id
			           ORDER BY coalesce(o.ship_by, 'infinity'::date), o.order_date, o.number, x.line_no) AS upto
			FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
			WHERE x.backordered > 0 AND NOT x.custom AND o.status IN ('confirmed', 'partially_shipped')
			  AND NOT EXISTS (SELECT 1 FROM product_bom m WHERE m.product_id = x.product_id)
		), cov AS (
			SELECT g.product_id, g.location_id,
			       coalesce((SELECT greatest(b.on_hand - b.allocated - `+stock.ExpiredSQL("b.product_id", "b.location_id")+`, 0)
			                 FROM stock_balances b
			                 WHERE b.product_id = g.product_id AND b.location_id = g.location_id), 0) AS available,
			       coalesce((SELECT sum(greatest(l.qty - l.received_qty, 0)) FROM po_lines l JOIN purchase_orders o ON o.id = l.po_id
			                 WHERE l.product_id = g.product_id AND o.location_id = g.location_id
			                   AND o.status IN ('draft', 'ordered', 'partially_received')), 0) AS on_order
			FROM (SELECT DISTINCT product_id, location_id FROM bo WHERE chosen) g
		), each AS (
			SELECT bo.id, c.product_id, c.location_id, c.available, c.on_order, bo.backordered,
			       least(bo.backordered, greatest(bo.upto - c.available - c.on_order, 0)) AS q
			FROM cov c JOIN bo ON bo.product_id = c.product_id AND bo.location_id = c.location_id AND bo.chosen
		), r AS (
			SELECT product_id, location_id, available, on_order, sum(backordered) AS backordered, sum(q) AS qty,
			       array_agg(id ORDER BY id) FILTER (WHERE q > 0) AS line_ids,
			       array_agg(q::text ORDER BY id) FILTER (WHERE q > 0) AS line_qty
			FROM each GROUP BY 1, 2, 3, 4
		)
		SELECT r.product_id, p.sku, r.location_id, l.code AS location, r.backordered, r.available, r.on_order, r.qty,
		       r.line_ids, r.line_qty
		FROM r JOIN products p ON p.id = r.product_id JOIN locations l ON l.id = r.location_id
		WHERE r.qty > 0
		ORDER BY p.sku, l.code`, pq.StringArray(orders))
	if err != nil {
		return nil, db.Classify(err)
	}
	out := make([]Shortfall, len(rows))
	for i, r := range rows {
		out[i] = r.Shortfall
		out[i].Reason = fmt.Sprintf("backordered %s, available %s, on order %s", r.Backordered, r.Available, r.OnOrder)
		for k, id := range r.LineIDs {
			q, err := decimal.NewFromString(r.LineQty[k])
			if err != nil {
				return nil, err
			}
			out[i].Lines = append(out[i].Lines, LineShortfall{SOLineID: id, Qty: q})
		}
	}
	return out, nil
}

// PurchasingShortfalls is Shortfalls of the given orders in purchasing's terms, as
// purchasing.GenerateRequest.Backorders takes them (po generate --from-backorders): each
// shortfall with the order lines it is of as its demand, so cancelling an order can take
// back what was ordered only for it. Purchasing does not import sales; sales hands it this.
func PurchasingShortfalls(orders []string) func(ctx context.Context, q sqlx.QueryerContext) ([]purchasing.Shortfall, error) {
	return func(ctx context.Context, q sqlx.QueryerContext) ([]purchasing.Shortfall, error) {
		sf, err := Shortfalls(ctx, q, orders)
		if err != nil {
			return nil, err
		}
		out := make([]purchasing.Shortfall, len(sf))
		for i, s := range sf {
			out[i] = purchasing.Shortfall{ProductID: s.ProductID, SKU: s.SKU, LocationID: s.LocationID,
				Location: s.Location, Qty: s.Qty, Reason: s.Reason}
			for _, l := range s.Lines {
				out[i].Demand = append(out[i].Demand, purchasing.Demand{SOLineID: l.SOLineID, Qty: l.Qty})
			}
		}
		return out, nil
	}
}
