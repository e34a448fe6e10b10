// Command mqguard scans message brokers for security, resilience and governance weaknesses.
package main

import (
	"os"

	"github.com/mqguard/mqguard/internal/cli"
)

func main() {
	os.Exit(cli.Run(cli.InterruptContext(), os.Args[1:], os.Stdout, os.Stderr))
}
