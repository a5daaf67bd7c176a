package barcode

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	bc "github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/ean"
	"github.com/boombuler/barcode/twooffive"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Label is what gets printed: the barcode, with its code, SKU and product name underneath.
// An empty Symbology is inferred from Code as Classify does.
type Label struct {
	Code      string
	Symbology Symbology
	SKU, Name string
}

// Layout sizes, in pixels unless named otherwise. Most scanners need a module of at least
// 2 px at label-printer resolutions; 11 modules of quiet zone covers GS1's minimum for EAN-13
// (11 left, 7 right) and is more than EAN-8, ITF-14 and Code 128 need.
const (
	quietModules  = 11
	minModulePx   = 2
	targetWidthPx = 360 // scale modules up until the label is about this wide
	minWidthPx    = 300 // room for SKU and name under narrow codes
	barTopPx      = 12
	barHeightPx   = 100
	textMarginPx  = 10
	codeFontPx    = 16
	infoFontPx    = 14
	linePadPx     = 4
	bottomPadPx   = 8
	maxTextRunes  = 200 // nothing longer fits; bounds the measuring work on hostile input
)

// layout is the geometry both writers draw, so PNG and SVG labels are identical.
type layout struct {
	modules []bool // true = dark module, quiet zones excluded
	module  int    // px per module
	barX    int    // px where the first module starts
	width   int
	height  int
	lines   []textLine
}

type textLine struct {
	text     string
	size     int // px
	baseline int
}

// bar is one run of dark modules: drawing runs rather than modules keeps the SVG small
// and makes one <rect> per printed bar.
type bar struct{ x, w int }

func (l *layout) bars() []bar {
	var out []bar
	for i := 0; i < len(l.modules); {
		if !l.modules[i] {
			i++
			continue
		}
		j := i
		for j < len(l.modules) && l.modules[j] {
			j++
		}
		out = append(out, bar{x: l.barX + i*l.module, w: (j - i) * l.module})
		i = j
	}
	return out
}

// encode validates the label's code and returns boombuler's barcode for it.
func encode(l Label) (bc.Barcode, error) {
	sym, err := Classify(l.Code, string(l.Symbology))
	if err != nil {
		return nil, err
	}
	var b bc.Barcode
	switch sym {
	case EAN13, EAN8:
		b, err = ean.Encode(l.Code)
	case UPCA:
		// UPC-A is the EAN-13 pattern with an implied leading 0; scanners report it as
		// the 12-digit UPC-A again.
		b, err = ean.Encode("0" + l.Code)
	case GTIN14:
		// ITF-14 (interleaved 2 of 5) is the GS1 symbology for a GTIN-14 on outer cases
		// and what warehouse scanners expect there; GS1-128 would need the "(01)"
		// application identifier and FNC1 on top of Code 128 for no gain in this use.
		// Bearer bars are left out: they guard against short reads on corrugated board
		// printing, not on printed labels.
		b, err = twooffive.Encode(l.Code, true)
	default:
		b, err = code128.Encode(l.Code)
	}
	if err != nil {
		// Classify already accepted the code, so this is a mismatch with the library.
		return nil, fmt.Errorf("barcode: encode %q as %s: %w", l.Code, sym, err)
	}
	return b, nil
}

// modulesOf reads the module pattern back from the barcode image: one sample per column
// at the middle row, so it works for any 1D barcode boombuler renders.
func modulesOf(b bc.Barcode) []bool {
	r := b.Bounds()
	y := r.Min.Y + r.Dy()/2
	out := make([]bool, r.Dx())
	for x := r.Min.X; x < r.Max.X; x++ {
		out[x-r.Min.X] = isDark(b.At(x, y))
	}
	return out
}

func isDark(c color.Color) bool {
	return color.GrayModel.Convert(c).(color.Gray).Y < 128
}

var goRegular = sync.OnceValues(func() (*opentype.Font, error) {
	return opentype.Parse(goregular.TTF)
})

