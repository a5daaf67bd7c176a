-- Sales: sales orders and their lines (allocated, backordered, shipped, invoiced), shipments,
-- invoices (immutable), work orders; the views product_activity (open sales order lines) and
-- documents (sales orders, shipments, invoices, work orders).
--
-- Allocation lives in two places kept equal in the same transaction: so_lines.allocated per
-- line, and stock_balances.allocated per product and sell-from location (the posting guard
-- on_hand - q >= allocated reads it). Every change of either takes the products' posting
-- locks first (stock.Lock, the order stock.Post uses) and updates the balance with a guarded
-- statement; the CHECKs below are the last line of defence.

-- +goose Up
CREATE SEQUENCE so_numbers;
CREATE TABLE sales_orders (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number         text NOT NULL UNIQUE,
  customer_id    bigint NOT NULL REFERENCES companies (id),
  location_id    bigint NOT NULL REFERENCES locations (id),
  ship_to_region text REFERENCES sales_regions (code) ON UPDATE CASCADE,
  currency       text NOT NULL REFERENCES currencies (code) ON UPDATE CASCADE,
  -- Base units per one unit of currency, frozen when the order is made.
  rate           numeric NOT NULL CHECK (rate > 0),
  price_type     text NOT NULL,
  status         text NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'confirmed', 'partially_shipped', 'shipped', 'closed', 'cancelled')),
  order_date     date NOT NULL DEFAULT current_date,
  ship_by        date,
  -- Everything in one delivery: release allocates the order's backorders all or nothing.
  ship_complete  boolean NOT NULL DEFAULT false,
  notes          text NOT NULL DEFAULT '',
  confirmed_at   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     text NOT NULL DEFAULT stockctl_actor(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text NOT NULL DEFAULT stockctl_actor()
);
CREATE TRIGGER sales_orders_stamp BEFORE UPDATE ON sales_orders FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX sales_orders_customer ON sales_orders (customer_id, id);
CREATE INDEX sales_orders_status ON sales_orders (status, id);
-- Oldest first, for backorders list and release priority.
CREATE INDEX sales_orders_priority ON sales_orders ((coalesce(ship_by, 'infinity'::date)), order_date, number)
  WHERE status IN ('confirmed', 'partially_shipped');

-- Quantities are in the product's stock unit; entered_qty/unit is what was typed.
-- A stock line of a confirmed order always has qty = allocated + backordered + shipped, until
-- the order is cancelled (allocated = backordered = 0). Non-stock lines are never allocated,
-- backordered or shipped; they are invoiced up to qty.
CREATE TABLE so_lines (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  so_id         bigint NOT NULL REFERENCES sales_orders (id),
  line_no       int NOT NULL CHECK (line_no > 0),
  product_id    bigint NOT NULL REFERENCES products (id),
  stock         boolean NOT NULL, -- the product was stock-tracked when the line was added
  qty           numeric NOT NULL CHECK (qty > 0),
  entered_qty   numeric NOT NULL CHECK (entered_qty > 0),
  unit          text NOT NULL,
  unit_price    numeric NOT NULL CHECK (unit_price >= 0), -- per stock unit, in the order's currency
  price_source  text NOT NULL,
  discount      numeric NOT NULL DEFAULT 0 CHECK (discount >= 0 AND discount <= 100), -- percent
  tax_rate      numeric NOT NULL DEFAULT 0 CHECK (tax_rate >= 0 AND tax_rate <= 100),   -- percent
  custom        boolean NOT NULL DEFAULT false,
  configuration text NOT NULL DEFAULT '',
  ship_complete boolean NOT NULL DEFAULT false,
  allocated     numeric NOT NULL DEFAULT 0 CHECK (allocated >= 0),
  backordered   numeric NOT NULL DEFAULT 0 CHECK (backordered >= 0),
  shipped       numeric NOT NULL DEFAULT 0 CHECK (shipped >= 0),
  invoiced      numeric NOT NULL DEFAULT 0 CHECK (invoiced >= 0),
  UNIQUE (so_id, line_no),
  CHECK (allocated + backordered + shipped <= qty),
  CHECK (stock OR (allocated = 0 AND backordered = 0 AND shipped = 0)),
  CHECK (invoiced <= CASE WHEN stock THEN shipped ELSE qty END),
  CHECK (NOT custom OR stock)
);
CREATE INDEX so_lines_product ON so_lines (product_id, so_id);
-- backorders list, release and stock show read backordered lines only: a small partial index
-- however many lines the orders have.
CREATE INDEX so_lines_backordered ON so_lines (product_id, so_id) INCLUDE (backordered) WHERE backordered > 0;
CREATE INDEX so_lines_backordered_so ON so_lines (so_id) WHERE backordered > 0;

