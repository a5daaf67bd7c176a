-- Whether a sales order's prices include tax is frozen on the order when it is made, like
-- its currency and rate: changing the setting prices_include_tax later changes new orders
-- only, never what an order already taken (or its invoices) says. Existing orders take the
-- setting's value as it is now, which is what they were shown under until this migration.
-- New orders take it from the setting through the column's default, whichever code path
-- inserts them; sales.New may also give it explicitly (so new --prices-include-tax).

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION setting_prices_include_tax() RETURNS boolean LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
  SELECT coalesce((SELECT value = 'true' FROM settings WHERE key = 'prices_include_tax'), false)
$$;
-- +goose StatementEnd
ALTER TABLE sales_orders ADD COLUMN prices_include_tax boolean NOT NULL DEFAULT setting_prices_include_tax();

-- +goose Down
ALTER TABLE sales_orders DROP COLUMN prices_include_tax;
DROP FUNCTION setting_prices_include_tax();
