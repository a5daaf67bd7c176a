-- A ref (--ref) keeps what was asked and what came of it, so the same ref again can tell
-- the same request (answered with the result kept) from a different one (refused, naming
-- the first difference). request is the canonical form of what the posting asked for
-- (inventory/stock/ref.go: named fields and lines, decimals as numbers, a digest of the
-- lines and the lines themselves while there are at most 10,000); result is what the
-- command printed, decimals with their own scale. Both are written in the transaction
-- that posts. Rows from before this migration have neither: a ref posted then is still
-- recognised, but nothing can be compared or shown. po_receipts keeps the same two
-- columns for po receive's refs, which are per purchase order.

-- +goose Up
ALTER TABLE posting_refs ADD COLUMN request jsonb, ADD COLUMN result jsonb;
ALTER TABLE po_receipts ADD COLUMN request jsonb, ADD COLUMN result jsonb;

-- +goose Down
ALTER TABLE po_receipts DROP COLUMN result, DROP COLUMN request;
ALTER TABLE posting_refs DROP COLUMN result, DROP COLUMN request;
