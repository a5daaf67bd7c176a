-- The stock a product's average cost is spread over, kept on its cost row. A posting locks
-- that row first; reading the quantity from the locked row gives the figure as of the lock,
-- whereas summing the balances in the locking statement would see them as they were before
-- it waited for the lock, and weigh a new cost against stale stock.

-- +goose Up
ALTER TABLE product_costs ADD COLUMN on_hand numeric NOT NULL DEFAULT 0;
UPDATE product_costs c SET on_hand = b.on_hand
FROM (SELECT product_id, sum(on_hand) AS on_hand FROM stock_balances GROUP BY product_id) b
WHERE b.product_id = c.product_id;

-- +goose Down
ALTER TABLE product_costs DROP COLUMN on_hand;
