package pricing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/exactdec"
)

// Selling price formulas (SPEC §7). p is a percentage: 25 means 25 %.
const (
	Fixed    = "fixed"    // the sell price is typed
	Markup   = "markup"   // cost × (1 + p)
	Margin   = "margin"   // cost ÷ (1 − p), p below 100 %
	Discount = "discount" // list × (1 − p)
	List     = "list"     // the list price
)

// Formulas lists the formulas in the order help shows them.
var Formulas = []string{Fixed, Markup, Margin, Discount, List}

var hundred = decimal.NewFromInt(100)

// ProductPricing is how a product is priced: its prices, formula, location rule and how many
// break rows and special prices it has.
type ProductPricing struct {
	SKU                   string           `db:"sku" json:"sku"`
	Name                  string           `db:"name" json:"name"`
	CostPrice             decimal.Decimal  `db:"cost_price" json:"cost_price"`
	Cost                  decimal.Decimal  `db:"cost" json:"cost"`             // what markup and margin work from
	CostBasis             string           `db:"cost_basis" json:"cost_basis"` // CostAverage or CostPrice
	ListPrice             decimal.Decimal  `db:"list_price" json:"list_price"`
	SellPrice             decimal.Decimal  `db:"sell_price" json:"sell_price"`
	Formula               string           `db:"price_formula" json:"formula"`
	Pct                   *decimal.Decimal `db:"price_pct" json:"pct"`
	Rule                  string           `db:"-" json:"rule"`
	SamePriceAllLocations bool             `db:"same_price_all_locations" json:"same_price_all_locations"`
	DefaultPriceType      string           `db:"default_price_type" json:"default_price_type"`
	Breaks                int64            `db:"breaks" json:"breaks"`
	Specials              int64            `db:"specials" json:"specials"`

	id int64
}

// Which cost the markup and margin formulas work from: the product's average cost while it
// has stock on hand, else its cost price (the SQL function product_cost, migration 00022).
const (
	CostAverage = "average"
	CostPrice   = "cost_price"
)

// costSQL reads the cost formulas work from and which it is, for products p.
const costSQL = `product_cost(p.id, p.cost_price) AS cost,
	CASE WHEN EXISTS (SELECT 1 FROM product_costs c WHERE c.product_id = p.id AND c.on_hand > 0)
	  THEN 'average' ELSE 'cost_price' END AS cost_basis`

// Describe says how the formula turns cost and list price into the sell price, in words and
// numbers: "markup: average cost 8 × (1 + 25%)". basis is CostAverage or CostPrice.
func Describe(formula string, pct *decimal.Decimal, cost decimal.Decimal, basis string, list decimal.Decimal) string {
	p := "?"
	if pct != nil {
		p = exactdec.String(*pct) + "%"
	}
	what := "cost price"
	if basis == CostAverage {
		what = "average cost"
	}
	switch formula {
	case Markup:
		return fmt.Sprintf("markup: %s %s × (1 + %s)", what, exactdec.String(cost), p)
	case Margin:
		return fmt.Sprintf("margin: %s %s ÷ (1 − %s)", what, exactdec.String(cost), p)
	case Discount:
		return fmt.Sprintf("discount: list %s × (1 − %s)", exactdec.String(list), p)
	case List:
		return fmt.Sprintf("same as list price %s", exactdec.String(list))
	}
	return "fixed: typed by hand"
}

// productID finds a product's id by SKU; field names the argument for the error.
func productID(ctx context.Context, q sqlx.QueryerContext, sku string, lock bool) (int64, error) {
	var id int64
	query := `SELECT id FROM products WHERE sku = $1`
	if lock {
		query += ` FOR UPDATE`
	}
	err := sqlx.GetContext(ctx, q, &id, query, sku)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.NotFoundf("product %s does not exist (find it with stockctl product lookup or product list --search)", sku)
	}
	return id, db.Classify(err)
}

