-- Purchasing: supplier pricing with quantity breaks, requests for quote, purchase orders with
-- their receipts, landed costs and the stock revaluations they post, document templates; and
-- the views product_codes (supplier part numbers) and documents (POs and RFQs).

-- +goose Up

-- One row per supplier, product, currency, minimum quantity and start date: several rows with
-- different minimum quantities are the supplier's quantity price breaks. Quantities are in the
-- product's stock unit; price is per stock unit in currency.
CREATE TABLE supplier_prices (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  supplier_id  bigint NOT NULL REFERENCES companies (id),
  product_id   bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  currency     text NOT NULL REFERENCES currencies (code) ON UPDATE CASCADE,
  min_qty      numeric NOT NULL DEFAULT 1 CHECK (min_qty >= 0),
  price        numeric NOT NULL CHECK (price >= 0),
  supplier_sku text NOT NULL DEFAULT '',
  lead_days    int CHECK (lead_days >= 0),
  -- The supplier sells in packs of pack_qty stock units (pack_unit names the product's pack, if any).
  pack_qty     numeric CHECK (pack_qty > 0),
  pack_unit    text NOT NULL DEFAULT '',
  -- Lower is preferred: the preferred supplier has the best priority, then the lowest price.
  priority     int NOT NULL DEFAULT 1 CHECK (priority >= 0),
  valid_from   date,
  valid_until  date,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL DEFAULT stockctl_actor(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL DEFAULT stockctl_actor(),
  CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_until >= valid_from)
);
CREATE TRIGGER supplier_prices_stamp BEFORE UPDATE ON supplier_prices FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE UNIQUE INDEX supplier_prices_key ON supplier_prices
  (supplier_id, product_id, currency, min_qty, (coalesce(valid_from, '-infinity'::date)));
CREATE INDEX supplier_prices_product ON supplier_prices (product_id);
CREATE INDEX supplier_prices_supplier_sku ON supplier_prices (supplier_sku) WHERE supplier_sku <> '';

-- Requests for quote: products and quantities asked of one supplier, and the prices quoted.
CREATE SEQUENCE rfq_numbers;
CREATE TABLE rfqs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number      text NOT NULL UNIQUE,
  supplier_id bigint NOT NULL REFERENCES companies (id),
  location_id bigint REFERENCES locations (id),
  currency    text NOT NULL REFERENCES currencies (code) ON UPDATE CASCADE,
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'quoted', 'converted', 'cancelled')),
  respond_by  date,
  notes       text NOT NULL DEFAULT '',
  po_id       bigint,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL DEFAULT stockctl_actor(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT stockctl_actor()
);
CREATE TRIGGER rfqs_stamp BEFORE UPDATE ON rfqs FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX rfqs_supplier ON rfqs (supplier_id);
CREATE TABLE rfq_lines (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rfq_id       bigint NOT NULL REFERENCES rfqs (id),
  line_no      int NOT NULL,
  product_id   bigint NOT NULL REFERENCES products (id),
  qty          numeric NOT NULL CHECK (qty > 0),
  price        numeric CHECK (price >= 0),
  quoted_on    date,
  valid_until  date,
  lead_days    int CHECK (lead_days >= 0),
  supplier_sku text NOT NULL DEFAULT '',
  UNIQUE (rfq_id, line_no),
  CHECK ((price IS NULL) = (quoted_on IS NULL))
);
CREATE INDEX rfq_lines_product ON rfq_lines (product_id);

CREATE SEQUENCE po_numbers;
CREATE TABLE purchase_orders (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number        text NOT NULL UNIQUE,
  supplier_id   bigint NOT NULL REFERENCES companies (id),
  location_id   bigint NOT NULL REFERENCES locations (id),
  currency      text NOT NULL REFERENCES currencies (code) ON UPDATE CASCADE,
  -- Base units per one unit of currency: given with the PO, or frozen from the rates when the
  -- PO is ordered; never changed afterwards.
  rate          numeric CHECK (rate > 0),
  rate_given    boolean NOT NULL DEFAULT false,
  status        text NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'ordered', 'partially_received', 'received', 'cancelled')),
  order_date    date,
  expected_date date,
  -- How the PO was made: '' by hand, 'reorder' by po generate --reorder, or the RFQ's number.
  origin        text NOT NULL DEFAULT '',
  rfq_id        bigint REFERENCES rfqs (id),
  notes         text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL DEFAULT stockctl_actor(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text NOT NULL DEFAULT stockctl_actor(),
  CHECK (status IN ('draft', 'cancelled') OR (rate IS NOT NULL AND order_date IS NOT NULL))
);
CREATE TRIGGER purchase_orders_stamp BEFORE UPDATE ON purchase_orders FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX purchase_orders_supplier ON purchase_orders (supplier_id);
CREATE INDEX purchase_orders_open ON purchase_orders (location_id, supplier_id)
  WHERE status IN ('draft', 'ordered', 'partially_received');
ALTER TABLE rfqs ADD FOREIGN KEY (po_id) REFERENCES purchase_orders (id);

