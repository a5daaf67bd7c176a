// Package uom is the uom command: units of measure, their categories and conversion.
package uom

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/uom"
	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/printer"
)

// NewCmd returns the uom command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "uom",
		Short: "Units of measure: categories (count, weight, length, volume, time) and their units",
		Long: `Units of measure. Every unit belongs to a category (count, weight, length, volume, time)
and has a ratio to the category's reference unit (ea, kg, m, l, s): 1 g is 0.001 kg.
Quantities convert between units of the same category and are rounded, half away from zero,
to the precision (decimal places) of the unit they end up in. Converting across categories is
an error.`,
	}
	cmd.AddCommand(newAddCmd(a), newListCmd(a), newCategoriesCmd(a), newConvertCmd(a))
	return cmd
}

// AddOptions are uom add's argument and flags.
type AddOptions struct {
	App                  *app.App
	Code, Category, Name string
	Ratio                decimal.Decimal
	Precision            int
	DryRun               bool
}

func newAddCmd(a *app.App) *cobra.Command {
	opts := &AddOptions{App: a}
	var ratio app.DecimalFlag
	cmd := &cobra.Command{
		Use:   "add CODE --category CAT --ratio R",
		Short: "Add a unit of measure to a category",
		Long: `Add a unit. --ratio says how many of the category's reference unit one of the new unit is
(see stockctl uom categories), --precision how many decimals a quantity in it keeps (0 to 6,
default 0: whole units). Codes are case-sensitive and start with a letter.`,
		Example: `  stockctl uom add box6 --category count --ratio 6 --name "box of 6"
  stockctl uom add ton --category weight --ratio 907.18474 --precision 3 --name "short ton"`,
		Args: app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			if !c.Flags().Changed("category") {
				return fault.Usagef("category", "missing --category: one of the categories in stockctl uom categories")
			}
			if !ratio.Given {
				return fault.Usagef("ratio", "missing --ratio: how many reference units one %s is", args[0])
			}
			opts.Code, opts.Ratio = args[0], ratio.Value
			return runAdd(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Category, "category", "", "category: count, weight, length, volume, time ... (required)")
	fl.Var(ratio.Of(bounds.Rate, app.Positive), "ratio", "how many reference units of the category one unit is, e.g. 0.001 (required)")
	app.IntVar(fl, &opts.Precision, "precision", 0, -bounds.MaxWhole, bounds.MaxWhole, "decimals a quantity in the unit keeps, 0 to 6")
	fl.StringVar(&opts.Name, "name", "", "unit name (default: the code)")
	app.DryRunFlag(cmd, &opts.DryRun, "validate without saving")
	return cmd
}

func runAdd(ctx context.Context, opts *AddOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (uom.Unit, error) {
		return uom.Add(ctx, tx, opts.Code, opts.Category, opts.Ratio, opts.Precision, opts.Name)
	})
}

// ListOptions are uom list's flags.
type ListOptions struct {
	App      *app.App
	Category string
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List units by category, smallest first",
		Example: "  stockctl uom list\n  stockctl uom list --category weight -o json",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runList(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Category, "category", "", "only the units of this category")
	return cmd
}

func runList(ctx context.Context, opts *ListOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]uom.Unit, error) {
		return uom.List(ctx, d, opts.Category)
	})
}

func newCategoriesCmd(a *app.App) *cobra.Command {
	return &cobra.Command{
		Use:     "categories",
		Short:   "List unit categories and their reference units",
		Example: "  stockctl uom categories",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runCategories(c.Context(), a)
		},
	}
}

func runCategories(ctx context.Context, a *app.App) error {
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	cs, err := uom.Categories(ctx, d)
	if err != nil {
		return err
	}
	return a.Printer().List(cs)
}

// conversion is what uom convert prints with -o json or csv.
type conversion struct {
	Quantity decimal.Decimal `json:"quantity"`
	From     string          `json:"from"`
	Result   decimal.Decimal `json:"result"`
	To       string          `json:"to"`
}

// ConvertOptions are uom convert's arguments, read.
type ConvertOptions struct {
	App      *app.App
	Qty      decimal.Decimal
	From, To string
}

func newConvertCmd(a *app.App) *cobra.Command {
	opts := &ConvertOptions{App: a}
	return &cobra.Command{
		Use:   "convert QTY FROM TO",
		Short: "Convert a quantity from one unit to another of the same category",
		Long: `Convert QTY in unit FROM to unit TO, rounded half away from zero to TO's precision, and
print the result (with -o json or csv: the quantity, both units and the result).`,
		Example: "  stockctl uom convert 3 ft in          # 36.00\n  stockctl uom convert 1234.5 g kg      # 1.235",
		Args:    app.Args("QTY", "FROM", "TO"),
		RunE: func(c *cobra.Command, args []string) (err error) {
			if opts.Qty, err = app.QuantityArg(args[0], app.AnySign, ""); err != nil {
				return err
			}
			opts.From, opts.To = args[1], args[2]
			return runConvert(c.Context(), opts)
		},
	}
}

// runConvert prints the bare result as a table, else the whole conversion.
func runConvert(ctx context.Context, opts *ConvertOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	from, err := uom.Get(ctx, d, opts.From)
	if err != nil {
		return err
	}
	to, err := uom.Get(ctx, d, opts.To)
	if err != nil {
		return err
	}
	res, err := uom.Convert(opts.Qty, from, to)
	if err != nil {
		return err
	}
	if f, _ := printer.ParseFormat(a.Output); f == printer.Table && len(a.Fields) == 0 {
		_, err = a.Out.Write([]byte(res.StringFixed(to.Precision) + "\n"))
		return err
	}
	return a.Printer().One(conversion{Quantity: opts.Qty, From: from.Code, Result: res, To: to.Code})
}
