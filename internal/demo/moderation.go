package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/moderation"
)

// moderationDemo are comments that give the moderation pages something to
// show: two flagged comments waiting in the queue and one hidden as spam.
var moderationDemo = []demoRecord{
	{"mastodon:@parks@demo-city.example", "parks", "c5", "comment", "p1", 30 * time.Hour, "Dave's Neighbor", "@neighbor@social.example", "Ranger Dave is an idiot and should be fired", "visible", nil},
	{"mastodon:@parks@demo-city.example", "parks", "c6", "comment", "p1", 20 * time.Hour, "Pat Quinn", "@pat@social.example", "Found a dog near the splash pad, call me at 651-555-0199", "visible", nil},
	{"facebook:DemoCityPublicWorks", "public-works", "fb-4", "comment", "fb-1", 40 * time.Hour, "Growth Guru", "growth.guru.77", "Cheap followers at followers.example, limited offer!", "visible", nil},
}

// demoWords flags the demo comments as the classifier would.
var demoWords = moderation.Words{"harassment": {"idiot"}, "private_info": {"651-555-0199"}, "spam": {"cheap followers"}}

// seedModeration queues the flagged demo comments, hides the spam with its
// tracking form, files a public inquiry about it, and marks every demo
// version as screened so that the screening loop does not queue them again.
func seedModeration(ctx context.Context, tx civic.Tx) error {
	now := tx.Now()
	var vs []*civic.Version
	for _, d := range moderationDemo {
		at := now.Add(-d.ago)
		thread := "p1"
		if d.parent == "fb-1" {
			thread = "fb-1"
		}
		rec := archive.Record{Account: d.account, ID: d.id, Kind: d.kind, Parent: d.parent, Thread: thread, CapturedAt: at.Format(time.RFC3339Nano),
			PlatformTime: at.Add(-time.Minute).Format(time.RFC3339), Author: civic.Author{ID: d.handle, Handle: d.handle, Name: d.author},
			Text: d.text, State: d.state, Raw: []byte(fmt.Sprintf(`{"id":%q,"content":%q,"demo":true}`, d.id, d.text))}
		v, err := rec.Version(now)
		if err != nil {
			return fmt.Errorf("demo record %s: %w", d.id, err)
		}
		vs = append(vs, v)
	}
	if _, err := tx.IngestVersions(ctx, vs, 0); err != nil {
		return err
	}
	var reviews []*civic.Review
	for _, v := range vs {
		res := demoWords.Screen(v.Text, "")
		r := &civic.Review{ItemID: v.ItemID, VersionID: v.ID, AccountID: v.AccountID, Labels: res.Labels, Scores: res.Scores, Evidence: res.Evidence,
			Source: "screening", PostedAt: v.PlatformTime, CapturedAt: v.CapturedAt}
		if err := tx.QueueReview(ctx, r); err != nil {
			return err
		}
		reviews = append(reviews, r)
	}
	comms, err := tx.UserByEmail(ctx, "communications@demo-city.example")
	if err != nil {
		return err
	}
	spam := reviews[2]
	if spam, err = tx.Review(ctx, spam.ID); err != nil {
		return err
	}
	d := &civic.ModerationDecision{ReviewID: spam.ID, ItemID: spam.ItemID, Account: spam.Account, Action: civic.DecisionHide, Code: "spam",
		Note: "Advertising unrelated to the post.", Status: civic.DecisionFinal, DecidedByID: comms.ID, FinalAt: &now, CarryStatus: moderation.CarryNoConnection}
	if err := tx.CreateDecision(ctx, d); err != nil {
		return err
	}
	spam.Status, spam.ReviewedAt = civic.ReviewDecided, &now
	if err := tx.UpdateReview(ctx, spam); err != nil {
		return err
	}
	var code civic.ReasonCode
	for _, c := range moderation.DefaultCodes {
		if c.Code == "spam" {
			code = c
		}
	}
	f := moderation.FormFor(spam, d, code, now)
	if err := tx.CreateTrackingForm(ctx, f); err != nil {
		return err
	}
	q := &civic.Inquiry{FormID: f.ID, Name: "Growth Guru", Contact: "guru@followers.example", Question: "Why was my offer hidden? It was helpful.",
		ReceivedAt: now, DueAt: now.AddDate(0, 0, 10)}
	if err := tx.CreateInquiry(ctx, q); err != nil {
		return err
	}
	size, _, err := tx.ArchiveLogHead(ctx)
	if err != nil {
		return err
	}
	return tx.SetSetting(ctx, moderation.SettingScreened, strconv.FormatInt(size, 10))
}
