package pricing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/pricetype"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgcopy"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/csvio"
)

// BreakInput is one quantity price break to set, in plain values so an importer can pass
// many at once: from MinQty (in the product's stock unit) on, a unit costs Price.
type BreakInput struct {
	SKU       string
	PriceType string // "" means the default price type
	Region    string // "" means every region; a region row is used by location-based pricing
	MinQty    decimal.Decimal
	Price     decimal.Decimal
}

// Break is one row of a product's price breaks. SellPrice marks the default price type's
// first row (no region, minimum 0), which is the product's unit sell price itself.
type Break struct {
	SKU       string          `db:"sku" json:"sku"`
	PriceType string          `db:"price_type" json:"price_type"`
	Region    *string         `db:"region" json:"region"`
	MinQty    decimal.Decimal `db:"min_qty" json:"min_qty"`
	Price     decimal.Decimal `db:"price" json:"price"`
	SellPrice bool            `db:"is_sell_price" json:"sell_price"`
	UpdatedAt time.Time       `db:"updated_at" json:"updated_at" print:"wide"`
	UpdatedBy string          `db:"updated_by" json:"updated_by" print:"wide"`
}

type productInfo struct {
	ID      int64  `db:"id"`
	SKU     string `db:"sku"`
	Formula string `db:"price_formula"`
}

// lookups are the codes a batch of rows names, resolved with one query per kind of code.
type lookups struct {
	products    map[string]productInfo
	types       map[string]bool // code -> active
	regions     map[string]bool
	defaultType string
}

func resolve(ctx context.Context, q sqlx.QueryerContext, skus, regions []string) (lookups, error) {
	l := lookups{products: map[string]productInfo{}, types: map[string]bool{}, regions: map[string]bool{}}
	var ps []productInfo
	if err := sqlx.SelectContext(ctx, q, &ps, `SELECT id, sku, price_formula FROM products WHERE sku = ANY($1::text[])`, pq.Array(uniq(skus))); err != nil {
		return l, db.Classify(err)
	}
	for _, p := range ps {
		l.products[p.SKU] = p
	}
	ts, err := pricetype.All(ctx, q)
	if err != nil {
		return l, err
	}
	for _, t := range ts {
		l.types[t.Code] = t.Active
		if t.Default {
			l.defaultType = t.Code
		}
	}
	if rs := uniq(regions); len(rs) > 0 {
		var found []string
		if err := sqlx.SelectContext(ctx, q, &found, `SELECT code FROM sales_regions WHERE code = ANY($1::text[])`, pq.Array(rs)); err != nil {
			return l, db.Classify(err)
		}
		for _, r := range found {
			l.regions[r] = true
		}
	}
	return l, nil
}

// SetBreaks sets many price break rows in one transaction step: each row is created, or
// replaces the price of the row with the same product, price type, region and minimum. A row
// of the default price type without region at minimum 0 is the product's unit sell price: it
// sets products.sell_price (refused for a product whose sell price comes from a formula).
// Every row is validated first; with any bad row nothing is written and the error holds
// csvio.RowErrors (a single row gets its own error instead). It runs a fixed number of statements
// whatever the number of rows.
func SetBreaks(ctx context.Context, q sqlx.ExtContext, rows []BreakInput) (Counts, error) {
	c, bad, err := setBreaks(ctx, q, rows, byPosition, nil)
	if err != nil {
		return c, err
	}
	return c, (&rowErrs{errs: bad}).err(len(rows))
}

