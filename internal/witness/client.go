package witness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"steward.city/steward/internal/checkpoint"
	"steward.city/steward/internal/merkle"
)

// Client asks one witness to cosign a log's checkpoints.
type Client struct {
	url      string // the submission prefix: POST url + "/add-checkpoint"
	verifier note.Verifier
	http     *http.Client

	mu   sync.Mutex
	size int64 // the size the witness last cosigned, as far as this client knows
}

// NewClient returns a client of the witness at url (its submission prefix)
// whose cosignatures verify with vkey (type 0x04). hc may be nil.
func NewClient(url, vkey string, hc *http.Client) (*Client, error) {
	v, err := checkpoint.NewCosignatureVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("witness key: %w", err)
	}
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return nil, fmt.Errorf("witness URL %q: want http:// or https://", url)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{url: strings.TrimSuffix(url, "/"), verifier: v, http: hc}, nil
}

// Name is the witness's key name.
func (c *Client) Name() string { return c.verifier.Name() }

// RefusedError is a witness's refusal: its HTTP status and what it said.
type RefusedError struct {
	Status int
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("the witness refused (%d %s): %s", e.Status, http.StatusText(e.Status), e.Reason)
}

// Cosign submits signed, a checkpoint of size leaves signed by the log,
// with a consistency proof (from prove) from the size the witness last
// cosigned, and returns its verified cosignature lines. When the witness
// has another size than this client thought (409 Conflict), it tries once
// more from the witness's size; a witness that has cosigned a larger tree,
// or another tree of the same size, means the log was rolled back or
// rewritten, and is an error saying so.
func (c *Client) Cosign(ctx context.Context, size int64, signed []byte, prove func(ctx context.Context, old int64) (tlog.TreeProof, error)) (string, error) {
	c.mu.Lock()
	old := c.size
	c.mu.Unlock()
	if old > size {
		old = 0 // the witness will say what it holds
	}
	for attempt := 0; ; attempt++ {
		lines, have, err := c.add(ctx, old, size, signed, prove)
		if err == nil {
			c.mu.Lock()
			c.size = size
			c.mu.Unlock()
			return lines, nil
		}
		if have < 0 {
			return "", err
		}
		c.mu.Lock()
		c.size = have
		c.mu.Unlock()
		switch {
		case have > size:
			return "", fmt.Errorf("the witness has cosigned a tree of %d records, larger than this checkpoint's %d: the log was rolled back (or another process signed a larger tree)", have, size)
		case have == old || attempt > 0:
			return "", fmt.Errorf("the witness holds another tree of %d records than this log: the log was rewritten or forked", have)
		}
		old = have
	}
}

// add makes one request. On 409 Conflict it returns the witness's size;
// otherwise have is -1.
func (c *Client) add(ctx context.Context, old, size int64, signed []byte, prove func(ctx context.Context, old int64) (tlog.TreeProof, error)) (lines string, have int64, err error) {
	var proof tlog.TreeProof
	if old > 0 {
		if proof, err = prove(ctx, old); err != nil {
			return "", -1, err
		}
	}
	var body bytes.Buffer
	fmt.Fprintf(&body, "old %d\n%s\n", old, merkle.EncodeProof(proof))
	body.Write(signed)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/add-checkpoint", &body)
	if err != nil {
		return "", -1, err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return "", -1, err
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(res.Body, MaxRequest))
	if err != nil {
		return "", -1, err
	}
	switch res.StatusCode {
	case http.StatusOK:
		lines, err := c.verify(signed, answer)
		return lines, -1, err
	case http.StatusConflict:
		if mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); mt == "text/x.tlog.size" {
			s := strings.TrimSuffix(string(answer), "\n")
			if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
				return "", n, &RefusedError{Status: res.StatusCode, Reason: "it last cosigned size " + s}
			}
		}
	}
	reason, _, _ := strings.Cut(strings.TrimSpace(string(answer)), "\n")
	return "", -1, &RefusedError{Status: res.StatusCode, Reason: reason}
}

// verify checks the witness's answer: cosignature lines by its key over
// the checkpoint. It returns them, each ending in a newline.
func (c *Client) verify(signed, answer []byte) (string, error) {
	if !bytes.HasPrefix(answer, []byte("— ")) || !bytes.HasSuffix(answer, []byte("\n")) {
		return "", errors.New("the witness's answer is not note signature lines")
	}
	n, err := note.Open(append(bytes.Clone(signed), answer...), note.VerifierList(c.verifier))
	if err != nil {
		return "", fmt.Errorf("the witness's cosignature does not verify: %w", err)
	}
	var b strings.Builder
	for _, s := range n.Sigs {
		fmt.Fprintf(&b, "— %s %s\n", s.Name, s.Base64)
	}
	return b.String(), nil
}
