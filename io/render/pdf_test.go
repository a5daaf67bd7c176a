package render

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// pdfText pulls the strings shown with Tj out of uncompressed page streams, in order.
func pdfText(pdf []byte) []string {
	var out []string
	for _, m := range regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\)\s*Tj`).FindAllSubmatch(pdf, -1) {
		out = append(out, strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(string(m[1])))
	}
	return out
}

func TestHTMLToPDFLaysOutTheSubset(t *testing.T) {
	t.Parallel()
	html := `<!DOCTYPE html><html><head><title>Doc &amp; title</title><style>p { color: red }</style></head>
<body>
<h1>Heading one</h1>
<p>A paragraph with <b>bold</b> and &euro; 5 &nbsp;and a <br>break.</p>
<table class="layout"><tr><td><b>Left</b><br>left line</td><td><b>Right</b><br>right line</td></tr></table>
<table class="lines">
<thead><tr><th>#</th><th>Item</th><th class="num">Amount</th></tr></thead>
<tbody>
<tr><td>1</td><td>Widget</td><td class="num">12.50</td></tr>
<tr><td>2</td><td>Gadget with a name long enough to wrap somewhere if the column were narrow</td><td class="num">3.00</td></tr>
</tbody>
<tfoot><tr class="total"><td colspan="2" class="num">Total</td><td class="num">15.50</td></tr></tfoot>
</table>
<ul><li>one<li>two</ul>
<p class="muted">small print</p>
</body></html>`
	pdf, err := htmlToPDF([]byte(html), "fallback", false)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(pdfText(pdf), "|")
	for _, want := range []string{"Heading one", "A paragraph with ", "bold", "and \x80 5  and a", "break.", "Left", "left line", "Right",
		"#", "Item", "Amount", "12.50", "Widget", "Total", "15.50", "\x95 |one", "small print", "Doc & title"} {
		if !strings.Contains(got, want) {
			t.Errorf("PDF text lacks %q: %s", want, got)
		}
	}
	if strings.Contains(got, "color") {
		t.Errorf("style printed: %s", got)
	}
	// The header row repeats on every page of a long table.
	var rows strings.Builder
	for i := 1; i <= 120; i++ {
		fmt.Fprintf(&rows, "<tr><td>%d</td><td>Item %d</td></tr>", i, i)
	}
	pdf, err = htmlToPDF([]byte(`<table><thead><tr><th>No</th><th>Name</th></tr></thead><tbody>`+rows.String()+`</tbody></table>`), "long", false)
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Count(string(pdf), "/Type /Page\n")
	headers := strings.Count(strings.Join(pdfText(pdf), "|"), "|Name|")
	if pages < 2 || headers != pages {
		t.Fatalf("%d pages, %d headers", pages, headers)
	}
}
