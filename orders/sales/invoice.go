package sales

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/business/numbering"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// InvoiceHeader is an invoice without its lines.
type InvoiceHeader struct {
	ID       int64           `db:"id" json:"-"`
	Number   string          `db:"number" json:"number"`
	SO       string          `db:"so" json:"so"`
	Customer string          `db:"customer" json:"customer"`
	Date     time.Time       `db:"invoice_date" json:"date" print:"date"`
	Currency string          `db:"currency" json:"currency"`
	Rate     decimal.Decimal `db:"rate" json:"rate" print:"wide"`
	Subtotal decimal.Decimal `db:"subtotal" json:"subtotal"`
	Tax      decimal.Decimal `db:"tax" json:"tax"`
	Total    decimal.Decimal `db:"total" json:"total"`
	// CreatedAt and CreatedBy say who invoiced when.
	CreatedAt time.Time `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy string    `db:"created_by" json:"created_by" print:"wide"`
}

// InvoiceLine is one line of an invoice. Amount is net of tax in the invoice's currency.
type InvoiceLine struct {
	LineNo    int             `db:"line_no" json:"line"`
	SOLine    int             `db:"so_line" json:"so_line"`
	SKU       string          `db:"sku" json:"sku"`
	Name      string          `db:"name" json:"name" print:"wide"`
	Qty       decimal.Decimal `db:"qty" json:"qty"`
	UnitPrice decimal.Decimal `db:"unit_price" json:"unit_price"`
	Discount  decimal.Decimal `db:"discount" json:"discount"`
	TaxRate   decimal.Decimal `db:"tax_rate" json:"tax_rate"`
	Amount    decimal.Decimal `db:"amount" json:"amount"`
	Tax       decimal.Decimal `db:"tax" json:"tax"`
}

// InvoiceDoc is an invoice with its lines.
type InvoiceDoc struct {
	InvoiceHeader
	Lines []InvoiceLine `json:"lines"`
}

// ExportRow is one invoice line with its invoice's header: the CSV/JSON invoice export gives
// an accounting system.
type ExportRow struct {
	Invoice   string          `db:"number" json:"invoice"`
	Date      time.Time       `db:"invoice_date" json:"date" print:"date"`
	SO        string          `db:"so" json:"so"`
	Customer  string          `db:"customer" json:"customer"`
	Currency  string          `db:"currency" json:"currency"`
	Rate      decimal.Decimal `db:"rate" json:"rate"`
	LineNo    int             `db:"line_no" json:"line"`
	SKU       string          `db:"sku" json:"sku"`
	Qty       decimal.Decimal `db:"qty" json:"qty"`
	UnitPrice decimal.Decimal `db:"unit_price" json:"unit_price"`
	Discount  decimal.Decimal `db:"discount" json:"discount"`
	TaxRate   decimal.Decimal `db:"tax_rate" json:"tax_rate"`
	Amount    decimal.Decimal `db:"amount" json:"amount"`
	Tax       decimal.Decimal `db:"tax" json:"tax"`
	SalesGL   string          `db:"sales_gl" json:"sales_gl"`
	Total     decimal.Decimal `db:"total" json:"invoice_total"`
}

// Invoice invoices what a sales order has shipped and not yet invoiced, and its non-stock
// lines not yet invoiced, on date (zero: today). Each line's amount (net of tax) and tax are
// currency.Line's, under the tax mode frozen on the order when it was made (not the setting as
// it is now) and rounded per line half away from zero to the currency's minor unit, exactly as
// the order shows them: an invoice of whole lines totals what those lines total on the order.
// The invoice is numbered (number_format_inv) and immutable (a trigger refuses changes). The
// order closes when every stock line has shipped in full and every line is invoiced in full.
func Invoice(ctx context.Context, q sqlx.ExtContext, number string, date time.Time) (InvoiceDoc, error) {
	o, err := lockOrder(ctx, q, number)
	if err != nil {
		return InvoiceDoc{}, err
	}
	switch o.Status {
	case Confirmed, PartiallyShipped, Shipped:
	default:
		return InvoiceDoc{}, fault.Invalidf("so", "sales order %s is %s: only confirmed orders are invoiced", o.Number, o.Status)
	}
	if date.IsZero() {
		date = clock.Today()
	}
	var lines []struct {
		ID        int64           `db:"id"`
		LineNo    int             `db:"line_no"`
		ProductID int64           `db:"product_id"`
		Qty       decimal.Decimal `db:"qty"`
		UnitPrice decimal.Decimal `db:"unit_price"`
		Discount  decimal.Decimal `db:"discount"`
		TaxRate   decimal.Decimal `db:"tax_rate"`
		LineQty   decimal.Decimal `db:"line_qty"`   // the whole line, stock unit
		PricedQty decimal.Decimal `db:"priced_qty"` // the whole line in the unit its price is per
		Price     decimal.Decimal `db:"price"`      // per that unit
	}
	// Invoices count in the stock unit (what shipped); a line priced per a unit of its own
	// shows its price per stock unit and is billed its share of entered qty × unit price.
	err = sqlx.SelectContext(ctx, q, &lines, `SELECT id, line_no, product_id,
			CASE WHEN stock THEN shipped ELSE qty END - invoiced AS qty,
			CASE WHEN unit_priced THEN round(unit_price * entered_qty / qty, 6) ELSE unit_price END AS unit_price, discount, tax_rate,
			qty AS line_qty, CASE WHEN unit_priced THEN entered_qty ELSE qty END AS priced_qty, unit_price AS price
		FROM so_lines WHERE so_id = $1 AND CASE WHEN stock THEN shipped ELSE qty END > invoiced ORDER BY line_no`, o.ID)
	if err != nil {
		return InvoiceDoc{}, db.Classify(err)
	}
	if len(lines) == 0 {
		return InvoiceDoc{}, fault.Invalidf("so", "sales order %s has nothing shipped and not yet invoiced: ship it first with stockctl so ship %s", o.Number, o.Number)
	}
	n := len(lines)
	ids, soLines, prods := make(pq.Int64Array, n), make(pq.Int64Array, n), make(pq.Int64Array, n)
	qtys, prices, discs, rates, amounts, taxes := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	zero := currency.Round(decimal.Zero, o.MinorUnits)
	subtotal, taxTotal := zero, zero
	for i, l := range lines {
		// The part invoiced in the price's unit: the whole line's priced quantity when the
		// whole line is invoiced, so an invoice of whole lines gives what the order gives.
		priced := l.PricedQty
		if !l.Qty.Equal(l.LineQty) {
			priced = l.Qty.Mul(l.PricedQty).Div(l.LineQty)
		}
		m := currency.Line(l.Price, priced, l.Discount, l.TaxRate, o.PricesIncludeTax, o.MinorUnits)
		subtotal, taxTotal = subtotal.Add(m.Net), taxTotal.Add(m.Tax)
		ids[i], soLines[i], prods[i] = int64(i+1), l.ID, l.ProductID
		qtys[i], prices[i], discs[i], rates[i] = l.Qty.String(), l.UnitPrice.String(), l.Discount.String(), l.TaxRate.String()
		amounts[i], taxes[i] = m.Net.StringFixed(o.MinorUnits), m.Tax.StringFixed(o.MinorUnits)
	}
	inv, err := numbering.Next(ctx, q, numbering.Invoice)
	if err != nil {
		return InvoiceDoc{}, err
	}
	var invID int64
	err = sqlx.GetContext(ctx, q, &invID, `INSERT INTO invoices (number, so_id, customer_id, currency, rate, invoice_date, subtotal, tax, total)
		VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8, $9) RETURNING id`,
		inv, o.ID, o.CustomerID, o.Currency, o.Rate, dateOnly(date), subtotal.StringFixed(o.MinorUnits), taxTotal.StringFixed(o.MinorUnits),
		subtotal.Add(taxTotal).StringFixed(o.MinorUnits))
	if err != nil {
		return InvoiceDoc{}, db.Classify(err)
	}
	_, err = q.ExecContext(ctx, `WITH l AS (
			SELECT * FROM unnest($2::int[], $3::bigint[], $4::bigint[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[])
			AS l(line_no, so_line_id, product_id, qty, unit_price, discount, tax_rate, amount, tax)
		), ins AS (
			INSERT INTO invoice_lines (invoice_id, line_no, so_line_id, product_id, qty, unit_price, discount, tax_rate, amount, tax)
			SELECT $1, line_no, so_line_id, product_id, qty, unit_price, discount, tax_rate, amount, tax FROM l
		)
		UPDATE so_lines x SET invoiced = x.invoiced + l.qty FROM l WHERE x.id = l.so_line_id`,
		invID, ids, soLines, prods, pq.StringArray(qtys), pq.StringArray(prices), pq.StringArray(discs), pq.StringArray(rates),
		pq.StringArray(amounts), pq.StringArray(taxes))
	if err != nil {
		return InvoiceDoc{}, db.Classify(err)
	}
	if _, err := q.ExecContext(ctx, `UPDATE sales_orders SET status = 'closed' WHERE id = $1
		AND NOT EXISTS (SELECT 1 FROM so_lines WHERE so_id = $1 AND ((stock AND shipped < qty) OR invoiced < qty))`, o.ID); err != nil {
		return InvoiceDoc{}, db.Classify(err)
	}
	return GetInvoice(ctx, q, inv)
}

// The invoice's money is read in its currency's minor unit (invoices written before stockctl
// kept the scale could hold 100 for 100.00).
const selectInvoice = `SELECT i.id, i.number, o.number AS so, c.code AS customer, i.invoice_date, i.currency, i.rate,
	round(i.subtotal, cu.minor_units) AS subtotal, round(i.tax, cu.minor_units) AS tax, round(i.total, cu.minor_units) AS total,
	i.created_at, i.created_by
	FROM invoices i JOIN sales_orders o ON o.id = i.so_id JOIN companies c ON c.id = i.customer_id
	JOIN currencies cu ON cu.code = i.currency`

// GetInvoice returns an invoice with its lines.
func GetInvoice(ctx context.Context, q sqlx.QueryerContext, number string) (InvoiceDoc, error) {
	var d InvoiceDoc
	err := sqlx.GetContext(ctx, q, &d.InvoiceHeader, selectInvoice+` WHERE i.number = $1`, number)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fault.NotFoundf("invoice %s does not exist (see stockctl invoice list)", number)
	}
	if err != nil {
		return d, db.Classify(err)
	}
	d.Lines = []InvoiceLine{}
	err = sqlx.SelectContext(ctx, q, &d.Lines, `SELECT l.line_no, x.line_no AS so_line, p.sku, p.name, l.qty, l.unit_price, l.discount,
		l.tax_rate, round(l.amount, cu.minor_units) AS amount, round(l.tax, cu.minor_units) AS tax
		FROM invoice_lines l JOIN so_lines x ON x.id = l.so_line_id JOIN products p ON p.id = l.product_id
		JOIN currencies cu ON cu.code = $2
		WHERE l.invoice_id = $1 ORDER BY l.line_no`, d.ID, d.Currency)
	return d, db.Classify(err)
}

// InvoiceFilter narrows Invoices and Export.
type InvoiceFilter struct {
	SO       string
	Customer string
	Since    *time.Time // invoice date on or after
}

// check refuses a filter that names a sales order or company that does not exist, so a
// typing mistake is an error rather than an empty list.
func (f InvoiceFilter) check(ctx context.Context, q sqlx.QueryerContext) error {
	if f.SO != "" {
		if _, err := getOrder(ctx, q, f.SO); err != nil {
			return err
		}
	}
	if f.Customer != "" {
		if _, err := company.Get(ctx, q, f.Customer); fault.Is(err, fault.NotFound) {
			return fault.Unknownf("customer", "unknown customer %q: see stockctl company list --customers", f.Customer)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Invoices lists invoices, newest first.
func Invoices(ctx context.Context, q sqlx.QueryerContext, f InvoiceFilter) ([]InvoiceHeader, error) {
	if err := f.check(ctx, q); err != nil {
		return nil, err
	}
	out := []InvoiceHeader{}
	err := sqlx.SelectContext(ctx, q, &out, selectInvoice+` WHERE ($1 = '' OR o.number = $1) AND ($2 = '' OR c.code = $2)
		AND ($3::date IS NULL OR i.invoice_date >= $3::date) ORDER BY i.id DESC`, f.SO, f.Customer, datePtr(f.Since))
	return out, db.Classify(err)
}

// Export returns every invoice line with its header, oldest invoice first, for an accounting
// system. The sales GL code is the product's, else the setting gl_sales.
func Export(ctx context.Context, q sqlx.QueryerContext, f InvoiceFilter) ([]ExportRow, error) {
	if err := f.check(ctx, q); err != nil {
		return nil, err
	}
	out := []ExportRow{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT i.number, i.invoice_date, o.number AS so, c.code AS customer, i.currency, i.rate,
			l.line_no, p.sku, l.qty, l.unit_price, l.discount, l.tax_rate, round(l.amount, cu.minor_units) AS amount,
			round(l.tax, cu.minor_units) AS tax,
			coalesce(nullif(p.sales_gl, ''), (SELECT value FROM settings WHERE key = 'gl_sales'), '') AS sales_gl,
			round(i.total, cu.minor_units) AS total
		FROM invoices i JOIN currencies cu ON cu.code = i.currency
		JOIN invoice_lines l ON l.invoice_id = i.id JOIN sales_orders o ON o.id = i.so_id
		JOIN companies c ON c.id = i.customer_id JOIN products p ON p.id = l.product_id
		WHERE ($1 = '' OR o.number = $1) AND ($2 = '' OR c.code = $2) AND ($3::date IS NULL OR i.invoice_date >= $3::date)
		ORDER BY i.id, l.line_no`, f.SO, f.Customer, datePtr(f.Since))
	return out, db.Classify(err)
}
