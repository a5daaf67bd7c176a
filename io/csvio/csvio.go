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

// RowError is what is wrong with one cell or row of an imported file.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
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

// sortedKeys returns m's keys in order so that messages do not depend on map order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
