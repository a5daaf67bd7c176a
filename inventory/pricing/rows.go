package pricing

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/exactdec"
)

// RowError is one input row that was refused: Row is its index in the slice given, Field the
// value that was wrong (sku, customer, price_type, region, min_qty, price, from, until).
type RowError struct {
	Row    int
	Field  string
	Kind   fault.Kind
	Reason string
}

// RowErrors are every refused row of a bulk write; nothing was written. Importers get them
// with errors.As and report each with its row number and column.
type RowErrors []RowError

func (e RowErrors) Error() string {
	var b strings.Builder
	for i, r := range e {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(e)-5)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "row %d: %s", r.Row+1, r.Reason)
	}
	return b.String()
}

// Counts says what a bulk write did: rows created, rows whose values changed and rows that
// were already as given.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// rowErrs collects row errors.
type rowErrs struct{ errs RowErrors }

func (r *rowErrs) add(row int, field string, kind fault.Kind, format string, args ...any) {
	r.errs = append(r.errs, RowError{Row: row, Field: field, Kind: kind, Reason: fmt.Sprintf(format, args...)})
}

// err returns nil without row errors, else one error: with a single input row, that row's own
// error (so a command names the flag and gets the right exit code); with many, an invalid
// error wrapping RowErrors.
func (r *rowErrs) err(n int) error {
	switch {
	case len(r.errs) == 0:
		return nil
	case n == 1:
		e := r.errs[0]
		return &fault.Error{Kind: e.Kind, Field: e.Field, Msg: e.Reason}
	}
	return &fault.Error{Kind: fault.Invalid, Field: r.errs[0].Field,
		Msg: fmt.Sprintf("%d of %d rows refused, nothing written", r.rows(), n), Err: r.errs}
}

// rows counts the distinct rows refused (a row may be refused for several reasons).
func (r *rowErrs) rows() int {
	seen := map[int]bool{}
	for _, e := range r.errs {
		seen[e.Row] = true
	}
	return len(seen)
}

// since reports whether row has been refused by an error added at index from or later.
func (r *rowErrs) since(from, row int) bool {
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
