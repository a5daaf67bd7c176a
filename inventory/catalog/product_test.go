package catalog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

func s(v string) *string            { return &v }
func b(v bool) *bool                { return &v }
func dec(v string) *decimal.Decimal { d := decimal.RequireFromString(v); return &d }

func mustAdd(t *testing.T, d *sqlx.DB, sku string, ch catalog.Changes) catalog.Product {
	t.Helper()
	if ch.Name == nil {
		ch.Name = s("Product " + sku)
	}
	p, err := catalog.Add(context.Background(), d, sku, ch)
	if err != nil {
		t.Fatalf("add %s: %v", sku, err)
	}
	return p
}

func wantKind(t *testing.T, err error, k fault.Kind, contains string) {
	t.Helper()
	if fault.KindOf(err) != k {
		t.Fatalf("want %v error, got %v", k, err)
	}
	if contains != "" && !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not say %q", err, contains)
	}
}

// fakeActivity makes the product_activity view report stock, allocations, orders and moves
// for one product, as the stock and order areas will once their tables exist.
func fakeActivity(t *testing.T, d *sqlx.DB, sku, onHand, allocated string, orders, moves int) {
	t.Helper()
	_, err := d.Exec(`CREATE OR REPLACE VIEW product_activity (product_id, on_hand, allocated, open_orders, moves) AS
		SELECT id, $2::numeric, $3::numeric, $4::bigint, $5::bigint FROM products WHERE sku = $1`, sku, onHand, allocated, orders, moves)
	if err != nil {
		// Views cannot take parameters; build it from literals checked above.
		_, err = d.Exec(`CREATE OR REPLACE VIEW product_activity (product_id, on_hand, allocated, open_orders, moves) AS
			SELECT id, ` + onHand + `::numeric, ` + allocated + `::numeric, ` + itoa(orders) + `::bigint, ` + itoa(moves) + `::bigint
			FROM products WHERE sku = '` + sku + `'`)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string { return decimal.NewFromInt(int64(n)).String() }

func TestTypesAndDefaults(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	for _, tc := range []struct {
		typ                          string
		sellable, purchasable, track bool
		unit                         string
	}{
		{"stock", true, true, true, "ea"},
		{"service", true, true, false, "ea"},
		{"virtual", true, false, false, "ea"},
		{"time", true, false, false, "h"},
		{"training", true, false, false, "ea"},
		{"freight", true, true, false, "ea"},
	} {
		p := mustAdd(t, d, "P-"+strings.ToUpper(tc.typ), catalog.Changes{Type: s(tc.typ)})
		if p.Sellable != tc.sellable || p.Purchasable != tc.purchasable || p.TrackStock != tc.track || p.StockUOM != tc.unit {
			t.Errorf("%s defaults: %+v", tc.typ, p)
		}
		if p.SalesGL != "4000" || p.COGSGL != "5100" || p.SalesTaxRate == nil {
			t.Errorf("%s accounting defaults from settings: %q %q %v", tc.typ, p.SalesGL, p.COGSGL, p.SalesTaxRate)
		}
	}
	_, err := catalog.Add(ctx, d, "SYS", catalog.Changes{Name: s("x"), Type: s("system")})
	wantKind(t, err, fault.Invalid, "system products come with the database")
	_, err = catalog.Add(ctx, d, "BAD", catalog.Changes{Name: s("x"), Type: s("gadget")})
	wantKind(t, err, fault.Invalid, `unknown product type "gadget"`)
	_, err = catalog.Add(ctx, d, "P-STOCK", catalog.Changes{Name: s("again")})
	wantKind(t, err, fault.Conflict, "already exists")
	_, err = catalog.Add(ctx, d, "has space", catalog.Changes{Name: s("x")})
	wantKind(t, err, fault.Invalid, "no spaces")
	_, err = catalog.Add(ctx, d, "NONAME", catalog.Changes{})
	wantKind(t, err, fault.Invalid, "needs a name")
}

func TestTrackingRules(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	_, err := catalog.Add(ctx, d, "SVC", catalog.Changes{Name: s("x"), Type: s("service"), TrackStock: b(true)})
	wantKind(t, err, fault.Invalid, "never stock-tracked")
	_, err = catalog.Add(ctx, d, "VIRT", catalog.Changes{Name: s("x"), Type: s("virtual"), Serialized: b(true)})
	wantKind(t, err, fault.Invalid, "never stock-tracked")
	_, err = catalog.Add(ctx, d, "BOTH", catalog.Changes{Name: s("x"), Serialized: b(true), BatchTracked: b(true)})
	wantKind(t, err, fault.Invalid, "not both")
	_, err = catalog.Add(ctx, d, "NOTRACK", catalog.Changes{Name: s("x"), Serialized: b(true), TrackStock: b(false)})
	wantKind(t, err, fault.Invalid, "always stock-tracked")

	p := mustAdd(t, d, "SER", catalog.Changes{Serialized: b(true)})
	if !p.TrackStock || !p.Serialized {
		t.Fatalf("serialised implies tracked: %+v", p)
	}
	p = mustAdd(t, d, "UNTRACKED", catalog.Changes{TrackStock: b(false)})
	if p.TrackStock {
		t.Fatal("a stock product may be untracked")
	}
	// Switching a stock product to service drops tracking.
	p, err = catalog.Edit(ctx, d, "UNTRACKED", catalog.Changes{Type: s("service")})
	if err != nil || p.TrackStock || p.Type != "service" {
		t.Fatalf("type change: %+v %v", p, err)
	}
}

func TestTrackingSwitchRefusedWhileInUse(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	mustAdd(t, d, "W", catalog.Changes{})
	mustAdd(t, d, "S", catalog.Changes{Serialized: b(true)})

	fakeActivity(t, d, "W", "5", "2", 1, 3)
	_, err := catalog.Edit(ctx, d, "W", catalog.Changes{TrackStock: b(false)})
	wantKind(t, err, fault.Invalid, "5 ea on hand, 2 ea allocated to orders, 1 open order lines")
	_, err = catalog.Edit(ctx, d, "W", catalog.Changes{Type: s("service")})
	wantKind(t, err, fault.Invalid, "cannot stop tracking")
	_, err = catalog.Edit(ctx, d, "W", catalog.Changes{StockUOM: s("kg")})
	wantKind(t, err, fault.Invalid, "stock unit cannot change")
	_, err = catalog.Edit(ctx, d, "W", catalog.Changes{Serialized: b(true)})
	wantKind(t, err, fault.Invalid, "cannot switch serial numbers on")

	fakeActivity(t, d, "S", "0", "0", 0, 4)
	_, err = catalog.Edit(ctx, d, "S", catalog.Changes{Serialized: b(false)})
	wantKind(t, err, fault.Invalid, "4 stock moves")
	// Nothing on hand, allocated or ordered: tracking may stop (serials stay off limits).
	if _, err := catalog.Edit(ctx, d, "W", catalog.Changes{Name: s("renamed")}); err != nil {
		t.Fatal(err)
	}
}

func TestSystemProducts(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	for _, sku := range []string{"FREIGHT", "DEPOSIT", "SERVICE"} {
		p, err := catalog.Get(ctx, d, sku)
		if err != nil || p.Type != "system" {
			t.Fatalf("%s built in: %+v %v", sku, p, err)
		}
		wantKind(t, catalog.Delete(ctx, d, sku), fault.Invalid, "never deleted")
	}
	// The database refuses too, whoever deletes.
	if _, err := d.Exec(`DELETE FROM products WHERE sku = 'FREIGHT'`); err == nil || !strings.Contains(err.Error(), "never deleted") {
		t.Fatalf("trigger guards system products: %v", err)
	}
	if p, err := catalog.Edit(ctx, d, "FREIGHT", catalog.Changes{SellPrice: dec("15")}); err != nil || !p.SellPrice.Equal(decimal.NewFromInt(15)) {
		t.Fatalf("system products can be edited: %v", err)
	}
	_, err := catalog.Edit(ctx, d, "FREIGHT", catalog.Changes{Type: s("service")})
	wantKind(t, err, fault.Invalid, "system type")
}

func TestDeactivation(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	mustAdd(t, d, "OLD", catalog.Changes{})
	mustAdd(t, d, "NEW", catalog.Changes{})
	fakeActivity(t, d, "OLD", "7", "0", 0, 1)
	_, _, err := catalog.SetActive(ctx, d, "OLD", false, false)
	wantKind(t, err, fault.Invalid, "7 ea on hand")
	p, onHand, err := catalog.SetActive(ctx, d, "OLD", false, true)
	if err != nil || p.Active || !onHand.Equal(decimal.NewFromInt(7)) {
		t.Fatalf("forced: %+v %s %v", p, onHand, err)
	}
	_, err = catalog.RequireActive(ctx, d, "OLD")
	wantKind(t, err, fault.Invalid, "inactive")
	_, err = catalog.RequireActive(ctx, d, "NOPE")
	wantKind(t, err, fault.NotFound, "does not exist")

	active, _ := catalog.List(ctx, d, catalog.Filter{})
	all, _ := catalog.List(ctx, d, catalog.Filter{Status: "all"})
	inactive, _ := catalog.List(ctx, d, catalog.Filter{Status: "inactive"})
	if len(all) != len(active)+1 || len(inactive) != 1 || inactive[0].SKU != "OLD" {
		t.Fatalf("lists: %d active, %d all, %v inactive", len(active), len(all), inactive)
	}
	if p, _, err := catalog.SetActive(ctx, d, "OLD", true, false); err != nil || !p.Active {
		t.Fatalf("reactivate: %v", err)
	}
	// A product with history cannot be deleted; one never used can.
	wantKind(t, catalog.Delete(ctx, d, "OLD"), fault.Conflict, "deactivate it instead")
	if err := catalog.Delete(ctx, d, "NEW"); err != nil {
		t.Fatal(err)
	}
}

func TestUnits(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	_, err := catalog.Add(ctx, d, "R", catalog.Changes{Name: s("Rope"), StockUOM: s("m"), SalesUOM: s("kg")})
	wantKind(t, err, fault.Invalid, "is a weight unit but the stock unit m is length")
	_, err = catalog.Add(ctx, d, "R", catalog.Changes{Name: s("Rope"), StockUOM: s("parsec")})
	wantKind(t, err, fault.NotFound, "parsec")
	p := mustAdd(t, d, "R", catalog.Changes{Name: s("Rope"), StockUOM: s("m"), SalesUOM: s("cm")})
	if p.PurchaseUOM != "m" || p.SalesUOM != "cm" {
		t.Fatalf("units: %+v", p)
	}
	if _, err := catalog.AddPack(ctx, d, "R", "coil", decimal.NewFromInt(50)); err != nil {
		t.Fatal(err)
	}
	if p, err = catalog.Edit(ctx, d, "R", catalog.Changes{PurchaseUOM: s("coil")}); err != nil || p.PurchaseUOM != "coil" {
		t.Fatalf("a pack unit can be the purchase unit: %v", err)
	}
	got, err := catalog.ToStock(ctx, d, p, decimal.RequireFromString("2.5"), "coil")
	if err != nil || !got.Equal(decimal.NewFromInt(125)) {
		t.Fatalf("2.5 coil = 125 m, got %s %v", got, err)
	}
}

func TestManufacturerAndSearch(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	if _, err := d.Exec(`INSERT INTO companies (code, name, currency, is_manufacturer) VALUES ('BOSCH', 'Bosch', 'USD', true),
		('SHOP', 'Shop', 'USD', false)`); err != nil {
		t.Fatal(err)
	}
	_, err := catalog.Add(ctx, d, "D1", catalog.Changes{Name: s("Drill"), Manufacturer: s("SHOP")})
	wantKind(t, err, fault.Invalid, "not a manufacturer")
	_, err = catalog.Add(ctx, d, "D1", catalog.Changes{Name: s("Drill"), Manufacturer: s("NOBODY")})
	wantKind(t, err, fault.NotFound, "unknown manufacturer")
	p := mustAdd(t, d, "D1", catalog.Changes{Name: s("Cordless Drill"), Manufacturer: s("BOSCH"), MfrPartNo: s("GSR-18V"), Category: s("tools")})
	if p.Manufacturer == nil || *p.Manufacturer != "BOSCH" {
		t.Fatalf("manufacturer: %+v", p.Manufacturer)
	}
	mustAdd(t, d, "N1", catalog.Changes{Name: s("Nail 50%")})
	if _, err := d.Exec(`INSERT INTO product_features (product_id, name, value) SELECT id, 'colour', 'red' FROM products WHERE sku = 'N1'`); err != nil {
		t.Fatal(err)
	}
	for search, want := range map[string]string{"cordless": "D1", "gsr-18": "D1", "TOOLS": "D1", "colour=red": "N1", "50%": "N1", "red": "N1"} {
		ps, err := catalog.List(ctx, d, catalog.Filter{Search: search})
		if err != nil || len(ps) != 1 || ps[0].SKU != want {
			t.Errorf("search %q: %v %v", search, ps, err)
		}
	}
	if ps, _ := catalog.List(ctx, d, catalog.Filter{Search: "%"}); len(ps) != 1 {
		t.Errorf("%% is matched literally, got %d", len(ps))
	}
	if ps, _ := catalog.List(ctx, d, catalog.Filter{Type: "system"}); len(ps) != 3 {
		t.Errorf("system products listed by type: %d", len(ps))
	}
}

func TestCheckAccounting(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	ms, err := catalog.Check(ctx, d)
	if err != nil || len(ms) != 0 {
		t.Fatalf("defaults satisfy every flag: %v %v", ms, err)
	}
	mustAdd(t, d, "A", catalog.Changes{SalesGL: s(""), COGSGL: s("")})
	mustAdd(t, d, "B", catalog.Changes{Type: s("virtual"), PurchaseGL: s("")}) // not purchasable: fine
	ms, err = catalog.Check(ctx, d)
	if err != nil || len(ms) != 1 || ms[0].SKU != "A" || strings.Join(ms[0].Missing, ",") != "sales_gl,cogs_gl" {
		t.Fatalf("check: %+v %v", ms, err)
	}
}

func TestPortal(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	mustAdd(t, d, "P1", catalog.Changes{InPortal: b(true), PortalDescription: s("Shiny"), SellPrice: dec("9.90")})
	mustAdd(t, d, "P2", catalog.Changes{InPortal: b(true), Type: s("service"), Description: s("Fitting")})
	mustAdd(t, d, "P3", catalog.Changes{})
	fakeActivity(t, d, "P1", "4", "1", 0, 1)
	items, err := catalog.Portal(ctx, d)
	if err != nil || len(items) != 2 {
		t.Fatalf("portal: %+v %v", items, err)
	}
	if items[0].Description != "Shiny" || !items[0].Available.Equal(decimal.NewFromInt(3)) || !items[0].InStock || items[0].Price.String() != "9.9" {
		t.Fatalf("P1: %+v", items[0])
	}
	if items[1].Description != "Fitting" || !items[1].InStock || !items[1].Available.IsZero() {
		t.Fatalf("a service is always in stock: %+v", items[1])
	}
	ps, _ := catalog.List(ctx, d, catalog.Filter{Portal: true})
	if len(ps) != 2 {
		t.Fatalf("list --portal: %d", len(ps))
	}
}
