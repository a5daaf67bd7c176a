package stocktake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/io/csvio"
)

// NoBay, given as a count's bay, means stock outside any bay.
const NoBay = "-"

// Count is one count entered against a stocktake line.
//
// The line is the product with a bay, batch and serial. A serialised product is counted by
// serial (Qty 1 found, 0 not here), a batch-tracked one by batch. What is not given is taken
// from what the stocktake expects: the batch when the product is expected in one batch, the
// bay when the product (batch, serial) is expected in one place at the location. A product
// expected nowhere goes to its default bay there, else outside bays. A bay or batch never
// seen before for the product makes a new line expecting 0 (stock found).
type Count struct {
	SKU    string
	Qty    decimal.Decimal
	Unit   string // a unit or pack unit of the product Qty is in; "" for its stock unit
	Batch  string
	Serial string
	Bay    string // "" for where the product is expected, NoBay for outside any bay
	// Add adds Qty to what the line has counted (a scan, a second counter) instead of
	// replacing it. A serial is counted once however often it is added.
	Add bool
	// Row is the file row the count was read from (csvio.Row.Num), which messages name;
	// 0 for a count not from a file (messages then number counts from 1 in order).
	Row int
}

// Counted is the line a count went to, with what the count did.
type Counted struct {
	Line
	Added decimal.Decimal `json:"added" print:"wide"` // the quantity this count added (or set), in the stock unit
	// Again is set when a serial that was already counted was counted (added) again.
	Again bool `json:"again" print:"wide"`
}

// Record enters counts against an open stocktake in q's transaction. Every count is tried;
// when any is refused Record returns an invalid error wrapping csvio.RowErrors, one for each
// reason, numbered by the counts' Row (by position from 1 for counts without one), and the
// caller rolls back, so a batch of counts is all-or-nothing; a single count refused returns
// its own error. An error of the database itself stops at once. Concurrent counts of one
// stocktake are safe: each takes a share lock on the stocktake (posting takes it
// exclusively) and adding to a count is one guarded update.
func Record(ctx context.Context, q sqlx.ExtContext, number string, counts []Count) ([]Counted, error) {
	out, bad, err := record(ctx, q, number, counts)
	switch {
	case err != nil:
		return nil, err
	case len(bad) == 1 && len(counts) == 1:
		return nil, bad[0].err
	case len(bad) > 0:
		errs := rowErrors(counts, bad, nil)
		return nil, &fault.Error{Kind: fault.Invalid, Field: errs[0].Column,
			Msg: fmt.Sprintf("%d count(s) refused, nothing counted", len(bad)), Err: errs}
	}
	return out, nil
}

// refusal is a count record refused: its index, the field to blame and why.
type refusal struct {
	i     int
	field string
	err   error
}

// rowOf is the row a count is reported under: its file row, or its position from 1.
func rowOf(counts []Count, i int) int {
	if counts[i].Row > 0 {
		return counts[i].Row
	}
	return i + 1
}

// rowErrors turns refusals into row errors; values, when set, gives a count's cells.
func rowErrors(counts []Count, bad []refusal, values func(i int) []string) csvio.RowErrors {
	errs := make(csvio.RowErrors, len(bad))
	for k, b := range bad {
		v := ""
		if values != nil {
			if j := columnIndex(b.field); j >= 0 {
				v = values(b.i)[j]
			}
		}
		errs[k] = csvio.RowError{Row: rowOf(counts, b.i), Column: b.field, Value: v, Reason: b.err.Error(), Kind: fault.KindOf(b.err)}
	}
	return errs
}

