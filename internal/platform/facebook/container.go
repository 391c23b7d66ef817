package facebook

import (
	"sync"
	"time"
)

// ContainerLife is how long a Threads or Instagram media container can be
// published after it was made.
const ContainerLife = 24 * time.Hour

// Container is a media container made for one publication.
type Container struct {
	ID string
	At time.Time // when it was made
}

// Containers remembers the container made for each idempotency key, so
// that a retry of a two-step post (a container, then its publish) asks
// the container's status before making another. Entries older than
// ContainerLife are dropped. The zero value is ready to use.
type Containers struct {
	mu sync.Mutex
	m  map[string]Container
}

// Get returns the container made for key, if it is still alive at now.
func (cs *Containers) Get(key string, now time.Time) (Container, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.m[key]
	if ok && now.Sub(c.At) >= ContainerLife {
		delete(cs.m, key)
		return Container{}, false
	}
	return c, ok
}

// Put remembers c for key, dropping the containers that have expired.
func (cs *Containers) Put(key string, c Container) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.m == nil {
		cs.m = map[string]Container{}
	}
	for k, old := range cs.m {
		if c.At.Sub(old.At) >= ContainerLife {
			delete(cs.m, k)
		}
	}
	cs.m[key] = c
}

// Forget drops the container of key.
func (cs *Containers) Forget(key string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	delete(cs.m, key)
}

// IsID reports whether s is a Graph object id of Threads or Instagram:
// 1 to 32 digits.
func IsID(s string) bool { return len(s) <= 32 && digits(s) }
