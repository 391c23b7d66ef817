package checkpoint

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"
)

// Key types of the signed-note format (C2SP signed-note): the log signs
// with plain Ed25519 note signatures, witnesses with cosignature/v1.
const (
	algEd25519     = 0x01
	algCosignature = 0x04
)

// key is an Ed25519 key in the signed-note encoding: "NAME+HASH+BASE64" for
// the verifier key and "PRIVATE+KEY+NAME+HASH+BASE64" for the signing key,
// where BASE64 encodes the type byte and the public key or the seed, and
// HASH is the first four bytes of SHA-256(NAME ‖ "\n" ‖ type ‖ public key).
type key struct {
	name string
	alg  byte
	hash uint32
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey // nil for a verifier key
}

func keyHash(name string, alg byte, pub []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{alg})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func validName(name string) bool {
	return name != "" && strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

func (k *key) vkey() string {
	return fmt.Sprintf("%s+%08x+%s", k.name, k.hash, base64.StdEncoding.EncodeToString(append([]byte{k.alg}, k.pub...)))
}

func (k *key) skey() string {
	return fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", k.name, k.hash, base64.StdEncoding.EncodeToString(append([]byte{k.alg}, k.priv.Seed()...)))
}

// parseKey reads a verifier key, or with private a signing key, of type alg.
func parseKey(s string, alg byte, private bool) (*key, error) {
	what := "verifier key"
	if private {
		what = "signing key"
		rest, ok := strings.CutPrefix(s, "PRIVATE+KEY+")
		if !ok {
			return nil, errors.New("malformed signing key: it does not start with PRIVATE+KEY+")
		}
		s = rest
	}
	name, rest, _ := strings.Cut(s, "+")
	hash16, key64, ok := strings.Cut(rest, "+")
	if !ok || len(hash16) != 8 || !validName(name) {
		return nil, fmt.Errorf("malformed %s: want NAME+HASH+KEY", what)
	}
	hash, err := strconv.ParseUint(hash16, 16, 32)
	if err != nil {
		return nil, fmt.Errorf("malformed %s: bad key hash", what)
	}
	raw, err := base64.StdEncoding.DecodeString(key64)
	if err != nil || len(raw) != 1+ed25519.PublicKeySize {
		return nil, fmt.Errorf("malformed %s: not an Ed25519 key", what)
	}
	if raw[0] != alg {
		return nil, fmt.Errorf("%s of type %#02x, want %#02x", what, raw[0], alg)
	}
	k := &key{name: name, alg: alg, hash: uint32(hash), pub: ed25519.PublicKey(raw[1:])}
	if private {
		k.priv = ed25519.NewKeyFromSeed(raw[1:])
		k.pub = k.priv.Public().(ed25519.PublicKey)
	}
	if keyHash(k.name, alg, k.pub) != k.hash {
		return nil, fmt.Errorf("%s: the key hash does not match the key", what)
	}
	return k, nil
}

func generate(name string, alg byte) (skey, vkey string, err error) {
	if !validName(name) {
		return "", "", fmt.Errorf("key name %q: want no spaces and no +", name)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	k := &key{name: name, alg: alg, pub: pub, priv: priv, hash: keyHash(name, alg, pub)}
	return k.skey(), k.vkey(), nil
}

// GenerateKey returns a new checkpoint signing key named name (the log's
// origin) and its verifier key, in the signed-note encoding.
func GenerateKey(name string) (skey, vkey string, err error) { return generate(name, algEd25519) }

// NewSigner returns the note signer of the checkpoint signing key skey and
// its verifier key.
func NewSigner(skey string) (note.Signer, string, error) {
	k, err := parseKey(strings.TrimSpace(skey), algEd25519, true)
	if err != nil {
		return nil, "", err
	}
	s, err := note.NewSigner(k.skey())
	if err != nil {
		return nil, "", err
	}
	return s, k.vkey(), nil
}

// VerifierKey returns the verifier key of the checkpoint signing key skey.
func VerifierKey(skey string) (string, error) {
	_, vkey, err := NewSigner(skey)
	return vkey, err
}

// PublicKey returns the Ed25519 public key of a checkpoint verifier key.
func PublicKey(vkey string) (name string, pub ed25519.PublicKey, err error) {
	k, err := parseKey(vkey, algEd25519, false)
	if err != nil {
		return "", nil, err
	}
	return k.name, k.pub, nil
}
