package registry

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
)

// mayKnowCovert reports whether u may know that covert profile p exists:
// SIC commanders and its maintainer while they hold maintainer access
// (CVT-1, CVT-4). The command line (nil) may.
func mayKnowCovert(actor civic.Actor, p *civic.CovertProfile) bool {
	if actor.Trusted() {
		return true
	}
	u := actor.User()
	if u == nil {
		return false
	}
	return u.DisabledAt == nil && (u.Has(civic.RoleSICCommander) || (u.ID == p.MaintainerID && u.CovertMaintainer))
}

// notFoundCovert is what anyone else is told: there is no such page.
func notFoundCovert() error { return civic.Errorf(civic.KindNotFound, "page not found") }

// CovertProfiles lists the profiles actor may know of: every one for a SIC
// commander, the ones they maintain for a user holding maintainer access,
// none for anyone else.
func (s *Service) CovertProfiles(ctx context.Context, actor civic.Actor) ([]*civic.CovertProfile, error) {
	u := actor.User()
	switch {
	case actor.Trusted(), u != nil && u.DisabledAt == nil && u.Has(civic.RoleSICCommander):
		return s.store.CovertProfiles(ctx, 0)
	case u != nil && u.DisabledAt == nil && u.CovertMaintainer:
		return s.store.CovertProfiles(ctx, actor.UserID)
	}
	return []*civic.CovertProfile{}, nil
}

// CovertProfile returns the profile, its audits and its credentials, or
// KindNotFound for anyone who may not know of it.
func (s *Service) CovertProfile(ctx context.Context, actor civic.Actor, profileID int64) (*civic.CovertProfile, []*civic.CovertAudit, []*civic.Credential, error) {
	p, err := s.store.CovertProfile(ctx, profileID)
	if err != nil {
		return nil, nil, nil, notFoundCovert()
	}
	if !mayKnowCovert(actor, p) {
		return nil, nil, nil, notFoundCovert()
	}
	as, err := s.store.CovertAudits(ctx, p.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	cs, err := s.store.Credentials(ctx, 0, p.ID)
	return p, as, cs, err
}

// RegisterCovert registers a covert profile with the SIC commander (CVT-1),
// its first audit due a year after registration.
func (s *Service) RegisterCovert(ctx context.Context, actor civic.Actor, p *civic.CovertProfile) error {
	if err := require(actor, civic.PermCovertManage); err != nil {
		return err
	}
	if p.RegisteredOn.IsZero() {
		// Registered today, the city's day: a calendar day like a date
		// typed in, so the next audit falls on the same day a year on.
		p.RegisteredOn = s.today(s.now())
	}
	return s.update(ctx, actor, func(tx civic.Tx) error { return tx.CreateCovertProfile(ctx, p) })
}

// AuditCovert records the commander's yearly audit (CVT-2): is the profile
// still active, still needed. The next audit is due a year later.
func (s *Service) AuditCovert(ctx context.Context, actor civic.Actor, profileID int64, stillActive, stillNeeded bool, note string) error {
	if err := require(actor, civic.PermCovertManage); err != nil {
		return notFoundCovert()
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		p, err := tx.CovertProfile(ctx, profileID)
		if err != nil {
			return notFoundCovert()
		}
		if p.Status != civic.CovertActive {
			return conflict("the profile is %s; it needs no more audits", p.Status)
		}
		a := &civic.CovertAudit{ProfileID: p.ID, AuditorID: actor.UserID, StillActive: stillActive, StillNeeded: stillNeeded, Note: strings.TrimSpace(note)}
		return tx.CreateCovertAudit(ctx, a, tx.Now().Add(civic.CovertAuditEvery))
	})
}

// EndCovert records that a profile no longer needed was deactivated or
// deleted on the given day (CVT-3); its maintainer or a commander may. The
// commanders are notified; the registry keeps the profile and its history.
func (s *Service) EndCovert(ctx context.Context, actor civic.Actor, profileID int64, to civic.CovertStatus, on time.Time, reason string) error {
	reason = strings.TrimSpace(reason)
	err := s.update(ctx, actor, func(tx civic.Tx) error {
		p, err := tx.CovertProfile(ctx, profileID)
		if err != nil || !mayKnowCovert(actor, p) {
			return notFoundCovert()
		}
		if to != civic.CovertDeactivated && to != civic.CovertDeleted {
			return civic.Invalid("status", "choose deactivated or deleted")
		}
		if p.Status != civic.CovertActive {
			return conflict("the profile is already %s", p.Status)
		}
		if reason == "" {
			return civic.Invalid("reason", "say why the profile is no longer needed")
		}
		today := s.today(tx.Now())
		d := today
		if !on.IsZero() {
			d = day(on)
		}
		if d.After(today) {
			return civic.Invalid("ended_on", "the date cannot be in the future")
		}
		p.Status, p.EndedOn, p.EndReason = to, &d, reason
		if err := tx.UpdateCovertProfile(ctx, p, "covert."+strings.TrimSuffix(string(to), "d")); err != nil {
			return err
		}
		commanders, err := usersWhere(ctx, tx, func(u *civic.User) bool { return u.Has(civic.RoleSICCommander) })
		if err != nil {
			return err
		}
		return s.notify(ctx, tx, commanders, "covert_ended", fmt.Sprintf("Covert profile %s on %s was %s.", p.ScreenName, p.SiteName, to), "/covert?profile="+id(p.ID))
	})
	return err
}

