package printer

import (
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
)

// column is one printable field of a row struct.
type column struct {
	name  string
	index []int // path through embedded structs, for fieldOf
	date  bool  // print:"date": render times as YYYY-MM-DD
	wide  bool  // print:"wide": left out of list tables unless named in --fields
	text  bool  // string-typed, so CSV guards it against formula injection
	enc   enc   // how a JSON value of this column is written (see json.go)
}

// leafTypes are structs rendered as one cell, never flattened even when embedded.
var leafTypes = map[reflect.Type]bool{
	reflect.TypeFor[time.Time]():           true,
	reflect.TypeFor[decimal.Decimal]():     true,
	reflect.TypeFor[decimal.NullDecimal](): true,
}

// columnsOf lists the columns of struct type t in declaration order, embedded structs
// flattened in place. When a name repeats, the first one wins, so output never has two
// columns with the same key.
func columnsOf(t reflect.Type) []column {
	var cols []column
	seen := map[string]bool{}
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			// Unexported fields are skipped, embedded ones included: reflection
			// cannot read through them.
			if tag == "-" || !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			path := append(append([]int(nil), index...), i)
			ft := derefType(f.Type)
			if f.Anonymous && name == "" && ft.Kind() == reflect.Struct && !leafTypes[ft] {
				walk(ft, path)
				continue
			}
			if name == "" {
				name = snake(f.Name)
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			cols = append(cols, column{
				name:  name,
				index: path,
				date:  hasOption(f.Tag.Get("print"), "date"),
				wide:  hasOption(f.Tag.Get("print"), "wide"),
				text:  ft.Kind() == reflect.String || ft == reflect.TypeFor[[]string](),
				enc:   encOf(ft),
			})
		}
	}
	walk(t, nil)
	return cols
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// fieldOf follows c.index from struct value v. It returns an invalid Value when an
// embedded pointer on the way is nil, which renders as an empty cell.
func fieldOf(v reflect.Value, c column) reflect.Value {
	for _, i := range c.index {
		if v = indirect(v); !v.IsValid() {
			return v
		}
		v = v.Field(i)
	}
	return v
}

// indirect follows the pointers from v to what they point to; it returns an invalid Value
// when one of them is nil.
func indirect(v reflect.Value) reflect.Value {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// snake turns a Go name into snake_case, keeping acronyms together: SKUCode -> sku_code.
func snake(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// hasOption reports whether a comma-separated tag value holds opt: print:"date,wide".
func hasOption(tag, opt string) bool {
	for _, o := range strings.Split(tag, ",") {
		if strings.TrimSpace(o) == opt {
			return true
		}
	}
	return false
}
