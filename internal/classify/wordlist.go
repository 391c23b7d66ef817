package classify

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// The curated word lists. An entry is a whole word ("idiot"), a root that
// may start a word ("fuck*": fucking, fucker) or a root that may appear
// anywhere in a word ("~fuck": motherfucker). Entries with spaces are
// phrases of whole words. Words are matched after normalization, so
// "F U C K", "fuuuck", "phuck" need no entries of their own, but "phuck"
// does. allowWords lists the innocent words that hold a root (the
// Scunthorpe problem); they never match.
var wordLists = map[string][]string{
	"obscene": {
		"porn*", "p0rn", "nudes", "nude pics", "blowjob*", "handjob*", "milf*", "hentai", "xxx", "cum", "cumshot*",
		"dick pic*", "horny", "onlyfans", "sexting", "boobs", "tits", "titties", "pussy", "pussies", "cock", "cocks",
		"dildo*", "orgasm*", "masturbat*", "jerk off", "jerking off", "naked pics", "sex tape", "hookup*", "hook up tonight",
		"escort*", "camgirl*", "webcam girls", "lonely wives", "hot singles", "deepthroat*", "anal", "gangbang*", "rape*",
	},
	"vulgar": {
		"~fuck", "fck", "fk", "fuk*", "phuck*", "fcuk*", "wtf", "stfu", "gtfo", "shit*", "~bullshit", "~horseshit", "sh1t",
		"crap", "crappy", "damn", "dammit", "goddamn*", "piss", "pissed", "bitch*", "~cunt", "asshole*", "ass", "asses",
		"arse", "arsehole*", "bastard*", "dick", "dickhead*", "dicks", "prick", "twat*", "wanker*", "bollocks", "jackass",
		"dumbass*", "smartass*", "badass", "hoe", "hoes", "thot*", "douche*", "motherf*", "mf", "mofo", "effing", "frickin*",
		"fricking", "freaking", "screw you", "suck my", "sucks", "hell", "bloody hell", "son of a bitch", "pendejo*",
		"mierda", "chinga*", "puta*",
	},
	"threat": {
		"kill you", "kill him", "kill her", "kill them", "kill yourself", "kys", "shoot you", "shoot him", "shoot her",
		"shoot up", "shoot them", "murder you", "burn it down", "burn down", "bomb", "bombs", "blow up", "beat you",
		"beat your", "hunt you", "hunt them", "find where you live", "know where you live", "watch your back", "you're dead",
		"youre dead", "you are dead", "dead man", "gonna die", "going to die", "hang them", "hang him", "lynch*", "slit",
		"stab", "stab you", "i will find", "pay for this", "regret this", "bullet", "bullets", "gun down", "pipe bomb",
		"torch", "molotov*", "behead*", "execute them", "string them up", "line them up", "take you out",
		"i'll be waiting", "shotgun", "armed", "gets kicked", "break his legs", "break your legs", "swinging on",
		"going to be blood", "bulletproof", "find out what happens", "better hope", "hanged", "rope", "get shot",
		"gets shot", "getting shot", "drag", "brick", "slash*", "mark my words", "watch me", "try me", "a promise",
		"won't need a trial", "not hitting the brakes", "plow right through", "be ready", "deal with them", "personally",
		"louder than", "nothing left to lose", "takes care of its own", "before we do", "run them over", "run you over",
	},
	"harassment": {
		"idiot*", "moron*", "stupid", "dumb", "loser*", "retard*", "imbecile*", "clown", "clowns", "pathetic", "ugly",
		"fatso", "fat ass", "shut up", "shut your", "nobody likes you", "go away", "get lost", "piece of shit", "scum*",
		"trash", "garbage person", "worthless", "disgusting", "pig", "pigs", "slut*", "whore*", "skank*", "karen",
		"dumb broad", "broad", "cow", "freak", "creep", "creepy", "weirdo", "lunatic", "psycho", "nutjob", "cuck*",
		"simp", "incel*", "you suck", "kiss my", "you're a", "you are a", "you're an", "you're the", "you're all", "youre a",
		"coward", "disgrace", "spineless", "dork", "witch", "brain-dead", "braindead", "puppet", "hates you", "nobody asked you",
		"nobody cares", "annoying", "feminazi", "dinosaur", "washed-up", "heartless", "smug", "yes-man", "hack", "liar", "doqon", "nacas", "estupido", "estúpido", "idiota", "pendeja",
	},
	"discrimination": {
		"nigger*", "nigga*", "negro", "negroes", "coon", "coons", "chink*", "gook*", "spic", "spics", "wetback*", "beaner*",
		"kike*", "raghead*", "towelhead*", "sand nigger*", "faggot*", "fag", "fags", "dyke*", "tranny", "trannies", "shemale*",
		"retards", "cripple", "cripples", "savages", "subhuman*", "vermin", "illegals", "go back to", "send them back",
		"deport them", "real americans", "those people", "these people", "their kind", "inbred*", "ghetto", "thug*",
		"muzzie*", "mooslim*", "islamist*", "jihadi*", "terrorists", "invaders", "infestation", "breed like",
	},
	"spam": {
		"subscribe", "subscribers", "my channel", "check out my", "check my", "click here", "click my", "click the link",
		"link in bio", "dm me", "dm for", "whatsapp", "telegram", "crypto", "bitcoin", "btc", "forex", "investment",
		"investing", "earn", "make money", "work from home", "per day", "a month", "per week", "free", "giveaway", "winner",
		"won", "prize", "claim", "promo", "discount", "sale", "buy now", "order now", "limited time", "act now",
		"call now", "txt", "text stop", "cash", "loan*", "viagra", "cialis", "followers", "likes", "sub4sub", "follow me",
		"same day", "best price", "lowest price", "hiring", "guaranteed", "visit", "www", "http*",
	},
	"campaign": {
		"vote for", "vote", "votes", "voting for", "re-elect", "reelect*", "elect", "for mayor", "for council", "for ward",
		"for city council", "for senate", "for governor", "for president", "for congress", "campaign*", "ballot", "candidate*",
		"endorse*", "donate to", "yard sign*", "npav", "pov npav", "vota por", "votar", "u codee", "codee", "cod siiya",
		"volunteer for", "our campaign", "my campaign", "election day", "primary", "caucus*", "maga", "trump", "biden",
		"harris", "democrats", "republicans", "gop", "dfl",
	},
	"defamation": {
		"rigged", "rigging", "embezzl*", "bribe*", "bribing", "pays off", "paid off", "pay off", "takes cash", "took cash",
		"kickback*", "crook", "crooks", "crooked", "convicted", "dirty cop", "plants evidence", "planted evidence", "framed",
		"covered it up", "cover up", "cover-up", "on the take", "slumlord*", "stole", "stealing from", "fraud*", "laundering",
		"dating the", "sleeping with", "gets paid", "took $", "in bribes", "pocketed", "skimming", "felon", "affair",
		"drunk on the job", "molester", "pedophile", "child abuser", "everybody knows", "everyone knows", "look it up",
	},
	"ip_violation": {
		"full movie", "full album", "full episode", "download", "free in hd", "full lyrics", "lyrics", "whole poem",
		"chapter", "chapter one", "retyped", "reuploaded", "re-uploaded", "full article", "paywalled", "paywall", "pdf",
		"authorized reseller", "official partner", "leaked", "leak", "free movies", "stream free", "kindle",
		"any book", "copied", "copy of the", "whole book", "full text", "full broadcast", "mirror", "bootleg", "knockoff*",
		"replica*",
	},
	"investigation": {
		"plate", "license plate", "plate starts", "plate started", "ring camera", "camera", "dashcam", "suspect", "suspects",
		"shooter", "the driver is", "getaway", "my buddy at", "my friend is a", "says they found", "they found",
		"it was definitely", "obviously", "it was him", "go get him", "hiding at", "hiding out", "tattoo", "witness",
		"saw the whole thing", "keep it quiet", "case closed", "the guy", "his name is", "the gun", "evidence", "blurred",
		"arson", "the victim", "the detectives", "leaked report", "police report", "autopsy", "informant", "snitch*",
	},
	"safety": {
		"keypad", "door code", "gate code", "code is", "keys", "unmarked", "no police", "no cops", "every night", "shelter",
		"safe house", "hiding from", "rooms", "badge", "just so everyone knows", "in case anyone wants", "go bother",
		"where to avoid", "unlocked", "alarm", "security guard", "no guards", "unguarded", "back door", "side door",
		"schedule", "alone at", "armory", "evidence room", "cash drop", "ballot box", "drop box", "how to make",
		"floor plan", "blind spot", "cameras are", "cameras don't",
	},
	"illegal_activity": {
		"weed", "cocaine", "coke", "meth", "heroin", "fentanyl", "fent", "percs", "xanax", "oxy", "pills", "molly",
		"plug", "dealer", "shrooms", "lsd", "steal", "stealing", "shoplift*", "loot*", "rob", "robbing", "break in",
		"fake id*", "counterfeit*", "hotwire", "catalytic", "graffiti", "tag it", "tagging", "don't pay", "dont pay",
		"skip the fare", "jump the turnstile", "ghost gun*", "untraceable", "unregistered", "street race*", "takeover",
		"squat", "squatting", "dump it", "dump your", "bootleg*", "pirate*", "torrent*",
	},
}

