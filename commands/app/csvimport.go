package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/csvio"
)

// The CSV import and export plumbing every table's import and export commands share: the
// reading flags, the file or standard input, the transaction, the progress bar, the
// rejects file, the summary and the exit codes. A table brings its columns and one domain
// function (see ImportSpec); docs/csv-formats.md describes the behaviour.

// CSVReadFlags are the flags every CSV import takes to read its file.
type CSVReadFlags struct {
	mapping, encoding, delimiter string
	ignoreUnknown                bool
}

func (f *CSVReadFlags) Add(c *cobra.Command) {
	c.Flags().StringVar(&f.mapping, "map", "", "rename the file's headers: 'Item Code=sku,Desc=name'")
	c.Flags().StringVar(&f.encoding, "encoding", "", "utf-8 or windows-1252 (default: detected)")
	c.Flags().StringVar(&f.delimiter, "delimiter", "", "',', ';' or tab (default: detected from the header)")
	c.Flags().BoolVar(&f.ignoreUnknown, "ignore-unknown", false, "skip columns the format does not know instead of refusing the file")
}

func (f *CSVReadFlags) options() (csvio.Options, error) {
	var o csvio.Options
	var err error
	if f.mapping != "" {
		if o.Map, err = csvio.ParseMap(f.mapping); err != nil {
			return o, err
		}
	}
	if f.delimiter != "" {
		if o.Delimiter, err = csvio.ParseDelimiter(f.delimiter); err != nil {
			return o, err
		}
	}
	o.Encoding, o.IgnoreUnknown = f.encoding, f.ignoreUnknown
	return o, nil
}

// OpenInput opens FILE, or standard input for "-"; size is -1 when unknown.
func (a *App) OpenInput(name string) (r io.Reader, size int64, closeFn func(), err error) {
	if name == "-" {
		return a.In, -1, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, fault.Invalidf("FILE", "cannot read %s: %v", name, UnwrapPath(err))
	}
	size = -1
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, func() { f.Close() }, nil
}

// Progress shows a progress bar on a terminal (stderr) while r is read; elsewhere nothing.
func (a *App) Progress(what string, size int64) (update func(read int64), done func()) {
	if !a.ErrTTY {
		return func(int64) {}, func() {}
	}
	bar := progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(a.Err),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100_000_000), // 0.1 s
		progressbar.OptionClearOnFinish(),
	)
	return func(read int64) { _ = bar.Set64(read) }, func() { _ = bar.Finish() }
}

// ImportFlags are the flags of every import command; Add registers them.
type ImportFlags struct {
	read      CSVReadFlags
	dry, skip bool
	rejects   string
}

func (f *ImportFlags) Add(c *cobra.Command) {
	c.Long += "\n\n" + FileHelp("--rejects FILE") + "\n--rejects may not name the file imported (exit 4)."
	f.read.Add(c)
	c.Flags().BoolVar(&f.dry, "dry-run", false, "check every row and report the counts; write nothing")
	c.Flags().BoolVar(&f.skip, "skip-invalid", false, "write the good rows and report the bad ones (exit 3)")
	c.Flags().StringVar(&f.rejects, "rejects", "", "with --skip-invalid: write the rejected rows and their reasons to this CSV file (not FILE itself)")
}

// ImportSpec is what a table brings to an import: its columns in export order, the ones a
// file must have, and the domain function that imports the rows in b's transaction
// (rejected rows to opt.Rejects; csvio.ErrRowsInvalid when there are some and
// opt.SkipInvalid is off).
type ImportSpec struct {
	What              string // "product import", in messages
	Columns, Required []string
	Run               func(ctx context.Context, b *db.Bulk, r *csvio.Reader, opt csvio.ImportOptions) (csvio.Result, error)
	// replayed, when set, says after run whether the import was the replay of a ref posted
	// before: a message to say instead of the summary ("" when not), the result and rejects
	// being the first run's, printed as usual, and the exit 0 whatever they count.
	Replayed func() string
}

