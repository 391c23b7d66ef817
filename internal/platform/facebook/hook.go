package facebook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxAge is how old a webhook delivery may be before it is refused as
// stale (a replay); Meta retries failed deliveries for up to a day, but a
// delivery Steward missed is found again by polling.
const MaxAge = time.Hour

// Webhook errors.
var (
	ErrUnsigned     = errors.New("the delivery has no X-Hub-Signature-256 header")
	ErrBadSignature = errors.New("the delivery's signature does not match the app secret")
	ErrStale        = errors.New("the delivery is stale")
	ErrVerifyToken  = errors.New("the subscription's verify token is wrong")
)

// Challenge answers Meta's subscription check: hub.mode=subscribe and the
// configured verify token give back hub.challenge.
func Challenge(q url.Values, verifyToken string) (string, error) {
	if q.Get("hub.mode") != "subscribe" {
		return "", fmt.Errorf("hub.mode is %q, not subscribe", q.Get("hub.mode"))
	}
	if verifyToken == "" || !hmac.Equal([]byte(q.Get("hub.verify_token")), []byte(verifyToken)) {
		return "", ErrVerifyToken
	}
	c := q.Get("hub.challenge")
	if c == "" {
		return "", errors.New("hub.challenge is missing")
	}
	return c, nil
}

// VerifySignature checks X-Hub-Signature-256 ("sha256=" and the hex
// HMAC-SHA256 of the raw body keyed with the app secret).
func VerifySignature(h http.Header, body []byte, appSecret string) error {
	sig := h.Get("X-Hub-Signature-256")
	if sig == "" {
		return ErrUnsigned
	}
	if appSecret == "" {
		return errors.New("no app secret is configured to check the signature")
	}
	hexSig, ok := strings.CutPrefix(sig, "sha256=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil {
		return ErrBadSignature
	}
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// Sign returns the X-Hub-Signature-256 value for body (for tests and
// fake servers).
func Sign(body []byte, appSecret string) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// CheckAge refuses a delivery whose time (Unix seconds, or milliseconds as
// Instagram sometimes sends) is older than MaxAge or more than five
// minutes ahead of now.
func CheckAge(unix int64, now time.Time) error {
	if unix == 0 {
		return fmt.Errorf("%w: it has no time", ErrStale)
	}
	t := time.Unix(unix, 0)
	if unix > 1e12 {
		t = time.UnixMilli(unix)
	}
	if now.Sub(t) > MaxAge {
		return fmt.Errorf("%w: sent %s, more than %s ago", ErrStale, t.UTC().Format(time.RFC3339), MaxAge)
	}
	if t.Sub(now) > 5*time.Minute {
		return fmt.Errorf("%w: its time %s is in the future", ErrStale, t.UTC().Format(time.RFC3339))
	}
	return nil
}
