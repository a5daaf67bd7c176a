package stock

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
)

// Names of the invariants Check verifies; they are the check column of stock check's output
// and stable for scripts.
const (
	CheckBalanceLedger = "balance_ledger"   // on hand per product and location = the ledger's sum
	CheckBalanceQuants = "balance_quants"   // on hand = the sum of its bay/batch/serial quants
	CheckQuantLedger   = "quant_ledger"     // each quant = the ledger's sum at its bay, batch and serial
	CheckAllocated     = "allocated"        // 0 <= allocated <= on hand
	CheckNegative      = "negative"         // no negative stock unless allowed; batches and serials never
	CheckSerial        = "serial"           // a serial's quantity is 0 or 1, and it is in one place at most
	CheckTracking      = "tracking"         // moves and stock of serialised/batch-tracked products name them
	CheckCostStock     = "cost_stock"       // the stock a product's average cost is spread over = its on hand
	CheckUntracked     = "untracked"        // only stock-tracked products of type stock hold stock
	CheckAllocOrders   = "allocated_orders" // allocated per product and location = its order lines' allocations
	CheckBay           = "bay"              // a quant's bay is in the quant's location
	CheckOwner         = "owner"            // a quant's batch and serial number are its product's own
)

// MaxPerCheck is how many violations of one check Check returns; more are summed up in one
// extra violation, so a badly broken database still gives a readable report.
const MaxPerCheck = 1000

// Violation is one broken invariant.
type Violation struct {
	Check    string  `db:"check_name" json:"check"`
	SKU      string  `db:"sku" json:"sku"`
	Location *string `db:"location" json:"location"`
	Detail   string  `db:"detail" json:"detail"`
}

// checkWorkMem is the memory each hash and sort of the check may use before spilling to
// disk (PostgreSQL's default is 4MB). The ledger is summed in one aggregate whose groups are
// the product, location, bay, batch and serial combinations: 4.3 million for 10 million
// moves in scripts' bench data, where 256MB ran as fast as 1GB (spilling the rest costs
// little) and faster than 128MB.
const checkWorkMem = "256MB"

