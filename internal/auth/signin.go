package auth

import (
	"context"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/plain"
)

// Throttling follows OWASP's "device cookies". A browser in which a user
// once signed in with their password is a known device of that user; its
// cookie is DeviceCookie. From a known device, failed sign-ins count
// against that device alone: DeviceFreeFailures in a row lock it. From
// anywhere else, they count against the e-mail address (FreeFailures) and
// against the client address (IPFreeFailures; an IPv6 address counts with
// its whole /64), and either lock refuses every unknown device. So nobody
// who lacks a user's password and device can lock that user out of the
// device they use. A lock lasts LockBase, doubling with each further
// failure up to LockMax.
const (
	FreeFailures       = 5
	IPFreeFailures     = 20
	DeviceFreeFailures = 10
	LockBase           = 30 * time.Second
	LockMax            = time.Hour
	// FailureWindow: failures further apart than this do not add up.
	FailureWindow = time.Hour
	// DeviceTTL is how long a device stays known after the sign-in that
	// made it known.
	DeviceTTL = 180 * 24 * time.Hour
)

// Attempt is one password sign-in.
type Attempt struct {
	Email    string
	Password string
	Remote   string // the client address, for throttling and the audit log
	Device   string // the device cookie's secret; "" when the browser sent none
}

// SignedIn is a successful password sign-in.
type SignedIn struct {
	Session string // the session cookie's secret
	User    *civic.User
	// Device is a new device cookie's secret, to be set; "" when the
	// browser is already a known device of the user.
	Device string
}

// errSignIn is what every failed password sign-in says, whatever the cause.
var errSignIn = &civic.Error{Kind: civic.KindUnauthorized, Field: "password", Message: "wrong e-mail address or password"}

// SignIn checks an e-mail address and password from a browser with no
// known device; see SignInDevice.
func (s *Service) SignIn(ctx context.Context, email, password, remote string) (string, *civic.User, error) {
	out, err := s.SignInDevice(ctx, Attempt{Email: email, Password: password, Remote: remote})
	if err != nil {
		return "", nil, err
	}
	return out.Session, out.User, nil
}

// SignInDevice checks an attempt and, when the e-mail address and password
// match an enabled user, starts a session. A locked key answers
// KindTooMany; every other failure answers the same KindUnauthorized after
// the same work (a dummy hash for an unknown user), so the answer does not
// tell who has an account.
func (s *Service) SignInDevice(ctx context.Context, a Attempt) (*SignedIn, error) {
	email := strings.ToLower(strings.TrimSpace(a.Email))
	if email == "" {
		return nil, civic.Invalid("email", "enter your e-mail address")
	}
	if a.Password == "" {
		return nil, civic.Invalid("password", "enter your password")
	}
	now := s.now()
	u, err := s.store.UserByEmail(ctx, email)
	switch {
	case civic.ErrorKind(err) == civic.KindNotFound:
		u = nil
	case err != nil:
		return nil, err
	}
	known := false
	var deviceHash []byte
	if u != nil && a.Device != "" {
		deviceHash = HashSecret(a.Device)
		d, err := s.store.Device(ctx, deviceHash, now)
		switch {
		case err == nil:
			known = d.UserID == u.ID
		case civic.ErrorKind(err) != civic.KindNotFound:
			return nil, err
		}
	}
	keys := []string{"email:" + email, "ip:" + addressKey(a.Remote)}
	if known {
		keys = []string{"device:" + hex.EncodeToString(deviceHash)}
	}
	for _, k := range keys {
		th, err := s.store.Throttle(ctx, k)
		if err != nil {
			return nil, err
		}
		if now.Before(th.LockedUntil) {
			wait := th.LockedUntil.Sub(now).Round(time.Second)
			s.log.Warn("sign-in refused while locked", "key", k, "wait", wait)
			return nil, civic.Errorf(civic.KindTooMany, "too many failed sign-ins; try again in %s", plain.Duration(wait))
		}
	}
	reason := ""
	switch {
	case u == nil:
		VerifyPassword(s.dummy, a.Password)
		reason = "unknown user"
	case u.PasswordHash == "":
		VerifyPassword(s.dummy, a.Password)
		reason = "no password (single sign-on only)"
	case !VerifyPassword(u.PasswordHash, a.Password):
		reason = "wrong password"
	case u.DisabledAt != nil:
		reason = "user disabled"
	}
	if reason != "" {
		if err := s.fail(ctx, keys, email, a.Remote, reason, known); err != nil {
			return nil, err
		}
		return nil, errSignIn
	}
	// Success clears the key that was counting: the device's, or the
	// e-mail address's. The client address's count is left to expire, so
	// that signing in to one's own account does not buy more guesses at
	// others'.
	clear := keys[:1]
	secret, device, err := s.startSession(ctx, u, "password", clear, !known)
	if err != nil {
		return nil, err
	}
	return &SignedIn{Session: secret, User: u, Device: device}, nil
}

// addressKey is the throttle key of a client address: the address itself,
// or for IPv6 its /64, which one client usually holds whole.
func addressKey(remote string) string {
	ip, err := netip.ParseAddr(remote)
	if err != nil {
		return remote
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// freeFailures is how many failures in a row a key is allowed.
func freeFailures(key string) int {
	switch {
	case strings.HasPrefix(key, "ip:"):
		return IPFreeFailures
	case strings.HasPrefix(key, "device:"):
		return DeviceFreeFailures
	}
	return FreeFailures
}

// fail counts a failed sign-in against each key and records it.
func (s *Service) fail(ctx context.Context, keys []string, email, remote, reason string, known bool) error {
	return s.store.Update(ctx, civic.Anonymous, func(tx civic.Tx) error {
		for _, k := range keys {
			th, err := tx.Throttle(ctx, k)
			if err != nil {
				return err
			}
			now := tx.Now()
			if now.Sub(th.LastFailure) > FailureWindow && !now.Before(th.LockedUntil) {
				th.Failures = 0
			}
			th.Failures++
			th.LastFailure = now
			if over := th.Failures - freeFailures(k) + 1; over > 0 {
				lock := LockMax
				if over < 12 && LockBase<<(over-1) < LockMax {
					lock = LockBase << (over - 1)
				}
				th.LockedUntil = now.Add(lock)
			}
			if err := tx.SetThrottle(ctx, th); err != nil {
				return err
			}
		}
		return tx.Record(ctx, civic.Change{Action: "auth.sign_in_failed", ObjectType: "user", ObjectID: email,
			After: map[string]any{"reason": reason, "remote": remote, "known_device": known}})
	})
}
