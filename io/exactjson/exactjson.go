// Package exactjson writes JSON as encoding/json does, except that decimals keep their own
// scale: 2.50 is written "2.50", where decimal's MarshalJSON would write "2.5".
package exactjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/io/exactdec"
)

// Marshal encodes v as encoding/json does, except that decimals keep their own scale, at
// any depth (the lines of a document as well as its header). It follows encoding/json's
// tags ("-", a name, omitempty), embedded structs, nil pointers and slices (null) and the
// types' own marshalers; it writes maps with string keys, sorted. escapeHTML escapes <, >
// and & in strings as json.Marshal does; without it they are written as they are (output
// for terminals and jq).
func Marshal(v any, escapeHTML bool) ([]byte, error) {
	e := encoder{escapeHTML: escapeHTML}
	if err := e.encode(reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return e.b.Bytes(), nil
}

type encoder struct {
	b          bytes.Buffer
	escapeHTML bool
}

var (
	decimalType     = reflect.TypeFor[decimal.Decimal]()
	nullDecimalType = reflect.TypeFor[decimal.NullDecimal]()
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
)

func (e *encoder) encode(v reflect.Value) error {
	b := &e.b
	if !v.IsValid() {
		b.WriteString("null")
		return nil
	}
	t := v.Type()
	switch t {
	case decimalType:
		return e.write(exactdec.String(v.Interface().(decimal.Decimal)))
	case nullDecimalType:
		if d := v.Interface().(decimal.NullDecimal); d.Valid {
			return e.write(exactdec.String(d.Decimal))
		}
		b.WriteString("null")
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		return e.encode(v.Elem())
	}
	if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) {
		return e.write(v.Interface())
	}
	switch t.Kind() {
	case reflect.Struct:
		b.WriteByte('{')
		first := true
		if err := e.encodeFields(v, &first); err != nil {
			return err
		}
		b.WriteByte('}')
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("null")
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return e.write(v.Interface()) // base64, as encoding/json
		}
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := e.encode(v.Index(i)); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("exactjson: map key type %s: only string keys are written", t.Key())
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := e.write(k.String()); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := e.encode(v.MapIndex(k)); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return e.write(v.Interface())
	}
	return nil
}

// encodeFields writes the fields of struct v, those of untagged embedded structs in line.
func (e *encoder) encodeFields(v reflect.Value, first *bool) error {
	b := &e.b
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && !ft.Implements(jsonMarshaler) && !ft.Implements(textMarshaler) {
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() {
						continue
					}
					fv = fv.Elem()
				}
				if err := e.encodeFields(fv, first); err != nil {
					return err
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if strings.Contains(","+opts+",", ",omitempty,") && emptyJSON(fv) {
			continue
		}
		if !*first {
			b.WriteByte(',')
		}
		*first = false
		if err := e.write(name); err != nil {
			return err
		}
		b.WriteByte(':')
		if err := e.encode(fv); err != nil {
			return err
		}
	}
	return nil
}

// emptyJSON is encoding/json's test for omitempty.
func emptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

func (e *encoder) write(v any) error {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(e.escapeHTML)
	if err := enc.Encode(v); err != nil {
		return err
	}
	e.b.Write(bytes.TrimSuffix(out.Bytes(), []byte("\n")))
	return nil
}
