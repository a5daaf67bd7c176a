package stocktake

import (
	"context"
	"errors"
	"io"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/io/csvio"
)

// The count file (stocktake count --file, docs/csv-formats.md): read with io/csvio like every
// import, its rows checked and reported like every import's.

// CountCSVColumns are the columns of a count file; CountCSVRequired the ones it must have.
var (
	CountCSVColumns  = []string{"sku", "qty", "unit", "batch", "serial", "bay"}
	CountCSVRequired = []string{"sku", "qty"}
)

// columnIndex is the index of a count file's column, -1 for a field that is not one.
func columnIndex(field string) int {
	for i, c := range CountCSVColumns {
		if c == field {
			return i
		}
	}
	return -1
}

// CountFile is a count file read: the counts whose cells read (each with its Row) and the
// rows whose cells did not, with every reason.
type CountFile struct {
	Counts  []Count
	Rejects []csvio.Rejected
	values  [][]string // the cells of Counts[i], aligned with CountCSVColumns
}

// Rows is the number of data rows read.
func (f *CountFile) Rows() int { return len(f.Counts) + len(f.Rejects) }

// ReadCounts reads every row of a count file (r reads CountCSVColumns). add says every count
// adds to what its line has counted (--add). A serial's empty qty is 1; a qty must be a
// quantity (business/bounds) that is not negative.
func ReadCounts(r *csvio.Reader, add bool) (*CountFile, error) {
	f := &CountFile{}
	for {
		row, err := r.Next()
		if err == io.EOF {
			return f, nil
		}
		var re *csvio.RowError
		if err != nil && !errors.As(err, &re) {
			return nil, err
		}
		v := row.Values // sku, qty, unit, batch, serial, bay
		var errs []csvio.RowError
		bad := func(col int, reason string) {
			errs = append(errs, csvio.RowError{Row: row.Num, Column: CountCSVColumns[col], Value: v[col], Reason: reason})
		}
		cnt := Count{SKU: v[0], Unit: v[2], Batch: v[3], Serial: v[4], Bay: v[5], Add: add, Row: row.Num}
		if re != nil {
			errs = append(errs, *re)
		} else {
			if cnt.SKU == "" {
				bad(0, "missing: give the product's SKU")
			}
			qty := v[1]
			if qty == "" && cnt.Serial != "" {
				qty = "1"
			}
			if q, err := bounds.Quantity.Parse(qty); err != nil {
				bad(1, err.Error())
			} else if q.IsNegative() {
				bad(1, "a count cannot be negative")
			} else {
				cnt.Qty = q
			}
		}
		if len(errs) > 0 {
			f.Rejects = append(f.Rejects, csvio.Rejected{Row: row.Num, Values: v, Errors: errs})
			continue
		}
		f.Counts, f.values = append(f.Counts, cnt), append(f.values, v)
	}
}

// RecordFile enters the counts of a file all or nothing in q's transaction, as Record
// does. When any row is bad (its cells, or what the stocktake refuses of its count), the
// error, invalid, wraps a *csvio.RowsError with every bad row and every reason, by file row
// and column, and the caller rolls back. An error about the stocktake itself (not found,
// not open) is returned as it is unless rows failed to read, which are reported first; an
// error of the database always is.
func RecordFile(ctx context.Context, q sqlx.ExtContext, number string, f *CountFile) ([]Counted, error) {
	out, bad, err := record(ctx, q, number, f.Counts)
	if err != nil && (len(f.Rejects) == 0 || db.SQLState(err) != "") {
		return nil, err
	}
	rejects := append([]csvio.Rejected(nil), f.Rejects...)
	if len(bad) > 0 {
		byRow := map[int][]string{}
		for i, c := range f.Counts {
			byRow[c.Row] = f.values[i]
		}
		rejects = append(rejects, csvio.Reject(rowErrors(f.Counts, bad, func(i int) []string { return f.values[i] }),
			func(row int) []string { return byRow[row] })...)
	}
	if len(rejects) > 0 {
		return nil, csvio.Refuse(rejects, "counted")
	}
	return out, nil
}
