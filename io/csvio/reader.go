package csvio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"

	"github.com/stockctl/stockctl/fault"
)

// Reader streams the data rows of a CSV file whose header names some of the known columns.
//
// Memory stays flat whatever the size of the file: the file is read through fixed buffers,
// one record at a time (a single record is held whole, so a file with no line breaks at all
// is held whole).
type Reader struct {
	count    *countingReader
	csv      *csv.Reader
	delim    rune
	encoding string
	checkUTF bool // cells must be checked for valid UTF-8

	columns []string // as passed to NewReader
	index   []int    // columns[i] is cell index[i] of a record, or -1
	present []string // the columns the file has, in canonical order
	ncells  int      // cells in the header

	err error
}

// Row is one data row.
type Row struct {
	// Num is the row's number in every message and report: the file's line number the row
	// starts on, counting from 1, so the header is row 1 when the file starts with it. Blank
	// lines count, and a row whose quoted cells span several lines is numbered by its first
	// line (the next row is numbered by the line it starts on).
	Num int
	// Values is aligned with the columns passed to NewReader: the cell's value when the file
	// has that column, "" otherwise. Surrounding white space is trimmed, after the export
	// guard is undone (see Writer).
	Values []string
}

// NewReader reads the header. columns are the known column names (lower_snake_case) in
// their canonical order; required must be present in the header.
//
// Header names match columns case-insensitively after trimming spaces, with ' ' and '-'
// treated as '_' ("Cost Price" = "cost_price"); opt.Map is applied first (its keys and
// values matched the same lenient way). Blank lines, and rows whose cells are all blank,
// before the header are skipped.
//
// With opt.Encoding "", a UTF-8 BOM means UTF-8 (the BOM is dropped, as it is with an
// explicit "utf-8"). Otherwise a regular *os.File is read to its end to check it is UTF-8
// (else it is Windows-1252) and then read from where it was; any other reader is judged by
// its first 64 KiB, and if invalid UTF-8 comes later Next fails naming the row.
//
// Problems with the header are fault.Invalidf errors with field "header". A bad option is
// a fault.Usagef error naming the option ("delimiter", "encoding", "map"). Reading the
// header can also fail like Next does (fields "file" and "encoding"). columns and required
// that do not fit together are a plain error: a bug in the caller.
func NewReader(r io.Reader, columns, required []string, opt Options) (*Reader, error) {
	known := make(map[string]int, len(columns))
	for i, c := range columns {
		n := normalize(c)
		if _, dup := known[n]; dup || n == "" {
			return nil, fmt.Errorf("csvio: column %q is empty or given twice", c)
		}
		known[n] = i
	}
	for _, c := range required {
		if _, ok := known[normalize(c)]; !ok {
			return nil, fmt.Errorf("csvio: required column %q is not one of the columns", c)
		}
	}
	enc, err := parseEncoding(opt.Encoding)
	if err != nil {
		return nil, err
	}
	if opt.Delimiter != 0 && !validDelimiter(opt.Delimiter) {
		return nil, fault.Usagef("delimiter", "delimiter %q cannot separate cells: use ',', ';' or tab", opt.Delimiter)
	}
	rename, err := mapping(opt.Map, known, columns)
	if err != nil {
		return nil, err
	}

	rd := &Reader{columns: columns, count: &countingReader{r: r}}

	// Detect the encoding, then set up the reader decoded text comes out of.
	if enc == "" {
		if f, ok := regularFile(r); ok {
			isUTF8, seekable, err := scanFile(f)
			if err != nil {
				return nil, fmt.Errorf("reading the file: %w", err)
			}
			if seekable {
				enc = Windows1252
				if isUTF8 {
					enc = UTF8
				}
			}
		}
	}
	raw := bufio.NewReaderSize(rd.count, peekSize)
	if p, _ := raw.Peek(2); bytes.Equal(p, []byte{0xFF, 0xFE}) || bytes.Equal(p, []byte{0xFE, 0xFF}) {
		return nil, fault.Invalidf("encoding", "the file is UTF-16 (it starts with a UTF-16 byte order mark), which is not read: save it as CSV UTF-8")
	}
	if enc == "" || enc == UTF8 {
		hasBOM, err := stripBOM(raw)
		if err != nil {
			return nil, fmt.Errorf("reading the file: %w", err)
		}
		if hasBOM {
			enc = UTF8
		}
	}
	if enc == "" {
		isUTF8, err := peekUTF8(raw)
		if err != nil {
			return nil, fmt.Errorf("reading the file: %w", err)
		}
		enc = Windows1252
		if isUTF8 {
			enc = UTF8
		}
	}
	text := raw
	if enc == Windows1252 {
		text = bufio.NewReaderSize(transform.NewReader(raw, charmap.Windows1252.NewDecoder()), peekSize)
	}
	rd.encoding, rd.checkUTF = enc, enc == UTF8

	rd.delim = opt.Delimiter
	if rd.delim == 0 {
		if rd.delim, err = detectDelimiter(text); err != nil {
			return nil, fmt.Errorf("reading the file: %w", err)
		}
	}
	rd.csv = csv.NewReader(text)
	rd.csv.Comma = rd.delim
	rd.csv.ReuseRecord = true
	rd.csv.FieldsPerRecord = -1
	rd.csv.LazyQuotes = false
	rd.csv.TrimLeadingSpace = false

	// Read and match the header.
	header, _, err := rd.record()
	if err == io.EOF {
		return nil, fault.Invalidf("header", "the file is empty: it needs a header row naming the columns")
	}
	if err != nil {
		return nil, err
	}
	rd.ncells = len(header)
	rd.index = make([]int, len(columns))
	for i := range rd.index {
		rd.index[i] = -1
	}
	var unknown, dups []string
	example := "" // the first unknown header with a name, for the --map example
	for j, cell := range header {
		h := strings.TrimSpace(cell)
		if j == 0 {
			h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		}
		name := normalize(h)
		if to, ok := rename[name]; ok {
			name = to
		}
		i, ok := known[name]
		switch {
		case !ok:
			if !opt.IgnoreUnknown {
				unknown = append(unknown, describe(h, j))
				if example == "" {
					example = h
				}
			}
		case rd.index[i] >= 0:
			first := strings.TrimSpace(header[rd.index[i]])
			dups = append(dups, fmt.Sprintf("the column %s is given twice: %q (column %d) and %q (column %d)", columns[i], first, rd.index[i]+1, h, j+1))
		default:
			rd.index[i] = j
		}
	}
	var missing []string
	for _, c := range required {
		if rd.index[known[normalize(c)]] < 0 {
			missing = append(missing, columns[known[normalize(c)]])
		}
	}
	if len(unknown) > 0 || len(dups) > 0 || len(missing) > 0 {
		return nil, fault.Invalidf("header", "%s", rd.headerProblems(header, example, unknown, dups, missing, opt.Delimiter == 0))
	}
	for i, c := range columns {
		if rd.index[i] >= 0 {
			rd.present = append(rd.present, c)
		}
	}
	return rd, nil
}

