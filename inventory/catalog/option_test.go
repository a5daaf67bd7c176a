package catalog_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

func (k *variantKit) option(sku, group string, values []string, adjust map[string]string, optional *bool) ([]catalog.Option, error) {
	adj := map[string]decimal.Decimal{}
	for v, a := range adjust {
		adj[v] = k.dec(a)
	}
	var os []catalog.Option
	err := k.tx(func(tx *sqlx.Tx) (err error) {
		os, err = catalog.AddOption(k.ctx, tx, sku, group, values, adj, optional)
		return err
	})
	return os, err
}

func TestOptions(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	k.product("BIKE", catalog.Changes{SellPrice: kptr(k.dec("900.00"))})

	os, err := k.option("BIKE", "Frame", []string{"S", "M", "L"}, map[string]string{"L": "25.00"}, nil)
	k.ok(err)
	if len(os) != 3 || os[0].Group != "Frame" || !os[0].Required || os[2].Value != "L" || !os[2].Adjustment.Equal(k.dec("25")) || os[0].SKU != "BIKE" {
		t.Fatalf("new group: %+v", os)
	}
	// Appending like attributes; adjustments may be negative; --optional flips the flag.
	os, err = k.option("BIKE", "frame", []string{"m", "XL"}, map[string]string{"xl": "40", "S": "-10"}, nil)
	k.ok(err)
	var got []string
	for _, o := range os {
		got = append(got, o.Value+":"+o.Adjustment.String())
	}
	if strings.Join(got, " ") != "S:-10 M:0 L:25 XL:40" {
		t.Fatalf("appended: %v", got)
	}
	_, err = k.option("BIKE", "Colour", []string{"Black", "Red"}, map[string]string{"Red": "15.50"}, kptr(true))
	k.ok(err)
	_, err = k.option("BIKE", "Lights", []string{"Dynamo", "Battery"}, nil, kptr(true))
	k.ok(err)
	os, err = k.option("BIKE", "Lights", nil, nil, kptr(false))
	k.ok(err)
	if !os[0].Required {
		t.Fatalf("--optional=false makes a group required again: %+v", os)
	}
	os, err = k.option("BIKE", "Lights", nil, nil, kptr(true))
	k.ok(err)
	if os[0].Required {
		t.Fatalf("--optional: %+v", os)
	}
	all, err := catalog.Options(k.ctx, k.d, "BIKE")
	k.ok(err)
	if len(all) != 8 || all[4].Group != "Colour" || all[4].Required || all[4].Position != 2 {
		t.Fatalf("options: %+v", all)
	}

	_, err = k.option("BIKE", "Frame", nil, map[string]string{"XXL": "50"}, nil)
	k.wantFault(err, fault.Invalid, "adjust", `"XXL" is not one of the options of option group Frame`, "S, M, L, XL")
	_, err = k.option("BIKE", "Saddle", nil, nil, nil)
	k.wantFault(err, fault.Invalid, "values", "new option group Saddle of BIKE needs options")
	_, err = k.option("BIKE", "A=B", []string{"x"}, nil, nil)
	k.wantFault(err, fault.Invalid, "group", `cannot contain "="`)
	_, err = k.option("NOPE", "Frame", []string{"S"}, nil, nil)
	k.wantFault(err, fault.NotFound, "", "product NOPE does not exist")
	_, err = k.option("SERVICE", "Frame", []string{"S"}, nil, nil)
	k.wantFault(err, fault.Invalid, "sku", "system product")
	_, err = catalog.Options(k.ctx, k.d, "NOPE")
	k.wantFault(err, fault.NotFound, "")
}

