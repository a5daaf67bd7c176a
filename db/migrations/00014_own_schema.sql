-- stockctl keeps a business in one schema of its own: every connection's search_path is that
-- schema and nothing else (db.Config). Views and column defaults refer to what they use by
-- identity, but function bodies look names up when they run, so each function carries the
-- schema in its own search_path: a trigger fired by an UPDATE typed in psql, whatever that
-- session's search_path, still finds stockctl's tables. Functions added by later migrations
-- say SET search_path FROM CURRENT themselves (a test checks every function).
--
-- stockctl_actor() is left alone: it calls only built-in functions, and a function with
-- settings of its own is no longer inlined into the column defaults that call it per row.

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
           WHERE p.pronamespace = current_schema()::regnamespace AND p.proname <> 'stockctl_actor'
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
  END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
           WHERE p.pronamespace = current_schema()::regnamespace AND p.proname <> 'stockctl_actor'
  LOOP
    EXECUTE format('ALTER FUNCTION %s RESET search_path', f);
  END LOOP;
END
$$;
-- +goose StatementEnd
