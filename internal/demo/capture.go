package demo

import (
	"context"
	"time"

	"steward.city/steward/internal/civic"
)

// seedCapture registers the city's Mastodon account, connects it without a token (so it shows as broken, as a connection
// whose token was refused does) and raises a block flag, so that the
// capture pages have something to show.
func seedCapture(ctx context.Context, tx civic.Tx) error {
	main, err := tx.Accounts(ctx, civic.AccountFilter{Platform: "facebook", Query: "CityOfDemo"})
	if err != nil || len(main) == 0 {
		return err
	}
	p := main[0]
	a := &civic.Account{DepartmentID: p.DepartmentID, Platform: "mastodon", Handle: "@city@demo-city.example", DisplayName: "City of Demo",
		URL: "https://demo-city.example/@city", Purpose: "Announcements and emergencies, for residents on the fediverse", Audience: "Residents",
		Categories: []string{"announcements", "community_engagement"}, AdminIDs: p.AdminIDs, WebsiteURL: "https://www.demo-city.example/",
		ProfileText: "Official account of the City of Demo. Not monitored 24/7: in an emergency call 9-1-1. Comments are public records.", RequestedBy: p.RequestedBy}
	if err := tx.CreateAccount(ctx, a); err != nil {
		return err
	}
	now := tx.Now()
	a.Status, a.ApprovedAt, a.ActivatedAt = civic.AccountActive, &now, &now
	if err := tx.UpdateAccount(ctx, a, "account.activate"); err != nil {
		return err
	}
	c := &civic.Connection{AccountID: a.ID, Platform: "mastodon", BaseURL: "https://demo-city.example", RemoteID: "109", Handle: a.Handle, Interval: 10 * time.Minute}
	if err := tx.CreateConnection(ctx, c); err != nil {
		return err
	}
	last, failed := now.Add(-time.Hour), now.Add(-5*time.Minute)
	c.Status, c.LastError, c.ErrorKind, c.Failures, c.LastRun, c.LastSuccess, c.NextRun = civic.ConnectionBroken,
		"mastodon: auth (HTTP 401): The access token is invalid", string(civic.PlatformAuth), 1, &failed, &last, failed.Add(10*time.Minute)
	if err := tx.SetConnectionRun(ctx, c); err != nil {
		return err
	}
	for _, r := range []*civic.CaptureRun{
		{ConnectionID: c.ID, StartedAt: last, FinishedAt: last.Add(2 * time.Second), Pages: 1, Stored: 7, Edits: 1, Deletions: 1, Flags: 1},
		{ConnectionID: c.ID, StartedAt: failed, FinishedAt: failed.Add(time.Second), Error: c.LastError, ErrorKind: c.ErrorKind},
	} {
		if err := tx.AddCaptureRun(ctx, r); err != nil {
			return err
		}
	}
	_, err = tx.RaiseCaptureFlag(ctx, &civic.CaptureFlag{ConnectionID: c.ID, Kind: civic.FlagBlock, Subject: "block:4471",
		Detail: "The official account @city@demo-city.example blocks @kberg@social.example (K. Berg). Official accounts never block anyone (MOD-4)."})
	return err
}
