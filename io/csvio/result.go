package csvio

import "errors"

// Result is what an import did (or, in a dry run, would do).
type Result struct {
	Created   int64 `json:"created"`
	Updated   int64 `json:"updated"`
	Unchanged int64 `json:"unchanged"`
	Rejected  int64 `json:"rejected"`
}

// Rejected is a row left out of an import, with every reason found for it.
type Rejected struct {
	Row    int
	Values []string // aligned with the format's columns, as read
	Errors []RowError
}

// ImportOptions say what an import does with rows that fail validation.
type ImportOptions struct {
	// SkipInvalid writes the good rows and reports the bad ones; without it any bad row
	// means nothing is written.
	SkipInvalid bool
	// Rejects receives every rejected row after validation, in file order (may be nil).
	Rejects func(Rejected) error
	// Progress, when set, is called now and then with the number of rows read so far.
	Progress func(rows int)
	// ChunkRows, when positive, replaces ChunkRows as the rows read, checked and written at
	// a time (tests use small chunks to cross chunk boundaries).
	ChunkRows int
}

// ErrRowsInvalid is what an import returns when rows failed validation and SkipInvalid is
// off; the caller rolls back, so nothing is written.
var ErrRowsInvalid = errors.New("rows failed validation")

// Finish is what an import that read and wrote the whole file returns: res, or, when rows
// were rejected and opt.SkipInvalid is off, only their count and ErrRowsInvalid (the caller
// rolls back what was written).
func Finish(res Result, opt ImportOptions) (Result, error) {
	if res.Rejected > 0 && !opt.SkipInvalid {
		return Result{Rejected: res.Rejected}, ErrRowsInvalid
	}
	return res, nil
}