// allowWords hold a listed root but are innocent.
var allowWords = []string{
	"scunthorpe", "cuntsey", "shitake", "shiitake", "shittim", "cocktail", "cocktails", "cockpit", "cockroach", "cockburn",
	"peacock", "hancock", "hitchcock", "babcock", "woodcock", "shuttlecock", "dickens", "dickinson", "dickson", "dickey",
	"pricks", "prickly", "assassin", "assassinate", "assassinated", "assassination", "bass", "class", "classic", "grass",
	"glass", "mass", "pass", "passed", "brass", "massachusetts", "essex", "sussex", "middlesex", "wessex", "analysis",
	"analyst", "analog", "canal", "banal", "therapist", "grape", "grapes", "drape", "drapes", "scrape", "rapeseed",
	"escorted", "titter", "title", "bitchin", "hello", "shell", "shellfish", "michelle", "hellen", "helle", "helen",
	"skewer", "scumble", "loanword", "electric", "electrical", "electricity", "elected",
	"election", "elections", "electorate", "spice", "spicy", "snigger", "sniggered", "niggle", "niggling", "niggardly",
	"penistone", "matsushita", "cumulative", "cumbersome", "document", "circumstance", "cucumber", "incumbent", "sobriety",
	"robin", "robinson", "robust", "voter", "voters", "freakishly", "thoughts", "thought", "pigment", "pigeon",
	"campaigners", "primaryschool", "endorsement", "candidly", "plugged", "pirated", "trumpet", "trumpets", "harrison",
}

