package work

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/sales"
)

// Shortage is one component a completion lacks at the work order's location.
type Shortage struct {
	SKU       string          `json:"sku"`
	Unit      string          `json:"unit"`
	Needed    decimal.Decimal `json:"needed"`
	Available decimal.Decimal `json:"available"`
}

// ShortageError refuses a completion whose components are not all there, naming every one
// that is short. Nothing was posted.
type ShortageError struct {
	WO       string
	Qty      decimal.Decimal
	Location string
	Missing  []Shortage
}

func (e *ShortageError) Error() string {
	parts := make([]string, len(e.Missing))
	for i, m := range e.Missing {
		parts[i] = fmt.Sprintf("%s needs %s %s, %s available", m.SKU, m.Needed, m.Unit, m.Available)
	}
	return fmt.Sprintf("work order %s: cannot build %s at %s, components short: %s (nothing was posted)",
		e.WO, e.Qty, e.Location, strings.Join(parts, "; "))
}

// Consumed is one component a completion used.
type Consumed struct {
	SKU      string          `json:"sku"`
	Qty      decimal.Decimal `json:"qty"`
	Unit     string          `json:"unit"`
	UnitCost decimal.Decimal `json:"unit_cost"` // base currency per stock unit
	Value    decimal.Decimal `json:"value"`     // money, in the base currency's minor unit
	Stock    bool            `json:"stock"`     // false: a service costed at its cost price, no stock moved
}

// Completion is what wo complete did.
type Completion struct {
	Order     Order           `json:"work_order"`
	Qty       decimal.Decimal `json:"qty"`       // produced now
	Value     decimal.Decimal `json:"value"`     // the components' total cost, in the base currency's minor unit
	UnitCost  decimal.Decimal `json:"unit_cost"` // value ÷ qty, the produced units' cost
	Consumed  []Consumed      `json:"consumed"`
	Allocated decimal.Decimal `json:"allocated"` // allocated to the linked sales order line
	SO        *string         `json:"so"`
	SOLine    *int            `json:"so_line"`
}

// Complete builds qty (nil: all that remains) of work order number, in q's transaction:
//
//   - every stock component (bill of materials qty × qty, in the component's stock unit) must
//     be available (on hand − allocated, less stock in expired batches unless
//     Options.AllowExpired) at the work order's location, else it is refused
//     with a ShortageError naming each short component, and nothing is posted. Negative stock
//     is never used to build, whatever the setting negative_stock_allowed;
//   - the components move to ~production (kind wo_consume) at their average cost;
//   - qty of the product comes from ~production into the location (kind wo_produce), valued
//     at the components' total cost ÷ qty: the consumed moves' value plus non-stock
//     components (labour) at their cost price; a product built without a bill of materials
//     (a configured custom item) is valued at its cost price;
//   - what was produced is allocated to the sales order line the work order builds for
//     (sales.AllocateToLine), up to the line's backorder, so so ship can send it;
//   - the work order becomes partially_completed, or completed when nothing remains.
//
// Locks: a shared hold on the bill-of-materials lock (edits wait), then the posting locks of
// the product and its components in product id order (stock.Lock), then the work order row;
// the sales order line is locked last, by AllocateToLine, as every sales function does.
func Complete(ctx context.Context, q sqlx.ExtContext, number string, qty *decimal.Decimal) (Completion, error) {
	return CompleteWith(ctx, q, number, qty, Options{})
}

// Options change how CompleteWith builds.
type Options struct {
	// AllowExpired lets the components be taken from batches past their expiry; without it
	// first-expiry-first-out passes them over and they do not count as available.
	AllowExpired bool
}

