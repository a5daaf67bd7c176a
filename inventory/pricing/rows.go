package pricing

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/csvio"
	"github.com/stockctl/stockctl/io/exactdec"
)

// Counts says what a bulk write did: rows created, rows whose values changed and rows that
// were already as given.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// rowErrs collects the row errors of a bulk write, each numbered by rowNo.
type rowErrs struct {
	errs  csvio.RowErrors
	rowNo rowNumber
}

func (r *rowErrs) add(i int, field string, kind fault.Kind, format string, args ...any) {
	r.errs = append(r.errs, csvio.RowError{Row: r.rowNo(i), Column: field, Kind: kind, Reason: fmt.Sprintf(format, args...)})
}

// err returns nil without row errors, else one error: with a single input row, that row's own
// error (so a command names the flag and gets the right exit code); with many, an invalid
// error wrapping csvio.RowErrors.
func (r *rowErrs) err(n int) error {
	switch {
	case len(r.errs) == 0:
		return nil
	case n == 1:
		return r.errs[0].Err()
	}
	return &fault.Error{Kind: fault.Invalid, Field: r.errs[0].Column,
		Msg: fmt.Sprintf("%d of %d rows refused, nothing written", r.errs.Rows(), n), Err: r.errs}
}

// since reports whether row i has been refused by an error added at index from or later.
func (r *rowErrs) since(from, i int) bool {
	row := r.rowNo(i)
	for _, e := range r.errs[from:] {
		if e.Row == row {
			return true
		}
	}
	return false
}

var maxAmount = decimal.New(1, 12)

// checkAmounts validates a row's minimum quantity and price, each on its own.
func (r *rowErrs) checkAmounts(i int, minQty, price decimal.Decimal) {
	switch {
	case minQty.IsNegative():
		r.add(i, "min_qty", fault.Invalid, "minimum quantity %s cannot be negative", minQty)
	case minQty.GreaterThanOrEqual(maxAmount):
		r.add(i, "min_qty", fault.Invalid, "minimum quantity %s is too large", minQty)
	}
	switch {
	case price.IsNegative():
		r.add(i, "price", fault.Invalid, "price %s cannot be negative", price)
	case price.GreaterThanOrEqual(maxAmount):
		r.add(i, "price", fault.Invalid, "price %s is too large", price)
	}
}

// rowNumber names row i of a bulk write in messages: its position, from 1, unless the caller
// (an importer) numbers rows its own way.
type rowNumber func(i int) int

func byPosition(i int) int { return i + 1 }

// minKey is a minimum quantity as a map key: 1 and 1.00 are the same minimum.
func minKey(d decimal.Decimal) string { return d.String() }

// pick returns xs[i] for each i of idx, in that order.
func pick[T any](xs []T, idx []int) []T {
	out := make([]T, len(idx))
	for j, i := range idx {
		out[j] = xs[i]
	}
	return out
}

func uniq(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// decStrings writes decimals for a numeric[] parameter, keeping the digits given (7.90 stays
// 7.90).
func decStrings(ds []decimal.Decimal) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = exactdec.String(d)
	}
	return out
}
