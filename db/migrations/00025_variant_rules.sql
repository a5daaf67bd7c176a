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
-- change, the variant has its own price from now on; if it is a template, its following
-- variants move with it.
CREATE FUNCTION variant_sell_price_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  IF coalesce(current_setting('stockctl.variant_follow', true), '') <> 'on' THEN
    UPDATE product_variants SET own_price = true WHERE variant_id = NEW.id AND NOT own_price;
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

-- +goose Down
DROP TRIGGER product_attribute_values_extra ON product_attribute_values;
DROP FUNCTION variant_extra_changed();
DROP TRIGGER products_variant_sell_price ON products;
DROP FUNCTION variant_sell_price_changed();
DROP FUNCTION variants_follow(bigint);
DROP FUNCTION variant_extras(bigint);
ALTER TABLE product_variants DROP COLUMN own_price;
