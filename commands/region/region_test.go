package region

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/db/dbtest"
)

// TestRunWithoutCobra calls the run functions with options filled by hand, as a program or
// test can without building the command tree.
func TestRunWithoutCobra(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.New(t)
	ctx := context.Background()
	var out, errb bytes.Buffer
	a := &app.App{Out: &out, Err: &errb, Output: "csv", Pool: pool}

	if err := runAdd(ctx, &AddOptions{App: a, Code: "NSW", Name: "New South Wales", DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errb.String(), "dry run: nothing was written") {
		t.Errorf("stderr %q: want the dry-run note", errb.String())
	}
	if err := runAdd(ctx, &AddOptions{App: a, Code: "NSW", Name: "New South Wales"}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runList(ctx, &ListOptions{App: a}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); strings.Count(got, "NSW,New South Wales") != 1 {
		t.Errorf("region list: %q, want NSW once (the dry run wrote nothing)", got)
	}
}
