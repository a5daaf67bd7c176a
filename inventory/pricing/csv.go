package pricing

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/pricetype"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgcopy"
	"github.com/stockctl/stockctl/io/csvio"
)

// The CSV formats of price breaks and special prices (docs/csv-formats.md). An import reads
// the file a chunk at a time, checks every row's cells, then hands the chunk's good rows to
// setBreaks or setSpecials in one call, so the rules are those of price break add and price
// special add; a key repeated from an earlier chunk is refused as one repeated within it.

// BreakCSVColumns are the price break columns in export order; BreakCSVRequired the ones a
// file must have.
var (
	BreakCSVColumns  = []string{"sku", "price_type", "region", "min_qty", "price"}
	BreakCSVRequired = []string{"sku", "price"}
)

// SpecialCSVColumns are the special price columns in export order; SpecialCSVRequired the
// ones a file must have.
var (
	SpecialCSVColumns  = []string{"customer", "sku", "min_qty", "price", "valid_from", "valid_until"}
	SpecialCSVRequired = []string{"customer", "sku", "price"}
)

// csvImport is one import in progress, a chunk of opt.Chunk() rows at a time: the rows
// of the chunk, what is wrong with each, the rows that go to the bulk write (indexes into
// rows), and the keys of the earlier chunks' rows (log).
type csvImport struct {
	columns []string
	fields  map[string]string // a bulk write's field name -> column, where they differ
	rows    []csvio.Row
	errs    map[int][]csvio.RowError // by index into rows
	good    []int
	log     *pgcopy.KeyLog
}

func (im *csvImport) col(name string) int {
	for i, c := range im.columns {
		if c == name {
			return i
		}
	}
	return -1
}

// bad records a reason row i (index into rows) is refused, with the cell's value.
func (im *csvImport) bad(i int, column, reason string) {
	v := ""
	if j := im.col(column); j >= 0 && j < len(im.rows[i].Values) {
		v = im.rows[i].Values[j]
	}
	im.errs[i] = append(im.errs[i], csvio.RowError{Row: im.rows[i].Num, Column: column, Value: v, Reason: reason})
}

// run reads r a chunk at a time, parsing each row with parse (which reports its problems
// with bad and returns whether the row is good; i is the row's index in the chunk) and
// handing each chunk's good rows to set, all in the caller's transaction. Every refused row
// goes to opt.Rejects, in file order. With any refused row and opt.SkipInvalid off it
// returns csvio.ErrRowsInvalid after reading the whole file (so that every bad row is
// reported), and the caller must roll back what the chunks wrote.
func (im *csvImport) run(r *csvio.Reader, opt csvio.ImportOptions, parse func(i int, v []string) bool,
	set func(idx []int, rowNo rowNumber) (Counts, csvio.RowErrors, error)) (csvio.Result, error) {
	var res csvio.Result
	read := 0
	for {
		more, err := im.read(r, opt, parse, &read)
		if err != nil {
			return csvio.Result{}, err
		}
		c, rejected, err := im.write(opt, set)
		if err != nil {
			return res, err
		}
		res.Rejected += rejected
		res.Created, res.Updated, res.Unchanged = res.Created+int64(c.Created), res.Updated+int64(c.Updated), res.Unchanged+int64(c.Unchanged)
		if !more {
			break
		}
	}
	return csvio.Finish(res, opt)
}

// read reads the next chunk of r (read counts the rows so far, for opt.Progress) and says
// whether the file may have more.
func (im *csvImport) read(r *csvio.Reader, opt csvio.ImportOptions, parse func(i int, v []string) bool, read *int) (bool, error) {
	im.rows, im.good, im.errs = im.rows[:0], im.good[:0], map[int][]csvio.RowError{}
	for len(im.rows) < opt.Chunk() {
		row, err := r.Next()
		if err == io.EOF {
			return false, nil
		}
		var re *csvio.RowError
		if err != nil && !errors.As(err, &re) {
			return false, err
		}
		i := len(im.rows)
		im.rows = append(im.rows, row)
		if re != nil {
			im.errs[i] = append(im.errs[i], *re)
		} else if parse(i, row.Values) {
			im.good = append(im.good, i)
		}
		if *read++; opt.Progress != nil && *read%1000 == 0 {
			opt.Progress(*read)
		}
	}
	return true, nil
}

