package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command a user can run shows an example in its --help.
func TestEveryCommandHasAnExample(t *testing.T) {
	t.Parallel()
	root := (&App{}).newRoot()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		path := c.CommandPath()
		if c.HasSubCommands() || !c.Runnable() || strings.Contains(path, "completion") || strings.HasSuffix(path, " help") || c == root {
			return
		}
		if strings.TrimSpace(c.Example) == "" && c.Name() != "exit-codes" {
			t.Errorf("%s has no example in its help", path)
		}
		if c.Short == "" {
			t.Errorf("%s has no short description", path)
		}
	}
	walk(root)
}

func TestManPages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run(t, "postgres://unused/unused", "docs", "man", dir).wantCode(t, ExitOK)
	pages, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	if len(pages) < 20 {
		t.Fatalf("expected a page per command, got %d", len(pages))
	}
	b, err := os.ReadFile(filepath.Join(dir, "stockctl-company-add.1"))
	if err != nil || !strings.Contains(string(b), "--customer") {
		t.Fatalf("company add page: %v", err)
	}
}
