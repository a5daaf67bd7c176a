package uom_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/uom"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// The seeded units, as the migration defines them.
var units = map[string]uom.Unit{}

func init() {
	for _, u := range []struct {
		code, cat, ratio string
		prec             int32
	}{
		{"ea", "count", "1", 0}, {"pair", "count", "2", 0}, {"dozen", "count", "12", 0},
		{"kg", "weight", "1", 3}, {"g", "weight", "0.001", 0}, {"mg", "weight", "0.000001", 0},
		{"t", "weight", "1000", 3}, {"lb", "weight", "0.45359237", 3}, {"oz", "weight", "0.028349523125", 2},
		{"m", "length", "1", 3}, {"cm", "length", "0.01", 1}, {"mm", "length", "0.001", 0},
		{"km", "length", "1000", 3}, {"in", "length", "0.0254", 2}, {"ft", "length", "0.3048", 2},
		{"l", "volume", "1", 3}, {"ml", "volume", "0.001", 0}, {"m3", "volume", "1000", 3}, {"gal", "volume", "3.785411784", 3},
		{"s", "time", "1", 0}, {"min", "time", "60", 2}, {"h", "time", "3600", 2}, {"day", "time", "86400", 2}, {"week", "time", "604800", 2},
	} {
		units[u.code] = uom.Unit{Code: u.code, Category: u.cat, Ratio: dec(u.ratio), Precision: u.prec}
	}
}

func TestConvert(t *testing.T) {
	for _, c := range []struct {
		qty, from, to, want string
	}{
		{"1", "lb", "kg", "0.454"},
		{"1000", "g", "kg", "1.000"},
		{"1", "h", "min", "60.00"},
		{"3", "ft", "in", "36.00"},
		{"24", "ea", "dozen", "2"},
		{"25", "ea", "dozen", "2"},
		{"30", "ea", "dozen", "3"}, // 2.5 rounds half away from zero
		{"2", "dozen", "pair", "12"},
		{"1234.5", "g", "kg", "1.235"},
		{"1234.4999", "g", "kg", "1.234"},
		{"-1234.5", "g", "kg", "-1.235"}, // negative quantities (returns) round away from zero too
		{"0.5", "kg", "g", "500"},
		{"1", "kg", "lb", "2.205"},
		{"16", "oz", "lb", "1.000"},
		{"1", "lb", "oz", "16.00"},
		{"1", "in", "ft", "0.08"},
		{"2", "in", "cm", "5.1"},
		{"1", "gal", "l", "3.785"},
		{"1", "gal", "ml", "3785"},
		{"1.5", "m3", "l", "1500.000"},
		{"1", "week", "day", "7.00"},
		{"90", "min", "h", "1.50"},
		{"1", "day", "s", "86400"},
		{"1", "mg", "t", "0.000"},
		{"0", "km", "mm", "0"},
		{"2.5", "kg", "kg", "2.500"},
		{"7", "ea", "ea", "7"},
	} {
		got, err := uom.Convert(dec(c.qty), units[c.from], units[c.to])
		if err != nil {
			t.Errorf("%s %s -> %s: %v", c.qty, c.from, c.to, err)
			continue
		}
		if got.StringFixed(units[c.to].Precision) != c.want || !got.Equal(dec(c.want)) {
			t.Errorf("%s %s -> %s = %s, want %s", c.qty, c.from, c.to, got.StringFixed(units[c.to].Precision), c.want)
		}
		if got.Exponent() != -units[c.to].Precision {
			t.Errorf("%s %s -> %s = %s: scale %d, want the unit's precision %d", c.qty, c.from, c.to, got, -got.Exponent(), units[c.to].Precision)
		}
	}
}

