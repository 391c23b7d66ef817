package records

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/bag"
	"steward.city/steward/internal/civic"
)

// BagReport is what VerifyBag checked.
type BagReport struct {
	Format    string `json:"format"`
	RequestID int64  `json:"request_id"`
	Versions  int64  `json:"versions"`
	Redacted  int64  `json:"redacted"`
	Disposed  int64  `json:"disposed"`
	Media     int    `json:"media"`
	Files     int    `json:"files"`
	LogSize   int64  `json:"log_size"`
	Root      string `json:"root_hash"`
	Key       string `json:"key"`
}

// VerifyOptions say what VerifyBag trusts and expects.
type VerifyOptions struct {
	// Key is the checkpoint verifier key to trust; "" trusts the bag's own,
	// which proves that the bag is consistent, not who made it.
	Key string
	// Request, when not 0, is the records request the bag must answer: a
	// genuine bag of another request is refused.
	Request int64
	// Progress, when set, is told how many of the bag's versions have
	// been checked (the command line's progress bar).
	Progress Progress
}

// ErrBag is wrapped by every error that says a bag fails verification.
var ErrBag = bag.ErrInvalid

func fail(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBag, fmt.Sprintf(format, args...))
}

// Limits on what VerifyBag reads into memory, whatever a forged bag says.
const (
	maxLine      = 8 << 20 // a line of items.jsonl: 64 KiB of text and 512 KiB of payload, escaped, fit well
	maxSmallFile = 64 << 10
	maxLog       = 64 << 20 // the redaction log
)

var mediaName = regexp.MustCompile(`^data/media/[0-9a-f]{64}$`)

