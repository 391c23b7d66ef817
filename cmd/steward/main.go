// Command steward runs Steward: the city's social media records, moderation
// and governance system. Run "steward help" for the commands.
package main

import (
	"context"
	"os"
	// The time zone database, so that --time-zone works on a machine
	// without /usr/share/zoneinfo (a minimal container).
	_ "time/tzdata"

	"steward.city/steward/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
