-- Foundation: who changed what, settings, currencies and rates, sales regions, price types,
-- companies, and the documents view that later document tables join.

-- +goose Up
-- +goose StatementBegin
-- The actor comes from the session setting stockctl.actor (set by every stockctl connection),
-- falling back to the database user for changes made outside stockctl.
CREATE FUNCTION stockctl_actor() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('stockctl.actor', true), ''), session_user::text)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION stamp_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  NEW.updated_by := stockctl_actor();
  RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT stockctl_actor()
);
CREATE TRIGGER settings_stamp BEFORE UPDATE ON settings FOR EACH ROW EXECUTE FUNCTION stamp_update();

INSERT INTO settings (key, value) VALUES
  ('base_currency', 'USD'),
  ('default_price_type', 'retail'),
  ('location_pricing', 'none'),
  ('prices_include_tax', 'false'),
  ('negative_stock_allowed', 'false'),
  ('gl_sales', '4000'),
  ('gl_purchase', '5000'),
  ('gl_inventory', '1300'),
  ('gl_cogs', '5100'),
  ('gl_adjustment', '5200'),
  ('gl_stocktake', '5210'),
  ('tax_rate_sales', '0'),
  ('tax_rate_purchase', '0'),
  ('number_format_so', 'SO-%06d'),
  ('number_format_po', 'PO-%06d'),
  ('number_format_rfq', 'RFQ-%06d'),
  ('number_format_wo', 'WO-%06d'),
  ('number_format_st', 'ST-%06d'),
  ('number_format_tr', 'TR-%06d'),
  ('number_format_inv', 'INV-%06d');

CREATE TABLE currencies (
  code        text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
  name        text NOT NULL,
  minor_units smallint NOT NULL CHECK (minor_units BETWEEN 0 AND 4),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL DEFAULT stockctl_actor(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT stockctl_actor()
);
CREATE TRIGGER currencies_stamp BEFORE UPDATE ON currencies FOR EACH ROW EXECUTE FUNCTION stamp_update();
INSERT INTO currencies (code, name, minor_units) VALUES ('USD', 'US Dollar', 2);

-- One row per currency and day a rate starts: one unit of currency is worth rate base units.
CREATE TABLE exchange_rates (
  currency   text NOT NULL REFERENCES currencies (code) ON UPDATE CASCADE,
  valid_from date NOT NULL,
  rate       numeric NOT NULL CHECK (rate > 0 AND rate < 1e10 AND scale(rate) <= 10),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT stockctl_actor(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT stockctl_actor(),
  PRIMARY KEY (currency, valid_from)
);
CREATE TRIGGER exchange_rates_stamp BEFORE UPDATE ON exchange_rates FOR EACH ROW EXECUTE FUNCTION stamp_update();

CREATE TABLE sales_regions (
  code       text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$'),
  name       text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT stockctl_actor(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT stockctl_actor()
);
CREATE TRIGGER sales_regions_stamp BEFORE UPDATE ON sales_regions FOR EACH ROW EXECUTE FUNCTION stamp_update();

-- Price types are needed now because every customer has one; the pricing engine builds on them.
CREATE TABLE price_types (
  code       text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'),
  name       text NOT NULL DEFAULT '',
  active     boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT stockctl_actor(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT stockctl_actor()
);
CREATE TRIGGER price_types_stamp BEFORE UPDATE ON price_types FOR EACH ROW EXECUTE FUNCTION stamp_update();
INSERT INTO price_types (code, name) VALUES ('retail', 'Retail'), ('wholesale', 'Wholesale'), ('trade', 'Trade');

CREATE TABLE companies (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$'),
  name            text NOT NULL CHECK (name <> ''),
  is_customer     boolean NOT NULL DEFAULT false,
  is_supplier     boolean NOT NULL DEFAULT false,
  is_manufacturer boolean NOT NULL DEFAULT false,
  currency        text NOT NULL REFERENCES currencies (code) ON UPDATE CASCADE,
  price_type      text REFERENCES price_types (code) ON UPDATE CASCADE,
  region          text REFERENCES sales_regions (code) ON UPDATE CASCADE,
  tax_rate        numeric CHECK (tax_rate >= 0 AND tax_rate <= 100 AND scale(tax_rate) <= 4),
  email           text NOT NULL DEFAULT '',
  address         text NOT NULL DEFAULT '',
  active          boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      text NOT NULL DEFAULT stockctl_actor(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  updated_by      text NOT NULL DEFAULT stockctl_actor(),
  CHECK (price_type IS NULL OR is_customer)
);
CREATE TRIGGER companies_stamp BEFORE UPDATE ON companies FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX companies_region ON companies (region);

-- Every business document (orders, receipts, invoices, stocktakes ...) appears in this view.
-- Each migration that adds a document table redefines it with one more UNION ALL branch, so
-- rules such as "the base currency cannot change once documents exist" cover later tables.
CREATE VIEW documents (kind, number, created_at) AS
  SELECT NULL::text, NULL::text, NULL::timestamptz WHERE false;

-- +goose Down
DROP VIEW documents;
DROP TABLE companies;
DROP TABLE price_types;
DROP TABLE sales_regions;
DROP TABLE exchange_rates;
DROP TABLE currencies;
DROP TABLE settings;
DROP FUNCTION stamp_update();
DROP FUNCTION stockctl_actor();
