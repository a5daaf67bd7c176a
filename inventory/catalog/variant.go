package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"golang.org/x/text/unicode/norm"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/exactdec"
)

// Variable products: a template product has attributes (Size, Colour) with values (S, M, L;
// Red, Blue), each value with a price extra; GenerateVariants makes one real product per
// combination of values, linked to the template by product_variants and to its values by
// product_variant_values.

// AttributeValue is one value of one of a template's attributes.
type AttributeValue struct {
	ID         int64           `db:"id" json:"-"`
	SKU        string          `db:"sku" json:"sku"`
	Attribute  string          `db:"attribute" json:"attribute"`
	Value      string          `db:"value" json:"value"`
	PriceExtra decimal.Decimal `db:"price_extra" json:"price_extra"`
	Code       string          `db:"-" json:"code"` // what the value adds to a variant's SKU
	Position   int             `db:"position" json:"position" print:"wide"`
}

// Variant is a product made from a template for one combination of attribute values.
type Variant struct {
	ID        int64           `db:"id" json:"-"`
	SKU       string          `db:"sku" json:"sku"`
	Name      string          `db:"name" json:"name"`
	SellPrice decimal.Decimal `db:"sell_price" json:"sell_price"`
	Values    []string        `db:"-" json:"values"` // attribute=value, in attribute order
	Active    bool            `db:"active" json:"active" print:"wide"`
	Template  string          `db:"template" json:"template" print:"wide"`
	// OwnPrice: the variant's sell price was set on the variant itself; false: it follows
	// the template (template sell price + the extras of its values) and is priced by the
	// template's breaks and special prices where it has none of its own.
	OwnPrice bool `db:"own_price" json:"own_price" print:"wide"`
}

// ValueCode turns an attribute value into the part it adds to a variant's SKU: upper-case
// ASCII letters and digits, accents dropped (Grün -> GRUN), every other run of characters
// one "-", trimmed ("Extra large" -> EXTRA-LARGE). It is "" for a value with no letters or
// digits.
func ValueCode(value string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(value) {
		if unicode.Is(unicode.Mn, r) {
			continue // combining accent of the previous letter
		}
		r = unicode.ToUpper(r)
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}

// valueTable describes a product's named groups of priced values: attributes of a template
// (values with price extras) and option groups of a configurable product (options with
// price adjustments) share the same shape and rules.
type valueTable struct {
	group, value string // words for messages: "attribute", "value"
	groups       string // table of groups, keyed by product_id and name
	values       string // table of values
	groupFK      string // the values' column naming their group
	amount       string // the values' price column
	flag         string // the flag that sets amounts: --extra, --adjust
	codes        bool   // values become SKU codes: each needs letters or digits, distinct codes
}

var (
	attributes = valueTable{group: "attribute", value: "value", groups: "product_attributes",
		values: "product_attribute_values", groupFK: "attribute_id", amount: "price_extra", flag: "extra", codes: true}
	optionGroups = valueTable{group: "option group", value: "option", groups: "product_option_groups",
		values: "product_options", groupFK: "group_id", amount: "price_adjustment", flag: "adjust"}
)

// find returns the id and stored spelling of a product's group, matched case-insensitively.
func (t valueTable) find(ctx context.Context, q sqlx.QueryerContext, productID int64, name string) (int64, string, bool, error) {
	var g struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	err := sqlx.GetContext(ctx, q, &g, `SELECT id, name FROM `+t.groups+` WHERE product_id = $1 AND lower(name) = lower($2)`, productID, name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, name, false, nil
	}
	if err != nil {
		return 0, name, false, db.Classify(err)
	}
	return g.ID, g.Name, true, nil
}

// create adds a group after the product's last one.
func (t valueTable) create(ctx context.Context, q sqlx.QueryerContext, productID int64, name string) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, `INSERT INTO `+t.groups+` (product_id, name, position)
		SELECT $1, $2, coalesce(max(position), 0) + 1 FROM `+t.groups+` WHERE product_id = $1 RETURNING id`, productID, name)
	return id, db.Classify(err)
}

