package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A floor is a set of packages with one place in the layering. Its packages
// may import the packages of the floors named in may and nothing else of
// this module (the standard library and other modules are not checked).
// Packages of one floor do not import each other unless exceptions says so.
type floor struct {
	name string
	pkgs []string // import paths relative to the module: internal/civic, cmd/steward
	may  []string // names of the floors whose packages these may import
}

// floors is the layering of docs/architecture.md, bottom first. Every
// package of the module stands on exactly one floor: a new package fails
// TestLayering until it is added here.
var floors = []floor{
	// The domain types, the policy, the Merkle tree and the plain words
	// times and counts are written in: nothing internal.
	{name: "domain", pkgs: []string{"internal/civic", "internal/merkle", "internal/plain"}},
	// Small libraries used everywhere: each uses at most the domain.
	{name: "libraries", may: []string{"domain"}, pkgs: []string{
		"internal/auth", "internal/bag", "internal/blob", "internal/checkpoint",
		"internal/classify", "internal/notify", "internal/pdf", "internal/route",
		"internal/strictjson", "internal/vault",
	}},
	// The services other services build on.
	{name: "core", may: []string{"domain", "libraries"}, pkgs: []string{"internal/audit", "internal/draftscreen", "internal/jobs", "internal/people"}},
	// Storage adapters: the one civic.Store and the media stores.
	{name: "store", may: []string{"domain", "libraries"}, pkgs: []string{"internal/blob/disk", "internal/blob/s3", "internal/sqlstore"}},
	// The database engines open the store; they know nothing else.
	{name: "engines", may: []string{"store"}, pkgs: []string{"internal/postgres", "internal/sqlite"}},
	// What the network adapters share (civic.Platform helpers, Guard).
	{name: "platform", may: []string{"domain"}, pkgs: []string{"internal/platform"}},
	// One adapter per network.
	{name: "networks", may: []string{"domain", "platform"}, pkgs: []string{
		"internal/platform/bluesky", "internal/platform/facebook", "internal/platform/instagram",
		"internal/platform/linkedin", "internal/platform/mastodon", "internal/platform/nextdoor",
		"internal/platform/threads", "internal/platform/tiktok", "internal/platform/x",
		"internal/platform/youtube",
	}},
	// Every network adapter by name, for the wiring.
	{name: "network set", may: []string{"domain", "platform", "networks"}, pkgs: []string{"internal/platform/adapters"}},
	// Services: each rule that depends on the object, over civic.Store.
	{name: "services", may: []string{"domain", "libraries", "core"}, pkgs: []string{
		"internal/archive", "internal/connection", "internal/moderation", "internal/registry", "internal/witness",
	}},
	// Services built on the archive; capture and the importer also use the
	// platform contract (never a network adapter: those come from the wiring);
	// the work list reads across the registry and the stores.
	{name: "workflows", may: []string{"domain", "libraries", "core", "services", "platform"}, pkgs: []string{
		"internal/capture", "internal/demo", "internal/importer", "internal/publish", "internal/records", "internal/worklist",
	}},
	// Pages and the JSON API: services only, never an adapter.
	{name: "presentation", may: []string{"domain", "libraries", "core", "services", "workflows"}, pkgs: []string{"internal/api", "internal/public", "internal/web"}},
	// Mounts every route behind one authorization check.
	{name: "server", may: []string{"domain", "libraries", "core", "presentation"}, pkgs: []string{"internal/server"}},
	// The steward command: flags, wiring; it alone picks the adapters.
	{name: "wiring", pkgs: []string{"internal/cli"}, may: []string{
		"domain", "libraries", "core", "store", "engines", "platform", "network set",
		"services", "workflows", "presentation", "server",
	}},
	{name: "main", may: []string{"wiring"}, pkgs: []string{"cmd/steward"}},
	// Helpers only tests import (enforced by forbidden below).
	{name: "test helpers", may: []string{"domain", "libraries", "core", "store", "engines", "platform"}, pkgs: testHelpers},
	// Tests of the module's structure; no code.
	{name: "structure tests", pkgs: []string{"internal/archtest"}},
}

// An edge is one import: from imports to.
type edge struct {
	from, to string
	why      string
}

// exceptions are imports the floors do not allow, allowed one by one.
var exceptions = []edge{
	{"internal/platform/instagram", "internal/platform/facebook", "Instagram's API is Facebook's Graph API: same client, pages and errors"},
	{"internal/platform/threads", "internal/platform/facebook", "the Threads API is served like the Graph API and shares its client"},
}

