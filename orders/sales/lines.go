package sales

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/pricing"
)

// LineInput is one line to add to a draft order (so add).
type LineInput struct {
	SKU          string
	Qty          decimal.Decimal
	Unit         string            // a unit of the stock unit's category or a pack unit; "": the sales unit
	Price        *decimal.Decimal  // per Unit in the order's currency; nil: pricing.Quote
	Discount     *decimal.Decimal  // percent
	TaxRate      *decimal.Decimal  // percent; nil: the customer's, else the product's, else tax_rate_sales
	Custom       bool              // a custom (configured) item: backordered until a work order builds it
	Choices      map[string]string // option group -> option, for a configurable product
	ShipComplete *bool             // the line ships whole; nil: the order's ship-complete flag
}

// AddLine adds a line to a draft order. The product must be active and sellable; the quantity
// is in Unit (default the product's sales unit) and converted exactly to the stock unit
// (catalog.ToStockExact), which allocation, backorders and shipments work in; the price, per
// Unit, comes from pricing.Quote (per stock unit, converted) at the
// order's date, price type, location and ship-to region (plus the chosen options'
// adjustments for a configured item), converted to the order's currency at its rate, unless
// Price is given (price_source manual).
func AddLine(ctx context.Context, q sqlx.ExtContext, number string, in LineInput) (Line, error) {
	o, err := lockOrder(ctx, q, number)
	if err != nil {
		return Line{}, err
	}
	if o.Status != Draft {
		return Line{}, fault.Invalidf("so", "sales order %s is %s: lines are added to draft orders only (make a new order for more)", o.Number, o.Status)
	}
	p, err := catalog.RequireActiveShared(ctx, q, strings.TrimSpace(in.SKU))
	if err != nil {
		return Line{}, err
	}
	if !p.Sellable {
		return Line{}, fault.Invalidf("sku", "product %s is not sellable: make it so with stockctl product edit %s --sellable", p.SKU, p.SKU)
	}
	if err := catalog.RefuseTemplate(ctx, q, "sku", p); err != nil {
		return Line{}, err
	}
	if !in.Qty.IsPositive() {
		return Line{}, fault.Invalidf("qty", "quantity of %s must be more than 0, got %s", p.SKU, in.Qty)
	}
	unit := strings.TrimSpace(in.Unit)
	if unit == "" {
		unit = p.SalesUOM
	}
	if unit == "" {
		unit = p.StockUOM
	}
	qty, err := catalog.ToStockExact(ctx, q, p, in.Qty, unit)
	if err != nil {
		return Line{}, err
	}
	if !qty.IsPositive() {
		return Line{}, fault.Invalidf("qty", "%s %s of %s is 0 %s once rounded to the stock unit", in.Qty, unit, p.SKU, p.StockUOM)
	}
	// A line in a unit other than the stock unit is priced per its own unit: amount = the
	// quantity entered × the unit price. One in the stock unit keeps qty × unit price.
	unitPriced := unit != p.StockUOM
	custom := in.Custom || len(in.Choices) > 0
	if custom && !p.TrackStock {
		return Line{}, fault.Invalidf("custom", "%s is a %s product without stock: only stock products are built to order (--custom)", p.SKU, p.Type)
	}
	var config string
	adjust := decimal.Zero
	optionIDs := pq.Int64Array{}
	if len(in.Choices) > 0 {
		cfg, err := catalog.Configure(ctx, q, p.SKU, in.Choices)
		if err != nil {
			return Line{}, err
		}
		config, adjust = cfg.Choices.String(), cfg.Adjustments
		for _, c := range cfg.Choices {
			optionIDs = append(optionIDs, c.OptionID)
		}
	}
	var price decimal.Decimal
	source := pricing.SourceManual
	if in.Price != nil {
		if in.Price.IsNegative() {
			return Line{}, fault.Invalidf("price", "price of %s cannot be negative, got %s", p.SKU, in.Price)
		}
		if !in.Price.Equal(in.Price.Round(priceScale)) {
			return Line{}, fault.Invalidf("price", "price %s of %s has more than %d decimals", in.Price, p.SKU, priceScale)
		}
		price = *in.Price
	} else {
		r, err := pricing.Quote(ctx, q, pricing.Request{ProductID: p.ID, CustomerID: o.CustomerID, Qty: qty, LocationID: o.LocationID,
			On: o.OrderDate, PriceType: o.PriceType, ShipTo: deref(o.ShipTo)})
		if err != nil {
			return Line{}, err
		}
		if unitPriced {
			// Quote prices one stock unit; one line unit is qty / entered stock units, exact
			// (ToStockExact), so the line unit's price is rounded once, at the end.
			price = r.UnitPrice.Add(adjust).Mul(qty).DivRound(in.Qty.Mul(o.Rate), priceScale)
		} else {
			price = r.UnitPrice.Add(adjust).DivRound(o.Rate, priceScale)
		}
		source = r.Source
	}
	discount := decimal.Zero
	if in.Discount != nil {
		if in.Discount.IsNegative() || in.Discount.GreaterThan(decimal.NewFromInt(100)) {
			return Line{}, fault.Invalidf("discount", "discount %s: give a percentage from 0 to 100", in.Discount)
		}
		discount = *in.Discount
	}
	tax, err := lineTaxRate(ctx, q, in.TaxRate, o, p)
	if err != nil {
		return Line{}, err
	}
	shipComplete := o.ShipComplete
	if in.ShipComplete != nil {
		shipComplete = *in.ShipComplete
	}
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `INSERT INTO so_lines (so_id, line_no, product_id, stock, qty, entered_qty, unit, unit_price,
		price_source, discount, tax_rate, custom, configuration, ship_complete, unit_priced, option_ids)
		VALUES ($1, (SELECT coalesce(max(line_no), 0) + 1 FROM so_lines WHERE so_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		RETURNING id`, o.ID, p.ID, p.TrackStock, qty, in.Qty, unit, price, source, discount, tax, custom, config, shipComplete, unitPriced, optionIDs)
	if err != nil {
		return Line{}, db.Classify(err)
	}
	var l Line
	err = sqlx.GetContext(ctx, q, &l, selectLine+` WHERE x.id = $1`, id)
	l.money(o)
	return l, db.Classify(err)
}

// lineTaxRate is the rate given, else the customer's tax rate, else the product's sales tax
// rate, else the setting tax_rate_sales.
func lineTaxRate(ctx context.Context, q sqlx.QueryerContext, given *decimal.Decimal, o Order, p catalog.Product) (decimal.Decimal, error) {
	if given != nil {
		if given.IsNegative() || given.GreaterThan(decimal.NewFromInt(100)) {
			return decimal.Zero, fault.Invalidf("tax-rate", "tax rate %s: give a percentage from 0 to 100", given)
		}
		return *given, nil
	}
	var cust *decimal.Decimal
	if err := sqlx.GetContext(ctx, q, &cust, `SELECT tax_rate FROM companies WHERE id = $1`, o.CustomerID); err != nil {
		return decimal.Zero, db.Classify(err)
	}
	if cust != nil {
		return *cust, nil
	}
	if p.SalesTaxRate != nil {
		return *p.SalesTaxRate, nil
	}
	v, err := settings.Value(ctx, q, "tax_rate_sales")
	if err != nil {
		return decimal.Zero, err
	}
	return decimal.NewFromString(v)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
