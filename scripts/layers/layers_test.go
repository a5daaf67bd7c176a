package main

import "testing"

// TestImportRules fails on any package that depends on one the rules forbid it.
func TestImportRules(t *testing.T) {
	ps, err := load("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 10 {
		t.Fatalf("go list found %d packages: not the module", len(ps))
	}
	for _, p := range ps {
		if layerOf(p.ImportPath) < 0 {
			t.Errorf("%s is in no layer: add it to layers in rules.go", short(p.ImportPath))
		}
	}
	for _, v := range violations(ps) {
		t.Error(v)
	}
}

// TestRulesMatch pins how rule entries name packages.
func TestRulesMatch(t *testing.T) {
	for _, c := range []struct {
		p, e string
		want bool
	}{
		{module + "/db", "db", true},
		{module + "/db/pgcopy", "db", true},
		{module + "/dbx", "db", false},
		{module + "/orders/sales", "orders/", true},
		{module + "/orders", "orders/", false},
		{"github.com/spf13/cobra", "github.com/spf13/cobra", true},
		{"github.com/spf13/cobra/doc", "github.com/spf13/cobra", true},
		{module + "/io/printer", "io/printer", true},
		{module + "/io/printerx", "io/printer", false},
	} {
		if got := match(c.p, c.e); got != c.want {
			t.Errorf("match(%q, %q) = %v, want %v", c.p, c.e, got, c.want)
		}
	}
}
