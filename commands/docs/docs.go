// Package docs is the docs command: man pages of every command.
package docs

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/fault"
)

// NewCmd returns the docs command; version goes into the man pages' headers.
func NewCmd(a *app.App, version string) *cobra.Command {
	cmd := &cobra.Command{Use: "docs", Short: "Generate documentation: man pages"}
	man := &cobra.Command{
		Use:   "man DIR",
		Short: "Write a man page for every command into DIR",
		Long: `Write a man page (section 1) for every command into DIR, creating DIR if needed:
stockctl.1, stockctl-company-add.1 ...

Each page is written in full under a temporary name in DIR and then renamed into place, so
no page is ever half written; a symbolic link at a page's name is replaced by the page (the
file it points to is left alone), and pages get the permissions the umask gives.`,
		Example: "  stockctl docs man /usr/local/share/man/man1 && man stockctl-company-add",
		Args:    app.Args("DIR"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o777); err != nil {
				return fault.Invalidf("DIR", "cannot create %s: %v", args[0], app.UnwrapPath(err))
			}
			n, err := writeManTree(c.Root(), args[0], version)
			if err != nil {
				return err
			}
			a.Say("%d man pages written to %s", n, args[0])
			return nil
		},
	}
	cmd.AddCommand(man)
	return cmd
}

// writeManTree writes the man page of cmd and of every command under it into dir, named as
// cobra's GenManTree names them (the command path joined by "-", then ".1"), each one
// through app.WriteFile; it returns how many it wrote.
func writeManTree(cmd *cobra.Command, dir, version string) (int, error) {
	n := 0
	for _, sub := range cmd.Commands() {
		if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
			continue
		}
		k, err := writeManTree(sub, dir, version)
		n += k
		if err != nil {
			return n, err
		}
	}
	path := filepath.Join(dir, strings.ReplaceAll(cmd.CommandPath(), " ", "-")+".1")
	header := &doc.GenManHeader{Title: "STOCKCTL", Section: "1", Source: "stockctl " + version}
	if err := app.WriteFile(path, "DIR", func(w io.Writer) error { return doc.GenMan(cmd, header, w) }); err != nil {
		return n, err
	}
	return n + 1, nil
}