// record enters counts; a refused count is returned among bad, and err is an error about
// the stocktake itself (not found, not open) or of the database, which stops at once.
func record(ctx context.Context, q sqlx.ExtContext, number string, counts []Count) (out []Counted, bad []refusal, err error) {
	h, err := getHeader(ctx, q, number, "FOR SHARE")
	if err != nil {
		return nil, nil, err
	}
	if h.Status != Open {
		return nil, nil, stateError(h, "take counts")
	}
	c := counter{h: h}
	seen := map[int64]int{}
	for i, cnt := range counts {
		got, field, err := c.count(ctx, q, cnt)
		if err == nil && !cnt.Add {
			if j, dup := seen[got.id]; dup {
				field, err = "sku", fault.Invalidf("sku", "the same line as row %d (%s): give it once, or add the counts up (--add)", rowOf(counts, j), describeCount(counts[j]))
			}
			seen[got.id] = i
		}
		if err != nil {
			if db.SQLState(err) != "" || (!fault.Is(err, fault.Invalid) && !fault.Is(err, fault.NotFound) && !fault.Is(err, fault.Conflict)) {
				if len(counts) > 1 {
					return nil, nil, fault.Wrap(fault.KindOf(err), err, "row %d (%s)", rowOf(counts, i), cnt.SKU)
				}
				return nil, nil, err
			}
			if f := fault.FieldOf(err); f != "" {
				field = f
			}
			bad = append(bad, refusal{i, field, err})
			continue
		}
		out = append(out, got)
	}
	if len(bad) > 0 {
		return nil, bad, nil
	}
	// Read the lines back as show presents them (masked while blind).
	ids := make([]int64, len(out))
	for i, o := range out {
		ids[i] = o.id
	}
	lines, err := readLines(ctx, q, h, ids...)
	if err != nil {
		return nil, nil, err
	}
	byID := map[int64]Line{}
	for _, l := range lines {
		byID[l.id] = l
	}
	for i := range out {
		out[i].Line = byID[out[i].id]
	}
	return out, nil, nil
}

// describe names a line for messages: SKU, then bay, batch and serial when it has them.
// describeCount names a count's line as it was given: the line itself is read back only once
// counted, so the message about a repeated count names the first count's SKU, bay, batch and
// serial.
func describeCount(c Count) string {
	parts := []string{strings.TrimSpace(c.SKU)}
	switch bay := strings.TrimSpace(c.Bay); bay {
	case "":
	case NoBay:
		parts = append(parts, "outside bays")
	default:
		parts = append(parts, "bay "+bay)
	}
	if b := strings.TrimSpace(c.Batch); b != "" {
		parts = append(parts, "batch "+b)
	}
	if s := strings.TrimSpace(c.Serial); s != "" {
		parts = append(parts, "serial "+s)
	}
	return strings.Join(parts, ", ")
}

func describe(l Line) string {
	parts := []string{l.SKU}
	if l.Bay != nil {
		parts = append(parts, "bay "+*l.Bay)
	} else {
		parts = append(parts, "outside bays")
	}
	if l.Batch != nil {
		parts = append(parts, "batch "+*l.Batch)
	}
	if l.Serial != nil {
		parts = append(parts, "serial "+*l.Serial)
	}
	return strings.Join(parts, ", ")
}

// counter enters counts against one stocktake.
type counter struct {
	h   header
	loc *stock.Location
}

func (c *counter) location(ctx context.Context, q sqlx.QueryerContext) (stock.Location, error) {
	if c.loc == nil {
		var l stock.Location
		err := sqlx.GetContext(ctx, q, &l, `SELECT id, code, name, kind, region, address, active, created_at, created_by
			FROM locations WHERE id = $1`, c.h.LocationID)
		if err != nil {
			return l, db.Classify(err)
		}
		c.loc = &l
	}
	return *c.loc, nil
}

// place is a line's key: product, bay, batch and serial (ids; nil for none).
type place struct {
	bay, batch, serial *int64
	bayCode            string
}

