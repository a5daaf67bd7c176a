package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/inventory/barcode"
	"github.com/stockctl/stockctl/io/csvio"
)

// CSVColumns are the columns of the product CSV format in their export order (documented in
// docs/csv-formats.md; scripts depend on the names and the order).
var CSVColumns = []string{
	"sku", "name", "type", "active", "description", "category",
	"stock_uom", "purchase_uom", "sales_uom",
	"cost_price", "list_price", "sell_price", "price_formula", "price_pct", "same_price_all_locations",
	"sellable", "purchasable", "track_stock", "serialized", "batch_tracked",
	"weight", "volume", "manufacturer", "mfr_part_no", "in_portal", "portal_description",
	"sales_gl", "purchase_gl", "inventory_gl", "cogs_gl", "sales_tax_rate", "purchase_tax_rate",
	"barcodes", "features",
}

// CSVRequired are the columns an import file must have.
var CSVRequired = []string{"sku"}

// csvKind says how a column's cells are read.
type csvKind int

const (
	csvText csvKind = iota
	csvCode         // no spaces inside (units, GL codes, company codes)
	csvBool
	csvMoney   // bounds.Money, >= 0
	csvMeasure // bounds.Quantity, >= 0 (weight, volume)
	csvPercent // bounds.Percent, 0..100
	csvType
	csvFormula
	csvPct // bounds.Percent, >= 0 (the formula's percentage; its range depends on the formula)
	csvBarcodes
	csvFeatures
)

var csvKinds = map[string]csvKind{
	"type": csvType, "active": csvBool, "stock_uom": csvCode, "purchase_uom": csvCode, "sales_uom": csvCode,
	"cost_price": csvMoney, "list_price": csvMoney, "sell_price": csvMoney, "price_formula": csvFormula,
	"price_pct": csvPct, "same_price_all_locations": csvBool, "sellable": csvBool, "purchasable": csvBool,
	"track_stock": csvBool, "serialized": csvBool, "batch_tracked": csvBool, "weight": csvMeasure, "volume": csvMeasure,
	"manufacturer": csvCode, "in_portal": csvBool, "sales_gl": csvCode, "purchase_gl": csvCode,
	"inventory_gl": csvCode, "cogs_gl": csvCode, "sales_tax_rate": csvPercent, "purchase_tax_rate": csvPercent,
	"barcodes": csvBarcodes, "features": csvFeatures,
}

// csvNumber is the kind of number of each numeric column kind.
var csvNumber = map[csvKind]bounds.Number{csvMoney: bounds.Money, csvMeasure: bounds.Quantity, csvPercent: bounds.Percent, csvPct: bounds.Percent}

// csvTextLimit is the most characters a text column kept in an index may have.
var csvTextLimit = map[string]struct {
	what string
	max  int
}{"category": {"a category", bounds.MaxCategory}, "mfr_part_no": {"a part number", bounds.MaxPartNo}}

// csvKindAt is csvKinds by position in CSVColumns: NormalizeCSVRow runs for every row.
var csvKindAt = func() []csvKind {
	k := make([]csvKind, len(CSVColumns))
	for i, c := range CSVColumns {
		k[i] = csvKinds[c]
	}
	return k
}()

