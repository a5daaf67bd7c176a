package pricing

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/exactdec"
)

// Where a line's unit price came from, in the order Quote tries them (SPEC §7), and
// SourceManual for a price typed on the line, which callers keep instead of quoting.
const (
	SourceSpecial       = "special"        // the customer's special price
	SourceLocationBreak = "location_break" // a break row of the customer's price type for the sales region
	SourceBreak         = "break"          // a break row of the customer's price type
	SourceDefaultBreak  = "default_break"  // a break row of the default price type
	SourceSellPrice     = "sell_price"     // the product's unit sell price (its formula)
	SourceManual        = "manual"         // typed by hand on the line; never returned by Quote
)

// Location pricing modes (setting location_pricing).
const (
	LocationPricingNone     = "none"
	LocationPricingSellFrom = "sell_from"
	LocationPricingSellTo   = "sell_to"
)

// Request is one line to price.
type Request struct {
	ProductID  int64
	CustomerID int64           // 0: no customer, priced by the default price type
	Qty        decimal.Decimal // in the product's stock unit; more than 0
	LocationID int64           // the sell-from location; 0: none
	On         time.Time       // the day priced (special price validity); zero: today (UTC)
	PriceType  string          // overrides the customer's price type (a sales order's --price-type); "" keeps it
	ShipTo     string          // with location_pricing = sell_to, the region the goods go to; "" means the customer's region
}

// Step is one rule Quote considered, in order: whether it priced the line and why (not).
// Price is what the rule gives for the quantity when it has a row for it, applied or not.
type Step struct {
	Rule    string           `json:"rule"`
	Applied bool             `json:"applied"`
	Price   *decimal.Decimal `json:"price"`
	Reason  string           `json:"reason"`
}

// Result is a priced line.
type Result struct {
	UnitPrice decimal.Decimal `json:"unit_price"`
	Source    string          `json:"source"`     // one of the Source constants
	PriceType string          `json:"price_type"` // the price type the line was priced under
	Region    string          `json:"region"`     // the region of the row that priced it (location_break only)
	MinQty    decimal.Decimal `json:"min_qty"`    // the minimum of the row that priced it (0 for the sell price)
	Qty       decimal.Decimal `json:"qty"`
	Amount    decimal.Decimal `json:"amount"` // Qty × UnitPrice rounded half away from zero to the base currency's minor units
	Currency  string          `json:"currency"`
	// TaxRate is the rate a sales order line for this customer and product gets (the
	// customer's, else the product's sales tax rate, else the setting tax_rate_sales), and
	// PricesIncludeTax the setting prices_include_tax, which a new order freezes. Net, Tax and
	// Total are Amount split by currency.Line under them: what the sales order line shows.
	TaxRate          decimal.Decimal `json:"tax_rate"`
	PricesIncludeTax bool            `json:"prices_include_tax"`
	Net              decimal.Decimal `json:"net"`
	Tax              decimal.Decimal `json:"tax"`
	Total            decimal.Decimal `json:"total"`
	Steps            []Step          `json:"steps"`
}

