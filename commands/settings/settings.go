// Package settings is the settings command: reading and changing business-wide settings.
package settings

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/commands/app"
)

// NewCmd returns the settings command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "settings",
		Short: "Business-wide settings: base currency, price type, tax and GL defaults, number formats",
	}
	cmd.AddCommand(newListCmd(a), newGetCmd(a), newSetCmd(a))
	return cmd
}

// ListOptions are settings list's: none but the invocation.
type ListOptions struct {
	App *app.App
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	return &cobra.Command{
		Use:     "list",
		Short:   "List every setting with its value and meaning",
		Example: "  stockctl settings list\n  stockctl settings list -o json",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runList(c.Context(), opts)
		},
	}
}

func runList(ctx context.Context, opts *ListOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]settings.Setting, error) {
		return settings.List(ctx, d)
	})
}

// GetOptions are settings get's argument.
type GetOptions struct {
	App *app.App
	Key string
}

func newGetCmd(a *app.App) *cobra.Command {
	opts := &GetOptions{App: a}
	return &cobra.Command{
		Use:     "get KEY",
		Short:   "Print one setting's value",
		Example: "  stockctl settings get base_currency",
		Args:    app.Args("KEY"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Key = args[0]
			return runGet(c.Context(), opts)
		},
	}
}

// runGet prints the bare value as a table (for scripts: $(stockctl settings get KEY)), else
// the setting as one item.
func runGet(ctx context.Context, opts *GetOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	s, err := settings.Get(ctx, d, opts.Key)
	if err != nil {
		return err
	}
	if a.Output == "table" && len(a.Fields) == 0 {
		_, err = a.Out.Write([]byte(s.Value + "\n"))
		return err
	}
	return a.Printer().One(s)
}

// SetOptions are settings set's arguments and flags.
type SetOptions struct {
	App        *app.App
	Key, Value string
	DryRun     bool
}

func newSetCmd(a *app.App) *cobra.Command {
	opts := &SetOptions{App: a}
	cmd := &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change a setting (validated: see settings list for what each takes)",
		Long: "Change a setting. Known keys: " + strings.Join(settings.Keys(), ", ") + `.

base_currency cannot change once any document exists; changing it (before that) adds the
currency if needed and clears the exchange rates, which were quoted against the old base.

number_format_<kind> (so, po, rfq, wo, st, tr, sh, inv, cn, rma) is text with one %d, optionally
zero-padded (SO-%06d, %d/2026). A new format applies from the next document; the count goes
on where it was. Numbers never skip: a --dry-run or a refused command uses none.`,
		Example: "  stockctl settings set location_pricing sell_from\n  stockctl settings set number_format_so 'SO-%05d'",
		Args:    app.Args("KEY", "VALUE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Key, opts.Value = args[0], args[1]
			return runSet(c.Context(), opts)
		},
	}
	app.DryRunFlag(cmd, &opts.DryRun, "validate and show the result without saving it")
	return cmd
}

func runSet(ctx context.Context, opts *SetOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (settings.Setting, error) {
		return settings.Set(ctx, tx, opts.Key, opts.Value)
	})
}