// NormalizeCSVRow checks the cells of one product row that can be checked without the
// database and rewrites them into the canonical form the staging table casts from (true/false,
// plain decimals, lower-case type). values is aligned with CSVColumns; an empty cell means
// "leave the field as it is" and is left empty. It never panics, whatever the input.
func NormalizeCSVRow(row int, values []string) []csvio.RowError {
	var errs []csvio.RowError
	bad := func(col, val, format string, args ...any) {
		errs = append(errs, csvio.RowError{Row: row, Column: col, Value: val, Reason: fmt.Sprintf(format, args...)})
	}
	for i, col := range CSVColumns {
		if i >= len(values) {
			break
		}
		v := values[i]
		if col == "sku" {
			if v == "" {
				bad(col, v, "the SKU is missing: every row needs one")
			} else if err := CheckSKU(col, v); err != nil {
				bad(col, v, "not a valid SKU: letters, digits and . _ / + # - (up to 64, starting with a letter or digit)")
			}
			continue
		}
		if v == "" {
			continue
		}
		if lim, ok := csvTextLimit[col]; ok {
			if err := bounds.CheckText(lim.what, v, lim.max); err != nil {
				bad(col, v, "%v", err)
				continue
			}
		}
		switch csvKindAt[i] {
		case csvCode:
			if strings.ContainsAny(v, " \t\r\n") {
				bad(col, v, "no spaces allowed in a code")
			}
		case csvBool:
			b, ok := parseCSVBool(v)
			if !ok {
				bad(col, v, "not a yes/no value: use true or false (also yes/no, 1/0)")
				continue
			}
			values[i] = b
		case csvMoney, csvMeasure, csvPercent, csvPct:
			kind := csvNumber[csvKindAt[i]]
			if csvKindAt[i] != csvPercent && kind.Canonical(v) {
				continue // already as decimal.String writes it, and in range
			}
			d, err := kind.Parse(v)
			if err != nil {
				bad(col, v, "%v", err)
				continue
			}
			if d.IsNegative() {
				bad(col, v, "cannot be negative")
				continue
			}
			if csvKindAt[i] == csvPercent && d.GreaterThan(decimal.NewFromInt(100)) {
				bad(col, v, "a percentage from 0 to 100")
				continue
			}
			values[i] = d.String()
		case csvType:
			t := strings.ToLower(v)
			if t == System {
				bad(col, v, "system products come with the database and cannot be imported; use one of %s", strings.Join(Types, ", "))
			} else if !validType(t) {
				bad(col, v, "unknown product type: use one of %s", strings.Join(Types, ", "))
			}
			values[i] = t
		case csvFormula:
			f := strings.ToLower(v)
			switch f {
			case "fixed", "markup", "margin", "discount", "list":
				values[i] = f
			default:
				bad(col, v, "unknown price formula: use fixed, markup, margin, discount or list")
			}
		case csvBarcodes:
			for _, c := range splitList(v) {
				code, pack, _ := strings.Cut(c, "@")
				if _, err := barcode.Classify(code, ""); err != nil {
					bad(col, c, "%s", strings.TrimPrefix(err.Error(), "barcode: "))
				}
				if strings.Contains(c, "@") && pack == "" {
					bad(col, c, "a pack barcode is written CODE@PACK: the pack unit is missing")
				}
			}
			// A code listed twice (with the same pack or another): the last one.
			values[i] = dedupeList(v, func(e string) string {
				code, _, _ := strings.Cut(e, "@")
				return code
			})
		case csvFeatures:
			for _, f := range splitList(v) {
				name, value, ok := strings.Cut(f, "=")
				if !ok || strings.TrimSpace(name) == "" {
					bad(col, f, "a feature is written NAME=VALUE, features separated by |")
				} else if err := bounds.CheckText("a feature name", strings.TrimSpace(name), featureNameMax); err != nil {
					bad(col, f, "%v", err)
				} else if err := bounds.CheckText("a feature value", strings.TrimSpace(value), featureValueMax); err != nil {
					bad(col, f, "%v", err)
				}
			}
			values[i] = dedupeList(v, func(e string) string {
				name, _, _ := strings.Cut(e, "=")
				return strings.Trim(name, " ")
			})
		}
	}
	if len(values) > 13 {
		// The formula's percentage depends on the formula when both are in the row.
		f, pct := values[12], values[13]
		if f != "" && pct != "" {
			d, err := decimal.NewFromString(pct)
			switch {
			case err != nil:
			case (f == "fixed" || f == "list") && !d.IsZero():
				bad("price_pct", pct, "the %s formula takes no percentage: leave price_pct empty", f)
			case f == "margin" && d.GreaterThanOrEqual(decimal.NewFromInt(100)):
				bad("price_pct", pct, "a margin must be under 100 %%")
			case f == "discount" && d.GreaterThan(decimal.NewFromInt(100)):
				bad("price_pct", pct, "a discount is at most 100 %%")
			}
		}
	}
	return errs
}

func parseCSVBool(v string) (string, bool) {
	switch strings.ToLower(v) {
	case "true", "t", "yes", "y", "1":
		return "true", true
	case "false", "f", "no", "n", "0":
		return "false", true
	}
	return "", false
}

// splitList splits a barcodes or features cell: items separated by "|", spaces around them
// trimmed, empty items dropped.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, "|") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// dedupeList drops the entries of a |-separated cell whose key an entry after them has
// too, keeping the last, so that the staging table's split of the cell needs no DISTINCT
// (a third of its cost). An entry is what the split takes: the text between bars, trimmed
// of spaces (SQL's trim), if not empty. A cell without repeats is returned as it is.
func dedupeList(v string, key func(entry string) string) string {
	if !strings.Contains(v, "|") {
		return v // one entry, the common case
	}
	parts := strings.Split(v, "|")
	keys := make([]string, len(parts)) // "" for an empty entry
	for i, p := range parts {
		if e := strings.Trim(p, " "); e != "" {
			keys[i] = "=" + key(e) // never "", even for an empty key
		}
	}
	// repeated says whether an entry after i has i's key. Cells hold a few entries.
	repeated := func(i int) bool {
		return keys[i] != "" && slices.Contains(keys[i+1:], keys[i])
	}
	dup := false
	for i := range parts {
		dup = dup || repeated(i)
	}
	if !dup {
		return v
	}
	var kept []string
	for i, p := range parts {
		if keys[i] != "" && !repeated(i) {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "|")
}
