// Package checkpoint reads and writes the archive's checkpoints, signed
// notes in the C2SP tlog-checkpoint format (origin, tree size and root
// hash, then extension lines), with the keys that sign them wherever they
// are kept (a file, an environment variable, an external signer command),
// and witness cosignatures (C2SP tlog-cosignature, cosignature/v1).
package checkpoint

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/merkle"
)

// Body is a checkpoint's text: the log's origin, the tree's size and root
// hash, and the extension lines after them.
type Body struct {
	Origin     string
	Size       int64
	Root       tlog.Hash
	Extensions []string
}

// AuditPrefix starts the extension line by which a checkpoint commits to the
// audit chain: "audit " and the hex SHA-256 hash of the chain's newest event
// (the all-zero hash when the chain is empty). The hash covers the event's
// number, so the line commits to it without stating it: the number of
// events, some of them hidden from most staff, is not published.
const AuditPrefix = "audit "

// Text returns the body as the signed note's text, each line ending in a
// newline.
func (b *Body) Text() string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s\n%d\n%s\n", b.Origin, b.Size, base64.StdEncoding.EncodeToString(b.Root[:]))
	for _, e := range b.Extensions {
		s.WriteString(e)
		s.WriteByte('\n')
	}
	return s.String()
}

// AuditHead returns the audit chain head the checkpoint commits to, and
// whether it commits to one.
func (b *Body) AuditHead() (string, bool) {
	for _, e := range b.Extensions {
		if h, ok := strings.CutPrefix(e, AuditPrefix); ok {
			return h, true
		}
	}
	return "", false
}

// Parse reads a checkpoint's text (a signed note's text, without its
// signatures): at least three lines, an origin, a decimal size with no
// leading zeroes and a base64 root hash, then non-empty extension lines.
func Parse(text string) (*Body, error) {
	rest, ok := strings.CutSuffix(text, "\n")
	if !ok {
		return nil, errors.New("checkpoint: the text does not end in a newline")
	}
	lines := strings.Split(rest, "\n")
	if len(lines) < 3 {
		return nil, errors.New("checkpoint: fewer than three lines (origin, size, root hash)")
	}
	b := &Body{Origin: lines[0], Extensions: lines[3:]}
	if b.Origin == "" {
		return nil, errors.New("checkpoint: empty origin line")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return nil, fmt.Errorf("checkpoint: %q is not a tree size", lines[1])
	}
	b.Size = n
	if b.Root, err = merkle.ParseHash(lines[2]); err != nil {
		return nil, fmt.Errorf("checkpoint: root hash: %w", err)
	}
	for _, e := range b.Extensions {
		if e == "" {
			return nil, errors.New("checkpoint: an empty extension line")
		}
		if h, ok := strings.CutPrefix(e, AuditPrefix); ok {
			if raw, err := hex.DecodeString(h); err != nil || len(raw) != 32 || hex.EncodeToString(raw) != h {
				return nil, fmt.Errorf("checkpoint: %q is not an audit head (lower-case hex SHA-256)", e)
			}
		}
	}
	return b, nil
}

// Open checks that msg, a signed checkpoint, carries a valid signature by
// vkey (a signed-note verifier key, whose name must be the origin) and
// returns its body. Signatures by other keys, such as witness
// cosignatures, are ignored.
func Open(msg []byte, vkey string) (*Body, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("the checkpoint is not signed by %s: %w", v.Name(), err)
	}
	b, err := Parse(n.Text)
	if err != nil {
		return nil, err
	}
	if b.Origin != v.Name() {
		return nil, fmt.Errorf("checkpoint: origin %q is not the key's name %q", b.Origin, v.Name())
	}
	return b, nil
}

// SignerNames returns the key names of msg's signature lines, in order: the
// log's and each witness's. Nothing is verified.
func SignerNames(msg []byte) []string {
	i := strings.LastIndex(string(msg), "\n\n")
	if i < 0 {
		return nil
	}
	sigs := string(msg[i+2:])
	var out []string
	for _, l := range strings.Split(sigs, "\n") {
		if rest, ok := strings.CutPrefix(l, "— "); ok {
			if name, _, ok := strings.Cut(rest, " "); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

// ParseNote returns the body of msg, a signed checkpoint, without checking
// any signature.
func ParseNote(msg []byte) (*Body, error) {
	i := strings.LastIndex(string(msg), "\n\n")
	if i < 0 {
		return nil, errors.New("checkpoint: not a signed note (no blank line before the signatures)")
	}
	return Parse(string(msg[:i+1]))
}