// checkSQL verifies every invariant in one statement, so all of it sees one snapshot of the
// database even while postings go on (READ COMMITTED takes a snapshot per statement).
//
// The ledger is the big table, so it is read in one aggregate and never joined: each move
// gives a row for its destination (+qty) and one for its source (-qty) when that is a
// holding location, each quant a row of -qty, and one hash aggregate sums them per
// (product, location, bay, batch, serial), keeping only the groups that do not sum to 0:
// exactly the quants that disagree with the ledger (quant_ledger). Ids 0 stand for "no bay,
// batch or serial". The balances are compared with the quants the same way, per product
// and location (a fraction of the ledger's size); as ledger - on hand = (ledger - quants) +
// (quants - on hand), the balances that disagree with the ledger follow from the few
// differences of both, without summing the ledger per location. The other checks read
// balances and quants once each, and the moves once more for the tracking rule.
const checkSQL = `WITH
holding AS MATERIALIZED (SELECT id FROM locations WHERE kind IN ('internal', 'transit')),
negative_ok AS MATERIALIZED (
	SELECT coalesce((SELECT value = 'true' FROM settings WHERE key = 'negative_stock_allowed'), false) AS ok
),
-- Fine-grain differences, ledger minus quants. (The subqueries name locations rather than
-- the holding CTE: a CTE scan would keep the scans from running in parallel.)
diff AS MATERIALIZED (
	SELECT product_id, location_id, bay_id, batch_id, serial_id, sum(qty) AS diff
	FROM (SELECT product_id, to_location_id AS location_id, coalesce(to_bay_id, 0) AS bay_id,
	             coalesce(batch_id, 0) AS batch_id, coalesce(serial_id, 0) AS serial_id, qty
	      FROM stock_moves WHERE to_location_id IN (SELECT id FROM locations WHERE kind IN ('internal', 'transit'))
	      UNION ALL
	      SELECT product_id, from_location_id, coalesce(from_bay_id, 0), coalesce(batch_id, 0), coalesce(serial_id, 0),
	             -qty
	      FROM stock_moves WHERE from_location_id IN (SELECT id FROM locations WHERE kind IN ('internal', 'transit'))
	      UNION ALL
	      SELECT product_id, location_id, coalesce(bay_id, 0), coalesce(batch_id, 0), coalesce(serial_id, 0), -qty
	      FROM stock_quants) s
	GROUP BY 1, 2, 3, 4, 5
	HAVING sum(qty) <> 0
),
-- Per product and location, the quants minus on hand where they differ, the same way.
balance_diff AS MATERIALIZED (
	SELECT product_id, location_id, sum(qty) AS diff
	FROM (SELECT product_id, location_id, qty FROM stock_quants
	      UNION ALL
	      SELECT product_id, location_id, -on_hand FROM stock_balances) s
	GROUP BY 1, 2
	HAVING sum(qty) <> 0
),
-- Where on hand, the quants or the ledger disagree: ledger - on hand = (ledger - quants) +
-- (quants - on hand), both known only where they are not 0.
loc AS (
	SELECT coalesce(x.product_id, d.product_id) AS product_id, coalesce(x.location_id, d.location_id) AS location_id,
	       b.on_hand, coalesce(b.on_hand, 0) + coalesce(x.diff, 0) AS quants,
	       coalesce(b.on_hand, 0) + coalesce(x.diff, 0) + coalesce(d.diff, 0) AS ledger
	FROM balance_diff x
	FULL JOIN (SELECT product_id, location_id, sum(diff) AS diff FROM diff GROUP BY 1, 2) d
	       ON d.product_id = x.product_id AND d.location_id = x.location_id
	LEFT JOIN stock_balances b ON b.product_id = coalesce(x.product_id, d.product_id)
	      AND b.location_id = coalesce(x.location_id, d.location_id)
),
-- Quants: negative, serial quantities and tracking, in one pass.
bad_quants AS MATERIALIZED (
	SELECT v.check_name, q.product_id, q.location_id, coalesce(q.bay_id, 0) AS bay_id,
	       coalesce(q.batch_id, 0) AS batch_id, coalesce(q.serial_id, 0) AS serial_id, v.detail
	FROM stock_quants q
	JOIN products t ON t.id = q.product_id
	-- A join, not a scalar subquery, keeps this scan free to run in parallel.
	LEFT JOIN (SELECT value = 'true' AS ok FROM settings WHERE key = 'negative_stock_allowed') n ON true
	LEFT JOIN bays y ON y.id = q.bay_id
	LEFT JOIN batches bt ON bt.id = q.batch_id
	LEFT JOIN serials sn ON sn.id = q.serial_id
	CROSS JOIN LATERAL (VALUES
	       ('negative', q.qty < 0 AND (q.batch_id IS NOT NULL OR q.serial_id IS NOT NULL OR NOT coalesce(n.ok, false)),
	        CASE WHEN q.batch_id IS NOT NULL OR q.serial_id IS NOT NULL
	             THEN format('quantity %s: a batch or serial is never negative', q.qty)
	             ELSE format('quantity %s while negative_stock_allowed is false', q.qty) END),
	       ('serial', q.serial_id IS NOT NULL AND q.qty NOT IN (0, 1),
	        format('quantity %s: a serial number is 0 or 1', q.qty)),
	       ('tracking', q.qty <> 0 AND ((t.serialized AND q.serial_id IS NULL) OR (NOT t.serialized AND q.serial_id IS NOT NULL)
	                    OR (t.batch_tracked AND q.batch_id IS NULL) OR (NOT t.batch_tracked AND q.batch_id IS NOT NULL)),
	        format('quantity %s %s', q.qty, CASE
	            WHEN t.serialized AND q.serial_id IS NULL THEN 'without a serial number, but the product is serialised'
	            WHEN t.batch_tracked AND q.batch_id IS NULL THEN 'without a batch, but the product is batch-tracked'
	            WHEN q.serial_id IS NOT NULL THEN 'with a serial number, but the product is not serialised'
	            ELSE 'with a batch, but the product is not batch-tracked' END)),
	       ('bay', y.location_id <> q.location_id,
	        format('quantity %s, but the bay is in another location', q.qty)),
	       ('owner', bt.product_id <> q.product_id OR sn.product_id <> q.product_id,
	        format('quantity %s, but the %s belongs to another product', q.qty,
	               CASE WHEN bt.product_id <> q.product_id THEN 'batch' ELSE 'serial number' END))) v (check_name, bad, detail)
	WHERE ((q.qty < 0 AND (q.batch_id IS NOT NULL OR q.serial_id IS NOT NULL OR NOT coalesce(n.ok, false)))
	       OR (q.serial_id IS NOT NULL AND q.qty NOT IN (0, 1))
	       OR (q.qty <> 0 AND ((t.serialized AND q.serial_id IS NULL) OR (NOT t.serialized AND q.serial_id IS NOT NULL)
	                        OR (t.batch_tracked AND q.batch_id IS NULL) OR (NOT t.batch_tracked AND q.batch_id IS NOT NULL)))
	       OR y.location_id <> q.location_id OR bt.product_id <> q.product_id OR sn.product_id <> q.product_id)
	  AND v.bad
),
-- Moves of serialised and batch-tracked products name a serial or batch from the first move
-- that did (tracking cannot be switched off once a product has moved) and from the
-- product's last edit on; moves before both may predate switching tracking on, which the
-- catalogue allows at zero stock. One aggregate per product says which products break
-- this (a product-sized hash, not a join per move); only their moves are then read, through
-- the (product_id, id) index.
move_tracking AS MATERIALIZED (
	SELECT product_id,
	       min(id) FILTER (WHERE serial_id IS NOT NULL) AS first_serial,
	       max(id) FILTER (WHERE serial_id IS NULL) AS last_unserialled,
	       max(created_at) FILTER (WHERE serial_id IS NULL) AS last_unserialled_at,
	       bool_or(serial_id IS NOT NULL AND qty <> 1) AS serial_qty,
	       min(id) FILTER (WHERE batch_id IS NOT NULL) AS first_batch,
	       max(id) FILTER (WHERE batch_id IS NULL) AS last_unbatched,
	       max(created_at) FILTER (WHERE batch_id IS NULL) AS last_unbatched_at
	FROM stock_moves
	GROUP BY product_id
),
bad_moves AS (
	SELECT 'tracking' AS check_name, m.product_id,
	       CASE WHEN m.to_location_id IN (SELECT id FROM holding) THEN m.to_location_id ELSE m.from_location_id END
	         AS location_id,
	       0::bigint AS bay_id, coalesce(m.batch_id, 0) AS batch_id, coalesce(m.serial_id, 0) AS serial_id,
	       format('move %s (%s, qty %s) %s', m.id, m.kind, m.qty, CASE
	            WHEN m.serial_id IS NOT NULL AND NOT p.serialized THEN 'names a serial number, but the product is not serialised'
	            WHEN m.serial_id IS NOT NULL THEN 'moves a serial number with a quantity other than 1'
	            WHEN p.serialized THEN 'has no serial number, but the product is serialised'
	            WHEN m.batch_id IS NOT NULL THEN 'names a batch, but the product is not batch-tracked'
	            ELSE 'has no batch, but the product is batch-tracked' END) AS detail
	FROM move_tracking t
	JOIN products p ON p.id = t.product_id
	-- A lateral subquery with OFFSET 0: an index walk per flagged product, never a scan.
	CROSS JOIN LATERAL (
		SELECT m.* FROM stock_moves m
		WHERE m.product_id = t.product_id
		  AND ((m.serial_id IS NOT NULL AND (NOT p.serialized OR m.qty <> 1))
		       OR (m.batch_id IS NOT NULL AND NOT p.batch_tracked)
		       OR (p.serialized AND m.serial_id IS NULL AND (m.created_at > p.updated_at OR m.id > t.first_serial))
		       OR (p.batch_tracked AND m.batch_id IS NULL AND (m.created_at > p.updated_at OR m.id > t.first_batch)))
		OFFSET 0) m
	WHERE (NOT p.serialized AND t.first_serial IS NOT NULL) OR t.serial_qty
	   OR (p.serialized AND (t.last_unserialled_at > p.updated_at OR t.last_unserialled > t.first_serial))
	   OR (NOT p.batch_tracked AND t.first_batch IS NOT NULL)
	   OR (p.batch_tracked AND (t.last_unbatched_at > p.updated_at OR t.last_unbatched > t.first_batch))
),
found (check_name, product_id, location_id, bay_id, batch_id, serial_id, detail) AS (
	SELECT 'balance_ledger', l.product_id, l.location_id, 0, 0, 0,
	       format('on hand %s, ledger %s', coalesce(l.on_hand::text, 'missing (no balance row)'), l.ledger)
	FROM loc l
	WHERE coalesce(l.on_hand, 0) <> l.ledger

	UNION ALL
	SELECT 'balance_quants', l.product_id, l.location_id, 0, 0, 0,
	       format('on hand %s, sum of quants %s', coalesce(l.on_hand::text, 'missing (no balance row)'), l.quants)
	FROM loc l
	WHERE coalesce(l.on_hand, 0) <> l.quants

	UNION ALL
	SELECT 'quant_ledger', d.product_id, d.location_id, d.bay_id, d.batch_id, d.serial_id,
	       format('quant %s, ledger %s', coalesce(q.qty::text, 'missing (no quant row)'), coalesce(q.qty, 0) + d.diff)
	FROM diff d
	LEFT JOIN stock_quants q ON q.product_id = d.product_id AND q.location_id = d.location_id
	      AND coalesce(q.bay_id, 0) = d.bay_id AND coalesce(q.batch_id, 0) = d.batch_id
	      AND coalesce(q.serial_id, 0) = d.serial_id

	UNION ALL
	SELECT v.check_name, b.product_id, b.location_id, 0, 0, 0, v.detail
	FROM stock_balances b
	JOIN products t ON t.id = b.product_id
	CROSS JOIN negative_ok n
	CROSS JOIN LATERAL (VALUES
	       ('allocated', b.allocated < 0 OR (b.allocated > 0 AND b.allocated > b.on_hand),
	        format('allocated %s, on hand %s: allocated must be between 0 and on hand', b.allocated, b.on_hand)),
	       ('negative', b.on_hand < 0 AND NOT n.ok,
	        format('on hand %s while negative_stock_allowed is false', b.on_hand)),
	       ('untracked', (b.on_hand <> 0 OR b.allocated <> 0) AND (NOT t.track_stock OR t.type <> 'stock'),
	        format('on hand %s, allocated %s, but the product %s', b.on_hand, b.allocated,
	               CASE WHEN t.type <> 'stock' THEN 'is of type ' || t.type || ', which never holds stock'
	                    ELSE 'is not stock-tracked: its stock can no longer be moved, adjusted or seen' END))) v (check_name, bad, detail)
	WHERE (b.allocated < 0 OR (b.allocated > 0 AND b.allocated > b.on_hand) OR (b.on_hand < 0 AND NOT n.ok)
	       OR ((b.on_hand <> 0 OR b.allocated <> 0) AND (NOT t.track_stock OR t.type <> 'stock'))) AND v.bad

	-- Allocations are kept twice (migration 00009): per sales order line and per product and
	-- the order's sell-from location. Work orders keep none of their own (wo complete
	-- allocates what it makes to the sales line it builds for), so the lines are all of them.
	UNION ALL
	SELECT 'allocated_orders', coalesce(b.product_id, a.product_id), coalesce(b.location_id, a.location_id), 0, 0, 0,
	       format('allocated %s, but the sales order lines selling from here allocate %s', coalesce(b.allocated, 0), coalesce(a.q, 0))
	FROM (SELECT product_id, location_id, allocated FROM stock_balances WHERE allocated <> 0) b
	FULL JOIN (SELECT x.product_id, o.location_id, sum(x.allocated) AS q
	           FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
	           WHERE x.allocated <> 0 GROUP BY 1, 2) a ON a.product_id = b.product_id AND a.location_id = b.location_id
	WHERE coalesce(b.allocated, 0) <> coalesce(a.q, 0)


	UNION ALL
	SELECT * FROM bad_quants

	UNION ALL
	SELECT 'serial', q.product_id, q.location_id, coalesce(q.bay_id, 0), coalesce(q.batch_id, 0), q.serial_id,
	       format('in stock in %s places at once: a serial number is in one place at most', d.places)
	FROM (SELECT serial_id, count(*) AS places FROM stock_quants
	      WHERE serial_id IS NOT NULL AND qty > 0 GROUP BY serial_id HAVING count(*) > 1) d
	JOIN stock_quants q ON q.serial_id = d.serial_id AND q.qty > 0

	UNION ALL
	SELECT * FROM bad_moves

	UNION ALL
	SELECT 'cost_stock', coalesce(c.product_id, b.product_id), NULL::bigint, 0, 0, 0,
	       format('the average cost is spread over %s, but %s is on hand', coalesce(c.on_hand::text, 'nothing (no cost row)'),
	              coalesce(b.on_hand, 0))
	FROM product_costs c
	FULL JOIN (SELECT product_id, sum(on_hand) AS on_hand FROM stock_balances GROUP BY 1) b ON b.product_id = c.product_id
	WHERE coalesce(c.on_hand, 0) <> coalesce(b.on_hand, 0)
),
numbered AS (
	SELECT f.*, row_number() OVER (PARTITION BY f.check_name ORDER BY f.product_id, f.location_id, f.bay_id,
	                                 f.batch_id, f.serial_id, f.detail) AS n,
	       count(*) OVER (PARTITION BY f.check_name) AS total
	FROM found f
)
SELECT f.check_name, coalesce(p.sku, '#' || f.product_id) AS sku, l.code AS location,
       coalesce(nullif(concat_ws(', ', 'bay ' || y.code, 'batch ' || b.number, 'serial ' || s.serial), '') || ': ', '')
         || f.detail
         || CASE WHEN f.n = $1 AND f.total > $1 THEN format(' (and %s more %s violations not listed)', f.total - $1, f.check_name) ELSE '' END
         AS detail
FROM numbered f
LEFT JOIN products p ON p.id = f.product_id
LEFT JOIN locations l ON l.id = f.location_id
LEFT JOIN bays y ON y.id = f.bay_id
LEFT JOIN batches b ON b.id = f.batch_id
LEFT JOIN serials s ON s.id = f.serial_id
WHERE f.n <= $1
ORDER BY array_position(ARRAY['balance_ledger', 'balance_quants', 'quant_ledger', 'allocated', 'allocated_orders',
                              'negative', 'serial', 'tracking', 'untracked', 'bay', 'owner', 'cost_stock'],
                        f.check_name), f.n`

