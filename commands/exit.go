package commands

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/printer"
)

// Exit codes, as documented in SPEC §10 and README; scripts depend on them.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitPartial     = 3
	ExitUsage       = 4
	ExitInvalid     = 5
	ExitNotFound    = 6
	ExitUnavailable = 10
	ExitInterrupted = 130
)

// ExitCode maps an error to the process exit code: the one place this is decided.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	switch fault.KindOf(err) {
	case fault.Usage:
		return ExitUsage
	case fault.Invalid, fault.Conflict:
		return ExitInvalid
	case fault.NotFound:
		return ExitNotFound
	case fault.Unavailable:
		return ExitUnavailable
	case fault.Partial:
		return ExitPartial
	case fault.Interrupted:
		return ExitInterrupted
	}
	return ExitFailure
}

// report prints err to stderr (as one line, or one JSON object with -o json) and returns the
// exit code. Usage errors also name the command's usage line. The line for people has its
// control characters escaped (printer.EscapeLines).
func (a *App) report(cmd *cobra.Command, err error) int {
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	if code == ExitUsage && cmd != nil && !strings.Contains(err.Error(), "--help") {
		err = &fault.Error{Kind: fault.Usage, Field: fault.FieldOf(err),
			Msg: fmt.Sprintf("%s (usage: %s; see %s --help)", err.Error(), strings.TrimSpace(cmd.UseLine()), cmd.CommandPath())}
	}
	msg := a.scrub(err.Error())
	if a.Output == "json" {
		obj := struct {
			Error    string `json:"error"`
			Kind     string `json:"kind"`
			Field    string `json:"field,omitempty"`
			ExitCode int    `json:"exit_code"`
		}{msg, fault.KindOf(err).String(), fault.FieldOf(err), code}
		b, _ := json.Marshal(obj)
		fmt.Fprintln(a.Err, string(b))
		return code
	}
	// Messages echo what was typed or stored (a SKU, a name, a cell of a file): its control
	// characters are shown escaped, as in tables. JSON above escapes by its own rules.
	fmt.Fprintf(a.Err, "stockctl: %s\n", printer.EscapeLines(msg))
	return code
}

// scrub hides from a message the passwords of every database URL stockctl was given (the
// one in use or not) and PGPASSWORD's value: the last line of defence for whatever a
// driver, a server or a client program may echo back.
func (a *App) scrub(msg string) string {
	return db.Scrub(msg, a.DBURL, os.Getenv("STOCKCTL_DATABASE_URL"), os.Getenv("DATABASE_URL"))
}

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
