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
	bo := make([]Shortfall, 0, len(all))
	for _, s := range all {
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
