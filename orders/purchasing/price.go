package purchasing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/business/uom"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/io/csvio"
)

// Price is one row of a supplier's price list for a product: the price per Unit (the stock
// unit, or the unit or pack the supplier prices in: 60.00 per box, UnitQty 12 stock units)
// from a minimum quantity in stock units on (several rows with different minimum quantities are the supplier's
// quantity price breaks), in a currency, valid between two dates.
type Price struct {
	ID          int64            `db:"id" json:"-"`
	Supplier    string           `db:"supplier" json:"supplier"`
	SKU         string           `db:"sku" json:"sku"`
	SupplierSKU string           `db:"supplier_sku" json:"supplier_sku"`
	Currency    string           `db:"currency" json:"currency"`
	MinQty      decimal.Decimal  `db:"min_qty" json:"min_qty"`
	Price       decimal.Decimal  `db:"price" json:"price"`
	Unit        string           `db:"unit" json:"unit"`
	UnitQty     decimal.Decimal  `db:"unit_qty" json:"unit_qty" print:"wide"` // stock units in one Unit
	LeadDays    *int             `db:"lead_days" json:"lead_days"`
	PackQty     *decimal.Decimal `db:"pack_qty" json:"pack_qty"`
	PackUnit    string           `db:"pack_unit" json:"pack_unit" print:"wide"`
	Priority    int              `db:"priority" json:"priority"`
	ValidFrom   *time.Time       `db:"valid_from" json:"valid_from" print:"date"`
	ValidUntil  *time.Time       `db:"valid_until" json:"valid_until" print:"date"`
	Current     bool             `db:"current" json:"current"`
	UpdatedAt   time.Time        `db:"updated_at" json:"updated_at" print:"wide"`
	UpdatedBy   string           `db:"updated_by" json:"updated_by" print:"wide"`
}

// PriceInput is one supplier price to add. Nil and empty fields take their defaults.
type PriceInput struct {
	Supplier string // company code
	SKU      string
	Price    decimal.Decimal  // per Unit
	Currency string           // default: the supplier's currency
	MinQty   *decimal.Decimal // in Unit; default 1
	// Unit is what Price and MinQty are per: a unit of the stock unit's category or one of
	// the product's pack units (60.00 per box of 12 is 5.00 per ea); "": the stock unit.
	// MinQty is kept in stock units and must convert exactly.
	Unit string
	// SupplierSKU is the supplier's part number; nil keeps the one the supplier's other
	// prices for the product carry.
	SupplierSKU *string
	LeadDays    *int
	// Pack is the supplier's pack: a number of stock units ("12") or one of the product's
	// pack units ("box"). Orders are rounded up to whole packs.
	Pack       string
	Priority   *int // default 1; lower is preferred
	ValidFrom  *time.Time
	ValidUntil *time.Time
}

// DefaultPriority is the priority of a price given none: every supplier is equally
// preferred until told otherwise, so the price decides.
const DefaultPriority = 1

// rowError is what is wrong with input row (counted from 1 in the order given) of a bulk
// call: err's message, kind and field.
func rowError(row int, field string, err error) csvio.RowError {
	return csvio.RowError{Row: row, Column: field, Reason: err.Error(), Kind: fault.KindOf(err)}
}

// looksNumber reports a pack given as a number (it starts like one: a digit, a sign or a
// dot) rather than as a pack unit, which starts with a letter.
func looksNumber(s string) bool {
	return s != "" && strings.ContainsRune("0123456789+-.", rune(s[0]))
}

// AddPrice adds one supplier price, replacing the row with the same supplier, product,
// currency, minimum quantity and valid-from date if there is one.
func AddPrice(ctx context.Context, q sqlx.ExtContext, in PriceInput) (Price, error) {
	ps, err := AddPrices(ctx, q, []PriceInput{in})
	if err != nil {
		var res csvio.RowErrors
		if errors.As(err, &res) && len(res) == 1 {
			return Price{}, res[0].Err()
		}
		return Price{}, err
	}
	return ps[0], nil
}

