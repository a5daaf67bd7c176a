package printer

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/fault"
)

type stock struct {
	SKU    string          `json:"sku"`
	Name   string          `json:"name"`
	Qty    int             `json:"qty"`
	Price  decimal.Decimal `json:"price"`
	Active bool            `json:"active"`
}

// CellColor marks inactive rows, as a real command would.
func (s stock) CellColor(field string) string {
	if field == "active" && !s.Active {
		return "red"
	}
	return ""
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var stocks = []stock{
	{SKU: "A-1", Name: "Bolt", Qty: 12, Price: dec("0.10"), Active: true},
	{SKU: "B-2", Name: "Nut, hex", Qty: -3, Price: dec("12.50"), Active: false},
}

// run calls List or One on a fresh Printer and returns what it wrote.
func run(t *testing.T, p *Printer, one bool, v any) string {
	t.Helper()
	var buf bytes.Buffer
	p.Out = &buf
	var err error
	if one {
		err = p.One(v)
	} else {
		err = p.List(v)
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	return buf.String()
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"table": Table, "json": JSON, "csv": CSV, "JSON": JSON} {
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseFormat("xml")
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.Usage || fe.Field != "output" {
		t.Fatalf("ParseFormat(xml) error = %#v; want usage error on output", err)
	}
	if want := `--output "xml": use table, json or csv`; fe.Error() != want {
		t.Errorf("message = %q; want %q", fe.Error(), want)
	}
}

func TestList(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		tty    bool
		want   string
	}{
		{"table tty", Table, true, "" +
			"┌─────┬──────────┬─────┬───────┬────────┐\n" +
			"│ SKU │ NAME     │ QTY │ PRICE │ ACTIVE │\n" +
			"├─────┼──────────┼─────┼───────┼────────┤\n" +
			"│ A-1 │ Bolt     │ 12  │ 0.10  │ true   │\n" +
			"│ B-2 │ Nut, hex │ -3  │ 12.50 │ false  │\n" +
			"└─────┴──────────┴─────┴───────┴────────┘\n"},
		{"table piped", Table, false, "A-1\tBolt\t12\t0.10\ttrue\nB-2\tNut, hex\t-3\t12.50\tfalse\n"},
		{"json", JSON, false, `[
  {
    "sku": "A-1",
    "name": "Bolt",
    "qty": 12,
    "price": "0.10",
    "active": true
  },
  {
    "sku": "B-2",
    "name": "Nut, hex",
    "qty": -3,
    "price": "12.50",
    "active": false
  }
]
`},
		{"csv", CSV, false, "sku,name,qty,price,active\nA-1,Bolt,12,0.10,true\nB-2,\"Nut, hex\",-3,12.50,false\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, New(nil, tt.format, nil, tt.tty, false), false, stocks)
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			// Pointers to structs print the same as structs.
			ptrs := []*stock{&stocks[0], &stocks[1]}
			if got := run(t, New(nil, tt.format, nil, tt.tty, false), false, ptrs); got != tt.want {
				t.Errorf("[]*stock got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestOne(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		tty    bool
		want   string
	}{
		{"table tty", Table, true, "sku:     B-2\nname:    Nut, hex\nqty:     -3\nprice:   12.50\nactive:  false\n"},
		{"table piped", Table, false, "sku\tB-2\nname\tNut, hex\nqty\t-3\nprice\t12.50\nactive\tfalse\n"},
		{"json", JSON, false, "{\n  \"sku\": \"B-2\",\n  \"name\": \"Nut, hex\",\n  \"qty\": -3,\n  \"price\": \"12.50\",\n  \"active\": false\n}\n"},
		{"csv", CSV, false, "sku,name,qty,price,active\nB-2,\"Nut, hex\",-3,12.50,false\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, row := range []any{stocks[1], &stocks[1]} {
				if got := run(t, New(nil, tt.format, nil, tt.tty, false), true, row); got != tt.want {
					t.Errorf("One(%T) got:\n%s\nwant:\n%s", row, got, tt.want)
				}
			}
		})
	}
}

func TestFields(t *testing.T) {
	fields := []string{"price", "sku", "price"} // order kept, duplicate dropped
	tests := []struct {
		format Format
		want   string
	}{
		{Table, "0.10\tA-1\n12.50\tB-2\n"},
		{CSV, "price,sku\n0.10,A-1\n12.50,B-2\n"},
		{JSON, "[\n  {\n    \"price\": \"0.10\",\n    \"sku\": \"A-1\"\n  },\n  {\n    \"price\": \"12.50\",\n    \"sku\": \"B-2\"\n  }\n]\n"},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			if got := run(t, New(nil, tt.format, fields, false, false), false, stocks); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	if got, want := run(t, New(nil, Table, fields, true, false), true, stocks[0]), "price:  0.10\nsku:    A-1\n"; got != want {
		t.Errorf("One with fields = %q; want %q", got, want)
	}
}

func TestUnknownField(t *testing.T) {
	for _, rows := range []any{stocks, []stock{}} {
		var buf bytes.Buffer
		err := New(&buf, JSON, []string{"sku", "colour"}, false, false).List(rows)
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != fault.Usage || fe.Field != "fields" {
			t.Fatalf("error = %#v; want usage error on fields", err)
		}
		for _, part := range []string{`"colour"`, "sku, name, qty, price, active"} {
			if !strings.Contains(fe.Msg, part) {
				t.Errorf("message %q does not mention %s", fe.Msg, part)
			}
		}
		if buf.Len() != 0 {
			t.Errorf("wrote %q on error", buf.String())
		}
	}
}

func TestEmptyList(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		tty    bool
		want   string
	}{
		{"table tty", Table, true, ""},
		{"table piped", Table, false, ""},
		{"json", JSON, false, "[]\n"},
		{"csv", CSV, false, "sku,name,qty,price,active\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, rows := range []any{[]stock{}, []stock(nil), []*stock{}} {
				if got := run(t, New(nil, tt.format, nil, tt.tty, false), false, rows); got != tt.want {
					t.Errorf("List(%#v) = %q; want %q", rows, got, tt.want)
				}
			}
		})
	}
	if got := run(t, New(nil, JSON, nil, false, false), false, nil); got != "[]\n" {
		t.Errorf("List(nil) as JSON = %q; want \"[]\\n\"", got)
	}
}

