package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// The PDF of a document is its rendered HTML laid out by a small engine, so one template
// (built-in or the user's) gives both the HTML and the PDF. It understands the subset an
// invoice-like document needs and ignores the rest (CSS included):
//
//   - head, style, script and title are not printed (the title becomes the PDF's title);
//   - h1 to h4 are headings; p, div, section, header, footer, address, blockquote and li are
//     blocks (li with a bullet); br breaks a line; hr draws a rule;
//   - b, strong and th are bold, i and em italic, small and class "muted" smaller and grey;
//   - table, thead, tbody, tfoot, tr, th and td lay out a table across the page, with
//     colspan; header rows repeat on every page; class "num", "right" or "center" aligns a
//     cell or block; a table of class "layout" has no rules or shading (side-by-side
//     blocks), a row of class "total" is bold with a rule above.
//
// Text is set in Helvetica in the Windows-1252 character set (Western European letters,
// € and £); other characters print as "?".

// node is one element or text of the parsed HTML.
type node struct {
	tag   string // lower case; "" for text
	text  string
	attrs map[string]string
	kids  []*node
}

func (n *node) class(c string) bool {
	for _, f := range strings.Fields(n.attrs["class"]) {
		if f == c {
			return true
		}
	}
	return false
}

// parseHTML reads HTML leniently (unclosed p and li, void elements, HTML entities) into a tree.
func parseHTML(src []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(src))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	root := &node{tag: "#root"}
	stack := []*node{root}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the HTML: %w", err)
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{tag: strings.ToLower(t.Name.Local), attrs: map[string]string{}}
			for _, a := range t.Attr {
				n.attrs[strings.ToLower(a.Name.Local)] = a.Value
			}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			name := strings.ToLower(t.Name.Local)
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].tag == name {
					stack = stack[:i]
					break
				}
			}
		case xml.CharData:
			top.kids = append(top.kids, &node{text: string(t)})
		}
	}
	return root, nil
}

// Page geometry, in millimetres, and type sizes, in points.
const (
	pageMargin = 15.0
	baseSize   = 10.0
	lineFactor = 1.35 // line height / font size
	cellPad    = 1.5
	ptToMM     = 25.4 / 72
)

// layout draws the tree onto a PDF.
type layout struct {
	f      *fpdf.Fpdf
	tr     func(string) string
	title  string
	bold   int
	italic int
	size   float64
	grey   bool
	inLine bool // text has been written on the current line
}

// htmlToPDF lays out rendered HTML as an A4 PDF. compress false leaves the page streams
// readable (for tests).
func htmlToPDF(src []byte, title string, compress bool) ([]byte, error) {
	root, err := parseHTML(src)
	if err != nil {
		return nil, err
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(compress)
	f.SetMargins(pageMargin, pageMargin, pageMargin)
	f.SetAutoPageBreak(true, pageMargin+5)
	f.SetCreationDate(time.Unix(0, 0).UTC())
	f.SetCatalogSort(true)
	l := &layout{f: f, tr: f.UnicodeTranslatorFromDescriptor(""), size: baseSize, title: title}
	if t := find(root, "title"); t != nil {
		l.title = collapse(textOf(t))
	}
	f.SetTitle(l.title, true)
	f.SetCreator("stockctl", true)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-pageMargin)
		f.SetFont("Helvetica", "", 7)
		f.SetTextColor(120, 120, 120)
		f.CellFormat(0, 4, l.tr(fmt.Sprintf("%s  ·  page %d of {nb}", l.title, f.PageNo())), "", 0, "C", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	l.font()
	body := find(root, "body")
	if body == nil {
		body = root
	}
	l.blocks(body)
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func find(n *node, tag string) *node {
	if n.tag == tag {
		return n
	}
	for _, k := range n.kids {
		if m := find(k, tag); m != nil {
			return m
		}
	}
	return nil
}

// textOf is all the text under n.
func textOf(n *node) string {
	if n.tag == "" {
		return n.text
	}
	var b strings.Builder
	for _, k := range n.kids {
		b.WriteString(textOf(k))
	}
	return b.String()
}

// collapse folds runs of white space into one space, as HTML does.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if r == '\u00a0' {
			r = ' '
		}
		b.WriteRune(r)
	}
	if space && b.Len() > 0 {
		b.WriteByte(' ')
	}
	return b.String()
}

