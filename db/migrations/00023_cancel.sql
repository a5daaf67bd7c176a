-- Cancelling a sales order undoes what was made for it (orders/cancel), and a product's
-- tracking is not switched on under sales lines that were taken while it was untracked.
--
-- Time entries: a billed entry stays frozen, except for the one update that unbills it once
-- the sales order it was billed on is cancelled (so_line_id and billed_at back to NULL,
-- nothing else changed). The entry is then billable again by the next time bill.
--
-- Training registrations: a registration whose order is cancelled becomes 'cancelled'. It
-- keeps its line (the cancelled order is its history) but no seat: the training_seats
-- trigger takes the seats of a registration leaving 'registered' off the session, so the
-- waitlist can be promoted into them.
--
-- po_line_demands: which backordered sales order lines, and how much of each, a draft PO
-- line po generate --from-backorders made was ordered for. Cancelling the sales order removes
-- the draft lines ordered only for it (and cancels a draft left with no lines) and drops its
-- demand from lines shared with other orders (orders/purchasing ForgetSalesOrder).
--
-- product_untracked_lines: the open sales order lines (draft, confirmed, partially shipped;
-- not fully invoiced) that were taken as non-stock lines (so_lines.stock false). A product
-- with such lines cannot start tracking stock (inventory/catalog): those lines would never
-- be allocated or shipped, so the goods sold would never leave stock. It is an extension
-- point like product_activity: the catalogue reads it without knowing the order tables.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION time_entries_frozen() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  IF OLD.so_line_id IS NOT NULL THEN
    IF TG_OP = 'UPDATE' AND NEW.so_line_id IS NULL AND NEW.billed_at IS NULL
       AND (NEW.customer_id, NEW.product_id, NEW.entry_date, NEW.hours, NEW.note, NEW.ref, NEW.billable, NEW.rate)
           IS NOT DISTINCT FROM (OLD.customer_id, OLD.product_id, OLD.entry_date, OLD.hours, OLD.note, OLD.ref, OLD.billable, OLD.rate)
       AND EXISTS (SELECT 1 FROM so_lines l JOIN sales_orders o ON o.id = l.so_id
                   WHERE l.id = OLD.so_line_id AND o.status = 'cancelled') THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'time entry % is billed on a sales order and can no longer change', OLD.id;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd

ALTER TABLE training_registrations DROP CONSTRAINT training_registrations_status_check,
  DROP CONSTRAINT training_registrations_check,
  ADD CONSTRAINT training_registrations_status_check CHECK (status IN ('registered', 'waitlisted', 'cancelled')),
  ADD CONSTRAINT training_registrations_check CHECK ((status = 'waitlisted') = (so_line_id IS NULL));
CREATE INDEX training_registrations_so_line ON training_registrations (so_line_id) WHERE so_line_id IS NOT NULL;

CREATE TABLE po_line_demands (
  po_line_id bigint NOT NULL REFERENCES po_lines (id) ON DELETE CASCADE,
  so_line_id bigint NOT NULL REFERENCES so_lines (id),
  qty        numeric NOT NULL CHECK (qty > 0),
  PRIMARY KEY (po_line_id, so_line_id)
);
CREATE INDEX po_line_demands_so_line ON po_line_demands (so_line_id);

CREATE VIEW product_untracked_lines AS
  SELECT x.product_id, o.number AS so, x.line_no, x.qty, x.unit, x.entered_qty, o.status
  FROM so_lines x JOIN sales_orders o ON o.id = x.so_id
  WHERE NOT x.stock AND o.status IN ('draft', 'confirmed', 'partially_shipped') AND x.invoiced < x.qty;

-- +goose Down
DROP VIEW product_untracked_lines;
DROP TABLE po_line_demands;
DROP INDEX training_registrations_so_line;
DELETE FROM training_registrations WHERE status = 'cancelled';
ALTER TABLE training_registrations DROP CONSTRAINT training_registrations_status_check,
  DROP CONSTRAINT training_registrations_check,
  ADD CONSTRAINT training_registrations_status_check CHECK (status IN ('registered', 'waitlisted')),
  ADD CONSTRAINT training_registrations_check CHECK ((status = 'registered') = (so_line_id IS NOT NULL));
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION time_entries_frozen() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
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