type priced struct {
	Label string              `json:"label"`
	Price decimal.Decimal     `json:"price"`
	Cost  *decimal.Decimal    `json:"cost"`
	Tax   decimal.NullDecimal `json:"tax"`
}

func TestDecimalExact(t *testing.T) {
	d := dec("100.000")
	row := priced{Label: "x", Price: dec("0.10"), Cost: &d, Tax: decimal.NullDecimal{Decimal: dec("1.50"), Valid: true}}
	tests := []struct {
		format Format
		want   string
	}{
		{Table, "x\t0.10\t100.000\t1.50\n"},
		{CSV, "label,price,cost,tax\nx,0.10,100.000,1.50\n"},
		{JSON, "[\n  {\n    \"label\": \"x\",\n    \"price\": \"0.10\",\n    \"cost\": \"100.000\",\n    \"tax\": \"1.50\"\n  }\n]\n"},
	}
	for _, tt := range tests {
		if got := run(t, New(nil, tt.format, nil, false, false), false, []priced{row}); got != tt.want {
			t.Errorf("%s: got %q; want %q", tt.format, got, tt.want)
		}
	}
}

type optional struct {
	Note    *string             `json:"note"`
	Qty     *int                `json:"qty"`
	Cost    *decimal.Decimal    `json:"cost"`
	Tax     decimal.NullDecimal `json:"tax"`
	Seen    *time.Time          `json:"seen"`
	Updated time.Time           `json:"updated"`
	Tags    []string            `json:"tags"`
}

func TestNilPointers(t *testing.T) {
	tests := []struct {
		format Format
		want   string
	}{
		{Table, "\t\t\t\t\t\t\n"},
		{CSV, "note,qty,cost,tax,seen,updated,tags\n,,,,,,\n"},
		{JSON, "{\n  \"note\": null,\n  \"qty\": null,\n  \"cost\": null,\n  \"tax\": null,\n  \"seen\": null,\n  \"updated\": null,\n  \"tags\": []\n}\n"},
	}
	for _, tt := range tests {
		// JSON goes through One to cover the object form; the others through List.
		one := tt.format == JSON
		var v any = []optional{{}}
		if one {
			v = optional{}
		}
		if got := run(t, New(nil, tt.format, nil, false, false), one, v); got != tt.want {
			t.Errorf("%s: got %q; want %q", tt.format, got, tt.want)
		}
	}

	note, qty := "fragile", 7
	row := optional{Note: &note, Qty: &qty, Tags: []string{"a", "b"}}
	if got, want := run(t, New(nil, CSV, []string{"note", "qty", "tags"}, false, false), true, row), "note,qty,tags\nfragile,7,\"a,b\"\n"; got != want {
		t.Errorf("set pointers: got %q; want %q", got, want)
	}
	want := "{\n  \"note\": \"fragile\",\n  \"qty\": 7,\n  \"tags\": [\n    \"a\",\n    \"b\"\n  ]\n}\n"
	if got := run(t, New(nil, JSON, []string{"note", "qty", "tags"}, false, false), true, &row); got != want {
		t.Errorf("set pointers JSON: got %q; want %q", got, want)
	}
}

