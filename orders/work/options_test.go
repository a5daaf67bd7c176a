package work_test

import (
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/sales"
	"github.com/stockctl/stockctl/orders/work"
)

// optionSetup adds to setup's TABLE (4 LEG, 1 TOP, 0.5 h LAB; sell 200) the option groups
// Top: Pine, Oak (+120.00) and, optional, Extras: Drawer (+30.00). Choosing Oak replaces TOP
// with OAKTOP (the replaced line's quantity, 1); choosing Drawer adds 1 DRAWER and 2 more
// LEG. MAIN holds 3 OAKTOP at 70 and 2 DRAWER at 25 besides setup's stock.
func optionSetup(t *testing.T) *sqlx.DB {
	t.Helper()
	conn := setup(t)
	for sku, ch := range map[string]catalog.Changes{
		"OAKTOP": {Name: str("Oak top"), SellPrice: dp("150")},
		"DRAWER": {Name: str("Drawer"), SellPrice: dp("40")},
	} {
		must[catalog.Product](t)(catalog.Add(ctx, conn, sku, ch))
	}
	optional := true
	must[[]catalog.Option](t)(catalog.AddOption(ctx, conn, "TABLE", "Top", []string{"Pine", "Oak"}, map[string]decimal.Decimal{"Oak": d("120.00")}, nil))
	must[[]catalog.Option](t)(catalog.AddOption(ctx, conn, "TABLE", "Extras", []string{"Drawer"}, map[string]decimal.Decimal{"Drawer": d("30.00")}, &optional))
	set := func(group, option, component string, qty *decimal.Decimal, replaces string) catalog.OptionComponent {
		t.Helper()
		return must[catalog.OptionComponent](t)(tx(t, conn, func(tx *sqlx.Tx) (catalog.OptionComponent, error) {
			l, _, err := catalog.SetOptionComponent(ctx, tx, "TABLE", group, option, component, qty, replaces)
			return l, err
		}))
	}
	oak := set("top", "oak", "OAKTOP", nil, "TOP")
	if !oak.Qty.Equal(d("1")) || oak.Replaces == nil || *oak.Replaces != "TOP" || oak.Group != "Top" || oak.Option != "Oak" {
		t.Fatalf("oak top: %+v", oak)
	}
	set("Extras", "Drawer", "DRAWER", dp("1"), "")
	set("Extras", "Drawer", "LEG", dp("2"), "")
	adjust(t, conn, stock.Adjustment{SKU: "OAKTOP", Location: "MAIN", Qty: d("3"), UnitCost: dp("70")},
		stock.Adjustment{SKU: "DRAWER", Location: "MAIN", Qty: d("2"), UnitCost: dp("25")})
	return conn
}

func components(t *testing.T, doc work.Doc) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range doc.Components {
		out[c.SKU] = c.PerUnit.String() + "/" + c.Needed.String() + "/" + c.Available.String()
	}
	return out
}

func wantComponents(t *testing.T, doc work.Doc, want map[string]string) {
	t.Helper()
	got := components(t, doc)
	if len(got) != len(want) {
		t.Fatalf("components %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("component %s: %s, want %s (all: %v)", k, got[k], v, got)
		}
	}
}

