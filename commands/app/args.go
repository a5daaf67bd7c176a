package app

import (
	"bufio"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/printer"
)

// Args checks the number of positional arguments and names the missing ones, so the error
// says "missing CODE" rather than "accepts 1 arg(s)".
func Args(names ...string) cobra.PositionalArgs {
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

// OptionalArgs allows up to len(names) arguments.
func OptionalArgs(names ...string) cobra.PositionalArgs {
	return func(c *cobra.Command, got []string) error {
		if len(got) > len(names) {
			return fault.Usagef("", "unexpected argument %q", got[len(names)])
		}
		return nil
	}
}

// argName is how a message names an argument or flag: QTY stays QTY, "date" and "--date"
// become --date.
func argName(name string) string {
	if name == "" || name == strings.ToUpper(name) || strings.HasPrefix(name, "-") {
		return name
	}
	return "--" + name
}

// NumberError turns a value refused by bounds into the fault a command returns: a value
// that does not read is a usage error (exit 4), one out of range is invalid input (exit 5).
// The message names the argument or flag and the value.
func NumberError(name, value string, err error) error {
	var be *bounds.Error
	if !errors.As(err, &be) {
		return err
	}
	kind := fault.Invalid
	if be.Problem == bounds.Syntax {
		kind = fault.Usage
	}
	return &fault.Error{Kind: kind, Field: strings.TrimPrefix(strings.ToLower(name), "--"),
		Msg: fmt.Sprintf("%s %s: %s", argName(name), QuoteArg(value), be.Reason)}
}

// QuoteArg shows a value typed on the command line: as it is when it is short and plain,
// else quoted and cut to a length a message can carry.
func QuoteArg(v string) string {
	const most = 40
	cut := v
	if len([]rune(cut)) > most {
		cut = string([]rune(cut)[:most]) + "..."
	}
	if cut == "" || strings.ContainsFunc(cut, func(r rune) bool { return r <= ' ' || r == '"' || r == 0x7f || r > 0x7e }) || cut != v {
		return strconv.Quote(cut)
	}
	return cut
}

// Sign is what a number given on the command line may be besides positive.
type Sign int

const (
	Positive    Sign = iota // more than 0
	NonNegative             // 0 or more
	AnySign                 // negative too (a stock adjustment)
)

// checkSign refuses a number the sign rule does not allow, with a sentence.
func checkSign(name, value string, d decimal.Decimal, s Sign) error {
	field := strings.TrimPrefix(strings.ToLower(name), "--")
	switch {
	case s == Positive && !d.IsPositive():
		return fault.Invalidf(field, "%s %s: must be more than 0", argName(name), QuoteArg(value))
	case s == NonNegative && d.IsNegative():
		return fault.Invalidf(field, "%s %s: cannot be negative", argName(name), QuoteArg(value))
	}
	return nil
}

// ParseNumber reads a number of kind k given as an argument (name: QTY, RATE ...) or flag,
// held to the kind's limits and the sign rule.
func ParseNumber(name, s string, k bounds.Number, sg Sign) (decimal.Decimal, error) {
	d, err := k.Parse(s)
	if err != nil {
		return d, NumberError(name, s, err)
	}
	return d, checkSign(name, s, d, sg)
}

// QuantityArg reads the QTY argument; refusal is the sentence for a quantity the sign rule
// does not allow ("a count cannot be negative").
func QuantityArg(s string, sg Sign, refusal string) (decimal.Decimal, error) {
	d, err := bounds.Quantity.Parse(s)
	if err != nil {
		return d, NumberError("QTY", s, err)
	}
	if sg == Positive && !d.IsPositive() || sg == NonNegative && d.IsNegative() {
		return d, fault.Invalidf("qty", "quantity %s: %s", QuoteArg(s), refusal)
	}
	return d, nil
}

// ParseDate reads YYYY-MM-DD (or "today") as a UTC date from 1900 to 9999.
func ParseDate(name, s string) (time.Time, error) {
	if s == "" || s == "today" {
		return clock.Today(), nil
	}
	t, err := bounds.ParseDay(s)
	if err != nil {
		return t, NumberError(name, s, err)
	}
	return t, nil
}

// OptionalDate parses a date flag that may be left out.
func OptionalDate(name, s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := ParseDate(name, s)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// ParseChoices reads --choose GROUP=OPTION flags: each once per group.
func ParseChoices(choose []string) (map[string]string, error) {
	choices := map[string]string{}
	seen := map[string]string{}
	for _, ch := range choose {
		g, v, ok := strings.Cut(ch, "=")
		g, v = strings.TrimSpace(g), strings.TrimSpace(v)
		if !ok || g == "" || v == "" {
			return nil, fault.Usagef("choose", "--choose %q: write GROUP=OPTION, e.g. --choose Frame=L", ch)
		}
		if prev, dup := seen[strings.ToLower(g)]; dup {
			return nil, fault.Invalidf("choose", "option group %s is chosen twice (%s and %s): choose one option per group", g, prev, ch)
		}
		seen[strings.ToLower(g)] = ch
		choices[g] = v
	}
	return choices, nil
}

// DecimalFlag is a pflag.Value for a number of one kind (bounds.Quantity, Money, Rate,
// Percent) and sign rule. A bad value is refused once every flag is read (RefusedFlag), so
// the error honours -o json given after it, naming the flag: one that does not read exits
// 4, one out of range or of the wrong sign 5.
type DecimalFlag struct {
	Given bool            // the flag was given and its value accepted
	Value decimal.Decimal // the value, when Given
	kind  bounds.Number
	sign  Sign
	raw   string // the text given, kept with err
	err   error
}

// Of gives the flag its kind and sign rule; every decimal flag is registered through it:
// fl.Var(f.qty.Of(bounds.Quantity, AnySign), "qty", ...).
func (f *DecimalFlag) Of(k bounds.Number, s Sign) *DecimalFlag {
	f.kind, f.sign = k, s
	return f
}

func (f *DecimalFlag) String() string {
	if !f.Given {
		return ""
	}
	return f.Value.String()
}

func (f *DecimalFlag) Set(s string) error {
	if f.kind.Name == "" {
		return fmt.Errorf("flag registered without its kind of number (DecimalFlag.Of)")
	}
	d, err := f.kind.Parse(s)
	switch {
	case err != nil:
	case f.sign == Positive && !d.IsPositive():
		err = fault.Invalidf("", "must be more than 0")
	case f.sign == NonNegative && d.IsNegative():
		err = fault.Invalidf("", "cannot be negative")
	}
	f.Value, f.Given, f.raw, f.err = d, err == nil, s, err
	return nil
}

func (f *DecimalFlag) Type() string { return "number" }

func (f *DecimalFlag) refused() (string, error) { return f.raw, f.err }

// wholeFlag is a pflag.Value for a whole number from min to max, refused like DecimalFlag
// but always as a usage error (exit 4).
type wholeFlag struct {
	p        *int
	min, max int64
	raw      string
	err      error
}

// IntVar registers a whole-number flag held to min..max (bounds.MaxWhole at most: what
// PostgreSQL's integer holds).
func IntVar(fl *pflag.FlagSet, p *int, name string, def int, min, max int64, usage string) {
	*p = def
	fl.Var(&wholeFlag{p: p, min: min, max: max}, name, usage)
}

func (f *wholeFlag) String() string { return strconv.Itoa(*f.p) }

func (f *wholeFlag) Set(s string) error {
	n, err := bounds.ParseWhole(s, f.min, f.max)
	if err != nil {
		// A count, limit or line number outside its range is a usage error, like one that
		// does not read.
		err = fault.Usagef("", "%v", err)
	} else {
		*f.p = int(n)
	}
	f.raw, f.err = s, err
	return nil
}

func (f *wholeFlag) Type() string { return "int" }

func (f *wholeFlag) refused() (string, error) { return f.raw, f.err }

// RefusedFlag returns the error of the first flag given whose value was refused (in the
// order pflag keeps, by name), as FlagError words it.
func RefusedFlag(c *cobra.Command) error {
	var bad error
	c.Flags().Visit(func(f *pflag.Flag) {
		if r, ok := f.Value.(interface{ refused() (string, error) }); ok && bad == nil {
			if raw, err := r.refused(); err != nil {
				bad = flagValueError(f.Name, raw, err)
			}
		}
	})
	return bad
}

// FlagError is every flag parsing error, as a usage error (exit 4) naming the flag.
func FlagError(err error) error {
	var iv *pflag.InvalidValueError
	if errors.As(err, &iv) {
		return flagValueError(iv.GetFlag().Name, iv.GetValue(), errors.Unwrap(err))
	}
	var ne *pflag.NotExistError
	if errors.As(err, &ne) && negativeNumber.MatchString("-"+ne.GetSpecifiedShortnames()) {
		n := ne.GetSpecifiedShortnames()
		return &fault.Error{Kind: fault.Usage, Msg: fmt.Sprintf("-%s is read as a flag here: put -- before the arguments (... -- -%s)", n, n)}
	}
	return &fault.Error{Kind: fault.Usage, Msg: err.Error()}
}

// flagValueError words a refused flag value: a value bounds refuses is a usage error when
// it does not read and invalid when out of range; a fault keeps its kind; anything else is a
// usage error.
func flagValueError(name, value string, cause error) error {
	flag := "--" + name
	var be *bounds.Error
	if errors.As(cause, &be) {
		return NumberError(flag, value, be)
	}
	var fe *fault.Error
	if errors.As(cause, &fe) {
		return &fault.Error{Kind: fe.Kind, Field: name, Msg: fmt.Sprintf("%s %s: %s", flag, QuoteArg(value), fe.Msg)}
	}
	return &fault.Error{Kind: fault.Usage, Field: name, Msg: fmt.Sprintf("%s %s: %v", flag, QuoteArg(value), cause)}
}

// negativeNumber is an argument that is a negative number (-3, -2.5, -.5, and -1e3, which
// is refused for its exponent): never a flag, as no flag is a digit.
var negativeNumber = regexp.MustCompile(`^-(\d|\.\d)[0-9.eE+-]*$`)

// NumbersAsArguments lets a negative number be a positional argument (stocktake count ST
// SKU -3, uom convert -3 kg g): pflag would read -3 as the shorthand flags 3. When an
// argument is a negative number that no flag takes as its value, the command line is
// rewritten as the command's path, its flags, "--" and its positional arguments in their
// order, which pflag reads as meant. Any other command line is left as it is.
func NumbersAsArguments(root *cobra.Command, args []string) []string {
	if !slices.ContainsFunc(args, negativeNumber.MatchString) || slices.Contains(args, "--") {
		return args
	}
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root || strings.HasPrefix(cmd.Name(), "__") {
		return args
	}
	lookup := func(name string) *pflag.Flag {
		if f := cmd.Flags().Lookup(name); f != nil {
			return f
		}
		return cmd.InheritedFlags().Lookup(name)
	}
	short := func(c string) *pflag.Flag {
		if f := cmd.Flags().ShorthandLookup(c); f != nil {
			return f
		}
		return cmd.InheritedFlags().ShorthandLookup(c)
	}
	var flags, positional []string
	moved := false
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case negativeNumber.MatchString(a):
			positional, moved = append(positional, a), true
		case strings.HasPrefix(a, "--") && len(a) > 2:
			flags = append(flags, a)
			name, _, inline := strings.Cut(a[2:], "=")
			if f := lookup(name); f != nil && !inline && f.NoOptDefVal == "" && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i])
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags = append(flags, a)
			// -o json, -yo json: the last shorthand of a group may take the next argument.
			for j := 1; j < len(a) && a[j] != '='; j++ {
				f := short(a[j : j+1])
				if f == nil || f.NoOptDefVal != "" {
					continue
				}
				if j == len(a)-1 && i+1 < len(rest) {
					i++
					flags = append(flags, rest[i])
				}
				break
			}
		default:
			positional = append(positional, a)
		}
	}
	if !moved {
		return args
	}
	path := strings.Fields(cmd.CommandPath())[1:]
	out := append(append(path, flags...), "--")
	return append(out, positional...)
}

// Ptr returns a pointer to v when the flag was given on the command line, else nil, so edits
// change only what the user named.
func Ptr[T any](c *cobra.Command, flag string, v T) *T {
	if c.Flags().Changed(flag) {
		return &v
	}
	return nil
}

// Confirm lets a destructive command go ahead: with --yes, or when a person at a terminal
// answers y; a script without --yes gets a usage error, never a hanging prompt.
func (a *App) Confirm(yes bool, question string) error {
	if yes {
		return nil
	}
	if !a.InTTY {
		return fault.Usagef("yes", "%s: add --yes to confirm", question)
	}
	fmt.Fprintf(a.Err, "%s? [y/N] ", printer.EscapeLines(a.Scrub(question)))
	answer, _ := bufio.NewReader(a.In).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(answer)); a == "y" || a == "yes" {
		return nil
	}
	return fault.Usagef("yes", "%s: not confirmed, nothing done", question)
}