CREATE TABLE po_lines (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  po_id        bigint NOT NULL REFERENCES purchase_orders (id),
  line_no      int NOT NULL,
  product_id   bigint NOT NULL REFERENCES products (id),
  qty          numeric NOT NULL CHECK (qty > 0),
  unit_price   numeric NOT NULL CHECK (unit_price >= 0),
  -- Where the price came from: 'supplier price', 'given', or the RFQ it was quoted on.
  price_source text NOT NULL DEFAULT '',
  tax_rate     numeric NOT NULL DEFAULT 0 CHECK (tax_rate >= 0 AND tax_rate <= 100),
  supplier_sku text NOT NULL DEFAULT '',
  -- May exceed qty only through a receipt with --allow-over.
  received_qty numeric NOT NULL DEFAULT 0 CHECK (received_qty >= 0),
  UNIQUE (po_id, line_no)
);
CREATE INDEX po_lines_product ON po_lines (product_id, po_id);

-- Each receipt of a PO; a ref (delivery note) is applied once per PO.
CREATE TABLE po_receipts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  po_id       bigint NOT NULL REFERENCES purchase_orders (id),
  receipt_no  int NOT NULL,
  ref         text NOT NULL DEFAULT '',
  received_on date NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL DEFAULT stockctl_actor(),
  UNIQUE (po_id, receipt_no)
);
CREATE UNIQUE INDEX po_receipts_ref ON po_receipts (po_id, ref) WHERE ref <> '';
CREATE TABLE po_receipt_lines (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  receipt_id bigint NOT NULL REFERENCES po_receipts (id),
  po_line_id bigint NOT NULL REFERENCES po_lines (id),
  qty        numeric NOT NULL CHECK (qty > 0),
  -- Base currency: the PO's unit price at the PO's frozen rate.
  unit_cost  numeric NOT NULL CHECK (unit_cost >= 0),
  batch_id   bigint REFERENCES batches (id),
  bay_id     bigint REFERENCES bays (id),
  serials    text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX po_receipt_lines_receipt ON po_receipt_lines (receipt_id);
CREATE INDEX po_receipt_lines_line ON po_receipt_lines (po_line_id);

-- Value changes of stock that do not move it (landed costs): the part of amount that
-- belongs to stock still on hand raised the average cost (inventory_value), the part that
-- belongs to stock already issued went to cost of goods sold (cogs_value). Append-only.
CREATE TABLE stock_revaluations (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id      bigint NOT NULL REFERENCES products (id),
  amount          numeric NOT NULL,
  qty             numeric NOT NULL CHECK (qty >= 0),
  on_hand         numeric NOT NULL CHECK (on_hand >= 0),
  inventory_value numeric NOT NULL,
  cogs_value      numeric NOT NULL,
  avg_before      numeric NOT NULL,
  avg_after       numeric NOT NULL CHECK (avg_after >= 0),
  kind            text NOT NULL CHECK (kind ~ '^[a-z_]{1,32}$'),
  reference       text NOT NULL DEFAULT '',
  gl_code         text NOT NULL DEFAULT '',
  cogs_gl_code    text NOT NULL DEFAULT '',
  narrative       text NOT NULL DEFAULT '',
  actor           text NOT NULL DEFAULT stockctl_actor(),
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (inventory_value + cogs_value = amount)
);
CREATE INDEX stock_revaluations_product ON stock_revaluations (product_id, id);
CREATE INDEX stock_revaluations_reference ON stock_revaluations (reference) WHERE reference <> '';
-- +goose StatementBegin
CREATE FUNCTION stock_revaluations_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stock revaluations are append-only: correct a mistake with a reversing revaluation';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER stock_revaluations_append_only BEFORE UPDATE OR DELETE ON stock_revaluations
  FOR EACH ROW EXECUTE FUNCTION stock_revaluations_append_only();

-- Freight, duty, insurance and other costs of a PO, apportioned over its received lines.
CREATE TABLE landed_costs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  po_id       bigint NOT NULL REFERENCES purchase_orders (id),
  cost_no     int NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('freight', 'duty', 'insurance', 'other')),
  amount      numeric NOT NULL CHECK (amount > 0),
  currency    text NOT NULL REFERENCES currencies (code) ON UPDATE CASCADE,
  rate        numeric NOT NULL CHECK (rate > 0),
  base_amount numeric NOT NULL CHECK (base_amount >= 0),
  method      text NOT NULL CHECK (method IN ('value', 'quantity', 'weight', 'volume')),
  estimate    boolean NOT NULL DEFAULT false,
  -- An actual cost that replaces an estimate; posting it posts only the difference.
  replaces_id bigint REFERENCES landed_costs (id),
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'posted', 'replaced')),
  narrative   text NOT NULL DEFAULT '',
  posted_at   timestamptz,
  posted_by   text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL DEFAULT stockctl_actor(),
  UNIQUE (po_id, cost_no),
  CHECK (replaces_id IS NULL OR NOT estimate),
  CHECK ((status = 'posted') = (posted_at IS NOT NULL) OR status = 'replaced')
);
CREATE UNIQUE INDEX landed_costs_replaces ON landed_costs (replaces_id) WHERE replaces_id IS NOT NULL;
-- How a posted landed cost was shared: per received PO line its basis, its share of the cost
-- (base currency, shares sum to the cost exactly), what this posting changed (the share less
-- what a replaced estimate posted), and how that split between stock on hand and COGS.
CREATE TABLE landed_cost_shares (
  landed_cost_id  bigint NOT NULL REFERENCES landed_costs (id),
  po_line_id      bigint NOT NULL REFERENCES po_lines (id),
  basis           numeric NOT NULL,
  share           numeric NOT NULL,
  posted          numeric NOT NULL,
  qty_received    numeric NOT NULL,
  on_hand         numeric NOT NULL,
  inventory_value numeric NOT NULL,
  cogs_value      numeric NOT NULL,
  revaluation_id  bigint REFERENCES stock_revaluations (id),
  PRIMARY KEY (landed_cost_id, po_line_id),
  CHECK (inventory_value + cogs_value = posted)
);