// The quotient is rounded once, on its exact value: rounding first to some working precision
// and then to the unit's would turn 0.4999999999999999999 into 1.
func TestConvertRoundsOnce(t *testing.T) {
	a := uom.Unit{Code: "a", Category: "x", Ratio: dec("1"), Precision: 0}
	got, _ := uom.Convert(dec("0.4999999999999999999"), a, a)
	if !got.IsZero() {
		t.Fatalf("double rounding: got %s, want 0", got)
	}
	// 1/3 in, a repeating quotient, with a 2-place target.
	third := uom.Unit{Code: "third", Category: "length", Ratio: dec("0.0762"), Precision: 2} // 3 in
	got, _ = uom.Convert(dec("1"), units["in"], third)
	if got.String() != "0.33" {
		t.Fatalf("1 in in thirds: got %s", got)
	}
	got, _ = uom.Convert(dec("2"), units["in"], third)
	if got.String() != "0.67" {
		t.Fatalf("2 in in thirds: got %s", got)
	}
}

func TestConvertAcrossCategoriesIsInvalid(t *testing.T) {
	_, err := uom.Convert(dec("1"), units["kg"], units["l"])
	if fault.KindOf(err) != fault.Invalid || fault.FieldOf(err) != "unit" {
		t.Fatalf("kg -> l: %v", err)
	}
	if want := "cannot convert kg (weight) to l (volume)"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("message: %v", err)
	}
	if _, err := uom.Convert(dec("1"), units["h"], units["m"]); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("h -> m: %v", err)
	}
	// A zero Unit (never looked up) has no ratio: an error, not a division by zero.
	if _, err := uom.Convert(dec("1"), uom.Unit{}, uom.Unit{}); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("zero units: %v", err)
	}
}

func TestRound(t *testing.T) {
	for _, c := range []struct{ qty, unit, want string }{
		{"1.2345", "kg", "1.235"}, {"-1.2345", "kg", "-1.235"}, {"2.5", "ea", "3"}, {"2.4", "ea", "2"},
		{"0.05", "cm", "0.1"}, {"1", "kg", "1"},
	} {
		if got := uom.Round(dec(c.qty), units[c.unit]); !got.Equal(dec(c.want)) {
			t.Errorf("Round(%s %s) = %s, want %s", c.qty, c.unit, got, c.want)
		}
	}
}

