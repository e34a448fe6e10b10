package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/report"
)

// output is one --format F[=path]: a format and where it goes ("" is stdout).
type output struct {
	Format report.Format
	Path   string
}

// parseOutputs validates the --format values: known formats, at most one on stdout, no file
// named twice. With no value the table goes to stdout.
func parseOutputs(specs []string) ([]output, error) {
	if len(specs) == 0 {
		specs = []string{"table"}
	}
	var outs []output
	stdout := ""
	files := map[string]bool{}
	for _, spec := range specs {
		name, path, hasPath := strings.Cut(spec, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		f, ok := report.Lookup(name)
		if !ok {
			return nil, usagef("unknown format %q (available: %s)", name, strings.Join(formatNames(), ", "))
		}
		if hasPath && path == "" {
			return nil, usagef("--format %s=: empty file name", name)
		}
		if path == "-" {
			path = ""
		}
		if path == "" {
			if stdout != "" {
				return nil, usagef("--format %s and --format %s both write to stdout; give one of them a file (%s=FILE)", stdout, name, name)
			}
			stdout = name
		} else {
			clean := filepath.Clean(path)
			if files[clean] {
				return nil, usagef("--format: %s is named twice", path)
			}
			files[clean] = true
			if err := checkWritableDir(clean); err != nil {
				return nil, usagef("--format %s=%s: %v", name, path, err)
			}
		}
		outs = append(outs, output{Format: f, Path: path})
	}
	return outs, nil
}

// checkWritableDir checks, before anything is scanned, that the directory of an output file
// exists, so a typo fails fast with a usage error.
func checkWritableDir(path string) error {
	st, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return unwrapPathError(err)
	}
	if !st.IsDir() {
		return errors.New("parent is not a directory")
	}
	return nil
}

// formatNames lists the available formats.
func formatNames() []string {
	var names []string
	for _, f := range report.Formats() {
		names = append(names, f.Name())
	}
	return names
}

// formatHelp describes the formats for --help.
func formatHelp() string {
	var b strings.Builder
	for _, f := range report.Formats() {
		fmt.Fprintf(&b, "\n  %-8s %s", f.Name(), f.Description())
	}
	return b.String()
}

// writeOutputs writes the report in every requested format. Files are created (or truncated).
// Colour is used only on stdout.
func writeOutputs(outs []output, rep *finding.Report, stdout io.Writer, stdoutOpts report.Options) error {
	var errs []error
	for _, o := range outs {
		if o.Path == "" {
			if err := o.Format.Write(stdout, rep, stdoutOpts); err != nil {
				errs = append(errs, fmt.Errorf("writing %s to stdout: %w", o.Format.Name(), err))
			}
			continue
		}
		// Files get no colour and no terminal width.
		fileOpts := stdoutOpts
		fileOpts.Color, fileOpts.Width = false, 0
		if err := writeFile(o, rep, fileOpts); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return &reportError{err}
	}
	return nil
}

// withTerminal adds the table's terminal settings to the formats' options.
func withTerminal(o report.Options, color, verbose bool, width int) report.Options {
	o.Color, o.Verbose, o.Width = color, verbose, width
	return o
}

func writeFile(o output, rep *finding.Report, opts report.Options) (err error) {
	f, err := os.Create(o.Path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", o.Format.Name(), err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("writing %s: %w", o.Path, cerr)
		}
	}()
	if err := o.Format.Write(f, rep, opts); err != nil {
		return fmt.Errorf("writing %s: %w", o.Path, err)
	}
	return nil
}
