package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/barcode"
)

// Sources a code can be matched by, as the product_codes view names them. Purchasing adds
// supplier part numbers to the view under a source of its own; Lookup ranks any source it
// does not know with the part numbers.
const (
	ByBarcode   = "barcode"
	BySKU       = "sku"
	ByMfrPartNo = "manufacturer part number"
)

// Match is what a scanned or typed code stands for: the product, how the code was found,
// and how many stock units one scan of it means (a box barcode means the box's quantity).
type Match struct {
	SKU       string          `db:"sku" json:"sku"`
	Name      string          `db:"name" json:"name"`
	MatchedBy string          `db:"matched_by" json:"matched_by"`
	Code      string          `db:"code" json:"code"`
	Pack      *string         `db:"pack" json:"pack"`
	Qty       decimal.Decimal `db:"qty" json:"qty"`
	StockUOM  string          `db:"stock_uom" json:"stock_uom"`
	Active    bool            `db:"active" json:"active"`
}

// rank orders the sources: barcodes and SKUs are unique, so they win over part numbers,
// which several products may share.
func rank(source string) int {
	switch source {
	case ByBarcode:
		return 0
	case BySKU:
		return 1
	}
	return 2
}

// Lookup finds the product a code stands for through the product_codes view: a barcode, a
// SKU, a manufacturer part number, or whatever else the view lists (supplier part numbers).
// When one code matches in several ways, a barcode beats a SKU, which beats a part number.
// A part number shared by several products is a conflict that lists them. Inactive products
// are found too (their barcodes stay reserved); Match.Active says so.
func Lookup(ctx context.Context, q sqlx.QueryerContext, code string) (Match, error) {
	code = barcode.Normalize(code)
	if code == "" {
		return Match{}, fault.Invalidf("code", "give a barcode, SKU or part number to look up")
	}
	// One query; the view is UNION ALL of indexed columns, so code = $1 is pushed into each
	// branch and every branch uses its index.
	var ms []Match
	err := sqlx.SelectContext(ctx, q, &ms, `SELECT p.sku, p.name, c.source AS matched_by, c.code, k.code AS pack,
		coalesce(k.qty, 1) AS qty, p.stock_uom, p.active
		FROM product_codes c
		JOIN products p ON p.id = c.product_id
		LEFT JOIN product_packs k ON k.id = c.pack_id
		WHERE c.code = $1
		ORDER BY p.sku, c.source`, code)
	if err != nil {
		return Match{}, db.Classify(err)
	}
	if len(ms) == 0 {
		return Match{}, fault.NotFoundf("no product has the barcode, SKU or part number %q (codes match exactly, case included): search names and descriptions with stockctl product list --all --search %s",
			code, shellWord(code))
	}
	best := ms[0]
	for _, m := range ms[1:] {
		if r, b := rank(m.MatchedBy), rank(best.MatchedBy); r < b || (r == b && m.MatchedBy == ByMfrPartNo && best.MatchedBy != ByMfrPartNo) {
			best = m
		}
	}
	if rank(best.MatchedBy) < 2 {
		return best, nil
	}
	// Only part numbers matched: they must all point at one product.
	var skus []string
	seen := map[string]bool{}
	for _, m := range ms {
		if !seen[m.SKU] {
			seen[m.SKU] = true
			skus = append(skus, fmt.Sprintf("%s (%s, %s)", m.SKU, m.Name, m.MatchedBy))
		}
	}
	if len(skus) > 1 {
		const show = 10
		list := skus
		more := ""
		if len(list) > show {
			more = fmt.Sprintf(" and %d more", len(list)-show)
			list = list[:show]
		}
		return Match{}, fault.Conflictf("%q is the part number of %d products: %s%s; look up by barcode or SKU instead",
			code, len(skus), strings.Join(list, ", "), more)
	}
	return best, nil
}

// shellWord quotes s for the hint in a message when it would not survive a shell as is.
func shellWord(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._/+-=:@,", r)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
