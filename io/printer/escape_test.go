package printer

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Bolt M8, zinc 12\" long", "Bolt M8, zinc 12\" long"},
		{"Schraube ÄÖÜ ß – 10\u00a0mm 螺栓 🔩", "Schraube ÄÖÜ ß – 10\u00a0mm 螺栓 🔩"}, // graphic, spaces of any kind
		{"می\u200cخواهم 👩\u200d🔧", "می\u200cخواهم 👩\u200d🔧"},                     // joiners kept
		{"e\u0301", "e\u0301"},                                         // combining mark
		{"clear\x1b[2Jscreen", `clear\x1b[2Jscreen`},                   // CSI
		{"\x1b]0;owned\x07title", `\x1b]0;owned\x07title`},             // OSC with BEL
		{"tab\there\nline\rCR\x00\x7f", `tab\there\nline\rCR\x00\x7f`}, // C0 and DEL
		{"c1\u009b2J\u0085", `c1\u009b2J\u0085`},                       // C1 controls
		{"abc\u202edcba", `abc\u202edcba`},                             // RTL override
		{"zw\u200bsp\ufeff\u2028", `zw\u200bsp\ufeff\u2028`},           // invisible format, separators
		{"pua\U000F0000", `pua\U000f0000`},                             // private use above U+FFFF
		{"bad\xff\xc3", `bad\xff\xc3`},                                 // not UTF-8
		{`C:\temp\x1b`, `C:\\temp\\x1b`},                               // a backslash is escaped, so the text differs from an ESC
		{"Ω\x1b", `Ω\x1b`},                                             // escaping after a multi-byte prefix
	} {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	if got, want := EscapeLines("row 2: \x1b[31mred\n  row 3: a\tb\r"), "row 2: \\x1b[31mred\n  row 3: a\\tb\\r"; got != want {
		t.Errorf("EscapeLines = %q; want %q", got, want)
	}
}

// TestEscapePlainIsFree: text with nothing to escape is returned as it is, without
// allocating, so long lists pay nothing for the escaping. (Not parallel: AllocsPerRun
// refuses to run in a parallel test.)
func TestEscapePlainIsFree(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = Escape("DRILL-18V Cordless drill 18 V, 2×ø10 mm") }); n != 0 {
		t.Errorf("Escape of plain text allocates %v times", n)
	}
}

// nasty is a row whose text holds what a hostile or careless CSV could put in a name.
type nasty struct {
	SKU    string `json:"sku"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

func (n nasty) CellColor(field string) string {
	if field == "status" {
		return "green"
	}
	return ""
}

const nastyName = "Drill\x1b[2J\x1b]0;pwned\x07 bell\x07 cr\rover \u009b31m c1 \u202eevil"

const nastyEscaped = `Drill\x1b[2J\x1b]0;pwned\x07 bell\x07 cr\rover \u009b31m c1 \u202eevil`

// TestEscapedOutput: in a table (terminal or piped) and in the one-item view, control and
// bidirectional characters of stored text are shown escaped, while the printer's own colour
// codes still work; JSON and CSV carry the text exactly.
func TestEscapedOutput(t *testing.T) {
	t.Parallel()
	rows := []nasty{{SKU: "D-1", Name: nastyName, Status: "ok\x1b[0m"}}
	danger := func(t *testing.T, got string) {
		t.Helper()
		for _, c := range []string{"\x1b[2J", "\x1b]", "\x07", "\r", "\u009b", "\u202e", "\x1b[0m\x1b[0m"} {
			if strings.Contains(got, c) {
				t.Errorf("raw %q in output:\n%q", c, got)
			}
		}
		if !strings.Contains(got, nastyEscaped) {
			t.Errorf("escaped name missing from:\n%q", got)
		}
	}
	t.Run("terminal table with colour", func(t *testing.T) {
		got := run(t, New(nil, Table, nil, true, true), false, rows)
		danger(t, got)
		if !strings.Contains(got, "\x1b[32mok\\x1b[0m\x1b[0m") {
			t.Errorf("status cell not green and escaped inside:\n%q", got)
		}
		if n := strings.Count(got, "\x1b["); n != 2 {
			t.Errorf("%d escape sequences; want only the colour's 2:\n%q", n, got)
		}
	})
	t.Run("piped table", func(t *testing.T) {
		got := run(t, New(nil, Table, nil, false, false), false, rows)
		danger(t, got)
		if want := "D-1\t" + nastyEscaped + "\tok\\x1b[0m\n"; got != want {
			t.Errorf("got %q; want %q", got, want)
		}
	})
	t.Run("one item on a terminal", func(t *testing.T) {
		got := run(t, New(nil, Table, nil, true, true), true, rows[0])
		danger(t, got)
		if !strings.Contains(got, "name:    "+nastyEscaped+"\n") {
			t.Errorf("got %q", got)
		}
	})
	t.Run("one item piped", func(t *testing.T) {
		got := run(t, New(nil, Table, nil, false, false), true, rows[0])
		danger(t, got)
		if !strings.Contains(got, "name\t"+nastyEscaped+"\n") {
			t.Errorf("got %q", got)
		}
	})
	t.Run("json exact", func(t *testing.T) {
		for _, one := range []bool{false, true} {
			var v any = rows
			if one {
				v = rows[0]
			}
			got := run(t, New(nil, JSON, nil, true, true), one, v)
			// JSON's own rule: C0 controls as \u00XX; nothing else is touched.
			if !strings.Contains(got, `Drill\u001b[2J\u001b]0;pwned\u0007 bell\u0007 cr\rover `+"\u009b31m c1 \u202eevil") {
				t.Errorf("JSON text: %q", got)
			}
			var back []nasty
			if one {
				got = "[" + got + "]"
			}
			if err := json.Unmarshal([]byte(got), &back); err != nil || len(back) != 1 || back[0] != rows[0] {
				t.Errorf("JSON does not read back the same: %v %q", err, back)
			}
		}
	})
	t.Run("csv exact", func(t *testing.T) {
		got := run(t, New(nil, CSV, nil, true, true), false, rows)
		recs, err := csv.NewReader(strings.NewReader(got)).ReadAll()
		if err != nil || len(recs) != 2 || recs[1][1] != nastyName || recs[1][2] != rows[0].Status {
			t.Errorf("CSV does not read back the same: %v %q", err, recs)
		}
	})
}
