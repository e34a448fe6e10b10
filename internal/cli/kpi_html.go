package cli

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/history"
)

// The KPI page follows the scan report's HTML (internal/report): one self-contained file, its
// only style inline and admitted by hash, no script, nothing fetched; the charts are inline SVG
// bars with a <title> per bar, so they need nothing to render.

const kpiCSS = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:72em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
td.n{text-align:right}.muted{color:#666}
svg{display:block;margin:.5em 0}svg text{font-size:11px;fill:#333}
.legend span{display:inline-block;margin-right:1.2em}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}
.s0{fill:#b3261e;background:#b3261e}.s1{fill:#e8710a;background:#e8710a}.s2{fill:#f4b400;background:#f4b400}
.s3{fill:#4285f4;background:#4285f4}.s4{fill:#9aa0a6;background:#9aa0a6}.axis{stroke:#999}`

var (
	kpiCSP      = "default-src 'none'; style-src " + kpiCSSHash() + "; img-src 'none'; form-action 'none'; base-uri 'none'"
	kpiTemplate = template.Must(template.New("kpi").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mqguard KPIs {{.K.Since}} to {{.K.Until}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<h1>mqguard KPIs</h1>
{{- if .K.Scans}}
<p>From {{.K.Since}} to {{.K.Until}}: {{.K.Scans}} scans, the last at {{.K.AsOf}}.
New brokers in the period: {{.K.NewBrokers}}, private when first seen: {{.K.NewBrokersPrivate}} ({{.PrivateShare}}).</p>
{{- range .Charts}}
<h2>{{.Title}}</h2>
<p class="legend">{{range .Series}}<span><i class="{{.Class}}"></i>{{.Name}}</span>{{end}}</p>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="{{.Title}}">
<line class="axis" x1="0" y1="{{.Base}}" x2="{{.Width}}" y2="{{.Base}}"/>
{{- range .Bars}}
<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>
{{- end}}
{{- range .Labels}}
<text x="{{.X}}" y="{{.Y}}" text-anchor="middle">{{.Text}}</text>
{{- end}}
</svg>
{{- end}}
<h2>Time to remediate (findings resolved in the period)</h2>
{{- if .MTTR}}
<table><thead><tr><th>Rule or severity</th><th>Resolved</th><th>Mean</th><th>Median</th></tr></thead><tbody>
{{- range .MTTR}}
<tr><td>{{.Key}}</td><td class="n">{{.M.Resolved}}</td><td class="n">{{.Mean}}</td><td class="n">{{.Median}}</td></tr>
{{- end}}
</tbody></table>
{{- else}}
<p class="muted">None resolved.</p>
{{- end}}
<h2>Oldest open findings</h2>
{{- if .K.OldestOpen}}
<table><thead><tr><th>Age</th><th>Severity</th><th>Rule</th><th>Status</th><th>Open since</th><th>Resource</th></tr></thead><tbody>
{{- range .Oldest}}
<tr><td class="n">{{.Age}}</td><td>{{.O.Severity}}</td><td>{{.O.RuleID}}</td><td>{{.O.Status}}</td><td>{{.O.OpenSince}}</td><td>{{.O.Resource}}</td></tr>
{{- end}}
</tbody></table>
{{- else}}
<p class="muted">None open.</p>
{{- end}}
{{- else}}
<p class="muted">No scan recorded{{if .K.Since}} from {{.K.Since}} to {{.K.Until}}{{end}}.</p>
{{- end}}
</body>
</html>
`))
)

func kpiCSSHash() string {
	sum := sha256.Sum256([]byte(kpiCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Chart geometry, in pixels: each week is a group of bars above its label.
const (
	kpiChartH     = 140
	kpiChartTop   = 14
	kpiChartGroup = 64
	kpiChartGap   = 12
)

type kpiSeries struct{ Name, Class string }

type kpiChart struct {
	Title         string
	Series        []kpiSeries
	Width, Height int
	Base          int
	Bars          []kpiBar
	Labels        []kpiLabel
}

type kpiBar struct {
	Class, Title string
	X, Y, W, H   int
}

type kpiLabel struct {
	X, Y int
	Text string
}

// newKPIChart lays out one value per series per week, side by side or stacked, scaled to the
// tallest; each week's group is labelled with its week, and each bar's total is written over it.
func newKPIChart(title string, series []kpiSeries, weeks []history.WeekKPI, stacked bool, value func(w *history.WeekKPI, s int) int) kpiChart {
	c := kpiChart{Title: title, Series: series, Width: max(1, len(weeks)) * kpiChartGroup, Base: kpiChartTop + kpiChartH}
	c.Height = c.Base + 18
	tallest := 1
	for i := range weeks {
		total := 0
		for s := range series {
			v := value(&weeks[i], s)
			total += v
			if !stacked {
				tallest = max(tallest, v)
			}
		}
		if stacked {
			tallest = max(tallest, total)
		}
	}
	barW := kpiChartGroup - kpiChartGap
	if !stacked {
		barW /= len(series)
	}
	for i := range weeks {
		w := &weeks[i]
		x0 := i*kpiChartGroup + kpiChartGap/2
		y := c.Base
		total := 0
		for s, se := range series {
			v := value(w, s)
			total += v
			h := v * kpiChartH / tallest
			x := x0
			if !stacked {
				x, y = x0+s*barW, c.Base
				c.Labels = append(c.Labels, kpiLabel{X: x + barW/2, Y: c.Base - h - 3, Text: strconv.Itoa(v)})
			}
			if v > 0 {
				c.Bars = append(c.Bars, kpiBar{Class: se.Class, Title: w.Week + ", " + se.Name + ": " + strconv.Itoa(v),
					X: x, Y: y - h, W: barW, H: h})
			}
			if stacked {
				y -= h
			}
		}
		if stacked {
			c.Labels = append(c.Labels, kpiLabel{X: x0 + barW/2, Y: y - 3, Text: strconv.Itoa(total)})
		}
		c.Labels = append(c.Labels, kpiLabel{X: x0 + (kpiChartGroup-kpiChartGap)/2, Y: c.Base + 14, Text: w.Week})
	}
	return c
}

type kpiMTTRRow struct {
	Key          string
	M            history.MTTR
	Mean, Median string
}

type kpiOldRow struct {
	O   history.Opened
	Age string
}

func writeKPIHTML(w io.Writer, k *history.KPIs) error {
	sevSeries := make([]kpiSeries, len(history.Severities))
	for i, s := range history.Severities {
		sevSeries[i] = kpiSeries{Name: s, Class: "s" + strconv.Itoa(i)}
	}
	netSeries := make([]kpiSeries, len(history.NetworkExposureRules))
	for i, r := range history.NetworkExposureRules {
		netSeries[i] = kpiSeries{Name: r, Class: "s" + strconv.Itoa(i)}
	}
	charts := []kpiChart{
		newKPIChart("Publicly accessible brokers per week", []kpiSeries{{"public (MQG001 FAIL)", "s0"}, {"newly public", "s1"}}, k.Weeks, false,
			func(w *history.WeekKPI, s int) int { return []int{w.PublicBrokers, w.NewPublicBrokers}[s] }),
		newKPIChart("New brokers per week", []kpiSeries{{"first seen", "s4"}, {"private when first seen", "s3"}}, k.Weeks, false,
			func(w *history.WeekKPI, s int) int { return []int{w.NewBrokers, w.NewBrokersPrivate}[s] }),
		newKPIChart("Open findings at the end of each week, by severity", sevSeries, k.Weeks, true,
			func(w *history.WeekKPI, s int) int { return w.OpenBySeverity[history.Severities[s]] }),
		newKPIChart("Open network-exposure findings at the end of each week", netSeries, k.Weeks, true,
			func(w *history.WeekKPI, s int) int { return w.NetworkExposure[history.NetworkExposureRules[s]] }),
	}
	var mttr []kpiMTTRRow
	for _, part := range []struct {
		m   map[string]history.MTTR
		sev bool
	}{{k.MTTR.ByRule, false}, {k.MTTR.BySeverity, true}} {
		for _, key := range mttrKeys(part.m, part.sev) {
			m := part.m[key]
			mttr = append(mttr, kpiMTTRRow{Key: key, M: m, Mean: hoursDays(m.MeanHours), Median: hoursDays(m.MedianHours)})
		}
	}
	var oldest []kpiOldRow
	for _, o := range k.OldestOpen {
		oldest = append(oldest, kpiOldRow{O: o, Age: hoursDays(o.AgeHours)})
	}
	var b strings.Builder
	err := kpiTemplate.Execute(&b, map[string]any{
		"K": k, "CSP": kpiCSP, "CSS": template.CSS(kpiCSS), //nolint:gosec // a constant, not input
		"Charts": charts, "MTTR": mttr, "Oldest": oldest,
		"PrivateShare": share(k.NewBrokersPrivate, k.NewBrokers),
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, b.String())
	return err
}
