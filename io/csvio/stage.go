package csvio

import (
	"database/sql"
	"encoding/json"
	"errors"
	"io"
)

// StageSource feeds a COPY into an import's staging table from a Reader, checking each row
// on the way: every row, good or bad, becomes (row number, the cells of the file's known
// columns with NULL for an empty cell, the row check's findings as JSON or NULL), so memory
// stays flat and the database can check all rows at once afterwards. It has the methods of
// pgx.CopyFromSource (Next, Values, Err).
type StageSource struct {
	r        *Reader
	present  []int // indexes in the format's columns of the file's columns
	check    func(row int, values []string) []RowError
	progress func(rows int)
	row      []any
	n        int
	err      error
}

// NewStageSource reads rows from r, whose format has columns; check (may be nil) checks and
// normalises one row's values in place; progress (may be nil) is told the rows read now and
// then. Columns gives the staging table's columns the COPY fills.
func NewStageSource(r *Reader, columns []string, check func(row int, values []string) []RowError, progress func(int)) *StageSource {
	s := &StageSource{r: r, check: check, progress: progress}
	for i, c := range columns {
		if r.Has(c) {
			s.present = append(s.present, i)
		}
	}
	return s
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

// Next reads and checks the next row; false at the end or on an error that stops the
// import (Err says which).
func (s *StageSource) Next() bool {
	row, err := s.r.Next()
	if err == io.EOF {
		return false
	}
	var errs []RowError
	var re *RowError
	switch {
	case errors.As(err, &re):
		errs = append(errs, *re)
	case err != nil:
		s.err = err
		return false
	case s.check != nil:
		errs = s.check(row.Num, row.Values)
	}
	vals := make([]any, 0, len(s.present)+2)
	vals = append(vals, int32(row.Num))
	for _, i := range s.present {
		if i >= len(row.Values) || row.Values[i] == "" {
			vals = append(vals, nil)
		} else {
			vals = append(vals, row.Values[i])
		}
	}
	if len(errs) > 0 {
		j, err := json.Marshal(errs)
		if err != nil {
			s.err = err
			return false
		}
		vals = append(vals, string(j))
	} else {
		vals = append(vals, nil)
	}
	s.row = vals
	s.n++
	if s.progress != nil && s.n%1000 == 0 {
		s.progress(s.n)
	}
	return true
}

// Values returns the row Next read.
func (s *StageSource) Values() ([]any, error) { return s.row, nil }

// Err is what stopped the reading, if anything did.
func (s *StageSource) Err() error { return s.err }

// Rows is what WriteRows reads: *sql.Rows and *sqlx.Rows have these methods.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// WriteRows writes header, then every row of rows (text cells in the order of header) to w,
// streaming, and flushes; it returns how many rows it wrote. The caller closes rows.
func WriteRows(w *Writer, header []string, rows Rows) (int64, error) {
	if err := w.Write(header); err != nil {
		return 0, err
	}
	cells := make([]string, len(header))
	raw := make([]sql.RawBytes, len(header))
	dest := make([]any, len(header))
	for i := range dest {
		dest[i] = &raw[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		for i, b := range raw {
			cells[i] = string(b)
		}
		if err := w.Write(cells); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, w.Flush()
}

// ReadRejects hands each row of rows to rejects as a Rejected, in order, and counts them.
// Each row is (row number, one text cell per column of the format — NULL read as empty —,
// the reasons as a JSON array of RowError): what an import's staging table holds for the
// rows it refused. A nil rejects only counts. The caller closes rows.
func ReadRejects(rows Rows, columns int, rejects func(Rejected) error) (int64, error) {
	var n int64
	var rowNo int
	var reasons string
	vals := make([]sql.NullString, columns)
	dest := []any{&rowNo}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	dest = append(dest, &reasons)
	for rows.Next() {
		n++
		if rejects == nil {
			continue
		}
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		rj := Rejected{Row: rowNo, Values: make([]string, columns)}
		for i, v := range vals {
			rj.Values[i] = v.String
		}
		if err := json.Unmarshal([]byte(reasons), &rj.Errors); err != nil {
			return n, err
		}
		if err := rejects(rj); err != nil {
			return n, err
		}
	}
	return n, rows.Err()
}
