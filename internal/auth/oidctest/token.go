package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// serveToken serves the token endpoint for the authorization code grant
// (RFC 6749, section 4.1.3, with PKCE as in RFC 7636, section 4.6). The
// client authenticates with HTTP Basic (client_secret_basic) or with
// client_id and client_secret in the form (client_secret_post). A code can
// be presented once: presenting it again fails and revokes the access token
// issued for it.
func (p *Provider) serveToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		tokenError(w, http.StatusMethodNotAllowed, "invalid_request", "the token endpoint takes POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	form := r.PostForm
	for name, vs := range form {
		if len(vs) > 1 {
			tokenError(w, http.StatusBadRequest, "invalid_request", "repeated parameter "+name)
			return
		}
	}

	// Authenticate the client.
	var clientID, secret string
	if user, pass, ok := r.BasicAuth(); ok {
		// RFC 6749, section 2.3.1: both are form-encoded before Basic.
		var err1, err2 error
		clientID, err1 = url.QueryUnescape(user)
		secret, err2 = url.QueryUnescape(pass)
		switch {
		case err1 != nil || err2 != nil:
			clientError(w, "malformed Basic credentials")
			return
		case form.Has("client_secret"):
			tokenError(w, http.StatusBadRequest, "invalid_request", "more than one client authentication method")
			return
		case form.Has("client_id") && form.Get("client_id") != clientID:
			clientError(w, "client_id does not match the Basic credentials")
			return
		}
	} else {
		clientID, secret = form.Get("client_id"), form.Get("client_secret")
		if clientID == "" || secret == "" {
			clientError(w, "client authentication required")
			return
		}
	}
	if clientID != p.clientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.clientSecret)) != 1 {
		clientError(w, "unknown client or wrong secret")
		return
	}

	if gt := form.Get("grant_type"); gt != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", `only "authorization_code" is supported`)
		return
	}
	code := form.Get("code")
	if code == "" {
		tokenError(w, http.StatusBadRequest, "invalid_request", "missing code")
		return
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	ac, ok := p.codes[code]
	switch {
	case !ok:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown code")
		return
	case ac.used:
		delete(p.tokens, ac.accessToken)
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code already used")
		return
	}
	ac.used = true // whether or not this attempt succeeds
	switch {
	case now.After(ac.expires):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code expired")
		return
	case form.Get("redirect_uri") != ac.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request")
		return
	}
	verifier := form.Get("code_verifier")
	switch {
	case ac.challenge == "" && verifier != "":
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier without code_challenge")
		return
	case ac.challenge != "" && verifier == "":
		tokenError(w, http.StatusBadRequest, "invalid_grant", "missing code_verifier")
		return
	case ac.challenge != "" && !verifyPKCE(verifier, ac.challenge):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match code_challenge")
		return
	}

	if p.tamper == TamperBadSignature && p.otherKey == nil {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
			return
		}
		p.otherKey = key
	}
	access := rand.Text()
	idToken, err := p.idToken(ac, access, now)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	ac.accessToken = access
	p.tokens[access] = &accessToken{
		identity: ac.identity,
		scopes:   ac.scopes,
		expires:  now.Add(tokenLifetime),
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(tokenLifetime / time.Second),
		"scope":        strings.Join(ac.scopes, " "),
		"id_token":     idToken,
	})
}

// idToken returns a signed ID token for the redemption of ac, with access
// as its access token, applying the current tamper mode. p.mu must be held.
func (p *Provider) idToken(ac *authCode, access string, now time.Time) (string, error) {
	claims := p.userClaims(ac.identity, ac.scopes)
	claims["iss"] = p.Issuer()
	claims["aud"] = p.clientID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(tokenLifetime).Unix()
	claims["at_hash"] = leftHash(access)
	if ac.nonce != "" {
		claims["nonce"] = ac.nonce
	}
	key := p.key
	switch p.tamper {
	case TamperWrongAudience:
		claims["aud"] = "oidctest-other-client"
	case TamperExpired:
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	case TamperWrongNonce:
		claims["nonce"] = "oidctest-wrong-nonce-" + rand.Text()
	case TamperBadSignature:
		key = p.otherKey
	case TamperWrongIssuer:
		claims["iss"] = "https://wrong-issuer.invalid"
	}
	return signJWT(key, p.keyID, claims)
}

// userClaims returns the claims about id that the scopes release, for an ID
// token or a userinfo response. p.mu must be held.
func (p *Provider) userClaims(id Identity, scopes []string) map[string]any {
	claims := map[string]any{"sub": id.Subject}
	if slices.Contains(scopes, "email") && id.Email != "" {
		claims["email"] = id.Email
		claims["email_verified"] = id.EmailVerified
	}
	if slices.Contains(scopes, "profile") && id.Name != "" {
		claims["name"] = id.Name
	}
	if id.Groups != nil {
		claims[p.groupsClaim] = slices.Clone(id.Groups)
	}
	return claims
}

// serveUserinfo serves the userinfo endpoint (OpenID Connect Core 1.0,
// section 5.3) to holders of an access token sent as a Bearer token.
func (p *Provider) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "oidctest: userinfo: method not allowed", http.StatusMethodNotAllowed)
		return
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oidctest"`)
		http.Error(w, "oidctest: userinfo: missing Bearer token", http.StatusUnauthorized)
		return
	}
	p.mu.Lock()
	at, ok := p.tokens[token]
	if ok && p.now().After(at.expires) {
		delete(p.tokens, token)
		ok = false
	}
	var claims map[string]any
	if ok {
		claims = p.userClaims(at.identity, at.scopes)
	}
	p.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oidctest", error="invalid_token"`)
		http.Error(w, "oidctest: userinfo: invalid access token", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, claims)
}

// verifyPKCE reports whether verifier is a well-formed code verifier whose
// S256 transformation is challenge (RFC 7636, sections 4.1 and 4.6).
func verifyPKCE(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	for _, c := range []byte(verifier) {
		unreserved := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
		if !unreserved {
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// leftHash returns the at_hash value for an access token: the base64url
// encoding of the left half of its SHA-256 digest.
func leftHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// clientError writes a 401 invalid_client error response.
func clientError(w http.ResponseWriter, desc string) {
	w.Header().Set("WWW-Authenticate", `Basic realm="oidctest"`)
	tokenError(w, http.StatusUnauthorized, "invalid_client", desc)
}

// tokenError writes an error response of RFC 6749, section 5.2.
func tokenError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{
		"error":             code,
		"error_description": desc,
	})
}
