package commands

import (
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/stockctl/stockctl/fault"
)

func (a *App) docsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "docs", Short: "Generate documentation: man pages"}
	man := &cobra.Command{
		Use:     "man DIR",
		Short:   "Write a man page for every command into DIR",
		Example: "  stockctl docs man /usr/local/share/man/man1 && man stockctl-company-add",
		Args:    args("DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return fault.Invalidf("DIR", "cannot create %s: %v", args[0], err)
			}
			header := &doc.GenManHeader{Title: "STOCKCTL", Section: "1", Source: "stockctl " + version}
			if err := doc.GenManTree(c.Root(), header, args[0]); err != nil {
				return fault.Invalidf("DIR", "writing man pages to %s: %v", args[0], err)
			}
			a.say("man pages written to %s", args[0])
			return nil
		},
	}
	cmd.AddCommand(man)
	return cmd
}
