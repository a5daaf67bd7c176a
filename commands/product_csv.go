package commands

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/io/csvio"
)

// csvReadFlags are the flags every CSV import takes to read its file.
type csvReadFlags struct {
	mapping, encoding, delimiter string
	ignoreUnknown                bool
}

func (f *csvReadFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.mapping, "map", "", "rename the file's headers: 'Item Code=sku,Desc=name'")
	c.Flags().StringVar(&f.encoding, "encoding", "", "utf-8 or windows-1252 (default: detected)")
	c.Flags().StringVar(&f.delimiter, "delimiter", "", "',', ';' or tab (default: detected from the header)")
	c.Flags().BoolVar(&f.ignoreUnknown, "ignore-unknown", false, "skip columns the format does not know instead of refusing the file")
}

func (f *csvReadFlags) options() (csvio.Options, error) {
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

// openInput opens FILE, or standard input for "-"; size is -1 when unknown.
func (a *App) openInput(name string) (r io.Reader, size int64, closeFn func(), err error) {
	if name == "-" {
		return a.In, -1, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, fault.Invalidf("FILE", "cannot read %s: %v", name, unwrapPath(err))
	}
	size = -1
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, func() { f.Close() }, nil
}

// progress shows a progress bar on a terminal (stderr) while r is read; elsewhere nothing.
func (a *App) progress(what string, size int64) (update func(read int64), done func()) {
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

func (a *App) productCSVCmds() []*cobra.Command {
	var rf csvReadFlags
	var dry, skip bool
	var rejectsFile string
	imp := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Create or update products from a CSV file, keyed by SKU (all or nothing)",
		Long: `Create or update products from a CSV file (docs/csv-formats.md lists the columns). Rows are
keyed by SKU: a new SKU creates a product, a known one updates it. An empty cell leaves that
field of an existing product as it is (a new product gets the default), so a file with only
sku and cost_price changes only costs; a field cannot be cleared by an import. Barcodes and
features listed are added or set; those not listed are kept.

The header may be in any order; --map renames foreign headers. UTF-8 (with or without BOM) and
Windows-1252 are detected, as are comma, semicolon and tab delimiters. Columns the format does
not know are refused unless --ignore-unknown.

Every row is checked before anything is written: each bad row is reported with its row number
(the header is row 1), column and reason. By default one bad row means nothing is written
(exit 5). With --skip-invalid the good rows are written, the bad ones are reported and written
to --rejects FILE with their reasons (exit 3). --dry-run reports the counts and writes nothing.

An import is one transaction: interrupted, it leaves the database as it was. Importing the same
file again, or a file made by product export, reports 0 created and 0 updated.`,
		Example: `  stockctl product import products.csv
  stockctl product import supplier.csv --map 'Item Code=sku,Desc=name,Cost=cost_price' --ignore-unknown
  stockctl product import big.csv --skip-invalid --rejects rejects.csv -o json
  cat products.csv | stockctl product import - --dry-run`,
		Args: args("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			opt, err := rf.options()
			if err != nil {
				return err
			}
			if rejectsFile != "" && !skip {
				return fault.Usagef("rejects", "--rejects goes with --skip-invalid (without it nothing is written when a row is bad)")
			}
			in, size, closeIn, err := a.openInput(argv[0])
			if err != nil {
				return err
			}
			defer closeIn()
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			r, err := csvio.NewReader(in, catalog.CSVColumns, catalog.CSVRequired, opt)
			if err != nil {
				return err
			}
			update, done := a.progress("importing", size)
			var rejects []catalog.Rejected
			var res catalog.ImportResult
			err = db.InBulk(c.Context(), d, dry, func(b *db.Bulk) error {
				rejects = rejects[:0]
				var err error
				res, err = catalog.ImportProducts(c.Context(), b, r, catalog.ImportOptions{
					SkipInvalid: skip,
					Rejects: func(rj catalog.Rejected) error {
						rejects = append(rejects, rj)
						return nil
					},
				}, func(int) { update(r.BytesRead()) })
				return err
			})
			done()
			if err == nil || errors.Is(err, catalog.ErrRowsInvalid) {
				if perr := a.printImport(res, rejects); perr != nil {
					return perr
				}
			}
			if errors.Is(err, catalog.ErrRowsInvalid) {
				return fault.Invalidf("", "product import: %d of the rows are invalid (listed on standard output); nothing was written — fix them, or give --skip-invalid to write the others", res.Rejected)
			}
			if err != nil {
				return err
			}
			if rejectsFile != "" && len(rejects) > 0 {
				if err := writeFileAtomic(rejectsFile, "rejects", func(w io.Writer) error {
					return writeRejects(w, r.Columns(), rejects)
				}); err != nil {
					return err
				}
			}
			summary := fmt.Sprintf("product import: %d created, %d updated, %d unchanged, %d rejected", res.Created, res.Updated, res.Unchanged, res.Rejected)
			if dry {
				summary += " (dry run: nothing was written)"
			}
			a.say("%s", summary)
			if res.Rejected > 0 {
				where := ""
				if rejectsFile != "" {
					where = " and written to " + rejectsFile
				}
				return &fault.Error{Kind: fault.Partial, Msg: fmt.Sprintf("%d rows rejected (listed on standard output%s); the other rows were imported", res.Rejected, where)}
			}
			return nil
		},
	}
	rf.add(imp)
	imp.Flags().BoolVar(&dry, "dry-run", false, "check every row and report the counts; write nothing")
	imp.Flags().BoolVar(&skip, "skip-invalid", false, "write the good rows and report the bad ones (exit 3)")
	imp.Flags().StringVar(&rejectsFile, "rejects", "", "with --skip-invalid: write the rejected rows and their reasons to this CSV file")

	var f catalog.Filter
	var all, inactive bool
	exp := &cobra.Command{
		Use:   "export [FILE|-]",
		Short: "Write products as CSV (the format product import reads back unchanged)",
		Long: `Write the products as CSV with the stable header of docs/csv-formats.md, in SKU order, to FILE
(written atomically) or standard output. The filters are those of product list; by default
active products, --all for every product, --inactive for deactivated ones. System products
(FREIGHT, DEPOSIT, SERVICE) come with every database and are not exported.

Cells that start with = + - @ (other than numbers) are written with a leading ' so a
spreadsheet does not run them as formulas; product import removes it again.`,
		Example: `  stockctl product export products.csv
  stockctl product export - --type service
  stockctl product export --all --search drill > drills.csv`,
		Args: optionalArgs("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			if all && inactive {
				return fault.Usagef("all", "--all and --inactive: choose one")
			}
			switch {
			case all:
				f.Status = "all"
			case inactive:
				f.Status = "inactive"
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			var n int64
			write := func(w io.Writer) error {
				var err error
				n, err = catalog.ExportProducts(c.Context(), d, f, csvio.NewWriter(w))
				return err
			}
			if len(argv) == 0 || argv[0] == "-" {
				if err := write(a.Out); err != nil {
					return err
				}
			} else if err := writeFileAtomic(argv[0], "FILE", write); err != nil {
				return err
			}
			a.say("product export: %d products", n)
			return nil
		},
	}
	exp.Flags().StringVar(&f.Type, "type", "", "only products of this type")
	exp.Flags().BoolVar(&all, "all", false, "active and inactive products")
	exp.Flags().BoolVar(&inactive, "inactive", false, "only deactivated products")
	exp.Flags().BoolVar(&f.Portal, "portal", false, "only products in the portal catalogue")
	exp.Flags().StringVar(&f.Search, "search", "", "only products whose SKU, name, description, category, part numbers or features contain TEXT")
	exp.Flags().StringVar(&f.Category, "category", "", "only products of this category")
	return []*cobra.Command{imp, exp}
}

// rowErrorLine is one reason a row was rejected, as printed.
type rowErrorLine struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// printImport puts an import's outcome on standard output: with -o json one object, the
// counts and every reason of every rejected row; otherwise the reasons as a table or CSV
// (the counts go to standard error as the summary line).
func (a *App) printImport(res catalog.ImportResult, rejects []catalog.Rejected) error {
	lines := []rowErrorLine{}
	for _, rj := range rejects {
		for _, e := range rj.Errors {
			lines = append(lines, rowErrorLine{Row: rj.Row, Column: e.Column, Value: e.Value, Reason: e.Reason})
		}
	}
	if a.Output == "json" {
		return a.Printer().One(struct {
			catalog.ImportResult
			Errors []rowErrorLine `json:"errors,omitempty"`
		}{res, lines})
	}
	if len(lines) == 0 {
		return nil
	}
	return a.Printer().List(lines)
}

// writeRejects writes the rejected rows with the columns the file had and a last column
// reject_reasons, so they can be fixed and imported again (with --ignore-unknown, or after
// deleting that column).
func writeRejects(w io.Writer, present []string, rejects []catalog.Rejected) error {
	cw := csvio.NewWriter(w)
	if err := cw.Write(append(append([]string{}, present...), "reject_reasons")); err != nil {
		return err
	}
	idx := map[string]int{}
	for i, c := range catalog.CSVColumns {
		idx[c] = i
	}
	cells := make([]string, len(present)+1)
	for _, rj := range rejects {
		for i, c := range present {
			cells[i] = rj.Values[idx[c]]
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
