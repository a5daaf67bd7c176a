package app

import (
	"github.com/shopspring/decimal"
	"github.com/spf13/pflag"

	"github.com/stockctl/stockctl/io/exactdec"
	"github.com/stockctl/stockctl/io/printer"
)

// LineQty is a document line's quantity as tables show it: a line in the stock unit shows
// its stock quantity as it always did; a line in a unit of its own shows that quantity with
// the stock quantity in brackets, "2 box (24 ea)".
func LineQty(entered decimal.Decimal, unit string, qty decimal.Decimal, stockUnit string) string {
	if unit == "" || unit == stockUnit {
		return exactdec.String(qty)
	}
	return exactdec.String(entered) + " " + unit + " (" + exactdec.String(qty) + " " + stockUnit + ")"
}

// LinePrice is a line's unit price as tables show it: per stock unit as it always did, or
// "60.00/box" when it is per a unit of the line's own.
func LinePrice(price decimal.Decimal, priceUnit, stockUnit string) string {
	if priceUnit == "" || priceUnit == stockUnit {
		return exactdec.String(price)
	}
	return exactdec.String(price) + "/" + priceUnit
}

// TableOnly reports whether output is a table (not JSON, CSV or --fields), where lines are
// shown in their own units.
func (a *App) TableOnly() bool {
	p := a.Printer()
	return p.Format != printer.JSON && p.Format != printer.CSV && len(a.Fields) == 0
}

// UnitFlags adds --uom, the unit a line's QTY is in, and --unit, its older name (hidden).
func UnitFlags(fl *pflag.FlagSet, unit *string, usage string) {
	fl.StringVar(unit, "uom", "", usage)
	fl.StringVar(unit, "unit", "", usage)
	_ = fl.MarkHidden("unit")
}

// PartQty is part of a line's stock quantity (received, outstanding) as tables show it: in
// the line's own unit with the stock quantity in brackets when it converts exactly
// ("1 box (12 ea)"), else in the stock unit ("5 ea"); a line in the stock unit, and nothing,
// show the bare quantity as they always did.
func PartQty(part, entered decimal.Decimal, unit string, qty decimal.Decimal, stockUnit string) string {
	if unit == "" || unit == stockUnit || part.IsZero() || !qty.IsPositive() {
		return exactdec.String(part)
	}
	in := part.Mul(entered).Div(qty)
	if !in.Mul(qty).Equal(part.Mul(entered)) {
		return exactdec.String(part) + " " + stockUnit
	}
	return in.String() + " " + unit + " (" + exactdec.String(part) + " " + stockUnit + ")"
}