// count resolves one count to its line (creating the line when new) and records it. It
// returns the field to blame when the error does not name one.
func (c *counter) count(ctx context.Context, q sqlx.ExtContext, cnt Count) (Counted, string, error) {
	var out Counted
	p, err := catalog.Get(ctx, q, strings.TrimSpace(cnt.SKU))
	if err != nil {
		return out, "sku", err
	}
	if !p.TrackStock {
		return out, "sku", fault.Invalidf("sku", "product %s is not stock-tracked (type %s): there is nothing to count", p.SKU, p.Type)
	}
	if err := c.inScope(ctx, q, p); err != nil {
		return out, "sku", err
	}
	qty := cnt.Qty
	if cnt.Unit != "" {
		if qty, err = catalog.ToStock(ctx, q, p, cnt.Qty, strings.TrimSpace(cnt.Unit)); err != nil {
			return out, "unit", err
		}
	} else if r, err := catalog.ToStock(ctx, q, p, cnt.Qty, ""); err != nil {
		return out, "qty", err
	} else if !r.Equal(cnt.Qty) {
		return out, "qty", fault.Invalidf("qty", "%s: %s has more decimals than its unit %s keeps", p.SKU, cnt.Qty, p.StockUOM)
	}
	switch {
	case qty.IsNegative():
		return out, "qty", fault.Invalidf("qty", "%s: a count cannot be negative, got %s", p.SKU, cnt.Qty)
	case cnt.Add && !qty.IsPositive():
		return out, "qty", fault.Invalidf("qty", "%s: give a quantity more than 0 to add, got %s", p.SKU, cnt.Qty)
	}
	pl, err := c.resolve(ctx, q, p, cnt, qty)
	if err != nil {
		return out, "", err
	}
	lineID, err := c.line(ctx, q, p, pl)
	if err != nil {
		return out, "", err
	}
	if pl.serial != nil {
		return c.countSerial(ctx, q, p, lineID, qty, cnt.Add)
	}
	_, err = q.ExecContext(ctx, `UPDATE stocktake_lines l
		SET counted = CASE WHEN $3 THEN coalesce(l.counted, 0) + $2 ELSE $2::numeric END,
			counted_at = statement_timestamp(), counted_by = stockctl_actor(), on_hand_when_counted = `+bookSQL+`
		WHERE l.id = $1`, lineID, qty, cnt.Add)
	if err != nil {
		return out, "qty", db.Classify(err)
	}
	out.id, out.Added = lineID, qty
	return out, "", nil
}

// bookSQL is the book quantity of stocktake line l now.
const bookSQL = `coalesce((SELECT sum(s.qty) FROM stock_quants s WHERE s.product_id = l.product_id AND s.location_id = l.location_id
	AND coalesce(s.bay_id, 0) = coalesce(l.bay_id, 0) AND coalesce(s.batch_id, 0) = coalesce(l.batch_id, 0)
	AND coalesce(s.serial_id, 0) = coalesce(l.serial_id, 0)), 0)`

// countSerial records a serial as found (1) or not here (0). A serial is in one place: one
// counted found on another line must be counted 0 there first.
func (c *counter) countSerial(ctx context.Context, q sqlx.ExtContext, p catalog.Product, lineID int64, qty decimal.Decimal, add bool) (Counted, string, error) {
	out := Counted{Added: qty}
	out.id = lineID
	if !qty.IsZero() && !qty.Equal(decimal.NewFromInt(1)) {
		return out, "qty", fault.Invalidf("qty", "%s is serialised: count a serial as 1 (here) or 0 (not here), got %s", p.SKU, qty)
	}
	var other []struct {
		Bay *string `db:"bay"`
	}
	if qty.IsPositive() {
		err := sqlx.SelectContext(ctx, q, &other, `SELECT y.code AS bay FROM stocktake_lines o
			JOIN stocktake_lines l ON l.id = $1
			LEFT JOIN bays y ON y.id = o.bay_id
			WHERE o.stocktake_id = l.stocktake_id AND o.serial_id = l.serial_id AND o.id <> l.id AND o.counted > 0`, lineID)
		if err != nil {
			return out, "serial", db.Classify(err)
		}
	}
	if len(other) > 0 {
		where := "outside bays"
		if other[0].Bay != nil {
			where = "in bay " + *other[0].Bay
		}
		return out, "serial", fault.Invalidf("serial", "serial of %s is already counted %s: a serial is in one place; count it 0 there first (--bay) if it is here", p.SKU, where)
	}
	var before *decimal.Decimal
	if err := sqlx.GetContext(ctx, q, &before, `SELECT counted FROM stocktake_lines WHERE id = $1 FOR UPDATE`, lineID); err != nil {
		return out, "serial", db.Classify(err)
	}
	_, err := q.ExecContext(ctx, `UPDATE stocktake_lines l SET counted = $2::numeric, counted_at = statement_timestamp(),
		counted_by = stockctl_actor(), on_hand_when_counted = `+bookSQL+` WHERE l.id = $1`, lineID, qty)
	if err != nil {
		return out, "serial", db.Classify(err)
	}
	out.Again = add && before != nil && before.Equal(qty)
	return out, "", nil
}