// priceRef is what AddPrices looks up about the suppliers and products it is given.
type priceRef struct {
	ID        int64           `db:"id"`
	Code      string          `db:"code"`
	Flag      bool            `db:"flag"` // supplier: is a supplier; product: purchasable
	Active    bool            `db:"active"`
	Currency  string          `db:"currency"`  // suppliers
	Precision int32           `db:"precision"` // products: the stock unit's decimals
	Unit      string          `db:"unit"`      // products: the stock unit
	Category  string          `db:"category"`  // products: the stock unit's category
	Ratio     decimal.Decimal `db:"ratio"`     // products: the stock unit's ratio
}

// AddPrices adds supplier prices in bulk, all-or-nothing, in three lookups and one upsert
// whatever their number. Every row is checked first; bad rows come back together as
// csvio.RowErrors (inside an invalid fault; rows counted from 1 in the order given) and
// nothing is written. A row whose supplier, product, currency, minimum quantity and
// valid-from date match an existing price replaces it, so loading the same price list twice
// changes nothing.
func AddPrices(ctx context.Context, q sqlx.ExtContext, ins []PriceInput) ([]Price, error) {
	if len(ins) == 0 {
		return []Price{}, nil
	}
	var codes, skus []string
	for _, in := range ins {
		codes = append(codes, strings.TrimSpace(in.Supplier))
		skus = append(skus, strings.TrimSpace(in.SKU))
	}
	var sups, prods []priceRef
	if err := sqlx.SelectContext(ctx, q, &sups, `SELECT id, code, is_supplier AS flag, active, currency, 0 AS precision, '' AS unit,
		'' AS category, 1 AS ratio FROM companies WHERE code = ANY($1)`, pq.StringArray(codes)); err != nil {
		return nil, db.Classify(err)
	}
	if err := sqlx.SelectContext(ctx, q, &prods, `SELECT p.id, p.sku AS code, p.purchasable AS flag, p.active, '' AS currency,
		u.precision, p.stock_uom AS unit, u.category, u.ratio FROM products p JOIN uoms u ON u.code = p.stock_uom WHERE p.sku = ANY($1)`, pq.StringArray(skus)); err != nil {
		return nil, db.Classify(err)
	}
	supBy, prodBy := map[string]priceRef{}, map[string]priceRef{}
	var prodIDs []int64
	for _, s := range sups {
		supBy[s.Code] = s
	}
	for _, p := range prods {
		prodBy[p.Code] = p
		prodIDs = append(prodIDs, p.ID)
	}
	var packs []struct {
		ProductID int64           `db:"product_id"`
		Code      string          `db:"code"`
		Qty       decimal.Decimal `db:"qty"`
	}
	if err := sqlx.SelectContext(ctx, q, &packs, `SELECT product_id, code, qty FROM product_packs WHERE product_id = ANY($1)`, pq.Int64Array(prodIDs)); err != nil {
		return nil, db.Classify(err)
	}
	packBy := map[string]decimal.Decimal{}
	for _, k := range packs {
		packBy[fmt.Sprint(k.ProductID, "/", k.Code)] = k.Qty
	}
	var units []uom.Unit
	if err := sqlx.SelectContext(ctx, q, &units, `SELECT code, name, category, ratio, precision FROM uoms`); err != nil {
		return nil, db.Classify(err)
	}
	unitBy := map[string]uom.Unit{}
	for _, u := range units {
		unitBy[u.Code] = u
	}
	var currencies []string
	if err := sqlx.SelectContext(ctx, q, &currencies, `SELECT code FROM currencies`); err != nil {
		return nil, db.Classify(err)
	}
	known := map[string]bool{}
	for _, c := range currencies {
		known[c] = true
	}

	n := len(ins)
	cols := struct {
		supplier, product                                                                  pq.Int64Array
		cur, minQty, price, supSKU, lead, packQty, packUnit, from, to, priceUnit, priceQty pq.StringArray
		prio                                                                               pq.Int64Array
		skuGiven                                                                           pq.BoolArray
	}{}
	var bad csvio.RowErrors
	seen := map[string]int{}
	for i, in := range ins {
		row := i + 1
		fail := func(field, format string, args ...any) {
			bad = append(bad, rowError(row, field, fault.Invalidf(field, format, args...)))
		}
		unknown := func(field, format string, args ...any) {
			bad = append(bad, rowError(row, field, fault.Unknownf(field, format, args...)))
		}
		s, ok := supBy[codes[i]]
		switch {
		case codes[i] == "":
			fail("supplier", "give the supplier's company code")
			continue
		case !ok:
			unknown("supplier", "unknown supplier %q: see stockctl company list --suppliers", codes[i])
			continue
		case !s.Flag:
			fail("supplier", "company %s is not a supplier: make it one with stockctl company edit %s --supplier", s.Code, s.Code)
			continue
		case !s.Active:
			fail("supplier", "supplier %s is inactive", s.Code)
			continue
		}
		p, ok := prodBy[skus[i]]
		switch {
		case skus[i] == "":
			fail("sku", "give the product's SKU")
			continue
		case !ok:
			unknown("sku", "product %s does not exist (find it with stockctl product lookup or product list --search)", skus[i])
			continue
		case !p.Flag:
			fail("sku", "product %s is not purchasable: make it so with stockctl product edit %s --purchasable", p.Code, p.Code)
			continue
		}
		cur := strings.ToUpper(strings.TrimSpace(in.Currency))
		if cur == "" {
			cur = s.Currency
		} else if _, err := currency.ParseCode("currency", cur); err != nil {
			bad = append(bad, rowError(row, "currency", err))
			continue
		} else if !known[cur] {
			unknown("currency", "unknown currency %s: add it first with stockctl currency add %s", cur, cur)
			continue
		}
		if in.Price.IsNegative() {
			fail("price", "%s from %s: the price cannot be negative, got %s", p.Code, s.Code, in.Price)
			continue
		}
		if err := checkScale("price", in.Price, priceScale, "price"); err != nil {
			bad = append(bad, rowError(row, "price", err))
			continue
		}
		priceUnit, priceQty := "", decimal.NewFromInt(1)
		if u := strings.TrimSpace(in.Unit); u != "" && u != p.Unit {
			if k, ok := packBy[fmt.Sprint(p.ID, "/", u)]; ok {
				priceUnit, priceQty = u, k
			} else if uu, ok := unitBy[u]; !ok {
				unknown("unit", "unknown unit %q for %s: use a unit of category %s (stockctl uom list) or a pack unit of the product", u, p.Code, p.Category)
				continue
			} else if uu.Category != p.Category {
				fail("unit", "%s: %s is a %s unit, but the stock unit %s is %s", p.Code, u, uu.Category, p.Unit, p.Category)
				continue
			} else if r := uu.Ratio.DivRound(p.Ratio, 2*uom.MaxPrecision); !r.Mul(p.Ratio).Equal(uu.Ratio) || !r.IsPositive() {
				fail("unit", "%s: one %s is not an exact number of %s: give the price per %s or per a pack unit", p.Code, u, p.Unit, p.Unit)
				continue
			} else {
				priceUnit, priceQty = u, r
			}
		}
		minQty := decimal.NewFromInt(1)
		if in.MinQty != nil {
			minQty = *in.MinQty
		}
		if minQty.IsNegative() {
			fail("min-qty", "%s from %s: the minimum quantity cannot be negative, got %s", p.Code, s.Code, minQty)
			continue
		}
		if priceUnit != "" {
			// A minimum in the price's unit is kept in stock units: min qty 2 box of 12 is 24.
			stockMin := minQty.Mul(priceQty)
			if !stockMin.Equal(stockMin.Round(p.Precision)) {
				fail("min-qty", "%s: minimum quantity %s %s is %s %s, but %s keeps %d decimals", p.Code, minQty, priceUnit, stockMin, p.Unit, p.Unit, p.Precision)
				continue
			}
			minQty = stockMin
		}
		if !minQty.Equal(minQty.Round(p.Precision)) {
			fail("min-qty", "%s: minimum quantity %s has more decimals than its unit %s keeps", p.Code, minQty, p.Unit)
			continue
		}
		lead := ""
		if in.LeadDays != nil {
			if *in.LeadDays < 0 {
				fail("lead-days", "%s from %s: lead time cannot be negative, got %d days", p.Code, s.Code, *in.LeadDays)
				continue
			}
			lead = strconv.Itoa(*in.LeadDays)
		}
		packQty, packUnit := "", ""
		if pk := strings.TrimSpace(in.Pack); pk != "" {
			if looksNumber(pk) {
				v, err := bounds.Quantity.Parse(pk)
				if err != nil {
					fail("pack", "%s: pack %s: %v", p.Code, pk, err)
					continue
				}
				if !v.IsPositive() || !v.Equal(v.Round(p.Precision)) {
					fail("pack", "%s: pack %s: give a quantity above 0 in %s with at most %d decimals, or a pack unit of the product", p.Code, pk, p.Unit, p.Precision)
					continue
				}
				packQty = v.String()
			} else if v, ok := packBy[fmt.Sprint(p.ID, "/", pk)]; ok {
				packQty, packUnit = v.String(), pk
			} else {
				unknown("pack", "%s has no pack unit %q: give a number of %s or add the pack with stockctl product pack add %s %s --qty N", p.Code, pk, p.Unit, p.Code, pk)
				continue
			}
		}
		prio := int64(DefaultPriority)
		if in.Priority != nil {
			if *in.Priority < 0 || *in.Priority > 9999 {
				fail("priority", "priority %d: give 0 to 9999, lower is preferred", *in.Priority)
				continue
			}
			prio = int64(*in.Priority)
		}
		if in.ValidFrom != nil && in.ValidUntil != nil && in.ValidUntil.Before(*in.ValidFrom) {
			fail("valid-until", "%s from %s: valid until %s is before valid from %s", p.Code, s.Code, dateOnly(*in.ValidUntil), dateOnly(*in.ValidFrom))
			continue
		}
		supSKU := ""
		if in.SupplierSKU != nil {
			supSKU = strings.TrimSpace(*in.SupplierSKU)
			if len(supSKU) > 64 || strings.IndexFunc(supSKU, unicode.IsControl) >= 0 {
				fail("supplier-sku", "supplier part number %q: at most 64 characters, no control characters", supSKU)
				continue
			}
		}
		from, to := "", ""
		if in.ValidFrom != nil {
			from = dateOnly(*in.ValidFrom)
		}
		if in.ValidUntil != nil {
			to = dateOnly(*in.ValidUntil)
		}
		key := fmt.Sprint(s.ID, "/", p.ID, "/", cur, "/", minQty.String(), "/", from)
		if first, dup := seen[key]; dup {
			fail("min-qty", "%s from %s in %s from quantity %s is given twice (rows %d and %d)", p.Code, s.Code, cur, minQty, first, row)
			continue
		}
		seen[key] = row
		cols.supplier = append(cols.supplier, s.ID)
		cols.product = append(cols.product, p.ID)
		cols.cur = append(cols.cur, cur)
		cols.minQty = append(cols.minQty, minQty.String())
		cols.price = append(cols.price, in.Price.String())
		cols.supSKU = append(cols.supSKU, supSKU)
		cols.skuGiven = append(cols.skuGiven, in.SupplierSKU != nil)
		cols.lead = append(cols.lead, lead)
		cols.packQty = append(cols.packQty, packQty)
		cols.packUnit = append(cols.packUnit, packUnit)
		cols.priceUnit = append(cols.priceUnit, priceUnit)
		cols.priceQty = append(cols.priceQty, priceQty.String())
		cols.prio = append(cols.prio, prio)
		cols.from = append(cols.from, from)
		cols.to = append(cols.to, to)
	}
	if len(bad) > 0 {
		first := bad[0]
		msg := first.Reason
		if n > 1 {
			msg = fmt.Sprintf("%d of %d supplier prices are invalid, nothing was written: %s", len(bad), n, bad.Error())
		}
		return nil, &fault.Error{Kind: fault.Invalid, Field: first.Column, Msg: msg, Err: bad}
	}
	// A row without a part number takes the one another row of this call gives the same
	// supplier and product (the statement cannot see its own rows), else the stored one.
	given := map[string]string{}
	for i := range cols.supplier {
		if cols.skuGiven[i] && cols.supSKU[i] != "" {
			given[fmt.Sprint(cols.supplier[i], "/", cols.product[i])] = cols.supSKU[i]
		}
	}
	for i := range cols.supplier {
		if v, ok := given[fmt.Sprint(cols.supplier[i], "/", cols.product[i])]; ok && !cols.skuGiven[i] {
			cols.supSKU[i], cols.skuGiven[i] = v, true
		}
	}
	var ids []int64
	err := sqlx.SelectContext(ctx, q, &ids, `INSERT INTO supplier_prices AS s (supplier_id, product_id, currency, min_qty, price,
			supplier_sku, lead_days, pack_qty, pack_unit, priority, valid_from, valid_until, price_unit, price_qty)
		SELECT u.supplier_id, u.product_id, u.currency, u.min_qty::numeric, u.price::numeric,
			CASE WHEN u.sku_given THEN u.supplier_sku ELSE coalesce((SELECT x.supplier_sku FROM supplier_prices x
				WHERE x.supplier_id = u.supplier_id AND x.product_id = u.product_id AND x.supplier_sku <> ''
				ORDER BY x.updated_at DESC, x.id DESC LIMIT 1), '') END,
			nullif(u.lead_days, '')::int, nullif(u.pack_qty, '')::numeric, u.pack_unit, u.priority::int,
			nullif(u.valid_from, '')::date, nullif(u.valid_until, '')::date, u.price_unit, u.price_qty::numeric
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[],
			$9::text[], $10::text[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[])
			WITH ORDINALITY AS u(supplier_id, product_id, currency, min_qty, price, supplier_sku, sku_given, lead_days,
			pack_qty, pack_unit, priority, valid_from, valid_until, price_unit, price_qty, n)
		ORDER BY u.n
		ON CONFLICT (supplier_id, product_id, currency, min_qty, (coalesce(valid_from, '-infinity'::date))) DO UPDATE SET
			price = EXCLUDED.price, supplier_sku = EXCLUDED.supplier_sku, lead_days = EXCLUDED.lead_days,
			pack_qty = EXCLUDED.pack_qty, pack_unit = EXCLUDED.pack_unit, priority = EXCLUDED.priority,
			valid_until = EXCLUDED.valid_until, price_unit = EXCLUDED.price_unit, price_qty = EXCLUDED.price_qty
		RETURNING s.id`,
		cols.supplier, cols.product, cols.cur, cols.minQty, cols.price, cols.supSKU, cols.skuGiven, cols.lead,
		cols.packQty, cols.packUnit, cols.prio, cols.from, cols.to, cols.priceUnit, cols.priceQty)
	if err != nil {
		return nil, db.Classify(err)
	}
	out := []Price{}
	err = sqlx.SelectContext(ctx, q, &out, selectPrice+` WHERE s.id = ANY($1) ORDER BY array_position($1, s.id)`, pq.Int64Array(ids))
	return out, db.Classify(err)
}

