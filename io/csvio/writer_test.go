package csvio_test

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/csvio"
)

func TestWriterGuard(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+44 20 7946", "'+44 20 7946"},
		{"-x", "'-x"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "\"'\rx\""},
		{"'=a", "''=a"},
		{"''=a", "'''=a"},
		{"'-5", "''-5"},
		{"'a", "'a"},
		{"'", "'"},
		{"a=b", "a=b"},
		{" =a", "\" =a\""},
		{"-5", "-5"},
		{"+1.50", "+1.50"},
		{"-0.001", "-0.001"},
		{"42", "42"},
		{"-", "'-"},
		{"+", "'+"},
		{"-.5", "'-.5"},
		{"-5.", "'-5."},
		{"-1e5", "'-1e5"},
		{"-1,5", "\"'-1,5\""},
		{"--5", "'--5"},
		{"-٣", "'-٣"},
		{"", ""},
		{"\r\n", "\"\n\""},
		{"\r\r\nx", "\"\nx\""},
		{"a\r\nb\rc\r", "\"a\nb\rc\r\""},
	}
	for _, tt := range tests {
		checkGuard(t, []string{tt.in})
		var b bytes.Buffer
		w := csvio.NewWriter(&b)
		if err := w.Write([]string{tt.in}); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSuffix(b.String(), "\n"); got != tt.want {
			t.Errorf("Write(%q) wrote %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriterFormat(t *testing.T) {
	var b bytes.Buffer
	w := csvio.NewWriter(&b)
	_ = w.Write([]string{"sku", "name"})
	_ = w.Write([]string{"A", "Café, \"the\"\nbest"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "sku,name\nA,\"Café, \"\"the\"\"\nbest\"\n"
	if b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterError(t *testing.T) {
	w := csvio.NewWriter(failingWriter{})
	_ = w.Write([]string{"a"})
	if err := w.Flush(); err == nil || err.Error() != "disk full" {
		t.Errorf("Flush() = %v", err)
	}
}

var tricky = []string{
	"", " ", "plain", `"`, `""`, `a "quoted" word`, `"x"`, ",", "a,b", ";", "\t",
	"\n", "line\nbreak", "\r", "a\rb", "trailing\r", "\r\n", "two\r\nlines",
	"=", "=1+1", "'=", "''=", "'''=x", "'", "''", "'a", "' =a",
	"-5", "+5", "-0.001", "+1.50", "-x", "-", "--", "'-5", "@a", "'@a", "+", "'+",
	"\tx", "'\tx", "\rx", "'\rx", "\t=a", " =a", "= a ", "\u00a0x\u00a0",
	"é", "€ 10", "日本語", "🙂", "\uFEFFbom", "\x00nul", `\.`, "a\\b",
	"  padded  ", "\"\n\"", "'\n=",
	"\r\r\n", "'\r\n=", "\r\n=", "x\r", "'\t",
}

var crlf = regexp.MustCompile("\r+\n")

// expected is what reading back a written cell gives: Writer drops "\r" before "\n" and
// Reader trims surrounding white space.
func expected(s string) string {
	return strings.TrimSpace(crlf.ReplaceAllString(s, "\n"))
}

// roundTrip writes a header and one record and reads the record back; ok is false when
// the row was skipped as blank.
func roundTrip(t *testing.T, cells []string, opt csvio.Options, viaFile bool) (values []string, ok bool) {
	t.Helper()
	header := make([]string, len(cells))
	for i := range header {
		header[i] = "c" + itoa(i)
	}
	var b bytes.Buffer
	w := csvio.NewWriter(&b)
	if err := w.Write(header); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(cells); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var in io.Reader = asPipe(b.Bytes())
	if viaFile {
		in = tempFile(t, b.Bytes())
	}
	r, err := csvio.NewReader(in, header, header, opt)
	if err != nil {
		t.Fatalf("NewReader on %q: %v", b.String(), err)
	}
	row, err := r.Next()
	if err == io.EOF {
		return nil, false
	}
	if hasNUL(cells) {
		// Text from the database never holds one; a file that does is refused.
		if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "row 2: column c") || !strings.Contains(err.Error(), "NUL byte") {
			t.Fatalf("Next on %q: %v, want the NUL byte refused", b.String(), err)
		}
		return nil, false
	}
	if err != nil {
		t.Fatalf("Next on %q: %v", b.String(), err)
	}
	if row.Num != 2 {
		t.Errorf("row %d, want 2", row.Num)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("second Next on %q: %v, want io.EOF", b.String(), err)
	}
	return row.Values, true
}

// hasNUL reports whether a cell holds a NUL byte, which the reader refuses.
func hasNUL(cells []string) bool {
	for _, c := range cells {
		if strings.IndexByte(c, 0) >= 0 {
			return true
		}
	}
	return false
}

func checkRoundTrip(t *testing.T, cells []string, opt csvio.Options, viaFile bool) {
	t.Helper()
	want := make([]string, len(cells))
	blank := true
	for i, c := range cells {
		want[i] = expected(c)
		blank = blank && want[i] == ""
	}
	got, ok := roundTrip(t, cells, opt, viaFile)
	if !ok {
		if !blank && !hasNUL(cells) {
			t.Errorf("%q: row skipped, want %q", cells, want)
		}
		return
	}
	if blank {
		t.Errorf("%q: blank row read as %q", cells, got)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%q read back as %q, want %q", cells, got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, s := range tricky {
		checkRoundTrip(t, []string{s}, csvio.Options{}, false)
		checkRoundTrip(t, []string{s, "x"}, csvio.Options{}, false)
		checkRoundTrip(t, []string{"x", s, s}, csvio.Options{Encoding: "utf-8", Delimiter: ','}, false)
	}
	checkRoundTrip(t, tricky, csvio.Options{}, true)
	// Exact when there is nothing to trim and no "\r\n".
	for _, s := range tricky {
		if s == expected(s) && s != "" && !hasNUL([]string{s}) {
			got, ok := roundTrip(t, []string{s}, csvio.Options{}, false)
			if !ok || got[0] != s {
				t.Errorf("%q read back as %q", s, got)
			}
		}
	}
}

func TestParseMap(t *testing.T) {
	tests := []struct {
		in       string
		want     map[string]string
		contains string
	}{
		{"Item Code=sku,Desc=name", map[string]string{"Item Code": "sku", "Desc": "name"}, ""},
		{" Item Code = sku , Desc=name ", map[string]string{"Item Code": "sku", "Desc": "name"}, ""},
		{"", nil, ""},
		{"  ", nil, ""},
		{"Code=sku,Other=sku", map[string]string{"Code": "sku", "Other": "sku"}, ""},
		{"Item Code", nil, `"Item Code" has no '='`},
		{"=sku", nil, "no file header"},
		{"Code=", nil, "no column"},
		{" = ", nil, "neither"},
		{"Code=sku,", nil, "pair 2 is empty"},
		{"a=b=c", nil, "more than one '='"},
		{"Code=sku,code=name", nil, "mapped twice"},
		{"Item Code=sku,item-code=name", nil, "mapped twice"},
	}
	for _, tt := range tests {
		got, err := csvio.ParseMap(tt.in)
		if tt.contains != "" {
			if err == nil {
				t.Errorf("ParseMap(%q) = %v, want an error", tt.in, got)
				continue
			}
			wantFault(t, err, fault.Usage, "map", tt.contains)
			if !strings.Contains(tt.contains, "twice") && !strings.Contains(err.Error(), "'Item Code=sku,Desc=name'") {
				t.Errorf("error %q does not show the expected form", err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseMap(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDelimiter(t *testing.T) {
	for in, want := range map[string]rune{",": ',', ";": ';', "tab": '\t', "TAB": '\t', `\t`: '\t', "\t": '\t'} {
		if got, err := csvio.ParseDelimiter(in); err != nil || got != want {
			t.Errorf("ParseDelimiter(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", "|", ",,", "comma", `\`, `"`, "\n"} {
		_, err := csvio.ParseDelimiter(in)
		if err == nil {
			t.Errorf("ParseDelimiter(%q) accepted", in)
			continue
		}
		wantFault(t, err, fault.Usage, "delimiter", "use ',', ';' or tab")
	}
}

func TestRowErrorString(t *testing.T) {
	tests := []struct {
		e    csvio.RowError
		want string
	}{
		{csvio.RowError{Row: 12, Column: "cost_price", Value: "abc", Reason: "not a number"}, `row 12, column cost_price: not a number: "abc"`},
		{csvio.RowError{Row: 3, Column: "sku", Reason: "is required"}, `row 3, column sku: is required`},
		{csvio.RowError{Row: 4, Reason: "has 5 cells, the header has 7"}, `row 4: has 5 cells, the header has 7`},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