type dated struct {
	Due     time.Time  `json:"due" print:"date"`
	Shipped *time.Time `json:"shipped" print:"date"`
	At      time.Time  `json:"at"`
}

func TestDateTag(t *testing.T) {
	warsaw := time.FixedZone("CET", 3600)
	due := time.Date(2024, 3, 1, 0, 30, 0, 0, warsaw) // still 1 March where it was recorded
	row := dated{Due: due, Shipped: &due, At: due}
	if got, want := run(t, New(nil, Table, nil, false, false), false, []dated{row}), "2024-03-01\t2024-03-01\t2024-02-29T23:30:00Z\n"; got != want {
		t.Errorf("table: got %q; want %q", got, want)
	}
	want := "{\n  \"due\": \"2024-03-01\",\n  \"shipped\": \"2024-03-01\",\n  \"at\": \"2024-02-29T23:30:00Z\"\n}\n"
	if got := run(t, New(nil, JSON, nil, false, false), true, row); got != want {
		t.Errorf("json: got %q; want %q", got, want)
	}
}

type entry struct {
	Note   string          `json:"note"`
	Amount decimal.Decimal `json:"amount"`
	Qty    int             `json:"qty"`
}

func TestFormulaGuard(t *testing.T) {
	rows := []entry{
		{Note: "=SUM(A1:A9)", Amount: dec("-5.00"), Qty: -2},
		{Note: "+1", Amount: dec("1")},
		{Note: "-x"},
		{Note: "@cmd"},
		{Note: "\tx"},
		{Note: "\rx"},
		{Note: "a=b"},
	}
	want := "note,amount,qty\n" +
		"'=SUM(A1:A9),-5.00,-2\n" +
		"'+1,1,0\n" +
		"'-x,0,0\n" +
		"'@cmd,0,0\n" +
		"'\tx,0,0\n" +
		"\"'\rx\",0,0\n" +
		"a=b,0,0\n"
	if got := run(t, New(nil, CSV, nil, false, false), false, rows); got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	// The guard is for spreadsheets only; other formats keep the text as it is.
	if got := run(t, New(nil, Table, nil, false, false), false, rows[:1]); got != "=SUM(A1:A9)\t-5.00\t-2\n" {
		t.Errorf("table got %q", got)
	}
}

// TestPipedTable: one line per row, no header; a tab or line break inside a cell is shown
// escaped, so it splits neither the fields nor the rows (and stays visible).
func TestPipedTable(t *testing.T) {
	rows := []entry{{Note: "two\nlines\tand tab\r\nend", Qty: 1}}
	got := run(t, New(nil, Table, nil, false, false), false, rows)
	if want := `two\nlines\tand tab\r\nend` + "\t0\t1\n"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	if strings.Contains(got, "NOTE") || strings.Contains(got, "note") {
		t.Errorf("piped table has a header: %q", got)
	}
}

func TestColorer(t *testing.T) {
	tests := []struct {
		name      string
		tty, colr bool
		one       bool
		wantANSI  bool
	}{
		{"table with colour", true, true, false, true},
		{"one with colour", true, true, true, true},
		{"table without colour", true, false, false, false},
		{"one without colour", true, false, true, false},
		{"piped", false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any = stocks
			if tt.one {
				v = stocks[1]
			}
			got := run(t, New(nil, Table, nil, tt.tty, tt.colr), tt.one, v)
			if has := strings.Contains(got, "\x1b[31mfalse\x1b[0m"); has != tt.wantANSI {
				t.Errorf("red cell present = %v; want %v in:\n%s", has, tt.wantANSI, got)
			}
			if !tt.wantANSI && strings.Contains(got, "\x1b[") {
				t.Errorf("unexpected escape in %q", got)
			}
			if tt.wantANSI && strings.Count(got, "\x1b[") != 2 {
				t.Errorf("only the inactive cell should be coloured:\n%s", got)
			}
		})
	}
	// JSON and CSV never colour.
	for _, f := range []Format{JSON, CSV} {
		if got := run(t, New(nil, f, nil, true, true), false, stocks); strings.Contains(got, "\x1b[") {
			t.Errorf("%s has escapes: %q", f, got)
		}
	}
}

