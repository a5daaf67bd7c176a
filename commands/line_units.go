package commands

import (
	"github.com/shopspring/decimal"
	"github.com/spf13/pflag"

	"github.com/stockctl/stockctl/io/printer"
	"github.com/stockctl/stockctl/orders/sales"
)

// lineQty is a document line's quantity as tables show it: a line in the stock unit shows
// its stock quantity as it always did; a line in a unit of its own shows that quantity with
// the stock quantity in brackets, "2 box (24 ea)".
func lineQty(entered decimal.Decimal, unit string, qty decimal.Decimal, stockUnit string) string {
	if unit == "" || unit == stockUnit {
		return exactDec(qty)
	}
	return exactDec(entered) + " " + unit + " (" + exactDec(qty) + " " + stockUnit + ")"
}

// linePrice is a line's unit price as tables show it: per stock unit as it always did, or
// "60.00/box" when it is per a unit of the line's own.
func linePrice(price decimal.Decimal, priceUnit, stockUnit string) string {
	if priceUnit == "" || priceUnit == stockUnit {
		return exactDec(price)
	}
	return exactDec(price) + "/" + priceUnit
}

// tableOnly reports whether output is a table (not JSON, CSV or --fields), where lines are
// shown in their own units.
func (a *App) tableOnly() bool {
	p := a.Printer()
	return p.Format != printer.JSON && p.Format != printer.CSV && len(a.Fields) == 0
}

// soLineView is a sales order line as a table shows it: the fields of sales.Line in the same
// order, with qty and unit price in the line's own unit.
type soLineView struct {
	LineNo     int             `json:"line"`
	SKU        string          `json:"sku"`
	Name       string          `json:"name" print:"wide"`
	Stock      bool            `json:"stock" print:"wide"`
	Qty        string          `json:"qty"`
	StockUnit  string          `json:"stock_unit" print:"wide"`
	EnteredQty decimal.Decimal `json:"entered_qty" print:"wide"`
	Unit       string          `json:"unit" print:"wide"`
	UnitPrice  string          `json:"unit_price"`
	sales.Line
}

func soLineViewOf(l sales.Line) soLineView {
	return soLineView{LineNo: l.LineNo, SKU: l.SKU, Name: l.Name, Stock: l.Stock,
		Qty: lineQty(l.EnteredQty, l.Unit, l.Qty, l.StockUnit), StockUnit: l.StockUnit, EnteredQty: l.EnteredQty, Unit: l.Unit,
		UnitPrice: linePrice(l.UnitPrice, l.PriceUnit, l.StockUnit), Line: l}
}

// unitFlags adds --uom, the unit a line's QTY is in, and --unit, its older name (hidden).
func unitFlags(fl *pflag.FlagSet, unit *string, usage string) {
	fl.StringVar(unit, "uom", "", usage)
	fl.StringVar(unit, "unit", "", usage)
	_ = fl.MarkHidden("unit")
}
