package archive

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/merkle"
)

// LoadOrCreateKey returns the Ed25519 checkpoint signer kept in the file at
// path (the signed-note private key format), creating the key, named name,
// if the file does not exist. It returns the matching verifier key, which
// anyone may hold to check checkpoints.
func LoadOrCreateKey(path, name string) (note.Signer, string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, _, err := note.GenerateKey(rand.Reader, name)
		if err != nil {
			return nil, "", fmt.Errorf("checkpoint key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, "", fmt.Errorf("checkpoint key: %w", err)
		}
		if _, err := f.WriteString(skey + "\n"); err != nil {
			f.Close()
			return nil, "", fmt.Errorf("checkpoint key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, "", fmt.Errorf("checkpoint key: %w", err)
		}
		b = []byte(skey)
	} else if err != nil {
		return nil, "", fmt.Errorf("checkpoint key: %w", err)
	}
	skey := strings.TrimSpace(string(b))
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("checkpoint key %s: %w", path, err)
	}
	return signer, verifierKey(skey), nil
}

// ReadVerifier returns the verifier key of the signing key kept in the file
// at path, without creating one.
func ReadVerifier(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	skey := strings.TrimSpace(string(b))
	if _, err := note.NewSigner(skey); err != nil {
		return "", fmt.Errorf("checkpoint key %s: %w", path, err)
	}
	return verifierKey(skey), nil
}

// verifierKey derives "name+hash+key" from "PRIVATE+KEY+name+hash+key".
func verifierKey(skey string) string {
	// The private key format carries the algorithm byte and the private
	// key; note has no exported derivation, so rebuild it from ed25519.
	parts := strings.SplitN(skey, "+", 5)
	name := parts[2]
	raw, _ := base64.StdEncoding.DecodeString(parts[4])
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, _ := note.NewEd25519VerifierKey(name, pub)
	return vkey
}

// PublishVerifier stores the verifier key in the settings, where the public
// checkpoint page and `steward verify` find it.
func (s *Service) PublishVerifier(ctx context.Context, vkey string) error {
	if _, err := note.NewVerifier(vkey); err != nil {
		return fmt.Errorf("verifier key: %w", err)
	}
	return s.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		old, err := tx.Setting(ctx, SettingVerifier)
		if err != nil || old == vkey {
			return err
		}
		return tx.SetSetting(ctx, SettingVerifier, vkey)
	})
}

// Verifier returns the published verifier key, or "".
func (s *Service) Verifier(ctx context.Context) (string, error) {
	return s.store.Setting(ctx, SettingVerifier)
}

// Checkpoint signs a checkpoint of the log's current size and root hash,
// committing also to the audit chain's newest event, unless nothing has
// changed since the newest checkpoint (no record appended, no audit event
// everyone may see but that checkpoint's own). Each witness is asked to cosign it, and it is
// kept with the cosignatures that came back. It returns the new
// checkpoint, or nil when there was nothing new to sign.
func (s *Service) Checkpoint(ctx context.Context) (*civic.Checkpoint, error) {
	if s.signer == nil {
		return nil, civic.Errorf(civic.KindUnavailable, "this process has no checkpoint key")
	}
	size, root, err := s.store.ArchiveLogHead(ctx)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	_, auditHash, err := s.store.AuditHead(ctx)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	if changed, err := s.changedSince(ctx, size); err != nil || !changed {
		return nil, err
	}
	rh := merkle.EmptyRoot()
	if size > 0 {
		copy(rh[:], root)
	}
	now := s.now().UTC().Truncate(time.Second)
	body := checkpoint.Body{Origin: s.signer.Name(), Size: size, Root: rh,
		Extensions: []string{now.Format(time.RFC3339), checkpoint.AuditPrefix + auditHash}}
	signed, err := note.Sign(&note.Note{Text: body.Text()}, s.signer)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	// Witnesses answer outside the transaction: they may take seconds.
	cosigs := s.cosign(ctx, size, signed)
	c := &civic.Checkpoint{Size: size, RootHash: base64.StdEncoding.EncodeToString(rh[:]), Time: now, Note: string(signed) + cosigs}
	err = s.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		last, err := tx.ArchiveCheckpoints(ctx, 1)
		if err != nil {
			return err
		}
		if len(last) > 0 && last[0].Size > size {
			c = nil // another process signed a larger tree meanwhile
			return nil
		}
		return tx.AddCheckpoint(ctx, c)
	})
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return c, nil
}

// changedSince reports whether the log or the audit chain moved since the
// newest checkpoint: more records than it signed, or an audit event after
// the one that recorded it. Only events everyone may see count: whether a
// checkpoint is signed is public, and must not tell that events hidden
// from most staff (covert profiles, conduct cases) happened when nothing
// else did. Those are anchored by the next checkpoint signed for another
// reason.
func (s *Service) changedSince(ctx context.Context, size int64) (bool, error) {
	last, err := s.store.ArchiveCheckpoints(ctx, 1)
	if err != nil || len(last) == 0 {
		return true, err
	}
	if last[0].Size < size {
		return true, nil
	}
	own, err := s.store.AuditEvents(ctx, civic.AuditFilter{Action: "archive.checkpoint", ObjectType: "checkpoint", ObjectID: strconv.FormatInt(last[0].ID, 10), Limit: 1})
	if err != nil || len(own) == 0 {
		return true, err
	}
	newest, err := s.store.AuditEvents(ctx, civic.AuditFilter{HideObjectTypes: civic.HiddenObjectTypes(nil), Limit: 1})
	if err != nil || len(newest) == 0 {
		return true, err
	}
	return newest[0].Seq > own[0].Seq, nil
}

// openCheckpoint checks a checkpoint's signature with vkey and that its
// text states its size and root.
func openCheckpoint(c *civic.Checkpoint, vkey string) error {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open([]byte(c.Note), note.VerifierList(v))
	if err != nil {
		return fmt.Errorf("signature does not verify: %w", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[1] != strconv.FormatInt(c.Size, 10) || lines[2] != c.RootHash {
		return errors.New("the signed text does not state the stored size and root")
	}
	return nil
}
