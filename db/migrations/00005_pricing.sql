-- Pricing: selling price formulas per product, quantity price breaks per product, price type
-- and sales region, customer special prices with validity dates, and the rules that keep the
-- unit sell price, its formula and the default price type's first break row in step.
--
-- The first break row of the default price type (no region, minimum 0) is the product's unit
-- sell price itself: it is never stored in price_breaks. Writing that row (from any code path)
-- sets products.sell_price instead, and the view product_price_breaks shows it next to the
-- stored rows. When the default price type changes, the old default's first rows are stored
-- (its customers keep their prices) and the new default's stored first rows become the sell
-- price (see pricing_default_type_changed).

-- +goose Up
ALTER TABLE products
  ADD COLUMN price_formula text NOT NULL DEFAULT 'fixed'
    CHECK (price_formula IN ('fixed', 'markup', 'margin', 'discount', 'list')),
  ADD COLUMN price_pct numeric,
  ADD COLUMN same_price_all_locations boolean NOT NULL DEFAULT false,
  -- p is a percentage: markup p >= 0, margin 0 <= p < 100 (100 % margin needs an infinite
  -- price), discount 0 <= p <= 100; fixed and list take none.
  ADD CONSTRAINT products_price_pct CHECK (
    CASE price_formula
      WHEN 'markup' THEN price_pct >= 0 AND price_pct < 1000000
      WHEN 'margin' THEN price_pct >= 0 AND price_pct < 100
      WHEN 'discount' THEN price_pct >= 0 AND price_pct <= 100
      ELSE price_pct IS NULL
    END);

-- +goose StatementBegin
-- The sell price a formula gives, rounded half away from zero to the base currency's minor
-- units (2 for USD); NULL for fixed, whose sell price is typed.
CREATE FUNCTION pricing_formula_price(formula text, pct numeric, cost numeric, list numeric)
RETURNS numeric LANGUAGE sql STABLE AS $$
  SELECT round(CASE formula
      WHEN 'markup' THEN cost * (1 + pct / 100)
      WHEN 'margin' THEN cost / (1 - pct / 100)
      WHEN 'discount' THEN list * (1 - pct / 100)
      WHEN 'list' THEN list
    END,
    coalesce((SELECT c.minor_units FROM settings s JOIN currencies c ON c.code = s.value
              WHERE s.key = 'base_currency'), 2))
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- A product priced by a formula gets its sell price recomputed whenever it is written, so a
-- new cost or list price (product edit, imports, receipts, anything) moves the sell price. A
-- sell price typed over a formula is refused rather than silently replaced.
CREATE FUNCTION pricing_apply_formula() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER products_price_formula BEFORE INSERT OR UPDATE ON products FOR EACH ROW
  WHEN (NEW.price_formula <> 'fixed') EXECUTE FUNCTION pricing_apply_formula();

