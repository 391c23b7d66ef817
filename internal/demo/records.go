package demo

import (
	"context"
	"time"

	"steward.city/steward/internal/civic"
)

// seedRecords logs two records requests, one of them overdue, so that the
// records pages have something to show.
func seedRecords(ctx context.Context, tx civic.Tx) error {
	now := tx.Now()
	day := func(d time.Duration) *time.Time {
		t := now.Add(d).UTC().Truncate(24 * time.Hour)
		return &t
	}
	for _, r := range []*civic.RecordsRequest{
		{Requester: "K. Berg", Contact: "kberg@social.example", ReceivedOn: *day(-20 * 24 * time.Hour), Subject: true, Kind: civic.RequestData,
			Description: "Every comment I made about the splash pad", Scope: []string{`author:@kberg@social.example`}, Status: civic.RequestOpen, DueOn: day(-6 * 24 * time.Hour)},
		{Requester: "Hill & Stone LLP", Contact: "records@hillstone.example", ReceivedOn: *day(-2 * 24 * time.Hour), Kind: civic.RequestSubpoena,
			Description: "Berg v. Demo City: posts and comments about the splash pad", Scope: []string{`"splash pad"`}, Status: civic.RequestOpen, DueOn: day(12 * 24 * time.Hour)},
	} {
		if err := tx.CreateRecordsRequest(ctx, r); err != nil {
			return err
		}
	}
	return nil
}
