// Package oidctest implements a minimal OpenID Connect provider for tests.
//
// A [Provider] runs in-process on 127.0.0.1 and serves the authorization code
// flow the way Entra ID, Okta and Google Workspace do: discovery, a JSON Web
// Key Set, an authorization endpoint, a token endpoint issuing RS256-signed ID
// tokens, and a userinfo endpoint. It has one registered client, whose
// identifier and secret are given to [New].
//
// There is no login page. The test decides who signs in with
// [Provider.SetIdentity]; the authorization endpoint then redirects straight
// back to the client's redirect URI with a one-time code. To check that a
// relying party rejects bad ID tokens, [Provider.SetTamper] makes the token
// endpoint issue a chosen kind of invalid one.
//
// The provider serves plain HTTP on the loopback interface and is not
// suitable for use outside of tests.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Lifetimes of the artifacts the provider issues.
const (
	codeLifetime  = time.Minute
	tokenLifetime = time.Hour
)

// Identity is the end user an authorization signs in as.
type Identity struct {
	// Subject is the user's stable identifier, the "sub" claim. It must not
	// be empty.
	Subject string
	// Email is the user's email address, the "email" claim. It is released
	// together with EmailVerified when the client asks for the "email" scope
	// and is non-empty.
	Email         string
	EmailVerified bool
	// Name is the user's display name, the "name" claim. It is released when
	// the client asks for the "profile" scope and is non-empty.
	Name string
	// Groups are the user's group memberships, released under the groups
	// claim (see [Provider.SetGroupsClaim]) whatever the requested scopes,
	// as Entra ID does for a configured groups claim. A nil Groups omits the
	// claim; an empty non-nil Groups sends an empty array.
	Groups []string
}

// Tamper selects a defect that the token endpoint builds into the ID tokens
// it issues, so that tests can check that a relying party rejects them.
type Tamper string

// The tamper modes.
const (
	// TamperNone issues valid ID tokens. It is the default.
	TamperNone Tamper = ""
	// TamperWrongAudience issues ID tokens for another client.
	TamperWrongAudience Tamper = "wrong-audience"
	// TamperExpired issues ID tokens that expired an hour ago.
	TamperExpired Tamper = "expired"
	// TamperWrongNonce issues ID tokens whose nonce differs from the one
	// sent to the authorization endpoint.
	TamperWrongNonce Tamper = "wrong-nonce"
	// TamperBadSignature issues ID tokens signed by a key that is not in
	// the provider's key set, under the key ID of the key that is.
	TamperBadSignature Tamper = "bad-signature"
	// TamperWrongIssuer issues ID tokens naming another issuer.
	TamperWrongIssuer Tamper = "wrong-issuer"
)

// A Provider is an OpenID Connect provider serving one client. Its methods
// are safe for concurrent use.
type Provider struct {
	srv          *httptest.Server
	clientID     string
	clientSecret string
	key          *rsa.PrivateKey
	keyID        string

	mu          sync.Mutex
	now         func() time.Time // replaced by tests of expiry
	identity    *Identity
	groupsClaim string
	tamper      Tamper
	otherKey    *rsa.PrivateKey // signs tampered tokens; made on first use
	codes       map[string]*authCode
	tokens      map[string]*accessToken
}

// authCode is an authorization code and what it was issued for.
type authCode struct {
	redirectURI string
	scopes      []string
	nonce       string
	challenge   string // S256 code challenge; empty without PKCE
	identity    Identity
	expires     time.Time
	used        bool
	accessToken string // issued when the code was redeemed
}

// accessToken is what an access token grants access to.
type accessToken struct {
	identity Identity
	scopes   []string
	expires  time.Time
}

// New starts a provider on 127.0.0.1 for the client with the given
// identifier and secret. The provider is closed when the test ends.
func New(t testing.TB, clientID, clientSecret string) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("oidctest: generating signing key: %v", err)
	}
	p := &Provider{
		clientID:     clientID,
		clientSecret: clientSecret,
		key:          key,
		keyID:        thumbprint(&key.PublicKey),
		now:          time.Now,
		groupsClaim:  "groups",
		codes:        make(map[string]*authCode),
		tokens:       make(map[string]*accessToken),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.serveDiscovery)
	mux.HandleFunc("GET /jwks", p.serveJWKS)
	mux.HandleFunc("/authorize", p.serveAuthorize)
	mux.HandleFunc("/token", p.serveToken)
	mux.HandleFunc("/userinfo", p.serveUserinfo)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// Issuer returns the provider's issuer identifier, the URL of its server,
// such as http://127.0.0.1:43127. Discovery is at Issuer() +
// "/.well-known/openid-configuration".
func (p *Provider) Issuer() string {
	return p.srv.URL
}

