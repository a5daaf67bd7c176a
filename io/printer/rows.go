package printer

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"

	"github.com/stockctl/stockctl/fault"
)

// Rows prints a list one row at a time, so a command can print rows while the database
// still sends them instead of holding them all first. Rows given to Add are copied in
// batches to a goroutine that encodes them (JSON, CSV and piped lines) or keeps them (a
// terminal table, whose column widths need them all), so encoding runs alongside the
// reading. Whatever the format, the output is written once, at Close, so an error part
// way leaves Out untouched rather than holding half a document.
type Rows struct {
	p     *Printer
	t     reflect.Type // the row struct type; nil for an untyped nil list
	cols  []column
	keys  [][]byte // JSON: the text before each column's value
	buf   output
	b     []byte // JSON: the row being encoded, reused
	csv   *csv.Writer
	rec   []string
	table []reflect.Value // terminal table: copies of the rows
	n     int
	pipe  *pipe // the encoding goroutine, from the first Add
}

// Rows starts a list of rows of the type of sample, a struct or a pointer to one (its
// value is not printed). Add the rows, then Close.
func (p *Printer) Rows(sample any) (*Rows, error) {
	t := reflect.TypeOf(sample)
	if t == nil {
		return nil, fmt.Errorf("printer: Rows needs a struct to take the columns from, got nil")
	}
	return p.newRows(t)
}

func (p *Printer) newRows(t reflect.Type) (*Rows, error) {
	switch p.Format {
	case Table, JSON, CSV, "":
	default:
		return nil, fault.Usagef("output", "--output %q: use table, json or csv", p.Format)
	}
	r := &Rows{p: p}
	if t != nil {
		cols, err := p.columns(t, true)
		if err != nil {
			return nil, err
		}
		r.t, r.cols = derefType(t), cols
	}
	if p.Format == JSON {
		keys, err := jsonKeys(r.cols, "  ")
		if err != nil {
			return nil, err
		}
		r.keys = keys
	}
	r.start()
	return r, nil
}

// start writes what comes before the first row: the CSV header.
func (r *Rows) start() {
	if r.p.Format != CSV || r.cols == nil {
		return // an untyped nil has no header to write
	}
	r.csv = csv.NewWriter(&r.buf)
	r.rec = make([]string, len(r.cols))
	for i, c := range r.cols {
		r.rec[i] = c.name
	}
	_ = r.csv.Write(r.rec) // into memory: the error, if any, is kept for Flush
}

// Add prints one row: a struct or a pointer to one, of the type Rows was started with.
// A nil pointer is skipped. The row is copied, so it may be reused once Add returns, but
// what it points to (pointer fields, slices, maps) must not change until Close.
func (r *Rows) Add(row any) error {
	v := reflect.ValueOf(row)
	if v.IsValid() && derefType(v.Type()) != r.t {
		return fmt.Errorf("printer: Rows of %s given a %T", r.t, row)
	}
	if v = indirect(v); !v.IsValid() {
		return nil
	}
	if r.pipe == nil {
		r.pipe = startPipe(r)
	}
	r.pipe.put(v)
	return nil
}

// Discard stops a list without printing it, as when reading its rows failed.
func (r *Rows) Discard() {
	if r.pipe != nil {
		_ = r.pipe.finish()
		r.pipe = nil
	}
}

// pipe hands rows, copied in batches, to a goroutine that passes them to add in order.
type pipe struct {
	todo chan reflect.Value // full batches ([]T of pipeBatch rows, the last one shorter)
	free chan reflect.Value // batches done with, for reuse
	done chan error         // the first error of add, once todo is closed and drained
	t    reflect.Type
	cur  reflect.Value // the batch being filled
	n    int
}

const pipeBatch = 256

func startPipe(r *Rows) *pipe {
	p := &pipe{todo: make(chan reflect.Value, 4), free: make(chan reflect.Value, 6), done: make(chan error, 1), t: r.t}
	p.cur = reflect.MakeSlice(reflect.SliceOf(r.t), pipeBatch, pipeBatch)
	go func() {
		var err error
		for b := range p.todo {
			for i := range b.Len() {
				if err == nil {
					err = r.add(b.Index(i))
				}
			}
			if b.Len() == pipeBatch {
				select {
				case p.free <- b:
				default:
				}
			}
		}
		p.done <- err
	}()
	return p
}