CREATE SEQUENCE shipment_numbers;
CREATE TABLE shipments (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number     text NOT NULL UNIQUE,
  so_id      bigint NOT NULL REFERENCES sales_orders (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT stockctl_actor()
);
CREATE INDEX shipments_so ON shipments (so_id);
CREATE TABLE shipment_lines (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shipment_id bigint NOT NULL REFERENCES shipments (id),
  so_line_id  bigint NOT NULL REFERENCES so_lines (id),
  qty         numeric NOT NULL CHECK (qty > 0),
  unit_cost   numeric NOT NULL CHECK (unit_cost >= 0), -- cost of goods, base currency
  batch_id    bigint REFERENCES batches (id),
  serial_id   bigint REFERENCES serials (id),
  move_id     bigint NOT NULL REFERENCES stock_moves (id)
);
CREATE INDEX shipment_lines_shipment ON shipment_lines (shipment_id);
CREATE INDEX shipment_lines_so_line ON shipment_lines (so_line_id);

CREATE SEQUENCE invoice_numbers;
CREATE TABLE invoices (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number       text NOT NULL UNIQUE,
  so_id        bigint NOT NULL REFERENCES sales_orders (id),
  customer_id  bigint NOT NULL REFERENCES companies (id),
  currency     text NOT NULL REFERENCES currencies (code) ON UPDATE CASCADE,
  rate         numeric NOT NULL CHECK (rate > 0),
  invoice_date date NOT NULL,
  subtotal     numeric NOT NULL,
  tax          numeric NOT NULL,
  total        numeric NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL DEFAULT stockctl_actor(),
  CHECK (total = subtotal + tax)
);
CREATE INDEX invoices_so ON invoices (so_id);
CREATE TABLE invoice_lines (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_id   bigint NOT NULL REFERENCES invoices (id),
  line_no      int NOT NULL,
  so_line_id   bigint NOT NULL REFERENCES so_lines (id),
  product_id   bigint NOT NULL REFERENCES products (id),
  qty          numeric NOT NULL CHECK (qty > 0),
  unit_price   numeric NOT NULL,
  discount     numeric NOT NULL,
  tax_rate     numeric NOT NULL,
  amount       numeric NOT NULL, -- net of tax, in the invoice's currency
  tax          numeric NOT NULL,
  UNIQUE (invoice_id, line_no)
);
CREATE INDEX invoice_lines_so_line ON invoice_lines (so_line_id);

-- Invoices are immutable once written, whatever code path tries.
-- +goose StatementBegin
CREATE FUNCTION invoices_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'invoices are immutable: correct an invoice with a credit note, never by editing it';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices
  FOR EACH ROW EXECUTE FUNCTION invoices_immutable();
CREATE TRIGGER invoice_lines_immutable BEFORE UPDATE OR DELETE ON invoice_lines
  FOR EACH ROW EXECUTE FUNCTION invoices_immutable();

CREATE SEQUENCE wo_numbers;
CREATE TABLE work_orders (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number        text NOT NULL UNIQUE,
  product_id    bigint NOT NULL REFERENCES products (id),
  location_id   bigint NOT NULL REFERENCES locations (id),
  qty           numeric NOT NULL CHECK (qty > 0),
  completed_qty numeric NOT NULL DEFAULT 0 CHECK (completed_qty >= 0 AND completed_qty <= qty),
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'partially_completed', 'completed', 'cancelled')),
  -- The sales order line the work order builds for (wo generate); its output is allocated to it.
  so_line_id    bigint REFERENCES so_lines (id),
  -- Base-currency value of what has been produced (the components consumed).
  produced_cost numeric NOT NULL DEFAULT 0 CHECK (produced_cost >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL DEFAULT stockctl_actor(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text NOT NULL DEFAULT stockctl_actor()
);
CREATE TRIGGER work_orders_stamp BEFORE UPDATE ON work_orders FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX work_orders_so_line ON work_orders (so_line_id) WHERE so_line_id IS NOT NULL;
CREATE INDEX work_orders_open ON work_orders (product_id, location_id) WHERE status IN ('open', 'partially_completed');

-- product_activity: open_orders counts the lines of sales orders not yet closed or cancelled.
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

-- The documents view gets branches for sales orders, shipments, invoices and work orders,
-- appended to its definition as it stands (see 00006_stocktake.sql).
-- +goose StatementBegin
DO $$
BEGIN
  EXECUTE 'CREATE OR REPLACE VIEW documents (kind, number, created_at) AS '
    || rtrim(pg_get_viewdef('documents'::regclass), E'; \n')
    || E'\nUNION ALL\n SELECT ''sales_order''::text AS kind, sales_orders.number, sales_orders.created_at FROM sales_orders'
    || E'\nUNION ALL\n SELECT ''shipment''::text AS kind, shipments.number, shipments.created_at FROM shipments'
    || E'\nUNION ALL\n SELECT ''invoice''::text AS kind, invoices.number, invoices.created_at FROM invoices'
    || E'\nUNION ALL\n SELECT ''work_order''::text AS kind, work_orders.number, work_orders.created_at FROM work_orders';
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
  def text := rtrim(pg_get_viewdef('documents'::regclass), E'; \n');
  kept text := def;
  t text;
  k text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sales_orders:sales_order', 'shipments:shipment', 'invoices:invoice', 'work_orders:work_order'] LOOP
    k := split_part(t, ':', 2);
    t := split_part(t, ':', 1);
    kept := regexp_replace(kept,
      E'\\s*UNION ALL\\s+SELECT\\s+''' || k || E'''::text AS kind,\\s*' || t || E'\\.number,\\s*' || t || E'\\.created_at\\s+FROM\\s+' || t, '');
  END LOOP;
  IF kept ~ '\m(sales_orders|shipments|invoices|work_orders)\M' THEN
    RAISE EXCEPTION 'cannot take the sales branches out of the documents view: %', def;
  END IF;
  EXECUTE 'CREATE OR REPLACE VIEW documents (kind, number, created_at) AS ' || kept;
END
$$;
-- +goose StatementEnd
CREATE OR REPLACE VIEW product_activity (product_id, on_hand, allocated, open_orders, moves) AS
  SELECT b.product_id, sum(b.on_hand), sum(b.allocated), 0::bigint,
         (SELECT count(*) FROM stock_moves m WHERE m.product_id = b.product_id)
  FROM stock_balances b
  GROUP BY b.product_id
  UNION ALL
  SELECT p.id, 0, 0, 0, (SELECT count(*) FROM stock_moves m WHERE m.product_id = p.id)
  FROM products p
  WHERE NOT EXISTS (SELECT 1 FROM stock_balances b WHERE b.product_id = p.id)
    AND EXISTS (SELECT 1 FROM stock_moves m WHERE m.product_id = p.id);
DROP TABLE work_orders;
DROP SEQUENCE wo_numbers;
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP FUNCTION invoices_immutable();
DROP SEQUENCE invoice_numbers;
DROP TABLE shipment_lines;
DROP TABLE shipments;
DROP SEQUENCE shipment_numbers;
DROP TABLE so_lines;
DROP TABLE sales_orders;
DROP SEQUENCE so_numbers;
