package pricing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgcopy"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/csvio"
	"github.com/stockctl/stockctl/io/exactdec"
)

// SpecialInput is one special price row for a customer and product, in plain values so an
// importer can pass many: from MinQty on, a unit costs Price, on the days From to Until
// (inclusive; nil is open-ended).
type SpecialInput struct {
	Customer    string
	SKU         string
	MinQty      decimal.Decimal
	Price       decimal.Decimal
	From, Until *time.Time
}

// Special is one special price row. Status says whether it is valid today: current,
// expired or future.
type Special struct {
	Customer   string          `db:"customer" json:"customer"`
	SKU        string          `db:"sku" json:"sku"`
	MinQty     decimal.Decimal `db:"min_qty" json:"min_qty"`
	Price      decimal.Decimal `db:"price" json:"price"`
	ValidFrom  *time.Time      `db:"valid_from" json:"valid_from" print:"date"`
	ValidUntil *time.Time      `db:"valid_until" json:"valid_until" print:"date"`
	Status     string          `db:"status" json:"status"`
	UpdatedAt  time.Time       `db:"updated_at" json:"updated_at" print:"wide"`
	UpdatedBy  string          `db:"updated_by" json:"updated_by" print:"wide"`
}

// Special price statuses on a given day.
const (
	StatusCurrent = "current"
	StatusExpired = "expired"
	StatusFuture  = "future"
)

// CellColor colours the status in a terminal table.
func (s Special) CellColor(field string) string {
	if field != "status" {
		return ""
	}
	switch s.Status {
	case StatusExpired:
		return "red"
	case StatusFuture:
		return "yellow"
	}
	return ""
}

type customerInfo struct {
	ID       int64  `db:"id"`
	Code     string `db:"code"`
	Customer bool   `db:"is_customer"`
}

