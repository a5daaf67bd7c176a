package catalog

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/barcode"
)

// Barcode is one barcode of a product, optionally standing for one of its pack units.
type Barcode struct {
	Code      string           `db:"code" json:"code"`
	SKU       string           `db:"sku" json:"sku"`
	Symbology string           `db:"symbology" json:"symbology"`
	Pack      *string          `db:"pack" json:"pack"`
	PackQty   *decimal.Decimal `db:"pack_qty" json:"pack_qty"`
	CreatedAt time.Time        `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy string           `db:"created_by" json:"created_by" print:"wide"`
}

const selectBarcode = `SELECT b.code, p.sku, b.symbology, k.code AS pack, k.qty AS pack_qty, b.created_at, b.created_by
	FROM product_barcodes b JOIN products p ON p.id = b.product_id LEFT JOIN product_packs k ON k.id = b.pack_id`

// AddBarcode attaches a barcode to a product. The symbology is inferred unless given; GTIN
// check digits are validated; a barcode is unique across all products, active or not.
// pack names one of the product's pack units when the code is printed on that pack.
func AddBarcode(ctx context.Context, q sqlx.ExtContext, sku, code, symbology, pack string) (Barcode, error) {
	p, err := get(ctx, q, sku, false)
	if err != nil {
		return Barcode{}, err
	}
	code = barcode.Normalize(code)
	sym, err := barcode.Classify(code, symbology)
	if err != nil {
		return Barcode{}, err
	}
	var packID *int64
	if pack != "" {
		k, err := getPack(ctx, q, p, pack)
		if err != nil {
			return Barcode{}, err
		}
		packID = &k.ID
	}
	if err := barcodeFree(ctx, q, sku, code); err != nil {
		return Barcode{}, err
	}
	// ON CONFLICT DO NOTHING rather than a unique violation: when another transaction adds
	// the same code between the check above and this insert, the insert waits for it and
	// then does nothing, and this transaction is still usable to name the new owner. (A
	// unique violation would abort the transaction and leave only a bare driver error.)
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `INSERT INTO product_barcodes (product_id, code, symbology, pack_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO NOTHING RETURNING id`, p.ID, code, string(sym), packID)
	if errors.Is(err, sql.ErrNoRows) {
		if err := barcodeFree(ctx, q, sku, code); err != nil {
			return Barcode{}, err
		}
		return Barcode{}, fault.Conflictf("barcode %s was just taken by another product", code)
	}
	if err != nil {
		if db.SQLState(err) == "23505" {
			return Barcode{}, fault.Conflictf("barcode %s was just taken by another product", code)
		}
		return Barcode{}, db.Classify(err)
	}
	var b Barcode
	err = sqlx.GetContext(ctx, q, &b, selectBarcode+` WHERE b.code = $1`, code)
	return b, db.Classify(err)
}

// barcodeFree refuses a code that is already on a product, naming the product.
func barcodeFree(ctx context.Context, q sqlx.QueryerContext, sku, code string) error {
	var owner string
	err := sqlx.GetContext(ctx, q, &owner, `SELECT p.sku FROM product_barcodes b JOIN products p ON p.id = b.product_id WHERE b.code = $1`, code)
	switch {
	case err == nil && owner == sku:
		return fault.Conflictf("barcode %s is already on %s", code, sku)
	case err == nil:
		return fault.Conflictf("barcode %s already belongs to product %s (barcodes are unique, also while a product is inactive)", code, owner)
	case !errors.Is(err, sql.ErrNoRows):
		return db.Classify(err)
	}
	return nil
}

// Barcodes lists a product's barcodes in the order they were added.
func Barcodes(ctx context.Context, q sqlx.QueryerContext, sku string) ([]Barcode, error) {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return nil, err
	}
	var bs []Barcode
	err = sqlx.SelectContext(ctx, q, &bs, selectBarcode+` WHERE b.product_id = $1 ORDER BY b.id`, p.ID)
	return bs, db.Classify(err)
}

// RemoveBarcode detaches a barcode from a product.
func RemoveBarcode(ctx context.Context, q sqlx.ExtContext, sku, code string) error {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return err
	}
	res, err := q.ExecContext(ctx, `DELETE FROM product_barcodes WHERE product_id = $1 AND code = $2`, p.ID, barcode.Normalize(code))
	if err != nil {
		return db.Classify(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var owner string
		if err := sqlx.GetContext(ctx, q, &owner, `SELECT p.sku FROM product_barcodes b JOIN products p ON p.id = b.product_id
			WHERE b.code = $1`, barcode.Normalize(code)); err == nil {
			return fault.NotFoundf("product %s has no barcode %s: it is on product %s", sku, code, owner)
		}
		return fault.NotFoundf("product %s has no barcode %s (see stockctl product barcode list %s)", sku, code, sku)
	}
	return nil
}

// Label is what product label prints for a product: the barcode code (one of the product's
// barcodes; nil: not given), else the product's first barcode, else the SKU itself as Code
// 128. A code that is not one of the product's barcodes is refused naming the ones it has
// (field "barcode"), and so is a SKU too long for a Code 128 label when the product has no
// barcode (field "sku").
func Label(ctx context.Context, q sqlx.QueryerContext, sku string, code *string) (barcode.Label, error) {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return barcode.Label{}, err
	}
	bs, err := Barcodes(ctx, q, sku)
	if err != nil {
		return barcode.Label{}, err
	}
	l := barcode.Label{SKU: p.SKU, Name: p.Name}
	switch {
	case code != nil:
		want := barcode.Normalize(*code)
		for _, b := range bs {
			if b.Code == want {
				l.Code, l.Symbology = b.Code, barcode.Symbology(b.Symbology)
			}
		}
		if l.Code == "" {
			have := "it has none"
			if len(bs) > 0 {
				codes := make([]string, len(bs))
				for i, b := range bs {
					codes[i] = b.Code
				}
				have = "its barcodes are " + strings.Join(codes, ", ")
			}
			return l, fault.Invalidf("barcode", "--barcode %s is not a barcode of %s (%s): add it with stockctl product barcode add %s %s",
				want, p.SKU, have, p.SKU, want)
		}
	case len(bs) > 0:
		l.Code, l.Symbology = bs[0].Code, barcode.Symbology(bs[0].Symbology)
	default:
		if len(p.SKU) > barcode.MaxCode128Len {
			return l, fault.Invalidf("sku", "product %s has no barcode and its SKU is %d characters, more than the %d a Code 128 label takes: add a barcode with stockctl product barcode add %s CODE",
				p.SKU, len(p.SKU), barcode.MaxCode128Len, p.SKU)
		}
		l.Code, l.Symbology = p.SKU, barcode.Code128
	}
	return l, nil
}
