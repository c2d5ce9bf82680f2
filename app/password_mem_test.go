package app

import (
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

func forcedGCs() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// A hash collects its working memory before giving its slot up, and once
// no hash has run for a while the freed memory goes back to the system
// (both are forced collection cycles).
func TestHasherReleasesMemory(t *testing.T) {
	h := newHasher(PasswordCost{MemoryKiB: minCollectKiB, Time: 1})
	before := forcedGCs()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := h.Hash("correct horse"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	afterBurst := forcedGCs()
	if afterBurst == before { // concurrent runtime.GC calls may share a cycle
		t.Fatalf("forced collections %d → %d, want the hashes to collect", before, afterBurst)
	}
	deadline := time.Now().Add(10 * time.Second)
	for forcedGCs() == afterBurst {
		if time.Now().After(deadline) {
			t.Fatal("no memory released after the burst")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if h.inflight.Load() != 0 {
		t.Fatalf("inflight %d after the burst", h.inflight.Load())
	}
	if got := cap(h.sem); got < 1 {
		t.Fatalf("semaphore of %d", got)
	}
}

// Hash and Check still agree through the bounded runner.
func TestHasherChecksItsOwnHash(t *testing.T) {
	h := newHasher(PasswordCost{MemoryKiB: 64, Time: 1})
	enc, err := h.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if !h.Check(enc, "pw") || h.Check(enc, "other") {
		t.Fatal("check does not match its own hash")
	}
	if h.runs.Load() != 3 {
		t.Fatalf("runs %d, want 3", h.runs.Load())
	}
}

// Half the CPUs hash at once, at least one.
func TestHashSlots(t *testing.T) {
	for procs, want := range map[int]int{1: 1, 2: 1, 3: 1, 4: 2, 8: 4} {
		if got := hashSlots(procs); got != want {
			t.Errorf("hashSlots(%d) = %d, want %d", procs, got, want)
		}
	}
}
