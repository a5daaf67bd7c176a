-- Variants follow their template.
--
-- A variant either follows its template's price (product_variants.own_price false): its sell
-- price is the template's sell price plus the price extras of its attribute values, kept so
-- by the triggers below whatever changes the template's price or an extra (product edit,
-- price break set, imports, a formula, psql), and pricing.Quote applies the template's
-- breaks and special prices to it (plus its extras) where it has none of its own; or it has
-- its own price (own_price true), set the moment its sell price is changed by anything other
-- than its template, and is priced like any other product. `product variants follow` puts
-- a variant back on its template's price. Variants made before this migration keep their
-- prices as their own, so nothing changes under existing users.
--
-- Configurable options into the bill of materials: an option may name components
-- (product_option_components) that replace a component of the product's bill of materials or
-- add to it. A sales line records the options chosen (so_lines.option_ids), a work order the
-- options it builds with (work_orders.option_ids, copied from its line by wo generate or
-- chosen on wo new), and the work order consumes the bill of materials with them applied.

-- +goose Up
ALTER TABLE product_variants ADD COLUMN own_price boolean NOT NULL DEFAULT false;
UPDATE product_variants SET own_price = true;

-- +goose StatementBegin
-- variant_extras is the sum of the price extras of a variant's attribute values.
CREATE FUNCTION variant_extras(variant bigint) RETURNS numeric LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
  SELECT coalesce(sum(av.price_extra), 0) FROM product_variant_values pv
  JOIN product_attribute_values av ON av.id = pv.value_id WHERE pv.variant_id = variant
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- variants_follow sets the sell price of template's following variants to the template's
-- sell price plus their extras (variants priced by a formula keep computing theirs). A price
-- that would come out negative is refused, naming the variant. While it writes, the setting
-- stockctl.variant_follow is on, so the writes are not taken for a price set on the variant.
CREATE FUNCTION variants_follow(template bigint) RETURNS void LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  bad record;
  prev text := coalesce(current_setting('stockctl.variant_follow', true), '');
BEGIN
  SELECT v.sku, t.sku AS template, t.sell_price, variant_extras(v.id) AS extras INTO bad
    FROM product_variants l JOIN products v ON v.id = l.variant_id JOIN products t ON t.id = l.template_id
    WHERE l.template_id = template AND NOT l.own_price AND v.price_formula = 'fixed'
      AND t.sell_price + variant_extras(v.id) < 0
    ORDER BY v.sku LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'variant % of %: sell price % + price extras % = % is negative: change the template''s sell price or the extras, or give the variant its own price (stockctl product edit % --sell-price P)',
      bad.sku, bad.template, bad.sell_price, bad.extras, bad.sell_price + bad.extras, bad.sku;
  END IF;
  PERFORM set_config('stockctl.variant_follow', 'on', true);
  UPDATE products v SET sell_price = t.sell_price + variant_extras(v.id)
    FROM product_variants l JOIN products t ON t.id = l.template_id
    WHERE l.template_id = template AND v.id = l.variant_id AND NOT l.own_price AND v.price_formula = 'fixed'
      AND v.sell_price IS DISTINCT FROM t.sell_price + variant_extras(v.id);
  PERFORM set_config('stockctl.variant_follow', prev, true);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- A product's sell price changed: if it is a variant and its template did not make the
-- change, the variant has its own price from now on (and keeps the value it was given, even
-- when its template's change in the same statement moved it meanwhile); if it is a template,
-- its following variants move with it.
CREATE FUNCTION variant_sell_price_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  IF coalesce(current_setting('stockctl.variant_follow', true), '') <> 'on'
     AND EXISTS (SELECT 1 FROM product_variants WHERE variant_id = NEW.id) THEN
    UPDATE product_variants SET own_price = true WHERE variant_id = NEW.id AND NOT own_price;
    UPDATE products SET sell_price = NEW.sell_price WHERE id = NEW.id AND sell_price IS DISTINCT FROM NEW.sell_price;
  END IF;
  IF EXISTS (SELECT 1 FROM product_variants WHERE template_id = NEW.id) THEN
    PERFORM variants_follow(NEW.id);
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER products_variant_sell_price AFTER UPDATE OF sell_price ON products FOR EACH ROW
  WHEN (OLD.sell_price IS DISTINCT FROM NEW.sell_price) EXECUTE FUNCTION variant_sell_price_changed();

-- +goose StatementBegin
-- A changed price extra moves the following variants of the attribute's template.
CREATE FUNCTION variant_extra_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM variants_follow((SELECT product_id FROM product_attributes WHERE id = NEW.attribute_id));
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER product_attribute_values_extra AFTER UPDATE OF price_extra ON product_attribute_values FOR EACH ROW
  WHEN (OLD.price_extra IS DISTINCT FROM NEW.price_extra) EXECUTE FUNCTION variant_extra_changed();

CREATE TABLE product_option_components (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id   bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE, -- the configurable product
  option_id    bigint NOT NULL REFERENCES product_options (id) ON DELETE CASCADE,
  component_id bigint NOT NULL REFERENCES products (id),
  -- qty of the component (in its stock unit) per one stock unit of the product
  qty          numeric NOT NULL CHECK (qty > 0 AND qty < 1e12),
  -- the bill-of-materials component the chosen option takes out (NULL: the component adds)
  replaces_id  bigint REFERENCES products (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL DEFAULT stockctl_actor(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL DEFAULT stockctl_actor(),
  UNIQUE (option_id, component_id),
  CHECK (component_id <> product_id AND replaces_id IS DISTINCT FROM product_id)
);
CREATE INDEX product_option_components_product ON product_option_components (product_id);
CREATE INDEX product_option_components_component ON product_option_components (component_id);
CREATE INDEX product_option_components_replaces ON product_option_components (replaces_id) WHERE replaces_id IS NOT NULL;
CREATE TRIGGER product_option_components_stamp BEFORE UPDATE ON product_option_components FOR EACH ROW EXECUTE FUNCTION stamp_update();
-- Watched by the change history like product_bom.
SELECT history_watch('product_option_components', 'id', 'r.product_id', '', true);

ALTER TABLE so_lines ADD COLUMN option_ids bigint[] NOT NULL DEFAULT '{}';
ALTER TABLE work_orders ADD COLUMN option_ids bigint[] NOT NULL DEFAULT '{}',
  ADD COLUMN configuration text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE work_orders DROP COLUMN configuration, DROP COLUMN option_ids;
ALTER TABLE so_lines DROP COLUMN option_ids;
DROP TABLE product_option_components;
DROP TRIGGER product_attribute_values_extra ON product_attribute_values;
DROP FUNCTION variant_extra_changed();
DROP TRIGGER products_variant_sell_price ON products;
DROP FUNCTION variant_sell_price_changed();
DROP FUNCTION variants_follow(bigint);
DROP FUNCTION variant_extras(bigint);
ALTER TABLE product_variants DROP COLUMN own_price;