// write hands the chunk's good rows to set (which gets the indexes of the rows to write and
// writes nothing when it refuses any). Refused rows are reported with their file row
// numbers; with opt.SkipInvalid they are dropped and the others written, else nothing of
// the chunk is written. Rejected rows go to opt.Rejects in file order; it returns what was
// written and how many rows were rejected.
func (im *csvImport) write(opt csvio.ImportOptions, set func(idx []int, rowNo rowNumber) (Counts, csvio.RowErrors, error)) (Counts, int64, error) {
	var c Counts
	idx := im.good
	for len(idx) > 0 {
		cur := idx
		var refused csvio.RowErrors
		var err error
		c, refused, err = set(cur, func(j int) int { return im.rows[cur[j]].Num })
		if err != nil {
			return c, 0, err
		}
		if len(refused) == 0 {
			break
		}
		at := make(map[int]int, len(cur)) // file row -> index into im.rows
		for _, i := range cur {
			at[im.rows[i].Num] = i
		}
		drop := map[int]bool{}
		for _, e := range refused {
			column := e.Column
			if f, ok := im.fields[column]; ok {
				column = f
			}
			im.bad(at[e.Row], column, e.Reason)
			drop[at[e.Row]] = true
		}
		c = Counts{}
		if !opt.SkipInvalid {
			break
		}
		idx = nil
		for _, i := range cur {
			if !drop[i] {
				idx = append(idx, i)
			}
		}
	}
	var rejected int64
	for i, row := range im.rows {
		errs, ok := im.errs[i]
		if !ok {
			continue
		}
		rejected++
		if opt.Rejects != nil {
			if err := opt.Rejects(csvio.Rejected{Row: row.Num, Values: row.Values, Errors: errs}); err != nil {
				return c, rejected, err
			}
		}
	}
	return c, rejected, nil
}

// parseAmount reads a number cell of kind k (bounds: plain, with a dot, no thousands
// separators or exponent, within the kind's digits). An empty cell is def (nil: required).
func (im *csvImport) parseAmount(i int, column, v string, k bounds.Number, def *decimal.Decimal) (decimal.Decimal, bool) {
	if v == "" {
		if def != nil {
			return *def, true
		}
		im.bad(i, column, "missing: give a number like 12.50")
		return decimal.Zero, false
	}
	d, err := k.Parse(v)
	if err != nil {
		im.bad(i, column, err.Error())
		return decimal.Zero, false
	}
	return d, true
}

// parseDay reads an optional date cell, YYYY-MM-DD from 1900 to 9999.
func (im *csvImport) parseDay(i int, column, v string) (*time.Time, bool) {
	if v == "" {
		return nil, true
	}
	t, err := bounds.ParseDay(v)
	if err != nil {
		im.bad(i, column, err.Error())
		return nil, false
	}
	return &t, true
}

// need reports a missing required cell.
func (im *csvImport) need(i int, column, v, what string) bool {
	if v == "" {
		im.bad(i, column, "missing: give "+what)
		return false
	}
	return true
}

var zero = decimal.Zero

// ImportBreaks sets price break rows from a CSV file (columns BreakCSVColumns) in b's
// transaction, with the rules of SetBreaks: a row is keyed by SKU, price type (empty: the
// default one), region (empty: none) and minimum quantity (empty: 0); the default price
// type's row at minimum 0 without region is the product's unit sell price. Every reason of
// every bad row goes to opt.Rejects with its file row number and column.
func ImportBreaks(ctx context.Context, b *db.Bulk, r *csvio.Reader, opt csvio.ImportOptions) (csvio.Result, error) {
	im := &csvImport{columns: BreakCSVColumns, log: pgcopy.NewKeyLog(b, "price_break_import_keys")}
	var inputs []BreakInput // by index into im.rows
	return im.run(r, opt, func(i int, v []string) bool {
		in := BreakInput{SKU: v[0], PriceType: v[1], Region: v[2]}
		ok := im.need(i, "sku", in.SKU, "the product's SKU")
		var okMin, okPrice bool
		in.MinQty, okMin = im.parseAmount(i, "min_qty", v[3], bounds.Quantity, &zero)
		in.Price, okPrice = im.parseAmount(i, "price", v[4], bounds.Money, nil)
		for len(inputs) <= i {
			inputs = append(inputs, BreakInput{})
		}
		inputs[i] = in
		return ok && okMin && okPrice
	}, func(idx []int, rowNo rowNumber) (Counts, csvio.RowErrors, error) {
		return setBreaks(ctx, b, pick(inputs, idx), rowNo, im.log)
	})
}

