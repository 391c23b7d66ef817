package server_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/classify"
	"steward.city/steward/internal/public"
	"steward.city/steward/internal/storetest"
)

// TestPublicReports checks /public/reports: the demo city's one open block;
// then a block on Public Works, resolved, and a failed
// run appear with the date, what Communications did and the cause in
// plain words, never whom the block concerned nor the error's text; and a
// block and gap on the account named like a covert profile appear nowhere.
// The moderation screen's measures are the model card's.
func TestPublicReports(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil, noLimit)
			s := seedPortal(t, a)
			ctx := context.Background()
			res, body := a.get("/public/reports")
			// The demo city has one open block on its main account.
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "None found") || strings.Count(body, "Not yet resolved") != 1 {
				t.Fatalf("empty report: %d\n%s", res.StatusCode, body[strings.Index(body, "<main"):])
			}
			// The test services screen without a model; the embedded
			// model's card is published where one screens.
			if !strings.Contains(body, "without a measured model") {
				t.Error("the report does not say the screen has no measured model")
			}
			model, err := classify.Default()
			if err != nil {
				t.Fatal(err)
			}
			card := model.ModelCard()
			ph, err := public.New(public.Config{Archive: a.svcs.Archive, Codes: a.svcs.Moderation.Codes, Health: a.svcs.Capture.PublicHealth,
				Card: model.ModelCard, Logger: slog.New(slog.DiscardHandler), Location: time.UTC})
			if err != nil {
				t.Fatal(err)
			}
			for _, rt := range ph.Routes() {
				if rt.Path != "/public/reports" {
					continue
				}
				w := httptest.NewRecorder()
				if err := rt.Handle(w, httptest.NewRequest(http.MethodGet, "/public/reports", nil)); err != nil {
					t.Fatal(err)
				}
				got := html.UnescapeString(w.Body.String())
				for _, m := range append(card.Measures, civic.CardMeasure{Value: card.Measured}) {
					if !strings.Contains(got, m.Value) {
						t.Errorf("the report lacks the measure %q = %q", m.Name, m.Value)
					}
				}
			}
			now := a.clock.Now()
			err = a.store.Update(ctx, civic.CLI, func(tx civic.Tx) error {
				for _, x := range []struct {
					account int64
					handle  string
				}{{s.pwAccount, "DemoCityPublicWorks"}, {s.trapAccount, "river.fan.2219"}} {
					c := &civic.Connection{AccountID: x.account, Platform: "facebook", RemoteID: "r-" + x.handle, Handle: x.handle, Interval: 10 * time.Minute,
						Status: civic.ConnectionOK, NextRun: now}
					if err := tx.CreateConnection(ctx, c); err != nil {
						return err
					}
					ok := now.Add(-time.Hour)
					c.LastSuccess, c.LastRun = &ok, &ok
					if err := tx.SetConnectionRun(ctx, c); err != nil {
						return err
					}
					if err := tx.AddCaptureRun(ctx, &civic.CaptureRun{ConnectionID: c.ID, StartedAt: now.Add(-30 * time.Minute), FinishedAt: now.Add(-29 * time.Minute),
						Error: "GET https://graph.internal.example/secret-path?token=zebratoken: 503", ErrorKind: "unavailable"}); err != nil {
						return err
					}
					f := &civic.CaptureFlag{ConnectionID: c.ID, AccountID: x.account, Kind: civic.FlagBlock, Subject: "zebrablocked-" + x.handle,
						Detail: "The official account blocks zebrablockedperson (Zebra Blocked Person).", RaisedAt: now.Add(-20 * time.Minute)}
					if _, err := tx.RaiseCaptureFlag(ctx, f); err != nil {
						return err
					}
					if err := tx.ResolveCaptureFlag(ctx, f.ID, "Unblocked the same day for "+x.handle); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			res, body = a.get("/public/reports?after=flags")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("report: %d", res.StatusCode)
			}
			for _, want := range []string{"Unblocked the same day for DemoCityPublicWorks", "the platform could not be reached", "Demo City Public Works"} {
				if !strings.Contains(body, want) {
					t.Errorf("the report lacks %q", want)
				}
			}
			for _, leak := range []string{"zebra", "river.fan", "Trap:", "graph.internal", "No block or mute has been found", "secret-path"} {
				if strings.Contains(body, leak) {
					t.Errorf("the report shows %q", leak)
				}
			}
		})
	}
}
