package printer

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/io/exactdec"
)

// appendExact writes small coefficients itself; it must agree with the decimal library
// on every scale, sign and size, the fallbacks included.
func TestAppendExactAgreesWithTheLibrary(t *testing.T) {
	cases := []string{"0", "0.00", "-0.05", "0.10", "12.50", "-12.50", "1", "-1", "100",
		"999999999999999999", "-999999999999999999", "1000000000000000000", "0.000000000000000001",
		"123456789012345678.9", "12345678901234567890.123", "-0.000000000000000000001", "3.14159265358979323846"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		c := rng.Int64N(2_000_000_000_000) - 1_000_000_000_000
		cases = append(cases, decimal.New(c, -rng.Int32N(20)).String())
		cases = append(cases, decimal.New(c, -rng.Int32N(20)).StringFixed(rng.Int32N(25)))
	}
	for _, s := range cases {
		d := decimal.RequireFromString(s)
		if got, want := string(appendExact(nil, d)), exactdec.String(d); got != want {
			t.Errorf("appendExact(%s) = %q; the library says %q", s, got, want)
		}
	}
	// A positive exponent is left to the library.
	d := decimal.New(12, 3)
	if got, want := string(appendExact(nil, d)), exactdec.String(d); got != want {
		t.Errorf("appendExact(12e3) = %q; want %q", got, want)
	}
}

type upper string

func (u upper) MarshalText() ([]byte, error) { return []byte(strings.ToUpper(string(u))), nil }

type rating int

func (r rating) MarshalJSON() ([]byte, error) {
	return []byte(`{"stars":` + string(rune('0'+r)) + `}`), nil
}

// Every value the fast paths write must be byte for byte what encoding/json writes, and
// types with their own marshaller must keep it.
func TestJSONValuesMatchEncodingJSON(t *testing.T) {
	type row struct {
		S     string              `json:"s"`
		B     bool                `json:"b"`
		I     int64               `json:"i"`
		U     uint8               `json:"u"`
		P     *int                `json:"p"`
		Up    upper               `json:"up"`
		R     rating              `json:"r"`
		F     float64             `json:"f"`
		When  time.Time           `json:"when"`
		Day   time.Time           `json:"day" print:"date"`
		Zero  time.Time           `json:"zero"`
		D     decimal.Decimal     `json:"d"`
		ND    decimal.NullDecimal `json:"nd"`
		NDNil decimal.NullDecimal `json:"nd_nil"`
	}
	seven := 7
	when := time.Date(2026, 11, 26, 23, 30, 0, 0, time.FixedZone("X", 3600))
	strs := []string{"", "plain SKU-1", `quote " and \ back`, "tab\there", "nl\n", "ünïcödé", "\u2028\u2029",
		"<script>&</script>", "bad \xff utf8", "del \x7f", "emoji 🙂", "ctl \x01\x1f"}
	for _, s := range strs {
		r := row{S: s, B: true, I: -42, U: 200, P: &seven, Up: "abc", R: 4, F: 1.5, When: when, Day: when,
			D: decimal.RequireFromString("-3.500"), ND: decimal.NewNullDecimal(decimal.RequireFromString("0.10"))}
		var out bytes.Buffer
		if err := New(&out, JSON, nil, false, false).One(r); err != nil {
			t.Fatal(err)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%q: not JSON: %v\n%s", s, err, out.String())
		}
		for _, c := range columnsOf(reflect.TypeOf(r)) {
			want, err := encodeJSON(jsonValue(fieldOf(reflect.ValueOf(r), c), c.date))
			if err != nil {
				t.Fatal(err)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, got[c.name]); err != nil {
				t.Fatal(err)
			}
			if compact.String() != string(want) {
				t.Errorf("%q: field %s = %s; encoding/json writes %s", s, c.name, compact.String(), want)
			}
		}
		if !strings.Contains(out.String(), `"up": "ABC"`) || !strings.Contains(out.String(), `"stars": 4`) {
			t.Errorf("marshallers not used:\n%s", out.String())
		}
	}
}

