// Package witness is a transparency-log witness (C2SP tlog-witness) and its
// client. The witness keeps its own Ed25519 key and, for each log it is
// told to trust, the last checkpoint it cosigned, on its own disk; it
// cosigns a log's new checkpoint (C2SP tlog-cosignature, cosignature/v1)
// only with a consistency proof that the new tree extends that one, so a
// log rewritten or rolled back after a witness saw it is refused, and
// every checkpoint a witness cosigned is consistent with every other.
package witness

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/merkle"
)

// MaxRequest bounds an add-checkpoint request: an old size line, at most 63
// proof lines, a checkpoint and its signatures.
const MaxRequest = 64 << 10

// Config is what a witness needs.
type Config struct {
	Dir    string      // its own folder, for the state of each log
	Signer note.Signer // its cosigner (checkpoint.NewCosigner)
	Logs   []string    // the verifier keys of the logs it witnesses; each key's name is the log's origin
	Log    *slog.Logger
}

// Server answers POST /add-checkpoint.
type Server struct {
	dir    string
	signer note.Signer
	logs   map[string]note.Verifier
	log    *slog.Logger
	mu     sync.Mutex // checking the old size and saving the new state are one step
}

// New returns a witness.
func New(c Config) (*Server, error) {
	if c.Dir == "" || c.Signer == nil {
		return nil, errors.New("witness: a folder and a key are needed")
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{dir: c.Dir, signer: c.Signer, logs: map[string]note.Verifier{}, log: c.Log}
	for _, k := range c.Logs {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("witness: log key %q: %w", k, err)
		}
		s.logs[v.Name()] = v
	}
	return s, nil
}

// Handler returns the witness's HTTP interface.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /add-checkpoint", s.addCheckpoint)
	return mux
}

// refusal is an answer other than a cosignature: a status and why.
type refusal struct {
	status int
	reason string
	size   int64 // for 409: the size of the last cosigned checkpoint
}

func refuse(status int, format string, args ...any) *refusal {
	return &refusal{status: status, reason: fmt.Sprintf(format, args...)}
}

func (s *Server) addCheckpoint(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequest))
	if err != nil {
		http.Error(w, "the request is too large or was cut short", http.StatusBadRequest)
		return
	}
	origin, cosig, ref := s.add(body)
	if ref != nil {
		s.log.Warn("witness refused a checkpoint", "origin", origin, "status", ref.status, "reason", ref.reason)
		if ref.status == http.StatusConflict {
			w.Header().Set("Content-Type", "text/x.tlog.size")
			w.WriteHeader(http.StatusConflict)
			fmt.Fprintf(w, "%d\n", ref.size)
			return
		}
		http.Error(w, ref.reason, ref.status)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(cosig)
}

// add checks one request as tlog-witness says and returns the origin and
// the cosignature lines, or why it refuses.
func (s *Server) add(body []byte) (string, []byte, *refusal) {
	old, proof, signed, err := parseRequest(body)
	if err != nil {
		return "", nil, refuse(http.StatusBadRequest, "%v", err)
	}
	cp, err := checkpoint.ParseNote(signed)
	if err != nil {
		return "", nil, refuse(http.StatusBadRequest, "%v", err)
	}
	v, ok := s.logs[cp.Origin]
	if !ok {
		return cp.Origin, nil, refuse(http.StatusNotFound, "unknown log %q", cp.Origin)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return cp.Origin, nil, refuse(http.StatusForbidden, "no signature by the log's key verifies: %v", err)
	}
	if old > cp.Size {
		return cp.Origin, nil, refuse(http.StatusBadRequest, "old size %d is larger than the checkpoint's %d", old, cp.Size)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load(cp.Origin)
	if err != nil {
		s.log.Error("witness state", "origin", cp.Origin, "err", err)
		return cp.Origin, nil, refuse(http.StatusInternalServerError, "the witness cannot read its state")
	}
	if old != st.Size {
		ref := refuse(http.StatusConflict, "old size %d is not the last cosigned size %d", old, st.Size)
		ref.size = st.Size
		return cp.Origin, nil, ref
	}
	if old == cp.Size && old > 0 && cp.Root != st.Root {
		ref := refuse(http.StatusConflict, "a tree of size %d with another root than the one cosigned: the log forked or was rewritten", old)
		ref.size = st.Size
		return cp.Origin, nil, ref
	}
	if err := merkle.CheckConsistency(proof, old, st.Root, cp.Size, cp.Root); err != nil {
		return cp.Origin, nil, refuse(http.StatusUnprocessableEntity, "%v", err)
	}
	cosigned, err := note.Sign(&note.Note{Text: n.Text}, s.signer)
	if err != nil {
		s.log.Error("witness signing", "err", err)
		return cp.Origin, nil, refuse(http.StatusInternalServerError, "the witness cannot sign")
	}
	lines := cosigned[len(n.Text)+1:]
	if err := s.save(cp.Origin, append(bytes.Clone(signed), lines...)); err != nil {
		s.log.Error("witness state", "origin", cp.Origin, "err", err)
		return cp.Origin, nil, refuse(http.StatusInternalServerError, "the witness cannot save its state")
	}
	s.log.Info("witness cosigned a checkpoint", "origin", cp.Origin, "old", old, "size", cp.Size)
	return cp.Origin, lines, nil
}

// parseRequest splits an add-checkpoint body: "old N", proof lines, an
// empty line, the checkpoint.
func parseRequest(body []byte) (old int64, proof tlog.TreeProof, signed []byte, err error) {
	head, signed, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return 0, nil, nil, errors.New("no empty line before the checkpoint")
	}
	first, rest, _ := strings.Cut(string(head), "\n")
	n, ok := strings.CutPrefix(first, "old ")
	if !ok {
		return 0, nil, nil, errors.New(`the first line is not "old SIZE"`)
	}
	if old, err = strconv.ParseInt(n, 10, 64); err != nil || old < 0 || strconv.FormatInt(old, 10) != n {
		return 0, nil, nil, fmt.Errorf("old size %q is not a size", n)
	}
	if rest != "" {
		if proof, err = merkle.DecodeProof([]byte(rest + "\n")); err != nil {
			return 0, nil, nil, err
		}
	}
	return old, proof, signed, nil
}
