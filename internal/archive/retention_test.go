package archive_test

import (
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/archive"
	"steward.city/steward/internal/civic"
)

func TestRetentionLongestRuleWins(t *testing.T) {
	rt := archive.DefaultRetention()
	rt.Rules = append(rt.Rules, archive.Rule{Class: "permanent", Department: "clerk"}, archive.Rule{Class: "complaints", Account: "x:@police"})
	first := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 6, 0)
	for _, c := range []struct {
		name  string
		it    civic.ArchiveItem
		dept  string
		class string
		at    time.Time // zero: permanent
	}{
		{"no rule: default", civic.ArchiveItem{Kind: civic.ItemComment}, "", "general-correspondence", first.AddDate(3, 0, 0)},
		{"transitory tag", civic.ArchiveItem{Kind: civic.ItemComment, Tags: []string{"transitory"}}, "", "transitory", first},
		{"post beats transitory", civic.ArchiveItem{Kind: civic.ItemPost, Tags: []string{"transitory"}}, "", "general-correspondence", first.AddDate(3, 0, 0)},
		{"complaint counts from last action", civic.ArchiveItem{Kind: civic.ItemComment, Tags: []string{"complaint"}}, "", "complaints", last.AddDate(1, 0, 0)},
		{"permanent beats all", civic.ArchiveItem{Kind: civic.ItemPost, Tags: []string{"complaint", "permanent"}}, "", "permanent", time.Time{}},
		{"by department", civic.ArchiveItem{Kind: civic.ItemComment}, "clerk", "permanent", time.Time{}},
		{"by account", civic.ArchiveItem{Kind: civic.ItemComment, Account: "x:@police", Tags: []string{"transitory"}}, "", "complaints", last.AddDate(1, 0, 0)},
	} {
		c.it.FirstCapture, c.it.LastCapture = first, last
		cl := rt.Classify(&c.it, c.dept)
		at, ok := cl.EligibleAt(&c.it)
		if cl.Name != c.class || ok == c.at.IsZero() || ok && !at.Equal(c.at) {
			t.Errorf("%s: class %s eligible %v (%v), want %s at %v", c.name, cl.Name, at, ok, c.class, c.at)
		}
	}
	for _, bad := range []string{
		`{"default":"x","classes":[],"rules":[]}`,
		`{"default":"a","classes":[{"name":"a","period":"3 years","basis":"captured"}],"rules":[]}`,
		`{"default":"a","classes":[{"name":"a","period":"3y","basis":"captured"}],"rules":[{"class":"a"}]}`,
		`{"default":"a","classes":[{"name":"a","period":"3y","basis":"captured"}],"rules":[{"class":"b","tag":"x"}]}`,
		`{"default":"a","classes":[{"name":"a","period":"3y","basis":"captured"}],"extra":1}`,
	} {
		if _, err := archive.ReadRetention(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadRetention accepted %s", bad)
		}
	}
}