// quoteRow is the context of a quote (product, customer, location, settings) joined to each
// candidate row (break rows of the two price types that can apply, and the customer's special
// rows for the product); without candidates there is one row with the context only.
type quoteRow struct {
	SKU                string              `db:"sku"`
	SellPrice          decimal.Decimal     `db:"sell_price"`
	CostPrice          decimal.Decimal     `db:"cost_price"`
	Cost               decimal.Decimal     `db:"cost"`
	CostBasis          string              `db:"cost_basis"`
	ListPrice          decimal.Decimal     `db:"list_price"`
	Formula            string              `db:"price_formula"`
	Pct                *decimal.Decimal    `db:"price_pct"`
	SamePrice          bool                `db:"same_price_all_locations"`
	DefaultType        string              `db:"default_type"`
	LocationPricing    string              `db:"location_pricing"`
	Currency           string              `db:"currency"`
	MinorUnits         int32               `db:"minor_units"`
	TaxRate            decimal.Decimal     `db:"tax_rate"`
	Inclusive          bool                `db:"inclusive"`
	Customer           *string             `db:"customer"`
	IsCustomer         *bool               `db:"is_customer"`
	CustomerType       *string             `db:"customer_type"`
	CustomerTypeActive *bool               `db:"customer_type_active"`
	CustomerRegion     *string             `db:"customer_region"`
	Location           *string             `db:"location"`
	LocationRegion     *string             `db:"location_region"`
	OverrideType       *string             `db:"override_type"`
	OverrideActive     *bool               `db:"override_active"`
	Kind               *string             `db:"kind"`
	RowType            *string             `db:"row_type"`
	RowRegion          *string             `db:"row_region"`
	MinQty             decimal.NullDecimal `db:"min_qty"`
	Price              decimal.NullDecimal `db:"price"`
	ValidFrom          *time.Time          `db:"valid_from"`
	ValidUntil         *time.Time          `db:"valid_until"`
	Template           *string             `db:"template"`  // a variant following its template's price: the template's SKU
	Extras             decimal.Decimal     `db:"extras"`    // the variant's price extras (0 for any other product)
	Inherited          bool                `db:"inherited"` // the row is the template's, its price plus Extras
}

// quoteQuery gathers everything Quote needs in one round trip. Break rows are those of the
// product for the customer's (or the overriding) price type and the default price type, in
// every region; special rows are the customer's for the product, whatever their dates. Quote
// picks among them, so the explanation can say why each did not apply.
const quoteQuery = `WITH ctx AS (
  SELECT p.id AS product_id, p.sku, p.sell_price, p.cost_price, ` + costSQL + `, p.list_price, p.price_formula, p.price_pct,
         p.same_price_all_locations, dt.value AS default_type, lp.value AS location_pricing,
         cur.code AS currency, cur.minor_units,
         coalesce(c.tax_rate, p.sales_tax_rate, tr.value::numeric) AS tax_rate, it.value = 'true' AS inclusive,
         c.id AS customer_id, c.code AS customer, c.is_customer, c.price_type AS customer_type,
         ct.active AS customer_type_active, c.region AS customer_region,
         l.code AS location, l.region AS location_region,
         ot.code AS override_type, ot.active AS override_active,
         t.id AS template_id, t.sku AS template, CASE WHEN t.id IS NULL THEN 0 ELSE variant_extras(p.id) END AS extras
  FROM products p
  LEFT JOIN product_variants pv ON pv.variant_id = p.id AND NOT pv.own_price
  LEFT JOIN products t ON t.id = pv.template_id
  JOIN settings dt ON dt.key = 'default_price_type'
  JOIN settings lp ON lp.key = 'location_pricing'
  JOIN settings bc ON bc.key = 'base_currency'
  JOIN currencies cur ON cur.code = bc.value
  JOIN settings tr ON tr.key = 'tax_rate_sales'
  JOIN settings it ON it.key = 'prices_include_tax'
  LEFT JOIN companies c ON c.id = $2::bigint
  LEFT JOIN price_types ct ON ct.code = c.price_type
  LEFT JOIN locations l ON l.id = $3::bigint
  LEFT JOIN price_types ot ON ot.code = $4::text
  WHERE p.id = $1::bigint
), candidates AS (
  SELECT 'break' AS kind, b.price_type AS row_type, b.region AS row_region, b.min_qty,
         CASE WHEN b.product_id = ctx.product_id THEN b.price ELSE greatest(b.price + ctx.extras, 0) END AS price,
         NULL::date AS valid_from, NULL::date AS valid_until, b.product_id <> ctx.product_id AS inherited
  FROM price_breaks b JOIN ctx ON b.product_id IN (ctx.product_id, ctx.template_id)
  WHERE b.price_type IN (coalesce(ctx.override_type, ctx.customer_type, ctx.default_type), ctx.default_type)
  UNION ALL
  SELECT 'special', NULL, NULL, s.min_qty,
         CASE WHEN s.product_id = ctx.product_id THEN s.price ELSE greatest(s.price + ctx.extras, 0) END,
         s.valid_from, s.valid_until, s.product_id <> ctx.product_id
  FROM special_prices s JOIN ctx ON s.product_id IN (ctx.product_id, ctx.template_id) AND s.customer_id = ctx.customer_id
)
SELECT ctx.sku, ctx.sell_price, ctx.cost_price, ctx.cost, ctx.cost_basis, ctx.list_price, ctx.price_formula, ctx.price_pct,
       ctx.same_price_all_locations, ctx.default_type, ctx.location_pricing, ctx.currency, ctx.minor_units,
       ctx.tax_rate, ctx.inclusive, ctx.customer, ctx.is_customer, ctx.customer_type, ctx.customer_type_active, ctx.customer_region,
       ctx.location, ctx.location_region, ctx.override_type, ctx.override_active, ctx.template, ctx.extras,
       r.kind, r.row_type, r.row_region, r.min_qty, r.price, r.valid_from, r.valid_until, coalesce(r.inherited, false) AS inherited
FROM ctx LEFT JOIN candidates r ON true`