// Show returns how a product is priced.
func Show(ctx context.Context, q sqlx.QueryerContext, sku string) (ProductPricing, error) {
	var pp ProductPricing
	err := q.QueryRowxContext(ctx, `SELECT p.id, p.sku, p.name, p.cost_price, `+costSQL+`, p.list_price, p.sell_price,
		p.price_formula, p.price_pct, p.same_price_all_locations,
		(SELECT value FROM settings WHERE key = 'default_price_type'),
		(SELECT count(*) FROM price_breaks b WHERE b.product_id = p.id),
		(SELECT count(*) FROM special_prices s WHERE s.product_id = p.id)
		FROM products p WHERE p.sku = $1`, sku).Scan(&pp.id, &pp.SKU, &pp.Name, &pp.CostPrice, &pp.Cost, &pp.CostBasis, &pp.ListPrice,
		&pp.SellPrice, &pp.Formula, &pp.Pct, &pp.SamePriceAllLocations, &pp.DefaultPriceType, &pp.Breaks, &pp.Specials)
	if errors.Is(err, sql.ErrNoRows) {
		return pp, fault.NotFoundf("product %s does not exist (find it with stockctl product lookup or product list --search)", sku)
	}
	if err != nil {
		return pp, db.Classify(err)
	}
	pp.Rule = Describe(pp.Formula, pp.Pct, pp.Cost, pp.CostBasis, pp.ListPrice)
	return pp, nil
}

// CheckFormula validates a formula and its percentage; the fields named are "formula" and
// "pct". It returns the formula in lower case.
func CheckFormula(formula string, pct *decimal.Decimal) (string, error) {
	f := strings.ToLower(strings.TrimSpace(formula))
	switch f {
	case Fixed, List:
		if pct != nil {
			return f, fault.Invalidf("pct", "the %s formula takes no --pct", f)
		}
		return f, nil
	case Markup, Margin, Discount:
	default:
		return f, fault.Invalidf("formula", "unknown formula %q: use one of %s", formula, strings.Join(Formulas, ", "))
	}
	if pct == nil {
		return f, fault.Invalidf("pct", "the %s formula needs --pct P (a percentage: 25 means 25%%)", f)
	}
	p := *pct
	switch {
	case p.IsNegative():
		return f, fault.Invalidf("pct", "--pct %s: a %s cannot be negative", p, f)
	case f == Margin && p.GreaterThanOrEqual(hundred):
		return f, fault.Invalidf("pct", "--pct %s: a margin must be below 100%% (cost ÷ (1 − p) has no price at 100%% or more)", p)
	case f == Discount && p.GreaterThan(hundred):
		return f, fault.Invalidf("pct", "--pct %s: a discount cannot be more than 100%%", p)
	case f == Markup && p.GreaterThanOrEqual(decimal.NewFromInt(1000000)):
		return f, fault.Invalidf("pct", "--pct %s: a markup must be below 1000000%%", p)
	}
	return f, nil
}

// SetFormula sets how a product's sell price is computed and returns the product's pricing
// with the new sell price. The database computes it (pricing_formula_price) and recomputes it
// whenever the cost or list price changes, on every path; results are rounded half away from
// zero to the base currency's minor units. fixed keeps the current sell price and lets it be
// typed again.
func SetFormula(ctx context.Context, q sqlx.ExtContext, sku, formula string, pct *decimal.Decimal) (ProductPricing, error) {
	f, err := CheckFormula(formula, pct)
	if err != nil {
		return ProductPricing{}, err
	}
	id, err := productID(ctx, q, sku, true)
	if err != nil {
		return ProductPricing{}, err
	}
	if _, err := q.ExecContext(ctx, `UPDATE products SET price_formula = $2, price_pct = $3
		WHERE id = $1 AND (price_formula, price_pct) IS DISTINCT FROM ($2, $3::numeric)`, id, f, pct); err != nil {
		return ProductPricing{}, db.Classify(err)
	}
	return Show(ctx, q, sku)
}

// SetSamePrice marks a product as priced the same at every location (location-based break
// rows are then ignored for it), or clears the mark.
func SetSamePrice(ctx context.Context, q sqlx.ExtContext, sku string, same bool) (ProductPricing, error) {
	id, err := productID(ctx, q, sku, true)
	if err != nil {
		return ProductPricing{}, err
	}
	if _, err := q.ExecContext(ctx, `UPDATE products SET same_price_all_locations = $2 WHERE id = $1 AND same_price_all_locations <> $2`, id, same); err != nil {
		return ProductPricing{}, db.Classify(err)
	}
	return Show(ctx, q, sku)
}
