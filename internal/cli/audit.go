package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/plain"
	"steward.city/steward/internal/sqlstore"
)

// auditVerify walks the audit chain and checks that it holds the heads the
// newest checkpoint and, with --since, a checkpoint published before
// commit to. A broken or unanchored chain exits with status 2.
func (a *app) auditVerify(args []string) error {
	f := a.flags("audit verify")
	sf := f.store()
	kf := f.keyFlags()
	key := f.String("key", "", "checkpoint verifier key to trust (default: the checkpoint key's, else the one the server published)")
	since := f.String("since", "", "a checkpoint published before (from /checkpoint or steward archive checkpoint): check the chain still holds the audit head it commits to")
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		published, err := readPublished(*since)
		if err != nil {
			return err
		}
		vkey, _, err := a.trustedKey(a.ctx, *key, kf, *sf.data)
		if err != nil {
			return err
		}
		if vkey == "" {
			if vkey, err = s.Setting(a.ctx, archive.SettingVerifier); err != nil {
				return err
			}
		}
		var broken *audit.BrokenError
		var unanchored *audit.AnchorError
		anchors, err := audit.Anchors(a.ctx, s, vkey, published)
		if errors.As(err, &unanchored) {
			// Walk the chain anyway: a break is the first thing to report.
			n, werr := audit.Verify(a.ctx, s)
			if errors.As(werr, &broken) {
				return problem(fmt.Errorf("%w (%d events before it are intact)", werr, n))
			}
			if werr != nil {
				return werr
			}
			return problem(fmt.Errorf("%w (the %d events are intact among themselves)", err, n))
		}
		if err != nil {
			return err
		}
		n, at, err := audit.VerifyAnchored(a.ctx, s, anchors)
		if errors.As(err, &broken) {
			return problem(fmt.Errorf("%w (%d events before it are intact)", err, n))
		}
		if errors.As(err, &unanchored) {
			return problem(fmt.Errorf("%w (the %d events are intact among themselves)", err, n))
		}
		if err != nil {
			return err
		}
		var by []string
		for i, an := range anchors {
			by = append(by, fmt.Sprintf("%s commits to event %d", an.From, at[i]))
		}
		fmt.Fprintf(a.stdout, "audit chain intact: %s verified\nanchored: %s; %s after it await the next checkpoint\n", plain.Count(int(n), "event", "events"), strings.Join(by, "; "), plain.Count(int(n-at[0]), "event", "events"))
		return nil
	})
}

// readPublished reads the checkpoint file given with --since; none is nil.
func readPublished(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	return os.ReadFile(path)
}