type Audit struct {
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

type Location struct {
	Bin string
}

type article struct {
	ID int64 `json:"id"`
	Audit
	*Location
	SKUCode string
	Secret  string `json:"-"`
	hidden  string
}

func TestEmbedded(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	rows := []article{
		{ID: 1, Audit: Audit{CreatedBy: "ann", CreatedAt: at}, Location: &Location{Bin: "B7"}, SKUCode: "A-1", Secret: "s", hidden: "h"},
		{ID: 2, SKUCode: "A-2"}, // nil *Location gives an empty cell
	}
	want := "id,created_by,created_at,bin,sku_code\n1,ann,2024-05-06T07:08:09Z,B7,A-1\n2,,,,A-2\n"
	if got := run(t, New(nil, CSV, nil, false, false), false, rows); got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	if got, want := run(t, New(nil, Table, []string{"bin", "created_by"}, false, false), false, rows), "B7\tann\n\t\n"; got != want {
		t.Errorf("fields from embedded: got %q; want %q", got, want)
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{"SKUCode": "sku_code", "ID": "id", "UnitPrice": "unit_price", "Qty2Box": "qty2_box", "Name": "name"} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestBadInput(t *testing.T) {
	p := New(&bytes.Buffer{}, JSON, nil, false, false)
	if err := p.One((*stock)(nil)); err == nil {
		t.Error("One(nil pointer) succeeded")
	}
	if err := p.List(stocks[0]); err == nil {
		t.Error("List(struct) succeeded")
	}
	if err := p.List([]int{1}); err == nil {
		t.Error("List([]int) succeeded")
	}
}

type wideRow struct {
	SKU   string    `json:"sku"`
	Notes string    `json:"notes" print:"wide"`
	When  time.Time `json:"when" print:"date,wide"`
}

func TestWideColumns(t *testing.T) {
	rows := []wideRow{{SKU: "A-1", Notes: "long text", When: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}}
	if got := run(t, New(nil, Table, nil, false, false), false, rows); got != "A-1\n" {
		t.Errorf("list table leaves wide columns out: %q", got)
	}
	if got := run(t, New(nil, Table, []string{"sku", "when"}, false, false), false, rows); got != "A-1\t2026-01-02\n" {
		t.Errorf("--fields brings a wide column back: %q", got)
	}
	if got := run(t, New(nil, CSV, nil, false, false), false, rows); got != "sku,notes,when\nA-1,long text,2026-01-02\n" {
		t.Errorf("csv keeps every column: %q", got)
	}
	if got := run(t, New(nil, Table, nil, false, false), true, rows[0]); !strings.Contains(got, "notes\tlong text") {
		t.Errorf("one item shows wide columns: %q", got)
	}
}

// The JSON is written already indented; it must be exactly what json.Indent makes of it,
// nested values included.
func TestJSONIsCanonicallyIndented(t *testing.T) {
	type inner struct {
		A string `json:"a"`
		B []int  `json:"b"`
	}
	type row struct {
		Name   string            `json:"name"`
		Tags   []string          `json:"tags"`
		Empty  []string          `json:"empty"`
		Inner  inner             `json:"inner"`
		Map    map[string]string `json:"map"`
		Note   *string           `json:"note"`
		Amount decimal.Decimal   `json:"amount"`
	}
	note := "x <&> \"y\""
	rows := []row{
		{Name: "one", Tags: []string{"a", "b"}, Empty: []string{}, Inner: inner{A: "z", B: []int{1, 2}}, Map: map[string]string{"k": "v"}, Note: &note, Amount: decimal.RequireFromString("1.50")},
		{Name: "two"},
	}
	for _, tc := range []struct {
		name string
		do   func(p *Printer) error
	}{
		{"list", func(p *Printer) error { return p.List(rows) }},
		{"one", func(p *Printer) error { return p.One(rows[0]) }},
		{"empty list", func(p *Printer) error { return p.List([]row{}) }},
	} {
		var out bytes.Buffer
		if err := tc.do(New(&out, JSON, nil, false, false)); err != nil {
			t.Fatal(err)
		}
		var compact, want bytes.Buffer
		if err := json.Compact(&compact, out.Bytes()); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", tc.name, err, out.String())
		}
		if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		want.WriteByte('\n')
		if out.String() != want.String() {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, out.String(), want.String())
		}
	}
}
