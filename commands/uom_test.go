package commands

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

func TestUomAddAndList(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var u map[string]any
	run(t, url, "uom", "add", "box6", "--category", "count", "--ratio", "6", "--name", "box of 6", "-o", "json").
		wantCode(t, ExitOK).json(t, &u)
	if u["code"] != "box6" || u["category"] != "count" || u["ratio"] != "6" || u["precision"] != float64(0) || u["name"] != "box of 6" {
		t.Fatalf("added unit: %v", u)
	}
	if len(u) != 5 {
		t.Fatalf("unit JSON has code, name, category, ratio, precision only: %v", u)
	}
	run(t, url, "uom", "add", "ston", "--category", "weight", "--ratio", "907.18474", "--precision", "3", "-o", "json").
		wantCode(t, ExitOK).json(t, &u)
	if u["ratio"] != "907.18474" || u["precision"] != float64(3) || u["name"] != "ston" {
		t.Fatalf("ratio kept exactly, name defaults to the code: %v", u)
	}

	run(t, url, "uom", "add", "box6", "--category", "count", "--ratio", "6").wantCode(t, ExitInvalid).wantErr(t, "unit box6 already exists")
	run(t, url, "uom", "add", "kg", "--category", "weight", "--ratio", "1").wantCode(t, ExitInvalid).wantErr(t, "already exists")
	run(t, url, "uom", "add", "crate", "--category", "colour", "--ratio", "6").wantCode(t, ExitNotFound).wantErr(t, `unknown unit category "colour"`, "stockctl uom categories")
	run(t, url, "uom", "add", "crate", "--category", "count", "--ratio", "0").wantCode(t, ExitInvalid).wantErr(t, "--ratio 0: must be more than 0")
	run(t, url, "uom", "add", "crate", "--category", "count", "--ratio=-6").wantCode(t, ExitInvalid).wantErr(t, "--ratio -6: must be more than 0")
	run(t, url, "uom", "add", "crate", "--category", "count", "--ratio", "6", "--precision", "7").wantCode(t, ExitInvalid).wantErr(t, "0 to 6")
	run(t, url, "uom", "add", "6pack", "--category", "count", "--ratio", "6").wantCode(t, ExitInvalid).wantErr(t, `unit code "6pack"`)
	run(t, url, "uom", "add", "crate", "--category", "count", "--ratio", "six").wantCode(t, ExitUsage).wantErr(t, "--ratio", "not a number")
	run(t, url, "uom", "add", "crate", "--category", "count", "--ratio", "6", "--precision", "x").wantCode(t, ExitUsage)
	run(t, url, "uom", "add", "crate", "--category", "count").wantCode(t, ExitUsage).wantErr(t, "missing --ratio")
	run(t, url, "uom", "add", "crate", "--ratio", "6").wantCode(t, ExitUsage).wantErr(t, "missing --category")
	run(t, url, "uom", "add", "--category", "count", "--ratio", "6").wantCode(t, ExitUsage).wantErr(t, "missing CODE")

	// The JSON error names the field that was wrong.
	r := run(t, url, "uom", "add", "crate", "--category", "count", "--ratio", "0", "-o", "json").wantCode(t, ExitInvalid)
	var e map[string]any
	if err := json.Unmarshal([]byte(r.err), &e); err != nil || e["field"] != "ratio" || e["kind"] != "invalid" {
		t.Fatalf("json error: %q", r.err)
	}
	r = run(t, url, "uom", "add", "crate", "--category", "nope", "--ratio", "6", "-o", "json").wantCode(t, ExitNotFound)
	if err := json.Unmarshal([]byte(r.err), &e); err != nil || e["field"] != "category" {
		t.Fatalf("json error: %q", r.err)
	}

	run(t, url, "uom", "add", "crate", "--category", "count", "--ratio", "24", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	run(t, url, "uom", "convert", "1", "crate", "ea").wantCode(t, ExitNotFound).wantErr(t, `unknown unit "crate"`)

	var us []map[string]any
	run(t, url, "uom", "list", "--category", "count", "-o", "json").wantCode(t, ExitOK).json(t, &us)
	var codes []string
	for _, u := range us {
		codes = append(codes, u["code"].(string))
	}
	if strings.Join(codes, " ") != "ea pair box6 dozen" {
		t.Fatalf("count units smallest first, refused adds absent: %v", codes)
	}
	run(t, url, "uom", "list", "-o", "json").wantCode(t, ExitOK).json(t, &us)
	if len(us) != 26 || us[0]["category"] != "count" {
		t.Fatalf("all units: %d %v", len(us), us[0])
	}
	run(t, url, "uom", "list", "--category", "colour").wantCode(t, ExitNotFound).wantErr(t, `unknown unit category "colour"`)

	r = run(t, url, "uom", "list", "--category", "weight", "--fields", "code,ratio,precision").wantCode(t, ExitOK)
	if !strings.Contains(r.out, "lb\t0.45359237\t3\n") || !strings.HasPrefix(r.out, "mg\t0.000001\t0\n") {
		t.Fatalf("piped weight table: %q", r.out)
	}
	r = run(t, url, "uom", "list", "--category", "time", "-o", "csv").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "code,name,category,ratio,precision\ns,second,time,1,0\nmin,minute,time,60,2\n") {
		t.Fatalf("csv: %q", r.out)
	}
}

