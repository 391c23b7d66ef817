package draftscreen

import (
	"slices"
	"testing"
)

// TestPhraseRules checks each phrase rule on sentences written for this
// test (none is from the labeled data): the finding and the sentence it
// spans, and the plain official sentences that must not set it off.
func TestPhraseRules(t *testing.T) {
	t.Parallel()
	covert := func(text string) Draft {
		return Draft{Text: text, Account: "MPD covert profile", Department: "Police", Covert: true}
	}
	for _, c := range []struct {
		code string
		d    Draft
		want string // the finding's span; "" for no finding of code
	}{
		{PersonalOpinion, overt("The rink opens Friday. I think the new boards look great."), "I think the new boards look great."},
		{PersonalOpinion, overt("In my opinion the county plan is a waste of money."), "In my opinion the county plan is a waste of money."},
		{PersonalOpinion, overt("Tell us what you think about the new bus shelters."), ""},
		{PendingNegotiation, overt("Budget talks continue. Between us, the board will settle for 4%."), "Between us, the board will settle for 4%."},
		{PendingNegotiation, overt("The City is negotiating with the owner of the Maple Street lot."), "The City is negotiating with the owner of the Maple Street lot."},
		{PendingNegotiation, overt("The council approved the signed lease on Tuesday."), ""},
		{PartnerCriticism, overt("Storm cleanup is slow because our vendor was useless again."), "Storm cleanup is slow because our vendor was useless again."},
		{PartnerCriticism, overt("The old fountain was useless, so it was removed."), ""}, // negative, but about no one
		{MedicalOrCase, overt("A driver was hurt in the crash. She was hospitalized with a broken leg."), "She was hospitalized with a broken leg."},
		{MedicalOrCase, overt("Flu shots are free at every clinic. Diabetes screening is on Tuesday."), ""}, // no person
		{MedicalOrCase, overt("The man arrested Friday has a history of burglary."), "The man arrested Friday has a history of burglary."},
		{ViolenceOrCrime, covert("if he shows up again im gonna beat him up"), "if he shows up again im gonna beat him up"},
		{ViolenceOrCrime, covert("got a glock for sale, hmu"), "got a glock for sale, hmu"},
		{ViolenceOrCrime, overt("Residents should take matters into their own hands."), "Residents should take matters into their own hands."},
		{Campaign, overt("Come by the campaign fundraiser for Council Member Dahl tonight."), "campaign fundraiser"},
		{Campaign, overt("Are you registered to vote? Check at the county's site."), ""},
	} {
		var got, want []string
		if c.want != "" {
			// The whole screen reports the phrase.
			got, want = spansOf(t, c.d, c.code), []string{c.want}
		} else {
			// No rule fires. (The learned model may still flag the
			// sentence: it is not what this test is about.)
			rs, _, _ := ruleSpans(c.d.Text)
			for _, sp := range rs {
				if sp.code == c.code {
					got = append(got, c.d.Text[sp.start:sp.end])
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: %s %q, want %q", c.d.Text, c.code, got, want)
		}
	}
}

// TestCovertSmallTalkIsNotViolence: a covert persona's everyday posts get
// no violence_or_crime finding (an absolute block) for being covert.
func TestCovertSmallTalkIsNotViolence(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"just got a new bike!! any good trails on the east side?",
		"anyone know where to get decent pho near university ave",
		"new in town, where do ppl go on friday nights around here",
		"selling a used xbox, cash only, can meet today",
	} {
		d := Draft{Text: text, Account: "MPD covert profile", Department: "Police", Covert: true}
		if got := spansOf(t, d, ViolenceOrCrime); len(got) > 0 {
			t.Errorf("%q: violence_or_crime %q", text, got)
		}
	}
}
