package archive_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// TestParseQueryOr: OR joins the words or phrases on either side into a
// group; an OR with nothing on one side, or a query whose words hold no
// letter or digit, is refused naming q.
func TestParseQueryOr(t *testing.T) {
	for _, c := range []struct {
		in    string
		terms []string
		anyOf [][]string
	}{
		{`pothole OR sidewalk`, nil, [][]string{{"pothole", "sidewalk"}}},
		{`pothole OR sidewalk OR "curb cut"`, nil, [][]string{{"pothole", "sidewalk", "curb cut"}}},
		{`elm pothole OR sidewalk oak`, []string{"elm", "oak"}, [][]string{{"pothole", "sidewalk"}}},
		{`a OR b c OR d`, []string{}, [][]string{{"a", "b"}, {"c", "d"}}},
		{`pothole OR sidewalk account:mastodon:@parks@city.example`, nil, [][]string{{"pothole", "sidewalk"}}},
		{`pothole or sidewalk`, []string{"pothole", "or", "sidewalk"}, nil},
		{`pothole "OR" sidewalk`, []string{"pothole", "OR", "sidewalk"}, nil},
		{`pothole OR 👍`, []string{"pothole"}, nil},
		{`pothole !!!`, []string{"pothole"}, nil},
	} {
		q, err := archive.ParseQuery(c.in)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", c.in, err)
			continue
		}
		if !slices.Equal(q.Terms, c.terms) || !slices.EqualFunc(q.AnyOf, c.anyOf, slices.Equal) {
			t.Errorf("ParseQuery(%q) = terms %q, any of %q; want %q, %q", c.in, q.Terms, q.AnyOf, c.terms, c.anyOf)
		}
	}
	for _, c := range []struct{ in, msg string }{
		{`OR`, "OR must stand between"},
		{`OR pothole`, "OR must stand between"},
		{`pothole OR`, "OR must stand between"},
		{`pothole OR OR sidewalk`, "OR must stand between"},
		{`pothole OR kind:comment`, "OR must stand between"},
		{`kind:comment OR pothole`, "OR must stand between"},
		{`pothole OR "sidewalk`, "quotation mark is not closed"},
		{`👍`, "no words to look for"},
		{`*`, "no words to look for"},
		{`!!! "?" kind:comment`, "no words to look for"},
		{`👍 OR *`, "no words to look for"},
	} {
		_, err := archive.ParseQuery(c.in)
		if civic.ErrorKind(err) != civic.KindInvalid || civic.ErrorField(err) != "q" || !strings.Contains(civic.ErrorMessage(err), c.msg) {
			t.Errorf("ParseQuery(%q) = %v; want invalid q saying %q", c.in, err, c.msg)
		}
	}
	// Filters alone, or nothing, still list everything.
	for _, in := range []string{``, `kind:comment`} {
		if _, err := archive.ParseQuery(in); err != nil {
			t.Errorf("ParseQuery(%q): %v", in, err)
		}
	}
}

// TestSearchStemsOrCounts runs the parsed syntax through the service on
// every engine: the same items, and the count of all pages.
func TestSearchStemsOrCounts(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, eng)
			day := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
			parks := "mastodon:@parks@city.example"
			e.ingest(rec(parks, "1", "Two potholes on Elm", day), rec(parks, "2", "A pothole on Oak", day.Add(time.Hour)),
				rec(parks, "3", "New sidewalk on Pine", day.Add(2*time.Hour)), rec(parks, "4", "Snow day", day.Add(3*time.Hour)))
			for _, c := range []struct {
				q     string
				limit int
				want  []string
				total int
			}{
				{"potholes", 50, []string{"2", "1"}, 2},
				{"pothole", 1, []string{"2"}, 2},
				{"pothole OR sidewalks", 2, []string{"3", "2"}, 3},
				{`"on oak" OR snow`, 50, []string{"4", "2"}, 2},
			} {
				q, err := archive.ParseQuery(c.q)
				if err != nil {
					t.Fatal(err)
				}
				q.Limit = c.limit
				vs, n, err := e.svc.SearchCount(e.ctx, civic.CLI, q)
				var got []string
				for _, v := range vs {
					got = append(got, v.PlatformID)
				}
				if err != nil || !slices.Equal(got, c.want) || n != c.total {
					t.Errorf("%s: %v of %d, %v; want %v of %d", c.q, got, n, err, c.want, c.total)
				}
			}
		})
	}
}