func TestUomCategories(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var cs []map[string]any
	run(t, url, "uom", "categories", "-o", "json").wantCode(t, ExitOK).json(t, &cs)
	refs := map[string]any{}
	for _, c := range cs {
		refs[c["code"].(string)] = c["reference_unit"]
	}
	want := map[string]string{"count": "ea", "weight": "kg", "length": "m", "volume": "l", "time": "s"}
	if len(cs) != len(want) {
		t.Fatalf("categories: %v", cs)
	}
	for code, ref := range want {
		if refs[code] != ref {
			t.Errorf("category %s reference %v, want %s", code, refs[code], ref)
		}
	}
	r := run(t, url, "uom", "categories", "--fields", "code,reference_unit").wantCode(t, ExitOK)
	if r.out != "count\tea\nlength\tm\ntime\ts\nvolume\tl\nweight\tkg\n" {
		t.Fatalf("piped table: %q", r.out)
	}
	run(t, url, "uom", "categories", "extra").wantCode(t, ExitUsage)
}

func TestUomConvert(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	for _, c := range []struct{ qty, from, to, want string }{
		{"1", "lb", "kg", "0.454"},
		{"1000", "g", "kg", "1.000"},
		{"1", "h", "min", "60.00"},
		{"3", "ft", "in", "36.00"},
		{"24", "ea", "dozen", "2"},
		{"25", "ea", "dozen", "2"},
		{"1234.5", "g", "kg", "1.235"},
		{"-1234.5", "g", "kg", "-1.235"},
		{"1", "gal", "ml", "3785"},
		{"2", "kg", "kg", "2.000"},
	} {
		r := run(t, url, "uom", "convert", "--", c.qty, c.from, c.to).wantCode(t, ExitOK)
		if r.out != c.want+"\n" {
			t.Errorf("convert %s %s %s: %q, want %s", c.qty, c.from, c.to, r.out, c.want)
		}
	}

	var conv map[string]any
	run(t, url, "uom", "convert", "3", "ft", "in", "-o", "json").wantCode(t, ExitOK).json(t, &conv)
	if conv["quantity"] != "3" || conv["from"] != "ft" || conv["result"] != "36.00" || conv["to"] != "in" {
		t.Fatalf("json conversion: %v", conv)
	}
	if r := run(t, url, "uom", "convert", "1234.5", "g", "kg", "-o", "csv"); r.out != "quantity,from,result,to\n1234.5,g,1.235,kg\n" {
		t.Fatalf("csv conversion: %q", r.out)
	}

	run(t, url, "uom", "convert", "1", "kg", "l").wantCode(t, ExitInvalid).wantErr(t, "cannot convert kg (weight) to l (volume)")
	r := run(t, url, "uom", "convert", "1", "kg", "furlong", "-o", "json").wantCode(t, ExitNotFound)
	var e map[string]any
	if err := json.Unmarshal([]byte(r.err), &e); err != nil || e["field"] != "unit" || !strings.Contains(e["error"].(string), `unknown unit "furlong"`) {
		t.Fatalf("json error: %q", r.err)
	}
	run(t, url, "uom", "convert", "lots", "kg", "g").wantCode(t, ExitUsage).wantErr(t, "QTY lots: not a number")
	run(t, url, "uom", "convert", "1", "kg").wantCode(t, ExitUsage).wantErr(t, "missing TO")
	run(t, url, "uom").wantCode(t, ExitOK)
	run(t, url, "uom", "weigh").wantCode(t, ExitUsage).wantErr(t, `unknown command "weigh"`)
}