func TestSeeds(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	cs, err := uom.Categories(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	refs := map[string]string{}
	for _, c := range cs {
		refs[c.Code] = c.ReferenceUnit
	}
	want := map[string]string{"count": "ea", "weight": "kg", "length": "m", "volume": "l", "time": "s"}
	if len(refs) != len(want) {
		t.Fatalf("categories: %v", cs)
	}
	for cat, ref := range want {
		if refs[cat] != ref {
			t.Errorf("category %s: reference %q, want %q", cat, refs[cat], ref)
		}
		u, err := uom.Get(ctx, d, ref)
		if err != nil || !u.Ratio.Equal(decimal.NewFromInt(1)) || u.Category != cat {
			t.Errorf("reference unit %s: %+v %v", ref, u, err)
		}
	}
	all, err := uom.List(ctx, d, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(units) {
		t.Fatalf("want %d seeded units, got %d", len(units), len(all))
	}
	for _, u := range all {
		w, ok := units[u.Code]
		if !ok || u.Category != w.Category || !u.Ratio.Equal(w.Ratio) || u.Precision != w.Precision || u.Name == "" {
			t.Errorf("seed %+v, want %+v", u, w)
		}
	}
	// Stored exactly: the ratio comes back with the digits it was given.
	if oz, _ := uom.Get(ctx, d, "oz"); oz.Ratio.String() != "0.028349523125" || oz.Name != "ounce" {
		t.Fatalf("oz: %+v", oz)
	}
}

func TestGetAndList(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	kg, err := uom.Get(ctx, d, " kg ")
	if err != nil || kg.Code != "kg" || kg.Name != "kilogram" || kg.Precision != 3 {
		t.Fatalf("kg: %+v %v", kg, err)
	}
	_, err = uom.Get(ctx, d, "furlong")
	if fault.KindOf(err) != fault.NotFound || fault.FieldOf(err) != "unit" {
		t.Fatalf("unknown unit: %v", err)
	}
	if _, err := uom.Get(ctx, d, "KG"); fault.KindOf(err) != fault.NotFound {
		t.Fatalf("codes are case-sensitive: %v", err)
	}

	ws, err := uom.List(ctx, d, "Weight")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, u := range ws {
		codes = append(codes, u.Code)
	}
	if got := strings.Join(codes, " "); got != "mg g oz lb kg t" {
		t.Fatalf("weight units smallest first: %s", got)
	}
	_, err = uom.List(ctx, d, "colour")
	if fault.KindOf(err) != fault.NotFound || fault.FieldOf(err) != "category" {
		t.Fatalf("unknown category: %v", err)
	}
	all, _ := uom.List(ctx, d, "")
	if all[0].Category != "count" || all[len(all)-1].Category != "weight" {
		t.Fatalf("all units by category: first %+v last %+v", all[0], all[len(all)-1])
	}
}

func TestAdd(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	u, err := uom.Add(ctx, d, "box6", "count", dec("6"), 0, "box of 6")
	if err != nil {
		t.Fatal(err)
	}
	if u.Code != "box6" || u.Category != "count" || !u.Ratio.Equal(dec("6")) || u.Name != "box of 6" {
		t.Fatalf("added: %+v", u)
	}
	if got, _ := uom.Get(ctx, d, "box6"); got.Code != u.Code || got.Name != u.Name || got.Category != u.Category ||
		!got.Ratio.Equal(u.Ratio) || got.Precision != u.Precision {
		t.Fatalf("read back %+v, want %+v", got, u)
	}
	if n, _ := uom.Convert(dec("3"), u, units["dozen"]); n.String() != "2" {
		t.Fatalf("3 box6 = 1.5 dozen, rounds to 2: got %s", n)
	}
	st, err := uom.Add(ctx, d, "ston", " WEIGHT ", dec("907.18474"), 3, "")
	if err != nil || st.Name != "ston" || st.Category != "weight" || st.Ratio.String() != "907.18474" {
		t.Fatalf("default name, category case: %+v %v", st, err)
	}

	for _, c := range []struct {
		code, cat, ratio string
		prec             int
		kind             fault.Kind
		field            string
	}{
		{"box6", "count", "6", 0, fault.Conflict, ""},
		{"kg", "weight", "1", 3, fault.Conflict, ""},
		{"crate", "colour", "6", 0, fault.NotFound, "category"},
		{"crate", "", "6", 0, fault.Invalid, "category"},
		{"crate", "count", "0", 0, fault.Invalid, "ratio"},
		{"crate", "count", "-2", 0, fault.Invalid, "ratio"},
		{"crate", "count", "6", -1, fault.Invalid, "precision"},
		{"crate", "count", "6", 7, fault.Invalid, "precision"},
		{"6pack", "count", "6", 0, fault.Invalid, "code"},
		{"box of 6", "count", "6", 0, fault.Invalid, "code"},
		{"", "count", "6", 0, fault.Invalid, "code"},
		{"abcdefghijklmnopq", "count", "6", 0, fault.Invalid, "code"},
	} {
		_, err := uom.Add(ctx, d, c.code, c.cat, dec(c.ratio), c.prec, "")
		if fault.KindOf(err) != c.kind || fault.FieldOf(err) != c.field {
			t.Errorf("Add(%q, %q, %s, %d): %v (kind %v field %q), want %v field %q",
				c.code, c.cat, c.ratio, c.prec, err, fault.KindOf(err), fault.FieldOf(err), c.kind, c.field)
		}
	}
	if us, _ := uom.List(ctx, d, "count"); len(us) != 4 {
		t.Fatalf("refused adds left rows behind: %+v", us)
	}
	if _, err := uom.Add(ctx, d, "g6", "weight", dec("0.006"), 6, ""); err != nil {
		t.Fatalf("precision 6 is allowed: %v", err)
	}
}

// The schema keeps a category's reference unit at ratio 1 whichever way the data is written.
func TestReferenceUnitRatioIsOne(t *testing.T) {
	d, _ := dbtest.New(t)
	ctx := context.Background()
	if _, err := d.ExecContext(ctx, `UPDATE uoms SET ratio = 2 WHERE code = 'kg'`); fault.KindOf(db.Classify(err)) != fault.Invalid {
		t.Fatalf("changing a reference unit's ratio: %v", err)
	}
	if _, err := d.ExecContext(ctx, `UPDATE uom_categories SET reference_unit = 'g' WHERE code = 'weight'`); fault.KindOf(db.Classify(err)) != fault.Invalid {
		t.Fatalf("a reference unit with ratio 0.001: %v", err)
	}
	if _, err := d.ExecContext(ctx, `UPDATE uom_categories SET reference_unit = 'm' WHERE code = 'weight'`); fault.KindOf(db.Classify(err)) != fault.Conflict {
		t.Fatalf("a reference unit of another category: %v", err)
	}
	if _, err := d.ExecContext(ctx, `DELETE FROM uoms WHERE code = 's'`); fault.KindOf(db.Classify(err)) != fault.Conflict {
		t.Fatalf("deleting a reference unit: %v", err)
	}
	if _, err := d.ExecContext(ctx, `UPDATE uoms SET ratio = 0 WHERE code = 'g'`); fault.KindOf(db.Classify(err)) != fault.Invalid {
		t.Fatalf("ratio 0: %v", err)
	}
	// A new category and its reference unit go in together, in either order.
	tx := d.MustBeginTx(ctx, nil)
	tx.MustExecContext(ctx, `INSERT INTO uom_categories (code, name, reference_unit) VALUES ('area', 'Area', 'm2')`)
	tx.MustExecContext(ctx, `INSERT INTO uoms (code, name, category, ratio, precision) VALUES ('m2', 'square metre', 'area', 1, 3)`)
	if err := tx.Commit(); err != nil {
		t.Fatalf("new category: %v", err)
	}
	tx = d.MustBeginTx(ctx, nil)
	tx.MustExecContext(ctx, `INSERT INTO uom_categories (code, name, reference_unit) VALUES ('energy', 'Energy', 'J')`)
	if err := tx.Commit(); fault.KindOf(db.Classify(err)) != fault.Conflict {
		t.Fatalf("a category without its reference unit: %v", err)
	}
}

// ConvertExact refuses what Convert would round. By hand: 500 g × 0.001 / 1 = 0.5 kg, exact
// at kg's 3 decimals; 500.5 g is 0.5005 kg, a fourth decimal: refused naming g and kg.
// 24 ea is 2 dozen exactly; 30 ea is 2.5 dozen, but dozen keeps 0 decimals: refused.
func TestConvertExact(t *testing.T) {
	t.Parallel()
	got, err := uom.ConvertExact(dec("500"), units["g"], units["kg"])
	if err != nil || got.String() != "0.5" || got.StringFixed(3) != "0.500" {
		t.Fatalf("500 g -> kg = %s, %v; want 0.500", got, err)
	}
	got, err = uom.ConvertExact(dec("24"), units["ea"], units["dozen"])
	if err != nil || got.String() != "2" {
		t.Fatalf("24 ea -> dozen = %s, %v; want 2", got, err)
	}
	for _, c := range []struct{ qty, from, to, want string }{
		{"500.5", "g", "kg", "500.5 g is 0.5005 kg, but kg keeps 3 decimals: give a quantity in g that converts exactly to kg"},
		{"30", "ea", "dozen", "30 ea is 2.5 dozen, but dozen keeps 0 decimals: give a quantity in ea that converts exactly to dozen"},
	} {
		_, err := uom.ConvertExact(dec(c.qty), units[c.from], units[c.to])
		if fault.KindOf(err) != fault.Invalid || fault.FieldOf(err) != "qty" || err.Error() != c.want {
			t.Errorf("%s %s -> %s: %v, want %q", c.qty, c.from, c.to, err, c.want)
		}
	}
	if _, err := uom.ConvertExact(dec("1"), units["kg"], units["l"]); fault.FieldOf(err) != "unit" {
		t.Errorf("kg -> l: %v, want the category error", err)
	}
}
