package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

func TestProductBarcodeCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "product", "add", "DRILL", "--name", "Cordless drill 18V").wantCode(t, ExitOK)
	run(t, url, "product", "add", "SAW", "--name", "Jigsaw").wantCode(t, ExitOK)

	var b map[string]any
	run(t, url, "product", "barcode", "add", "DRILL", "4006381333931", "-o", "json").wantCode(t, ExitOK).json(t, &b)
	if b["code"] != "4006381333931" || b["sku"] != "DRILL" || b["symbology"] != "ean13" || b["pack"] != nil || b["created_by"] != "tester" {
		t.Fatalf("added barcode: %v", b)
	}
	run(t, url, "product", "barcode", "add", "DRILL", "ABC-1", "--symbology", "Code-128", "-o", "json").wantCode(t, ExitOK).json(t, &b)
	if b["symbology"] != "code128" {
		t.Fatalf("explicit symbology: %v", b)
	}

	run(t, url, "product", "barcode", "add", "DRILL", "4006381333932").wantCode(t, ExitInvalid).wantErr(t, "check digit should be 1, not 2")
	run(t, url, "product", "barcode", "add", "SAW", "4006381333931").wantCode(t, ExitInvalid).wantErr(t, "already belongs to product DRILL")
	run(t, url, "product", "barcode", "add", "DRILL", "96385074", "--pack", "box").wantCode(t, ExitNotFound).wantErr(t, "no pack unit box", "product pack add DRILL box")
	run(t, url, "product", "barcode", "add", "NOPE", "96385074").wantCode(t, ExitNotFound).wantErr(t, "product NOPE does not exist")
	run(t, url, "product", "barcode", "add", "DRILL").wantCode(t, ExitUsage).wantErr(t, "missing CODE")
	run(t, url, "product", "barcode", "add", "DRILL", "96385074", "--symbology", "qr").wantCode(t, ExitUsage).wantErr(t, `--symbology "qr"`, "ean13")
	run(t, url, "product", "barcode", "add", "DRILL", "96385074", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	run(t, url, "product", "barcode").wantCode(t, ExitOK)
	run(t, url, "product", "barcode", "frob").wantCode(t, ExitUsage)

	// The JSON error names the field.
	r := run(t, url, "product", "barcode", "add", "DRILL", "4006381333932", "-o", "json").wantCode(t, ExitInvalid)
	var e map[string]any
	if err := json.Unmarshal([]byte(r.err), &e); err != nil || e["field"] != "barcode" || e["kind"] != "invalid" || e["exit_code"] != float64(5) {
		t.Fatalf("json error: %q", r.err)
	}

	var bs []map[string]any
	run(t, url, "product", "barcode", "list", "DRILL", "-o", "json").wantCode(t, ExitOK).json(t, &bs)
	if len(bs) != 2 || bs[0]["code"] != "4006381333931" || bs[1]["code"] != "ABC-1" {
		t.Fatalf("list (the dry run added nothing): %v", bs)
	}
	run(t, url, "product", "barcode", "list", "SAW", "-o", "json").wantCode(t, ExitOK).json(t, &bs)
	if len(bs) != 0 {
		t.Fatalf("empty list: %v", bs)
	}
	run(t, url, "product", "barcode", "list", "NOPE").wantCode(t, ExitNotFound)

	run(t, url, "product", "barcode", "remove", "DRILL", "ABC-1", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	run(t, url, "product", "barcode", "remove", "SAW", "ABC-1").wantCode(t, ExitNotFound).wantErr(t, "it is on product DRILL")
	run(t, url, "product", "barcode", "remove", "DRILL", "ABC-1").wantCode(t, ExitOK).wantErr(t, "barcode ABC-1 removed from DRILL")
	run(t, url, "product", "barcode", "remove", "DRILL", "ABC-1").wantCode(t, ExitNotFound).wantErr(t, "product DRILL has no barcode ABC-1")
	run(t, url, "product", "barcode", "remove", "DRILL").wantCode(t, ExitUsage).wantErr(t, "missing CODE")
	run(t, url, "product", "barcode", "add", "SAW", "ABC-1").wantCode(t, ExitOK)
}

func TestProductPackCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "product", "add", "DRILL", "--name", "Cordless drill 18V").wantCode(t, ExitOK)

	var k map[string]any
	run(t, url, "product", "pack", "add", "DRILL", "box", "--qty", "12", "-o", "json").wantCode(t, ExitOK).json(t, &k)
	if k["sku"] != "DRILL" || k["code"] != "box" || k["qty"] != "12" || k["stock_uom"] != "ea" {
		t.Fatalf("added pack: %v", k)
	}
	run(t, url, "product", "pack", "add", "DRILL", "pallet", "--qty", "480", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	run(t, url, "product", "pack", "add", "DRILL", "case").wantCode(t, ExitUsage).wantErr(t, "missing --qty")
	run(t, url, "product", "pack", "add", "DRILL", "case", "--qty", "many").wantCode(t, ExitUsage).wantErr(t, "--qty", "not a number")
	run(t, url, "product", "pack", "add", "DRILL", "--qty", "6").wantCode(t, ExitUsage).wantErr(t, "missing UNIT")
	run(t, url, "product", "pack", "add", "DRILL", "case", "--qty", "0").wantCode(t, ExitInvalid).wantErr(t, "more than 0")
	run(t, url, "product", "pack", "add", "DRILL", "dozen", "--qty", "12").wantCode(t, ExitInvalid).wantErr(t, "dozen is already a unit of measure")
	run(t, url, "product", "pack", "add", "DRILL", "box", "--qty", "6").wantCode(t, ExitInvalid).wantErr(t, "already has a pack unit box")
	run(t, url, "product", "pack", "add", "NOPE", "box", "--qty", "6").wantCode(t, ExitNotFound).wantErr(t, "product NOPE does not exist")
	run(t, url, "product", "pack", "add", "DRILL", "case", "--qty", "6").wantCode(t, ExitOK)

	var ks []map[string]any
	run(t, url, "product", "pack", "list", "DRILL", "-o", "json").wantCode(t, ExitOK).json(t, &ks)
	if len(ks) != 2 || ks[0]["code"] != "case" || ks[1]["code"] != "box" {
		t.Fatalf("packs smallest first, no pallet from the dry run: %v", ks)
	}
	run(t, url, "product", "pack", "list", "NOPE").wantCode(t, ExitNotFound)

	// A barcode on the box: product show lists it with its pack.
	run(t, url, "product", "barcode", "add", "DRILL", "14006381333938", "--pack", "box").wantCode(t, ExitOK)
	var d map[string]any
	run(t, url, "product", "show", "DRILL", "-o", "json").wantCode(t, ExitOK).json(t, &d)
	if bs, _ := d["barcodes"].([]any); len(bs) != 1 || bs[0] != "14006381333938 gtin14 (box)" {
		t.Fatalf("show: %v", d["barcodes"])
	}
}

