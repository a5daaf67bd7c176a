package db

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// mask is what a hidden password is shown as.
const mask = "xxxxx"

// minSecret is the length from which a password is also hunted for in free text (error
// messages): a shorter one would match all over an ordinary message, and guessing it takes
// no leak. Wherever the connection string itself appears it is replaced whole, whatever
// the password's length.
const minSecret = 4

// Redact hides the passwords in a database URL or key=value connection string so it can be
// shown. It reads the string's structure as text, whatever its spelling: a scheme in any
// case, misspelt or missing, spaces around it, percent-encoding, quoted and escaped values.
// Where the structure is ambiguous it hides more rather than less:
//
//   - URL: everything between the first ':' and the last '@' after "://" (a password may
//     hold '@', '/', '?' or '#' unencoded), a "port" that is not digits, and the value of
//     every query parameter whose decoded name contains "password" (sslpassword too),
//     together with any '&'-pieces after it that have no '=' (a password holding '&');
//   - key=value: the value of every key containing "password", quoted or not; an
//     unterminated quote hides the rest of the string; a value that is itself a URL (libpq
//     reads dbname=postgresql://... as one) is redacted as a URL;
//   - either: "password=VALUE" wherever it appears, for strings too mangled to tell their
//     pieces apart.
func Redact(conn string) string {
	shown, _ := redact(conn)
	return shown
}

// Scrub hides from a message every password of the given connection strings, and the value
// of PGPASSWORD: wherever a connection string appears as written (or quoted as Go's %q
// quotes it) it is replaced by its redacted form, and every password it holds, as written,
// decoded, and in pieces, is replaced by xxxxx wherever it appears (see minSecret).
func Scrub(msg string, conns ...string) string {
	var secrets []string
	for _, c := range conns {
		if c == "" {
			continue
		}
		for _, form := range []string{c, strings.TrimSpace(c)} {
			if form == "" {
				continue
			}
			shown, hidden := redact(form)
			if shown != form {
				msg = strings.ReplaceAll(msg, form, shown)
				msg = strings.ReplaceAll(msg, quoteInner(form), quoteInner(shown))
			}
			secrets = append(secrets, hidden...)
		}
	}
	var hunt []string
	for _, s := range secrets {
		hunt = append(hunt, secretForms(s)...)
	}
	if pw := os.Getenv("PGPASSWORD"); pw != "" {
		hunt = append(hunt, pw, quoteInner(pw))
	}
	hunt = slices.DeleteFunc(hunt, func(s string) bool { return len(s) < minSecret || s == mask })
	// Longest first, so a password is hidden whole before any piece of it.
	slices.SortFunc(hunt, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	for _, s := range slices.Compact(hunt) {
		msg = strings.ReplaceAll(msg, s, mask)
	}
	return msg
}

// connErr is the text of an error about the connection string conn with its passwords
// hidden. pgx's parse errors repeat the string, redacted by pgx's own best effort; that copy
// is dropped, since the message stockctl builds names the string already.
func connErr(err error, conn string) string {
	msg := err.Error()
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		// "cannot parse `CONN`: what (why)"; what and why never hold a backquote.
		if i := strings.LastIndex(msg, "`: "); i >= 0 {
			msg = msg[i+len("`: "):]
		}
	}
	return Scrub(msg, conn)
}

// redact returns conn as it may be shown and the text it hid.
func redact(conn string) (string, []string) {
	var h hider
	kw := isKeywords(conn)
	if kw {
		h.keywords(conn, 0)
	} else {
		h.url(conn, 0)
	}
	// Whatever the structure said, "password=VALUE" anywhere is hidden too: a quote or
	// delimiter out of place can make a parser read a password as part of something else.
	h.assignments(conn, !kw)
	return h.render(conn)
}

// hider collects the byte ranges of a connection string to hide.
type hider struct{ spans [][2]int }

func (h *hider) hide(start, end int) { h.spans = append(h.spans, [2]int{start, end}) }

