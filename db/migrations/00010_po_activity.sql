-- product_activity counts open purchase order lines too: a product on a draft, ordered or
-- partially received PO has open orders, so the catalogue refuses to stop tracking its stock
-- (and the other rules that read open_orders) until the PO is received or cancelled.
--
-- The view is restated from its latest definition (00009_sales.sql), keeping its columns and
-- branches; Down restores that definition.

-- +goose Up
CREATE OR REPLACE VIEW product_activity (product_id, on_hand, allocated, open_orders, moves) AS
  SELECT b.product_id, sum(b.on_hand), sum(b.allocated),
         (SELECT count(*) FROM so_lines l JOIN sales_orders o ON o.id = l.so_id
          WHERE l.product_id = b.product_id AND o.status IN ('draft', 'confirmed', 'partially_shipped', 'shipped'))
         + (SELECT count(*) FROM po_lines l JOIN purchase_orders o ON o.id = l.po_id
            WHERE l.product_id = b.product_id AND o.status IN ('draft', 'ordered', 'partially_received')),
         (SELECT count(*) FROM stock_moves m WHERE m.product_id = b.product_id)
  FROM stock_balances b
  GROUP BY b.product_id
  UNION ALL
  SELECT p.id, 0, 0,
         (SELECT count(*) FROM so_lines l JOIN sales_orders o ON o.id = l.so_id
          WHERE l.product_id = p.id AND o.status IN ('draft', 'confirmed', 'partially_shipped', 'shipped'))
         + (SELECT count(*) FROM po_lines l JOIN purchase_orders o ON o.id = l.po_id
            WHERE l.product_id = p.id AND o.status IN ('draft', 'ordered', 'partially_received')),
         (SELECT count(*) FROM stock_moves m WHERE m.product_id = p.id)
  FROM products p
  WHERE NOT EXISTS (SELECT 1 FROM stock_balances b WHERE b.product_id = p.id)
    AND (EXISTS (SELECT 1 FROM stock_moves m WHERE m.product_id = p.id)
         OR EXISTS (SELECT 1 FROM so_lines l JOIN sales_orders o ON o.id = l.so_id
                    WHERE l.product_id = p.id AND o.status IN ('draft', 'confirmed', 'partially_shipped', 'shipped'))
         OR EXISTS (SELECT 1 FROM po_lines l JOIN purchase_orders o ON o.id = l.po_id
                    WHERE l.product_id = p.id AND o.status IN ('draft', 'ordered', 'partially_received')));

-- +goose Down
CREATE OR REPLACE VIEW product_activity (product_id, on_hand, allocated, open_orders, moves) AS
  SELECT b.product_id, sum(b.on_hand), sum(b.allocated),
         (SELECT count(*) FROM so_lines l JOIN sales_orders o ON o.id = l.so_id
          WHERE l.product_id = b.product_id AND o.status IN ('draft', 'confirmed', 'partially_shipped', 'shipped')),
         (SELECT count(*) FROM stock_moves m WHERE m.product_id = b.product_id)
  FROM stock_balances b
  GROUP BY b.product_id
  UNION ALL
  SELECT p.id, 0, 0,
         (SELECT count(*) FROM so_lines l JOIN sales_orders o ON o.id = l.so_id
          WHERE l.product_id = p.id AND o.status IN ('draft', 'confirmed', 'partially_shipped', 'shipped')),
         (SELECT count(*) FROM stock_moves m WHERE m.product_id = p.id)
  FROM products p
  WHERE NOT EXISTS (SELECT 1 FROM stock_balances b WHERE b.product_id = p.id)
    AND (EXISTS (SELECT 1 FROM stock_moves m WHERE m.product_id = p.id)
         OR EXISTS (SELECT 1 FROM so_lines l JOIN sales_orders o ON o.id = l.so_id
                    WHERE l.product_id = p.id AND o.status IN ('draft', 'confirmed', 'partially_shipped', 'shipped')));
