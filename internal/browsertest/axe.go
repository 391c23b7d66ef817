package browsertest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/chromedp/chromedp"
)

// AxeVersion is the version of axe-core that package.json pins and that the
// error messages tell developers to install.
const AxeVersion = "4.14.1"

// axeTags are the axe-core rule tags that [Browser.Axe] runs: WCAG 2.0 and
// 2.1, levels A and AA.
const axeTags = `['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']`

// axeRun is the script that runs axe-core on the current document and returns
// its violations in the shape of [Violation]. axe-core gives a node's target
// as one entry for each frame on the way to the node, each a selector or, in
// a shadow DOM, a list of selectors; the lists are joined with " >>> ".
const axeRun = `(async () => {
	const results = await axe.run(document, {
		runOnly: {type: 'tag', values: ` + axeTags + `},
		resultTypes: ['violations'],
	});
	return results.violations.map(v => ({
		id: v.id,
		impact: v.impact || '',
		help: v.help,
		helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({
			target: n.target.map(t => [].concat(t).join(' >>> ')),
			html: n.html,
		})),
	}));
})()`

// maxNodesReported is how many nodes of each violation
// [Browser.CheckAccessible] lists, and maxSnippet how many characters of each
// node's HTML.
const (
	maxNodesReported = 5
	maxSnippet       = 200
)

// A Violation is a failed axe-core rule.
type Violation struct {
	ID      string          `json:"id"`     // rule, such as "image-alt"
	Impact  string          `json:"impact"` // minor, moderate, serious or critical
	Help    string          `json:"help"`
	HelpURL string          `json:"helpUrl"`
	Nodes   []ViolationNode `json:"nodes"`
}

// A ViolationNode is an element that fails a rule.
type ViolationNode struct {
	Target []string `json:"target"` // a CSS selector for each frame on the way to the element
	HTML   string   `json:"html"`   // the element's outer HTML, as axe-core shortened it
}

// loadAxe returns the source of axe.min.js, read once per process; see
// [readAxe].
var loadAxe = sync.OnceValues(readAxe)

// readAxe reads axe.min.js from $STEWARD_AXE_JS, or else from
// node_modules/axe-core/axe.min.js in the module root, the nearest directory
// above the working directory that holds go.mod.
func readAxe() (string, error) {
	path := os.Getenv("STEWARD_AXE_JS")
	if path == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", err
		}
		path = filepath.Join(root, "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading axe-core: %w", err)
	}
	return string(src), nil
}

// moduleRoot returns the nearest directory at or above the working directory
// that contains go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Axe runs the axe-core WCAG 2.1 A and AA rules on the current page and
// returns the violations, without failing the test for them; see
// [Browser.CheckAccessible].
//
// It injects axe-core through the DevTools protocol, which the page's
// Content-Security-Policy does not restrict. axe-core is read from
// $STEWARD_AXE_JS or node_modules/axe-core/axe.min.js at the module root,
// which "npm ci" installs. Without it the test is skipped, or fails when CI
// is true.
func (b *Browser) Axe() []Violation {
	b.t.Helper()
	src, err := loadAxe()
	if err != nil {
		skipOrFatal(b.t, fmt.Sprintf("%v; run: npm install --no-save axe-core@%s (or npm ci) at the repository root", err, AxeVersion))
	}
	// axe.min.js sets window.axe. The trailing void 0 keeps the evaluation
	// from returning anything by value.
	run(b, "injecting axe-core", chromedp.Evaluate[chromedp.Void](
		"if (typeof window.axe?.run !== 'function') {\n"+src+"\n}\nvoid 0"))
	return run(b, "running axe-core", chromedp.Evaluate[[]Violation](axeRun, chromedp.EvalAwaitPromise))
}

// CheckAccessible runs [Browser.Axe] and fails the test, without stopping
// it, if the current page has accessibility violations, listing each with up
// to five of its elements. It returns the violations.
func (b *Browser) CheckAccessible() []Violation {
	b.t.Helper()
	vs := b.Axe()
	if len(vs) > 0 {
		b.t.Errorf("browsertest: %s: %s", b.Location(), formatViolations(vs))
	}
	return vs
}

// formatViolations describes vs for a test failure message.
func formatViolations(vs []Violation) string {
	var s strings.Builder
	fmt.Fprintf(&s, "axe-core found %d violations:", len(vs))
	for _, v := range vs {
		fmt.Fprintf(&s, "\n  %s (%s): %s\n    %s", v.ID, v.Impact, v.Help, v.HelpURL)
		for i, n := range v.Nodes {
			if i == maxNodesReported {
				fmt.Fprintf(&s, "\n    … and %d more", len(v.Nodes)-i)
				break
			}
			fmt.Fprintf(&s, "\n    - %s\n      %s", strings.Join(n.Target, " >>> "), snippet(n.HTML))
		}
	}
	return s.String()
}

// snippet returns html on one line, shortened to maxSnippet characters.
func snippet(html string) string {
	s := strings.Join(strings.Fields(html), " ")
	if r := []rune(s); len(r) > maxSnippet {
		s = string(r[:maxSnippet]) + "…"
	}
	return s
}
