package barcode

import (
	"strings"
	"testing"

	"github.com/stockctl/stockctl/fault"
)

func TestCheckDigit(t *testing.T) {
	for _, tc := range []struct {
		body string
		want int
	}{
		{"400638133393", 1},  // EAN-13 4006381333931
		{"03600029145", 2},   // UPC-A 036000291452
		{"9638507", 4},       // EAN-8 96385074
		{"1001234567890", 2}, // GTIN-14 10012345678902
		{"590123412345", 7},  // EAN-13 5901234123457
		{"00000000000", 0},
	} {
		got, err := CheckDigit(tc.body)
		if err != nil || got != tc.want {
			t.Errorf("CheckDigit(%q) = %d, %v; want %d", tc.body, got, err, tc.want)
		}
	}
	for _, body := range []string{"", "12a4", "123456789012345678", " 123"} {
		if _, err := CheckDigit(body); !fault.Is(err, fault.Invalid) {
			t.Errorf("CheckDigit(%q) error = %v; want Invalid", body, err)
		}
	}
}

func TestClassifyInfers(t *testing.T) {
	for _, tc := range []struct {
		code string
		want Symbology
	}{
		{"4006381333931", EAN13},
		{"036000291452", UPCA},
		{"96385074", EAN8},
		{"10012345678902", GTIN14},
		{"ABC-123", Code128},
		{"1234567", Code128},         // 7 digits is no GTIN length
		{"123456789012345", Code128}, // nor is 15
		{"a b&c<d>~", Code128},
		{strings.Repeat("x", MaxCode128Len), Code128},
	} {
		got, err := Classify(tc.code, "")
		if err != nil || got != tc.want {
			t.Errorf("Classify(%q) = %q, %v; want %q", tc.code, got, err, tc.want)
		}
	}
}

func TestClassifyWant(t *testing.T) {
	for _, tc := range []struct {
		code, want string
		sym        Symbology
	}{
		{"4006381333931", "ean13", EAN13},
		{"4006381333931", "EAN-13", EAN13},
		{"036000291452", "upc-a", UPCA},
		{"96385074", "ean8", EAN8},
		{"10012345678902", "gtin14", GTIN14},
		{"10012345678902", "ITF-14", GTIN14},
		{"4006381333932", "code128", Code128}, // internal numbers need no GS1 check digit
		{"12345", "Code 128", Code128},
	} {
		got, err := Classify(tc.code, tc.want)
		if err != nil || got != tc.sym {
			t.Errorf("Classify(%q, %q) = %q, %v; want %q", tc.code, tc.want, got, err, tc.sym)
		}
	}
}

func TestClassifyRefuses(t *testing.T) {
	for _, tc := range []struct {
		code, want string
		msg        string // part of the message that tells the user what to do
	}{
		{"4006381333932", "", `barcode "4006381333932": EAN-13 check digit should be 1, not 2`},
		{"036000291453", "", "UPC-A check digit should be 2, not 3"},
		{"96385075", "", "EAN-8 check digit should be 4, not 5"},
		{"10012345678903", "", "GTIN-14 check digit should be 2, not 3"},
		{"4006381333932", "ean13", "check digit should be 1"},
		{"ABCDEFGHIJKLM", "ean13", `EAN-13 takes digits only, found 'A' at position 1; use code128`},
		{"400638133393", "ean13", "EAN-13 needs 13 digits, got 12"},
		{"036000291452", "ean13", "add a 0 in front"},
		{"40063813339310", "ean13", "EAN-13 needs 13 digits, got 14"},
		{"4006381333931", "gtin14", "add a 0 in front to use it as GTIN-14"},
		{"96385074", "gtin14", "add 6 zeros in front"},
		{"4006381333931", "upca", "UPC-A needs 12 digits, got 13"},
		{"4006381333931", "ean8", "EAN-8 needs 8 digits"},
		{"", "", "barcode is empty"},
		{"", "ean13", "barcode is empty"},
		{"ab\tc", "", "character 3 is a control character (U+0009)"},
		{"ab\x00c", "code128", "control character (U+0000)"},
		{"ab\x7fc", "", "control character (U+007F)"},
		{"café", "", "'é' is not ASCII"},
		{"ab\xffc", "", "not valid UTF-8"},
		{strings.Repeat("x", MaxCode128Len+1), "", "49 characters long; at most 48"},
		{" 4006381333931", "", "leading or trailing spaces: remove them"},
		{"ABC ", "code128", "leading or trailing spaces"},
		{"4006381333931", "qr", `unknown symbology "qr": use one of ean13, ean8, upca, gtin14, code128`},
	} {
		sym, err := Classify(tc.code, tc.want)
		if err == nil {
			t.Errorf("Classify(%q, %q) = %q, nil; want error", tc.code, tc.want, sym)
			continue
		}
		if !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != "barcode" {
			t.Errorf("Classify(%q, %q) error %v: kind %v field %q; want invalid barcode", tc.code, tc.want, err, fault.KindOf(err), fault.FieldOf(err))
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Classify(%q, %q) error %q; want it to contain %q", tc.code, tc.want, err, tc.msg)
		}
	}
}

func TestParseSymbology(t *testing.T) {
	for in, want := range map[string]Symbology{
		"ean13": EAN13, "EAN-13": EAN13, "ean8": EAN8, "UPC_A": UPCA, "upc": UPCA,
		"gtin14": GTIN14, "itf14": GTIN14, "code128": Code128, " Code 128 ": Code128,
	} {
		got, err := ParseSymbology(in)
		if err != nil || got != want {
			t.Errorf("ParseSymbology(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "qr", "ean14"} {
		if _, err := ParseSymbology(in); !fault.Is(err, fault.Invalid) {
			t.Errorf("ParseSymbology(%q) error = %v; want Invalid", in, err)
		}
	}
}

func TestNormalize(t *testing.T) {
	if got := Normalize(" \t4006381333931\r\n"); got != "4006381333931" {
		t.Errorf("Normalize = %q", got)
	}
	if _, err := Classify(Normalize(" 4006381333931 "), ""); err != nil {
		t.Errorf("Classify(Normalize(...)): %v", err)
	}
}

func TestSymbologyString(t *testing.T) {
	if EAN13.String() != "EAN-13" || Symbology("x").String() != "x" {
		t.Errorf("String: %q %q", EAN13.String(), Symbology("x").String())
	}
}