// addValues appends the values the group does not have yet, in the order given, and sets
// the amounts named in amounts (keys are values, new or existing). The caller holds the
// product's row lock, so positions cannot race.
func (t valueTable) addValues(ctx context.Context, q sqlx.ExtContext, sku, group string, groupID int64,
	values []string, amounts map[string]decimal.Decimal) error {
	var have []string
	if err := sqlx.SelectContext(ctx, q, &have, `SELECT value FROM `+t.values+` WHERE `+t.groupFK+` = $1 ORDER BY position`, groupID); err != nil {
		return db.Classify(err)
	}
	all := append([]string(nil), have...)
	var fresh []string
	seen := map[string]string{} // case-folded value (or SKU code) -> value
	key := func(v string) string {
		if t.codes {
			return ValueCode(v)
		}
		return strings.ToLower(v)
	}
	for _, v := range have {
		seen[key(v)] = v
	}
	for _, raw := range values {
		v, err := checkText("values", t.group+" "+t.value, raw, 64, false)
		if err != nil {
			return err
		}
		k := key(v)
		if t.codes && k == "" {
			return fault.Invalidf("values", "%s %s %s: value %q has no letters or digits to put in a variant SKU", sku, t.group, group, v)
		}
		if prev, ok := seen[k]; ok {
			if strings.EqualFold(prev, v) {
				continue // already there (or given twice): adding it again changes nothing
			}
			// Only SKU codes can collide without the spellings matching.
			return fault.Invalidf("values", "%s %s %s: values %q and %q would both give variant SKUs ending in -%s: make them differ in letters or digits",
				sku, t.group, group, prev, v, k)
		}
		seen[k] = v
		fresh = append(fresh, v)
		all = append(all, v)
	}
	if len(all) == 0 {
		return fault.Invalidf("values", "%s %s %s needs at least one %s: give --values V1,V2,...", sku, t.group, group, t.value)
	}
	setVals, setAmts := make([]string, 0, len(amounts)), make([]string, 0, len(amounts))
	for _, k := range sortedValueKeys(amounts) {
		v, ok := matchValue(all, k)
		if !ok {
			return fault.Invalidf(t.flag, "--%s %s=%s: %q is not one of the %ss of %s %s (%s)", t.flag, k, amounts[k], k, t.value,
				t.group, group, strings.Join(all, ", "))
		}
		setVals, setAmts = append(setVals, v), append(setAmts, exactdec.String(amounts[k])) // keeps "1.50" as typed
	}
	if len(fresh) > 0 {
		if _, err := q.ExecContext(ctx, `INSERT INTO `+t.values+` (`+t.groupFK+`, value, position)
			SELECT $1, v, (SELECT coalesce(max(position), 0) FROM `+t.values+` WHERE `+t.groupFK+` = $1) + n
			FROM unnest($2::text[]) WITH ORDINALITY AS x (v, n)`, groupID, pq.Array(fresh)); err != nil {
			return db.Classify(err)
		}
	}
	if len(setVals) > 0 {
		if _, err := q.ExecContext(ctx, `UPDATE `+t.values+` o SET `+t.amount+` = x.amount
			FROM unnest($2::text[], $3::numeric[]) AS x (value, amount)
			WHERE o.`+t.groupFK+` = $1 AND o.value = x.value`, groupID, pq.Array(setVals), pq.Array(setAmts)); err != nil {
			return db.Classify(err)
		}
	}
	return nil
}

func hasValue(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// matchValue finds v in list, exactly or else case-insensitively.
func matchValue(list []string, v string) (string, bool) {
	v = strings.TrimSpace(v)
	if hasValue(list, v) {
		return v, true
	}
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return x, true
		}
	}
	return "", false
}

func sortedValueKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// requireOwnGroups refuses products that cannot carry attributes, options or a bill of
// materials of their own.
func requireOwnGroups(p Product, what string) error {
	if p.Type == System {
		return fault.Invalidf("sku", "%s is a system product: it cannot have %s", p.SKU, what)
	}
	return nil
}