-- Quantity price breaks: the row with the largest min_qty <= the line quantity prices the
-- whole line. region NULL is a row for every region; a region row is used by location-based
-- pricing (setting location_pricing).
CREATE TABLE price_breaks (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  price_type text NOT NULL REFERENCES price_types (code) ON UPDATE CASCADE,
  region     text REFERENCES sales_regions (code) ON UPDATE CASCADE,
  min_qty    numeric NOT NULL CHECK (min_qty >= 0 AND min_qty < 1e12),
  price      numeric NOT NULL CHECK (price >= 0 AND price < 1e12),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT stockctl_actor(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT stockctl_actor()
);
CREATE TRIGGER price_breaks_stamp BEFORE UPDATE ON price_breaks FOR EACH ROW EXECUTE FUNCTION stamp_update();
-- One row per product, price type, region (or none) and minimum; 1 and 1.00 are the same minimum.
CREATE UNIQUE INDEX price_breaks_key ON price_breaks (product_id, price_type, (coalesce(region, '')), min_qty);

-- +goose StatementBegin
-- The default price type's first row (no region, minimum 0) is the unit sell price: writing it
-- sets the product's sell price instead of storing a row. The settings row is read FOR SHARE
-- so a concurrent change of the default price type waits for this transaction (and the other
-- way round), never leaving a stored first row of the default type.
CREATE FUNCTION price_breaks_sell_price_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  def text;
BEGIN
  SELECT value INTO def FROM settings WHERE key = 'default_price_type' FOR SHARE;
  IF NEW.price_type IS DISTINCT FROM def THEN
    RETURN NEW;
  END IF;
  UPDATE products SET sell_price = NEW.price WHERE id = NEW.product_id AND sell_price IS DISTINCT FROM NEW.price;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER price_breaks_sell_price_row BEFORE INSERT OR UPDATE ON price_breaks FOR EACH ROW
  WHEN (NEW.region IS NULL AND NEW.min_qty = 0) EXECUTE FUNCTION price_breaks_sell_price_row();

-- +goose StatementBegin
-- A new default price type: the old default's first rows are stored as ordinary rows of that
-- type (its customers keep their prices); the new default's stored first rows become the sell
-- price of fixed-price products (a formula keeps computing it) and are removed, since that row
-- is the sell price from now on. Runs whichever command changes the setting.
CREATE FUNCTION pricing_default_type_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO price_breaks (product_id, price_type, region, min_qty, price)
    SELECT id, OLD.value, NULL, 0, sell_price FROM products
    WHERE EXISTS (SELECT 1 FROM price_types t WHERE t.code = OLD.value)
    ON CONFLICT (product_id, price_type, (coalesce(region, '')), min_qty) DO NOTHING;
  UPDATE products p SET sell_price = b.price
    FROM price_breaks b
    WHERE b.product_id = p.id AND b.price_type = NEW.value AND b.region IS NULL AND b.min_qty = 0
      AND p.price_formula = 'fixed' AND p.sell_price IS DISTINCT FROM b.price;
  DELETE FROM price_breaks WHERE price_type = NEW.value AND region IS NULL AND min_qty = 0;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER settings_default_price_type AFTER UPDATE ON settings FOR EACH ROW
  WHEN (NEW.key = 'default_price_type' AND OLD.value IS DISTINCT FROM NEW.value)
  EXECUTE FUNCTION pricing_default_type_changed();

-- +goose StatementBegin
-- The default price type cannot be deactivated: new customers get it and it prices everyone
-- without a better rule.
CREATE FUNCTION price_types_keep_default() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM settings WHERE key = 'default_price_type' AND value = OLD.code) THEN
    RAISE EXCEPTION 'price type % is the default price type and cannot be deactivated: make another one the default first (stockctl price-type default CODE)', OLD.code;
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER price_types_keep_default BEFORE UPDATE OF active ON price_types FOR EACH ROW
  WHEN (OLD.active AND NOT NEW.active) EXECUTE FUNCTION price_types_keep_default();

-- Every break row of every product, the default price type's first row (the unit sell price)
-- included: what price break list shows and what exports read.
CREATE VIEW product_price_breaks (product_id, price_type, region, min_qty, price, is_sell_price, updated_at, updated_by) AS
  SELECT product_id, price_type, region, min_qty, price, false, updated_at, updated_by FROM price_breaks
  UNION ALL
  SELECT p.id, s.value, NULL::text, 0::numeric, p.sell_price, true, p.updated_at, p.updated_by
  FROM products p JOIN settings s ON s.key = 'default_price_type';

-- Special prices: per customer and product, their own break rows, each valid from/until the
-- given days (inclusive; NULL is open-ended).
CREATE TABLE special_prices (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES companies (id),
  product_id  bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  min_qty     numeric NOT NULL DEFAULT 0 CHECK (min_qty >= 0 AND min_qty < 1e12),
  price       numeric NOT NULL CHECK (price >= 0 AND price < 1e12),
  valid_from  date,
  valid_until date,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL DEFAULT stockctl_actor(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT stockctl_actor(),
  UNIQUE (customer_id, product_id, min_qty),
  CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from <= valid_until)
);
CREATE TRIGGER special_prices_stamp BEFORE UPDATE ON special_prices FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX special_prices_product ON special_prices (product_id);

-- +goose Down
DROP TABLE special_prices;
DROP VIEW product_price_breaks;
DROP TRIGGER price_types_keep_default ON price_types;
DROP FUNCTION price_types_keep_default();
DROP TRIGGER settings_default_price_type ON settings;
DROP FUNCTION pricing_default_type_changed();
DROP TABLE price_breaks;
DROP FUNCTION price_breaks_sell_price_row();
DROP TRIGGER products_price_formula ON products;
DROP FUNCTION pricing_apply_formula();
DROP FUNCTION pricing_formula_price(text, numeric, numeric, numeric);
ALTER TABLE products
  DROP CONSTRAINT products_price_pct,
  DROP COLUMN same_price_all_locations,
  DROP COLUMN price_pct,
  DROP COLUMN price_formula;