// CompleteWith is Complete with options (wo complete --allow-expired).
func CompleteWith(ctx context.Context, q sqlx.ExtContext, number string, qty *decimal.Decimal, opt Options) (Completion, error) {
	o, err := getOrder(ctx, q, number)
	if err != nil {
		return Completion{}, err
	}
	if _, err := q.ExecContext(ctx, `SELECT pg_advisory_xact_lock_shared($1)`, catalog.BOMLock); err != nil {
		return Completion{}, db.Classify(err)
	}
	var ids []int64
	if err := sqlx.SelectContext(ctx, q, &ids, `SELECT $1::bigint UNION SELECT b.component_id FROM (`+catalog.EffectiveBOM("$1", "$2")+`) b
		JOIN products c ON c.id = b.component_id WHERE c.track_stock ORDER BY 1`, o.ProductID, o.optionIDs()); err != nil {
		return Completion{}, db.Classify(err)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if err := stock.Lock(ctx, q, ids); err != nil {
		return Completion{}, err
	}
	if _, err := q.ExecContext(ctx, `SELECT 1 FROM work_orders WHERE id = $1 FOR UPDATE`, o.ID); err != nil {
		return Completion{}, db.Classify(err)
	}
	if o, err = getOrder(ctx, q, number); err != nil { // as it is now, under the lock
		return Completion{}, err
	}
	if o.Status != Open && o.Status != PartiallyCompleted {
		return Completion{}, fault.Invalidf("wo", "work order %s is %s: nothing is left to build", o.Number, o.Status)
	}
	n := o.Remaining
	if qty != nil {
		n = *qty
	}
	p, err := catalog.Get(ctx, q, o.SKU)
	if err != nil {
		return Completion{}, err
	}
	if err := checkQty(ctx, q, p, "qty", n); err != nil {
		return Completion{}, err
	}
	if n.GreaterThan(o.Remaining) {
		return Completion{}, fault.Invalidf("qty", "work order %s has %s %s left to build, --qty %s is more", o.Number, o.Remaining, o.Unit, n)
	}
	if p.Serialized || p.BatchTracked {
		return Completion{}, fault.Invalidf("wo", "product %s became serialised or batch-tracked after work order %s was made: a build names no serials or batches; cancel it (stockctl wo cancel %s)", p.SKU, o.Number, o.Number)
	}
	cs, err := components(ctx, q, o, n, opt.AllowExpired)
	if err != nil {
		return Completion{}, err
	}
	short := &ShortageError{WO: o.Number, Qty: n, Location: o.Location}
	for _, c := range cs {
		if c.Stock && c.Short.IsPositive() {
			short.Missing = append(short.Missing, Shortage{SKU: c.SKU, Unit: c.Unit, Needed: c.Needed, Available: c.Available})
		}
	}
	if len(short.Missing) > 0 {
		return Completion{}, &fault.Error{Kind: fault.Invalid, Field: "qty", Err: short}
	}
	for _, c := range cs {
		if c.Stock && c.Serialized {
			return Completion{}, fault.Invalidf("wo", "component %s of %s is serialised: a build cannot pick serial numbers; issue them with stockctl stock adjust --serial and take %s out of the bill of materials", c.SKU, o.SKU, c.SKU)
		}
	}

	loc, err := stock.GetLocation(ctx, q, "location", o.Location)
	if err != nil {
		return Completion{}, err
	}
	prod, err := stock.Virtual(ctx, q, stock.ProductionSide)
	if err != nil {
		return Completion{}, err
	}
	res := Completion{Qty: n, Value: decimal.Zero, Consumed: []Consumed{}, Allocated: decimal.Zero}
	var moves []stock.Move
	var stockIdx []int // index in res.Consumed of each move
	for _, c := range cs {
		if !c.Stock {
			res.Consumed = append(res.Consumed, Consumed{SKU: c.SKU, Qty: c.Needed, Unit: c.Unit, UnitCost: c.CostPrice,
				Value: c.Needed.Mul(c.CostPrice), Stock: false})
			continue
		}
		cp, err := catalog.Get(ctx, q, c.SKU)
		if err != nil {
			return Completion{}, err
		}
		moves = append(moves, stock.Move{Product: cp, Qty: c.Needed, From: loc, To: prod, Kind: KindConsume,
			Reference: o.Number, Reason: "work order " + o.Number + ": build " + n.String() + " " + o.SKU, SkipExpired: !opt.AllowExpired})
		stockIdx = append(stockIdx, len(res.Consumed))
		res.Consumed = append(res.Consumed, Consumed{SKU: c.SKU, Qty: c.Needed, Unit: c.Unit, Value: decimal.Zero, Stock: true})
	}
	posted, err := stock.Post(ctx, q, moves)
	if err != nil {
		return Completion{}, err
	}
	// One component taken from several bays or batches is posted as several moves.
	for _, pm := range posted {
		c := &res.Consumed[stockIdx[pm.Index]]
		c.Value = c.Value.Add(pm.Qty.Mul(pm.UnitCost))
	}
	for i := range res.Consumed {
		c := &res.Consumed[i]
		if c.Stock && c.Qty.IsPositive() {
			c.UnitCost = c.Value.DivRound(c.Qty, costScale)
		}
		res.Value = res.Value.Add(c.Value)
	}
	if len(cs) == 0 {
		res.Value = p.CostPrice.Mul(n)
	}
	res.UnitCost = res.Value.DivRound(n, costScale)
	unit := res.UnitCost
	if _, err := stock.Post(ctx, q, []stock.Move{{Product: p, Qty: n, From: prod, To: loc, UnitCost: &unit, Kind: KindProduce,
		Reference: o.Number, Reason: "work order " + o.Number}}); err != nil {
		return Completion{}, err
	}
	if _, err := q.ExecContext(ctx, `UPDATE work_orders SET completed_qty = completed_qty + $2, produced_cost = produced_cost + $3,
		status = CASE WHEN completed_qty + $2 = qty THEN 'completed' ELSE 'partially_completed' END WHERE id = $1`,
		o.ID, n, res.Value); err != nil {
		return Completion{}, db.Classify(err)
	}
	if o.SOLineID != nil {
		if res.Allocated, err = sales.AllocateToLine(ctx, q, *o.SOLineID, n); err != nil {
			return Completion{}, err
		}
	}
	if res.Order, err = getOrder(ctx, q, o.Number); err != nil {
		return Completion{}, err
	}
	res.SO, res.SOLine = res.Order.SO, res.Order.SOLine
	// Values are money: shown in the base currency's minor unit once the exact ones priced
	// the build (unit costs keep their precision).
	var minor int32
	if err := sqlx.GetContext(ctx, q, &minor, `SELECT c.minor_units FROM settings s JOIN currencies c ON c.code = s.value
		WHERE s.key = 'base_currency'`); err != nil {
		return Completion{}, db.Classify(err)
	}
	res.Value = currency.Round(res.Value, minor)
	for i := range res.Consumed {
		res.Consumed[i].Value = currency.Round(res.Consumed[i].Value, minor)
	}
	return res, nil
}

// AsShortage reports whether err is a completion refused for missing components, and which.
func AsShortage(err error) (*ShortageError, bool) {
	var e *ShortageError
	ok := errors.As(err, &e)
	return e, ok
}
