package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"steward.city/steward/internal/checkpoint"
)

// signer answers the external signer protocol with a key file, so that the
// checkpoint key can live on another machine: "steward signer --key-file F
// public-key|sign", reached for example with ssh from
// --checkpoint-signer-command. "init" creates the key file.
func (a *app) signer(args []string) error {
	f := a.flags("signer")
	file := f.String("key-file", "", "the checkpoint signing key file (mode 0600); "+envCheckpointKey+" holds the key itself instead")
	name := f.String("name", "steward-archive", "with init: the key's name, the archive's origin (--checkpoint-name)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return usagef("signer takes one request: init, public-key or sign")
	}
	req := f.Arg(0)
	skey := a.getenv(envCheckpointKey)
	switch {
	case skey != "" && *file != "":
		return usagef("give --key-file or $%s, not both", envCheckpointKey)
	case skey == "" && *file == "":
		return usagef("signer needs --key-file or $%s", envCheckpointKey)
	case req == "init":
		if *file == "" {
			return usagef("init needs --key-file")
		}
		skey, vkey, err := checkpoint.GenerateKey(*name)
		if err != nil {
			return usagef("--name: %v", err)
		}
		out, err := os.OpenFile(*file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s exists: a checkpoint key is never overwritten", *file)
		}
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(out, skey); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, vkey)
		return nil
	case skey == "":
		b, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		skey = string(b)
	}
	return checkpoint.Answer(skey, req, a.stdin, a.stdout)
}
