package classify

import (
	"strings"
	"testing"
)

// found returns the texts a rule found in s.
func found(s, rule string) []string {
	var hits []ruleHit
	hits = findNumbers(s, hits)
	hits = findEmails(s, hits)
	hits = findAddresses(s, hits)
	hits = findLinks(s, hits)
	hits = findPlates(s, hits)
	var out []string
	for _, h := range hits {
		if h.rule == rule {
			out = append(out, s[h.start:h.end])
		}
	}
	return out
}

func TestRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rule, s string
		want    []string
	}{
		// Phones: valid North American numbers in the usual shapes.
		{"phone", "call me at 612-555-0148 tonight", []string{"612-555-0148"}},
		{"phone", "(651) 555-0117", []string{"(651) 555-0117"}},
		{"phone", "612.555.0163.", []string{"612.555.0163"}},
		{"phone", "1-612-555-0148", []string{"1-612-555-0148"}},
		{"phone", "+44 20 7946 0958", []string{"+44 20 7946 0958"}},
		{"phone", "6125550148", []string{"6125550148"}},
		{"phone", "555-0148", []string{"555-0148"}},
		// Every North American way of writing one, and 555-01xx, the
		// numbers set aside for examples, as posts write them.
		{"phone", "cell 612 555 0148 ok", []string{"612 555 0148"}},
		{"phone", "(612)555-0148", []string{"(612)555-0148"}},
		{"phone", "(952) 555 0166 if", []string{"(952) 555 0166"}},
		{"phone", "+1 (612) 555-0148", []string{"+1 (612) 555-0148"}},
		{"phone", "+1-612-555-0148", []string{"+1-612-555-0148"}},
		{"phone", "1 (612) 555-0148", []string{"1 (612) 555-0148"}},
		{"phone", "1 612 555 0148", []string{"1 612 555 0148"}},
		{"phone", "612–555–0148", []string{"612–555–0148"}},
		{"phone", "612/555-0148", []string{"612/555-0148"}},
		{"phone", "612 5550148", []string{"612 5550148"}},
		{"phone", "612-555-0148 ext. 4", []string{"612-555-0148"}},
		{"phone", "507.555.0141.", []string{"507.555.0141"}},
		{"phone", "call 555 0199 now", []string{"555 0199"}},
		{"phone", "call 555.0101", []string{"555.0101"}},
		{"phone", "reach me at 345-899-3560x4587.", []string{"345-899-3560"}}, // an extension written right after
		{"phone", "(612)555-0148ext12 or", []string{"(612)555-0148"}},
		{"phone", "+1-604-696-5272x565", []string{"+1-604-696-5272"}},
		{"phone", "001-518-640-0854", []string{"001-518-640-0854"}}, // dialed from abroad
		{"phone", "part 5550148x2", nil},                            // seven digits take no extension
		{"phone", "612-555-0148x", nil},                             // x with no digits is a word
		{"phone", "002-518-640-0854", nil},
		{"phone", "room 555 0199x", nil},
		{"phone", "we paid 555 0300", nil}, // seven digits with a space are a phone only in the 555-01xx range
		// Not phones: bad area code or exchange, N11, dates, money, too short.
		{"phone", "012-555-0148", nil},
		{"phone", "612-055-0148", nil},
		{"phone", "911-555-0148", nil},
		{"phone", "612-911-0148", nil},
		{"phone", "697-555-0148", nil}, // area code middle digit 9 is reserved
		{"phone", "on 2024-05-12 at 3", nil},
		{"phone", "$612,555,0148", nil},
		{"phone", "call 311", nil},
		{"phone", "ticket 6125550148xyz", nil},
		// Addresses in their common forms.
		{"address", "Sit outside 1420 Foxmoor Dr SW around 7:40", []string{"1420 Foxmoor Dr SW"}},
		{"address", "at 1305 2nd Ave SE bị", []string{"1305 2nd Ave SE"}},
		{"address", "his mom is at 1122 Cooper Ave N, house", []string{"1122 Cooper Ave N"}},
		{"address", "Harold Stenzel, 2010 County Rd 69, cell", []string{"2010 County Rd 69"}},
		{"address", "she is in apt 3 at 55 Elm, go see", []string{"apt 3 at 55 Elm"}},
		{"address", "Unit 4B on 210 Birchwood", []string{"Unit 4B on 210 Birchwood"}},
		{"address", "apt 3 at 5 PM", nil},
		{"address", "the 2600 block of Chicago Ave", nil},
		{"address", "Ave S is closed", nil},
		{"address", "we need 3 more at 5", nil},
		// License plates after a word that names one.
		{"plate", "His plate is MN 8KD-221.", []string{"8KD-221"}},
		{"plate", "black Tahoe with plate KRT-419 that", []string{"KRT-419"}},
		{"plate", "plate MN 7XK 552, front", []string{"7XK 552"}},
		{"plate", "tags 123 ABC", []string{"123 ABC"}},
		{"plate", "a car with no front plate.", nil},
		{"plate", "plate of food for 25 people", nil},
		{"plate", "platelets 12345", nil},
		// SSNs: shape and the SSA's rules.
		{"ssn", "my ssn is 123-45-6789", []string{"123-45-6789"}},
		{"ssn", "SSN 123456789", []string{"123456789"}},
		{"ssn", "000-12-3456", nil},
		{"ssn", "666-12-3456", nil},
		{"ssn", "912-12-3456", nil},
		{"ssn", "123-00-4567", nil},
		{"ssn", "123-45-0000", nil},
		{"ssn", "order 123456789 shipped", nil}, // nine digits without an SSN's shape or name
		// Cards: Luhn and a card's first digits.
		{"card", "card 4111 1111 1111 1111 exp 12/27", []string{"4111 1111 1111 1111"}},
		{"card", "5500-0000-0000-0004", []string{"5500-0000-0000-0004"}},
		{"card", "3782 822463 10005", []string{"3782 822463 10005"}},
		{"card", "4111 1111 1111 1112", nil}, // fails Luhn
		{"card", "1234 5678 9012 3452", nil}, // no card starts with 1
		// E-mail addresses, not mentions.
		{"email", "write to jen.okafor+dogs@example.com today", []string{"jen.okafor+dogs@example.com"}},
		{"email", "@Nancy Pohl you", nil},
		{"email", "@econ_dan@mastodon.world", []string{"econ_dan@mastodon.world"}},
		{"email", "a@b", nil},
		// Street addresses.
		{"address", "she lives at 1910 Hemlock Dr if you", []string{"1910 Hemlock Dr"}},
		{"address", "from 4816 Sandpiper Ln, her dog", []string{"4816 Sandpiper Ln"}},
		{"address", "at 889 N Ashgrove Avenue.", []string{"889 N Ashgrove Avenue."}},
		{"address", "in the 2600 block of Chicago Ave", nil},
		{"address", "12 newly renovated homes", nil},
		{"address", "$500 Main St", nil},
		// Links.
		{"link", "see https://www.example.com/x?y=1.", []string{"https://www.example.com/x?y=1"}},
		{"link", "full highlights → hoopclipz.net/wolves-refs-again", []string{"hoopclipz.net/wolves-refs-again"}},
		{"link", "www.stpaul.gov", []string{"www.stpaul.gov"}},
		{"link", "at 9 a.m. on St. Paul Ave", nil},
		{"link", "it costs 6.8% more", nil},
	}
	for _, tt := range tests {
		got := found(tt.s, tt.rule)
		if len(got) != len(tt.want) {
			t.Errorf("%s in %q: found %q, want %q", tt.rule, tt.s, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s in %q: found %q, want %q", tt.rule, tt.s, got, tt.want)
			}
		}
	}
}

func TestLinkHosts(t *testing.T) {
	t.Parallel()
	post := "Check the schedule at stpaul.gov/plows or at minneapolisparks.org."
	for _, tt := range []struct {
		host    string
		related bool
	}{
		{"stpaul.gov", true}, {"minneapolismn.gov", true}, {"minneapolisparks.org", true}, {"hoopclipz.net", false},
		{"t.me-cryptokings.vip", false},
	} {
		if got := hostRelated(tt.host, strings.ToLower(post)); got != tt.related {
			t.Errorf("hostRelated(%q) = %v, want %v", tt.host, got, tt.related)
		}
	}
}

func TestLuhn(t *testing.T) {
	t.Parallel()
	for d, want := range map[string]bool{"4111111111111111": true, "4111111111111112": false, "79927398713": true, "0": true, "18": true, "19": false} {
		if luhn(d) != want {
			t.Errorf("luhn(%s) = %v", d, !want)
		}
	}
}
