//go:build unix

package cli_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// nobody is the user and group id the tests run steward as when they run as
// root, who may write anywhere: 65534, nobody and nogroup on Debian.
const nobody = 65534

// readOnlyAsNobody checks, when the tests run as root (as CI does), what
// steward says of a data folder it may not write: the folder belongs to
// nobody with mode 0500, and steward migrate runs as nobody.
func readOnlyAsNobody(t *testing.T) {
	t.Helper()
	// A folder of its own under the temporary folder: t.TempDir's parents
	// are root's with mode 0700, which nobody may not enter.
	base, err := os.MkdirTemp("", "steward-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	for p := filepath.Dir(base); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			t.Fatalf("%s (mode %v) is closed to other users, so user %d cannot reach %s: set TMPDIR to a folder everyone may enter", p, fi.Mode().Perm(), nobody, base)
		}
		if p == filepath.Dir(p) {
			break
		}
	}
	dir := filepath.Join(base, "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	runAsNobody(t, base, "migrate", "--data", dir).check(t, 1, nil, []string{"data folder " + dir + " is not writable"})
}

// runAsNobody runs steward args… as user and group nobody, with no
// supplementary groups, in a process of its own: a copy of the test binary
// in dir (the go test build folder is root's), which TestMain turns into
// the steward command by STEWARD_TEST_RUN_STEWARD=1, the only variable of
// its environment.
func runAsNobody(t *testing.T, dir string, args ...string) result {
	t.Helper()
	bin := filepath.Join(dir, "steward.test")
	if err := copyFile(bin, os.Args[0], 0o755); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"STEWARD_TEST_RUN_STEWARD=1"}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}}
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running %s as user %d (a file system mounted noexec?): %v", bin, nobody, err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// copyFile copies the file src to a new file dst with mode perm.
func copyFile(dst, src string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
