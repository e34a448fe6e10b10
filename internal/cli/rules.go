package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mqguard/mqguard/internal/rules"
)

// rulesOptions are the flags and arguments of `mqguard rules`.
type rulesOptions struct {
	// Rule is an ID, slug or other tool's ID; empty lists the catalog.
	Rule   string
	Format string
}

func newRulesCmd(env *Env, runF func(context.Context, *Env, *rulesOptions) error) *cobra.Command {
	opts := &rulesOptions{}
	cmd := &cobra.Command{
		Use:   "rules [RULE]",
		Short: "List the rule catalog, or show one rule's documentation",
		Long: `List the rule catalog (ID, slug, severity, engines, title), or, given a rule ID, slug
or another tool's ID (CKV_AWS_69, AVD-AWS-0072), print that rule's documentation laid out for
the terminal (--format markdown prints its Markdown source, as in docs/rules/).`,
		Example: `  mqguard rules
  mqguard rules --format json
  mqguard rules MQG007
  mqguard rules public-access --format markdown`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("rules takes at most one RULE, got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Rule = args[0]
			}
			return runF(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "table", "output `FORMAT`: table (for a terminal), markdown or json")
	return cmd
}

// ruleSummary is one rule in `mqguard rules --format json`.
type ruleSummary struct {
	ID                  string   `json:"id"`
	Slug                string   `json:"slug"`
	Title               string   `json:"title"`
	Severity            string   `json:"severity"`
	Engines             []string `json:"engines"`
	ReplacementRequired bool     `json:"replacement_required"`
	Aliases             []string `json:"aliases,omitempty"`
}

// runRules is `mqguard rules`.
func runRules(_ context.Context, env *Env, opts *rulesOptions) error {
	format := strings.ToLower(opts.Format)
	if format != "table" && format != "json" && format != "markdown" {
		return usagef("--format %q: want table, markdown or json", opts.Format)
	}
	if opts.Rule != "" {
		r, ok := rules.Lookup(opts.Rule)
		if !ok {
			return usagef("unknown rule %q (see 'mqguard rules')", opts.Rule)
		}
		switch format {
		case "json":
			return writeRulesJSON(env.Stdout, []*rules.Rule{r})
		case "markdown":
			return writeString(env.Stdout, rules.Markdown(r))
		}
		return writeString(env.Stdout, renderMarkdown(rules.Markdown(r), terminalWidth(env)))
	}
	switch format {
	case "json":
		return writeRulesJSON(env.Stdout, rules.All())
	case "markdown":
		return writeString(env.Stdout, rules.IndexMarkdown(rules.All()))
	}
	return writeRulesTable(env.Stdout, rules.All())
}

func writeString(w io.Writer, s string) error {
	if _, err := io.WriteString(w, s); err != nil {
		return &reportError{err}
	}
	return nil
}

func writeRulesJSON(w io.Writer, rs []*rules.Rule) error {
	out := make([]ruleSummary, 0, len(rs))
	for _, r := range rs {
		s := ruleSummary{
			ID:                  r.ID,
			Slug:                r.Slug,
			Title:               r.Title,
			Severity:            r.Severity.String(),
			Engines:             engines(r),
			ReplacementRequired: r.ReplacementRequired,
		}
		for _, a := range r.Aliases {
			s.Aliases = append(s.Aliases, a.Tool+":"+a.ID)
		}
		out = append(out, s)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return &reportError{err}
	}
	return nil
}

func writeRulesTable(w io.Writer, rs []*rules.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSLUG\tSEVERITY\tENGINES\tTITLE")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Slug, r.Severity, strings.Join(engines(r), ","), r.Title)
	}
	if err := tw.Flush(); err != nil {
		return &reportError{err}
	}
	return nil
}

// engines lists the engines a rule applies to; "all" when it has no restriction.
func engines(r *rules.Rule) []string {
	if len(r.Engines) == 0 {
		return []string{"all"}
	}
	return r.Engines
}
