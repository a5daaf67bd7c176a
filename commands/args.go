package commands

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/printer"
)

// args checks the number of positional arguments and names the missing ones, so the error
// says "missing CODE" rather than "accepts 1 arg(s)".
func args(names ...string) cobra.PositionalArgs {
	return func(c *cobra.Command, got []string) error {
		if len(got) < len(names) {
			return fault.Usagef(strings.ToLower(names[len(got)]), "missing %s", strings.Join(names[len(got):], " "))
		}
		if len(got) > len(names) {
			return fault.Usagef("", "unexpected argument %q", got[len(names)])
		}
		return nil
	}
}

// optionalArgs allows up to len(names) arguments.
func optionalArgs(names ...string) cobra.PositionalArgs {
	return func(c *cobra.Command, got []string) error {
		if len(got) > len(names) {
			return fault.Usagef("", "unexpected argument %q", got[len(names)])
		}
		return nil
	}
}

// parseDecimal reads a number given on the command line; name is the argument or flag.
func parseDecimal(name, s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return d, fault.Usagef(name, "%s %q is not a number: write it like 12 or 1.08", name, s)
	}
	return d, nil
}

// parseDate reads YYYY-MM-DD (or "today") as a UTC date.
func parseDate(name, s string) (time.Time, error) {
	if s == "" || s == "today" {
		return today(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, fault.Usagef(name, "%s %q is not a date: write it as YYYY-MM-DD", name, s)
	}
	return t, nil
}

func today() time.Time {
	return time.Now().UTC().Truncate(24 * time.Hour)
}

// decimalFlag is a pflag.Value for decimals; a bad value is a usage error naming the flag.
type decimalFlag struct {
	set bool
	d   decimal.Decimal
}

func (f *decimalFlag) String() string {
	if !f.set {
		return ""
	}
	return f.d.String()
}

func (f *decimalFlag) Set(s string) error {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%q is not a number: write it like 12 or 1.08", s)
	}
	f.d, f.set = d, true
	return nil
}

func (f *decimalFlag) Type() string { return "number" }

// ptr returns a pointer to v when the flag was given on the command line, else nil, so edits
// change only what the user named.
func ptr[T any](c *cobra.Command, flag string, v T) *T {
	if c.Flags().Changed(flag) {
		return &v
	}
	return nil
}

// confirm lets a destructive command go ahead: with --yes, or when a person at a terminal
// answers y; a script without --yes gets a usage error, never a hanging prompt.
func (a *App) confirm(yes bool, question string) error {
	if yes {
		return nil
	}
	if !a.InTTY {
		return fault.Usagef("yes", "%s: add --yes to confirm", question)
	}
	fmt.Fprintf(a.Err, "%s? [y/N] ", printer.EscapeLines(a.scrub(question)))
	answer, _ := bufio.NewReader(a.In).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(answer)); a == "y" || a == "yes" {
		return nil
	}
	return fault.Usagef("yes", "%s: not confirmed, nothing done", question)
}
