package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHandlersTakeActorsFromRequest: the packages that serve requests
// (web, api, server) never make an actor of their own. Outside civic, only
// civic.ActorOf, civic.CLI, civic.System and civic.Process make an actor
// that holds a permission (an Actor written as a literal is anonymous), and
// route.WithActor is how the server hands one to a handler; so a handler's
// only actor is route.Actor(r), the one serve set for its route.
func TestHandlersTakeActorsFromRequest(t *testing.T) {
	forbidden := map[string]bool{
		"civic.ActorOf": true, "civic.CLI": true, "civic.System": true, "civic.Process": true,
		"route.WithActor": true,
	}
	allowed := map[string]string{ // file → the one name it may use, and why
		"server/server.go civic.ActorOf":   "actorFor: the signed-in user on a route that needs a permission",
		"server/server.go route.WithActor": "serve: hands the actor to the handler",
	}
	fset := token.NewFileSet()
	found := 0
	for _, dir := range []string{"../web", "../api", "."} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			found++
			rel := filepath.Base(filepath.Dir(filepath.Clean(filepath.Join("internal/server", path)))) + "/" + filepath.Base(path)
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.SelectorExpr:
					id, ok := x.X.(*ast.Ident)
					if !ok {
						return true
					}
					name := id.Name + "." + x.Sel.Name
					if forbidden[name] {
						if _, ok := allowed[rel+" "+name]; !ok {
							t.Errorf("%s: %s uses %s; a handler acts as route.Actor(r), never as an actor it makes", fset.Position(x.Pos()), rel, name)
						}
					}
				case *ast.CompositeLit:
					if sel, ok := x.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Actor" {
						if id, ok := sel.X.(*ast.Ident); ok && id.Name == "civic" {
							t.Errorf("%s: a civic.Actor literal; use route.Actor(r)", fset.Position(x.Pos()))
						}
					}
				}
				return true
			})
		}
	}
	if found < 20 {
		t.Fatalf("read only %d files of web, api and server; the test is looking in the wrong place", found)
	}
}
