package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Comments that name code must name code that exists: a comment citing a function that was
// renamed or removed sends the reader looking for nothing. Over every Go file of the module
// this checks the references a comment makes unmistakably: pkg.Name where pkg is one of
// ours (Name declared at its top level), Type.Member where Type is one of ours, and words
// in lower camel case, which are not English (issue 18 found two such, naming functions
// long gone). Plain words ("see lock") cannot be told from prose and are left to review.
func TestCommentsNameWhatExists(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	var files []*ast.File
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != "../.." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	anywhere := map[string]bool{}            // every name declared anywhere: func, method, type, var, const, field, local
	topLevel := map[string]map[string]bool{} // package name → its top-level names
	types := map[string]bool{}
	for _, f := range files {
		pkg := f.Name.Name
		if topLevel[pkg] == nil {
			topLevel[pkg] = map[string]bool{}
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					topLevel[pkg][d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						topLevel[pkg][s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							topLevel[pkg][n.Name] = true
						}
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				anywhere[n.Name.Name] = true
			case *ast.TypeSpec:
				anywhere[n.Name.Name], types[n.Name.Name] = true, true
			case *ast.ValueSpec:
				for _, id := range n.Names {
					anywhere[id.Name] = true
				}
			case *ast.Field:
				for _, id := range n.Names {
					anywhere[id.Name] = true
				}
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						anywhere[id.Name] = true
					}
				}
			}
			return true
		})
	}
	delete(topLevel, "main") // several commands are package main; their names say nothing of each other

	qualified := regexp.MustCompile(`\b([a-z][a-z0-9]*)\.([A-Za-z_][A-Za-z0-9_]*)`)
	member := regexp.MustCompile(`\b([A-Z][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)`)
	camel := regexp.MustCompile(`(?:^|[^.\w])([a-z]+[A-Z][A-Za-z0-9]*)\b`)
	for _, f := range files {
		for _, g := range f.Comments {
			for _, c := range g.List {
				at := fset.Position(c.Pos())
				for _, m := range qualified.FindAllStringSubmatch(c.Text, -1) {
					if names, ours := topLevel[m[1]]; ours && !names[m[2]] && !fileName(m[2]) {
						t.Errorf("%s: the comment names %s.%s, which %s does not declare", at, m[1], m[2], m[1])
					}
				}
				for _, m := range member.FindAllStringSubmatch(c.Text, -1) {
					if types[m[1]] && !anywhere[m[2]] {
						t.Errorf("%s: the comment names %s.%s, which is declared nowhere", at, m[1], m[2])
					}
				}
				for _, m := range camel.FindAllStringSubmatch(c.Text, -1) {
					if !anywhere[m[1]] && !notCode[m[1]] {
						t.Errorf("%s: the comment names %s, which is declared nowhere", at, m[1])
					}
				}
			}
		}
	}
}

// fileName says whether the part after a dot is a file's extension (db.go) or a host's
// (db.internal) rather than a name.
func fileName(s string) bool {
	switch s {
	case "go", "md", "sql", "csv", "json", "html", "pdf", "png", "svg", "internal", "example":
		return true
	}
	return false
}

// notCode are words in lower camel case that comments use and that are not Go names:
// escapes, units, product and attribute names.
var notCode = map[string]bool{"macOS": true, "kB": true, "xHH": true, "uHHHH": true, "crispEdges": true}
