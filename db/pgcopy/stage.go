// Package pgcopy feeds PostgreSQL's COPY and keeps the temporary tables imports work in: the
// binary COPY encoder that stages a CSV file's rows, and the key log of a chunked import.
package pgcopy

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"sync"

	"github.com/stockctl/stockctl/io/csvio"
)

// StageSource feeds a COPY into an import's staging table from a Reader, checking each row
// on the way: every row, good or bad, becomes (row number, the cells of the file's known
// columns with NULL for an empty cell, the row check's findings as JSON or NULL), so memory
// stays flat and the database can check all rows at once afterwards. It reads as the data
// of COPY ... FROM STDIN (FORMAT binary) into columns (row_no int, the file's columns as
// text, perrs jsonb), in the order Columns gives.
//
// The reading, checking and encoding run on a goroutine of their own, a few buffers ahead
// of the COPY, so on two cores they overlap with sending. The rows are encoded straight
// into the buffers: a driver's encoding of each cell as an interface value (an allocation
// and a type lookup per cell) was a third of the client's work, and on two cores the
// client was what the staging of a million rows waited for. Close stops the goroutine
// when the COPY ends early.
type StageSource struct {
	present []int       // indexes in the format's columns of the file's columns
	batches chan []byte // encoded rows, in order; closed at the end
	free    chan []byte // buffers the COPY has sent, for the reader to fill again
	stop    chan struct{}
	stopped bool
	cur     []byte // what the COPY has not read yet of the buffer it reads
	buf     []byte // that buffer
	mu      sync.Mutex
	err     error // set by the reader (fail)
}

// stageBuffer is the size at which the reader hands a buffer over; stageAhead how many
// buffers it may be ahead.
const (
	stageBuffer = 64 << 10
	stageAhead  = 8
)

// copySignature starts a binary COPY stream: the signature, no flags, no header extension.
var copySignature = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// NewStageSource reads rows from r, whose format has columns; check (may be nil) checks and
// normalises one row's values in place; progress (may be nil) is told the rows read now and
// then. Columns gives the staging table's columns the COPY fills. The reading starts at
// once; the caller must Close the source when the COPY is over.
func NewStageSource(r *csvio.Reader, columns []string, check func(row int, values []string) []csvio.RowError, progress func(int)) *StageSource {
	var present []int
	for i, c := range columns {
		if r.Has(c) {
			present = append(present, i)
		}
	}
	s := &StageSource{present: present, batches: make(chan []byte, stageAhead),
		free: make(chan []byte, stageAhead+2), stop: make(chan struct{})}
	go s.read(r, check, progress)
	return s
}

// read is the reading goroutine: rows encoded into buffers sent to s.batches, then close it.
func (s *StageSource) read(r *csvio.Reader, check func(row int, values []string) []csvio.RowError, progress func(int)) {
	defer close(s.batches)
	n := 0
	buf := append(make([]byte, 0, stageBuffer+4096), copySignature...)
	send := func() bool {
		select {
		case s.batches <- buf:
		case <-s.stop:
			return false
		}
		select {
		case buf = <-s.free:
			buf = buf[:0]
		default:
			buf = make([]byte, 0, stageBuffer+4096)
		}
		return true
	}
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		var errs []csvio.RowError
		var re *csvio.RowError
		switch {
		case errors.As(err, &re):
			errs = append(errs, *re)
		case err != nil:
			s.fail(err)
			return
		case check != nil:
			errs = check(row.Num, row.Values)
		}
		var found []byte
		if len(errs) > 0 {
			if found, err = json.Marshal(errs); err != nil {
				s.fail(err)
				return
			}
		}
		buf = s.appendRow(buf, row.Num, row.Values, found)
		n++
		if progress != nil && n%1000 == 0 {
			progress(n)
		}
		if len(buf) >= stageBuffer && !send() {
			return
		}
	}
	buf = append(buf, 0xff, 0xff) // the trailer: a tuple of -1 fields
	send()
}

// appendRow appends one row to buf as a binary COPY tuple: its field count, then each
// field's length and bytes (-1 for NULL). An int is 4 bytes big-endian; text is its UTF-8
// bytes (the Reader has checked them); jsonb is a version byte (1) and the JSON text.
func (s *StageSource) appendRow(buf []byte, num int, values []string, found []byte) []byte {
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(s.present)+2))
	buf = binary.BigEndian.AppendUint32(buf, 4)
	buf = binary.BigEndian.AppendUint32(buf, uint32(int32(num)))
	for _, i := range s.present {
		if i >= len(values) || values[i] == "" {
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32)
			continue
		}
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(values[i])))
		buf = append(buf, values[i]...)
	}
	if found == nil {
		return binary.BigEndian.AppendUint32(buf, math.MaxUint32)
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(found)+1))
	buf = append(buf, 1)
	return append(buf, found...)
}

// Columns are the staging table's columns the source fills, in order: row_no, the file's
// known columns, perrs (jsonb: the row check's findings). Other columns stay NULL.
func (s *StageSource) Columns(columns []string) []string {
	out := []string{"row_no"}
	for _, i := range s.present {
		out = append(out, columns[i])
	}
	return append(out, "perrs")
}

// Read reads the COPY data; at the end it returns io.EOF, or the error that stopped the
// reading (Err says the same), on which the COPY is abandoned.
func (s *StageSource) Read(p []byte) (int, error) {
	for len(s.cur) == 0 {
		if s.buf != nil {
			select {
			case s.free <- s.buf:
			default:
			}
			s.buf = nil
		}
		b, ok := <-s.batches
		if !ok {
			if err := s.Err(); err != nil {
				return 0, err
			}
			return 0, io.EOF
		}
		s.buf, s.cur = b, b
	}
	n := copy(p, s.cur)
	s.cur = s.cur[n:]
	return n, nil
}

// Err is what stopped the reading, if anything did.
func (s *StageSource) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *StageSource) fail(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

// Close stops the reading goroutine, as when the COPY failed part way, and waits for it;
// it is safe to call more than once and after the end, though not from two goroutines at
// once.
func (s *StageSource) Close() {
	if s.stopped {
		return
	}
	s.stopped = true
	close(s.stop)
	for range s.batches { // let the reader see stop, and wait for it
	}
}
