package oidctest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"steward.city/steward/internal/auth/oidctest"
)

const (
	clientID = "steward-test"
	// clientSecret has characters that client_secret_basic must
	// form-encode, to check that the provider decodes them.
	clientSecret = "s3cr:et/+&%="
	redirectURL  = "https://steward.example/auth/callback"
)

var alice = oidctest.Identity{
	Subject:       "00u1alice",
	Email:         "alice@example.org",
	EmailVerified: true,
	Name:          "Alice Liddell",
	Groups:        []string{"steward-admins", "clerks"},
}

var bob = oidctest.Identity{
	Subject: "00u2bob",
	Email:   "bob@example.org",
	Name:    "Bob",
	Groups:  []string{"residents"},
}

// client is a relying party built as Steward builds one: discovery, an
// oauth2.Config from the discovered endpoints, and an ID token verifier.
type client struct {
	provider *oidc.Provider
	config   oauth2.Config
	verifier *oidc.IDTokenVerifier
	http     *http.Client // does not follow redirects
}

func newClient(t *testing.T, op *oidctest.Provider, scopes ...string) *client {
	t.Helper()
	if scopes == nil {
		scopes = []string{oidc.ScopeOpenID, "email", "profile"}
	}
	provider, err := oidc.NewProvider(t.Context(), op.Issuer())
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &client{
		provider: provider,
		config: oauth2.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  redirectURL,
			Scopes:       scopes,
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: clientID}),
		http: &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}
}

// attempt is one sign-in: what the client sent to the authorization
// endpoint and the code it got back.
type attempt struct {
	state, nonce, verifier string
	code                   string
}

// authorize sends the browser to the authorization endpoint with a fresh
// state and nonce, and with PKCE if pkce is set, and returns the code from
// the redirect to the client's callback.
func (c *client) authorize(t *testing.T, pkce bool) attempt {
	t.Helper()
	a := attempt{state: oauth2.GenerateVerifier(), nonce: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(a.nonce)}
	if pkce {
		a.verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.S256ChallengeOption(a.verifier))
	}
	resp, err := c.http.Get(c.config.AuthCodeURL(a.state, opts...))
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %s, want 302; body: %s", resp.Status, body)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	q := loc.Query()
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURL {
		t.Fatalf("authorize redirected to %s, want %s", got, redirectURL)
	}
	if got := q.Get("state"); got != a.state {
		t.Fatalf("callback state = %q, want %q", got, a.state)
	}
	a.code = q.Get("code")
	if a.code == "" {
		t.Fatalf("callback has no code: %s", loc)
	}
	return a
}

// exchange redeems the attempt's code, with its PKCE verifier if it has one.
func (c *client) exchange(ctx context.Context, a attempt) (*oauth2.Token, error) {
	var opts []oauth2.AuthCodeOption
	if a.verifier != "" {
		opts = append(opts, oauth2.VerifierOption(a.verifier))
	}
	return c.config.Exchange(ctx, a.code, opts...)
}

// signIn runs the whole flow with PKCE and returns the token response and
// the raw ID token.
func (c *client) signIn(t *testing.T) (attempt, *oauth2.Token, string) {
	t.Helper()
	a := c.authorize(t, true)
	tok, err := c.exchange(t.Context(), a)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		t.Fatalf("token response has no id_token")
	}
	return a, tok, raw
}

// claims are the claims a test inspects.
type claims struct {
	Subject       string   `json:"sub"`
	Email         *string  `json:"email"`
	EmailVerified *bool    `json:"email_verified"`
	Name          *string  `json:"name"`
	Groups        []string `json:"groups"`
	Roles         []string `json:"roles"`
}

// wantTokenError checks that err is an error response from the token
// endpoint with the given status and error code.
func wantTokenError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want an *oauth2.RetrieveError %q", err, code)
	}
	if re.Response.StatusCode != status || re.ErrorCode != code {
		t.Fatalf("token error: status %d, error %q (%s); want %d, %q",
			re.Response.StatusCode, re.ErrorCode, re.ErrorDescription, status, code)
	}
}

