package csvio

import (
	"encoding/csv"
	"io"
	"strings"
)

// Writer writes CSV for export: comma-separated, "\n" line ends, UTF-8 without BOM.
//
// Formula-injection guard: a cell that starts with '=', '+', '-', '@', tab or carriage
// return gets a leading "'" so a spreadsheet shows it as text, except a plain decimal
// number (^[+-]?[0-9]+(\.[0-9]+)?$, e.g. "-5", "+1.50"), left alone so quantities stay
// numbers. A cell that already starts with one or more "'" followed by one of those
// characters gets one more "'". Reader removes exactly one.
//
// Line breaks inside a cell are written as "\n": a "\r" (or a run of them) just before a
// "\n" is dropped, since encoding/csv would drop it when reading anyway. So for every valid
// UTF-8 string x, reading back what Writer wrote gives x with those "\r" dropped and
// surrounding white space trimmed; a row whose cells all read back empty is skipped.
type Writer struct {
	csv *csv.Writer
	buf []string
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer {
	cw := csv.NewWriter(w)
	cw.Comma = ','
	cw.UseCRLF = false
	return &Writer{csv: cw}
}

// Write writes one record, guarding its cells.
func (w *Writer) Write(cells []string) error {
	w.buf = w.buf[:0]
	for _, c := range cells {
		w.buf = append(w.buf, guard(c))
	}
	return w.csv.Write(w.buf)
}

// Flush writes any buffered data and returns any error from writing.
func (w *Writer) Flush() error {
	w.csv.Flush()
	return w.csv.Error()
}

// guarded reports whether a cell starting with c may be taken for a formula by a spreadsheet.
func guarded(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// quotedGuard reports whether s is some "'" (at least min) followed by a guarded character.
func quotedGuard(s string, min int) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i >= min && i < len(s) && guarded(s[i])
}

// guard prepares a cell for writing: line breaks become "\n" (a "\r" just before a "\n"
// would be dropped by a reader anyway) and the formula-injection guard is added.
func guard(s string) string {
	s = dropCRBeforeLF(s)
	if quotedGuard(s, 0) && !plainNumber(s) {
		return "'" + s
	}
	return s
}

// dropCRBeforeLF removes every "\r" that comes (in a run of them) just before a "\n".
func dropCRBeforeLF(s string) string {
	if !strings.Contains(s, "\r\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\r' {
			b.WriteByte(s[i])
			continue
		}
		j := i
		for j < len(s) && s[j] == '\r' {
			j++
		}
		if j == len(s) || s[j] != '\n' {
			b.WriteString(s[i:j])
		}
		i = j - 1
	}
	return b.String()
}

func unguard(s string) string {
	if quotedGuard(s, 1) {
		return s[1:]
	}
	return s
}

// plainNumber reports whether s matches ^[+-]?[0-9]+(\.[0-9]+)?$.
func plainNumber(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digits := func() int {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		s = s[n:]
		return n
	}
	if digits() == 0 {
		return false
	}
	if s == "" {
		return true
	}
	if s[0] != '.' {
		return false
	}
	s = s[1:]
	return digits() > 0 && s == ""
}
