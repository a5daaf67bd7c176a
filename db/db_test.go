package db_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/db/dbtest"
	"github.com/stockctl/stockctl/fault"
)

func TestResolveOrder(t *testing.T) {
	t.Setenv("STOCKCTL_DATABASE_URL", "postgres://a/a")
	t.Setenv("DATABASE_URL", "postgres://b/b")
	if s := db.Resolve("postgres://f/f"); s.From != "--db" || s.URL != "postgres://f/f" {
		t.Fatalf("flag first: %+v", s)
	}
	if s := db.Resolve(""); s.From != "STOCKCTL_DATABASE_URL" {
		t.Fatalf("then STOCKCTL_DATABASE_URL: %+v", s)
	}
	t.Setenv("STOCKCTL_DATABASE_URL", "")
	if s := db.Resolve(""); s.From != "DATABASE_URL" {
		t.Fatalf("then DATABASE_URL: %+v", s)
	}
	t.Setenv("DATABASE_URL", "")
	if s := db.Resolve(""); !s.Private {
		t.Fatalf("else private: %+v", s)
	}
}

func TestActorRecorded(t *testing.T) {
	t.Parallel()
	_, url := dbtest.New(t)
	d, err := db.Open(context.Background(), url, db.Session{Actor: "jane o'neil"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var actor string
	if err := d.Get(&actor, `SELECT stockctl_actor()`); err != nil || actor != "jane o'neil" {
		t.Fatalf("actor %q, %v", actor, err)
	}
	if _, err := db.Open(context.Background(), url, db.Session{Actor: "bad;actor\n"}); fault.KindOf(err) != fault.Usage {
		t.Fatalf("bad actor refused as usage error: %v", err)
	}
}

func TestInTxRollsBackAndClassifies(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	err := db.InTx(ctx, d, func(tx *sqlx.Tx) error {
		if _, err := tx.Exec(`INSERT INTO sales_regions (code) VALUES ('A')`); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO sales_regions (code) VALUES ('A')`)
		return err
	})
	if fault.KindOf(err) != fault.Conflict {
		t.Fatalf("unique violation is a conflict: %v", err)
	}
	var n int
	d.Get(&n, `SELECT count(*) FROM sales_regions`)
	if n != 0 {
		t.Fatalf("nothing half-written: %d rows", n)
	}
	if err := db.InTxOrDryRun(ctx, d, true, func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO sales_regions (code) VALUES ('B')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	d.Get(&n, `SELECT count(*) FROM sales_regions`)
	if n != 0 {
		t.Fatalf("dry run rolled back: %d rows", n)
	}
}

// Serialization failures are retried: many transactions incrementing one counter under
// SERIALIZABLE all land, none is lost and none fails.
func TestInTxRetriesSerializationFailures(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	if _, err := d.Exec(`CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (0)`); err != nil {
		t.Fatal(err)
	}
	const workers, each = 6, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				errs <- db.InTx(ctx, d, func(tx *sqlx.Tx) error {
					if _, err := tx.Exec(`SET TRANSACTION ISOLATION LEVEL SERIALIZABLE`); err != nil {
						return err
					}
					var n int
					if err := tx.Get(&n, `SELECT n FROM counter`); err != nil {
						return err
					}
					_, err := tx.Exec(`UPDATE counter SET n = $1`, n+1)
					return err
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("transaction failed instead of retrying: %v", err)
		}
	}
	var n int
	d.Get(&n, `SELECT n FROM counter`)
	if n != workers*each {
		t.Fatalf("counter %d, want %d: an update was lost", n, workers*each)
	}
}

func TestCheckSchema(t *testing.T) {
	t.Parallel()
	d, _ := dbtest.New(t)
	ctx := context.Background()
	if err := db.CheckSchema(ctx, d.DB, "test"); err != nil {
		t.Fatalf("fresh template is current: %v", err)
	}
	d.Exec(`DELETE FROM stockctl_schema_version WHERE version_id > 0`)
	err := db.CheckSchema(ctx, d.DB, "test")
	if fault.KindOf(err) != fault.Unavailable || !strings.Contains(err.Error(), "run stockctl db migrate") {
		t.Fatalf("behind schema: %v", err)
	}
	if !errors.As(err, new(*fault.Error)) {
		t.Fatal("classified")
	}
}
