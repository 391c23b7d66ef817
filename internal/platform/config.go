package platform

import (
	"net/http"
	"time"
)

// Config is what every adapter is built from. Each adapter's New takes it
// and uses its own documented API base URL when an Endpoint has none.
type Config struct {
	// HTTP is the client for every call; nil: NewHTTPClient(nil, 0). Its
	// transport is wrapped in Guard whatever it is.
	HTTP      *http.Client
	UserAgent string
	Now       func() time.Time // nil: time.Now
}

// Client returns the JSON client for one platform from c.
func (c Config) Client(platform string) *Client {
	h := c.HTTP
	if h == nil {
		h = NewHTTPClient(nil, 0)
	} else if _, ok := h.Transport.(Guard); !ok {
		h = NewHTTPClient(h.Transport, h.Timeout)
	}
	ua := c.UserAgent
	if ua == "" {
		ua = "Steward (+https://steward.city)"
	}
	return &Client{Platform: platform, HTTP: h, UserAgent: ua, Now: c.Now}
}