// SetIdentity sets who later authorizations sign in as. An authorization
// binds the identity current when the client's request reaches the
// authorization endpoint; until SetIdentity is called, that endpoint refuses
// every request.
func (p *Provider) SetIdentity(id Identity) {
	id.Groups = slices.Clone(id.Groups)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.identity = &id
}

// SetGroupsClaim sets the name of the claim that carries the user's groups
// in ID tokens and userinfo responses issued from now on. The default is
// "groups".
func (p *Provider) SetGroupsClaim(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.groupsClaim = name
}

// SetTamper sets the defect built into ID tokens issued from now on, until
// it is set again. [TamperNone] restores valid tokens. Access tokens and
// userinfo responses are unaffected. SetTamper panics if mode is not one of
// the Tamper constants.
func (p *Provider) SetTamper(mode Tamper) {
	switch mode {
	case TamperNone, TamperWrongAudience, TamperExpired, TamperWrongNonce,
		TamperBadSignature, TamperWrongIssuer:
	default:
		panic("oidctest: unknown tamper mode " + string(mode))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = mode
}

// serveDiscovery serves the provider metadata of OpenID Connect Discovery
// 1.0, section 3.
func (p *Provider) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	groupsClaim := p.groupsClaim
	p.mu.Unlock()
	iss := p.Issuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"jwks_uri":                              iss + "/jwks",
		"userinfo_endpoint":                     iss + "/userinfo",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported": []string{
			"iss", "sub", "aud", "exp", "iat", "nonce", "at_hash",
			"email", "email_verified", "name", groupsClaim,
		},
	})
}

// serveJWKS serves the JSON Web Key Set holding the provider's signing key.
func (p *Provider) serveJWKS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"keys": []any{publicJWK(&p.key.PublicKey, p.keyID)},
	})
}

// serveAuthorize serves the authorization endpoint. It accepts GET and POST,
// as OpenID Connect Core 1.0, section 3.1.2.1 requires, and answers a valid
// request at once with a redirect carrying a new authorization code. It
// answers an invalid one with 400 and a text body, without redirecting.
func (p *Provider) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "oidctest: authorize: method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "oidctest: authorize: "+err.Error(), http.StatusBadRequest)
		return
	}
	q := r.Form
	bad := func(msg string) {
		http.Error(w, "oidctest: authorize: "+msg, http.StatusBadRequest)
	}
	for _, name := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method"} {
		if len(q[name]) > 1 {
			bad("repeated parameter " + name)
			return
		}
	}
	clientID := q.Get("client_id")
	switch {
	case clientID == "":
		bad("missing client_id")
		return
	case clientID != p.clientID:
		bad("unknown client_id " + clientID)
		return
	}
	redirectURI := q.Get("redirect_uri")
	if redirectURI == "" {
		bad("missing redirect_uri")
		return
	}
	u, err := url.Parse(redirectURI)
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		bad("redirect_uri must be an absolute http or https URL without a fragment")
		return
	}
	if rt := q.Get("response_type"); rt != "code" {
		bad("unsupported response_type " + strconv.Quote(rt) + `; only "code" is supported`)
		return
	}
	scopes := strings.Fields(q.Get("scope"))
	if !slices.Contains(scopes, "openid") {
		bad(`scope must contain "openid"`)
		return
	}
	challenge := q.Get("code_challenge")
	method := q.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		bad("code_challenge_method without code_challenge")
		return
	case challenge != "" && method != "S256":
		bad(`code_challenge_method must be "S256"`)
		return
	case challenge != "" && !validChallenge(challenge):
		bad("code_challenge must be a base64url-encoded SHA-256 digest")
		return
	}

	code := rand.Text()
	p.mu.Lock()
	if p.identity == nil {
		p.mu.Unlock()
		bad("no identity to sign in as; the test must call SetIdentity")
		return
	}
	if p.identity.Subject == "" {
		p.mu.Unlock()
		bad("the identity set by SetIdentity has an empty Subject")
		return
	}
	id := *p.identity
	id.Groups = slices.Clone(id.Groups)
	now := p.now()
	for c, ac := range p.codes {
		if now.After(ac.expires) {
			delete(p.codes, c)
		}
	}
	p.codes[code] = &authCode{
		redirectURI: redirectURI,
		scopes:      scopes,
		nonce:       q.Get("nonce"),
		challenge:   challenge,
		identity:    id,
		expires:     now.Add(codeLifetime),
	}
	p.mu.Unlock()

	v := u.Query()
	v.Set("code", code)
	if state, ok := q["state"]; ok {
		v.Set("state", state[0])
	}
	u.RawQuery = v.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// validChallenge reports whether s has the form of a base64url-encoded
// SHA-256 digest.
func validChallenge(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

// writeJSON writes v as a JSON response with the given status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "oidctest: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}
