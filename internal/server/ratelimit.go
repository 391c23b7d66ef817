package server

import (
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/route"
)

// PublicLimit is the per-client rate limit of the public records portal
// (/public). Each client address (as TrustedProxies decides it) may make
// PerMinute requests a minute, up to Burst at once; the allowance refills
// continuously, so a client over it waits seconds, never is locked out.
// Addresses in Shared (a city hall's or a library's address, which many
// people share) get SharedPerMinute instead.
type PublicLimit struct {
	PerMinute       int // 0: DefaultPublicPerMinute; negative: no limit
	Burst           int // 0: PerMinute
	Shared          []netip.Prefix
	SharedPerMinute int // 0: 20 times PerMinute
	Clock           func() time.Time
}

// DefaultPublicPerMinute is the portal's per-client limit when none is set.
const DefaultPublicPerMinute = 120

// limiter is a token bucket per client address.
type limiter struct {
	mu      sync.Mutex
	c       PublicLimit
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds the limiter's memory: beyond it, full buckets (clients
// idle long enough to have their whole allowance back) are forgotten.
const maxBuckets = 100000

func newLimiter(c PublicLimit) *limiter {
	if c.PerMinute == 0 {
		c.PerMinute = DefaultPublicPerMinute
	}
	if c.Burst <= 0 {
		c.Burst = c.PerMinute
	}
	if c.SharedPerMinute <= 0 {
		c.SharedPerMinute = 20 * c.PerMinute
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return &limiter{c: c, buckets: map[string]*bucket{}}
}

// allow takes one request from client's allowance; when none is left it
// returns how long until one is.
func (l *limiter) allow(client string) (bool, time.Duration) {
	if l.c.PerMinute < 0 {
		return true, 0
	}
	rate, burst := float64(l.c.PerMinute)/60, float64(l.c.Burst)
	if a, err := netip.ParseAddr(client); err == nil {
		a = a.Unmap()
		if isTrusted(a, l.c.Shared) {
			rate = float64(l.c.SharedPerMinute) / 60
			burst = max(burst, float64(l.c.SharedPerMinute))
		} else if a.Is6() {
			// An IPv6 client is counted with its whole /64, which one
			// host can rotate its addresses within.
			p, _ := a.Prefix(64)
			client = p.String()
		}
	}
	now := l.c.Clock()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[client]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: burst, at: now}
		l.buckets[client] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration(math.Ceil((1-b.tokens)/rate)) * time.Second
}

// prune forgets the buckets that have refilled; when that is not enough,
// half of them at random.
func (l *limiter) prune(now time.Time) {
	full := float64(l.c.Burst) / (float64(l.c.PerMinute) / 60)
	for k, b := range l.buckets {
		if now.Sub(b.at).Seconds() >= full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		n := 0
		for k := range l.buckets {
			delete(l.buckets, k)
			if n++; n >= maxBuckets/2 {
				break
			}
		}
	}
}

// limit answers 429 with Retry-After to a client over its allowance.
func (s *Server) limit(l *limiter, rt route.Route, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.allow(route.Client(r)); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
			s.fail(w, r, rt, civic.Errorf(civic.KindTooMany, "too many requests from your address; try again in %d seconds", int(wait/time.Second)))
			return
		}
		next.ServeHTTP(w, r)
	})
}