// A sales line for 2 TABLE with Top=Oak and Extras=Drawer costs 200 + 120.00 + 30.00 =
// 350.00 each; its work order consumes, per table: 6 LEG (4 + 2), 1 OAKTOP (instead of TOP),
// 1 DRAWER, 0.5 h LAB. For 2: 12 LEG at 2.50 = 30, 2 OAKTOP at 70 = 140, 2 DRAWER at 25 = 50,
// 1 h LAB at 30 = 30; 250 in all, 125 a table. TOP is not touched (3 stay).
func TestOptionComponentsGoIntoTheWorkOrder(t *testing.T) {
	t.Parallel()
	conn := optionSetup(t)
	so := order(t, conn, sales.LineInput{SKU: "TABLE", Qty: d("2"), Choices: map[string]string{"Top": "Oak", "Extras": "Drawer"}})
	l := line(t, conn, so, 1)
	eq(t, "unit price", l.UnitPrice, "350.00")
	eq(t, "backordered", l.Backordered, "2")

	gen := must[[]work.Generated](t)(tx(t, conn, func(tx *sqlx.Tx) ([]work.Generated, error) { return work.Generate(ctx, tx, []string{so}) }))
	if len(gen) != 1 || gen[0].WO != "WO-000001" {
		t.Fatalf("generate: %+v", gen)
	}
	doc := must[work.Doc](t)(work.Get(ctx, conn, "WO-000001"))
	if doc.Configuration != "Top=Oak (+120.00), Extras=Drawer (+30.00)" {
		t.Fatalf("configuration %q", doc.Configuration)
	}
	// per unit / needed for 2 / available at MAIN
	wantComponents(t, doc, map[string]string{"DRAWER": "1/2/2", "LAB": "0.5/1/0", "LEG": "6/12/12", "OAKTOP": "1/2/3"})

	c := must[work.Completion](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Completion, error) { return work.Complete(ctx, tx, "WO-000001", nil) }))
	eq(t, "value", c.Value, "250")
	eq(t, "unit cost", c.UnitCost, "125")
	eq(t, "allocated", c.Allocated, "2")
	values := map[string]string{}
	for _, x := range c.Consumed {
		values[x.SKU] = x.Qty.String() + "=" + x.Value.String()
	}
	if values["LEG"] != "12=30" || values["OAKTOP"] != "2=140" || values["DRAWER"] != "2=50" || values["LAB"] != "1=30" || len(values) != 4 {
		t.Fatalf("consumed %v", values)
	}
	for sku, want := range map[string]string{"TOP": "3", "OAKTOP": "1", "DRAWER": "0", "LEG": "0", "TABLE": "2"} {
		onHand, _ := balance(t, conn, sku)
		eq(t, sku+" on hand", onHand, want)
	}
	invariants(t, conn)

	// wo new with Top=Pine (no components of its own) builds the plain bill of materials;
	// with Top=Oak, OAKTOP replaces TOP. Without choices: the plain bill of materials.
	pine := must[work.Order](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Order, error) {
		return work.New(ctx, tx, work.NewOrder{SKU: "TABLE", Qty: d("1"), Location: "MAIN", Choices: map[string]string{"Top": "Pine"}})
	}))
	wantComponents(t, must[work.Doc](t)(work.Get(ctx, conn, pine.Number)), map[string]string{"LAB": "0.5/0.5/0", "LEG": "4/4/0", "TOP": "1/1/3"})
	oak := must[work.Order](t)(tx(t, conn, func(tx *sqlx.Tx) (work.Order, error) {
		return work.New(ctx, tx, work.NewOrder{SKU: "TABLE", Qty: d("1"), Location: "MAIN", Choices: map[string]string{"top": "OAK"}})
	}))
	if oak.Configuration != "Top=Oak (+120.00)" {
		t.Fatalf("wo new configuration %q", oak.Configuration)
	}
	wantComponents(t, must[work.Doc](t)(work.Get(ctx, conn, oak.Number)), map[string]string{"LAB": "0.5/0.5/0", "LEG": "4/4/0", "OAKTOP": "1/1/1"})
	_, err := tx(t, conn, func(tx *sqlx.Tx) (work.Order, error) {
		return work.New(ctx, tx, work.NewOrder{SKU: "TABLE", Qty: d("1"), Location: "MAIN", Choices: map[string]string{"Top": "Walnut"}})
	})
	if fault.KindOf(err) != fault.Invalid || err == nil {
		t.Fatalf("unknown option: %v", err)
	}
}

