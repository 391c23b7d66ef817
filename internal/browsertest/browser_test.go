package browsertest

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// csp is a strict Content-Security-Policy, like the one the application
// sends, to show that it does not keep axe-core out.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const accessiblePage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Permits</title></head>
<body>
<main>
<h1>Permits</h1>
<p><img src="/seal.svg" alt="City seal" width="40" height="40"></p>
<form method="post" action="/greet">
<label for="name">Name</label>
<input id="name" name="name" type="text">
<button type="submit">Greet</button>
</form>
</main>
</body>
</html>`

// inaccessiblePage lacks a lang attribute, an image alt text and a label.
const inaccessiblePage = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Broken</title></head>
<body>
<main>
<h1>Broken</h1>
<img src="/seal.svg" width="40" height="40">
<form method="post" action="/greet">
<input id="name" name="name" type="text">
<button type="submit">Greet</button>
</form>
</main>
</body>
</html>`

const seal = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">` +
	`<circle cx="20" cy="20" r="18" fill="#036"/></svg>`

// newServer serves the test pages.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", csp)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", page(accessiblePage))
	mux.HandleFunc("GET /broken", page(inaccessiblePage))
	mux.HandleFunc("GET /seal.svg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		fmt.Fprint(w, seal)
	})
	mux.HandleFunc("POST /greet", func(w http.ResponseWriter, r *http.Request) {
		name := html.EscapeString(r.PostFormValue("name"))
		page(`<!doctype html><html lang="en"><head><title>Hello</title></head>`+
			`<body><main><h1 id="greeting">Hello, `+name+`</h1></main></body></html>`)(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowser(t *testing.T) {
	srv := newServer(t)
	b := New(t)

	t.Run("accessible page has no violations", func(t *testing.T) {
		tab := b.Tab(t)
		if got := tab.Navigate(srv.URL + "/"); got != http.StatusOK {
			t.Fatalf("Navigate: status %d, want 200", got)
		}
		if got := tab.Title(); got != "Permits" {
			t.Errorf("Title() = %q, want Permits", got)
		}
		if vs := tab.CheckAccessible(); len(vs) != 0 {
			t.Errorf("CheckAccessible returned %d violations, want none", len(vs))
		}
	})

	t.Run("inaccessible page has violations", func(t *testing.T) {
		tab := b.Tab(t)
		tab.Navigate(srv.URL + "/broken")
		vs := tab.Axe()
		byID := make(map[string]Violation)
		for _, v := range vs {
			byID[v.ID] = v
		}
		for id, html := range map[string]string{
			"image-alt":     `<img src="/seal.svg"`,
			"label":         `<input id="name"`,
			"html-has-lang": `<html>`,
		} {
			v, ok := byID[id]
			if !ok {
				t.Errorf("no %s violation in %s", id, formatViolations(vs))
				continue
			}
			if v.Impact == "" || v.Help == "" || len(v.Nodes) == 0 {
				t.Errorf("%s violation is incomplete: %+v", id, v)
				continue
			}
			if n := v.Nodes[0]; len(n.Target) == 0 || !strings.HasPrefix(n.HTML, html) {
				t.Errorf("%s node = %+v, want a target and HTML starting %s", id, n, html)
			}
		}
		// The check also works after axe-core is in the page already.
		if again := tab.Axe(); len(again) != len(vs) {
			t.Errorf("second Axe() found %d violations, first %d", len(again), len(vs))
		}
	})

	t.Run("forms", func(t *testing.T) {
		tab := b.Tab(t)
		tab.Navigate(srv.URL + "/")
		tab.SetValue("#name", "Ada")
		tab.SendKeys("#name", " Lovelace")
		if got := tab.Value("#name"); got != "Ada Lovelace" {
			t.Errorf("Value(#name) = %q after SetValue and SendKeys", got)
		}
		if got := tab.ClickAndWait("button[type=submit]"); got != http.StatusOK {
			t.Errorf("ClickAndWait: status %d, want 200", got)
		}
		if got := tab.Text("#greeting"); got != "Hello, Ada Lovelace" {
			t.Errorf("Text(#greeting) = %q after ClickAndWait", got)
		}
		if got, want := tab.Location(), srv.URL+"/greet"; got != want {
			t.Errorf("Location() = %q, want %q", got, want)
		}

		tab.Navigate(srv.URL + "/")
		tab.SetValue("#name", "Grace")
		if got := tab.Submit("#name"); got != http.StatusOK {
			t.Errorf("Submit: status %d, want 200", got)
		}
		if got := tab.Text("#greeting"); got != "Hello, Grace" {
			t.Errorf("Text(#greeting) = %q after Submit", got)
		}
	})

	t.Run("status and screenshot", func(t *testing.T) {
		tab := b.Tab(t)
		if got := tab.Navigate(srv.URL + "/missing"); got != http.StatusNotFound {
			t.Errorf("Navigate to a missing page: status %d, want 404", got)
		}
		tab.Navigate(srv.URL + "/")
		path := filepath.Join(t.TempDir(), "page.png")
		tab.Screenshot(path)
		png, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("Screenshot wrote %d bytes that are not a PNG", len(png))
		}
	})
}

// endedTB is a testing.TB that records a Skip or Fatal instead of ending the
// real test.
type endedTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (e *endedTB) Helper() {}

func (e *endedTB) Skip(args ...any) {
	e.skipped, e.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (e *endedTB) Fatal(args ...any) {
	e.failed, e.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

// Skipf and Fatalf would hide the error if called, so forbid them.
func (e *endedTB) Skipf(format string, args ...any) { e.Fatalf(format, args...) }
func (e *endedTB) Fatalf(format string, args ...any) {
	e.Fatal(fmt.Sprintf(format, args...))
}

// end runs f with an endedTB in its own goroutine, as a test would, and
// returns how it ended.
func end(t *testing.T, f func(testing.TB)) *endedTB {
	e := &endedTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(e)
	}()
	<-done
	return e
}

func TestNewWithoutChromium(t *testing.T) {
	t.Setenv("STEWARD_CHROMIUM", "/nonexistent/chromium")

	t.Setenv("CI", "")
	e := end(t, func(tb testing.TB) { New(tb) })
	if !e.skipped || !strings.Contains(e.msg, "STEWARD_CHROMIUM") || !strings.Contains(e.msg, "/nonexistent/chromium") {
		t.Errorf("without CI: skipped %v, failed %v, message %q; want a skip naming STEWARD_CHROMIUM", e.skipped, e.failed, e.msg)
	}

	t.Setenv("CI", "true")
	e = end(t, func(tb testing.TB) { New(tb) })
	if !e.failed || !strings.HasPrefix(e.msg, "CI must run the browser suite: ") || !strings.Contains(e.msg, "install chromium") {
		t.Errorf("with CI=true: skipped %v, failed %v, message %q; want a failure", e.skipped, e.failed, e.msg)
	}
}

func TestReadAxe(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("moduleRoot() = %s: %v", root, err)
	}

	t.Setenv("STEWARD_AXE_JS", "/nonexistent/axe.min.js")
	if _, err := readAxe(); err == nil || !strings.Contains(err.Error(), "/nonexistent/axe.min.js") {
		t.Errorf("readAxe() with a missing STEWARD_AXE_JS: error %v", err)
	}

	js := filepath.Join(t.TempDir(), "axe.min.js")
	if err := os.WriteFile(js, []byte("window.axe = {}"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("STEWARD_AXE_JS", js)
	if src, err := readAxe(); err != nil || src != "window.axe = {}" {
		t.Errorf("readAxe() = %q, %v; want the file at STEWARD_AXE_JS", src, err)
	}
}

func TestFormatViolations(t *testing.T) {
	var nodes []ViolationNode
	for i := range 7 {
		nodes = append(nodes, ViolationNode{Target: []string{fmt.Sprintf("#img%d", i)}, HTML: fmt.Sprintf(`<img id="img%d">`, i)})
	}
	got := formatViolations([]Violation{{
		ID: "image-alt", Impact: "critical", Help: "Images must have alternative text",
		HelpURL: "https://dequeuniversity.com/rules/axe/4.14/image-alt", Nodes: nodes,
	}})
	for _, want := range []string{
		"axe-core found 1 violations:",
		"image-alt (critical): Images must have alternative text",
		"- #img4\n      <img id=\"img4\">",
		"… and 2 more",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("formatViolations output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "#img5") {
		t.Errorf("formatViolations lists more than %d nodes:\n%s", maxNodesReported, got)
	}
}
