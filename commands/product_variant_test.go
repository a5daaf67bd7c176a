package commands

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

func TestProductFeatureCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "product", "add", "LAMP", "--name", "Desk lamp").wantCode(t, ExitOK)

	var f map[string]any
	run(t, url, "product", "feature", "set", "LAMP", "colour", "red", "-o", "json").wantCode(t, ExitOK).json(t, &f)
	if f["sku"] != "LAMP" || f["name"] != "colour" || f["value"] != "red" || f["updated_by"] != "tester" {
		t.Fatalf("feature: %v", f)
	}
	run(t, url, "product", "feature", "set", "LAMP", "Colour", "blue", "-o", "json").wantCode(t, ExitOK).json(t, &f)
	if f["name"] != "colour" || f["value"] != "blue" {
		t.Fatalf("set replaces: %v", f)
	}
	run(t, url, "product", "feature", "set", "LAMP", "voltage", "240V", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	run(t, url, "product", "feature", "set", "LAMP", "voltage", "240V").wantCode(t, ExitOK)

	var fs []map[string]any
	run(t, url, "product", "feature", "list", "LAMP", "-o", "json").wantCode(t, ExitOK).json(t, &fs)
	if len(fs) != 2 || fs[0]["name"] != "colour" || fs[1]["value"] != "240V" {
		t.Fatalf("list: %v", fs)
	}
	if r := run(t, url, "product", "list", "--search", "colour=blue", "--fields", "sku"); r.out != "LAMP\n" {
		t.Fatalf("search by feature: %q", r.out)
	}

	run(t, url, "product", "feature", "set", "LAMP", "size", "").wantCode(t, ExitInvalid).wantErr(t, "needs a value")
	run(t, url, "product", "feature", "set", "LAMP", "a=b", "x").wantCode(t, ExitInvalid).wantErr(t, `cannot contain "="`)
	run(t, url, "product", "feature", "set", "NOPE", "colour", "red").wantCode(t, ExitNotFound).wantErr(t, "product NOPE does not exist")
	run(t, url, "product", "feature", "set", "LAMP", "colour").wantCode(t, ExitUsage).wantErr(t, "missing VALUE")

	run(t, url, "product", "feature", "remove", "LAMP", "colour").wantCode(t, ExitOK).wantErr(t, "feature colour removed from LAMP")
	run(t, url, "product", "feature", "remove", "LAMP", "colour").wantCode(t, ExitNotFound).wantErr(t, `no feature "colour"`)
	if r := run(t, url, "product", "feature", "list", "LAMP", "-o", "csv"); !strings.HasPrefix(r.out, "sku,name,value,updated_at,updated_by\nLAMP,voltage,240V,") || strings.Count(r.out, "\n") != 2 {
		t.Fatalf("csv after remove: %q", r.out)
	}
}

func TestProductVariantCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "product", "add", "TEE", "--name", "T-shirt", "--sell-price", "20.00", "--cost", "4", "--category", "apparel").wantCode(t, ExitOK)

	var vs []map[string]any
	run(t, url, "product", "attribute", "add", "TEE", "Size", "--values", "S,M", "--extra", "M=2.00", "-o", "json").
		wantCode(t, ExitOK).json(t, &vs)
	if len(vs) != 2 || vs[0]["attribute"] != "Size" || vs[1]["value"] != "M" || vs[1]["price_extra"] != "2.00" || vs[0]["price_extra"] != "0" || vs[1]["code"] != "M" {
		t.Fatalf("attribute add: %v", vs)
	}
	run(t, url, "product", "attribute", "add", "TEE", "Colour", "--values", "Red", "--values", "Navy blue", "--extra", "Navy blue=-1.50").wantCode(t, ExitOK)
	run(t, url, "product", "attribute", "add", "TEE", "Size", "--values", "L", "--extra", "L=abc").wantCode(t, ExitUsage).wantErr(t, "--extra", "L=abc: not a number")
	run(t, url, "product", "attribute", "add", "TEE", "Size", "--values", "L", "--extra", "L").wantCode(t, ExitUsage).wantErr(t, "--extra", "VALUE=AMOUNT")
	run(t, url, "product", "attribute", "add", "TEE", "Size", "--values", "L", "--extra", "XL=1").wantCode(t, ExitInvalid).wantErr(t, `"XL" is not one of the values of attribute Size`)
	run(t, url, "product", "attribute", "add", "TEE", "Fit").wantCode(t, ExitInvalid).wantErr(t, "needs values")
	run(t, url, "product", "attribute", "add", "NOPE", "Size", "--values", "S").wantCode(t, ExitNotFound)

	r := run(t, url, "product", "attribute", "list", "TEE", "--fields", "attribute,value,price_extra,code").wantCode(t, ExitOK)
	if r.out != "Size\tS\t0\tS\nSize\tM\t2.00\tM\nColour\tRed\t0\tRED\nColour\tNavy blue\t-1.50\tNAVY-BLUE\n" {
		t.Fatalf("attribute list: %q", r.out)
	}

	// Dry run shows what would be made and writes nothing.
	vs = nil
	r = run(t, url, "product", "variants", "generate", "TEE", "--dry-run", "-o", "json").wantCode(t, ExitOK).wantErr(t, "4 variants would be created, 0 existed", "dry run")
	r.json(t, &vs)
	if len(vs) != 4 {
		t.Fatalf("dry run: %v", vs)
	}
	if r := run(t, url, "product", "variants", "list", "TEE", "-o", "json"); strings.TrimSpace(r.out) != "[]" {
		t.Fatalf("dry run wrote: %s", r.out)
	}

	vs = nil
	run(t, url, "product", "variants", "generate", "TEE", "-o", "json").wantCode(t, ExitOK).wantErr(t, "TEE: 4 variants created, 0 existed").json(t, &vs)
	if len(vs) != 4 || vs[1]["sku"] != "TEE-S-NAVY-BLUE" || vs[1]["name"] != "T-shirt (S, Navy blue)" || vs[1]["sell_price"] != "18.5" {
		t.Fatalf("generate: %v", vs)
	}
	if vals, _ := vs[3]["values"].([]any); len(vals) != 2 || vals[0] != "Size=M" || vals[1] != "Colour=Navy blue" {
		t.Fatalf("values: %v", vs[3])
	}
	if len(vs[0]) != 7 || vs[0]["own_price"] != false {
		t.Fatalf("variant JSON keys: %v", vs[0])
	}
	var p map[string]any
	run(t, url, "product", "show", "TEE-M-RED", "-o", "json").wantCode(t, ExitOK).json(t, &p)
	if p["template"] != "TEE" || p["sell_price"] != "22" || p["category"] != "apparel" || p["cost_price"] != "4" || p["sales_gl"] != "4000" {
		t.Fatalf("variant product: %v", p)
	}
	run(t, url, "product", "show", "TEE", "-o", "json").wantCode(t, ExitOK).json(t, &p)
	if v, _ := p["variants"].([]any); len(v) != 4 {
		t.Fatalf("show lists variants: %v", p["variants"])
	}

	// Again: nothing new; then a new value gives only its combinations.
	vs = nil
	run(t, url, "product", "variants", "generate", "TEE", "-o", "json").wantCode(t, ExitOK).wantErr(t, "0 variants created, 4 existed").json(t, &vs)
	if len(vs) != 0 {
		t.Fatalf("second run: %v", vs)
	}
	run(t, url, "product", "attribute", "add", "TEE", "Size", "--values", "M,L").wantCode(t, ExitOK)
	r = run(t, url, "product", "variants", "generate", "TEE").wantCode(t, ExitOK).wantErr(t, "2 variants created, 4 existed")
	if !strings.HasPrefix(r.out, "TEE-L-RED\tT-shirt (L, Red)\t20\tSize=L,Colour=Red\n") {
		t.Fatalf("piped table: %q", r.out)
	}
	vs = nil
	run(t, url, "product", "variants", "list", "TEE", "-o", "json").wantCode(t, ExitOK).json(t, &vs)
	if len(vs) != 6 || vs[0]["sku"] != "TEE-S-RED" || vs[5]["sku"] != "TEE-L-NAVY-BLUE" {
		t.Fatalf("variants list: %v", vs)
	}

	// Refusals.
	run(t, url, "product", "attribute", "add", "TEE", "Fit", "--values", "Slim").wantCode(t, ExitInvalid).wantErr(t, "already has 6 variants")
	run(t, url, "product", "variants", "generate", "TEE-S-RED").wantCode(t, ExitInvalid).wantErr(t, "cannot itself be a template")
	run(t, url, "product", "add", "PLAIN", "--name", "Plain").wantCode(t, ExitOK)
	run(t, url, "product", "variants", "generate", "PLAIN").wantCode(t, ExitInvalid).wantErr(t, "PLAIN has no attributes")
	run(t, url, "product", "add", "TEE-XL-RED", "--name", "Someone else's").wantCode(t, ExitOK)
	run(t, url, "product", "attribute", "add", "TEE", "Size", "--values", "XL").wantCode(t, ExitOK)
	r = run(t, url, "product", "variants", "generate", "TEE", "-o", "json").wantCode(t, ExitInvalid)
	var e map[string]any
	if err := json.Unmarshal([]byte(r.err), &e); err != nil || e["kind"] != "conflict" || !strings.Contains(e["error"].(string), "unrelated product TEE-XL-RED") {
		t.Fatalf("taken SKU: %q", r.err)
	}
	vs = nil
	run(t, url, "product", "variants", "list", "TEE", "-o", "json").json(t, &vs)
	if len(vs) != 6 {
		t.Fatalf("a refused generate wrote: %d", len(vs))
	}
	run(t, url, "product", "variants", "generate", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "product", "variants", "list", "NOPE").wantCode(t, ExitNotFound)
	run(t, url, "product", "variants", "generate").wantCode(t, ExitUsage).wantErr(t, "missing SKU")
}

func TestProductOptionCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "product", "add", "BIKE", "--name", "Touring bike", "--sell-price", "900.00").wantCode(t, ExitOK)

	var os []map[string]any
	run(t, url, "product", "option", "add", "BIKE", "Frame", "--values", "S,M,L", "--adjust", "L=25.00,S=-10", "-o", "json").
		wantCode(t, ExitOK).json(t, &os)
	if len(os) != 3 || os[0]["group"] != "Frame" || os[0]["required"] != true || os[0]["price_adjustment"] != "-10" || os[2]["price_adjustment"] != "25.00" {
		t.Fatalf("option add: %v", os)
	}
	run(t, url, "product", "option", "add", "BIKE", "Colour", "--values", "Black,Red", "--adjust", "Red=15.50").wantCode(t, ExitOK)
	run(t, url, "product", "option", "add", "BIKE", "Lights", "--values", "Dynamo,Battery", "--adjust", "Dynamo=60", "--optional", "-o", "json").
		wantCode(t, ExitOK).json(t, &os)
	if os[0]["required"] != false {
		t.Fatalf("--optional: %v", os)
	}
	run(t, url, "product", "option", "add", "BIKE", "Frame", "--values", "XL", "--adjust", "XL=x").wantCode(t, ExitUsage).wantErr(t, "--adjust", "not a number")
	run(t, url, "product", "option", "add", "BIKE", "Frame", "--adjust", "XXL=5").wantCode(t, ExitInvalid).wantErr(t, `"XXL" is not one of the options of option group Frame`)
	run(t, url, "product", "option", "add", "BIKE", "Frame", "--adjust", "L=5", "--adjust", "l=6").wantCode(t, ExitUsage).wantErr(t, "twice")
	run(t, url, "product", "option", "list", "BIKE", "-o", "json").wantCode(t, ExitOK).json(t, &os)
	if len(os) != 7 || os[3]["group"] != "Colour" {
		t.Fatalf("option list: %v", os)
	}

	var cfg map[string]any
	run(t, url, "product", "configure", "BIKE", "--choose", "Frame=L", "--choose", "colour=red", "-o", "json").wantCode(t, ExitOK).json(t, &cfg)
	if cfg["sku"] != "BIKE" || cfg["base_price"] != "900" || cfg["adjustments"] != "40.50" || cfg["price"] != "940.50" {
		t.Fatalf("configure: %v", cfg)
	}
	choices, _ := cfg["choices"].([]any)
	if len(choices) != 2 {
		t.Fatalf("choices: %v", cfg["choices"])
	}
	if c, _ := choices[1].(map[string]any); c["group"] != "Colour" || c["value"] != "Red" || c["price_adjustment"] != "15.50" {
		t.Fatalf("choice: %v", choices[1])
	}
	r := run(t, url, "product", "configure", "BIKE", "--choose", "Frame=S", "--choose", "Colour=Black", "--choose", "Lights=Dynamo").wantCode(t, ExitOK)
	if !strings.Contains(r.out, "Frame=S (-10), Colour=Black, Lights=Dynamo (+60)") || !strings.Contains(r.out, "950") {
		t.Fatalf("configure table: %q", r.out)
	}

	run(t, url, "product", "configure", "BIKE", "--choose", "Frame=M").wantCode(t, ExitInvalid).wantErr(t, "--choose Colour=Black|Red")
	run(t, url, "product", "configure", "BIKE", "--choose", "Frame=M", "--choose", "frame=L", "--choose", "Colour=Red").wantCode(t, ExitInvalid).wantErr(t, "chosen twice")
	run(t, url, "product", "configure", "BIKE", "--choose", "Frame=M", "--choose", "Colour=Red", "--choose", "Bell=yes").wantCode(t, ExitInvalid).wantErr(t, `no option group "Bell"`)
	run(t, url, "product", "configure", "BIKE", "--choose", "Frame=XXL", "--choose", "Colour=Red").wantCode(t, ExitInvalid).wantErr(t, `"XXL" is not an option of BIKE Frame`)
	run(t, url, "product", "configure", "BIKE", "--choose", "Frame").wantCode(t, ExitUsage).wantErr(t, "GROUP=OPTION")
	run(t, url, "product", "configure", "NOPE", "--choose", "Frame=M").wantCode(t, ExitNotFound)
}

func TestProductBOMCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "product", "add", "KIT", "--name", "Bike kit").wantCode(t, ExitOK)
	run(t, url, "product", "add", "WHEEL", "--name", "Wheel", "--cost", "40.25").wantCode(t, ExitOK)
	run(t, url, "product", "add", "CABLE", "--name", "Brake cable", "--uom", "m", "--cost", "1.10").wantCode(t, ExitOK)
	run(t, url, "product", "add", "EBOOK", "--name", "Manual", "--type", "virtual").wantCode(t, ExitOK)

	var l map[string]any
	run(t, url, "product", "bom", "add", "KIT", "WHEEL", "--qty", "2", "-o", "json").wantCode(t, ExitOK).json(t, &l)
	if l["component"] != "WHEEL" || l["qty"] != "2" || l["unit"] != "ea" || l["cost"] != "40.25" || l["line_cost"] != "80.50" {
		t.Fatalf("bom add: %v", l)
	}
	run(t, url, "product", "bom", "add", "KIT", "CABLE", "--qty", "1.5", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	run(t, url, "product", "bom", "add", "KIT", "CABLE", "--qty", "1.5").wantCode(t, ExitOK)
	run(t, url, "product", "bom", "add", "KIT", "CABLE", "--qty", "2.25", "-o", "json").wantCode(t, ExitOK).wantErr(t, "replaced").json(t, &l)
	if l["qty"] != "2.25" || l["cost"] != "1.1" || l["line_cost"] != "2.475" {
		t.Fatalf("bom replace: %v", l)
	}

	var lines []map[string]any
	r := run(t, url, "product", "bom", "list", "KIT", "-o", "json").wantCode(t, ExitOK).wantErr(t, "KIT: 2 components, total cost 82.975 per ea")
	r.json(t, &lines)
	if len(lines) != 2 || lines[0]["component"] != "CABLE" || lines[0]["name"] != "Brake cable" || lines[1]["component"] != "WHEEL" {
		t.Fatalf("bom list: %v", lines)
	}
	r = run(t, url, "product", "bom", "list", "KIT").wantCode(t, ExitOK)
	if r.out != "CABLE\tBrake cable\t2.25\tm\t1.1\t2.475\nWHEEL\tWheel\t2\tea\t40.25\t80.50\n" {
		t.Fatalf("bom table: %q", r.out)
	}

	run(t, url, "product", "bom", "add", "KIT", "WHEEL").wantCode(t, ExitUsage).wantErr(t, "missing --qty")
	run(t, url, "product", "bom", "add", "KIT", "WHEEL", "--qty", "two").wantCode(t, ExitUsage).wantErr(t, "--qty")
	run(t, url, "product", "bom", "add", "KIT", "WHEEL", "--qty", "0").wantCode(t, ExitInvalid).wantErr(t, "more than 0")
	run(t, url, "product", "bom", "add", "KIT", "EBOOK", "--qty", "1").wantCode(t, ExitInvalid).wantErr(t, "EBOOK is a virtual product")
	run(t, url, "product", "bom", "add", "KIT", "NOPE", "--qty", "1").wantCode(t, ExitNotFound)
	run(t, url, "product", "bom", "add", "WHEEL", "KIT", "--qty", "1").wantCode(t, ExitInvalid).wantErr(t, "WHEEL -> KIT -> WHEEL")
	r = run(t, url, "product", "bom", "add", "KIT", "KIT", "--qty", "1", "-o", "json").wantCode(t, ExitInvalid)
	var e map[string]any
	if err := json.Unmarshal([]byte(r.err), &e); err != nil || e["field"] != "component" || !strings.Contains(e["error"].(string), "KIT -> KIT") {
		t.Fatalf("self: %q", r.err)
	}

	run(t, url, "product", "bom", "remove", "KIT", "CABLE").wantCode(t, ExitOK).wantErr(t, "CABLE removed from the bill of materials of KIT")
	run(t, url, "product", "bom", "remove", "KIT", "CABLE").wantCode(t, ExitNotFound).wantErr(t, "no component CABLE")
	run(t, url, "product", "bom", "list", "KIT", "-o", "json").json(t, &lines)
	if len(lines) != 1 {
		t.Fatalf("after remove: %v", lines)
	}
	// A component in a bill of materials cannot be deleted.
	run(t, url, "product", "delete", "WHEEL", "--yes").wantCode(t, ExitInvalid).wantErr(t, "deactivate it instead")
}
