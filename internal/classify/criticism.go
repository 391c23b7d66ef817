package classify

import "fmt"

// Harsh criticism of government is protected speech: a city must keep it.
// The civic set has few examples, and tweets teach that angry words are
// abuse, so these written examples teach the model that criticizing
// officials' work, however bluntly, is no reason code.

var criticismSubjects = []string{
	"the mayor", "the council", "this council", "the city", "city hall", "the police chief", "public works",
	"the park board", "the school board", "the water department", "the health department", "this administration",
	"our council member", "the city manager", "the budget office", "the police department", "the county board",
	"Mayor Peterson", "Council Member Hansen", "Commissioner Diaz", "Councilwoman Nguyen", "Chief Larson",
	"Council President Abdi", "Alderman Kowalski", "Mayor Vang",
}

var criticismPredicates = []string{
	"is incompetent", "should resign", "has failed us again", "wasted millions of our tax money", "should be voted out",
	"lied about the budget", "ignores the north side", "does not care about renters", "should be ashamed",
	"is doing a terrible job", "needs to be replaced", "broke every promise", "is useless in a snow emergency",
	"can't run a simple bus line", "keeps raising taxes and cutting services", "must answer for this mess",
	"is a failure on public safety", "should be investigated by the state auditor", "is out of touch",
	"has no plan and never did",
}

var criticismFrames = []string{
	"%s %s.", "honestly %s %s and everyone knows it", "%s %s, period.", "I'm furious. %s %s!",
	"Every year the same thing: %s %s.", "%s %s and we will remember in November",
}

// CriticismExamples returns the written examples of protected criticism:
// city comments with no reason code.
func CriticismExamples() []Example {
	var out []Example
	i := 0
	for _, s := range criticismSubjects {
		for _, p := range criticismPredicates {
			f := criticismFrames[i%len(criticismFrames)]
			i++
			var l [nCodes]int8 // every code known, none present
			out = append(out, Example{Comment: fmt.Sprintf(f, s, p), Labels: l, Weight: criticismWeight, Civic: true, Protected: true})
		}
	}
	return out
}

// criticismWeight is how much each written example counts (times the civic
// weight).
const criticismWeight = 0.06