func (l *layout) font() {
	style := ""
	if l.bold > 0 {
		style += "B"
	}
	if l.italic > 0 {
		style += "I"
	}
	l.f.SetFont("Helvetica", style, l.size)
	if l.grey {
		l.f.SetTextColor(100, 100, 100)
	} else {
		l.f.SetTextColor(0, 0, 0)
	}
}

func (l *layout) lineHeight() float64 { return l.size * ptToMM * lineFactor }

// newline ends the current line if text was written on it.
func (l *layout) newline() {
	if l.inLine {
		l.f.Ln(l.lineHeight())
		l.inLine = false
	}
}

func (l *layout) space(mm float64) {
	l.newline()
	l.f.SetY(l.f.GetY() + mm)
}

var blockTags = map[string]bool{"p": true, "div": true, "section": true, "header": true, "footer": true, "main": true,
	"article": true, "address": true, "blockquote": true, "li": true, "ul": true, "ol": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "table": true, "hr": true, "body": true, "html": true, "#root": true, "nav": true}

var headingSize = map[string]float64{"h1": 18, "h2": 14, "h3": 12, "h4": 11}

// blocks lays out the children of n.
func (l *layout) blocks(n *node) {
	for _, k := range n.kids {
		l.element(k)
	}
}

func (l *layout) element(n *node) {
	switch n.tag {
	case "":
		l.write(n.text)
		return
	case "head", "style", "script", "title", "template":
		return
	case "br":
		if !l.inLine {
			l.f.Ln(l.lineHeight())
		}
		l.inLine = true
		l.newline()
		return
	case "hr":
		l.newline()
		y := l.f.GetY() + 1
		l.f.SetDrawColor(150, 150, 150)
		l.f.Line(pageMargin, y, pageW()-pageMargin, y)
		l.f.SetY(y + 2)
		return
	case "table":
		l.newline()
		l.table(n)
		l.f.SetY(l.f.GetY() + 3)
		return
	}
	saved := *l
	if size, ok := headingSize[n.tag]; ok {
		l.space(1)
		l.size, l.bold = size, l.bold+1
	}
	switch n.tag {
	case "b", "strong", "th":
		l.bold++
	case "i", "em":
		l.italic++
	case "small":
		l.size = math.Max(6, l.size-2)
	}
	if n.class("muted") {
		l.size, l.grey = math.Max(6, l.size-2), true
	}
	l.font()
	block := blockTags[n.tag]
	if block {
		l.newline()
	}
	if n.tag == "li" {
		l.write("• ")
	}
	if align := alignOf(n); block && align != "L" {
		// An aligned block is set as one paragraph in its own style.
		text := collapse(textOf(n))
		l.f.MultiCell(0, l.lineHeight(), l.tr(strings.TrimSpace(text)), "", align, false)
	} else {
		l.blocks(n)
	}
	if block {
		l.newline()
		switch {
		case headingSize[n.tag] > 0:
			l.f.SetY(l.f.GetY() + 2)
		case n.tag == "p":
			l.f.SetY(l.f.GetY() + 1.5)
		}
	}
	l.bold, l.italic, l.size, l.grey = saved.bold, saved.italic, saved.size, saved.grey
	l.font()
}

// write sets inline text where the line is, wrapping at the margin.
func (l *layout) write(s string) {
	s = collapse(s)
	if !l.inLine {
		s = strings.TrimLeft(s, " ")
	}
	if s == "" {
		return
	}
	l.f.Write(l.lineHeight(), l.tr(s))
	l.inLine = true
}

func alignOf(n *node) string {
	switch {
	case n.class("num") || n.class("right"):
		return "R"
	case n.class("center"):
		return "C"
	}
	switch strings.ToLower(n.attrs["align"]) {
	case "right":
		return "R"
	case "center":
		return "C"
	}
	return "L"
}

