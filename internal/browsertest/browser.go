// Package browsertest drives a headless Chromium from tests, for end-to-end
// tests of the web interface and for accessibility checks with axe-core.
//
// A test starts a browser with [New] and uses the methods of [Browser], which
// fail the test on error:
//
//	b := browsertest.New(t)
//	b.Navigate(srv.URL + "/login")
//	b.SetValue("#email", "clerk@example.org")
//	b.ClickAndWait("button[type=submit]")
//	b.CheckAccessible()
//
// The browser is Debian's Chromium. [New] looks for it in $STEWARD_CHROMIUM,
// then at /usr/bin/chromium, then as chromium on $PATH. Without one the test
// is skipped, unless $CI is true, in which case it fails: CI must run the
// browser suite. The accessibility checks need axe-core; see [Browser.Axe].
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	// Timeout bounds the whole life of a browser started by [New], including
	// every tab opened from it with [Browser.Tab].
	Timeout = 5 * time.Minute

	// ActionTimeout bounds each action of a [Browser] method, so that a
	// selector that matches nothing fails the test instead of waiting for
	// [Timeout].
	ActionTimeout = 20 * time.Second

	// windowWidth and windowHeight are the size of the browser window, and so
	// the width of screenshots.
	windowWidth, windowHeight = 1280, 900
)

// A Browser is one tab of a headless Chromium, bound to the test that opened
// it. Its methods call t.Fatal on error, so they must be called from that
// test's goroutine; a subtest opens its own tab with [Browser.Tab].
//
// Selectors are CSS selectors. Methods act on the first matching element and
// wait up to [ActionTimeout] for it to appear.
type Browser struct {
	t   testing.TB
	ctx context.Context
}

// New starts a headless Chromium for the test and returns its first tab. The
// browser is closed and its profile directory removed when the test ends.
//
// When no Chromium is installed, New skips the test, or fails it if the
// environment variable CI is true.
func New(t testing.TB) *Browser {
	t.Helper()
	return NewFor(t, Timeout)
}

// NewFor is New for a browser that lives up to life instead of [Timeout]:
// for a test that watches long work (an export of a million records).
func NewFor(t testing.TB, life time.Duration) *Browser {
	t.Helper()
	path, err := chromiumPath()
	if err != nil {
		skipOrFatal(t, fmt.Sprintf("%v; install chromium (apt-get install chromium)", err))
	}

	// The profile lives in t.TempDir, whose removal is registered before the
	// cleanup below and therefore runs after the browser has exited.
	profile := filepath.Join(t.TempDir(), "chromium-profile")

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(windowWidth, windowHeight),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// Without network access Chromium stalls on its background
		// requests unless all of them are turned off.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	deadline, cancelDeadline := context.WithTimeout(context.Background(), life)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(deadline, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()      // stops the browser and waits for it to exit
		cancelAlloc()    // waits for the allocator's goroutines
		cancelDeadline() // releases the timer
	})

	// Start the browser now, so that a broken installation fails here and
	// not in the middle of the test.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: starting %s: %v", path, err)
	}
	return &Browser{t: t, ctx: ctx}
}

// chromiumPath returns the Chromium executable to run: $STEWARD_CHROMIUM if
// set (a path, or a name on $PATH), else /usr/bin/chromium, else chromium on
// $PATH.
func chromiumPath() (string, error) {
	if p := os.Getenv("STEWARD_CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("STEWARD_CHROMIUM is not usable: %w", err)
		}
		return path, nil
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", errors.New("no Chromium found ($STEWARD_CHROMIUM, /usr/bin/chromium, chromium on $PATH)")
}

// skipOrFatal skips the test with msg, or fails it when the environment
// variable CI is true, because CI must not silently skip the browser suite.
func skipOrFatal(t testing.TB, msg string) {
	t.Helper()
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatal("CI must run the browser suite: " + msg)
	}
	t.Skip(msg)
}

// Tab opens a new tab in the same browser, bound to t, which is typically a
// subtest of the test that called [New]. The tab is closed when t ends. It
// shares the browser's cookies and its [Timeout].
func (b *Browser) Tab(t testing.TB) *Browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: opening a tab: %v", err)
	}
	return &Browser{t: t, ctx: ctx}
}

