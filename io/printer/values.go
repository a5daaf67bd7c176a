package printer

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// cell renders one value as text; table and CSV share it so they never disagree.
// Missing values (nil pointers, invalid decimals, zero times) are empty.
func cell(v reflect.Value, date bool) string {
	if v = indirect(v); !v.IsValid() {
		return ""
	}
	switch x := v.Interface().(type) {
	case time.Time:
		return formatTime(x, date)
	case decimal.Decimal:
		return exact(x)
	case decimal.NullDecimal:
		if !x.Valid {
			return ""
		}
		return exact(x.Decimal)
	case []string:
		return strings.Join(x, ",")
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	}
	return fmt.Sprint(v.Interface())
}

// jsonValue is the value put into JSON output. Decimals become strings so that "12.50"
// keeps its exact digits; missing values become null.
func jsonValue(v reflect.Value, date bool) any {
	if v = indirect(v); !v.IsValid() {
		return nil
	}
	switch x := v.Interface().(type) {
	case time.Time:
		if x.IsZero() {
			return nil
		}
		return formatTime(x, date)
	case decimal.Decimal:
		return exact(x)
	case decimal.NullDecimal:
		if !x.Valid {
			return nil
		}
		return exact(x.Decimal)
	case []string:
		if x == nil {
			return []string{} // a list field is always an array, so jq need not test for null
		}
		return x
	}
	return v.Interface()
}

// exact writes d with its own scale. Decimal.String drops trailing zeros, but a price
// stored as NUMERIC(12,2) must print "12.50", not "12.5".
func exact(d decimal.Decimal) string {
	return string(appendExact(nil, d))
}

func formatTime(t time.Time, date bool) string {
	if t.IsZero() {
		return ""
	}
	return string(appendTime(nil, t, date))
}

// appendTime appends t as a date (YYYY-MM-DD) or as an RFC 3339 time in UTC.
func appendTime(b []byte, t time.Time, date bool) []byte {
	if date {
		// A date has no zone; taking it in UTC could move it to the previous day.
		return t.AppendFormat(b, time.DateOnly)
	}
	return t.UTC().AppendFormat(b, time.RFC3339)
}
