-- Costs (issue 17): which cost a sell price formula works from, and whether receipts move a
-- product's cost price.
--
-- product_cost(id, cost_price) is a product's current cost: its moving-average cost while it
-- has stock on hand (over every holding location, as product_costs keeps it), else its cost
-- price. Stock coming in without a unit cost is valued at it (inventory/stock, Post), and the
-- markup and margin formulas work from it, so a received product is priced from what its
-- stock cost. The stored sell price stays the formula's price: the products trigger computes
-- it from product_cost, and a posting that changes a product's current cost writes the
-- product row again (inventory/stock, follow), which runs the trigger.
--
-- The setting cost_price_follows says whether receipts move products.cost_price: average (the
-- cost price becomes the average cost whenever stock coming in or a landed cost changes it),
-- last_receipt (the unit cost of the last stock that came in with a cost of its own) or
-- manual (only people change it).

-- +goose Up
INSERT INTO settings (key, value) VALUES ('cost_price_follows', 'average') ON CONFLICT (key) DO NOTHING;

-- +goose StatementBegin
CREATE FUNCTION product_cost(product bigint, cost_price numeric) RETURNS numeric LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
  SELECT coalesce((SELECT c.avg_cost FROM product_costs c WHERE c.product_id = product AND c.on_hand > 0), cost_price)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION pricing_apply_formula() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  computed numeric := pricing_formula_price(NEW.price_formula, NEW.price_pct, product_cost(NEW.id, NEW.cost_price), NEW.list_price);
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.sell_price IS DISTINCT FROM OLD.sell_price AND NEW.sell_price <> computed
     AND NEW.price_formula = OLD.price_formula AND NEW.price_pct IS NOT DISTINCT FROM OLD.price_pct THEN
    RAISE EXCEPTION 'product %: the sell price comes from its % formula (%), so % cannot be typed over it; change the cost or list price, or make the price fixed first: stockctl price formula % fixed',
      NEW.sku, NEW.price_formula, computed, NEW.sell_price, NEW.sku;
  END IF;
  NEW.sell_price := computed;
  RETURN NEW;
END
$$;
-- +goose StatementEnd

-- Products priced from their cost whose stock cost differs from the cost price get the price
-- the formula now gives.
UPDATE products SET price_formula = price_formula
WHERE price_formula IN ('markup', 'margin')
  AND sell_price IS DISTINCT FROM pricing_formula_price(price_formula, price_pct, product_cost(id, cost_price), list_price);

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION pricing_apply_formula() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  computed numeric := pricing_formula_price(NEW.price_formula, NEW.price_pct, NEW.cost_price, NEW.list_price);
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.sell_price IS DISTINCT FROM OLD.sell_price AND NEW.sell_price <> computed
     AND NEW.price_formula = OLD.price_formula AND NEW.price_pct IS NOT DISTINCT FROM OLD.price_pct THEN
    RAISE EXCEPTION 'product %: the sell price comes from its % formula (%), so % cannot be typed over it; change the cost or list price, or make the price fixed first: stockctl price formula % fixed',
      NEW.sku, NEW.price_formula, computed, NEW.sell_price, NEW.sku;
  END IF;
  NEW.sell_price := computed;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
UPDATE products SET price_formula = price_formula
WHERE price_formula IN ('markup', 'margin')
  AND sell_price IS DISTINCT FROM pricing_formula_price(price_formula, price_pct, cost_price, list_price);
DROP FUNCTION product_cost(bigint, numeric);
DELETE FROM settings WHERE key = 'cost_price_follows';