// AddAttribute gives template sku the attribute name with values (appended in order when the
// attribute exists; values it has already are left alone) and sets the price extras named in
// extras (value -> extra, may be negative; new or existing values). Attribute names and values
// match case-insensitively. A variant cannot have attributes, and a template that already
// has variants cannot get a new attribute (its variants would have no value for it); new
// values for existing attributes are fine, and variants generate picks them up. Changing an
// extra reprices the variants that follow their template's price (a trigger of migration
// 00025 does, whatever changes it); variants with their own price keep it. It returns the
// attribute's values.
func AddAttribute(ctx context.Context, q sqlx.ExtContext, sku, name string, values []string, extras map[string]decimal.Decimal) ([]AttributeValue, error) {
	name, err := checkText("name", "attribute name", name, 64, true)
	if err != nil {
		return nil, err
	}
	p, err := get(ctx, q, sku, true)
	if err != nil {
		return nil, err
	}
	if p.Template != nil {
		return nil, fault.Invalidf("sku", "%s is a variant of %s: a variant cannot have attributes of its own; add them to the template %s", sku, *p.Template, *p.Template)
	}
	if err := requireOwnGroups(p, "attributes"); err != nil {
		return nil, err
	}
	id, name, found, err := attributes.find(ctx, q, p.ID, name)
	if err != nil {
		return nil, err
	}
	if !found {
		if len(values) == 0 {
			return nil, fault.Invalidf("values", "new attribute %s of %s needs values: give --values V1,V2,...", name, sku)
		}
		var n int
		if err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM product_variants WHERE template_id = $1`, p.ID); err != nil {
			return nil, db.Classify(err)
		}
		if n > 0 {
			return nil, fault.Conflictf("%s already has %d variants: a new attribute %s would leave them without a value for it; add values to its existing attributes instead, or make a new template",
				sku, n, name)
		}
		if id, err = attributes.create(ctx, q, p.ID, name); err != nil {
			return nil, err
		}
	}
	if err := attributes.addValues(ctx, q, sku, name, id, values, extras); err != nil {
		return nil, err
	}
	vs, err := attributeValues(ctx, q, p.ID, id)
	return vs, err
}

// Attributes lists a template's attributes and values, in attribute then value order.
func Attributes(ctx context.Context, q sqlx.QueryerContext, sku string) ([]AttributeValue, error) {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return nil, err
	}
	return attributeValues(ctx, q, p.ID, 0)
}

// attributeValues lists product's attribute values, only attribute's when it is not 0.
func attributeValues(ctx context.Context, q sqlx.QueryerContext, productID, attribute int64) ([]AttributeValue, error) {
	vs := []AttributeValue{}
	err := sqlx.SelectContext(ctx, q, &vs, `SELECT v.id, p.sku, a.name AS attribute, v.value, v.price_extra, a.position
		FROM product_attributes a JOIN products p ON p.id = a.product_id
		JOIN product_attribute_values v ON v.attribute_id = a.id
		WHERE a.product_id = $1 AND ($2 = 0 OR a.id = $2)
		ORDER BY a.position, v.position`, productID, attribute)
	for i := range vs {
		vs[i].Code = ValueCode(vs[i].Value)
	}
	return vs, db.Classify(err)
}

// GenerateVariants makes the missing variants of template sku: one product per combination
// of its attribute values (attributes in position order), each created by Add's rules
// (defaults, type rules, accounting defaults) with, from the template: type, units, tracking
// flags, category, cost, list price and manufacturer; SKU = template SKU + "-" + each value's
// code (TEE-S-RED); name = template name + " (S, Red)"; sell price = template sell price +
// the values' price extras, following the template from then on (OwnPrice false); no
// barcode. A combination that already has a variant (the same set of values, whatever its
// SKU) is left alone. A derived SKU taken by any other product
// fails the whole call, naming it. It locks the template row, so concurrent calls in their
// own transactions never create a combination twice. It returns the variants it created and
// how many combinations existed already.
func GenerateVariants(ctx context.Context, q sqlx.ExtContext, sku string) ([]Variant, int, error) {
	t, err := get(ctx, q, sku, true)
	if err != nil {
		return nil, 0, err
	}
	if t.Template != nil {
		return nil, 0, fault.Invalidf("sku", "%s is a variant of %s: a variant cannot itself be a template; generate from %s", sku, *t.Template, *t.Template)
	}
	if err := requireOwnGroups(t, "variants"); err != nil {
		return nil, 0, err
	}
	if !t.Active {
		return nil, 0, fault.Invalidf("sku", "template %s is inactive: activate it first (stockctl product activate %s)", sku, sku)
	}
	vals, err := attributeValues(ctx, q, t.ID, 0)
	if err != nil {
		return nil, 0, err
	}
	// Group the values by attribute, keeping the attributes' order.
	type attr struct {
		name string
		vals []AttributeValue
	}
	var attrs []attr
	for _, v := range vals {
		if len(attrs) == 0 || attrs[len(attrs)-1].name != v.Attribute {
			attrs = append(attrs, attr{name: v.Attribute})
		}
		attrs[len(attrs)-1].vals = append(attrs[len(attrs)-1].vals, v)
	}
	if len(attrs) == 0 {
		return nil, 0, fault.Invalidf("sku", "%s has no attributes with values to make variants from: add one with stockctl product attribute add %s Size --values S,M,L", sku, sku)
	}
	var existing []struct {
		SKU    string        `db:"sku"`
		Values pq.Int64Array `db:"value_ids"`
	}
	if err := sqlx.SelectContext(ctx, q, &existing, `SELECT v.sku,
		ARRAY(SELECT value_id FROM product_variant_values WHERE variant_id = v.id ORDER BY value_id) AS value_ids
		FROM product_variants l JOIN products v ON v.id = l.variant_id WHERE l.template_id = $1`, t.ID); err != nil {
		return nil, 0, db.Classify(err)
	}
	have := make(map[string]bool, len(existing))
	for _, e := range existing {
		have[idsKey(e.Values)] = true
	}

	type plan struct {
		Variant
		ids   []int64
		extra decimal.Decimal
	}
	var plans []plan
	bySKU := map[string]int{}
	made := 0
	pick := make([]int, len(attrs)) // odometer over the attributes' values, last attribute fastest
	for {
		pl := plan{extra: decimal.Zero}
		codes := []string{t.SKU}
		var shown []string
		for i, a := range attrs {
			v := a.vals[pick[i]]
			pl.ids = append(pl.ids, v.ID)
			pl.extra = pl.extra.Add(v.PriceExtra)
			codes = append(codes, ValueCode(v.Value))
			shown = append(shown, v.Value)
			pl.Values = append(pl.Values, a.name+"="+v.Value)
		}
		if have[idsKey(pl.ids)] {
			made++
		} else {
			pl.SKU = strings.Join(codes, "-")
			pl.Name = t.Name + " (" + strings.Join(shown, ", ") + ")"
			pl.SellPrice = t.SellPrice.Add(pl.extra)
			pl.Template = t.SKU
			pl.Active = true
			if err := CheckSKU("sku", pl.SKU); err != nil {
				return nil, 0, fault.Invalidf("sku", "variant %s of %s: derived SKU %s is not a valid SKU (at most 64 characters): shorten the template SKU or the values",
					strings.Join(pl.Values, ", "), sku, pl.SKU)
			}
			if j, dup := bySKU[pl.SKU]; dup {
				return nil, 0, fault.Invalidf("sku", "variants %s and %s of %s would both get SKU %s: change a value so their codes differ",
					strings.Join(plans[j].Values, ", "), strings.Join(pl.Values, ", "), sku, pl.SKU)
			}
			if pl.SellPrice.IsNegative() {
				return nil, 0, fault.Invalidf("extra", "variant %s of %s: sell price %s + price extras %s = %s is negative: change the --extra values or the template's sell price",
					pl.SKU, sku, t.SellPrice, pl.extra, pl.SellPrice)
			}
			bySKU[pl.SKU] = len(plans)
			plans = append(plans, pl)
		}
		i := len(attrs) - 1
		for ; i >= 0; i-- {
			if pick[i]++; pick[i] < len(attrs[i].vals) {
				break
			}
			pick[i] = 0
		}
		if i < 0 {
			break
		}
	}
	if len(plans) == 0 {
		return []Variant{}, made, nil
	}

	// Derived SKUs already taken by other products: nothing is written.
	skus := make([]string, len(plans))
	for i, pl := range plans {
		skus[i] = pl.SKU
	}
	var taken []struct {
		SKU      string  `db:"sku"`
		Template *string `db:"template"`
	}
	if err := sqlx.SelectContext(ctx, q, &taken, `SELECT p.sku, t.sku AS template FROM products p
		LEFT JOIN product_variants l ON l.variant_id = p.id LEFT JOIN products t ON t.id = l.template_id
		WHERE p.sku = ANY($1) ORDER BY p.sku`, pq.Array(skus)); err != nil {
		return nil, 0, db.Classify(err)
	}
	if len(taken) > 0 {
		x := taken[0]
		pl := plans[bySKU[x.SKU]]
		if x.Template != nil && *x.Template == t.SKU {
			return nil, 0, fault.Conflictf("variant %s of %s would get SKU %s, which is already a variant of %s with other values: rename that product (stockctl product list --search %s)",
				strings.Join(pl.Values, ", "), sku, x.SKU, sku, x.SKU)
		}
		return nil, 0, fault.Conflictf("variant %s of %s would get SKU %s, which already exists as an unrelated product %s: nothing was created; rename or remove that product first",
			strings.Join(pl.Values, ", "), sku, x.SKU, x.SKU)
	}

	// Units that are the template's own pack units do not exist for the new product: the
	// variant takes its stock unit for those instead.
	var packs []string
	if err := sqlx.SelectContext(ctx, q, &packs, `SELECT code FROM product_packs WHERE product_id = $1`, t.ID); err != nil {
		return nil, 0, db.Classify(err)
	}
	unit := func(code string) *string {
		if hasValue(packs, code) {
			return nil
		}
		return &code
	}
	created := make([]Variant, 0, len(plans))
	for _, pl := range plans {
		name, typ, price := pl.Name, t.Type, pl.SellPrice
		tr, ser, bat := t.TrackStock, t.Serialized, t.BatchTracked
		stockUOM, category, cost, list := t.StockUOM, t.Category, t.CostPrice, t.ListPrice
		ch := Changes{Name: &name, Type: &typ, TrackStock: &tr, Serialized: &ser, BatchTracked: &bat,
			StockUOM: &stockUOM, PurchaseUOM: unit(t.PurchaseUOM), SalesUOM: unit(t.SalesUOM),
			Category: &category, CostPrice: &cost, ListPrice: &list, SellPrice: &price, Manufacturer: t.Manufacturer}
		p, err := Add(ctx, q, pl.SKU, ch)
		if err != nil {
			return nil, 0, fmt.Errorf("variant %s of %s: %w", pl.SKU, sku, err)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO product_variants (variant_id, template_id) VALUES ($1, $2)`, p.ID, t.ID); err != nil {
			return nil, 0, db.Classify(err)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO product_variant_values (variant_id, value_id) SELECT $1, unnest($2::bigint[])`,
			p.ID, pq.Array(pl.ids)); err != nil {
			return nil, 0, db.Classify(err)
		}
		v := pl.Variant
		v.ID, v.SellPrice, v.Name, v.Active = p.ID, p.SellPrice, p.Name, p.Active
		created = append(created, v)
	}
	return created, made, nil
}

// idsKey identifies a combination by its set of value ids.
func idsKey(ids []int64) string {
	s := append([]int64(nil), ids...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	parts := make([]string, len(s))
	for i, id := range s {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// selectVariant reads variants (v) with their template (t), link (l) and values.
const selectVariant = `SELECT v.id, v.sku, v.name, v.sell_price, v.active, t.sku AS template, l.own_price,
	ARRAY(SELECT a.name || '=' || av.value FROM product_variant_values pv
	      JOIN product_attribute_values av ON av.id = pv.value_id
	      JOIN product_attributes a ON a.id = av.attribute_id
	      WHERE pv.variant_id = v.id ORDER BY a.position) AS vals
	FROM product_variants l JOIN products v ON v.id = l.variant_id JOIN products t ON t.id = l.template_id`

// Variants lists a template's variants in the order of their values (attribute positions,
// then value positions), with the values each stands for.
func Variants(ctx context.Context, q sqlx.QueryerContext, sku string) ([]Variant, error) {
	t, err := Get(ctx, q, sku)
	if err != nil {
		return nil, err
	}
	if t.Template != nil {
		return nil, fault.Invalidf("sku", "%s is a variant of %s: list the variants with stockctl product variants list %s", sku, *t.Template, *t.Template)
	}
	var rows []struct {
		Variant
		Vals pq.StringArray `db:"vals"`
	}
	err = sqlx.SelectContext(ctx, q, &rows, selectVariant+` WHERE l.template_id = $1
		ORDER BY ARRAY(SELECT ARRAY[a.position, av.position] FROM product_variant_values pv
		      JOIN product_attribute_values av ON av.id = pv.value_id
		      JOIN product_attributes a ON a.id = av.attribute_id
		      WHERE pv.variant_id = v.id ORDER BY a.position), v.sku`, t.ID)
	if err != nil {
		return nil, db.Classify(err)
	}
	vs := make([]Variant, len(rows))
	for i, r := range rows {
		vs[i] = r.Variant
		vs[i].Values = []string(r.Vals)
		if vs[i].Values == nil {
			vs[i].Values = []string{}
		}
	}
	return vs, nil
}

// Follow puts variants back on their template's price: each one's sell price becomes the
// template's sell price plus the extras of its values, and moves with them from then on (see
// Variant.OwnPrice). Setting a variant's sell price in any way (product edit --sell-price,
// price break set of its first row, an import) gives it its own price again. A variant priced
// by a formula (markup, margin ...) computes its own price and is refused. It returns the
// variants as they are now.
func Follow(ctx context.Context, q sqlx.ExtContext, skus []string) ([]Variant, error) {
	if len(skus) == 0 {
		return nil, fault.Invalidf("sku", "give the SKU of at least one variant")
	}
	templates := map[int64]bool{}
	var ids []int64
	out := make([]Variant, 0, len(skus))
	for _, sku := range skus {
		p, err := get(ctx, q, strings.TrimSpace(sku), true)
		if err != nil {
			return nil, err
		}
		if p.Template == nil {
			return nil, fault.Invalidf("sku", "%s is not a variant: only a variant can follow its template's price", p.SKU)
		}
		var formula string
		if err := sqlx.GetContext(ctx, q, &formula, `SELECT price_formula FROM products WHERE id = $1`, p.ID); err != nil {
			return nil, db.Classify(err)
		}
		if formula != "fixed" {
			return nil, fault.Invalidf("sku", "%s is priced by its %s formula: make its price fixed first (stockctl price formula %s fixed), then let it follow %s",
				p.SKU, formula, p.SKU, *p.Template)
		}
		ids = append(ids, p.ID)
	}
	var tids []int64
	if err := sqlx.SelectContext(ctx, q, &tids, `UPDATE product_variants SET own_price = false WHERE variant_id = ANY($1::bigint[])
		RETURNING template_id`, pq.Array(ids)); err != nil {
		return nil, db.Classify(err)
	}
	sort.Slice(tids, func(i, j int) bool { return tids[i] < tids[j] })
	for _, t := range tids {
		if templates[t] {
			continue
		}
		templates[t] = true
		if _, err := q.ExecContext(ctx, `SELECT variants_follow($1)`, t); err != nil {
			return nil, db.Classify(err)
		}
	}
	for _, id := range ids {
		var v struct {
			Variant
			Vals pq.StringArray `db:"vals"`
		}
		if err := sqlx.GetContext(ctx, q, &v, selectVariant+` WHERE v.id = $1`, id); err != nil {
			return nil, db.Classify(err)
		}
		v.Values = []string(v.Vals)
		if v.Values == nil {
			v.Values = []string{}
		}
		out = append(out, v.Variant)
	}
	return out, nil
}

// TemplateError refuses stocking or selling a template that has variants: its variants are
// what is stocked and sold. Variants names some of them (at most five), Count how many.
type TemplateError struct {
	SKU      string
	Variants []string
	Count    int
}

func (e *TemplateError) Error() string {
	more := ""
	if e.Count > len(e.Variants) {
		more = fmt.Sprintf(" and %d more", e.Count-len(e.Variants))
	}
	return fmt.Sprintf("%s is a template with variants: stock and sell its variants (%s%s; see stockctl product variants list %s)",
		e.SKU, strings.Join(e.Variants, ", "), more, e.SKU)
}

// RefuseTemplate returns a TemplateError (kind invalid, on field) when p is a template with
// variants, else nil. Sales and purchase order lines, work orders and stock postings into a
// location call it: a template is never stocked or sold itself.
func RefuseTemplate(ctx context.Context, q sqlx.QueryerContext, field string, p Product) error {
	var vs []struct {
		SKU   string `db:"sku"`
		Count int    `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, q, &vs, `SELECT v.sku, count(*) OVER () AS n FROM product_variants l
		JOIN products v ON v.id = l.variant_id WHERE l.template_id = $1 ORDER BY v.sku LIMIT 5`, p.ID); err != nil {
		return db.Classify(err)
	}
	if len(vs) == 0 {
		return nil
	}
	e := &TemplateError{SKU: p.SKU, Count: vs[0].Count}
	for _, v := range vs {
		e.Variants = append(e.Variants, v.SKU)
	}
	return &fault.Error{Kind: fault.Invalid, Field: field, Err: e}
}
