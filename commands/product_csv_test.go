package commands

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/stockctl/stockctl/db/dbtest"
)

func TestProductImportExportCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// Windows-1252 with semicolons and foreign headers, mapped.
	latin, err := charmap.Windows1252.NewEncoder().String("Item Code;Desc;Cost;Colour\nCAFE-1;Café crème;3.20;brun\nTEA-1;Thé vert;2.10;vert\n")
	if err != nil {
		t.Fatal(err)
	}
	foreign := file("foreign.csv", latin)
	run(t, url, "product", "import", foreign, "--map", "Item Code=sku,Desc=name,Cost=cost_price").
		wantCode(t, ExitInvalid).wantErr(t, `unknown column "Colour"`, "--ignore-unknown")
	var sum map[string]any
	r := run(t, url, "product", "import", foreign, "--map", "Item Code=sku,Desc=name,Cost=cost_price", "--ignore-unknown", "-o", "json").
		wantCode(t, ExitOK).wantErr(t, "product import: 2 created, 0 updated, 0 unchanged, 0 rejected")
	r.json(t, &sum)
	if sum["created"] != float64(2) || sum["rejected"] != float64(0) {
		t.Fatalf("summary: %v", sum)
	}
	run(t, url, "product", "show", "CAFE-1", "-o", "json").wantCode(t, ExitOK)
	if r := run(t, url, "product", "show", "CAFE-1", "--fields", "name"); !strings.Contains(r.out, "Café crème") {
		t.Fatalf("decoded name: %q", r.out)
	}

	// Export to a file and to stdout; the export re-imports without change.
	out := filepath.Join(dir, "export.csv")
	run(t, url, "product", "export", out).wantCode(t, ExitOK).wantErr(t, "product export: 2 rows")
	r = run(t, url, "product", "export")
	data, _ := os.ReadFile(out)
	if string(data) != r.out || !strings.HasPrefix(r.out, "sku,name,type,active,") {
		t.Fatalf("export to file and stdout differ or header wrong:\n%s", r.out)
	}
	run(t, url, "product", "import", out, "-o", "json").wantCode(t, ExitOK).
		wantErr(t, "0 created, 0 updated, 2 unchanged, 0 rejected")

	// A bad row: nothing written, exit 5, the row listed on stdout with its reason.
	bad := file("bad.csv", "sku,name,cost_price\nNEW-1,New,1\nNEW-2,Bad cost,abc\n")
	r = run(t, url, "product", "import", bad).wantCode(t, ExitInvalid).wantErr(t, "nothing was written", "--skip-invalid")
	if !strings.Contains(r.out, "3\tcost_price\tabc\tnot a number") {
		t.Fatalf("row errors on stdout: %q", r.out)
	}
	run(t, url, "product", "show", "NEW-1").wantCode(t, ExitNotFound)
	r = run(t, url, "product", "import", bad, "-o", "json").wantCode(t, ExitInvalid)
	var failed struct {
		Rejected int `json:"rejected"`
		Errors   []struct {
			Row    int    `json:"row"`
			Column string `json:"column"`
		} `json:"errors"`
	}
	r.json(t, &failed)
	if failed.Rejected != 1 || len(failed.Errors) != 1 || failed.Errors[0].Row != 3 || failed.Errors[0].Column != "cost_price" {
		t.Fatalf("JSON errors: %+v", failed)
	}

	// Rows are the file's lines: NEW-1's description spans lines 2-4, so the bad row is row 5
	// (a spreadsheet would show it as its third row).
	multi := file("multi.csv", "sku,name,description,cost_price\nNEW-1,New,\"one\ntwo\nthree\",1\nNEW-2,Bad cost,,abc\n")
	r = run(t, url, "product", "import", multi).wantCode(t, ExitInvalid)
	if !strings.Contains(r.out, "5\tcost_price\tabc\tnot a number") {
		t.Fatalf("row of a file with a multi-line cell: %q", r.out)
	}

	// --dry-run counts; --skip-invalid writes the good rows and the rejects file, exit 3.
	run(t, url, "product", "import", bad, "--skip-invalid", "--dry-run").wantCode(t, ExitPartial).
		wantErr(t, "1 created, 0 updated, 0 unchanged, 1 rejected (dry run")
	run(t, url, "product", "show", "NEW-1").wantCode(t, ExitNotFound)
	rejects := filepath.Join(dir, "rejects.csv")
	run(t, url, "product", "import", bad, "--rejects", rejects).wantCode(t, ExitUsage)
	run(t, url, "product", "import", bad, "--skip-invalid", "--rejects", rejects).wantCode(t, ExitPartial).
		wantErr(t, "1 row rejected", rejects)
	run(t, url, "product", "show", "NEW-1").wantCode(t, ExitOK)
	data, _ = os.ReadFile(rejects)
	if want := "sku,name,cost_price,reject_reasons\nNEW-2,Bad cost,abc,\"row 3, cost_price: not a number"; !strings.HasPrefix(string(data), want) {
		t.Fatalf("rejects file:\n%s", data)
	}

	// Standard input, and usage errors.
	var o, e bytes.Buffer
	app := &App{In: strings.NewReader("sku,list_price\nNEW-1,9.99\n"), Out: &o, Err: &e}
	if code := app.Run(context.Background(), []string{"--db", url, "product", "import", "-"}); code != ExitOK ||
		!strings.Contains(e.String(), "0 created, 1 updated") {
		t.Fatalf("stdin import: %d %s", code, e.String())
	}
	run(t, url, "product", "import").wantCode(t, ExitUsage)
	run(t, url, "product", "import", filepath.Join(dir, "missing.csv")).wantCode(t, ExitInvalid).wantErr(t, "cannot read")
	run(t, url, "product", "import", bad, "--map", "nonsense").wantCode(t, ExitUsage)
	run(t, url, "product", "import", file("empty.csv", "")).wantCode(t, ExitInvalid).wantErr(t, "empty")
	run(t, url, "product", "import", file("nosku.csv", "name\nX\n")).wantCode(t, ExitInvalid).wantErr(t, "sku")
	run(t, url, "product", "export", "--all", "--inactive").wantCode(t, ExitUsage)
}
