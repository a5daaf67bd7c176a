package supplier

import (
	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/io/csvio"
	"github.com/stockctl/stockctl/orders/purchasing"
)

// newPriceImportCmd is supplier price import, on the shared CSV plumbing (App.RunImport).
func newPriceImportCmd(a *app.App) *cobra.Command {
	var imf app.ImportFlags
	imp := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Create or update supplier prices from a CSV file (all or nothing)",
		Long: `Create or update supplier prices from a CSV file with the columns supplier, sku, price,
currency, min_qty, supplier_sku, lead_days, pack, priority, valid_from, valid_until, unit
(docs/csv-formats.md; supplier and sku are required; files without unit still import). Each row is one price break, keyed like
supplier price add: supplier, sku, currency (empty: the supplier's), min_qty (empty: 1) and
valid_from (empty: none). A row whose key matches a stored price updates it, and an empty
cell leaves that field as it is (a field cannot be cleared by an import); a new key adds a
price, which needs a price and otherwise takes supplier price add's defaults (priority 1, the
part number the supplier's other prices of the product carry). pack is a number of stock
units or a pack unit of the product. unit is what price is per: a unit of the stock unit's
category or a pack unit (box: the price of one box); empty, a new price is per stock unit and
an existing one keeps its unit. min_qty is always in the stock unit.

The header may be in any order; --map renames foreign headers. UTF-8 (with or without BOM) and
Windows-1252 are detected, as are comma, semicolon and tab delimiters. Columns the format does
not know are refused unless --ignore-unknown.

Every row is checked before anything is written: each bad row is reported with its row (the
file's line it starts on; the header is row 1), column and reason. By default one bad row means
nothing is written (exit 5). With --skip-invalid the good rows are written, the bad ones are
reported and written to --rejects FILE with their reasons (exit 3). --dry-run reports the
counts and writes nothing.

An import is one transaction: interrupted, it leaves the database as it was. Importing the same
file again, or a file made by supplier price export, reports 0 created and 0 updated.`,
		Example: `  stockctl supplier price import eurotool-2026.csv
  stockctl supplier price import list.csv --map 'Vendor=supplier,Item=sku,Cost=price' --ignore-unknown
  stockctl supplier price import list.csv --skip-invalid --rejects rejects.csv -o json
  stockctl supplier price export - EUROTOOL | stockctl supplier price import - --dry-run`,
		Args: app.Args("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			return a.RunImport(c, argv[0], &imf, app.ImportSpec{
				What:     "supplier price import",
				Columns:  purchasing.PriceCSVColumns,
				Required: purchasing.PriceCSVRequired,
				Run:      purchasing.ImportPrices,
			})
		},
	}
	imf.Add(imp)
	return imp
}

// newPriceExportCmd is supplier price export, on the shared CSV plumbing (App.RunExport).
func newPriceExportCmd(a *app.App) *cobra.Command {
	return &cobra.Command{
		Use:   "export [FILE|-] [SUPPLIER]",
		Short: "Write supplier prices as CSV (the format supplier price import reads back unchanged)",
		Long: `Write every supplier price (or SUPPLIER's) as CSV with the stable header of
docs/csv-formats.md, by supplier, SKU, currency, minimum quantity and valid-from date, to FILE
(written atomically) or standard output ("-" or nothing). Every column is filled: the
currency, the minimum and the priority as stored, the pack as the product's pack unit when the
price names one, else its quantity, and the unit the price is per (the stock unit's code for a
price per stock unit). Prices of every date are written, current or not. With
one argument it is the FILE: write "export - SUPPLIER" for one supplier on standard output.

Cells that start with = + - @ (other than numbers) are written with a leading ' so a
spreadsheet does not run them as formulas; supplier price import removes it again.

` + app.FileHelp("FILE"),
		Example: `  stockctl supplier price export prices.csv
  stockctl supplier price export - EUROTOOL
  stockctl supplier price export > all-prices.csv`,
		Args: app.OptionalArgs("FILE", "SUPPLIER"),
		RunE: func(c *cobra.Command, argv []string) error {
			supplier := ""
			if len(argv) == 2 {
				supplier = argv[1]
			}
			return a.RunExport(c, argv, "supplier price export", func(q sqlx.QueryerContext, w *csvio.Writer) (int64, error) {
				return purchasing.ExportPrices(c.Context(), q, supplier, w)
			})
		},
	}
}
