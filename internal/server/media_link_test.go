package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	"io"
	"strings"
	"testing"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/publish"
	"steward.city/steward/internal/storetest"
)

// TestMediaLinkRoute: GET /media/out/{token} serves a post's file to
// anyone, without sign-in, while its link lasts, as a file (its sniffed
// type, nosniff, a sandbox), never a page; any other token, a link that
// has expired or one whose file is gone from the store is 404, never a
// sign-in redirect that would tell a stranger the address exists.
func TestMediaLinkRoute(t *testing.T) {
	app := newApp(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, nil)
	ctx := context.Background()
	acct, _ := grantParks(t, app)
	staffUser, err := app.store.UserByEmail(ctx, demoEmail(civic.RoleStaff))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, 10, 10))
	for i := range img.Pix {
		img.Pix[i] = byte(i % 11)
	}
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, img, nil); err != nil {
		t.Fatal(err)
	}
	up, err := app.svcs.Publish.Upload(ctx, civic.ActorOf(staffUser), publish.UploadInput{File: "pool.jpg"}, bytes.NewReader(pic.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	d, err := app.svcs.Publish.CreateDraft(ctx, civic.ActorOf(staffUser), publish.DraftInput{AccountIDs: []int64{acct.ID}, Category: "announcement",
		Text: "The pool opens Saturday."})
	if err != nil {
		t.Fatal(err)
	}
	p := &civic.Publication{DraftID: d.ID, Revision: 1, AccountID: acct.ID, ConnectionID: 1, IdempotencyKey: "k1", Platform: acct.Platform,
		Body: "The pool opens Saturday.", Authority: &civic.Authority{DraftID: d.ID}}
	link := func(token string, expires time.Time) {
		t.Helper()
		sum := sha256.Sum256([]byte(token))
		if err := app.store.Update(ctx, civic.System, func(tx civic.Tx) error {
			if p.ID == 0 {
				if err := tx.CreatePublication(ctx, p); err != nil {
					return err
				}
			}
			return tx.AddMediaLink(ctx, &civic.MediaLink{TokenSHA256: hex.EncodeToString(sum[:]), SHA256: up.SHA256, ContentType: up.ContentType,
				File: up.File, Size: up.Size, PublicationID: p.ID, ExpiresAt: expires})
		}); err != nil {
			t.Fatal(err)
		}
	}
	live := strings.Repeat("L", 43)
	expired := strings.Repeat("E", 43)
	link(live, app.clock.Now().Add(time.Hour))
	link(expired, app.clock.Now())

	res := app.do(request{method: "GET", path: publish.MediaLinkPath + live})
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	h := res.Header
	if res.StatusCode != 200 || !bytes.Equal(body, pic.Bytes()) || h.Get("Content-Type") != "image/jpeg" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || !strings.Contains(h.Get("Cache-Control"), "no-store") {
		t.Fatalf("the live link: %d, %d bytes, headers %v", res.StatusCode, len(body), h)
	}
	for what, token := range map[string]string{
		"expired":             expired,
		"unknown":             strings.Repeat("U", 43),
		"the file's hash":     up.SHA256,
		"one letter changed":  "M" + live[1:],
		"a path":              "..%2f..%2fetc%2fpasswd",
		"the live link, cut":  live[:42],
		"the live link, more": live + "L",
	} {
		res := app.do(request{method: "GET", path: publish.MediaLinkPath + token})
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 404 || bytes.Contains(got, pic.Bytes()) {
			t.Errorf("%s: %d (%d bytes)", what, res.StatusCode, len(got))
		}
	}
	// An hour later the live link serves nothing either.
	app.clock.Advance(time.Hour)
	res = app.do(request{method: "GET", path: publish.MediaLinkPath + live})
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("the live link an hour later: %d", res.StatusCode)
	}
}
