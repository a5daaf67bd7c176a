package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
)

// pkg is one of stockctl's packages as go list describes it (test files left out).
type pkg struct {
	ImportPath string
	Imports    []string // direct
	Deps       []string // direct and indirect
}

// load lists the module's packages with go list, run in dir.
func load(dir string) ([]pkg, error) {
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.String())
	}
	var ps []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].ImportPath < ps[j].ImportPath })
	return ps, nil
}

// violations lists every dependency the rules forbid, one line each: the package, what it
// must not depend on, through which of its direct imports, and the rule's reason.
func violations(ps []pkg) []string {
	byPath := map[string]pkg{}
	for _, p := range ps {
		byPath[p.ImportPath] = p
	}
	var out []string
	for _, p := range ps {
		for _, r := range rules {
			if !matchAny(p.ImportPath, r.From) {
				continue
			}
			seen := map[string]bool{} // another module's package is reported once, not each of its packages
			deps := p.Deps
			if r.Direct {
				deps = p.Imports
			}
			for _, d := range deps {
				if !matchAny(d, r.To) {
					continue
				}
				for _, e := range r.To {
					if strings.Contains(e, ".") && match(d, e) && d != e {
						d = e
					}
				}
				if seen[d] {
					continue
				}
				seen[d] = true
				via := ""
				if !contains(p.Imports, d) {
					for _, i := range p.Imports {
						if contains(byPath[i].Deps, d) {
							via = " (through " + short(i) + ")"
							break
						}
					}
				}
				out = append(out, fmt.Sprintf("%s imports %s%s: %s", short(p.ImportPath), short(d), via, r.Why))
			}
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// short is an import path without the module's prefix.
func short(p string) string { return strings.TrimPrefix(p, module+"/") }