// listEntry is one word-list entry as matched.
type listEntry struct {
	codes []int
	word  string
}

// lexicon is the compiled word lists.
type lexicon struct {
	exact      map[string][]int // whole word → codes
	prefix     map[string][]int // root → codes, for words starting with it
	substr     []listEntry      // roots found anywhere in a word
	phrases    map[string][][]string
	phraseCds  map[string][]int // joined phrase → codes
	allow      map[string]bool
	exactList  []string // the keys of exact and prefix, sorted, for masked words
	prefixList []string
	minPrefix  int
	maxPrefix  int
}

func addCode(m map[string][]int, k string, c int) {
	for _, x := range m[k] {
		if x == c {
			return
		}
	}
	m[k] = append(m[k], c)
}

// compileLexicon builds the lexicon from the word lists.
func compileLexicon() *lexicon {
	lx := &lexicon{exact: map[string][]int{}, prefix: map[string][]int{}, phrases: map[string][][]string{},
		phraseCds: map[string][]int{}, allow: map[string]bool{}, minPrefix: 1 << 30}
	for _, w := range allowWords {
		lx.allow[w] = true
	}
	for ci, code := range Codes {
		for _, e := range append(slices.Clone(wordLists[code]), languageLists[code]...) {
			core, sub, pre := e, strings.HasPrefix(e, "~"), strings.HasSuffix(e, "*") && len(e) > 1
			core = strings.TrimSuffix(strings.TrimPrefix(core, "~"), "*")
			words := strings.Fields(Normalize(core))
			switch {
			case len(words) == 0:
				continue
			case len(words) > 1:
				if _, ok := lx.phraseCds[strings.Join(words, " ")]; !ok {
					lx.phrases[words[0]] = append(lx.phrases[words[0]], words)
				}
				addCode(lx.phraseCds, strings.Join(words, " "), ci)
			case sub:
				lx.substr = append(lx.substr, listEntry{codes: []int{ci}, word: words[0]})
			case pre:
				root := words[0]
				addCode(lx.prefix, root, ci)
				lx.minPrefix = min(lx.minPrefix, len(root))
				lx.maxPrefix = max(lx.maxPrefix, len(root))
			default:
				addCode(lx.exact, words[0], ci)
			}
		}
	}
	for w := range lx.exact {
		lx.exactList = append(lx.exactList, w)
	}
	for w := range lx.prefix {
		lx.prefixList = append(lx.prefixList, w)
	}
	slices.Sort(lx.exactList)
	slices.Sort(lx.prefixList)
	return lx
}

