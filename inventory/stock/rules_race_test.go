package stock_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/io/csvio"
)

// ruleRace is one kind of trial: a change of what postings are judged by, raced against a
// posting of the same product.
type ruleRace struct {
	name    string
	trials  int
	opening string // stock of the product at A before the race ("": none, a fresh product)
	uom     string // the product's stock unit ("": ea)
	edit    func(ctx context.Context, conn *sqlx.DB, sku string) error
	post    func(ctx context.Context, conn *sqlx.DB, sku string) error
	// slowEdit: the change takes long before it changes anything (an import stages and
	// checks its file), so the posting starts anywhere within the time the last change of
	// the kind took; else either side starts up to 2ms after the other.
	slowEdit bool
	// deactivates: the change deactivates the product (without --force). Allowed either
	// way, so the posting reports whether it saw the product active under its posting lock:
	// a deactivation that succeeded saw no stock, so it must have come first, and a posting
	// that brings stock after it must have seen the product inactive.
	deactivates bool
	// exclusive: both cannot succeed (the edit needs the stock the posting brings to be
	// absent, and the posting breaks the edit's rule).
	exclusive bool
}

// refusedEdit says why an edit is allowed to fail: only because of the product's stock
// (exit 5), which the posting that committed first brought or left.
var refusedEdit = regexp.MustCompile(`on hand|stock|moves`)

// editInTx runs a catalogue change in its own transaction, as the commands do.
func editInTx(fn func(ctx context.Context, tx *sqlx.Tx, sku string) error) func(context.Context, *sqlx.DB, string) error {
	return func(ctx context.Context, conn *sqlx.DB, sku string) error {
		return db.InTx(ctx, conn, func(tx *sqlx.Tx) error { return fn(ctx, tx, sku) })
	}
}

func no() *bool { b := false; return &b }

func edit(ch catalog.Changes) func(context.Context, *sqlx.DB, string) error {
	return editInTx(func(ctx context.Context, tx *sqlx.Tx, sku string) error {
		_, err := catalog.Edit(ctx, tx, sku, ch)
		return err
	})
}

// importRow imports "sku,<column>" with the value given, as product import does; a refused
// row comes back as an error carrying its reasons.
func importRow(column, value string) func(context.Context, *sqlx.DB, string) error {
	return func(ctx context.Context, conn *sqlx.DB, sku string) error {
		r, err := csvio.NewReader(strings.NewReader("sku,"+column+"\n"+sku+","+value+"\n"), catalog.CSVColumns, catalog.CSVRequired, csvio.Options{})
		if err != nil {
			return err
		}
		var reasons []string
		err = db.InBulk(ctx, conn, false, func(b *db.Bulk) error {
			_, err := catalog.ImportProducts(ctx, b, r, csvio.ImportOptions{Rejects: func(rj csvio.Rejected) error {
				for _, e := range rj.Errors {
					reasons = append(reasons, e.Column+": "+e.Reason)
				}
				return nil
			}})
			return err
		})
		if errors.Is(err, csvio.ErrRowsInvalid) {
			return fault.Invalidf(column, "%s: %s", err, strings.Join(reasons, "; "))
		}
		return err
	}
}

func adjustAt(qty string) func(context.Context, *sqlx.DB, string) error {
	return func(ctx context.Context, conn *sqlx.DB, sku string) error {
		return db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
			_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{{SKU: sku, Location: "A", Qty: d(qty), UnitCost: costFor(qty)}}, "")
			return err
		})
	}
}

// costFor is the unit cost of an adjustment: stock going out takes none.
func costFor(qty string) *decimal.Decimal {
	if strings.HasPrefix(qty, "-") {
		return nil
	}
	return dp("2")
}

// adjustSeeingActive is adjustAt that first takes the product's posting lock (stock.Lock,
// as sales does) and records whether the product is active under it.
func adjustSeeingActive(qty string, saw *sync.Map) func(context.Context, *sqlx.DB, string) error {
	return func(ctx context.Context, conn *sqlx.DB, sku string) error {
		return db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
			var p struct {
				ID     int64 `db:"id"`
				Active bool  `db:"active"`
			}
			if err := tx.Get(&p, `SELECT id, active FROM products WHERE sku = $1`, sku); err != nil {
				return err
			}
			if err := stock.Lock(ctx, tx, []int64{p.ID}); err != nil {
				return err
			}
			if err := tx.Get(&p.Active, `SELECT active FROM products WHERE id = $1`, p.ID); err != nil {
				return err
			}
			saw.Store(sku, p.Active)
			_, _, err := stock.Adjust(ctx, tx, []stock.Adjustment{{SKU: sku, Location: "A", Qty: d(qty), UnitCost: costFor(qty)}}, "")
			return err
		})
	}
}

