package main

import "strings"

// module is the import path every package of stockctl starts with.
const module = "github.com/stockctl/stockctl"

// A layer is a set of packages named by path prefixes below the module ("orders/" is every
// package under orders; "fault" the package itself). The layers are listed from the top
// (what nobody imports) down.
type layer struct {
	Name     string
	Prefixes []string
}

// layers are stockctl's layers, top down; the picture groups packages by them.
var layers = []layer{
	{"main", []string{"cmd/"}},
	{"commands", []string{"commands"}},
	{"tools", []string{"scripts/", "demo"}},
	{"orders", []string{"orders/"}},
	{"inventory", []string{"inventory/"}},
	{"business", []string{"business/"}},
	{"db", []string{"db"}},
	{"io", []string{"io/"}},
	{"fault", []string{"fault"}},
}

// A rule forbids the packages of From to depend, directly or through others, on those of
// To; a Direct rule forbids only importing them directly. Entries are path prefixes below
// the module, or whole import paths of other modules.
type rule struct {
	From, To []string
	Why      string
	Direct   bool
}

// domain is every package of the three domain layers.
var domain = []string{"business/", "inventory/", "orders/"}

// rules are the import rules, written once: the test enforces them on every package's
// non-test imports (go list -deps, so an import through another package counts too, but
// for Direct rules).
var rules = []rule{
	{From: domain, To: []string{"commands", "cmd/", "io/printer", "github.com/spf13/cobra", "github.com/spf13/pflag"},
		Why: "domain packages know nothing of commands, flags, terminals or printing"},
	{From: []string{"inventory/"}, To: []string{"orders/"},
		Why: "inventory never imports orders"},
	{From: []string{"business/"}, To: []string{"inventory/", "orders/"},
		Why: "business is master data below inventory and orders"},
	{From: []string{"io/", "db"}, To: append([]string{"commands", "cmd/", "demo", "scripts/"}, domain...),
		Why: "io and db import no domain package"},
	{From: []string{"io/"}, To: []string{"db", "github.com/jmoiron/sqlx", "github.com/jackc/pgx/v5", "github.com/lib/pq"},
		Why: "io reads and writes files and streams, below db; SQL runs in db and the domain"},
	{From: domain, To: []string{"github.com/go-pdf/fpdf"}, Direct: true,
		Why: "documents are laid out by io/render; the domain hands it plain structs"},
}

// match says whether the import path p is named by entry e of a rule or layer.
func match(p, e string) bool {
	if strings.Contains(e, ".") { // another module's package
		return p == e || strings.HasPrefix(p, e+"/")
	}
	rel, ok := strings.CutPrefix(p, module+"/")
	if !ok {
		return false
	}
	if strings.HasSuffix(e, "/") {
		return strings.HasPrefix(rel, e)
	}
	return rel == e || strings.HasPrefix(rel, e+"/")
}

func matchAny(p string, es []string) bool {
	for _, e := range es {
		if match(p, e) {
			return true
		}
	}
	return false
}

// layerOf returns the index in layers of the layer package p is in, or -1.
func layerOf(p string) int {
	for i, l := range layers {
		if matchAny(p, l.Prefixes) {
			return i
		}
	}
	return -1
}