func TestSignIn(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	c := newClient(t, op)
	a, tok, raw := c.signIn(t)

	if tok.TokenType != "Bearer" || tok.AccessToken == "" {
		t.Errorf("token type %q, access token %q; want Bearer and non-empty", tok.TokenType, tok.AccessToken)
	}
	if d := time.Until(tok.Expiry); d < 50*time.Minute || d > time.Hour {
		t.Errorf("access token expires in %v, want about an hour", d)
	}

	idt, err := c.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if idt.Issuer != op.Issuer() {
		t.Errorf("iss = %q, want %q", idt.Issuer, op.Issuer())
	}
	if !slices.Equal(idt.Audience, []string{clientID}) {
		t.Errorf("aud = %q, want [%q]", idt.Audience, clientID)
	}
	if idt.Subject != alice.Subject {
		t.Errorf("sub = %q, want %q", idt.Subject, alice.Subject)
	}
	if idt.Nonce != a.nonce {
		t.Errorf("nonce = %q, want %q", idt.Nonce, a.nonce)
	}
	if d := idt.Expiry.Sub(idt.IssuedAt); d != time.Hour {
		t.Errorf("exp - iat = %v, want 1h", d)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		t.Fatal(err)
	}
	checkAlice(t, "ID token", cl)

	ui, err := c.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if ui.Subject != alice.Subject || ui.Email != alice.Email || !ui.EmailVerified {
		t.Errorf("userinfo = %q %q %v, want %q %q true", ui.Subject, ui.Email, ui.EmailVerified, alice.Subject, alice.Email)
	}
	cl = claims{}
	if err := ui.Claims(&cl); err != nil {
		t.Fatal(err)
	}
	checkAlice(t, "userinfo", cl)
}

func checkAlice(t *testing.T, where string, cl claims) {
	t.Helper()
	if cl.Subject != alice.Subject {
		t.Errorf("%s: sub = %q, want %q", where, cl.Subject, alice.Subject)
	}
	if cl.Email == nil || *cl.Email != alice.Email {
		t.Errorf("%s: email = %v, want %q", where, cl.Email, alice.Email)
	}
	if cl.EmailVerified == nil || !*cl.EmailVerified {
		t.Errorf("%s: email_verified = %v, want true", where, cl.EmailVerified)
	}
	if cl.Name == nil || *cl.Name != alice.Name {
		t.Errorf("%s: name = %v, want %q", where, cl.Name, alice.Name)
	}
	if !slices.Equal(cl.Groups, alice.Groups) {
		t.Errorf("%s: groups = %q, want %q", where, cl.Groups, alice.Groups)
	}
}

func TestClientAuthMethods(t *testing.T) {
	for _, tc := range []struct {
		name  string
		style oauth2.AuthStyle
	}{
		{"client_secret_basic", oauth2.AuthStyleInHeader},
		{"client_secret_post", oauth2.AuthStyleInParams},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op := oidctest.New(t, clientID, clientSecret)
			op.SetIdentity(alice)
			c := newClient(t, op)
			c.config.Endpoint.AuthStyle = tc.style
			_, _, raw := c.signIn(t)
			if _, err := c.verifier.Verify(t.Context(), raw); err != nil {
				t.Fatalf("Verify: %v", err)
			}

			a := c.authorize(t, true)
			c.config.ClientSecret = "wrong"
			_, err := c.exchange(t.Context(), a)
			wantTokenError(t, err, http.StatusUnauthorized, "invalid_client")

			// The failed attempt did not use up the code.
			c.config.ClientSecret = clientSecret
			if _, err := c.exchange(t.Context(), a); err != nil {
				t.Fatalf("exchange after failed client authentication: %v", err)
			}
		})
	}
}

