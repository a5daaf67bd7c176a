package csvio_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/csvio"
)

var cols = []string{"sku", "name", "cost_price", "qty"}

// pipe hides the *os.File (or anything else) behind a plain io.Reader, as a pipe would be.
type pipe struct{ io.Reader }

func asPipe(b []byte) io.Reader { return pipe{bytes.NewReader(b)} }

func tempFile(t *testing.T, b []byte) *os.File {
	t.Helper()
	name := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readAll reads every row, collecting row errors, until io.EOF or a fatal error.
func readAll(t *testing.T, r *csvio.Reader) (rows []csvio.Row, rowErrs []*csvio.RowError, err error) {
	t.Helper()
	for i := 0; i < 1_000_000; i++ {
		row, err := r.Next()
		var re *csvio.RowError
		switch {
		case err == io.EOF:
			return rows, rowErrs, nil
		case errors.As(err, &re):
			rowErrs = append(rowErrs, re)
			rows = append(rows, row)
		case err != nil:
			return rows, rowErrs, err
		default:
			rows = append(rows, row)
		}
	}
	t.Fatal("Next does not end")
	return
}

func wantFault(t *testing.T, err error, kind fault.Kind, field string, contains ...string) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *fault.Error", err, err)
	}
	if fe.Kind != kind || fe.Field != field {
		t.Fatalf("error %q is %v/%q, want %v/%q", err, fe.Kind, fe.Field, kind, field)
	}
	for _, s := range contains {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

func TestHeader(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		opt      csvio.Options
		required []string
		columns  []string // Columns() when there is no error
		first    []string // Values of the first row
		kind     fault.Kind
		field    string
		contains []string
	}{
		{name: "exact", in: "sku,name,cost_price,qty\nA,Apple,1.5,3\n",
			columns: cols, first: []string{"A", "Apple", "1.5", "3"}},
		{name: "case and canonical order", in: "QTY,Sku\n3,A\n",
			columns: []string{"sku", "qty"}, first: []string{"A", "", "", "3"}},
		{name: "spaces", in: " Cost Price , sku \n 1.5 , A \n",
			columns: []string{"sku", "cost_price"}, first: []string{"A", "", "1.5", ""}},
		{name: "dashes", in: "SKU,Cost-Price\nA,2\n",
			columns: []string{"sku", "cost_price"}, first: []string{"A", "", "2", ""}},
		{name: "map", in: "Item Code,Desc\nA,Apple\n",
			opt:     csvio.Options{Map: map[string]string{"item-code": "SKU", " desc ": "name"}},
			columns: []string{"sku", "name"}, first: []string{"A", "Apple", "", ""}},
		{name: "map applied before names", in: "name,sku\nx,A\n",
			opt:     csvio.Options{Map: map[string]string{"name": "cost_price"}},
			columns: []string{"sku", "cost_price"}, first: []string{"A", "", "x", ""}},
		{name: "unknown", in: "sku,Item Code,colour,name\n",
			kind: fault.Invalid, field: "header",
			contains: []string{`the header has unknown columns "Item Code", "colour"`, "sku, name, cost_price, qty", "--map 'Item Code=column'", "--ignore-unknown"}},
		{name: "unnamed column", in: "sku,,name\n",
			kind: fault.Invalid, field: "header", contains: []string{`the header has an unknown column "" (column 2)`, "--map 'File Header=column'", "--ignore-unknown"}},
		{name: "example after a mapped header", in: "code,colour\n", opt: csvio.Options{Map: map[string]string{"Code": "sku"}},
			kind: fault.Invalid, field: "header", contains: []string{"--map 'colour=column'"}},
		{name: "wrong delimiter hint", in: "sku|name\n",
			kind: fault.Invalid, field: "header", contains: []string{`"sku|name"`}},
		{name: "delimiter hint", in: "sku;name\n", opt: csvio.Options{Delimiter: ','},
			kind: fault.Invalid, field: "header", contains: []string{"split on ','", "given", "--delimiter"}},
		{name: "ignore unknown", in: "sku,colour,,name\nA,red,x,Apple\n",
			opt:     csvio.Options{IgnoreUnknown: true},
			columns: []string{"sku", "name"}, first: []string{"A", "Apple", "", ""}},
		{name: "duplicate", in: "sku,name,SKU\n",
			kind: fault.Invalid, field: "header", contains: []string{`the column sku is given twice: "sku" (column 1) and "SKU" (column 3)`}},
		{name: "duplicate through map", in: "sku,code\n", opt: csvio.Options{Map: map[string]string{"code": "sku"}},
			kind: fault.Invalid, field: "header", contains: []string{"sku is given twice"}},
		{name: "duplicate with ignore unknown", in: "sku,Sku\n", opt: csvio.Options{IgnoreUnknown: true},
			kind: fault.Invalid, field: "header", contains: []string{"given twice"}},
		{name: "missing required", in: "name\n", required: []string{"sku", "qty"},
			kind: fault.Invalid, field: "header", contains: []string{"required columns sku, qty are missing", "--map 'File Header=sku'"}},
		{name: "unknown and missing", in: "code,name\n", required: []string{"sku"},
			kind: fault.Invalid, field: "header", contains: []string{`unknown column "code"`, "required column sku is missing"}},
		{name: "required present", in: "name,sku\n", required: []string{"sku"}, columns: []string{"sku", "name"}},
		{name: "empty", in: "",
			kind: fault.Invalid, field: "header", contains: []string{"the file is empty: it needs a header row naming the columns"}},
		{name: "only BOM", in: "\xEF\xBB\xBF",
			kind: fault.Invalid, field: "header", contains: []string{"the file is empty"}},
		{name: "only blank lines", in: "\n\r\n  \n,,\n",
			kind: fault.Invalid, field: "header", contains: []string{"the file is empty"}},
		{name: "blank lines before header", in: "\n\nsku\nA\n", columns: []string{"sku"}, first: []string{"A", "", "", ""}},
		{name: "map to unknown column", in: "sku\n", opt: csvio.Options{Map: map[string]string{"Desc": "nmae"}},
			kind: fault.Usage, field: "map", contains: []string{`"nmae" is not a column`}},
		{name: "map header twice", in: "sku\n", opt: csvio.Options{Map: map[string]string{"Desc": "name", "desc": "sku"}},
			kind: fault.Usage, field: "map", contains: []string{"twice"}},
		{name: "bad encoding", in: "sku\n", opt: csvio.Options{Encoding: "utf-16"},
			kind: fault.Usage, field: "encoding", contains: []string{"utf-8 or windows-1252"}},
		{name: "bad delimiter", in: "sku\n", opt: csvio.Options{Delimiter: '"'},
			kind: fault.Usage, field: "delimiter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := csvio.NewReader(strings.NewReader(tt.in), cols, tt.required, tt.opt)
			if tt.field != "" {
				if err == nil {
					t.Fatalf("no error, want %v %q", tt.kind, tt.field)
				}
				wantFault(t, err, tt.kind, tt.field, tt.contains...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Columns(); !reflect.DeepEqual(got, tt.columns) {
				t.Errorf("Columns() = %q, want %q", got, tt.columns)
			}
			for _, c := range cols {
				want := false
				for _, p := range tt.columns {
					want = want || p == c
				}
				if r.Has(c) != want {
					t.Errorf("Has(%q) = %v, want %v", c, !want, want)
				}
			}
			if tt.first != nil {
				row, err := r.Next()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(row.Values, tt.first) {
					t.Errorf("first row %q, want %q", row.Values, tt.first)
				}
			}
		})
	}
}

func TestHeaderMessage(t *testing.T) {
	_, err := csvio.NewReader(strings.NewReader("sku,Colour\n"), cols, nil, csvio.Options{})
	want := `the header has an unknown column "Colour": the known columns are sku, name, cost_price, qty; rename them in the file, map them with --map 'Colour=column', or skip them with --ignore-unknown`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

func TestDelimiter(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		given rune
		want  rune
		first []string
	}{
		{"comma", "sku,name\nA,x;y\n", 0, ',', []string{"A", "x;y", "", ""}},
		{"semicolon", "sku;name;qty\nA;x,y;3\n", 0, ';', []string{"A", "x,y", "", "3"}},
		{"tab", "sku\tname\tqty\nA\tx, y; z\t3\n", 0, '\t', []string{"A", "x, y; z", "", "3"}},
		{"more semicolons than commas", "sku;name;qty,cost_price\nA;x;3,5\n", 0, ';', []string{"A", "x", "", ""}},
		{"tie is comma", "sku,name;qty\nA,x;y\n", 0, ',', []string{"A", "", "", ""}},
		{"single column is comma", "sku\nA;B\n", 0, ',', []string{"A;B", "", "", ""}},
		{"quoted delimiters do not count", "\"name,,,\";sku;qty\nx;A;3\n", 0, ';', []string{"A", "", "", "3"}},
		{"quoted line break in header", "\"sku\nx,y,z,w\";name;qty\nA;B;1\n", 0, ';', []string{"", "B", "", "1"}},
		{"blank lines before header", "\r\n\nsku;name\nA;B\n", 0, ';', []string{"A", "B", "", ""}},
		{"explicit semicolon", "sku;name,x\nA;B,C\n", ';', ';', []string{"A", "", "", ""}},
		{"explicit comma", "sku,name;x;y\nA,B;C;D\n", ',', ',', []string{"A", "", "", ""}},
		{"explicit tab", "sku\tname\nA\tB\n", '\t', '\t', []string{"A", "B", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := csvio.NewReader(strings.NewReader(tt.in), cols, nil, csvio.Options{Delimiter: tt.given, IgnoreUnknown: true})
			if err != nil {
				t.Fatal(err)
			}
			if r.Delimiter() != tt.want {
				t.Errorf("Delimiter() = %q, want %q", r.Delimiter(), tt.want)
			}
			row, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(row.Values, tt.first) {
				t.Errorf("first row %q, want %q", row.Values, tt.first)
			}
		})
	}
}

func TestEncoding(t *testing.T) {
	cp1252 := []byte("sku,name\nA,Caf\xe9 \x80 10\n")
	utf := []byte("sku,name\nA,Café € 10\n")
	want := []string{"A", "Café € 10", "", ""}
	// A file that is UTF-8 in its first 64 KiB and then has a Windows-1252 byte: a
	// regular file is scanned whole, so it is detected as Windows-1252.
	var late bytes.Buffer
	late.WriteString("sku,name\n")
	for late.Len() < 100<<10 {
		late.WriteString("A,plain ascii row\n")
	}
	late.WriteString("A,Caf\xe9 \x80 10\n")

	tests := []struct {
		name     string
		in       func(t *testing.T) io.Reader
		encoding string
		want     string
	}{
		{"cp1252 file detected", func(t *testing.T) io.Reader { return tempFile(t, cp1252) }, "", csvio.Windows1252},
		{"cp1252 pipe detected", func(*testing.T) io.Reader { return asPipe(cp1252) }, "", csvio.Windows1252},
		{"cp1252 explicit", func(*testing.T) io.Reader { return asPipe(cp1252) }, "windows-1252", csvio.Windows1252},
		{"cp1252 alias", func(*testing.T) io.Reader { return asPipe(cp1252) }, "CP1252", csvio.Windows1252},
		{"latin1 alias", func(t *testing.T) io.Reader { return tempFile(t, cp1252) }, " Latin1", csvio.Windows1252},
		{"utf-8 file detected", func(t *testing.T) io.Reader { return tempFile(t, utf) }, "", csvio.UTF8},
		{"utf-8 pipe detected", func(*testing.T) io.Reader { return asPipe(utf) }, "", csvio.UTF8},
		{"utf-8 explicit", func(*testing.T) io.Reader { return asPipe(utf) }, "UTF-8", csvio.UTF8},
		{"BOM detected", func(*testing.T) io.Reader { return asPipe(append([]byte("\xEF\xBB\xBF"), utf...)) }, "", csvio.UTF8},
		{"BOM file detected", func(t *testing.T) io.Reader { return tempFile(t, append([]byte("\xEF\xBB\xBF"), utf...)) }, "", csvio.UTF8},
		{"BOM explicit", func(*testing.T) io.Reader { return asPipe(append([]byte("\xEF\xBB\xBF"), utf...)) }, "utf-8", csvio.UTF8},
		{"late cp1252 byte in a file", func(t *testing.T) io.Reader { return tempFile(t, late.Bytes()) }, "", csvio.Windows1252},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := csvio.NewReader(tt.in(t), cols, []string{"sku"}, csvio.Options{Encoding: tt.encoding})
			if err != nil {
				t.Fatal(err)
			}
			if r.Encoding() != tt.want {
				t.Errorf("Encoding() = %q, want %q", r.Encoding(), tt.want)
			}
			rows, rowErrs, err := readAll(t, r)
			if err != nil || len(rowErrs) > 0 {
				t.Fatal(err, rowErrs)
			}
			if last := rows[len(rows)-1].Values; !reflect.DeepEqual(last, want) {
				t.Errorf("last row %q, want %q", last, want)
			}
		})
	}
}