// Rows given one by one, through a reused pointer, print exactly what List prints of the
// same rows, in every format.
func TestRowsMatchList(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format
		tty    bool
	}{{"json", JSON, false}, {"csv", CSV, false}, {"piped", Table, false}, {"table", Table, true}} {
		var list, rows bytes.Buffer
		if err := New(&list, tc.format, nil, tc.tty, true).List(stocks); err != nil {
			t.Fatal(err)
		}
		p := New(&rows, tc.format, nil, tc.tty, true)
		r, err := p.Rows(stock{})
		if err != nil {
			t.Fatal(err)
		}
		var s stock
		for _, x := range stocks {
			s = x
			if err := r.Add(&s); err != nil {
				t.Fatal(err)
			}
			s = stock{SKU: "overwritten"}
		}
		if rows.Len() != 0 {
			t.Errorf("%s: Rows wrote before Close", tc.name)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if rows.String() != list.String() {
			t.Errorf("%s: Rows printed\n%s\nList printed\n%s", tc.name, rows.String(), list.String())
		}
	}
}

func TestRowsRejectsAnotherType(t *testing.T) {
	r, err := New(&bytes.Buffer{}, JSON, nil, false, false).Rows(stock{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Add(struct{ X int }{1}); err == nil {
		t.Error("a row of another type was accepted")
	}
	if _, err := New(&bytes.Buffer{}, JSON, nil, false, false).Rows(nil); err == nil {
		t.Error("Rows(nil) was accepted")
	}
	var empty bytes.Buffer
	r, _ = New(&empty, JSON, nil, false, false).Rows(&stock{})
	if err := r.Close(); err != nil || empty.String() != "[]\n" {
		t.Errorf("empty Rows = %q, %v; want []", empty.String(), err)
	}
}

type failing struct{}

func (failing) MarshalJSON() ([]byte, error) { return nil, errors.New("cannot") }

// An encoding error in the goroutine comes back from Close, with nothing written; a
// discarded list writes nothing either.
func TestRowsErrorsAndDiscard(t *testing.T) {
	type row struct {
		N int     `json:"n"`
		F failing `json:"f"`
	}
	var out bytes.Buffer
	r, err := New(&out, JSON, nil, false, false).Rows(row{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		if err := r.Add(row{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err == nil || !strings.Contains(err.Error(), "cannot") || out.Len() != 0 {
		t.Fatalf("Close = %v, wrote %d bytes; want the marshaller's error and nothing", err, out.Len())
	}
	r, _ = New(&out, JSON, nil, false, false).Rows(stock{})
	for _, s := range stocks {
		_ = r.Add(s)
	}
	r.Discard()
	if out.Len() != 0 {
		t.Fatalf("Discard wrote %q", out.String())
	}
}

// A document's lines are nested in it; their money keeps its scale as the header's does:
// "100.00", not the "100" decimal's own MarshalJSON writes. Strings stay unescaped (<&>).
func TestJSONNestedDecimalsKeepScale(t *testing.T) {
	t.Parallel()
	type line struct {
		Amount decimal.Decimal `json:"amount"`
		Note   string          `json:"note"`
	}
	type doc struct {
		Total decimal.Decimal `json:"total"`
		Lines []line          `json:"lines"`
		First line            `json:"first"`
	}
	hundred := decimal.RequireFromString("100.00")
	var b bytes.Buffer
	if err := New(&b, JSON, nil, false, false).One(doc{Total: hundred, Lines: []line{{Amount: hundred, Note: "<a&b>"}}, First: line{Amount: hundred}}); err != nil {
		t.Fatal(err)
	}
	want := `{
  "total": "100.00",
  "lines": [
    {
      "amount": "100.00",
      "note": "<a&b>"
    }
  ],
  "first": {
    "amount": "100.00",
    "note": ""
  }
}
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}
