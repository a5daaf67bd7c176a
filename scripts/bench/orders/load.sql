-- scripts/bench/orders/load.sql: the data of `scripts/bench/run backorders`, loaded set-based
-- into a freshly migrated database (psql -v products=N -v lines=N -v backordered=N -f ...):
--
--   :products products (B0000001 ...), 2,000 customers, locations L1..L4;
--   :lines sales order lines, 4 per order: the first :backordered lines belong to confirmed
--   orders selling from L1, 2 backordered on each line, 2 lines per product over the first
--   :backordered / 2 products; the rest are lines of shipped orders, spread over all products;
--   stock, consistent in ledger, quants, balances and costs: 3 at L1 of every even backordered
--   product (one line releases whole, the next in part), 5 at L2 of every 4th odd one
--   ("elsewhere"), and 10 of every 10th other product at one of L1..L4.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
INSERT INTO locations (code, name) SELECT 'L' || g, 'Bench location ' || g FROM generate_series(1, 4) g;
INSERT INTO companies (code, name, currency, is_customer)
  SELECT 'C' || lpad(g::text, 5, '0'), 'Bench customer ' || g, (SELECT value FROM settings WHERE key = 'base_currency'), true
  FROM generate_series(1, 2000) g;
INSERT INTO products (sku, name, type, track_stock, sell_price)
  SELECT 'B' || lpad(g::text, 7, '0'), 'Bench product ' || g, 'stock', true, 10 FROM generate_series(1, :products) g;

CREATE TEMP TABLE pm AS SELECT id, row_number() OVER (ORDER BY id) AS i FROM products WHERE sku ~ '^B[0-9]{7}$';
CREATE UNIQUE INDEX ON pm (i);
CREATE TEMP TABLE lm AS SELECT id, row_number() OVER (ORDER BY code) AS i FROM locations WHERE code IN ('L1', 'L2', 'L3', 'L4');

CREATE TEMP TABLE st AS
  SELECT pm.id AS product_id, lm.id AS location_id, s.q::numeric AS qty
  FROM (SELECT i, 1 AS l, 3 AS q FROM generate_series(2, :backordered / 2, 2) i
        UNION ALL SELECT i, 2, 5 FROM generate_series(1, :backordered / 2, 4) i
        UNION ALL SELECT i, 1 + (i / 10) % 4, 10 FROM generate_series(:backordered / 2 + 10, :products, 10) i) s
  JOIN pm ON pm.i = s.i JOIN lm ON lm.i = s.l;
INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, unit_cost, kind, reference)
  SELECT product_id, qty, (SELECT id FROM locations WHERE code = '~adjustment'), location_id, 2, 'adjustment', 'bench'
  FROM st ORDER BY product_id;
INSERT INTO stock_quants (product_id, location_id, qty) SELECT product_id, location_id, qty FROM st;
INSERT INTO stock_balances (product_id, location_id, on_hand) SELECT product_id, location_id, qty FROM st;
INSERT INTO product_costs (product_id, avg_cost, on_hand) SELECT product_id, 2, sum(qty) FROM st GROUP BY product_id;

INSERT INTO sales_orders (number, customer_id, location_id, currency, rate, price_type, status, order_date, confirmed_at)
  SELECT 'SO-B' || lpad(g::text, 7, '0'), c.id,
         CASE WHEN g <= :backordered / 4 THEN (SELECT id FROM lm WHERE i = 1) ELSE (SELECT id FROM lm WHERE i = 1 + g % 4) END,
         c.currency, 1, 'retail', CASE WHEN g <= :backordered / 4 THEN 'confirmed' ELSE 'shipped' END,
         date '2026-01-01' + g % 180, now()
  FROM generate_series(1, :lines / 4) g JOIN companies c ON c.code = 'C' || lpad((1 + g % 2000)::text, 5, '0');
INSERT INTO so_lines (so_id, line_no, product_id, stock, qty, entered_qty, unit, unit_price, price_source, backordered, shipped)
  SELECT o.id, k, pm.id, true, 2, 2, 'ea', 10, 'sell_price',
         CASE WHEN o.status = 'confirmed' THEN 2 ELSE 0 END, CASE WHEN o.status = 'confirmed' THEN 0 ELSE 2 END
  FROM (SELECT id, status, substr(number, 5)::bigint AS g FROM sales_orders WHERE number LIKE 'SO-B%') o
  CROSS JOIN generate_series(1, 4) k
  JOIN pm ON pm.i = CASE WHEN o.status = 'confirmed' THEN ((o.g - 1) * 4 + k - 1) % (:backordered / 2) + 1
                         ELSE (o.g * 7919 + k * 104729) % :products + 1 END;
COMMIT;
VACUUM ANALYZE;
