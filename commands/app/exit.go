package app

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

// Report prints err to stderr (as one line, or one JSON object with -o json) and returns the
// exit code. Usage errors also name the command's usage line. The line for people has its
// control characters escaped (printer.EscapeLines).
func (a *App) Report(cmd *cobra.Command, err error) int {
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	if code == ExitUsage && cmd != nil && !strings.Contains(err.Error(), "--help") {
		err = &fault.Error{Kind: fault.Usage, Field: fault.FieldOf(err),
			Msg: fmt.Sprintf("%s (usage: %s; see %s --help)", err.Error(), strings.TrimSpace(cmd.UseLine()), cmd.CommandPath())}
	}
	msg := a.Scrub(err.Error())
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

// Scrub hides from a message the passwords of every database URL stockctl was given (the
// one in use or not) and PGPASSWORD's value: the last line of defence for whatever a
// driver, a server or a client program may echo back.
func (a *App) Scrub(msg string) string {
	return db.Scrub(msg, a.DBURL, os.Getenv("STOCKCTL_DATABASE_URL"), os.Getenv("DATABASE_URL"))
}