func dateOnly(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// SetSpecials sets many special price rows: each is created, or replaces the price and
// validity of the customer's row for the product at the same minimum. Every row is validated
// first; with any bad row nothing is written and the error holds csvio.RowErrors (a single row gets
// its own error). It runs a fixed number of statements whatever the number of rows.
func SetSpecials(ctx context.Context, q sqlx.ExtContext, rows []SpecialInput) (Counts, error) {
	c, bad, err := setSpecials(ctx, q, rows, byPosition, nil)
	if err != nil {
		return c, err
	}
	return c, (&rowErrs{errs: bad}).err(len(rows))
}

// setSpecials is SetSpecials returning the refused rows apart (nothing written when there
// are any), every reason of each; rowNo names rows in messages that point at another row.
func setSpecials(ctx context.Context, q sqlx.ExtContext, rows []SpecialInput, rowNo rowNumber, log *pgcopy.KeyLog) (Counts, csvio.RowErrors, error) {
	var c Counts
	if len(rows) == 0 {
		return c, nil, nil
	}
	skus := make([]string, len(rows))
	codes := make([]string, len(rows))
	for i, r := range rows {
		skus[i], codes[i] = strings.TrimSpace(r.SKU), strings.TrimSpace(r.Customer)
	}
	l, err := resolve(ctx, q, skus, nil)
	if err != nil {
		return c, nil, err
	}
	var cs []customerInfo
	if err := sqlx.SelectContext(ctx, q, &cs, `SELECT id, code, is_customer FROM companies WHERE code = ANY($1::text[])`, pq.Array(uniq(codes))); err != nil {
		return c, nil, db.Classify(err)
	}
	customers := make(map[string]customerInfo, len(cs))
	for _, cu := range cs {
		customers[cu.Code] = cu
	}
	bad := rowErrs{rowNo: rowNo}
	type key struct {
		customer, product int64
		min               string
	}
	// The checks of each row on its own first; then, in file order, the rows that pass are
	// held against each other and the import's earlier chunks.
	type candidate struct {
		i           int
		k           key
		from, until string
	}
	var cands []candidate
	for i, r := range rows {
		// The checks that do not depend on each other all run, so a row gets every reason.
		from := len(bad.errs)
		cu, ok := customers[codes[i]]
		switch {
		case !ok:
			bad.add(i, "customer", fault.NotFound, "company %s does not exist (stockctl company list --customers)", codes[i])
		case !cu.Customer:
			bad.add(i, "customer", fault.Invalid, "company %s is not a customer: stockctl company edit %s --customer", cu.Code, cu.Code)
		}
		p, ok := l.products[skus[i]]
		if !ok {
			bad.add(i, "sku", fault.NotFound, "product %s does not exist (find it with stockctl product lookup or product list --search)", skus[i])
		}
		bad.checkAmounts(i, r.MinQty, r.Price)
		fromDay, until := dateOnly(r.From), dateOnly(r.Until)
		if fromDay != "" && until != "" && until < fromDay {
			bad.add(i, "until", fault.Invalid, "valid until %s is before valid from %s", until, fromDay)
		}
		if bad.since(from, i) {
			continue
		}
		cands = append(cands, candidate{i, key{cu.ID, p.ID, minKey(r.MinQty)}, fromDay, until})
	}
	keys, fileRows := make([]string, len(cands)), make([]int, len(cands))
	for j, c := range cands {
		keys[j], fileRows[j] = fmt.Sprintf("%d\x1f%d\x1f%s", c.k.customer, c.k.product, c.k.min), rowNo(c.i)
	}
	earlier, err := log.Earlier(ctx, keys, fileRows)
	if err != nil {
		return c, nil, db.Classify(err)
	}
	seen := map[key]int{}
	var custIDs, prodIDs []int64
	var mins, prices []decimal.Decimal
	var froms, untils []string
	var noted []int // indexes into cands
	for j, cand := range cands {
		i, r, k := cand.i, rows[cand.i], cand.k
		if row, dup := earlier[j]; dup {
			bad.add(i, "min_qty", fault.Invalid, "same customer, product and minimum as row %d", row)
			continue
		}
		if first, dup := seen[k]; dup {
			bad.add(i, "min_qty", fault.Invalid, "same customer, product and minimum as row %d", rowNo(first))
			continue
		}
		seen[k] = i
		noted = append(noted, j)
		custIDs = append(custIDs, k.customer)
		prodIDs = append(prodIDs, k.product)
		mins = append(mins, r.MinQty)
		prices = append(prices, r.Price)
		froms = append(froms, cand.from)
		untils = append(untils, cand.until)
	}
	if err := log.Note(ctx, pick(keys, noted), pick(fileRows, noted)); err != nil {
		return c, nil, db.Classify(err)
	}
	if len(bad.errs) > 0 {
		return c, bad.errs, nil
	}
	rs, err := q.QueryxContext(ctx, `INSERT INTO special_prices (customer_id, product_id, min_qty, price, valid_from, valid_until)
		SELECT v.customer_id, v.product_id, v.min_qty, v.price, nullif(v.valid_from, '')::date, nullif(v.valid_until, '')::date
		FROM unnest($1::bigint[], $2::bigint[], $3::text[]::numeric[], $4::text[]::numeric[], $5::text[], $6::text[])
		  AS v(customer_id, product_id, min_qty, price, valid_from, valid_until)
		ON CONFLICT (customer_id, product_id, min_qty) DO UPDATE
		SET price = EXCLUDED.price, valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until
		WHERE (special_prices.price, special_prices.valid_from, special_prices.valid_until)
		      IS DISTINCT FROM (EXCLUDED.price, EXCLUDED.valid_from, EXCLUDED.valid_until)
		RETURNING xmax = 0`,
		pq.Array(custIDs), pq.Array(prodIDs), pq.Array(decStrings(mins)), pq.Array(decStrings(prices)),
		pq.Array(froms), pq.Array(untils))
	if err != nil {
		return c, nil, db.Classify(err)
	}
	defer rs.Close()
	changed := 0
	for rs.Next() {
		var inserted bool
		if err := rs.Scan(&inserted); err != nil {
			return c, nil, db.Classify(err)
		}
		changed++
		if inserted {
			c.Created++
		}
	}
	if err := rs.Err(); err != nil {
		return c, nil, db.Classify(err)
	}
	c.Updated = changed - c.Created
	c.Unchanged = len(custIDs) - changed
	return c, nil, nil
}

// AddSpecial sets one special price row and returns it with what happened.
func AddSpecial(ctx context.Context, q sqlx.ExtContext, in SpecialInput, today time.Time) (Special, Counts, error) {
	c, err := SetSpecials(ctx, q, []SpecialInput{in})
	if err != nil {
		return Special{}, c, err
	}
	var s Special
	err = sqlx.GetContext(ctx, q, &s, selectSpecial+`
		WHERE c.code = $2 AND p.sku = $3 AND s.min_qty = $4::numeric`,
		today.Format(time.DateOnly), strings.TrimSpace(in.Customer), strings.TrimSpace(in.SKU), in.MinQty)
	return s, c, db.Classify(err)
}

// selectSpecial reads special rows with their status on the day $1.
const selectSpecial = `SELECT c.code AS customer, p.sku, s.min_qty, s.price, s.valid_from, s.valid_until,
	CASE WHEN s.valid_until < $1::date THEN 'expired' WHEN s.valid_from > $1::date THEN 'future' ELSE 'current' END AS status,
	s.updated_at, s.updated_by
	FROM special_prices s JOIN companies c ON c.id = s.customer_id JOIN products p ON p.id = s.product_id`

// Specials lists special price rows by customer, SKU and minimum, with their status on today;
// customer and sku ("" for all) narrow the list.
func Specials(ctx context.Context, q sqlx.QueryerContext, customer, sku string, today time.Time) ([]Special, error) {
	if customer != "" {
		if _, err := customerID(ctx, q, customer); err != nil {
			return nil, err
		}
	}
	if sku != "" {
		if _, err := productID(ctx, q, sku, false); err != nil {
			return nil, err
		}
	}
	ss := []Special{}
	err := sqlx.SelectContext(ctx, q, &ss, selectSpecial+`
		WHERE ($2::text = '' OR c.code = $2::text) AND ($3::text = '' OR p.sku = $3::text)
		ORDER BY c.code, p.sku, s.min_qty`, today.Format(time.DateOnly), customer, sku)
	return ss, db.Classify(err)
}

func customerID(ctx context.Context, q sqlx.QueryerContext, code string) (int64, error) {
	var cu customerInfo
	err := sqlx.GetContext(ctx, q, &cu, `SELECT id, code, is_customer FROM companies WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.NotFoundf("company %s does not exist (stockctl company list --customers)", code)
	}
	if err != nil {
		return 0, db.Classify(err)
	}
	if !cu.Customer {
		return 0, fault.Invalidf("customer", "company %s is not a customer: stockctl company edit %s --customer", code, code)
	}
	return cu.ID, nil
}

// DeleteSpecial removes a customer's special price for a product: the one row at minQty, or,
// with minQty nil, every row of the pair. It returns the rows deleted (with their status on
// today); none is not found.
func DeleteSpecial(ctx context.Context, q sqlx.ExtContext, customer, sku string, minQty *decimal.Decimal, today time.Time) ([]Special, error) {
	cid, err := customerID(ctx, q, customer)
	if err != nil {
		return nil, err
	}
	pid, err := productID(ctx, q, sku, false)
	if err != nil {
		return nil, err
	}
	var ss []Special
	err = sqlx.SelectContext(ctx, q, &ss, `DELETE FROM special_prices s
		WHERE customer_id = $1 AND product_id = $2 AND ($3::numeric IS NULL OR min_qty = $3::numeric)
		RETURNING $4::text AS customer, $5::text AS sku, s.min_qty, s.price, s.valid_from, s.valid_until,
		  CASE WHEN s.valid_until < $6::date THEN 'expired' WHEN s.valid_from > $6::date THEN 'future' ELSE 'current' END AS status,
		  s.updated_at, s.updated_by`, cid, pid, minQty, customer, sku, today.Format(time.DateOnly))
	if err != nil {
		return nil, db.Classify(err)
	}
	if len(ss) == 0 {
		if minQty != nil {
			return nil, fault.NotFoundf("%s has no special price row for %s from %s (stockctl price special list %s)", customer, sku, exactdec.String(*minQty), customer)
		}
		return nil, fault.NotFoundf("%s has no special price for %s (stockctl price special list %s)", customer, sku, customer)
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].MinQty.LessThan(ss[j].MinQty) })
	return ss, nil
}
