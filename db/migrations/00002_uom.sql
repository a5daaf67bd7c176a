-- Units of measure: categories (count, weight, length, volume, time), each with a reference
-- unit, and units with an exact ratio to their category's reference unit (g = 0.001 kg).
-- Quantities convert only within a category; precision is how many decimals a quantity in the
-- unit keeps.

-- +goose Up
CREATE TABLE uom_categories (
  code           text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{0,31}$'),
  name           text NOT NULL,
  -- The unit every other unit of the category is measured against; its ratio is 1.
  reference_unit text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     text NOT NULL DEFAULT stockctl_actor(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text NOT NULL DEFAULT stockctl_actor()
);
CREATE TRIGGER uom_categories_stamp BEFORE UPDATE ON uom_categories FOR EACH ROW EXECUTE FUNCTION stamp_update();

-- Codes start with a letter so a code is never mistaken for a quantity, and are case-sensitive
-- (mg is not Mg).
CREATE TABLE uoms (
  code       text PRIMARY KEY CHECK (code ~ '^[A-Za-z][A-Za-z0-9_.-]{0,15}$'),
  name       text NOT NULL,
  category   text NOT NULL REFERENCES uom_categories (code) ON UPDATE CASCADE,
  -- One of this unit is ratio reference units: 1 g = 0.001 kg.
  ratio      numeric NOT NULL CHECK (ratio > 0),
  precision  smallint NOT NULL CHECK (precision BETWEEN 0 AND 6),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT stockctl_actor(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT stockctl_actor(),
  UNIQUE (code, category) -- target of uom_categories_reference_unit
);
CREATE TRIGGER uoms_stamp BEFORE UPDATE ON uoms FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX uoms_category ON uoms (category, ratio);

-- A category's reference unit has ratio 1. The foreign key added below says the reference unit
-- exists and belongs to the category; these two triggers keep its ratio at 1 from either side.
-- +goose StatementBegin
CREATE FUNCTION uom_categories_reference_ratio() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r numeric;
BEGIN
  SELECT ratio INTO r FROM uoms WHERE code = NEW.reference_unit;
  IF FOUND AND r <> 1 THEN
    RAISE EXCEPTION 'unit % cannot be the reference unit of %: its ratio is %, a reference unit''s is 1',
      NEW.reference_unit, NEW.code, r;
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER uom_categories_reference_ratio BEFORE INSERT OR UPDATE OF reference_unit ON uom_categories
  FOR EACH ROW EXECUTE FUNCTION uom_categories_reference_ratio();

-- +goose StatementBegin
CREATE FUNCTION uoms_reference_ratio() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.ratio <> 1 AND EXISTS (SELECT 1 FROM uom_categories WHERE reference_unit = NEW.code) THEN
    RAISE EXCEPTION 'unit % is the reference unit of its category: its ratio must stay 1', NEW.code;
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER uoms_reference_ratio BEFORE INSERT OR UPDATE OF ratio ON uoms
  FOR EACH ROW EXECUTE FUNCTION uoms_reference_ratio();

INSERT INTO uom_categories (code, name, reference_unit) VALUES
  ('count', 'Count', 'ea'),
  ('weight', 'Weight', 'kg'),
  ('length', 'Length', 'm'),
  ('volume', 'Volume', 'l'),
  ('time', 'Time', 's'); -- the second, so every time unit has an exact ratio

INSERT INTO uoms (code, name, category, ratio, precision) VALUES
  ('ea', 'each', 'count', 1, 0),
  ('pair', 'pair', 'count', 2, 0),
  ('dozen', 'dozen', 'count', 12, 0),
  ('kg', 'kilogram', 'weight', 1, 3),
  ('g', 'gram', 'weight', 0.001, 0),
  ('mg', 'milligram', 'weight', 0.000001, 0),
  ('t', 'tonne', 'weight', 1000, 3),
  ('lb', 'pound', 'weight', 0.45359237, 3),
  ('oz', 'ounce', 'weight', 0.028349523125, 2),
  ('m', 'metre', 'length', 1, 3),
  ('cm', 'centimetre', 'length', 0.01, 1),
  ('mm', 'millimetre', 'length', 0.001, 0),
  ('km', 'kilometre', 'length', 1000, 3),
  ('in', 'inch', 'length', 0.0254, 2),
  ('ft', 'foot', 'length', 0.3048, 2),
  ('l', 'litre', 'volume', 1, 3),
  ('ml', 'millilitre', 'volume', 0.001, 0),
  ('m3', 'cubic metre', 'volume', 1000, 3),
  ('gal', 'US gallon', 'volume', 3.785411784, 3),
  ('s', 'second', 'time', 1, 0),
  ('min', 'minute', 'time', 60, 2),
  ('h', 'hour', 'time', 3600, 2),
  ('day', 'day', 'time', 86400, 2),
  ('week', 'week', 'time', 604800, 2);

-- Deferred, so a new category and its reference unit can be inserted in either order in one
-- transaction.
ALTER TABLE uom_categories ADD CONSTRAINT uom_categories_reference_unit
  FOREIGN KEY (reference_unit, code) REFERENCES uoms (code, category)
  DEFERRABLE INITIALLY DEFERRED;

-- +goose Down
ALTER TABLE uom_categories DROP CONSTRAINT uom_categories_reference_unit;
DROP TABLE uoms;
DROP TABLE uom_categories;
DROP FUNCTION uoms_reference_ratio();
DROP FUNCTION uom_categories_reference_ratio();
