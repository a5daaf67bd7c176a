// Package numbering issues document numbers without gaps (SO-000001, INV-000001 ...): the
// one place every kind of numbered document takes its number from.
//
// Each kind has a counter row in document_counters, bumped in the caller's transaction, so
// a transaction that is rolled back (a --dry-run, a refused line, an error half-way) takes
// its numbers back with it and the next document gets the same number. The bump locks the
// counter row until the transaction ends: every other writer of the same kind of document
// waits there until this one commits or rolls back. That is the price of no gaps, and why
// callers take the number as late as they can, after their checks and after the other
// locks the document needs (the products', the order's): the counter is then held for the
// shortest time, and never while waiting for a row that a writer queued on the counter
// holds (a deadlock). A transaction that makes several documents takes all its other locks
// before its first number (sales.ReleaseAndShip).
package numbering

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Kind is a kind of numbered document. Its number format is the setting
// number_format_<kind> (Setting); its counter row is created by its first document, so a new
// kind needs only that setting.
type Kind string

// The numbered documents.
const (
	SalesOrder    Kind = "so"
	PurchaseOrder Kind = "po"
	RFQ           Kind = "rfq"
	WorkOrder     Kind = "wo"
	Stocktake     Kind = "st"
	Transfer      Kind = "tr"
	Shipment      Kind = "sh"
	Invoice       Kind = "inv"
	CreditNote    Kind = "cn"
	Return        Kind = "rma"
)

// Kinds are every kind of numbered document.
func Kinds() []Kind {
	return []Kind{SalesOrder, PurchaseOrder, RFQ, WorkOrder, Stocktake, Transfer, Shipment, Invoice, CreditNote, Return}
}

// Setting is the setting that holds the kind's number format, a printf format with one %d.
func (k Kind) Setting() string { return "number_format_" + string(k) }

// Next takes the next number of a kind in q's transaction and returns it formatted by the
// kind's setting. Run it in the transaction that writes the document: the counter stays
// locked until that transaction ends (see the package comment).
func Next(ctx context.Context, q sqlx.ExtContext, kind Kind) (string, error) {
	ns, err := NextN(ctx, q, kind, 1)
	if err != nil {
		return "", err
	}
	return ns[0], nil
}

// NextN takes the next n numbers of a kind at once (work orders generated together), in
// order, in one statement; otherwise as Next.
func NextN(ctx context.Context, q sqlx.ExtContext, kind Kind, n int) ([]string, error) {
	if n < 1 {
		return nil, fmt.Errorf("numbering: %d %s numbers asked for, want at least 1", n, kind)
	}
	// One round trip: the format and the bump. The upsert creates the counter of a kind's
	// first document; a kind without its format setting bumps nothing. ON CONFLICT DO
	// UPDATE waits for, and then sees, a concurrent writer's committed counter.
	var row struct {
		Format string `db:"format"`
		Last   int64  `db:"last"`
	}
	err := sqlx.GetContext(ctx, q, &row, `WITH f AS (SELECT value FROM settings WHERE key = $3),
		n AS (INSERT INTO document_counters AS c (kind, last) SELECT $1, $2 FROM f
			ON CONFLICT (kind) DO UPDATE SET last = c.last + excluded.last
			RETURNING c.last)
		SELECT f.value AS format, n.last FROM f, n`, string(kind), n, kind.Setting())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFoundf("setting %s is missing from the database: run stockctl db migrate", kind.Setting())
	}
	if err != nil {
		return nil, db.Classify(err)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(row.Format, row.Last-int64(n)+1+int64(i))
	}
	return out, nil
}
