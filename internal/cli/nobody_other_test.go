//go:build !unix

package cli_test

import "testing"

// readOnlyAsNobody is for Unix systems, where the tests may run as root;
// elsewhere os.Geteuid is -1 and it is never called.
func readOnlyAsNobody(t *testing.T) {
	t.Helper()
	t.Fatal("running steward as another user needs a Unix system")
}