// newFace gives a face at size px. Faces keep per-glyph buffers and are not safe to share
// between goroutines, so every label makes its own.
func newFace(size int) (font.Face, error) {
	f, err := goRegular()
	if err != nil {
		return nil, fmt.Errorf("barcode: load font: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("barcode: load font: %w", err)
	}
	return face, nil
}

func makeLayout(l Label) (*layout, map[int]font.Face, error) {
	b, err := encode(l)
	if err != nil {
		return nil, nil, err
	}
	lay := &layout{modules: modulesOf(b)}
	total := len(lay.modules) + 2*quietModules
	lay.module = max(minModulePx, targetWidthPx/total)
	lay.width = max(minWidthPx, total*lay.module)
	lay.barX = (lay.width - len(lay.modules)*lay.module) / 2

	faces := map[int]font.Face{}
	for _, size := range []int{codeFontPx, infoFontPx} {
		if faces[size], err = newFace(size); err != nil {
			return nil, nil, err
		}
	}
	sku := clean(l.SKU)
	if sku != "" {
		sku = "SKU " + sku
	}
	y := barTopPx + barHeightPx
	maxW := fixed.I(lay.width - 2*textMarginPx)
	for _, t := range []textLine{{text: l.Code, size: codeFontPx}, {text: sku, size: infoFontPx}, {text: clean(l.Name), size: infoFontPx}} {
		face := faces[t.size]
		m := face.Metrics()
		y += linePadPx + m.Ascent.Ceil()
		t.baseline = y
		t.text = truncate(face, t.text, maxW)
		y += m.Descent.Ceil()
		lay.lines = append(lay.lines, t)
	}
	lay.height = y + bottomPadPx
	return lay, faces, nil
}

// clean makes free text drawable: control characters and broken UTF-8 from imports would
// otherwise print as boxes in the PNG and be invalid XML in the SVG.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// truncate shortens s with an ellipsis so it fits maxW on the label.
func truncate(face font.Face, s string, maxW fixed.Int26_6) string {
	if utf8.RuneCountInString(s) > maxTextRunes {
		s = string([]rune(s)[:maxTextRunes])
	}
	if font.MeasureString(face, s) <= maxW {
		return s
	}
	const ellipsis = "…"
	limit := maxW - font.MeasureString(face, ellipsis)
	var w fixed.Int26_6
	prev := rune(-1)
	for i, r := range s {
		if prev >= 0 {
			w += face.Kern(prev, r)
		}
		a, _ := face.GlyphAdvance(r)
		w += a
		if w > limit {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace) + ellipsis
		}
		prev = r
	}
	return s
}

// WritePNG draws l as a grayscale PNG to w.
func WritePNG(w io.Writer, l Label) error {
	lay, faces, err := makeLayout(l)
	if err != nil {
		return err
	}
	img := image.NewGray(image.Rect(0, 0, lay.width, lay.height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for _, b := range lay.bars() {
		draw.Draw(img, image.Rect(b.x, barTopPx, b.x+b.w, barTopPx+barHeightPx), image.Black, image.Point{}, draw.Src)
	}
	for _, t := range lay.lines {
		face := faces[t.size]
		d := font.Drawer{Dst: img, Src: image.Black, Face: face}
		x := (fixed.I(lay.width) - d.MeasureString(t.text)) / 2
		d.Dot = fixed.Point26_6{X: x, Y: fixed.I(t.baseline)}
		d.DrawString(t.text)
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("barcode: write PNG: %w", err)
	}
	return nil
}

// WriteSVG draws l as an SVG document to w, with one <rect> per bar in the group "bars".
func WriteSVG(w io.Writer, l Label) error {
	lay, _, err := makeLayout(l)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`+"\n",
		lay.width, lay.height, lay.width, lay.height)
	fmt.Fprintf(bw, `<rect x="0" y="0" width="%d" height="%d" fill="#fff"/>`+"\n", lay.width, lay.height)
	// crispEdges stops renderers from anti-aliasing bar edges into grey, which scanners
	// misread as width changes.
	fmt.Fprintf(bw, `<g id="bars" fill="#000" shape-rendering="crispEdges">`+"\n")
	for _, b := range lay.bars() {
		fmt.Fprintf(bw, `<rect x="%d" y="%d" width="%d" height="%d"/>`+"\n", b.x, barTopPx, b.w, barHeightPx)
	}
	fmt.Fprintf(bw, "</g>\n")
	fmt.Fprintf(bw, `<g id="text" fill="#000" font-family="Go, 'DejaVu Sans', Arial, sans-serif" text-anchor="middle">`+"\n")
	for _, t := range lay.lines {
		fmt.Fprintf(bw, `<text x="%d" y="%d" font-size="%d">`, lay.width/2, t.baseline, t.size)
		if err := xml.EscapeText(bw, []byte(t.text)); err != nil {
			return fmt.Errorf("barcode: write SVG: %w", err)
		}
		fmt.Fprintf(bw, "</text>\n")
	}
	fmt.Fprintf(bw, "</g>\n</svg>\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("barcode: write SVG: %w", err)
	}
	return nil
}
