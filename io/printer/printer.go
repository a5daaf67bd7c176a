// Package printer renders command output as a table, JSON or CSV.
package printer

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/stockctl/stockctl/fault"
)

// Format is an output format chosen with --output.
type Format string

// The formats --output accepts.
const (
	Table Format = "table"
	JSON  Format = "json"
	CSV   Format = "csv"
)

// ParseFormat reads an --output value; case is ignored because "JSON" is an easy slip.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case Table, JSON, CSV:
		return f, nil
	}
	return "", fault.Usagef("output", "--output %q: use table, json or csv", s)
}

// Colorer is implemented by row types that want a cell coloured in a terminal table,
// e.g. a status column. CellColor returns "green", "blue", "red", "yellow" or "".
type Colorer interface {
	CellColor(field string) string
}

// Printer writes rows to Out in one format.
type Printer struct {
	Out    io.Writer
	Format Format
	Fields []string // columns chosen with --fields, in the order given; empty means all
	TTY    bool     // Out is a terminal: tables get borders and a header, else bare tab-separated lines for awk/cut
	Color  bool     // ANSI colours allowed (the caller checks TTY and NO_COLOR)
}

// New returns a Printer; see the Printer fields.
func New(out io.Writer, format Format, fields []string, tty, color bool) *Printer {
	return &Printer{Out: out, Format: format, Fields: fields, TTY: tty, Color: color}
}

// List prints rows, a slice of structs or of pointers to structs. Nil pointers in the
// slice are skipped.
func (p *Printer) List(rows any) error {
	v := reflect.ValueOf(rows)
	if !v.IsValid() {
		// An untyped nil has no columns; only JSON has something to say about it.
		r, err := p.newRows(nil)
		if err != nil {
			return err
		}
		return r.Close()
	}
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return fmt.Errorf("printer: List needs a slice of structs, got %T", rows)
	}
	r, err := p.newRows(v.Type().Elem())
	if err != nil {
		return err
	}
	for i := range v.Len() {
		if err := r.add(v.Index(i)); err != nil {
			return err
		}
	}
	return r.Close()
}

// One prints a single struct or pointer to struct.
func (p *Printer) One(row any) error {
	v := reflect.ValueOf(row)
	if !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		return fmt.Errorf("printer: One needs a struct, got nil %T", row)
	}
	cols, err := p.columns(v.Type(), false)
	if err != nil {
		return err
	}
	return p.render(cols, v)
}

// columns returns the columns of row type t, narrowed and ordered by p.Fields. Without
// --fields a list drawn as a table leaves out the wide columns, so it fits a terminal;
// JSON, CSV and single items always carry every column.
func (p *Printer) columns(t reflect.Type, list bool) ([]column, error) {
	if derefType(t).Kind() != reflect.Struct {
		return nil, fmt.Errorf("printer: rows must be structs, got %s", t)
	}
	all := columnsOf(derefType(t))
	byName := make(map[string]column, len(all))
	names := make([]string, len(all))
	for i, c := range all {
		byName[c.name] = c
		names[i] = c.name
	}
	var cols []column
	seen := map[string]bool{}
	for _, f := range p.Fields {
		f = strings.TrimSpace(f)
		if f == "" || seen[f] {
			continue
		}
		c, ok := byName[f]
		if !ok {
			return nil, fault.Usagef("fields", "--fields: unknown field %q (valid: %s)", f, strings.Join(names, ", "))
		}
		seen[f] = true
		cols = append(cols, c)
	}
	if len(cols) > 0 {
		return cols, nil
	}
	if list && (p.Format == Table || p.Format == "") {
		for _, c := range all {
			if !c.wide {
				cols = append(cols, c)
			}
		}
		return cols, nil
	}
	return all, nil
}

// render prints one item. The output is built in memory and written once, so a failure
// part way leaves Out untouched rather than holding half a document.
func (p *Printer) render(cols []column, row reflect.Value) error {
	var buf bytes.Buffer
	switch p.Format {
	case JSON:
		keys, err := jsonKeys(cols, "")
		if err != nil {
			return err
		}
		b, err := appendObject(nil, cols, keys, row, "")
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	case CSV:
		r := &Rows{p: p, cols: cols}
		r.start()
		if err := r.add(row); err != nil {
			return err
		}
		r.csv.Flush()
		if err := r.csv.Error(); err != nil {
			return err
		}
		buf.Write(r.buf.Bytes())
	case Table, "":
		p.writeVertical(&buf, cols, row)
	default:
		return fault.Usagef("output", "--output %q: use table, json or csv", p.Format)
	}
	_, err := p.Out.Write(buf.Bytes())
	return err
}

// guardFormula stops a spreadsheet from running free text as a formula (OWASP CSV
// injection). Only text fields are guarded, so a negative quantity stays a number.
func guardFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeTable draws the rows as a table; cells are escaped (see Escape) and then coloured,
// so the printer's own colour codes are the only control sequences that reach the terminal.
func (p *Printer) writeTable(buf io.Writer, cols []column, rows []reflect.Value) error {
	if len(rows) == 0 {
		return nil // the caller tells the user on stderr
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = strings.ToUpper(c.name)
	}
	t := tablewriter.NewTable(buf,
		// AutoFormat would turn "sku_code" into "SKU CODE"; keep names usable with --fields.
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
	)
	t.Header(header...)
	for _, r := range rows {
		colorer := p.colorer(r)
		line := make([]string, len(cols))
		for i, c := range cols {
			line[i] = paint(colorer, c.name, Escape(cell(fieldOf(r, c), c.date)))
		}
		if err := t.Append(line); err != nil {
			return err
		}
	}
	return t.Render()
}

// writeVertical prints one record as "name: value" lines, aligned on a terminal and
// tab-separated when piped; values are escaped (see Escape), so each stays on its line.
func (p *Printer) writeVertical(buf *bytes.Buffer, cols []column, r reflect.Value) {
	width := 0
	for _, c := range cols {
		width = max(width, len(c.name))
	}
	colorer := p.colorer(r)
	for _, c := range cols {
		val := Escape(cell(fieldOf(r, c), c.date))
		if p.TTY {
			fmt.Fprintf(buf, "%-*s  %s\n", width+1, c.name+":", paint(colorer, c.name, val))
		} else {
			fmt.Fprintf(buf, "%s\t%s\n", c.name, val)
		}
	}
}

var ansi = map[string]string{"red": "31", "green": "32", "yellow": "33", "blue": "34"}

// colorer returns the row's Colorer when colours are on; it checks the pointer too, so
// CellColor may have either receiver.
func (p *Printer) colorer(r reflect.Value) Colorer {
	if !p.Color {
		return nil
	}
	if r.Kind() != reflect.Pointer {
		ptr := reflect.New(r.Type())
		ptr.Elem().Set(r)
		r = ptr
	}
	c, _ := r.Interface().(Colorer)
	return c
}

func paint(c Colorer, field, text string) string {
	if c == nil || text == "" {
		return text
	}
	code, ok := ansi[c.CellColor(field)]
	if !ok {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}
