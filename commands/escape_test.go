package commands

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// The hostile text: erase the screen, set the window title (OSC ended by BEL), a bell, a
// carriage return to overwrite the line, a C1 CSI (U+009B) and a right-to-left override.
const (
	hostileName = "Drill \x1b[2J\x1b]0;pwned\x07 ring\x07 back\rover \u009b31m \u202eevil"
	hostileDesc = "line one\nline\ttwo \x1b[31mred"

	hostileNameShown = `Drill \x1b[2J\x1b]0;pwned\x07 ring\x07 back\rover \u009b31m \u202eevil`
	hostileDescShown = `line one\nline\ttwo \x1b[31mred`
)

// raw reports the first character of text from the database that reached output unescaped.
func raw(out string) string {
	for _, c := range []string{"\x1b[2J", "\x1b]", "\x1b[31mred", "\x07", "\r", "\u009b", "\u202e", "one\nline"} {
		if strings.Contains(out, c) {
			return c
		}
	}
	return ""
}

// TestStoredTextIsEscapedForPeople: a product imported from CSV with escape sequences, BEL,
// CR, a C1 control and an RTL override in its name and description is shown escaped by
// product show and product list as tables (on a terminal and piped), and in error
// messages; JSON and CSV give the text back exactly.
func TestStoredTextIsEscapedForPeople(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var file bytes.Buffer
	w := csv.NewWriter(&file)
	_ = w.WriteAll([][]string{{"sku", "name", "description"}, {"EVIL-1", hostileName, hostileDesc}})
	path := filepath.Join(t.TempDir(), "evil.csv")
	if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, url, "product", "import", path).wantCode(t, ExitOK)

	for _, tt := range []struct {
		name string
		r    result
		want []string
	}{
		{"show on a terminal", runTTY(t, url, "product", "show", "EVIL-1"), []string{hostileNameShown + "\n", hostileDescShown + "\n"}},
		{"show piped", run(t, url, "product", "show", "EVIL-1"), []string{"name\t" + hostileNameShown + "\n", "description\t" + hostileDescShown + "\n"}},
		{"list on a terminal", runTTY(t, url, "product", "list", "--fields", "sku,name,description"), []string{" " + hostileNameShown + " ", " " + hostileDescShown + " "}},
		{"list piped", run(t, url, "product", "list", "--fields", "sku,name,description"), []string{"EVIL-1\t" + hostileNameShown + "\t" + hostileDescShown + "\n"}},
		{"list on a terminal, -o table", runTTY(t, url, "product", "list", "-o", "table"), []string{hostileNameShown}},
	} {
		tt.r.wantCode(t, ExitOK)
		if c := raw(tt.r.out); c != "" {
			t.Errorf("%s: %q reached the output:\n%q", tt.name, c, tt.r.out)
		}
		for _, w := range tt.want {
			if !strings.Contains(tt.r.out, w) {
				t.Errorf("%s: no %q in:\n%s", tt.name, w, tt.r.out)
			}
		}
	}

	// JSON and CSV are for programs: the text comes back exactly.
	var one struct{ Name, Description string }
	runTTY(t, url, "product", "show", "EVIL-1", "-o", "json").wantCode(t, ExitOK).json(t, &one)
	if one.Name != hostileName || one.Description != hostileDesc {
		t.Errorf("JSON changed the text: %q %q", one.Name, one.Description)
	}
	var list []struct{ SKU, Name string }
	r := runTTY(t, url, "product", "list", "-o", "json", "--fields", "sku,name").wantCode(t, ExitOK)
	r.json(t, &list)
	found := false
	for _, p := range list {
		found = found || p.SKU == "EVIL-1" && p.Name == hostileName
	}
	if !found || !strings.Contains(r.out, `\u001b[2J`) {
		t.Errorf("JSON list: %q", r.out)
	}
	for _, out := range []string{
		runTTY(t, url, "product", "list", "-o", "csv", "--fields", "sku,name,description").wantCode(t, ExitOK).out,
		run(t, url, "product", "show", "EVIL-1", "-o", "csv", "--fields", "sku,name,description").wantCode(t, ExitOK).out,
	} {
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		found := false
		for _, rec := range recs {
			found = found || rec[0] == "EVIL-1" && rec[1] == hostileName && rec[2] == hostileDesc
		}
		if err != nil || !found {
			t.Errorf("CSV changed the text: %v %q", err, recs)
		}
	}

	// Messages that echo what was typed: escaped for people, exact in the JSON error.
	for _, r := range []result{
		run(t, url, "product", "show", "NOPE\x1b[2J\u202e"),
		runTTY(t, url, "product", "show", "NOPE\x1b[2J\u202e"),
	} {
		r.wantCode(t, ExitNotFound).wantErr(t, `NOPE\x1b[2J\u202e`)
		if c := raw(r.err); c != "" {
			t.Errorf("%q reached the error message: %q", c, r.err)
		}
	}
	var e struct{ Error string }
	r = run(t, url, "product", "show", "NOPE\x1b[2J\u202e", "-o", "json").wantCode(t, ExitNotFound)
	if err := json.Unmarshal([]byte(r.err), &e); err != nil || !strings.Contains(e.Error, "NOPE\x1b[2J\u202e") {
		t.Errorf("JSON error: %v %q", err, r.err)
	}
	// Messages on success too (the summary names what it wrote).
	out := filepath.Join(t.TempDir(), "x\x1b[2J.csv")
	r = run(t, url, "portal", "export", out).wantCode(t, ExitOK).wantErr(t, `x\x1b[2J.csv`)
	if c := raw(r.err); c != "" {
		t.Errorf("%q reached a message: %q", c, r.err)
	}
}
