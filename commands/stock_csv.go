package commands

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/io/csvio"
)

// CSV import and export of stock levels, and stock import (opening stock and adjustments),
// on the shared plumbing of csvimport.go (docs/csv-formats.md).

func (a *App) stockLevelsCSVCmds() []*cobra.Command {
	var imf importFlags
	imp := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Set stock levels (min, max, default bay) from a CSV file (all or nothing)",
		Long: `Set products' stock levels from a CSV file with the columns sku, location, min, max, bay (sku
and location required; docs/csv-formats.md). Each row is keyed by SKU and location, with the
rules of stock levels set: stock-tracked products, internal locations, min and max at least 0
in the stock unit's precision, max never below min (also against the value kept), the bay one
of the location's. An empty min, max or bay cell keeps the value: an import cannot clear one
(stock levels set --bay "" clears a default bay).

` + importRulesHelp + `

Importing the same file again, or a file made by stock levels export, reports 0 created and 0
updated.`,
		Example: `  stockctl stock levels import levels.csv
  stockctl stock levels import levels.csv --dry-run -o json
  stockctl stock levels import - --skip-invalid --rejects rejects.csv < levels.csv`,
		Args: args("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			return a.runImport(c, argv[0], &imf, importSpec{
				What:     "stock levels import",
				Columns:  stock.LevelCSVColumns,
				Required: stock.LevelCSVRequired,
				Run:      stock.ImportLevels,
			})
		},
	}
	imf.Add(imp)

	var sku, location string
	exp := &cobra.Command{
		Use:   "export [FILE|-] [--sku S] [--location L]",
		Short: "Write stock levels as CSV (the format stock levels import reads back unchanged)",
		Long: `Write the stock levels kept (sku, location, min, max, bay; an empty cell is a level not set) by
SKU and location, to FILE (written atomically) or standard output. --sku and --location
narrow the rows.

` + fileHelp("FILE"),
		Example: `  stockctl stock levels export levels.csv
  stockctl stock levels export - --location MAIN`,
		Args: optionalArgs("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			return a.runExport(c, argv, "stock levels export", func(q sqlx.QueryerContext, w *csvio.Writer) (int64, error) {
				return stock.ExportLevels(c.Context(), q, sku, location, w)
			})
		},
	}
	exp.Flags().StringVar(&sku, "sku", "", "only this product's rows")
	exp.Flags().StringVar(&location, "location", "", "only rows of this location")
	return []*cobra.Command{imp, exp}
}

func (a *App) stockImportCmd() *cobra.Command {
	var imf importFlags
	var ref string
	cmd := &cobra.Command{
		Use:   "import FILE|- [--ref REF]",
		Short: "Post opening stock and stock adjustments from a CSV file (all or nothing)",
		Long: `Post stock adjustments, opening stock included, from a CSV file with the columns sku, location,
qty, reason, unit_cost, gl_code, narrative, batch, expiry, serials, bay (sku, location and qty
required; the same format as stock adjust --file, docs/csv-formats.md). Each row is one
adjustment with the rules of stock adjust: qty adds (positive) or removes (negative) stock in
the stock unit; unit_cost values stock coming in (default: the average cost); gl_code defaults
to the setting gl_adjustment; batch-tracked products need batch (and expiry, YYYY-MM-DD, for a
new batch); serialised products need one serial per unit in serials (separated by spaces,
semicolons or commas); bay puts stock in or takes it from a bay.

The rows are posted in one transaction, in file order: all or nothing. A row is refused for
bad cells or for what posting it would break (unknown product or location, not enough stock,
a serial already in stock ...); every refused row is reported with its reason. --skip-invalid
posts the rows that can be posted and rejects the others (exit 3).

The summary counts rows: created is the number of rows posted (a serialised row posts one move
per serial); updated is always 0.

--ref REF posts the file once (stock import and stock adjust share refs). Run again with the
same ref and the same rows (compared as values: 5 and 5.00 are the same; serials in any
order; not how the file is laid out or read) it reads the file to compare, posts nothing,
says "already posted" and prints the first run's result: its counts and rejected rows
(exit 0). With different rows it is refused naming the first row that differs and how, or
the number of rows, and nothing is posted (exit 5). The ref keeps the rows of a file of up
to 10,000 rows; of a bigger file only digests, so a difference is named by the block of
10,000 rows it is in. A ref posted before stockctl kept requests (migration 00016) is
answered "already posted" without a comparison.

` + importRulesHelp,
		Example: `  stockctl stock import opening-stock.csv --ref opening-2026
  stockctl stock import counts.csv --dry-run -o json
  stockctl stock import - --skip-invalid --rejects rejects.csv < adjustments.csv`,
		Args: args("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			var imp stock.AdjustImport
			return a.runImport(c, argv[0], &imf, importSpec{
				What:     "stock import",
				Columns:  stock.AdjustCSVColumns,
				Required: stock.AdjustCSVRequired,
				Run: func(ctx context.Context, b *db.Bulk, r *csvio.Reader, opt csvio.ImportOptions) (csvio.Result, error) {
					var err error
					imp, err = stock.ImportAdjustments(ctx, b, r, opt, ref)
					return imp.Result, err
				},
				Replayed: func() string {
					switch {
					case !imp.AlreadyPosted:
						return ""
					case imp.NotKept:
						return fmt.Sprintf("stock import: ref %s was already posted: nothing changed (before stockctl kept what a ref posted: the rows could not be compared, the result is not shown)", ref)
					}
					msg := fmt.Sprintf("stock import: ref %s was already posted with the same rows: nothing changed; it posted %d created, %d updated, %d unchanged, %d rejected",
						ref, imp.Created, imp.Updated, imp.Unchanged, imp.Rejected)
					if int64(imp.RejectsShown) < imp.Rejected {
						msg += fmt.Sprintf(" (the first %d rejected rows are shown)", imp.RejectsShown)
					}
					return msg
				},
			})
		},
	}
	imf.Add(cmd)
	cmd.Flags().StringVar(&ref, "ref", "", "idempotency ref: posted once; again with the same rows it prints the first result, with others it is refused")
	return cmd
}
