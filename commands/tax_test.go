package commands

import (
	"testing"
)

// The case on the command line: a service at 110 with 10 % tax and prices_include_tax
// true. 110 holds the tax: tax = 110 × 10/110 = 10.00, net 100.00, total 110.00 on the order,
// in price quote, in the portal feed, and on the invoice issued after the setting went back
// to false (the order froze its mode). Then SO-000002, inclusive by --prices-include-tax
// though the setting is false: 2 × 110 less 5 % = 209.00, tax 209 × 10/110 = 19.00, net
// 190.00. SO-000003, exclusive: 110.00 + 110 × 10 % = 11.00 → 121.00, as price quote now says.
func TestTaxInclusiveCommands(t *testing.T) {
	t.Parallel()
	url := soSetup(t)
	run(t, url, "product", "add", "SVC", "--name", "Service", "--type", "service", "--sell-price", "110",
		"--sales-tax-rate", "10", "--portal").wantCode(t, ExitOK)
	run(t, url, "settings", "set", "prices_include_tax", "true").wantCode(t, ExitOK)
	run(t, url, "so", "new", "ACME", "--location", "MAIN").wantCode(t, ExitOK).wantErr(t, "SO-000001 created")
	run(t, url, "so", "add", "SO-000001", "SVC", "1").wantCode(t, ExitOK)

	type money struct {
		Subtotal  string `json:"subtotal"`
		Tax       string `json:"tax"`
		Total     string `json:"total"`
		Inclusive bool   `json:"prices_include_tax"`
		Lines     []struct {
			Amount string `json:"amount"`
			Tax    string `json:"tax"`
			Total  string `json:"total"`
		} `json:"lines"`
	}
	want := func(what string, got money, inclusive bool, sub, tax, total string) {
		t.Helper()
		if got.Subtotal != sub || got.Tax != tax || got.Total != total || got.Inclusive != inclusive {
			t.Fatalf("%s: %+v, want inclusive %v %s + %s = %s", what, got, inclusive, sub, tax, total)
		}
		for _, l := range got.Lines { // one line each
			if l.Amount != sub || l.Tax != tax || l.Total != total {
				t.Fatalf("%s line: %+v, want %s + %s = %s", what, l, sub, tax, total)
			}
		}
	}
	var so money
	run(t, url, "so", "show", "SO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &so)
	want("SO-000001", so, true, "100.00", "10.00", "110.00")

	var quote struct {
		Amount    string `json:"amount"`
		TaxRate   string `json:"tax_rate"`
		Inclusive bool   `json:"prices_include_tax"`
		Net       string `json:"net"`
		Tax       string `json:"tax"`
		Total     string `json:"total"`
	}
	run(t, url, "price", "quote", "SVC", "--customer", "ACME", "-o", "json").wantCode(t, ExitOK).json(t, &quote)
	if quote.Amount != "110.00" || quote.TaxRate != "10" || !quote.Inclusive || quote.Net != "100.00" || quote.Tax != "10.00" || quote.Total != "110.00" {
		t.Fatalf("inclusive quote: %+v", quote)
	}
	var feed []struct {
		SKU   string `json:"sku"`
		Price string `json:"price"`
		Net   string `json:"price_net"`
		Tax   string `json:"price_tax"`
		Gross string `json:"price_gross"`
	}
	run(t, url, "portal", "export", "-o", "json").wantCode(t, ExitOK).json(t, &feed)
	if len(feed) != 1 || feed[0].Price != "110" || feed[0].Net != "100.00" || feed[0].Tax != "10.00" || feed[0].Gross != "110.00" {
		t.Fatalf("portal: %+v", feed)
	}

	run(t, url, "settings", "set", "prices_include_tax", "false").wantCode(t, ExitOK)
	run(t, url, "so", "confirm", "SO-000001").wantCode(t, ExitOK)
	var inv struct {
		Subtotal, Tax, Total string
		Lines                []struct{ Amount, Tax string }
	}
	run(t, url, "so", "invoice", "SO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &inv)
	if inv.Subtotal != "100.00" || inv.Tax != "10.00" || inv.Total != "110.00" || len(inv.Lines) != 1 ||
		inv.Lines[0].Amount != "100.00" || inv.Lines[0].Tax != "10.00" {
		t.Fatalf("invoice: %+v, want 100.00 + 10.00 = 110.00", inv)
	}

	run(t, url, "so", "new", "ACME", "--location", "MAIN", "--prices-include-tax").wantCode(t, ExitOK).wantErr(t, "SO-000002 created")
	run(t, url, "so", "add", "SO-000002", "SVC", "2", "--discount", "5").wantCode(t, ExitOK)
	run(t, url, "so", "show", "SO-000002", "-o", "json").wantCode(t, ExitOK).json(t, &so)
	want("SO-000002", so, true, "190.00", "19.00", "209.00")

	run(t, url, "so", "new", "ACME", "--location", "MAIN").wantCode(t, ExitOK).wantErr(t, "SO-000003 created")
	run(t, url, "so", "add", "SO-000003", "SVC", "1").wantCode(t, ExitOK)
	run(t, url, "so", "show", "SO-000003", "-o", "json").wantCode(t, ExitOK).json(t, &so)
	want("SO-000003", so, false, "110.00", "11.00", "121.00")
	run(t, url, "price", "quote", "SVC", "--customer", "ACME", "-o", "json").wantCode(t, ExitOK).json(t, &quote)
	if quote.Inclusive || quote.Net != "110.00" || quote.Tax != "11.00" || quote.Total != "121.00" {
		t.Fatalf("exclusive quote: %+v", quote)
	}
	// Piped, the order's lines print their amounts in cents.
	r := run(t, url, "so", "show", "SO-000003", "--fields", "sku,unit_price,amount,tax,total").wantCode(t, ExitOK)
	if r.out != "SVC\t110\t110.00\t11.00\t121.00\n" {
		t.Fatalf("piped lines: %q", r.out)
	}
}
