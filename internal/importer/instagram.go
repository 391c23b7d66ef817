package importer

import (
	"encoding/json"
	"strconv"
	"time"

	"steward.city/steward/internal/civic"
)

// Instagram reads an Instagram "Download your information" in JSON: the
// posts (content/posts_1.json, or media/posts_1.json in newer downloads:
// an array of posts, each with media[] of uri, creation_timestamp and
// title) and the account's own comments (comments/post_comments_1.json:
// string_map_data with Comment, Media Owner and Time). The download holds
// no ids and no comments by other people; ids are made from each entry's
// media path or time.
func Instagram(files []File, account string) ([]Entry, error) {
	paths := byPath(files)
	var out []Entry
	for _, f := range pick(files, "posts_*.json") {
		data, err := f.Read()
		if err != nil {
			return nil, err
		}
		var posts []json.RawMessage
		if err := json.Unmarshal(data, &posts); err != nil {
			return nil, badJSON(f.Name, data, err)
		}
		for i, raw := range posts {
			out = append(out, instagramPost(f.Name, i, raw, account, paths))
		}
	}
	for _, f := range pick(files, "post_comments_*.json", "reels_comments*.json") {
		data, err := f.Read()
		if err != nil {
			return nil, err
		}
		var comments []json.RawMessage
		if err := json.Unmarshal(data, &comments); err != nil {
			// Some downloads wrap the list: {"comments_reels_comments": [...]}.
			var wrapped map[string][]json.RawMessage
			if json.Unmarshal(data, &wrapped) != nil {
				return nil, badJSON(f.Name, data, err)
			}
			for _, v := range wrapped {
				comments = append(comments, v...)
			}
		}
		for i, raw := range comments {
			out = append(out, instagramComment(f.Name, i, raw, account))
		}
	}
	return out, nil
}

type igMedia struct {
	URI               string `json:"uri"`
	CreationTimestamp int64  `json:"creation_timestamp"`
	Title             string `json:"title"`
}

func instagramPost(name string, i int, raw json.RawMessage, account string, paths map[string]File) Entry {
	e := Entry{Where: where(name, i, "")}
	var p struct {
		Media             []igMedia `json:"media"`
		Title             string    `json:"title"`
		CreationTimestamp int64     `json:"creation_timestamp"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		e.Err = entryError("", "%v", err)
		return e
	}
	if len(p.Media) == 0 || p.Media[0].URI == "" {
		e.Where, e.Err = where(name, i, "media"), entryError("media", "a post needs at least one media entry with a uri")
		return e
	}
	at, text := p.CreationTimestamp, p.Title
	if at == 0 {
		at = p.Media[0].CreationTimestamp
	}
	if text == "" {
		text = p.Media[0].Title
	}
	if at <= 0 {
		e.Where, e.Err = where(name, i, "media[0].creation_timestamp"), entryError("creation_timestamp", "creation_timestamp is missing")
		return e
	}
	e.Record = record(account, stableID("instagram-export", p.Media[0].URI), civic.ItemPost, time.Unix(at, 0), metaText(text), raw)
	for _, m := range p.Media {
		if f, ok := paths[m.URI]; ok {
			e.addMedia(f, m.URI)
		}
	}
	return e
}

func instagramComment(name string, i int, raw json.RawMessage, account string) Entry {
	e := Entry{Where: where(name, i, "")}
	var c struct {
		StringMapData map[string]struct {
			Value     string `json:"value"`
			Timestamp int64  `json:"timestamp"`
		} `json:"string_map_data"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		e.Err = entryError("", "%v", err)
		return e
	}
	at := c.StringMapData["Time"].Timestamp
	if at <= 0 {
		e.Where, e.Err = where(name, i, "string_map_data.Time.timestamp"), entryError("string_map_data.Time", "the comment's time is missing")
		return e
	}
	text := metaText(c.StringMapData["Comment"].Value)
	owner := c.StringMapData["Media Owner"].Value
	e.Record = record(account, stableID("instagram-export", "comment", strconv.FormatInt(at, 10), owner, text), civic.ItemComment, time.Unix(at, 0), text, raw)
	return e
}
