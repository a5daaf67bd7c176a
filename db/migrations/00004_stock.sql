-- Stock: locations (real and virtual), bays, stock levels, batches, serials, the append-only
-- ledger of moves, balances per product and location and per bay/batch/serial within it,
-- moving-average costs, idempotency refs and transfers.

-- +goose Up
CREATE TABLE locations (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code       text NOT NULL UNIQUE,
  name       text NOT NULL CHECK (name <> ''),
  -- internal locations hold sellable stock; transit holds dispatched stock; the other kinds are
  -- the far side of moves (where stock comes from and goes to) and never hold a balance.
  kind       text NOT NULL DEFAULT 'internal'
             CHECK (kind IN ('internal', 'transit', 'supplier', 'customer', 'adjustment', 'production', 'stocktake')),
  region     text REFERENCES sales_regions (code) ON UPDATE CASCADE,
  address    text NOT NULL DEFAULT '',
  active     boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT stockctl_actor(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT stockctl_actor(),
  CHECK (kind <> 'internal' OR code ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$')
);
CREATE TRIGGER locations_stamp BEFORE UPDATE ON locations FOR EACH ROW EXECUTE FUNCTION stamp_update();
-- Virtual locations have codes no user code can take (they start with ~).
INSERT INTO locations (code, name, kind) VALUES
  ('~supplier', 'Suppliers', 'supplier'),
  ('~customer', 'Customers', 'customer'),
  ('~adjustment', 'Inventory adjustments', 'adjustment'),
  ('~production', 'Production', 'production'),
  ('~stocktake', 'Stocktakes', 'stocktake'),
  ('~transit', 'In transit', 'transit');

CREATE TABLE bays (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  location_id bigint NOT NULL REFERENCES locations (id),
  code        text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$'),
  name        text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL DEFAULT stockctl_actor(),
  UNIQUE (location_id, code),
  UNIQUE (id, location_id) -- lets stock_levels prove its default bay is in its location
);

CREATE TABLE stock_levels (
  product_id     bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  location_id    bigint NOT NULL REFERENCES locations (id),
  min_qty        numeric CHECK (min_qty >= 0),
  max_qty        numeric CHECK (max_qty >= 0),
  default_bay_id bigint,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text NOT NULL DEFAULT stockctl_actor(),
  PRIMARY KEY (product_id, location_id),
  FOREIGN KEY (default_bay_id, location_id) REFERENCES bays (id, location_id),
  CHECK (min_qty IS NULL OR max_qty IS NULL OR max_qty >= min_qty)
);
CREATE TRIGGER stock_levels_stamp BEFORE UPDATE ON stock_levels FOR EACH ROW EXECUTE FUNCTION stamp_update();

CREATE TABLE batches (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id  bigint NOT NULL REFERENCES products (id),
  number      text NOT NULL CHECK (number ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  expiry      date,
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL DEFAULT stockctl_actor(),
  UNIQUE (product_id, number)
);

CREATE TABLE serials (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES products (id),
  serial     text NOT NULL CHECK (serial ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT stockctl_actor(),
  UNIQUE (product_id, serial)
);

-- The ledger. qty is in the product's stock unit and always positive: direction is from -> to.
-- unit_cost is in the base currency at the moment of the move.
CREATE TABLE stock_moves (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id       bigint NOT NULL REFERENCES products (id),
  qty              numeric NOT NULL CHECK (qty > 0),
  from_location_id bigint NOT NULL REFERENCES locations (id),
  to_location_id   bigint NOT NULL REFERENCES locations (id),
  from_bay_id      bigint REFERENCES bays (id),
  to_bay_id        bigint REFERENCES bays (id),
  batch_id         bigint REFERENCES batches (id),
  serial_id        bigint REFERENCES serials (id),
  unit_cost        numeric NOT NULL CHECK (unit_cost >= 0),
  kind             text NOT NULL CHECK (kind ~ '^[a-z_]{1,32}$'),
  reference        text NOT NULL DEFAULT '',
  gl_code          text NOT NULL DEFAULT '',
  reason           text NOT NULL DEFAULT '',
  narrative        text NOT NULL DEFAULT '',
  actor            text NOT NULL DEFAULT stockctl_actor(),
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (from_location_id <> to_location_id OR from_bay_id IS DISTINCT FROM to_bay_id),
  CHECK (serial_id IS NULL OR qty = 1)
);
CREATE INDEX stock_moves_product ON stock_moves (product_id, id);
CREATE INDEX stock_moves_from ON stock_moves (from_location_id, id);
CREATE INDEX stock_moves_to ON stock_moves (to_location_id, id);
CREATE INDEX stock_moves_serial ON stock_moves (serial_id) WHERE serial_id IS NOT NULL;
CREATE INDEX stock_moves_reference ON stock_moves (reference) WHERE reference <> '';
CREATE INDEX stock_moves_created ON stock_moves (created_at);

-- +goose StatementBegin
CREATE FUNCTION stock_moves_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stock moves are append-only: correct a mistake with a reversing move';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER stock_moves_append_only BEFORE UPDATE OR DELETE ON stock_moves
  FOR EACH ROW EXECUTE FUNCTION stock_moves_append_only();

-- On hand and allocated per product and holding location (internal and transit only).
CREATE TABLE stock_balances (
  product_id  bigint NOT NULL REFERENCES products (id),
  location_id bigint NOT NULL REFERENCES locations (id),
  on_hand     numeric NOT NULL DEFAULT 0,
  allocated   numeric NOT NULL DEFAULT 0 CHECK (allocated >= 0),
  PRIMARY KEY (product_id, location_id),
  -- Allocated stock is never more than on hand; negative stock (when allowed) has none allocated.
  CHECK (allocated = 0 OR allocated <= on_hand)
);
CREATE INDEX stock_balances_location ON stock_balances (location_id, product_id);

-- The same stock per bay, batch and serial within a product and location.
CREATE TABLE stock_quants (
  product_id  bigint NOT NULL REFERENCES products (id),
  location_id bigint NOT NULL REFERENCES locations (id),
  bay_id      bigint REFERENCES bays (id),
  batch_id    bigint REFERENCES batches (id),
  serial_id   bigint REFERENCES serials (id),
  qty         numeric NOT NULL,
  CHECK (serial_id IS NULL OR qty IN (0, 1)),
  CHECK ((batch_id IS NULL AND serial_id IS NULL) OR qty >= 0)
);
CREATE UNIQUE INDEX stock_quants_key ON stock_quants
  (product_id, location_id, (coalesce(bay_id, 0)), (coalesce(batch_id, 0)), (coalesce(serial_id, 0)));
-- A serial number is in at most one place.
CREATE UNIQUE INDEX stock_quants_serial_once ON stock_quants (serial_id) WHERE serial_id IS NOT NULL AND qty > 0;
CREATE INDEX stock_quants_batch ON stock_quants (batch_id) WHERE batch_id IS NOT NULL;

-- Moving-average cost per product in the base currency; its row is also the lock every
-- posting takes (in product id order), so postings for one product never interleave.
CREATE TABLE product_costs (
  product_id bigint PRIMARY KEY REFERENCES products (id),
  avg_cost   numeric NOT NULL DEFAULT 0 CHECK (avg_cost >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Refs given with --ref: the same ref in the same scope is applied once.
CREATE TABLE posting_refs (
  scope      text NOT NULL,
  ref        text NOT NULL CHECK (ref <> ''),
  moves      int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT stockctl_actor(),
  PRIMARY KEY (scope, ref)
);

CREATE SEQUENCE transfer_numbers;
CREATE TABLE transfers (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number           text NOT NULL UNIQUE,
  from_location_id bigint NOT NULL REFERENCES locations (id),
  to_location_id   bigint NOT NULL REFERENCES locations (id),
  two_step         boolean NOT NULL,
  status           text NOT NULL CHECK (status IN ('in_transit', 'partially_received', 'received')),
  extra_cost       numeric NOT NULL DEFAULT 0 CHECK (extra_cost >= 0),
  narrative        text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text NOT NULL DEFAULT stockctl_actor(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  updated_by       text NOT NULL DEFAULT stockctl_actor(),
  CHECK (from_location_id <> to_location_id)
);
CREATE TRIGGER transfers_stamp BEFORE UPDATE ON transfers FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE TABLE transfer_lines (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transfer_id  bigint NOT NULL REFERENCES transfers (id),
  line_no      int NOT NULL,
  product_id   bigint NOT NULL REFERENCES products (id),
  qty          numeric NOT NULL CHECK (qty > 0),
  received_qty numeric NOT NULL DEFAULT 0 CHECK (received_qty >= 0 AND received_qty <= qty),
  batch_id     bigint REFERENCES batches (id),
  serial_id    bigint REFERENCES serials (id),
  from_bay_id  bigint REFERENCES bays (id),
  to_bay_id    bigint REFERENCES bays (id),
  unit_cost    numeric NOT NULL DEFAULT 0,
  UNIQUE (transfer_id, line_no)
);
CREATE INDEX transfer_lines_product ON transfer_lines (product_id);

CREATE OR REPLACE VIEW documents (kind, number, created_at) AS
  SELECT 'transfer'::text, number, created_at FROM transfers;

CREATE OR REPLACE VIEW product_activity (product_id, on_hand, allocated, open_orders, moves) AS
  SELECT b.product_id, sum(b.on_hand), sum(b.allocated), 0::bigint,
         (SELECT count(*) FROM stock_moves m WHERE m.product_id = b.product_id)
  FROM stock_balances b
  GROUP BY b.product_id
  UNION ALL
  -- Products whose every balance is gone but which have moves still count as having moved.
  SELECT p.id, 0, 0, 0, (SELECT count(*) FROM stock_moves m WHERE m.product_id = p.id)
  FROM products p
  WHERE NOT EXISTS (SELECT 1 FROM stock_balances b WHERE b.product_id = p.id)
    AND EXISTS (SELECT 1 FROM stock_moves m WHERE m.product_id = p.id);

-- +goose Down
CREATE OR REPLACE VIEW product_activity (product_id, on_hand, allocated, open_orders, moves) AS
  SELECT NULL::bigint, 0::numeric, 0::numeric, 0::bigint, 0::bigint WHERE false;
CREATE OR REPLACE VIEW documents (kind, number, created_at) AS
  SELECT NULL::text, NULL::text, NULL::timestamptz WHERE false;
DROP TABLE transfer_lines;
DROP TABLE transfers;
DROP SEQUENCE transfer_numbers;
DROP TABLE posting_refs;
DROP TABLE product_costs;
DROP TABLE stock_quants;
DROP TABLE stock_balances;
DROP TABLE stock_moves;
DROP FUNCTION stock_moves_append_only();
DROP TABLE serials;
DROP TABLE batches;
DROP TABLE stock_levels;
DROP TABLE bays;
DROP TABLE locations;