// ExportBreaks writes the header and the price break rows, by SKU, price type, region (none
// first) and minimum: every stored break row, and the default price type's first row (the
// unit sell price) of each product whose price is fixed, so the file shows whole ladders.
// The sell price of a product priced by formula is left out: the formula computes it and an
// import could not set it. sku and priceType ("" for all) narrow the rows. Importing the
// file again changes nothing.
func ExportBreaks(ctx context.Context, q sqlx.QueryerContext, sku, priceType string, w *csvio.Writer) (int64, error) {
	if sku != "" {
		if _, err := productID(ctx, q, sku, false); err != nil {
			return 0, err
		}
	}
	if priceType != "" {
		if _, err := pricetype.GetType(ctx, q, priceType); err != nil {
			return 0, err
		}
	}
	return exportRows(ctx, q, w, BreakCSVColumns, `SELECT p.sku, b.price_type, coalesce(b.region, ''), b.min_qty::text, b.price::text
		FROM product_price_breaks b JOIN products p ON p.id = b.product_id
		WHERE ($1::text = '' OR p.sku = $1::text) AND ($2::text = '' OR b.price_type = $2::text)
		  AND (NOT b.is_sell_price OR (p.price_formula = 'fixed' AND p.type <> 'system'))
		ORDER BY p.sku, b.price_type, b.region NULLS FIRST, b.min_qty`, sku, priceType)
}

// ImportSpecials sets special price rows from a CSV file (columns SpecialCSVColumns) in b's
// transaction, with the rules of SetSpecials: a row is keyed by customer, SKU and minimum
// quantity (empty: 0) and sets the price and validity whole, so empty valid_from or
// valid_until is open-ended. Every reason of every bad row goes to opt.Rejects with its file
// row number and column.
func ImportSpecials(ctx context.Context, b *db.Bulk, r *csvio.Reader, opt csvio.ImportOptions) (csvio.Result, error) {
	im := &csvImport{columns: SpecialCSVColumns, fields: map[string]string{"from": "valid_from", "until": "valid_until"},
		log: pgcopy.NewKeyLog(b, "special_price_import_keys")}
	var inputs []SpecialInput
	return im.run(r, opt, func(i int, v []string) bool {
		in := SpecialInput{Customer: v[0], SKU: v[1]}
		ok := im.need(i, "customer", in.Customer, "the customer's company code")
		ok = im.need(i, "sku", in.SKU, "the product's SKU") && ok
		var okMin, okPrice, okFrom, okUntil bool
		in.MinQty, okMin = im.parseAmount(i, "min_qty", v[2], bounds.Quantity, &zero)
		in.Price, okPrice = im.parseAmount(i, "price", v[3], bounds.Money, nil)
		in.From, okFrom = im.parseDay(i, "valid_from", v[4])
		in.Until, okUntil = im.parseDay(i, "valid_until", v[5])
		for len(inputs) <= i {
			inputs = append(inputs, SpecialInput{})
		}
		inputs[i] = in
		return ok && okMin && okPrice && okFrom && okUntil
	}, func(idx []int, rowNo rowNumber) (Counts, csvio.RowErrors, error) {
		return setSpecials(ctx, b, pick(inputs, idx), rowNo, im.log)
	})
}

// ExportSpecials writes the header and the special price rows by customer, SKU and minimum;
// customer and sku ("" for all) narrow them. Importing the file again changes nothing.
func ExportSpecials(ctx context.Context, q sqlx.QueryerContext, customer, sku string, w *csvio.Writer) (int64, error) {
	if customer != "" {
		if _, err := customerID(ctx, q, customer); err != nil {
			return 0, err
		}
	}
	if sku != "" {
		if _, err := productID(ctx, q, sku, false); err != nil {
			return 0, err
		}
	}
	return exportRows(ctx, q, w, SpecialCSVColumns, `SELECT c.code, p.sku, s.min_qty::text, s.price::text,
		coalesce(to_char(s.valid_from, 'YYYY-MM-DD'), ''), coalesce(to_char(s.valid_until, 'YYYY-MM-DD'), '')
		FROM special_prices s JOIN companies c ON c.id = s.customer_id JOIN products p ON p.id = s.product_id
		WHERE ($1::text = '' OR c.code = $1::text) AND ($2::text = '' OR p.sku = $2::text)
		ORDER BY c.code, p.sku, s.min_qty`, customer, sku)
}

// exportRows writes columns as the header, then the rows of query (text cells in the order
// of columns), streaming; it returns how many rows it wrote.
func exportRows(ctx context.Context, q sqlx.QueryerContext, w *csvio.Writer, columns []string, query string, args ...any) (int64, error) {
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return 0, db.Classify(err)
	}
	defer rows.Close()
	n, err := csvio.WriteRows(w, columns, rows)
	return n, db.Classify(err)
}