// An option's component is refused, naming what to do, when it would replace a component
// the bill of materials does not have, has no quantity to take, or would make the product
// contain itself.
func TestOptionComponentRefusals(t *testing.T) {
	t.Parallel()
	conn := optionSetup(t)
	set := func(group, option, component string, qty *decimal.Decimal, replaces string) error {
		_, err := tx(t, conn, func(tx *sqlx.Tx) (catalog.OptionComponent, error) {
			l, _, err := catalog.SetOptionComponent(ctx, tx, "TABLE", group, option, component, qty, replaces)
			return l, err
		})
		return err
	}
	for _, c := range []struct {
		err   error
		field string
		msg   string
	}{
		{set("Top", "Oak", "OAKTOP", nil, "DRAWER"), "replaces", "DRAWER is not in the bill of materials of TABLE"},
		{set("Top", "Pine", "DRAWER", nil, ""), "qty", "give its quantity per ea of TABLE with --qty N"},
		{set("Top", "Pine", "DRAWER", dp("0"), ""), "qty", "must be more than 0"},
		{set("Top", "Pine", "TABLE", dp("1"), ""), "component", "a product cannot contain itself"},
	} {
		if c.err == nil || fault.KindOf(c.err) != fault.Invalid || fault.FieldOf(c.err) != c.field || !contains(c.err.Error(), c.msg) {
			t.Fatalf("want invalid %s %q, got %v", c.field, c.msg, c.err)
		}
	}
	for _, c := range []struct {
		err error
		msg string
	}{
		{set("Top", "Walnut", "DRAWER", dp("1"), ""), `"Walnut" is not an option of TABLE Top (options: Pine, Oak)`},
		{set("Legs", "Pine", "DRAWER", dp("1"), ""), `TABLE has no option group "Legs" (groups: Top, Extras)`},
	} {
		if fault.KindOf(c.err) != fault.NotFound || !contains(c.err.Error(), c.msg) {
			t.Fatalf("want not found %q, got %v", c.msg, c.err)
		}
	}
	// TABLE's Drawer option adds DRAWER: DRAWER cannot contain TABLE.
	if _, _, err := catalog.AddComponent(ctx, conn, "DRAWER", "TABLE", d("1")); fault.KindOf(err) != fault.Invalid || !contains(err.Error(), "DRAWER -> TABLE -> DRAWER") {
		t.Fatalf("bom add closing a loop through an option: %v", err)
	}
	// CASE contains TABLE: no option of TABLE can name CASE.
	must[catalog.Product](t)(catalog.Add(ctx, conn, "CASE", catalog.Changes{Name: str("Display case")}))
	if _, _, err := catalog.AddComponent(ctx, conn, "CASE", "TABLE", d("1")); err != nil {
		t.Fatal(err)
	}
	if err := set("Top", "Pine", "CASE", dp("1"), ""); fault.KindOf(err) != fault.Invalid || !contains(err.Error(), "TABLE -> CASE -> TABLE") {
		t.Fatalf("cycle: %v", err)
	}
	// Remove, and list what is left: Oak's OAKTOP and Drawer's DRAWER and LEG.
	if err := catalog.RemoveOptionComponent(ctx, conn, "TABLE", "Extras", "Drawer", "LEG"); err != nil {
		t.Fatal(err)
	}
	if err := catalog.RemoveOptionComponent(ctx, conn, "TABLE", "Extras", "Drawer", "LEG"); fault.KindOf(err) != fault.NotFound {
		t.Fatalf("remove twice: %v", err)
	}
	// The change history watches option components as master data of TABLE: the three set
	// in optionSetup and the one removed.
	var ops []string
	if err := conn.Select(&ops, `SELECT h.op FROM history h JOIN products p ON p.id = h.product_id
		WHERE h.table_name = 'product_option_components' AND p.sku = 'TABLE' ORDER BY h.id`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(ops, ",") != "insert,insert,insert,delete" {
		t.Fatalf("history of option components: %v", ops)
	}
	cs := must[[]catalog.OptionComponent](t)(catalog.OptionComponents(ctx, conn, "TABLE"))
	if len(cs) != 2 || cs[0].Component != "OAKTOP" || cs[1].Component != "DRAWER" || cs[1].Replaces != nil {
		t.Fatalf("option components: %+v", cs)
	}
}

func contains(s, part string) bool { return strings.Contains(s, part) }