const selectPrice = `SELECT s.id, c.code AS supplier, p.sku, s.supplier_sku, s.currency, s.min_qty, s.price,
	CASE WHEN s.price_unit = '' THEN p.stock_uom ELSE s.price_unit END AS unit, s.price_qty AS unit_qty, s.lead_days, s.pack_qty, s.pack_unit, s.priority, s.valid_from, s.valid_until,
	(coalesce(s.valid_from <= current_date, true) AND coalesce(s.valid_until >= current_date, true)) AS current,
	s.updated_at, s.updated_by
	FROM supplier_prices s
	JOIN companies c ON c.id = s.supplier_id
	JOIN products p ON p.id = s.product_id`

// PriceFilter narrows Prices; empty fields do not filter.
type PriceFilter struct {
	Supplier string
	SKU      string
	Current  bool // only prices valid today
}

// Prices lists supplier prices by supplier, product, currency and minimum quantity.
func Prices(ctx context.Context, q sqlx.QueryerContext, f PriceFilter) ([]Price, error) {
	var supID, prodID *int64
	if f.Supplier != "" {
		s, err := requireSupplier(ctx, q, "supplier", f.Supplier)
		if err != nil {
			return nil, err
		}
		supID = &s.ID
	}
	if f.SKU != "" {
		var id int64
		if err := sqlx.GetContext(ctx, q, &id, `SELECT id FROM products WHERE sku = $1`, f.SKU); err != nil {
			if fault.Is(db.Classify(err), fault.NotFound) {
				return nil, fault.NotFoundf("product %s does not exist (find it with stockctl product lookup or product list --search)", f.SKU)
			}
			return nil, db.Classify(err)
		}
		prodID = &id
	}
	out := []Price{}
	err := sqlx.SelectContext(ctx, q, &out, selectPrice+`
		WHERE ($1::bigint IS NULL OR s.supplier_id = $1) AND ($2::bigint IS NULL OR s.product_id = $2)
		  AND (NOT $3 OR (coalesce(s.valid_from <= current_date, true) AND coalesce(s.valid_until >= current_date, true)))
		ORDER BY c.code, p.sku, s.currency, s.min_qty, s.valid_from NULLS FIRST`, supID, prodID, f.Current)
	return out, db.Classify(err)
}