// render replaces each run of hidden text (overlapping ranges merged) by the mask. It
// returns as hidden text every range by itself and every merged run.
func (h *hider) render(s string) (string, []string) {
	if len(h.spans) == 0 {
		return s, nil
	}
	sp := slices.Clone(h.spans)
	slices.SortFunc(sp, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	var hidden []string
	for _, r := range sp {
		hidden = append(hidden, s[r[0]:r[1]])
	}
	var b strings.Builder
	pos := 0
	for i := 0; i < len(sp); {
		start, end := sp[i][0], sp[i][1]
		for i++; i < len(sp) && sp[i][0] <= end; i++ {
			end = max(end, sp[i][1])
		}
		start = max(start, pos)
		b.WriteString(s[pos:start])
		b.WriteString(mask)
		hidden = append(hidden, s[start:end])
		pos = max(pos, end)
	}
	b.WriteString(s[pos:])
	return b.String(), hidden
}

// isKeywords tells a key=value string (its first word is followed by '=') from a URL.
func isKeywords(s string) bool {
	s = strings.TrimLeft(s, " \t\n\r\f\v")
	i := strings.IndexFunc(s, func(r rune) bool { return r == '=' || isSpace(r) || r == ':' || r == '/' || r == '@' })
	if i <= 0 {
		return false
	}
	rest := strings.TrimLeft(s[i:], " \t\n\r\f\v")
	return strings.HasPrefix(rest, "=")
}

func isSpace(r rune) bool { return strings.ContainsRune(" \t\n\r\f\v", r) }

// url hides a URL's passwords (see Redact); off is where s starts in the whole string. A
// string without "://" is read as a URL whose scheme is mangled or missing
// ("postgres:/u:pw@h", "u:pw@h").
func (h *hider) url(s string, off int) {
	if i := strings.Index(s, "://"); i >= 0 {
		off += i + 3
		s = s[i+3:]
	}
	// Userinfo runs to the last '@': a password may hold any of '@', '/', '?', '#', and an
	// '@' in the query is rarer than one in a password. Hiding from the first ':' leaves
	// the user name readable.
	if at := strings.LastIndex(s, "@"); at >= 0 {
		if c := strings.IndexByte(s[:at], ':'); c >= 0 {
			h.hide(off+c+1, off+at)
		}
		off += at + 1
		s = s[at+1:]
	}
	hostPath, query, hasQuery := strings.Cut(s, "?")
	h.ports(hostPath, off)
	if hasQuery {
		h.query(query, off+len(hostPath)+1)
	}
}

// ports hides a "port" that is not a number in host[:port][,host[:port]...][/path]: what
// a password looks like to a parser when the '@' after it is missing or misplaced.
func (h *hider) ports(s string, off int) {
	if end := strings.IndexByte(s, '/'); end >= 0 {
		s = s[:end]
	}
	for _, host := range strings.Split(s, ",") {
		// An IPv6 address in brackets holds colons of its own.
		start := 0
		if strings.HasPrefix(host, "[") {
			if j := strings.IndexByte(host, ']'); j >= 0 {
				start = j + 1
			}
		}
		if c := strings.IndexByte(host[start:], ':'); c >= 0 {
			c += start
			if strings.Trim(host[c+1:], "0123456789 ") != "" {
				h.hide(off+c+1, off+len(host))
			}
		}
		off += len(host) + 1
	}
}

// query hides the values of a URL query's parameters whose decoded names contain
// "password" (sslpassword too), with any '&'-pieces after them that have no '=' (a
// password holding '&').
func (h *hider) query(q string, off int) {
	parts := strings.Split(q, "&")
	for i := 0; i < len(parts); i++ {
		k, _, hasValue := strings.Cut(parts[i], "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if !hasValue || !strings.Contains(strings.ToLower(key), "password") {
			off += len(parts[i]) + 1
			continue
		}
		start := off + len(k) + 1
		off += len(parts[i]) + 1
		for i+1 < len(parts) && !strings.Contains(parts[i+1], "=") {
			i++
			off += len(parts[i]) + 1
		}
		h.hide(start, off-1)
	}
}

// assignments hides "password=VALUE" wherever it appears; in a URL a value also ends at '&'.
func (h *hider) assignments(s string, inURL bool) {
	// Byte for byte, so offsets in lower are offsets in s (strings.ToLower may change the
	// length of invalid UTF-8).
	lower := []byte(s)
	for i, c := range lower {
		if 'A' <= c && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	for from := 0; ; {
		i := bytes.Index(lower[from:], []byte("password"))
		if i < 0 {
			return
		}
		k := from + i + len("password")
		from = k
		for k < len(s) && isSpace(rune(s[k])) {
			k++
		}
		if k >= len(s) || s[k] != '=' {
			continue
		}
		k++
		for k < len(s) && isSpace(rune(s[k])) {
			k++
		}
		end := valueEnd(s, k)
		if inURL {
			if a := strings.IndexByte(s[k:end], '&'); a >= 0 {
				end = k + a
			}
		}
		h.hide(k, end)
		from = max(from, end)
	}
}

// valueEnd finds where a key=value value starting at i ends, as libpq reads it: a quoted
// value at its closing quote (or, unterminated, at the end of the string), a bare value at
// white space, a backslash escaping the next character in either.
func valueEnd(s string, i int) int {
	if i < len(s) && s[i] == '\'' {
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '\'':
				return j + 1
			}
		}
		return len(s)
	}
	j := i
	for j < len(s) && !isSpace(rune(s[j])) {
		if s[j] == '\\' {
			j++
		}
		j++
	}
	return min(j, len(s))
}

