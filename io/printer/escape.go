package printer

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Text stored in the database may come from anywhere (a CSV import, a scanner, another
// program), and a terminal acts on some characters instead of showing them: ESC starts
// sequences that clear the screen, set the window title or rewrite what was printed; CR
// and BS overwrite; C1 controls do what ESC does on some terminals; bidirectional controls
// (U+202E RIGHT-TO-LEFT OVERRIDE ...) reorder what follows. So output for people (tables,
// piped or not, the one-item view, messages) shows such characters as escapes, Go-style:
//
//	\\      a backslash (so every escape below is unambiguous)
//	\t \n \r
//	\xHH    any other C0 control (\x1b is ESC, \x07 BEL, \x00 NUL) and DEL (\x7f); also a
//	        byte that is not UTF-8
//	\uHHHH  any other rune that is not graphic: C1 controls (\u009b), format characters
//	        such as bidirectional controls (\u202e), zero-width space (\u200b) and the BOM
//	        (\ufeff), line and paragraph separators (\u2028, \u2029), private-use and
//	        unassigned code points; \UHHHHHHHH above U+FFFF
//
// Graphic characters, spaces of any kind included, are shown as they are, and so are the
// zero-width joiner and non-joiner (U+200C, U+200D), which scripts such as Persian and
// Devanagari and emoji sequences need and which move nothing. JSON and CSV are for
// programs and carry text exactly (JSON escapes C0 controls itself).

// Escape returns s as output for people shows it: unchanged when it holds only graphic
// characters and no backslash (no allocation), else with the escapes above.
func Escape(s string) string { return escape(s, false) }

// EscapeLines is Escape for a message of several lines: its newlines stay newlines.
func EscapeLines(s string) string { return escape(s, true) }

func escape(s string, lines bool) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] || lines && c == '\n' {
				i++
				continue
			}
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !shown(r) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	b = append(b, s[:i]...)
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case safeASCII[c] || lines && c == '\n':
				b = append(b, c)
			case c == '\\':
				b = append(b, `\\`...)
			case c == '\t':
				b = append(b, `\t`...)
			case c == '\n':
				b = append(b, `\n`...)
			case c == '\r':
				b = append(b, `\r`...)
			default:
				b = appendHex(append(b, `\x`...), uint32(c), 2)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = appendHex(append(b, `\x`...), uint32(c), 2)
		case shown(r):
			b = append(b, s[i:i+size]...)
		case r <= 0xffff:
			b = appendHex(append(b, `\u`...), uint32(r), 4)
		default:
			b = appendHex(append(b, `\U`...), uint32(r), 8)
		}
		i += size
	}
	return string(b)
}

// safeASCII marks the ASCII bytes shown as they are: printable ASCII but the backslash.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '\\'
	}
	return t
}()

// shown reports whether a non-ASCII rune is shown as it is.
func shown(r rune) bool {
	return unicode.IsGraphic(r) || r == '\u200c' || r == '\u200d'
}

func appendHex(b []byte, v uint32, digits int) []byte {
	h := strconv.FormatUint(uint64(v), 16)
	for range digits - len(h) {
		b = append(b, '0')
	}
	return append(b, h...)
}
