package publish_test

import (
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
	"steward.city/steward/internal/platform/mastodon"
	"steward.city/steward/internal/platform/mastodon/gtstest"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

// TestGoToSocialCorrectionKeepsImages: against a real GoToSocial, a post
// with two images goes out with both, in order, each described by its alt
// text; a correction by edit changes the text and keeps the images and
// their descriptions.
func TestGoToSocialCorrectionKeepsImages(t *testing.T) {
	gts := gtstest.Start(t, "Steward", "parks")
	parks := gts.Users["parks"]
	clock := storetest.NewClock(time.Now().UTC().Add(-time.Minute).Truncate(time.Second))
	e := newEnv(t, storetest.OpenSQLite(t, clock.Now), clock, map[string]civic.Platform{mastodon.Name: mastodon.New(platform.Config{})}, "@parks@"+gts.Host)
	e.connect(gts.URL, parks.ID, civic.PlatformToken{AccessToken: parks.Token, ClientID: gts.App.ClientID, ClientSecret: gts.App.ClientSecret})
	author, director := e.as(e.author), e.as(e.director)
	a, b := e.upload(e.author, "rink.png", pngOf(t, 60, 40, 1)), e.upload(e.author, "warming-house.png", pngOf(t, 40, 60, 2))
	alts := []string{"The rink under lights, skaters circling.", "The warming house, its benches and a wood stove."}
	d, err := e.svc.CreateDraft(e.ctx, author, publish.DraftInput{AccountIDs: []int64{e.acct.ID}, Category: "announcement",
		Text: "The rink opens Friday at 4.", Media: []civic.DraftMedia{{SHA256: a.SHA256, Alt: alts[0]}, {SHA256: b.SHA256, Alt: alts[1]}}})
	if err != nil {
		t.Fatal(err)
	}
	approve(t, e, author, director, d)
	out, err := e.svc.Publish(e.ctx, author, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := out[0].PlatformID
	var st struct {
		Content string `json:"content"`
		Media   []struct {
			Type        string `json:"type"`
			Description string `json:"description"`
		} `json:"media_attachments"`
	}
	described := func(when string) {
		t.Helper()
		gts.JSON(t, parks.Token, "GET", "/api/v1/statuses/"+id, nil, &st)
		if len(st.Media) != 2 || st.Media[0].Description != alts[0] || st.Media[1].Description != alts[1] || st.Media[0].Type != "image" {
			t.Fatalf("%s, the post's media: %+v", when, st.Media)
		}
	}
	described("published")
	c, err := e.svc.Correct(e.ctx, author, d.ID, publish.CorrectionInput{Text: "The rink opens Saturday at 4."})
	if err != nil {
		t.Fatal(err)
	}
	approve(t, e, author, director, c)
	if out, err := e.svc.Publish(e.ctx, author, c.ID); err != nil || out[0].PlatformID != id {
		t.Fatalf("publish the correction: %+v, %v", out, err)
	}
	described("corrected")
	if got := platform.HTMLText(st.Content); !strings.Contains(got, "Saturday") {
		t.Fatalf("the corrected text: %q", got)
	}
}
