package draftscreen

import "strings"

// cues are words and phrases that often carry a learned code. They are
// features of the model, not rules: the model learns how much each list
// counts, and a cue word alone makes no finding. They let a model trained
// on a few hundred drafts recognize words it never saw there. A word ending
// in "*" matches any word it starts.
var cues = map[string][]string{
	PersonalOpinion: {
		"i think", "i believe", "i feel", "personally", "honestly", "frankly", "in my opinion", "imo", "if you ask me",
		"my two cents", "for the record", "speaking for myself", "full disclosure", "i'd rather", "i'd ban",
		"you're wrong", "waste of money", "should be embarrassed", "should be scrapped", "unacceptable", "selfish",
		"ignorant", "unfair", "cash grab", "given up", "wrong side of history", "proud to work", "my values",
		"as a lifelong", "politicians", "terrible idea", "weakest", "failed", "ruined", "deserve", "can we talk about",
	},
	PartnerCriticism: {
		"disaster", "ridiculous", "useless", "a joke", "messed up", "slow and sloppy", "sloppy", "don't bother",
		"nobody ever", "won't fix", "broken for weeks", "errors", "be warned",
		"total mess", "incompetent", "unreliable", "their volunteers", "their wait times", "vendor", "contractor",
		"never picks up", "worst",
	},
	PendingNegotiation: {
		"negotiat*", "in talks", "bargaining", "offer*", "bid", "bids", "asking price", "top bid",
		"closed session", "between us", "settl*", "go up to", "won't go higher", "prepared to offer", "about to buy",
		"to buy", "leaning toward", "contract", "extension", "aiming for", "buyers", "seller",
	},
	MedicalOrCase: {
		"hospital*", "hcmc", "regions hospital", "tested positive", "positive for", "diagnos*", "critical condition",
		"treatment", "chemotherapy", "surgery", "injur*", "heart attack", "broke her", "broke his",
		"contagious", "medical leave", "recovering", "transported", "clinic appointment", "suspect",
		"victim*", "history of", "prior", "arrests", "told officers", "told us", "believed to be", "overcome by",
		"oxygen", "tb", "hepatitis", "overdose*", "pregnan*"},
	ViolenceOrCrime: {
		"glock", "switch for", "slide on", "pull up on", "putting him in", "jump", "snitch*", "rough him up",
		"rough her up", "tires slashed", "slash*", "no questions", "no title", "don't ask where",
		"cheap", "catalytic", "gas cards", "lean", "got a guy", "paying good", "matters into their own hands", "👊", "hmu", "beat", "hospital fr",
	},
	Campaign: {
		"campaign", "candidate", "re-elect*", "reelect*", "elect", "vote", "ballot", "yes on", "no on",
		"rank", "fundraiser", "door-knock*", "volunteer gig", "re-election",
	},
}

// categoryCues are words and phrases typical of each category, features of
// the category model as cues are of the codes.
var categoryCues = map[Category][]string{
	PressRelease:        {"press release", "news release", "announces", "announced", "today", "released", "approved", "certified", "chief", "mayor", "council voted", "arrests", "arrested", "charged", "cited"},
	Recruitment:         {"hiring", "hire", "apply", "applications", "applicants", "jobs", "job", "internship*", "positions", "career*", "training", "we'll train", "want to be"},
	RealTimeSafety:      {"alert", "warning", "advisory", "emergency", "avoid the area", "closed", "close", "tonight", "now", "boil", "recall", "smoke", "heat", "cold", "flood*", "detour*", "missing", "responded", "crash"},
	CrimePreventionTip:  {"lock", "locks", "protect", "scam*", "thieves", "stolen", "steal*", "break-in*", "suspicious", "tip", "tips", "never", "etching", "register", "registration", "fraud"},
	CommunityEngagement: {"survey", "tell us", "share", "volunteer*", "seeking", "join", "attend", "town hall", "meeting", "feedback", "input", "questions", "tag us", "help pick", "sign up", "sign-ups", "rsvp", "welcome"},
	Announcement:        {"opens", "open", "reopen*", "starts", "back", "schedule", "hours", "closed for", "free", "event", "day", "week", "season", "program"},
	InformationSharing:  {"learn more", "details", "did you know", "how", "what", "why", "report", "results", "update", "reminder", "info"},
}

// weakCampaignCues name voting without taking a side: a learned campaign
// finding needs a campaign cue besides these ("registered to vote?" is
// information, not a campaign).
var weakCampaignCues = map[string]bool{"vote": true, "ballot": true, "elect": true, "rank": true, "#1": true}

// strongCampaignCue reports whether text holds a campaign cue other than the weak ones.
func strongCampaignCue(text string) bool {
	lws := cueWords(text)
	for _, c := range cues[Campaign] {
		if !weakCampaignCues[c] && matchCue(lws, c) {
			return true
		}
	}
	return false
}

// cueWords are the lower-case words of text as cues match them, with emoji
// and "#1" as words of their own.
func cueWords(text string) []string {
	var lws []string
	for _, f := range strings.Fields(strings.ToLower(text)) {
		f = strings.Trim(f, ".,!?;:()\"'")
		if f != "" {
			lws = append(lws, f)
		}
	}
	return lws
}

// cueFeatures returns a feature "cue:CODE" for each cue of text.
func cueFeatures(lowerWords []string, fs []string) []string {
	for code, list := range cues {
		for _, c := range list {
			if matchCue(lowerWords, c) {
				fs = append(fs, "cue:"+code, "cue:"+code+":"+c)
			}
		}
	}
	for cat, list := range categoryCues {
		for _, c := range list {
			if matchCue(lowerWords, c) {
				fs = append(fs, "cat:"+string(cat))
			}
		}
	}
	return fs
}

// matchCue reports whether the words hold the cue's words in a row.
func matchCue(ws []string, cue string) bool {
	parts := strings.Fields(cue)
	for i := 0; i+len(parts) <= len(ws); i++ {
		ok := true
		for k, p := range parts {
			w := ws[i+k]
			if strings.HasSuffix(p, "*") {
				ok = strings.HasPrefix(w, p[:len(p)-1])
			} else {
				ok = w == p
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