func pageW() float64 { return 210 }
func pageH() float64 { return 297 }

// cellLine is one line of a table cell: text, bold or not.
type cellLine struct {
	text string
	bold bool
}

type tcell struct {
	lines   []cellLine
	align   string
	colspan int
	header  bool
	grey    bool
}

type trow struct {
	cells  []tcell
	header bool
	total  bool
}

// cellLines flattens a cell into lines broken at br and block ends; a line is bold when
// all its text is.
func cellLines(n *node, bold bool) []cellLine {
	var out []cellLine
	var cur strings.Builder
	allBold, any := true, false
	flush := func() {
		t := strings.TrimSpace(collapse(cur.String()))
		if t != "" || any {
			out = append(out, cellLine{text: t, bold: allBold && t != ""})
		}
		cur.Reset()
		allBold, any = true, false
	}
	var walk func(n *node, bold bool)
	walk = func(n *node, bold bool) {
		switch n.tag {
		case "":
			if strings.TrimSpace(collapse(n.text)) != "" {
				any = true
				if !bold {
					allBold = false
				}
			}
			cur.WriteString(n.text)
			return
		case "br":
			flush()
			return
		case "b", "strong", "th":
			bold = true
		case "style", "script":
			return
		}
		block := blockTags[n.tag]
		if block && cur.Len() > 0 {
			flush()
		}
		for _, k := range n.kids {
			walk(k, bold)
		}
		if block {
			flush()
		}
	}
	walk(n, bold)
	flush()
	for len(out) > 0 && out[len(out)-1].text == "" {
		out = out[:len(out)-1]
	}
	return out
}

func rowsOf(table *node) []trow {
	var rows []trow
	var walk func(n *node, section string)
	walk = func(n *node, section string) {
		for _, k := range n.kids {
			switch k.tag {
			case "thead", "tbody", "tfoot":
				walk(k, k.tag)
			case "tr":
				r := trow{header: section == "thead", total: k.class("total")}
				for _, c := range k.kids {
					if c.tag != "td" && c.tag != "th" {
						continue
					}
					span, _ := strconv.Atoi(c.attrs["colspan"])
					if span < 1 {
						span = 1
					}
					r.cells = append(r.cells, tcell{lines: cellLines(c, c.tag == "th" || r.total), align: alignOf(c),
						colspan: span, header: c.tag == "th", grey: c.class("muted")})
				}
				if len(r.cells) > 0 && allHeader(r.cells) && section != "tfoot" {
					r.header = true
				}
				rows = append(rows, r)
			}
		}
	}
	walk(table, "")
	return rows
}

func allHeader(cs []tcell) bool {
	for _, c := range cs {
		if !c.header {
			return false
		}
	}
	return true
}

func (l *layout) setCellFont(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	l.f.SetFont("Helvetica", style, size)
}

// widths shares the page width among the columns: each column's natural width (its widest
// line) if they fit, stretched in proportion; else in proportion, but no column narrower
// than its longest word where that can be had. A layout table has equal columns.
func (l *layout) widths(rows []trow, cols int, total float64, equal bool) []float64 {
	w := make([]float64, cols)
	if equal {
		for i := range w {
			w[i] = total / float64(cols)
		}
		return w
	}
	natural, minimum := make([]float64, cols), make([]float64, cols)
	for _, r := range rows {
		col := 0
		for _, c := range r.cells {
			if c.colspan == 1 && col < cols {
				for _, ln := range c.lines {
					l.setCellFont(ln.bold || c.header, l.size)
					natural[col] = math.Max(natural[col], l.f.GetStringWidth(l.tr(ln.text))+2*cellPad+0.5)
					for _, word := range strings.Fields(ln.text) {
						minimum[col] = math.Max(minimum[col], l.f.GetStringWidth(l.tr(word))+2*cellPad+0.5)
					}
				}
			}
			col += c.colspan
		}
	}
	sum := 0.0
	for _, v := range natural {
		sum += math.Max(v, 4)
	}
	if sum <= total {
		for i := range w {
			w[i] = math.Max(natural[i], 4) * total / sum
		}
		return w
	}
	// Too wide: columns that fit keep their width, the others share what is left.
	fixed, flex := 0.0, 0.0
	for i := range w {
		if natural[i] <= total/float64(cols) {
			w[i] = math.Max(natural[i], 4)
			fixed += w[i]
		} else {
			flex += natural[i]
		}
	}
	left := total - fixed
	for i := range w {
		if natural[i] > total/float64(cols) {
			w[i] = math.Max(minimum[i], natural[i]*left/flex)
		}
	}
	sum = 0
	for _, v := range w {
		sum += v
	}
	for i := range w {
		w[i] *= total / sum
	}
	return w
}

