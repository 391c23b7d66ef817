package cli

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/registry"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/vault"
)

// vaultFlags say where the vault's key-encryption key is.
type vaultFlags struct {
	keyFile *string
}

func (f *flags) vaultFlags() vaultFlags {
	return vaultFlags{keyFile: f.String("vault-key-file", "", "file holding the vault's key-encryption key (mode 0600); default: vault.key in the data folder, created on first run")}
}

// loadVault returns the vault: the key in $STEWARD_VAULT_KEY, or else the
// key file, created with a new key when create is true and it does not
// exist. It does not touch the database.
func (a *app) loadVault(vf vaultFlags, data string, create bool) (*vault.Vault, error) {
	if env := a.getenv(vault.EnvKey); env != "" {
		v, err := vault.FromEnv(env)
		if err != nil {
			return nil, usagef("%v", err)
		}
		return v, nil
	}
	path := *vf.keyFile
	if path == "" {
		path = filepath.Join(data, "vault.key")
	}
	v, err := vault.LoadFile(path, create)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("vault key file %s does not exist: start `steward serve` once to create it, or set %s", path, vault.EnvKey)
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// unlockVault checks the key against the database; a wrong key stops
// Steward before it changes anything.
func unlockVault(ctx context.Context, s *sqlstore.Store, v *vault.Vault) error {
	if err := registry.Unlock(ctx, s, v); err != nil {
		if errors.Is(err, vault.ErrWrongKey) {
			return fmt.Errorf("refusing to start: %w. Use the key file or %s this database was set up with; nothing was changed", err, vault.EnvKey)
		}
		return fmt.Errorf("vault: %w", err)
	}
	return nil
}

// vaultCmd runs "steward vault rotate-key".
func (a *app) vaultCmd(name string, args []string) error {
	if name != "rotate-key" {
		return usagef("unknown command vault %s", name)
	}
	f := a.flags("vault rotate-key")
	sf := f.store()
	vf := f.vaultFlags()
	newKey := f.String("new-key-env", "", "when the key comes from "+vault.EnvKey+": the variable holding the new key (base64)")
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		v, err := a.loadVault(vf, *sf.data, false)
		if err != nil {
			return err
		}
		var nk []byte
		if a.getenv(vault.EnvKey) != "" {
			if *newKey == "" {
				return usagef("the key comes from %s: name the variable holding the new key with --new-key-env", vault.EnvKey)
			}
			nk, err = base64.StdEncoding.DecodeString(strings.TrimSpace(a.getenv(*newKey)))
			if err != nil || len(nk) != vault.KeySize {
				return usagef("$%s must hold %d random bytes in base64", *newKey, vault.KeySize)
			}
		}
		if err := unlockVault(a.ctx, s, v); err != nil {
			return err
		}
		n, err := registry.Rotate(a.ctx, s, v, nk)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "vault key rotated: %s re-wrapped under key %s\n", plain.Count(n, "secret", "secrets"), v.CurrentKeyID())
		if nk != nil {
			fmt.Fprintf(a.stdout, "set %s to the new key before the next start\n", vault.EnvKey)
		}
		return nil
	})
}