func transferAB(qty string) func(context.Context, *sqlx.DB, string) error {
	return func(ctx context.Context, conn *sqlx.DB, sku string) error {
		return db.InTx(ctx, conn, func(tx *sqlx.Tx) error {
			_, err := stock.Transfer(ctx, tx, stock.TransferRequest{SKU: sku, From: "A", To: "B", Qty: d(qty)})
			return err
		})
	}
}

// Each change of what postings are judged by (serials, batches, tracking, the stock unit,
// deactivation, deletion; by product edit and by product import) races a posting of the
// same product (adjustments in and out, transfers), 176 times in all on small fresh
// products (24 more race as processes in cmd/stockctl). Every outcome is one of two: the
// change is refused because of the stock (exit 5, saying so), or the posting is refused or
// follows the new rule; and stock check is clean after every trial. Without the rules read
// under the posting lock (and the import's lock), trials end with both committed:
// serialised or batch-tracked products holding stock without serials or batches, untracked
// products holding stock, stock counted in a unit it was not entered in.
func TestRuleChangesRacePostings(t *testing.T) {
	t.Parallel()
	conn := setup(t)
	ctx := context.Background()
	var sawActive sync.Map // sku → the product was active under the posting's lock
	races := []ruleRace{
		{name: "serialize/adjust in", trials: 14, edit: edit(catalog.Changes{Serialized: yes()}), post: adjustAt("3"), exclusive: true},
		{name: "batch-track/adjust in", trials: 14, edit: edit(catalog.Changes{BatchTracked: yes()}), post: adjustAt("3"), exclusive: true},
		{name: "untrack/adjust in", trials: 14, edit: edit(catalog.Changes{TrackStock: no()}), post: adjustAt("5"), exclusive: true},
		// 0.5 kg is refused in grams (no decimals): a posting that saw the new unit is refused
		// anyway, so only one side can succeed.
		{name: "change unit/adjust in", trials: 14, uom: "kg", edit: edit(catalog.Changes{StockUOM: str("g")}), post: adjustAt("0.5"), exclusive: true},
		{name: "deactivate/adjust in", trials: 10, post: adjustSeeingActive("3", &sawActive), deactivates: true,
			edit: editInTx(func(ctx context.Context, tx *sqlx.Tx, sku string) error {
				_, _, err := catalog.SetActive(ctx, tx, sku, false, false)
				return err
			})},
		{name: "delete/adjust in", trials: 14, post: adjustAt("3"), exclusive: true,
			edit: editInTx(func(ctx context.Context, tx *sqlx.Tx, sku string) error { return catalog.Delete(ctx, tx, sku) })},
		{name: "untrack/adjust out to zero", trials: 12, opening: "5", edit: edit(catalog.Changes{TrackStock: no()}), post: adjustAt("-5")},
		{name: "serialize/transfer", trials: 12, opening: "5", edit: edit(catalog.Changes{Serialized: yes()}), post: transferAB("2")},
		{name: "deactivate/adjust out to zero", trials: 12, opening: "4", post: adjustAt("-4"),
			edit: editInTx(func(ctx context.Context, tx *sqlx.Tx, sku string) error {
				_, _, err := catalog.SetActive(ctx, tx, sku, false, false)
				return err
			})},
		{name: "import serialized/adjust in", trials: 12, edit: importRow("serialized", "true"), post: adjustAt("3"), slowEdit: true, exclusive: true},
		{name: "import batch_tracked/adjust in", trials: 12, edit: importRow("batch_tracked", "true"), post: adjustAt("3"), slowEdit: true, exclusive: true},
		{name: "import track_stock/adjust in", trials: 12, edit: importRow("track_stock", "false"), post: adjustAt("5"), slowEdit: true, exclusive: true},
		{name: "import stock_uom/adjust in", trials: 12, uom: "kg", edit: importRow("stock_uom", "g"), post: adjustAt("0.5"), slowEdit: true, exclusive: true},
		{name: "import active/adjust in", trials: 12, edit: importRow("active", "false"), post: adjustSeeingActive("3", &sawActive),
			slowEdit: true, deactivates: true},
	}
	total := 0
	for _, r := range races {
		total += r.trials
	}
	if total != 176 {
		t.Fatalf("%d trials, want 176", total)
	}
	// The products, made at once: R<kind>-<trial>, plain stock products.
	var uoms []string
	for _, r := range races {
		u := r.uom
		if u == "" {
			u = "ea"
		}
		uoms = append(uoms, u)
	}
	exec(t, conn, `INSERT INTO products (sku, name, type, track_stock, stock_uom, purchase_uom, sales_uom)
		SELECT 'R' || (k - 1) || '-' || n, 'Race ' || k || '-' || n, 'stock', true, u, u, u
		FROM unnest($1::text[]) WITH ORDINALITY x (u, k), generate_series(0, 19) n`, pq.StringArray(uoms))
	var opening []stock.Adjustment
	for k, r := range races {
		for n := 0; n < r.trials && r.opening != ""; n++ {
			opening = append(opening, stock.Adjustment{SKU: fmt.Sprintf("R%d-%d", k, n), Location: "A", Qty: d(r.opening), UnitCost: dp("2")})
		}
	}
	mustAdjust(t, conn, opening...)

	rng := rand.New(rand.NewPCG(22, 1))
	for k, r := range races {
		var editOK, postOK int
		took := 30 * time.Millisecond // the last change of this kind
		for n := 0; n < r.trials; n++ {
			sku := fmt.Sprintf("R%d-%d", k, n)
			// Either side may start a little after the other, so every interleaving occurs.
			delays := [2]time.Duration{time.Duration(rng.IntN(2000)) * time.Microsecond, time.Duration(rng.IntN(2000)) * time.Microsecond}
			if r.slowEdit {
				delays = [2]time.Duration{0, time.Duration(rng.Int64N(int64(took)))}
			}
			var editErr, postErr error
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				time.Sleep(delays[0])
				start := time.Now()
				editErr = r.edit(ctx, conn, sku)
				took = time.Since(start)
			}()
			go func() {
				defer wg.Done()
				time.Sleep(delays[1])
				postErr = r.post(ctx, conn, sku)
			}()
			wg.Wait()
			judgeRace(t, r.name+" "+sku, r.exclusive, editErr, postErr)
			if saw, _ := sawActive.Load(sku); r.deactivates && editErr == nil && postErr == nil && saw == true {
				t.Fatalf("%s %s: deactivated without --force, but a posting that saw it active brought stock before", r.name, sku)
			}
			if editErr == nil {
				editOK++
			}
			if postErr == nil {
				postOK++
			}
			if vs := runCheck(t, conn); len(vs) != 0 {
				t.Fatalf("%s %s: stock check after the trial (edit: %v; posting: %v):%s", r.name, sku, editErr, postErr, describe(vs))
			}
		}
		t.Logf("%s: %d trials, the change committed %d times, the posting %d times", r.name, r.trials, editOK, postOK)
	}
}

// judgeRace fails the test unless the outcome of one trial is one of the two allowed: the
// change refused because of the stock (exit 5), or the posting refused (exit 5, or 6 for a
// product deleted under it) or posted by the new rule. Both refused never happens: a
// refused change saw the posting's stock, so the posting committed.
func judgeRace(t *testing.T, what string, exclusive bool, editErr, postErr error) {
	t.Helper()
	if editErr != nil {
		if k := fault.KindOf(editErr); (k != fault.Invalid && k != fault.Conflict) || !refusedEdit.MatchString(editErr.Error()) {
			t.Fatalf("%s: the change failed with %v (%s), not refused because of stock (exit 5)", what, editErr, k)
		}
	}
	if postErr != nil {
		if k := fault.KindOf(postErr); k != fault.Invalid && k != fault.Conflict && k != fault.NotFound {
			t.Fatalf("%s: the posting failed with %v (%s), not refused by a rule", what, postErr, k)
		}
	}
	switch {
	case editErr != nil && postErr != nil:
		t.Fatalf("%s: both refused: change %v; posting %v", what, editErr, postErr)
	case exclusive && editErr == nil && postErr == nil:
		t.Fatalf("%s: both committed, but the posting breaks the changed rule", what)
	}
}
