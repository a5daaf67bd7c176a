-- Units on lines (issue 17, point 1): sales order, purchase order and RFQ lines are entered,
-- priced and shown in a unit of their own (a unit of the product's stock unit category or one
-- of its pack units), and keep the stock-unit quantity every stock path works in.
--
-- so_lines already kept entered_qty and unit; unit_priced says the unit price is per that
-- unit (amount = entered_qty × unit_price). Lines made before, and time billing's lines
-- (hours entered, priced per billing period), are priced per stock unit (amount = qty ×
-- unit_price), so their amounts do not move.
--
-- po_lines and rfq_lines get the unit and the quantity in it; their prices are per that unit
-- (amount = entered_qty × price). Existing lines are in the stock unit: entered_qty = qty.
--
-- supplier_prices get the unit their price and minimum are given in: price is per price_unit,
-- one of which is price_qty stock units (box of 12: price_unit box, price_qty 12); min_qty
-- stays in stock units. Existing rows are per stock unit ('' and 1).

-- +goose Up
ALTER TABLE so_lines ADD COLUMN unit_priced boolean NOT NULL DEFAULT false;

ALTER TABLE po_lines ADD COLUMN unit text, ADD COLUMN entered_qty numeric CHECK (entered_qty > 0);
UPDATE po_lines x SET unit = p.stock_uom, entered_qty = x.qty FROM products p WHERE p.id = x.product_id;
ALTER TABLE po_lines ALTER COLUMN unit SET NOT NULL, ALTER COLUMN entered_qty SET NOT NULL;

ALTER TABLE rfq_lines ADD COLUMN unit text, ADD COLUMN entered_qty numeric CHECK (entered_qty > 0);
UPDATE rfq_lines x SET unit = p.stock_uom, entered_qty = x.qty FROM products p WHERE p.id = x.product_id;
ALTER TABLE rfq_lines ALTER COLUMN unit SET NOT NULL, ALTER COLUMN entered_qty SET NOT NULL;

ALTER TABLE supplier_prices ADD COLUMN price_unit text NOT NULL DEFAULT '',
  ADD COLUMN price_qty numeric NOT NULL DEFAULT 1 CHECK (price_qty > 0);

-- +goose Down
-- Back to prices per stock unit (rounded to the 6 decimals a unit price keeps).
UPDATE supplier_prices SET price = round(price / price_qty, 6) WHERE price_qty <> 1;
UPDATE po_lines SET unit_price = round(unit_price * entered_qty / qty, 6) WHERE entered_qty <> qty;
UPDATE rfq_lines SET price = round(price * entered_qty / qty, 6) WHERE entered_qty <> qty AND price IS NOT NULL;
UPDATE so_lines SET unit_price = round(unit_price * entered_qty / qty, 6) WHERE unit_priced AND entered_qty <> qty;
ALTER TABLE supplier_prices DROP COLUMN price_qty, DROP COLUMN price_unit;
ALTER TABLE rfq_lines DROP COLUMN entered_qty, DROP COLUMN unit;
ALTER TABLE po_lines DROP COLUMN entered_qty, DROP COLUMN unit;
ALTER TABLE so_lines DROP COLUMN unit_priced;
