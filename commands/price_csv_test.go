package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/commands/app"
)

// writeCSV writes text to name in dir and returns the path.
func writeCSV(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPriceBreakImportExportCommands(t *testing.T) {
	t.Parallel()
	url := priceSetup(t)
	dir := t.TempDir()
	list := func() string {
		return run(t, url, "price", "break", "export").wantCode(t, ExitOK).out
	}
	before := list()

	bad := writeCSV(t, dir, "bad.csv", "sku,price_type,region,min_qty,price\nW,trade,,10,7\nNOPE,gold,,1,1\nW,,,5,abc\n")
	// Exit 5, every reason listed, nothing written.
	r := run(t, url, "price", "break", "import", bad, "-o", "json").wantCode(t, ExitInvalid).wantErr(t, "2 rows are invalid", "nothing was written")
	var sum struct {
		Created, Updated, Unchanged, Rejected int
		Errors                                []app.RowErrorLine
	}
	r.json(t, &sum)
	if sum.Rejected != 2 || len(sum.Errors) != 3 || sum.Errors[0].Row != 3 || sum.Errors[0].Column != "sku" ||
		sum.Errors[1].Column != "price_type" || sum.Errors[2].Row != 4 || sum.Errors[2].Column != "price" || sum.Errors[2].Value != "abc" {
		t.Fatalf("json summary: %+v", sum)
	}
	if list() != before {
		t.Fatal("a refused import wrote")
	}
	// Table output lists the reasons on stdout too.
	r = run(t, url, "price", "break", "import", bad).wantCode(t, ExitInvalid)
	if !strings.Contains(r.out, "unknown price type") || !strings.Contains(r.out, "not a number") {
		t.Fatalf("reasons table: %s", r.out)
	}

	// Rows the rules refuse are numbered like the others, by the file's line: the first row
	// spans lines 2-3, the repeat of its key starts on line 4 and names it as row 2.
	multi := writeCSV(t, dir, "multi.csv", "sku,price_type,region,min_qty,price\n\"W\n\",trade,,10,7\nW,trade,,10.00,8\n")
	r = run(t, url, "price", "break", "import", multi).wantCode(t, ExitInvalid).wantErr(t, "1 row is invalid")
	if !strings.Contains(r.out, "4\tmin_qty\t10.00\tsame product, price type, region and minimum as row 2") {
		t.Fatalf("multi-line rows: %q", r.out)
	}

	// --dry-run counts and writes nothing.
	run(t, url, "price", "break", "import", bad, "--skip-invalid", "--dry-run").wantCode(t, ExitPartial).
		wantErr(t, "price break import: 1 created, 0 updated, 0 unchanged, 2 rejected (dry run")
	if list() != before {
		t.Fatal("a dry run wrote")
	}
	// --skip-invalid writes the good rows and the rejects file.
	rej := filepath.Join(dir, "rejects.csv")
	run(t, url, "price", "break", "import", bad, "--skip-invalid", "--rejects", rej).wantCode(t, ExitPartial).
		wantErr(t, "1 created, 0 updated, 0 unchanged, 2 rejected", "written to "+rej)
	b, err := os.ReadFile(rej)
	if err != nil || !strings.HasPrefix(string(b), "sku,price_type,region,min_qty,price,reject_reasons\nNOPE,gold,,1,1,") ||
		!strings.Contains(string(b), "row 3, sku: product NOPE does not exist") || !strings.Contains(string(b), "row 4, price: not a number") {
		t.Fatalf("rejects file: %v\n%s", err, b)
	}
	run(t, url, "price", "break", "import", "--rejects", rej, bad).wantCode(t, ExitUsage)

	// Export to a file, import it back: nothing changes.
	out := filepath.Join(dir, "breaks.csv")
	run(t, url, "price", "break", "export", out).wantCode(t, ExitOK).wantErr(t, "price break export: 3 rows")
	b, _ = os.ReadFile(out)
	if string(b) != "sku,price_type,region,min_qty,price\nROPE,retail,,0,2.4\nW,retail,,0,10\nW,trade,,10,7\n" {
		t.Fatalf("export:\n%s", b)
	}
	r = run(t, url, "price", "break", "import", out, "-o", "json").wantCode(t, ExitOK).wantErr(t, "0 created, 0 updated, 3 unchanged, 0 rejected")
	r.json(t, &sum)
	if sum.Unchanged != 3 || sum.Created != 0 || sum.Updated != 0 || len(sum.Errors) != 0 {
		t.Fatalf("re-import: %+v", sum)
	}
	if r := run(t, url, "price", "break", "export", "-", "--price-type", "trade"); r.out != "sku,price_type,region,min_qty,price\nW,trade,,10,7\n" {
		t.Fatalf("filtered export: %q", r.out)
	}
	run(t, url, "price", "break", "export", "--sku", "NOPE").wantCode(t, ExitNotFound)
}

func TestPriceSpecialImportExportCommands(t *testing.T) {
	t.Parallel()
	url := priceSetup(t)
	dir := t.TempDir()
	bad := writeCSV(t, dir, "bad.csv", "Customer;SKU;Price;Valid Until\nACME;W;8;2026-12-31\nSUPP;W;1;\n")
	run(t, url, "price", "special", "import", bad).wantCode(t, ExitInvalid).wantErr(t, "1 row is invalid")
	if r := run(t, url, "price", "special", "export"); r.out != "customer,sku,min_qty,price,valid_from,valid_until\n" {
		t.Fatalf("a refused import wrote: %q", r.out)
	}
	rej := filepath.Join(dir, "rejects.csv")
	run(t, url, "price", "special", "import", bad, "--skip-invalid", "--rejects", rej, "--dry-run").wantCode(t, ExitPartial).
		wantErr(t, "1 created, 0 updated, 0 unchanged, 1 rejected (dry run")
	run(t, url, "price", "special", "import", bad, "--skip-invalid", "--rejects", rej).wantCode(t, ExitPartial)
	if b, _ := os.ReadFile(rej); !strings.Contains(string(b), `SUPP,W,1,,"row 3, customer: company SUPP is not a customer`) {
		t.Fatalf("rejects file:\n%s", b)
	}
	out := filepath.Join(dir, "specials.csv")
	run(t, url, "price", "special", "export", out).wantCode(t, ExitOK).wantErr(t, "1 rows")
	if b, _ := os.ReadFile(out); string(b) != "customer,sku,min_qty,price,valid_from,valid_until\nACME,W,0,8,,2026-12-31\n" {
		t.Fatalf("export:\n%s", b)
	}
	var sum struct{ Created, Updated, Unchanged, Rejected int }
	run(t, url, "price", "special", "import", out, "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum.Unchanged != 1 || sum.Created+sum.Updated+sum.Rejected != 0 {
		t.Fatalf("re-import: %+v", sum)
	}
}
