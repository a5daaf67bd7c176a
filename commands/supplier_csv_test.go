package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSupplierPriceImportExport(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "prices.csv")
	if err := os.WriteFile(file, []byte("Vendor;Item;Cost;min_qty;pack;lead_days\n"+
		"EURO;W;10;;;14\n"+
		"EURO;W;9;30;6;\n"+
		"BRIT;BOLT;0.02;1000;box;7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mapping := "Vendor=supplier,Item=sku,Cost=price"
	run(t, url, "supplier", "price", "import", file, "--map", mapping, "--dry-run").wantCode(t, ExitOK).
		wantErr(t, "supplier price import: 3 created, 0 updated, 0 unchanged, 0 rejected (dry run")
	var list []priceJSON
	run(t, url, "supplier", "price", "list", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 0 {
		t.Fatalf("dry run wrote: %+v", list)
	}
	var res struct {
		Created, Updated, Unchanged, Rejected int
	}
	run(t, url, "supplier", "price", "import", file, "--map", mapping, "-o", "json").wantCode(t, ExitOK).json(t, &res)
	if res.Created != 3 || res.Updated != 0 {
		t.Fatalf("import: %+v", res)
	}
	run(t, url, "supplier", "price", "list", "EURO", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 2 || list[0].Currency != "EUR" || list[0].Price != "10" || *list[0].LeadDays != 14 || list[1].MinQty != "30" || *list[1].PackQty != "6" {
		t.Fatalf("imported: %+v", list)
	}

	// Export to a file, re-import: nothing changes. One supplier to standard output.
	out := filepath.Join(dir, "export.csv")
	run(t, url, "supplier", "price", "export", out).wantCode(t, ExitOK).wantErr(t, "supplier price export: 3 rows")
	run(t, url, "supplier", "price", "import", out).wantCode(t, ExitOK).
		wantErr(t, "supplier price import: 0 created, 0 updated, 3 unchanged, 0 rejected")
	r := run(t, url, "supplier", "price", "export", "-", "BRIT").wantCode(t, ExitOK)
	// The unit column (last) says what the price is per: here BOLT's stock unit.
	if r.out != "supplier,sku,price,currency,min_qty,supplier_sku,lead_days,pack,priority,valid_from,valid_until,unit\n"+
		"BRIT,BOLT,0.02,GBP,1000,,7,box,1,,,ea\n" {
		t.Fatalf("export BRIT: %q", r.out)
	}
	run(t, url, "supplier", "price", "export", "-", "NOBODY").wantCode(t, ExitNotFound)

	// A bad row: nothing written (exit 5), the reason on standard output.
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("supplier,sku,price\nEURO,W,11\nEURO,NOPE,1\nCUST,W,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, url, "supplier", "price", "import", bad).wantCode(t, ExitInvalid).wantErr(t, "2 rows are invalid", "nothing was written")
	if !strings.Contains(r.out, "3\tsku\tNOPE\tproduct does not exist") || !strings.Contains(r.out, "4\tsupplier\tCUST\tcompany CUST is not a supplier") {
		t.Fatalf("reasons: %q", r.out)
	}
	run(t, url, "supplier", "price", "list", "EURO", "--sku", "W", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if list[0].Price != "10" {
		t.Fatalf("written although invalid: %+v", list[0])
	}
	// --skip-invalid writes row 2 and the rejects file (exit 3).
	rejects := filepath.Join(dir, "rejects.csv")
	run(t, url, "supplier", "price", "import", bad, "--skip-invalid", "--rejects", rejects).wantCode(t, ExitPartial).
		wantErr(t, "0 created, 1 updated, 0 unchanged, 2 rejected")
	got, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), "supplier,sku,price,reject_reasons\nEURO,NOPE,1,") || !strings.Contains(string(got), "row 4, supplier:") {
		t.Fatalf("rejects file:\n%s", got)
	}
	run(t, url, "supplier", "price", "list", "EURO", "--sku", "W", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if list[0].Price != "11" {
		t.Fatalf("skip-invalid did not write row 2: %+v", list[0])
	}
}
