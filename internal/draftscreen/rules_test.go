package draftscreen

import (
	"slices"
	"strings"
	"testing"
)

// spansOf screens text and returns the texts of its findings of code.
func spansOf(t *testing.T, d Draft, code string) []string {
	t.Helper()
	var out []string
	for _, f := range Screen(d).Findings {
		if f.Code == code {
			out = append(out, f.Text)
		}
	}
	return out
}

func overt(text string) Draft {
	return Draft{Text: text, Account: "City of Saint Paul", Department: "Communications"}
}

func TestPhoneEveryNorthAmericanFormat(t *testing.T) {
	t.Parallel()
	for _, num := range []string{
		"612-555-0148", "(612) 555-0148", "(612)555-0148", "612.555.0148", "612 555 0148", "6125550148",
		"1-612-555-0148", "1 (612) 555-0148", "+1 612 555 0148", "+1-612-555-0148", "+16125550148", "612-555-0100",
		"651‑555‑0199", // non-breaking hyphens
		"555-0148",     // seven digits, the fiction exchange
	} {
		text := "Questions about the carpool? Text me at " + num + " any time."
		if got := spansOf(t, overt(text), ContactInfo); !slices.Equal(got, []string{num}) {
			t.Errorf("%q: contact_info %q, want exactly the number", num, got)
		}
	}
	// Private cues in other words: whose number it is.
	for _, text := range []string{
		"Please call the victim's wife at 651-555-0192.",
		"You can reach her on her personal cell at 651-555-0151.",
		"Contact organizer Priscilla Moen at 612-555-0132 to help.",
	} {
		if got := spansOf(t, overt(text), ContactInfo); len(got) != 1 {
			t.Errorf("%q: contact_info %q, want the number", text, got)
		}
	}
}

func TestPhoneNotAFinding(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"Anyone with information, call our tip line at 651-555-0168.", // the city's own line
		"Questions? Call 311 or 612-673-3000.",
		"Call 911 in an emergency.",
		"The levy raises $612,555,014 over ten years.", // money
		"Permit 612-555-01489 was issued.",             // too many digits
		"Route 612 runs every 15 minutes.",
		"The 2025-2026 season runs Oct. 1 to Mar. 31.",
		"Reference number 123-45-67890 is not a phone number.",
	} {
		if got := spansOf(t, overt(text), ContactInfo); len(got) != 0 {
			t.Errorf("%q: contact_info %q, want none", text, got)
		}
	}
}

func TestEmail(t *testing.T) {
	t.Parallel()
	if got := spansOf(t, overt("RSVP to his email, bmpickup.thursday.dave@gmail.com, by Friday."), ContactInfo); !slices.Equal(got, []string{"bmpickup.thursday.dave@gmail.com"}) {
		t.Errorf("gmail: %q", got)
	}
	if got := spansOf(t, overt("Questions? Email recruiting@minneapolismn.gov or hr@ci.stpaul.mn.us."), ContactInfo); len(got) != 0 {
		t.Errorf("government addresses: %q, want none", got)
	}
	if got := spansOf(t, overt("Follow @mplsparks and use #MplsParks."), ContactInfo); len(got) != 0 {
		t.Errorf("handles: %q, want none", got)
	}
}

func TestAddresses(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"The owner at 1420 Foxmoor Dr SW says thanks.":                 "1420 Foxmoor Dr SW",
		"She lives in apt 3 at 55 Elm and asked for a ride.":           "apt 3 at 55 Elm",
		"Crews are at 3308 Quarry Ridge Ave N.":                        "3308 Quarry Ridge Ave N",
		"Drop donations at 556 Juniper Hollow Ln any evening.":         "556 Juniper Hollow Ln",
		"Whoever left chalk art at 2914 Tamarack Ridge Rd: thank you!": "2914 Tamarack Ridge Rd",
		"The tenant in unit 4B on 210 Birch called us.":                "unit 4B on 210 Birch",
		"The short-term rental at 3127 Aldrich Ave S. is unlicensed.":  "3127 Aldrich Ave S.",
	} {
		if got := spansOf(t, overt(text), ContactInfo); !slices.Equal(got, []string{want}) {
			t.Errorf("%q: contact_info %q, want %q", text, got, want)
		}
	}
	for _, text := range []string{
		"Neighbors on the 3100 block of Aldrich: slow down.",
		"We planted 40 trees and 12 shrubs on the boulevard.",
		"Water main work on Randolph Ave between Snelling and Hamline.",
		"Open 24 hours a day, 7 days a week.",
	} {
		if got := spansOf(t, overt(text), ContactInfo); len(got) != 0 {
			t.Errorf("%q: contact_info %q, want none", text, got)
		}
	}
}

func TestIDNumbers(t *testing.T) {
	t.Parallel()
	for text, want := range map[string][]string{
		"MISSING JUVENILE: Devonte Harris, DOB 08/14/2010, last seen near North Commons.": {"08/14/2010"},
		"Owen Rask-Martinez (born 3/2/2009) was cited.":                                   {"3/2/2009"},
		"Looking at you, applicant #23, who put 918-60-0125 in a cover letter.":           {"918-60-0125"}, // not issuable, still an SSN's shape
		"Your license number (F291-440-718-305) didn't match state records.":              {"F291-440-718-305"},
		"A gray Honda Civic, Minnesota plate 472-RMD, was found.":                         {"472-RMD"},
		"The impounded Camry with plate KPX 417 can be picked up.":                        {"KPX 417"},
		"Case #MP-25-118734 involves victim Pedro Almanza, who was robbed Tuesday.":       {"MP-25-118734"},
		"Jessica Forsberg, reference incident #SP25-044187 at the property room.":         {"SP25-044187"},
	} {
		if got := spansOf(t, overt(text), IDNumber); !slices.Equal(got, want) {
			t.Errorf("%q: id_number %q, want %q", text, got, want)
		}
	}
	for _, text := range []string{
		// A case number alone is how the police ask for tips: it names no one.
		"Incident #MP-25-203311: a man was assaulted near Franklin Station. Tips: call our tip line.",
		"The meeting is 12/05/2026 at City Hall.", // a date, not a birth date
		"Take I-94 to exit 235B.",
		"The COVID-19 clinic is open; see section 4-2-1.",
		"Join us at the 2025-26 season opener!",
	} {
		if got := spansOf(t, overt(text), IDNumber); len(got) != 0 {
			t.Errorf("%q: id_number %q, want none", text, got)
		}
	}
}

