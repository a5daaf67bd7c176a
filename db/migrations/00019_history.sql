-- Change history of master data. Triggers record every change, whatever made it (a command,
-- an import, an UPDATE typed in psql): when, who (stockctl_actor), which table and row, and
-- the old and new value of each changed column.
--
-- The triggers are statement-level with transition tables, so an import that changes a
-- million rows writes its history in one INSERT ... SELECT per statement, not a million
-- trigger calls. A new product is not recorded here: its row carries created_at and
-- created_by, and `history product` shows the creation from them (recording every column
-- of a million imported products would double the import's time for nothing the row does
-- not already say). Every other insert, every update and every delete is recorded.

-- +goose Up
CREATE TABLE history (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor      text NOT NULL DEFAULT stockctl_actor(),
  table_name text NOT NULL,
  op         text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
  row_key    jsonb NOT NULL, -- the row's primary key: {"id": 12}, {"key": "base_currency"}
  product_id bigint,         -- the product the row belongs to (no foreign key: history outlives rows)
  company_id bigint,         -- the company the row belongs to
  changes    jsonb NOT NULL  -- {"column": [old, new], ...}; null for a value that was not there
);
CREATE INDEX history_product ON history (product_id, id) WHERE product_id IS NOT NULL;
CREATE INDEX history_company ON history (company_id, id) WHERE company_id IS NOT NULL;
CREATE INDEX history_table ON history (table_name, id);
CREATE INDEX history_at ON history (at);

-- +goose StatementBegin
-- history_diff gives {"column": [old, new]} for every column whose value differs between
-- two rows as jsonb (either may be null: an insert or a delete). The stamps are left out:
-- they say who and when, which the history row already does. So is a generated id, which
-- never changes and is the row's key.
CREATE FUNCTION history_diff(o jsonb, n jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE
SET search_path FROM CURRENT AS $$
  SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(o -> k, n -> k)), '{}'::jsonb)
  FROM (SELECT jsonb_object_keys(coalesce(o, '{}'::jsonb) || coalesce(n, '{}'::jsonb)) AS k) ks
  WHERE k NOT IN ('id', 'created_at', 'created_by', 'updated_at', 'updated_by')
    AND (o -> k) IS DISTINCT FROM (n -> k)
    AND NOT (o IS NULL AND n -> k = 'null'::jsonb)
    AND NOT (n IS NULL AND o -> k = 'null'::jsonb)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- history_record is the trigger of every recorded table, AFTER each statement, one trigger
-- per operation (PostgreSQL allows transition tables only on single-event triggers).
-- Arguments: the primary key columns (comma-separated), then SQL expressions over the row r
-- giving its product id and company id ('' for none).
CREATE FUNCTION history_record() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  k text;
  p text := coalesce(nullif(TG_ARGV[1], ''), 'NULL');
  c text := coalesce(nullif(TG_ARGV[2], ''), 'NULL');
  side text := 'SELECT %s AS k, (%s)::bigint AS p, (%s)::bigint AS c, to_jsonb(r) AS j FROM %I r';
  ins text := 'INSERT INTO history (table_name, op, row_key, product_id, company_id, changes) ';
BEGIN
  SELECT 'jsonb_build_object(' || string_agg(format('%L, r.%I', col, col), ', ') || ')'
    INTO k FROM unnest(string_to_array(TG_ARGV[0], ',')) AS col;
  IF TG_OP = 'INSERT' THEN
    EXECUTE ins || format('SELECT %L, ''insert'', n.k, n.p, n.c, history_diff(NULL, n.j) FROM (%s) n',
      TG_TABLE_NAME, format(side, k, p, c, 'history_new'));
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE ins || format('SELECT %L, ''delete'', o.k, o.p, o.c, history_diff(o.j, NULL) FROM (%s) o',
      TG_TABLE_NAME, format(side, k, p, c, 'history_old'));
  ELSE
    -- Rows pair up by primary key. A row whose key itself changed (a code renamed) has no
    -- partner and is recorded as the old row deleted and the new one inserted.
    EXECUTE ins || format('SELECT %L,
        CASE WHEN o.k IS NULL THEN ''insert'' WHEN n.k IS NULL THEN ''delete'' ELSE ''update'' END,
        coalesce(n.k, o.k), coalesce(n.p, o.p), coalesce(n.c, o.c), d.changes
      FROM (%s) o FULL JOIN (%s) n ON n.k = o.k
      CROSS JOIN LATERAL (SELECT history_diff(o.j, n.j) AS changes) d
      WHERE d.changes <> ''{}''::jsonb',
      TG_TABLE_NAME, format(side, k, p, c, 'history_old'), format(side, k, p, c, 'history_new'));
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- History is written by the triggers and removed only by `history prune` (DELETE); it is
-- never rewritten.
CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  RAISE EXCEPTION 'history is append-only: entries are never changed';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER history_append_only BEFORE UPDATE ON history
  FOR EACH STATEMENT EXECUTE FUNCTION history_append_only();

