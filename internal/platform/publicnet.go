package platform

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// PublicOnly returns a transport that connects only to public internet
// addresses, plus the prefixes in allow: a media address a platform (or
// whoever wrote the post) handed over cannot make Steward reach its own
// machine, the city's network or a cloud metadata service (SSRF). The
// address is checked when the connection is made, after name resolution,
// so a name that resolves to 127.0.0.1, or changes to it between lookups,
// is refused all the same. No proxy is used: a proxy would make the check
// meaningless.
func PublicOnly(allow []netip.Prefix) *http.Transport {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		return checkPublic(address, allow)
	}}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	return t
}

// ErrPrivateAddress is the error of a connection PublicOnly refused.
type ErrPrivateAddress struct{ Addr netip.Addr }

func (e *ErrPrivateAddress) Error() string {
	return fmt.Sprintf("refused to connect to %s: not a public internet address (loopback, private, link-local or reserved)", e.Addr)
}

func checkPublic(address string, allow []netip.Prefix) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refused to connect to %q: not an IP address and port", address)
	}
	a := ap.Addr().Unmap()
	for _, p := range allow {
		if p.Contains(a) {
			return nil
		}
	}
	if !Public(a) {
		return &ErrPrivateAddress{Addr: a}
	}
	return nil
}

// reserved are ranges that are neither private nor loopback by the
// standard library's tests but are not the public internet either.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

// Public reports whether a is an address on the public internet.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
