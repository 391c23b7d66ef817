package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/route"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/web"
)

// TestPublicRoutesActAnonymously: whoever is signed in, with a session
// cookie or an API token, a public route's handler acts as civic.Anonymous,
// which holds no permission; a route that needs a permission acts as the
// signed-in user. With TestHandlersTakeActorsFromRequest (handlers get an
// actor only from route.Actor), no public route can call a permissioned
// method as anyone but the anonymous actor.
func TestPublicRoutesActAnonymously(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	store := storetest.OpenSQLite(t, clock.Now)
	if _, err := demo.Seed(ctx, store); err != nil {
		t.Fatal(err)
	}
	a := auth.New(auth.Config{Store: store, Clock: clock.Now, Logger: slog.New(slog.DiscardHandler)})
	admin, err := store.UserByEmail(ctx, "admin@demo-city.example")
	if err != nil {
		t.Fatal(err)
	}
	session, _, err := a.SignIn(ctx, admin.Email, demo.Password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := a.CreateToken(ctx, civic.ActorOf(admin), admin.ID, "actor test", 0)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{store: store, auth: a, log: slog.New(slog.DiscardHandler)}

	for _, tc := range []struct {
		name     string
		rt       route.Route
		wantUser bool
	}{
		{"public page", route.Route{Public: true}, false},
		{"public API", route.Route{Public: true, API: true}, false},
		{"signed-in page", route.Route{Perm: civic.PermSignedIn}, true},
		{"signed-in API", route.Route{Perm: civic.PermSignedIn, API: true}, true},
		{"admin page", route.Route{Perm: civic.PermUsersManage}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got civic.Actor
			called := false
			tc.rt.Handle = func(w http.ResponseWriter, r *http.Request) error {
				got, called = route.Actor(r), true
				return nil
			}
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			if tc.rt.API {
				req.Header.Set("Authorization", "Bearer "+token)
			} else {
				req.AddCookie(&http.Cookie{Name: web.CookieName, Value: session})
			}
			s.serve(tc.rt).ServeHTTP(httptest.NewRecorder(), req)
			if !called {
				t.Fatal("the handler did not run")
			}
			if tc.wantUser {
				if !got.Is(admin.ID) || !got.Can(tc.rt.Perm) {
					t.Errorf("actor %+v, want the signed-in administrator", got)
				}
				return
			}
			if !got.Anonymous() || got.IsUser() || got.Trusted() {
				t.Errorf("actor %+v on a public route, want civic.Anonymous", got)
			}
			for _, p := range civic.Permissions {
				if got.Can(p) {
					t.Errorf("the public route's actor holds %s", p)
				}
			}
		})
	}
}
