package capture

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"

	"steward.city/steward/internal/civic"
)

// VerifyToken is the token to give the platform when subscribing a
// connection's webhook: derived from the app secret and the connection, so
// it names no secret and differs for each connection.
func VerifyToken(appSecret string, connectionID int64) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write([]byte("steward-webhook-verify:" + strconv.FormatInt(connectionID, 10)))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// HookVerifyToken returns the verify token of a connection whose platform
// pushes, for the connection page; "" when it does not.
func (s *Service) HookVerifyToken(ctx context.Context, c *civic.Connection) (string, error) {
	if _, ok := s.conns.Platform(c.Platform).(civic.Pusher); !ok {
		return "", nil
	}
	tok, err := s.conns.Token(ctx, c)
	if err != nil || tok.ClientSecret == "" {
		return "", err
	}
	return VerifyToken(tok.ClientSecret, c.ID), nil
}

// HookChallenge answers a platform's subscription check for a connection
// (GET /hooks/{id}). A wrong verify token, an unknown connection or one
// whose platform does not push is KindUnauthorized or KindNotFound.
func (s *Service) HookChallenge(ctx context.Context, id int64, query url.Values) (string, error) {
	c, p, tok, err := s.hookTarget(ctx, id)
	if err != nil {
		return "", err
	}
	body, err := p.Challenge(query, VerifyToken(tok.ClientSecret, c.ID))
	if err != nil {
		return "", civic.Errorf(civic.KindUnauthorized, "the verify token is wrong")
	}
	return body, nil
}

// HookDelivery checks a delivery (POST /hooks/{id}) with the connection's
// app secret and archives what it announces. An unsigned, wrongly signed
// or stale delivery is KindUnauthorized and nothing of it is stored. It
// returns how many versions were stored.
func (s *Service) HookDelivery(ctx context.Context, id int64, header http.Header, body []byte) (int, error) {
	c, p, tok, err := s.hookTarget(ctx, id)
	if err != nil {
		return 0, err
	}
	pushed, err := p.Delivery(header, body, tok.ClientSecret, s.now())
	if err != nil {
		return 0, civic.Errorf(civic.KindUnauthorized, "the delivery is not signed by the platform, or is stale: %v", err)
	}
	acct, err := s.store.Account(ctx, c.AccountID)
	if err != nil {
		return 0, err
	}
	dept := ""
	if d, err := s.store.Department(ctx, acct.DepartmentID); err == nil {
		dept = d.Slug
	}
	var t tally
	w := &writer{s: s, c: c, acct: acct, dept: dept, t: &t}
	page := &civic.Page{}
	for _, ps := range pushed {
		if ps.RemoteAccountID != "" && ps.RemoteAccountID != c.RemoteID {
			continue
		}
		page.Threads = append(page.Threads, civic.Thread{Root: ps.Observation})
	}
	if err := w.page(ctx, page); err != nil {
		return 0, err
	}
	s.metrics.items.WithLabelValues(c.Ref()).Add(float64(t.stored))
	return t.stored, nil
}

func (s *Service) hookTarget(ctx context.Context, id int64) (*civic.Connection, civic.Pusher, civic.PlatformToken, error) {
	var tok civic.PlatformToken
	c, err := s.store.Connection(ctx, id)
	if err != nil {
		return nil, nil, tok, civic.Errorf(civic.KindNotFound, "no such webhook")
	}
	p, ok := s.conns.Platform(c.Platform).(civic.Pusher)
	if !ok || c.Status == civic.ConnectionPaused {
		return nil, nil, tok, civic.Errorf(civic.KindNotFound, "no such webhook")
	}
	if tok, err = s.conns.Token(ctx, c); err != nil {
		return nil, nil, tok, err
	}
	if tok.ClientSecret == "" {
		return nil, nil, tok, civic.Errorf(civic.KindUnauthorized, "the connection has no app secret to check deliveries with")
	}
	return c, p, tok, nil
}