// setBreaks is SetBreaks returning the refused rows apart (nothing written when there are
// any), every reason of each; rowNo names rows in messages that point at another row. An
// import's earlier chunks are in log (nil: none).
func setBreaks(ctx context.Context, q sqlx.ExtContext, rows []BreakInput, rowNo rowNumber, log *pgcopy.KeyLog) (Counts, csvio.RowErrors, error) {
	var c Counts
	if len(rows) == 0 {
		return c, nil, nil
	}
	skus := make([]string, len(rows))
	regions := make([]string, len(rows))
	firstRows := false
	for i, r := range rows {
		skus[i], regions[i] = strings.TrimSpace(r.SKU), strings.TrimSpace(r.Region)
		firstRows = firstRows || (regions[i] == "" && r.MinQty.IsZero())
	}
	if firstRows {
		// Which rows are the sell price depends on the default price type: hold it still
		// until this transaction ends (a change of it waits, as the trigger's lock does).
		if _, err := q.ExecContext(ctx, `SELECT 1 FROM settings WHERE key = 'default_price_type' FOR SHARE`); err != nil {
			return c, nil, db.Classify(err)
		}
	}
	l, err := resolve(ctx, q, skus, regions)
	if err != nil {
		return c, nil, err
	}
	bad := rowErrs{rowNo: rowNo}
	type key struct {
		product          int64
		typ, region, min string
	}
	// The checks of each row on its own first; then, in file order, the rows that pass are
	// held against each other and the import's earlier chunks.
	type candidate struct {
		i   int
		p   productInfo
		typ string
		k   key
	}
	var cands []candidate
	for i, r := range rows {
		// The checks that do not depend on each other all run, so a row gets every reason.
		from := len(bad.errs)
		p, ok := l.products[skus[i]]
		if !ok {
			bad.add(i, "sku", fault.NotFound, "product %s does not exist (find it with stockctl product lookup or product list --search)", skus[i])
		}
		typ := strings.TrimSpace(r.PriceType)
		if typ == "" {
			typ = l.defaultType
		}
		active, known := l.types[typ]
		switch {
		case !known:
			bad.add(i, "price_type", fault.NotFound, "unknown price type %q: see stockctl price-type list", typ)
		case !active:
			bad.add(i, "price_type", fault.Invalid, "price type %q is inactive: activate it first (stockctl price-type activate %s)", typ, typ)
		}
		if regions[i] != "" && !l.regions[regions[i]] {
			bad.add(i, "region", fault.NotFound, "unknown sales region %q: add it with stockctl region add %s", regions[i], regions[i])
		}
		bad.checkAmounts(i, r.MinQty, r.Price)
		if bad.since(from, i) {
			continue
		}
		cands = append(cands, candidate{i, p, typ, key{p.ID, typ, regions[i], minKey(r.MinQty)}})
	}
	keys, fileRows := make([]string, len(cands)), make([]int, len(cands))
	for j, c := range cands {
		keys[j], fileRows[j] = fmt.Sprintf("%d\x1f%s\x1f%s\x1f%s", c.k.product, c.k.typ, c.k.region, c.k.min), rowNo(c.i)
	}
	earlier, err := log.Earlier(ctx, keys, fileRows)
	if err != nil {
		return c, nil, db.Classify(err)
	}
	seen := map[key]int{}
	var sellIDs []int64
	var sellPrices []decimal.Decimal
	var ids []int64
	var types, regs []string
	var mins, prices []decimal.Decimal
	var noted []int // indexes into cands
	for j, cand := range cands {
		i, r, p, typ, k := cand.i, rows[cand.i], cand.p, cand.typ, cand.k
		if row, dup := earlier[j]; dup {
			bad.add(i, "min_qty", fault.Invalid, "same product, price type, region and minimum as row %d", row)
			continue
		}
		if first, dup := seen[k]; dup {
			bad.add(i, "min_qty", fault.Invalid, "same product, price type, region and minimum as row %d", rowNo(first))
			continue
		}
		seen[k] = i
		noted = append(noted, j)
		if typ == l.defaultType && regions[i] == "" && r.MinQty.IsZero() {
			if p.Formula != Fixed {
				bad.add(i, "price", fault.Invalid, "the first %s row of %s (minimum 0, no region) is its unit sell price, which its %s formula computes: change the cost or list price, or make the price fixed first (stockctl price formula %s fixed)",
					typ, p.SKU, p.Formula, p.SKU)
				continue
			}
			sellIDs = append(sellIDs, p.ID)
			sellPrices = append(sellPrices, r.Price)
			continue
		}
		ids = append(ids, p.ID)
		types = append(types, typ)
		regs = append(regs, regions[i])
		mins = append(mins, r.MinQty)
		prices = append(prices, r.Price)
	}
	if err := log.Note(ctx, pick(keys, noted), pick(fileRows, noted)); err != nil {
		return c, nil, db.Classify(err)
	}
	if len(bad.errs) > 0 {
		return c, bad.errs, nil
	}
	if len(sellIDs) > 0 {
		res, err := q.ExecContext(ctx, `UPDATE products p SET sell_price = v.price
			FROM unnest($1::bigint[], $2::text[]::numeric[]) AS v(id, price)
			WHERE p.id = v.id AND p.sell_price IS DISTINCT FROM v.price`,
			pq.Array(sellIDs), pq.Array(decStrings(sellPrices)))
		if err != nil {
			return c, nil, db.Classify(err)
		}
		n, _ := res.RowsAffected()
		c.Updated += int(n)
		c.Unchanged += len(sellIDs) - int(n)
	}
	if len(ids) > 0 {
		created, changed, err := upsertBreaks(ctx, q, ids, types, regs, mins, prices)
		if err != nil {
			return c, nil, err
		}
		c.Created += created
		c.Updated += changed - created
		c.Unchanged += len(ids) - changed
	}
	return c, nil, nil
}

func upsertBreaks(ctx context.Context, q sqlx.QueryerContext, ids []int64, types, regions []string, mins, prices []decimal.Decimal) (created, changed int, err error) {
	rs, err := q.QueryxContext(ctx, `INSERT INTO price_breaks (product_id, price_type, region, min_qty, price)
		SELECT v.id, v.typ, nullif(v.region, ''), v.min_qty, v.price
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]::numeric[], $5::text[]::numeric[])
		  AS v(id, typ, region, min_qty, price)
		ON CONFLICT (product_id, price_type, (coalesce(region, '')), min_qty)
		DO UPDATE SET price = EXCLUDED.price WHERE price_breaks.price IS DISTINCT FROM EXCLUDED.price
		RETURNING xmax = 0`,
		pq.Array(ids), pq.Array(types), pq.Array(regions), pq.Array(decStrings(mins)), pq.Array(decStrings(prices)))
	if err != nil {
		return 0, 0, db.Classify(err)
	}
	defer rs.Close()
	for rs.Next() {
		var inserted bool
		if err := rs.Scan(&inserted); err != nil {
			return 0, 0, db.Classify(err)
		}
		changed++
		if inserted {
			created++
		}
	}
	return created, changed, db.Classify(rs.Err())
}

