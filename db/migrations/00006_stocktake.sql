-- Stocktakes: a snapshot of what the books expect at a location (per product, bay, batch and
-- serial), the counts entered against it, and what posting it adjusted. Stock itself only
-- ever changes through the ledger (stock_moves); these tables record the count.

-- +goose Up
CREATE SEQUENCE stocktake_numbers;

CREATE TABLE stocktakes (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number           text NOT NULL UNIQUE,
  location_id      bigint NOT NULL REFERENCES locations (id),
  -- open: counting; closed: counting finished (a blind stocktake shows what was expected);
  -- posted: its variances are on the ledger; cancelled: dropped before posting.
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'posted', 'cancelled')),
  blind            boolean NOT NULL DEFAULT false,
  -- all: every stock-tracked product at the location; sku: the products named; category:
  -- the stock-tracked products of one category.
  scope            text NOT NULL CHECK (scope IN ('all', 'sku', 'category')),
  category         text,
  narrative        text NOT NULL DEFAULT '',
  snapshot_at      timestamptz NOT NULL DEFAULT now(),
  -- The last move the snapshot saw: moves after it are flagged on the lines they touch.
  snapshot_move_id bigint NOT NULL DEFAULT 0,
  closed_at        timestamptz,
  posted_at        timestamptz,
  zero_uncounted   boolean,
  set_counted      boolean,
  cancelled_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text NOT NULL DEFAULT stockctl_actor(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  updated_by       text NOT NULL DEFAULT stockctl_actor(),
  UNIQUE (id, location_id), -- lets products and lines prove they are of the stocktake's location
  CHECK ((scope = 'category') = (category IS NOT NULL)),
  CHECK ((status = 'posted') = (posted_at IS NOT NULL)),
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX stocktakes_location ON stocktakes (location_id, id);
CREATE TRIGGER stocktakes_stamp BEFORE UPDATE ON stocktakes FOR EACH ROW EXECUTE FUNCTION stamp_update();

-- The products a stocktake counts. While it is open (or closed, not yet posted) its rows are
-- open, and no other stocktake may count the same product at the same location.
CREATE TABLE stocktake_products (
  stocktake_id bigint NOT NULL,
  product_id   bigint NOT NULL REFERENCES products (id),
  location_id  bigint NOT NULL,
  open         boolean NOT NULL DEFAULT true,
  PRIMARY KEY (stocktake_id, product_id),
  FOREIGN KEY (stocktake_id, location_id) REFERENCES stocktakes (id, location_id)
);
CREATE UNIQUE INDEX stocktake_products_open ON stocktake_products (location_id, product_id) WHERE open;
CREATE INDEX stocktake_products_product ON stocktake_products (product_id);

-- One line per product, bay, batch and serial: expected is the quantity the snapshot found
-- (0 for a line a count added); counted is null until counted. on_hand_when_counted is the
-- book quantity of the line when its count was last entered: the default posting adjusts
-- by counted - on_hand_when_counted. The *_at_post columns keep what posting saw and did.
CREATE TABLE stocktake_lines (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stocktake_id         bigint NOT NULL,
  location_id          bigint NOT NULL,
  product_id           bigint NOT NULL,
  bay_id               bigint,
  batch_id             bigint REFERENCES batches (id),
  serial_id            bigint REFERENCES serials (id),
  expected             numeric NOT NULL DEFAULT 0,
  in_snapshot          boolean NOT NULL DEFAULT false,
  counted              numeric CHECK (counted >= 0),
  on_hand_when_counted numeric,
  counted_at           timestamptz,
  counted_by           text,
  on_hand_at_post      numeric,
  moved_at_post        boolean,
  posted_qty           numeric,
  unit_cost            numeric CHECK (unit_cost >= 0),
  FOREIGN KEY (stocktake_id, product_id) REFERENCES stocktake_products (stocktake_id, product_id),
  FOREIGN KEY (stocktake_id, location_id) REFERENCES stocktakes (id, location_id),
  FOREIGN KEY (bay_id, location_id) REFERENCES bays (id, location_id),
  CHECK (serial_id IS NULL OR counted IN (0, 1)),
  CHECK ((counted IS NULL) = (counted_at IS NULL) AND (counted IS NULL) = (on_hand_when_counted IS NULL))
);
CREATE UNIQUE INDEX stocktake_lines_key ON stocktake_lines
  (stocktake_id, product_id, (coalesce(bay_id, 0)), (coalesce(batch_id, 0)), (coalesce(serial_id, 0)));
CREATE INDEX stocktake_lines_serial ON stocktake_lines (stocktake_id, serial_id) WHERE serial_id IS NOT NULL;

-- A posted or cancelled stocktake is history: nothing about it changes any more, whatever
-- code path tries.
-- +goose StatementBegin
CREATE FUNCTION stocktake_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  st record;
BEGIN
  IF TG_TABLE_NAME = 'stocktakes' THEN
    IF OLD.status IN ('posted', 'cancelled') THEN
      RAISE EXCEPTION 'stocktake % is %: it cannot be changed', OLD.number, OLD.status;
    END IF;
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END IF;
  SELECT number, status INTO st FROM stocktakes
   WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.stocktake_id ELSE NEW.stocktake_id END;
  IF st.status IN ('posted', 'cancelled') THEN
    RAISE EXCEPTION 'stocktake % is %: it cannot be changed', st.number, st.status;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.stocktake_id <> NEW.stocktake_id THEN
    RAISE EXCEPTION 'a stocktake line or product cannot move to another stocktake';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER stocktakes_frozen BEFORE UPDATE OR DELETE ON stocktakes
  FOR EACH ROW EXECUTE FUNCTION stocktake_frozen();
CREATE TRIGGER stocktake_products_frozen BEFORE INSERT OR UPDATE OR DELETE ON stocktake_products
  FOR EACH ROW EXECUTE FUNCTION stocktake_frozen();
CREATE TRIGGER stocktake_lines_frozen BEFORE INSERT OR UPDATE OR DELETE ON stocktake_lines
  FOR EACH ROW EXECUTE FUNCTION stocktake_frozen();

-- The documents view gets a branch for stocktakes. It is extended from its definition as it
-- stands rather than restated, so a branch another migration added is kept whatever the
-- order they are applied in.
-- +goose StatementBegin
DO $$
BEGIN
  EXECUTE 'CREATE OR REPLACE VIEW documents (kind, number, created_at) AS '
    || rtrim(pg_get_viewdef('documents'::regclass), E'; \n')
    || E'\nUNION ALL\n SELECT ''stocktake''::text AS kind, stocktakes.number, stocktakes.created_at FROM stocktakes';
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
    E'\\s*UNION ALL\\s+SELECT\\s+''stocktake''::text AS kind,\\s*stocktakes\\.number,\\s*stocktakes\\.created_at\\s+FROM\\s+stocktakes', '');
  IF kept ~ '\mstocktakes\M' THEN
    RAISE EXCEPTION 'cannot take the stocktake branch out of the documents view: %', def;
  END IF;
  EXECUTE 'CREATE OR REPLACE VIEW documents (kind, number, created_at) AS ' || kept;
END
$$;
-- +goose StatementEnd
DROP TABLE stocktake_lines;
DROP TABLE stocktake_products;
DROP TABLE stocktakes;
DROP FUNCTION stocktake_frozen();
DROP SEQUENCE stocktake_numbers;
