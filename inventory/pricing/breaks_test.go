package pricing_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/business/pricetype"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/pricing"
	"github.com/stockctl/stockctl/io/csvio"
)

func TestSetBreaksInBulk(t *testing.T) {
	t.Parallel()
	conn := world(t)
	addProduct(t, conn, "F", "8", "0", "0")
	_, err := pricing.SetFormula(bg, conn, "F", "markup", dec("50"))
	must(t, err)
	bad := []pricing.BreakInput{
		{SKU: "W", PriceType: "trade", MinQty: d("10"), Price: d("7")},
		{SKU: "NOPE", MinQty: d("1"), Price: d("1")},
		{SKU: "W", PriceType: "gold", MinQty: d("1"), Price: d("1")},
		{SKU: "W", Region: "ZZ", MinQty: d("1"), Price: d("1")},
		{SKU: "W", MinQty: d("-1"), Price: d("1")},
		{SKU: "W", MinQty: d("1"), Price: d("-0.01")},
		{SKU: "W", PriceType: "trade", MinQty: d("10.000"), Price: d("6")},
		{SKU: "F", MinQty: d("0"), Price: d("3")},
	}
	_, err = pricing.SetBreaks(bg, conn, bad)
	wantKind(t, err, fault.Invalid, "7 of 8 rows refused")
	var rows csvio.RowErrors
	if !errors.As(err, &rows) {
		t.Fatalf("no RowErrors in %v", err)
	}
	// Rows given without a file are numbered from 1 in the order given: the first is good,
	// the other seven (2 to 8) are refused.
	want := []struct {
		row   int
		field string
	}{{2, "sku"}, {3, "price_type"}, {4, "region"}, {5, "min_qty"}, {6, "price"}, {7, "min_qty"}, {8, "price"}}
	if len(rows) != len(want) {
		t.Fatalf("row errors: %v", rows)
	}
	for i, w := range want {
		if rows[i].Row != w.row || rows[i].Column != w.field {
			t.Errorf("row error %d: %+v, want %+v", i, rows[i], w)
		}
	}
	var n int
	must(t, conn.Get(&n, `SELECT count(*) FROM price_breaks`))
	if n != 0 {
		t.Fatalf("a refused batch wrote %d rows", n)
	}

	good := []pricing.BreakInput{
		{SKU: "W", PriceType: "trade", MinQty: d("10"), Price: d("7.00")},
		{SKU: "W", PriceType: "trade", Region: "CA", MinQty: d("10"), Price: d("7.20")},
		{SKU: "W", MinQty: d("0.5"), Price: d("9.90")},
		{SKU: "W", MinQty: d("0"), Price: d("10.00")}, // the sell price, already 10
		{SKU: "F", PriceType: "wholesale", MinQty: d("0"), Price: d("9")},
	}
	c, err := pricing.SetBreaks(bg, conn, good)
	must(t, err)
	if c != (pricing.Counts{Created: 4, Unchanged: 1}) {
		t.Fatalf("first write: %+v", c)
	}
	c, err = pricing.SetBreaks(bg, conn, good)
	must(t, err)
	if c != (pricing.Counts{Unchanged: 5}) {
		t.Fatalf("the same rows again change nothing: %+v", c)
	}
	good[0].MinQty, good[0].Price = d("10.00"), d("6.95") // 10.00 is the minimum 10
	good[3].Price = d("10.50")
	c, err = pricing.SetBreaks(bg, conn, good)
	must(t, err)
	if c != (pricing.Counts{Updated: 2, Unchanged: 3}) || !eq(sellPrice(t, conn, "W"), "10.50") {
		t.Fatalf("two changed: %+v", c)
	}
	bs, err := pricing.Breaks(bg, conn, "W", "trade")
	must(t, err)
	if len(bs) != 2 || *bs[1].Region != "CA" || !eq(bs[0].Price, "6.95") || bs[0].Price.String() != "6.95" || bs[0].SellPrice {
		t.Fatalf("trade rows: %+v", bs)
	}
	bs, err = pricing.Breaks(bg, conn, "W", "")
	must(t, err)
	var got []string
	for _, b := range bs {
		r := ""
		if b.Region != nil {
			r = *b.Region
		}
		got = append(got, fmt.Sprintf("%s/%s/%s=%s", b.PriceType, r, b.MinQty, b.Price.StringFixed(2)))
	}
	if fmt.Sprint(got) != "[retail//0=10.50 retail//0.5=9.90 trade//10=6.95 trade/CA/10=7.20]" {
		t.Fatalf("list order: %v", got)
	}

	// One row at a time: the error names the flag's field and has the row's own kind.
	_, _, err = pricing.AddBreak(bg, conn, pricing.BreakInput{SKU: "NOPE", MinQty: d("1"), Price: d("1")})
	wantKind(t, err, fault.NotFound, "NOPE")
	_, _, err = pricing.AddBreak(bg, conn, pricing.BreakInput{SKU: "W", PriceType: "gold", MinQty: d("1"), Price: d("1")})
	wantKind(t, err, fault.NotFound, "unknown price type")
	if fault.FieldOf(err) != "price_type" {
		t.Fatalf("field %q", fault.FieldOf(err))
	}

	b, err := pricing.DeleteBreak(bg, conn, "W", "trade", "CA", d("10"))
	must(t, err)
	if !eq(b.Price, "7.20") || *b.Region != "CA" || b.SKU != "W" {
		t.Fatalf("deleted %+v", b)
	}
	_, err = pricing.DeleteBreak(bg, conn, "W", "trade", "CA", d("10"))
	wantKind(t, err, fault.NotFound, "no trade break row from 10 in region CA")
	_, err = pricing.DeleteBreak(bg, conn, "W", "gold", "", d("10"))
	wantKind(t, err, fault.NotFound, "gold")
	_, err = pricing.DeleteBreak(bg, conn, "NOPE", "", "", d("10"))
	wantKind(t, err, fault.NotFound, "NOPE")
	b, err = pricing.DeleteBreak(bg, conn, "W", "", "", d("0.50"))
	must(t, err)
	if b.PriceType != "retail" {
		t.Fatalf("deleted %+v", b)
	}
	_, err = pricing.Breaks(bg, conn, "NOPE", "")
	wantKind(t, err, fault.NotFound, "NOPE")
}