// AddBreak sets one price break row (created, or the price of the existing row with the same
// product, price type, region and minimum replaced) and returns it with what happened.
func AddBreak(ctx context.Context, q sqlx.ExtContext, in BreakInput) (Break, Counts, error) {
	c, err := SetBreaks(ctx, q, []BreakInput{in})
	if err != nil {
		return Break{}, c, err
	}
	b, err := getBreak(ctx, q, strings.TrimSpace(in.SKU), in.PriceType, strings.TrimSpace(in.Region), in.MinQty)
	return b, c, err
}

const selectBreak = `SELECT p.sku, b.price_type, b.region, b.min_qty, b.price, b.is_sell_price, b.updated_at, b.updated_by
	FROM product_price_breaks b JOIN products p ON p.id = b.product_id`

func getBreak(ctx context.Context, q sqlx.QueryerContext, sku, priceType, region string, minQty decimal.Decimal) (Break, error) {
	var bs []Break
	err := sqlx.SelectContext(ctx, q, &bs, selectBreak+`
		WHERE p.sku = $1
		  AND b.price_type = coalesce(nullif($2::text, ''), (SELECT value FROM settings WHERE key = 'default_price_type'))
		  AND coalesce(b.region, '') = $3::text AND b.min_qty = $4::numeric`, sku, strings.TrimSpace(priceType), region, minQty)
	if err != nil {
		return Break{}, db.Classify(err)
	}
	if len(bs) == 0 {
		return Break{}, fault.NotFoundf("product %s has no such price break row (stockctl price break list %s)", sku, sku)
	}
	return bs[0], nil
}

// Breaks lists a product's break rows, the default price type's first (the unit sell price)
// included: the default price type first, then by price type, region (none first) and
// minimum. priceType narrows the list to one price type.
func Breaks(ctx context.Context, q sqlx.QueryerContext, sku, priceType string) ([]Break, error) {
	if _, err := productID(ctx, q, sku, false); err != nil {
		return nil, err
	}
	if priceType != "" {
		if _, err := pricetype.GetType(ctx, q, priceType); err != nil {
			return nil, fault.Wrap(fault.KindOf(err), err, "--price-type")
		}
	}
	bs := []Break{}
	err := sqlx.SelectContext(ctx, q, &bs, selectBreak+`
		WHERE p.sku = $1 AND ($2::text = '' OR b.price_type = $2::text)
		ORDER BY NOT b.is_sell_price AND b.price_type <> (SELECT value FROM settings WHERE key = 'default_price_type'),
		  b.price_type, b.region NULLS FIRST, b.min_qty`, sku, priceType)
	return bs, db.Classify(err)
}

// DeleteBreak removes one break row: the product's row of the price type ("" = the default),
// region ("" = none) and minimum. The default price type's first row is the unit sell price
// and cannot be deleted.
func DeleteBreak(ctx context.Context, q sqlx.ExtContext, sku, priceType, region string, minQty decimal.Decimal) (Break, error) {
	id, err := productID(ctx, q, sku, false)
	if err != nil {
		return Break{}, err
	}
	def, err := pricetype.DefaultType(ctx, q)
	if err != nil {
		return Break{}, err
	}
	typ := strings.TrimSpace(priceType)
	if typ == "" {
		typ = def
	} else if _, err := pricetype.GetType(ctx, q, typ); err != nil {
		return Break{}, fault.Wrap(fault.KindOf(err), err, "--price-type")
	}
	region = strings.TrimSpace(region)
	if typ == def && region == "" && minQty.IsZero() {
		return Break{}, fault.Invalidf("min-qty", "the first %s row of %s (minimum 0, no region) is its unit sell price and cannot be deleted: change it with stockctl product edit %s --sell-price P or stockctl price formula", typ, sku, sku)
	}
	var b Break
	err = sqlx.GetContext(ctx, q, &b, `DELETE FROM price_breaks
		WHERE product_id = $1 AND price_type = $2 AND coalesce(region, '') = $3::text AND min_qty = $4::numeric
		RETURNING $5::text AS sku, price_type, region, min_qty, price, false AS is_sell_price, updated_at, updated_by`,
		id, typ, region, minQty, sku)
	if err != nil {
		if fault.Is(db.Classify(err), fault.NotFound) {
			where := ""
			if region != "" {
				where = " in region " + region
			}
			return Break{}, fault.NotFoundf("product %s has no %s break row from %s%s (stockctl price break list %s)", sku, typ, minQty, where, sku)
		}
		return Break{}, db.Classify(err)
	}
	return b, nil
}
