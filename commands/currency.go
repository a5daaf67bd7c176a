package commands

import (
	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/currency"
)

func (a *App) currencyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "currency",
		Short: "Currencies and their dated exchange rates to the base currency",
	}
	var name string
	var dry bool
	add := &cobra.Command{
		Use:   "add CODE",
		Short: "Add an ISO 4217 currency",
		Long: `Add a currency by its ISO 4217 code. Its minor unit (cents: 2, yen: 0) comes from ISO 4217
and is used to round amounts in that currency.`,
		Example: "  stockctl currency add EUR --name Euro",
		Args:    args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			var cur currency.Currency
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				cur, err = currency.Add(c.Context(), tx, args[0], name)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(cur)
		},
	}
	add.Flags().StringVar(&name, "name", "", "currency name (default: the code)")
	add.Flags().BoolVar(&dry, "dry-run", false, "validate without saving")

	list := &cobra.Command{
		Use:     "list",
		Short:   "List currencies, the base currency first",
		Example: "  stockctl currency list",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			cs, err := currency.List(c.Context(), d)
			if err != nil {
				return err
			}
			return a.Printer().List(cs)
		},
	}

	rate := &cobra.Command{Use: "rate", Short: "Exchange rates: one unit of a currency in base units, from a date"}
	var date string
	var rateDry bool
	rateSet := &cobra.Command{
		Use:   "set CODE RATE",
		Short: "Set the rate of a currency from a date on",
		Long: `Set how many base-currency units one unit of CODE is worth, from --date (default today) on.
Documents use the rate in force on their date and keep it; setting a rate again for the same
date replaces it, and changes no document that already froze a rate.`,
		Example: "  stockctl currency rate set EUR 1.08 --date 2026-01-01",
		Args:    args("CODE", "RATE"),
		RunE: func(c *cobra.Command, args []string) error {
			r, err := parseNumber("RATE", args[1], bounds.Rate, anySign)
			if err != nil {
				return err
			}
			d, err := parseDate("--date", date)
			if err != nil {
				return err
			}
			var out currency.Rate
			err = a.write(c, rateDry, func(tx *sqlx.Tx) (err error) {
				out, err = currency.SetRate(c.Context(), tx, args[0], r, d)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(out)
		},
	}
	rateSet.Flags().StringVar(&date, "date", "", "first day the rate applies, YYYY-MM-DD (default today)")
	rateSet.Flags().BoolVar(&rateDry, "dry-run", false, "validate without saving")
	rateList := &cobra.Command{
		Use:     "list [CODE]",
		Short:   "List exchange rates, newest first",
		Example: "  stockctl currency rate list EUR",
		Args:    optionalArgs("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			code := ""
			if len(args) == 1 {
				code = args[0]
			}
			rs, err := currency.Rates(c.Context(), d, code)
			if err != nil {
				return err
			}
			return a.Printer().List(rs)
		},
	}
	rate.AddCommand(rateSet, rateList)
	cmd.AddCommand(add, list, rate)
	return cmd
}