// Offer is what one supplier asks for a quantity of a product on a date: the price break
// that applies at that quantity, converted to the base currency at the rate of the day.
type Offer struct {
	Rank        int             `db:"-" json:"rank"`
	Supplier    string          `db:"supplier" json:"supplier"`
	SKU         string          `db:"sku" json:"sku"`
	SupplierSKU string          `db:"supplier_sku" json:"supplier_sku"`
	Qty         decimal.Decimal `db:"qty" json:"qty"`
	MinQty      decimal.Decimal `db:"min_qty" json:"min_qty"` // the break that applies
	Price       decimal.Decimal `db:"price" json:"price"`     // per stock unit
	// ListPrice is the price as the supplier gives it, per PriceUnit (price_qty stock units);
	// for a price per stock unit it is Price.
	ListPrice   decimal.Decimal  `db:"list_price" json:"list_price" print:"wide"`
	PriceUnit   string           `db:"price_unit" json:"price_unit" print:"wide"`
	PriceQty    decimal.Decimal  `db:"price_qty" json:"-"`
	Currency    string           `db:"currency" json:"currency"`
	Rate        *decimal.Decimal `db:"rate" json:"rate" print:"wide"`
	BasePrice   *decimal.Decimal `db:"base_price" json:"base_price"` // nil when the currency has no rate on the date
	Priority    int              `db:"priority" json:"priority"`
	LeadDays    *int             `db:"lead_days" json:"lead_days"`
	PackQty     *decimal.Decimal `db:"pack_qty" json:"pack_qty" print:"wide"`
	SupplierMin decimal.Decimal  `db:"supplier_min" json:"supplier_min" print:"wide"` // its lowest break: the least it sells
	Preferred   bool             `db:"-" json:"preferred"`

	N          int   `db:"n" json:"-"`
	SupplierID int64 `db:"supplier_id" json:"-"`
	ProductID  int64 `db:"product_id" json:"-"`
}