-- +goose StatementBegin
-- history_watch puts the three triggers on one table; migrations that add master data call it.
CREATE FUNCTION history_watch(tbl text, keycols text, product_expr text, company_expr text,
  record_inserts boolean) RETURNS void LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  IF record_inserts THEN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS history_new
      FOR EACH STATEMENT EXECUTE FUNCTION history_record(%L, %L, %L)',
      tbl || '_history_insert', tbl, keycols, product_expr, company_expr);
  END IF;
  EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS history_old NEW TABLE AS history_new
    FOR EACH STATEMENT EXECUTE FUNCTION history_record(%L, %L, %L)',
    tbl || '_history_update', tbl, keycols, product_expr, company_expr);
  EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS history_old
    FOR EACH STATEMENT EXECUTE FUNCTION history_record(%L, %L, %L)',
    tbl || '_history_delete', tbl, keycols, product_expr, company_expr);
END
$$;
-- +goose StatementEnd

SELECT history_watch('settings',        'key',                  '',             '',            true);
SELECT history_watch('currencies',      'code',                 '',             '',            true);
SELECT history_watch('exchange_rates',  'currency,valid_from',  '',             '',            true);
SELECT history_watch('sales_regions',   'code',                 '',             '',            true);
SELECT history_watch('price_types',     'code',                 '',             '',            true);
SELECT history_watch('companies',       'id',                   '',             'r.id',        true);
SELECT history_watch('uom_categories',  'code',                 '',             '',            true);
SELECT history_watch('uoms',            'code',                 '',             '',            true);
SELECT history_watch('locations',       'id',                   '',             '',            true);
SELECT history_watch('products',        'id',                   'r.id',         '',            false);
SELECT history_watch('product_packs',   'id',                   'r.product_id', '',            true);
SELECT history_watch('product_bom',     'product_id,component_id', 'r.product_id', '',         true);
SELECT history_watch('price_breaks',    'id',                   'r.product_id', '',            true);
SELECT history_watch('special_prices',  'id',                   'r.product_id', 'r.customer_id', true);
SELECT history_watch('supplier_prices', 'id',                   'r.product_id', 'r.supplier_id', true);
-- history_watch stays: a later migration watches a table of its own with one call.

-- +goose StatementBegin
-- history_products_update is history_record for updates of products, in static SQL (it keeps
-- its plan; history_record's EXECUTE plans afresh each time). Every receipt that moves a
-- product's cost price (setting cost_price_follows) updates the product's row, so this is on
-- the posting path, where two whole rows made into jsonb and compared cost the moves bench a
-- fifth of its postings per second. stock.Post therefore writes those entries itself, from
-- the two columns it changes (cost_price, and sell_price through a cost formula), in the
-- statement that updates them, and names the products in the transaction's setting
-- stockctl.history_done; the trigger of that statement (depth 1: not one a trigger ran)
-- leaves those rows to it and clears the setting. Every other update is compared whole.
CREATE FUNCTION history_products_update() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  done bigint[] := '{}';
BEGIN
  IF pg_trigger_depth() = 1 AND coalesce(current_setting('stockctl.history_done', true), '') <> '' THEN
    done := string_to_array(current_setting('stockctl.history_done', true), ',')::bigint[];
    PERFORM set_config('stockctl.history_done', '', true);
  END IF;
  INSERT INTO history (table_name, op, row_key, product_id, changes)
  SELECT 'products', CASE WHEN o.id IS NULL THEN 'insert' WHEN n.id IS NULL THEN 'delete' ELSE 'update' END,
         jsonb_build_object('id', coalesce(n.id, o.id)), coalesce(n.id, o.id), d.changes
  FROM (SELECT r.id, to_jsonb(r) AS j FROM history_old r WHERE r.id <> ALL (done)) o
  FULL JOIN (SELECT r.id, to_jsonb(r) AS j FROM history_new r WHERE r.id <> ALL (done)) n ON n.id = o.id
  CROSS JOIN LATERAL (SELECT history_diff(o.j, n.j) AS changes) d
  WHERE d.changes <> '{}'::jsonb;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TRIGGER products_history_update ON products;
CREATE TRIGGER products_history_update AFTER UPDATE ON products
  REFERENCING OLD TABLE AS history_old NEW TABLE AS history_new
  FOR EACH STATEMENT EXECUTE FUNCTION history_products_update();

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT tgname, tgrelid::regclass AS rel FROM pg_trigger g JOIN pg_class cl ON cl.oid = g.tgrelid
           WHERE cl.relnamespace = current_schema()::regnamespace AND (tgname LIKE '%\_history\_insert' OR tgname LIKE '%\_history\_update' OR tgname LIKE '%\_history\_delete')
  LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
  END LOOP;
END
$$;
-- +goose StatementEnd
DROP TABLE history;
DROP FUNCTION history_watch(text, text, text, text, boolean);
DROP FUNCTION history_products_update();
DROP FUNCTION history_append_only();
DROP FUNCTION history_record();
DROP FUNCTION history_diff(jsonb, jsonb);
