package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/storetest"
	"steward.city/steward/internal/web"
)

// mastodonParks gives the demo staff member an active grant for a new
// Mastodon account of Parks, and returns it.
func mastodonParks(t *testing.T, app *testApp, dir *civic.User) *civic.Account {
	t.Helper()
	ctx := context.Background()
	staff, err := app.store.UserByEmail(ctx, demoEmail(civic.RoleStaff))
	if err != nil {
		t.Fatal(err)
	}
	parks, err := app.store.DepartmentBySlug(ctx, "parks")
	if err != nil {
		t.Fatal(err)
	}
	a := &civic.Account{DepartmentID: parks.ID, Platform: "mastodon", Handle: "@parks@social.city.example", DisplayName: "City Parks", Purpose: "news",
		Audience: "residents", Categories: []string{"announcements"}, WebsiteURL: "https://www.city.example/", ProfileText: "Official. Call 9-1-1.",
		RequestedBy: staff.ID, AdminIDs: []int64{staff.PersonID, dir.PersonID}}
	if err := app.store.Update(ctx, civic.System, func(tx civic.Tx) error {
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		a.Status = civic.AccountActive
		if err := tx.UpdateAccount(ctx, a, "account.activate"); err != nil {
			return err
		}
		now := tx.Now()
		exp := now.Add(365 * 24 * time.Hour)
		g := &civic.Poster{AccountID: a.ID, UserID: staff.ID, Reason: "I post the department's news."}
		if err := tx.CreatePoster(ctx, g); err != nil {
			return err
		}
		g.Status, g.DecidedBy, g.DecidedAt, g.ExpiresAt = civic.PosterGranted, dir.ID, &now, &exp
		return tx.UpdatePoster(ctx, g, "poster.grant")
	}); err != nil {
		t.Fatal(err)
	}
	return a
}

