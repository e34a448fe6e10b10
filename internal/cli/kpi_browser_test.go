package cli

import (
	"context"
	"fmt"
	"os"
	execpkg "os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestKPIHTMLInBrowser opens the KPI page of the golden month (testdata/kpi/month.html, what
// TestKPIGolden checks mqguard writes) from disk in headless Chromium with every other request
// refused: it fails on a console error, an exception or any request, and when a chart is
// missing; it keeps a screenshot in the test's artifact directory (-artifacts).
func TestKPIHTMLInBrowser(t *testing.T) {
	exe := os.Getenv("MQGUARD_CHROMIUM")
	if exe == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := execpkg.LookPath(name); err == nil {
				exe = p
				break
			}
		}
	}
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not found (.ci/run installs Debian's chromium; MQGUARD_CHROMIUM names another)")
		}
		t.Skip("chromium not found: install Debian's chromium, or set MQGUARD_CHROMIUM, to open the KPI page in a browser")
	}
	page, err := filepath.Abs(filepath.Join("testdata", "kpi", "month.html"))
	if err != nil {
		t.Fatal(err)
	}
	fileURL := "file://" + filepath.ToSlash(page)
	dir := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
		chromedp.WindowSize(1200, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	var mu sync.Mutex
	var requests, problems []string
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	console := chromedp.Console(ctx)
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			if ev.Request.URL == fileURL {
				_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
				continue
			}
			mu.Lock()
			requests = append(requests, ev.Request.URL)
			mu.Unlock()
			_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
		}
	}()
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s %s:%d: %s", m.Type, m.URL, m.Line+1, m.Text))
				mu.Unlock()
			}
		}
	}()
	if err := chromedp.Do(ctx, chromedp.Navigate(fileURL), chromedp.WaitVisible(chromedp.CSS("svg"))); err != nil {
		t.Fatalf("loading the KPI page: %v", err)
	}
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg").length`))
	if err != nil {
		t.Fatal(err)
	}
	if charts < 4 {
		t.Errorf("%d charts on the page, want the 4 weekly charts", charts)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.ArtifactDir(), "kpi.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	// Let late requests or errors surface before judging.
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(requests) > 0 {
		t.Errorf("the page made requests: %v", slices.Compact(requests))
	}
	if len(problems) > 0 {
		t.Errorf("console errors: %v", problems)
	}
}
