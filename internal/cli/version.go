package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildVersion is set at link time:
//
//	go build -ldflags "-X github.com/mqguard/mqguard/internal/cli.buildVersion=v1.2.3" ./cmd/mqguard
var buildVersion string

// version is the link-time version, else the module version recorded by `go install`, else
// "dev".
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func newVersionCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the mqguard version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if _, err := fmt.Fprintf(env.Stdout, "mqguard %s\n", version()); err != nil {
				return &reportError{err}
			}
			return nil
		},
	}
}
