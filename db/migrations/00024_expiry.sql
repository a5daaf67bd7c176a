-- Expiry and recall: batch trace reads a batch's moves and the shipments that sent it out,
-- and batch list --expiring the batches by expiry date. Indexes only; no function, table or
-- data changes.

-- +goose Up
CREATE INDEX stock_moves_batch ON stock_moves (batch_id, id) WHERE batch_id IS NOT NULL;
CREATE INDEX shipment_lines_batch ON shipment_lines (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX batches_expiry ON batches (expiry) WHERE expiry IS NOT NULL;

-- +goose Down
DROP INDEX batches_expiry;
DROP INDEX shipment_lines_batch;
DROP INDEX stock_moves_batch;
