-- backorders list walks the open orders oldest first, (order date, number), and their
-- backordered lines, so its rows come in order from the start and are printed while they
-- are read (orders/sales/backorders.go). Both indexes carry every column the walk reads,
-- so where the tables are all-visible it never touches their heaps. The priority index of
-- 00009 leads with ship-by, which is release order, not age.

-- +goose Up
CREATE INDEX sales_orders_open_age ON sales_orders (order_date, number)
  INCLUDE (id, ship_by, customer_id, location_id)
  WHERE status IN ('confirmed', 'partially_shipped');
DROP INDEX so_lines_backordered_so;
CREATE INDEX so_lines_backordered_so ON so_lines (so_id)
  INCLUDE (line_no, product_id, backordered, custom) WHERE backordered > 0;

-- +goose Down
DROP INDEX so_lines_backordered_so;
CREATE INDEX so_lines_backordered_so ON so_lines (so_id) WHERE backordered > 0;
DROP INDEX sales_orders_open_age;