// wordHit is a word-list match: codes, and the tokens [from, to) it covers.
type wordHit struct {
	codes    []int
	from, to int
	quiet    bool // negated, reported, or a counter-speech judgment: not the commenter's abuse, no evidence
}

// matchWord returns the codes of one word, or nil.
func (lx *lexicon) matchWord(w string) []int {
	if lx.allow[w] || lx.allow[strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")] {
		return nil
	}
	if c, ok := lx.exact[w]; ok {
		return c
	}
	for n := lx.minPrefix; n <= lx.maxPrefix && n <= len(w); n++ {
		if c, ok := lx.prefix[w[:n]]; ok {
			return c
		}
	}
	for _, e := range lx.substr {
		if strings.Contains(w, e.word) {
			return e.codes
		}
	}
	return nil
}

// matchMasked matches a word with '*' for hidden letters ("f*ck", "sh**").
func (lx *lexicon) matchMasked(w string) []int {
	if strings.Trim(w, "*") == "" {
		return nil
	}
	fits := func(pattern, word string, prefix bool) bool {
		if len(pattern) != len(word) && !(prefix && len(pattern) > len(word)) {
			return false
		}
		for i := 0; i < len(word); i++ {
			if pattern[i] != '*' && pattern[i] != word[i] {
				return false
			}
		}
		return true
	}
	for _, word := range lx.exactList {
		if len(word) >= 3 && fits(w, word, false) {
			return lx.exact[word]
		}
	}
	for _, root := range lx.prefixList {
		if len(root) >= 4 && fits(w, root, true) {
			return lx.prefix[root]
		}
	}
	for _, e := range lx.substr {
		if fits(w, e.word, true) {
			return e.codes
		}
	}
	return nil
}

// match finds every word-list hit in toks, appending to dst.
func (lx *lexicon) match(toks []token, dst []wordHit) []wordHit {
	for i, t := range toks {
		if !t.letters {
			// An emoji on a list (🍑) is a word; numbers and signs are not.
			if c, ok := lx.exact[t.text]; ok && t.text != "" && t.text[0] >= utf8.RuneSelf {
				dst = append(dst, wordHit{codes: c, from: i, to: i + 1})
			}
			continue
		}
		if ps, ok := lx.phrases[t.text]; ok {
			for _, p := range ps {
				if i+len(p) > len(toks) {
					continue
				}
				ok := true
				for k := 1; k < len(p); k++ {
					if toks[i+k].text != p[k] {
						ok = false
						break
					}
				}
				if ok {
					dst = append(dst, wordHit{codes: lx.phraseCds[strings.Join(p, " ")], from: i, to: i + len(p)})
				}
			}
		}
		c := lx.matchWord(t.text)
		if c == nil && t.alt != "" {
			c = lx.matchWord(t.alt)
		}
		if c == nil && t.masked {
			c = lx.matchMasked(t.text)
		}
		if c != nil {
			dst = append(dst, wordHit{codes: c, from: i, to: i + 1})
		}
	}
	return dst
}