// RunImport imports FILE (or standard input for "-") as spec says: one transaction, all or
// nothing unless --skip-invalid, a progress bar on a terminal and one summary line otherwise.
func (a *App) RunImport(c *cobra.Command, name string, f *ImportFlags, spec ImportSpec) error {
	opt, err := f.read.options()
	if err != nil {
		return err
	}
	if f.rejects != "" && !f.skip {
		return fault.Usagef("rejects", "--rejects goes with --skip-invalid (without it nothing is written when a row is bad)")
	}
	if err := NotSameFile("--rejects", f.rejects, "FILE", name); err != nil {
		return err
	}
	in, size, closeIn, err := a.OpenInput(name)
	if err != nil {
		return err
	}
	defer closeIn()
	d, err := a.DB(c.Context())
	if err != nil {
		return err
	}
	r, err := csvio.NewReader(in, spec.Columns, spec.Required, opt)
	if err != nil {
		return err
	}
	update, done := a.Progress("importing", size)
	var rejects []csvio.Rejected
	var res csvio.Result
	err = db.InBulk(c.Context(), d, f.dry, func(b *db.Bulk) error {
		rejects = rejects[:0]
		var err error
		res, err = spec.Run(c.Context(), b, r, csvio.ImportOptions{
			SkipInvalid: f.skip,
			Rejects: func(rj csvio.Rejected) error {
				rejects = append(rejects, rj)
				return nil
			},
			Progress: func(int) { update(r.BytesRead()) },
		})
		return err
	})
	done()
	if err == nil || errors.Is(err, csvio.ErrRowsInvalid) {
		if perr := a.PrintImport(res, rejects); perr != nil {
			return perr
		}
	}
	if errors.Is(err, csvio.ErrRowsInvalid) {
		verb := "rows are"
		if res.Rejected == 1 {
			verb = "row is"
		}
		return fault.Invalidf("", "%s: %d %s invalid (listed on standard output); nothing was written — fix them, or give --skip-invalid to write the others", spec.What, res.Rejected, verb)
	}
	if err != nil {
		return err
	}
	if f.rejects != "" && len(rejects) > 0 {
		if err := WriteFile(f.rejects, "rejects", func(w io.Writer) error {
			return writeRejects(w, spec.Columns, r.Columns(), rejects)
		}); err != nil {
			return err
		}
	}
	if spec.Replayed != nil {
		if msg := spec.Replayed(); msg != "" {
			a.Say("%s", msg)
			return nil
		}
	}
	summary := fmt.Sprintf("%s: %d created, %d updated, %d unchanged, %d rejected", spec.What, res.Created, res.Updated, res.Unchanged, res.Rejected)
	if f.dry {
		summary += " (dry run: nothing was written)"
	}
	a.Say("%s", summary)
	if res.Rejected > 0 {
		where := ""
		if f.rejects != "" {
			where = " and written to " + f.rejects
		}
		rows := "rows"
		if res.Rejected == 1 {
			rows = "row"
		}
		return &fault.Error{Kind: fault.Partial, Msg: fmt.Sprintf("%d %s rejected (listed on standard output%s); the other rows were imported", res.Rejected, rows, where)}
	}
	return nil
}

// RunExport writes an export to FILE (through io/outfile) or standard output and says how many rows.
func (a *App) RunExport(c *cobra.Command, argv []string, what string, export func(q sqlx.QueryerContext, w *csvio.Writer) (int64, error)) error {
	d, err := a.DB(c.Context())
	if err != nil {
		return err
	}
	var n int64
	// One read-only transaction: one snapshot for the whole file, and settings local to it.
	write := func(w io.Writer) error {
		return db.InTx(c.Context(), d, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(c.Context(), `SET TRANSACTION READ ONLY`); err != nil {
				return err
			}
			var err error
			n, err = export(tx, csvio.NewWriter(w))
			return err
		})
	}
	if len(argv) == 0 || argv[0] == "-" {
		if err := write(a.Out); err != nil {
			return err
		}
	} else if err := WriteFile(argv[0], "FILE", write); err != nil {
		return err
	}
	a.Say("%s: %d rows", what, n)
	return nil
}

