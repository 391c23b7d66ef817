package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/storetest"
)

// signPortal signs a checkpoint of the portal's archive, then adds records
// to an account the portal does not show and signs a second, larger one.
// It returns the verifier key and both signed notes, oldest first.
func signPortal(t testing.TB, a *testApp) (string, []string) {
	t.Helper()
	ctx := context.Background()
	signer, vkey, err := archive.LoadOrCreateKey(filepath.Join(t.TempDir(), "k"), "city.example/archive")
	if err != nil {
		t.Fatal(err)
	}
	svc := archive.New(archive.Config{Store: a.store, Signer: signer, Clock: a.clock.Now})
	if err := svc.PublishVerifier(ctx, vkey); err != nil {
		t.Fatal(err)
	}
	var notes []string
	for i := range 2 {
		if i > 0 {
			var recs []archive.Record
			for j := range 5 {
				recs = append(recs, archive.Record{Account: "x:@elsewhere", ID: fmt.Sprintf("g-%d", j), Kind: "post",
					CapturedAt: a.clock.Now().Add(-time.Hour).Format(time.RFC3339), Text: "growth"})
			}
			if _, err := svc.Ingest(ctx, civic.CLI, recs, nil); err != nil {
				t.Fatal(err)
			}
		}
		c, err := svc.Checkpoint(ctx)
		if err != nil || c == nil {
			t.Fatalf("checkpoint: %v", err)
		}
		notes = append(notes, c.Note)
	}
	return vkey, notes
}

// TestPublicIntegrity checks the public proofs: an item's proof verifies
// against the signed checkpoint; a withheld item's hashes are proven too;
// a covert item's proof answers as an unknown id; the checkpoint history,
// the newest note and a consistency proof between the two checkpoints.
func TestPublicIntegrity(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil, noLimit)
			s := seedPortal(t, a)
			vkey, notes := signPortal(t, a)

			res, body := a.get("/public/items/" + strconv.FormatInt(s.post, 10) + "/proof")
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("proof: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			var p checkpoint.ItemProof
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatal(err)
			}
			if p.Checkpoint != notes[1] {
				t.Errorf("the proof is not against the newest checkpoint")
			}
			v, err := checkpoint.VerifyItemProof(&p, vkey, s.post, p.Versions[0].SHA256)
			if err != nil || v.Versions < 2 {
				t.Fatalf("the post's proof: %v %+v", err, v)
			}
			// The page shows each version's hash and the proof.
			_, page := a.get("/public/items/" + strconv.FormatInt(s.post, 10))
			page = html.UnescapeString(page)
			for _, want := range []string{p.Versions[0].SHA256, p.Versions[1].SHA256, "Inclusion proof", p.RootHash, p.Versions[1].Path[0], `href="/public/items/` + strconv.FormatInt(s.post, 10) + `/proof"`} {
				if !strings.Contains(page, want) {
					t.Errorf("the item page lacks %q", want)
				}
			}
			// A withheld item's hashes are proven; its page says nothing more.
			res, body = a.get("/public/items/" + strconv.FormatInt(s.withheld[0], 10) + "/proof")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("withheld proof: %d %s", res.StatusCode, body)
			}
			var wp checkpoint.ItemProof
			if err := json.Unmarshal([]byte(body), &wp); err != nil {
				t.Fatal(err)
			}
			if _, err := checkpoint.VerifyItemProof(&wp, vkey, s.withheld[0], ""); err != nil {
				t.Errorf("withheld item's proof: %v", err)
			}
			// A covert item answers as an unknown one.
			ur, ub := a.get("/public/items/987654/proof")
			ub = strings.ReplaceAll(ub, "987654", "ID")
			for _, id := range s.covert {
				n := strconv.FormatInt(id, 10)
				cr, cb := a.get("/public/items/" + n + "/proof")
				if cr.StatusCode != ur.StatusCode || strings.ReplaceAll(cb, n, "ID") != ub || cr.StatusCode != http.StatusNotFound {
					t.Errorf("covert item %d's proof answers %d %q, an unknown one %d %q", id, cr.StatusCode, cb, ur.StatusCode, ub)
				}
			}

			// The newest note, the history, the consistency proof.
			res, body = a.get("/public/checkpoints/latest")
			if res.StatusCode != http.StatusOK || body != notes[1] {
				t.Errorf("latest: %d %q", res.StatusCode, body)
			}
			_, body = a.get("/public/checkpoints")
			body = html.UnescapeString(body)
			older, _ := checkpoint.ParseNote([]byte(notes[0]))
			newer, _ := checkpoint.ParseNote([]byte(notes[1]))
			if !strings.Contains(body, "2 signed checkpoints") || strings.Index(body, base64.StdEncoding.EncodeToString(newer.Root[:])) > strings.Index(body, base64.StdEncoding.EncodeToString(older.Root[:])) || !strings.Contains(body, vkey) {
				t.Errorf("the history does not list both checkpoints newest first with the key:\n%s", body)
			}
			res, body = a.get(fmt.Sprintf("/public/checkpoints/consistency?from=%d&to=%d", older.Size, newer.Size))
			var c checkpoint.ConsistencyProof
			if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &c) != nil {
				t.Fatalf("consistency: %d %s", res.StatusCode, body)
			}
			if err := checkpoint.VerifyGrowth([]byte(notes[0]), []byte(notes[1]), &c, vkey); err != nil {
				t.Errorf("consistency: %v", err)
			}
			for q, want := range map[string]string{
				"from=1&to=" + strconv.FormatInt(newer.Size+1, 10): "the newest signed checkpoint has",
				"from=5&to=4": "must not be smaller", "from=-1&to=3": "from must be a tree size", "from=1": "to must be a tree size",
				"from=01&to=3": "from must be a tree size", "from=1&to=99999999999999999999": "to must be a tree size",
			} {
				res, body := a.get("/public/checkpoints/consistency?" + q)
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
					t.Errorf("consistency?%s: %d %s, want 422 %q", q, res.StatusCode, body, want)
				}
			}
		})
	}
}

