// Package s3 stores media files by content hash in a bucket of any
// S3-compatible service (AWS S3, MinIO, versitygw, Ceph…), path-style, with
// AWS Signature Version 4. An object's key is ab/cd/<sha256>; a file is
// uploaded only if its key is absent (a HEAD first, and If-None-Match: *
// on the PUT where the service supports it), so nothing is overwritten.
package s3

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"steward.city/steward/internal/blob"
)

// Config names a bucket and the credentials to reach it.
type Config struct {
	Endpoint  string // https://s3.us-east-2.amazonaws.com or http://127.0.0.1:7070
	Region    string // us-east-1 when the service does not care
	Bucket    string
	AccessKey string
	SecretKey string
	// Client sends the requests; nil: one that waits at most a minute for
	// the service's answer but has no deadline on a whole request, so that
	// a large file's upload takes as long as it needs (ctx bounds it).
	Client *http.Client
	// TempDir is where Put spools a file to learn its hash before the
	// upload; "": the system's temporary folder. It needs room for the
	// largest media file, on disk rather than in memory (not a tmpfs).
	TempDir string
	Now     func() time.Time
}

// Store is a blob.Store in an S3 bucket.
type Store struct {
	c    Config
	base *url.URL
}

var _ blob.Store = (*Store)(nil)

// New returns the store; it does not contact the service.
func New(c Config) (*Store, error) {
	u, err := url.Parse(strings.TrimSuffix(c.Endpoint, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("s3 endpoint %q: want http(s)://host[:port]", c.Endpoint)
	}
	if c.Bucket == "" || c.AccessKey == "" || c.SecretKey == "" {
		return nil, fmt.Errorf("s3: bucket, access key and secret key are required")
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = time.Minute
		c.Client = &http.Client{Transport: t}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Store{c: c, base: u}, nil
}

const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func key(hash string) string { return hash[:2] + "/" + hash[2:4] + "/" + hash }

// do sends a signed request for the object at key ("" for the bucket).
func (s *Store) do(ctx context.Context, method, objKey string, body io.Reader, size int64, payloadHash string, extra map[string]string) (*http.Response, error) {
	path := "/" + s.c.Bucket
	if objKey != "" {
		path += "/" + objKey
	}
	u := *s.base
	u.Path = s.base.Path + path
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = size
	}
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	s.sign(req, payloadHash)
	return s.c.Client.Do(req)
}

// sign adds AWS Signature Version 4 headers to req.
func (s *Store) sign(req *http.Request, payloadHash string) {
	now := s.c.Now().UTC()
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	headers := map[string]string{"host": req.URL.Host, "x-amz-content-sha256": payloadHash, "x-amz-date": amzDate}
	if v := req.Header.Get("If-None-Match"); v != "" {
		headers["if-none-match"] = v
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	slices.Sort(names)
	var canonHeaders strings.Builder
	for _, k := range names {
		canonHeaders.WriteString(k + ":" + strings.TrimSpace(headers[k]) + "\n")
	}
	signed := strings.Join(names, ";")
	canonical := strings.Join([]string{req.Method, req.URL.EscapedPath(), req.URL.RawQuery, canonHeaders.String(), signed, payloadHash}, "\n")
	scope := day + "/" + s.c.Region + "/s3/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	k := hmacSHA256([]byte("AWS4"+s.c.SecretKey), day)
	k = hmacSHA256(k, s.c.Region)
	k = hmacSHA256(k, "s3")
	k = hmacSHA256(k, "aws4_request")
	sig := hex.EncodeToString(hmacSHA256(k, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.c.AccessKey+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// status turns an unexpected answer into an error naming it.
func status(res *http.Response, op string) error {
	b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	return fmt.Errorf("s3 %s: %s: %s", op, res.Status, strings.TrimSpace(string(b)))
}

// CreateBucket creates the bucket; an existing bucket of ours is fine.
func (s *Store) CreateBucket(ctx context.Context) error {
	res, err := s.do(ctx, http.MethodPut, "", nil, 0, emptyHash, nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK || res.StatusCode == http.StatusConflict {
		return nil
	}
	return status(res, "create bucket")
}

// Put stores r's content unless an object with its hash exists. The content
// is spooled to a temporary file in Config.TempDir to learn its hash before
// the upload, which streams from that file: memory does not grow with the
// file's size. A read error of r stores nothing and leaves no file.
func (s *Store) Put(ctx context.Context, want string, r io.Reader) (string, int64, error) {
	if want != "" && !blob.ValidHash(want) {
		return "", 0, fmt.Errorf("blob: %q is not a SHA-256", want)
	}
	tmp, err := os.CreateTemp(s.c.TempDir, "steward-s3-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return "", 0, err
	}
	hash := hex.EncodeToString(h.Sum(nil))
	if want != "" && hash != want {
		return "", 0, fmt.Errorf("blob: content hashes to %s, not %s", hash, want)
	}
	if ok, err := s.Has(ctx, hash); err != nil || ok {
		return hash, n, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", 0, err
	}
	res, err := s.do(ctx, http.MethodPut, key(hash), tmp, n, hash, map[string]string{"If-None-Match": "*"})
	if err != nil {
		return "", 0, err
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK, http.StatusPreconditionFailed: // stored, or stored meanwhile
		return hash, n, nil
	}
	return "", 0, status(res, "put")
}

// Open returns the object with the given hash.
func (s *Store) Open(ctx context.Context, hash string) (io.ReadCloser, error) {
	if !blob.ValidHash(hash) {
		return nil, blob.ErrNotFound
	}
	res, err := s.do(ctx, http.MethodGet, key(hash), nil, 0, emptyHash, nil)
	if err != nil {
		return nil, err
	}
	switch res.StatusCode {
	case http.StatusOK:
		return res.Body, nil
	case http.StatusNotFound:
		res.Body.Close()
		return nil, blob.ErrNotFound
	}
	defer res.Body.Close()
	return nil, status(res, "get")
}

// Has reports whether the object exists.
func (s *Store) Has(ctx context.Context, hash string) (bool, error) {
	if !blob.ValidHash(hash) {
		return false, nil
	}
	res, err := s.do(ctx, http.MethodHead, key(hash), nil, 0, emptyHash, nil)
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("s3 head: %s", res.Status)
}

// Delete removes the object; a missing object is not an error.
func (s *Store) Delete(ctx context.Context, hash string) error {
	if !blob.ValidHash(hash) {
		return nil
	}
	res, err := s.do(ctx, http.MethodDelete, key(hash), nil, 0, emptyHash, nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNoContent || res.StatusCode == http.StatusOK || res.StatusCode == http.StatusNotFound {
		return nil
	}
	return status(res, "delete")
}
