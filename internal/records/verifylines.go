package records

import (
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/bag"
	"steward.city/steward/internal/civic"
)

// Checking the lines in parallel: one goroutine reads the three files in
// step and cuts them into batches of versions, workers check each version
// on its own (decoding, hashes, redactions, proof), and checkLines takes
// the results in line order, checks what depends on the line before (log
// order) and stops at the first failure, so the error names the same line
// as a check one line at a time would.

const (
	lineBatchVersions = 256     // versions in a batch
	lineBatchBytes    = 1 << 20 // or about this many bytes of lines
)

// lineSet is one version's three lines, as read.
type lineSet struct {
	n                     int // line number (of all three files)
	list, item, proof     []byte
	moreItems, moreProofs bool
}

// lineResult is what a worker found about a lineSet.
type lineResult struct {
	id, logIndex int64
	decodeErr    error // the list's line cannot be read: before the order check
	err          error // the first failure after the order check
	redacted     bool
	disposed     bool
	media        []string
}

// lineBatch is a run of lineSets, and after them the error that ended the
// reading (a malformed file, lines the list does not name), if any.
type lineBatch struct {
	sets []lineSet
	res  []lineResult
	end  error
	done chan struct{}
}

// lineChecker holds what every version is checked against; it is only
// read once the workers start.
type lineChecker struct {
	redactions map[int64][]*civic.Redaction
	logSize    int64
	root       tlog.Hash
}

// checkLines reads the list, items.jsonl and inclusion.jsonl in step.
func checkLines(b *bag.Bag, rep *BagReport, st *statement, redactions map[int64][]*civic.Redaction, root tlog.Hash, media map[string]bool, progress Progress) error {
	list, err := newLineReader(b, FileVersions)
	if err != nil {
		return err
	}
	items, err := newLineReader(b, FileItems)
	if err != nil {
		return err
	}
	proofs, err := newLineReader(b, FileInclusion)
	if err != nil {
		return err
	}
	c := &lineChecker{redactions: redactions, logSize: rep.LogSize, root: root}
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *lineBatch, workers)
	order := make(chan *lineBatch, 2*workers+2) // bounds the batches in memory
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { readBatches(list, items, proofs, work, order, quit) })
	for range workers {
		wg.Go(func() {
			js := newJSONLines()
			for bt := range work {
				bt.res = make([]lineResult, len(bt.sets))
				for i := range bt.sets {
					bt.res[i] = c.check(js, &bt.sets[i])
				}
				close(bt.done)
			}
		})
	}
	defer wg.Wait()
	defer close(quit)
	var prev int64
	for bt := range order {
		<-bt.done
		for i, r := range bt.res {
			n := bt.sets[i].n
			if progress != nil {
				progress(int64(n), st.versions, "checking the versions")
			}
			if r.decodeErr != nil {
				return r.decodeErr
			}
			if r.id <= prev || r.logIndex != r.id-1 {
				return fail("%s line %d: version %d is out of log order", FileVersions, n, r.id)
			}
			prev = r.id
			if r.err != nil {
				return r.err
			}
			if r.redacted {
				rep.Redacted++
			}
			if r.disposed {
				rep.Disposed++
			}
			for _, m := range r.media {
				media[m] = true
			}
			rep.Versions++
		}
		if bt.end != nil {
			return bt.end
		}
	}
	if rep.Versions != st.versions {
		return fail("the signed statement names %d versions, the bag holds %d", st.versions, rep.Versions)
	}
	return nil
}

