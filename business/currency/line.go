package currency

import "github.com/shopspring/decimal"

// LineMoney is what one document line is worth, each amount in the currency's minor unit:
// Net before tax, Tax, and Gross = Net + Tax.
type LineMoney struct {
	Net, Tax, Gross decimal.Decimal
}

// Line works out the money of one line: qty at unit price less discount percent, taxed at
// rate percent. It is the one rule every sales document follows (sales order lines and
// totals, invoices, price quote, the portal feed):
//
//   - amount = qty × unit price × (1 − discount/100), rounded to minor decimals;
//   - prices exclusive of tax (inclusive false): net = amount, tax = net × rate/100 rounded;
//   - prices inclusive of tax (inclusive true): gross = amount, tax = gross × rate/(100 + rate)
//     rounded, net = gross − tax;
//
// per line, every rounding half away from zero, computed exactly (no intermediate division
// is cut short before it is rounded). A document's totals are the sums of its lines' amounts,
// so a document that carries the same lines carries the same totals, to the cent.
func Line(unitPrice, qty, discount, rate decimal.Decimal, inclusive bool, minor int32) LineMoney {
	hundred := decimal.NewFromInt(100)
	amount := qty.Mul(unitPrice).Mul(hundred.Sub(discount)).DivRound(hundred, minor)
	if inclusive {
		tax := amount.Mul(rate).DivRound(hundred.Add(rate), minor)
		return LineMoney{Net: amount.Sub(tax), Tax: tax, Gross: amount}
	}
	tax := amount.Mul(rate).DivRound(hundred, minor)
	return LineMoney{Net: amount, Tax: tax, Gross: amount.Add(tax)}
}

// Add sums two lines' money.
func (m LineMoney) Add(o LineMoney) LineMoney {
	return LineMoney{Net: m.Net.Add(o.Net), Tax: m.Tax.Add(o.Tax), Gross: m.Gross.Add(o.Gross)}
}

// Round rounds money to minor decimals, half away from zero, and shows it with exactly that
// many (2218.49, 5.00): how stockctl shows any amount of money, as against unit prices and
// unit costs, which keep their precision.
func Round(amount decimal.Decimal, minor int32) decimal.Decimal {
	return amount.Round(minor)
}
