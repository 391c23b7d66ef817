package archive

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"steward.city/steward/internal/blob"
	"steward.city/steward/internal/civic"
)

// Outcome is what became of one record of a batch.
type Outcome struct {
	Index     int    `json:"index"`
	Status    string `json:"status"` // stored, duplicate or rejected
	VersionID int64  `json:"version_id,omitempty"`
	ItemID    int64  `json:"item_id,omitempty"`
	Hash      string `json:"hash,omitempty"`
	Error     *Fault `json:"error,omitempty"`
}

// Fault is why a record was rejected, in the API's error shape.
type Fault struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Result is the answer to a batch.
type Result struct {
	Stored     int       `json:"stored"`
	Duplicates int       `json:"duplicates"`
	Rejected   int       `json:"rejected"`
	Records    []Outcome `json:"records"`
}

// Ingest validates each record and stores the good ones in one
// transaction: the same version twice is stored once, a bad record is
// rejected with an error naming its field, and the batch is one audit
// event with its counts. decodeErrs, when not nil, holds errors from
// DecodeBatch at the same indexes; those records count as rejected. A
// record that names a file of a draft's attachment without its bytes is
// rejected (draftFiles).
func (s *Service) Ingest(ctx context.Context, actor civic.Actor, records []Record, decodeErrs []error) (*Result, error) {
	if err := civic.Require(actor, civic.PermArchiveIngest); err != nil {
		return nil, err
	}
	decodeErrs, err := s.draftFiles(ctx, records, decodeErrs)
	if err != nil {
		return nil, err
	}
	return s.ingest(ctx, actor, records, decodeErrs)
}

// draftFiles rejects each record that names, by its hash alone, a file
// someone uploaded for a draft: the record would carry the file into
// exports and WARC files read by people who may not read the draft, to
// anyone who learnt its hash (the audit log holds it). Bytes sent with
// the record prove their sender has them; the publish service, which
// archives the files a post sent, ingests as system:publish.
func (s *Service) draftFiles(ctx context.Context, records []Record, errs []error) ([]error, error) {
	for i, rec := range records {
		if errs != nil && errs[i] != nil {
			continue
		}
		for j, m := range rec.Media {
			if m.Data != nil || !blob.ValidHash(m.SHA256) {
				continue
			}
			used, err := s.store.MediaInUse(ctx, m.SHA256)
			if err != nil {
				return nil, err
			}
			if used {
				if errs == nil {
					errs = make([]error, len(records))
				}
				errs[i] = civic.Invalid(fmt.Sprintf("media[%d].sha256", j), "names a file uploaded for a draft; an archived record may name it only with its bytes")
				break
			}
		}
	}
	return errs, nil
}

// IngestAs is Ingest done by one of Steward's own loops, whose audit event
// names it: system is "system:<loop>" ("system:capture"). The actor is
// civic.Process(system), which checks no permission: it is reachable from
// Steward's code only, never from a request.
func (s *Service) IngestAs(ctx context.Context, system string, records []Record) (*Result, error) {
	if name, ok := strings.CutPrefix(system, "system:"); !ok || name == "" {
		return nil, civic.Invalid("actor", "a system actor is named system:<loop>, not %q", system)
	}
	return s.ingest(ctx, civic.Process(system), records, nil)
}

