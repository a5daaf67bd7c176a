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
	// A product with stock that becomes a template keeps it, can write it off, and never
	// takes more in.
	run(t, url, "product", "add", "DESK", "--name", "Desk", "--sell-price", "100").wantCode(t, ExitOK)
	run(t, url, "stock", "adjust", "DESK", "--location", "MAIN", "--qty", "3", "--unit-cost", "40").wantCode(t, ExitOK)
	run(t, url, "product", "attribute", "add", "DESK", "Top", "--values", "Pine,Oak").wantCode(t, ExitOK)
	run(t, url, "product", "variants", "generate", "DESK").wantCode(t, ExitOK)
	run(t, url, "stock", "adjust", "DESK", "--location", "MAIN", "--qty", "1").wantCode(t, ExitInvalid).
		wantErr(t, "DESK is a template with variants: stock and sell its variants (DESK-OAK, DESK-PINE; see stockctl product variants list DESK)")
	run(t, url, "stock", "adjust", "DESK", "--location", "MAIN", "--qty", "-3", "--reason", "template").wantCode(t, ExitOK)
	run(t, url, "stock", "check").wantCode(t, ExitOK)

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

// The demo's BLUEBIRD order chose Top=Oak for its BENCH (bill of materials: 1 BENCH-TOP, 4
// BENCH-LEG, 24 SCREW-4X40), and WO-000001 builds it. Once Oak names BENCH-TOP-OAK in place
// of BENCH-TOP, the work order shows and consumes the oak top.
func TestOptionComponentCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	run(t, url, "demo", "--yes").wantCode(t, ExitOK)
	run(t, url, "product", "add", "BENCH-TOP-OAK", "--name", "Bench top, oak").wantCode(t, ExitOK)

	var l map[string]any
	run(t, url, "product", "option", "component", "set", "BENCH", "top", "oak", "BENCH-TOP-OAK", "--replaces", "BENCH-TOP", "-o", "json").
		wantCode(t, ExitOK).json(t, &l)
	// --qty defaults to the replaced line's: 1.
	if l["group"] != "Top" || l["option"] != "Oak" || l["component"] != "BENCH-TOP-OAK" || l["qty"] != "1" || l["replaces"] != "BENCH-TOP" {
		t.Fatalf("option component: %v", l)
	}
	run(t, url, "product", "option", "component", "set", "BENCH", "Top", "Oak", "BENCH-LEG").wantCode(t, ExitInvalid).wantErr(t, "give its quantity", "--qty N")
	run(t, url, "product", "option", "component", "set", "BENCH", "Top", "Oak", "BENCH-LEG", "--replaces", "DRILL-18V").
		wantCode(t, ExitInvalid).wantErr(t, "DRILL-18V is not in the bill of materials of BENCH")
	run(t, url, "product", "option", "component", "set", "BENCH", "Top", "Walnut", "BENCH-LEG", "--qty", "1").
		wantCode(t, ExitNotFound).wantErr(t, `"Walnut" is not an option of BENCH Top (options: Pine, Oak)`)
	if r := run(t, url, "product", "option", "component", "list", "BENCH", "--fields", "group,option,component,qty,replaces").wantCode(t, ExitOK); r.out != "Top\tOak\tBENCH-TOP-OAK\t1\tBENCH-TOP\n" {
		t.Fatalf("list: %q", r.out)
	}

	var wo map[string]any
	run(t, url, "wo", "show", "WO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &wo)
	if wo["configuration"] != "Top=Oak (+180.00), Vise=Quick-release (+45.00)" {
		t.Fatalf("configuration: %v", wo["configuration"])
	}
	// For the 1 bench: 4 legs, 1 oak top (not BENCH-TOP), 24 screws.
	if r := run(t, url, "wo", "show", "WO-000001", "--fields", "sku,per_unit,needed").wantCode(t, ExitOK); r.out != "BENCH-LEG\t4\t4\nBENCH-TOP-OAK\t1\t1\nSCREW-4X40\t24\t24\n" {
		t.Fatalf("wo show: %q", r.out)
	}
	run(t, url, "wo", "complete", "WO-000001").wantCode(t, ExitInvalid).wantErr(t, "BENCH-TOP-OAK needs 1 ea, 0 available")
	run(t, url, "stock", "adjust", "BENCH-TOP-OAK", "--location", "MAIN", "--qty", "1", "--unit-cost", "95").wantCode(t, ExitOK)
	var done struct {
		Consumed []map[string]any `json:"consumed"`
	}
	run(t, url, "wo", "complete", "WO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &done)
	got := map[string]string{}
	for _, c := range done.Consumed {
		got[c["sku"].(string)] = c["qty"].(string) + "@" + c["unit_cost"].(string)
	}
	// The oak top at its cost 95; the legs at the demo's 18 (unit costs as stored, 6 places).
	if len(got) != 3 || got["BENCH-TOP-OAK"] != "1@95.000000" || got["BENCH-LEG"] != "4@18.000000" || got["SCREW-4X40"] == "" {
		t.Fatalf("consumed: %v", got)
	}
	// BENCH-TOP was not touched: the demo's 2 are still at MAIN.
	if r := run(t, url, "stock", "show", "BENCH-TOP", "-o", "csv", "--fields", "location,on_hand").wantCode(t, ExitOK); r.out != "location,on_hand\nMAIN,2\n" {
		t.Fatalf("BENCH-TOP: %q", r.out)
	}

	// wo new --choose: Pine names no components (the plain bill of materials).
	run(t, url, "wo", "new", "BENCH", "1", "--location", "MAIN", "--choose", "Top=Pine").wantCode(t, ExitOK)
	if r := run(t, url, "wo", "show", "WO-000002", "--fields", "sku").wantCode(t, ExitOK); r.out != "BENCH-LEG\nBENCH-TOP\nSCREW-4X40\n" {
		t.Fatalf("wo new pine: %q", r.out)
	}
	run(t, url, "wo", "new", "BENCH", "1", "--location", "MAIN", "--choose", "Top=Walnut").wantCode(t, ExitInvalid).wantErr(t, `"Walnut" is not an option of BENCH Top`)
	run(t, url, "wo", "new", "BENCH", "1", "--location", "MAIN", "--choose", "Top").wantCode(t, ExitUsage).wantErr(t, "GROUP=OPTION")

	run(t, url, "product", "option", "component", "remove", "BENCH", "Top", "Oak", "BENCH-TOP-OAK").wantCode(t, ExitOK)
	if r := run(t, url, "product", "option", "component", "list", "BENCH", "-o", "json").wantCode(t, ExitOK); strings.TrimSpace(r.out) != "[]" {
		t.Fatalf("after remove: %q", r.out)
	}
}
