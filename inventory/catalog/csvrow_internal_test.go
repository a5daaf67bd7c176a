package catalog

import (
	"regexp"
	"strings"
	"testing"
)

// skuCheck is the CHECK on products.sku, which validSKU must say the same as.
var skuCheck = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/+#-]{0,63}$`)

func FuzzValidSKU(f *testing.F) {
	for _, s := range []string{"", "A", "a-1", "-a", "A b", "Ä1", "A\n", "x" + strings.Repeat("y", 63), "x" + strings.Repeat("y", 64), "P0000001", "A.B_C/D+E#F-G", "AB\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validSKU(s), skuCheck.MatchString(s); got != want {
			t.Fatalf("validSKU(%q) = %v; the CHECK says %v", s, got, want)
		}
	})
}

// dedupeList keeps, of the entries sharing a key, the last, and nothing else changes: the
// split in SQL (string_to_array, trim, skip empty) then sees each key once, with the value
// it would have kept.
func FuzzDedupeList(f *testing.F) {
	for _, s := range []string{"", "a", "a|b", "a|a", " a |a", "a=1|b=2|a=3", "a=1| |a =2", "||", "x@P|x@P|x@Q", "é=1|é=2"} {
		f.Add(s)
	}
	featureKey := func(e string) string {
		name, _, _ := strings.Cut(e, "=")
		return strings.Trim(name, " ")
	}
	split := func(v string, key func(string) string) (keys []string, last map[string]string) {
		last = map[string]string{}
		for _, p := range strings.Split(v, "|") {
			if e := strings.Trim(p, " "); e != "" {
				k := key(e)
				if _, ok := last[k]; !ok {
					keys = append(keys, k)
				}
				last[k] = e
			}
		}
		return keys, last
	}
	f.Fuzz(func(t *testing.T, v string) {
		codeKey := func(e string) string {
			code, _, _ := strings.Cut(e, "@")
			return code
		}
		for _, key := range []func(string) string{func(e string) string { return e }, featureKey, codeKey} {
			got := dedupeList(v, key)
			inKeys, inLast := split(v, key)
			outKeys, outLast := split(got, key)
			n := 0
			for _, p := range strings.Split(got, "|") {
				if strings.Trim(p, " ") != "" {
					n++
				}
			}
			if n != len(outKeys) || len(outKeys) != len(inKeys) {
				t.Fatalf("dedupeList(%q) = %q: keys repeat or went missing", v, got)
			}
			for k, e := range inLast {
				if outLast[k] != e {
					t.Fatalf("dedupeList(%q) = %q: key %q keeps %q, not the last %q", v, got, k, outLast[k], e)
				}
			}
			if n == len(strings.FieldsFunc(v, func(r rune) bool { return r == '|' })) && len(inKeys) == n && got != v {
				t.Fatalf("dedupeList(%q) = %q changed a cell without repeats", v, got)
			}
		}
	})
}
