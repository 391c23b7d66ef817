package mastodon

import (
	"encoding/json"
	"time"
)

// status is the part of a Mastodon status the adapter reads.
type status struct {
	ID                 string          `json:"id"`
	CreatedAt          time.Time       `json:"created_at"`
	EditedAt           *time.Time      `json:"edited_at"`
	InReplyToID        *string         `json:"in_reply_to_id"`
	InReplyToAccountID *string         `json:"in_reply_to_account_id"`
	Content            string          `json:"content"`
	SpoilerText        string          `json:"spoiler_text"`
	Visibility         string          `json:"visibility"`
	URL                *string         `json:"url"`
	Account            account         `json:"account"`
	Application        *application    `json:"application"`
	Media              []media         `json:"media_attachments"`
	Reblog             json.RawMessage `json:"reblog"`
}

type account struct {
	ID          string  `json:"id"`
	Username    string  `json:"username"`
	Acct        string  `json:"acct"`
	DisplayName string  `json:"display_name"`
	Note        string  `json:"note"`
	URL         string  `json:"url"`
	Fields      []field `json:"fields"`
}

type field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type application struct {
	Name string `json:"name"`
}

type media struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	URL         string  `json:"url"`
	RemoteURL   *string `json:"remote_url"`
	Description *string `json:"description"`
}

type statusContext struct {
	Ancestors   []json.RawMessage `json:"ancestors"`
	Descendants []json.RawMessage `json:"descendants"`
}

// edit is one entry of /api/v1/statuses/:id/history.
type edit struct {
	Content     string    `json:"content"`
	SpoilerText string    `json:"spoiler_text"`
	CreatedAt   time.Time `json:"created_at"`
	Account     account   `json:"account"`
	Media       []media   `json:"media_attachments"`
}

// interactionRequest is a GoToSocial interaction request.
type interactionRequest struct {
	ID     string          `json:"id"`
	Type   string          `json:"type"`
	Status *status         `json:"status"`
	Reply  *status         `json:"reply"`
	RawRep json.RawMessage `json:"-"`
}
