package app

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// limiter is a set of token buckets keyed by string (a client address or an
// account). It holds at most maxKeys buckets; when full, buckets that have
// refilled completely are dropped, as they carry no information.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
	now     func() time.Time
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
	return &limiter{rate: float64(perMinute) / 60, burst: float64(burst), buckets: map[string]*bucket{}, now: now}
}

// allow takes one token for key, reporting false when none is left.
func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxLimiterKeys {
			l.prune(now)
		}
		nb := fullBucket(l.burst, now)
		b = &nb
		l.buckets[key] = b
	}
	return b.take(now, l.rate, l.burst)
}

func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxLimiterKeys {
		// Everyone is mid-burst: start over rather than grow without bound.
		clear(l.buckets)
	}
}

// clientIP is the address of the client: the peer, or, when the peer is a
// trusted proxy, the nearest untrusted address in X-Forwarded-For.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.trusted(host) {
		return host
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
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
