// Package archtest holds tests of the module's structure rather than of its
// behaviour: layering_test.go lists every package with go list and checks
// its imports against the floors of docs/architecture.md. The package has no
// code of its own; go test ./internal/archtest runs the checks.
package archtest
