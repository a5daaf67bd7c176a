package catalog_test

import (
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

func TestFeatures(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	k.product("LAMP", catalog.Changes{})
	k.product("DRILL", catalog.Changes{})

	set := func(sku, name, value string) (catalog.Feature, error) {
		var f catalog.Feature
		err := k.tx(func(tx *sqlx.Tx) (err error) {
			f, err = catalog.SetFeature(k.ctx, tx, sku, name, value)
			return err
		})
		return f, err
	}
	f, err := set("LAMP", " Colour ", " red ")
	k.ok(err)
	if f.SKU != "LAMP" || f.Name != "Colour" || f.Value != "red" || f.UpdatedBy != "test" {
		t.Fatalf("set: %+v", f)
	}
	_, err = set("LAMP", "voltage", "240V")
	k.ok(err)
	// Setting again replaces the value; the name matches case-insensitively and keeps its spelling.
	f, err = set("LAMP", "colour", "blue")
	k.ok(err)
	if f.Name != "Colour" || f.Value != "blue" {
		t.Fatalf("replace: %+v", f)
	}
	_, err = set("DRILL", "voltage", "18V")
	k.ok(err)

	fs, err := catalog.Features(k.ctx, k.d, "LAMP")
	k.ok(err)
	if len(fs) != 2 || fs[0].Name != "Colour" || fs[0].Value != "blue" || fs[1].Name != "voltage" || fs[1].Value != "240V" {
		t.Fatalf("features: %+v", fs)
	}
	fs, err = catalog.Features(k.ctx, k.d, "SERVICE")
	k.ok(err)
	if fs == nil || len(fs) != 0 {
		t.Fatalf("no features is an empty list: %#v", fs)
	}

	// product list --search finds features by name=value.
	ps, err := catalog.List(k.ctx, k.d, catalog.Filter{Search: "colour=blue"})
	k.ok(err)
	if len(ps) != 1 || ps[0].SKU != "LAMP" {
		t.Fatalf("search by feature: %+v", ps)
	}

	_, err = set("LAMP", "", "x")
	k.wantFault(err, fault.Invalid, "name", "feature name cannot be empty")
	_, err = set("LAMP", "size", "  ")
	k.wantFault(err, fault.Invalid, "value", "needs a value", "product feature remove LAMP size")
	_, err = set("LAMP", "a=b", "x")
	k.wantFault(err, fault.Invalid, "name", `cannot contain "="`)
	_, err = set("LAMP", "note", "line\nbreak")
	k.wantFault(err, fault.Invalid, "value", "control character")
	_, err = set("NOPE", "colour", "red")
	k.wantFault(err, fault.NotFound, "", "product NOPE does not exist")

	remove := func(sku, name string) error {
		return k.tx(func(tx *sqlx.Tx) error { return catalog.RemoveFeature(k.ctx, tx, sku, name) })
	}
	k.ok(remove("LAMP", "COLOUR"))
	k.wantFault(remove("LAMP", "colour"), fault.NotFound, "", `product LAMP has no feature "colour"`)
	k.wantFault(remove("NOPE", "colour"), fault.NotFound, "", "product NOPE does not exist")
	fs, err = catalog.Features(k.ctx, k.d, "LAMP")
	k.ok(err)
	if len(fs) != 1 || fs[0].Name != "voltage" {
		t.Fatalf("after remove: %+v", fs)
	}
	_, err = catalog.Features(k.ctx, k.d, "NOPE")
	k.wantFault(err, fault.NotFound, "")
}
