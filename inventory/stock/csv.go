package stock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/pgcopy"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/io/csvio"
)

// The CSV formats of stock levels and of stock adjustments (opening stock included); see
// docs/csv-formats.md.

// LevelCSVColumns are the stock level columns in export order; LevelCSVRequired the ones a
// file must have.
var (
	LevelCSVColumns  = []string{"sku", "location", "min", "max", "bay"}
	LevelCSVRequired = []string{"sku", "location"}
)

// AdjustCSVColumns are the columns of an adjustments file (stock import and stock adjust
// --file); AdjustCSVRequired the ones it must have.
var (
	AdjustCSVColumns  = []string{"sku", "location", "qty", "reason", "unit_cost", "gl_code", "narrative", "batch", "expiry", "serials", "bay"}
	AdjustCSVRequired = []string{"sku", "location", "qty"}
)

// cellErrs collects what is wrong with the cells of one row.
type cellErrs struct {
	row     csvio.Row
	columns []string
	errs    []csvio.RowError
}

func (c *cellErrs) bad(column, reason string) {
	v := ""
	for i, name := range c.columns {
		if name == column && i < len(c.row.Values) {
			v = c.row.Values[i]
		}
	}
	c.errs = append(c.errs, csvio.RowError{Row: c.row.Num, Column: column, Value: v, Reason: reason})
}

// amount reads an optional number cell of kind k (nil when empty): plain, with a dot, no
// thousands separators or exponent, within the kind's digits (bounds).
func (c *cellErrs) amount(column, v string, k bounds.Number) *decimal.Decimal {
	if v == "" {
		return nil
	}
	d, err := k.Parse(v)
	if err != nil {
		c.bad(column, err.Error())
		return nil
	}
	return &d
}

// readRows reads rows of r, at most limit of them when limit > 0, and parses each with
// parse; rows the reader or parse refuse come back as rejects (file order), the others as
// good. n counts the rows read so far, for opt.Progress. more says whether r may have more.
func readRows(r *csvio.Reader, opt csvio.ImportOptions, columns []string, limit int, n *int, parse func(c *cellErrs)) (good []csvio.Row, rejects []csvio.Rejected, more bool, err error) {
	for read := 0; limit <= 0 || read < limit; read++ {
		row, err := r.Next()
		if err == io.EOF {
			return good, rejects, false, nil
		}
		var re *csvio.RowError
		if err != nil && !errors.As(err, &re) {
			return nil, nil, false, err
		}
		if *n++; opt.Progress != nil && *n%1000 == 0 {
			opt.Progress(*n)
		}
		c := &cellErrs{row: row, columns: columns}
		if re != nil {
			c.errs = append(c.errs, *re)
		} else {
			parse(c)
		}
		if len(c.errs) > 0 {
			rejects = append(rejects, csvio.Rejected{Row: row.Num, Values: row.Values, Errors: c.errs})
			continue
		}
		good = append(good, row)
	}
	return good, rejects, true, nil
}

