package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
)

// portalMarkers are words seeded only into what the public portal must
// never show: a covert profile's own account and its comments, a direct
// message, a comment the clerk classified private, a comment removed for
// private information, and an account that is not an official one.
var portalMarkers = []string{"zebracovertacct", "zebracovertauthor", "zebracovertlocal", "zebramessage", "zebraclerk", "zebrapii", "zebrareg"}

// portalSeed is what seedPortal made.
type portalSeed struct {
	public, covert, withheld []int64 // item ids
	pwAccount, trapAccount   int64   // registry ids: Public Works, and an official account named like the covert profile
	post                     int64   // fb-1, edited, with comments
	spam                     int64   // fb-4, hidden as spam with its tracking form
}

// seedPortal registers the demo archive's two accounts as official ones
// and adds the records the portal must hide or withhold.
func seedPortal(t testing.TB, a *testApp) *portalSeed {
	t.Helper()
	ctx := context.Background()
	s := &portalSeed{}
	now := a.clock.Now()
	err := a.store.Update(ctx, civic.CLI, func(tx civic.Tx) error {
		ps, err := tx.People(ctx, civic.PersonFilter{})
		if err != nil {
			return err
		}
		comms, err := tx.UserByEmail(ctx, "communications@demo-city.example")
		if err != nil {
			return err
		}
		for _, e := range []struct{ dept, platform, handle, name string }{
			{"public-works", "facebook", "DemoCityPublicWorks", "Demo City Public Works"},
			{"parks", "mastodon", "@parks@demo-city.example", "Demo City Parks (fediverse)"},
			{"police", "facebook", "river.fan.2219", "Trap: named like the covert profile"},
		} {
			d, err := tx.DepartmentBySlug(ctx, e.dept)
			if err != nil {
				d, err = tx.DepartmentBySlug(ctx, "communications")
				if err != nil {
					return err
				}
			}
			ac := &civic.Account{DepartmentID: d.ID, Platform: e.platform, Handle: e.handle, DisplayName: e.name, Purpose: "news", Audience: "residents",
				Categories: []string{"announcements"}, AdminIDs: []int64{ps[0].ID, ps[1].ID}, ProfileText: "Official account.", RequestedBy: comms.ID,
				WebsiteURL: "https://www.demo-city.example/"}
			if err := tx.CreateAccount(ctx, ac); err != nil {
				return err
			}
			ac.Status, ac.ApprovedAt, ac.ActivatedAt = civic.AccountActive, &now, &now
			if err := tx.UpdateAccount(ctx, ac, "account.activate"); err != nil {
				return err
			}
			switch e.handle {
			case "DemoCityPublicWorks":
				s.pwAccount = ac.ID
			case "river.fan.2219":
				s.trapAccount = ac.ID
			}
		}
		rec := func(account, id, kind, parent, thread, author, text string, ago time.Duration) archive.Record {
			at := now.Add(-ago)
			return archive.Record{Account: account, ID: id, Kind: kind, Parent: parent, Thread: thread, CapturedAt: at.Format(time.RFC3339Nano),
				Author: civic.Author{ID: author, Handle: author, Name: author}, Text: text, Raw: []byte(`{}`)}
		}
		pw, parks := "facebook:DemoCityPublicWorks", "mastodon:@parks@demo-city.example"
		recs := []archive.Record{
			rec("facebook:river.fan.2219", "cv-1", "post", "", "", "river.fan.2219", "zebracovertacct posted by the covert profile", 10*time.Hour),
			rec(pw, "fb-20", "comment", "fb-1", "fb-1", "river.fan.2219", "zebracovertauthor comment from the covert profile", 9*time.Hour),
			rec(parks, "c20", "comment", "p1", "p1", "@river.fan.2219@social.example", "zebracovertlocal from the covert profile on an instance", 9*time.Hour),
			rec(pw, "dm-1", "message", "", "dm-1", "resident.42", "zebramessage: my neighbour's address is 12 Elm", 8*time.Hour),
			rec(pw, "fb-21", "comment", "fb-1", "fb-1", "resident.43", "zebraclerk about a city employee's discipline", 7*time.Hour),
			rec(pw, "fb-22", "comment", "fb-1", "fb-1", "resident.44", "zebrapii call my ex at her home", 6*time.Hour),
			rec("facebook:SomeoneElse", "se-1", "post", "", "", "SomeoneElse", "zebrareg from an account that is not the city's", 5*time.Hour),
			rec(pw, "fb-1", "post", "", "", "DemoCityPublicWorks", "Pothole repairs on Main Street start Tuesday; expect lane closures.", 4*time.Hour),
		}
		var vs []*civic.Version
		for _, r := range recs {
			v, err := r.Version(now)
			if err != nil {
				return err
			}
			vs = append(vs, v)
		}
		if _, err := tx.IngestVersions(ctx, vs, 0); err != nil {
			return err
		}
		s.covert = []int64{vs[0].ItemID, vs[1].ItemID, vs[2].ItemID, vs[6].ItemID}
		s.withheld = []int64{vs[3].ItemID, vs[4].ItemID, vs[5].ItemID}
		s.post = vs[7].ItemID
		// The comment with private information is removed for it.
		r := &civic.Review{ItemID: vs[5].ItemID, VersionID: vs[5].ID, AccountID: vs[5].AccountID, Labels: []string{"private_info"}, Scores: map[string]float64{}, Source: "screening", CapturedAt: vs[5].CapturedAt}
		if err := tx.QueueReview(ctx, r); err != nil {
			return err
		}
		d := &civic.ModerationDecision{ReviewID: r.ID, ItemID: r.ItemID, Action: civic.DecisionRemove, Code: "private_info", Note: "home address",
			Status: civic.DecisionFinal, DecidedByID: comms.ID, FinalAt: &now, CarryStatus: moderation.CarryNoConnection}
		if err := tx.CreateDecision(ctx, d); err != nil {
			return err
		}
		spam, err := tx.ArchiveItemByPlatformID(ctx, pw, "fb-4")
		if err != nil {
			return err
		}
		s.spam = spam.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clerk, err := a.store.UserByEmail(ctx, demoEmail(civic.RoleClerk))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svcs.Archive.Classify(ctx, civic.ActorOf(clerk), s.withheld[1], 0, civic.Classification{Class: civic.ClassPrivate, Statute: "13.43", Reason: "personnel data of a named employee"}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"facebook:DemoCityPublicWorks", "mastodon:@parks@demo-city.example"} {
		it, err := a.store.ArchiveItemByPlatformID(ctx, ref, map[bool]string{true: "fb-1", false: "p1"}[strings.HasPrefix(ref, "facebook")])
		if err != nil {
			t.Fatal(err)
		}
		s.public = append(s.public, it.ID)
	}
	return s
}

// get requests path from the public, as a stranger.
func (a *testApp) get(path string, header ...string) (*http.Response, string) {
	a.t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	res := a.do(request{method: http.MethodGet, path: path, header: h})
	return res, readBody(a.t, res)
}
