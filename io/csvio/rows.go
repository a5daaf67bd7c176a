package csvio

import (
	"database/sql"
	"encoding/json"
)

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
