package cli

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mqguard/mqguard/internal/testbrowser"
)

// TestKPIHTMLInBrowser opens the KPI page of the golden month (testdata/kpi/month.html, what
// TestKPIGolden checks mqguard writes) from disk in headless Chromium with every other request
// refused: it fails on a console error, an exception or any request, and when a chart is
// missing; it keeps a screenshot in the test's artifact directory (-artifacts).
func TestKPIHTMLInBrowser(t *testing.T) {
	exe := testbrowser.Chromium(t)
	page, err := filepath.Abs(filepath.Join("testdata", "kpi", "month.html"))
	if err != nil {
		t.Fatal(err)
	}
	fileURL := "file://" + filepath.ToSlash(page)
	b := testbrowser.Open(t, exe, fileURL, 1200, 900)
	if err := chromedp.Do(b.Ctx, chromedp.Navigate(fileURL), chromedp.WaitVisible(chromedp.CSS("svg"))); err != nil {
		t.Fatalf("loading the KPI page: %v", err)
	}
	charts, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg").length`))
	if err != nil {
		t.Fatal(err)
	}
	if charts < 4 {
		t.Errorf("%d charts on the page, want the 4 weekly charts", charts)
	}
	shot, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	testbrowser.SaveShot(t, "kpi.png", shot)
	// Let late requests or errors surface before judging.
	time.Sleep(200 * time.Millisecond)
	requests, problems := b.Seen()
	if len(requests) > 0 {
		t.Errorf("the page made requests: %v", requests)
	}
	if len(problems) > 0 {
		t.Errorf("console errors: %v", problems)
	}
}
