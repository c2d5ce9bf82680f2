package hub

import "time"

// bucket is a token bucket: it holds up to burst tokens, refills rate tokens
// per second and each accepted frame takes one. It belongs to one socket's
// reader goroutine, so it needs no lock (golang.org/x/time/rate is not a
// dependency of this module, and this is all we need of it).
type bucket struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// allow reports whether a frame arriving at now may pass, taking a token if so.
func (b *bucket) allow(now time.Time) bool {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.burst, b.tokens+d.Seconds()*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
