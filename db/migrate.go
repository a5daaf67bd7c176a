package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/stockctl/stockctl/fault"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationTable is goose's record of applied versions; named for us so it is clear in psql.
const migrationTable = "stockctl_schema_version"

func provider(d *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, d, sub,
		goose.WithTableName(migrationTable),
		goose.WithSessionLocker(locker), // two commands migrating at once take turns
		goose.WithDisableGlobalRegistry(true))
}

// Version is the schema version a database is at and the one this binary knows.
type Version struct {
	Current int64 `json:"current"`
	Target  int64 `json:"target"`
}

// SchemaVersion reads the database's schema version without changing anything.
func SchemaVersion(ctx context.Context, d *sql.DB) (Version, error) {
	p, err := provider(d)
	if err != nil {
		return Version{}, err
	}
	cur, target, err := p.GetVersions(ctx)
	if err != nil {
		return Version{}, fault.Wrap(fault.Unavailable, Classify(err), "reading schema version")
	}
	return Version{Current: cur, Target: target}, nil
}

// Migrate applies every pending migration and returns the versions it applied.
func Migrate(ctx context.Context, d *sql.DB) ([]int64, error) {
	p, err := provider(d)
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fault.Wrap(fault.Unavailable, err, "migrating the schema")
	}
	var applied []int64
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// CheckSchema refuses a database whose schema differs from the one this binary expects; it
// is used for databases given by URL, which are changed only by an explicit db migrate.
func CheckSchema(ctx context.Context, d *sql.DB, where string) error {
	v, err := SchemaVersion(ctx, d)
	if err != nil {
		return err
	}
	switch {
	case v.Current < v.Target:
		return fault.Unavailablef("the schema of %s is at version %d, this stockctl needs %d: run stockctl db migrate", where, v.Current, v.Target)
	case v.Current > v.Target:
		return fault.Unavailablef("the schema of %s is at version %d, newer than this stockctl knows (%d): upgrade stockctl", where, v.Current, v.Target)
	}
	return nil
}

// String renders a version for messages.
func (v Version) String() string { return fmt.Sprintf("%d of %d", v.Current, v.Target) }

// MigrationsHash identifies the embedded migrations, so test templates built from an older
// set are never reused.
func MigrationsHash() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(migrations, "migrations")
	for _, e := range entries {
		b, _ := fs.ReadFile(migrations, "migrations/"+e.Name())
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
