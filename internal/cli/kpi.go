package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqguard/mqguard/internal/history"
)

// kpiFormats are the output formats of `mqguard kpi`, the default first.
var kpiFormats = []string{"table", "json", "csv", "html"}

// kpiOptions are the raw flags of `mqguard kpi`.
type kpiOptions struct {
	DB, Since, Until, Format string
}

func newKPICmd(env *Env) *cobra.Command {
	opts := &kpiOptions{}
	cmd := &cobra.Command{
		Use:   "kpi --db DB [--since DATE] [--until DATE] [--format table|json|csv|html]",
		Short: "Report remediation KPIs from the scan history",
		Long: `Compute remediation KPIs from the history that 'mqguard scan --db' records, per ISO week:
the publicly accessible brokers detected (distinct brokers with an MQG001 FAIL) and the new
ones, the brokers first seen and how many of them were private when first seen, the open
findings by severity at the end of the week and the network-exposure findings (MQG001, MQG012,
MQG020); over the period, the mean and median time to remediate by rule and by severity of the
findings resolved in it, and the 20 oldest open findings with their age.

--since and --until are dates (YYYY-MM-DD, UTC, both included); they default to the days of the
first and the last recorded scan. --format json is the stable mqguard-kpi/v1 document, csv the
weekly figures one row a week, html one self-contained page with the weekly charts (inline SVG).

The database is only read. The exit code is 2 for a database that does not exist or cannot be
used and for bad flags, 3 when the history cannot be read or the output written, 0 otherwise.`,
		Example: `  mqguard kpi --db mqguard.db
  mqguard kpi --db postgres://mqguard@db.internal/mqguard --since 2026-10-01 --format json
  mqguard kpi --db mqguard.db --format html > kpi.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runKPI(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.DB, "db", "", "read the history `DB`: a SQLite file or a postgres:// URL")
	f.StringVar(&opts.Since, "since", "", "first `DATE` of the period (YYYY-MM-DD; default: the first scan's)")
	f.StringVar(&opts.Until, "until", "", "last `DATE` of the period, included (default: the last scan's)")
	f.StringVar(&opts.Format, "format", "table", "output `FORMAT`: "+strings.Join(kpiFormats, ", "))
	return cmd
}

// validate checks the flags; every error is a usage error.
func (o *kpiOptions) validate() (history.Period, error) {
	var p history.Period
	if o.DB == "" {
		return p, usagef("--db DB is required")
	}
	if !slices.Contains(kpiFormats, o.Format) {
		return p, usagef("--format %q: must be one of %s", o.Format, strings.Join(kpiFormats, ", "))
	}
	for _, d := range []struct {
		flag, v string
		t       *time.Time
	}{{"--since", o.Since, &p.Since}, {"--until", o.Until, &p.Until}} {
		if d.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.v)
		if err != nil {
			return p, usagef("%s %q: not a date (YYYY-MM-DD)", d.flag, d.v)
		}
		*d.t = t
	}
	if !p.Since.IsZero() && !p.Until.IsZero() && p.Until.Before(p.Since) {
		return p, usagef("--until %s is before --since %s", o.Until, o.Since)
	}
	return p, nil
}

func runKPI(ctx context.Context, env *Env, o *kpiOptions) error {
	p, err := o.validate()
	if err != nil {
		return err
	}
	// Reading KPIs must not create an empty database where none was.
	if !history.IsPostgres(o.DB) {
		if _, err := os.Stat(o.DB); errors.Is(err, fs.ErrNotExist) {
			return usagef("--db: history database %s does not exist", o.DB)
		}
	}
	store, err := openHistory(ctx, o.DB)
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	k, err := history.ComputeKPIs(ctx, store, p)
	if err != nil {
		return &reportError{fmt.Errorf("--db %s: %w", o.DB, err)}
	}
	if err := writeKPIs(env.Stdout, o.Format, k); err != nil {
		return &reportError{fmt.Errorf("writing the KPIs: %w", err)}
	}
	return nil
}

func writeKPIs(w io.Writer, format string, k *history.KPIs) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(k)
	case "csv":
		return writeKPICSV(w, k)
	case "html":
		return writeKPIHTML(w, k)
	}
	return writeKPITable(w, k)
}

// kpiColumns are the weekly figures, as csv headers, in the order tables show them.
func kpiColumns() []string {
	cols := []string{"week", "start", "public_brokers", "new_public_brokers", "new_brokers", "new_brokers_private"}
	for _, s := range history.Severities {
		cols = append(cols, "open_"+strings.ToLower(s))
	}
	for _, r := range history.NetworkExposureRules {
		cols = append(cols, "open_"+r)
	}
	return cols
}

func kpiRow(w *history.WeekKPI) []string {
	row := []string{w.Week, w.Start, strconv.Itoa(w.PublicBrokers), strconv.Itoa(w.NewPublicBrokers),
		strconv.Itoa(w.NewBrokers), strconv.Itoa(w.NewBrokersPrivate)}
	for _, s := range history.Severities {
		row = append(row, strconv.Itoa(w.OpenBySeverity[s]))
	}
	for _, r := range history.NetworkExposureRules {
		row = append(row, strconv.Itoa(w.NetworkExposure[r]))
	}
	return row
}

func writeKPICSV(w io.Writer, k *history.KPIs) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(kpiColumns()); err != nil {
		return err
	}
	for i := range k.Weeks {
		if err := cw.Write(kpiRow(&k.Weeks[i])); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// share is n of total as a percentage, "-" of nothing.
func share(n, total int) string {
	if total == 0 {
		return "-"
	}
	return strconv.Itoa(n*100/total) + "%"
}

func hoursDays(h float64) string {
	return strconv.FormatFloat(h, 'f', 1, 64) + " h (" + strconv.FormatFloat(h/24, 'f', 1, 64) + " d)"
}

// mttrKeys are the keys of an MTTR map: severities in their order, rule IDs sorted.
func mttrKeys(m map[string]history.MTTR, severities bool) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if severities {
			return slices.Index(history.Severities, a) - slices.Index(history.Severities, b)
		}
		return strings.Compare(a, b)
	})
	return keys
}

func writeKPITable(w io.Writer, k *history.KPIs) error {
	var b strings.Builder
	if k.Scans == 0 {
		fmt.Fprintf(&b, "No scan recorded")
		if k.Since != "" || k.Until != "" {
			fmt.Fprintf(&b, " from %s to %s", or(k.Since, "the start"), or(k.Until, "the end"))
		}
		b.WriteString(".\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "KPIs from %s to %s: %d scans, the last at %s\n\n", k.Since, k.Until, k.Scans, k.AsOf)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	head := []string{"WEEK", "PUBLIC", "NEW PUBLIC", "NEW BROKERS", "PRIVATE"}
	head = append(head, history.Severities...)
	head = append(head, history.NetworkExposureRules...)
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for i := range k.Weeks {
		wk := &k.Weeks[i]
		row := []string{wk.Week, strconv.Itoa(wk.PublicBrokers), strconv.Itoa(wk.NewPublicBrokers), strconv.Itoa(wk.NewBrokers),
			fmt.Sprintf("%d (%s)", wk.NewBrokersPrivate, share(wk.NewBrokersPrivate, wk.NewBrokers))}
		for _, s := range history.Severities {
			row = append(row, strconv.Itoa(wk.OpenBySeverity[s]))
		}
		for _, r := range history.NetworkExposureRules {
			row = append(row, strconv.Itoa(wk.NetworkExposure[r]))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(&b, "\nPUBLIC: brokers with an MQG001 FAIL seen that week. PRIVATE: new brokers private when first seen.\n")
	fmt.Fprintf(&b, "Open findings by severity and by network-exposure rule at the end of each week.\n")
	fmt.Fprintf(&b, "\nNew brokers in the period: %d, private when first seen: %d (%s)\n", k.NewBrokers, k.NewBrokersPrivate, share(k.NewBrokersPrivate, k.NewBrokers))

	b.WriteString("\nTime to remediate (findings resolved in the period)\n")
	if len(k.MTTR.ByRule) == 0 {
		b.WriteString("  none resolved\n")
	} else {
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  BY\tRESOLVED\tMEAN\tMEDIAN")
		for _, part := range []struct {
			m   map[string]history.MTTR
			sev bool
		}{{k.MTTR.ByRule, false}, {k.MTTR.BySeverity, true}} {
			for _, key := range mttrKeys(part.m, part.sev) {
				m := part.m[key]
				fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\n", key, m.Resolved, hoursDays(m.MeanHours), hoursDays(m.MedianHours))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	fmt.Fprintf(&b, "\nOldest open findings (at most %d)\n", history.OldestOpenLimit)
	if len(k.OldestOpen) == 0 {
		b.WriteString("  none open\n")
	} else {
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  AGE\tSEVERITY\tRULE\tSTATUS\tOPEN SINCE\tRESOURCE")
		for _, o := range k.OldestOpen {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", hoursDays(o.AgeHours), o.Severity, o.RuleID, o.Status, o.OpenSince, o.Resource)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
