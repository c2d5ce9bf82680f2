package app

import (
	"container/list"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// limiter is a set of token buckets keyed by string (a client address or an
// account). It holds at most maxKeys buckets; a new key beyond that evicts
// the least recently used bucket, one at a time, so a flood of new keys
// never resets the buckets of the clients being limited right now (it used
// to clear them all at once).
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	maxKeys int
	buckets map[string]*list.Element // of *keyedBucket, in lru
	lru     list.List                // front: most recently used
	now     func() time.Time
}

// keyedBucket is a bucket in the limiter's recency list.
type keyedBucket struct {
	key string
	bucket
}

// bucket is a token bucket: it holds up to burst tokens, refills rate
// tokens per second, and each allowed event takes one. It has no lock: the
// limiter guards its buckets with its mutex, and a chat socket's bucket
// belongs to that socket's reader goroutine.
type bucket struct {
	tokens float64
	last   time.Time
}

// fullBucket is a bucket that starts with burst tokens at now.
func fullBucket(burst float64, now time.Time) bucket { return bucket{tokens: burst, last: now} }

// take refills b up to now and takes one token, reporting false when none
// is left.
func (b *bucket) take(now time.Time, rate, burst float64) bool {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(burst, b.tokens+d.Seconds()*rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

const maxLimiterKeys = 100_000

func newLimiter(perMinute, burst int, now func() time.Time) *limiter {
	return &limiter{rate: float64(perMinute) / 60, burst: float64(burst), maxKeys: maxLimiterKeys,
		buckets: map[string]*list.Element{}, now: now}
}

// newHourlyLimiter is newLimiter for limits counted per hour.
func newHourlyLimiter(perHour, burst int, now func() time.Time) *limiter {
	l := newLimiter(0, burst, now)
	l.rate = float64(perHour) / 3600
	return l
}

// allow takes one token for key, reporting false when none is left.
func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	return l.bucketLocked(key, now).take(now, l.rate, l.burst)
}

// bucketLocked is key's bucket, marked most recently used, or a new full
// one (evicting the least recently used beyond maxKeys). l.mu is held.
func (l *limiter) bucketLocked(key string, now time.Time) *bucket {
	e, ok := l.buckets[key]
	if ok {
		l.lru.MoveToFront(e)
	} else {
		if len(l.buckets) >= l.maxKeys {
			oldest := l.lru.Back()
			l.lru.Remove(oldest)
			delete(l.buckets, oldest.Value.(*keyedBucket).key)
		}
		e = l.lru.PushFront(&keyedBucket{key: key, bucket: fullBucket(l.burst, now)})
		l.buckets[key] = e
	}
	return &e.Value.(*keyedBucket).bucket
}

// clientKey is the client address as a rate limit key: an IPv6 client is
// keyed by its /64, the block one household or phone is given, so that a
// client cannot take a fresh address from its own block for each attempt.
func (s *Server) clientKey(r *http.Request) string { return addressKey(s.clientIP(r)) }

// addressKey is an IPv4 address as is, an IPv6 address as its /64.
func addressKey(host string) string {
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() != nil {
		return host
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// clientIP is the address of the client: the peer, or, when the peer is a
// trusted proxy, the right-most address in X-Forwarded-For (over all its
// lines) that is not a trusted proxy: everything left of it was written by
// the client and may be made up.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.trusted(host) {
		return host
	}
	// Every X-Forwarded-For line, in order: HAProxy's "option forwardfor"
	// adds a line of its own instead of appending to the client's, and the
	// client can send any first line it likes.
	var hops []string
	for _, line := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(line, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		if !s.trusted(h) {
			return h
		}
		host = h
	}
	return host
}

func (s *Server) trusted(host string) bool {
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	for _, n := range s.cfg.TrustedProxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// requestIsHTTPS tells whether the client used https, believing
// X-Forwarded-Proto only from a trusted proxy.
func (s *Server) requestIsHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return s.trusted(host) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// reserve takes one token for key like allow, and also tells whether the
// bucket was full before (the key has used none in the window). Kept
// beside allow rather than replacing it: the login limits need both
// answers under one lock.
func (l *limiter) reserve(key string) (ok, wasFull bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.bucketLocked(key, now)
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(l.burst, b.tokens+d.Seconds()*l.rate)
		b.last = now
	}
	wasFull = b.tokens >= l.burst
	return b.take(now, l.rate, l.burst), wasFull
}

// give puts back a token that reserve took (the attempt succeeded).
func (l *limiter) give(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.buckets[key]; ok {
		b := e.Value.(*keyedBucket)
		b.tokens = min(l.burst, b.tokens+1)
	}
}

// newLimiterPer is a limiter of n events per period, with a burst of n;
// nil (no limit) when n is 0.
func newLimiterPer(n int, period time.Duration, now func() time.Time) *limiter {
	if n <= 0 {
		return nil
	}
	l := newLimiter(0, n, now)
	l.rate = float64(n) / period.Seconds()
	return l
}

// allows is l.allow(key) for a limiter that may be nil (off).
func allows(l *limiter, key string) bool { return l == nil || l.allow(key) }

// accountGuard holds the limits on sign-ups and password attempts
// (AccountLimits); a nil limiter is a limit turned off.
type accountGuard struct {
	registerByIP *limiter // sign-ups per client address
	registerAll  *limiter // sign-ups from everyone, one key
	loginByIP    *limiter // login attempts per client address
	// failures counts failed password attempts per (account, client
	// address); accountFailures per account, the ceiling over addresses.
	// Only failures are charged, so signing in does not use them up.
	failures        *limiter
	accountFailures *limiter
}

func newAccountGuard(c AccountLimits, now func() time.Time) *accountGuard {
	return &accountGuard{
		registerByIP:    newLimiterPer(c.RegisterRate, time.Hour, now),
		registerAll:     newLimiterPer(c.RegisterRateGlobal, time.Hour, now),
		loginByIP:       newLimiterPer(c.LoginIPRate, time.Minute, now),
		failures:        newLimiterPer(c.LoginRate, time.Minute, now),
		accountFailures: newLimiterPer(c.LoginAccountRate, time.Minute, now),
	}
}

// allowRegister takes one sign-up for the client, and one of everyone's.
func (g *accountGuard) allowRegister(client string) bool {
	return allows(g.registerByIP, client) && allows(g.registerAll, "")
}

// passwordAttempt is one check of an account's password from a client
// address, keyed by the account's lower-cased email.
type passwordAttempt struct {
	g       *accountGuard
	account string
	pair    string
	// tookPair and tookAccount say which tokens begin reserved, so that a
	// success can give them back.
	tookPair, tookAccount bool
}

func (g *accountGuard) attempt(account, client string) *passwordAttempt {
	// NUL cannot occur in an email or an address key.
	return &passwordAttempt{g: g, account: account, pair: account + "\x00" + client}
}

// begin reserves the attempt before the password is checked, so that
// concurrent guesses cannot all pass before the first failure is counted:
// a token of the (account, address) pair, and one of the account's
// ceiling unless this address has not failed on the account in the window
// (its bucket was full). A correct password from home is thus never
// refused for failures made elsewhere; beyond the ceiling each other
// address gets one try per window. false: refused, nothing is held.
func (a *passwordAttempt) begin() bool {
	clean := true
	if f := a.g.failures; f != nil {
		ok, full := f.reserve(a.pair)
		if !ok {
			return false
		}
		a.tookPair, clean = true, full
	}
	if c := a.g.accountFailures; c != nil {
		if c.allow(a.account) {
			a.tookAccount = true
		} else if !clean {
			a.succeeded() // gives the pair's token back
			return false
		}
	}
	return true
}

// succeeded gives back what begin reserved: only failures count.
func (a *passwordAttempt) succeeded() {
	if a.tookPair {
		a.g.failures.give(a.pair)
		a.tookPair = false
	}
	if a.tookAccount {
		a.g.accountFailures.give(a.account)
		a.tookAccount = false
	}
}