// Ctx returns the chromedp context of the tab, for actions that Browser has
// no method for:
//
//	title, err := chromedp.Run(b.Ctx(), chromedp.Title())
//
// It ends when the browser's [Timeout] runs out or the test ends.
func (b *Browser) Ctx() context.Context { return b.ctx }

// Navigate loads url in the tab, waits for the page to load and returns the
// HTTP status code of the document. It does not fail on an error status, so
// that tests can check error pages.
func (b *Browser) Navigate(url string) int {
	b.t.Helper()
	resp := run(b, fmt.Sprintf("Navigate(%q)", url), chromedp.NavigateResponse(url))
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Click clicks the element and returns without waiting for any navigation
// that the click starts; see [Browser.ClickAndWait].
func (b *Browser) Click(selector string) {
	b.t.Helper()
	run(b, fmt.Sprintf("Click(%q)", selector), chromedp.Click(chromedp.CSS(selector)))
}

// ClickAndWait clicks the element, typically a link or a submit button, waits
// for the page it leads to and returns that page's HTTP status code.
func (b *Browser) ClickAndWait(selector string) int {
	b.t.Helper()
	return responseStatus(b, fmt.Sprintf("ClickAndWait(%q)", selector), chromedp.Click(chromedp.CSS(selector)))
}

// Submit submits the form that contains the element (or is the element),
// waits for the resulting page and returns its HTTP status code. Like
// HTMLFormElement.submit, it skips validation and sends no submit button's
// name; use [Browser.ClickAndWait] on the button to submit as a person would.
func (b *Browser) Submit(selector string) int {
	b.t.Helper()
	return responseStatus(b, fmt.Sprintf("Submit(%q)", selector), chromedp.Submit(chromedp.CSS(selector)))
}

// SetValue sets the value of a form field directly, without key events.
func (b *Browser) SetValue(selector, value string) {
	b.t.Helper()
	run(b, fmt.Sprintf("SetValue(%q)", selector), chromedp.SetValue(chromedp.CSS(selector), value))
}

// SendKeys focuses the element and types text into it, key by key, after
// any value it already has.
func (b *Browser) SendKeys(selector, text string) {
	b.t.Helper()
	run(b, fmt.Sprintf("SendKeys(%q)", selector), chromedp.SendKeys(chromedp.CSS(selector), text))
}

// Text returns the visible text (innerText) of the element.
func (b *Browser) Text(selector string) string {
	b.t.Helper()
	return run(b, fmt.Sprintf("Text(%q)", selector), chromedp.Text(chromedp.CSS(selector)))
}

// Value returns the current value of a form field.
func (b *Browser) Value(selector string) string {
	b.t.Helper()
	return run(b, fmt.Sprintf("Value(%q)", selector), chromedp.Value(chromedp.CSS(selector)))
}

// Title returns the document title of the current page.
func (b *Browser) Title() string {
	b.t.Helper()
	return run(b, "Title()", chromedp.Title())
}

// Location returns the URL of the current page.
func (b *Browser) Location() string {
	b.t.Helper()
	return run(b, "Location()", chromedp.Location())
}

// Screenshot writes a PNG image of the whole page, beyond the window, to
// path. Its directory must exist.
func (b *Browser) Screenshot(path string) {
	b.t.Helper()
	png := run(b, fmt.Sprintf("Screenshot(%q)", path), chromedp.FullScreenshot(100))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("browsertest: Screenshot: %v", err)
	}
}

// run runs a within [ActionTimeout] and returns its value, failing the test
// with what and the error if it fails.
func run[T any](b *Browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, ActionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fatal(what, err)
	}
	return v
}

// responseStatus runs a, waits for the navigation it causes and returns the
// HTTP status code of the new document.
func responseStatus(b *Browser, what string, a chromedp.Action[chromedp.Void]) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, ActionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, a)
	if err != nil {
		b.fatal(what, err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// fatal fails the test because the action what failed with err.
func (b *Browser) fatal(what string, err error) {
	b.t.Helper()
	switch {
	case b.ctx.Err() != nil:
		b.t.Fatalf("browsertest: %s: the browser is closed (its Timeout is %v): %v", what, Timeout, err)
	case errors.Is(err, context.DeadlineExceeded):
		b.t.Fatalf("browsertest: %s: timed out after %v, waiting for the element or the page", what, ActionTimeout)
	default:
		b.t.Fatalf("browsertest: %s: %v", what, err)
	}
}
