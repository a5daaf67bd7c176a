package barcode

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"sync"
	"testing"

	bc "github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/ean"
	"github.com/boombuler/barcode/twooffive"

	"github.com/stockctl/stockctl/fault"
)

func renderPNG(t *testing.T, l Label) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePNG(&buf, l); err != nil {
		t.Fatalf("WritePNG(%+v): %v", l, err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	return img
}

func dark(c color.Color) bool { return color.GrayModel.Convert(c).(color.Gray).Y < 128 }

// scanline reads the pixel row through the middle of the bars.
func scanline(img image.Image) []bool {
	r := img.Bounds()
	y := barTopPx + barHeightPx/2
	out := make([]bool, r.Dx())
	for x := r.Min.X; x < r.Max.X; x++ {
		out[x-r.Min.X] = dark(img.At(x, y))
	}
	return out
}

// runs splits a scanline into alternating runs, starting with a light one.
func runs(px []bool) []int {
	var out []int
	cur, n := false, 0
	for _, d := range px {
		if d != cur {
			out = append(out, n)
			cur, n = d, 0
		}
		n++
	}
	return append(out, n)
}

// symbolModules reads the module pattern off a scanline the way a scanner would: it finds
// the narrowest element to get the module width, then checks every run is a whole number
// of modules and the quiet zones are clear.
func symbolModules(t *testing.T, px []bool) []bool {
	t.Helper()
	rs := runs(px)
	if len(rs) < 3 {
		t.Fatalf("scanline has no bars")
	}
	inner := rs[1 : len(rs)-1]
	if len(inner)%2 == 0 {
		t.Fatalf("scanline does not end in light quiet zone")
	}
	module := inner[0]
	for _, n := range inner {
		module = min(module, n)
	}
	if module < minModulePx {
		t.Errorf("module is %d px, want at least %d", module, minModulePx)
	}
	if rs[0] < quietModules*module || rs[len(rs)-1] < quietModules*module {
		t.Errorf("quiet zones %d and %d px, want at least %d", rs[0], rs[len(rs)-1], quietModules*module)
	}
	var mods []bool
	for i, n := range inner {
		if n%module != 0 {
			t.Fatalf("run %d is %d px, not a multiple of the %d px module", i, n, module)
		}
		for range n / module {
			mods = append(mods, i%2 == 0)
		}
	}
	return mods
}

// encoded is boombuler's own module pattern for a code.
func encoded(t *testing.T, b bc.Barcode, err error) []bool {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var out []bool
	for x := 0; x < b.Bounds().Dx(); x++ {
		out = append(out, dark(b.At(x, 0)))
	}
	return out
}

func bits(s string) []bool {
	out := make([]bool, len(s))
	for i := range s {
		out[i] = s[i] == '1'
	}
	return out
}

func sameBits(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// EAN tables from the GS1 specification, kept independent of boombuler's so decoding
// checks the drawing rather than agreeing with it.
var (
	eanL      = []string{"0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"}
	eanParity = []string{"LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"}
)

func eanDigit(m []bool, set byte) (int, bool) {
	for d, l := range eanL {
		p := bits(l)
		for i := range p {
			switch set {
			case 'R':
				p[i] = !p[i]
			case 'G': // G is R reversed
				p[i] = l[len(l)-1-i] == '0'
			}
		}
		if sameBits(m, p) {
			return d, true
		}
	}
	return 0, false
}

// decodeEAN turns an EAN-13 or EAN-8 module pattern back into its digits.
func decodeEAN(t *testing.T, m []bool) string {
	t.Helper()
	half := 0
	switch len(m) {
	case 95:
		half = 6
	case 67:
		half = 4
	default:
		t.Fatalf("EAN pattern of %d modules", len(m))
	}
	guard, centre := bits("101"), bits("01010")
	mid := 3 + 7*half
	if !sameBits(m[:3], guard) || !sameBits(m[mid:mid+5], centre) || !sameBits(m[len(m)-3:], guard) {
		t.Fatalf("EAN guard patterns wrong")
	}
	var digits []byte
	parity := ""
	for i := range half {
		chunk := m[3+7*i : 10+7*i]
		if d, ok := eanDigit(chunk, 'L'); ok {
			digits, parity = append(digits, byte('0'+d)), parity+"L"
		} else if d, ok := eanDigit(chunk, 'G'); ok && half == 6 {
			digits, parity = append(digits, byte('0'+d)), parity+"G"
		} else {
			t.Fatalf("left digit %d undecodable", i)
		}
	}
	for i := range half {
		d, ok := eanDigit(m[mid+5+7*i:mid+12+7*i], 'R')
		if !ok {
			t.Fatalf("right digit %d undecodable", i)
		}
		digits = append(digits, byte('0'+d))
	}
	if half == 4 {
		return string(digits)
	}
	for d, p := range eanParity {
		if p == parity {
			return string(rune('0'+d)) + string(digits)
		}
	}
	t.Fatalf("parity %s matches no leading digit", parity)
	return ""
}

// decodeITF reads interleaved 2 of 5 from element widths in modules.
func decodeITF(t *testing.T, m []bool) string {
	t.Helper()
	w := runs(append([]bool{false}, m...))[1:] // element widths, starting with a bar
	wide := func(n int) int {
		if n >= 2 {
			return 1
		}
		return 0
	}
	if len(w) < 7 || w[0]+w[1]+w[2]+w[3] != 4 {
		t.Fatalf("ITF start pattern wrong: %v", w)
	}
	end := w[len(w)-3:]
	if wide(end[0]) != 1 || end[1] != 1 || end[2] != 1 {
		t.Fatalf("ITF stop pattern wrong: %v", end)
	}
	body := w[4 : len(w)-3]
	if len(body)%10 != 0 {
		t.Fatalf("ITF body of %d elements", len(body))
	}
	weights := []int{1, 2, 4, 7, 0}
	var out []byte
	for p := 0; p < len(body); p += 10 {
		for _, off := range []int{0, 1} { // bars carry the first digit, spaces the second
			sum, n := 0, 0
			for i := range 5 {
				if wide(body[p+2*i+off]) == 1 {
					sum += weights[i]
					n++
				}
			}
			if n != 2 {
				t.Fatalf("ITF character without two wide elements")
			}
			if sum == 11 {
				sum = 0
			}
			out = append(out, byte('0'+sum))
		}
	}
	return string(out)
}

func checkLabelImage(t *testing.T, img image.Image, minW, maxW int) {
	t.Helper()
	r := img.Bounds()
	if r.Dx() < minW || r.Dx() > maxW || r.Dy() < 150 || r.Dy() > 220 {
		t.Errorf("label is %dx%d; want width %d..%d, height 150..220", r.Dx(), r.Dy(), minW, maxW)
	}
	var nDark, nLight, textDark int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if dark(img.At(x, y)) {
				nDark++
				if y > barTopPx+barHeightPx {
					textDark++
				}
			} else {
				nLight++
			}
		}
	}
	if nDark == 0 || nLight == 0 || textDark == 0 {
		t.Errorf("dark %d, light %d, dark under the bars %d; want all > 0", nDark, nLight, textDark)
	}
	if nLight < nDark {
		t.Errorf("background should be light: %d light, %d dark", nLight, nDark)
	}
}