func TestProductLookupCommand(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "product", "add", "DRILL", "--name", "Cordless drill 18V", "--mfr-part-no", "2607001234", "--barcode", "4006381333931").wantCode(t, ExitOK)
	run(t, url, "product", "add", "KIT", "--name", "Drill kit", "--mfr-part-no", "GSR-18").wantCode(t, ExitOK)
	run(t, url, "product", "add", "BARE", "--name", "Drill, bare tool", "--mfr-part-no", "GSR-18").wantCode(t, ExitOK)
	run(t, url, "product", "pack", "add", "DRILL", "box", "--qty", "12").wantCode(t, ExitOK)
	run(t, url, "product", "barcode", "add", "DRILL", "14006381333938", "--pack", "box").wantCode(t, ExitOK)

	var m map[string]any
	run(t, url, "product", "lookup", "4006381333931", "-o", "json").wantCode(t, ExitOK).json(t, &m)
	if m["sku"] != "DRILL" || m["name"] != "Cordless drill 18V" || m["matched_by"] != "barcode" || m["code"] != "4006381333931" ||
		m["pack"] != nil || m["qty"] != "1" || m["stock_uom"] != "ea" || m["active"] != true || len(m) != 8 {
		t.Fatalf("lookup by barcode: %v", m)
	}
	run(t, url, "product", "lookup", "14006381333938", "-o", "json").wantCode(t, ExitOK).json(t, &m)
	if m["pack"] != "box" || m["qty"] != "12" {
		t.Fatalf("lookup by box barcode: %v", m)
	}
	run(t, url, "product", "lookup", "DRILL", "-o", "json").wantCode(t, ExitOK).json(t, &m)
	if m["matched_by"] != "sku" || m["qty"] != "1" {
		t.Fatalf("lookup by SKU: %v", m)
	}
	run(t, url, "product", "lookup", "2607001234", "-o", "json").wantCode(t, ExitOK).json(t, &m)
	if m["sku"] != "DRILL" || m["matched_by"] != "manufacturer part number" {
		t.Fatalf("lookup by part number: %v", m)
	}
	r := run(t, url, "product", "lookup", "14006381333938", "--fields", "sku,qty", "-o", "csv").wantCode(t, ExitOK)
	if r.out != "sku,qty\nDRILL,12\n" {
		t.Fatalf("csv with --fields: %q", r.out)
	}

	run(t, url, "product", "lookup", "GSR-18").wantCode(t, ExitInvalid).wantErr(t, "2 products", "BARE (Drill, bare tool", "KIT (Drill kit")
	run(t, url, "product", "lookup", "9999999999994").wantCode(t, ExitNotFound).wantErr(t, `"9999999999994"`, "product list")
	run(t, url, "product", "lookup").wantCode(t, ExitUsage).wantErr(t, "missing CODE")

	run(t, url, "product", "deactivate", "DRILL").wantCode(t, ExitOK)
	run(t, url, "product", "lookup", "4006381333931", "-o", "json").wantCode(t, ExitOK).wantErr(t, "DRILL is inactive").json(t, &m)
	if m["active"] != false {
		t.Fatalf("inactive product found, marked inactive: %v", m)
	}
}

