package registry

import (
	"context"
	"strconv"
	"strings"

	"steward.city/steward/internal/audit"
	"steward.city/steward/internal/civic"
)

// RecordContract records a platform agreement (ACC-6).
func (s *Service) RecordContract(ctx context.Context, actor civic.Actor, c *civic.Contract) error {
	if err := require(actor, civic.PermAccountsManage); err != nil {
		return err
	}
	return s.update(ctx, actor, func(tx civic.Tx) error { return tx.CreateContract(ctx, c) })
}

// RecordFollow records an account an official account follows, or
// classifies one already recorded (ACC-7).
func (s *Service) RecordFollow(ctx context.Context, actor civic.Actor, f *civic.Follow) error {
	if err := require(actor, civic.PermAccountsManage); err != nil {
		return err
	}
	return s.update(ctx, actor, func(tx civic.Tx) error { return tx.PutFollow(ctx, f) })
}

// PublishPolicy publishes a new version of a policy document (PPL-4);
// covered persons acknowledge it from then on.
func (s *Service) PublishPolicy(ctx context.Context, actor civic.Actor, p *civic.PolicyVersion) error {
	if err := require(actor, civic.PermPoliciesManage); err != nil {
		return err
	}
	return s.update(ctx, actor, func(tx civic.Tx) error { return tx.PublishPolicy(ctx, p) })
}

// CurrentPolicies returns the current (newest) version of each policy.
func CurrentPolicies(vs []*civic.PolicyVersion) []*civic.PolicyVersion {
	seen := map[string]bool{}
	var out []*civic.PolicyVersion
	for _, v := range vs { // newest first
		if !seen[v.Slug] {
			seen[v.Slug] = true
			out = append(out, v)
		}
	}
	return out
}

// Acknowledge records that actor, a covered person, acknowledges a policy
// version, which must be the current one.
func (s *Service) Acknowledge(ctx context.Context, actor civic.Actor, versionID int64) error {
	me := actor.User()
	if me == nil {
		return forbidden("a covered person acknowledges a policy: sign in")
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		vs, err := tx.PolicyVersions(ctx)
		if err != nil {
			return err
		}
		for _, v := range CurrentPolicies(vs) {
			if v.ID == versionID {
				return tx.Acknowledge(ctx, &civic.Acknowledgement{PolicyVersionID: v.ID, PersonID: me.PersonID})
			}
		}
		for _, v := range vs {
			if v.ID == versionID {
				return conflict("version %s of %s is no longer current: acknowledge the current one", v.Version, v.Title)
			}
		}
		return civic.Errorf(civic.KindNotFound, "policy version not found")
	})
}

// Outstanding is a current policy version and the covered persons who
// have not acknowledged it.
type Outstanding struct {
	Policy *civic.PolicyVersion
	People []*civic.Person
	Acked  map[int64]bool // person → acknowledged
}

// Acknowledgements returns, for each current policy, who has not
// acknowledged it among the people actor may see: every covered person for
// HR and administrators, a director's department for a director, and
// actor alone for anyone else.
func (s *Service) Acknowledgements(ctx context.Context, actor civic.Actor) ([]Outstanding, error) {
	vs, err := s.store.PolicyVersions(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := s.store.People(ctx, civic.PersonFilter{})
	if err != nil {
		return nil, err
	}
	var visible []*civic.Person
	for _, p := range ps {
		if actor.Can(civic.PermPoliciesManage) || isDirectorOf(actor.User(), p.DepartmentID) || actor.IsUser() && p.ID == actor.User().PersonID {
			visible = append(visible, p)
		}
	}
	var out []Outstanding
	for _, v := range CurrentPolicies(vs) {
		acks, err := s.store.Acknowledgements(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		o := Outstanding{Policy: v, Acked: map[int64]bool{}}
		for _, a := range acks {
			o.Acked[a.PersonID] = true
		}
		for _, p := range visible {
			if !o.Acked[p.ID] {
				o.People = append(o.People, p)
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// OpenCase opens a conduct case about a covered person (CND-1).
func (s *Service) OpenCase(ctx context.Context, actor civic.Actor, c *civic.ConductCase) error {
	if err := require(actor, civic.PermConductManage); err != nil {
		return err
	}
	c.OpenedBy = actor.UserID
	return s.update(ctx, actor, func(tx civic.Tx) error { return tx.CreateConductCase(ctx, c) })
}

// AddCaseEntry links evidence to an open case (an audit event by its
// number; an archived item by its id) or records a decision.
func (s *Service) AddCaseEntry(ctx context.Context, actor civic.Actor, caseID int64, kind, ref, text string) error {
	if err := require(actor, civic.PermConductManage); err != nil {
		return err
	}
	ref, text = strings.TrimSpace(ref), strings.TrimSpace(text)
	return s.update(ctx, actor, func(tx civic.Tx) error {
		c, err := tx.ConductCase(ctx, caseID)
		if err != nil {
			return err
		}
		if c.Status != civic.CaseOpen {
			return conflict("the case is closed")
		}
		switch kind {
		case "audit_event":
			// The number the actor sees in their audit log; the entry
			// keeps the event's citation number, the same for everyone
			// and telling nothing of events hidden from some.
			num, err := strconv.ParseInt(ref, 10, 64)
			if err != nil || num <= 0 {
				return civic.Invalid("ref", "give the audit event's number")
			}
			cites, err := audit.NewCitations(ctx, tx, actor.User())
			if err != nil {
				return err
			}
			seq, cite := cites.Cite(num)
			es, err := tx.AuditEvents(ctx, civic.AuditFilter{BeforeSeq: seq + 1, Limit: 1, HideObjectTypes: civic.HiddenObjectTypes(actor.User())})
			if err != nil {
				return err
			}
			if len(es) == 0 || es[0].Seq != seq {
				return civic.Invalid("ref", "there is no audit event %d", num)
			}
			if cite == 0 {
				return civic.Invalid("ref", "audit event %d is about a covert profile or a conduct case, which not everyone may see: describe it in a decision instead", num)
			}
			ref = strconv.FormatInt(cite, 10)
		case "archive_item":
			if ref == "" {
				return civic.Invalid("ref", "give the archived item's id")
			}
		case "decision":
			if text == "" {
				return civic.Invalid("text", "write the decision")
			}
		default:
			return civic.Invalid("kind", "kind must be audit_event, archive_item or decision")
		}
		return tx.AddCaseEntry(ctx, &civic.CaseEntry{CaseID: c.ID, Kind: kind, Ref: ref, Text: text, AddedBy: actor.UserID})
	})
}

// CloseCase closes a case with its outcome.
func (s *Service) CloseCase(ctx context.Context, actor civic.Actor, caseID int64, outcome string) error {
	if err := require(actor, civic.PermConductManage); err != nil {
		return err
	}
	outcome = strings.TrimSpace(outcome)
	if outcome == "" {
		return civic.Invalid("outcome", "record the outcome")
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		c, err := tx.ConductCase(ctx, caseID)
		if err != nil {
			return err
		}
		if c.Status != civic.CaseOpen {
			return conflict("the case is already closed")
		}
		now := tx.Now()
		c.Status, c.Outcome, c.ClosedAt = civic.CaseClosed, outcome, &now
		return tx.UpdateConductCase(ctx, c, "case.close")
	})
}