// readBatches reads the three files in step into batches, each sent to
// the workers and, in order, to checkLines, until the list ends, a file
// is malformed, or quit is closed.
func readBatches(list, items, proofs *lineReader, work, order chan<- *lineBatch, quit <-chan struct{}) {
	defer close(work)
	defer close(order)
	var bt *lineBatch
	var buf []byte
	send := func() bool {
		select {
		case order <- bt:
		case <-quit:
			return false
		}
		select {
		case work <- bt:
		case <-quit:
			return false
		}
		bt, buf = nil, nil
		return true
	}
	for {
		if bt == nil {
			bt = &lineBatch{done: make(chan struct{}), sets: make([]lineSet, 0, lineBatchVersions)}
			buf = make([]byte, 0, lineBatchBytes+lineBatchBytes/4)
		}
		more, moreItems, moreProofs := list.next(), items.next(), proofs.next()
		for _, r := range []*lineReader{list, items, proofs} {
			if r.err != nil && bt.end == nil {
				bt.end = r.err
			}
		}
		if bt.end == nil && !more {
			switch {
			case moreItems:
				bt.end = fail("%s line %d: a version the list does not name", FileItems, items.n)
			case moreProofs:
				bt.end = fail("%s line %d: a proof the list does not name", FileInclusion, proofs.n)
			}
		}
		if bt.end != nil || !more {
			send()
			return
		}
		s := lineSet{n: list.n, moreItems: moreItems, moreProofs: moreProofs}
		// The lines are copied out of the readers' buffers into the
		// batch's; a long line may make buf grow (a new array), so
		// the slices are cut once the lines are in.
		at := [4]int{len(buf)}
		buf = append(buf, list.line...)
		at[1] = len(buf)
		if moreItems {
			buf = append(buf, items.line...)
		}
		at[2] = len(buf)
		if moreProofs {
			buf = append(buf, proofs.line...)
		}
		at[3] = len(buf)
		s.list, s.item, s.proof = buf[at[0]:at[1]:at[1]], buf[at[1]:at[2]:at[2]], buf[at[2]:at[3]:at[3]]
		bt.sets = append(bt.sets, s)
		if len(bt.sets) == lineBatchVersions || len(buf) >= lineBatchBytes {
			if !send() {
				return
			}
		}
	}
}

// check checks one version's lines, all but their log order.
func (c *lineChecker) check(js *jsonLines, s *lineSet) (r lineResult) {
	n := s.n
	var e Expected
	if err := decodeExpected(js, s.list, &e); err != nil {
		r.decodeErr = fail("%s line %d %v", FileVersions, n, err)
		return r
	}
	r.id, r.logIndex = e.ID, e.LogIndex
	if e.LogIndex >= c.logSize {
		r.err = fail("%s line %d: version %d is beyond the checkpoint", FileVersions, n, e.ID)
		return r
	}
	hb, err := hex.DecodeString(e.Hash)
	if err != nil || len(hb) != sha256.Size || hex.EncodeToString(hb) != e.Hash || len(e.LineSHA256) != 64 {
		r.err = fail("%s line %d: bad hash", FileVersions, n)
		return r
	}
	if !s.moreItems {
		r.err = fail("%s ends at line %d: version %d is missing", FileItems, n, e.ID)
		return r
	}
	var found BagReport
	media := map[string]bool{}
	if err := checkItem(js, s.item, n, &e, c.redactions[e.ID], &found, media); err != nil {
		r.err = err
		return r
	}
	r.redacted, r.disposed = found.Redacted > 0, found.Disposed > 0
	for m := range media {
		r.media = append(r.media, m)
	}
	if !s.moreProofs {
		r.err = fail("%s ends at line %d: the proof of version %d is missing", FileInclusion, n, e.ID)
		return r
	}
	var in Inclusion
	if err := decodeInclusion(js, s.proof, &in); err != nil {
		r.err = fail("%s line %d %v", FileInclusion, n, err)
		return r
	}
	if in.ID != e.ID || in.LogIndex != e.LogIndex {
		r.err = fail("%s line %d proves version %d, the list expects version %d", FileInclusion, n, in.ID, e.ID)
		return r
	}
	p := make(tlog.RecordProof, len(in.Proof))
	for i, h := range in.Proof {
		if len(h) != tlog.HashSize {
			r.err = fail("%s line %d: bad proof hash", FileInclusion, n)
			return r
		}
		copy(p[i][:], h)
	}
	if err := tlog.CheckRecord(p, c.logSize, c.root, e.LogIndex, tlog.RecordHash(hb)); err != nil {
		r.err = fail("%s line %d: version %d is not in the signed log: %v", FileInclusion, n, e.ID, err)
	}
	return r
}
