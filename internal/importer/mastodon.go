package importer

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/platform"
)

// Mastodon reads a Mastodon or GoToSocial account archive: outbox.json,
// an ActivityPub OrderedCollection whose orderedItems are Create
// activities (the account's posts and replies, with their Note) and
// Announce activities (its boosts), with media from the archive's
// media_attachments folder. A status's id is the last part of its URI,
// which is its id on the account's own server; a reply to a status on
// another server keeps that status's URI as its parent.
func Mastodon(files []File, account string) ([]Entry, error) {
	paths := byPath(files)
	var out []Entry
	for _, f := range pick(files, "outbox.json") {
		data, err := f.Read()
		if err != nil {
			return nil, err
		}
		var box struct {
			Type  string            `json:"type"`
			Items []json.RawMessage `json:"orderedItems"`
		}
		if err := json.Unmarshal(data, &box); err != nil {
			return nil, badJSON(f.Name, data, err)
		}
		if box.Type != "OrderedCollection" {
			return nil, civic.Invalid("type", "%s: type is %q, not the OrderedCollection of an outbox", f.Name, box.Type)
		}
		for i, raw := range box.Items {
			out = append(out, activity(f.Name+" orderedItems", i, raw, account, paths))
		}
	}
	return out, nil
}

type note struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Published  string `json:"published"`
	Updated    string `json:"updated"`
	InReplyTo  string `json:"inReplyTo"`
	Content    string `json:"content"`
	Summary    string `json:"summary"`
	Attachment []struct {
		URL       string `json:"url"`
		MediaType string `json:"mediaType"`
	} `json:"attachment"`
}

func activity(name string, i int, raw json.RawMessage, account string, paths map[string]File) Entry {
	e := Entry{Where: where(name, i, "")}
	var a struct {
		ID        string          `json:"id"`
		Type      string          `json:"type"`
		Actor     string          `json:"actor"`
		Published string          `json:"published"`
		Object    json.RawMessage `json:"object"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		e.Err = entryError("", "%v", err)
		return e
	}
	fail := func(field, format string, args ...any) Entry {
		e.Where, e.Err = where(name, i, field), entryError(field, format, args...)
		return e
	}
	switch a.Type {
	case "Create":
		var n note
		if err := json.Unmarshal(a.Object, &n); err != nil || n.ID == "" {
			return fail("object", "a Create needs an object with an id")
		}
		at, err := time.Parse(time.RFC3339, n.Published)
		if err != nil {
			return fail("object.published", "published %q is not an RFC 3339 time", clipText(n.Published))
		}
		kind := civic.ItemPost
		parent := ""
		if n.InReplyTo != "" {
			kind, parent = civic.ItemReply, statusID(n.InReplyTo, a.Actor)
		}
		text := platform.HTMLText(n.Content)
		if n.Summary != "" {
			text = "CW: " + platform.HTMLText(n.Summary) + "\n\n" + text
		}
		e.Record = record(account, statusID(n.ID, a.Actor), kind, at, text, a.Object)
		e.Record.Parent = parent
		if u, err := time.Parse(time.RFC3339, n.Updated); err == nil && u.After(at) {
			e.Record.CapturedAt = u.UTC().Format(time.RFC3339Nano)
		}
		for _, m := range n.Attachment {
			if f, ok := paths[mediaPath(m.URL)]; ok {
				e.addMedia(f, m.URL)
			}
		}
		return e
	case "Announce":
		var target string
		if json.Unmarshal(a.Object, &target) != nil || target == "" {
			return fail("object", "an Announce needs the URI of what it boosts")
		}
		at, err := time.Parse(time.RFC3339, a.Published)
		if err != nil {
			return fail("published", "published %q is not an RFC 3339 time", clipText(a.Published))
		}
		id := strings.TrimSuffix(a.ID, "/activity")
		e.Record = record(account, statusID(id, a.Actor), civic.ItemPost, at, "boosted "+target, raw)
		e.Record.Tags = append(e.Record.Tags, "boost")
		return e
	}
	return fail("type", "type %q is neither Create nor Announce", clipText(a.Type))
}

// statusID is the id of a status on the actor's own server (the last part
// of its URI), or the whole URI for a status elsewhere.
func statusID(uri, actor string) string {
	u, err := url.Parse(uri)
	au, aerr := url.Parse(actor)
	if err != nil || aerr != nil || u.Host == "" || u.Host != au.Host {
		return uri
	}
	p := strings.TrimSuffix(u.Path, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 && i < len(p)-1 {
		return p[i+1:]
	}
	return uri
}

// mediaPath maps an attachment URL (/system/media_attachments/files/…)
// to its path in the archive (media_attachments/files/…).
func mediaPath(raw string) string {
	p := raw
	if u, err := url.Parse(raw); err == nil {
		p = u.Path
	}
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimPrefix(p, "system/")
	return fmt.Sprint(p)
}
