package commands

import (
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/commands/app"
)

// Exit codes, as documented in SPEC §10 and README; scripts depend on them (commands/app's).
const (
	ExitOK          = app.ExitOK
	ExitFailure     = app.ExitFailure
	ExitPartial     = app.ExitPartial
	ExitUsage       = app.ExitUsage
	ExitInvalid     = app.ExitInvalid
	ExitNotFound    = app.ExitNotFound
	ExitUnavailable = app.ExitUnavailable
	ExitInterrupted = app.ExitInterrupted
)

// ExitCode maps an error to the process exit code (app.ExitCode: the one place this is decided).
func ExitCode(err error) int { return app.ExitCode(err) }

func exitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "What stockctl's exit codes mean",
		Long: `Exit codes, for scripts:

  0    success (an empty list is a success)
  1    unexpected failure (a bug or an environment problem; the message says which)
  3    partly done: --skip-invalid wrote the good rows and reported the rejects
  4    usage error: unknown command or flag, missing or extra argument, a value that does not
       parse (not a number, 1e3, not a date, unknown --output), a whole number out of range
  5    rejected by a rule or invalid input; nothing was written (duplicate code, a rate of 0,
       not enough stock, a number or date beyond its limits, a negative count, bad CSV rows)
  6    not found: a product, company, location, currency, document ... named anywhere on the
       command line (argument or flag) does not exist
  10   database unreachable, no PostgreSQL available, schema out of date, or the database
       went away during the command (what it had not committed was rolled back)
  130  interrupted (Ctrl-C or SIGTERM): "stockctl: interrupted"; the transaction was rolled back

With -o json an error is also printed to stderr as one JSON object:
  {"error":"...","kind":"invalid","field":"currency","exit_code":5}`,
		Args: cobra.NoArgs,
		Run:  func(c *cobra.Command, _ []string) { _ = c.Help() },
	}
}
