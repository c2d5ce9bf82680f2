package hub

import "testing"

func TestWatchedAndPresent(t *testing.T) {
	h := New(Config{})
	if h.Watched(1) {
		t.Fatal("an empty hub watches room 1")
	}
	a := h.Subscribe(Member{Room: 1, User: 10})
	b := h.Subscribe(Member{Room: 1, User: 11})
	if !h.Watched(1) || h.Watched(2) {
		t.Fatalf("Watched(1)=%v Watched(2)=%v, want true false", h.Watched(1), h.Watched(2))
	}
	if p := h.Present(1); !p[10] || !p[11] || len(p) != 2 {
		t.Fatalf("Present(1) = %v", p)
	}
	h.Unsubscribe(a)
	h.Unsubscribe(b)
	if h.Watched(1) {
		t.Fatal("room 1 is watched after both left")
	}
}
