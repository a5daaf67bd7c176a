package printer

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/io/exactdec"
	"github.com/stockctl/stockctl/io/exactjson"
)

// enc is how a column's JSON value is written. The common kinds are appended directly,
// with no reflection past reading the field and no allocation, because lists of tens of
// thousands of rows are printed (backorders list -o json); anything else goes through
// exactjson, so its output never differs from what encoding/json would write but for
// decimals, which keep their scale at any depth.
type enc uint8

const (
	encJSON        enc = iota // encoding/json, re-indented when it is an object or array
	encString                 // a string kind without its own JSON or text marshaller
	encBool                   // likewise a bool kind
	encInt                    // likewise a signed integer kind
	encUint                   // likewise an unsigned integer kind
	encTime                   // time.Time: null when zero, else formatTime
	encDecimal                // decimal.Decimal: a string with its own scale (exact)
	encNullDecimal            // decimal.NullDecimal: null or as encDecimal
)

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// encOf picks the encoder for a field of (dereferenced) type t.
func encOf(t reflect.Type) enc {
	switch t {
	case reflect.TypeFor[time.Time]():
		return encTime
	case reflect.TypeFor[decimal.Decimal]():
		return encDecimal
	case reflect.TypeFor[decimal.NullDecimal]():
		return encNullDecimal
	}
	// A type with its own marshaller is written the way it asks.
	pt := reflect.PointerTo(t)
	if t.Implements(jsonMarshaler) || pt.Implements(jsonMarshaler) || t.Implements(textMarshaler) || pt.Implements(textMarshaler) {
		return encJSON
	}
	switch t.Kind() {
	case reflect.String:
		return encString
	case reflect.Bool:
		return encBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return encInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return encUint
	}
	return encJSON
}

// jsonKeys returns, per column, the text before its value: the indent, the quoted key and
// ": ". ind is the indent of the object itself.
func jsonKeys(cols []column, ind string) ([][]byte, error) {
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		k, err := encodeJSON(c.name)
		if err != nil {
			return nil, err
		}
		keys[i] = append(append([]byte(ind+"  "), k...), ": "...)
	}
	return keys, nil
}

// appendObject appends row v as an object indented by ind, keys in column order (which
// encoding/json cannot do for a map), laid out exactly as json.Indent with two spaces
// would lay it out.
func appendObject(b []byte, cols []column, keys [][]byte, v reflect.Value, ind string) ([]byte, error) {
	if len(cols) == 0 {
		return append(b, "{}"...), nil
	}
	b = append(b, "{\n"...)
	var err error
	for i, c := range cols {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = append(b, keys[i]...)
		if b, err = appendValue(b, fieldOf(v, c), c, ind); err != nil {
			return nil, fmt.Errorf("printer: field %s: %w", c.name, err)
		}
	}
	b = append(b, '\n')
	b = append(b, ind...)
	return append(b, '}'), nil
}

// appendValue appends the JSON of field value v of column c; ind is the indent of the
// object the value is in, for nested objects and arrays.
func appendValue(b []byte, v reflect.Value, c column, ind string) ([]byte, error) {
	if v = indirect(v); !v.IsValid() {
		return append(b, "null"...), nil
	}
	switch c.enc {
	case encString:
		return appendString(b, v.String())
	case encBool:
		return strconv.AppendBool(b, v.Bool()), nil
	case encInt:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case encUint:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case encTime:
		t := valueOf[time.Time](v)
		if t.IsZero() {
			return append(b, "null"...), nil
		}
		b = append(b, '"')
		b = appendTime(b, t, c.date)
		return append(b, '"'), nil
	case encDecimal:
		b = append(b, '"')
		b = appendExact(b, valueOf[decimal.Decimal](v))
		return append(b, '"'), nil
	case encNullDecimal:
		d := valueOf[decimal.NullDecimal](v)
		if !d.Valid {
			return append(b, "null"...), nil
		}
		b = append(b, '"')
		b = appendExact(b, d.Decimal)
		return append(b, '"'), nil
	}
	// Nested objects and arrays (a document's lines) keep their decimals' scale too.
	raw, err := exactjson.Marshal(jsonValue(v, c.date), false)
	if err != nil {
		return nil, err
	}
	if len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
		var ib bytes.Buffer
		if err := json.Indent(&ib, raw, ind+"  ", "  "); err != nil {
			return nil, err
		}
		return append(b, ib.Bytes()...), nil
	}
	return append(b, raw...), nil
}

// valueOf reads a T out of v without boxing it when v is addressable, as the fields of
// rows given by pointer or in a slice are.
func valueOf[T any](v reflect.Value) T {
	if v.CanAddr() {
		return *v.Addr().Interface().(*T)
	}
	return v.Interface().(T)
}

// appendString appends s as a JSON string. Plain printable ASCII, nearly every SKU, code
// and name, is copied as it is; anything else is left to encoding/json, which also
// replaces invalid UTF-8.
func appendString(b []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if !plain[s[i]] {
			raw, err := encodeJSON(s)
			return append(b, raw...), err
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), nil
}

// plain marks the bytes a JSON string holds as they are: printable ASCII but the quote
// and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// encodeJSON encodes v as encoding/json would, without the HTML escaping (output is for
// terminals and jq) and without the trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// appendExact appends d with its own scale, as exact does. Coefficients of up to 18
// digits, every quantity and price in practice, are written from an int64.
func appendExact(b []byte, d decimal.Decimal) []byte {
	e := d.Exponent()
	if e > 0 || e < -18 || d.NumDigits() > 18 {
		return append(b, exactdec.String(d)...)
	}
	c := d.CoefficientInt64()
	if e == 0 {
		return strconv.AppendInt(b, c, 10)
	}
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	pow := int64(1)
	for range -e {
		pow *= 10
	}
	b = strconv.AppendInt(b, c/pow, 10)
	b = append(b, '.')
	var fb [20]byte
	frac := strconv.AppendInt(fb[:0], c%pow, 10)
	for range int(-e) - len(frac) {
		b = append(b, '0')
	}
	return append(b, frac...)
}
