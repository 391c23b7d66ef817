package platform_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"steward.city/steward/internal/platform"
)

func TestPublic(t *testing.T) {
	for s, want := range map[string]bool{
		"93.184.215.14": true, "2606:2800:21f:cb07:6820:80da:af6b:8b2c": true, "1.1.1.1": true,
		"127.0.0.1": false, "127.8.9.10": false, "::1": false, "10.1.2.3": false, "172.16.0.9": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fd00:ec2::254": false, "0.0.0.0": false, "::": false,
		"100.64.1.1": false, "224.0.0.1": false, "255.255.255.255": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
		"192.0.2.7": false, "2001:db8::1": false,
	} {
		if got := platform.Public(netip.MustParseAddr(s)); got != want {
			t.Errorf("Public(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestPublicOnlyRefusesPrivateAddresses: a media address pointing at the
// machine itself, by number or by a name that resolves to it, is refused
// at connection time; an allowed prefix (a test's or a lab's own server)
// goes through.
func TestPublicOnlyRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	c := &http.Client{Transport: platform.PublicOnly(nil)}
	for _, u := range []string{srv.URL, "http://localhost" + port + "/", "http://[::1]" + port + "/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1" + port + "/"} {
		res, err := c.Get(u)
		if err == nil {
			res.Body.Close()
			t.Errorf("GET %s: %d, want refused", u, res.StatusCode)
			continue
		}
		var pe *platform.ErrPrivateAddress
		if !errors.As(err, &pe) {
			t.Errorf("GET %s: %v, want a private-address refusal", u, err)
		}
	}
	allowed := &http.Client{Transport: platform.PublicOnly([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})}
	res, err := allowed.Get(srv.URL)
	if err != nil {
		t.Fatalf("an allowed prefix: %v", err)
	}
	res.Body.Close()
}
