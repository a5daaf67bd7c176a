package commands

import (
	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/inventory/pricing"
	"github.com/stockctl/stockctl/io/csvio"
)

// CSV import and export of price breaks and special prices (docs/csv-formats.md), on the
// shared plumbing of csvimport.go.

const importRulesHelp = `The header may be in any order; --map renames foreign headers. UTF-8 (with or without BOM) and
Windows-1252 are detected, as are comma, semicolon and tab delimiters. Columns the format does
not know are refused unless --ignore-unknown.

Every row is checked before anything is written: each bad row is reported with its row (the
file's line it starts on; the header is row 1), column and reason, every reason of it. By
default one bad row means nothing is written (exit 5). With --skip-invalid the good rows are
written, the bad ones are reported and written to --rejects FILE with their reasons (exit 3).
--dry-run reports the counts and writes nothing. The summary line goes to standard error;
-o json prints it as one object on standard output.`

func (a *App) priceBreakCSVCmds() []*cobra.Command {
	var imf importFlags
	imp := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Set price break rows from a CSV file (all or nothing)",
		Long: `Set quantity price break rows from a CSV file with the columns sku, price_type, region, min_qty,
price (sku and price required; docs/csv-formats.md). Each row is keyed by SKU, price type
(empty: the default price type), region (empty: none) and minimum quantity (empty: 0, in the
stock unit): a new key creates a break row, a known one replaces its price. The default price
type's row at minimum 0 without region is the product's unit sell price (refused for a product
priced by formula), as with price break add. Rows are never deleted by an import: use price
break delete.

` + importRulesHelp + `

Importing the same file again, or a file made by price break export, reports 0 created and 0
updated.`,
		Example: `  stockctl price break import breaks.csv
  stockctl price break import breaks.csv --dry-run -o json
  stockctl price break import - --skip-invalid --rejects rejects.csv < breaks.csv`,
		Args: args("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			return a.runImport(c, argv[0], &imf, importSpec{
				What:     "price break import",
				Columns:  pricing.BreakCSVColumns,
				Required: pricing.BreakCSVRequired,
				Run:      pricing.ImportBreaks,
			})
		},
	}
	imf.Add(imp)

	var sku, priceType string
	exp := &cobra.Command{
		Use:   "export [FILE|-] [--sku S] [--price-type T]",
		Short: "Write price break rows as CSV (the format price break import reads back unchanged)",
		Long: `Write price break rows as CSV (sku, price_type, region, min_qty, price) by SKU, price type,
region and minimum, to FILE (written atomically) or standard output. Every stored break row is
written, and the default price type's first row (minimum 0, no region), which is the unit sell
price, of each product whose price is fixed; a sell price computed by a formula is left out
(the formula sets it, not an import). --sku and --price-type narrow the rows.

` + fileHelp("FILE"),
		Example: `  stockctl price break export breaks.csv
  stockctl price break export - --price-type trade
  stockctl price break export --sku DRILL-18V`,
		Args: optionalArgs("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			return a.runExport(c, argv, "price break export", func(q sqlx.QueryerContext, w *csvio.Writer) (int64, error) {
				return pricing.ExportBreaks(c.Context(), q, sku, priceType, w)
			})
		},
	}
	exp.Flags().StringVar(&sku, "sku", "", "only this product's rows")
	exp.Flags().StringVar(&priceType, "price-type", "", "only rows of this price type")
	return []*cobra.Command{imp, exp}
}

func (a *App) priceSpecialCSVCmds() []*cobra.Command {
	var imf importFlags
	imp := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Set special price rows from a CSV file (all or nothing)",
		Long: `Set customers' special price rows from a CSV file with the columns customer, sku, min_qty, price,
valid_from, valid_until (customer, sku and price required; docs/csv-formats.md). Each row is
keyed by customer, SKU and minimum quantity (empty: 0): a new key creates a row, a known one
has its price and validity replaced. A row sets its validity whole: an empty valid_from or
valid_until means open-ended, also for a row that had a date. Dates are YYYY-MM-DD. Rows are
never deleted by an import: use price special delete.

` + importRulesHelp + `

Importing the same file again, or a file made by price special export, reports 0 created and
0 updated.`,
		Example: `  stockctl price special import specials.csv
  stockctl price special import specials.csv --skip-invalid --rejects rejects.csv
  cat specials.csv | stockctl price special import - --dry-run -o json`,
		Args: args("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			return a.runImport(c, argv[0], &imf, importSpec{
				What:     "price special import",
				Columns:  pricing.SpecialCSVColumns,
				Required: pricing.SpecialCSVRequired,
				Run:      pricing.ImportSpecials,
			})
		},
	}
	imf.Add(imp)

	var customer, sku string
	exp := &cobra.Command{
		Use:   "export [FILE|-] [--customer C] [--sku S]",
		Short: "Write special price rows as CSV (the format price special import reads back unchanged)",
		Long: `Write the special price rows as CSV (customer, sku, min_qty, price, valid_from, valid_until) by
customer, SKU and minimum, to FILE (written atomically) or standard output; expired and future
rows included. --customer and --sku narrow the rows.

` + fileHelp("FILE"),
		Example: `  stockctl price special export specials.csv
  stockctl price special export - --customer ACME`,
		Args: optionalArgs("FILE"),
		RunE: func(c *cobra.Command, argv []string) error {
			return a.runExport(c, argv, "price special export", func(q sqlx.QueryerContext, w *csvio.Writer) (int64, error) {
				return pricing.ExportSpecials(c.Context(), q, customer, sku, w)
			})
		},
	}
	exp.Flags().StringVar(&customer, "customer", "", "only this customer's rows")
	exp.Flags().StringVar(&sku, "sku", "", "only this product's rows")
	return []*cobra.Command{imp, exp}
}