// VerifyBag checks an export bag offline, with no database, trusting
// nothing that is not signed: the bag's structure and manifests
// (bag.Open); that it holds exactly the files of the format; the
// checkpoint's signature (by opts.Key, or by the key in the bag) and that
// it is the log the key names; the signed statement, which names the
// request, the checkpoint and the SHA-256 of every file; that items.jsonl
// holds exactly the signed list of versions, in order, each line byte for
// byte the line the list names; each ordinary line's content against its
// hash, each redacted line against the signed redaction log, each
// disposed line as an empty tombstone; and each version's inclusion proof
// against the checkpoint. The first failure is returned, wrapping ErrBag
// and naming the file, the line and what is wrong.
func VerifyBag(r io.ReaderAt, size int64, opts VerifyOptions) (*BagReport, error) {
	b, err := bag.Open(r, size)
	if err != nil {
		return nil, err
	}
	rep := &BagReport{Format: b.Info[InfoFormat], Files: len(b.Names(""))}
	if err := checkLayout(b); err != nil {
		return nil, err
	}
	keyText, err := b.ReadSmall(FileKey, maxSmallFile)
	if err != nil {
		return nil, err
	}
	inBag, ok := strings.CutSuffix(string(keyText), "\n")
	if !ok || strings.ContainsAny(inBag, "\n\r") {
		return nil, fail("%s is not one line holding a key", FileKey)
	}
	key := opts.Key
	if key == "" {
		key = inBag
	} else if key != inBag {
		return nil, fail("%s is not the key you trust", FileKey)
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		return nil, fail("%s: %v", FileKey, err)
	}
	rep.Key = key
	root, err := readCheckpoint(b, v, rep)
	if err != nil {
		return nil, err
	}
	stText, err := openNote(b, FileStatement, v)
	if err != nil {
		return nil, err
	}
	st, err := parseStatement(stText)
	if err != nil {
		return nil, err
	}
	if st.size != rep.LogSize || st.root != rep.Root {
		return nil, fail("%s names checkpoint %d %s, the bag holds %d %s", FileStatement, st.size, st.root, rep.LogSize, rep.Root)
	}
	rep.RequestID = st.request
	if opts.Request != 0 && opts.Request != st.request {
		return nil, fail("this bag answers records request %d, not request %d", st.request, opts.Request)
	}
	if id := b.Info["External-Identifier"]; id != "records-request-"+strconv.FormatInt(st.request, 10) {
		return nil, fail("%s names %q, the signed statement request %d", bag.FileBagInfo, id, st.request)
	}
	for _, name := range b.Names("") {
		if signs(name) && st.file(name) == "" {
			return nil, fail("%s is in the bag but not in the signed statement (added after signing)", name)
		}
	}
	for _, f := range st.files {
		if !b.Has(f.Path) {
			return nil, fail("the signed statement names %s, which the bag lacks", f.Path)
		}
	}
	// What the lines are checked against must be what was signed.
	for _, name := range []string{FileVersions, FileInclusion, FileRedactions} {
		if err := signedFile(b, st, name); err != nil {
			return nil, err
		}
	}
	redactions, err := readRedactions(b, st.request)
	if err != nil {
		return nil, err
	}
	media := map[string]bool{}
	if err := checkLines(b, rep, st, redactions, root, media, opts.Progress); err != nil {
		return nil, err
	}
	for _, m := range b.Names(DirMedia) {
		h := strings.TrimPrefix(m, DirMedia)
		if b.Sum(m) != h {
			return nil, fail("%s is not named by its SHA-256 (%s)", m, b.Sum(m))
		}
		if !media[h] {
			return nil, fail("%s is a file no version refers to", m)
		}
		rep.Media++
	}
	for _, f := range st.files {
		if err := signedFile(b, st, f.Path); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// checkLayout checks that the bag holds the files of the format and no
// other, and that bag-info.txt states the format.
func checkLayout(b *bag.Bag) error {
	known := map[string]bool{bag.FileBagIt: true, bag.FileBagInfo: true, bag.FileManifest: true, bag.FileTagManifest: true,
		FileItems: true, FileRedactions: true, FileIndex: true, FileReport: true,
		FileCheckpoint: true, FileKey: true, FileVersions: true, FileInclusion: true, FileStatement: true}
	for _, name := range b.Names("") {
		if !known[name] && !mediaName.MatchString(name) {
			return fail("%s is not a file a records bag holds", name)
		}
	}
	if v := b.Info[InfoFormat]; v != Format {
		if v == "" {
			v = "1"
		}
		return fail("this bag is in format %s (%s); Steward verifies format %s, which signs every file: ask the city for a new export", v, bag.FileBagInfo, Format)
	}
	for name := range known {
		if !b.Has(name) {
			return fail("%s is missing", name)
		}
	}
	if len(b.InfoLabels) != len(infoLabels) {
		return fail("%s states %s, not the labels %s", bag.FileBagInfo, strings.Join(b.InfoLabels, ", "), strings.Join(infoLabels, ", "))
	}
	for i, l := range infoLabels {
		if b.InfoLabels[i] != l {
			return fail("%s states %s, not the labels %s", bag.FileBagInfo, strings.Join(b.InfoLabels, ", "), strings.Join(infoLabels, ", "))
		}
	}
	return nil
}

// signedFile checks that name is the file the statement signs.
func signedFile(b *bag.Bag, st *statement, name string) error {
	if got, want := b.Sum(name), st.file(name); got != want {
		return fail("%s is not the file the signed statement names (its SHA-256 is %s, the statement's %s): altered after signing", name, short(got), short(want))
	}
	return nil
}

func short(h string) string { return h[:min(12, len(h))] }

// readCheckpoint checks the checkpoint's signature and that it is the log
// the key names, and returns its root.
func readCheckpoint(b *bag.Bag, v note.Verifier, rep *BagReport) (tlog.Hash, error) {
	var root tlog.Hash
	text, err := openNote(b, FileCheckpoint, v)
	if err != nil {
		return root, err
	}
	cl := strings.Split(text, "\n")
	if len(cl) < 4 {
		return root, fail("%s does not state a tree size and root", FileCheckpoint)
	}
	if cl[0] != v.Name() {
		return root, fail("%s is a checkpoint of the log %q, not of %q, whose key signs it", FileCheckpoint, cl[0], v.Name())
	}
	if rep.LogSize, err = strconv.ParseInt(cl[1], 10, 64); err != nil || rep.LogSize <= 0 || strconv.FormatInt(rep.LogSize, 10) != cl[1] {
		return root, fail("%s: bad tree size %q", FileCheckpoint, cl[1])
	}
	rep.Root = cl[2]
	rb, err := base64.StdEncoding.DecodeString(cl[2])
	if err != nil || len(rb) != tlog.HashSize || base64.StdEncoding.EncodeToString(rb) != cl[2] {
		return root, fail("%s: bad root hash", FileCheckpoint)
	}
	copy(root[:], rb)
	return root, nil
}

// lineReader reads a JSON lines file of the bag one line at a time.
type lineReader struct {
	name string
	br   *bufio.Reader
	line []byte
	n    int
	err  error
}

func newLineReader(b *bag.Bag, name string) (*lineReader, error) {
	r, err := b.File(name)
	if err != nil {
		return nil, err
	}
	return &lineReader{name: name, br: bufio.NewReaderSize(r, 1<<16)}, nil
}

// next reads the next line, without its line feed; false at the end or on
// an error (in err).
func (l *lineReader) next() bool {
	if l.err != nil {
		return false
	}
	l.n++
	var buf []byte
	for {
		part, err := l.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if len(buf)+len(part) > maxLine {
				l.err = fail("%s line %d is longer than %d bytes", l.name, l.n, maxLine)
				return false
			}
			buf = append(buf, part...)
			continue
		}
		if err == io.EOF {
			if len(buf)+len(part) > 0 {
				l.err = fail("%s line %d does not end with a line feed (bytes after the last line?)", l.name, l.n)
			}
			return false
		}
		if err != nil {
			l.err = err
			return false
		}
		if buf != nil {
			part = append(buf, part...)
		}
		l.line = part[:len(part)-1]
		if len(l.line) == 0 {
			l.err = fail("%s line %d is empty", l.name, l.n)
			return false
		}
		return true
	}
}

// checkItem checks line n of items.jsonl against the list's entry e.
func checkItem(js *jsonLines, line []byte, n int, e *Expected, ds []*civic.Redaction, rep *BagReport, media map[string]bool) error {
	var l Line
	if err := decodeLine(js, line, &l); err != nil {
		return fail("%s line %d %v", FileItems, n, err)
	}
	if l.ID != e.ID || l.Hash != e.Hash || l.LogIndex != e.LogIndex || l.ItemID != e.ItemID {
		return fail("%s line %d is version %d, the list expects version %d here (missing, extra or reordered)", FileItems, n, l.ID, e.ID)
	}
	at := fmt.Sprintf("%s line %d: version %d", FileItems, n, l.ID)
	signed := func(what string) error {
		if sum := sha256.Sum256(line); hex.EncodeToString(sum[:]) != e.LineSHA256 {
			return fail("%s is not the line the signed list names%s", at, what)
		}
		return nil
	}
	switch {
	case l.DisposedAt != nil:
		if l.Redacted {
			return fail("%s is disposed of and marked redacted: a tombstone has nothing to redact", at)
		}
		if c := tombstoneContent(&l); c != "" {
			return fail("%s is disposed of but carries content (%s): a tombstone holds none", at, c)
		}
		if err := signed(" (a tombstone altered after signing)"); err != nil {
			return err
		}
		rep.Disposed++
	case l.Redacted:
		if len(ds) == 0 {
			return fail("%s is marked redacted, but no redaction of it is logged", at)
		}
		if len(l.RawBase64) > 0 {
			return fail("%s is redacted but keeps its payload", at)
		}
		if err := checkMarkers(l.Text, ds); err != nil {
			return fail("%s: %v", at, err)
		}
		if err := signed(" (its unredacted parts were altered after signing)"); err != nil {
			return err
		}
		rep.Redacted++
	default:
		if len(ds) > 0 {
			return fail("%s has %d logged redactions, but its line is not redacted", at, len(ds))
		}
		if got := l.version().ComputeHash(); got != l.Hash {
			return fail("%s's content hashes to %s, not %s (altered)", at, got[:12], short(l.Hash))
		}
		if err := signed(" (altered after signing)"); err != nil {
			return err
		}
	}
	for _, m := range l.Media {
		media[m.SHA256] = true
	}
	return nil
}

// tombstoneContent names the content a disposed line carries, or "".
func tombstoneContent(l *Line) string {
	var c []string
	if l.Author != (civic.Author{}) {
		c = append(c, "author")
	}
	if l.Text != "" {
		c = append(c, "text")
	}
	if len(l.Media) > 0 {
		c = append(c, "media")
	}
	if len(l.Tags) > 0 {
		c = append(c, "tags")
	}
	if len(l.RawBase64) > 0 {
		c = append(c, "payload")
	}
	return strings.Join(c, ", ")
}

// checkMarkers checks that text shows the redactions ds (of one version,
// by start) where redact puts them: each withheld span is replaced by
// "[REDACTED reason]", the bytes between spans kept.
func checkMarkers(text string, ds []*civic.Redaction) error {
	at, pos := 0, 0
	for _, d := range ds {
		if d.End <= at {
			continue
		}
		if d.Start > at {
			pos += d.Start - at
		}
		m := "[REDACTED " + d.Reason + "]"
		if pos > len(text) || !strings.HasPrefix(text[pos:], m) {
			return fmt.Errorf("its text does not read %q at byte %d, where redaction %d puts it", m, pos, d.ID)
		}
		pos += len(m)
		at = d.End
	}
	return nil
}

// openNote checks a signed note in the bag and returns its text.
func openNote(b *bag.Bag, name string, v note.Verifier) (string, error) {
	s, err := b.ReadSmall(name, maxSmallFile)
	if err != nil {
		return "", err
	}
	n, err := note.Open(s, note.VerifierList(v))
	if err != nil {
		var unknown *note.UnknownVerifierError
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unknown) || errors.As(err, &unverified) {
			return "", fail("%s is not signed by the key %s", name, v.Name())
		}
		return "", fail("%s: signature does not verify: %v", name, err)
	}
	return n.Text, nil
}

