package s3_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/blob/blobtest"
	"steward.city/steward/internal/blob/s3"
)

// TestS3 runs the blob suite against a real S3 API server: versitygw
// (github.com/versity/versitygw, serving S3 over a folder), started here on
// 127.0.0.1 from $STEWARD_VERSITYGW or versitygw on the PATH. Without one
// the test is skipped, saying how to get it, and fails in CI (CI=true).
func TestS3(t *testing.T) {
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
	const access, secret = "steward-test", "steward-test-secret-key"
	cmd := exec.Command(bin, "--access", access, "--secret", secret, "--port", addr, "posix", t.TempDir())
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	endpoint := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get(endpoint)
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not answer at %s: %v", endpoint, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	s, err := s3.New(s3.Config{Endpoint: endpoint, Bucket: fmt.Sprintf("steward-%d", time.Now().UnixNano()%1e6), AccessKey: access, SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBucket(context.Background()); err != nil {
		t.Fatal(err)
	}
	blobtest.Run(t, s)

	// The signature is checked: a wrong secret is refused.
	bad, _ := s3.New(s3.Config{Endpoint: endpoint, Bucket: "steward-x", AccessKey: access, SecretKey: "wrong"})
	if _, err := bad.Has(context.Background(), strings.Repeat("a", 64)); err == nil {
		t.Error("a request signed with the wrong secret was accepted")
	}
}
