// Package version is the version command.
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/commands/app"
)

// NewCmd returns the version command, which prints version.
func NewCmd(a *app.App, version string) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print stockctl's version",
		Example: "  stockctl version",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(a.Out, "stockctl %s\n", version)
			return err
		},
	}
}