func (s *Service) ingest(ctx context.Context, who civic.Actor, records []Record, decodeErrs []error) (*Result, error) {
	if len(records) > MaxBatch {
		return nil, civic.Invalid("records", "a batch holds at most %d records", MaxBatch)
	}
	res := &Result{Records: make([]Outcome, len(records))}
	now := s.now()
	reject := func(i int, err error) {
		res.Rejected++
		res.Records[i] = Outcome{Index: i, Status: "rejected", Error: &Fault{Code: civic.ErrorKind(err).String(), Message: civic.ErrorMessage(err), Field: civic.ErrorField(err)}}
	}
	// Check and hash each record before taking the write lock: it needs
	// nothing from the store, and concurrent callers do it in parallel.
	versions := make([]*civic.Version, len(records))
	checked := make([]error, len(records))
	for i := range records {
		if decodeErrs != nil && decodeErrs[i] != nil {
			checked[i] = decodeErrs[i]
			continue
		}
		versions[i], checked[i] = records[i].Version(now)
	}
	err := s.store.Update(ctx, who, func(tx civic.Tx) error {
		*res = Result{Records: make([]Outcome, len(records))}
		requireKnown, err := tx.Setting(ctx, SettingRequireKnown)
		if err != nil {
			return err
		}
		holds, err := activeHolds(ctx, tx)
		if err != nil {
			return err
		}
		depts := map[string]int64{}
		known := map[string]bool{}
		var vs []*civic.Version
		var idx []int
		for i := range records {
			if checked[i] != nil {
				reject(i, checked[i])
				continue
			}
			v := versions[i]
			if err := s.check(ctx, tx, v, &records[i], requireKnown == "true", depts, known); err != nil {
				reject(i, err)
				continue
			}
			v.Holds = holds.cover(v)
			vs = append(vs, v)
			idx = append(idx, i)
		}
		isNew, err := tx.IngestVersions(ctx, vs, res.Rejected)
		if err != nil {
			return err
		}
		var stored []*civic.Version
		for j, v := range vs {
			o := Outcome{Index: idx[j], Status: "duplicate", VersionID: v.ID, ItemID: v.ItemID, Hash: v.Hash}
			if isNew[j] {
				o.Status = "stored"
				res.Stored++
				stored = append(stored, v)
			} else {
				res.Duplicates++
			}
			res.Records[idx[j]] = o
		}
		if len(stored) == 0 {
			return nil
		}
		for _, h := range s.onIngest {
			if err := h(ctx, tx, stored); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.putMedia(ctx, records, res); err != nil {
		return res, err
	}
	return res, nil
}

// check validates a checked record's version against the store: its
// department and, when required, that its account is registered.
func (s *Service) check(ctx context.Context, tx civic.Tx, v *civic.Version, rec *Record, requireKnown bool, depts map[string]int64, known map[string]bool) error {
	if rec.Department != "" {
		id, ok := depts[rec.Department]
		if !ok {
			d, err := tx.DepartmentBySlug(ctx, rec.Department)
			if err != nil {
				if civic.ErrorKind(err) == civic.KindNotFound {
					return civic.Invalid("department", "no department with the short name %q", clip(rec.Department))
				}
				return err
			}
			id = d.ID
			depts[rec.Department] = id
		}
		v.DepartmentID = id
	}
	if requireKnown {
		ok, seen := known[v.Account]
		if !seen {
			_, err := tx.ArchiveAccountByRef(ctx, v.Account)
			if err != nil && civic.ErrorKind(err) != civic.KindNotFound {
				return err
			}
			ok = err == nil
			known[v.Account] = ok
		}
		if !ok {
			return civic.Invalid("account", "the account %q is not registered in the archive", clip(v.Account))
		}
	}
	return nil
}

// putMedia stores the media files Go callers passed with their records.
// Files are stored after the versions that refer to them: a failure here
// leaves a reference without its file, which a retry fills in, and never a
// file without its record.
func (s *Service) putMedia(ctx context.Context, records []Record, res *Result) error {
	for i, rec := range records {
		if res.Records[i].Status == "rejected" {
			continue
		}
		for _, m := range rec.Media {
			if m.Data == nil {
				continue
			}
			if s.blobs == nil {
				return civic.Errorf(civic.KindUnavailable, "no media store is configured")
			}
			if _, _, err := s.blobs.Put(ctx, m.SHA256, bytes.NewReader(m.Data)); err != nil {
				return fmt.Errorf("store media %s: %w", m.SHA256, err)
			}
		}
	}
	return nil
}

// RegisterAccount adds an account to the archive before anything is
// captured from it, as ingest requires when archive.require_known_accounts
// is "true". department is a department slug or "".
func (s *Service) RegisterAccount(ctx context.Context, actor civic.Actor, ref, department string) (*civic.ArchiveAccount, error) {
	if err := civic.Require(actor, civic.PermArchiveIngest); err != nil {
		return nil, err
	}
	a := &civic.ArchiveAccount{Ref: ref}
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		if department != "" {
			d, err := tx.DepartmentBySlug(ctx, department)
			if err != nil {
				return civic.Invalid("department", "no department with the short name %q", clip(department))
			}
			a.DepartmentID = d.ID
		}
		return tx.RegisterArchiveAccount(ctx, a)
	})
	return a, err
}

// IngestAccount returns the archive account with the given id, for one who
// may put records into the archive (an import into it); an id that is no
// archive account's is invalid, naming the account.
func (s *Service) IngestAccount(ctx context.Context, actor civic.Actor, id int64) (*civic.ArchiveAccount, error) {
	if err := civic.Require(actor, civic.PermArchiveIngest); err != nil {
		return nil, err
	}
	as, err := s.store.ArchiveAccounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.ID == id {
			return a, nil
		}
	}
	return nil, civic.Invalid("account", "no archived account with id %d", id)
}
