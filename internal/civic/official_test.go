package civic

import "testing"

func TestOfficialAccountAuthored(t *testing.T) {
	for _, c := range []struct {
		name    string
		account OfficialAccount
		author  Author
		want    bool
	}{
		// The account's id is known: the ids decide.
		{"same id", OfficialAccount{RemoteID: "1090", Handle: "@parks@city.example"}, Author{ID: "1090"}, true},
		{"other id, same handle", OfficialAccount{RemoteID: "1090", Handle: "@parks@city.example"}, Author{ID: "77", Handle: "@parks@city.example"}, false},
		{"no author id, same handle", OfficialAccount{RemoteID: "1090", Handle: "parks"}, Author{Handle: "parks"}, false},
		{"ids differ in case", OfficialAccount{RemoteID: "UCabc", Handle: "DemoCity"}, Author{ID: "ucabc"}, false},
		// Only the handle is known.
		{"same handle", OfficialAccount{Handle: "@parks@city.example"}, Author{Handle: "@parks@city.example"}, true},
		{"handle without @", OfficialAccount{Handle: "@parks@city.example"}, Author{Handle: "parks@city.example"}, true},
		{"handle in other case, with spaces", OfficialAccount{Handle: "DemoCity"}, Author{Handle: " @democity "}, true},
		{"local handle on the instance", OfficialAccount{Handle: "@parks@city.example"}, Author{Handle: "@parks"}, true},
		{"local handle, other name", OfficialAccount{Handle: "@parks@city.example"}, Author{Handle: "@pools"}, false},
		{"same name, other instance", OfficialAccount{Handle: "@parks@city.example"}, Author{Handle: "@parks@elsewhere.example"}, false},
		{"account without instance, author with one", OfficialAccount{Handle: "@parks"}, Author{Handle: "@parks@city.example"}, false},
		{"author id equal to the handle", OfficialAccount{Handle: "DemoCity"}, Author{ID: "democity", Handle: "Demo City Hall"}, true},
		{"author id equal to the handle, no author handle", OfficialAccount{Handle: "DemoCity"}, Author{ID: "DemoCity"}, false},
		{"other handle", OfficialAccount{Handle: "DemoCity"}, Author{ID: "42", Handle: "resident"}, false},
		{"no account handle", OfficialAccount{}, Author{Handle: "parks"}, false},
		{"only @", OfficialAccount{Handle: "@"}, Author{Handle: "@"}, false},
	} {
		if got := c.account.Authored(c.author); got != c.want {
			t.Errorf("%s: %+v.Authored(%+v) = %v, want %v", c.name, c.account, c.author, got, c.want)
		}
	}
}
