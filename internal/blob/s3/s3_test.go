package s3_test

import (
	"context"
	"strings"
	"testing"

	"steward.city/steward/internal/blob/blobtest"
	"steward.city/steward/internal/blob/s3"
	"steward.city/steward/internal/blob/s3/s3test"
)

// TestS3 runs the blob suite against a real S3 API server: versitygw,
// started by s3test. Without one the test is skipped, saying how to get
// it, and fails in CI (CI=true).
func TestS3(t *testing.T) {
	srv := s3test.Start(t)
	blobtest.Run(t, srv.Store)
	if n := blobtest.Files(t, srv.Spool); n != 0 {
		t.Errorf("%d spooled files left behind", n)
	}

	// The signature is checked: a wrong secret is refused.
	bad, _ := s3.New(s3.Config{Endpoint: srv.Endpoint, Bucket: "steward-x", AccessKey: s3test.Access, SecretKey: "wrong"})
	if _, err := bad.Has(context.Background(), strings.Repeat("a", 64)); err == nil {
		t.Error("a request signed with the wrong secret was accepted")
	}
}
