-- updated_at is the moment the row was changed, not the moment its transaction began.
-- stock check judges a product's moves by when its tracking was switched on (products.
-- updated_at) against when each move was made (stock_moves.created_at, its transaction's
-- start). A catalogue change waits for postings already holding the product's lock
-- (inventory/stock, lock); with now(), a change whose transaction began before such a posting
-- would be stamped earlier than the posting's moves and make them look as if they broke the
-- new rule. clock_timestamp() is read once the change holds the lock, so it comes after
-- every move the change waited for.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stamp_update() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  NEW.updated_at := clock_timestamp();
  NEW.updated_by := stockctl_actor();
  RETURN NEW;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stamp_update() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  NEW.updated_at := now();
  NEW.updated_by := stockctl_actor();
  RETURN NEW;
END
$$;
-- +goose StatementEnd