// table lays out a table, breaking pages between rows and repeating its header rows.
func (l *layout) table(n *node) {
	rows := rowsOf(n)
	cols := 0
	for _, r := range rows {
		c := 0
		for _, cell := range r.cells {
			c += cell.colspan
		}
		cols = max(cols, c)
	}
	if cols == 0 {
		return
	}
	plain := n.class("layout")
	total := pageW() - 2*pageMargin
	w := l.widths(rows, cols, total, plain)
	lh := l.size * ptToMM * 1.25
	var header []trow
	for _, r := range rows {
		if r.header {
			header = append(header, r)
		}
	}
	var draw func(r trow)
	draw = func(r trow) {
		// Wrap every cell to its width to know the row's height.
		type wrapped struct {
			lines []cellLine
			x, w  float64
			cell  tcell
		}
		var cells []wrapped
		x, col, height := pageMargin, 0, 0.0
		for _, c := range r.cells {
			cw := 0.0
			for i := col; i < col+c.colspan && i < cols; i++ {
				cw += w[i]
			}
			var out []cellLine
			for _, ln := range c.lines {
				l.setCellFont(ln.bold || c.header, l.size)
				parts := l.f.SplitLines([]byte(l.tr(ln.text)), cw-2*cellPad+2*l.f.GetCellMargin())
				if len(parts) == 0 {
					out = append(out, cellLine{bold: ln.bold})
				}
				for _, p := range parts {
					out = append(out, cellLine{text: string(p), bold: ln.bold})
				}
			}
			cells = append(cells, wrapped{lines: out, x: x, w: cw, cell: c})
			height = math.Max(height, float64(len(out))*lh)
			x += cw
			col += c.colspan
		}
		if plain {
			height += cellPad
		} else {
			height += 2 * cellPad
		}
		y := l.f.GetY()
		if y+height > pageH()-pageMargin-5 {
			l.f.AddPage()
			if !r.header {
				for _, h := range header {
					draw(h)
				}
			}
			y = l.f.GetY()
		}
		if r.header && !plain {
			l.f.SetFillColor(232, 232, 232)
			l.f.Rect(pageMargin, y, total, height, "F")
		}
		for _, c := range cells {
			for i, ln := range c.lines {
				l.setCellFont(ln.bold || c.cell.header, l.size)
				if c.cell.grey {
					l.f.SetTextColor(100, 100, 100)
				}
				top := y + float64(i)*lh
				if !plain {
					top += cellPad
				}
				l.f.SetXY(c.x+cellPad-l.f.GetCellMargin(), top)
				l.f.CellFormat(c.w-2*cellPad+2*l.f.GetCellMargin(), lh, ln.text, "", 0, c.cell.align, false, 0, "")
				l.f.SetTextColor(0, 0, 0)
			}
		}
		if !plain {
			switch {
			case r.header:
				l.f.SetDrawColor(136, 136, 136)
				l.f.Line(pageMargin, y+height, pageMargin+total, y+height)
			case r.total:
				l.f.SetDrawColor(136, 136, 136)
				l.f.Line(pageMargin, y, pageMargin+total, y)
			default:
				l.f.SetDrawColor(221, 221, 221)
				l.f.Line(pageMargin, y+height, pageMargin+total, y+height)
			}
		}
		l.f.SetXY(pageMargin, y+height)
	}
	for _, r := range rows {
		draw(r)
	}
	l.font()
}
