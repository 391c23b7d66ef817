package draftscreen

import (
	"slices"
	"strings"
	"testing"
)

func findings(res Result, code string) []Finding {
	var out []Finding
	for _, f := range res.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

func TestMedia(t *testing.T) {
	t.Parallel()
	d := overt("Photos from Saturday's cleanup!")
	d.Media = []Media{
		{Kind: "image", Alt: "Volunteers in orange vests pick up litter along the river"},
		{Kind: "image", Alt: "   "},
		{Kind: "gif"},
		{Kind: "video", Captions: true},
		{Kind: "video"},
		{Kind: "video", NoCaptionsReason: "music only, no speech"},
	}
	res := Screen(d)
	alt := findings(res, ImageNoAlt)
	if len(alt) != 2 || alt[0].Rule != "media 2" || alt[1].Rule != "media 3" || alt[0].Block != Review {
		t.Errorf("image_without_alt %+v, want media 2 and 3 (blank alt is no alt), blocking for review", alt)
	}
	vids := findings(res, VideoNoCaptions)
	if len(vids) != 2 || vids[0].Rule != "media 5" || vids[0].Block != Review {
		t.Fatalf("video_without_captions %+v, want media 5 blocking and media 6 with its reason", vids)
	}
	if vids[1].Rule != "media 6" || vids[1].Block != Advice || !strings.Contains(vids[1].Clause, "music only, no speech") {
		t.Errorf("a video a reviewer recorded a reason for: %+v, want advice naming the reason", vids[1])
	}
	for _, f := range append(alt, vids...) {
		if f.Start != 0 || f.End != 0 || f.Text != "" {
			t.Errorf("a media finding is about the whole draft, not a span: %+v", f)
		}
	}
	d.Media = []Media{{Kind: "image", Alt: "A map"}, {Kind: "video", Captions: true}}
	if res := Screen(d); len(findings(res, ImageNoAlt))+len(findings(res, VideoNoCaptions)) != 0 {
		t.Errorf("described media: %+v", res.Findings)
	}
}

func TestHashtags(t *testing.T) {
	t.Parallel()
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for tag, want := range map[string]bool{
		"cityhallnews": true, "snowemergency": true, "parksandrec": true, "CITYHALLNEWS": true, "publicsafetyweek": true,
		"CityHallNews": false, "MplsSnow": false, "mnleg": false, "minneapolis": false, "library": false, "2025": false,
		"VisionZero": false, "news": false, "saintpaul": true,
	} {
		if got := s.multiWordTag(tag); got != want {
			t.Errorf("#%s: multi-word without CamelCase %v, want %v", tag, got, want)
		}
	}
	res := Screen(overt("Snow plowing starts tonight. #snowemergency #MplsSnow C# and &#39; are not tags"))
	got := findings(res, HashtagCase)
	if len(got) != 1 || got[0].Text != "#snowemergency" || got[0].Block != Advice {
		t.Errorf("hashtag findings %+v, want #snowemergency as advice", got)
	}
}

func TestEmojiAsWords(t *testing.T) {
	t.Parallel()
	for text, want := range map[string][]string{
		"See you 👉 the park on Saturday!":          {"👉"},
		"We ❤️ our volunteers":                     {"❤️"},
		"Thanks to our 👩🏽‍🚒 crews for the help":    {"👩🏽‍🚒"},
		"Como Pool opens June 14! 🏊 Season passes": nil, // between sentences
		"Free swim day Saturday! 🏊":                nil,
		"Book sale this week. 📚":                   nil,
		"Pickup soccer is back ⚽ Thursday nights":  nil, // a capital: the emoji ends a thought
		"🎉 Happy Friday":                           nil,
		"smoke alarms save lives🔥and money":        nil, // not set apart by spaces
	} {
		var got []string
		for _, f := range findings(Screen(overt(text)), EmojiAsWord) {
			got = append(got, f.Text)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: emoji_as_word %q, want %q", text, got, want)
		}
	}
}

func TestVagueLinkText(t *testing.T) {
	t.Parallel()
	for text, want := range map[string][]string{
		"Click here to register for swim lessons.":                {"Click here"},
		"Sign up here: https://stpaul.gov/swim":                   {"here"},
		"Details here → www.minneapolismn.gov/snow":               {"Details here"},
		"Register for swim lessons at stpaul.gov/swim.":           nil,
		"We're here to help. Call 311.":                           nil,
		"Here's what to know about the snow emergency.":           nil,
		"The library is here: 1200 Main St, and open until 8 pm.": nil,
	} {
		var got []string
		for _, f := range findings(Screen(overt(text)), VagueLinkText) {
			got = append(got, f.Text)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: vague_link_text %q, want %q", text, got, want)
		}
	}
}

func TestReadingGrade(t *testing.T) {
	t.Parallel()
	plain := "The pool opens on Monday. It is free for kids. Bring a towel and a lock. We will have snacks and games for all. See you there!"
	g, ok := Grade(plain)
	if !ok || g > 5 {
		t.Errorf("plain text: grade %.1f (%v), want a low grade", g, ok)
	}
	dense := "Notwithstanding the aforementioned administrative considerations, the municipality's comprehensive infrastructure rehabilitation initiative necessitates temporary discontinuation of residential sanitation collection operations throughout the affected jurisdictional boundaries, pending environmental remediation authorization."
	g, ok = Grade(dense)
	if !ok || g < 20 {
		t.Fatalf("dense text: grade %.1f (%v), want over 20", g, ok)
	}
	res := Screen(overt(dense))
	f := findings(res, ReadingGrade)
	if len(f) != 1 || f[0].Block != Advice || !strings.Contains(f[0].Clause, "grade") || res.Grade != g {
		t.Errorf("reading_grade %+v (result grade %.1f), want one advice finding showing grade %.1f", f, res.Grade, g)
	}
	// The city sets the grade.
	lenient, err := New(Config{MaxGrade: 40})
	if err != nil {
		t.Fatal(err)
	}
	if f := findings(lenient.Screen(overt(dense)), ReadingGrade); len(f) != 0 {
		t.Errorf("with grade 40 allowed: %+v", f)
	}
	if _, ok := Grade("Pool opens Monday!"); ok {
		t.Error("a short text got a grade; the formula means nothing under 20 words")
	}
	if f := findings(Screen(overt(plain)), ReadingGrade); len(f) != 0 {
		t.Errorf("plain text got %+v", f)
	}
}
