package sales

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/pricing"
)

// ExactLine is a non-stock line whose quantity is final as given: time billing puts the hours
// of its entries on an order as a number of billing periods (1.25 days), which rounding to the
// stock unit's precision would change.
type ExactLine struct {
	SKU        string
	Qty        decimal.Decimal  // in the unit the product's price is for; kept exactly
	EnteredQty decimal.Decimal  // what was recorded (hours, say); zero: Qty
	Unit       string           // the unit of EnteredQty; "": the stock unit
	Price      *decimal.Decimal // per unit of Qty in the order's currency; nil: pricing.Quote
}

// AddExactLine adds a line to a draft order like AddLine, for products that never hold stock,
// without converting or rounding the quantity. The price comes from pricing.Quote for the
// order's customer, date, price type, location and ship-to region (converted to the order's
// currency at its rate) unless Price is given (price_source manual); the tax rate is the
// customer's, else the product's, else tax_rate_sales.
func AddExactLine(ctx context.Context, q sqlx.ExtContext, number string, in ExactLine) (Line, error) {
	o, err := lockOrder(ctx, q, number)
	if err != nil {
		return Line{}, err
	}
	if o.Status != Draft {
		return Line{}, fault.Invalidf("so", "sales order %s is %s: lines are added to draft orders only", o.Number, o.Status)
	}
	p, err := catalog.RequireActiveShared(ctx, q, strings.TrimSpace(in.SKU))
	if err != nil {
		return Line{}, err
	}
	if !p.Sellable {
		return Line{}, fault.Invalidf("sku", "product %s is not sellable: make it so with stockctl product edit %s --sellable", p.SKU, p.SKU)
	}
	if p.TrackStock {
		return Line{}, fault.Invalidf("sku", "product %s is stock-tracked: add it with stockctl so add", p.SKU)
	}
	if err := catalog.RefuseTemplate(ctx, q, "sku", p); err != nil {
		return Line{}, err
	}
	if !in.Qty.IsPositive() {
		return Line{}, fault.Invalidf("qty", "quantity of %s must be more than 0, got %s", p.SKU, in.Qty)
	}
	entered, unit := in.EnteredQty, in.Unit
	if !entered.IsPositive() {
		entered = in.Qty
	}
	if unit == "" {
		unit = p.StockUOM
	}
	var price decimal.Decimal
	source := pricing.SourceManual
	if in.Price != nil {
		if in.Price.IsNegative() {
			return Line{}, fault.Invalidf("price", "price of %s cannot be negative, got %s", p.SKU, in.Price)
		}
		price = in.Price.Round(priceScale)
	} else {
		r, err := pricing.Quote(ctx, q, pricing.Request{ProductID: p.ID, CustomerID: o.CustomerID, Qty: in.Qty, LocationID: o.LocationID,
			On: o.OrderDate, PriceType: o.PriceType, ShipTo: deref(o.ShipTo)})
		if err != nil {
			return Line{}, err
		}
		price = r.UnitPrice.DivRound(o.Rate, priceScale)
		source = r.Source
	}
	tax, err := lineTaxRate(ctx, q, nil, o, p)
	if err != nil {
		return Line{}, err
	}
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `INSERT INTO so_lines (so_id, line_no, product_id, stock, qty, entered_qty, unit, unit_price,
		price_source, tax_rate, ship_complete)
		VALUES ($1, (SELECT coalesce(max(line_no), 0) + 1 FROM so_lines WHERE so_id = $1), $2, false, $3, $4, $5, $6, $7, $8, $9)
		RETURNING id`, o.ID, p.ID, in.Qty, entered, unit, price, source, tax, o.ShipComplete)
	if err != nil {
		return Line{}, db.Classify(err)
	}
	var l Line
	err = sqlx.GetContext(ctx, q, &l, selectLine+` WHERE x.id = $1`, id)
	l.money(o)
	return l, db.Classify(err)
}
