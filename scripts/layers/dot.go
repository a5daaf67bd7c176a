package main

import (
	"fmt"
	"io"
	"strings"
)

// writeDot writes the packages of ps as a Graphviz graph: one box per layer, top down, an
// edge per import that no longer path of imports implies; an import a rule forbids is
// always drawn, in red.
func writeDot(w io.Writer, ps []pkg) error {
	ours := map[string]pkg{}
	for _, p := range ps {
		ours[p.ImportPath] = p
	}
	var b strings.Builder
	b.WriteString("digraph layers {\n\trankdir=TB; newrank=true; nodesep=0.25; ranksep=0.6;\n")
	b.WriteString("\tnode [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", fontsize=11];\n")
	b.WriteString("\tedge [color=\"#00000066\", arrowsize=0.6];\n")
	b.WriteString("\tlabel=\"stockctl's packages by layer, top down; an arrow is an import (one implied by other arrows is left out, and so are imports of fault, which every layer uses); red: an import the rules forbid\"; labelloc=b; fontname=\"Helvetica\"; fontsize=12;\n")
	var first []string // a package of each layer, to stack the layers top down
	for i, l := range layers {
		fmt.Fprintf(&b, "\tsubgraph cluster_%d {\n\t\tlabel=%q; labelloc=t; fontname=\"Helvetica-Bold\"; style=filled; fillcolor=%q; color=\"#999999\";\n", i, l.Name, colours[i%len(colours)])
		for _, p := range ps {
			if layerOf(p.ImportPath) == i {
				fmt.Fprintf(&b, "\t\t%q;\n", short(p.ImportPath))
				if len(first) == i {
					first = append(first, short(p.ImportPath))
				}
			}
		}
		b.WriteString("\t}\n")
	}
	for i := 1; i < len(first); i++ {
		fmt.Fprintf(&b, "\t%q -> %q [style=invis, weight=10];\n", first[i-1], first[i])
	}
	for _, p := range ps {
		for _, i := range p.Imports {
			bad := forbidden(p.ImportPath, i)
			if _, ok := ours[i]; !ok || !bad && (implied(ours, p, i) || short(i) == "fault") {
				continue
			}
			attr := ""
			if bad {
				attr = " [color=red, penwidth=2]"
			}
			fmt.Fprintf(&b, "\t%q -> %q%s;\n", short(p.ImportPath), short(i), attr)
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// colours fill the layers' boxes.
var colours = []string{"#f2f2f2", "#e8f0fb", "#f2f2f2", "#fdeedd", "#e6f4e6", "#fbf6d9", "#ece6f6", "#e0f2f1", "#f2f2f2"}

// implied says whether p reaches d through another of its direct imports.
func implied(ours map[string]pkg, p pkg, d string) bool {
	for _, i := range p.Imports {
		if i != d && contains(ours[i].Deps, d) {
			return true
		}
	}
	return false
}

// forbidden says whether a rule forbids package p to import d.
func forbidden(p, d string) bool {
	for _, r := range rules {
		if matchAny(p, r.From) && matchAny(d, r.To) {
			return true
		}
	}
	return false
}