// Check verifies the stock invariants with set-based SQL and returns every violation (at
// most MaxPerCheck per check, the last of which says how many more there are):
//
//   - balance_ledger: on hand per product and holding location equals the ledger (moves in
//     minus moves out), including ledger sums with no balance row and balance rows with no moves;
//   - balance_quants: on hand equals the sum of the location's bay/batch/serial quants;
//   - quant_ledger: each quant equals the ledger summed at its bay, batch and serial;
//   - allocated: 0 <= allocated <= on hand;
//   - allocated_orders: allocated per product and location equals the sum of the allocations
//     of the sales order lines selling from there (the only open allocations: work orders
//     allocate what they make to the line they build for);
//   - negative: on hand and quants are not negative unless negative_stock_allowed is true, and
//     batch and serial quants never are;
//   - serial: a serial's quantity is 0 or 1 and it is in stock in one place at most;
//   - tracking: moves and stock of serialised products carry a serial (qty 1) and of
//     batch-tracked products a batch, and those of other products none. Moves older than
//     the product's last edit and its first move naming a serial or batch are not held to
//     it: the catalogue lets tracking be switched on once stock is back to zero;
//   - untracked: only stock-tracked products of type stock have stock on hand or allocated
//     (what an untracked product holds can no longer be moved, adjusted or listed);
//   - bay: a quant's bay is in the quant's location;
//   - owner: a quant's batch and serial number belong to the quant's product;
//   - cost_stock: the quantity a product's average cost is spread over (kept on its cost row,
//     read under the posting lock) equals its on hand over all holding locations.
//
// These are what posting (post.go) takes for granted: Post refuses untracked products
// (untracked); pick splits a move out over the location's quants, trusting their bays
// (bay), batches and serials (owner, tracking) and that a serial quant holds 0 or 1 (serial);
// the guarded decrements read the balance next to the quants (balance_quants, allocated,
// allocated_orders: the guard on_hand - q >= allocated protects exactly the stock allocated
// to orders); negative stock is only ever plain stock (negative); the average cost is
// weighed against the on hand kept on the locked cost row (cost_stock); quants and balances
// change only with a ledger move (balance_ledger, quant_ledger), and exist only at holding
// locations (a quant anywhere else disagrees with the ledger, which is summed at holding
// locations only).
// Not checked: that quantities are in the product's current stock unit (the catalogue
// refuses to change the unit once there are moves, and the ledger does not record units),
// and that the stock in transit is what open transfers have still to receive (Post lets
// any caller move stock into transit; transfers are the only one today).
//
// stock check is an audit of the whole schema, so it reads the order tables (so_lines,
// sales_orders) with SQL of its own rather than importing orders, which inventory never does.
// Give Check a transaction (it sets work_mem and jit for it, as SET LOCAL does); the checks
// run as one statement, so they see one snapshot.
func Check(ctx context.Context, q sqlx.ExtContext) ([]Violation, error) {
	// JIT would compile the statement's ~300 expressions for seconds and win back less.
	if _, err := q.ExecContext(ctx, `SELECT set_config('work_mem', $1, true), set_config('jit', 'off', true)`, checkWorkMem); err != nil {
		return nil, db.Classify(err)
	}
	vs := []Violation{}
	err := sqlx.SelectContext(ctx, q, &vs, checkSQL, MaxPerCheck)
	return vs, db.Classify(err)
}
