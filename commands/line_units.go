package commands

import (
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/orders/purchasing"
	"github.com/stockctl/stockctl/orders/rfq"
	"github.com/stockctl/stockctl/orders/sales"
)

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
		Qty: app.LineQty(l.EnteredQty, l.Unit, l.Qty, l.StockUnit), StockUnit: l.StockUnit, EnteredQty: l.EnteredQty, Unit: l.Unit,
		UnitPrice: app.LinePrice(l.UnitPrice, l.PriceUnit, l.StockUnit), Line: l}
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
		Qty: app.LineQty(l.EnteredQty, l.Unit, l.Qty, l.StockUnit), Unit: l.Unit, UnitPrice: app.LinePrice(l.UnitPrice, l.Unit, l.StockUnit),
		PriceSource: l.PriceSource, TaxRate: l.TaxRate, Amount: l.Amount, Tax: l.Tax, UnitCost: l.UnitCost,
		ReceivedQty: app.PartQty(l.ReceivedQty, l.EnteredQty, l.Unit, l.Qty, l.StockUnit),
		Outstanding: app.PartQty(l.Outstanding, l.EnteredQty, l.Unit, l.Qty, l.StockUnit), POLine: l}
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
		Qty: app.LineQty(l.EnteredQty, l.Unit, l.Qty, l.StockUnit), Unit: l.Unit, RFQLine: l}
	if l.Price != nil {
		v.Price = app.LinePrice(*l.Price, l.Unit, l.StockUnit)
	}
	return v
}
