package checkpoint

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/merkle"
)

// ItemProof is what the public portal serves at /public/items/{id}/proof:
// for each version of an item, its SHA-256 (the log's leaf data), its
// leaf hash and index, and the inclusion proof (audit path) of that leaf
// in the tree of the signed checkpoint Checkpoint. Anyone holding the
// city's verifier key can check it offline with VerifyItemProof.
type ItemProof struct {
	ItemID     int64       `json:"item_id"`
	Checkpoint string      `json:"checkpoint"` // the signed note
	TreeSize   int64       `json:"tree_size"`
	RootHash   string      `json:"root_hash"` // base64, as in the note
	Versions   []LeafProof `json:"versions"`
}

// LeafProof is one version's inclusion proof. Path is empty and Pending
// true when the version was appended after the checkpoint was signed.
type LeafProof struct {
	VersionID int64    `json:"version_id"`
	SHA256    string   `json:"sha256"`    // hex, the version's content hash
	LeafHash  string   `json:"leaf_hash"` // base64 SHA-256(0x00 || raw sha256)
	LeafIndex int64    `json:"leaf_index"`
	Path      []string `json:"path"` // base64 hashes, leaf to root
	Pending   bool     `json:"pending,omitempty"`
}

// ConsistencyProof is what /public/checkpoints/consistency serves: the
// RFC 6962 proof that the tree of To leaves extends the tree of From
// leaves, with both roots as the log computes them. A checker takes the
// roots from signed checkpoints it holds, not from here.
type ConsistencyProof struct {
	From     int64    `json:"from"`
	FromRoot string   `json:"from_root"`
	To       int64    `json:"to"`
	ToRoot   string   `json:"to_root"`
	Proof    []string `json:"proof"`
}

// ErrForged is wrapped by every refusal of VerifyItemProof and
// VerifyGrowth: the proof was checked and does not hold.
var ErrForged = errors.New("proof does not hold")

// VerifiedItem is what VerifyItemProof established.
type VerifiedItem struct {
	Body     *Body
	Versions int // versions proven in the signed tree
	Pending  int // versions newer than the checkpoint
}

// VerifyItemProof checks p offline: the checkpoint is signed by vkey, p is
// for item itemID, each version's leaf hash is the RFC 6962 hash of its
// SHA-256, and each audit path leads from that leaf to the signed root.
// When want is not empty it is a version hash the checker already holds
// (from a page, a bag, an earlier look), which must be among the proven.
func VerifyItemProof(p *ItemProof, vkey string, itemID int64, want string) (*VerifiedItem, error) {
	fail := func(format string, a ...any) (*VerifiedItem, error) {
		return nil, fmt.Errorf("%w: %s", ErrForged, fmt.Sprintf(format, a...))
	}
	if p.ItemID != itemID {
		return fail("the proof is for item %d, not item %d", p.ItemID, itemID)
	}
	b, err := Open([]byte(p.Checkpoint), vkey)
	if err != nil {
		return fail("%v", err)
	}
	if b.Size != p.TreeSize || base64.StdEncoding.EncodeToString(b.Root[:]) != p.RootHash {
		return fail("the proof's tree size and root are not the signed checkpoint's")
	}
	if len(p.Versions) == 0 {
		return fail("the proof holds no version")
	}
	out := &VerifiedItem{Body: b}
	found := want == ""
	for _, v := range p.Versions {
		raw, err := hex.DecodeString(v.SHA256)
		if err != nil || len(raw) != tlog.HashSize || hex.EncodeToString(raw) != v.SHA256 {
			return fail("version %d: %q is not a lower-case hex SHA-256", v.VersionID, v.SHA256)
		}
		leaf := merkle.LeafHash(raw)
		if base64.StdEncoding.EncodeToString(leaf[:]) != v.LeafHash {
			return fail("version %d: the leaf hash is not the hash of its SHA-256", v.VersionID)
		}
		if v.LeafIndex != v.VersionID-1 {
			return fail("version %d is at leaf %d, not at %d", v.VersionID, v.LeafIndex, v.VersionID-1)
		}
		if v.Pending {
			if v.LeafIndex < b.Size {
				return fail("version %d is said to be newer than the checkpoint but its leaf %d is in it", v.VersionID, v.LeafIndex)
			}
			out.Pending++
			continue
		}
		if v.LeafIndex < 0 || v.LeafIndex >= b.Size {
			return fail("version %d: leaf %d is outside the signed tree of %d", v.VersionID, v.LeafIndex, b.Size)
		}
		path := make(tlog.RecordProof, len(v.Path))
		for i, s := range v.Path {
			if path[i], err = merkle.ParseHash(s); err != nil {
				return fail("version %d: path %d: %v", v.VersionID, i, err)
			}
		}
		if err := tlog.CheckRecord(path, b.Size, b.Root, v.LeafIndex, leaf); err != nil {
			return fail("version %d is not in the signed log of %d records: the audit path does not lead to the root", v.VersionID, b.Size)
		}
		if v.SHA256 == want {
			found = true
		}
		out.Versions++
	}
	if !found {
		return fail("no proven version has the SHA-256 %s", want)
	}
	return out, nil
}

// VerifyGrowth checks that the signed checkpoint newer extends the signed
// checkpoint older (both signed by vkey): it is no smaller, and the
// consistency proof c connects the two signed roots.
func VerifyGrowth(older, newer []byte, c *ConsistencyProof, vkey string) error {
	ob, err := Open(older, vkey)
	if err != nil {
		return fmt.Errorf("%w: the older checkpoint: %v", ErrForged, err)
	}
	nb, err := Open(newer, vkey)
	if err != nil {
		return fmt.Errorf("%w: the newer checkpoint: %v", ErrForged, err)
	}
	if nb.Size < ob.Size {
		return fmt.Errorf("%w: the log was rolled back: the newest checkpoint has %d records, fewer than the %d of the one held", ErrForged, nb.Size, ob.Size)
	}
	if c == nil {
		c = &ConsistencyProof{From: ob.Size, To: nb.Size}
	}
	if c.From != ob.Size || c.To != nb.Size {
		return fmt.Errorf("%w: the consistency proof is from %d to %d, not from %d to %d", ErrForged, c.From, c.To, ob.Size, nb.Size)
	}
	proof := make(tlog.TreeProof, len(c.Proof))
	for i, s := range c.Proof {
		if proof[i], err = merkle.ParseHash(s); err != nil {
			return fmt.Errorf("%w: consistency proof line %d: %v", ErrForged, i, err)
		}
	}
	if err := merkle.CheckConsistency(proof, ob.Size, ob.Root, nb.Size, nb.Root); err != nil {
		return fmt.Errorf("%w: the consistency proof does not connect the two signed checkpoints: %v", ErrForged, err)
	}
	return nil
}

// EncodeHashes writes hashes as base64 strings.
func EncodeHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}
