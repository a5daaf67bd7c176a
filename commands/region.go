package commands

import (
	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/region"
)

func (a *App) regionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "region",
		Short: "Sales regions (states, territories) that companies and locations belong to",
	}
	var name string
	var dry bool
	add := &cobra.Command{
		Use:     "add CODE",
		Short:   "Add a sales region",
		Example: "  stockctl region add NSW --name 'New South Wales'",
		Args:    args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			var r region.Region
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				r, err = region.Add(c.Context(), tx, args[0], name)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(r)
		},
	}
	add.Flags().StringVar(&name, "name", "", "region name (default: the code)")
	add.Flags().BoolVar(&dry, "dry-run", false, "validate without saving")
	list := &cobra.Command{
		Use:     "list",
		Short:   "List sales regions",
		Example: "  stockctl region list -o csv",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			rs, err := region.List(c.Context(), d)
			if err != nil {
				return err
			}
			return a.Printer().List(rs)
		},
	}
	cmd.AddCommand(add, list)
	return cmd
}