func (p *pipe) put(v reflect.Value) {
	p.cur.Index(p.n).Set(v)
	p.n++
	if p.n < pipeBatch {
		return
	}
	p.todo <- p.cur
	select {
	case p.cur = <-p.free:
	default:
		p.cur = reflect.MakeSlice(reflect.SliceOf(p.t), pipeBatch, pipeBatch)
	}
	p.n = 0
}

// finish sends the last rows and waits for the goroutine.
func (p *pipe) finish() error {
	if p.n > 0 {
		p.todo <- p.cur.Slice(0, p.n)
	}
	close(p.todo)
	return <-p.done
}

func (r *Rows) add(v reflect.Value) error {
	if v = indirect(v); !v.IsValid() {
		return nil
	}
	switch r.p.Format {
	case JSON:
		if r.n == 0 {
			r.buf.WriteString("[\n  ")
		} else {
			r.buf.WriteString(",\n  ")
		}
		b, err := appendObject(r.b[:0], r.cols, r.keys, v, "  ")
		if err != nil {
			return err
		}
		r.buf.Write(b)
		r.b = b
	case CSV:
		for i, c := range r.cols {
			r.rec[i] = cell(fieldOf(v, c), c.date)
			if c.text {
				r.rec[i] = guardFormula(r.rec[i])
			}
		}
		if err := r.csv.Write(r.rec); err != nil {
			return err
		}
	default:
		if r.p.TTY {
			keep := reflect.New(v.Type()).Elem()
			keep.Set(v)
			r.table = append(r.table, keep)
			break
		}
		// Piped: one tab-separated line per row with no header, like gh, so awk and cut
		// see only data; cells are escaped (see Escape), so tabs and newlines in them
		// cannot split a field or a row.
		for i, c := range r.cols {
			if i > 0 {
				r.buf.WriteByte('\t')
			}
			r.buf.WriteString(Escape(cell(fieldOf(v, c), c.date)))
		}
		r.buf.WriteByte('\n')
	}
	r.n++
	return nil
}

// Close finishes the list and writes it to the Printer's Out.
func (r *Rows) Close() error {
	if r.pipe != nil {
		err := r.pipe.finish()
		r.pipe = nil
		if err != nil {
			return err
		}
	}
	switch r.p.Format {
	case JSON:
		if r.n == 0 {
			r.buf.WriteString("[]\n")
		} else {
			r.buf.WriteString("\n]\n")
		}
	case CSV:
		if r.csv != nil {
			r.csv.Flush()
			if err := r.csv.Error(); err != nil {
				return err
			}
		}
	default:
		if r.p.TTY {
			if err := r.p.writeTable(&r.buf, r.cols, r.table); err != nil {
				return err
			}
		}
	}
	return r.buf.writeTo(r.p.Out)
}

// output is a document held in memory until it is complete. It grows by chunks, so a
// long one is never copied to make room, as a bytes.Buffer would copy it.
type output struct {
	full [][]byte
	cur  []byte
}

const outputChunk = 1 << 20

// room makes sure the current chunk has space.
func (o *output) room() {
	if len(o.cur) < cap(o.cur) {
		return
	}
	if len(o.cur) > 0 {
		o.full = append(o.full, o.cur)
	}
	o.cur = make([]byte, 0, outputChunk)
}

func (o *output) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		o.room()
		k := copy(o.cur[len(o.cur):cap(o.cur)], p)
		o.cur, p = o.cur[:len(o.cur)+k], p[k:]
	}
	return n, nil
}

func (o *output) WriteString(s string) (int, error) {
	n := len(s)
	for len(s) > 0 {
		o.room()
		k := copy(o.cur[len(o.cur):cap(o.cur)], s)
		o.cur, s = o.cur[:len(o.cur)+k], s[k:]
	}
	return n, nil
}

func (o *output) WriteByte(c byte) error {
	o.room()
	o.cur = append(o.cur, c)
	return nil
}

// Bytes returns the document in one slice.
func (o *output) Bytes() []byte {
	var b []byte
	for _, c := range o.full {
		b = append(b, c...)
	}
	return append(b, o.cur...)
}

func (o *output) writeTo(w io.Writer) error {
	for _, c := range append(o.full, o.cur) {
		if len(c) == 0 {
			continue
		}
		if _, err := w.Write(c); err != nil {
			return err
		}
	}
	return nil
}