// knownViolations are imports that break a rule today and are being
// removed. Each is excused, and TestLayering fails once it is gone, so that
// it is taken off this list in the change that removes it.
var knownViolations = []edge{}

// A rule forbids imports whatever the floors say: it is the part of the
// layering that must never be relaxed by moving a package or adding a may.
// Patterns are import paths relative to the module; a trailing /... also
// matches every package below.
type rule struct {
	from, to []string
	except   []string // importers the rule does not apply to
	why      string
}

var (
	adapters = []string{"internal/sqlstore", "internal/sqlite", "internal/postgres"}
	services = []string{
		"internal/archive", "internal/records", "internal/moderation", "internal/capture",
		"internal/registry", "internal/people", "internal/audit", "internal/importer", "internal/connection",
		"internal/demo", "internal/witness", "internal/worklist", "internal/publish",
	}
	// testHelpers are the floor of that name.
	testHelpers = []string{
		"internal/auth/oidctest", "internal/blob/blobtest", "internal/blob/s3/s3test", "internal/browsertest",
		"internal/notify/smtptest", "internal/platform/mastodon/gtstest",
		"internal/pdf/pdftest", "internal/platform/replay", "internal/storetest",
	}
)

var forbidden = []rule{
	{from: []string{"internal/civic", "internal/merkle", "internal/plain"}, to: []string{"internal/...", "cmd/..."},
		why: "the domain, the Merkle tree and the plain words import nothing internal"},
	{from: adapters, to: append(slices.Clone(services), "internal/web", "internal/api", "internal/server", "internal/cli"),
		why: "adapters implement civic.Store; they never call services"},
	{from: []string{"internal/web", "internal/api", "internal/public"}, to: append(slices.Clone(adapters), "internal/platform/...", "internal/cli"),
		why: "pages and the API use services; the wiring picks the adapters"},
	{from: []string{"..."}, to: []string{"internal/cli"}, except: []string{"cmd/steward"},
		why: "the command is the top: only main calls it"},
	{from: services, to: []string{"internal/web", "internal/api", "internal/public", "internal/server"},
		why: "services do not know how they are presented"},
	{from: []string{"..."}, to: testHelpers, except: testHelpers,
		why: "test helpers are for tests only"},
}

// cliTesters are the packages whose tests may import internal/cli: every
// other test drives services, not the command.
var cliTesters = map[string]string{
	"internal/cli":     "the command's own tests",
	"internal/records": "tamper_test.go runs steward verify on forged bags, as a requester would",
	"internal/server":  "the tests build Steward with cli.NewServices, the composition root serve uses",
}

// pkg is what go list tells of one package, import paths made relative to
// the module and only the module's own imports kept.
type pkg struct {
	path        string
	imports     []string
	testImports []string // of both the package's tests and its _test package
}