// need is a quantity of a product to price, from any supplier or (SupplierID and Currency
// set) from one supplier in one currency.
type need struct {
	ProductID  int64
	Qty        decimal.Decimal
	SupplierID int64
	Currency   string
}

// offers prices needs set-wise: for each need (by index), every active supplier's applicable
// break on date, best first: best priority, then lowest price in the base currency (a
// currency without a rate on the date ranks last), then shortest lead time, then supplier
// code. A need's supplier and currency, when given, narrow its choice to them.
//
// The break that applies at a quantity is the valid row with the greatest minimum quantity
// not above it; below every minimum, the lowest break (the caller rounds up to it or accepts
// its price). Among rows with the same minimum the latest valid-from wins.
func offers(ctx context.Context, q sqlx.QueryerContext, needs []need, date time.Time) ([][]Offer, error) {
	out := make([][]Offer, len(needs))
	if len(needs) == 0 {
		return out, nil
	}
	ids := make(pq.Int64Array, len(needs))
	sups := make(pq.Int64Array, len(needs))
	qtys := make(pq.StringArray, len(needs))
	curs := make(pq.StringArray, len(needs))
	for i, n := range needs {
		ids[i], qtys[i], sups[i], curs[i] = n.ProductID, n.Qty.String(), n.SupplierID, n.Currency
	}
	var rows []Offer
	err := sqlx.SelectContext(ctx, q, &rows, `WITH need AS (
			SELECT n::int - 1 AS n, product_id, qty::numeric AS qty, nullif(supplier_id, 0) AS supplier_id, currency
			FROM unnest($1::bigint[], $2::text[], $4::bigint[], $5::text[]) WITH ORDINALITY AS u(product_id, qty, supplier_id, currency, n)
		), valid AS (
			SELECT need.n, need.qty, s.*, c.code AS supplier
			FROM need
			JOIN supplier_prices s ON s.product_id = need.product_id
			JOIN companies c ON c.id = s.supplier_id AND c.is_supplier AND c.active
			WHERE coalesce(s.valid_from <= $3::date, true) AND coalesce(s.valid_until >= $3::date, true)
			  AND (need.supplier_id IS NULL OR s.supplier_id = need.supplier_id) AND (need.currency = '' OR s.currency = need.currency)
		), brk AS (
			SELECT DISTINCT ON (n, supplier_id, currency) *,
				min(min_qty) OVER (PARTITION BY n, supplier_id, currency) AS supplier_min
			FROM valid
			ORDER BY n, supplier_id, currency, (min_qty <= qty) DESC,
				CASE WHEN min_qty <= qty THEN min_qty END DESC NULLS LAST, min_qty, valid_from DESC NULLS LAST, id DESC
		)
		SELECT b.n, b.supplier_id, b.product_id, b.supplier, p.sku, b.supplier_sku, b.qty, b.min_qty,
			CASE WHEN b.price_qty = 1 THEN b.price ELSE round(b.price / b.price_qty, 6) END AS price,
			b.price AS list_price, CASE WHEN b.price_unit = '' THEN p.stock_uom ELSE b.price_unit END AS price_unit, b.price_qty,
			b.currency, r.rate, b.price / b.price_qty * r.rate AS base_price, b.priority, b.lead_days, b.pack_qty, b.supplier_min
		FROM brk b
		JOIN products p ON p.id = b.product_id
		LEFT JOIN LATERAL (
			SELECT CASE WHEN b.currency = (SELECT value FROM settings WHERE key = 'base_currency') THEN 1::numeric
			       ELSE (SELECT e.rate FROM exchange_rates e WHERE e.currency = b.currency AND e.valid_from <= $3::date
			             ORDER BY e.valid_from DESC LIMIT 1) END AS rate) r ON true
		ORDER BY b.n, b.priority, base_price NULLS LAST, b.lead_days NULLS LAST, b.supplier, b.currency`,
		ids, qtys, dateOnly(date), sups, curs)
	if err != nil {
		return nil, db.Classify(err)
	}
	for _, o := range rows {
		if o.BasePrice != nil {
			v := normal(o.BasePrice.Round(costScale))
			o.BasePrice = &v
		}
		o.Rank = len(out[o.N]) + 1
		o.Preferred = o.Rank == 1
		out[o.N] = append(out[o.N], o)
	}
	return out, nil
}

