package checkpoint

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// A cosignature (C2SP tlog-cosignature, cosignature/v1) is a note
// signature whose bytes are an 8-byte big-endian POSIX time followed by an
// Ed25519 signature of
//
//	cosignature/v1
//	time <that time in decimal>
//	<the checkpoint's text>
//
// by a witness key of type 0x04. Being note signatures, cosignatures are
// checked with note.Open like any other.

const cosignatureHeader = "cosignature/v1\ntime "

func cosignedMessage(t uint64, text []byte) []byte {
	m := make([]byte, 0, len(cosignatureHeader)+21+len(text))
	m = append(m, cosignatureHeader...)
	m = strconv.AppendUint(m, t, 10)
	m = append(m, '\n')
	return append(m, text...)
}

// GenerateCosignerKey returns a new witness key named name and its verifier
// key (type 0x04), in the signed-note encoding.
func GenerateCosignerKey(name string) (skey, vkey string, err error) {
	return generate(name, algCosignature)
}

// cosigner makes cosignature/v1 signatures.
type cosigner struct {
	k   *key
	now func() time.Time
}

// NewCosigner returns the note signer of the witness key skey, which signs
// with the time now returns, and its verifier key.
func NewCosigner(skey string, now func() time.Time) (note.Signer, string, error) {
	k, err := parseKey(skey, algCosignature, true)
	if err != nil {
		return nil, "", err
	}
	return &cosigner{k: k, now: now}, k.vkey(), nil
}

func (c *cosigner) Name() string    { return c.k.name }
func (c *cosigner) KeyHash() uint32 { return c.k.hash }

func (c *cosigner) Sign(text []byte) ([]byte, error) {
	t := uint64(max(c.now().Unix(), 0))
	sig := make([]byte, 8, 8+ed25519.SignatureSize)
	binary.BigEndian.PutUint64(sig, t)
	return append(sig, ed25519.Sign(c.k.priv, cosignedMessage(t, text))...), nil
}

// cosignatureVerifier checks cosignature/v1 signatures.
type cosignatureVerifier struct{ k *key }

// NewCosignatureVerifier returns the note verifier of a witness's verifier
// key (type 0x04).
func NewCosignatureVerifier(vkey string) (note.Verifier, error) {
	k, err := parseKey(vkey, algCosignature, false)
	if err != nil {
		return nil, err
	}
	return &cosignatureVerifier{k: k}, nil
}

func (v *cosignatureVerifier) Name() string    { return v.k.name }
func (v *cosignatureVerifier) KeyHash() uint32 { return v.k.hash }

func (v *cosignatureVerifier) Verify(text, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	if t > math.MaxInt64 {
		return false
	}
	return ed25519.Verify(v.k.pub, cosignedMessage(t, text), sig[8:])
}

// CosignatureTime returns the time a cosignature states.
func CosignatureTime(sig note.Signature) (time.Time, bool) {
	b, err := base64.StdEncoding.DecodeString(sig.Base64)
	if err != nil || len(b) != 4+8+ed25519.SignatureSize {
		return time.Time{}, false
	}
	t := binary.BigEndian.Uint64(b[4:])
	if t > math.MaxInt64 {
		return time.Time{}, false
	}
	return time.Unix(int64(t), 0).UTC(), true
}
