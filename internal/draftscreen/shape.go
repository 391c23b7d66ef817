package draftscreen

// shapeWords are words that say when or to whom a draft speaks; each
// group is one feature. They are general English, not taken from the
// labeled drafts: dates and times mark announcements and alerts, evergreen
// explanation marks information sharing, first person singular marks a
// personal post.
var shapeWords = map[string][]string{
	"weekday":  {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekday", "weekdays", "weekend", "weekends"},
	"month":    {"jan", "january", "feb", "february", "march", "april", "may", "june", "july", "aug", "august", "sept", "september", "oct", "october", "nov", "november", "dec", "december"},
	"soon":     {"today", "tonight", "tomorrow", "now", "currently", "immediately", "until", "this morning", "this afternoon", "this evening", "right now"},
	"upcoming": {"starts", "begins", "opens", "reopens", "kicks off", "begin", "start", "will", "coming", "next week", "this week", "this weekend", "season", "deadline", "by"},
	"time":     {"a.m", "p.m", "am", "pm", "noon", "midnight"},
	"explain":  {"did you know", "learn", "how", "why", "what", "means", "works", "here's", "guide", "explainer", "rights", "covers"},
	"i":        {"i", "i'm", "i've", "i'd", "my", "me", "mine", "myself"},
	"we":       {"we", "we're", "we've", "our", "us"},
	"you":      {"you", "your", "you're"},
	"ask":      {"tell us", "share your", "let us know", "survey", "vote for your", "help us", "join us", "weigh in", "comment"},
}

// shapeFeatures returns "sh:GROUP" for each group of shapeWords in the
// lower-case words (as cueWords gives them).
func shapeFeatures(lowerWords []string, fs []string) []string {
	for g, list := range shapeWords {
		for _, w := range list {
			if matchCue(lowerWords, w) {
				fs = append(fs, "sh:"+g)
				break
			}
		}
	}
	return fs
}
