package stock

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// Revaluation changes the value of stock that came in earlier without moving it: a landed
// cost (freight, duty) that belongs to a receipt. Amount, in the base currency, belongs to
// Qty units (the receipt's quantity). The part of those units still on hand raises (or, when
// negative, lowers) the moving-average cost; the part already issued goes to cost of goods
// sold. The units still on hand are taken to be the latest ones received: as many of Qty as
// the product has on hand over every holding location.
type Revaluation struct {
	Product    catalog.Product
	Amount     decimal.Decimal
	Qty        decimal.Decimal
	Kind       string // ledger kind, e.g. landed_cost
	Reference  string // the document, e.g. PO-000012
	GLCode     string // inventory account of the on-hand part
	COGSGLCode string // account of the issued part
	Narrative  string
}

// Revalued is a revaluation as it was recorded.
type Revalued struct {
	Index          int             `json:"-"`
	ID             int64           `json:"id"`
	SKU            string          `json:"sku"`
	Amount         decimal.Decimal `json:"amount"`
	Qty            decimal.Decimal `json:"qty"`
	OnHand         decimal.Decimal `json:"on_hand"`         // of Qty, still on hand
	InventoryValue decimal.Decimal `json:"inventory_value"` // raised the stock on hand
	COGSValue      decimal.Decimal `json:"cogs_value"`      // went to cost of goods sold
	AvgBefore      decimal.Decimal `json:"avg_before"`
	AvgAfter       decimal.Decimal `json:"avg_after"`
}

// RevaluationRow is one row of the revaluation ledger, as listed.
type RevaluationRow struct {
	ID             int64           `db:"id" json:"id"`
	Time           time.Time       `db:"created_at" json:"time"`
	SKU            string          `db:"sku" json:"sku"`
	Amount         decimal.Decimal `db:"amount" json:"amount"`
	Qty            decimal.Decimal `db:"qty" json:"qty"`
	OnHand         decimal.Decimal `db:"on_hand" json:"on_hand"`
	InventoryValue decimal.Decimal `db:"inventory_value" json:"inventory_value"`
	COGSValue      decimal.Decimal `db:"cogs_value" json:"cogs_value"`
	AvgBefore      decimal.Decimal `db:"avg_before" json:"avg_before"`
	AvgAfter       decimal.Decimal `db:"avg_after" json:"avg_after"`
	Kind           string          `db:"kind" json:"kind"`
	Reference      string          `db:"reference" json:"reference"`
	GLCode         string          `db:"gl_code" json:"gl_code" print:"wide"`
	COGSGLCode     string          `db:"cogs_gl_code" json:"cogs_gl_code" print:"wide"`
	Narrative      string          `db:"narrative" json:"narrative" print:"wide"`
	Actor          string          `db:"actor" json:"actor" print:"wide"`
}

// Revalue records revaluations all-or-nothing in q's transaction. It locks the products'
// cost rows in product id order exactly as Post does, so it never interleaves with a posting
// of the same products and never deadlocks with one. Revaluations of one product in one call
// share its stock on hand: each takes its on-hand units from what the ones before it left.
// The on-hand part is rounded to the base currency's minor unit; the issued part is the rest,
// so the two always add up to Amount. The average cost never goes below zero: a reduction
// larger than the stock's value sends the excess to cost of goods sold.
func Revalue(ctx context.Context, q sqlx.ExtContext, rs []Revaluation) ([]Revalued, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	moves := make([]Move, len(rs))
	for i, r := range rs {
		switch {
		case !r.Product.TrackStock:
			return nil, fault.Invalidf("sku", "product %s is not stock-tracked: it has no stock to revalue", r.Product.SKU)
		case !r.Qty.IsPositive():
			return nil, fault.Invalidf("qty", "%s: a revaluation belongs to a quantity above 0, got %s", r.Product.SKU, r.Qty)
		case r.Kind == "":
			return nil, fault.Invalidf("kind", "%s: a revaluation needs a kind", r.Product.SKU)
		}
		moves[i] = Move{Product: r.Product}
	}
	costs, _, err := lock(ctx, q, moves)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if !costs[r.Product.ID].rules.track {
			return nil, fault.Invalidf("sku", "product %s stopped being stock-tracked while this was being posted: it has no stock to revalue", r.Product.SKU)
		}
	}
	var places int32
	if err := sqlx.GetContext(ctx, q, &places, `SELECT c.minor_units FROM settings s JOIN currencies c ON c.code = s.value
		WHERE s.key = 'base_currency'`); err != nil {
		return nil, db.Classify(err)
	}
	taken := map[int64]decimal.Decimal{} // on-hand units already given to earlier revaluations
	var out []Revalued
	for i, r := range rs {
		c := costs[r.Product.ID]
		free := decimal.Max(c.total.Sub(taken[r.Product.ID]), decimal.Zero)
		onHand := decimal.Min(free, r.Qty)
		taken[r.Product.ID] = taken[r.Product.ID].Add(onHand)
		inv := r.Amount.Mul(onHand).DivRound(r.Qty, places+2).Round(places)
		before := c.avg
		after := before
		if c.total.IsPositive() && !inv.IsZero() {
			after = c.total.Mul(before).Add(inv).DivRound(c.total, costScale)
			if after.IsNegative() {
				// The stock cannot be worth less than nothing: it goes to zero, the rest to COGS.
				after = decimal.Zero
				inv = c.total.Mul(before).Round(places).Neg()
			}
		}
		cogs := r.Amount.Sub(inv)
		var id int64
		err := sqlx.GetContext(ctx, q, &id, `WITH pc AS (
				UPDATE product_costs SET avg_cost = $9::numeric, updated_at = now() WHERE product_id = $1 AND $14::boolean
				RETURNING 1)
			INSERT INTO stock_revaluations (product_id, amount, qty, on_hand, inventory_value, cogs_value, avg_before, avg_after,
				kind, reference, gl_code, cogs_gl_code, narrative)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $8, $10, $11, $12, $13) RETURNING id`,
			r.Product.ID, r.Amount, r.Qty, onHand, inv, cogs, before, r.Kind, after, r.Reference, r.GLCode, r.COGSGLCode,
			r.Narrative, !after.Equal(before))
		if err != nil {
			return nil, db.Classify(err)
		}
		c.avg = after
		c.changed = c.changed || !after.Equal(before)
		out = append(out, Revalued{Index: i, ID: id, SKU: r.Product.SKU, Amount: r.Amount, Qty: r.Qty, OnHand: onHand,
			InventoryValue: inv, COGSValue: cogs, AvgBefore: before, AvgAfter: after})
	}
	// A new average cost moves the cost price (setting cost_price_follows average) and the
	// sell prices worked out from cost, as a posting's does.
	if err := follow(ctx, q, costs); err != nil {
		return nil, err
	}
	return out, nil
}

// Revaluations lists the revaluation ledger newest first, for one reference or ("") all.
func Revaluations(ctx context.Context, q sqlx.QueryerContext, reference string) ([]RevaluationRow, error) {
	rows := []RevaluationRow{}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT r.id, r.created_at, p.sku, r.amount, r.qty, r.on_hand, r.inventory_value,
		r.cogs_value, r.avg_before, r.avg_after, r.kind, r.reference, r.gl_code, r.cogs_gl_code, r.narrative, r.actor
		FROM stock_revaluations r JOIN products p ON p.id = r.product_id
		WHERE $1 = '' OR (r.reference = $1 AND r.reference <> '')
		ORDER BY r.id DESC`, reference)
	return rows, db.Classify(err)
}
