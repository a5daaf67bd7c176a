// Package barcode classifies and validates product barcodes and draws scannable labels for them.
package barcode

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/stockctl/stockctl/fault"
)

// Symbology is the kind of barcode a code is printed as.
type Symbology string

const (
	EAN13   Symbology = "ean13"
	EAN8    Symbology = "ean8"
	UPCA    Symbology = "upca"
	GTIN14  Symbology = "gtin14"
	Code128 Symbology = "code128"
)

// MaxCode128Len caps free-text codes: GS1 uses the same limit, and longer codes make
// labels too wide for common label stock.
const MaxCode128Len = 48

// symbologies lists every symbology in the order messages mention them.
var symbologies = []Symbology{EAN13, EAN8, UPCA, GTIN14, Code128}

// gtinLength is how many digits (check digit included) each GTIN symbology carries.
var gtinLength = map[Symbology]int{EAN8: 8, UPCA: 12, EAN13: 13, GTIN14: 14}

// names are the spellings people know, used in messages.
var names = map[Symbology]string{
	EAN13: "EAN-13", EAN8: "EAN-8", UPCA: "UPC-A", GTIN14: "GTIN-14", Code128: "Code 128",
}

// String gives the usual printed name, e.g. "EAN-13".
func (s Symbology) String() string {
	if n, ok := names[s]; ok {
		return n
	}
	return string(s)
}

// aliases lets users type the names they see on packaging or in other tools.
var aliases = map[string]Symbology{
	"ean13": EAN13, "ean": EAN13, "gtin13": EAN13,
	"ean8": EAN8, "gtin8": EAN8,
	"upca": UPCA, "upc": UPCA, "gtin12": UPCA,
	"gtin14": GTIN14, "itf14": GTIN14,
	"code128": Code128, "c128": Code128,
}

// ParseSymbology accepts a symbology name case-insensitively, ignoring '-', '_' and spaces
// ("EAN-13", "upc_a", "Code 128").
func ParseSymbology(s string) (Symbology, error) {
	key := strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', ' ':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
	if sym, ok := aliases[key]; ok {
		return sym, nil
	}
	if key == "" {
		return "", fault.Invalidf("barcode", "symbology is empty: use one of %s", symbologyList())
	}
	return "", fault.Invalidf("barcode", "unknown symbology %q: use one of %s", s, symbologyList())
}

func symbologyList() string {
	parts := make([]string, len(symbologies))
	for i, s := range symbologies {
		parts[i] = string(s)
	}
	return strings.Join(parts, ", ")
}

// Normalize removes the surrounding spaces that scanners and spreadsheets tend to add.
func Normalize(code string) string { return strings.TrimSpace(code) }

// Classify decides the symbology of code. With want == "" it is inferred: 8, 12, 13 or 14
// digits are EAN-8, UPC-A, EAN-13 or GTIN-14 and must carry a valid GS1 check digit;
// anything else of 1..48 printable ASCII characters is Code 128. With want set, code must
// be valid for that symbology (Code 128 accepts all-digit codes too).
// Surrounding spaces are refused rather than trimmed so a stored code is never silently
// different from what the caller passed; use Normalize first.
func Classify(code, want string) (Symbology, error) {
	if strings.TrimSpace(code) != code {
		return "", fault.Invalidf("barcode", "barcode %q has leading or trailing spaces: remove them", code)
	}
	if want != "" {
		sym, err := ParseSymbology(want)
		if err != nil {
			return "", err
		}
		if sym == Code128 {
			return Code128, checkCode128(code)
		}
		return sym, checkGTIN(code, sym)
	}
	if code != "" && allDigits(code) {
		for sym, n := range gtinLength {
			if len(code) == n {
				return sym, checkGTIN(code, sym)
			}
		}
	}
	return Code128, checkCode128(code)
}

// checkGTIN demands exactly the digits sym carries and a correct check digit.
func checkGTIN(code string, sym Symbology) error {
	n := gtinLength[sym]
	if code == "" {
		return fault.Invalidf("barcode", "barcode is empty: give the %d digits printed under the bars", n)
	}
	for i, r := range code {
		if r < '0' || r > '9' {
			return fault.Invalidf("barcode", "barcode %q: %s takes digits only, found %q at position %d; use code128 for codes with letters",
				code, sym, r, utf8.RuneCountInString(code[:i])+1)
		}
	}
	if len(code) != n {
		msg := fmt.Sprintf("barcode %q: %s needs %d digits, got %d", code, sym, n, len(code))
		// GS1 lets shorter GTINs be widened with leading zeros (UPC-A inside EAN-13, any
		// GTIN inside ITF-14), so point at that instead of leaving the user guessing.
		if len(code) < n && (sym == GTIN14 || (sym == EAN13 && len(code) == 12)) {
			msg += fmt.Sprintf("; add %s in front to use it as %s", zeros(n-len(code)), sym)
		}
		return fault.Invalidf("barcode", "%s", msg)
	}
	want, _ := CheckDigit(code[:n-1])
	if got := int(code[n-1] - '0'); got != want {
		return fault.Invalidf("barcode", "barcode %q: %s check digit should be %d, not %d", code, sym, want, got)
	}
	return nil
}

func zeros(n int) string {
	if n == 1 {
		return `a 0`
	}
	return fmt.Sprintf("%d zeros", n)
}

// checkCode128 keeps to printable ASCII: Code 128 can encode control characters, but in
// product codes they are always paste accidents, and scanners type them as keystrokes.
func checkCode128(code string) error {
	if code == "" {
		return fault.Invalidf("barcode", "barcode is empty: give the code to print")
	}
	if !utf8.ValidString(code) {
		return fault.Invalidf("barcode", "barcode %q is not valid UTF-8: use printable ASCII only", code)
	}
	pos := 0
	for _, r := range code {
		pos++
		switch {
		case r < 0x20 || r == 0x7f:
			return fault.Invalidf("barcode", "barcode %q: character %d is a control character (%U); use printable ASCII only", code, pos, r)
		case r > 0x7f:
			return fault.Invalidf("barcode", "barcode %q: character %d %q is not ASCII; Code 128 labels take printable ASCII only", code, pos, r)
		}
	}
	if len(code) > MaxCode128Len {
		return fault.Invalidf("barcode", "barcode %q is %d characters long; at most %d fit a label, shorten it", code, len(code), MaxCode128Len)
	}
	return nil
}

// CheckDigit computes the GS1 mod-10 check digit for body, the digits before the check
// digit (7 for EAN-8, 11 for UPC-A, 12 for EAN-13, 13 for GTIN-14, up to 17 for SSCC).
func CheckDigit(body string) (int, error) {
	if body == "" || len(body) > 17 {
		return 0, fault.Invalidf("barcode", "check digit body %q must be 1 to 17 digits, got %d characters", body, len(body))
	}
	if !allDigits(body) {
		return 0, fault.Invalidf("barcode", "check digit body %q must be digits only", body)
	}
	// Weights alternate 3,1 starting from the rightmost body digit, so the same rule
	// serves every GTIN length.
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return (10 - sum%10) % 10, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
