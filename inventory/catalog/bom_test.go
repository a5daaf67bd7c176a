package catalog_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

func (k *variantKit) bomAdd(sku, component, qty string) (catalog.BOMLine, bool, error) {
	var l catalog.BOMLine
	var replaced bool
	err := k.tx(func(tx *sqlx.Tx) (err error) {
		l, replaced, err = catalog.AddComponent(k.ctx, tx, sku, component, k.dec(qty))
		return err
	})
	return l, replaced, err
}

func TestBOM(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	k.product("KIT", catalog.Changes{Name: kptr("Bike kit")})
	k.product("WHEEL", catalog.Changes{Name: kptr("Wheel"), CostPrice: kptr(k.dec("40.25"))})
	k.product("CABLE", catalog.Changes{Name: kptr("Brake cable"), StockUOM: kptr("m"), CostPrice: kptr(k.dec("1.10"))})
	k.product("ASSEMBLY", catalog.Changes{Type: kptr("service"), StockUOM: kptr("h"), CostPrice: kptr(k.dec("30"))})

	l, replaced, err := k.bomAdd("KIT", "WHEEL", "2")
	k.ok(err)
	if replaced || l.SKU != "KIT" || l.Component != "WHEEL" || l.Name != "Wheel" || !l.Qty.Equal(k.dec("2")) || l.Unit != "ea" ||
		!l.Cost.Equal(k.dec("40.25")) || !l.LineCost.Equal(k.dec("80.5")) {
		t.Fatalf("line: %+v", l)
	}
	_, _, err = k.bomAdd("KIT", "CABLE", "1.5")
	k.ok(err)
	_, _, err = k.bomAdd("KIT", "ASSEMBLY", "0.75")
	k.ok(err)
	// Adding a component again replaces its quantity.
	l, replaced, err = k.bomAdd("KIT", "CABLE", "2.25")
	k.ok(err)
	if !replaced || !l.Qty.Equal(k.dec("2.25")) || l.Unit != "m" {
		t.Fatalf("replaced line: %+v %v", l, replaced)
	}
	b, err := catalog.BOM(k.ctx, k.d, "KIT")
	k.ok(err)
	if len(b.Lines) != 3 || b.Lines[0].Component != "ASSEMBLY" || b.Lines[1].Component != "CABLE" || b.Lines[2].Component != "WHEEL" {
		t.Fatalf("lines by component: %+v", b.Lines)
	}
	// 0.75 × 30 + 2.25 × 1.10 + 2 × 40.25 = 22.5 + 2.475 + 80.5
	if !b.Lines[1].LineCost.Equal(k.dec("2.475")) || !b.Total.Equal(k.dec("105.475")) || b.SKU != "KIT" || b.Unit != "ea" {
		t.Fatalf("costs: %+v", b)
	}
	d, err := catalog.Describe(k.ctx, k.d, "KIT")
	k.ok(err)
	if len(d.BOM) != 3 {
		t.Fatalf("describe: %v", d.BOM)
	}

	// Refusals.
	_, _, err = k.bomAdd("KIT", "WHEEL", "0")
	k.wantFault(err, fault.Invalid, "qty", "must be more than 0")
	_, _, err = k.bomAdd("KIT", "WHEEL", "-1")
	k.wantFault(err, fault.Invalid, "qty", "must be more than 0")
	_, _, err = k.bomAdd("KIT", "WHEEL", "1.5")
	k.wantFault(err, fault.Invalid, "qty", "more decimals than the unit allows (0)")
	_, _, err = k.bomAdd("KIT", "NOPE", "1")
	k.wantFault(err, fault.NotFound, "", "product NOPE does not exist")
	_, _, err = k.bomAdd("NOPE", "WHEEL", "1")
	k.wantFault(err, fault.NotFound, "", "product NOPE does not exist")
	k.product("EBOOK", catalog.Changes{Type: kptr("virtual")})
	_, _, err = k.bomAdd("KIT", "EBOOK", "1")
	k.wantFault(err, fault.Invalid, "component", "EBOOK is a virtual product", "only stock or service products")
	_, _, err = k.bomAdd("KIT", "FREIGHT", "1")
	k.wantFault(err, fault.Invalid, "component", "FREIGHT is a system product")
	_, _, err = k.bomAdd("SERVICE", "WHEEL", "1")
	k.wantFault(err, fault.Invalid, "sku", "system product")
	k.product("OLDPART", catalog.Changes{})
	k.ok(k.tx(func(tx *sqlx.Tx) error {
		_, _, err := catalog.SetActive(k.ctx, tx, "OLDPART", false, false)
		return err
	}))
	_, _, err = k.bomAdd("KIT", "OLDPART", "1")
	k.wantFault(err, fault.Invalid, "component", "product OLDPART is inactive")
	_, _, err = k.bomAdd("KIT", "KIT", "1")
	k.wantFault(err, fault.Invalid, "component", "cannot contain itself: KIT -> KIT")

	// Indirect cycles: KIT contains WHEEL; WHEEL contains HUB; HUB containing KIT would loop.
	k.product("HUB", catalog.Changes{})
	_, _, err = k.bomAdd("WHEEL", "HUB", "1")
	k.ok(err)
	_, _, err = k.bomAdd("HUB", "KIT", "1")
	k.wantFault(err, fault.Invalid, "component", "HUB -> KIT -> WHEEL -> HUB")
	_, _, err = k.bomAdd("WHEEL", "KIT", "1")
	k.wantFault(err, fault.Invalid, "component", "WHEEL -> KIT -> WHEEL")
	// Shared components are not cycles: KIT may contain HUB directly too.
	_, _, err = k.bomAdd("KIT", "HUB", "2")
	k.ok(err)

	remove := func(sku, comp string) error {
		return k.tx(func(tx *sqlx.Tx) error { return catalog.RemoveComponent(k.ctx, tx, sku, comp) })
	}
	k.ok(remove("KIT", "CABLE"))
	k.wantFault(remove("KIT", "CABLE"), fault.NotFound, "", "the bill of materials of KIT has no component CABLE")
	k.wantFault(remove("NOPE", "CABLE"), fault.NotFound, "", "product NOPE does not exist")
	b, err = catalog.BOM(k.ctx, k.d, "KIT")
	k.ok(err)
	if len(b.Lines) != 3 {
		t.Fatalf("after remove: %+v", b.Lines)
	}
	b, err = catalog.BOM(k.ctx, k.d, "CABLE")
	k.ok(err)
	if b.Lines == nil || len(b.Lines) != 0 || !b.Total.IsZero() {
		t.Fatalf("empty BOM: %+v", b)
	}
	_, err = catalog.BOM(k.ctx, k.d, "NOPE")
	k.wantFault(err, fault.NotFound, "")
}

// Two transactions adding A -> B and B -> A at the same moment: exactly one may succeed.
func TestBOMConcurrentCycle(t *testing.T) {
	t.Parallel()
	k := newVariantKit(t)
	for round := range 10 {
		a, b := fmt.Sprintf("A%d", round), fmt.Sprintf("B%d", round)
		k.product(a, catalog.Changes{})
		k.product(b, catalog.Changes{})
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range [][2]string{{a, b}, {b, a}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = db.InTx(k.ctx, k.d, func(tx *sqlx.Tx) error {
					_, _, err := catalog.AddComponent(k.ctx, tx, pair[0], pair[1], k.dec("1"))
					return err
				})
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				k.wantFault(err, fault.Invalid, "component", "would contain itself")
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d of the two adds succeeded: %v", round, ok, errs)
		}
	}
	if n := k.count(`SELECT count(*) FROM product_bom`); n != 10 {
		t.Fatalf("bom rows: %d, want 10", n)
	}
}