func TestConfigure(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	k.product("BIKE", catalog.Changes{Name: kptr("Touring bike"), SellPrice: kptr(k.dec("900.00"))})
	_, err := k.option("BIKE", "Frame", []string{"S", "M", "L"}, map[string]string{"L": "25.00", "S": "-10"}, nil)
	k.ok(err)
	_, err = k.option("BIKE", "Colour", []string{"Black", "Red"}, map[string]string{"Red": "15.50"}, nil)
	k.ok(err)
	_, err = k.option("BIKE", "Lights", []string{"Dynamo", "Battery"}, map[string]string{"Dynamo": "60"}, kptr(true))
	k.ok(err)

	cfg, err := catalog.Configure(k.ctx, k.d, "BIKE", map[string]string{"colour": "red", "Frame": "L"})
	k.ok(err)
	if cfg.SKU != "BIKE" || cfg.Name != "Touring bike" || !cfg.BasePrice.Equal(k.dec("900")) || !cfg.Adjustments.Equal(k.dec("40.5")) ||
		!cfg.Price.Equal(k.dec("940.5")) || len(cfg.Choices) != 2 {
		t.Fatalf("configuration: %+v", cfg)
	}
	// Choices in group order, with the stored spelling and the option's id.
	if c := cfg.Choices[0]; c.Group != "Frame" || c.Value != "L" || !c.Adjustment.Equal(k.dec("25")) || c.OptionID == 0 {
		t.Fatalf("first choice: %+v", c)
	}
	if s := cfg.Choices.String(); s != "Frame=L (+25.00), Colour=Red (+15.50)" {
		t.Fatalf("choices shown: %q", s)
	}
	b, _ := json.Marshal(cfg.Choices)
	if string(b) != `[{"group":"Frame","value":"L","price_adjustment":"25.00"},{"group":"Colour","value":"Red","price_adjustment":"15.50"}]` {
		t.Fatalf("choices JSON: %s", b)
	}
	cfg, err = catalog.Configure(k.ctx, k.d, "BIKE", map[string]string{"Frame": "S", "Colour": "Black", "Lights": "Dynamo"})
	k.ok(err)
	if !cfg.Price.Equal(k.dec("950")) || len(cfg.Choices) != 3 || cfg.Choices.String() != "Frame=S (-10), Colour=Black, Lights=Dynamo (+60)" {
		t.Fatalf("with an optional group: %+v %s", cfg, cfg.Choices)
	}

	_, err = catalog.Configure(k.ctx, k.d, "BIKE", map[string]string{"Frame": "M"})
	k.wantFault(err, fault.Invalid, "choose", "every required option group", "--choose Colour=Black|Red")
	_, err = catalog.Configure(k.ctx, k.d, "BIKE", map[string]string{})
	k.wantFault(err, fault.Invalid, "choose", "--choose Frame=S|M|L --choose Colour=Black|Red")
	_, err = catalog.Configure(k.ctx, k.d, "BIKE", map[string]string{"Frame": "M", "Colour": "Red", "Bell": "yes"})
	k.wantFault(err, fault.Invalid, "choose", `BIKE has no option group "Bell"`, "Frame, Colour, Lights")
	_, err = catalog.Configure(k.ctx, k.d, "BIKE", map[string]string{"Frame": "XXL", "Colour": "Red"})
	k.wantFault(err, fault.Invalid, "choose", `"XXL" is not an option of BIKE Frame`, "S, M, L")
	_, err = catalog.Configure(k.ctx, k.d, "BIKE", map[string]string{"Frame": "M", "frame": "L", "Colour": "Red"})
	k.wantFault(err, fault.Invalid, "choose", "option group Frame of BIKE is chosen twice")
	_, err = catalog.Configure(k.ctx, k.d, "NOPE", nil)
	k.wantFault(err, fault.NotFound, "", "product NOPE does not exist")
	k.product("PLAIN", catalog.Changes{})
	_, err = catalog.Configure(k.ctx, k.d, "PLAIN", nil)
	k.wantFault(err, fault.Invalid, "sku", "PLAIN has no option groups")

	// A configuration may not come out below zero.
	k.product("CHEAP", catalog.Changes{SellPrice: kptr(k.dec("5"))})
	_, err = k.option("CHEAP", "Trade-in", []string{"Yes"}, map[string]string{"Yes": "-8"}, nil)
	k.ok(err)
	_, err = catalog.Configure(k.ctx, k.d, "CHEAP", map[string]string{"Trade-in": "Yes"})
	k.wantFault(err, fault.Invalid, "choose", "is negative")
}
