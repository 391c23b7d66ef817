package witness_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/merkle"
	"steward.city/steward/internal/witness"
)

const origin = "city.example/archive"

// memLog is a log in memory: its leaves' stored hashes and the root at
// every size, and a key to sign its checkpoints.
type memLog struct {
	signer note.Signer
	vkey   string
	f      merkle.Frontier
	nodes  map[int64]tlog.Hash
	roots  []tlog.Hash
}

func newLog(t *testing.T, name, tag string, n int, skey string) *memLog {
	t.Helper()
	if skey == "" {
		var err error
		if skey, _, err = checkpoint.GenerateKey(name); err != nil {
			t.Fatal(err)
		}
	}
	s, vkey, err := checkpoint.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	l := &memLog{signer: s, vkey: vkey, nodes: map[int64]tlog.Hash{}, roots: []tlog.Hash{merkle.EmptyRoot()}}
	for i := range n {
		for _, nd := range l.f.Append(merkle.LeafHash(fmt.Appendf(nil, "%s record %d", tag, i))) {
			l.nodes[tlog.StoredHashIndex(nd.Level, nd.Index)] = nd.Hash
		}
		l.roots = append(l.roots, l.f.Root())
	}
	return l
}

func (l *memLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = l.nodes[x]
	}
	return out, nil
}

