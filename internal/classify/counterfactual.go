package classify

import "fmt"

// Written examples of speech that names a group or a hateful word without
// being hate: counter-speech, negation, thanks and questions. They teach
// the context features (negated and reported words, condemnation, thanks)
// what they mean. They were written for training and share no template
// with the functional suite in testdata/functional, which measures the
// same functions with other sentences.

var counterTemplates = []string{
	"we will not tolerate hate against our %s neighbors",
	"that post about %s was bigoted and should be taken down",
	"i am sick of seeing slurs aimed at %s in these comments",
	"the racist graffiti targeting %s needs to be cleaned up today",
	"shame on whoever harassed the %s family on our block",
	"%s belong here and anyone who says otherwise is wrong",
	"somebody wrote awful things about %s on the park shelter, please paint over it",
	"the guy yelling that %s should leave was out of line and i called it in",
	"i do not think %s are a threat to anyone",
	"no one should blame %s for the budget mess",
	"there is nothing wrong with being %s",
	"i have never had a problem with my %s neighbors",
	"it isn't fair to say %s don't work hard",
	"please don't spread lies about %s here",
}

var thanksTemplates = []string{
	"thank you for the quick repair on %s",
	"thanks to the crew that cleared %s this morning",
	"much appreciated, %s looks great now",
	"when will %s be finished?",
	"is %s open to bikes during the work?",
	"who should i contact about the drainage on %s?",
	"great job on %s, thank you",
}

var thanksPlaces = []string{"elm street", "the bike path", "county road 5", "the skate park", "fourth avenue", "the boat launch",
	"lincoln park", "the library lot", "river road", "the sledding hill", "oak grove trail", "the bus shelter on 8th"}

// CounterfactualExamples returns the written examples: city comments with
// no reason code.
func CounterfactualExamples() []Example {
	var out []Example
	for i, t := range counterTemplates {
		for j, term := range identityTerms {
			if (i+j)%2 == 1 {
				continue // half of the pairs are plenty
			}
			out = append(out, Example{Comment: fmt.Sprintf(t, term), Weight: counterWeight, Civic: true})
		}
	}
	for _, t := range thanksTemplates {
		for _, p := range thanksPlaces {
			out = append(out, Example{Comment: fmt.Sprintf(t, p), Weight: counterWeight, Civic: true})
		}
	}
	return out
}

// counterWeight is how much each written example counts (times the civic
// weight).
const counterWeight = 0.08