func TestProfanity(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"The splash pad is closed because someone took a shit in it.": "shit",
		"No more bullsh*t lines on Saturday.":                         "bullsh*t",
		"This a**hole hit three parked cars.":                         "a**hole",
		"Bus is late again WTF":                                       "WTF",
		"It's hot as hell out there.":                                 "hell",
	} {
		if got := spansOf(t, overt(text), Profanity); !slices.Contains(got, want) {
			t.Errorf("%q: profanity %q, want %q", text, got, want)
		}
	}
	for _, text := range []string{
		"Scunthorpe's class assessment of the cocktail hour: hello, Dickens fans!",
		"Shelter hours are extended through Sunday.",
		"The Hellgate bridge and Essex St are closed.",
	} {
		if got := spansOf(t, overt(text), Profanity); len(got) != 0 {
			t.Errorf("%q: profanity %q, want none", text, got)
		}
	}
}

func TestCampaignPhrases(t *testing.T) {
	t.Parallel()
	if got := spansOf(t, overt("Sharing from the Yes on Question 1 campaign: healthy homes for all!"), Campaign); !slices.Contains(got, "Yes on Question 1") {
		t.Errorf("ballot question: campaign %q, want the whole \"Yes on Question 1\"", got)
	}
	if got := spansOf(t, overt("Vote no on 2 and yes on Amendment B-3."), Campaign); !slices.Equal(got, []string{"Vote no on 2", "yes on Amendment B-3"}) {
		t.Errorf("two questions: campaign %q", got)
	}
	for _, text := range []string{
		"Free swim day, sponsored by the Committee to Elect Marisol Dane!",
		"Remember who got it funded: re-elect Mayor Theo Lindqvist!",
		"And vote NO on the charter amendment!",
		"Vote Ray on Nov. 4",
	} {
		if got := spansOf(t, overt(text), Campaign); len(got) == 0 {
			t.Errorf("%q: no campaign finding", text)
		}
	}
	for _, text := range []string{
		"Not sure if you're registered to vote? Check at mnvotes.gov.",
		"Early voting starts Friday at City Hall.",
		"Vote early on Saturday at City Hall.",
		"Polls open at 7 a.m.; find where you vote on our map.",
	} {
		if got := spansOf(t, overt(text), Campaign); len(got) != 0 {
			t.Errorf("%q: campaign %q, want none", text, got)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	if got := spansOf(t, overt("Lost cat Pumpkin is back home with owner Vanessa Kruse! Thanks to everyone who shared."), PrivatePersonName); !slices.Contains(got, "Vanessa Kruse") {
		t.Errorf("owner's name: %q", got)
	}
	for _, text := range []string{
		"Chief Raymond Castellanos has named Commander Teresa Lindahl as the new inspector.",
		"Council Members Priya Halvorsen and Dwayne Okafor took the oath of office.",
		"Shepard Rd and Warner Rd close at 7 p.m. tonight.",
	} {
		if got := spansOf(t, overt(text), PrivatePersonName); len(got) != 0 {
			t.Errorf("%q: private_person_name %q, want none (officials and roads)", text, got)
		}
	}
}

func TestViolenceOnCovertProfileIsAbsolute(t *testing.T) {
	t.Parallel()
	text := "anybody got a switch for a glock? paying good, dm"
	res := Screen(Draft{Text: text, Account: "persona", Department: "Police", Covert: true})
	var f *Finding
	for i := range res.Findings {
		if res.Findings[i].Code == ViolenceOrCrime {
			f = &res.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no violence_or_crime finding: %+v", res)
	}
	if f.Block != Absolute || !strings.Contains(f.Clause, "no approval overrides") || !res.Blocked() {
		t.Errorf("covert violence finding %+v: want absolute, naming the covert rule", f)
	}
	if res.Category != None {
		t.Errorf("category %s, want none for a covert persona's post", res.Category)
	}
	// The same words on an official account block for review: a reviewer may
	// judge them (it is a finding, not an absolute bar).
	for _, f := range Screen(Draft{Text: "If you see the guy who keeps cutting the fence, feel free to rough him up a little 😏", Covert: false}).Findings {
		if f.Block == Absolute {
			t.Errorf("overt draft finding %+v is absolute; only covert profiles' are", f)
		}
	}
}

func TestFindingsCarryClauses(t *testing.T) {
	t.Parallel()
	for _, c := range append(slices.Clone(PolicyCodes), AccessibilityCodes...) {
		if Clause(c) == "" {
			t.Errorf("code %s has no clause", c)
		}
	}
	res := Screen(overt("Text me at 612-555-0124 if interested!"))
	for _, f := range res.Findings {
		if f.Clause == "" || f.Block == "" || f.Text != "Text me at 612-555-0124 if interested!"[f.Start:f.End] {
			t.Errorf("finding %+v: clause, block and span must be set", f)
		}
	}
}
