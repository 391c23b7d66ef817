package records

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/bag"
	"steward.city/steward/internal/civic"
)

// ExportResult says what an export wrote.
type ExportResult struct {
	RequestID  int64 `json:"request_id"`
	Items      int   `json:"items"`
	Versions   int64 `json:"versions"`
	Redacted   int   `json:"redacted"`
	Media      int   `json:"media"`
	LogSize    int64 `json:"log_size"`    // the checkpoint's tree size
	ItemsBytes int64 `json:"items_bytes"` // size of data/items.jsonl
	Bytes      int64 `json:"bytes"`       // size of the bag
}

// ExportFile writes request id's bag to path through a temporary file in
// the same folder, renamed into place only when the bag is complete: an
// interrupted export leaves no file at path.
func (s *Service) ExportFile(ctx context.Context, actor civic.Actor, id int64, path string, progress Progress) (res *ExportResult, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if res, err = s.ExportProgress(ctx, actor, id, bw, progress); err != nil {
		return nil, err
	}
	if err = bw.Flush(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err = f.Sync(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err = f.Close(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return res, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Export streams request id's bag, a zip, to w: every version of every item
// in the request's scope up to the newest signed checkpoint, redacted as
// its redactions say, with an inclusion proof for each and a signed
// statement of the list. It records an audit event. Versions are streamed
// from the store; only item IDs and media hashes are kept in memory.
func (s *Service) Export(ctx context.Context, actor civic.Actor, id int64, w io.Writer) (res *ExportResult, err error) {
	return s.ExportProgress(ctx, actor, id, w, nil)
}

// ExportProgress is Export telling progress how far it is (nil: no one).
func (s *Service) ExportProgress(ctx context.Context, actor civic.Actor, id int64, w io.Writer, progress Progress) (res *ExportResult, err error) {
	defer civic.Wrap(&err, "export request %d", id)
	if err := civic.Require(actor, civic.PermRecordsManage); err != nil {
		return nil, err
	}
	if s.signer == nil {
		return nil, civic.Errorf(civic.KindUnavailable, "this process has no signing key: exports are made by steward serve or steward export")
	}
	r, err := s.store.RecordsRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	cp, err := s.checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	items, err := s.scopeItems(ctx, r, cp.Size)
	if err != nil {
		return nil, err
	}
	rds, err := s.store.Redactions(ctx, id)
	if err != nil {
		return nil, err
	}
	byVersion := map[int64][]*civic.Redaction{}
	for _, d := range rds {
		byVersion[d.VersionID] = append(byVersion[d.VersionID], d)
	}
	vkey, err := s.archive.Verifier(ctx)
	if err != nil {
		return nil, err
	}
	if vkey == "" {
		return nil, civic.Errorf(civic.KindUnavailable, "no checkpoint verifier key is published")
	}
	list, err := os.CreateTemp("", "steward-export-*.jsonl")
	if err != nil {
		return nil, err
	}
	defer os.Remove(list.Name())
	defer list.Close()
	keys, err := s.threadKeys(ctx, items)
	if err != nil {
		return nil, err
	}
	cw := &countWriter{w: w}
	b := bag.NewWriter(cw)
	res = &ExportResult{RequestID: id, Items: items.len(), LogSize: cp.Size}
	n := int64(items.len())
	tr := &tracker{fn: progress, total: cp.Size + 3*n}
	tr.begin(StepRead)

	// items.jsonl is written here, into the zip, while index.html, the
	// report and the proofs are made at once in goroutines of their own,
	// each spooled to a temporary file and copied into the zip in its
	// turn. index.html and the report read the items' versions in thread
	// order, one read for both (chunks); the proofs are made from the
	// versions items.jsonl lists, as it lists them.
	chunks := s.readChunks(ctx, keys, cp.Size, 2) // 0: index.html, 1: the report
	index := startSpool(ctx, func(ctx context.Context, w io.Writer) error {
		err := s.writeIndex(ctx, w, r, chunks, 0, byVersion, tr)
		if err != nil {
			chunks.stopFor(err) // the report must not wait for chunks no one takes
		}
		return err
	})
	defer index.close()
	var counts *ExportResult
	report := startSpool(ctx, func(ctx context.Context, w io.Writer) error {
		var err error
		if counts, err = s.reportCounts(ctx, items, cp.Size, byVersion); err == nil {
			counts.RequestID, counts.LogSize = id, cp.Size
			err = s.writeReport(ctx, w, r, chunks, 1, cp, byVersion, len(rds), counts, tr)
		}
		if err != nil {
			chunks.stopFor(err)
		}
		return err
	})
	defer report.close()
	toProve := make(chan []proofEntry, 8)
	proofs := startSpool(ctx, func(ctx context.Context, w io.Writer) error {
		return s.writeProofs(ctx, w, toProve, cp.Size, tr)
	})
	defer proofs.close()
	defer chunks.stop() // first of the four: the others may wait for it

	media := map[string]bool{}
	iw, err := b.Create(FileItems)
	if err != nil {
		close(toProve)
		return nil, err
	}
	lw := bufio.NewWriterSize(list, 1<<16)
	err = s.writeItems(ctx, iw, lw, items, cp.Size, byVersion, media, res, tr, func(batch []proofEntry) error {
		select {
		case toProve <- batch:
			return nil
		case <-proofs.done:
			return cmp.Or(proofs.err, errors.New("the proofs stopped early"))
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(toProve)
	if err != nil {
		return nil, err
	}
	tr.setTotal(cp.Size + 2*n + res.Versions)
	tr.at(cp.Size)
	if err := lw.Flush(); err != nil {
		return nil, err
	}
	if err := s.writeRedactions(b, rds); err != nil {
		return nil, err
	}
	tr.begin(StepIndex)
	if err := copyFile(b, FileIndex, index); err != nil {
		return nil, err
	}
	index.close()
	if err := chunks.wait(); err != nil {
		return nil, err
	}
	tr.begin(StepReport)
	if err := copyFile(b, FileReport, report); err != nil {
		return nil, err
	}
	report.close()
	// The report's counts were read before items.jsonl was done: a
	// disposition between the two reads would make them disagree.
	if counts.Versions != res.Versions || counts.Redacted != res.Redacted {
		return nil, civic.Errorf(civic.KindConflict, "the archive changed while the bag was written, as a disposition run does (%d versions, %d redacted in items.jsonl; %d and %d in the report): export again once it has finished",
			res.Versions, res.Redacted, counts.Versions, counts.Redacted)
	}
	tr.begin(StepMedia)
	if err := s.writeMedia(ctx, b, media, res); err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{FileCheckpoint, cp.Note}, {FileKey, vkey + "\n"}} {
		fw, err := b.Create(f[0])
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(fw, f[1]); err != nil {
			return nil, err
		}
	}
	vw, err := b.Create(FileVersions)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(vw, io.NewSectionReader(list, 0, 1<<62)); err != nil {
		return nil, err
	}
	tr.begin(StepProofs)
	if err := copyFile(b, FileInclusion, proofs); err != nil {
		return nil, err
	}
	proofs.close()
	tr.begin(StepSigning)
	now := s.now().UTC()
	if err := b.WriteTags([][2]string{
		{"Source-Organization", "Steward"},
		{"Bagging-Date", s.Day(now).Format(time.DateOnly)}, // the city's day
		{"External-Identifier", "records-request-" + strconv.FormatInt(id, 10)},
		{"External-Description", r.Description},
		{InfoFormat, Format},
	}); err != nil {
		return nil, err
	}
	st := &statement{request: id, versions: res.Versions, size: cp.Size, root: cp.RootHash}
	for _, f := range b.Files() {
		if signs(f.Path) {
			st.files = append(st.files, f)
		}
	}
	signed, err := note.Sign(&note.Note{Text: st.text()}, s.signer)
	if err != nil {
		return nil, err
	}
	sw, err := b.Create(FileStatement)
	if err != nil {
		return nil, err
	}
	if _, err := sw.Write(signed); err != nil {
		return nil, err
	}
	if err := b.Close(); err != nil {
		return nil, err
	}
	res.Bytes = cw.n
	err = s.update(ctx, actor, func(tx civic.Tx) error {
		return tx.Record(ctx, civic.Change{Action: "records.export", ObjectType: "records_request", ObjectID: strconv.FormatInt(id, 10), After: res})
	})
	return res, err
}

// checkpoint signs a checkpoint if the archive can and the newest does not
// cover the log, and returns the newest.
func (s *Service) checkpoint(ctx context.Context) (*civic.Checkpoint, error) {
	if _, err := s.archive.Checkpoint(ctx); err != nil && civic.ErrorKind(err) != civic.KindUnavailable {
		return nil, err
	}
	cps, err := s.store.ArchiveCheckpoints(ctx, 1)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 {
		return nil, civic.Errorf(civic.KindUnavailable, "no signed checkpoint yet: run steward archive checkpoint")
	}
	return cps[0], nil
}

// writeItems writes items.jsonl and the list of expected versions, which
// names each line's SHA-256.
// Each version listed is handed to prove, in batches, in list order.
func (s *Service) writeItems(ctx context.Context, w, list io.Writer, items *itemSet, size int64, byVersion map[int64][]*civic.Redaction, media map[string]bool, res *ExportResult, tr *tracker,
	prove func([]proofEntry) error) error {
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<16)
	js, ljs := newJSONLines(), newJSONLines()
	stop := errors.New("past the checkpoint")
	batch := make([]proofEntry, 0, proofBatch)
	err := s.store.ScanVersions(ctx, 0, func(v *civic.Version) error {
		if v.LogIndex >= size {
			return stop
		}
		tr.at(v.LogIndex + 1)
		if !items.has(v.ItemID) {
			return nil
		}
		l := Line{ExportLine: archive.ExportLineFor(v)}
		if ds := byVersion[v.ID]; len(ds) > 0 && v.DisposedAt == nil {
			l.Text, l.RawBase64, l.Redacted = redact(v.Text, ds), nil, true
			res.Redacted++
		}
		if len(l.RawBase64) == 0 {
			l.RawBase64 = nil
		}
		for _, m := range v.Media {
			media[m.SHA256] = true
		}
		res.Versions++
		line, err := js.encode(&l)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(line)
		e, err := ljs.encodeExpected(&Expected{ID: v.ID, ItemID: v.ItemID, LogIndex: v.LogIndex, Hash: v.Hash, LineSHA256: hex.EncodeToString(sum[:])})
		if err != nil {
			return err
		}
		if _, err := list.Write(append(e, '\n')); err != nil {
			return err
		}
		if batch = append(batch, proofEntry{v.ID, v.LogIndex}); len(batch) == proofBatch {
			if err := prove(batch); err != nil {
				return err
			}
			batch = make([]proofEntry, 0, proofBatch)
		}
		_, err = bw.Write(append(line, '\n'))
		return err
	})
	if err != nil && !errors.Is(err, stop) {
		return err
	}
	if len(batch) > 0 {
		if err := prove(batch); err != nil {
			return err
		}
	}
	err = bw.Flush()
	res.ItemsBytes = cw.n
	return err
}

// redactionsJSONL is the redaction log: one line a redaction.
func redactionsJSONL(rds []*civic.Redaction) ([]byte, error) {
	js := newJSONLines()
	var out []byte
	for _, d := range rds {
		b, err := js.encode(d)
		if err != nil {
			return nil, err
		}
		out = append(append(out, b...), '\n')
	}
	return out, nil
}

func (s *Service) writeRedactions(b *bag.Writer, rds []*civic.Redaction) error {
	data, err := redactionsJSONL(rds)
	if err != nil {
		return err
	}
	w, err := b.Create(FileRedactions)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// writeMedia copies each referenced file the blob store holds into
// data/media/, named by its SHA-256.
func (s *Service) writeMedia(ctx context.Context, b *bag.Writer, media map[string]bool, res *ExportResult) error {
	if s.blobs == nil {
		return nil
	}
	hashes := make([]string, 0, len(media))
	for h := range media {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	for _, h := range hashes {
		rc, err := s.blobs.Open(ctx, h)
		if err != nil {
			s.log.Warn("export media missing", "sha256", h, "err", err)
			continue
		}
		w, err := b.Create(DirMedia + h)
		if err == nil {
			_, err = io.Copy(w, rc)
		}
		rc.Close()
		if err != nil {
			return err
		}
		res.Media++
	}
	return nil
}

// copyFile copies a spooled file into the bag at path.
func copyFile(b *bag.Writer, path string, sp *spool) error {
	w, err := b.Create(path)
	if err != nil {
		return err
	}
	return sp.copyTo(w)
}

// proofEntry is a version to prove: its ID and place in the log.
type proofEntry struct{ id, logIndex int64 }

// proofBatch is how many versions writeItems hands to the proofs at once.
const proofBatch = 1024

// writeProofs writes an inclusion proof for every version it is handed,
// in the order handed, until the channel is closed.
func (s *Service) writeProofs(ctx context.Context, w io.Writer, versions <-chan []proofEntry, size int64, tr *tracker) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	js := newJSONLines()
	hr := &hashReader{ctx: ctx, store: s.store, size: size, cache: map[int64]tlog.Hash{}, last: map[int]int64{}}
	for {
		var batch []proofEntry
		select {
		case b, ok := <-versions:
			if !ok {
				return bw.Flush()
			}
			batch = b
		case <-ctx.Done():
			return ctx.Err()
		}
		for _, e := range batch {
			p, err := tlog.ProveRecord(size, e.logIndex, hr)
			if err != nil {
				return fmt.Errorf("prove version %d: %w", e.id, err)
			}
			in := Inclusion{ID: e.id, LogIndex: e.logIndex, Proof: make([][]byte, len(p))}
			for i := range p {
				in.Proof[i] = p[i][:]
			}
			line := js.encodeInclusion(&in)
			if _, err := bw.Write(append(line, '\n')); err != nil {
				return err
			}
		}
		tr.add(int64(len(batch)))
	}
}

// hashReader reads the log's stored nodes for tlog, keeping those it read.
// Proofs of versions in log order need, at each level, nodes that follow
// one another: when a node follows closely the last one read at its level,
// the next readAhead nodes of the level are read with it, in one query.
type hashReader struct {
	ctx   context.Context
	store civic.RecordsReader
	size  int64 // the tree's size: the nodes it holds
	cache map[int64]tlog.Hash
	last  map[int]int64 // by level, the last node read
}

// readAhead is how many nodes of a level are read at once.
const readAhead = 128

// maxCachedNodes is how many nodes the hash reader keeps before it starts
// again with none: proofs in log order need few nodes besides the ones
// read ahead, and a cache of a million nodes held about 180 MB of a
// million-version export.
const maxCachedNodes = 1 << 16

func (h *hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var want []civic.LogNode
	var missing []int
	asked := map[int64]bool{}
	for i, x := range indexes {
		if v, ok := h.cache[x]; ok {
			out[i] = v
			continue
		}
		missing = append(missing, i)
		if asked[x] {
			continue
		}
		level, n := tlog.SplitStoredHashIndex(x)
		end := n + 1
		if last, ok := h.last[level]; ok && n > last && n-last <= readAhead {
			end = max(end, min(n+readAhead, h.size>>level))
		}
		for m := n; m < end; m++ {
			if y := tlog.StoredHashIndex(level, m); !asked[y] {
				asked[y] = true
				want = append(want, civic.LogNode{Level: level, Index: m})
			}
		}
		h.last[level] = end - 1
	}
	if len(want) == 0 {
		return out, nil
	}
	got, err := h.store.ArchiveLogNodes(h.ctx, want)
	if err != nil {
		return nil, err
	}
	if len(h.cache) > maxCachedNodes {
		clear(h.cache)
	}
	for j, nd := range want {
		var v tlog.Hash
		copy(v[:], got[j])
		h.cache[tlog.StoredHashIndex(nd.Level, nd.Index)] = v
	}
	for _, i := range missing {
		out[i] = h.cache[indexes[i]]
	}
	return out, nil
}

// threadKey orders items for index.html: by account, thread, then ID.
type threadKey struct {
	account, thread string
	id              int64
}

func compareKeys(a, b threadKey) int {
	return cmp.Or(cmp.Compare(a.account, b.account), cmp.Compare(a.thread, b.thread), cmp.Compare(a.id, b.id))
}

// CanExport reports, before anything is written, whether request id can
// be exported now by actor: the checks Export makes first.
func (s *Service) CanExport(ctx context.Context, actor civic.Actor, id int64) error {
	if err := civic.Require(actor, civic.PermRecordsManage); err != nil {
		return err
	}
	if s.signer == nil {
		return civic.Errorf(civic.KindUnavailable, "this process has no signing key: exports are made by steward serve or steward export")
	}
	r, err := s.store.RecordsRequest(ctx, id)
	if err != nil {
		return err
	}
	cp, err := s.checkpoint(ctx)
	if err != nil {
		return err
	}
	_, err = s.scopeItems(ctx, r, cp.Size)
	return err
}

// CanQueueExport reports whether actor may ask for request id's bag in the
// background: the permission, the request, and a signing key in this
// process (steward serve loads it; a process without one answers at once
// rather than queue an export that cannot be signed). The scope is the
// worker's to resolve: a large one takes a while.
func (s *Service) CanQueueExport(ctx context.Context, actor civic.Actor, id int64) error {
	if err := civic.Require(actor, civic.PermRecordsManage); err != nil {
		return err
	}
	if s.signer == nil {
		return civic.Errorf(civic.KindUnavailable, "this process has no signing key: exports are made by steward serve or steward export")
	}
	_, err := s.store.RecordsRequest(ctx, id)
	return err
}
