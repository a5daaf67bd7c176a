package history_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stockctl/stockctl/business/history"
	"github.com/stockctl/stockctl/db/dbtest"
)

// One UPDATE of many rows is recorded by one statement, a row each; a row whose key is
// renamed is recorded as the old row deleted and the new one inserted, so nothing is lost.
func TestStatementsAndRenames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := dbtest.New(t)
	exec := func(q string) {
		t.Helper()
		if _, err := d.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO sales_regions (code, name) SELECT 'R' || i, 'Region ' || i FROM generate_series(1, 500) i`)
	exec(`UPDATE sales_regions SET name = name || '!' WHERE code LIKE 'R%'`)
	exec(`UPDATE sales_regions SET code = 'NSW' WHERE code = 'R7'`)
	var changes []history.Change
	err := history.Each(ctx, d, history.Filter{Table: "sales_regions"}, func(c *history.Change) error {
		changes = append(changes, *c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 500 inserts of code and name (2 columns each), 500 updates of name, then the rename:
	// a delete of R7's code and name and an insert of NSW's: 1000 + 500 + 2 + 2.
	if len(changes) != 1504 {
		t.Fatalf("%d changes, want 1504", len(changes))
	}
	var renamed []string
	for _, c := range changes[1500:] {
		old, new := "", ""
		if c.Old != nil {
			old = *c.Old
		}
		if c.New != nil {
			new = *c.New
		}
		renamed = append(renamed, c.Op+" "+c.Key+" "+c.Column+" "+old+"→"+new)
	}
	want := "delete R7 code R7→|delete R7 name Region 7!→|insert NSW code →NSW|insert NSW name →Region 7!"
	if got := strings.Join(renamed, "|"); got != want {
		t.Fatalf("rename recorded as\n%s\nwant\n%s", got, want)
	}

	// Since and Before bound by the moment recorded.
	tomorrow := time.Now().UTC().Add(24 * time.Hour)
	n := 0
	if err := history.Each(ctx, d, history.Filter{Since: &tomorrow}, func(*history.Change) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("since tomorrow: %d, %v", n, err)
	}
	if err := history.Each(ctx, d, history.Filter{Before: &tomorrow, Table: "sales_regions"}, func(*history.Change) error { n++; return nil }); err != nil || n != 1504 {
		t.Fatalf("before tomorrow: %d, %v", n, err)
	}
	if gone, err := history.Prune(ctx, d, tomorrow); err != nil || gone < 1002 {
		t.Fatalf("prune: %d entries, %v", gone, err)
	}
}