// RunCopyExport is RunExport for an export PostgreSQL writes itself (COPY ... TO STDOUT):
// export gets a transaction on one connection, which is rolled back (nothing is written).
func (a *App) RunCopyExport(c *cobra.Command, argv []string, what string, export func(b *db.Bulk, w io.Writer) (int64, error)) error {
	d, err := a.DB(c.Context())
	if err != nil {
		return err
	}
	var n int64
	write := func(w io.Writer) error {
		return db.InBulk(c.Context(), d, true, func(b *db.Bulk) error {
			var err error
			n, err = export(b, w)
			return err
		})
	}
	if len(argv) == 0 || argv[0] == "-" {
		if err := write(a.Out); err != nil {
			return err
		}
	} else if err := WriteFile(argv[0], "FILE", write); err != nil {
		return err
	}
	a.Say("%s: %d rows", what, n)
	return nil
}

// RowErrorLine is one reason a row was rejected, as printed.
type RowErrorLine struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// PrintImport puts an import's outcome on standard output: with -o json one object, the
// counts and every reason of every rejected row; otherwise the reasons as a table or CSV
// (the counts go to standard error as the summary line).
func (a *App) PrintImport(res csvio.Result, rejects []csvio.Rejected) error {
	lines := []RowErrorLine{}
	for _, rj := range rejects {
		for _, e := range rj.Errors {
			lines = append(lines, RowErrorLine{Row: rj.Row, Column: e.Column, Value: e.Value, Reason: e.Reason})
		}
	}
	if a.Output == "json" {
		return a.Printer().One(struct {
			csvio.Result
			Errors []RowErrorLine `json:"errors,omitempty"`
		}{res, lines})
	}
	if len(lines) == 0 {
		return nil
	}
	return a.Printer().List(lines)
}

// writeRejects writes the rejected rows with the columns the file had and a last column
// reject_reasons, so they can be fixed and imported again (with --ignore-unknown, or after
// deleting that column). Values of a Rejected are aligned with columns.
func writeRejects(w io.Writer, columns, present []string, rejects []csvio.Rejected) error {
	cw := csvio.NewWriter(w)
	if err := cw.Write(append(append([]string{}, present...), "reject_reasons")); err != nil {
		return err
	}
	idx := map[string]int{}
	for i, c := range columns {
		idx[c] = i
	}
	cells := make([]string, len(present)+1)
	for _, rj := range rejects {
		for i, c := range present {
			if j, ok := idx[c]; ok && j < len(rj.Values) {
				cells[i] = rj.Values[j]
			} else {
				cells[i] = ""
			}
		}
		var why []string
		for _, e := range rj.Errors {
			why = append(why, fmt.Sprintf("row %d, %s: %s", rj.Row, e.Column, e.Reason))
		}
		cells[len(present)] = strings.Join(why, "; ")
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// ReadFile reads FILE (or standard input for "-") whole, before any transaction, for a
// command that posts a file all or nothing (stock adjust --file, stocktake count --file):
// the reader every import uses, with the read flags, hands it to read (the domain's reader
// of the format), which says how many data rows it read; a file without any is refused,
// naming what it should hold.
func (a *App) ReadFile(name string, f *CSVReadFlags, columns, required []string, what string, read func(r *csvio.Reader) (rows int, err error)) error {
	opt, err := f.options()
	if err != nil {
		return err
	}
	in, _, closeIn, err := a.OpenInput(name)
	if err != nil {
		return err
	}
	defer closeIn()
	r, err := csvio.NewReader(in, columns, required, opt)
	if err != nil {
		return err
	}
	n, err := read(r)
	if err != nil {
		return err
	}
	if n == 0 {
		return fault.Invalidf("file", "%s has no %s below its header", name, what)
	}
	return nil
}

// ReportRows prints the rows of a file refused as a whole (a *csvio.RowsError) as the
// imports print theirs (row, column, value, reason as a table, CSV or JSON on standard
// output), and returns the error to exit with; any other error is returned as it is.
func (a *App) ReportRows(what, done string, err error) error {
	var re *csvio.RowsError
	if !errors.As(err, &re) {
		return err
	}
	if perr := a.PrintImport(csvio.Result{Rejected: int64(len(re.Rejects))}, re.Rejects); perr != nil {
		return perr
	}
	rows := "rows are"
	if len(re.Rejects) == 1 {
		rows = "row is"
	}
	return fault.Invalidf("file", "%s: %d %s invalid (listed on standard output); nothing was %s", what, len(re.Rejects), rows, done)
}
