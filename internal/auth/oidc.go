package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"steward.city/steward/internal/civic"
)

// OIDCConfig configures single sign-on through an OpenID Connect provider
// (Entra ID, Okta, Google Workspace, Keycloak…).
type OIDCConfig struct {
	Name         string // shown on the button: "Entra ID"
	Issuer       string // https://login.microsoftonline.com/<tenant>/v2.0
	ClientID     string
	ClientSecret string
	RedirectURL  string // https://steward.example.gov/sso/callback
	GroupsClaim  string // the ID token claim listing groups; "groups" when empty
	// RoleMap maps a provider group to the roles its members get. When it is
	// not empty, a user's roles are set from their groups at each sign-in.
	RoleMap map[string][]RoleRef
	// CreateDepartment, when set, lets a person unknown to Steward sign in:
	// a covered person (an employee of this department) and a user are made.
	// When empty, only existing users may sign in.
	CreateDepartment string
	// CovertUsers lets users who hold covert access sign in through single
	// sign-on (never linked by e-mail address: only an identity they linked
	// before they got covert access). Off by default: whoever administers
	// the provider could otherwise sign in as a SIC commander.
	CovertUsers bool
}

// RoleRef is a role named in configuration; Department is the slug of the
// department a director directs.
type RoleRef struct {
	Role       civic.Role
	Department string
}

// ParseRoleMap reads "group=role[:department],group2=role2" into a RoleMap.
// A group may appear more than once to give several roles.
func ParseRoleMap(s string) (map[string][]RoleRef, error) {
	m := map[string][]RoleRef{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		group, role, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(group) == "" {
			return nil, fmt.Errorf("role map entry %q: want group=role", part)
		}
		role, dept, _ := strings.Cut(strings.TrimSpace(role), ":")
		ref := RoleRef{Role: civic.Role(role), Department: dept}
		if !ref.Role.Valid() {
			return nil, fmt.Errorf("role map entry %q: unknown role %q", part, role)
		}
		if ref.Role == civic.RoleSICCommander {
			return nil, fmt.Errorf("role map entry %q: single sign-on never gives sic_commander; covert access is proposed by a SIC commander and approved by the covert approver in Steward", part)
		}
		if (ref.Role == civic.RoleDirector) != (dept != "") {
			return nil, fmt.Errorf("role map entry %q: a director, and only a director, names a department (director:police)", part)
		}
		g := strings.TrimSpace(group)
		m[g] = append(m[g], ref)
	}
	return m, nil
}

// OIDC signs users in through an OpenID Connect provider with the
// authorization code flow, PKCE, state and nonce.
type OIDC struct {
	cfg  OIDCConfig
	svc  *Service
	mu   sync.Mutex
	prov *oidc.Provider // discovered on first use, so Steward starts while the provider is down
}

// NewOIDC returns single sign-on for cfg, using svc's store.
func NewOIDC(cfg OIDCConfig, svc *Service) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, fmt.Errorf("single sign-on needs an issuer, a client id and a redirect URL")
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if cfg.Name == "" {
		cfg.Name = "single sign-on"
	}
	return &OIDC{cfg: cfg, svc: svc}, nil
}

// Name is the provider's name for the sign-in button.
func (o *OIDC) Name() string { return o.cfg.Name }

func (o *OIDC) provider(ctx context.Context) (*oidc.Provider, *oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.prov == nil {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
		if err != nil {
			return nil, nil, &civic.Error{Kind: civic.KindUnavailable, Message: "the single sign-on provider cannot be reached", Err: err}
		}
		o.prov = p
	}
	oc := &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: o.prov.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	return o.prov, oc, nil
}

// ssoCookie holds what the callback must check, for ten minutes.
const ssoCookie = "__Host-steward-sso"

type ssoState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
}

