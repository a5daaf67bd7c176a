package catalog

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/uom"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Pack is a product's own pack unit: Code = Qty stock units of this product (box = 12 ea).
type Pack struct {
	ID       int64           `db:"id" json:"-"`
	SKU      string          `db:"sku" json:"sku"`
	Code     string          `db:"code" json:"code"`
	Qty      decimal.Decimal `db:"qty" json:"qty"`
	StockUOM string          `db:"stock_uom" json:"stock_uom"`
}

var packRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]{0,31}$`)

// AddPack gives a product a pack unit of qty stock units. A pack cannot take the name of a
// unit of measure, so a unit code always means the same thing.
func AddPack(ctx context.Context, q sqlx.ExtContext, sku, code string, qty decimal.Decimal) (Pack, error) {
	p, err := get(ctx, q, sku, true)
	if err != nil {
		return Pack{}, err
	}
	code = strings.TrimSpace(code)
	if !packRe.MatchString(code) {
		return Pack{}, fault.Invalidf("unit", "pack unit %q: use 1 to 32 letters, digits or . _ - starting with a letter", code)
	}
	if !qty.IsPositive() {
		return Pack{}, fault.Invalidf("qty", "pack %s of %s: --qty must be more than 0 %s, got %s", code, sku, p.StockUOM, qty)
	}
	if _, err := uom.Get(ctx, q, code); err == nil {
		return Pack{}, fault.Invalidf("unit", "%s is already a unit of measure: give the pack another name (box, case, pallet ...)", code)
	} else if !fault.Is(err, fault.NotFound) {
		return Pack{}, err // not "unknown unit" but a failed query
	}
	if stock, err := uom.Get(ctx, q, p.StockUOM); err == nil {
		if r := uom.Round(qty, stock); !r.Equal(qty) {
			return Pack{}, fault.Invalidf("qty", "pack %s of %s: %s %s has more decimals than the unit allows (%d)", code, sku, qty, p.StockUOM, stock.Precision)
		}
	}
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `INSERT INTO product_packs (product_id, code, qty) VALUES ($1, $2, $3)
		ON CONFLICT (product_id, code) DO NOTHING RETURNING id`, p.ID, code, qty)
	if errors.Is(err, sql.ErrNoRows) {
		return Pack{}, fault.Conflictf("product %s already has a pack unit %s", sku, code)
	}
	if err != nil {
		return Pack{}, db.Classify(err)
	}
	return Pack{ID: id, SKU: sku, Code: code, Qty: qty, StockUOM: p.StockUOM}, nil
}

// Packs lists a product's pack units.
func Packs(ctx context.Context, q sqlx.QueryerContext, sku string) ([]Pack, error) {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return nil, err
	}
	var ks []Pack
	err = sqlx.SelectContext(ctx, q, &ks, `SELECT k.id, p.sku, k.code, k.qty, p.stock_uom FROM product_packs k
		JOIN products p ON p.id = k.product_id WHERE k.product_id = $1 ORDER BY k.qty`, p.ID)
	return ks, db.Classify(err)
}

func getPack(ctx context.Context, q sqlx.QueryerContext, p Product, code string) (Pack, error) {
	var k Pack
	err := sqlx.GetContext(ctx, q, &k, `SELECT id, $2::text AS sku, code, qty, $3::text AS stock_uom FROM product_packs
		WHERE product_id = $1 AND code = $4`, p.ID, p.SKU, p.StockUOM, code)
	if errors.Is(err, sql.ErrNoRows) {
		return k, fault.Unknownf("pack", "product %s has no pack unit %s: add it with stockctl product pack add %s %s --qty N", p.SKU, code, p.SKU, code)
	}
	return k, db.Classify(err)
}

// ToStock converts qty entered in unit (any unit of the stock unit's category, or one of the
// product's pack units; "" means the stock unit) into the product's stock unit, rounded to
// the stock unit's precision. Every document line uses it, so conversion is the same everywhere.
func ToStock(ctx context.Context, q sqlx.QueryerContext, p Product, qty decimal.Decimal, unit string) (decimal.Decimal, error) {
	if (unit == "" || unit == p.StockUOM) && p.StockPrecision != nil {
		return qty.Round(*p.StockPrecision), nil
	}
	stock, err := uom.Get(ctx, q, p.StockUOM)
	if err != nil {
		return decimal.Zero, err
	}
	if unit == "" || unit == p.StockUOM {
		return uom.Round(qty, stock), nil
	}
	from, err := unitFor(ctx, q, p, stock, unit)
	if err != nil {
		return decimal.Zero, err
	}
	return uom.Convert(qty, from, stock)
}

// ToStockExact is ToStock for a document line (sales order, purchase order, RFQ): a
// quantity in a unit other than the stock unit that does not convert exactly within the stock
// unit's precision is refused naming both units (uom.ConvertExact), so the line's own quantity
// and its stock quantity always mean the same goods. In the stock unit it rounds as ToStock.
func ToStockExact(ctx context.Context, q sqlx.QueryerContext, p Product, qty decimal.Decimal, unit string) (decimal.Decimal, error) {
	if unit == "" || unit == p.StockUOM {
		return ToStock(ctx, q, p, qty, unit)
	}
	stock, err := uom.Get(ctx, q, p.StockUOM)
	if err != nil {
		return decimal.Zero, err
	}
	from, err := unitFor(ctx, q, p, stock, unit)
	if err != nil {
		return decimal.Zero, err
	}
	r, err := uom.ConvertExact(qty, from, stock)
	if err != nil {
		return r, fault.Invalidf(fault.FieldOf(err), "%s: %v", p.SKU, err)
	}
	return r, nil
}

// PriceDecimals is the most decimals a unit price keeps (business/bounds.Money).
const PriceDecimals = 6

// PerStockUnit turns a quantity and a price per unit (a unit of the stock unit's category or
// a pack unit of p; "" the stock unit) into the stock unit, exactly: the quantity through
// ToStockExact (refused naming both units when it does not convert), the price divided by
// the stock units one unit holds (refused when that needs more than PriceDecimals decimals).
// Min qty 2 at 60.00 per box of 12 is 24 ea at 5.00.
func PerStockUnit(ctx context.Context, q sqlx.QueryerContext, p Product, qty, price decimal.Decimal, unit string) (decimal.Decimal, decimal.Decimal, error) {
	unit = strings.TrimSpace(unit)
	if unit == "" || unit == p.StockUOM {
		return qty, price, nil
	}
	per, err := ToStockExact(ctx, q, p, decimal.NewFromInt(1), unit)
	if err != nil {
		return qty, price, err
	}
	if !per.IsPositive() {
		return qty, price, fault.Invalidf("unit", "%s: one %s is 0 %s once rounded", p.SKU, unit, p.StockUOM)
	}
	stockQty, err := ToStockExact(ctx, q, p, qty, unit)
	if err != nil {
		return qty, price, err
	}
	stockPrice := price.DivRound(per, PriceDecimals)
	if !stockPrice.Mul(per).Equal(price) {
		return qty, price, fault.Invalidf("price", "%s: %s per %s is %s per %s, more than %d decimals: give the price per %s",
			p.SKU, price, unit, price.DivRound(per, PriceDecimals+6), p.StockUOM, PriceDecimals, p.StockUOM)
	}
	// As typed: 60 per box of 12 is 5, not 5.000000 (String drops the trailing zeros).
	return stockQty, decimal.RequireFromString(stockPrice.String()), nil
}

// unitFor resolves a unit code for product p: one of its packs (as a unit of the stock
// unit's category) or a unit of measure.
func unitFor(ctx context.Context, q sqlx.QueryerContext, p Product, stock uom.Unit, code string) (uom.Unit, error) {
	if p.ID != 0 {
		var qty decimal.Decimal
		err := sqlx.GetContext(ctx, q, &qty, `SELECT qty FROM product_packs WHERE product_id = $1 AND code = $2`, p.ID, code)
		if err == nil {
			return uom.Unit{Code: code, Name: code, Category: stock.Category, Ratio: qty.Mul(stock.Ratio), Precision: stock.Precision}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return uom.Unit{}, db.Classify(err)
		}
	}
	u, err := uom.Get(ctx, q, code)
	if err != nil {
		return u, fault.Unknownf("unit", "unknown unit %q for %s: use a unit of category %s (stockctl uom list) or a pack unit of the product", code, p.SKU, stock.Category)
	}
	return u, nil
}
