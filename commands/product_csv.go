package commands

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

func (a *App) productCSVCmds() []*cobra.Command {
	var imf importFlags
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

Every row is checked before anything is written: each bad row is reported with its row (the
file's line it starts on; the header is row 1), column and reason. By default one bad row means
nothing is written (exit 5). With --skip-invalid the good rows are written, the bad ones are
reported and written to --rejects FILE with their reasons (exit 3). --dry-run reports the
counts and writes nothing.

An import is one transaction: interrupted, it leaves the database as it was. Importing the same
file again, or a file made by product export, reports 0 created and 0 updated.

Rows that change a product's tracking, serial numbers, batches, type, stock unit or active
flag take those products' posting locks (in product id order, before they are checked): the
import waits for postings of them in flight and checks their stock afterwards, and postings
that start meanwhile wait for the import and follow its rules. A product whose rules another
session changes while the import runs makes it fail with nothing written (exit 5; run it
again).`,
		Example: `  stockctl product import products.csv
  stockctl product import supplier.csv --map 'Item Code=sku,Desc=name,Cost=cost_price' --ignore-unknown
  stockctl product import big.csv --skip-invalid --rejects rejects.csv -o json
  cat products.csv | stockctl product import - --dry-run`,
		Args: args("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			return a.runImport(c, argv[0], &imf, importSpec{
				What:     "product import",
				Columns:  catalog.CSVColumns,
				Required: catalog.CSVRequired,
				Run:      catalog.ImportProducts,
			})
		},
	}
	imf.Add(imp)

	var f catalog.Filter
	var all, inactive bool
	exp := &cobra.Command{
		Use:   "export [FILE|-]",
		Short: "Write products as CSV (the format product import reads back unchanged)",
		Long: `Write the products as CSV with the stable header of docs/csv-formats.md, in SKU order, to FILE
or standard output. The filters are those of product list; by default active products, --all
for every product, --inactive for deactivated ones. System products (FREIGHT, DEPOSIT,
SERVICE) come with every database and are not exported.

Cells that start with = + - @ (other than numbers) are written with a leading ' so a
spreadsheet does not run them as formulas; product import removes it again.

` + fileHelp("FILE"),
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
			return a.runCopyExport(c, argv, "product export", func(b *db.Bulk, w io.Writer) (int64, error) {
				return catalog.ExportProducts(c.Context(), b, f, w)
			})
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