// inScope checks the product may be counted on this stocktake and adds it when it is new
// to an all-products or category stocktake (stock found that was not there at the
// snapshot). Another open stocktake counting it at the location is a conflict.
func (c *counter) inScope(ctx context.Context, q sqlx.ExtContext, p catalog.Product) error {
	var in bool
	err := sqlx.GetContext(ctx, q, &in, `SELECT EXISTS (SELECT 1 FROM stocktake_products WHERE stocktake_id = $1 AND product_id = $2)`, c.h.ID, p.ID)
	if err != nil || in {
		return db.Classify(err)
	}
	switch c.h.Scope {
	case ScopeSKU:
		return fault.Invalidf("sku", "product %s is not on stocktake %s, which counts only the products named when it was started", p.SKU, c.h.Number)
	case ScopeCategory:
		if c.h.Category == nil || p.Category != *c.h.Category {
			return fault.Invalidf("sku", "product %s is in category %q, stocktake %s counts category %q", p.SKU, p.Category, c.h.Number, deref(c.h.Category))
		}
	}
	loc, err := c.location(ctx, q)
	if err != nil {
		return err
	}
	return claimProducts(ctx, q, c.h.ID, loc, []int64{p.ID})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// resolve works out the bay, batch and serial of a count from what it gives and what the
// stocktake expects.
func (c *counter) resolve(ctx context.Context, q sqlx.ExtContext, p catalog.Product, cnt Count, qty decimal.Decimal) (place, error) {
	var pl place
	loc, err := c.location(ctx, q)
	if err != nil {
		return pl, err
	}
	cnt.Bay, cnt.Batch, cnt.Serial = strings.TrimSpace(cnt.Bay), strings.TrimSpace(cnt.Batch), strings.TrimSpace(cnt.Serial)
	if cnt.Bay != "" && cnt.Bay != NoBay {
		b, err := stock.GetBay(ctx, q, loc, cnt.Bay)
		if err != nil {
			return pl, err
		}
		pl.bay, pl.bayCode = &b.ID, b.Code
	}
	bayGiven := cnt.Bay != ""

	// Serial: required for a serialised product; one seen on a line gives the batch and bay.
	var serialLine *struct {
		BayID   *int64 `db:"bay_id"`
		BatchID *int64 `db:"batch_id"`
	}
	switch {
	case p.Serialized && cnt.Serial == "":
		return pl, fault.Invalidf("serial", "product %s is serialised: count each unit by its serial number (--serial)", p.SKU)
	case !p.Serialized && cnt.Serial != "":
		return pl, fault.Invalidf("serial", "product %s is not serialised: leave out the serial", p.SKU)
	case p.Serialized:
		var ss []stock.Serial
		err := sqlx.SelectContext(ctx, q, &ss, `SELECT id, serial FROM serials WHERE product_id = $1 AND serial = $2`, p.ID, cnt.Serial)
		if err != nil {
			return pl, db.Classify(err)
		}
		if len(ss) == 0 {
			if !qty.IsPositive() {
				return pl, fault.Invalidf("serial", "product %s has no serial %s: a serial never recorded can only be counted as found (1)", p.SKU, cnt.Serial)
			}
			// A unit found with a serial never recorded: it is recorded now.
			if ss, err = stock.EnsureSerials(ctx, q, p, []string{cnt.Serial}); err != nil {
				return pl, err
			}
		}
		pl.serial = &ss[0].ID
		var found []struct {
			BayID   *int64 `db:"bay_id"`
			BatchID *int64 `db:"batch_id"`
		}
		err = sqlx.SelectContext(ctx, q, &found, `SELECT bay_id, batch_id FROM stocktake_lines
			WHERE stocktake_id = $1 AND serial_id = $2 ORDER BY expected DESC, id LIMIT 1`, c.h.ID, ss[0].ID)
		if err != nil {
			return pl, db.Classify(err)
		}
		if len(found) > 0 {
			serialLine = &found[0]
		}
	}

	// Batch: required for a batch-tracked product unless the stocktake tells.
	switch {
	case !p.BatchTracked && cnt.Batch != "":
		return pl, fault.Invalidf("batch", "product %s is not batch-tracked: leave out the batch", p.SKU)
	case p.BatchTracked && cnt.Batch != "":
		b, err := stock.FindBatch(ctx, q, p, cnt.Batch)
		if err != nil && fault.Is(err, fault.NotFound) && qty.IsPositive() {
			b, err = stock.EnsureBatch(ctx, q, p, cnt.Batch, nil) // a batch found that was never recorded
		}
		if err != nil {
			return pl, err
		}
		pl.batch = &b.ID
	case p.BatchTracked && serialLine != nil && serialLine.BatchID != nil:
		pl.batch = serialLine.BatchID
	case p.BatchTracked:
		var batches []struct {
			ID     int64  `db:"id"`
			Number string `db:"number"`
		}
		err := sqlx.SelectContext(ctx, q, &batches, `SELECT DISTINCT b.id, b.number FROM stocktake_lines l
			JOIN batches b ON b.id = l.batch_id
			WHERE l.stocktake_id = $1 AND l.product_id = $2 AND ($3::boolean = false OR coalesce(l.bay_id, 0) = coalesce($4::bigint, 0))
			ORDER BY b.number`, c.h.ID, p.ID, bayGiven, pl.bay)
		if err != nil {
			return pl, db.Classify(err)
		}
		switch len(batches) {
		case 1:
			pl.batch = &batches[0].ID
		case 0:
			return pl, fault.Invalidf("batch", "product %s is batch-tracked and none of it is expected here: give the batch", p.SKU)
		default:
			names := make([]string, len(batches))
			for i, b := range batches {
				names[i] = b.Number
			}
			return pl, fault.Invalidf("batch", "product %s is expected in batches %s: give the batch", p.SKU, strings.Join(names, ", "))
		}
	}

	if bayGiven {
		return pl, nil
	}
	// Bay: where the stocktake has the product (batch, serial), if that is one place.
	if serialLine != nil {
		pl.bay = serialLine.BayID
		return pl, nil
	}
	var places []struct {
		BayID *int64  `db:"bay_id"`
		Code  *string `db:"code"`
	}
	err = sqlx.SelectContext(ctx, q, &places, `SELECT DISTINCT l.bay_id, y.code FROM stocktake_lines l
		LEFT JOIN bays y ON y.id = l.bay_id
		WHERE l.stocktake_id = $1 AND l.product_id = $2 AND coalesce(l.batch_id, 0) = coalesce($3::bigint, 0)`,
		c.h.ID, p.ID, pl.batch)
	if err != nil {
		return pl, db.Classify(err)
	}
	switch len(places) {
	case 0:
		b, err := stock.DefaultBay(ctx, q, p.ID, loc)
		if err != nil {
			return pl, err
		}
		if b != nil {
			pl.bay, pl.bayCode = &b.ID, b.Code
		}
		return pl, nil
	case 1:
		pl.bay = places[0].BayID
		return pl, nil
	}
	names := make([]string, len(places))
	for i, x := range places {
		names[i] = "outside bays"
		if x.Code != nil {
			names[i] = "bay " + *x.Code
		}
	}
	sort.Strings(names)
	return pl, fault.Invalidf("bay", "product %s is in %d places at %s (%s): give the bay (%s for outside bays)",
		p.SKU, len(places), loc.Code, strings.Join(names, ", "), NoBay)
}

// line returns the id of the stocktake's line for the place, adding a line expecting 0
// when the place is new.
func (c *counter) line(ctx context.Context, q sqlx.ExtContext, p catalog.Product, pl place) (int64, error) {
	find := func() (int64, error) {
		var id int64
		err := sqlx.GetContext(ctx, q, &id, `SELECT id FROM stocktake_lines WHERE stocktake_id = $1 AND product_id = $2
			AND coalesce(bay_id, 0) = coalesce($3::bigint, 0) AND coalesce(batch_id, 0) = coalesce($4::bigint, 0)
			AND coalesce(serial_id, 0) = coalesce($5::bigint, 0)`, c.h.ID, p.ID, pl.bay, pl.batch, pl.serial)
		return id, err
	}
	id, err := find()
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, db.Classify(err)
	}
	var ids []int64
	err = sqlx.SelectContext(ctx, q, &ids, `INSERT INTO stocktake_lines (stocktake_id, location_id, product_id, bay_id, batch_id, serial_id)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`, c.h.ID, c.h.LocationID, p.ID, pl.bay, pl.batch, pl.serial)
	if err != nil {
		return 0, db.Classify(err)
	}
	if len(ids) == 1 {
		return ids[0], nil
	}
	// Another count added the same line a moment ago.
	id, err = find()
	return id, db.Classify(err)
}
