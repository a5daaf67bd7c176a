// Package csvio reads the CSV files stockctl imports and writes the CSV files it exports.
package csvio

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/stockctl/stockctl/fault"
)

// Encodings a file can be read in, as Reader.Encoding reports them.
const (
	UTF8        = "utf-8"
	Windows1252 = "windows-1252"
)

// Options say how to read a file; zero values detect.
type Options struct {
	// Delimiter separates cells. 0: detect from the header line: the most frequent of
	// ',', ';', '\t' outside quotes (ties and none: ',').
	Delimiter rune
	// Encoding is "" to detect, "utf-8" (BOM optional) or "windows-1252" (aliases "cp1252",
	// "latin1"); case is ignored. Anything else is a usage error.
	Encoding string
	// Map renames file headers to column names (from --map). Keys and values are matched the
	// same lenient way as headers: case, surrounding spaces, ' ' and '-' for '_'.
	Map map[string]string
	// IgnoreUnknown skips header columns that are not known instead of failing.
	IgnoreUnknown bool
}

// ParseMap parses --map 'Item Code=sku,Desc=name': pairs separated by commas, spaces around
// names trimmed. An empty or all-space s gives a nil map. The keys are returned as typed;
// NewReader matches them leniently.
func ParseMap(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	const form = "give pairs like --map 'Item Code=sku,Desc=name' (file header=column, separated by commas)"
	m := map[string]string{}
	seen := map[string]string{} // normalized header → header as typed
	for i, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			return nil, fault.Usagef("map", "--map %q: pair %d is empty (a stray comma?): %s", s, i+1, form)
		}
		from, to, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fault.Usagef("map", "--map %q: %q has no '=': %s", s, strings.TrimSpace(pair), form)
		}
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		switch {
		case from == "" && to == "":
			return nil, fault.Usagef("map", "--map %q: %q names neither a file header nor a column: %s", s, strings.TrimSpace(pair), form)
		case from == "":
			return nil, fault.Usagef("map", "--map %q: %q has no file header before '=': %s", s, strings.TrimSpace(pair), form)
		case to == "":
			return nil, fault.Usagef("map", "--map %q: %q has no column after '=': %s", s, strings.TrimSpace(pair), form)
		case strings.Contains(to, "="):
			return nil, fault.Usagef("map", "--map %q: %q has more than one '=': %s", s, strings.TrimSpace(pair), form)
		}
		key := normalize(from)
		if prev, dup := seen[key]; dup {
			return nil, fault.Usagef("map", "--map %q: the file header %q is mapped twice (%q and %q): map each header once", s, from, prev+"="+m[prev], from+"="+to)
		}
		seen[key] = from
		m[from] = to
	}
	return m, nil
}

// ParseDelimiter turns a --delimiter value into a rune: ",", ";", "tab" or `\t` (a
// backslash-t as typed in a shell) or a real tab.
func ParseDelimiter(s string) (rune, error) {
	switch {
	case s == "," || s == ";" || s == "\t" || s == `\t`:
		if s == `\t` {
			return '\t', nil
		}
		r, _ := utf8.DecodeRuneInString(s)
		return r, nil
	case strings.EqualFold(strings.TrimSpace(s), "tab"):
		return '\t', nil
	}
	return 0, fault.Usagef("delimiter", "--delimiter %q: use ',', ';' or tab (written tab or \\t)", s)
}

// parseEncoding canonicalizes an Options.Encoding value; "" stays "" (detect).
func parseEncoding(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "utf-8":
		return UTF8, nil
	case "windows-1252", "cp1252", "latin1":
		return Windows1252, nil
	}
	return "", fault.Usagef("encoding", "--encoding %q: use utf-8 or windows-1252 (also written cp1252 or latin1), or leave it out to detect", s)
}

// validDelimiter is what encoding/csv accepts as a separator.
func validDelimiter(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// normalize is the lenient form names are matched in: trimmed, lower case, ' ' and '-' as '_'.
func normalize(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, s)
}

// RowError is what is wrong with one cell or row of an imported file, or of one input of a
// bulk domain function (which an importer hands its rows to): the one row error every import
// reports.
//
// Row is the file's line number the row starts on (Row.Num: the header is row 1, a row whose
// quoted cells span lines is numbered by its first); a bulk call given inputs that come
// from no file numbers them from 1 in the order given.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
	// Kind is the failure the reason is (fault.Invalid, fault.NotFound ...), for a bulk call
	// of one input that returns that row's own error; not part of a report.
	Kind fault.Kind `json:"-"`
}

// Error reads like `row 12, column cost_price: not a number: "abc"`; the column and value
// parts are left out when empty.
func (e *RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %d", e.Row)
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %s", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	if e.Value != "" {
		fmt.Fprintf(&b, ": %q", e.Value)
	}
	return b.String()
}

// Err is the error of a bulk call of one input refused for this reason alone: classified
// as Kind (invalid when not set), naming Column as its field, the reason as its message.
func (e RowError) Err() error {
	k := e.Kind
	if k == fault.Unexpected {
		k = fault.Invalid
	}
	return &fault.Error{Kind: k, Field: e.Column, Msg: e.Reason}
}

// RowErrors are every row error of a bulk call that refused rows (it wrote nothing), in the
// order found. Importers get them with errors.As and report each by row and column.
type RowErrors []RowError

// Error lists them as `row 3: reason; row 5: reason`.
func (es RowErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	}
	return strings.Join(parts, "; ")
}

// Rows counts the distinct rows refused (a row may be refused for several reasons).
func (es RowErrors) Rows() int {
	seen := map[int]bool{}
	for _, e := range es {
		seen[e.Row] = true
	}
	return len(seen)
}

// RowsError is a file refused for its rows as a whole (nothing written): every bad row in
// file order, each with every reason, for the command to list as every import lists its
// rejected rows.
type RowsError struct {
	Rejects []Rejected
}

func (e *RowsError) Error() string {
	var parts []string
	for _, rj := range e.Rejects {
		for _, re := range rj.Errors {
			parts = append(parts, re.Error())
		}
	}
	return strings.Join(parts, "; ")
}

// Refuse returns rejects (sorted by row, stable) as an invalid error wrapping a *RowsError,
// its message `N rows are invalid, nothing <done>` ("posted", "counted" ...).
func Refuse(rejects []Rejected, done string) error {
	sort.SliceStable(rejects, func(i, j int) bool { return rejects[i].Row < rejects[j].Row })
	rows := "rows are"
	if len(rejects) == 1 {
		rows = "row is"
	}
	return &fault.Error{Kind: fault.Invalid, Field: "file", Msg: fmt.Sprintf("%d %s invalid, nothing %s", len(rejects), rows, done), Err: &RowsError{Rejects: rejects}}
}

// Reject groups row errors into rejected rows, in order of first appearance; values gives
// a row's cells (nil for none).
func Reject(errs []RowError, values func(row int) []string) []Rejected {
	var out []Rejected
	at := map[int]int{}
	for _, e := range errs {
		i, ok := at[e.Row]
		if !ok {
			i = len(out)
			at[e.Row] = i
			var v []string
			if values != nil {
				v = values(e.Row)
			}
			out = append(out, Rejected{Row: e.Row, Values: v})
		}
		out[i].Errors = append(out[i].Errors, e)
	}
	return out
}

// sortedKeys returns m's keys in order so that messages do not depend on map order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