// candidate is one break or special row.
type candidate struct {
	typ, region string
	min, price  decimal.Decimal
	from, until string // YYYY-MM-DD, "" open-ended
	inherited   bool   // the template's row (price plus the variant's extras)
}

// ownFirst keeps a variant's own rows when it has any, else the template's rows it inherits.
func ownFirst(rows []candidate) []candidate {
	var own, inherited []candidate
	for _, r := range rows {
		if r.inherited {
			inherited = append(inherited, r)
		} else {
			own = append(own, r)
		}
	}
	if len(own) > 0 {
		return own
	}
	return inherited
}

// best returns the row with the largest minimum <= qty, and the smallest minimum of all rows.
func best(rows []candidate, qty decimal.Decimal) (*candidate, decimal.Decimal) {
	var pick *candidate
	var smallest decimal.Decimal
	for i := range rows {
		r := &rows[i]
		if i == 0 || r.min.LessThan(smallest) {
			smallest = r.min
		}
		if r.min.GreaterThan(qty) {
			continue
		}
		if pick == nil || r.min.GreaterThan(pick.min) {
			pick = r
		}
	}
	return pick, smallest
}

// option is what one rule offers for the line: a row that fits (price set) or the reason
// there is none.
type option struct {
	rule      string
	price     *decimal.Decimal
	priceType string
	region    string
	min       decimal.Decimal
	reason    string
}

func offer(rule string, c *candidate, priceType, reason string) option {
	p := c.price
	return option{rule: rule, price: &p, priceType: priceType, region: c.region, min: c.min, reason: reason}
}

