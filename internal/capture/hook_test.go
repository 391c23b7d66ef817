package capture_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"steward.city/steward/internal/capture"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
)

// pusher is a platform that pushes: deliveries are signed with HMAC-SHA256
// of the body under the app secret, in X-Signature, and carry their time
// in X-Time; one comment per delivery, its text the body.
type pusher struct{}

func (pusher) Name() string { return "mastodon" }
func (pusher) Capabilities() civic.Capabilities {
	return civic.Capabilities{civic.CapWebhooks}
}
func (pusher) Poll(context.Context, *civic.Endpoint, string) (*civic.Page, error) {
	return nil, civic.ErrUnsupported
}
func (pusher) Profile(context.Context, *civic.Endpoint) (*civic.RemoteProfile, error) {
	return nil, civic.ErrUnsupported
}
func (pusher) Follows(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}
func (pusher) Blocks(context.Context, *civic.Endpoint) ([]civic.RemoteAccount, error) {
	return nil, civic.ErrUnsupported
}
func (pusher) Moderate(context.Context, *civic.Endpoint, string, civic.PlatformAction) error {
	return civic.ErrUnsupported
}
func (pusher) Challenge(q url.Values, verify string) (string, error) {
	if q.Get("hub.verify_token") != verify {
		return "", errors.New("wrong verify token")
	}
	return q.Get("hub.challenge"), nil
}
func (pusher) Delivery(h http.Header, body []byte, secret string, now time.Time) ([]civic.Pushed, error) {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	if !hmac.Equal([]byte(h.Get("X-Signature")), []byte(hex.EncodeToString(m.Sum(nil)))) {
		return nil, errors.New("bad signature")
	}
	at, err := time.Parse(time.RFC3339, h.Get("X-Time"))
	if err != nil || now.Sub(at) > 5*time.Minute {
		return nil, errors.New("stale")
	}
	return []civic.Pushed{{RemoteAccountID: "1", Observation: civic.Observation{PlatformID: "c9", Kind: civic.ItemComment, ParentID: "p1", ThreadID: "p1",
		Author: civic.Author{ID: "7", Handle: "@ann"}, Text: string(body), State: civic.StateVisible, PlatformTime: &at, Raw: []byte(`{"v":1}`)}}}, nil
}

func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

func TestWebhookDeliveries(t *testing.T) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, storetest.OpenSQLite(t, clock.Now), clock, map[string]civic.Platform{"mastodon": pusher{}}, "@parks")
	c := e.connect("https://social.example", "1", civic.PlatformToken{AccessToken: "a", ClientSecret: "app-secret"})

	verify := capture.VerifyToken("app-secret", c.ID)
	if got, err := e.svc.HookChallenge(e.ctx, c.ID, url.Values{"hub.verify_token": {verify}, "hub.challenge": {"42"}}); err != nil || got != "42" {
		t.Errorf("challenge: %q, %v", got, err)
	}
	if _, err := e.svc.HookChallenge(e.ctx, c.ID, url.Values{"hub.verify_token": {"guess"}, "hub.challenge": {"42"}}); civic.ErrorKind(err) != civic.KindUnauthorized {
		t.Errorf("wrong verify token: %v", err)
	}
	body := "Thanks for fixing the fountain"
	now := clock.Now().Format(time.RFC3339)
	for name, h := range map[string]http.Header{
		"unsigned":       {"X-Time": {now}},
		"wrongly signed": {"X-Time": {now}, "X-Signature": {sign("other-secret", body)}},
		"stale":          {"X-Time": {clock.Now().Add(-time.Hour).Format(time.RFC3339)}, "X-Signature": {sign("app-secret", body)}},
	} {
		if _, err := e.svc.HookDelivery(e.ctx, c.ID, h, []byte(body)); civic.ErrorKind(err) != civic.KindUnauthorized {
			t.Errorf("%s delivery: %v, want unauthorized", name, err)
		}
	}
	if _, err := e.store.CapturedItem(e.ctx, c.Ref(), "c9"); civic.ErrorKind(err) != civic.KindNotFound {
		t.Fatalf("a refused delivery was stored: %v", err)
	}
	n, err := e.svc.HookDelivery(e.ctx, c.ID, http.Header{"X-Time": {now}, "X-Signature": {sign("app-secret", body)}}, []byte(body))
	if err != nil || n != 1 {
		t.Fatalf("signed delivery: %d, %v", n, err)
	}
	// The same delivery again (platforms retry) stores nothing new.
	if n, err := e.svc.HookDelivery(e.ctx, c.ID, http.Header{"X-Time": {now}, "X-Signature": {sign("app-secret", body)}}, []byte(body)); err != nil || n != 0 {
		t.Fatalf("repeated delivery: %d, %v", n, err)
	}
	if vs := e.versions(c.Ref(), "c9"); len(vs) != 1 || vs[0].Text != body {
		t.Errorf("versions %+v", vs)
	}
	if _, err := e.svc.HookDelivery(e.ctx, 999, http.Header{}, []byte(body)); civic.ErrorKind(err) != civic.KindNotFound {
		t.Errorf("unknown connection: %v", err)
	}
	// Items are counted on the metrics.
	reg := prometheus.NewRegistry()
	reg.MustRegister(e.svc.Metrics().Collectors()...)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fams {
		if f.GetName() != "steward_capture_items_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() == c.Ref() && m.GetCounter().GetValue() == 1 {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no steward_capture_items_total{account=%q} 1 in %v", c.Ref(), fams)
	}
}