func random() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Start begins a sign-in and returns the provider's authorization URL.
func (o *OIDC) Start(w http.ResponseWriter, r *http.Request) (string, error) {
	_, oc, err := o.provider(r.Context())
	if err != nil {
		return "", err
	}
	st := ssoState{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
	b, _ := json.Marshal(st)
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/", MaxAge: 600, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	return oc.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)), nil
}

// claims are the ID token claims Steward reads.
type claims struct {
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	Name          string `json:"name"`
	Nonce         string `json:"nonce"`
}

// Finish checks the provider's answer and returns the signed-in user.
func (o *OIDC) Finish(w http.ResponseWriter, r *http.Request) (*civic.User, error) {
	ctx := r.Context()
	c, err := r.Cookie(ssoCookie)
	if err != nil {
		return nil, civic.Errorf(civic.KindUnauthorized, "the sign-in took too long or was started elsewhere; try again")
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	var st ssoState
	if b, err := base64.RawURLEncoding.DecodeString(c.Value); err != nil || json.Unmarshal(b, &st) != nil || st.State == "" {
		return nil, civic.Errorf(civic.KindUnauthorized, "the sign-in state is unreadable; try again")
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return nil, civic.Errorf(civic.KindUnauthorized, "the provider refused: %s", e)
	}
	if q.Get("state") != st.State {
		return nil, civic.Errorf(civic.KindUnauthorized, "the sign-in state does not match; try again")
	}
	prov, oc, err := o.provider(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return nil, &civic.Error{Kind: civic.KindUnauthorized, Message: "the provider did not accept the sign-in code", Err: err}
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return nil, civic.Errorf(civic.KindUnauthorized, "the provider sent no ID token")
	}
	idt, err := prov.Verifier(&oidc.Config{ClientID: o.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, &civic.Error{Kind: civic.KindUnauthorized, Message: "the ID token is not valid", Err: err}
	}
	var cl claims
	var all map[string]any
	if err := idt.Claims(&cl); err != nil {
		return nil, &civic.Error{Kind: civic.KindUnauthorized, Message: "the ID token's claims are unreadable", Err: err}
	}
	if err := idt.Claims(&all); err != nil {
		return nil, &civic.Error{Kind: civic.KindUnauthorized, Message: "the ID token's claims are unreadable", Err: err}
	}
	if cl.Nonce != st.Nonce {
		return nil, civic.Errorf(civic.KindUnauthorized, "the ID token's nonce does not match; try again")
	}
	return o.signIn(ctx, idt.Issuer+"|"+cl.Subject, cl, groups(all[o.cfg.GroupsClaim]))
}

// groups reads a groups claim: a list of strings (or one string).
func groups(v any) []string {
	switch g := v.(type) {
	case string:
		return []string{g}
	case []any:
		var out []string
		for _, x := range g {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// signIn finds (or, when configured, creates) the user of a verified
// identity, links it, and sets its roles from its groups.
func (o *OIDC) signIn(ctx context.Context, subject string, cl claims, gs []string) (*civic.User, error) {
	email := strings.ToLower(strings.TrimSpace(cl.Email))
	var out *civic.User
	err := o.svc.store.Update(ctx, civic.Actor{Label: "sso:" + email}, func(tx civic.Tx) error {
		u, err := tx.UserBySubject(ctx, subject)
		if civic.ErrorKind(err) == civic.KindNotFound {
			if email == "" || (cl.EmailVerified != nil && !*cl.EmailVerified) {
				return civic.Errorf(civic.KindForbidden, "the provider sent no verified e-mail address")
			}
			u, err = tx.UserByEmail(ctx, email)
			if civic.ErrorKind(err) == civic.KindNotFound {
				u, err = o.create(ctx, tx, email, cl.Name)
			}
			if err != nil {
				return err
			}
			if u.Subject != "" && u.Subject != subject {
				return civic.Errorf(civic.KindForbidden, "this e-mail address is linked to another single sign-on identity")
			}
			if err := tx.SetUserSubject(ctx, u.ID, subject); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return civic.Errorf(civic.KindForbidden, "your Steward user is disabled")
		}
		if u.HoldsCovert() && !o.cfg.CovertUsers {
			return civic.RefuseCovert("sso_sign_in", u.ID, "you hold covert access: sign in with your Steward password; this city does not let single sign-on sign in covert users")
		}
		if len(o.cfg.RoleMap) > 0 {
			want, err := o.grants(ctx, tx, gs)
			if err != nil {
				return err
			}
			if want, err = keepCovert(ctx, tx, u, want); err != nil {
				return err
			}
			if !slices.Equal(want, u.Grants) {
				if err := tx.SetUserGrants(ctx, u.ID, want); err != nil {
					return err
				}
			}
		}
		out, err = tx.User(ctx, u.ID)
		return err
	})
	return out, err
}

// keepCovert returns the roles the groups give u, adjusted for covert
// access, which single sign-on never gives or takes: a SIC commander keeps
// the role whatever the groups, and a user who holds covert access is
// never given admin or it (the attempt is recorded in the covert audit log).
func keepCovert(ctx context.Context, tx civic.Tx, u *civic.User, want []civic.Grant) ([]civic.Grant, error) {
	if !u.HoldsCovert() {
		return want, nil
	}
	var out, dropped []civic.Grant
	for _, g := range want {
		if civic.ManagesUsers([]civic.Grant{g}) {
			dropped = append(dropped, g)
			continue
		}
		out = append(out, g)
	}
	if u.Has(civic.RoleSICCommander) {
		out = append(out, civic.Grant{Role: civic.RoleSICCommander})
	}
	if len(dropped) > 0 {
		if err := tx.Record(ctx, civic.Change{Action: "covert_access.refused", ObjectType: civic.CovertAccessObject, ObjectID: "user:" + strconv.FormatInt(u.ID, 10),
			After: map[string]any{"attempt": "sso_role_map", "user_id": u.ID, "roles": dropped,
				"message": "single sign-on groups would give a user who holds covert access the admin or it role; those roles were not given"}}); err != nil {
			return nil, err
		}
	}
	return civic.NormalizeGrants(out)
}

// create makes a covered person and user for someone the provider vouches for.
func (o *OIDC) create(ctx context.Context, tx civic.Tx, email, name string) (*civic.User, error) {
	if o.cfg.CreateDepartment == "" {
		return nil, civic.Errorf(civic.KindForbidden, "there is no Steward user for %s; ask your administrator to add you", email)
	}
	d, err := tx.DepartmentBySlug(ctx, o.cfg.CreateDepartment)
	if err != nil {
		return nil, fmt.Errorf("single sign-on department %q: %w", o.cfg.CreateDepartment, err)
	}
	if strings.TrimSpace(name) == "" {
		name = email
	}
	p := &civic.Person{Name: name, Email: email, Kind: civic.KindEmployee, DepartmentID: d.ID}
	if err := tx.CreatePerson(ctx, p); err != nil {
		return nil, err
	}
	u := &civic.User{PersonID: p.ID, Email: email}
	if err := tx.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// grants returns the roles the groups map to.
func (o *OIDC) grants(ctx context.Context, tx civic.Tx, gs []string) ([]civic.Grant, error) {
	var out []civic.Grant
	for _, g := range gs {
		for _, ref := range o.cfg.RoleMap[g] {
			grant := civic.Grant{Role: ref.Role}
			if ref.Department != "" {
				d, err := tx.DepartmentBySlug(ctx, ref.Department)
				if err != nil {
					return nil, fmt.Errorf("role map: department %q: %w", ref.Department, err)
				}
				grant.DepartmentID = d.ID
			}
			out = append(out, grant)
		}
	}
	return civic.NormalizeGrants(out)
}
