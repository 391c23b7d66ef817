package web

import (
	"io"
	"net/http"
	"strconv"

	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/merkle"
)

// checkpointLatest serves the newest signed checkpoint, with its witness
// cosignatures, as plain text (C2SP tlog-checkpoint), for witnesses,
// residents and anyone who keeps checkpoints to check the archive against
// later (steward verify --since FILE).
func (a *archivePages) checkpointLatest(w http.ResponseWriter, r *http.Request) error {
	cs, err := a.store.ArchiveCheckpoints(r.Context(), 1)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return civic.Errorf(civic.KindNotFound, "no checkpoint has been signed yet")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, err = io.WriteString(w, cs[0].Note)
	return err
}

// checkpointProof serves the RFC 6962 consistency proof from the tree of
// old records to the tree of new records (default: the newest
// checkpoint's), one base64 hash a line as tlog-witness writes them.
func (a *archivePages) checkpointProof(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	size := func(name string) (int64, bool, error) {
		s := q.Get(name)
		if s == "" {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, false, civic.Invalid(name, "%q is not a tree size", s)
		}
		return n, true, nil
	}
	oldSize, ok, err := size("old")
	if err != nil {
		return err
	}
	if !ok {
		return civic.Invalid("old", "give old, the size of the checkpoint you hold")
	}
	newSize, ok, err := size("new")
	if err != nil {
		return err
	}
	if !ok {
		cs, err := a.store.ArchiveCheckpoints(r.Context(), 1)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return civic.Errorf(civic.KindNotFound, "no checkpoint has been signed yet")
		}
		newSize = cs[0].Size
	}
	p, err := a.svc.ConsistencyProof(r.Context(), oldSize, newSize)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err = io.WriteString(w, merkle.EncodeProof(p))
	return err
}

// checkpointRow is a checkpoint as the public page lists it.
type checkpointRow struct {
	*civic.Checkpoint
	Witnesses []string // names on its cosignature lines (not verified here)
}

func checkpointRows(cs []*civic.Checkpoint) []checkpointRow {
	out := make([]checkpointRow, len(cs))
	for i, c := range cs {
		names := checkpoint.SignerNames([]byte(c.Note))
		if len(names) > 0 {
			names = names[1:]
		}
		out[i] = checkpointRow{Checkpoint: c, Witnesses: names}
	}
	return out
}
