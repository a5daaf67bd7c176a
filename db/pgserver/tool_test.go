package pgserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/fault"
)

// fakeTool writes a program that answers --version like PostgreSQL's tools, in a
// directory of its own.
func fakeTool(t *testing.T, name, version string) string {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\necho '" + name + " (PostgreSQL) " + version + " (test build)'\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPickTool: the server's own major version wins wherever it is in the search order;
// without it the oldest newer version; an older one only, or none, is refused saying what
// was found and what to install.
func TestPickTool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v14, v15, v16, v17 := fakeTool(t, "pg_dump", "14.9"), fakeTool(t, "pg_dump", "15.14"), fakeTool(t, "pg_dump", "16.2"), fakeTool(t, "pg_dump", "17.0")
	empty := t.TempDir()
	for _, c := range []struct {
		dirs []string
		want string
		dir  string
	}{
		{[]string{v17, v15, v14}, "15", v15},
		{[]string{empty, v17, v16, v14}, "15", v16},
		{[]string{v14, v16}, "16", v16},
		{[]string{v17, v14}, "9.6", v14},
	} {
		path, major, err := pickTool(ctx, c.dirs, "pg_dump", c.want, "test")
		if err != nil || path != filepath.Join(c.dir, "pg_dump") {
			t.Errorf("want %s from %v: got %s (%s), %v", c.want, c.dirs, path, major, err)
		}
	}
	_, _, err := pickTool(ctx, []string{v14, empty}, "pg_dump", "15", "looked in test dirs")
	if !fault.Is(err, fault.Unavailable) || !strings.Contains(err.Error(), "pg_dump of PostgreSQL 15 or newer") ||
		!strings.Contains(err.Error(), filepath.Join(v14, "pg_dump")+" is 14") || !strings.Contains(err.Error(), "looked in test dirs") {
		t.Fatalf("only an older pg_dump: %v", err)
	}
	// STOCKCTL_PG_BINDIR is the only place looked at when given.
	if _, _, err := Tool(ctx, empty, "pg_dump", "15"); err == nil || !strings.Contains(err.Error(), empty+" (STOCKCTL_PG_BINDIR)") {
		t.Fatalf("empty bin dir: %v", err)
	}
	if path, _, err := Tool(ctx, v15, "pg_dump", "15"); err != nil || path != filepath.Join(v15, "pg_dump") {
		t.Fatalf("bin dir: %s, %v", path, err)
	}
}
