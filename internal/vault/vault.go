// Package vault holds secrets encrypted (PPL-5, CVT-4): each secret under a
// data key of its own with AES-256-GCM, each data key wrapped under a
// key-encryption key (KEK) kept outside the database, in a key file created
// with mode 0600 on first run or in $STEWARD_VAULT_KEY.
//
// The key file holds one key per line, "<id> <base64>", the current key
// first. Rotation writes a new key in front, re-wraps every data key, then
// drops the old one; a running server that meets a key id it does not know
// reads the file again, so rotation needs no restart.
package vault

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"steward.city/steward/internal/civic"
)

// KeySize is the length of every key: AES-256.
const KeySize = 32

// EnvKey is the environment variable that may hold the KEK (base64),
// instead of the key file.
const EnvKey = "STEWARD_VAULT_KEY"

// checkValue is sealed with the KEK when the vault is first used, so that a
// wrong key is noticed at start, before anything is written.
const checkValue = "steward-vault-check-v1"

// ErrWrongKey means the key cannot open what the database holds.
var ErrWrongKey = errors.New("the vault key does not open this database's secrets: it is not the key they were sealed with")

// Vault seals and opens secrets with its keys.
type Vault struct {
	mu   sync.RWMutex
	keys []key  // current first
	path string // key file, "" when the key came from the environment
}

type key struct {
	id  string
	kek []byte
}

// KeyID returns the identifier of a key: the first 8 bytes of its SHA-256, in hex.
func KeyID(kek []byte) string {
	s := sha256.Sum256(kek)
	return hex.EncodeToString(s[:8])
}

// New returns a vault holding keys, the current one first; for tests and
// for keys from the environment.
func New(keks ...[]byte) (*Vault, error) {
	v := &Vault{}
	for _, k := range keks {
		if len(k) != KeySize {
			return nil, fmt.Errorf("vault key: %d bytes, want %d", len(k), KeySize)
		}
		v.keys = append(v.keys, key{id: KeyID(k), kek: k})
	}
	if len(v.keys) == 0 {
		return nil, errors.New("vault: no key")
	}
	return v, nil
}

// FromEnv returns a vault on the base64 key in value.
func FromEnv(value string) (*Vault, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil || len(k) != KeySize {
		return nil, fmt.Errorf("%s must be %d random bytes in base64 (openssl rand -base64 32)", EnvKey, KeySize)
	}
	return New(k)
}

// GenerateKey returns a new random key.
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return k
}

// LoadFile returns a vault on the key file at path. When the file does not
// exist and create is true, it makes one with a new key, mode 0600.
func LoadFile(path string, create bool) (*Vault, error) {
	keys, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		if err := writeKeyFile(path, []key{{id: "", kek: GenerateKey()}}); err != nil {
			return nil, err
		}
		keys, err = readKeyFile(path)
	}
	if err != nil {
		return nil, err
	}
	return &Vault{keys: keys, path: path}, nil
}

func readKeyFile(path string) ([]key, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("vault key file %s is readable by others (mode %o): chmod 600 it", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []key
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, enc, ok := strings.Cut(line, " ")
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
		if !ok || err != nil || len(k) != KeySize || KeyID(k) != id {
			return nil, fmt.Errorf("vault key file %s line %d: want \"<id> <base64 key>\"", path, n)
		}
		keys = append(keys, key{id: id, kek: k})
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("vault key file %s holds no key", path)
	}
	return keys, nil
}

