// Command stockctl runs a business's inventory on PostgreSQL from the command line.
package main

import (
	"os"

	"github.com/stockctl/stockctl/commands"
)

func main() { os.Exit(commands.Main()) }
