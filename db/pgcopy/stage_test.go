package pgcopy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/io/csvio"
)

// readCopy decodes the binary COPY stream src gives, the way the server reads it: the
// header, then tuples of (row_no int4, text cells..., perrs jsonb) until the trailer. A
// cell is nil for NULL, int32 for row_no, else a string (perrs without its version byte).
// It stops at the first read error and returns it.
func readCopy(t *testing.T, src io.Reader) ([][]any, error) {
	t.Helper()
	var data bytes.Buffer
	buf := make([]byte, 1000) // small reads, so rows straddle them
	for {
		n, err := src.Read(buf)
		data.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	b := data.Bytes()
	if len(b) < 19 || string(b[:11]) != "PGCOPY\n\xff\r\n\x00" || !bytes.Equal(b[11:19], make([]byte, 8)) {
		t.Fatalf("bad COPY header % x", b[:min(len(b), 19)])
	}
	b = b[19:]
	var rows [][]any
	for {
		if len(b) < 2 {
			t.Fatal("no trailer")
		}
		fields := int16(binary.BigEndian.Uint16(b))
		b = b[2:]
		if fields == -1 {
			if len(b) != 0 {
				t.Fatalf("%d bytes after the trailer", len(b))
			}
			return rows, nil
		}
		row := make([]any, fields)
		for i := range row {
			n := int32(binary.BigEndian.Uint32(b))
			b = b[4:]
			switch {
			case n == -1:
				row[i] = nil
			case i == 0:
				if n != 4 {
					t.Fatalf("row_no is %d bytes", n)
				}
				row[i] = int32(binary.BigEndian.Uint32(b))
			case i == len(row)-1:
				if b[0] != 1 {
					t.Fatalf("jsonb version %d", b[0])
				}
				row[i] = string(b[1:n])
			default:
				row[i] = string(b[:n])
			}
			b = b[max(n, 0):]
		}
		rows = append(rows, row)
	}
}

// A staging source yields, per row, the row number, the file's known columns (NULL when
// empty) and what the row check found, and stops on a fatal read error.
func TestStageSource(t *testing.T) {
	cols := []string{"sku", "name", "qty"}
	r, err := csvio.NewReader(strings.NewReader("qty,sku\n5,A\n,B\nx,C,extra\n"), cols, []string{"sku"}, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(row int, v []string) []csvio.RowError {
		if v[2] == "5" {
			v[2] = "5.0" // normalised in place
			return nil
		}
		return []csvio.RowError{{Row: row, Column: "qty", Value: v[2], Reason: "not five"}}
	}
	src := NewStageSource(r, cols, check, nil)
	if got := strings.Join(src.Columns(cols), ","); got != "row_no,sku,qty,perrs" {
		t.Fatalf("columns %s", got)
	}
	rows, err := readCopy(t, src)
	if err != nil || src.Err() != nil || len(rows) != 3 {
		t.Fatalf("%d rows, err %v %v", len(rows), err, src.Err())
	}
	if rows[0][0] != int32(2) || rows[0][1] != "A" || rows[0][2] != "5.0" || rows[0][3] != nil {
		t.Errorf("row 2: %v", rows[0])
	}
	if rows[1][2] != nil || !strings.Contains(rows[1][3].(string), `"reason":"not five"`) {
		t.Errorf("row 3: %v", rows[1])
	}
	if !strings.Contains(rows[2][3].(string), `"row":4`) || strings.Contains(rows[2][3].(string), "not five") {
		t.Errorf("row 4 (too many cells) is refused by the reader, not the check: %v", rows[2])
	}

	bad, _ := csvio.NewReader(strings.NewReader("sku\n\"unterminated\n"), cols, nil, csvio.Options{})
	src = NewStageSource(bad, cols, nil, nil)
	if _, err := readCopy(t, src); err == nil || src.Err() == nil || err.Error() != src.Err().Error() {
		t.Fatalf("a quote error must stop the source: %v, %v", err, src.Err())
	}
}

// Rows are read ahead on a goroutine; a COPY that stops early closes the source, which
// stops the reader even when it waits to hand over a buffer, and all rows come in order.
func TestStageSourceReadsAheadAndStops(t *testing.T) {
	cols := []string{"sku"}
	var b strings.Builder
	b.WriteString("sku\n")
	const n = 100000 // rows of 19 bytes or so: many buffers
	for i := range n {
		fmt.Fprintf(&b, "S%d\n", i)
	}
	r, err := csvio.NewReader(strings.NewReader(b.String()), cols, nil, csvio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := NewStageSource(r, cols, nil, nil)
	rows, err := readCopy(t, src)
	src.Close()
	if err != nil || len(rows) != n || src.Err() != nil {
		t.Fatalf("%d rows, %v %v", len(rows), err, src.Err())
	}
	for i, row := range rows {
		if row[0] != int32(i+2) || row[1] != fmt.Sprintf("S%d", i) {
			t.Fatalf("row %d is %v", i, row)
		}
	}

	r, _ = csvio.NewReader(strings.NewReader(b.String()), cols, nil, csvio.Options{})
	src = NewStageSource(r, cols, nil, nil)
	if k, err := src.Read(make([]byte, 10)); k != 10 || err != nil {
		t.Fatalf("first read: %d %v", k, err)
	}
	done := make(chan struct{})
	go func() {
		src.Close() // the reader is blocked handing over: the queue holds stageAhead buffers
		src.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the reader")
	}
}
