// Package bounds is the one definition of each kind of number and date stockctl reads from
// people and files: quantities, money, rates, percentages, whole numbers and days, each with
// its limits and its parsing rules. Flags, arguments and every CSV reader parse through it,
// so a value is read, or refused with the same reason, wherever it is typed, and nothing
// outside what the schema keeps reaches the database.
//
// Numbers are plain decimals: an optional sign, digits, an optional dot and more digits
// (12, -3, 0.125, .5). Exponents (1e3), thousands separators (1,000), spaces inside, NaN and
// infinities are refused everywhere. Whether a value may be negative or zero is the
// caller's rule (a stock adjustment may be negative, a count may not), said in its words.
package bounds

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Problem says why a value was refused.
type Problem int

const (
	// Syntax is text that does not read as the kind at all ("abc", "1e3", "2026-13-45").
	Syntax Problem = iota + 1
	// Range is a value that reads but lies outside the kind's limits (a 13-digit quantity,
	// the year 0).
	Range
)

// Error is a refused value. Reason says why and what to write instead, without repeating
// the value, so a flag error ("--qty 1e3: ...") and a CSV report (row, column, value,
// reason) can both show it.
type Error struct {
	Problem Problem
	Value   string
	Reason  string
}

func (e *Error) Error() string { return e.Reason }

// Number is a kind of decimal number with its limits: at most Digits digits before the
// point and Decimals after it.
type Number struct {
	Name     string // "quantity", "amount", "rate", "percentage": what the messages call it
	Digits   int32
	Decimals int32
}

// The kinds of numbers. Their limits are documented in README.md and docs/csv-formats.md.
var (
	// Quantity is an amount of stock or a quantity on a document, in any unit: up to
	// 999,999,999,999.999999 (units of measure keep at most 6 decimals).
	Quantity = Number{Name: "quantity", Digits: 12, Decimals: 6}
	// Money is a price, a cost or an amount of money in any currency: up to
	// 999,999,999,999.999999 (the schema keeps prices below 10¹²; unit prices may have
	// up to 6 decimals, such as 0.0125).
	Money = Number{Name: "amount", Digits: 12, Decimals: 6}
	// Rate is an exchange rate or the ratio of a unit of measure to its reference: up to
	// 9,999,999,999.9999999999 (the schema's CHECK on exchange rates).
	Rate = Number{Name: "rate", Digits: 10, Decimals: 10}
	// Percent is a percentage (tax rates, discounts, a formula's markup or margin): up to
	// 999,999.9999 (the schema's CHECK on a markup; tax rates keep 4 decimals); tax rates,
	// discounts and margins are further held to 100 by their own rules.
	Percent = Number{Name: "percentage", Digits: 6, Decimals: 4}
)

// Max is the largest value of the kind.
func (n Number) Max() decimal.Decimal {
	return decimal.New(1, n.Digits).Sub(decimal.New(1, -n.Decimals))
}

// Parse reads s (spaces around it are ignored) as a number of kind n.
func (n Number) Parse(s string) (decimal.Decimal, error) {
	v := strings.TrimSpace(s)
	whole, frac, ok := split(v)
	if !ok {
		reason := "not a number: write it like 12.50 (digits and a dot for decimals, no thousands separators)"
		if looksExponent(v) {
			reason = "not a plain number: write it out in digits, like 1000 for 1e3 (no exponents)"
		}
		return decimal.Zero, &Error{Problem: Syntax, Value: s, Reason: reason}
	}
	if err := n.check(s, whole, frac); err != nil {
		return decimal.Zero, err
	}
	d, err := decimal.NewFromString(v)
	if err != nil { // cannot happen after split, but never let a bad value through
		return decimal.Zero, &Error{Problem: Syntax, Value: s, Reason: "not a number: write it like 12.50"}
	}
	return d, nil
}

// Check holds a number from elsewhere (a setting, a computed value) to the kind's limits.
func (n Number) Check(d decimal.Decimal) error {
	s := d.String()
	whole, frac, _ := split(s)
	return n.check(s, whole, frac)
}

func (n Number) check(s, whole, frac string) error {
	whole = strings.TrimLeft(whole, "0")
	frac = strings.TrimRight(frac, "0")
	switch {
	case len(whole) > int(n.Digits):
		return &Error{Problem: Range, Value: s, Reason: fmt.Sprintf("too large: %s has at most %d digits before the point (up to %s)", n.a(), n.Digits, n.Max())}
	case len(frac) > int(n.Decimals):
		return &Error{Problem: Range, Value: s, Reason: fmt.Sprintf("too many decimals: %s has at most %d", n.a(), n.Decimals)}
	}
	return nil
}

