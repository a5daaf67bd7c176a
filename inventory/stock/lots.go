package stock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// Batch is a lot of a batch-tracked product.
type Batch struct {
	ID          int64      `db:"id" json:"-"`
	Number      string     `db:"number" json:"number"`
	Expiry      *time.Time `db:"expiry" json:"expiry" print:"date"`
	Description string     `db:"description" json:"description"`
}

// Serial is one unit of a serialised product.
type Serial struct {
	ID     int64  `db:"id" json:"-"`
	Serial string `db:"serial" json:"serial"`
}

var lotRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)

// EnsureBatch returns the product's batch with this number, creating it when it is new. An
// expiry given for an existing batch must match the one recorded.
func EnsureBatch(ctx context.Context, q sqlx.ExtContext, p catalog.Product, number string, expiry *time.Time) (Batch, error) {
	if !p.BatchTracked {
		return Batch{}, fault.Invalidf("batch", "product %s is not batch-tracked: leave out --batch", p.SKU)
	}
	if !lotRe.MatchString(number) {
		return Batch{}, fault.Invalidf("batch", "batch number %q: use 1 to 64 letters, digits or . _ / -", number)
	}
	var b Batch
	err := sqlx.GetContext(ctx, q, &b, `INSERT INTO batches (product_id, number, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (product_id, number) DO UPDATE SET number = EXCLUDED.number
		RETURNING id, number, expiry, description`, p.ID, number, expiry)
	if err != nil {
		return b, db.Classify(err)
	}
	if expiry != nil && (b.Expiry == nil || !b.Expiry.Equal(*expiry)) {
		return b, fault.Invalidf("expiry", "batch %s of %s already has expiry %s: leave out --expiry or give the same date", number, p.SKU, dateOrNone(b.Expiry))
	}
	return b, nil
}

func dateOrNone(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.Format(time.DateOnly)
}

// FindBatch returns an existing batch of the product.
func FindBatch(ctx context.Context, q sqlx.QueryerContext, p catalog.Product, number string) (Batch, error) {
	var b Batch
	err := sqlx.GetContext(ctx, q, &b, `SELECT id, number, expiry, description FROM batches WHERE product_id = $1 AND number = $2`, p.ID, number)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fault.Unknownf("batch", "product %s has no batch %s (see stockctl batch list %s)", p.SKU, number, p.SKU)
	}
	return b, db.Classify(err)
}

// EnsureSerials returns the product's serials with these numbers, creating the new ones, in
// the order given. Duplicates within the list are refused.
func EnsureSerials(ctx context.Context, q sqlx.ExtContext, p catalog.Product, serials []string) ([]Serial, error) {
	if err := checkSerialList(p, serials); err != nil {
		return nil, err
	}
	var out []Serial
	err := sqlx.SelectContext(ctx, q, &out, `WITH wanted AS (SELECT s, n FROM unnest($2::text[]) WITH ORDINALITY AS w(s, n)),
		ins AS (INSERT INTO serials (product_id, serial) SELECT $1, s FROM wanted ON CONFLICT (product_id, serial) DO NOTHING RETURNING id, serial)
		SELECT coalesce(i.id, x.id) AS id, w.s AS serial
		FROM wanted w LEFT JOIN ins i ON i.serial = w.s LEFT JOIN serials x ON x.product_id = $1 AND x.serial = w.s
		ORDER BY w.n`, p.ID, pq.StringArray(serials))
	return out, db.Classify(err)
}

// FindSerials returns existing serials of the product in the order given.
func FindSerials(ctx context.Context, q sqlx.QueryerContext, p catalog.Product, serials []string) ([]Serial, error) {
	if err := checkSerialList(p, serials); err != nil {
		return nil, err
	}
	var out []Serial
	err := sqlx.SelectContext(ctx, q, &out, `SELECT s.id, s.serial FROM unnest($2::text[]) WITH ORDINALITY AS w(serial, n)
		JOIN serials s ON s.product_id = $1 AND s.serial = w.serial ORDER BY w.n`, p.ID, pq.StringArray(serials))
	if err != nil {
		return nil, db.Classify(err)
	}
	if len(out) != len(serials) {
		found := map[string]bool{}
		for _, s := range out {
			found[s.Serial] = true
		}
		var missing []string
		for _, s := range serials {
			if !found[s] {
				missing = append(missing, s)
			}
		}
		return nil, fault.Unknownf("serial", "product %s has no serial %s (see stockctl serial list %s)", p.SKU, strings.Join(missing, ", "), p.SKU)
	}
	return out, nil
}

func checkSerialList(p catalog.Product, serials []string) error {
	if !p.Serialized {
		return fault.Invalidf("serial", "product %s is not serialised: leave out --serial", p.SKU)
	}
	seen := map[string]bool{}
	for _, s := range serials {
		if !lotRe.MatchString(s) {
			return fault.Invalidf("serial", "serial number %q: use 1 to 64 letters, digits or . _ / -", s)
		}
		if seen[s] {
			return fault.Invalidf("serial", "serial %s is given twice", s)
		}
		seen[s] = true
	}
	return nil
}

var trailingDigits = regexp.MustCompile(`^(.*?)(\d+)$`)

// SerialRun makes n serial numbers counting up from start, keeping its zero padding:
// SN0998 gives SN0998, SN0999, SN1000.
func SerialRun(start string, n int) ([]string, error) {
	m := trailingDigits.FindStringSubmatch(start)
	if m == nil {
		return nil, fault.Invalidf("serial-start", "--serial-start %q must end in digits to count from, e.g. SN1000", start)
	}
	first, err := strconv.ParseUint(m[2], 10, 63)
	if err != nil {
		return nil, fault.Invalidf("serial-start", "--serial-start %q: the number is too large", start)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%0*d", m[1], len(m[2]), first+uint64(i))
	}
	return out, nil
}