// TestVerifyPublic runs `steward verify --public` against a live server,
// then against a forging one that serves another item's proof, a tampered
// audit path, a checkpoint signed by another key, a rolled-back checkpoint
// and a consistency proof that does not connect: each is refused with exit 2.
func TestVerifyPublic(t *testing.T) {
	a := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil, noLimit)
	s := seedPortal(t, a)
	vkey, notes := signPortal(t, a)
	dir := t.TempDir()
	oldFile, newFile := filepath.Join(dir, "old.txt"), filepath.Join(dir, "new.txt")
	if err := os.WriteFile(oldFile, []byte(notes[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(newFile, []byte(notes[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	// Another key of the same name, as a forger would make.
	skey, _, err := note.GenerateKey(rand.Reader, "city.example/archive")
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	resign := func(n string) string {
		b, err := checkpoint.ParseNote([]byte(n))
		if err != nil {
			t.Fatal(err)
		}
		out, err := note.Sign(&note.Note{Text: b.Text()}, otherSigner)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	post := strconv.FormatInt(s.post, 10)
	other := strconv.FormatInt(s.public[len(s.public)-1], 10)
	if other == post {
		other = strconv.FormatInt(s.public[0], 10)
	}
	// The forging server's mode, set between requests by the test.
	var modeV atomic.Value
	modeV.Store("")
	setMode := func(m string) { modeV.Store(m) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode := modeV.Load().(string)
		if (mode == "other item" || mode == "relabelled") && r.URL.Path == "/public/items/"+post+"/proof" {
			r.URL.Path = "/public/items/" + other + "/proof"
		}
		rec := httptest.NewRecorder()
		a.server.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		switch {
		case mode == "tampered path" && strings.HasSuffix(r.URL.Path, "/proof"):
			var p checkpoint.ItemProof
			if err := json.Unmarshal(body, &p); err != nil {
				t.Error(err)
			}
			h, _ := base64.StdEncoding.DecodeString(p.Versions[0].Path[0])
			h[0] ^= 1
			p.Versions[0].Path[0] = base64.StdEncoding.EncodeToString(h)
			body, _ = json.Marshal(&p)
		case mode == "relabelled" && strings.HasSuffix(r.URL.Path, "/proof"):
			var p checkpoint.ItemProof
			if err := json.Unmarshal(body, &p); err != nil {
				t.Error(err)
			}
			p.ItemID = s.post
			body, _ = json.Marshal(&p)
		case mode == "other key" && r.URL.Path == "/public/checkpoints/latest":
			body = []byte(resign(string(body)))
		case mode == "other key" && strings.HasSuffix(r.URL.Path, "/proof"):
			var p checkpoint.ItemProof
			if err := json.Unmarshal(body, &p); err != nil {
				t.Error(err)
			}
			p.Checkpoint = resign(p.Checkpoint)
			body, _ = json.Marshal(&p)
		case mode == "rolled back" && r.URL.Path == "/public/checkpoints/latest":
			body = []byte(notes[0])
		case mode == "no connection" && r.URL.Path == "/public/checkpoints/consistency":
			var c checkpoint.ConsistencyProof
			if err := json.Unmarshal(body, &c); err != nil {
				t.Error(err)
			}
			h, _ := base64.StdEncoding.DecodeString(c.Proof[len(c.Proof)-1])
			h[5] ^= 0x80
			c.Proof[len(c.Proof)-1] = base64.StdEncoding.EncodeToString(h)
			body, _ = json.Marshal(&c)
		}
		for k, v := range rec.Header() {
			if k != "Content-Length" && k != "Etag" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	verify := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), append([]string{"verify", "--public", srv.URL, "--key", vkey}, args...), strings.NewReader(""), &out, &errb, func(string) string { return "" })
		return code, out.String() + errb.String()
	}

	// The genuine portal.
	_, body := a.get("/public/items/" + post + "/proof")
	var p checkpoint.ItemProof
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(dir, "saved.txt")
	if code, out := verify("--item", post, "--sha256", p.Versions[0].SHA256, "--since", oldFile, "--save", saved); code != 0 ||
		!strings.Contains(out, "item "+post+" verified: ") || !strings.Contains(out, "log grew: from") {
		t.Fatalf("genuine: %d %s", code, out)
	}
	if b, err := os.ReadFile(saved); err != nil || string(b) != notes[1] {
		t.Errorf("--save wrote %q, %v", b, err)
	}
	if code, out := verify("--item", strconv.FormatInt(s.withheld[0], 10)); code != 0 {
		t.Errorf("withheld item: %d %s", code, out)
	}
	if code, out := verify("--item", strconv.FormatInt(s.covert[0], 10)); code != 1 || !strings.Contains(out, "404") {
		t.Errorf("covert item: %d %s, want exit 1 and the 404", code, out)
	}
	if code, out := verify("--item", "abc"); code != 1 {
		t.Errorf("bad --item: %d %s", code, out)
	}

	// The script in docs/verify.md, where Python and openssl are installed.
	script := func() (int, string) {
		cmd := exec.Command("python3", filepath.Join("..", "..", "docs", "scripts", "verify-public.py"), srv.URL, post, vkey)
		out, err := cmd.CombinedOutput()
		if err != nil && cmd.ProcessState == nil {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), string(out)
	}
	_, errPy := exec.LookPath("python3")
	_, errSSL := exec.LookPath("openssl")
	if errPy == nil && errSSL == nil {
		if code, out := script(); code != 0 || strings.Count(out, "ok: version") != len(p.Versions) {
			t.Errorf("the documented script: %d %s", code, out)
		}
		for _, m := range []string{"tampered path", "other key", "other item"} {
			setMode(m)
			if code, out := script(); code != 2 || !strings.Contains(out, "FAILED") {
				t.Errorf("the documented script, %s: %d %s", m, code, out)
			}
		}
		setMode("")
	} else {
		t.Log("python3 or openssl is not installed: the documented script is not run")
	}

	// The forgeries.
	for _, c := range []struct {
		mode string
		args []string
		want string
	}{
		{"other item", []string{"--item", post}, "the proof is for item " + other},
		// Another item's proof under this item's number: the hash the resident
		// holds is not among the proven.
		{"relabelled", []string{"--item", post, "--sha256", p.Versions[0].SHA256}, "no proven version has the SHA-256"},
		{"tampered path", []string{"--item", post}, "the audit path does not lead to the root"},
		{"other key", []string{"--item", post}, "not signed by"},
		{"rolled back", []string{"--item", post, "--since", newFile}, "rolled back"},
		{"no connection", []string{"--since", oldFile}, "does not connect"},
	} {
		setMode(c.mode)
		code, out := verify(c.args...)
		if code != 2 || !strings.Contains(out, c.want) || !strings.Contains(out, "proof does not hold") {
			t.Errorf("%s: exit %d %s, want 2 and %q", c.mode, code, out, c.want)
		}
	}
}

// TestPublicDispositions destroys every record of the portal's seed under a
// schedule that keeps nothing, and checks the published list: the public
// accounts' posts with their rule, date and tombstone hashes; no comment,
// no covert profile's record and no record of an account the portal hides.
func TestPublicDispositions(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil, noLimit)
			s := seedPortal(t, a)
			ctx := context.Background()
			_, body := a.get("/public/dispositions")
			if !strings.Contains(body, "Nothing has been destroyed.") {
				t.Errorf("before any disposition:\n%s", body)
			}
			rt := &archive.Retention{Default: "transitory", Classes: []archive.Class{{Name: "transitory", Title: "Transitory records", Period: "0", Basis: "captured", Source: "test"}},
				Rules: []archive.Rule{{Class: "transitory", Kind: "post"}}}
			if err := a.svcs.Archive.SetRetention(ctx, rt); err != nil {
				t.Fatal(err)
			}
			run, err := a.svcs.Archive.ProposeDisposition(ctx, civic.CLI, time.Time{})
			if err != nil || run.Items == 0 {
				t.Fatalf("propose: %+v %v", run, err)
			}
			if _, _, err = a.svcs.Archive.ApproveDisposition(ctx, civic.CLI, run.ID); err != nil {
				t.Fatalf("approve: %v", err)
			}
			// Approved, not yet executed: nothing is published as destroyed.
			if _, body := a.get("/public/dispositions"); strings.Contains(body, "Demo City Public Works") {
				t.Errorf("an approved run not yet executed is published: %s", body)
			}
			if run, err = a.svcs.Archive.ExecuteDisposition(ctx, civic.CLI, run.ID, nil); err != nil || run.Disposed == 0 {
				t.Fatalf("execute: %+v %v", run, err)
			}
			res, body := a.get("/public/dispositions")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("dispositions: %d", res.StatusCode)
			}
			vs, err := a.store.ArchiveVersions(ctx, s.post)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{`href="/public/items/` + strconv.FormatInt(s.post, 10) + `"`, vs[0].Hash, vs[len(vs)-1].Hash, "transitory", "Demo City Public Works"} {
				if !strings.Contains(body, want) {
					t.Errorf("the list lacks %q", want)
				}
			}
			hidden := append(append([]int64{}, s.covert...), s.spam)
			for _, id := range hidden {
				if strings.Contains(body, `/public/items/`+strconv.FormatInt(id, 10)+`"`) {
					t.Errorf("the list names item %d (a comment or a covert record)", id)
				}
			}
			for _, id := range s.covert {
				if res, _ := a.get("/public/items/" + strconv.FormatInt(id, 10)); res.StatusCode != http.StatusNotFound {
					t.Errorf("covert item %d, disposed of, answers %d", id, res.StatusCode)
				}
			}
			for _, leak := range []string{"river.fan", "Trap:", "Riley Fan", "Comment "} {
				if strings.Contains(body, leak) {
					t.Errorf("the list shows %q", leak)
				}
			}
		})
	}
}
