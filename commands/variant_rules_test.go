package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

// The demo's TEE is a template with eight variants: it is never stocked or sold itself, and
// its variants follow its price.
func TestVariantTemplateCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)

	// The first five variants by SKU, and how many more (8 - 5 = 3).
	refusal := "TEE is a template with variants: stock and sell its variants (TEE-L-NAVY, TEE-L-ORANGE, TEE-M-NAVY, TEE-M-ORANGE, TEE-S-NAVY and 3 more; see stockctl product variants list TEE)"
	run(t, url, "stock", "adjust", "TEE", "--location", "MAIN", "--qty", "1").wantCode(t, ExitInvalid).wantErr(t, refusal)
	run(t, url, "stock", "transfer", "TEE", "--from", "MAIN", "--to", "STORE", "--qty", "1").wantCode(t, ExitInvalid).wantErr(t, refusal)
	file := filepath.Join(t.TempDir(), "opening.csv")
	if err := os.WriteFile(file, []byte("sku,location,qty\nTEE-M-NAVY,MAIN,1\nTEE,MAIN,1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, url, "stock", "import", file).wantCode(t, ExitInvalid).wantErr(t, "1 row is invalid"); !strings.Contains(r.out, refusal) {
		t.Fatalf("stock import lists the template's row: %q", r.out)
	}
	run(t, url, "so", "add", "SO-000006", "TEE", "1").wantCode(t, ExitInvalid).wantErr(t, refusal)
	var po map[string]any
	run(t, url, "po", "new", "EUROTOOL", "--location", "MAIN", "-o", "json").wantCode(t, ExitOK).json(t, &po)
	run(t, url, "po", "add", po["number"].(string), "TEE", "1").wantCode(t, ExitInvalid).wantErr(t, refusal)
	run(t, url, "rfq", "add", "RFQ-000001", "TEE", "5").wantCode(t, ExitInvalid).wantErr(t, refusal)
	run(t, url, "wo", "new", "TEE", "1", "--location", "MAIN").wantCode(t, ExitInvalid).wantErr(t, refusal)
	// Nothing was written: TEE holds no stock, the import's good row was not posted either
	// (the demo's 15 TEE-M-NAVY at STORE only).
	if r := run(t, url, "stock", "show", "TEE-M-NAVY", "-o", "csv", "--fields", "location,on_hand").wantCode(t, ExitOK); r.out != "location,on_hand\nSTORE,15\n" {
		t.Fatalf("stock of TEE-M-NAVY: %q", r.out)
	}
	// A variant is stocked and sold as usual.
	run(t, url, "so", "add", "SO-000006", "TEE-M-NAVY", "1", "--dry-run").wantCode(t, ExitOK)

	// TEE sells at 19.00; XL has an extra of 2.00. The template goes to 21 (stored as the
	// flag's value reads, 21): TEE-M-NAVY 21 + 0 = 21, TEE-XL-NAVY 21 + 2.00 = 23.00.
	run(t, url, "product", "edit", "TEE", "--sell-price", "21.00").wantCode(t, ExitOK)
	r := run(t, url, "product", "variants", "list", "TEE", "--fields", "sku,sell_price,own_price").wantCode(t, ExitOK)
	want := "TEE-S-NAVY\t21\tfalse\nTEE-S-ORANGE\t21\tfalse\nTEE-M-NAVY\t21\tfalse\nTEE-M-ORANGE\t21\tfalse\n" +
		"TEE-L-NAVY\t21\tfalse\nTEE-L-ORANGE\t21\tfalse\nTEE-XL-NAVY\t23.00\tfalse\nTEE-XL-ORANGE\t23.00\tfalse\n"
	if r.out != want {
		t.Fatalf("variants after the template's price change:\n%s", r.out)
	}
	// TEE-XL-NAVY's own price 25 stays when TEE goes to 22; follow puts it back on
	// 22 + 2.00 = 24.00.
	run(t, url, "product", "edit", "TEE-XL-NAVY", "--sell-price", "25.00").wantCode(t, ExitOK)
	run(t, url, "product", "edit", "TEE", "--sell-price", "22.00").wantCode(t, ExitOK)
	if r := run(t, url, "product", "variants", "list", "TEE", "--fields", "sku,sell_price,own_price").wantCode(t, ExitOK); !strings.HasSuffix(r.out, "TEE-XL-NAVY\t25\ttrue\nTEE-XL-ORANGE\t24.00\tfalse\n") {
		t.Fatalf("own price kept: %q", r.out)
	}
	if r := run(t, url, "product", "variants", "follow", "TEE-XL-NAVY", "--fields", "sku,sell_price,own_price").wantCode(t, ExitOK); r.out != "TEE-XL-NAVY\t24.00\tfalse\n" {
		t.Fatalf("follow: %q", r.out)
	}
	run(t, url, "product", "variants", "follow", "TEE").wantCode(t, ExitInvalid).wantErr(t, "TEE is not a variant")
	run(t, url, "product", "variants", "follow").wantCode(t, ExitUsage).wantErr(t, "missing VARIANT")
}
