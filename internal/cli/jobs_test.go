package cli_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/cli"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/moderation"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/storetest"
)

var jobsAdmin = civic.ActorOf(&civic.User{ID: 1, Email: "admin@example.gov", Grants: []civic.Grant{{Role: civic.RoleAdmin}}})

func comment(id, kind, text string, at time.Time) archive.Record {
	return archive.Record{Account: "mastodon:@parks@city.example", ID: id, Kind: kind, Thread: "p1",
		CapturedAt: at.Format(time.RFC3339Nano), PlatformTime: at.Format(time.RFC3339),
		Author: civic.Author{ID: "42", Handle: "@resident", Name: "A Resident"}, Text: text}
}

func screenJobs(t *testing.T, q *jobs.Queue, states ...string) []jobs.Job {
	t.Helper()
	if len(states) == 0 {
		states = []string{"available", "running", "completed", "retryable", "discarded"}
	}
	all, err := q.List(context.Background(), jobsAdmin, states...)
	if err != nil {
		t.Fatal(err)
	}
	var out []jobs.Job
	for _, j := range all {
		if j.Kind == "screen" {
			out = append(out, j)
		}
	}
	return out
}

// An ingest that stores a comment queues exactly one screening job in its
// own transaction: an ingest that rolls back leaves neither the comment
// nor the job, and one that stores no comment (a post, a duplicate) queues
// none. A worker then screens the comment without anything polling.
func TestIngestQueuesScreening(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
			s := e.Open(t, clock.Now)
			ctx := context.Background()
			url := ""
			if e.Name == "postgres" {
				url = storetest.PostgresURL(t, s)
			}
			q, err := jobs.New(jobs.Config{Engine: s.Engine(), DB: s.DB(), URL: url, Store: s, FetchPoll: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			svcs := cli.NewServices(cli.ServicesConfig{Store: s, Clock: clock.Now, Jobs: q})
			at := clock.Now().Add(-time.Hour)

			res, err := svcs.Archive.IngestAs(ctx, "system:capture", []archive.Record{comment("p1", "post", "Park opens Monday", at)})
			if err != nil || res.Stored != 1 {
				t.Fatalf("post: %+v %v", res, err)
			}
			if js := screenJobs(t, q); len(js) != 0 {
				t.Fatalf("a post queued screening: %+v", js)
			}
			res, err = svcs.Archive.IngestAs(ctx, "system:capture", []archive.Record{comment("c1", "comment", "Great news", at), comment("c2", "reply", "Agreed", at)})
			if err != nil || res.Stored != 2 {
				t.Fatalf("comments: %+v %v", res, err)
			}
			js := screenJobs(t, q)
			if len(js) != 1 || !strings.Contains(js[0].Args, fmt.Sprint(res.Records[1].VersionID)) {
				t.Fatalf("want one screening job through version %d, got %+v", res.Records[1].VersionID, js)
			}
			// The same comment again is a duplicate: nothing new to screen.
			if res, err := svcs.Archive.IngestAs(ctx, "system:capture", []archive.Record{comment("c1", "comment", "Great news", at)}); err != nil || res.Duplicates != 1 {
				t.Fatalf("duplicate: %+v %v", res, err)
			}
			if js := screenJobs(t, q); len(js) != 1 {
				t.Fatalf("a duplicate queued screening: %+v", js)
			}
			// An ingest whose transaction fails after the job was queued
			// leaves neither.
			boom := errors.New("disk full")
			svcs.Archive.OnIngest(func(context.Context, civic.Tx, []*civic.Version) error { return boom })
			if _, err := svcs.Archive.IngestAs(ctx, "system:capture", []archive.Record{comment("c3", "comment", "Lost", at)}); !errors.Is(err, boom) {
				t.Fatalf("failing ingest: %v", err)
			}
			if js := screenJobs(t, q); len(js) != 1 {
				t.Fatalf("a rolled-back ingest left a screening job: %+v", js)
			}
			if _, err := s.ArchiveItemByPlatformID(ctx, "mastodon:@parks@city.example", "c1"); err != nil {
				t.Fatalf("stored comment: %v", err)
			}
			if _, err := s.ArchiveItemByPlatformID(ctx, "mastodon:@parks@city.example", "c3"); civic.ErrorKind(err) != civic.KindNotFound {
				t.Fatalf("a rolled-back ingest left its comment")
			}

			// A worker screens what was stored.
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				q.Stop(sctx)
			})
			waitScreened(t, s, res.Records[1].VersionID)
			deadline := time.Now().Add(30 * time.Second)
			for len(screenJobs(t, q, "completed")) != 1 {
				if time.Now().After(deadline) {
					t.Fatalf("want the screening job completed, got %+v", screenJobs(t, q))
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func waitScreened(t *testing.T, s *sqlstore.Store, through int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mark, err := s.Setting(context.Background(), moderation.SettingScreened)
		if err != nil {
			t.Fatal(err)
		}
		if mark == fmt.Sprint(through) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("screened through %q, want %d", mark, through)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestEveryPeriodicJobIsWorked: each background step the services need
// has a worker on the queue, scheduled publishing included, so none is
// left for a loop or for nobody.
func TestEveryPeriodicJobIsWorked(t *testing.T) {
	e := storetest.Engines(t)[0]
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	s := e.Open(t, clock.Now)
	q, err := jobs.New(jobs.Config{Engine: s.Engine(), DB: s.DB(), Store: s, FetchPoll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cli.NewServices(cli.ServicesConfig{Store: s, Clock: clock.Now, Jobs: q, Schedule: cli.DefaultSchedule})
	kinds := q.Kinds()
	for _, want := range []string{"screen", "capture", "capture_schedule", "checkpoint", "disposition", "notification_sweep", "session_purge", "publish_due", "records_export", "archive_disposition", "archive_import", "notification_mail", "search_index_merge"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("no worker for %s; the queue works %v", want, kinds)
		}
	}
	if got := cli.DefaultSchedule.String(); !strings.Contains(got, "publish=30s") || !strings.Contains(got, "search_merge=24h0m0s") {
		t.Errorf("the schedule does not publish every 30 seconds or merge the search index daily: %s", got)
	}
}