func TestSpecialPrices(t *testing.T) {
	t.Parallel()
	conn := world(t)
	addProduct(t, conn, "X", "1", "2", "3")
	today := *day("2026-05-15")
	s, c, err := pricing.AddSpecial(bg, conn, pricing.SpecialInput{Customer: "ACME", SKU: "W", Price: d("9.00")}, today)
	must(t, err)
	if c.Created != 1 || s.Customer != "ACME" || s.SKU != "W" || !s.MinQty.IsZero() || s.Status != pricing.StatusCurrent || s.ValidFrom != nil {
		t.Fatalf("added %+v %+v", s, c)
	}
	s, c, err = pricing.AddSpecial(bg, conn, pricing.SpecialInput{Customer: "ACME", SKU: "W", MinQty: d("0.00"), Price: d("8.75"),
		From: day("2026-01-01"), Until: day("2026-05-14")}, today)
	must(t, err)
	if c.Updated != 1 || !eq(s.Price, "8.75") || s.Status != pricing.StatusExpired || s.ValidUntil.Format(time.DateOnly) != "2026-05-14" {
		t.Fatalf("replaced %+v %+v", s, c)
	}
	_, err = pricing.SetSpecials(bg, conn, []pricing.SpecialInput{
		{Customer: "ACME", SKU: "W", MinQty: d("10"), Price: d("8.50"), From: day("2026-06-01")},
		{Customer: "ACME", SKU: "X", MinQty: d("1"), Price: d("2.50")},
		{Customer: "BLUE", SKU: "W", MinQty: d("1"), Price: d("7.77"), Until: day("2026-05-15")},
	})
	must(t, err)
	ss, err := pricing.Specials(bg, conn, "ACME", "", today)
	must(t, err)
	var got []string
	for _, s := range ss {
		got = append(got, s.SKU+" "+s.MinQty.String()+" "+s.Status)
	}
	if fmt.Sprint(got) != "[W 0 expired W 10 future X 1 current]" {
		t.Fatalf("ACME's specials: %v", got)
	}
	ss, err = pricing.Specials(bg, conn, "", "W", today)
	must(t, err)
	if len(ss) != 3 || ss[2].Customer != "BLUE" || ss[2].Status != pricing.StatusCurrent {
		t.Fatalf("W's specials: %+v", ss)
	}

	for _, in := range []struct {
		in    pricing.SpecialInput
		kind  fault.Kind
		field string
	}{
		{pricing.SpecialInput{Customer: "NOPE", SKU: "W", Price: d("1")}, fault.NotFound, "customer"},
		{pricing.SpecialInput{Customer: "SUPP", SKU: "W", Price: d("1")}, fault.Invalid, "customer"},
		{pricing.SpecialInput{Customer: "ACME", SKU: "NOPE", Price: d("1")}, fault.NotFound, "sku"},
		{pricing.SpecialInput{Customer: "ACME", SKU: "W", Price: d("-1")}, fault.Invalid, "price"},
		{pricing.SpecialInput{Customer: "ACME", SKU: "W", Price: d("1"), From: day("2026-02-02"), Until: day("2026-02-01")}, fault.Invalid, "until"},
	} {
		_, _, err := pricing.AddSpecial(bg, conn, in.in, today)
		if fault.KindOf(err) != in.kind || fault.FieldOf(err) != in.field {
			t.Errorf("%+v: %v (field %q)", in.in, err, fault.FieldOf(err))
		}
	}
	// A one-day validity is allowed (from = until).
	_, _, err = pricing.AddSpecial(bg, conn, pricing.SpecialInput{Customer: "BLUE", SKU: "X", Price: d("1"), From: &today, Until: &today}, today)
	must(t, err)

	gone, err := pricing.DeleteSpecial(bg, conn, "ACME", "W", dec("10"), today)
	must(t, err)
	if len(gone) != 1 || gone[0].Customer != "ACME" || gone[0].SKU != "W" || !eq(gone[0].Price, "8.50") || gone[0].Status != pricing.StatusFuture {
		t.Fatalf("deleted %+v", gone)
	}
	_, err = pricing.DeleteSpecial(bg, conn, "ACME", "W", dec("10"), today)
	wantKind(t, err, fault.NotFound, "from 10")
	gone, err = pricing.DeleteSpecial(bg, conn, "ACME", "W", nil, today)
	must(t, err)
	if len(gone) != 1 || !gone[0].MinQty.IsZero() {
		t.Fatalf("deleted %+v", gone)
	}
	_, err = pricing.DeleteSpecial(bg, conn, "ACME", "W", nil, today)
	wantKind(t, err, fault.NotFound, "no special price for W")
	_, err = pricing.DeleteSpecial(bg, conn, "SUPP", "W", nil, today)
	wantKind(t, err, fault.Invalid, "not a customer")
	gone, err = pricing.DeleteSpecial(bg, conn, "BLUE", "X", nil, today)
	must(t, err)
	if len(gone) != 1 {
		t.Fatalf("deleted %+v", gone)
	}
}

