package demo

import (
	"context"
	"fmt"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

// demoRecord is one captured observation in the demo archive.
type demoRecord struct {
	account, dept, id, kind, parent string
	ago                             time.Duration
	author, handle, text, state     string
	tags                            []string
}

var archiveDemo = []demoRecord{
	{"mastodon:@parks@demo-city.example", "parks", "p1", "post", "", 72 * time.Hour, "Demo City Parks", "@parks", "The Riverside splash pad opens Saturday at 10am. Sunscreen recommended!", "visible", nil},
	{"mastodon:@parks@demo-city.example", "parks", "c1", "comment", "p1", 70 * time.Hour, "Lena Ortiz", "@lena@social.example", "Will the drinking fountain be fixed by then?", "visible", nil},
	{"mastodon:@parks@demo-city.example", "parks", "c2", "reply", "c1", 69 * time.Hour, "Demo City Parks", "@parks", "Yes, Public Works repaired it on Tuesday.", "visible", nil},
	{"mastodon:@parks@demo-city.example", "parks", "c3", "comment", "p1", 68 * time.Hour, "K. Berg", "@kberg@social.example", "The drain by the splash pad is broken again and someone slipped", "visible", []string{"complaint"}},
	{"mastodon:@parks@demo-city.example", "parks", "c3", "comment", "p1", 66 * time.Hour, "K. Berg", "@kberg@social.example", "The drain by the new splash pad is broken again and my son slipped", "visible", []string{"complaint"}},
	{"mastodon:@parks@demo-city.example", "parks", "c4", "comment", "p1", 60 * time.Hour, "spam4u", "@spam4u@bad.example", "Cheap sunglasses at example.com!!!", "visible", []string{"transitory"}},
	{"mastodon:@parks@demo-city.example", "parks", "c4", "comment", "p1", 58 * time.Hour, "spam4u", "@spam4u@bad.example", "Cheap sunglasses at example.com!!!", "deleted", []string{"transitory"}},
	{"facebook:DemoCityPublicWorks", "public-works", "fb-1", "post", "", 48 * time.Hour, "Demo City Public Works", "DemoCityPublicWorks", "Pothole repairs on Main Street start Monday; expect lane closures.", "visible", nil},
	{"facebook:DemoCityPublicWorks", "public-works", "fb-2", "comment", "fb-1", 47 * time.Hour, "Sam Lee", "sam.lee.501", "There is a huge pothole on 5th and Elm too — شكراً 👍", "visible", []string{"complaint"}},
	{"facebook:DemoCityPublicWorks", "public-works", "fb-3", "comment", "fb-1", 46 * time.Hour, "Anonymous", "anon.9", "This city can't fix anything", "hidden", nil},
}

// seedArchive fills the demo archive through the real ingest path of the
// store and proposes a disposition run, so that every archive page has
// something to show; the legal hold is placed once every demo comment is
// in (seedHold).
func seedArchive(ctx context.Context, tx civic.Tx) error {
	now := tx.Now()
	depts := map[string]int64{}
	var vs []*civic.Version
	for _, d := range archiveDemo {
		if _, ok := depts[d.dept]; !ok {
			dep, err := tx.DepartmentBySlug(ctx, d.dept)
			if err != nil {
				return err
			}
			depts[d.dept] = dep.ID
		}
		at := now.Add(-d.ago)
		raw := fmt.Sprintf(`{"id":%q,"content":%q,"demo":true}`, d.id, d.text)
		rec := archive.Record{Account: d.account, ID: d.id, Kind: d.kind, Parent: d.parent, CapturedAt: at.Format(time.RFC3339Nano),
			PlatformTime: at.Add(-time.Minute).Format(time.RFC3339), Author: civic.Author{ID: d.handle, Handle: d.handle, Name: d.author},
			Text: d.text, State: d.state, Tags: d.tags, Raw: []byte(raw)}
		if d.parent != "" {
			rec.Thread = "p1"
			if d.account != archiveDemo[0].account {
				rec.Thread = "fb-1"
			}
		}
		v, err := rec.Version(now)
		if err != nil {
			return fmt.Errorf("demo record %s: %w", d.id, err)
		}
		v.DepartmentID = depts[d.dept]
		vs = append(vs, v)
	}
	if _, err := tx.IngestVersions(ctx, vs, 0); err != nil {
		return err
	}
	spam := vs[5]
	run := &civic.DispositionRun{AsOf: now}
	return tx.CreateDispositionRun(ctx, run, []*civic.DispositionEntry{{ItemID: spam.ItemID, Account: spam.Account, Kind: spam.Kind, PlatformID: spam.PlatformID,
		FirstCapture: vs[5].CapturedAt, LastCapture: vs[6].CapturedAt, Versions: 2, Class: "transitory", EligibleAt: vs[5].CapturedAt}})
}

// seedHold places the legal hold on everything its scope finds, as the
// archive service does: the splash pad items of the Parks account.
func seedHold(ctx context.Context, tx civic.Tx) error {
	hold := &civic.Hold{Matter: "Berg v. Demo City (splash pad injury)", Accounts: []string{archiveDemo[0].account}, Query: `"splash pad"`}
	ids, err := archive.HoldItems(ctx, tx, hold)
	if err != nil {
		return err
	}
	return tx.PlaceHold(ctx, hold, ids)
}