func TestClientIDNeedingEncoding(t *testing.T) {
	const id = "app/7:x y"
	op := oidctest.New(t, id, clientSecret)
	op.SetIdentity(alice)
	c := newClient(t, op)
	c.config.ClientID = id
	c.config.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	c.verifier = c.provider.Verifier(&oidc.Config{ClientID: id})
	_, _, raw := c.signIn(t)
	if _, err := c.verifier.Verify(t.Context(), raw); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestWrongClient(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	c := newClient(t, op)
	a := c.authorize(t, true)
	c.config.ClientID = "someone-else"
	_, err := c.exchange(t.Context(), a)
	wantTokenError(t, err, http.StatusUnauthorized, "invalid_client")

	c.config.ClientID, c.config.ClientSecret = clientID, ""
	c.config.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	_, err = c.exchange(t.Context(), a)
	wantTokenError(t, err, http.StatusUnauthorized, "invalid_client")
}

func TestTamper(t *testing.T) {
	for _, tc := range []struct {
		mode oidctest.Tamper
		want string // in the verifier's error
	}{
		{oidctest.TamperWrongAudience, "expected audience"},
		{oidctest.TamperExpired, "token is expired"},
		{oidctest.TamperBadSignature, "failed to verify signature"},
		{oidctest.TamperWrongIssuer, "issued by a different provider"},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			op := oidctest.New(t, clientID, clientSecret)
			op.SetIdentity(alice)
			c := newClient(t, op)
			op.SetTamper(tc.mode)
			_, _, raw := c.signIn(t)
			_, err := c.verifier.Verify(t.Context(), raw)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Verify: %v, want an error containing %q", err, tc.want)
			}
			if tc.mode == oidctest.TamperExpired {
				var expired *oidc.TokenExpiredError
				if !errors.As(err, &expired) {
					t.Errorf("Verify: %v, want an *oidc.TokenExpiredError", err)
				}
			}

			op.SetTamper(oidctest.TamperNone)
			_, _, raw = c.signIn(t)
			if _, err := c.verifier.Verify(t.Context(), raw); err != nil {
				t.Fatalf("Verify after SetTamper(TamperNone): %v", err)
			}
		})
	}

	t.Run("wrong-nonce", func(t *testing.T) {
		op := oidctest.New(t, clientID, clientSecret)
		op.SetIdentity(alice)
		c := newClient(t, op)
		op.SetTamper(oidctest.TamperWrongNonce)
		a, _, raw := c.signIn(t)
		// The verifier leaves the nonce to the relying party.
		idt, err := c.verifier.Verify(t.Context(), raw)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if idt.Nonce == a.nonce || idt.Nonce == "" {
			t.Fatalf("nonce = %q, want a different non-empty nonce than %q", idt.Nonce, a.nonce)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		op := oidctest.New(t, clientID, clientSecret)
		defer func() {
			if recover() == nil {
				t.Error("SetTamper of an unknown mode did not panic")
			}
		}()
		op.SetTamper("wrong-everything")
	})
}

func TestCodeReuse(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	c := newClient(t, op)
	a := c.authorize(t, true)
	tok, err := c.exchange(t.Context(), a)
	if err != nil {
		t.Fatalf("first exchange: %v", err)
	}
	if _, err := c.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok)); err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	_, err = c.exchange(t.Context(), a)
	wantTokenError(t, err, http.StatusBadRequest, "invalid_grant")
	// Reuse revokes the access token issued for the code.
	if _, err := c.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok)); err == nil {
		t.Fatal("UserInfo with the access token of a reused code succeeded")
	}
}