-- RFQ and PO templates set as the system default (supplier_id NULL) or for one supplier.
CREATE TABLE document_templates (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('po', 'rfq')),
  supplier_id bigint REFERENCES companies (id),
  body        text NOT NULL CHECK (body <> ''),
  source      text NOT NULL DEFAULT '',
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT stockctl_actor()
);
CREATE TRIGGER document_templates_stamp BEFORE UPDATE ON document_templates FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE UNIQUE INDEX document_templates_key ON document_templates (kind, (coalesce(supplier_id, 0)));

-- Supplier part numbers are found by product lookup too.
CREATE OR REPLACE VIEW product_codes (code, product_id, source, pack_id) AS
  SELECT code, product_id, 'barcode'::text, pack_id FROM product_barcodes
  UNION ALL
  SELECT sku, id, 'sku', NULL::bigint FROM products
  UNION ALL
  SELECT mfr_part_no, id, 'manufacturer part number', NULL::bigint FROM products WHERE mfr_part_no <> ''
  UNION ALL
  SELECT DISTINCT s.supplier_sku, s.product_id, 'supplier part number (' || c.code || ')', NULL::bigint
  FROM supplier_prices s JOIN companies c ON c.id = s.supplier_id
  WHERE s.supplier_sku <> '';

-- The documents view gets branches for purchase orders and RFQs. Like the stocktake
-- migration, it extends the view as it stands rather than restating it, so branches other
-- migrations added (transfers, stocktakes ...) are kept whatever the order they run in.
-- +goose StatementBegin
DO $$
BEGIN
  EXECUTE 'CREATE OR REPLACE VIEW documents (kind, number, created_at) AS '
    || rtrim(pg_get_viewdef('documents'::regclass), E'; \n')
    || E'\nUNION ALL\n SELECT ''purchase_order''::text AS kind, purchase_orders.number, purchase_orders.created_at FROM purchase_orders'
    || E'\nUNION ALL\n SELECT ''rfq''::text AS kind, rfqs.number, rfqs.created_at FROM rfqs';
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
  def text := rtrim(pg_get_viewdef('documents'::regclass), E'; \n');
  kept text;
BEGIN
  kept := regexp_replace(def,
    E'\\s*UNION ALL\\s+SELECT\\s+''purchase_order''::text AS kind,\\s*purchase_orders\\.number,\\s*purchase_orders\\.created_at\\s+FROM\\s+purchase_orders', '');
  kept := regexp_replace(kept,
    E'\\s*UNION ALL\\s+SELECT\\s+''rfq''::text AS kind,\\s*rfqs\\.number,\\s*rfqs\\.created_at\\s+FROM\\s+rfqs', '');
  IF kept ~ '\m(purchase_orders|rfqs)\M' THEN
    RAISE EXCEPTION 'cannot take the purchasing branches out of the documents view: %', def;
  END IF;
  EXECUTE 'CREATE OR REPLACE VIEW documents (kind, number, created_at) AS ' || kept;
END
$$;
-- +goose StatementEnd
CREATE OR REPLACE VIEW product_codes (code, product_id, source, pack_id) AS
  SELECT code, product_id, 'barcode'::text, pack_id FROM product_barcodes
  UNION ALL
  SELECT sku, id, 'sku', NULL::bigint FROM products
  UNION ALL
  SELECT mfr_part_no, id, 'manufacturer part number', NULL::bigint FROM products WHERE mfr_part_no <> '';
DROP TABLE document_templates;
DROP TABLE landed_cost_shares;
DROP TABLE landed_costs;
DROP TABLE stock_revaluations;
DROP FUNCTION stock_revaluations_append_only();
DROP TABLE po_receipt_lines;
DROP TABLE po_receipts;
DROP TABLE po_lines;
ALTER TABLE rfqs DROP COLUMN po_id;
DROP TABLE purchase_orders;
DROP SEQUENCE po_numbers;
DROP TABLE rfq_lines;
DROP TABLE rfqs;
DROP SEQUENCE rfq_numbers;
DROP TABLE supplier_prices;
