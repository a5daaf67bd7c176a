package commands

import (
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/settings"
)

func (a *App) settingsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "settings",
		Short: "Business-wide settings: base currency, price type, tax and GL defaults, number formats",
	}
	list := &cobra.Command{
		Use:     "list",
		Short:   "List every setting with its value and meaning",
		Example: "  stockctl settings list\n  stockctl settings list -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			ss, err := settings.List(c.Context(), d)
			if err != nil {
				return err
			}
			return a.Printer().List(ss)
		},
	}
	get := &cobra.Command{
		Use:     "get KEY",
		Short:   "Print one setting's value",
		Example: "  stockctl settings get base_currency",
		Args:    args("KEY"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			s, err := settings.Get(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			if a.Output == "table" && len(a.Fields) == 0 {
				_, err = a.Out.Write([]byte(s.Value + "\n"))
				return err
			}
			return a.Printer().One(s)
		},
	}
	var dry bool
	set := &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change a setting (validated: see settings list for what each takes)",
		Long: "Change a setting. Known keys: " + strings.Join(settings.Keys(), ", ") + `.

base_currency cannot change once any document exists; changing it (before that) adds the
currency if needed and clears the exchange rates, which were quoted against the old base.

number_format_<kind> (so, po, rfq, wo, st, tr, sh, inv, cn, rma) is text with one %d, optionally
zero-padded (SO-%06d, %d/2026). A new format applies from the next document; the count goes
on where it was. Numbers never skip: a --dry-run or a refused command uses none.`,
		Example: "  stockctl settings set location_pricing sell_from\n  stockctl settings set number_format_so 'SO-%05d'",
		Args:    args("KEY", "VALUE"),
		RunE: func(c *cobra.Command, args []string) error {
			var s settings.Setting
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				s, err = settings.Set(c.Context(), tx, args[0], args[1])
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(s)
		},
	}
	set.Flags().BoolVar(&dry, "dry-run", false, "validate and show the result without saving it")
	cmd.AddCommand(list, get, set)
	return cmd
}