// signed returns the log's checkpoint at size.
func (l *memLog) signed(t *testing.T, size int64) []byte {
	t.Helper()
	b := checkpoint.Body{Origin: l.signer.Name(), Size: size, Root: l.roots[size], Extensions: []string{"audit " + strings.Repeat("0", 64)}}
	msg, err := note.Sign(&note.Note{Text: b.Text()}, l.signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func (l *memLog) proof(t *testing.T, old, size int64) tlog.TreeProof {
	t.Helper()
	p, err := merkle.ProveConsistency(old, size, l)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (l *memLog) prover(size int64) func(context.Context, int64) (tlog.TreeProof, error) {
	return func(_ context.Context, old int64) (tlog.TreeProof, error) {
		return merkle.ProveConsistency(old, size, l)
	}
}

// startWitness runs a witness on a listener and in a folder of its own.
func startWitness(t testing.TB, dir string, logs ...string) (url, vkey string) {
	t.Helper()
	skey, vkey, err := checkpoint.GenerateCosignerKey("witness.example/w1")
	if err != nil {
		t.Fatal(err)
	}
	return serveWitness(t, dir, skey, logs...), vkey
}

func serveWitness(t testing.TB, dir, skey string, logs ...string) string {
	t.Helper()
	signer, _, err := checkpoint.NewCosigner(skey, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	w, err := witness.New(witness.Config{Dir: dir, Signer: signer, Logs: logs})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

type answer struct {
	status int
	ctype  string
	body   string
}

func post(t *testing.T, url string, old int64, proof tlog.TreeProof, signed []byte) answer {
	t.Helper()
	body := fmt.Sprintf("old %d\n%s\n%s", old, merkle.EncodeProof(proof), signed)
	return postRaw(t, url, body)
}

func postRaw(t *testing.T, url, body string) answer {
	t.Helper()
	res, err := http.Post(url+"/add-checkpoint", "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header.Get("Content-Type"), string(b)}
}

// TestAddCheckpoint walks the tlog-witness protocol over HTTP: every
// refusal with the spec's status code, cosignatures that verify, a
// rolled-back and a forked log refused, and the state kept across a
// restart.
func TestAddCheckpoint(t *testing.T) {
	t.Parallel()
	a := newLog(t, origin, "a", 10, "")
	dir := t.TempDir()
	wkey, wvkey, err := checkpoint.GenerateCosignerKey("witness.example/w1")
	if err != nil {
		t.Fatal(err)
	}
	url := serveWitness(t, dir, wkey, a.vkey)
	wv, _ := checkpoint.NewCosignatureVerifier(wvkey)
	forged := newLog(t, origin, "a", 10, "") // the same records, another key
	other := newLog(t, "other.example/log", "o", 3, "")
	steps := []struct {
		name   string
		do     func() answer
		status int
		body   string // part of the answer
	}{
		{"not a request", func() answer { return postRaw(t, url, "hello") }, 400, ""},
		{"old size with a leading zero", func() answer { return postRaw(t, url, "old 04\n\n"+string(a.signed(t, 4))) }, 400, ""},
		{"unknown log", func() answer { return post(t, url, 0, nil, other.signed(t, 3)) }, 404, ""},
		{"signed by another key", func() answer { return post(t, url, 0, nil, forged.signed(t, 4)) }, 403, ""},
		{"old size beyond the checkpoint", func() answer { return post(t, url, 5, a.proof(t, 3, 3), a.signed(t, 3)) }, 400, ""},
		{"first checkpoint", func() answer { return post(t, url, 0, nil, a.signed(t, 4)) }, 200, "— witness.example/w1 "},
		{"stale old size", func() answer { return post(t, url, 0, nil, a.signed(t, 6)) }, 409, "4\n"},
		{"wrong proof", func() answer { return post(t, url, 4, a.proof(t, 3, 6), a.signed(t, 6)) }, 422, ""},
		{"too many proof lines", func() answer { return post(t, url, 4, make(tlog.TreeProof, 64), a.signed(t, 6)) }, 400, ""},
		{"consistent", func() answer { return post(t, url, 4, a.proof(t, 4, 6), a.signed(t, 6)) }, 200, "— witness.example/w1 "},
		{"same tree again", func() answer { return post(t, url, 6, nil, a.signed(t, 6)) }, 200, "— witness.example/w1 "},
		{"rolled back, old size given", func() answer { return post(t, url, 6, nil, a.signed(t, 5)) }, 400, ""},
		{"rolled back, old size 0", func() answer { return post(t, url, 0, nil, a.signed(t, 5)) }, 409, "6\n"},
	}
	// A log rewritten after the witness saw it: the same key, other records.
	b := newLog(t, origin, "b", 10, "")
	b.signer = a.signer
	steps = append(steps,
		struct {
			name   string
			do     func() answer
			status int
			body   string
		}{"forked at the same size", func() answer { return post(t, url, 6, nil, b.signed(t, 6)) }, 409, "6\n"},
		struct {
			name   string
			do     func() answer
			status int
			body   string
		}{"rewritten and grown", func() answer { return post(t, url, 6, b.proof(t, 6, 8), b.signed(t, 8)) }, 422, ""},
	)
	for _, s := range steps {
		got := s.do()
		if got.status != s.status || !strings.Contains(got.body, s.body) {
			t.Fatalf("%s: %d %q, want %d %q", s.name, got.status, got.body, s.status, s.body)
		}
		if got.status == 409 && got.ctype != "text/x.tlog.size" {
			t.Errorf("%s: Content-Type %q", s.name, got.ctype)
		}
		if got.status == 200 {
			size := map[string]int64{"first checkpoint": 4}[s.name]
			if size == 0 {
				size = 6
			}
			n, err := note.Open(append(a.signed(t, size), got.body...), note.VerifierList(wv))
			if err != nil || len(n.Sigs) != 1 {
				t.Fatalf("%s: the cosignature does not verify: %v", s.name, err)
			}
		}
	}
	// A new witness process on the same folder remembers.
	url2 := serveWitness(t, dir, wkey, a.vkey)
	if got := post(t, url2, 0, nil, a.signed(t, 9)); got.status != 409 || got.body != "6\n" {
		t.Errorf("after a restart: %d %q, want 409 6", got.status, got.body)
	}
}

// TestOneOfRacingAdds: requests racing from the same old size are checked
// and recorded one at a time, so exactly one is cosigned.
func TestOneOfRacingAdds(t *testing.T) {
	t.Parallel()
	a := newLog(t, origin, "a", 20, "")
	url, _ := startWitness(t, t.TempDir(), a.vkey)
	if got := post(t, url, 0, nil, a.signed(t, 1)); got.status != 200 {
		t.Fatalf("first: %+v", got)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for size := int64(2); size <= 20; size++ {
		proof, signed := a.proof(t, 1, size), a.signed(t, size)
		wg.Go(func() {
			got := post(t, url, 1, proof, signed)
			mu.Lock()
			statuses[got.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[200] != 1 || statuses[409] != 18 {
		t.Errorf("answers %v, want one 200 and eighteen 409", statuses)
	}
}

// TestClient cosigns through Client: it learns the witness's size from a
// 409 and proves from there, and says so when the log was rolled back or
// rewritten, or the witness answers with a bad cosignature.
func TestClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newLog(t, origin, "a", 12, "")
	url, vkey := startWitness(t, t.TempDir(), a.vkey)
	c, err := witness.NewClient(url, vkey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "witness.example/w1" {
		t.Errorf("Name = %q", c.Name())
	}
	lines, err := c.Cosign(ctx, 4, a.signed(t, 4), a.prover(4))
	if err != nil || !strings.HasPrefix(lines, "— witness.example/w1 ") {
		t.Fatalf("Cosign = %q, %v", lines, err)
	}
	fresh, _ := witness.NewClient(url, vkey, nil) // knows nothing: learns 4 from a 409
	if _, err := fresh.Cosign(ctx, 7, a.signed(t, 7), a.prover(7)); err != nil {
		t.Fatalf("a client that did not know the witness's size: %v", err)
	}
	if _, err := c.Cosign(ctx, 5, a.signed(t, 5), a.prover(5)); err == nil || !strings.Contains(err.Error(), "rolled back") {
		t.Errorf("a rolled-back log: %v", err)
	}
	b := newLog(t, origin, "b", 12, "")
	b.signer = a.signer
	if _, err := c.Cosign(ctx, 7, b.signed(t, 7), b.prover(7)); err == nil || !strings.Contains(err.Error(), "rewritten or forked") {
		t.Errorf("a forked log: %v", err)
	}
	if _, err := c.Cosign(ctx, 9, b.signed(t, 9), b.prover(9)); err == nil || !strings.Contains(err.Error(), "422") {
		t.Errorf("a rewritten log: %v", err)
	}
	// A witness answering with another key's cosignature, or with nothing.
	impostorURL, _ := startWitness(t, t.TempDir(), a.vkey)
	impostor, _ := witness.NewClient(impostorURL, vkey, nil)
	if _, err := impostor.Cosign(ctx, 4, a.signed(t, 4), a.prover(4)); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("a cosignature by another key: %v", err)
	}
	junk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") }))
	t.Cleanup(junk.Close)
	jc, _ := witness.NewClient(junk.URL, vkey, nil)
	if _, err := jc.Cosign(ctx, 4, a.signed(t, 4), a.prover(4)); err == nil {
		t.Error("an answer that is not a cosignature was taken")
	}
	if _, err := witness.NewClient("ftp://w.example", vkey, nil); err == nil {
		t.Error("NewClient took an ftp URL")
	}
	if _, err := witness.NewClient(url, a.vkey, nil); err == nil {
		t.Error("NewClient took a log key as a witness key")
	}
}
