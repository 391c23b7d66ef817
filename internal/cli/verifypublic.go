package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"steward.city/steward/internal/checkpoint"
)

// publicArg reports whether verify was asked to check a city's public
// portal (--public URL) rather than the local archive or a bag.
func publicArg(args []string) bool {
	for _, s := range args {
		if s == "--public" || s == "-public" || strings.HasPrefix(s, "--public=") || strings.HasPrefix(s, "-public=") {
			return true
		}
	}
	return false
}

// verifyPublic fetches an item's inclusion proof and the newest signed
// checkpoint from a city's public portal and checks them offline with the
// city's key: "steward verify --public URL --item ID --key KEY [--sha256
// HEX] [--since FILE] [--save FILE]". It exits 2 when a proof does not
// hold, 1 when it cannot run.
func (a *app) verifyPublic(args []string) error {
	f := a.flags("verify")
	base := f.String("public", "", "the city's portal, e.g. https://records.city.example")
	item := f.Int64("item", 0, "the public record to check (its number in /public/items/ID)")
	key := f.String("key", "", "the city's checkpoint verifier key, from a source other than the portal")
	want := f.String("sha256", "", "a version hash you hold already (from the page, a bag, an earlier check): it must be among the proven")
	since := f.String("since", "", "a signed checkpoint saved before (--save): prove the log only grew from it")
	save := f.String("save", "", "write the newest signed checkpoint to this file, for the next --since")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() != 0 {
		return usagef("verify --public takes no arguments after its flags")
	}
	u, err := url.Parse(strings.TrimRight(*base, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return usagef("--public must be the portal's address, http:// or https://")
	}
	if *key == "" {
		return usagef("--key is required: the city's checkpoint key, from somewhere other than the portal")
	}
	if *item <= 0 && *since == "" {
		return usagef("--item must be a record number, or give --since to check only that the log grew")
	}
	ctx, cancel := context.WithTimeout(a.ctx, time.Minute)
	defer cancel()
	get := func(path string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String()+path, nil)
		if err != nil {
			return nil, err
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
		if err != nil {
			return nil, err
		}
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s: %s", path, res.Status, strings.TrimSpace(string(b)))
		}
		return b, nil
	}
	// The proof first, then the newest checkpoint: an honest portal's
	// newest is then never older than the one the proof stands on.
	var proofJSON []byte
	if *item > 0 {
		if proofJSON, err = get("/public/items/" + strconv.FormatInt(*item, 10) + "/proof"); err != nil {
			return err
		}
	}
	latest, err := get("/public/checkpoints/latest")
	if err != nil {
		return err
	}
	nb, err := checkpoint.Open(latest, strings.TrimSpace(*key))
	if err != nil {
		return problem(fmt.Errorf("the newest checkpoint: %w: %v", checkpoint.ErrForged, err))
	}
	if *since != "" {
		older, err := os.ReadFile(*since)
		if err != nil {
			return err
		}
		ob, err := checkpoint.Open(older, strings.TrimSpace(*key))
		if err != nil {
			return problem(fmt.Errorf("%s: %w", *since, err))
		}
		var c *checkpoint.ConsistencyProof
		if nb.Size >= ob.Size {
			b, err := get("/public/checkpoints/consistency?from=" + strconv.FormatInt(ob.Size, 10) + "&to=" + strconv.FormatInt(nb.Size, 10))
			if err != nil {
				return err
			}
			c = new(checkpoint.ConsistencyProof)
			if err := json.Unmarshal(b, c); err != nil {
				return problem(fmt.Errorf("the consistency proof is not JSON: %w", err))
			}
		}
		if err := checkpoint.VerifyGrowth(older, latest, c, strings.TrimSpace(*key)); err != nil {
			return problem(err)
		}
		fmt.Fprintf(a.stdout, "log grew: from %d to %d records, the newer tree extends the older\n", ob.Size, nb.Size)
	}
	if *item > 0 {
		var p checkpoint.ItemProof
		if err := json.Unmarshal(proofJSON, &p); err != nil {
			return problem(fmt.Errorf("the proof is not JSON: %w", err))
		}
		if p.TreeSize < nb.Size && p.Checkpoint != string(latest) {
			// A proof against an older checkpoint: it must still be one the
			// key signed, and the newest must extend it.
			if _, err := checkpoint.Open([]byte(p.Checkpoint), strings.TrimSpace(*key)); err == nil {
				if err := checkGrowth(get, []byte(p.Checkpoint), latest, *key); err != nil {
					return problem(err)
				}
			}
		} else if p.TreeSize > nb.Size {
			return problem(fmt.Errorf("%w: the proof's checkpoint has %d records, more than the newest checkpoint's %d", checkpoint.ErrForged, p.TreeSize, nb.Size))
		}
		v, err := checkpoint.VerifyItemProof(&p, strings.TrimSpace(*key), *item, strings.ToLower(strings.TrimSpace(*want)))
		if err != nil {
			return problem(err)
		}
		pending := ""
		if v.Pending > 0 {
			pending = fmt.Sprintf(" (%d newer, not yet in a signed checkpoint)", v.Pending)
		}
		fmt.Fprintf(a.stdout, "item %d verified: %d versions in the log of %d records signed by %s, root %s%s\n",
			*item, v.Versions, v.Body.Size, v.Body.Origin, p.RootHash, pending)
	}
	if *save != "" {
		if err := os.WriteFile(*save, latest, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// checkGrowth fetches the consistency proof between two signed checkpoints
// and checks it.
func checkGrowth(get func(string) ([]byte, error), older, newer []byte, key string) error {
	ob, err := checkpoint.ParseNote(older)
	if err != nil {
		return err
	}
	nb, err := checkpoint.ParseNote(newer)
	if err != nil {
		return err
	}
	b, err := get("/public/checkpoints/consistency?from=" + strconv.FormatInt(ob.Size, 10) + "&to=" + strconv.FormatInt(nb.Size, 10))
	if err != nil {
		return err
	}
	var c checkpoint.ConsistencyProof
	if err := json.Unmarshal(b, &c); err != nil {
		return errors.New("the consistency proof is not JSON")
	}
	return checkpoint.VerifyGrowth(older, newer, &c, strings.TrimSpace(key))
}
