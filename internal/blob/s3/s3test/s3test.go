// Package s3test starts a real S3 API server for tests: versitygw
// (github.com/versity/versitygw, serving S3 over a folder) on 127.0.0.1,
// from $STEWARD_VERSITYGW or versitygw on the PATH.
package s3test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"steward.city/steward/internal/blob/s3"
)

// Access and Secret are the credentials of the server Start starts.
const Access, Secret = "steward-test", "steward-test-secret-key"

// Server is a running versitygw and a store on a new bucket of it.
type Server struct {
	Store    *s3.Store
	Endpoint string // http://127.0.0.1:port
	Dir      string // the folder versitygw keeps the buckets' objects in
	Spool    string // the store's Config.TempDir
}

// Start starts versitygw over a new folder and returns it with a store on
// a new bucket. Without versitygw the test is skipped, saying how to get
// it, and fails in CI (CI=true). The server stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := os.Getenv("STEWARD_VERSITYGW")
	if bin == "" {
		bin, _ = exec.LookPath("versitygw")
	}
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("STEWARD_VERSITYGW is not set and versitygw is not on the PATH: CI must run the S3 media store tests (.ci/run builds versitygw v1.8.0 into ~/.cache/steward-tools and sets STEWARD_VERSITYGW)")
		}
		t.Skip("no S3 server to test against: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0 and put it on the PATH, or set STEWARD_VERSITYGW to its path")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := &Server{Dir: t.TempDir(), Spool: t.TempDir()}
	cmd := exec.Command(bin, "--access", Access, "--secret", Secret, "--port", addr, "posix", srv.Dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	srv.Endpoint = "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get(srv.Endpoint)
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not answer at %s: %v", srv.Endpoint, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	srv.Store, err = s3.New(s3.Config{Endpoint: srv.Endpoint, Bucket: fmt.Sprintf("steward-%d", time.Now().UnixNano()%1e6), AccessKey: Access, SecretKey: Secret, TempDir: srv.Spool})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Store.CreateBucket(context.Background()); err != nil {
		t.Fatal(err)
	}
	return srv
}