// mapping checks opt.Map and returns it keyed and valued by normalized names.
func mapping(m map[string]string, known map[string]int, columns []string) (map[string]string, error) {
	rename := make(map[string]string, len(m))
	from := make(map[string]string, len(m))
	for _, k := range sortedKeys(m) {
		v := m[k]
		nk, nv := normalize(k), normalize(v)
		if nk == "" || nv == "" {
			return nil, fault.Usagef("map", "--map %q=%q: give both a file header and a column, like --map 'Item Code=sku'", k, v)
		}
		if _, ok := known[nv]; !ok {
			return nil, fault.Usagef("map", "--map %s=%s: %q is not a column; the columns are %s", k, v, v, strings.Join(columns, ", "))
		}
		if prev, dup := rename[nk]; dup && prev != nv {
			return nil, fault.Usagef("map", "--map maps the file header %q twice (as %q and %q): map each header once", k, from[nk], k)
		}
		rename[nk], from[nk] = nv, k
	}
	return rename, nil
}

// describe names a header cell for a message; a cell with no name is named by position too.
func describe(h string, j int) string {
	if h == "" {
		return fmt.Sprintf("\"\" (column %d)", j+1)
	}
	return fmt.Sprintf("%q", h)
}

// headerProblems words everything wrong with the header, each with what to do about it.
func (r *Reader) headerProblems(header []string, example string, unknown, dups, missing []string, detected bool) string {
	var parts []string
	if len(unknown) > 0 {
		if example == "" {
			example = "File Header"
		}
		s := "the header has an unknown column"
		if len(unknown) > 1 {
			s = "the header has unknown columns"
		}
		msg := fmt.Sprintf("%s %s: the known columns are %s; rename them in the file, map them with --map '%s=column', or skip them with --ignore-unknown",
			s, strings.Join(unknown, ", "), strings.Join(r.columns, ", "), example)
		if len(header) == 1 && strings.ContainsAny(header[0], ",;\t") {
			how := "detected"
			if !detected {
				how = "given"
			}
			msg += fmt.Sprintf(" (the header was split on %s, which was %s: if the file uses another delimiter give --delimiter)", delimName(r.delim), how)
		}
		parts = append(parts, msg)
	}
	for _, d := range dups {
		parts = append(parts, d+": remove one of them or --map one of them to another column")
	}
	if len(missing) > 0 {
		s := "the required column " + missing[0] + " is missing"
		if len(missing) > 1 {
			s = "the required columns " + strings.Join(missing, ", ") + " are missing"
		}
		parts = append(parts, s+": add it to the header row, or if the file calls it something else, map it with --map 'File Header="+missing[0]+"'")
	}
	return strings.Join(parts, "; ")
}