// Quote prices one line by the rules of SPEC §7, in this order, the first that has a row for
// the quantity winning:
//
//  1. special: the customer's special price rows valid on the day;
//  2. location_break: break rows of the customer's price type for the sales region (setting
//     location_pricing: sell_from = the location's region, sell_to = the customer's or ShipTo),
//     unless the product has the same price at every location;
//  3. break: break rows of the customer's price type without region;
//  4. default_break: break rows of the default price type without region;
//  5. sell_price: the product's unit sell price (from its formula), which is the default
//     price type's first row.
//
// A variant that follows its template's price (catalog.Variant.OwnPrice false) is priced by
// its own rows of each set where it has any (its special prices; its breaks of one price type
// and region), else by its template's rows of that set with the variant's price extras added
// (a template break of 90.00 gives a variant with +15.00 of extras 105.00; never below 0).
// Its sell price is the template's plus its extras already. A variant with its own price is
// priced by its own rows only, like any other product.
//
// Within a set of rows, the row with the largest minimum <= Qty prices the whole line. A
// customer whose price type is inactive is priced as one without (by the default price type).
// Every rule appears in Result.Steps with why it did or did not apply. Quote only reads, in
// one query, so it can run inside any transaction (a sales order's) or on its own.
func Quote(ctx context.Context, q sqlx.QueryerContext, r Request) (Result, error) {
	if r.ProductID == 0 {
		return Result{}, fault.Invalidf("sku", "no product to price")
	}
	if !r.Qty.IsPositive() {
		return Result{}, fault.Invalidf("qty", "quantity %s: price a quantity of more than 0", r.Qty)
	}
	on := r.On
	if on.IsZero() {
		on = clock.Today()
	}
	day := on.Format(time.DateOnly)

	var rows []quoteRow
	if err := sqlx.SelectContext(ctx, q, &rows, quoteQuery, r.ProductID, r.CustomerID, r.LocationID, r.PriceType); err != nil {
		return Result{}, db.Classify(err)
	}
	if len(rows) == 0 {
		return Result{}, fault.NotFoundf("product id %d does not exist", r.ProductID)
	}
	x := rows[0]
	switch {
	case r.CustomerID != 0 && x.Customer == nil:
		return Result{}, fault.NotFoundf("customer id %d does not exist", r.CustomerID)
	case x.Customer != nil && !*x.IsCustomer:
		return Result{}, fault.Invalidf("customer", "company %s is not a customer: stockctl company edit %s --customer", *x.Customer, *x.Customer)
	case r.LocationID != 0 && x.Location == nil:
		return Result{}, fault.NotFoundf("location id %d does not exist", r.LocationID)
	case r.PriceType != "" && x.OverrideType == nil:
		return Result{}, fault.Unknownf("price-type", "unknown price type %q: see stockctl price-type list", r.PriceType)
	case r.PriceType != "" && !*x.OverrideActive:
		return Result{}, fault.Invalidf("price-type", "price type %q is inactive: choose an active one (stockctl price-type list)", r.PriceType)
	}

	var specials, breaks []candidate
	for _, row := range rows {
		if row.Kind == nil {
			continue
		}
		c := candidate{min: row.MinQty.Decimal, price: row.Price.Decimal, from: dateOnly(row.ValidFrom), until: dateOnly(row.ValidUntil),
			inherited: row.Inherited}
		if row.RowType != nil {
			c.typ = *row.RowType
		}
		if row.RowRegion != nil {
			c.region = *row.RowRegion
		}
		if *row.Kind == "special" {
			specials = append(specials, c)
		} else {
			breaks = append(breaks, c)
		}
	}

	// The customer's price type: the override, else the customer's, else the default.
	def := x.DefaultType
	typ, typeOK, typeWhy := def, true, "no customer: the default price type"
	switch {
	case r.PriceType != "":
		typ, typeWhy = *x.OverrideType, "price type given on the line"
	case x.Customer != nil && x.CustomerType != nil:
		typ, typeWhy = *x.CustomerType, "the customer's price type"
		typeOK = x.CustomerTypeActive != nil && *x.CustomerTypeActive
	case x.Customer != nil:
		typeWhy = "the customer has no price type: the default"
	}
	// A variant following its template takes the template's rows of a set (its special
	// prices; the breaks of one price type and region) when it has none of its own.
	specials = ownFirst(specials)
	rowsOf := func(priceType, region string) []candidate {
		var out []candidate
		for _, b := range breaks {
			if b.typ == priceType && b.region == region {
				out = append(out, b)
			}
		}
		return ownFirst(out)
	}
	// from says where an inherited row comes from, for the explanation.
	from := func(c *candidate) string {
		if c == nil || !c.inherited {
			return ""
		}
		return fmt.Sprintf(", template %s's row + extras %s", *x.Template, exactdec.String(x.Extras))
	}
	qty := r.Qty
	var opts []option

	// 1. Special price.
	{
		o := option{rule: SourceSpecial, priceType: typ}
		if !typeOK {
			o.priceType = def
		}
		var valid []candidate
		for _, s := range specials {
			if (s.from == "" || s.from <= day) && (s.until == "" || day <= s.until) {
				valid = append(valid, s)
			}
		}
		pick, smallest := best(valid, qty)
		switch {
		case x.Customer == nil:
			o.reason = "no customer given"
		case len(specials) == 0:
			o.reason = fmt.Sprintf("%s has no special price for %s", *x.Customer, x.SKU)
		case len(valid) == 0:
			o.reason = fmt.Sprintf("none of %s's %d special row(s) for %s is valid on %s (%s)", *x.Customer, len(specials), x.SKU, day, validity(specials[0]))
		case pick == nil:
			o.reason = fmt.Sprintf("%s's special rows for %s valid on %s start at %s; %s is less", *x.Customer, x.SKU, day, exactdec.String(smallest), exactdec.String(qty))
		default:
			o = offer(SourceSpecial, pick, o.priceType, fmt.Sprintf("%s's special row from %s: %s (%s%s)", *x.Customer, exactdec.String(pick.min), exactdec.String(pick.price), validity(*pick), from(pick)))
		}
		opts = append(opts, o)
	}

	// 2. Location-based break of the customer's price type.
	{
		o := option{rule: SourceLocationBreak}
		region, where := "", ""
		switch x.LocationPricing {
		case LocationPricingSellFrom:
			switch {
			case x.Location == nil:
				where = "location_pricing is sell_from but no sell-from location was given"
			case x.LocationRegion == nil:
				where = fmt.Sprintf("sell-from location %s has no sales region", *x.Location)
			default:
				region, where = *x.LocationRegion, fmt.Sprintf("sell-from location %s is in %s", *x.Location, *x.LocationRegion)
			}
		case LocationPricingSellTo:
			switch {
			case r.ShipTo != "":
				region, where = r.ShipTo, fmt.Sprintf("the goods ship to %s", r.ShipTo)
			case x.Customer == nil:
				where = "location_pricing is sell_to but no customer was given"
			case x.CustomerRegion == nil:
				where = fmt.Sprintf("customer %s has no sales region", *x.Customer)
			default:
				region, where = *x.CustomerRegion, fmt.Sprintf("customer %s is in %s", *x.Customer, *x.CustomerRegion)
			}
		default:
			where = "location pricing is off (setting location_pricing = none)"
		}
		set := rowsOf(typ, region)
		pick, smallest := best(set, qty)
		switch {
		case region == "":
			o.reason = where
		case x.SamePrice:
			o.reason = fmt.Sprintf("%s has the same price at every location (%s)", x.SKU, where)
		case !typeOK:
			o.reason = fmt.Sprintf("price type %s is inactive", typ)
		case len(set) == 0:
			o.reason = fmt.Sprintf("no %s rows for region %s (%s)", typ, region, where)
		case pick == nil:
			o.reason = fmt.Sprintf("%s rows for region %s start at %s; %s is less (%s)", typ, region, exactdec.String(smallest), exactdec.String(qty), where)
		default:
			o = offer(SourceLocationBreak, pick, typ, fmt.Sprintf("%s row for region %s from %s: %s (%s%s)", typ, region, exactdec.String(pick.min), exactdec.String(pick.price), where, from(pick)))
		}
		opts = append(opts, o)
	}

	// 3. Break of the customer's price type.
	{
		o := option{rule: SourceBreak}
		set := rowsOf(typ, "")
		pick, smallest := best(set, qty)
		first := ""
		if typ == def {
			first = " besides the first (the unit sell price)"
		}
		switch {
		case !typeOK:
			o.reason = fmt.Sprintf("price type %s (%s) is inactive", typ, typeWhy)
		case len(set) == 0:
			o.reason = fmt.Sprintf("no %s rows%s (%s)", typ, first, typeWhy)
		case pick == nil:
			o.reason = fmt.Sprintf("%s rows%s start at %s; %s is less (%s)", typ, first, exactdec.String(smallest), exactdec.String(qty), typeWhy)
		default:
			o = offer(SourceBreak, pick, typ, fmt.Sprintf("%s row from %s: %s (%s%s)", typ, exactdec.String(pick.min), exactdec.String(pick.price), typeWhy, from(pick)))
		}
		opts = append(opts, o)
	}

	// 4. Break of the default price type.
	{
		o := option{rule: SourceDefaultBreak}
		set := rowsOf(def, "")
		pick, smallest := best(set, qty)
		switch {
		case typ == def && typeOK:
			o.reason = fmt.Sprintf("%s is the default price type: its rows were considered above", def)
		case len(set) == 0:
			o.reason = fmt.Sprintf("no %s rows besides the first (the unit sell price)", def)
		case pick == nil:
			o.reason = fmt.Sprintf("%s rows besides the first start at %s; %s is less", def, exactdec.String(smallest), exactdec.String(qty))
		default:
			o = offer(SourceDefaultBreak, pick, def, fmt.Sprintf("default price type %s row from %s: %s%s", def, exactdec.String(pick.min), exactdec.String(pick.price), from(pick)))
		}
		opts = append(opts, o)
	}

	// 5. The unit sell price: the default price type's first row.
	{
		sp := x.SellPrice
		opts = append(opts, option{rule: SourceSellPrice, price: &sp, priceType: def,
			reason: fmt.Sprintf("unit sell price %s, the first %s row (%s)", exactdec.String(sp), def, Describe(x.Formula, x.Pct, x.Cost, x.CostBasis, x.ListPrice))})
	}

	res := Result{Qty: qty, Currency: x.Currency}
	var won string
	for _, o := range opts {
		st := Step{Rule: o.rule, Price: o.price, Reason: o.reason}
		if o.price != nil {
			if won == "" {
				won, st.Applied = o.rule, true
				res.UnitPrice, res.Source, res.PriceType, res.Region, res.MinQty = *o.price, o.rule, o.priceType, o.region, o.min
			} else {
				st.Reason += "; not used: " + won + " applies first"
			}
		}
		res.Steps = append(res.Steps, st)
	}
	res.Amount = qty.Mul(res.UnitPrice).Round(x.MinorUnits)
	m := currency.Line(res.UnitPrice, qty, decimal.Zero, x.TaxRate, x.Inclusive, x.MinorUnits)
	res.TaxRate, res.PricesIncludeTax, res.Net, res.Tax, res.Total = x.TaxRate, x.Inclusive, m.Net, m.Tax, m.Gross
	return res, nil
}