func TestProductLabel(t *testing.T) {
	url := dbtest.NewURL(t)
	dir := t.TempDir()
	run(t, url, "product", "add", "DRILL", "--name", "Cordless drill 18V", "--barcode", "4006381333931", "--barcode", "96385074").wantCode(t, ExitOK)
	run(t, url, "product", "add", "AB/12", "--name", "Bracket <small> & \"strong\"").wantCode(t, ExitOK)

	// PNG: a real image, written in full, with no temporary file left behind.
	pngPath := filepath.Join(dir, "drill.png")
	run(t, url, "product", "label", "DRILL", "--out", pngPath).wantCode(t, ExitOK).
		wantErr(t, "label for DRILL (EAN-13 4006381333931) written to "+pngPath)
	img := labelPNG(t, pngPath)
	if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 100 {
		t.Fatalf("label too small: %v", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("only the label is in the directory: %v", entries)
	}

	// SVG, chosen by --format or by the extension of --out; --barcode picks the code.
	svgPath := filepath.Join(dir, "drill-label")
	run(t, url, "product", "label", "DRILL", "--format", "svg", "--out", svgPath, "--barcode", "96385074").wantCode(t, ExitOK).wantErr(t, "EAN-8 96385074")
	svg := labelText(t, svgPath)
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, "SKU DRILL") || !strings.Contains(svg, ">96385074<") || !strings.Contains(svg, "Cordless drill 18V") {
		t.Fatalf("svg label: %s", svg)
	}
	run(t, url, "product", "label", "DRILL", "--out", filepath.Join(dir, "x.svg")).wantCode(t, ExitOK)
	if !strings.HasPrefix(labelText(t, filepath.Join(dir, "x.svg")), "<svg") {
		t.Fatal("--out x.svg writes SVG")
	}

	// No barcode: the SKU as Code 128; '/' becomes '_' in the default name; a directory as
	// --out gets the default name; -o json reports what was written.
	var res map[string]any
	run(t, url, "product", "label", "AB/12", "--format", "svg", "--out", dir, "-o", "json").wantCode(t, ExitOK).
		wantErr(t, "Code 128 AB/12").json(t, &res)
	want := filepath.Join(dir, "AB_12.svg")
	if res["sku"] != "AB/12" || res["code"] != "AB/12" || res["symbology"] != "code128" || res["format"] != "svg" || res["file"] != want {
		t.Fatalf("json result: %v", res)
	}
	svg = labelText(t, want)
	if !strings.Contains(svg, ">AB/12<") || !strings.Contains(svg, "SKU AB/12") || !strings.Contains(svg, "Bracket &lt;small&gt; &amp;") {
		t.Fatalf("code 128 svg label: %s", svg)
	}

	// The default --out is SKU.png in the current directory.
	t.Chdir(dir)
	run(t, url, "product", "label", "AB/12").wantCode(t, ExitOK).wantErr(t, "written to AB_12.png")
	labelPNG(t, filepath.Join(dir, "AB_12.png"))

	// --out - writes to stdout when it is not a terminal.
	r := run(t, url, "product", "label", "DRILL", "--out", "-").wantCode(t, ExitOK)
	if _, err := png.Decode(strings.NewReader(r.out)); err != nil {
		t.Fatalf("png on stdout: %v", err)
	}
	if r.err != "" {
		t.Fatalf("nothing said when writing to stdout: %q", r.err)
	}
	r = run(t, url, "product", "label", "DRILL", "--out", "-", "--format", "svg").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "<svg") {
		t.Fatalf("svg on stdout: %q", r.out)
	}
	var out, errb bytes.Buffer
	tty := &App{In: strings.NewReader(""), Out: &out, Err: &errb, OutTTY: true}
	if code := tty.Run(context.Background(), []string{"--db", url, "product", "label", "DRILL", "--out", "-"}); code != ExitUsage ||
		out.Len() != 0 || !strings.Contains(errb.String(), "refusing to write a PNG to the terminal") {
		t.Fatalf("PNG to a terminal: exit %d, stdout %d bytes, stderr %q", code, out.Len(), errb.String())
	}

	run(t, url, "product", "label", "DRILL", "--barcode", "4006381333938").wantCode(t, ExitInvalid).
		wantErr(t, "--barcode 4006381333938 is not a barcode of DRILL", "4006381333931, 96385074")
	run(t, url, "product", "label", "NOPE").wantCode(t, ExitNotFound).wantErr(t, "product NOPE does not exist")
	run(t, url, "product", "label", "DRILL", "--format", "bmp").wantCode(t, ExitUsage).wantErr(t, `--format "bmp"`)
	run(t, url, "product", "label").wantCode(t, ExitUsage).wantErr(t, "missing SKU")
	missing := filepath.Join(dir, "no-such-dir", "x.png")
	run(t, url, "product", "label", "DRILL", "--out", missing).wantCode(t, ExitInvalid).wantErr(t, "cannot write "+missing)
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Fatalf("a failed label created something: %v", err)
	}
}

// labelPNG decodes a label PNG and checks it holds bars: black and white pixels.
func labelPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	var dark, light int
	b := img.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		if g := color.GrayModel.Convert(img.At(x, b.Min.Y+b.Dy()/4)).(color.Gray).Y; g < 64 {
			dark++
		} else if g > 192 {
			light++
		}
	}
	if dark < 30 || light < 30 {
		t.Fatalf("%s: no bars across the label (%d dark, %d light pixels)", path, dark, light)
	}
	return img
}

func labelText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