// TestLayering checks every package's imports against floors, exceptions,
// knownViolations, forbidden and cliTesters. With -v it logs the import
// graph floor by floor.
func TestLayering(t *testing.T) {
	pkgs := listPackages(t)
	floorOf := map[string]*floor{}
	floorNamed := map[string]*floor{}
	for i := range floors {
		f := &floors[i]
		floorNamed[f.name] = f
		for _, p := range f.pkgs {
			if g, ok := floorOf[p]; ok {
				t.Errorf("%s is on two floors, %q and %q: keep one", p, g.name, f.name)
			}
			floorOf[p] = f
		}
	}
	for _, f := range floors {
		for _, m := range f.may {
			if floorNamed[m] == nil {
				t.Errorf("floor %q may import floor %q, which does not exist", f.name, m)
			}
		}
	}

	exists := map[string]bool{}
	for _, p := range pkgs {
		exists[p.path] = true
		if floorOf[p.path] == nil {
			t.Errorf("%s is on no floor: add it to the floors table in internal/archtest/layering_test.go, on the lowest floor whose may-list covers its imports (docs/architecture.md describes the floors)", p.path)
		}
	}
	for p, f := range floorOf {
		if !exists[p] {
			t.Errorf("%s is on floor %q but is not a package any more: remove it from the floors table", p, f.name)
		}
	}

	excused := map[edge]bool{}
	for _, e := range exceptions {
		excused[edge{from: e.from, to: e.to}] = true
	}
	known := map[edge]bool{}
	for _, e := range knownViolations {
		known[edge{from: e.from, to: e.to}] = true
	}
	seen := map[edge]bool{}

	for _, p := range pkgs {
		f := floorOf[p.path]
		for _, imp := range p.imports {
			e := edge{from: p.path, to: imp}
			seen[e] = true
			if known[e] {
				continue
			}
			for _, r := range forbidden {
				if matchAny(r.from, p.path) && !matchAny(r.except, p.path) && matchAny(r.to, imp) {
					t.Errorf("%s imports %s: forbidden, %s", p.path, imp, r.why)
				}
			}
			g := floorOf[imp]
			if f == nil || g == nil || excused[e] {
				continue
			}
			if !slices.Contains(f.may, g.name) {
				t.Errorf("%s (floor %q) imports %s (floor %q): floor %q may import only %s; move one of them, or add the import to exceptions with the reason", p.path, f.name, imp, g.name, f.name, mayList(f))
			}
		}
		for _, imp := range p.testImports {
			if imp == "internal/cli" {
				if _, ok := cliTesters[p.path]; !ok {
					t.Errorf("tests of %s import internal/cli: test the services instead, or add %s to cliTesters with the reason", p.path, p.path)
				}
			}
		}
	}
	for _, e := range exceptions {
		if !seen[edge{from: e.from, to: e.to}] {
			t.Errorf("exception %s → %s is no longer used: remove it from exceptions", e.from, e.to)
		}
	}
	for _, e := range knownViolations {
		if !seen[edge{from: e.from, to: e.to}] {
			t.Errorf("known violation %s → %s is fixed: remove it from knownViolations", e.from, e.to)
		} else {
			t.Logf("known violation, still to remove: %s → %s (%s)", e.from, e.to, e.why)
		}
	}

	byPath := map[string]pkg{}
	for _, p := range pkgs {
		byPath[p.path] = p
	}
	var b strings.Builder
	for i, f := range floors {
		fmt.Fprintf(&b, "\nfloor %d, %s (may import: %s)\n", i, f.name, mayList(&f))
		for _, path := range f.pkgs {
			imports := byPath[path].imports
			if len(imports) == 0 {
				fmt.Fprintf(&b, "  %s\n", path)
				continue
			}
			fmt.Fprintf(&b, "  %s → %s\n", path, strings.Join(imports, ", "))
		}
	}
	t.Log("import graph by floor, bottom first:" + b.String())
}

func mayList(f *floor) string {
	if len(f.may) == 0 {
		return "nothing internal"
	}
	return strings.Join(f.may, ", ")
}

// matchAny reports whether path matches one of the patterns: equal, or
// below a pattern ending in /..., or anything for "...".
func matchAny(patterns []string, path string) bool {
	for _, p := range patterns {
		switch {
		case p == "...":
			return true
		case strings.HasSuffix(p, "/..."):
			base := strings.TrimSuffix(p, "/...")
			if path == base || strings.HasPrefix(path, base+"/") {
				return true
			}
		case p == path:
			return true
		}
	}
	return false
}

// listPackages runs go list -json ./... in the module root and returns
// every package with its imports of the module, sorted by path.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Module,Imports,TestImports,XTestImports,Error", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./... in %s: %v\n%s", root, err, stderr.Bytes())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath                         string
			Module                             *struct{ Path string }
			Imports, TestImports, XTestImports []string
			Error                              *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		if p.Module == nil {
			t.Fatalf("go list: %s is in no module", p.ImportPath)
		}
		prefix := p.Module.Path + "/"
		own := func(imports ...[]string) []string {
			var rel []string
			for _, list := range imports {
				for _, imp := range list {
					if r, ok := strings.CutPrefix(imp, prefix); ok && !slices.Contains(rel, r) {
						rel = append(rel, r)
					}
				}
			}
			slices.Sort(rel)
			return rel
		}
		path, _ := strings.CutPrefix(p.ImportPath, prefix)
		pkgs = append(pkgs, pkg{
			path:        path,
			imports:     own(p.Imports),
			testImports: own(p.TestImports, p.XTestImports),
		})
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list ./... in %s found no packages", root)
	}
	slices.SortFunc(pkgs, func(a, b pkg) int { return strings.Compare(a.path, b.path) })
	return pkgs
}

// moduleRoot walks up from the working directory to the folder holding
// go.mod.
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