// validity says when a special row is valid.
func validity(c candidate) string {
	switch {
	case c.from == "" && c.until == "":
		return "no end date"
	case c.from == "":
		return "valid until " + c.until
	case c.until == "":
		return "valid from " + c.from
	}
	return "valid " + c.from + " to " + c.until
}

// IDs are the ids Quote takes for the codes a person types.
type IDs struct {
	Product, Customer, Location int64
}

// Lookup resolves a SKU, customer code and location code ("" for none) to ids in one query.
func Lookup(ctx context.Context, q sqlx.QueryerContext, sku, customer, location string) (IDs, error) {
	var ids IDs
	var p, c, l *int64
	err := q.QueryRowxContext(ctx, `SELECT (SELECT id FROM products WHERE sku = $1::text),
		(SELECT id FROM companies WHERE code = $2::text),
		(SELECT id FROM locations WHERE code = $3::text AND kind = 'internal')`, sku, customer, location).Scan(&p, &c, &l)
	if err != nil {
		return ids, db.Classify(err)
	}
	switch {
	case p == nil:
		return ids, fault.NotFoundf("product %s does not exist (find it with stockctl product lookup or product list --search)", sku)
	case customer != "" && c == nil:
		return ids, fault.NotFoundf("customer %s does not exist (stockctl company list --customers)", customer)
	case location != "" && l == nil:
		return ids, fault.NotFoundf("location %s does not exist (stockctl location list)", location)
	}
	ids.Product = *p
	if c != nil {
		ids.Customer = *c
	}
	if l != nil {
		ids.Location = *l
	}
	return ids, nil
}
