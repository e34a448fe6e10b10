// Package cli is the mqguard command line: commands, flags and the mapping of outcomes to exit
// codes. Every command has an options struct and a run function that can be tested apart from
// flag parsing.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"
)

// Exit codes, documented in the README.
const (
	ExitOK         = 0 // no unsuppressed finding at or above --fail-on
	ExitFindings   = 1 // findings at or above --fail-on
	ExitUsage      = 2 // usage or configuration error; nothing was scanned
	ExitIncomplete = 3 // the scan was incomplete or its report could not be written
)

// Env is what the commands read from the process. Tests replace any part of it.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable; Environ lists them all ("KEY=value").
	Getenv  func(string) string
	Environ func() []string
	// Getwd is the directory relative paths are resolved against and displayed from.
	Getwd func() (string, error)
	// Now is the clock the default --as-of is taken from.
	Now func() time.Time
	// IsTerminal reports whether w is an interactive terminal (colour is used only then).
	IsTerminal func(w io.Writer) bool
	// UserCacheDir is where the default cache directory is made (os.UserCacheDir); nil or an
	// error means no default cache.
	UserCacheDir func() (string, error)
}

// osEnv is the real process environment writing to stdout and stderr.
func osEnv(stdout, stderr io.Writer) *Env {
	return &Env{
		Stdout:       stdout,
		Stderr:       stderr,
		Getenv:       os.Getenv,
		Environ:      os.Environ,
		Getwd:        os.Getwd,
		Now:          time.Now,
		IsTerminal:   isTerminal,
		UserCacheDir: os.UserCacheDir,
	}
}

// InterruptContext returns a context cancelled on the first interrupt, so a scan stops cleanly
// on Ctrl-C. A second interrupt kills the process as usual.
func InterruptContext() context.Context {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx
}

// Run runs the mqguard command line with args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	tuneMemory(os.Getenv)
	return RunEnv(ctx, args, osEnv(stdout, stderr))
}

// RunEnv is Run with an explicit environment.
func RunEnv(ctx context.Context, args []string, env *Env) int {
	root := newRootCmd(env)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	code := exitCode(err)
	if code == ExitUsage || errors.As(err, new(*reportError)) {
		fmt.Fprintf(env.Stderr, "mqguard: %v\n", err)
		if code == ExitUsage && cmd != nil {
			fmt.Fprintf(env.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
	}
	return code
}

// Outcome errors. A run function returns one of them, a usage error, a report error, or nil.
var (
	// errFindings: unsuppressed findings at or above --fail-on exist.
	errFindings = errors.New("findings at or above the failure threshold")
	// errIncomplete: part of the input could not be scanned.
	errIncomplete = errors.New("the scan was incomplete")
	// errExpiredExceptions: a policy exception expired (--fail-on-expired-exceptions).
	errExpiredExceptions = errors.New("policy exceptions expired")
)

// usageError is a bad flag, argument or configuration, found before anything was scanned.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error {
	return &usageError{fmt.Errorf(format, a...)}
}

// reportError is a failure after the scan, such as a report that could not be written: the
// result did not reach the user, so it cannot be trusted.
type reportError struct{ err error }

func (e *reportError) Error() string { return e.err.Error() }
func (e *reportError) Unwrap() error { return e.err }

// exitCode maps the outcome of a command to the process exit code. It is the only place that
// does. Errors that carry no outcome come from argument parsing (unknown command or flag, wrong
// number of arguments) and are usage errors.
func exitCode(err error) int {
	var rerr *reportError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errIncomplete), errors.As(err, &rerr):
		return ExitIncomplete
	case errors.Is(err, errFindings), errors.Is(err, errExpiredExceptions):
		return ExitFindings
	default:
		return ExitUsage
	}
}

// newRootCmd builds the command tree.
func newRootCmd(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "mqguard",
		Short: "Security posture scanner for message brokers",
		Long: `mqguard finds the security, resilience and governance weaknesses of message brokers
(Amazon MQ for ActiveMQ and RabbitMQ, self-managed ActiveMQ and RabbitMQ) in Terraform and
in live AWS accounts.

Exit codes:
  0  no unsuppressed finding at or above --fail-on
  1  such findings exist
  2  usage or configuration error; nothing was scanned
  3  the scan was incomplete (3 wins over 1), or the report could not be written`,
		SilenceErrors: true,
		SilenceUsage:  true,
		// With no subcommand, print help and succeed.
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		Args: cobra.NoArgs,
	}
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	// cobra's default 'completion' command writes the bash, zsh, fish and PowerShell scripts;
	// they ask the binary itself (the hidden '__complete' command) for commands, flags and
	// values, so they never go stale as commands change.
	root.CompletionOptions.DisableDefaultCmd = false
	root.AddCommand(
		newScanCmd(env, runScan),
		newWatchCmd(env, runWatch),
		newSnapshotCmd(env, runSnapshot),
		newRulesCmd(env, runRules),
		newKPICmd(env),
		newExportCmd(env),
		newVersionCmd(env),
	)
	initCompletionCmd(root)
	return root
}

// initCompletionCmd adds cobra's 'completion' command now rather than when it runs, to make it
// runnable: cobra prints the help of a command that cannot run and succeeds before it checks
// the arguments, so 'mqguard completion nosuch' would exit 0. Like the root command, it prints
// its help when called alone.
func initCompletionCmd(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
	}
}

// newLogger returns the logger of a command: text on stderr, at the level the flags chose.
func newLogger(w io.Writer, quiet, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	switch {
	case quiet:
		level = slog.LevelError
	case verbose:
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
