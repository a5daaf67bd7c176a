// Package catalog holds the product catalogue: products of every type, their pack units,
// barcodes, features, variants, configurable options and bills of materials.
package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/business/uom"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Product types (SPEC §2).
const (
	Stock    = "stock"
	Service  = "service"
	Virtual  = "virtual"
	Time     = "time"
	Training = "training"
	Freight  = "freight"
	System   = "system"
)

// Types lists the product types a user may give; system products come with the database.
var Types = []string{Stock, Service, Virtual, Time, Training, Freight}

// Product is one catalogue entry.
type Product struct {
	ID                int64            `db:"id" json:"-"`
	SKU               string           `db:"sku" json:"sku"`
	Name              string           `db:"name" json:"name"`
	Type              string           `db:"type" json:"type"`
	Active            bool             `db:"active" json:"active"`
	Sellable          bool             `db:"sellable" json:"sellable"`
	Purchasable       bool             `db:"purchasable" json:"purchasable"`
	TrackStock        bool             `db:"track_stock" json:"track_stock"`
	Serialized        bool             `db:"serialized" json:"serialized" print:"wide"`
	BatchTracked      bool             `db:"batch_tracked" json:"batch_tracked" print:"wide"`
	StockUOM          string           `db:"stock_uom" json:"stock_uom"`
	PurchaseUOM       string           `db:"purchase_uom" json:"purchase_uom" print:"wide"`
	SalesUOM          string           `db:"sales_uom" json:"sales_uom" print:"wide"`
	CostPrice         decimal.Decimal  `db:"cost_price" json:"cost_price" print:"wide"`
	ListPrice         decimal.Decimal  `db:"list_price" json:"list_price" print:"wide"`
	SellPrice         decimal.Decimal  `db:"sell_price" json:"sell_price"`
	Weight            *decimal.Decimal `db:"weight" json:"weight" print:"wide"`
	Volume            *decimal.Decimal `db:"volume" json:"volume" print:"wide"`
	Category          string           `db:"category" json:"category"`
	Manufacturer      *string          `db:"manufacturer" json:"manufacturer" print:"wide"`
	MfrPartNo         string           `db:"mfr_part_no" json:"mfr_part_no" print:"wide"`
	Description       string           `db:"description" json:"description" print:"wide"`
	InPortal          bool             `db:"in_portal" json:"in_portal" print:"wide"`
	PortalDescription string           `db:"portal_description" json:"portal_description" print:"wide"`
	SalesGL           string           `db:"sales_gl" json:"sales_gl" print:"wide"`
	PurchaseGL        string           `db:"purchase_gl" json:"purchase_gl" print:"wide"`
	InventoryGL       string           `db:"inventory_gl" json:"inventory_gl" print:"wide"`
	COGSGL            string           `db:"cogs_gl" json:"cogs_gl" print:"wide"`
	SalesTaxRate      *decimal.Decimal `db:"sales_tax_rate" json:"sales_tax_rate" print:"wide"`
	PurchaseTaxRate   *decimal.Decimal `db:"purchase_tax_rate" json:"purchase_tax_rate" print:"wide"`
	Template          *string          `db:"template" json:"template" print:"wide"`
	CreatedAt         time.Time        `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy         string           `db:"created_by" json:"created_by" print:"wide"`
	UpdatedAt         time.Time        `db:"updated_at" json:"updated_at" print:"wide"`
	UpdatedBy         string           `db:"updated_by" json:"updated_by" print:"wide"`

	// StockPrecision is the stock unit's decimals, read with the product so that rounding a
	// quantity in the stock unit needs no query of its own (nil when not read).
	StockPrecision *int32 `db:"stock_precision" json:"-"`

	manufacturerID *int64
}

// Changes are the fields to set on add or edit; nil leaves a field as it is (or, on add,
// takes the default for the product's type and the settings).
type Changes struct {
	Name, Description, Type                  *string
	Sellable, Purchasable, TrackStock        *bool
	Serialized, BatchTracked                 *bool
	StockUOM, PurchaseUOM, SalesUOM          *string
	CostPrice, ListPrice, SellPrice          *decimal.Decimal
	Weight, Volume                           *decimal.Decimal
	Category                                 *string
	Manufacturer                             *string // company code; "" clears it
	MfrPartNo                                *string
	InPortal                                 *bool
	PortalDescription                        *string
	SalesGL, PurchaseGL, InventoryGL, COGSGL *string
	SalesTaxRate, PurchaseTaxRate            *decimal.Decimal
}

const selectProduct = `SELECT p.id, p.sku, p.name, p.type, p.active, p.sellable, p.purchasable, p.track_stock,
	p.serialized, p.batch_tracked, p.stock_uom, p.purchase_uom, p.sales_uom, p.cost_price, p.list_price,
	p.sell_price, p.weight, p.volume, p.category, m.code AS manufacturer, p.mfr_part_no, p.description,
	p.in_portal, p.portal_description, p.sales_gl, p.purchase_gl, p.inventory_gl, p.cogs_gl,
	p.sales_tax_rate, p.purchase_tax_rate, t.sku AS template, p.created_at, p.created_by, p.updated_at,
	p.updated_by, p.manufacturer_id, (SELECT u.precision FROM uoms u WHERE u.code = p.stock_uom) AS stock_precision
	FROM products p
	LEFT JOIN companies m ON m.id = p.manufacturer_id
	LEFT JOIN product_variants l ON l.variant_id = p.id
	LEFT JOIN products t ON t.id = l.template_id`

// productRow adds the unexported columns sqlx needs to fill.
type productRow struct {
	Product
	ManufacturerID *int64 `db:"manufacturer_id"`
}

func (r productRow) product() Product {
	p := r.Product
	p.manufacturerID = r.ManufacturerID
	return p
}

// validSKU says whether sku matches ^[A-Za-z0-9][A-Za-z0-9._/+#-]{0,63}$, the CHECK on
// products.sku, without a regular expression: an import checks a million of them.
func validSKU(sku string) bool {
	if sku == "" || len(sku) > 64 {
		return false
	}
	for i := 0; i < len(sku); i++ {
		switch c := sku[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && strings.IndexByte("._/+#-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// CheckSKU validates the form of a SKU.
func CheckSKU(field, sku string) error {
	if !validSKU(sku) {
		return fault.Invalidf(field, "SKU %q: use 1 to 64 letters, digits or . _ / + # - starting with a letter or digit, no spaces", sku)
	}
	return nil
}

// Get returns a product by SKU.
func Get(ctx context.Context, q sqlx.QueryerContext, sku string) (Product, error) {
	return get(ctx, q, sku, false)
}

// get reads a product; with forUpdate it also takes the product's rule lock: its row FOR
// UPDATE, for the rest of the transaction. Every change of what postings are judged by
// (tracking, serials, batches, type, stock unit) and deactivation and deletion take it
// before they look at the product's stock, moves or orders: stock.Post holds the same row
// FOR KEY SHARE while it posts (it reads the rules in the statement that takes its lock),
// which FOR UPDATE conflicts with (FOR NO KEY UPDATE would not). So a change waits for
// the postings in flight and then sees their stock, and a posting that comes later waits
// for the change and is judged by the new rules. The lock is on catalog's own row, so
// catalog takes it without importing stock; see stock's lock for the posting side.
func get(ctx context.Context, q sqlx.QueryerContext, sku string, forUpdate bool) (Product, error) {
	var r productRow
	query := selectProduct + ` WHERE p.sku = $1`
	if forUpdate {
		query += ` FOR UPDATE OF p`
	}
	err := sqlx.GetContext(ctx, q, &r, query, sku)
	if errors.Is(err, sql.ErrNoRows) {
		return Product{}, fault.NotFoundf("product %s does not exist (find it with stockctl product lookup or product list --search)", sku)
	}
	if err != nil {
		return Product{}, db.Classify(err)
	}
	return r.product(), nil
}

// RequireActive returns the product for use on a new document: it must exist and be active.
// Every document that takes a product line calls it.
func RequireActive(ctx context.Context, q sqlx.QueryerContext, sku string) (Product, error) {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return p, err
	}
	if !p.Active {
		return p, fault.Invalidf("sku", "product %s is inactive and cannot go on new documents: activate it with stockctl product activate %s", sku, sku)
	}
	return p, nil
}

// RequireActiveShared is RequireActive for a document line whose handling depends on the
// product's rules (a sales line is a stock line or not by the product's tracking): it first
// takes the product's row FOR KEY SHARE, the share side of the rule lock (get) that stock.Post
// takes too, held to the end of the transaction, and then reads the product. A rule change
// in flight is waited for and its new rules read; a rule change that comes later waits for
// this transaction and then sees its line. It does not conflict with postings or with other
// documents taking it.
func RequireActiveShared(ctx context.Context, q sqlx.QueryerContext, sku string) (Product, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, `SELECT id FROM products WHERE sku = $1 FOR KEY SHARE`, sku)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Product{}, db.Classify(err)
	}
	return RequireActive(ctx, q, sku)
}

// Add creates a product. Fields not given take the defaults of the product's type, the
// default unit and the accounting defaults from settings.
func Add(ctx context.Context, q sqlx.ExtContext, sku string, ch Changes) (Product, error) {
	if err := CheckSKU("sku", sku); err != nil {
		return Product{}, err
	}
	if ch.Name == nil || strings.TrimSpace(*ch.Name) == "" {
		return Product{}, fault.Invalidf("name", "product %s needs a name: give --name", sku)
	}
	var exists bool
	if err := sqlx.GetContext(ctx, q, &exists, `SELECT EXISTS (SELECT 1 FROM products WHERE sku = $1)`, sku); err != nil {
		return Product{}, db.Classify(err)
	}
	if exists {
		return Product{}, fault.Conflictf("product %s already exists: change it with stockctl product edit %s", sku, sku)
	}
	typ := Stock
	if ch.Type != nil {
		typ = strings.ToLower(strings.TrimSpace(*ch.Type))
	}
	if typ == System {
		return Product{}, fault.Invalidf("type", "system products come with the database and cannot be added; choose one of %s", strings.Join(Types, ", "))
	}
	if !validType(typ) {
		return Product{}, fault.Invalidf("type", "unknown product type %q: use one of %s", typ, strings.Join(Types, ", "))
	}
	p := Product{SKU: sku, Type: typ, Active: true}
	p.Sellable = true
	p.Purchasable = typ == Stock || typ == Service || typ == Freight
	p.TrackStock = typ == Stock
	if ch.TrackStock == nil && ((ch.Serialized != nil && *ch.Serialized) || (ch.BatchTracked != nil && *ch.BatchTracked)) {
		p.TrackStock = true // serialised or batch-tracked implies tracked
	}
	unit := "ea"
	if typ == Time {
		unit = "h"
	} else if v, err := settings.Value(ctx, q, "default_uom"); err == nil && v != "" {
		unit = v
	}
	if ch.StockUOM == nil {
		ch.StockUOM = &unit
	}
	if ch.PurchaseUOM == nil {
		ch.PurchaseUOM = ch.StockUOM
	}
	if ch.SalesUOM == nil {
		ch.SalesUOM = ch.StockUOM
	}
	if err := accountingDefaults(ctx, q, &ch); err != nil {
		return p, err
	}
	if err := apply(ctx, q, &p, nil, ch); err != nil {
		return p, err
	}
	_, err := q.ExecContext(ctx, `INSERT INTO products (sku, name, description, type, active, sellable, purchasable,
		track_stock, serialized, batch_tracked, stock_uom, purchase_uom, sales_uom, cost_price, list_price, sell_price,
		weight, volume, category, manufacturer_id, mfr_part_no, in_portal, portal_description, sales_gl, purchase_gl,
		inventory_gl, cogs_gl, sales_tax_rate, purchase_tax_rate)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
		$23, $24, $25, $26, $27, $28, $29)`,
		p.SKU, p.Name, p.Description, p.Type, p.Active, p.Sellable, p.Purchasable, p.TrackStock, p.Serialized,
		p.BatchTracked, p.StockUOM, p.PurchaseUOM, p.SalesUOM, p.CostPrice, p.ListPrice, p.SellPrice, p.Weight,
		p.Volume, p.Category, p.manufacturerID, p.MfrPartNo, p.InPortal, p.PortalDescription, p.SalesGL,
		p.PurchaseGL, p.InventoryGL, p.COGSGL, p.SalesTaxRate, p.PurchaseTaxRate)
	if err != nil {
		return p, db.Classify(err)
	}
	return Get(ctx, q, sku)
}

// accountingDefaults fills the accounting fields not given from the settings.
func accountingDefaults(ctx context.Context, q sqlx.QueryerContext, ch *Changes) error {
	v, err := settings.Values(ctx, q, "gl_sales", "gl_purchase", "gl_inventory", "gl_cogs", "tax_rate_sales", "tax_rate_purchase")
	if err != nil {
		return err
	}
	for _, f := range []struct {
		dst **string
		key string
	}{{&ch.SalesGL, "gl_sales"}, {&ch.PurchaseGL, "gl_purchase"}, {&ch.InventoryGL, "gl_inventory"}, {&ch.COGSGL, "gl_cogs"}} {
		if *f.dst == nil {
			s := v[f.key]
			*f.dst = &s
		}
	}
	for _, f := range []struct {
		dst **decimal.Decimal
		key string
	}{{&ch.SalesTaxRate, "tax_rate_sales"}, {&ch.PurchaseTaxRate, "tax_rate_purchase"}} {
		if *f.dst != nil {
			continue
		}
		d, err := decimal.NewFromString(v[f.key])
		if err != nil {
			return fault.Invalidf(f.key, "setting %s = %q is not a number: fix it with stockctl settings set %s", f.key, v[f.key], f.key)
		}
		*f.dst = &d
	}
	return nil
}

func validType(t string) bool {
	for _, x := range Types {
		if t == x {
			return true
		}
	}
	return t == System
}

// Edit changes the given fields of a product, enforcing the rules on switching stock
// tracking, serials and batches off while the product has stock, allocations or orders.
// It takes the product's rule lock (get) before it checks anything, so a posting racing
// the edit either commits first (and the edit sees its stock) or is judged by the edit.
func Edit(ctx context.Context, q sqlx.ExtContext, sku string, ch Changes) (Product, error) {
	old, err := get(ctx, q, sku, true)
	if err != nil {
		return old, err
	}
	p := old
	if ch.Type != nil {
		t := strings.ToLower(strings.TrimSpace(*ch.Type))
		if !validType(t) {
			return p, fault.Invalidf("type", "unknown product type %q: use one of %s", t, strings.Join(Types, ", "))
		}
		if (t == System) != (old.Type == System) {
			return p, fault.Invalidf("type", "product %s: the system type cannot be given or taken away", sku)
		}
		p.Type = t
		if t != Stock && ch.TrackStock == nil {
			p.TrackStock, p.Serialized, p.BatchTracked = false, false, false
		}
	}
	if err := apply(ctx, q, &p, &old, ch); err != nil {
		return p, err
	}
	_, err = q.ExecContext(ctx, `UPDATE products SET name = $2, description = $3, type = $4, sellable = $5,
		purchasable = $6, track_stock = $7, serialized = $8, batch_tracked = $9, stock_uom = $10, purchase_uom = $11,
		sales_uom = $12, cost_price = $13, list_price = $14, sell_price = $15, weight = $16, volume = $17,
		category = $18, manufacturer_id = $19, mfr_part_no = $20, in_portal = $21, portal_description = $22,
		sales_gl = $23, purchase_gl = $24, inventory_gl = $25, cogs_gl = $26, sales_tax_rate = $27,
		purchase_tax_rate = $28
		WHERE id = $1`,
		p.ID, p.Name, p.Description, p.Type, p.Sellable, p.Purchasable, p.TrackStock, p.Serialized, p.BatchTracked,
		p.StockUOM, p.PurchaseUOM, p.SalesUOM, p.CostPrice, p.ListPrice, p.SellPrice, p.Weight, p.Volume,
		p.Category, p.manufacturerID, p.MfrPartNo, p.InPortal, p.PortalDescription, p.SalesGL, p.PurchaseGL,
		p.InventoryGL, p.COGSGL, p.SalesTaxRate, p.PurchaseTaxRate)
	if err != nil {
		return p, db.Classify(err)
	}
	return Get(ctx, q, sku)
}

// apply validates ch and copies it onto p; old is the stored product on edit, nil on add.
func apply(ctx context.Context, q sqlx.ExtContext, p *Product, old *Product, ch Changes) error {
	setStr := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	setBool := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	if ch.Name != nil {
		if strings.TrimSpace(*ch.Name) == "" {
			return fault.Invalidf("name", "product %s: the name cannot be empty", p.SKU)
		}
		setStr(&p.Name, ch.Name)
	}
	setStr(&p.Description, ch.Description)
	setBool(&p.Sellable, ch.Sellable)
	setBool(&p.Purchasable, ch.Purchasable)
	setBool(&p.TrackStock, ch.TrackStock)
	setBool(&p.Serialized, ch.Serialized)
	setBool(&p.BatchTracked, ch.BatchTracked)
	for _, t := range []struct {
		v           *string
		field, what string
		max         int
	}{{ch.Category, "category", "a category", bounds.MaxCategory}, {ch.MfrPartNo, "mfr-part-no", "a part number", bounds.MaxPartNo}} {
		if t.v != nil {
			if err := bounds.CheckText(t.what, *t.v, t.max); err != nil {
				return fault.Invalidf(t.field, "product %s: --%s: %v", p.SKU, t.field, err)
			}
		}
	}
	setStr(&p.Category, ch.Category)
	setStr(&p.MfrPartNo, ch.MfrPartNo)
	setBool(&p.InPortal, ch.InPortal)
	setStr(&p.PortalDescription, ch.PortalDescription)
	for _, gl := range []struct {
		dst   *string
		v     *string
		field string
	}{{&p.SalesGL, ch.SalesGL, "sales-gl"}, {&p.PurchaseGL, ch.PurchaseGL, "purchase-gl"},
		{&p.InventoryGL, ch.InventoryGL, "inventory-gl"}, {&p.COGSGL, ch.COGSGL, "cogs-gl"}} {
		if gl.v != nil && strings.ContainsAny(*gl.v, " \t\n") {
			return fault.Invalidf(gl.field, "GL code %q: no spaces", *gl.v)
		}
		setStr(gl.dst, gl.v)
	}
	for _, m := range []struct {
		dst   *decimal.Decimal
		v     *decimal.Decimal
		field string
	}{{&p.CostPrice, ch.CostPrice, "cost"}, {&p.ListPrice, ch.ListPrice, "list-price"}, {&p.SellPrice, ch.SellPrice, "sell-price"}} {
		if m.v == nil {
			continue
		}
		if m.v.IsNegative() {
			return fault.Invalidf(m.field, "product %s: --%s %s cannot be negative", p.SKU, m.field, m.v)
		}
		*m.dst = *m.v
	}
	for _, m := range []struct {
		dst   **decimal.Decimal
		v     *decimal.Decimal
		field string
	}{{&p.Weight, ch.Weight, "weight"}, {&p.Volume, ch.Volume, "volume"}} {
		if m.v == nil {
			continue
		}
		if m.v.IsNegative() {
			return fault.Invalidf(m.field, "product %s: --%s %s cannot be negative", p.SKU, m.field, m.v)
		}
		v := *m.v
		*m.dst = &v
	}
	for _, r := range []struct {
		dst   **decimal.Decimal
		v     *decimal.Decimal
		field string
	}{{&p.SalesTaxRate, ch.SalesTaxRate, "sales-tax-rate"}, {&p.PurchaseTaxRate, ch.PurchaseTaxRate, "purchase-tax-rate"}} {
		if r.v == nil {
			continue
		}
		if r.v.IsNegative() || r.v.GreaterThan(decimal.NewFromInt(100)) {
			return fault.Invalidf(r.field, "product %s: --%s %s: give a percentage from 0 to 100", p.SKU, r.field, r.v)
		}
		v := *r.v
		*r.dst = &v
	}
	if ch.Manufacturer != nil {
		if *ch.Manufacturer == "" {
			p.Manufacturer, p.manufacturerID = nil, nil
		} else {
			m, err := company.Get(ctx, q, *ch.Manufacturer)
			if fault.Is(err, fault.NotFound) {
				return fault.Unknownf("manufacturer", "unknown manufacturer %s: add it with stockctl company add %s --name N --manufacturer", *ch.Manufacturer, *ch.Manufacturer)
			}
			if err != nil {
				return err
			}
			if !m.Manufacturer {
				return fault.Invalidf("manufacturer", "company %s is not a manufacturer: stockctl company edit %s --manufacturer", m.Code, m.Code)
			}
			p.Manufacturer, p.manufacturerID = &m.Code, &m.ID
		}
	}
	if err := applyUnits(ctx, q, p, old, ch); err != nil {
		return err
	}
	return checkTracking(ctx, q, p, old, ch)
}

// applyUnits sets the stock, purchase and sales units: the purchase and sales units must be of
// the stock unit's category or one of the product's own pack units.
func applyUnits(ctx context.Context, q sqlx.ExtContext, p *Product, old *Product, ch Changes) error {
	if ch.StockUOM != nil {
		u, err := uom.Get(ctx, q, strings.TrimSpace(*ch.StockUOM))
		if err != nil {
			return fault.Wrap(fault.KindOf(err), err, "--uom")
		}
		if old != nil && old.StockUOM != u.Code {
			act, err := activity(ctx, q, p.ID)
			if err != nil {
				return err
			}
			if !act.OnHand.IsZero() || act.Moves > 0 || act.OpenOrders > 0 {
				return fault.Invalidf("uom", "product %s: the stock unit cannot change from %s to %s once it has stock, moves or open orders (quantities are stored in it)", p.SKU, old.StockUOM, u.Code)
			}
		}
		p.StockUOM = u.Code
	}
	stock, err := uom.Get(ctx, q, p.StockUOM)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		dst  *string
		v    *string
		flag string
	}{{&p.PurchaseUOM, ch.PurchaseUOM, "purchase-uom"}, {&p.SalesUOM, ch.SalesUOM, "sales-uom"}} {
		code := *f.dst
		if f.v != nil {
			code = strings.TrimSpace(*f.v)
		} else if ch.StockUOM == nil {
			continue
		}
		if p.ID != 0 {
			var isPack bool
			if err := sqlx.GetContext(ctx, q, &isPack, `SELECT EXISTS (SELECT 1 FROM product_packs WHERE product_id = $1 AND code = $2)`, p.ID, code); err != nil {
				return db.Classify(err)
			}
			if isPack {
				*f.dst = code
				continue
			}
		}
		u, err := uom.Get(ctx, q, code)
		if err != nil {
			return fault.Wrap(fault.KindOf(err), err, "--%s", f.flag)
		}
		if u.Category != stock.Category {
			return fault.Invalidf(f.flag, "product %s: --%s %s is a %s unit but the stock unit %s is %s: use a %s unit or a pack unit of the product",
				p.SKU, f.flag, u.Code, u.Category, stock.Code, stock.Category, stock.Category)
		}
		*f.dst = u.Code
	}
	return nil
}

// Activity is what a product is doing elsewhere, from the product_activity view that the
// stock and order areas extend.
type Activity struct {
	OnHand     decimal.Decimal `db:"on_hand" json:"on_hand"`
	Allocated  decimal.Decimal `db:"allocated" json:"allocated"`
	OpenOrders int64           `db:"open_orders" json:"open_orders"`
	Moves      int64           `db:"moves" json:"moves"`
}

func activity(ctx context.Context, q sqlx.QueryerContext, productID int64) (Activity, error) {
	var a Activity
	err := sqlx.GetContext(ctx, q, &a, `SELECT coalesce(sum(on_hand), 0) AS on_hand, coalesce(sum(allocated), 0) AS allocated,
		coalesce(sum(open_orders), 0)::bigint AS open_orders, coalesce(sum(moves), 0)::bigint AS moves
		FROM product_activity WHERE product_id = $1`, productID)
	return a, db.Classify(err)
}

// checkTracking enforces the type rules and refuses switching tracking, serials or batches
// while the product's stock, allocations, orders or history depend on them.
func checkTracking(ctx context.Context, q sqlx.QueryerContext, p *Product, old *Product, ch Changes) error {
	if (p.Serialized || p.BatchTracked) && !p.TrackStock {
		if ch.TrackStock != nil && !*ch.TrackStock {
			return fault.Invalidf("track-stock", "product %s: serialised or batch-tracked products are always stock-tracked; drop --serialized/--batch-tracked to stop tracking", p.SKU)
		}
		if p.Type == Stock {
			p.TrackStock = true
		}
	}
	if p.TrackStock && p.Type != Stock {
		return fault.Invalidf("track-stock", "product %s is of type %s, which is never stock-tracked; only stock products are", p.SKU, p.Type)
	}
	if p.Serialized && p.BatchTracked {
		return fault.Invalidf("serialized", "product %s: choose serial numbers or batches, not both", p.SKU)
	}
	if old == nil {
		return nil
	}
	changed := old.TrackStock != p.TrackStock || old.Serialized != p.Serialized || old.BatchTracked != p.BatchTracked
	if !changed {
		return nil
	}
	act, err := activity(ctx, q, p.ID)
	if err != nil {
		return err
	}
	if old.TrackStock && !p.TrackStock {
		var why []string
		if !act.OnHand.IsZero() {
			why = append(why, fmt.Sprintf("%s %s on hand", act.OnHand, p.StockUOM))
		}
		if !act.Allocated.IsZero() {
			why = append(why, fmt.Sprintf("%s %s allocated to orders", act.Allocated, p.StockUOM))
		}
		if act.OpenOrders > 0 {
			why = append(why, fmt.Sprintf("%d open order lines", act.OpenOrders))
		}
		if len(why) > 0 {
			return fault.Invalidf("track-stock", "cannot stop tracking stock of %s: it has %s; clear them first", p.SKU, strings.Join(why, ", "))
		}
	}
	if !old.TrackStock && p.TrackStock {
		if err := checkUntrackedLines(ctx, q, p); err != nil {
			return err
		}
	}
	if (old.Serialized && !p.Serialized) || (old.BatchTracked && !p.BatchTracked) {
		if act.Moves > 0 {
			what := map[bool]string{true: "serial numbers", false: "batches"}[old.Serialized]
			return fault.Invalidf("serialized", "cannot switch %s off for %s: it has %d stock moves that name them", what, p.SKU, act.Moves)
		}
	}
	if (!old.Serialized && p.Serialized) || (!old.BatchTracked && p.BatchTracked) {
		if !act.OnHand.IsZero() {
			what := map[bool]string{true: "serial numbers", false: "batches"}[p.Serialized]
			return fault.Invalidf("serialized", "cannot switch %s on for %s while %s %s are on hand without them: adjust the stock to zero first", what, p.SKU, act.OnHand, p.StockUOM)
		}
	}
	return nil
}

// SetActive activates or deactivates a product. Deactivating one with stock on hand needs
// force; the on-hand quantity is returned so the caller can warn. The stock is read under
// the product's rule lock (get), so a posting in flight is waited for and counted.
func SetActive(ctx context.Context, q sqlx.ExtContext, sku string, active, force bool) (Product, decimal.Decimal, error) {
	p, err := get(ctx, q, sku, true)
	if err != nil {
		return p, decimal.Zero, err
	}
	act, err := activity(ctx, q, p.ID)
	if err != nil {
		return p, decimal.Zero, err
	}
	if !active && !act.OnHand.IsZero() && !force {
		return p, act.OnHand, fault.Invalidf("force", "product %s has %s %s on hand: deactivate it with --force to keep the stock but stop new documents using it", sku, act.OnHand, p.StockUOM)
	}
	if p.Active != active {
		if _, err := q.ExecContext(ctx, `UPDATE products SET active = $2 WHERE id = $1`, p.ID, active); err != nil {
			return p, act.OnHand, db.Classify(err)
		}
	}
	p, err = Get(ctx, q, sku)
	return p, act.OnHand, err
}

// Delete removes a product that has never been used. System products are never deleted, and
// a product with history (moves, document lines, variants, BOMs naming it) must be
// deactivated instead, so its history stays. The history is read under the product's
// rule lock (get): a posting in flight is waited for, and one that comes later finds the
// product gone.
func Delete(ctx context.Context, q sqlx.ExtContext, sku string) error {
	p, err := get(ctx, q, sku, true)
	if err != nil {
		return err
	}
	if p.Type == System {
		return fault.Invalidf("sku", "product %s is a system product: it can be edited but never deleted", sku)
	}
	act, err := activity(ctx, q, p.ID)
	if err != nil {
		return err
	}
	if act.Moves > 0 || act.OpenOrders > 0 || !act.OnHand.IsZero() {
		return fault.Conflictf("product %s has stock history or orders: deactivate it instead (stockctl product deactivate %s)", sku, sku)
	}
	// The foreign keys of every table naming products decide whether it was used; the error
	// ends the caller's transaction, which is rolled back anyway.
	if _, err := q.ExecContext(ctx, `DELETE FROM products WHERE id = $1`, p.ID); err != nil {
		if db.SQLState(err) == "23503" {
			return fault.Conflictf("product %s is used elsewhere (variants, bills of materials or documents): deactivate it instead (stockctl product deactivate %s)", sku, sku)
		}
		return db.Classify(err)
	}
	return nil
}

// Filter narrows List.
type Filter struct {
	Type     string
	Status   string // "active" (default), "inactive" or "all"
	Portal   bool
	Search   string // matched against SKU, name, description, category, part numbers and features
	Category string
	Limit    int
}

// where is the condition on products p that f selects, with its arguments $1..$5.
func (f Filter) where() (string, []any, error) {
	if f.Type != "" && !validType(f.Type) {
		return "", nil, fault.Invalidf("type", "unknown product type %q: use one of %s, system", f.Type, strings.Join(Types, ", "))
	}
	var status *bool
	switch f.Status {
	case "", "active":
		t := true
		status = &t
	case "inactive":
		fl := false
		status = &fl
	case "all":
	default:
		return "", nil, fault.Invalidf("status", "unknown status %q: use active, inactive or all", f.Status)
	}
	pattern := ""
	if f.Search != "" {
		pattern = "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Search) + "%"
	}
	return `($1::boolean IS NULL OR p.active = $1)
		  AND ($2 = '' OR p.type = $2)
		  AND (NOT $3 OR p.in_portal)
		  AND ($4 = '' OR p.category = $4)
		  AND ($5 = '' OR p.sku ILIKE $5 OR p.name ILIKE $5 OR p.description ILIKE $5 OR p.category ILIKE $5
		       OR p.mfr_part_no ILIKE $5
		       OR EXISTS (SELECT 1 FROM product_features f WHERE f.product_id = p.id
		                  AND (f.value ILIKE $5 OR f.name ILIKE $5 OR f.name || '=' || f.value ILIKE $5)))`,
		[]any{status, f.Type, f.Portal, f.Category, pattern}, nil
}

// List returns the products matching f by SKU.
func List(ctx context.Context, q sqlx.QueryerContext, f Filter) ([]Product, error) {
	where, args, err := f.where()
	if err != nil {
		return nil, err
	}
	query := selectProduct + ` WHERE ` + where + ` ORDER BY p.sku`
	if f.Limit > 0 {
		query += ` LIMIT $6`
		args = append(args, f.Limit)
	}
	var rows []productRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, db.Classify(err)
	}
	ps := make([]Product, len(rows))
	for i, r := range rows {
		ps[i] = r.product()
	}
	return ps, nil
}

// Missing is a product that lacks accounting details its flags require.
type Missing struct {
	SKU     string   `db:"sku" json:"sku"`
	Name    string   `db:"name" json:"name"`
	Type    string   `db:"type" json:"type"`
	Missing []string `db:"-" json:"missing"`
}

// Check lists active products missing what their flags require: a sellable product needs a
// sales GL code and selling tax rate, a purchasable one a purchase GL code and purchasing
// tax rate, a stock-tracked one inventory asset and COGS GL codes.
func Check(ctx context.Context, q sqlx.QueryerContext) ([]Missing, error) {
	rows, err := q.QueryxContext(ctx, `SELECT sku, name, type, array_to_string(array_remove(ARRAY[
		CASE WHEN sellable AND sales_gl = '' THEN 'sales_gl' END,
		CASE WHEN sellable AND sales_tax_rate IS NULL THEN 'sales_tax_rate' END,
		CASE WHEN purchasable AND purchase_gl = '' THEN 'purchase_gl' END,
		CASE WHEN purchasable AND purchase_tax_rate IS NULL THEN 'purchase_tax_rate' END,
		CASE WHEN track_stock AND inventory_gl = '' THEN 'inventory_gl' END,
		CASE WHEN track_stock AND cogs_gl = '' THEN 'cogs_gl' END], NULL), ',') AS missing
		FROM products
		WHERE active AND ((sellable AND (sales_gl = '' OR sales_tax_rate IS NULL))
		   OR (purchasable AND (purchase_gl = '' OR purchase_tax_rate IS NULL))
		   OR (track_stock AND (inventory_gl = '' OR cogs_gl = '')))
		ORDER BY sku`)
	if err != nil {
		return nil, db.Classify(err)
	}
	defer rows.Close()
	var out []Missing
	for rows.Next() {
		var m Missing
		var missing string
		if err := rows.Scan(&m.SKU, &m.Name, &m.Type, &missing); err != nil {
			return nil, db.Classify(err)
		}
		m.Missing = strings.Split(missing, ",")
		out = append(out, m)
	}
	return out, db.Classify(rows.Err())
}

// untrackedLine is an open sales order line taken while its product was not stock-tracked
// (the product_untracked_lines view, which the order migrations define).
type untrackedLine struct {
	SO     string          `db:"so"`
	LineNo int             `db:"line_no"`
	Qty    decimal.Decimal `db:"qty"`
	Status string          `db:"status"`
}

// checkUntrackedLines refuses to start tracking stock of p while open sales order lines of it
// were taken as non-stock lines: they would never be allocated or shipped, so the goods sold
// would never leave stock. The error names every such line (up to ten) and what to do. The
// caller holds the product's rule lock (get with forUpdate), and sales lines are added under
// its share side (RequireActiveShared), so no line slips in between the check and the change.
func checkUntrackedLines(ctx context.Context, q sqlx.QueryerContext, p *Product) error {
	var ls []untrackedLine
	if err := sqlx.SelectContext(ctx, q, &ls, `SELECT so, line_no, qty, status FROM product_untracked_lines
		WHERE product_id = $1 ORDER BY so, line_no LIMIT 11`, p.ID); err != nil {
		return db.Classify(err)
	}
	if len(ls) == 0 {
		return nil
	}
	var names []string
	for i, l := range ls {
		if i == 10 {
			names = append(names, "and more")
			break
		}
		names = append(names, fmt.Sprintf("%s line %d (%s %s, %s)", l.SO, l.LineNo, l.Qty, p.StockUOM, l.Status))
	}
	return fault.Invalidf("track-stock", "cannot start tracking stock of %s: %s sold it while it was not tracked and would never take it out of stock: "+
		"cancel those orders (stockctl so cancel SO) and sell it again once it is tracked, or invoice them if the goods have already gone",
		p.SKU, strings.Join(names, ", "))
}
