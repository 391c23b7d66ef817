package classify

import (
	"fmt"
	"strings"
)

// The classifier learns hate from tweets and chat where identity words
// (gay, Muslim, Black) appear mostly in abuse; left alone it flags any
// sentence that names a group. Counterfactual examples fix that: neutral
// and kind sentences naming each group, taught as not abusive. They are
// written here, not taken from any evaluation set.

var identityTerms = []string{
	"gay", "lesbian", "bisexual", "transgender", "trans", "queer", "straight", "lgbt", "nonbinary",
	"muslim", "jewish", "christian", "catholic", "protestant", "hindu", "sikh", "buddhist", "atheist", "mormon",
	"black", "white", "asian", "latino", "latina", "hispanic", "african", "african american", "mexican", "chinese",
	"japanese", "korean", "indian", "arab", "somali", "hmong", "vietnamese", "native american", "indigenous",
	"immigrant", "refugee", "american", "european", "canadian", "middle eastern",
	"woman", "man", "female", "male", "girl", "boy", "teenage", "young", "old", "elderly", "older", "younger",
	"deaf", "blind", "disabled", "autistic", "veteran", "senior", "homosexual", "heterosexual", "lgbtq", "latinx",
	"taoist", "middle aged", "millennial", "boomer", "feminist", "pansexual", "asexual", "intersex", "cisgender",
	"wheelchair user", "mentally ill", "jew", "muslims", "christians", "gays", "lesbians", "immigrants", "refugees",
	"mexicans", "africans", "asians", "arabs", "indigenous people", "ojibwe", "dakota", "liberian", "ethiopian",
	"karen", "oromo", "ecuadorian", "russian", "ukrainian", "irish", "italian", "german", "polish", "filipino",
}

var identityTemplates = []string{
	"my neighbor is %s and helps at the food shelf",
	"our %s community is part of this city",
	"as a %s resident i support the new library hours",
	"she is a %s teacher at the school down the street",
	"he is a proud %s person",
	"being %s is nothing to be ashamed of",
	"i am %s",
	"we welcome %s families in our neighborhood",
	"the %s business owners on lake street did great work",
	"%s people deserve safe streets too",
	"a %s artist painted the mural",
	"thank you to the %s volunteers",
	"%s",
	"i love my %s friends",
	"my %s coworker is great",
	"is the event open to %s kids",
	"like %s",
	"respect %s",
	"hug %s",
	"love %s",
	"being %s is fine",
	"you are %s",
	"sam is a kind %s",
	"my friend is a friendly %s",
	"the %s family next door shoveled our walk",
}

// IdentityExamples returns the counterfactual examples: each template with
// each identity term, with no reason code.
func IdentityExamples() []Example {
	var out []Example
	for _, t := range identityTemplates {
		for _, term := range identityTerms {
			var l [nCodes]int8 // no code: a kind or neutral sentence
			// Counted as city comments (their own calibration), lightly.
			out = append(out, Example{Comment: fmt.Sprintf(t, term), Labels: l, Weight: identityWeight, Civic: true})
		}
	}
	return out
}

// identityWeight is how much each counterfactual example counts (times
// the civic weight, as they are taught as city comments).
const identityWeight = 0.15

// identityWord holds the one-word identity terms, whose features change
// with negation and quotation.
var identityWord = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range identityTerms {
		if !strings.Contains(t, " ") {
			m[t] = true
		}
	}
	for _, t := range []string{"muslims", "somalis", "jews", "gays", "mexicans", "asians", "latinos", "blacks", "whites", "immigrants", "refugees", "trans", "queers", "queer"} {
		m[t] = true
	}
	return m
}()