// lineUnitPrice is the offer's price for one line unit of a line of entered units making qty
// stock units: the list price per price_qty stock units, converted once and rounded to the
// unit price's decimals (60.00 per box of 12 is 5.00 per ea; 60.00 per box for a line in box).
func (o Offer) lineUnitPrice(qty, entered decimal.Decimal) decimal.Decimal {
	if qty.Equal(entered) && o.PriceQty.Equal(decimal.NewFromInt(1)) {
		return o.ListPrice
	}
	return o.ListPrice.Mul(qty).DivRound(entered.Mul(o.PriceQty), priceScale)
}

// Offers lists what every supplier asks for qty of a product on date, the preferred
// supplier first (SPEC: best priority, then lowest price at the quantity wanted, compared in
// the base currency). A product no supplier prices gives an empty list.
func Offers(ctx context.Context, q sqlx.QueryerContext, sku string, qty decimal.Decimal, date time.Time) ([]Offer, error) {
	p, err := catalog.Get(ctx, q, sku)
	if err != nil {
		return nil, err
	}
	if !qty.IsPositive() {
		return nil, fault.Invalidf("qty", "%s: the quantity to price must be more than 0, got %s", sku, qty)
	}
	os, err := offers(ctx, q, []need{{ProductID: p.ID, Qty: qty}}, date)
	if err != nil {
		return nil, err
	}
	if os[0] == nil {
		return []Offer{}, nil
	}
	return os[0], nil
}

// roundOrder rounds a quantity wanted up to what a supplier sells: at least its lowest
// break, in whole packs, to the stock unit's precision.
func roundOrder(qty, supplierMin decimal.Decimal, pack *decimal.Decimal, precision int32) decimal.Decimal {
	qty = ceilTo(qty, precision)
	if qty.LessThan(supplierMin) {
		qty = supplierMin
	}
	if pack != nil && pack.IsPositive() {
		packs := qty.Div(*pack).Ceil()
		qty = packs.Mul(*pack)
	}
	return ceilTo(qty, precision)
}
