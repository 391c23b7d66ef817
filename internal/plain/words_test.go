package plain

import "testing"

func TestWords(t *testing.T) {
	for code, want := range map[string]string{
		"local_media":            "local media",
		"private_info":           "private information",
		"ip_violation":           "intellectual property violation",
		"auth.sign_in":           "Sign-in: sign in",
		"moderation.form_create": "Moderation: form create",
		"widget.spin_up":         "Widget: spin up",
		"government":             "government",
		"":                       "",
	} {
		if got := Words(code); got != want {
			t.Errorf("Words(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestLanguage(t *testing.T) {
	for code, want := range map[string]string{"so": "Somali", "vi": "Vietnamese", "en": "English", "es": "Spanish", "ar": "Arabic",
		"hmn": "Hmong", "om": "Oromo", "am": "Amharic", "zh": "Chinese", "mixed": "Mixed"} {
		if got := Language(code); got != want {
			t.Errorf("Language(%q) = %q, want %q", code, got, want)
		}
	}
}
