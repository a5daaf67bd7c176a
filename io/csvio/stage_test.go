package csvio

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A staging source yields, per row, the row number, the file's known columns (NULL when
// empty) and what the row check found, and stops on a fatal read error.
func TestStageSource(t *testing.T) {
	cols := []string{"sku", "name", "qty"}
	r, err := NewReader(strings.NewReader("qty,sku\n5,A\n,B\nx,C,extra\n"), cols, []string{"sku"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(row int, v []string) []RowError {
		if v[2] == "5" {
			v[2] = "5.0" // normalised in place
			return nil
		}
		return []RowError{{Row: row, Column: "qty", Value: v[2], Reason: "not five"}}
	}
	src := NewStageSource(r, cols, check, nil)
	if got := strings.Join(src.Columns(cols), ","); got != "row_no,sku,qty,perrs" {
		t.Fatalf("columns %s", got)
	}
	var rows [][]any
	for src.Next() {
		v, _ := src.Values()
		rows = append(rows, v)
	}
	if src.Err() != nil || len(rows) != 3 {
		t.Fatalf("%d rows, err %v", len(rows), src.Err())
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

	bad, _ := NewReader(strings.NewReader("sku\n\"unterminated\n"), cols, nil, Options{})
	src = NewStageSource(bad, cols, nil, nil)
	for src.Next() {
	}
	if src.Err() == nil {
		t.Fatal("a quote error must stop the source")
	}
}

// Rows are read ahead on a goroutine; a COPY that stops early closes the source, which
// stops the reader even when it waits to hand over a batch, and all rows come in order.
func TestStageSourceReadsAheadAndStops(t *testing.T) {
	cols := []string{"sku"}
	var b strings.Builder
	b.WriteString("sku\n")
	for i := range 20 * stageBatch {
		fmt.Fprintf(&b, "S%d\n", i)
	}
	r, err := NewReader(strings.NewReader(b.String()), cols, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := NewStageSource(r, cols, nil, nil)
	n := 0
	for src.Next() {
		v, _ := src.Values()
		if v[1] != fmt.Sprintf("S%d", n) {
			t.Fatalf("row %d is %v", n, v)
		}
		n++
	}
	src.Close()
	if n != 20*stageBatch || src.Err() != nil {
		t.Fatalf("%d rows, %v", n, src.Err())
	}

	r, _ = NewReader(strings.NewReader(b.String()), cols, nil, Options{})
	src = NewStageSource(r, cols, nil, nil)
	if !src.Next() {
		t.Fatal("no first row")
	}
	done := make(chan struct{})
	go func() {
		src.Close() // the reader is blocked handing over: the queue holds stageAhead batches
		src.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the reader")
	}
}
