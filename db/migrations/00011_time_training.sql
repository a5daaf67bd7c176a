-- Time billing and training (SPEC §8): the billing period of time products, time entries
-- (billed onto sales order lines, immutable once billed), training sessions and their
-- registrations (seats never beyond capacity).
--
-- Time: a product of type time has a row in time_products saying what one unit of its price
-- is: period_qty × period_unit (1 day, 2 week ...), on a working calendar of hours_per_day
-- hours a day, 5 days a week, 20 days a month, 60 a quarter, 240 a year (orders/timebill).
-- Entries are logged in hours; billing converts the hours into periods.
--
-- Training: seats_taken on the session row is the sum of the seats of its registered (not
-- waitlisted) registrations, kept by a trigger; orders/training checks capacity under the
-- session row's lock and the CHECK is the last line of defence.

-- +goose Up
CREATE TABLE time_products (
  product_id    bigint PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
  period_qty    numeric NOT NULL DEFAULT 1 CHECK (period_qty > 0),
  period_unit   text NOT NULL DEFAULT 'hour' CHECK (period_unit IN ('hour', 'day', 'week', 'month', 'quarter', 'year')),
  time_type     text NOT NULL DEFAULT 'labour' CHECK (time_type IN ('labour', 'travel')),
  hours_per_day numeric NOT NULL DEFAULT 8 CHECK (hours_per_day > 0 AND hours_per_day <= 24),
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL DEFAULT stockctl_actor(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text NOT NULL DEFAULT stockctl_actor()
);
CREATE TRIGGER time_products_stamp BEFORE UPDATE ON time_products FOR EACH ROW EXECUTE FUNCTION stamp_update();

CREATE TABLE time_entries (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES companies (id),
  product_id  bigint NOT NULL REFERENCES products (id),
  entry_date  date NOT NULL DEFAULT current_date,
  hours       numeric NOT NULL CHECK (hours > 0),
  note        text NOT NULL DEFAULT '',
  ref         text NOT NULL DEFAULT '', -- project or ticket
  billable    boolean NOT NULL DEFAULT true,
  -- Price per period typed by hand, in the customer's currency; NULL: priced by pricing.Quote.
  rate        numeric CHECK (rate >= 0),
  so_line_id  bigint REFERENCES so_lines (id),
  billed_at   timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL DEFAULT stockctl_actor(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT stockctl_actor(),
  CHECK ((so_line_id IS NULL) = (billed_at IS NULL)),
  CHECK (billable OR so_line_id IS NULL)
);
CREATE TRIGGER time_entries_stamp BEFORE UPDATE ON time_entries FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX time_entries_unbilled ON time_entries (customer_id, entry_date) WHERE so_line_id IS NULL AND billable;
CREATE INDEX time_entries_customer ON time_entries (customer_id, entry_date, id);
CREATE INDEX time_entries_so_line ON time_entries (so_line_id) WHERE so_line_id IS NOT NULL;

-- A billed entry is frozen: only the update that bills it (setting so_line_id) gets through.
-- +goose StatementBegin
CREATE FUNCTION time_entries_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.so_line_id IS NOT NULL THEN
    RAISE EXCEPTION 'time entry % is billed on a sales order and can no longer change', OLD.id;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER time_entries_frozen BEFORE UPDATE OR DELETE ON time_entries
  FOR EACH ROW EXECUTE FUNCTION time_entries_frozen();

CREATE TABLE training_sessions (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id   bigint NOT NULL REFERENCES products (id),
  session_date date NOT NULL,
  location_id  bigint NOT NULL REFERENCES locations (id),
  capacity     int NOT NULL CHECK (capacity > 0),
  seats_taken  int NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL DEFAULT stockctl_actor(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL DEFAULT stockctl_actor(),
  CONSTRAINT training_sessions_seats CHECK (seats_taken >= 0 AND seats_taken <= capacity)
);
CREATE TRIGGER training_sessions_stamp BEFORE UPDATE ON training_sessions FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX training_sessions_product ON training_sessions (product_id, session_date);

CREATE TABLE training_registrations (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id  bigint NOT NULL REFERENCES training_sessions (id),
  customer_id bigint NOT NULL REFERENCES companies (id),
  seats       int NOT NULL CHECK (seats > 0),
  status      text NOT NULL CHECK (status IN ('registered', 'waitlisted')),
  -- The priced sales order line of a registered registration; none while waitlisted.
  so_line_id  bigint REFERENCES so_lines (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL DEFAULT stockctl_actor(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT stockctl_actor(),
  CHECK ((status = 'registered') = (so_line_id IS NOT NULL))
);
CREATE TRIGGER training_registrations_stamp BEFORE UPDATE ON training_registrations FOR EACH ROW EXECUTE FUNCTION stamp_update();
CREATE INDEX training_registrations_session ON training_registrations (session_id, id);

-- seats_taken follows the registered registrations whatever code path writes them, so the
-- CHECK on training_sessions refuses any write that would put more seats than capacity.
-- +goose StatementBegin
CREATE FUNCTION training_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'registered' THEN
    UPDATE training_sessions SET seats_taken = seats_taken - OLD.seats WHERE id = OLD.session_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'registered' THEN
    UPDATE training_sessions SET seats_taken = seats_taken + NEW.seats WHERE id = NEW.session_id;
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER training_seats AFTER INSERT OR UPDATE OR DELETE ON training_registrations
  FOR EACH ROW EXECUTE FUNCTION training_seats();

-- +goose Down
DROP TABLE training_registrations;
DROP FUNCTION training_seats();
DROP TABLE training_sessions;
DROP TABLE time_entries;
DROP FUNCTION time_entries_frozen();
DROP TABLE time_products;