// writeKeyFile replaces the key file atomically, mode 0600.
func writeKeyFile(path string, keys []key) error {
	var b strings.Builder
	b.WriteString("# Steward vault key-encryption keys, current first. Keep this file secret and backed up apart from the database.\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %s\n", KeyID(k.kek), base64.StdEncoding.EncodeToString(k.kek))
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".vault-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// CurrentKeyID returns the id of the key new secrets are sealed with.
func (v *Vault) CurrentKeyID() string {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.keys[0].id
}

// Seal encrypts plaintext under a new data key wrapped with the current KEK.
func (v *Vault) Seal(plaintext []byte) (civic.Sealed, error) {
	v.mu.RLock()
	k := v.keys[0]
	v.mu.RUnlock()
	dek := GenerateKey()
	ct, err := gcmSeal(dek, plaintext, []byte("secret"))
	if err != nil {
		return civic.Sealed{}, err
	}
	wrapped, err := gcmSeal(k.kek, dek, []byte("dek:"+k.id))
	if err != nil {
		return civic.Sealed{}, err
	}
	return civic.Sealed{KeyID: k.id, WrappedKey: wrapped, Ciphertext: ct}, nil
}

// Open decrypts s. A key id the vault does not know makes it read the key
// file again (another process may have rotated the key).
func (v *Vault) Open(s civic.Sealed) ([]byte, error) {
	dek, err := v.unwrap(s)
	if err != nil {
		return nil, err
	}
	pt, err := gcmOpen(dek, s.Ciphertext, []byte("secret"))
	if err != nil {
		return nil, ErrWrongKey
	}
	return pt, nil
}

func (v *Vault) unwrap(s civic.Sealed) ([]byte, error) {
	k, ok := v.find(s.KeyID)
	if !ok && v.path != "" {
		if keys, err := readKeyFile(v.path); err == nil {
			v.mu.Lock()
			v.keys = mergeKeys(keys, v.keys)
			v.mu.Unlock()
			k, ok = v.find(s.KeyID)
		}
	}
	if !ok {
		return nil, fmt.Errorf("%w (sealed with key %s)", ErrWrongKey, s.KeyID)
	}
	dek, err := gcmOpen(k.kek, s.WrappedKey, []byte("dek:"+k.id))
	if err != nil {
		return nil, ErrWrongKey
	}
	return dek, nil
}

func (v *Vault) find(id string) (key, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	for _, k := range v.keys {
		if k.id == id {
			return k, true
		}
	}
	return key{}, false
}

// mergeKeys returns first followed by the keys of rest it lacks.
func mergeKeys(first, rest []key) []key {
	out := append([]key(nil), first...)
	for _, k := range rest {
		dup := false
		for _, f := range out {
			dup = dup || f.id == k.id
		}
		if !dup {
			out = append(out, k)
		}
	}
	return out
}

// Rewrap wraps s's data key with the current KEK; the secret itself is not
// decrypted.
func (v *Vault) Rewrap(s civic.Sealed) (civic.Sealed, error) {
	dek, err := v.unwrap(s)
	if err != nil {
		return s, err
	}
	v.mu.RLock()
	k := v.keys[0]
	v.mu.RUnlock()
	wrapped, err := gcmSeal(k.kek, dek, []byte("dek:"+k.id))
	if err != nil {
		return s, err
	}
	return civic.Sealed{KeyID: k.id, WrappedKey: wrapped, Ciphertext: s.Ciphertext}, nil
}

// SealCheck returns the check value sealed with the current key.
func (v *Vault) SealCheck() (civic.Sealed, error) { return v.Seal([]byte(checkValue)) }

// Check reports ErrWrongKey unless s, the stored check value, opens with
// one of the vault's keys.
func (v *Vault) Check(s civic.Sealed) error {
	pt, err := v.Open(s)
	if err != nil || string(pt) != checkValue {
		return ErrWrongKey
	}
	return nil
}

// BeginRotation writes a new key in front of the key file and makes it
// current, keeping the old ones so that rows not yet re-wrapped still open.
func (v *Vault) BeginRotation() (string, error) {
	if v.path == "" {
		return "", fmt.Errorf("the key comes from %s: rotate by setting the new key there after re-wrapping with --new-key", EnvKey)
	}
	return v.Use(GenerateKey())
}

// Use makes kek the current key, writing it to the key file when there is one.
func (v *Vault) Use(kek []byte) (string, error) {
	if len(kek) != KeySize {
		return "", fmt.Errorf("vault key: %d bytes, want %d", len(kek), KeySize)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	keys := mergeKeys([]key{{id: KeyID(kek), kek: kek}}, v.keys)
	if v.path != "" {
		if err := writeKeyFile(v.path, keys); err != nil {
			return "", err
		}
	}
	v.keys = keys
	return keys[0].id, nil
}

// FinishRotation drops every key but the current one from the key file.
func (v *Vault) FinishRotation() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.keys = v.keys[:1]
	if v.path == "" {
		return nil
	}
	return writeKeyFile(v.path, v.keys)
}

func gcmSeal(k, plaintext, ad []byte) ([]byte, error) {
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return g.Seal(nonce, nonce, plaintext, ad), nil
}

func gcmOpen(k, sealed, ad []byte) ([]byte, error) {
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if len(sealed) < g.NonceSize() {
		return nil, errors.New("sealed value too short")
	}
	return g.Open(nil, sealed[:g.NonceSize()], sealed[g.NonceSize():], ad)
}
