package commands

import (
	"github.com/shopspring/decimal"
	"github.com/spf13/pflag"

	"github.com/stockctl/stockctl/io/exactdec"
	"github.com/stockctl/stockctl/io/printer"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/rfq"
	"github.com/stockctl/stockctl/orders/sales"
)

// lineQty is a document line's quantity as tables show it: a line in the stock unit shows
// its stock quantity as it always did; a line in a unit of its own shows that quantity with
// the stock quantity in brackets, "2 box (24 ea)".
func lineQty(entered decimal.Decimal, unit string, qty decimal.Decimal, stockUnit string) string {
	if unit == "" || unit == stockUnit {
		return exactdec.String(qty)
	}
	return exactdec.String(entered) + " " + unit + " (" + exactdec.String(qty) + " " + stockUnit + ")"
}

// linePrice is a line's unit price as tables show it: per stock unit as it always did, or
// "60.00/box" when it is per a unit of the line's own.
func linePrice(price decimal.Decimal, priceUnit, stockUnit string) string {
	if priceUnit == "" || priceUnit == stockUnit {
		return exactdec.String(price)
	}
	return exactdec.String(price) + "/" + priceUnit
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

// partQty is part of a line's stock quantity (received, outstanding) as tables show it: in
// the line's own unit with the stock quantity in brackets when it converts exactly
// ("1 box (12 ea)"), else in the stock unit ("5 ea"); a line in the stock unit, and nothing,
// show the bare quantity as they always did.
func partQty(part, entered decimal.Decimal, unit string, qty decimal.Decimal, stockUnit string) string {
	if unit == "" || unit == stockUnit || part.IsZero() || !qty.IsPositive() {
		return exactdec.String(part)
	}
	in := part.Mul(entered).Div(qty)
	if !in.Mul(qty).Equal(part.Mul(entered)) {
		return exactdec.String(part) + " " + stockUnit
	}
	return in.String() + " " + unit + " (" + exactdec.String(part) + " " + stockUnit + ")"
}

// poLineView is a purchase order line as a table shows it (see soLineView).
type poLineView struct {
	PO          string           `json:"po" print:"wide"`
	LineNo      int              `json:"line_no"`
	SKU         string           `json:"sku"`
	Name        string           `json:"name" print:"wide"`
	SupplierSKU string           `json:"supplier_sku" print:"wide"`
	Qty         string           `json:"qty"`
	Unit        string           `json:"unit"`
	UnitPrice   string           `json:"unit_price"`
	PriceSource string           `json:"price_source" print:"wide"`
	TaxRate     decimal.Decimal  `json:"tax_rate" print:"wide"`
	Amount      decimal.Decimal  `json:"amount"`
	Tax         decimal.Decimal  `json:"tax" print:"wide"`
	UnitCost    *decimal.Decimal `json:"unit_cost" print:"wide"`
	ReceivedQty string           `json:"received_qty"`
	Outstanding string           `json:"outstanding"`
	purchasing.POLine
}

func poLineViewOf(l purchasing.POLine) poLineView {
	return poLineView{PO: l.PO, LineNo: l.LineNo, SKU: l.SKU, Name: l.Name, SupplierSKU: l.SupplierSKU,
		Qty: lineQty(l.EnteredQty, l.Unit, l.Qty, l.StockUnit), Unit: l.Unit, UnitPrice: linePrice(l.UnitPrice, l.Unit, l.StockUnit),
		PriceSource: l.PriceSource, TaxRate: l.TaxRate, Amount: l.Amount, Tax: l.Tax, UnitCost: l.UnitCost,
		ReceivedQty: partQty(l.ReceivedQty, l.EnteredQty, l.Unit, l.Qty, l.StockUnit),
		Outstanding: partQty(l.Outstanding, l.EnteredQty, l.Unit, l.Qty, l.StockUnit), POLine: l}
}

// rfqLineView is a line of a request for quote as a table shows it (see soLineView).
type rfqLineView struct {
	RFQ         string `json:"rfq" print:"wide"`
	LineNo      int    `json:"line_no"`
	SKU         string `json:"sku"`
	Name        string `json:"name" print:"wide"`
	SupplierSKU string `json:"supplier_sku"`
	Qty         string `json:"qty"`
	Unit        string `json:"unit"`
	Price       string `json:"price"`
	rfq.RFQLine
}

func rfqLineViewOf(l rfq.RFQLine) rfqLineView {
	v := rfqLineView{RFQ: l.RFQ, LineNo: l.LineNo, SKU: l.SKU, Name: l.Name, SupplierSKU: l.SupplierSKU,
		Qty: lineQty(l.EnteredQty, l.Unit, l.Qty, l.StockUnit), Unit: l.Unit, RFQLine: l}
	if l.Price != nil {
		v.Price = linePrice(*l.Price, l.Unit, l.StockUnit)
	}
	return v
}
