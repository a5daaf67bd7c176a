package commands

import (
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

func TestPriceTypeCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var pt map[string]any
	run(t, url, "price-type", "add", "vip", "--name", "VIP customers", "-o", "json").wantCode(t, ExitOK).json(t, &pt)
	if pt["code"] != "vip" || pt["name"] != "VIP customers" || pt["active"] != true || pt["default"] != false {
		t.Fatalf("added: %v", pt)
	}
	run(t, url, "price-type", "add", "vip").wantCode(t, ExitInvalid).wantErr(t, "already exists")
	run(t, url, "price-type", "add", "bad code").wantCode(t, ExitInvalid).wantErr(t, "price type code")
	run(t, url, "price-type", "add").wantCode(t, ExitUsage).wantErr(t, "missing CODE")
	run(t, url, "price-type", "add", "dry", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	run(t, url, "company", "add", "ACME", "--name", "Acme", "--customer", "--price-type", "vip").wantCode(t, ExitOK)

	if r := run(t, url, "price-type", "list", "--fields", "code,default,customers"); r.out != "retail\ttrue\t0\ntrade\tfalse\t0\nvip\tfalse\t1\nwholesale\tfalse\t0\n" {
		t.Fatalf("list: %q", r.out)
	}
	run(t, url, "price-type", "deactivate", "vip").wantCode(t, ExitOK).wantErr(t, "1 customer(s) on price type vip")
	run(t, url, "company", "add", "B2", "--name", "B2", "--customer", "--price-type", "vip").wantCode(t, ExitInvalid).wantErr(t, "inactive")
	run(t, url, "price-type", "default", "vip").wantCode(t, ExitInvalid).wantErr(t, "inactive")
	run(t, url, "price-type", "activate", "vip").wantCode(t, ExitOK)
	run(t, url, "price-type", "deactivate", "retail").wantCode(t, ExitInvalid).wantErr(t, "default price type")
	run(t, url, "price-type", "deactivate", "nope").wantCode(t, ExitNotFound)

	run(t, url, "price-type", "default", "trade", "--dry-run").wantCode(t, ExitOK)
	if r := run(t, url, "settings", "get", "default_price_type"); r.out != "retail\n" {
		t.Fatalf("dry run changed the default: %q", r.out)
	}
	run(t, url, "price-type", "default", "trade", "-o", "json").wantCode(t, ExitOK).json(t, &pt)
	if pt["code"] != "trade" || pt["default"] != true {
		t.Fatalf("default: %v", pt)
	}
	if r := run(t, url, "settings", "get", "default_price_type"); r.out != "trade\n" {
		t.Fatalf("setting: %q", r.out)
	}
	// A new customer now gets trade.
	var co map[string]any
	run(t, url, "company", "add", "NEW", "--name", "New", "--customer", "-o", "json").wantCode(t, ExitOK).json(t, &co)
	if co["price_type"] != "trade" {
		t.Fatalf("new customer: %v", co)
	}
}