// Many writers setting the same rows at once never fail or duplicate a row, and a change of
// the default price type racing them leaves no stored first row of the default type.
func TestConcurrentPriceWrites(t *testing.T) {
	t.Parallel()
	conn := world(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.InTx(bg, conn, func(tx *sqlx.Tx) error {
				if i == 8 {
					_, err := pricetype.SetDefault(bg, tx, "trade")
					return err
				}
				_, err := pricing.SetBreaks(bg, tx, []pricing.BreakInput{
					{SKU: "W", PriceType: "trade", MinQty: d("0"), Price: d(fmt.Sprintf("8.%02d", i))},
					{SKU: "W", PriceType: "trade", MinQty: d("5"), Price: d("7.50")},
				})
				if err != nil {
					return err
				}
				_, err = pricing.SetSpecials(bg, tx, []pricing.SpecialInput{{Customer: "ACME", SKU: "W", Price: d("9")}})
				return err
			})
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	must(t, conn.Get(&n, `SELECT count(*) FROM price_breaks b JOIN products p ON p.id = b.product_id
		WHERE p.sku = 'W' AND b.price_type = 'trade' AND b.region IS NULL AND b.min_qty = 0`))
	if n != 0 {
		t.Fatalf("%d stored first rows of the default price type", n)
	}
	must(t, conn.Get(&n, `SELECT count(*) FROM price_breaks b JOIN products p ON p.id = b.product_id WHERE p.sku = 'W' AND b.min_qty = 5`))
	if n != 1 {
		t.Fatalf("%d rows at minimum 5", n)
	}
	must(t, conn.Get(&n, `SELECT count(*) FROM special_prices`))
	if n != 1 {
		t.Fatalf("%d special rows", n)
	}
}
