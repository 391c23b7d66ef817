package classify

import (
	"strings"
	"unicode"
)

// DetectLanguage names the language a comment is mostly written in, among
// those residents write: "am" (Ge'ez script), "ar" (Arabic), "ru"
// (Cyrillic), "zh" (Han), "vi" (Vietnamese letters), and for other Latin
// text "es", "so", "hmn", "om" or "en" by their most common words. It is a
// guess for filtering the queue and reporting, not a screen; code-mixed
// comments get the language with the most evidence.
func DetectLanguage(text string) string {
	var geez, arabic, cyr, han, viet, latin int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Ethiopic, r):
			geez++
		case unicode.Is(unicode.Arabic, r):
			arabic++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Han, r):
			han += 2 // a Han character is a word
		case strings.ContainsRune(vietLetters, unicode.ToLower(r)):
			viet++
			latin++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	best, n := "", 0
	for _, c := range []struct {
		lang string
		n    int
	}{{"am", geez}, {"ar", arabic}, {"ru", cyr}, {"zh", han}} {
		if c.n > n {
			best, n = c.lang, c.n
		}
	}
	if n > latin/2 {
		return best
	}
	if viet >= 3 {
		return "vi"
	}
	counts := map[string]int{}
	for _, t := range tokenize(text, nil) {
		for lang, words := range stopWords {
			if words[t.text] {
				counts[lang]++
			}
		}
	}
	best, n = "en", counts["en"]
	for _, lang := range []string{"es", "so", "hmn", "om"} {
		if counts[lang] > n {
			best, n = lang, counts[lang]
		}
	}
	return best
}

// vietLetters are letters only Vietnamese uses among the languages here.
const vietLetters = "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđăơư"

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// stopWords are common words of each Latin-script language.
var stopWords = map[string]map[string]bool{
	"en":  set("the", "and", "is", "to", "of", "a", "in", "it", "you", "that", "this", "for", "on", "are", "with", "my", "i", "we", "they", "be", "was", "have", "not", "what", "when", "can"),
	"es":  set("el", "la", "los", "las", "de", "que", "y", "en", "es", "por", "para", "con", "un", "una", "no", "se", "su", "del", "al", "lo", "como", "pero", "gracias", "muy", "hay", "está", "más", "ya"),
	"so":  set("waa", "iyo", "ka", "ku", "oo", "aan", "ma", "waxaa", "wuxuu", "waxay", "ah", "ee", "u", "la", "ayaa", "inay", "iyada", "magaalada", "dadka", "haddii", "sidee", "maxaa"),
	"hmn": set("koj", "kuv", "peb", "thov", "nyob", "tsis", "muaj", "lub", "cov", "tus", "rau", "yog", "thiab", "nws", "lawv", "ntawm", "ua", "tsaug", "puas", "yuav", "txoj", "neeg", "li", "xwb"),
	"om":  set("fi", "kan", "akka", "keessa", "irratti", "hin", "dha", "nu", "nuti", "isaan", "kana", "ni", "kee", "keenya", "magaalaa", "hundi", "yoo", "maal", "jira", "qaba"),
}
