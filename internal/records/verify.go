package records

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/bag"
	"steward.city/steward/internal/civic"
)

// BagReport is what VerifyBag checked.
type BagReport struct {
	RequestID int64  `json:"request_id"`
	Versions  int64  `json:"versions"`
	Redacted  int64  `json:"redacted"`
	Disposed  int64  `json:"disposed"`
	Media     int    `json:"media"`
	LogSize   int64  `json:"log_size"`
	Root      string `json:"root_hash"`
	Key       string `json:"key"`
}

// ErrBag is wrapped by every error that says a bag fails verification.
var ErrBag = bag.ErrInvalid

func fail(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBag, fmt.Sprintf(format, args...))
}

// VerifyBag checks an export bag offline, with no database: the BagIt
// manifests; the checkpoint's signature (by key, or by the key in the bag
// when key is ""); the signed statement naming the list of versions and
// the redaction log; that items.jsonl holds exactly the listed versions in
// order; each record's hash (unless redacted or disposed of); and each
// version's inclusion proof against the checkpoint. The first failure is
// returned, wrapping ErrBag and naming the file and line.
func VerifyBag(r io.ReaderAt, size int64, key string) (*BagReport, error) {
	b, err := bag.Open(r, size)
	if err != nil {
		return nil, err
	}
	inBag, err := readSmall(b, FileKey)
	if err != nil {
		return nil, err
	}
	inBag = strings.TrimSpace(inBag)
	if key == "" {
		key = inBag
	} else if key != inBag {
		return nil, fail("%s is not the key you trust", FileKey)
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		return nil, fail("%s: %v", FileKey, err)
	}
	rep := &BagReport{Key: key}
	cpText, err := openNote(b, FileCheckpoint, v)
	if err != nil {
		return nil, err
	}
	cl := strings.Split(cpText, "\n")
	if len(cl) < 3 {
		return nil, fail("%s does not state a tree size and root", FileCheckpoint)
	}
	if rep.LogSize, err = strconv.ParseInt(cl[1], 10, 64); err != nil || rep.LogSize <= 0 {
		return nil, fail("%s: bad tree size %q", FileCheckpoint, cl[1])
	}
	rep.Root = cl[2]
	rootBytes, err := base64.StdEncoding.DecodeString(cl[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		return nil, fail("%s: bad root hash", FileCheckpoint)
	}
	var root tlog.Hash
	copy(root[:], rootBytes)

	st, err := openNote(b, FileStatement, v)
	if err != nil {
		return nil, err
	}
	stmt := map[string]string{}
	sl := strings.Split(st, "\n")
	if sl[0] != statementOrigin {
		return nil, fail("%s is not an export statement", FileStatement)
	}
	for _, l := range sl[1:] {
		if k, val, ok := strings.Cut(l, " "); ok {
			stmt[k] = val
		}
	}
	if stmt["checkpoint"] != cl[1]+" "+cl[2] {
		return nil, fail("%s names checkpoint %q, the bag holds %s %s", FileStatement, stmt["checkpoint"], cl[1], cl[2])
	}
	rep.RequestID, _ = strconv.ParseInt(stmt["request"], 10, 64)
	redactions, rdata, err := readRedactions(b)
	if err != nil {
		return nil, err
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(rdata)); got != stmt["redactions-sha256"] {
		return nil, fail("%s is not the redaction log the statement signs", FileRedactions)
	}
	if err := checkLines(b, rep, stmt, redactions, root); err != nil {
		return nil, err
	}
	for _, m := range b.Names(DirMedia) {
		if b.Sum(m) != path.Base(m) {
			return nil, fail("%s is not named by its SHA-256", m)
		}
		rep.Media++
	}
	return rep, nil
}

// checkLines reads the list, items.jsonl and inclusion.jsonl in step.
func checkLines(b *bag.Bag, rep *BagReport, stmt map[string]string, redactions map[int64][]*civic.Redaction, root tlog.Hash) error {
	files := map[string]*bufio.Scanner{}
	for _, f := range []string{FileVersions, FileItems, FileInclusion} {
		rc, err := b.File(f)
		if err != nil {
			return err
		}
		defer rc.Close()
		sc := bufio.NewScanner(rc)
		sc.Buffer(make([]byte, 1<<20), 8<<20)
		files[f] = sc
	}
	lh := sha256.New()
	var prev int64
	for n := 1; ; n++ {
		more := files[FileVersions].Scan()
		moreItems, moreProofs := files[FileItems].Scan(), files[FileInclusion].Scan()
		if !more {
			if err := files[FileVersions].Err(); err != nil {
				return fail("%s: %v", FileVersions, err)
			}
			switch {
			case moreItems:
				return fail("%s line %d: a version the list does not name", FileItems, n)
			case moreProofs:
				return fail("%s line %d: a proof the list does not name", FileInclusion, n)
			}
			break
		}
		lh.Write(files[FileVersions].Bytes())
		lh.Write([]byte{'\n'})
		var e Expected
		if err := json.Unmarshal(files[FileVersions].Bytes(), &e); err != nil {
			return fail("%s line %d: %v", FileVersions, n, err)
		}
		if e.ID <= prev || e.LogIndex != e.ID-1 {
			return fail("%s line %d: version %d is out of log order", FileVersions, n, e.ID)
		}
		prev = e.ID
		if !moreItems {
			return fail("%s ends at line %d: version %d is missing", FileItems, n, e.ID)
		}
		var l Line
		if err := json.Unmarshal(files[FileItems].Bytes(), &l); err != nil {
			return fail("%s line %d: %v", FileItems, n, err)
		}
		if l.ID != e.ID || l.Hash != e.Hash || l.LogIndex != e.LogIndex || l.ItemID != e.ItemID {
			return fail("%s line %d is version %d, the list expects version %d here (missing, extra or reordered)", FileItems, n, l.ID, e.ID)
		}
		switch {
		case l.Redacted:
			if len(redactions[l.ID]) == 0 {
				return fail("%s line %d: version %d is marked redacted, but no redaction of it is logged", FileItems, n, l.ID)
			}
			rep.Redacted++
		case l.DisposedAt != nil:
			rep.Disposed++
		default:
			if got := l.version().ComputeHash(); got != l.Hash {
				return fail("%s line %d: version %d's content hashes to %s, not %s (altered)", FileItems, n, l.ID, got[:12], l.Hash[:min(12, len(l.Hash))])
			}
		}
		if !moreProofs {
			return fail("%s ends at line %d: the proof of version %d is missing", FileInclusion, n, e.ID)
		}
		var in Inclusion
		if err := json.Unmarshal(files[FileInclusion].Bytes(), &in); err != nil {
			return fail("%s line %d: %v", FileInclusion, n, err)
		}
		if in.ID != e.ID || in.LogIndex != e.LogIndex {
			return fail("%s line %d proves version %d, the list expects version %d", FileInclusion, n, in.ID, e.ID)
		}
		if e.LogIndex >= rep.LogSize {
			return fail("%s line %d: version %d is beyond the checkpoint", FileVersions, n, e.ID)
		}
		hb, err := hex.DecodeString(e.Hash)
		if err != nil || len(hb) != sha256.Size {
			return fail("%s line %d: bad hash", FileVersions, n)
		}
		p := make(tlog.RecordProof, len(in.Proof))
		for i, h := range in.Proof {
			if len(h) != tlog.HashSize {
				return fail("%s line %d: bad proof hash", FileInclusion, n)
			}
			copy(p[i][:], h)
		}
		if err := tlog.CheckRecord(p, rep.LogSize, root, e.LogIndex, tlog.RecordHash(hb)); err != nil {
			return fail("%s line %d: version %d is not in the signed log: %v", FileInclusion, n, e.ID, err)
		}
		rep.Versions++
	}
	for f, sc := range files {
		if err := sc.Err(); err != nil {
			return fail("%s: %v", f, err)
		}
	}
	if got := fmt.Sprintf("%x", lh.Sum(nil)); got != stmt["versions-sha256"] {
		return fail("%s is not the list of versions the statement signs (a version was added, dropped or reordered)", FileVersions)
	}
	if strconv.FormatInt(rep.Versions, 10) != stmt["versions"] {
		return fail("the statement names %s versions, the bag holds %d", stmt["versions"], rep.Versions)
	}
	return nil
}

func readSmall(b *bag.Bag, name string) (string, error) {
	rc, err := b.File(name)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 64<<20))
	if err != nil {
		return "", fail("%s: %v", name, err)
	}
	return string(data), nil
}

// openNote checks a signed note in the bag and returns its text.
func openNote(b *bag.Bag, name string, v note.Verifier) (string, error) {
	s, err := readSmall(b, name)
	if err != nil {
		return "", err
	}
	n, err := note.Open([]byte(s), note.VerifierList(v))
	if err != nil {
		var unknown *note.UnknownVerifierError
		if errors.As(err, &unknown) {
			return "", fail("%s is not signed by the key %s", name, v.Name())
		}
		return "", fail("%s: signature does not verify: %v", name, err)
	}
	return n.Text, nil
}

func readRedactions(b *bag.Bag) (map[int64][]*civic.Redaction, []byte, error) {
	s, err := readSmall(b, FileRedactions)
	if err != nil {
		return nil, nil, err
	}
	out := map[int64][]*civic.Redaction{}
	for i, l := range bytes.Split([]byte(s), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var d civic.Redaction
		if err := json.Unmarshal(l, &d); err != nil {
			return nil, nil, fail("%s line %d: %v", FileRedactions, i+1, err)
		}
		out[d.VersionID] = append(out[d.VersionID], &d)
	}
	return out, []byte(s), nil
}
