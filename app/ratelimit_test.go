package app

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t0 := time.Unix(0, 0)
	b := fullBucket(3, t0)
	take := func(at time.Time) bool { return b.take(at, 2, 3) }
	for i := range 3 {
		if !take(t0) {
			t.Fatalf("burst event %d refused", i)
		}
	}
	if take(t0) {
		t.Fatal("event beyond burst allowed")
	}
	if !take(t0.Add(500 * time.Millisecond)) { // 2/s refills one token in 0.5s
		t.Fatal("refilled token refused")
	}
	if take(t0.Add(500 * time.Millisecond)) {
		t.Fatal("second event allowed without refill")
	}
	n := 0 // a long pause refills only up to burst
	for take(t0.Add(time.Hour)) {
		n++
	}
	if n != 3 {
		t.Fatalf("after a long pause %d events allowed, want 3", n)
	}
}

// TestClientIP: behind trusted proxies the client is the right-most
// X-Forwarded-For address that is not a proxy, over every header line.
func TestClientIP(t *testing.T) {
	proxies, err := ParseProxies([]string{"10.0.0.0/8", "127.0.0.1", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{TrustedProxies: proxies}}
	tests := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"no proxy", "203.0.113.9:5000", nil, "203.0.113.9"},
		{"untrusted peer's header is ignored", "203.0.113.9:5000", []string{"1.2.3.4"}, "203.0.113.9"},
		{"one proxy", "127.0.0.1:5000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"spoofed first hop", "127.0.0.1:5000", []string{"1.2.3.4, 198.51.100.7"}, "198.51.100.7"},
		{"chain of proxies", "127.0.0.1:5000", []string{"1.2.3.4, 198.51.100.7, 10.1.2.3"}, "198.51.100.7"},
		// HAProxy's option forwardfor adds its own line after the client's.
		{"HAProxy two lines", "127.0.0.1:5000", []string{"1.2.3.4", "198.51.100.7"}, "198.51.100.7"},
		{"HAProxy two lines, spoofed list", "10.0.0.2:5000", []string{"1.2.3.4, 5.6.7.8", "198.51.100.7, 10.0.0.5"}, "198.51.100.7"},
		{"IPv6 client", "[::1]:5000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"only proxies", "127.0.0.1:5000", []string{"10.0.0.9", "10.0.0.8"}, "10.0.0.9"},
		{"empty entries", "127.0.0.1:5000", []string{"198.51.100.7, ,", ""}, "198.51.100.7"},
		{"no header", "127.0.0.1:5000", nil, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.clientIP(r); got != tt.want {
				t.Errorf("clientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAddressKey: IPv6 clients share a bucket per /64; IPv4 per address.
func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7":                "198.51.100.7",
		"2001:db8:1:2:aaaa::1":        "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff::bad": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":             "2001:db8:1:3::/64",
		"::ffff:198.51.100.7":         "::ffff:198.51.100.7",
		"not-an-ip":                   "not-an-ip",
	} {
		if got := addressKey(in); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLoginLimiterIPv6Block: fresh addresses from one /64 do not get
// fresh login attempts.
func TestLoginLimiterIPv6Block(t *testing.T) {
	e := newTestEnv(t)
	byIP := newLimiterPer(10, time.Minute, time.Now) // --login-ip-rate 10
	limited := 0
	for i := range 30 {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = fmt.Sprintf("[2001:db8:1:2::%x]:5000", i+1)
		if !byIP.allow(e.srv.clientKey(r)) {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("30 logins from 30 addresses of one /64 were all allowed (burst 10)")
	}
}

// TestLimiterEvictsGradually: a flood of new keys beyond maxKeys evicts
// the least recently used buckets one by one; the bucket of a client that
// is being limited right now stays empty (it used to be cleared with all
// the others, handing the client a fresh burst).
func TestLimiterEvictsGradually(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(1, 2, func() time.Time { return now })
	l.maxKeys = 10
	for l.allow("attacker") {
	}
	for i := range 25 {
		l.allow(fmt.Sprint("flood-", i))
		if i%3 == 0 && l.allow("attacker") { // the client keeps trying meanwhile
			t.Fatalf("after %d new keys the limited client was allowed", i+1)
		}
		if len(l.buckets) > l.maxKeys || l.lru.Len() != len(l.buckets) {
			t.Fatalf("after %d new keys: %d buckets, %d in the list (max %d)", i+1, len(l.buckets), l.lru.Len(), l.maxKeys)
		}
	}
	if l.allow("attacker") {
		t.Fatal("the limited client got a fresh burst from the flood")
	}
	if _, ok := l.buckets["flood-0"]; ok {
		t.Error("the oldest key was not the one evicted")
	}
	if _, ok := l.buckets["flood-24"]; !ok {
		t.Error("the newest key was evicted")
	}
}
