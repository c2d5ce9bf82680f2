package weather

import (
	"context"
	"sync"
	"time"
)

// Cache tuning. The KMA issues a forecast every three hours and a development key
// allows 10,000 calls a day, so minutes-old weather is fine.
const (
	// MinTTL is the shortest TTL Cached honours.
	MinTTL = 10 * time.Minute
	// failureTTL is how long a failure is remembered, so an outage costs one
	// upstream timeout per cell every so often rather than one per page view.
	failureTTL = 30 * time.Second
	// maxCells bounds the cache; a neighbourhood deployment touches a few cells.
	maxCells = 4096
)

type cacheKey struct{ nx, ny int }

type cacheEntry struct {
	report  Report
	err     error
	expires time.Time
	// last is the cell's latest good report, kept past expiry (and over a
	// failure) for when the upstream budget is spent; ok when there is one.
	last   Report
	lastOK bool
}

// flight is one upstream call in progress; waiters block on done.
type flight struct {
	done   chan struct{}
	report Report
	err    error
}

type cached struct {
	p     Provider
	ttl   time.Duration
	now   func() time.Time
	allow func() bool // nil: no upstream budget

	mu       sync.Mutex
	entries  map[cacheKey]cacheEntry
	inflight map[cacheKey]*flight
}

// Cached wraps p with a cache per KMA grid cell (5 km). Reports live for ttl
// (at least MinTTL); failures for 30 seconds. At most one upstream call per cell
// runs at a time: concurrent callers for the same cell share its result. A
// caller whose ctx ends stops waiting, but the shared call runs on, so its
// result still lands in the cache. now defaults to time.Now.
func Cached(p Provider, ttl time.Duration, now func() time.Time) Provider {
	return CachedWithBudget(p, ttl, now, nil)
}

// ErrBudgetSpent is returned by a budgeted cache for a cell it has never
// answered when the upstream budget is spent.
var ErrBudgetSpent = unavailable("upstream budget spent", nil)

// CachedWithBudget is Cached whose upstream calls each need allow() to say
// yes (a shared budget, see PerMinute). When it says no, the cell's last good
// report answers, however old, or else ErrBudgetSpent. allow may be nil.
func CachedWithBudget(p Provider, ttl time.Duration, now func() time.Time, allow func() bool) Provider {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	if now == nil {
		now = time.Now
	}
	return &cached{
		p: p, ttl: ttl, now: now, allow: allow,
		entries:  map[cacheKey]cacheEntry{},
		inflight: map[cacheKey]*flight{},
	}
}

func (c *cached) Current(ctx context.Context, lat, lon float64) (Report, error) {
	nx, ny := Grid(lat, lon)
	k := cacheKey{nx, ny}

	c.mu.Lock()
	e, cachedCell := c.entries[k]
	if cachedCell && c.now().Before(e.expires) {
		c.mu.Unlock()
		return e.report, e.err
	}
	f, ok := c.inflight[k]
	if !ok && c.allow != nil && !c.allow() {
		c.mu.Unlock()
		if cachedCell && e.lastOK {
			return e.last, nil
		}
		return Report{}, ErrBudgetSpent
	}
	if !ok {
		f = &flight{done: make(chan struct{})}
		c.inflight[k] = f
		// Detached from ctx: other callers share this call, and one of them
		// going away must not fail it for the rest. The provider's HTTP client
		// timeout bounds it.
		go c.fetch(context.WithoutCancel(ctx), k, f, lat, lon)
	}
	c.mu.Unlock()

	select {
	case <-f.done:
		return f.report, f.err
	case <-ctx.Done():
		return Report{}, unavailable("waiting for weather", ctx.Err())
	}
}

func (c *cached) fetch(ctx context.Context, k cacheKey, f *flight, lat, lon float64) {
	r, err := c.p.Current(ctx, lat, lon)
	ttl := c.ttl
	if err != nil {
		ttl = failureTTL
	}
	c.mu.Lock()
	e := cacheEntry{report: r, err: err, expires: c.now().Add(ttl)}
	if err == nil {
		e.last, e.lastOK = r, true
	} else if old, ok := c.entries[k]; ok {
		e.last, e.lastOK = old.last, old.lastOK
	}
	c.store(k, e)
	delete(c.inflight, k)
	f.report, f.err = r, err
	close(f.done)
	c.mu.Unlock()
}

// store adds e under k, making room first if the cache is full: expired entries
// go, then the one closest to expiry. Called with c.mu held.
func (c *cached) store(k cacheKey, e cacheEntry) {
	if _, ok := c.entries[k]; !ok && len(c.entries) >= maxCells {
		now := c.now()
		for key, old := range c.entries {
			if !now.Before(old.expires) {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= maxCells {
			var victim cacheKey
			var first time.Time
			for key, old := range c.entries {
				if first.IsZero() || old.expires.Before(first) {
					victim, first = key, old.expires
				}
			}
			delete(c.entries, victim)
		}
	}
	c.entries[k] = e
}

// PerMinute is a budget for CachedWithBudget: at most n calls in each
// minute (a fixed window), shared by every caller. now defaults to
// time.Now.
func PerMinute(n int, now func() time.Time) func() bool {
	if now == nil {
		now = time.Now
	}
	var mu sync.Mutex
	var window time.Time
	used := 0
	return func() bool {
		mu.Lock()
		defer mu.Unlock()
		t := now()
		if t.Sub(window) >= time.Minute || t.Before(window) {
			window, used = t, 0
		}
		if used >= n {
			return false
		}
		used++
		return true
	}
}