// keywords hides the password values of a key=value connection string, and the passwords
// of any URL among its values; off is where s starts in the whole string.
func (h *hider) keywords(s string, off int) {
	for i := 0; i < len(s); {
		for i < len(s) && isSpace(rune(s[i])) {
			i++
		}
		if i >= len(s) {
			return
		}
		k := i
		for k < len(s) && s[k] != '=' && !isSpace(rune(s[k])) {
			k++
		}
		key := s[i:k]
		e := k
		for e < len(s) && isSpace(rune(s[e])) {
			e++
		}
		if e >= len(s) || s[e] != '=' {
			// A word that is not key=value: read as a URL would be.
			h.url(key, off+i)
			i = k
			continue
		}
		for e++; e < len(s) && isSpace(rune(s[e])); e++ {
		}
		end := valueEnd(s, e)
		if strings.Contains(strings.ToLower(key), "password") {
			h.hide(off+e, off+end)
		} else if v := s[e:end]; strings.Contains(v, "://") || strings.Contains(v, "@") {
			// libpq reads dbname=postgresql://... as a URL.
			h.url(v, off+e)
		}
		i = end
	}
}

// secretForms lists the ways a hidden piece of a connection string may turn up in a
// message: as written, decoded (percent-encoding, key=value quoting), quoted by %q, and in
// the pieces a parser that misread the string may have cut it into.
func secretForms(raw string) []string {
	forms := []string{raw, strings.TrimSpace(raw)}
	if u, err := url.PathUnescape(raw); err == nil {
		forms = append(forms, u)
	}
	if u, err := url.QueryUnescape(raw); err == nil {
		forms = append(forms, u)
	}
	forms = append(forms, unquoteValue(raw))
	for _, f := range slices.Clone(forms) {
		forms = append(forms, quoteInner(f))
		forms = append(forms, strings.FieldsFunc(f, func(r rune) bool {
			return isSpace(r) || strings.ContainsRune("&@/?#:,='\"\\%", r)
		})...)
	}
	return forms
}

// unquoteValue decodes a key=value value: surrounding single quotes dropped, backslash
// escapes resolved.
func unquoteValue(v string) string {
	if strings.HasPrefix(v, "'") {
		v = strings.TrimSuffix(v[1:], "'")
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// quoteInner is s as it appears inside a Go %q quotation.
func quoteInner(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
