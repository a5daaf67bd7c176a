package stocktake

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// ScanOptions apply to every code of a scanning session: the bay being counted, and the
// batch of batch-tracked products scanned (else the batch the stocktake expects them in).
type ScanOptions struct {
	Bay   string
	Batch string
}

// Scanned is what one scanned code counted.
type Scanned struct {
	Counted
	Code      string          `json:"code"`
	MatchedBy string          `json:"matched_by"` // barcode, sku, part number, or serial
	Pack      *string         `json:"pack"`       // the pack a pack barcode stands for
	Qty       decimal.Decimal `json:"qty"`        // stock units the scan added
}

// BySerial is how Scan reports a code that was a serial number.
const BySerial = "serial"

// Scan counts one scanned code against an open stocktake, adding to what is counted: a
// barcode, SKU or part number adds one unit, a pack barcode the pack's quantity (a case of
// 4 adds 4), and a serial number of a serialised product counts that unit as found (once,
// however often it is scanned). A serialised product's own barcode is refused: its units
// are counted by serial. A code nothing matches is a not-found error, so a caller can
// report it and go on.
func Scan(ctx context.Context, q sqlx.ExtContext, number, code string, opt ScanOptions) (Scanned, error) {
	code = strings.TrimSpace(code)
	out := Scanned{Code: code}
	cnt := Count{Bay: opt.Bay, Add: true}
	m, err := catalog.Lookup(ctx, q, code)
	switch {
	case err == nil:
		out.MatchedBy, out.Pack = m.MatchedBy, m.Pack
		cnt.SKU, cnt.Qty = m.SKU, m.Qty
	case fault.Is(err, fault.NotFound):
		sku, serr := serialOwner(ctx, q, number, code)
		if serr != nil {
			return out, serr
		}
		if sku == "" {
			return out, fault.NotFoundf("unknown code %q: no product has it as barcode, SKU or part number, and no serialised product as serial number", code)
		}
		out.MatchedBy = BySerial
		cnt.SKU, cnt.Qty, cnt.Serial = sku, decimal.NewFromInt(1), code
	default:
		return out, err
	}
	if out.MatchedBy != BySerial {
		p, err := catalog.Get(ctx, q, cnt.SKU)
		if err != nil {
			return out, err
		}
		if p.Serialized {
			return out, fault.Invalidf("code", "%s is the code of %s, which is serialised: scan each unit's serial number instead", code, p.SKU)
		}
		if p.BatchTracked {
			cnt.Batch = opt.Batch
		}
	}
	got, err := Record(ctx, q, number, []Count{cnt})
	if err != nil {
		return out, err
	}
	out.Counted, out.Qty = got[0], cnt.Qty
	if out.Again {
		out.Qty = decimal.Zero
	}
	return out, nil
}

// serialOwner returns the SKU of the serialised product with this serial number, preferring
// products on the stocktake; "" when none has it. A serial several products share (serials
// are unique per product) is ambiguous unless only one of them is on the stocktake.
func serialOwner(ctx context.Context, q sqlx.QueryerContext, number, serial string) (string, error) {
	var owners []struct {
		SKU  string `db:"sku"`
		Here bool   `db:"here"`
	}
	err := sqlx.SelectContext(ctx, q, &owners, `SELECT p.sku, EXISTS (SELECT 1 FROM stocktake_products sp JOIN stocktakes s ON s.id = sp.stocktake_id
			WHERE s.number = $2 AND sp.product_id = p.id) AS here
		FROM serials n JOIN products p ON p.id = n.product_id AND p.serialized
		WHERE n.serial = $1 ORDER BY here DESC, p.sku`, serial, number)
	if err != nil {
		return "", db.Classify(err)
	}
	switch {
	case len(owners) == 0:
		return "", nil
	case len(owners) == 1 || (owners[0].Here && !owners[1].Here):
		return owners[0].SKU, nil
	}
	skus := make([]string, len(owners))
	for i, o := range owners {
		skus[i] = o.SKU
	}
	return "", fault.Conflictf("serial number %s belongs to %s: count it with stockctl stocktake count %s SKU 1 --serial %s",
		serial, strings.Join(skus, ", "), number, serial)
}