// StoreCovertPassword keeps the profile's password in custody (CVT-4): the
// maintainer or a commander stores it.
func (s *Service) StoreCovertPassword(ctx context.Context, actor civic.Actor, profileID int64, secret string) error {
	if strings.TrimSpace(secret) == "" {
		return civic.Invalid("secret", "give the password to keep")
	}
	sealed, err := s.vault.Seal([]byte(secret))
	if err != nil {
		return err
	}
	return s.update(ctx, actor, func(tx civic.Tx) error {
		p, err := tx.CovertProfile(ctx, profileID)
		if err != nil || !mayKnowCovert(actor, p) {
			return notFoundCovert()
		}
		return tx.PutCredential(ctx, &civic.Credential{CovertID: p.ID, Kind: civic.CredentialPassword, Sealed: sealed, StoredBy: actor.UserID})
	})
}

// CovertHistory lists the audit events of a profile, for those who may
// know of it.
func (s *Service) CovertHistory(ctx context.Context, actor civic.Actor, profileID int64) ([]*civic.AuditEvent, error) {
	p, err := s.store.CovertProfile(ctx, profileID)
	if err != nil || !mayKnowCovert(actor, p) {
		return nil, notFoundCovert()
	}
	es, err := s.store.AuditEvents(ctx, civic.AuditFilter{ObjectType: "covert_profile", ObjectID: id(p.ID), Limit: 200})
	if err != nil {
		return nil, err
	}
	cs, err := s.store.Credentials(ctx, 0, p.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		more, err := s.store.AuditEvents(ctx, civic.AuditFilter{ObjectType: c.ObjectType(), ObjectID: id(c.ID), Limit: 200})
		if err != nil {
			return nil, err
		}
		es = append(es, more...)
	}
	slices.SortFunc(es, func(a, b *civic.AuditEvent) int { return cmp.Compare(b.Seq, a.Seq) })
	return es, nil
}

// SweepDue sends the notifications that time brings: authorizations that
// expire within two weeks or whose recertification is overdue (to the
// account's directors), and covert audits that are overdue (to the
// commanders). It notifies each thing once a day at most.
func (s *Service) SweepDue(ctx context.Context) error {
	now := s.now()
	err := s.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		us, err := usersWhere(ctx, tx, func(*civic.User) bool { return true })
		if err != nil {
			return err
		}
		already := func(u *civic.User, link, kind string) (bool, error) {
			ns, err := tx.Notifications(ctx, u.ID)
			if err != nil {
				return false, err
			}
			for _, n := range ns {
				if n.Link == link && n.Kind == kind && now.Sub(n.CreatedAt) < 24*time.Hour {
					return true, nil
				}
			}
			return false, nil
		}
		send := func(to []*civic.User, kind, msg, link string) error {
			var fresh []*civic.User
			for _, u := range to {
				done, err := already(u, link, kind)
				if err != nil {
					return err
				}
				if !done {
					fresh = append(fresh, u)
				}
			}
			return s.notify(ctx, tx, fresh, kind, msg, link)
		}
		ps, err := tx.Posters(ctx, civic.PosterFilter{Status: civic.PosterGranted})
		if err != nil {
			return err
		}
		for _, p := range ps {
			if !p.Active(now) {
				continue
			}
			var directors []*civic.User
			for _, u := range us {
				if isDirectorOf(u, p.DepartmentID) {
					directors = append(directors, u)
				}
			}
			link := "/posters#poster-" + id(p.ID)
			if p.ExpiresAt.Sub(now) < 14*24*time.Hour {
				if err := send(directors, "grant_expiring", fmt.Sprintf("%s's authorization to post for %s expires on %s.", p.UserEmail, p.AccountHandle, plain.Day(*p.ExpiresAt)), link); err != nil {
					return err
				}
			}
			if p.Overdue(now) {
				if err := send(directors, "recertification_overdue", fmt.Sprintf("Recertify %s's authorization to post for %s: it is overdue.", p.UserEmail, p.AccountHandle), link); err != nil {
					return err
				}
			}
		}
		cps, err := tx.CovertProfiles(ctx, 0)
		if err != nil {
			return err
		}
		var commanders []*civic.User
		for _, u := range us {
			if u.Has(civic.RoleSICCommander) {
				commanders = append(commanders, u)
			}
		}
		for _, p := range cps {
			if p.AuditOverdue(s.today(now)) {
				if err := send(commanders, "audit_overdue", fmt.Sprintf("The yearly audit of covert profile %s on %s is overdue.", p.ScreenName, p.SiteName), "/covert?profile="+id(p.ID)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return err
}