func delimName(d rune) string {
	if d == '\t' {
		return "tab"
	}
	return fmt.Sprintf("%q", d)
}

// Columns returns the known columns present in the file, in canonical order.
func (r *Reader) Columns() []string { return append([]string(nil), r.present...) }

// Has reports whether the file has the column (named leniently, like a header).
func (r *Reader) Has(column string) bool {
	n := normalize(column)
	for i, c := range r.columns {
		if normalize(c) == n {
			return r.index[i] >= 0
		}
	}
	return false
}

// Delimiter returns the delimiter used, given or detected.
func (r *Reader) Delimiter() rune { return r.delim }

// Encoding returns "utf-8" or "windows-1252", given or detected.
func (r *Reader) Encoding() string { return r.encoding }

// BytesRead returns the bytes consumed from the underlying reader so far, for a progress
// bar. Reading is buffered, so it runs ahead of the rows returned by up to 64 KiB or so;
// it may be called from another goroutine. An *os.File that was scanned to detect its
// encoding is counted from where reading started again.
func (r *Reader) BytesRead() int64 { return r.count.n.Load() }

// Next returns the next data row, or io.EOF when there are no more.
//
// Blank lines, and rows whose cells all read as "" (",,," or "  "), are skipped; they still
// count in Row.Num.
// A row with a different number of cells than the header is returned (Values filled from
// the cells there are) together with a *RowError; reading can go on after it. A cell that
// starts with one or more "'" followed by '=', '+', '-', '@', tab or carriage return has
// one "'" removed, undoing Writer's guard.
//
// Fatal errors, after which Next returns the same error again: invalid UTF-8 when reading
// as UTF-8 (fault.Invalidf "encoding"), a quoting error (fault.Invalidf "file"), and a
// failure of the underlying reader.
func (r *Reader) Next() (Row, error) {
	rec, num, err := r.record()
	if err != nil {
		return Row{}, err
	}
	row := Row{Num: num, Values: make([]string, len(r.columns))}
	for i, j := range r.index {
		if j >= 0 && j < len(rec) {
			row.Values[i] = cellValue(rec[j])
		}
	}
	if len(rec) != r.ncells {
		return row, &RowError{Row: num, Reason: fmt.Sprintf("has %s, the header has %d", cells(len(rec)), r.ncells)}
	}
	return row, nil
}

func cells(n int) string {
	if n == 1 {
		return "1 cell"
	}
	return fmt.Sprintf("%d cells", n)
}

// record reads the next record that is not all blank, with its row number. Errors are
// sticky.
func (r *Reader) record() ([]string, int, error) {
	if r.err != nil {
		return nil, 0, r.err
	}
	for {
		rec, err := r.csv.Read()
		if err != nil {
			r.err = r.readError(err)
			return nil, 0, r.err
		}
		num, _ := r.csv.FieldPos(0) // the line the record starts on
		for j, c := range rec {
			if r.checkUTF && !utf8.ValidString(c) {
				r.err = fault.Invalidf("encoding", "row %d is not valid UTF-8: if the file is in Windows-1252 give --encoding windows-1252", num)
				return nil, 0, r.err
			}
			// PostgreSQL's text cannot hold one; files full of them are UTF-16.
			if strings.IndexByte(c, 0) >= 0 {
				r.err = fault.Invalidf("encoding", "row %d: %s holds a NUL byte (0x00), which text cannot: if the file is UTF-16 (Excel's \"Unicode text\"), save it as CSV UTF-8; else remove the byte",
					num, r.cellName(j))
				return nil, 0, r.err
			}
		}
		if !allBlank(rec) {
			return rec, num, nil
		}
	}
}

// cellName names cell j of a record for a message: its column, or its position.
func (r *Reader) cellName(j int) string {
	for i, k := range r.index {
		if k == j {
			return "column " + r.columns[i]
		}
	}
	return fmt.Sprintf("cell %d", j+1)
}

// readError classifies an error from csv.Reader.
func (r *Reader) readError(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fault.Invalidf("file", "row %d: %v: a cell with a quote (\") in it must be quoted whole, with each quote inside it doubled (\"\")", pe.StartLine, pe)
	}
	return fmt.Errorf("reading the file: %w", err)
}

// allBlank reports whether every cell of rec reads as "".
func allBlank(rec []string) bool {
	for _, c := range rec {
		if cellValue(c) != "" {
			return false
		}
	}
	return true
}

// cellValue undoes the export guard, then trims surrounding white space.
func cellValue(s string) string {
	return strings.TrimSpace(unguard(s))
}