// readRedactions reads the redaction log strictly: one redaction of the
// request a line, by version and start, as Export writes it.
func readRedactions(b *bag.Bag, request int64) (map[int64][]*civic.Redaction, error) {
	data, err := b.ReadSmall(FileRedactions, maxLog)
	if err != nil {
		return nil, err
	}
	out := map[int64][]*civic.Redaction{}
	js := newJSONLines()
	var prev *civic.Redaction
	if len(data) > 0 && data[len(data)-1] != '\n' {
		return nil, fail("%s does not end with a line feed", FileRedactions)
	}
	for i, l := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		if len(data) == 0 {
			break
		}
		var d civic.Redaction
		if err := js.decode(l, &d); err != nil {
			return nil, fail("%s line %d %v", FileRedactions, i+1, err)
		}
		switch {
		case d.RequestID != request:
			return nil, fail("%s line %d is a redaction of request %d, not %d", FileRedactions, i+1, d.RequestID, request)
		case d.Start < 0 || d.End <= d.Start || d.Reason == "":
			return nil, fail("%s line %d is not a span and a reason", FileRedactions, i+1)
		case prev != nil && (d.VersionID < prev.VersionID || d.VersionID == prev.VersionID && d.Start < prev.Start):
			return nil, fail("%s line %d is out of order", FileRedactions, i+1)
		}
		prev = &d
		out[d.VersionID] = append(out[d.VersionID], &d)
	}
	return out, nil
}
