package public

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/civic"
)

// The portal's integrity pages: inclusion proofs, the checkpoint history
// with consistency proofs, and the published dispositions.

// proof serves /public/items/{id}/proof: the JSON inclusion proof of every
// version of the item against the newest signed checkpoint. An item the
// portal does not show answers as one that does not exist.
func (h *Handler) proof(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "record")
	if err != nil {
		return err
	}
	p, _, _, err := h.archive.PublicProof(r.Context(), id)
	if err != nil {
		return err
	}
	return serveJSON(w, r, p)
}

// latest serves the newest signed checkpoint as its signed note.
func (h *Handler) latest(w http.ResponseWriter, r *http.Request) error {
	cps, _, err := h.archive.PublicCheckpoints(r.Context(), 0, 1)
	if err != nil {
		return err
	}
	if len(cps) == 0 {
		return civic.Errorf(civic.KindNotFound, "no checkpoint has been signed yet")
	}
	return serve(w, r, http.StatusOK, "text/plain; charset=utf-8", []byte(cps[0].Note), cps[0].Time)
}

// consistency serves /public/checkpoints/consistency?from=N&to=M.
func (h *Handler) consistency(w http.ResponseWriter, r *http.Request) error {
	size := func(name string) (int64, error) {
		v := r.URL.Query().Get(name)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || strconv.FormatInt(n, 10) != v {
			return 0, civic.Invalid(name, "%s must be a tree size: a whole number, 0 or more", name)
		}
		return n, nil
	}
	from, err := size("from")
	if err != nil {
		return err
	}
	to, err := size("to")
	if err != nil {
		return err
	}
	c, err := h.archive.PublicConsistency(r.Context(), from, to)
	if err != nil {
		return err
	}
	return serveJSON(w, r, c)
}

// serveJSON writes v as indented JSON with the portal's validators.
func serveJSON(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return serve(w, r, http.StatusOK, "application/json", append(b, '\n'), time.Time{})
}

// jsonPage answers a client's error on a JSON route as JSON, in the same
// words as the pages.
func (h *Handler) jsonPage(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := fn(w, r)
		if err == nil || (civic.ErrorKind(err) != civic.KindNotFound && civic.ErrorKind(err) != civic.KindInvalid) {
			return err
		}
		b, _ := json.Marshal(map[string]string{"error": civic.ErrorMessage(err)})
		status := http.StatusNotFound
		if civic.ErrorKind(err) == civic.KindInvalid {
			status = http.StatusUnprocessableEntity
		}
		return serve(w, r, status, "application/json", append(b, '\n'), time.Time{})
	}
}

// checkpointRow is one signed checkpoint as the history shows it.
type checkpointRow struct {
	*civic.Checkpoint
	Signatures []signatureLine
}

// signatureLine is one signature of a signed note: the key's name, its key
// id (the first four bytes of the signature, in hex) and the signature.
type signatureLine struct {
	Name, KeyID, Signature string
}

// checkpointsPage is the history of signed checkpoints.
type checkpointsPage struct {
	Rows       []checkpointRow
	Total      int
	Page       int
	Prev, Next string
	Key        string
	Newest     int64
}

// checkpoints lists every signed checkpoint, newest first, with the form
// that asks for a consistency proof between two of them.
func (h *Handler) checkpoints(w http.ResponseWriter, r *http.Request) error {
	n, err := pageNumber(r)
	if err != nil {
		return err
	}
	cps, total, err := h.archive.PublicCheckpoints(r.Context(), (n-1)*PageSize, PageSize)
	if err != nil {
		return err
	}
	key, err := h.archive.Verifier(r.Context())
	if err != nil {
		return err
	}
	p := &checkpointsPage{Total: total, Page: n, Key: key}
	var lastMod time.Time
	for _, c := range cps {
		p.Rows = append(p.Rows, checkpointRow{Checkpoint: c, Signatures: signatures(c.Note)})
		if c.Time.After(lastMod) {
			lastMod = c.Time
		}
	}
	if n == 1 && len(cps) > 0 {
		p.Newest = cps[0].Size
	}
	if n > 1 {
		p.Prev = "/public/checkpoints?page=" + strconv.Itoa(n-1)
	}
	if n*PageSize < total {
		p.Next = "/public/checkpoints?page=" + strconv.Itoa(n+1)
	}
	return h.render(w, r, http.StatusOK, "checkpoints", page{Title: "Signed checkpoints of the archive", Data: p}, lastMod)
}

// signatures reads the signature lines of a signed note: "— name base64".
func signatures(note string) []signatureLine {
	i := strings.LastIndex(note, "\n\n")
	if i < 0 {
		return nil
	}
	var out []signatureLine
	for _, l := range strings.Split(note[i+2:], "\n") {
		rest, ok := strings.CutPrefix(l, "— ")
		if !ok {
			continue
		}
		name, sig, ok := strings.Cut(rest, " ")
		if !ok {
			continue
		}
		s := signatureLine{Name: name, Signature: sig}
		if raw, err := base64.StdEncoding.DecodeString(sig); err == nil && len(raw) >= 4 {
			s.KeyID = fmt.Sprintf("%x", raw[:4])
		}
		out = append(out, s)
	}
	return out
}

// dispositionsPage is the published list of what was destroyed.
type dispositionsPage struct {
	Items []*archive.PublicDisposition
}

// dispositions lists what executed disposition runs destroyed of the
// accounts the portal shows.
func (h *Handler) dispositions(w http.ResponseWriter, r *http.Request) error {
	ds, err := h.archive.PublicDispositions(r.Context())
	if err != nil {
		return err
	}
	var lastMod time.Time
	for _, d := range ds {
		if d.DisposedAt.After(lastMod) {
			lastMod = d.DisposedAt
		}
	}
	return h.render(w, r, http.StatusOK, "dispositions", page{Title: "Records destroyed under the retention schedule", Data: &dispositionsPage{Items: ds}}, lastMod)
}

// itemProof is the item page's integrity section.
type itemProof struct {
	*checkpoint.ItemProof
	Signatures []signatureLine
}
