package db

import (
	"context"
	"database/sql"
)

// MigrateLegacy builds the schema as stockctl did before it had a schema of its own: the
// migrations up to version in public, with the version table there. d's search_path must
// be public.
func MigrateLegacy(ctx context.Context, d *sql.DB, version int64) error {
	p, err := provider(d, "public")
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// LegacyObjectNames lists the objects of the public-schema era as "kind name".
func LegacyObjectNames() []string {
	var out []string
	for _, o := range legacyObjects {
		out = append(out, o.kind+" "+o.name)
	}
	return out
}

const LastLegacyVersion = lastLegacyVersion
