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

// migrationTable is goose's record of applied versions, inside the business's schema;
// named for us so it is clear in psql.
const migrationTable = "stockctl_schema_version"

func provider(d *sql.DB, schema string) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, d, sub,
		goose.WithTableName(schema+"."+migrationTable),
		goose.WithSessionLocker(locker), // two commands migrating at once take turns
		goose.WithDisableGlobalRegistry(true))
}

// Version is the schema version a database is at and the one this binary knows. Legacy says
// the version was read from a stockctl left in the public schema, which the next migrate
// moves into the default schema.
type Version struct {
	Current int64 `json:"current"`
	Target  int64 `json:"target"`
	Legacy  bool  `json:"-"`
}

// SchemaVersion reads the version of the connection's schema without changing anything: 0
// when the schema or its version table does not exist yet.
func SchemaVersion(ctx context.Context, d *sql.DB) (Version, error) {
	schema, err := SchemaOf(ctx, d)
	if err != nil {
		return Version{}, err
	}
	p, err := provider(d, schema)
	if err != nil {
		return Version{}, err
	}
	srcs := p.ListSources()
	v := Version{Target: srcs[len(srcs)-1].Version}
	var versioned bool
	if err := d.QueryRowContext(ctx, `SELECT to_regclass(format('%I.%I', $1::text, $2::text)) IS NOT NULL`, schema, migrationTable).Scan(&versioned); err != nil {
		return v, fault.Wrap(fault.Unavailable, Classify(err), "reading schema version")
	}
	if !versioned {
		if schema == DefaultSchema {
			if v.Current, err = legacyVersion(ctx, d); err != nil {
				return v, fault.Wrap(fault.Unavailable, err, "reading schema version")
			}
			v.Legacy = v.Current > 0
		}
		return v, nil
	}
	if v.Current, _, err = p.GetVersions(ctx); err != nil {
		return v, fault.Wrap(fault.Unavailable, Classify(err), "reading schema version")
	}
	return v, nil
}

// Migrate creates the connection's schema if needed (moving a stockctl left in public into
// the default schema), applies every pending migration in it and returns the versions it
// applied.
func Migrate(ctx context.Context, d *sql.DB) ([]int64, error) {
	schema, err := SchemaOf(ctx, d)
	if err != nil {
		return nil, err
	}
	if err := prepareSchema(ctx, d, schema); err != nil {
		return nil, err
	}
	p, err := provider(d, schema)
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fault.Wrap(fault.Unavailable, err, "migrating schema %s", schema)
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
	schema, err := SchemaOf(ctx, d)
	if err != nil {
		return err
	}
	switch {
	case v.Legacy:
		return fault.Unavailablef("the stockctl data of %s is in schema public, from before stockctl kept it in a schema of its own (version %d): run stockctl db migrate to move it into schema %s with every row", where, v.Current, DefaultSchema)
	case v.Current == 0:
		return fault.Unavailablef("%s has no stockctl schema %s yet: run stockctl db migrate to create it", where, schema)
	case v.Current < v.Target:
		return fault.Unavailablef("schema %s of %s is at version %d, this stockctl needs %d: run stockctl db migrate", schema, where, v.Current, v.Target)
	case v.Current > v.Target:
		return fault.Unavailablef("schema %s of %s is at version %d, newer than this stockctl knows (%d): upgrade stockctl", schema, where, v.Current, v.Target)
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
