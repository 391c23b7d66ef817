package moderation

import "testing"

// TestSameScreenName: a resident on the account's own server is found by
// @user, user or @user@server (any case), whether the form holds the full
// address or, as captured before it did, the name alone; someone of the
// same name on another server is not.
func TestSameScreenName(t *testing.T) {
	const site = "mastodon:@parks@City.Example"
	for _, c := range []struct {
		form, given string
		want        bool
	}{
		{"@resident@city.example", "@resident@city.example", true},
		{"@resident@city.example", "@resident@CITY.example", true},
		{"@resident@city.example", "@resident", true},
		{"@resident@city.example", "Resident", true},
		{"@resident", "@resident@city.example", true},
		{"@resident", "resident@City.Example", true},
		{"@resident", "resident", true},
		{"@resident", "@resident@elsewhere.example", false},
		{"@resident@city.example", "@resident@elsewhere.example", false},
		{"@resident@city.example", "@neighbor@city.example", false},
		{"@resident@city.example", "@neighbor", false},
		{"@resident", "", false},
	} {
		if got := sameScreenName(site, c.form, c.given); got != c.want {
			t.Errorf("form %q, given %q: %v, want %v", c.form, c.given, got, c.want)
		}
	}
	// An account whose handle names no server: a full address is not
	// known to be on it.
	if sameScreenName("youtube:DemoCity", "@resident", "@resident@city.example") {
		t.Error("a full address matched a bare name on an account without a server")
	}
}
