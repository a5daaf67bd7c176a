// Package exactdec writes a decimal with the scale it carries: the one way stockctl shows a
// quantity, price or amount as text, in tables, JSON, CSV and messages alike.
package exactdec

import "github.com/shopspring/decimal"

// String is d with its own scale. Decimal.String drops trailing zeros, but a price stored as
// NUMERIC(12,2) must print "12.50", not "12.5", and an amount typed as "1.50" stays so.
func String(d decimal.Decimal) string {
	if e := d.Exponent(); e < 0 {
		return d.StringFixed(-e)
	}
	return d.String()
}
