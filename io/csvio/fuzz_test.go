package csvio_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/csvio"
)

// fuzzOptions are the option combinations FuzzReader picks from.
var fuzzOptions = func() []csvio.Options {
	var opts []csvio.Options
	for _, d := range []rune{0, ',', ';', '\t'} {
		for _, e := range []string{"", "utf-8", "windows-1252"} {
			for _, ign := range []bool{false, true} {
				for _, m := range []map[string]string{nil, {"Item Code": "sku", "desc": "name"}} {
					opts = append(opts, csvio.Options{Delimiter: d, Encoding: e, IgnoreUnknown: ign, Map: m})
				}
			}
		}
	}
	return opts
}()

var fuzzSeeds = []string{
	"",
	"sku,name,qty\nA,Apple,3\n",
	"sku;name\nA;\"x;y\"\n\nB;b;extra\n",
	"\xEF\xBB\xBFItem Code\tdesc\nA\tCaf\xe9\n",
	"sku,name\n\"unterminated\n",
	"sku,name\nA,5\" screen\n",
	"sku,sku\n",
	"\"a,b\";sku\r\nx;'=1\r\n",
	"sku,name\n'-5,''=a\n,\n",
	"SKU , Cost-Price,colour\n1,2,3\n",
}

func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds {
		for i := range fuzzOptions {
			f.Add([]byte(s), uint8(i))
		}
	}
	columns := []string{"sku", "name", "cost_price", "qty"}
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		opt := fuzzOptions[int(sel)%len(fuzzOptions)]
		required := []string(nil)
		if sel&0x80 != 0 {
			required = []string{"sku"}
		}
		r, err := csvio.NewReader(asPipe(data), columns, required, opt)
		if err != nil {
			var fe *fault.Error
			if !errors.As(err, &fe) {
				t.Fatalf("NewReader error %v (%T) is not a *fault.Error", err, err)
			}
			return
		}
		if r.Encoding() != csvio.UTF8 && r.Encoding() != csvio.Windows1252 {
			t.Fatalf("Encoding() = %q", r.Encoding())
		}
		last := 1
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("more rows than bytes")
			}
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			var re *csvio.RowError
			var fe *fault.Error
			switch {
			case err == nil || errors.As(err, &re):
			case errors.As(err, &fe):
				if _, err2 := r.Next(); err2 == nil || err2.Error() != err.Error() {
					t.Fatalf("Next after %v = %v", err, err2)
				}
				return
			default:
				t.Fatalf("Next error %v (%T) is neither a *RowError nor a *fault.Error", err, err)
			}
			if row.Num <= last {
				t.Fatalf("row %d after row %d", row.Num, last)
			}
			last = row.Num
			if len(row.Values) != len(columns) {
				t.Fatalf("%d values", len(row.Values))
			}
			blank := true
			for i, v := range row.Values {
				if v != strings.TrimSpace(v) || !utf8.ValidString(v) {
					t.Fatalf("value %q is not trimmed UTF-8", v)
				}
				if v != "" && !r.Has(columns[i]) {
					t.Fatalf("value %q for missing column %s", v, columns[i])
				}
				blank = blank && v == ""
			}
			// Without ignored columns every cell has a value, so all blank is a blank row.
			if blank && err == nil && !opt.IgnoreUnknown {
				t.Fatalf("blank row %d returned", row.Num)
			}
		}
		if r.BytesRead() != int64(len(data)) {
			t.Fatalf("BytesRead() = %d after EOF, want %d", r.BytesRead(), len(data))
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	for i := 0; i+2 < len(tricky); i++ {
		f.Add(tricky[i], tricky[i+1], tricky[i+2])
	}
	f.Add("", "", "")
	f.Add("=cmd|' /C calc'!A0", "-5", "'''")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		cells := []string{a, b, c}
		for _, s := range cells {
			if !utf8.ValidString(s) {
				t.Skip()
			}
		}
		checkRoundTrip(t, cells, csvio.Options{}, false)
		checkRoundTrip(t, []string{a}, csvio.Options{}, false)
		checkGuard(t, cells)
	})
}

var (
	numberRE = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)
	guardRE  = regexp.MustCompile("^'*[=+\\-@\t\r]")
)

// checkGuard compares what Writer writes with the guard rule written as regular
// expressions and encoding/csv.
func checkGuard(t *testing.T, cells []string) {
	t.Helper()
	want := make([]string, len(cells))
	for i, c := range cells {
		c = crlf.ReplaceAllString(c, "\n")
		if guardRE.MatchString(c) && !numberRE.MatchString(c) {
			c = "'" + c
		}
		want[i] = c
	}
	var got, ref bytes.Buffer
	w := csvio.NewWriter(&got)
	if err := w.Write(cells); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	cw := csv.NewWriter(&ref)
	_ = cw.Write(want)
	cw.Flush()
	if got.String() != ref.String() {
		t.Errorf("Write(%q) wrote %q, want %q", cells, got.String(), ref.String())
	}
}

// TestReadBytesReader reads every seed under every option combination from a
// *bytes.Reader (FuzzReader hides it behind a plain io.Reader).
func TestReadBytesReader(t *testing.T) {
	for _, s := range fuzzSeeds {
		for _, opt := range fuzzOptions {
			r, err := csvio.NewReader(bytes.NewReader([]byte(s)), cols, nil, opt)
			if err != nil {
				continue
			}
			for i := 0; i < 100; i++ {
				if _, err := r.Next(); err != nil && !errors.As(err, new(*csvio.RowError)) {
					break
				}
			}
		}
	}
}
