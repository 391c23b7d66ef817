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

// removalDemo are comments in the languages the city's residents write in,
// each removed under a listed reason with its tracking form: a private
// person's address and telephone number (Somali), and two commercial
// advertisements unrelated to the post (Arabic, Vietnamese).
var removalDemo = []struct {
	demoRecord
	code, note string
	removedAgo time.Duration
}{
	{demoRecord{"facebook:DemoCityPublicWorks", "public-works", "fb-5", "comment", "fb-1", 45 * time.Hour, "Cabdi Warsame", "cabdi.warsame.12",
		"Qof kasta oo raadinaya Cali Nuur, gurigiisu waa 1423 Maple Street, lambarkiisuna waa 651-555-0147. U sheega inuu lacagtayda soo celiyo.", "visible", nil},
		"private_info", "Gives a private person's home address and telephone number. (Somali: anyone looking for Cali Nuur, his house is at 1423 Maple Street and his number is 651-555-0147; tell him to return my money.)", 44 * time.Hour},
	{demoRecord{"facebook:DemoCityPublicWorks", "public-works", "fb-6", "comment", "fb-1", 43 * time.Hour, "Phone Deals Store", "phonedeals.store",
		"عروض خاصة! خصم ٥٠٪ على جميع الهواتف في متجرنا هذا الأسبوع. زوروا deals.example الآن", "visible", nil},
		"spam", "Advertising unrelated to the post. (Arabic: special offers! 50% off every phone in our store this week; visit deals.example now.)", 42 * time.Hour},
	{demoRecord{"mastodon:@parks@demo-city.example", "parks", "c7", "comment", "p1", 36 * time.Hour, "Tiệm Nail Hoa", "@nailhoa@social.example",
		"Dịch vụ làm móng giá rẻ, giảm 30% tuần này! Nhắn tin cho chúng tôi tại nails.example để đặt lịch.", "visible", nil},
		"spam", "Advertising unrelated to the post. (Vietnamese: cheap nail services, 30% off this week; message us at nails.example to book.)", 35 * time.Hour},
}

// demoWords flags the demo comments as the classifier would.
var demoWords = moderation.Words{"harassment": {"idiot"}, "private_info": {"651-555-0199"}, "spam": {"cheap followers"}}

// seedModeration queues the flagged demo comments, hides the spam with its
// tracking form, files a public inquiry about it, and marks every demo
// version as screened so that the screening loop does not queue them again.
func seedModeration(ctx context.Context, tx civic.Tx) error {
	now := tx.Now()
	var vs []*civic.Version
	all := append([]demoRecord(nil), moderationDemo...)
	for _, r := range removalDemo {
		all = append(all, r.demoRecord)
	}
	for _, d := range all {
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
	for i, v := range vs {
		res := demoWords.Screen(v.Text, "")
		r := &civic.Review{ItemID: v.ItemID, VersionID: v.ID, AccountID: v.AccountID, Labels: res.Labels, Scores: res.Scores, Evidence: res.Evidence,
			Source: "screening", PostedAt: v.PlatformTime, CapturedAt: v.CapturedAt}
		if j := i - len(moderationDemo); j >= 0 {
			r.Labels = []string{removalDemo[j].code}
		}
		if err := tx.QueueReview(ctx, r); err != nil {
			return err
		}
		reviews = append(reviews, r)
	}
	comms, err := tx.UserByEmail(ctx, "communications@demo-city.example")
	if err != nil {
		return err
	}
	f, err := removeDemo(ctx, tx, reviews[2], civic.DecisionHide, "spam", "Advertising unrelated to the post.", comms.ID, now)
	if err != nil {
		return err
	}
	for i, r := range removalDemo {
		if _, err := removeDemo(ctx, tx, reviews[len(moderationDemo)+i], civic.DecisionRemove, r.code, r.note, comms.ID, now.Add(-r.removedAgo)); err != nil {
			return err
		}
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

// removeDemo records a final decision on a queued review, taken at at,
// closes the review and files the decision's tracking form.
func removeDemo(ctx context.Context, tx civic.Tx, r *civic.Review, action civic.DecisionAction, code, note string, by int64, at time.Time) (*civic.TrackingForm, error) {
	r, err := tx.Review(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	d := &civic.ModerationDecision{ReviewID: r.ID, ItemID: r.ItemID, Account: r.Account, Action: action, Code: code,
		Note: note, Status: civic.DecisionFinal, DecidedByID: by, FinalAt: &at, CarryStatus: moderation.CarryNoConnection}
	if err := tx.CreateDecision(ctx, d); err != nil {
		return nil, err
	}
	r.Status, r.ReviewedAt = civic.ReviewDecided, &at
	if err := tx.UpdateReview(ctx, r); err != nil {
		return nil, err
	}
	var rc civic.ReasonCode
	for _, c := range moderation.DefaultCodes {
		if c.Code == code {
			rc = c
		}
	}
	if rc.Code == "" {
		return nil, fmt.Errorf("demo removal: no reason code %q", code)
	}
	f := moderation.FormFor(r, d, rc, at)
	return f, tx.CreateTrackingForm(ctx, f)
}
