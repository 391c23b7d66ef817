package checkpoint

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Command is an external signer: a program holding the checkpoint key
// somewhere Steward cannot read it (a key management service, a hardware
// module, another machine reached with ssh). Steward runs Args with one
// more argument, no shell involved:
//
//	ARGS public-key   prints the verifier key (NAME+HASH+BASE64, type 0x01)
//	                  on one line and exits 0
//	ARGS sign         reads the bytes to sign on standard input, to its end,
//	                  prints the base64 of their 64-byte Ed25519 signature
//	                  on one line and exits 0
//
// Any other exit status is a failure; the start of standard error is
// quoted in the error. Steward checks each signature against the public
// key before it uses it, so a signer that answers wrongly signs nothing.
type Command struct {
	Args    []string
	Env     []string      // the program's environment, "KEY=value"
	Timeout time.Duration // for each run; 0 means 30 seconds
}

// commandSigner signs through a Command.
type commandSigner struct {
	c    Command
	name string
	hash uint32
	pub  ed25519.PublicKey
}

// NewCommandSigner asks c for its public key and returns a note signer that
// signs through it, and the verifier key.
func NewCommandSigner(ctx context.Context, c Command) (note.Signer, string, error) {
	if len(c.Args) == 0 {
		return nil, "", errors.New("signer command: empty")
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	out, err := c.run(ctx, "public-key", nil)
	if err != nil {
		return nil, "", err
	}
	vkey := strings.TrimSpace(string(out))
	k, err := parseKey(vkey, algEd25519, false)
	if err != nil {
		return nil, "", fmt.Errorf("signer command %s public-key: %w", c.Args[0], err)
	}
	return &commandSigner{c: c, name: k.name, hash: k.hash, pub: k.pub}, vkey, nil
}

func (s *commandSigner) Name() string    { return s.name }
func (s *commandSigner) KeyHash() uint32 { return s.hash }

func (s *commandSigner) Sign(msg []byte) ([]byte, error) {
	out, err := s.c.run(context.Background(), "sign", msg)
	if err != nil {
		return nil, err
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(out)))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("signer command %s sign: the answer is not a base64 Ed25519 signature", s.c.Args[0])
	}
	if !ed25519.Verify(s.pub, msg, sig) {
		return nil, fmt.Errorf("signer command %s sign: the signature does not verify with the key it gave", s.c.Args[0])
	}
	return sig, nil
}

// run runs the command with arg, msg on its standard input, and returns
// its standard output (at most 4 KiB is kept).
func (c Command) run(ctx context.Context, arg string, msg []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Args[0], append(c.Args[1:len(c.Args):len(c.Args)], arg)...)
	cmd.Env = c.Env
	cmd.Stdin = bytes.NewReader(msg)
	stdout := &capped{max: 4 << 10}
	stderr := &capped{max: 1 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("no answer within %s", c.Timeout)
		}
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return nil, fmt.Errorf("signer command %s %s: %w: %s", c.Args[0], arg, err, msg)
		}
		return nil, fmt.Errorf("signer command %s %s: %w", c.Args[0], arg, err)
	}
	return stdout.Bytes(), nil
}

// capped keeps the first max bytes written to it and discards the rest.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// MaxSignedMessage bounds what the signer side reads to sign: checkpoints
// and export statements are a few hundred bytes.
const MaxSignedMessage = 64 << 10

// Answer answers one request of the signer protocol (see Command) with the
// checkpoint signing key skey: "public-key" writes the verifier key,
// "sign" reads the message from in and writes its signature.
func Answer(skey, request string, in io.Reader, out io.Writer) error {
	k, err := parseKey(strings.TrimSpace(skey), algEd25519, true)
	if err != nil {
		return err
	}
	switch request {
	case "public-key":
		_, err = fmt.Fprintln(out, k.vkey())
		return err
	case "sign":
		msg, err := io.ReadAll(io.LimitReader(in, MaxSignedMessage+1))
		if err != nil {
			return err
		}
		if len(msg) > MaxSignedMessage {
			return fmt.Errorf("the message is longer than %d bytes", MaxSignedMessage)
		}
		_, err = fmt.Fprintln(out, base64.StdEncoding.EncodeToString(ed25519.Sign(k.priv, msg)))
		return err
	}
	return fmt.Errorf("unknown request %q: want public-key or sign", request)
}
