package platform

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"steward.city/steward/internal/civic"
)

// TestGuardStreamsMedia: a media file or a multipart form holding one
// may be larger than the guard holds to inspect: it goes out whole when
// it asks for nothing forbidden, and a mark anywhere in it (in its first
// part, or split across two reads past it) stops the call before the
// server has the request whole. A JSON or form body that large is still
// refused.
func TestGuardStreamsMedia(t *testing.T) {
	var mu sync.Mutex
	var got [][32]byte
	var whole int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err == nil {
			whole++
			got = append(got, sha256.Sum256(b))
		}
	}))
	defer srv.Close()
	c := &Client{Platform: "test"}
	big := bytes.Repeat([]byte{0xff, 0xd8, 'p', 'i', 'x'}, (maxInspect+3<<20)/5)
	send := func(ct string, body []byte) error {
		_, err := c.Do(t.Context(), Request{Method: "POST", URL: srv.URL + "/api/v2/media", Body: bytes.NewReader(body), ContentType: ct, Length: int64(len(body))})
		return err
	}
	if err := send("image/jpeg", big); err != nil {
		t.Fatalf("a 7 MB image: %v", err)
	}
	if len(got) != 1 || got[0] != sha256.Sum256(big) {
		t.Fatalf("the server did not get the image whole")
	}
	for _, at := range []int{100, maxInspect + 1<<20, maxInspect + 1<<20 + 32<<10 - 7} { // before, past, across a read's end
		b := bytes.Clone(big)
		copy(b[at:], "APP.bsky.graph.BLOCK")
		err := send("multipart/form-data; boundary=x", b)
		if civic.PlatformErrorKindOf(err) != civic.PlatformRefused || !strings.Contains(errString(err), ErrRefused.Error()) {
			t.Errorf("a mark at byte %d: %v, want refused", at, err)
		}
	}
	if err := send("application/json", big); !strings.Contains(errString(err), "too large to inspect") {
		t.Errorf("7 MB of JSON: %v, want refused", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if whole != 1 {
		t.Fatalf("the server read %d bodies whole, want only the clean image", whole)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
