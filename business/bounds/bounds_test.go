package bounds

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func problemOf(err error) Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problem
	}
	return 0
}

func TestNumbersReadPlainDecimalsOnly(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		kind Number
		in   string
		want string  // the value read, when it is read
		bad  Problem // else why not
	}{
		{Quantity, "12", "12", 0},
		{Quantity, " -3 ", "-3", 0},
		{Quantity, "+2.5", "2.5", 0},
		{Quantity, ".5", "0.5", 0},
		{Quantity, "5.", "5", 0},
		{Quantity, "999999999999.999999", "999999999999.999999", 0},
		{Quantity, "0000000000000001", "1", 0}, // leading zeros are not digits of the value
		{Quantity, "1.5000000000", "1.5", 0},   // nor are trailing zeros
		{Quantity, "1000000000000", "", Range},
		{Quantity, "99999999999999999999", "", Range},
		{Quantity, "0.0000001", "", Range},
		{Quantity, "1e3", "", Syntax},
		{Quantity, "1e309", "", Syntax},
		{Quantity, "2.5E-4", "", Syntax},
		{Quantity, "1,000", "", Syntax},
		{Quantity, "1 000", "", Syntax},
		{Quantity, "abc", "", Syntax},
		{Quantity, "", "", Syntax},
		{Quantity, "-", "", Syntax},
		{Quantity, ".", "", Syntax},
		{Quantity, "1.2.3", "", Syntax},
		{Quantity, "NaN", "", Syntax},
		{Quantity, "Inf", "", Syntax},
		{Quantity, "0x10", "", Syntax},
		{Quantity, "−3", "", Syntax}, // a Unicode minus is not ours
		{Money, "0.0125", "0.0125", 0},
		{Money, "1000000000000", "", Range},
		{Rate, "1.0812345678", "1.0812345678", 0},
		{Rate, "1.08123456789", "", Range},
		{Rate, "10000000000", "", Range},
		{Percent, "12.5", "12.5", 0},
		{Percent, "999999.9999", "999999.9999", 0},
		{Percent, "1000000", "", Range},
		{Percent, "12.34567", "", Range},
	} {
		d, err := c.kind.Parse(c.in)
		if got := problemOf(err); got != c.bad {
			t.Errorf("%s.Parse(%q): problem %v (%v), want %v", c.kind.Name, c.in, got, err, c.bad)
			continue
		}
		if err == nil && d.String() != c.want {
			t.Errorf("%s.Parse(%q) = %s, want %s", c.kind.Name, c.in, d, c.want)
		}
	}
}

func TestExponentsAreNamed(t *testing.T) {
	t.Parallel()
	_, err := Quantity.Parse("1e309")
	if err == nil || !strings.Contains(err.Error(), "no exponents") {
		t.Fatalf("1e309: %v", err)
	}
	_, err = Quantity.Parse("12,5")
	if err == nil || strings.Contains(err.Error(), "exponent") {
		t.Fatalf("12,5: %v", err)
	}
}

func TestMaxIsTheLargestValue(t *testing.T) {
	t.Parallel()
	for _, k := range []Number{Quantity, Money, Rate, Percent} {
		if err := k.Check(k.Max()); err != nil {
			t.Errorf("%s: max %s refused: %v", k.Name, k.Max(), err)
		}
		if err := k.Check(k.Max().Add(decimal.New(1, -k.Decimals))); err == nil {
			t.Errorf("%s: above max accepted", k.Name)
		}
	}
}

func TestWholeNumbers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in       string
		min, max int64
		want     int64
		bad      Problem
	}{
		{"3", 0, MaxWhole, 3, 0},
		{"+3", 0, MaxWhole, 3, 0},
		{"-1", -1, MaxWhole, -1, 0},
		{"-1", 0, MaxWhole, 0, Range},
		{"2147483648", 0, MaxWhole, 0, Range},
		{"99999999999999999999", 0, MaxWhole, 0, Range},
		{"1.5", 0, MaxWhole, 0, Syntax},
		{"1e3", 0, MaxWhole, 0, Syntax},
		{"+-3", -5, 5, 0, Syntax},
		{"", 0, 5, 0, Syntax},
	} {
		n, err := ParseWhole(c.in, c.min, c.max)
		if got := problemOf(err); got != c.bad || err == nil && n != c.want {
			t.Errorf("ParseWhole(%q, %d, %d) = %d, %v; want %d, problem %v", c.in, c.min, c.max, n, err, c.want, c.bad)
		}
	}
}

func TestDaysRunFrom1900To9999(t *testing.T) {
	t.Parallel()
	for in, bad := range map[string]Problem{
		"2026-07-31": 0, " 1900-01-01 ": 0, "9999-12-31": 0,
		"1899-12-31": Range, "0000-01-01": Range,
		"2026-13-45": Syntax, "2026-02-30": Syntax, "26-7-31": Syntax, "2026/07/31": Syntax, "": Syntax, "10000-01-01": Syntax,
	} {
		d, err := ParseDay(in)
		if got := problemOf(err); got != bad {
			t.Errorf("ParseDay(%q): problem %v (%v), want %v", in, got, err, bad)
		}
		if err == nil && (d.Location() != time.UTC || d.Format(time.DateOnly) != strings.TrimSpace(in)) {
			t.Errorf("ParseDay(%q) = %v", in, d)
		}
	}
}

// A cell Canonical lets through unparsed must be what parsing and printing it would give,
// and within the kind's limits.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"0", "12", "12.5", "12.50", "0.05", "00.5", "1.", ".5", "-1", "+1", "1e3", "999999999999", "1000000000000", "1.0", "10", "0.0", "0.1234567"} {
		f.Add(s)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	for range 300 {
		var b strings.Builder
		for range 1 + rng.IntN(16) {
			b.WriteByte("0123456789.-+e "[rng.IntN(15)])
		}
		f.Add(b.String())
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []Number{Quantity, Money, Percent} {
			if !k.Canonical(s) {
				continue
			}
			d, err := k.Parse(s)
			if err != nil || d.String() != s || d.IsNegative() {
				t.Fatalf("%s.Canonical(%q) but it parses as %s (%v)", k.Name, s, d, err)
			}
		}
	})
}

func TestCanonicalTakesTheCommonCells(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"12.34": true, "0": true, "0.05": true, "120": true, "999999999999": true, "0.123456": true,
		"12.50": false, "-1": false, "1.": false, ".5": false, "007": false, "1000000000000": false, "1e3": false, "0.1234567": false} {
		if Money.Canonical(s) != want {
			t.Errorf("Money.Canonical(%q) = %v; want %v", s, !want, want)
		}
	}
}
