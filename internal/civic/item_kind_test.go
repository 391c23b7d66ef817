package civic

import "testing"

func TestItemKindLabel(t *testing.T) {
	for k, want := range map[ItemKind]string{ItemPost: "Post", ItemComment: "Comment", ItemReply: "Reply", ItemMessage: "Message", ItemMedia: "Media", ItemProfile: "Profile", "": "", "story": "story"} {
		if got := k.Label(); got != want {
			t.Errorf("%q.Label() = %q, want %q", k, got, want)
		}
	}
}
