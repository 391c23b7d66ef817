// Package draftscreen is the screen every revision of a staff draft passes
// before review: the authorized content category it most likely belongs to,
// and findings, each a span of the text (or the whole draft) with the policy
// clause it breaks and whether it blocks publishing. Rules find what rules
// find well (phone numbers, e-mail and street addresses, ID and case
// numbers, plates, dates of birth, profanity, campaign phrases, the
// accessibility checks); a small learned model, trained by "steward train
// drafts" and embedded, finds the rest (private persons' names, case and
// medical details, personal opinion, criticism of partners, pending
// negotiations, violence or crime) and suggests the category.
package draftscreen

// Draft is one revision of a post as its author wrote it.
type Draft struct {
	Text       string
	Account    string // the official account's name
	Department string
	Covert     bool // posted through a registered covert profile
	Media      []Media
}

// Media is an image, video, GIF or audio clip attached to a draft, as its
// metadata describes it.
type Media struct {
	Kind     string // "image", "gif", "video" or "audio"
	Alt      string // alternative text (images and GIFs)
	Captions bool   // captions or a transcript are attached (video and audio)
	// NoCaptionsReason is what a reviewer recorded for publishing a video
	// without captions; with it, the missing captions no longer block.
	NoCaptionsReason string
}

// Block says what a finding does to publishing.
type Block string

const (
	// Advice is shown to the author and reviewer; it does not stop publishing.
	Advice Block = "advice"
	// Review stops publishing until a reviewer approves the draft anyway
	// and records why.
	Review Block = "review"
	// Absolute stops publishing; no approval overrides it (CVT-5).
	Absolute Block = "absolute"
)

// Finding is one thing the screen found. Start and End are byte offsets
// into Draft.Text and Text is Draft.Text[Start:End]; a finding about the
// whole draft (a campaign post, a video without captions) has Start = End = 0
// and an empty Text.
type Finding struct {
	Code   string `json:"code"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Text   string `json:"span"`
	Clause string `json:"clause"` // the policy it breaks, in plain words
	Block  Block  `json:"block"`
	Rule   string `json:"rule"` // what found it: "phone", "case_number", "model", "wordlist", …
}

// Result is what the screen says about a draft.
type Result struct {
	Category Category  `json:"category"`
	Findings []Finding `json:"findings"`
	// Grade is the text's Flesch-Kincaid grade level (0 for text too short
	// to measure).
	Grade float64 `json:"grade"`
}

// Blocked reports whether any finding stops publishing: Absolute always,
// Review until a reviewer approves.
func (r Result) Blocked() bool {
	for _, f := range r.Findings {
		if f.Block != Advice {
			return true
		}
	}
	return false
}

// The codes of the policy findings, as the data file names them.
const (
	PrivatePersonName  = "private_person_name"
	ContactInfo        = "contact_info"
	IDNumber           = "id_number"
	MedicalOrCase      = "medical_or_case_detail"
	PersonalOpinion    = "personal_opinion"
	Campaign           = "campaign"
	PartnerCriticism   = "partner_criticism"
	PendingNegotiation = "pending_negotiation"
	ViolenceOrCrime    = "violence_or_crime"
	Profanity          = "profanity"
)

// The codes of the accessibility findings (PUB-6).
const (
	ImageNoAlt      = "image_without_alt"
	VideoNoCaptions = "video_without_captions"
	HashtagCase     = "hashtag_not_camel_case"
	EmojiAsWord     = "emoji_as_word"
	VagueLinkText   = "vague_link_text"
	ReadingGrade    = "reading_grade"
)

// PolicyCodes are the policy findings, in the order results list them.
var PolicyCodes = []string{
	PrivatePersonName, ContactInfo, IDNumber, MedicalOrCase, PersonalOpinion,
	Campaign, PartnerCriticism, PendingNegotiation, ViolenceOrCrime, Profanity,
}

// AccessibilityCodes are the accessibility findings.
var AccessibilityCodes = []string{ImageNoAlt, VideoNoCaptions, HashtagCase, EmojiAsWord, VagueLinkText, ReadingGrade}

// clauses says, in plain words, which rule of the city's policy each code breaks.
var clauses = map[string]string{
	PrivatePersonName:  "Names a private person: city accounts must not disclose private or confidential information, including names.",
	ContactInfo:        "Gives a private phone number, e-mail or home address: city accounts must not disclose private or confidential information.",
	IDNumber:           "Gives an ID, case, license or plate number or a date of birth: city accounts must not disclose private or confidential information.",
	MedicalOrCase:      "Gives medical or case details about a person: city accounts must not disclose private or confidential information.",
	PersonalOpinion:    "States a personal or political opinion: city accounts may not be used to express private or personal views.",
	Campaign:           "Campaigns for or against a candidate or ballot question: city accounts may not endorse candidates or campaigns.",
	PartnerCriticism:   "Criticizes a community partner or its services: city staff must not comment negatively on community partners.",
	PendingNegotiation: "Discloses a pending decision or negotiating position that could compromise negotiations.",
	ViolenceOrCrime:    "Promotes violence or criminal activity, which nothing posted for the city may do.",
	Profanity:          "Uses profane or vulgar language on an official account.",
	ImageNoAlt:         "An image has no alternative text, so people using screen readers cannot know what it shows.",
	VideoNoCaptions:    "A video has no captions, so people who are deaf or hard of hearing cannot follow it.",
	HashtagCase:        "A hashtag of several words is not written in CamelCase (#CityHallNews), so screen readers read it as one word.",
	EmojiAsWord:        "An emoji stands in for a word, which screen readers read as its name (\"backhand index pointing right\").",
	VagueLinkText:      "\"Click here\" or \"here\" does not say where a link goes; say what it opens.",
	ReadingGrade:       "The text reads above the grade level the city set; use shorter sentences and plainer words.",
}

// violenceOnCovert is the clause of a violence_or_crime finding on a covert profile.
const violenceOnCovert = "A covert profile may never post anything that promotes violence or criminal activity (MPD policy IV.C.3); no approval overrides this."

// Clause returns the plain-words clause of a code, or "" for an unknown code.
func Clause(code string) string { return clauses[code] }
