-- A variant's link to its template moves from products.template_id to a table of its own.
-- Few products are variants, but the column's foreign key cost every product insert an
-- integrity trigger, NULL or not: 1.3 s of a million-row product import (about 12 % of
-- the insert; docs/performance.md). Deleting a variant deletes its link; a template with
-- variants cannot be deleted, as before.

-- +goose Up
CREATE TABLE product_variants (
  variant_id  bigint PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
  template_id bigint NOT NULL REFERENCES products (id),
  CHECK (variant_id <> template_id)
);
CREATE INDEX product_variants_template ON product_variants (template_id);
INSERT INTO product_variants (variant_id, template_id)
  SELECT id, template_id FROM products WHERE template_id IS NOT NULL;
ALTER TABLE products DROP COLUMN template_id;

-- +goose Down
ALTER TABLE products ADD COLUMN template_id bigint REFERENCES products (id),
  ADD CHECK (template_id IS NULL OR template_id <> id);
CREATE INDEX products_template ON products (template_id) WHERE template_id IS NOT NULL;
UPDATE products p SET template_id = v.template_id FROM product_variants v WHERE v.variant_id = p.id;
DROP TABLE product_variants;