func TestPKCE(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	c := newClient(t, op)
	// Without auto-detection, whose retry would present each code twice.
	c.config.Endpoint.AuthStyle = oauth2.AuthStyleInHeader

	t.Run("wrong verifier", func(t *testing.T) {
		a := c.authorize(t, true)
		a.verifier = oauth2.GenerateVerifier()
		_, err := c.exchange(t.Context(), a)
		wantTokenError(t, err, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("missing verifier", func(t *testing.T) {
		a := c.authorize(t, true)
		a.verifier = ""
		_, err := c.exchange(t.Context(), a)
		wantTokenError(t, err, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("verifier without challenge", func(t *testing.T) {
		a := c.authorize(t, false)
		a.verifier = oauth2.GenerateVerifier()
		_, err := c.exchange(t.Context(), a)
		wantTokenError(t, err, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("without PKCE", func(t *testing.T) {
		a := c.authorize(t, false)
		if _, err := c.exchange(t.Context(), a); err != nil {
			t.Fatalf("exchange: %v", err)
		}
	})
	t.Run("wrong verifier uses up the code", func(t *testing.T) {
		a := c.authorize(t, true)
		right := a.verifier
		a.verifier = oauth2.GenerateVerifier()
		_, err := c.exchange(t.Context(), a)
		wantTokenError(t, err, http.StatusBadRequest, "invalid_grant")
		a.verifier = right
		_, err = c.exchange(t.Context(), a)
		wantTokenError(t, err, http.StatusBadRequest, "invalid_grant")
	})
}

func TestRedirectURIMismatch(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	c := newClient(t, op)
	a := c.authorize(t, true)
	c.config.RedirectURL = redirectURL + "/other"
	_, err := c.exchange(t.Context(), a)
	wantTokenError(t, err, http.StatusBadRequest, "invalid_grant")
}

func TestUnknownCode(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	c := newClient(t, op)
	_, err := c.exchange(t.Context(), attempt{code: "no-such-code"})
	wantTokenError(t, err, http.StatusBadRequest, "invalid_grant")
}

func TestCodeExpiry(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	c := newClient(t, op)
	start := time.Now()

	op.SetNow(func() time.Time { return start })
	a := c.authorize(t, true)
	op.SetNow(func() time.Time { return start.Add(59 * time.Second) })
	if _, err := c.exchange(t.Context(), a); err != nil {
		t.Fatalf("exchange after 59s: %v", err)
	}

	op.SetNow(func() time.Time { return start })
	a = c.authorize(t, true)
	op.SetNow(func() time.Time { return start.Add(61 * time.Second) })
	_, err := c.exchange(t.Context(), a)
	wantTokenError(t, err, http.StatusBadRequest, "invalid_grant")
}

func TestIdentityBoundAtAuthorization(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	c := newClient(t, op)
	a := c.authorize(t, true)
	op.SetIdentity(bob)
	b := c.authorize(t, true)

	for _, tc := range []struct {
		a    attempt
		want oidctest.Identity
	}{{a, alice}, {b, bob}} {
		tok, err := c.exchange(t.Context(), tc.a)
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		idt, err := c.verifier.Verify(t.Context(), tok.Extra("id_token").(string))
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		var cl claims
		if err := idt.Claims(&cl); err != nil {
			t.Fatal(err)
		}
		if cl.Subject != tc.want.Subject || *cl.Email != tc.want.Email || !slices.Equal(cl.Groups, tc.want.Groups) {
			t.Errorf("signed in as %q %q %q, want %q %q %q",
				cl.Subject, *cl.Email, cl.Groups, tc.want.Subject, tc.want.Email, tc.want.Groups)
		}
		if *cl.EmailVerified != tc.want.EmailVerified {
			t.Errorf("email_verified = %v, want %v", *cl.EmailVerified, tc.want.EmailVerified)
		}
	}
}

func TestSetIdentityCopiesGroups(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	id := alice
	id.Groups = slices.Clone(alice.Groups)
	op.SetIdentity(id)
	id.Groups[0] = "mutated"
	c := newClient(t, op)
	_, _, raw := c.signIn(t)
	idt, err := c.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cl.Groups, alice.Groups) {
		t.Errorf("groups = %q, want %q", cl.Groups, alice.Groups)
	}
}

func TestGroupsClaim(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	op.SetGroupsClaim("roles")
	c := newClient(t, op)
	_, tok, raw := c.signIn(t)
	idt, err := c.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		t.Fatal(err)
	}
	if cl.Groups != nil || !slices.Equal(cl.Roles, alice.Groups) {
		t.Errorf("ID token groups = %q, roles = %q; want none and %q", cl.Groups, cl.Roles, alice.Groups)
	}
	ui, err := c.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	cl = claims{}
	if err := ui.Claims(&cl); err != nil {
		t.Fatal(err)
	}
	if cl.Groups != nil || !slices.Equal(cl.Roles, alice.Groups) {
		t.Errorf("userinfo groups = %q, roles = %q; want none and %q", cl.Groups, cl.Roles, alice.Groups)
	}
	var meta struct {
		Claims []string `json:"claims_supported"`
	}
	if err := c.provider.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(meta.Claims, "roles") {
		t.Errorf("claims_supported = %q, want it to contain roles", meta.Claims)
	}
}

func TestGroupsOmittedOrEmpty(t *testing.T) {
	for _, tc := range []struct {
		name   string
		groups []string
		want   string // the groups member of the claims JSON
	}{
		{"nil", nil, ""},
		{"empty", []string{}, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op := oidctest.New(t, clientID, clientSecret)
			id := bob
			id.Groups = tc.groups
			op.SetIdentity(id)
			c := newClient(t, op)
			_, _, raw := c.signIn(t)
			idt, err := c.verifier.Verify(t.Context(), raw)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]json.RawMessage
			if err := idt.Claims(&m); err != nil {
				t.Fatal(err)
			}
			if got := string(m["groups"]); got != tc.want {
				t.Errorf("groups = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestScopesReleaseClaims(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	c := newClient(t, op, oidc.ScopeOpenID)
	_, tok, raw := c.signIn(t)
	idt, err := c.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		t.Fatal(err)
	}
	if cl.Email != nil || cl.EmailVerified != nil || cl.Name != nil {
		t.Errorf("scope openid alone released email %v, email_verified %v, name %v", cl.Email, cl.EmailVerified, cl.Name)
	}
	if cl.Subject != alice.Subject || !slices.Equal(cl.Groups, alice.Groups) {
		t.Errorf("sub %q, groups %q; want %q, %q", cl.Subject, cl.Groups, alice.Subject, alice.Groups)
	}
	if got := tok.Extra("scope"); got != "openid" {
		t.Errorf("token response scope = %v, want openid", got)
	}
}

func TestDiscoveryAndKeys(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	iss := op.Issuer()
	if u, err := url.Parse(iss); err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" {
		t.Fatalf("Issuer() = %q, want http://127.0.0.1:PORT", iss)
	}

	var meta map[string]any
	getJSON(t, iss+"/.well-known/openid-configuration", &meta)
	for name, want := range map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"jwks_uri":                              iss + "/jwks",
		"userinfo_endpoint":                     iss + "/userinfo",
		"response_types_supported":              []any{"code"},
		"subject_types_supported":               []any{"public"},
		"id_token_signing_alg_values_supported": []any{"RS256"},
		"token_endpoint_auth_methods_supported": []any{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []any{"S256"},
	} {
		got, _ := json.Marshal(meta[name])
		wantJSON, _ := json.Marshal(want)
		if string(got) != string(wantJSON) {
			t.Errorf("%s = %s, want %s", name, got, wantJSON)
		}
	}
	if scopes, _ := meta["scopes_supported"].([]any); !slices.Contains(scopes, any("openid")) {
		t.Errorf("scopes_supported = %v, want it to contain openid", meta["scopes_supported"])
	}

	var jwks struct {
		Keys []map[string]string `json:"keys"`
	}
	getJSON(t, iss+"/jwks", &jwks)
	if len(jwks.Keys) != 1 {
		t.Fatalf("jwks has %d keys, want 1", len(jwks.Keys))
	}
	k := jwks.Keys[0]
	if k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || k["e"] != "AQAB" || k["kid"] == "" {
		t.Errorf("jwk = %v, want kty RSA, alg RS256, use sig, e AQAB and a kid", k)
	}
	if n, err := base64.RawURLEncoding.DecodeString(k["n"]); err != nil || len(n) != 256 {
		t.Errorf("jwk n: %d bytes, %v; want a 2048-bit modulus in base64url", len(n), err)
	}

	_, _, raw := newClient(t, op).signIn(t)
	var header map[string]string
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &header); err != nil {
		t.Fatal(err)
	}
	if header["alg"] != "RS256" || header["kid"] != k["kid"] {
		t.Errorf("ID token header = %v, want alg RS256 and kid %q", header, k["kid"])
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q, want application/json", url, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func TestAuthorizeErrors(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	valid := func() url.Values {
		return url.Values{
			"response_type":         {"code"},
			"client_id":             {clientID},
			"redirect_uri":          {redirectURL},
			"scope":                 {"openid email"},
			"state":                 {"st"},
			"nonce":                 {"nc"},
			"code_challenge":        {challenge},
			"code_challenge_method": {"S256"},
		}
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	for _, tc := range []struct {
		name   string
		change func(url.Values)
		status int
	}{
		{"valid", func(url.Values) {}, http.StatusFound},
		{"missing response_type", func(v url.Values) { v.Del("response_type") }, http.StatusBadRequest},
		{"implicit flow", func(v url.Values) { v.Set("response_type", "id_token token") }, http.StatusBadRequest},
		{"missing client_id", func(v url.Values) { v.Del("client_id") }, http.StatusBadRequest},
		{"unknown client_id", func(v url.Values) { v.Set("client_id", "intruder") }, http.StatusBadRequest},
		{"missing redirect_uri", func(v url.Values) { v.Del("redirect_uri") }, http.StatusBadRequest},
		{"relative redirect_uri", func(v url.Values) { v.Set("redirect_uri", "/callback") }, http.StatusBadRequest},
		{"redirect_uri with fragment", func(v url.Values) { v.Set("redirect_uri", redirectURL+"#x") }, http.StatusBadRequest},
		{"missing scope", func(v url.Values) { v.Del("scope") }, http.StatusBadRequest},
		{"scope without openid", func(v url.Values) { v.Set("scope", "email profile") }, http.StatusBadRequest},
		{"plain PKCE", func(v url.Values) { v.Set("code_challenge_method", "plain") }, http.StatusBadRequest},
		{"PKCE without method", func(v url.Values) { v.Del("code_challenge_method") }, http.StatusBadRequest},
		{"method without challenge", func(v url.Values) { v.Del("code_challenge") }, http.StatusBadRequest},
		{"malformed challenge", func(v url.Values) { v.Set("code_challenge", "short") }, http.StatusBadRequest},
		{"repeated state", func(v url.Values) { v.Add("state", "again") }, http.StatusBadRequest},
		{"without PKCE", func(v url.Values) {
			v.Del("code_challenge")
			v.Del("code_challenge_method")
		}, http.StatusFound},
		{"without state and nonce", func(v url.Values) {
			v.Del("state")
			v.Del("nonce")
		}, http.StatusFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := valid()
			tc.change(v)
			resp, err := noRedirect.Get(op.Issuer() + "/authorize?" + v.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %s, want %d; body: %s", resp.Status, tc.status, body)
			}
			if tc.status == http.StatusBadRequest {
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || len(body) == 0 {
					t.Errorf("Content-Type %q, body %q; want a text body", ct, body)
				}
				return
			}
			loc, err := resp.Location()
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := v["state"]; ok != loc.Query().Has("state") || loc.Query().Get("state") != v.Get("state") {
				t.Errorf("callback %s does not carry back state %q", loc, v.Get("state"))
			}
		})
	}

	t.Run("POST", func(t *testing.T) {
		resp, err := noRedirect.PostForm(op.Issuer()+"/authorize", valid())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("status %s, want 302", resp.Status)
		}
	})

	t.Run("no identity", func(t *testing.T) {
		op := oidctest.New(t, clientID, clientSecret)
		resp, err := noRedirect.Get(op.Issuer() + "/authorize?" + valid().Encode())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "SetIdentity") {
			t.Fatalf("status %s, body %q; want 400 naming SetIdentity", resp.Status, body)
		}
	})

	t.Run("redirect_uri keeps its query", func(t *testing.T) {
		v := valid()
		v.Set("redirect_uri", redirectURL+"?tenant=7")
		resp, err := noRedirect.Get(op.Issuer() + "/authorize?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			t.Fatal(err)
		}
		if q := loc.Query(); q.Get("tenant") != "7" || q.Get("code") == "" {
			t.Errorf("callback %s, want tenant=7 and a code", loc)
		}
	})
}

func TestTokenEndpointErrors(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	tokenURL := op.Issuer() + "/token"

	resp, err := http.Get(tokenURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /token: %s, want 405", resp.Status)
	}

	for _, tc := range []struct {
		name   string
		form   url.Values
		basic  bool
		status int
		code   string
	}{
		{"no client authentication", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, false, 401, "invalid_client"},
		{"two authentication methods", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_secret": {clientSecret}}, true, 400, "invalid_request"},
		{"refresh_token grant", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, true, 400, "unsupported_grant_type"},
		{"missing code", url.Values{"grant_type": {"authorization_code"}}, true, 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(tc.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic {
				req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(clientSecret))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Error string `json:"error"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || body.Error != tc.code {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body.Error, tc.status, tc.code)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

func TestUserinfoRejectsBadTokens(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	for _, auth := range []string{"", "Basic Zm9vOmJhcg==", "Bearer not-a-token"} {
		req, err := http.NewRequest(http.MethodGet, op.Issuer()+"/userinfo", nil)
		if err != nil {
			t.Fatal(err)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("Authorization %q: %s, WWW-Authenticate %q; want 401 and a Bearer challenge",
				auth, resp.Status, resp.Header.Get("WWW-Authenticate"))
		}
	}
}

func TestConcurrentSignIns(t *testing.T) {
	op := oidctest.New(t, clientID, clientSecret)
	op.SetIdentity(alice)
	c := newClient(t, op)
	t.Run("group", func(t *testing.T) {
		for i := range 8 {
			t.Run(strconv.Itoa(i), func(t *testing.T) {
				t.Parallel()
				op.SetIdentity(alice)
				op.SetGroupsClaim("groups")
				op.SetTamper(oidctest.TamperNone)
				a, tok, raw := c.signIn(t)
				idt, err := c.verifier.Verify(t.Context(), raw)
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if idt.Nonce != a.nonce {
					t.Errorf("nonce = %q, want %q", idt.Nonce, a.nonce)
				}
				if _, err := c.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok)); err != nil {
					t.Errorf("UserInfo: %v", err)
				}
			})
		}
	})
}
