package capture

import (
	"context"
	"fmt"
	"strings"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// profileEvery is how often an unchanged profile check is written again.
const profileEvery = 24 * time.Hour

// profile records what the live profile shows (ACC-3) on the registry's
// account, archives the profile when it changed, and flags what it lacks.
func (w *writer) profile(ctx context.Context, p *civic.RemoteProfile) error {
	lines := append([]string{p.Bio}, p.Fields...)
	site := p.Website
	if host := hostOf(w.acct.WebsiteURL); host != "" && !strings.Contains(strings.ToLower(site), host) {
		if l := find(lines, host); l != "" {
			site = l
		}
	}
	emergency := find(lines, "9-1-1", "911")
	disclaimer := find(lines, "disclaimer", "comment policy", "comments policy", "moderation policy", "terms of use", "public record")
	now := w.s.now()
	a := w.acct
	changed := a.ProfileWebsite != site || a.ProfileEmergency != emergency || a.ProfileDisclaimer != disclaimer
	if changed || a.ProfileCheckedAt == nil || now.Sub(*a.ProfileCheckedAt) > profileEvery {
		if err := w.s.store.Update(ctx, civic.System, func(tx civic.Tx) error {
			cur, err := tx.Account(ctx, a.ID)
			if err != nil {
				return err
			}
			t := tx.Now()
			cur.ProfileWebsite, cur.ProfileEmergency, cur.ProfileDisclaimer, cur.ProfileCheckedAt = site, emergency, disclaimer, &t
			*a = *cur
			return tx.UpdateAccount(ctx, cur, "account.profile_check")
		}); err != nil {
			return err
		}
	}
	// The profile itself is part of the record.
	o := civic.Observation{PlatformID: "profile:" + p.RemoteID, Kind: civic.ItemProfile, ThreadID: "profile:" + p.RemoteID,
		Author: civic.Author{ID: p.RemoteID, Handle: p.Handle, Name: p.DisplayName}, Text: profileText(p), State: civic.StateVisible, Raw: p.Raw}
	lastV, err := w.last(ctx, o.PlatformID)
	if err != nil {
		return err
	}
	cs, err := w.versions(ctx, &o, lastV, now)
	if err != nil {
		return err
	}
	if len(cs) > 0 {
		res, err := w.s.ingest(ctx, []archive.Record{cs[len(cs)-1].rec})
		if err != nil {
			return err
		}
		w.t.stored += res.Stored
	}
	if missing := a.Missing(); len(missing) > 0 {
		return w.flag(ctx, &civic.CaptureFlag{Kind: civic.FlagProfile, Subject: "missing: " + strings.Join(missing, ", "),
			Detail: "The live profile lacks: " + strings.Join(missing, "; ") + "."})
	}
	return nil
}

func profileText(p *civic.RemoteProfile) string {
	parts := []string{p.DisplayName, p.Bio}
	if p.Website != "" {
		parts = append(parts, "Website: "+p.Website)
	}
	parts = append(parts, p.Fields...)
	return strings.TrimSpace(strings.Join(parts, "\n"))
}

// find returns the first line holding one of the words (case-insensitive).
func find(lines []string, words ...string) string {
	for _, l := range lines {
		for part := range strings.SplitSeq(l, "\n") {
			low := strings.ToLower(part)
			for _, w := range words {
				if strings.Contains(low, strings.ToLower(w)) {
					return strings.TrimSpace(part)
				}
			}
		}
	}
	return ""
}

func hostOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s, _, _ = strings.Cut(s, "/")
	return strings.TrimPrefix(s, "www.")
}

// follows records each followed account the registry does not list yet,
// for review (ACC-7), and flags it.
func (w *writer) follows(ctx context.Context, fs []civic.RemoteAccount) error {
	if len(fs) == 0 {
		return nil
	}
	known, err := w.s.store.Follows(ctx, w.acct.ID)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, f := range known {
		have[strings.ToLower(f.Handle)] = true
	}
	for _, f := range fs {
		if f.Handle == "" || have[strings.ToLower(f.Handle)] {
			continue
		}
		have[strings.ToLower(f.Handle)] = true
		name := f.Name
		if name == "" {
			name = f.Handle
		}
		if err := w.s.store.Update(ctx, civic.System, func(tx civic.Tx) error {
			return tx.PutFollow(ctx, &civic.Follow{AccountID: w.acct.ID, Handle: f.Handle, Name: name, Kind: civic.FollowReview,
				Note: "seen on the platform by capture; classify it"})
		}); err != nil {
			return err
		}
		if err := w.flag(ctx, &civic.CaptureFlag{Kind: civic.FlagFollow, Subject: f.Handle,
			Detail: fmt.Sprintf("The account follows %s (%s); check it is an allowed kind of entity.", f.Handle, name)}); err != nil {
			return err
		}
	}
	return nil
}

// blocks flags every block or mute on the official account (MOD-4).
func (w *writer) blocks(ctx context.Context, bs []civic.RemoteAccount) error {
	for _, b := range bs {
		kind := b.Kind
		if kind == "" {
			kind = "block"
		}
		verb := map[string]string{"block": "blocks", "mute": "mutes"}[kind]
		if verb == "" {
			verb = kind + "s"
		}
		if err := w.flag(ctx, &civic.CaptureFlag{Kind: civic.FlagBlock, Subject: kind + ":" + b.RemoteID,
			Detail: fmt.Sprintf("The official account %s %s %s (%s). Official accounts never block anyone (MOD-4).", w.c.Handle, verb, b.Handle, b.Name)}); err != nil {
			return err
		}
	}
	return nil
}

// flag raises f once per subject and tells Communications in the app.
func (w *writer) flag(ctx context.Context, f *civic.CaptureFlag) error {
	f.ConnectionID = w.c.ID
	return w.s.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		isNew, err := tx.RaiseCaptureFlag(ctx, f)
		if err != nil || !isNew {
			return err
		}
		w.t.flags++
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.DisabledAt != nil || !u.Has(civic.RoleCommunications) {
				continue
			}
			if err := tx.Notify(ctx, &civic.Notification{UserID: u.ID, Kind: "capture_" + string(f.Kind),
				Message: fmt.Sprintf("%s on %s: %s", f.Kind.Label(), w.c.Ref(), f.Detail), Link: "/capture/flags"}); err != nil {
				return err
			}
		}
		return nil
	})
}
