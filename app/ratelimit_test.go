package app

import (
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