// testPNG is a small PNG image.
func testPNG(t testing.TB, seed byte) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 24, 16))
	for i := range img.Pix {
		img.Pix[i] = seed + byte(i%11)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDraftMediaAPI: a file is uploaded through the API (as the body, or
// a multipart part), checked by its bytes, named in a draft by its hash;
// the draft's file is read by its author and approvers, and by no one
// else, however they guess its address; the page's form takes a file,
// and keeps it when the draft is refused; a network Steward cannot send
// attachments to is named.
func TestDraftMediaAPI(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			app := newApp(t, eng, nil)
			insta, dir := grantParks(t, app)
			acct := mastodonParks(t, app, dir)
			staff, clerk, director := app.token(demoEmail(civic.RoleStaff)), app.token(demoEmail(civic.RoleClerk)), app.token(dir.Email)
			img := testPNG(t, 1)
			send := func(bearer, path, ct string, body []byte) *http.Response {
				req := httptest.NewRequest("POST", "http://steward.test"+path, bytes.NewReader(body))
				req.Header.Set("Content-Type", ct)
				req.Header.Set("Authorization", "Bearer "+bearer)
				w := httptest.NewRecorder()
				app.server.ServeHTTP(w, req)
				return w.Result()
			}
			res := send(staff, "/api/v1/drafts/media?name=pool.png", "application/octet-stream", img)
			var up civic.MediaUpload
			if err := json.Unmarshal([]byte(readBody(t, res)), &up); err != nil || res.StatusCode != 201 || up.ContentType != "image/png" || up.File != "pool.png" {
				t.Fatalf("upload: %d %+v %v", res.StatusCode, up, err)
			}
			// As a multipart part, with a kind the bytes do not show.
			var mb bytes.Buffer
			mw := multipart.NewWriter(&mb)
			_ = mw.WriteField("kind", "video")
			fw, _ := mw.CreateFormFile("file", "pool.png")
			_, _ = fw.Write(img)
			_ = mw.Close()
			res = send(staff, "/api/v1/drafts/media", mw.FormDataContentType(), mb.Bytes())
			if got := readBody(t, res); res.StatusCode != 422 || !strings.Contains(got, `"field": "kind"`) {
				t.Fatalf("a PNG sent as a video: %d %s", res.StatusCode, got)
			}
			res = send(staff, "/api/v1/drafts/media?name=x.jpg", "image/jpeg", []byte("<html><body onload=alert(1)>"))
			if got := readBody(t, res); res.StatusCode != 422 || !strings.Contains(got, `"field": "file"`) || !strings.Contains(got, "text/html") {
				t.Fatalf("an HTML page named .jpg: %d %s", res.StatusCode, got)
			}
			res = send(clerk, "/api/v1/drafts/media?name=pool.png", "application/octet-stream", img)
			if res.StatusCode != 403 {
				t.Fatalf("an upload by a clerk, who posts nowhere: %d", res.StatusCode)
			}

			// The draft names it; Instagram fetches a post's images from
			// Steward's public address, and this Steward has none.
			body := fmt.Sprintf(`{"account_ids":[%d],"text":"The pool opens Saturday.","category":"announcement","media":[{"sha256":%q,"alt":"The pool at dawn."}]}`, insta.ID, up.SHA256)
			res = app.do(request{method: "POST", path: "/api/v1/drafts", bearer: staff, body: body})
			if got := readBody(t, res); res.StatusCode != 422 || !strings.Contains(got, `"field": "media"`) || !strings.Contains(got, "Instagram fetches a post's files from Steward's public address") || !strings.Contains(got, "--public-url") {
				t.Fatalf("media for Instagram: %d %s", res.StatusCode, got)
			}
			body = fmt.Sprintf(`{"account_ids":[%d],"text":"The pool opens Saturday.","category":"announcement","media":[{"sha256":%q,"alt":"The pool at dawn."}]}`, acct.ID, up.SHA256)
			res = app.do(request{method: "POST", path: "/api/v1/drafts", bearer: staff, body: body})
			var d struct {
				ID      int64 `json:"id"`
				Current struct {
					Media []civic.DraftMedia `json:"media"`
				} `json:"current"`
			}
			if err := json.Unmarshal([]byte(readBody(t, res)), &d); err != nil || res.StatusCode != 201 || len(d.Current.Media) != 1 || d.Current.Media[0].SHA256 != up.SHA256 {
				t.Fatalf("draft with media: %d %+v %v", res.StatusCode, d, err)
			}

			// Its file, to those who may read the draft only.
			type reader struct {
				name, bearer, cookie string
				status               int // 0: any refusal
			}
			api, page := fmt.Sprintf("/api/v1/drafts/%d/media/%s", d.ID, up.SHA256), fmt.Sprintf("/drafts/%d/media/%s", d.ID, up.SHA256)
			for p, whos := range map[string][]reader{
				api: {{"author", staff, "", 200}, {"director", director, "", 200}, {"clerk", clerk, "", 404}, {"anonymous", "", "", 0}},
				page: {{"author", "", app.session(demoEmail(civic.RoleStaff)), 200}, {"director", "", app.session(dir.Email), 200},
					{"clerk", "", app.session(demoEmail(civic.RoleClerk)), 404}, {"anonymous", "", "", 0}},
			} {
				for _, who := range whos {
					res := app.do(request{method: "GET", path: p, bearer: who.bearer, cookie: who.cookie})
					got, _ := io.ReadAll(res.Body)
					switch {
					case who.status == 0 && (res.StatusCode == 200 || bytes.Equal(got, img)):
						t.Errorf("%s reads %s: %d", who.name, p, res.StatusCode)
					case who.status != 0 && res.StatusCode != who.status:
						t.Errorf("%s reads %s: %d, want %d", who.name, p, res.StatusCode, who.status)
					case who.status == 200 && (!bytes.Equal(got, img) || res.Header.Get("Content-Type") != "image/png" || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
						!strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") || !strings.Contains(res.Header.Get("Cache-Control"), "no-store")):
						t.Errorf("%s reads %s: %d bytes, headers %v", who.name, p, len(got), res.Header)
					case who.status == 404 && bytes.Equal(got, img):
						t.Errorf("%s got the file", who.name)
					}
				}
			}
			// Another file of the author's, not in this draft, is not read through it.
			other := send(staff, "/api/v1/drafts/media?name=b.png", "application/octet-stream", testPNG(t, 2))
			var up2 civic.MediaUpload
			_ = json.Unmarshal([]byte(readBody(t, other)), &up2)
			if res := app.do(request{method: "GET", path: fmt.Sprintf("/api/v1/drafts/%d/media/%s", d.ID, up2.SHA256), bearer: staff}); res.StatusCode != 404 {
				t.Errorf("a file not in the draft: %d", res.StatusCode)
			}

			// The page's form: a file chosen with the draft, kept when the
			// draft is refused (no category), then saved with it.
			cookie := app.session(demoEmail(civic.RoleStaff))
			form := func(fields map[string]string, file []byte) *http.Response {
				var b bytes.Buffer
				mw := multipart.NewWriter(&b)
				for k, v := range fields {
					_ = mw.WriteField(k, v)
				}
				if file != nil {
					fw, _ := mw.CreateFormFile("upload", "splash.png")
					_, _ = fw.Write(file)
				}
				_ = mw.Close()
				req := httptest.NewRequest("POST", "http://steward.test/drafts", &b)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				req.AddCookie(&http.Cookie{Name: web.CookieName, Value: cookie})
				w := httptest.NewRecorder()
				app.server.ServeHTTP(w, req)
				return w.Result()
			}
			splash := testPNG(t, 3)
			res = form(map[string]string{"account": fmt.Sprint(acct.ID), "text": "The splash pad opens.", "alt": "Children in the fountains."}, splash)
			body = readBody(t, res)
			if res.StatusCode != 422 || !strings.Contains(body, `name="m0_sha256" value="`) || !strings.Contains(body, `value="Children in the fountains."`) {
				t.Fatalf("the form without a category: %d, the file kept: %v", res.StatusCode, strings.Contains(body, "m0_sha256"))
			}
			hash := body[strings.Index(body, `name="m0_sha256" value="`)+len(`name="m0_sha256" value="`):]
			hash = hash[:64]
			// Sent again with a second file: both are kept, each with its alt text.
			res = form(map[string]string{"account": fmt.Sprint(acct.ID), "text": "The splash pad opens.", "m0_alt": "Children in the fountains.", "category": "announcement",
				"m0_sha256": hash, "m0_file": "splash.png", "alt": "The pad's map."}, testPNG(t, 9))
			if res.StatusCode != 303 {
				t.Fatalf("the form again: %d %s", res.StatusCode, readBody(t, res))
			}
			loc := res.Header.Get("Location")
			res = app.do(request{method: "GET", path: strings.TrimSuffix(loc, "?notice=saved"), cookie: cookie})
			if got := readBody(t, res); !strings.Contains(got, `alt="Children in the fountains."`) || !strings.Contains(got, "/media/"+hash) || !strings.Contains(got, `alt="The pad&#39;s map."`) {
				t.Fatalf("the draft page shows no thumbnails with their alt text: %s", got)
			}
			// Revised with the first file removed: the revision keeps the second alone.
			draftPath := strings.TrimSuffix(loc, "?notice=saved")
			var rb bytes.Buffer
			rw := multipart.NewWriter(&rb)
			for k, v := range map[string]string{"text": "The splash pad opens.", "category": "announcement", "m0_sha256": hash, "m0_file": "splash.png", "m0_remove": "yes",
				"m1_sha256": fmt.Sprintf("%x", sha256.Sum256(testPNG(t, 9))), "m1_file": "splash.png", "m1_alt": "The pad's map."} {
				_ = rw.WriteField(k, v)
			}
			_ = rw.Close()
			req := httptest.NewRequest("POST", "http://steward.test"+draftPath, &rb)
			req.Header.Set("Content-Type", rw.FormDataContentType())
			req.AddCookie(&http.Cookie{Name: web.CookieName, Value: cookie})
			w := httptest.NewRecorder()
			app.server.ServeHTTP(w, req)
			if w.Code != 303 {
				t.Fatalf("revise: %d %s", w.Code, w.Body.String())
			}
			var id int64
			fmt.Sscanf(draftPath, "/drafts/%d", &id)
			dr, err := app.store.Draft(context.Background(), id)
			if err != nil || len(dr.Current.Media) != 1 || dr.Current.Media[0].Alt != "The pad's map." {
				t.Fatalf("the revision's media: %+v, %v", dr, err)
			}
			// A file too large for an image is refused next to the field, the text kept.
			res = form(map[string]string{"account": fmt.Sprint(acct.ID), "text": "Big file.", "category": "announcement"},
				append(testPNG(t, 4), make([]byte, 10<<20)...))
			if got := readBody(t, res); res.StatusCode != 413 || !strings.Contains(got, "Big file.") || !strings.Contains(got, "larger than") {
				t.Fatalf("a file too large: %d", res.StatusCode)
			}
		})
	}
}