// emit hands one chunk's rejects to opt.Rejects in file order and counts them in res.
func emit(res *csvio.Result, rejects []csvio.Rejected, opt csvio.ImportOptions) error {
	sortRejects(rejects)
	res.Rejected += int64(len(rejects))
	for _, rj := range rejects {
		if opt.Rejects != nil {
			if err := opt.Rejects(rj); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortRejects(rs []csvio.Rejected) {
	// Insertion sort: rejects come nearly in order (reader and parse ones first, then those
	// the database refused, each group in file order).
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Row < rs[j-1].Row; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// levelRow is a stock levels row whose cells parsed.
type levelRow struct {
	csvio.Row
	sku, location, bay string
	min, max           *decimal.Decimal
	cellErrs           []csvio.RowError // what is wrong with its cells (sorted in by column below)
}

// ImportLevels sets stock levels from a CSV file (columns LevelCSVColumns) in b's
// transaction, with the rules of SetLevels: keyed by SKU and location; an empty min, max or
// bay cell keeps the value (an import cannot clear one: stock levels set --bay "" does).
// The file is read opt.Chunk() rows at a time: each chunk's rows are checked against the
// database at once (products, locations, bays, the levels kept, locked, and the earlier
// chunks' rows, so a product and location given twice are refused whatever the distance),
// then one statement writes the rows that change something. Every reason of every bad row
// goes to opt.Rejects with its file row number and column.
func ImportLevels(ctx context.Context, b *db.Bulk, r *csvio.Reader, opt csvio.ImportOptions) (csvio.Result, error) {
	var total csvio.Result
	log := pgcopy.NewKeyLog(b, "stock_level_import_keys")
	for n, more := 0, true; more; {
		var err error
		if more, err = importLevelChunk(ctx, b, r, opt, &n, log, &total); err != nil {
			return csvio.Result{}, err
		}
	}
	return csvio.Finish(total, opt)
}

// importLevelChunk reads, checks and writes the next opt.Chunk() rows of r, adding
// what it did to total; n counts the rows read, log the keys of the earlier chunks' rows.
func importLevelChunk(ctx context.Context, b *db.Bulk, r *csvio.Reader, opt csvio.ImportOptions, n *int, log *pgcopy.KeyLog, total *csvio.Result) (bool, error) {
	var rows []levelRow
	_, rejects, more, err := readRows(r, opt, LevelCSVColumns, opt.Chunk(), n, func(c *cellErrs) {
		v := c.row.Values
		lr := levelRow{Row: c.row, sku: v[0], location: v[1], bay: v[4]}
		if lr.sku == "" {
			c.bad("sku", "missing: give the product's SKU")
		}
		if lr.location == "" {
			c.bad("location", "missing: give the location's code")
		}
		lr.min = c.amount("min", v[2], bounds.Quantity)
		lr.max = c.amount("max", v[3], bounds.Quantity)
		// Checked against the database too, with its cell problems, and never written.
		lr.cellErrs, c.errs = c.errs, nil
		rows = append(rows, lr)
	})
	if err != nil {
		return false, err
	}
	res, refused, err := setLevelRows(ctx, b, rows, log)
	if err != nil {
		return false, err
	}
	total.Created, total.Updated, total.Unchanged = total.Created+res.Created, total.Updated+res.Updated, total.Unchanged+res.Unchanged
	return more, emit(total, append(rejects, refused...), opt)
}

// setLevelRows checks rows against the database and writes those that pass.
func setLevelRows(ctx context.Context, q sqlx.ExtContext, rows []levelRow, log *pgcopy.KeyLog) (csvio.Result, []csvio.Rejected, error) {
	var res csvio.Result
	if len(rows) == 0 {
		return res, nil, nil
	}
	var skus, locs []string
	for _, lr := range rows {
		skus, locs = append(skus, lr.sku), append(locs, lr.location)
	}
	type product struct {
		ID        int64  `db:"id"`
		SKU       string `db:"sku"`
		Type      string `db:"type"`
		Track     bool   `db:"track_stock"`
		UOM       string `db:"stock_uom"`
		Precision int32  `db:"precision"`
	}
	var ps []product
	if err := sqlx.SelectContext(ctx, q, &ps, `SELECT p.id, p.sku, p.type, p.track_stock, p.stock_uom, u.precision
		FROM products p JOIN uoms u ON u.code = p.stock_uom WHERE p.sku = ANY($1::text[])`, pq.Array(skus)); err != nil {
		return res, nil, db.Classify(err)
	}
	products := map[string]product{}
	for _, p := range ps {
		products[p.SKU] = p
	}
	var ls []Location
	if err := sqlx.SelectContext(ctx, q, &ls, selectLocation+` WHERE code = ANY($1::text[]) AND kind = 'internal'`, pq.Array(locs)); err != nil {
		return res, nil, db.Classify(err)
	}
	locations := map[string]Location{}
	var locIDs []int64
	for _, l := range ls {
		locations[l.Code] = l
		locIDs = append(locIDs, l.ID)
	}
	type bay struct {
		ID       int64  `db:"id"`
		Location int64  `db:"location_id"`
		Code     string `db:"code"`
	}
	var bs []bay
	if err := sqlx.SelectContext(ctx, q, &bs, `SELECT id, location_id, code FROM bays WHERE location_id = ANY($1::bigint[])`, pq.Array(locIDs)); err != nil {
		return res, nil, db.Classify(err)
	}
	type pair struct{ product, location int64 }
	type bayKey struct {
		location int64
		code     string
	}
	bayIDs := map[bayKey]int64{}
	for _, y := range bs {
		bayIDs[bayKey{y.Location, y.Code}] = y.ID
	}
	// The levels kept, locked, so max >= min is checked against what is really there.
	var pids []int64
	for _, p := range ps {
		pids = append(pids, p.ID)
	}
	var kept []struct {
		Product  int64            `db:"product_id"`
		Location int64            `db:"location_id"`
		Min      *decimal.Decimal `db:"min_qty"`
		Max      *decimal.Decimal `db:"max_qty"`
	}
	if err := sqlx.SelectContext(ctx, q, &kept, `SELECT product_id, location_id, min_qty, max_qty FROM stock_levels
		WHERE product_id = ANY($1::bigint[]) AND location_id = ANY($2::bigint[])
		ORDER BY product_id, location_id FOR UPDATE`, pq.Array(pids), pq.Array(locIDs)); err != nil {
		return res, nil, db.Classify(err)
	}
	type levels struct{ min, max *decimal.Decimal }
	keptBy := map[pair]levels{}
	for _, k := range kept {
		keptBy[pair{k.Product, k.Location}] = levels{k.Min, k.Max}
	}

	// Each row's own checks first; then, in file order, the rows that pass are held
	// against each other, the import's earlier chunks and the levels kept.
	type checked struct {
		c     *cellErrs
		p     product
		l     Location
		bayID string
		key   int // index into keys, or -1
	}
	var keys []string
	var keyRows []int
	cs := make([]checked, len(rows))
	for i, lr := range rows {
		c := &cellErrs{row: lr.Row, columns: LevelCSVColumns}
		p, okP := products[lr.sku]
		switch {
		case lr.sku == "":
		case !okP:
			c.bad("sku", fmt.Sprintf("product %s does not exist (find it with stockctl product lookup or product list --search)", lr.sku))
		case !p.Track:
			c.bad("sku", fmt.Sprintf("product %s is not stock-tracked (type %s): it has no stock levels", p.SKU, p.Type))
		}
		l, okL := locations[lr.location]
		if !okL && lr.location != "" {
			c.bad("location", fmt.Sprintf("unknown location %q: see stockctl location list, or add it with stockctl location add %s --name N", lr.location, lr.location))
		}
		for _, v := range []struct {
			col string
			qty *decimal.Decimal
		}{{"min", lr.min}, {"max", lr.max}} {
			switch {
			case v.qty == nil:
			case v.qty.IsNegative():
				c.bad(v.col, "cannot be negative")
			case okP && !v.qty.Round(p.Precision).Equal(*v.qty):
				c.bad(v.col, fmt.Sprintf("more decimals than the unit %s of %s keeps (%d)", p.UOM, p.SKU, p.Precision))
			}
		}
		bayID := ""
		if lr.bay != "" && okL {
			id, ok := bayIDs[bayKey{l.ID, lr.bay}]
			if !ok {
				c.bad("bay", fmt.Sprintf("location %s has no bay %q: add it with stockctl bay add %s %s", l.Code, lr.bay, l.Code, lr.bay))
			}
			bayID = fmt.Sprint(id)
		}
		c.errs = append(lr.cellErrs, c.errs...)
		sortByColumn(c.errs, LevelCSVColumns)
		cs[i] = checked{c: c, p: p, l: l, bayID: bayID, key: -1}
		if len(c.errs) == 0 {
			cs[i].key = len(keys)
			keys, keyRows = append(keys, fmt.Sprintf("%d\x1f%d", p.ID, l.ID)), append(keyRows, lr.Num)
		}
	}
	earlier, err := log.Earlier(ctx, keys, keyRows)
	if err != nil {
		return res, nil, db.Classify(err)
	}
	var refused []csvio.Rejected
	seen := map[pair]int{}
	var noted []int // indexes into keys
	var wp, wl []int64
	var wmin, wmax, wbay []string
	for i, lr := range rows {
		c, p, l, bayID := cs[i].c, cs[i].p, cs[i].l, cs[i].bayID
		if cs[i].key >= 0 {
			k := pair{p.ID, l.ID}
			first, dup := earlier[cs[i].key]
			if !dup {
				first, dup = seen[k]
			}
			if dup {
				c.bad("location", fmt.Sprintf("the same product and location are on row %d too: give each once", first))
			} else {
				seen[k] = lr.Num
				noted = append(noted, cs[i].key)
				lv := keptBy[k]
				lo, hi := lv.min, lv.max
				if lr.min != nil {
					lo = lr.min
				}
				if lr.max != nil {
					hi = lr.max
				}
				if lo != nil && hi != nil && hi.LessThan(*lo) {
					col := "max"
					if lr.max == nil {
						col = "min"
					}
					c.bad(col, fmt.Sprintf("%s at %s: the maximum (%s) cannot be below the minimum (%s)", p.SKU, l.Code, hi, lo))
				}
			}
		}
		if len(c.errs) > 0 {
			refused = append(refused, csvio.Rejected{Row: lr.Num, Values: lr.Values, Errors: c.errs})
			continue
		}
		res.Unchanged++ // until the write says otherwise
		if lr.min == nil && lr.max == nil && bayID == "" {
			continue // nothing to set
		}
		wp, wl = append(wp, p.ID), append(wl, l.ID)
		wmin, wmax, wbay = append(wmin, decText(lr.min)), append(wmax, decText(lr.max)), append(wbay, bayID)
	}
	var nk []string
	var nr []int
	for _, j := range noted {
		nk, nr = append(nk, keys[j]), append(nr, keyRows[j])
	}
	if err := log.Note(ctx, nk, nr); err != nil {
		return res, nil, db.Classify(err)
	}
	if len(wp) == 0 {
		return res, refused, nil
	}
	// Only rows that change something are written; an empty cell keeps the value.
	rs, err := q.QueryxContext(ctx, `INSERT INTO stock_levels AS s (product_id, location_id, min_qty, max_qty, default_bay_id)
		SELECT v.pid, v.lid, nullif(v.lo, '')::numeric, nullif(v.hi, '')::numeric, nullif(v.bay, '')::bigint
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[]) AS v(pid, lid, lo, hi, bay)
		ON CONFLICT (product_id, location_id) DO UPDATE SET
			min_qty = coalesce(EXCLUDED.min_qty, s.min_qty),
			max_qty = coalesce(EXCLUDED.max_qty, s.max_qty),
			default_bay_id = coalesce(EXCLUDED.default_bay_id, s.default_bay_id)
		WHERE (coalesce(EXCLUDED.min_qty, s.min_qty), coalesce(EXCLUDED.max_qty, s.max_qty), coalesce(EXCLUDED.default_bay_id, s.default_bay_id))
		      IS DISTINCT FROM (s.min_qty, s.max_qty, s.default_bay_id)
		RETURNING xmax = 0`, pq.Array(wp), pq.Array(wl), pq.Array(wmin), pq.Array(wmax), pq.Array(wbay))
	if err != nil {
		return res, nil, db.Classify(err)
	}
	defer rs.Close()
	for rs.Next() {
		var inserted bool
		if err := rs.Scan(&inserted); err != nil {
			return res, nil, db.Classify(err)
		}
		res.Unchanged--
		if inserted {
			res.Created++
		} else {
			res.Updated++
		}
	}
	return res, refused, db.Classify(rs.Err())
}

// sortByColumn puts a row's errors in the order of the columns (stable within a column).
func sortByColumn(errs []csvio.RowError, columns []string) {
	pos := func(c string) int {
		for i, name := range columns {
			if name == c {
				return i
			}
		}
		return -1
	}
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && pos(errs[j].Column) < pos(errs[j-1].Column); j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

func decText(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// ExportLevels writes the header and the stock levels rows by SKU and location; sku and
// location ("" for all) narrow them. Importing the file again changes nothing.
func ExportLevels(ctx context.Context, q sqlx.QueryerContext, sku, location string, w *csvio.Writer) (int64, error) {
	if location != "" {
		if _, err := GetLocation(ctx, q, "location", location); err != nil {
			return 0, err
		}
	}
	if sku != "" {
		if _, err := catalog.Get(ctx, q, sku); err != nil {
			return 0, err
		}
	}
	rows, err := q.QueryxContext(ctx, `SELECT p.sku, l.code, coalesce(s.min_qty::text, ''), coalesce(s.max_qty::text, ''), coalesce(y.code, '')
		FROM stock_levels s JOIN products p ON p.id = s.product_id JOIN locations l ON l.id = s.location_id
		LEFT JOIN bays y ON y.id = s.default_bay_id
		WHERE ($1::text = '' OR p.sku = $1::text) AND ($2::text = '' OR l.code = $2::text)
		ORDER BY p.sku, l.code`, sku, location)
	if err != nil {
		return 0, db.Classify(err)
	}
	defer rows.Close()
	n, err := csvio.WriteRows(w, LevelCSVColumns, rows)
	return n, db.Classify(err)
}

// ParseAdjustmentRow reads one row of an adjustments file (values aligned with
// AdjustCSVColumns) into an Adjustment; what is wrong with its cells comes back, every
// problem of the row, each naming the row and column. Serials are separated by spaces,
// semicolons or commas; expiry is YYYY-MM-DD.
func ParseAdjustmentRow(row csvio.Row) (Adjustment, []csvio.RowError) {
	c := &cellErrs{row: row, columns: AdjustCSVColumns}
	v := row.Values
	adj := Adjustment{SKU: v[0], Location: v[1], Reason: v[3], GLCode: v[5], Narrative: v[6], Batch: v[7], Bay: v[10], Row: row.Num}
	if adj.SKU == "" {
		c.bad("sku", "missing: give the product's SKU")
	}
	if adj.Location == "" {
		c.bad("location", "missing: give the location's code")
	}
	if v[2] == "" {
		c.bad("qty", "missing: give the quantity to add (positive) or remove (negative)")
	} else if q := c.amount("qty", v[2], bounds.Quantity); q != nil {
		adj.Qty = *q
	}
	adj.UnitCost = c.amount("unit_cost", v[4], bounds.Money)
	if v[8] != "" {
		if t, err := bounds.ParseDay(v[8]); err != nil {
			c.bad("expiry", err.Error())
		} else {
			adj.Expiry = &t
		}
	}
	adj.Serials = strings.FieldsFunc(v[9], func(r rune) bool { return r == ' ' || r == ';' || r == ',' })
	return adj, c.errs
}

// ReadAdjustments reads every row of an adjustments file. Rows whose cells do not parse come
// back as rejects, in file order, with every problem of each; the others as adjustments
// (rows[i] is the file row of adjs[i]).
func ReadAdjustments(r *csvio.Reader, opt csvio.ImportOptions) (adjs []Adjustment, rows []csvio.Row, rejects []csvio.Rejected, err error) {
	n := 0
	adjs, rows, rejects, _, err = readAdjustments(r, opt, 0, &n)
	return adjs, rows, rejects, err
}

// readAdjustments is ReadAdjustments of at most limit rows when limit > 0 (n counts the
// rows read so far); more says whether r may have more.
func readAdjustments(r *csvio.Reader, opt csvio.ImportOptions, limit int, n *int) (adjs []Adjustment, rows []csvio.Row, rejects []csvio.Rejected, more bool, err error) {
	_, rejects, more, err = readRows(r, opt, AdjustCSVColumns, limit, n, func(c *cellErrs) {
		adj, errs := ParseAdjustmentRow(c.row)
		c.errs = append(c.errs, errs...)
		if len(errs) == 0 {
			adjs, rows = append(adjs, adj), append(rows, c.row)
		}
	})
	return adjs, rows, rejects, more, err
}

// AdjustImport is what ImportAdjustments did.
type AdjustImport struct {
	csvio.Result
	// AlreadyPosted says the ref was posted before with the same rows: nothing was posted,
	// Result is what that posting counted, and its rejected rows (the first KeptLines) were
	// handed to opt.Rejects again, RejectsShown of them.
	AlreadyPosted bool
	RejectsShown  int
	// NotKept says AlreadyPosted by a ref posted before migration 00016, which kept neither
	// its rows nor its result: nothing could be compared and Result is empty.
	NotKept bool
}

// ImportAdjustments posts the adjustments of a CSV file (columns AdjustCSVColumns), opening
// stock included, in b's transaction, through Adjust: all or nothing, unless
// opt.SkipInvalid, when the rows that can be posted are (in file order) and the others are
// rejected. Created counts the rows posted (a serialised row posts one move per serial).
// Updated is always 0.
//
// With a ref, the file is posted once. The ref keeps the file's rows in canonical form
// (what Adjust keeps for its adjustments, so stock adjust and stock import share refs): a
// digest of every row and their number, and the rows themselves while there are at most
// KeptLines (beyond, a digest of each KeptLines rows). Given again with the same rows, the
// file is read to the end to compare it, nothing is posted, and the result is the first
// posting's (AlreadyPosted). With other rows it is refused when the first difference is
// read, naming the row (or the block of rows, for a file over KeptLines rows) and what
// differs, or their number.
//
// The file is read, checked and posted opt.Chunk() rows at a time, so memory stays flat;
// each chunk's rows are first posted together, and when that is refused each on its own (in
// a savepoint) to find every row that cannot be, with its reason.
func ImportAdjustments(ctx context.Context, b *db.Bulk, r *csvio.Reader, opt csvio.ImportOptions, ref string) (AdjustImport, error) {
	var c claim
	var rb *RequestBuilder
	if ref != "" {
		var err error
		if c, err = claimRef(ctx, b, refScope, ref); err != nil {
			return AdjustImport{}, err
		}
		if !c.fresh && c.prior == nil {
			return AdjustImport{AlreadyPosted: true, NotKept: true}, nil
		}
		if rb, err = NewRequestBuilder(ref, "row", c.prior); err != nil {
			return AdjustImport{}, err
		}
	}
	replay := ref != "" && !c.fresh
	var res csvio.Result
	var kept []csvio.Rejected // the first KeptLines rejected rows, kept with the ref
	moves, n := 0, 0
	for more := true; more; {
		var adjs []Adjustment
		var rows []csvio.Row
		var rejects []csvio.Rejected
		var err error
		if adjs, rows, rejects, more, err = readAdjustments(r, opt, opt.Chunk(), &n); err != nil {
			return AdjustImport{}, err
		}
		if rb != nil {
			if err := requestRows(rb, adjs, rejects); err != nil {
				return AdjustImport{}, err
			}
		}
		if replay {
			continue
		}
		if adjs, rows, rejects, err = knownProducts(ctx, b, adjs, rows, rejects); err != nil {
			return AdjustImport{}, err
		}
		posted, refused, err := postAdjustments(ctx, b, adjs, rows)
		if err != nil {
			return AdjustImport{}, err
		}
		moves += len(posted)
		res.Created += int64(len(adjs) - len(refused))
		rejects = append(rejects, refused...)
		if err := emit(&res, rejects, opt); err != nil {
			return AdjustImport{}, err
		}
		if ref != "" {
			kept = append(kept, rejects[:min(len(rejects), KeptLines-len(kept))]...)
		}
	}
	var req Request
	if rb != nil {
		var err error
		if req, err = rb.Done(); err != nil {
			return AdjustImport{}, err
		}
	}
	if replay {
		var p adjustPosting
		if c.result != nil {
			if err := json.Unmarshal(c.result, &p); err != nil {
				return AdjustImport{}, fmt.Errorf("ref %s: the result kept with it does not read: %w", ref, err)
			}
		}
		for _, rj := range p.Rejects {
			if opt.Rejects != nil {
				if err := opt.Rejects(rj); err != nil {
					return AdjustImport{}, err
				}
			}
		}
		return AdjustImport{Result: p.Import, AlreadyPosted: true, RejectsShown: len(p.Rejects)}, nil
	}
	if ref != "" {
		if err := keepRef(ctx, b, refScope, ref, req, moves, adjustPosting{Import: res, Rejects: kept}); err != nil {
			return AdjustImport{}, err
		}
	}
	res, err := csvio.Finish(res, opt)
	return AdjustImport{Result: res}, err
}

// requestRows adds a chunk's rows to a ref's request in file order: the adjustments read
// (adjs, each with its row) in canonical form, the rows whose cells do not parse (rejects)
// as their cells.
func requestRows(b *RequestBuilder, adjs []Adjustment, rejects []csvio.Rejected) error {
	i, j := 0, 0
	for i < len(adjs) || j < len(rejects) {
		if j == len(rejects) || (i < len(adjs) && adjs[i].Row < rejects[j].Row) {
			a := adjs[i]
			i++
			if err := b.Line(fmt.Sprintf("row %d", a.Row), a.fields()...); err != nil {
				return err
			}
			continue
		}
		rj := rejects[j]
		j++
		cells := make([]Field, len(AdjustCSVColumns))
		for k, col := range AdjustCSVColumns {
			cells[k].Name = col
			if k < len(rj.Values) {
				cells[k] = TextField(col, rj.Values[k])
			}
		}
		if err := b.Line(fmt.Sprintf("row %d", rj.Row), cells...); err != nil {
			return err
		}
	}
	return nil
}

// knownProducts refuses, for every row at once, the adjustments of products that do not
// exist (named in the sku column), and returns the others with their rows.
func knownProducts(ctx context.Context, q sqlx.QueryerContext, adjs []Adjustment, rows []csvio.Row, rejects []csvio.Rejected) ([]Adjustment, []csvio.Row, []csvio.Rejected, error) {
	if len(adjs) == 0 {
		return adjs, rows, rejects, nil
	}
	skus := make([]string, len(adjs))
	for i, a := range adjs {
		skus[i] = a.SKU
	}
	var known []string
	if err := sqlx.SelectContext(ctx, q, &known, `SELECT sku FROM products WHERE sku = ANY($1::text[])`, pq.Array(skus)); err != nil {
		return nil, nil, nil, db.Classify(err)
	}
	exists := make(map[string]bool, len(known))
	for _, s := range known {
		exists[s] = true
	}
	keep := 0
	for i, a := range adjs {
		if !exists[a.SKU] {
			c := &cellErrs{row: rows[i], columns: AdjustCSVColumns}
			c.bad("sku", fmt.Sprintf("product %s does not exist (find it with stockctl product lookup or product list --search)", a.SKU))
			rejects = append(rejects, csvio.Rejected{Row: rows[i].Num, Values: rows[i].Values, Errors: c.errs})
			continue
		}
		adjs[keep], rows[keep] = a, rows[i]
		keep++
	}
	return adjs[:keep], rows[:keep], rejects, nil
}

// postAdjustments posts adjs (rows[i] is the file row of adjs[i]) together; when that is
// refused, each on its own (in a savepoint) to find every one that cannot be, with its
// reason. Adjust posts in order, each move against the stock the ones before it left, so a
// file posted a chunk at a time posts what it would have posted whole. It returns the
// moves posted and the refused rows.
func postAdjustments(ctx context.Context, q sqlx.ExtContext, adjs []Adjustment, rows []csvio.Row) ([]AdjustedMove, []csvio.Rejected, error) {
	if len(adjs) == 0 {
		return nil, nil, nil
	}
	if _, err := q.ExecContext(ctx, `SAVEPOINT stock_import`); err != nil {
		return nil, nil, db.Classify(err)
	}
	ms, _, err := Adjust(ctx, q, adjs, "")
	switch {
	case err == nil:
		if _, err := q.ExecContext(ctx, `RELEASE SAVEPOINT stock_import`); err != nil {
			return nil, nil, db.Classify(err)
		}
		return ms, nil, nil
	case !ruleError(err):
		return nil, nil, err
	}
	if _, err := q.ExecContext(ctx, `ROLLBACK TO SAVEPOINT stock_import`); err != nil {
		return nil, nil, db.Classify(err)
	}
	var moves []AdjustedMove
	var refused []csvio.Rejected
	for i, adj := range adjs {
		if _, err := q.ExecContext(ctx, `SAVEPOINT stock_import_row`); err != nil {
			return nil, nil, db.Classify(err)
		}
		ms, _, err := Adjust(ctx, q, []Adjustment{adj}, "")
		if err == nil {
			moves = append(moves, ms...)
			if _, err := q.ExecContext(ctx, `RELEASE SAVEPOINT stock_import_row`); err != nil {
				return nil, nil, db.Classify(err)
			}
			continue
		}
		if !ruleError(err) {
			return nil, nil, err
		}
		if _, rerr := q.ExecContext(ctx, `ROLLBACK TO SAVEPOINT stock_import_row`); rerr != nil {
			return nil, nil, db.Classify(rerr)
		}
		c := &cellErrs{row: rows[i], columns: AdjustCSVColumns}
		c.bad(adjustColumn(fault.FieldOf(err)), err.Error())
		refused = append(refused, csvio.Rejected{Row: rows[i].Num, Values: rows[i].Values, Errors: c.errs})
	}
	return moves, refused, nil
}

// refScope is the scope of stock adjust's refs: stock import shares it, so a ref posted by
// one is recognised by the other.
const refScope = "stock adjust"

// ruleError reports whether err refuses the input (rather than failing to run).
func ruleError(err error) bool {
	switch fault.KindOf(err) {
	case fault.Invalid, fault.NotFound, fault.Conflict, fault.Usage:
		return true
	}
	return false
}

// adjustColumn names the column of an adjustments file an Adjust error's field is about.
func adjustColumn(field string) string {
	switch field {
	case "unit-cost":
		return "unit_cost"
	case "serial", "serial-start":
		return "serials"
	case "gl-code", "gl_adjustment":
		return "gl_code"
	}
	for _, c := range AdjustCSVColumns {
		if c == field {
			return c
		}
	}
	return ""
}
