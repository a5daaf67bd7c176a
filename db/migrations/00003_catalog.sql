-- Product catalogue: products of every type, pack units, barcodes, features, variable
-- products (attributes, values, variants), configurable products (option groups) and bills
-- of materials; plus the views other areas extend (product_activity, product_codes).

-- +goose Up
CREATE TABLE products (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sku                text NOT NULL UNIQUE CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/+#-]{0,63}$'),
  name               text NOT NULL CHECK (name <> ''),
  description        text NOT NULL DEFAULT '',
  type               text NOT NULL CHECK (type IN ('stock', 'service', 'virtual', 'time', 'training', 'freight', 'system')),
  active             boolean NOT NULL DEFAULT true,
  sellable           boolean NOT NULL DEFAULT true,
  purchasable        boolean NOT NULL DEFAULT true,
  track_stock        boolean NOT NULL DEFAULT false,
  serialized         boolean NOT NULL DEFAULT false,
  batch_tracked      boolean NOT NULL DEFAULT false,
  stock_uom          text NOT NULL DEFAULT 'ea' REFERENCES uoms (code) ON UPDATE CASCADE,
  purchase_uom       text NOT NULL DEFAULT 'ea',
  sales_uom          text NOT NULL DEFAULT 'ea',
  cost_price         numeric NOT NULL DEFAULT 0 CHECK (cost_price >= 0),
  list_price         numeric NOT NULL DEFAULT 0 CHECK (list_price >= 0),
  sell_price         numeric NOT NULL DEFAULT 0 CHECK (sell_price >= 0),
  weight             numeric CHECK (weight >= 0),
  volume             numeric CHECK (volume >= 0),
  category           text NOT NULL DEFAULT '',
  manufacturer_id    bigint REFERENCES companies (id),
  mfr_part_no        text NOT NULL DEFAULT '',
  in_portal          boolean NOT NULL DEFAULT false,
  portal_description text NOT NULL DEFAULT '',
  sales_gl           text NOT NULL DEFAULT '',
  purchase_gl        text NOT NULL DEFAULT '',
  inventory_gl       text NOT NULL DEFAULT '',
  cogs_gl            text NOT NULL DEFAULT '',
  sales_tax_rate     numeric CHECK (sales_tax_rate BETWEEN 0 AND 100),
  purchase_tax_rate  numeric CHECK (purchase_tax_rate BETWEEN 0 AND 100),
  template_id        bigint REFERENCES products (id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  created_by         text NOT NULL DEFAULT stockctl_actor(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  updated_by         text NOT NULL DEFAULT stockctl_actor(),
  -- Only physical stock products are counted; lots and serials need counting.
  CHECK (NOT track_stock OR type = 'stock'),
  CHECK (NOT (serialized OR batch_tracked) OR track_stock),
  CHECK (NOT (serialized AND batch_tracked)),
  CHECK (template_id IS NULL OR template_id <> id)
);
CREATE TRIGGER products_stamp BEFORE UPDATE ON products FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX products_type ON products (type);
CREATE INDEX products_category ON products (category) WHERE category <> '';
CREATE INDEX products_template ON products (template_id) WHERE template_id IS NOT NULL;
CREATE INDEX products_portal ON products (sku) WHERE in_portal;
CREATE INDEX products_mfr_part_no ON products (mfr_part_no) WHERE mfr_part_no <> '';

-- +goose StatementBegin
-- System products may be edited but never deleted, whatever deletes them.
CREATE FUNCTION products_keep_system() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.type = 'system' THEN
      RAISE EXCEPTION 'product % is a system product: it can be edited but never deleted', OLD.sku;
    END IF;
    RETURN OLD;
  END IF;
  IF (NEW.type = 'system') <> (OLD.type = 'system') THEN
    RAISE EXCEPTION 'product %: the system type cannot be given or taken away', OLD.sku;
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER products_keep_system_delete BEFORE DELETE ON products FOR EACH ROW EXECUTE FUNCTION products_keep_system();
CREATE TRIGGER products_keep_system_type BEFORE UPDATE OF type ON products FOR EACH ROW
  WHEN (OLD.type = 'system' OR NEW.type = 'system') EXECUTE FUNCTION products_keep_system();

-- Pack units belong to one product: box = 12 ea of this product.
CREATE TABLE product_packs (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  code       text NOT NULL CHECK (code ~ '^[A-Za-z][A-Za-z0-9._-]{0,31}$'),
  qty        numeric NOT NULL CHECK (qty > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT stockctl_actor(),
  UNIQUE (product_id, code)
);

CREATE TABLE product_barcodes (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  code       text NOT NULL UNIQUE,
  symbology  text NOT NULL CHECK (symbology IN ('ean13', 'ean8', 'upca', 'gtin14', 'code128')),
  pack_id    bigint REFERENCES product_packs (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT stockctl_actor()
);
CREATE INDEX product_barcodes_product ON product_barcodes (product_id);

CREATE TABLE product_features (
  product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  name       text NOT NULL CHECK (name <> ''),
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT stockctl_actor(),
  PRIMARY KEY (product_id, name)
);
CREATE TRIGGER product_features_stamp BEFORE UPDATE ON product_features FOR EACH ROW EXECUTE FUNCTION stamp_update();

-- Variable products: a template's attributes and their values; each variant is a product
-- whose template_id is the template and whose combination is in product_variant_values.
CREATE TABLE product_attributes (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  name       text NOT NULL CHECK (name <> ''),
  position   int NOT NULL,
  UNIQUE (product_id, name)
);
CREATE TABLE product_attribute_values (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  attribute_id bigint NOT NULL REFERENCES product_attributes (id) ON DELETE CASCADE,
  value        text NOT NULL CHECK (value <> ''),
  price_extra  numeric NOT NULL DEFAULT 0,
  position     int NOT NULL,
  UNIQUE (attribute_id, value)
);
CREATE TABLE product_variant_values (
  variant_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  value_id   bigint NOT NULL REFERENCES product_attribute_values (id),
  PRIMARY KEY (variant_id, value_id)
);
CREATE INDEX product_variant_values_value ON product_variant_values (value_id);

-- Configurable products: option groups whose chosen value adjusts the price.
CREATE TABLE product_option_groups (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  name       text NOT NULL CHECK (name <> ''),
  required   boolean NOT NULL DEFAULT true,
  position   int NOT NULL,
  UNIQUE (product_id, name)
);
CREATE TABLE product_options (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id         bigint NOT NULL REFERENCES product_option_groups (id) ON DELETE CASCADE,
  value            text NOT NULL CHECK (value <> ''),
  price_adjustment numeric NOT NULL DEFAULT 0,
  position         int NOT NULL,
  UNIQUE (group_id, value)
);

-- Bills of materials: qty of component (in its stock unit) per one unit of product.
CREATE TABLE product_bom (
  product_id   bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  component_id bigint NOT NULL REFERENCES products (id),
  qty          numeric NOT NULL CHECK (qty > 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL DEFAULT stockctl_actor(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL DEFAULT stockctl_actor(),
  PRIMARY KEY (product_id, component_id),
  CHECK (product_id <> component_id)
);
CREATE TRIGGER product_bom_stamp BEFORE UPDATE ON product_bom FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX product_bom_component ON product_bom (component_id);

-- What a product is doing elsewhere: stock on hand, allocations, open orders and ledger moves.
-- The stock and order migrations redefine this view with their tables, so the catalogue's
-- rules (tracking switch, deactivation, serialisation switch) cover them without change here.
CREATE VIEW product_activity (product_id, on_hand, allocated, open_orders, moves) AS
  SELECT NULL::bigint, 0::numeric, 0::numeric, 0::bigint, 0::bigint WHERE false;

-- Every code a product can be found by: barcodes (with their pack), SKUs and manufacturer part
-- numbers. Purchasing adds supplier part numbers by redefining it.
CREATE VIEW product_codes (code, product_id, source, pack_id) AS
  SELECT code, product_id, 'barcode'::text, pack_id FROM product_barcodes
  UNION ALL
  SELECT sku, id, 'sku', NULL::bigint FROM products
  UNION ALL
  SELECT mfr_part_no, id, 'manufacturer part number', NULL::bigint FROM products WHERE mfr_part_no <> '';

-- Settings the catalogue reads.
INSERT INTO settings (key, value) VALUES ('default_uom', 'ea');

-- The built-in products.
INSERT INTO products (sku, name, type, sellable, purchasable, description) VALUES
  ('FREIGHT', 'Freight', 'system', true, true, 'Shipping charges on sales and purchases'),
  ('DEPOSIT', 'Deposit', 'system', true, false, 'Customer deposits taken on orders'),
  ('SERVICE', 'Service', 'system', true, true, 'General service charge');
UPDATE products p SET
  sales_gl = (SELECT value FROM settings WHERE key = 'gl_sales'),
  purchase_gl = (SELECT value FROM settings WHERE key = 'gl_purchase'),
  sales_tax_rate = (SELECT value::numeric FROM settings WHERE key = 'tax_rate_sales'),
  purchase_tax_rate = (SELECT value::numeric FROM settings WHERE key = 'tax_rate_purchase')
WHERE p.type = 'system';

-- +goose Down
DELETE FROM settings WHERE key = 'default_uom';
DROP VIEW product_codes;
DROP VIEW product_activity;
DROP TABLE product_bom;
DROP TABLE product_options;
DROP TABLE product_option_groups;
DROP TABLE product_variant_values;
DROP TABLE product_attribute_values;
DROP TABLE product_attributes;
DROP TABLE product_features;
DROP TABLE product_barcodes;
DROP TABLE product_packs;
DROP TABLE products;
DROP FUNCTION products_keep_system();