// bigUTF8 is a header and ASCII rows past 64 KiB, where a two-byte rune is cut by the
// 64 KiB boundary, followed by tail.
func bigUTF8(tail string) ([]byte, int) {
	var b bytes.Buffer
	b.WriteString("sku,name\n")
	rows := 1
	for b.Len() < 64<<10-20 {
		b.WriteString("A,plain ascii row\n")
		rows++
	}
	b.WriteString("B,")
	for b.Len() < 64<<10-1 {
		b.WriteByte('x')
	}
	b.WriteString("é\n") // 0xC3 is byte 65535, 0xA9 byte 65536
	rows++
	b.WriteString(tail)
	return b.Bytes(), rows
}

func TestInvalidUTF8BeyondPeek(t *testing.T) {
	in, rows := bigUTF8("C,ok\nD,Caf\xe9\nE,after\n")
	r, err := csvio.NewReader(asPipe(in), cols, nil, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Encoding() != csvio.UTF8 {
		t.Fatalf("Encoding() = %q", r.Encoding())
	}
	got, _, err := readAll(t, r)
	wantFault(t, err, fault.Invalid, "encoding", "row "+itoa(rows+2)+" is not valid UTF-8", "--encoding windows-1252")
	if len(got) != rows {
		t.Errorf("read %d rows before the error, want %d", len(got), rows)
	}
	if _, err2 := r.Next(); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("Next after a fatal error = %v, want the same error", err2)
	}

	// Explicit UTF-8 checks too.
	r, err = csvio.NewReader(asPipe([]byte("sku,name\nA,Caf\xe9\n")), cols, nil, csvio.Options{Encoding: "utf-8"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	wantFault(t, err, fault.Invalid, "encoding", "row 2 is not valid UTF-8")
}

func TestRuneAtPeekBoundary(t *testing.T) {
	in, rows := bigUTF8("C,ok\n")
	for _, src := range []struct {
		name string
		r    func(t *testing.T) io.Reader
	}{
		{"pipe", func(*testing.T) io.Reader { return asPipe(in) }},
		{"file", func(t *testing.T) io.Reader { return tempFile(t, in) }},
	} {
		t.Run(src.name, func(t *testing.T) {
			r, err := csvio.NewReader(src.r(t), cols, nil, csvio.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Encoding() != csvio.UTF8 {
				t.Errorf("Encoding() = %q", r.Encoding())
			}
			got, rowErrs, err := readAll(t, r)
			if err != nil || len(rowErrs) > 0 {
				t.Fatal(err, rowErrs)
			}
			if len(got) != rows {
				t.Errorf("%d rows, want %d", len(got), rows)
			}
			if v := got[len(got)-2].Values[1]; !strings.HasSuffix(v, "xé") {
				t.Errorf("the row across the boundary ends %q", v[len(v)-5:])
			}
			if r.BytesRead() != int64(len(in)) {
				t.Errorf("BytesRead() = %d, want %d", r.BytesRead(), len(in))
			}
		})
	}
}

func TestFileReadFromCurrentOffset(t *testing.T) {
	f := tempFile(t, []byte("junk\nsku,name\nA,Caf\xe9\n"))
	if _, err := f.Seek(5, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	r, err := csvio.NewReader(f, cols, nil, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Next()
	if err != nil || row.Values[1] != "Café" || r.Encoding() != csvio.Windows1252 {
		t.Errorf("row %q, %v, encoding %s", row.Values, err, r.Encoding())
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next() = %v, want io.EOF", err)
	}
	if r.BytesRead() != 16 {
		t.Errorf("BytesRead() = %d, want 16", r.BytesRead())
	}
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

func TestRowNumbers(t *testing.T) {
	t.Parallel()
	// A row is numbered by the file's line it starts on: the header is line 1, blank lines
	// count, and a row whose quoted cells span lines takes its first line's number (the
	// next row is numbered by its own first line).
	in := "sku,name\n" + // 1
		"A,a\n" + // 2
		"\n" + // 3 blank
		"B,b\r\n" + // 4
		"C,\"two\nlines\"\n" + // 5 (lines 5-6)
		"D,d\n" + // 7
		",\n" + // 8 all blank
		"  ,\t\n" + // 9 all blank
		"E,\"three\r\nline\ncell\"\n" + // 10 (lines 10-12)
		"\"F\nG\",\"\"\n" + // 13 (lines 13-14)
		"H,h" // 15, no final line break
	r, err := csvio.NewReader(strings.NewReader(in), cols, nil, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, rowErrs, err := readAll(t, r)
	if err != nil || len(rowErrs) > 0 {
		t.Fatal(err, rowErrs)
	}
	want := map[int]string{2: "A", 4: "B", 5: "C", 7: "D", 10: "E", 13: "F\nG", 15: "H"}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for _, row := range rows {
		if want[row.Num] != row.Values[0] {
			t.Errorf("row %d is %q, want %q", row.Num, row.Values[0], want[row.Num])
		}
	}
	if rows[4].Values[1] != "three\nline\ncell" {
		t.Errorf("multi-line cell %q", rows[4].Values[1])
	}

	// Blank lines before the header count too.
	r, err = csvio.NewReader(strings.NewReader("\n\nsku\nA\n"), cols, nil, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if row, err := r.Next(); err != nil || row.Num != 4 {
		t.Errorf("row %d, %v; want row 4", row.Num, err)
	}
}

func TestCellCount(t *testing.T) {
	in := "sku,name,qty\nA,a,1\nB,b\nC,c,3,extra,more\nD,d,4\n"
	r, err := csvio.NewReader(strings.NewReader(in), cols, nil, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, rowErrs, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[3].Values[0] != "D" {
		t.Errorf("rows %v: reading did not go on after the bad rows", rows)
	}
	want := []*csvio.RowError{
		{Row: 3, Reason: "has 2 cells, the header has 3"},
		{Row: 4, Reason: "has 5 cells, the header has 3"},
	}
	if !reflect.DeepEqual(rowErrs, want) {
		t.Errorf("row errors %+v, want %+v", rowErrs, want)
	}
	if got := rows[1].Values; !reflect.DeepEqual(got, []string{"B", "b", "", ""}) {
		t.Errorf("short row values %q", got)
	}
	if got := rowErrs[0].Error(); got != "row 3: has 2 cells, the header has 3" {
		t.Errorf("Error() = %q", got)
	}
	r, _ = csvio.NewReader(strings.NewReader("sku,name\nA\n"), cols, nil, csvio.Options{})
	if _, err := r.Next(); err == nil || err.Error() != "row 2: has 1 cell, the header has 2" {
		t.Errorf("Next() = %v", err)
	}
}

func TestQuoteErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		row  string
	}{
		{"bare quote", "sku,name\nA,a\nB,5\" screen\n", "row 3: "},
		{"unterminated", "sku,name\nA,a\n\nB,\"never\nends\n", "row 4: "},
		{"text after quote", "sku,name\nA,\"a\"b\n", "row 2: "},
		// After a row on lines 2-3, the bad row starts on line 4.
		{"after a multi-line row", "sku,name\n\"A\nx\",a\nB,5\" screen\n", "row 4: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := csvio.NewReader(strings.NewReader(tt.in), cols, nil, csvio.Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = readAll(t, r)
			wantFault(t, err, fault.Invalid, "file", tt.row, "doubled")
			if !strings.HasPrefix(err.Error(), tt.row) {
				t.Errorf("error %q does not start with %q", err, tt.row)
			}
			if _, err2 := r.Next(); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("Next after a fatal error = %v", err2)
			}
		})
	}
	_, err := csvio.NewReader(strings.NewReader("sku,\"name\n"), cols, nil, csvio.Options{})
	wantFault(t, err, fault.Invalid, "file", "row 1: ")
}

func TestUnguard(t *testing.T) {
	in := "sku,name\n'=1+1,'@x\n'-5,''=a\n'a,''a\n' =a,x '=\n\"'\t=a\",'\n"
	r, err := csvio.NewReader(strings.NewReader(in), cols, nil, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range rows {
		got = append(got, row.Values[:2]...)
	}
	want := []string{"=1+1", "@x", "-5", "'=a", "'a", "''a", "' =a", "x '=", "=a", "'"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestBytesRead(t *testing.T) {
	in := []byte("sku,name\nA,a\nB,b\n")
	r, err := csvio.NewReader(asPipe(in), cols, nil, csvio.Options{Encoding: "windows-1252"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := readAll(t, r); err != nil {
		t.Fatal(err)
	}
	if r.BytesRead() != int64(len(in)) {
		t.Errorf("BytesRead() = %d, want %d", r.BytesRead(), len(in))
	}
}

func TestProgrammingErrors(t *testing.T) {
	if _, err := csvio.NewReader(strings.NewReader("sku\n"), cols, []string{"nope"}, csvio.Options{}); err == nil {
		t.Error("a required column that is not a column is accepted")
	}
	if _, err := csvio.NewReader(strings.NewReader("sku\n"), []string{"sku", "SKU"}, nil, csvio.Options{}); err == nil {
		t.Error("a column given twice is accepted")
	}
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadFailure(t *testing.T) {
	_, err := csvio.NewReader(failing{}, cols, nil, csvio.Options{})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("NewReader = %v", err)
	}
	r, err := csvio.NewReader(io.MultiReader(strings.NewReader("sku\nA\n"), failing{}), cols, nil, csvio.Options{Encoding: "utf-8", Delimiter: ','})
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := readAll(t, r)
	if len(rows) != 1 || err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("rows %v, error %v", rows, err)
	}
}

// rowsReader produces a header and n rows without holding them.
type rowsReader struct {
	n, i int
	buf  []byte
}

func (g *rowsReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.i == 0:
			g.buf = []byte("sku;name;cost_price;qty\n")
		case g.i > g.n:
			return 0, io.EOF
		default:
			g.buf = []byte("SKU-" + itoa(g.i) + ";\"Caf\xe9, a long name\";1.50;" + itoa(g.i%100) + "\n")
		}
		g.i++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func TestMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 20 MB")
	}
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	src := &rowsReader{n: 500_000}
	r, err := csvio.NewReader(src, cols, nil, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Encoding() != csvio.Windows1252 || r.Delimiter() != ';' {
		t.Fatalf("detected %s %q", r.Encoding(), r.Delimiter())
	}
	var before uint64
	n := 0
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 1000 {
			before = heap()
		}
		if row.Num != n+1 {
			t.Fatalf("row %d, want %d", row.Num, n+1)
		}
	}
	if n != src.n {
		t.Fatalf("read %d rows, want %d", n, src.n)
	}
	if after := heap(); after > before+1<<20 {
		t.Errorf("heap grew from %d to %d bytes over %d MB", before, after, r.BytesRead()>>20)
	}
}

// A NUL byte cannot be stored as text: the row and column are named, in either encoding;
// a file that starts with a UTF-16 byte order mark is refused before its header.
func TestNULAndUTF16(t *testing.T) {
	for _, enc := range []string{"", "utf-8", "windows-1252"} {
		r, err := csvio.NewReader(asPipe([]byte("sku,name\nA,fine\nB,x\x00y\n")), cols, nil, csvio.Options{Encoding: enc})
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := readAll(t, r)
		wantFault(t, err, fault.Invalid, "encoding", "row 3: column name holds a NUL byte", "UTF-16")
		if len(got) != 1 {
			t.Errorf("%s: %d rows before the NUL, want 1", enc, len(got))
		}
	}
	for _, b := range [][]byte{{0xFF, 0xFE, 's', 0, 'k', 0, 'u', 0, '\n', 0}, {0xFE, 0xFF, 0, 's', 0, 'k', 0, 'u', 0, '\n'}} {
		_, err := csvio.NewReader(asPipe(b), cols, nil, csvio.Options{})
		wantFault(t, err, fault.Invalid, "encoding", "the file is UTF-16", "save it as CSV UTF-8")
	}
}
