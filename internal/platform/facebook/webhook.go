package facebook

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
)

// Delivery is one webhook delivery of Graph "entry" shape (Facebook Pages
// and Instagram).
type Delivery struct {
	Object string  `json:"object"`
	Entry  []Entry `json:"entry"`
}

// Entry is the changes for one account.
type Entry struct {
	ID      string   `json:"id"`
	Time    int64    `json:"time"`
	Changes []Change `json:"changes"`
}

// Change is one change of a field.
type Change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// ReadDelivery checks signature and age of every entry and decodes the
// delivery. Nothing of a delivery with one stale entry is used.
func ReadDelivery(h http.Header, body []byte, appSecret string, now time.Time) (*Delivery, error) {
	if err := VerifySignature(h, body, appSecret); err != nil {
		return nil, err
	}
	var d Delivery
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("the delivery is not JSON: %w", err)
	}
	for i, e := range d.Entry {
		if err := CheckAge(e.Time, now); err != nil {
			return nil, fmt.Errorf("entry[%d]: %w", i, err)
		}
	}
	return &d, nil
}

// Challenge implements civic.Pusher.
func (a *Adapter) Challenge(q url.Values, verifyToken string) (string, error) {
	return Challenge(q, verifyToken)
}

// feedValue is the value of a Page "feed" change.
type feedValue struct {
	Item        string  `json:"item"` // comment, post, status, photo, video, share, reaction…
	Verb        string  `json:"verb"` // add, edited, remove, hide, unhide
	PostID      string  `json:"post_id"`
	CommentID   string  `json:"comment_id"`
	ParentID    string  `json:"parent_id"`
	Message     string  `json:"message"`
	From        *person `json:"from"`
	CreatedTime any     `json:"created_time"` // Unix seconds or a Graph time
}

// Delivery implements civic.Pusher: Page feed changes (add, edited,
// remove, hide, unhide) of posts and comments. Reactions and other fields
// are not records Steward keeps and are skipped.
func (a *Adapter) Delivery(h http.Header, body []byte, appSecret string, now time.Time) ([]civic.Pushed, error) {
	d, err := ReadDelivery(h, body, appSecret, now)
	if err != nil {
		return nil, err
	}
	var out []civic.Pushed
	for i, e := range d.Entry {
		for j, ch := range e.Changes {
			if ch.Field != "feed" {
				continue
			}
			var v feedValue
			if err := json.Unmarshal(ch.Value, &v); err != nil {
				return nil, fmt.Errorf("entry[%d].changes[%d].value: %w", i, j, err)
			}
			o, ok := v.observation(ch.Value)
			if !ok {
				continue
			}
			out = append(out, civic.Pushed{RemoteAccountID: e.ID, Observation: o})
		}
	}
	return out, nil
}

func (v feedValue) observation(raw []byte) (civic.Observation, bool) {
	o := civic.Observation{Text: v.Message, ThreadID: v.PostID, State: civic.StateVisible, Raw: append([]byte(nil), raw...)}
	switch v.Item {
	case "comment":
		o.PlatformID, o.Kind, o.ParentID = v.CommentID, civic.ItemComment, v.PostID
		if v.ParentID != "" && v.ParentID != v.PostID {
			o.Kind, o.ParentID = civic.ItemReply, v.ParentID
		}
	case "post", "status", "photo", "video", "share", "link":
		o.PlatformID, o.Kind = v.PostID, civic.ItemPost
	default:
		return o, false
	}
	if o.PlatformID == "" {
		return o, false
	}
	switch v.Verb {
	case "remove":
		o.State = civic.StateDeleted
	case "hide":
		o.State = civic.StateHidden
	case "add", "edited", "unhide", "edit":
	default:
		return o, false
	}
	if v.From != nil {
		o.Author = civic.Author{ID: v.From.ID, Name: v.From.Name}
	}
	switch t := v.CreatedTime.(type) {
	case float64:
		tm := time.Unix(int64(t), 0).UTC()
		o.PlatformTime = &tm
	case string:
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			tm := time.Unix(n, 0).UTC()
			o.PlatformTime = &tm
		} else {
			o.PlatformTime = Time(t)
		}
	}
	return o, true
}
