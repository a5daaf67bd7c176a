package commands

import (
	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/uom"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/printer"
)

// conversion is what uom convert prints with -o json or csv.
type conversion struct {
	Quantity decimal.Decimal `json:"quantity"`
	From     string          `json:"from"`
	Result   decimal.Decimal `json:"result"`
	To       string          `json:"to"`
}

func (a *App) uomCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "uom",
		Short: "Units of measure: categories (count, weight, length, volume, time) and their units",
		Long: `Units of measure. Every unit belongs to a category (count, weight, length, volume, time)
and has a ratio to the category's reference unit (ea, kg, m, l, s): 1 g is 0.001 kg.
Quantities convert between units of the same category and are rounded, half away from zero,
to the precision (decimal places) of the unit they end up in. Converting across categories is
an error.`,
	}

	var category, name string
	var ratio decimalFlag
	var precision int
	var dry bool
	add := &cobra.Command{
		Use:   "add CODE --category CAT --ratio R",
		Short: "Add a unit of measure to a category",
		Long: `Add a unit. --ratio says how many of the category's reference unit one of the new unit is
(see stockctl uom categories), --precision how many decimals a quantity in it keeps (0 to 6,
default 0: whole units). Codes are case-sensitive and start with a letter.`,
		Example: `  stockctl uom add box6 --category count --ratio 6 --name "box of 6"
  stockctl uom add ton --category weight --ratio 907.18474 --precision 3 --name "short ton"`,
		Args: args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			if !c.Flags().Changed("category") {
				return fault.Usagef("category", "missing --category: one of the categories in stockctl uom categories")
			}
			if !ratio.Given {
				return fault.Usagef("ratio", "missing --ratio: how many reference units one %s is", args[0])
			}
			var u uom.Unit
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				u, err = uom.Add(c.Context(), tx, args[0], category, ratio.Value, precision, name)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(u)
		},
	}
	fl := add.Flags()
	fl.StringVar(&category, "category", "", "category: count, weight, length, volume, time ... (required)")
	fl.Var(ratio.Of(bounds.Rate, positive), "ratio", "how many reference units of the category one unit is, e.g. 0.001 (required)")
	intVar(fl, &precision, "precision", 0, -bounds.MaxWhole, bounds.MaxWhole, "decimals a quantity in the unit keeps, 0 to 6")
	fl.StringVar(&name, "name", "", "unit name (default: the code)")
	fl.BoolVar(&dry, "dry-run", false, "validate without saving")

	var listCategory string
	list := &cobra.Command{
		Use:     "list",
		Short:   "List units by category, smallest first",
		Example: "  stockctl uom list\n  stockctl uom list --category weight -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			us, err := uom.List(c.Context(), d, listCategory)
			if err != nil {
				return err
			}
			return a.Printer().List(us)
		},
	}
	list.Flags().StringVar(&listCategory, "category", "", "only the units of this category")

	categories := &cobra.Command{
		Use:     "categories",
		Short:   "List unit categories and their reference units",
		Example: "  stockctl uom categories",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			cs, err := uom.Categories(c.Context(), d)
			if err != nil {
				return err
			}
			return a.Printer().List(cs)
		},
	}

	convert := &cobra.Command{
		Use:   "convert QTY FROM TO",
		Short: "Convert a quantity from one unit to another of the same category",
		Long: `Convert QTY in unit FROM to unit TO, rounded half away from zero to TO's precision, and
print the result (with -o json or csv: the quantity, both units and the result).`,
		Example: "  stockctl uom convert 3 ft in          # 36.00\n  stockctl uom convert 1234.5 g kg      # 1.235",
		Args:    args("QTY", "FROM", "TO"),
		RunE: func(c *cobra.Command, args []string) error {
			qty, err := quantityArg(args[0], anySign, "")
			if err != nil {
				return err
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			from, err := uom.Get(c.Context(), d, args[1])
			if err != nil {
				return err
			}
			to, err := uom.Get(c.Context(), d, args[2])
			if err != nil {
				return err
			}
			res, err := uom.Convert(qty, from, to)
			if err != nil {
				return err
			}
			if f, _ := printer.ParseFormat(a.Output); f == printer.Table && len(a.Fields) == 0 {
				_, err = a.Out.Write([]byte(res.StringFixed(to.Precision) + "\n"))
				return err
			}
			return a.Printer().One(conversion{Quantity: qty, From: from.Code, Result: res, To: to.Code})
		},
	}
	cmd.AddCommand(add, list, categories, convert)
	return cmd
}
