// Command layers draws stockctl's packages grouped by layer, with their imports as edges,
// as Graphviz dot, and holds the import rules between the layers that its test enforces.
//
//	go run ./scripts/layers | dot -Tsvg -o docs/layers.svg
//
// An import that another path of imports already implies is left out of the picture
// (transitive reduction), so every edge drawn is one the graph needs.
package main

import (
	"fmt"
	"os"
)

func main() {
	ps, err := load(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "layers:", err)
		os.Exit(1)
	}
	if err := writeDot(os.Stdout, ps); err != nil {
		fmt.Fprintln(os.Stderr, "layers:", err)
		os.Exit(1)
	}
}