func TestWritePNGDecodesBack(t *testing.T) {
	for _, tc := range []struct {
		label  Label
		decode func(*testing.T, []bool) string
		want   string
		expect []bool
	}{
		{Label{Code: "4006381333931", SKU: "PEN-01", Name: "Ballpoint pen"}, decodeEAN, "4006381333931", nil},
		{Label{Code: "036000291452", Symbology: UPCA, SKU: "TISSUE", Name: "Tissues"}, decodeEAN, "0036000291452", nil},
		{Label{Code: "96385074", SKU: "GUM", Name: "Gum"}, decodeEAN, "96385074", nil},
		{Label{Code: "10012345678902", SKU: "CASE-12", Name: "Case of 12"}, decodeITF, "10012345678902", nil},
	} {
		t.Run(tc.label.Code, func(t *testing.T) {
			img := renderPNG(t, tc.label)
			checkLabelImage(t, img, 300, 400)
			if got := tc.decode(t, symbolModules(t, scanline(img))); got != tc.want {
				t.Errorf("decoded %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWritePNGMatchesEncoder(t *testing.T) {
	long := strings.Repeat("Z", MaxCode128Len)
	for _, tc := range []struct {
		label      Label
		encode     func() (bc.Barcode, error)
		minW, maxW int
	}{
		{Label{Code: "4006381333931"}, func() (bc.Barcode, error) { return ean.Encode("4006381333931") }, 300, 400},
		{Label{Code: "036000291452"}, func() (bc.Barcode, error) { return ean.Encode("0036000291452") }, 300, 400},
		{Label{Code: "10012345678902"}, func() (bc.Barcode, error) { return twooffive.Encode("10012345678902", true) }, 300, 400},
		{Label{Code: "4006381333932", Symbology: Code128}, func() (bc.Barcode, error) { return code128.Encode("4006381333932") }, 300, 400},
		// 209 and 563 modules: past the target width the module stays at 2 px.
		{Label{Code: "SHELF-A7 & <b>", SKU: "X"}, func() (bc.Barcode, error) { return code128.Encode("SHELF-A7 & <b>") }, 400, 450},
		{Label{Code: long}, func() (bc.Barcode, error) { return code128.Encode(long) }, 1000, 1300},
	} {
		t.Run(tc.label.Code, func(t *testing.T) {
			img := renderPNG(t, tc.label)
			checkLabelImage(t, img, tc.minW, tc.maxW)
			b, err := tc.encode()
			if got, want := symbolModules(t, scanline(img)), encoded(t, b, err); !sameBits(got, want) {
				t.Errorf("scanline pattern differs from the encoder's:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestLabelTruncatesLongName(t *testing.T) {
	name := strings.Repeat("Extra long product name ", 20)
	lay, faces, err := makeLayout(Label{Code: "4006381333931", SKU: "SKU-1", Name: name})
	if err != nil {
		t.Fatal(err)
	}
	got := lay.lines[2].text
	if !strings.HasSuffix(got, "…") || len(got) >= len(name) {
		t.Errorf("name not truncated with an ellipsis: %q", got)
	}
	if w := faces[infoFontPx].Metrics(); w.Height == 0 {
		t.Fatal("no font metrics")
	}
	if lay.lines[0].text != "4006381333931" || lay.lines[1].text != "SKU SKU-1" {
		t.Errorf("lines %q %q", lay.lines[0].text, lay.lines[1].text)
	}
	if short := "Gum"; truncate(faces[infoFontPx], short, 1<<20) != short {
		t.Errorf("short text changed")
	}
}

func TestWriteRefusesBadCode(t *testing.T) {
	for _, l := range []Label{
		{Code: "4006381333932"},
		{Code: "4006381333931", Symbology: UPCA},
		{Code: "ABC", Symbology: EAN13},
		{Code: "ABC", Symbology: "qr"},
		{Code: ""},
	} {
		var buf bytes.Buffer
		if err := WritePNG(&buf, l); !fault.Is(err, fault.Invalid) || buf.Len() != 0 {
			t.Errorf("WritePNG(%+v) = %v, wrote %d bytes; want Invalid and nothing written", l, err, buf.Len())
		}
		buf.Reset()
		if err := WriteSVG(&buf, l); !fault.Is(err, fault.Invalid) || buf.Len() != 0 {
			t.Errorf("WriteSVG(%+v) = %v, wrote %d bytes; want Invalid and nothing written", l, err, buf.Len())
		}
	}
}

type svgDoc struct {
	Width  int `xml:"width,attr"`
	Height int `xml:"height,attr"`
	Groups []struct {
		ID    string `xml:"id,attr"`
		Rects []struct {
			X int `xml:"x,attr"`
			W int `xml:"width,attr"`
		} `xml:"rect"`
		Texts []string `xml:"text"`
	} `xml:"g"`
}

func TestWriteSVG(t *testing.T) {
	name := `Fish & Chips <XL> "hot"`
	var buf bytes.Buffer
	if err := WriteSVG(&buf, Label{Code: "4006381333931", SKU: "F&C-1", Name: name + "\x07"}); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !strings.Contains(raw, "Fish &amp; Chips &lt;XL&gt;") || !strings.Contains(raw, "SKU F&amp;C-1") {
		t.Errorf("SVG does not carry the escaped text:\n%s", raw)
	}
	var doc svgDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("SVG does not parse: %v\n%s", err, raw)
	}
	if doc.Width < 300 || doc.Width > 400 {
		t.Errorf("SVG width %d", doc.Width)
	}
	var bars []struct{ X, W int }
	var texts []string
	for _, g := range doc.Groups {
		switch g.ID {
		case "bars":
			for _, r := range g.Rects {
				bars = append(bars, struct{ X, W int }{r.X, r.W})
			}
		case "text":
			texts = g.Texts
		}
	}
	// EAN-13 has 30 bars: 2 in each of the three guards and 2 per digit for 12 digits.
	if len(bars) != 30 {
		t.Errorf("%d bar rects, want 30", len(bars))
	}
	if len(texts) != 3 || texts[0] != "4006381333931" || texts[1] != "SKU F&C-1" || texts[2] != name {
		t.Errorf("texts %q", texts)
	}

	// The rects must be the same bars the PNG draws.
	px := make([]bool, doc.Width)
	for _, b := range bars {
		for x := b.X; x < b.X+b.W; x++ {
			px[x] = true
		}
	}
	if got := decodeEAN(t, symbolModules(t, px)); got != "4006381333931" {
		t.Errorf("SVG bars decode to %q", got)
	}
	if !sameBits(px, scanline(renderPNG(t, Label{Code: "4006381333931"}))) {
		t.Errorf("SVG bars differ from PNG bars")
	}
}

func TestWriteConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			l := Label{Code: "4006381333931", SKU: "S", Name: "N"}
			var err error
			if i%2 == 0 {
				err = WritePNG(&buf, l)
			} else {
				err = WriteSVG(&buf, l)
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// TestWriteSample writes a label for a person to look at:
// STOCKCTL_LABEL_SAMPLE=/tmp/label-sample.png go test -run TestWriteSample ./inventory/barcode/
func TestWriteSample(t *testing.T) {
	path := os.Getenv("STOCKCTL_LABEL_SAMPLE")
	if path == "" {
		t.Skip("set STOCKCTL_LABEL_SAMPLE to a file path to write a sample label")
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l := Label{Code: "4006381333931", SKU: "PEN-BLU-01", Name: "Ballpoint pen, blue ink & soft grip <box of 10> — office supplies"}
	if err := WritePNG(f, l); err != nil {
		t.Fatal(err)
	}
}
