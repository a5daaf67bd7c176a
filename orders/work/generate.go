package work

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/numbering"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Generated is one backordered line wo generate looked at: the work order it made, or why it
// made none.
type Generated struct {
	SO          string          `db:"so" json:"so"`
	Line        int             `db:"line_no" json:"line"`
	SKU         string          `db:"sku" json:"sku"`
	Location    string          `db:"location" json:"location"`
	Backordered decimal.Decimal `db:"backordered" json:"backordered"`
	Covered     decimal.Decimal `db:"covered" json:"covered"` // by open work orders already linked to the line
	Qty         decimal.Decimal `db:"qty" json:"qty"`         // of the new work order
	WO          string          `json:"wo"`                   // "" when skipped
	Skipped     string          `json:"skipped,omitempty"`

	lineID, productID, locationID int64
	optionIDs                     pq.Int64Array
	configuration                 string
}

type candidate struct {
	Generated
	LineID        int64         `db:"id"`
	ProductID     int64         `db:"product_id"`
	LocationID    int64         `db:"location_id"`
	Serialized    bool          `db:"serialized"`
	BatchTracked  bool          `db:"batch_tracked"`
	OptionIDs     pq.Int64Array `db:"option_ids"`
	Configuration string        `db:"configuration"`
}

// Generate makes the work orders that will cover the backordered custom and manufactured
// lines of the given sales orders (none: every open order): lines marked custom (configured
// items) and lines of products with a bill of materials. Each work order builds, at the
// order's sell-from location, what the line has backordered beyond the open work orders
// already linked to it, and is linked to the line, so a backorder is never built twice and
// completing the work order allocates its output to the line. Stock available at the
// location is not counted: release it first (so release) if it should serve the line.
// Serialised and batch-tracked products are reported as skipped. Lines in priority order
// (requested ship date, order date, SO number, line). Runs one at a time (an advisory lock),
// so two runs at once do not both build the same backorder.
func Generate(ctx context.Context, q sqlx.ExtContext, orders []string) ([]Generated, error) {
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
	if _, err := q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, generateLock); err != nil {
		return nil, db.Classify(err)
	}
	var cands []candidate
	err := sqlx.SelectContext(ctx, q, &cands, `SELECT x.id, x.product_id, o.location_id, o.number AS so, x.line_no, p.sku,
		l.code AS location, x.backordered, p.serialized, p.batch_tracked, x.option_ids, x.configuration,
		coalesce(w.covered, 0) AS covered, x.backordered - coalesce(w.covered, 0) AS qty
		FROM so_lines x JOIN sales_orders o ON o.id = x.so_id JOIN products p ON p.id = x.product_id
		JOIN locations l ON l.id = o.location_id
		LEFT JOIN LATERAL (SELECT sum(w.qty - w.completed_qty) AS covered FROM work_orders w
		                   WHERE w.so_line_id = x.id AND w.status IN ('open', 'partially_completed')) w ON true
		WHERE x.backordered > 0 AND o.status IN ('confirmed', 'partially_shipped')
		  AND (x.custom OR EXISTS (SELECT 1 FROM product_bom m WHERE m.product_id = x.product_id))
		  AND (coalesce(cardinality($1::text[]), 0) = 0 OR o.number = ANY($1))
		ORDER BY coalesce(o.ship_by, 'infinity'::date), o.order_date, o.number, x.line_no`, pq.StringArray(orders))
	if err != nil {
		return nil, db.Classify(err)
	}
	out := []Generated{}
	var build []int
	for _, c := range cands {
		g := c.Generated
		g.lineID, g.productID, g.locationID = c.LineID, c.ProductID, c.LocationID
		g.optionIDs, g.configuration = c.OptionIDs, c.Configuration
		switch {
		case !g.Qty.IsPositive():
			g.Qty = decimal.Zero
			g.Skipped = "covered by open work orders"
		case c.Serialized || c.BatchTracked:
			g.Skipped = "serialised or batch-tracked: work orders build untracked products only"
		default:
			build = append(build, len(out))
		}
		out = append(out, g)
	}
	if len(build) == 0 {
		return out, nil
	}
	numbers, err := numbering.NextN(ctx, q, numbering.WorkOrder, len(build))
	if err != nil {
		return nil, err
	}
	var nums, configs, opts []string
	var prods, locs, lines []int64
	var qtys []string
	for i, k := range build {
		g := &out[k]
		g.WO = numbers[i]
		nums = append(nums, g.WO)
		prods = append(prods, g.productID)
		locs = append(locs, g.locationID)
		lines = append(lines, g.lineID)
		qtys = append(qtys, g.Qty.String())
		configs = append(configs, g.configuration)
		// As text ("{1,2}"): unnest cannot take an array of arrays of different lengths.
		ids := "{}"
		if len(g.optionIDs) > 0 {
			v, err := g.optionIDs.Value()
			if err != nil {
				return nil, err
			}
			ids = v.(string)
		}
		opts = append(opts, ids)
	}
	_, err = q.ExecContext(ctx, `INSERT INTO work_orders (number, product_id, location_id, qty, so_line_id, configuration, option_ids)
		SELECT n, p, l, q, s, c, o::bigint[] FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::numeric[], $5::bigint[], $6::text[], $7::text[])
		AS w (n, p, l, q, s, c, o)`,
		pq.StringArray(nums), pq.Int64Array(prods), pq.Int64Array(locs), pq.StringArray(qtys), pq.Int64Array(lines),
		pq.StringArray(configs), pq.StringArray(opts))
	return out, db.Classify(err)
}