// a is the kind's name with its article: "a quantity", "an amount".
func (n Number) a() string {
	if n.Name != "" && strings.ContainsRune("aeiou", rune(n.Name[0])) {
		return "an " + n.Name
	}
	return "a " + n.Name
}

// Canonical reports whether v is a non-negative number of kind n written as
// decimal.Decimal.String writes it (no sign, no leading zeros, no trailing zeros after the
// point): such a cell needs neither parsing nor rewriting, which is most of the cost of
// checking a number in a million-row import.
func (n Number) Canonical(v string) bool {
	whole, frac, dot := strings.Cut(v, ".")
	if whole == "" || len(whole) > int(n.Digits) || (len(whole) > 1 && whole[0] == '0') || !digits(whole) {
		return false
	}
	return !dot || (frac != "" && len(frac) <= int(n.Decimals) && digits(frac) && frac[len(frac)-1] != '0')
}

// split takes an optional sign off v and returns its digits before and after the point;
// ok is false unless v is a plain decimal.
func split(v string) (whole, frac string, ok bool) {
	if v != "" && (v[0] == '-' || v[0] == '+') {
		v = v[1:]
	}
	whole, frac, _ = strings.Cut(v, ".")
	if !digits(whole) || !digits(frac) || whole == "" && frac == "" {
		return "", "", false
	}
	return whole, frac, true
}

// looksExponent reports text that would be a number in scientific notation (1e3, 2.5E-4).
func looksExponent(v string) bool {
	i := strings.IndexAny(v, "eE")
	if i <= 0 || i == len(v)-1 {
		return false
	}
	_, _, ok := split(v[:i])
	_, _, okExp := split(v[i+1:])
	return ok && okExp && !strings.Contains(v[i+1:], ".")
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MaxWhole is the largest whole number (a line number, days, a priority, seats, a limit)
// stockctl takes: PostgreSQL's integer.
const MaxWhole = math.MaxInt32

// ParseWhole reads s as a whole number from min to max.
func ParseWhole(s string, min, max int64) (int64, error) {
	v := strings.TrimPrefix(strings.TrimSpace(s), "+")
	neg := strings.HasPrefix(v, "-")
	if body := strings.TrimPrefix(v, "-"); body == "" || !digits(body) || strings.HasPrefix(strings.TrimSpace(s), "+-") {
		return 0, &Error{Problem: Syntax, Value: s, Reason: "not a whole number: write it in digits, like 3"}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min || n > max {
		reason := fmt.Sprintf("out of range: give a whole number from %d to %d", min, max)
		if min == 0 && max == MaxWhole {
			reason = fmt.Sprintf("out of range: give a whole number from 0 to %d", max)
		}
		if neg && min >= 0 {
			reason = fmt.Sprintf("cannot be negative: give a whole number from %d to %d", min, max)
		}
		return 0, &Error{Problem: Range, Value: s, Reason: reason}
	}
	return n, nil
}

// Text kept in an index must fit in one index entry (PostgreSQL takes about 2,700 bytes):
// these are the lengths, in characters, of the free text that is.
const (
	MaxRef      = 100 // an idempotency ref (--ref)
	MaxPartNo   = 64  // a manufacturer's or supplier's part number
	MaxCategory = 100 // a product category
)

// CheckText refuses text of more than max characters; what names it in the reason.
func CheckText(what, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return &Error{Problem: Range, Value: s, Reason: fmt.Sprintf("too long: %s has at most %d characters", what, max)}
	}
	return nil
}

// The days stockctl takes: dates run from FirstDay to LastDay.
var (
	FirstDay = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	LastDay  = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// ParseDay reads s (spaces around it are ignored) as a day, YYYY-MM-DD, from FirstDay to
// LastDay, at midnight UTC.
func ParseDay(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, &Error{Problem: Syntax, Value: s, Reason: "not a date: write it as YYYY-MM-DD, a day that exists (2026-07-31)"}
	}
	return t, CheckDay(t)
}

// CheckDay holds a day to the range stockctl takes.
func CheckDay(t time.Time) error {
	if t.Before(FirstDay) || t.After(LastDay) {
		return &Error{Problem: Range, Value: t.Format(time.DateOnly), Reason: "out of range: dates run from 1900-01-01 to 9999-12-31"}
	}
	return nil
}
