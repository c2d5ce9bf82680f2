package app

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// PasswordCost are the argon2id parameters.
type PasswordCost struct {
	MemoryKiB uint32
	Time      uint32
}

// defaultPasswordCost follows OWASP's argon2id minimum (19 MiB, 2 passes):
// memory-hard, yet a Raspberry Pi hashes one in well under a second.
var defaultPasswordCost = PasswordCost{MemoryKiB: 19 * 1024, Time: 2}

// hasher hashes and checks passwords, bounding how many run at once so that
// a burst of logins cannot take 19 MiB each without limit. Every argon2 run
// of the server goes through it — login, register, password change and
// account deletion share the one bound.
//
// Memory: each run allocates its working memory (19 MiB) afresh, and it is
// garbage once the run returns. Left to the collector's pacing (the next
// cycle when the heap has doubled), a burst of 25 sign-ups held 118 MB
// resident, falling back only a minute later (issue 11). So each run
// collects its own working memory before giving its slot up. Once the
// burst is over (no run for releaseAfter) what was freed goes back to the
// system.
//
// Giving memory back after every run (debug.FreeOSMemory) held the peak
// lower still, but cost more than the hash: 100 logins at 16 clients on 2
// CPUs went at 9 a second (peak 42 MB) against 31 a second with a
// collection per run (peak 61 MB, within issue 11's 64).
type hasher struct {
	cost PasswordCost
	sem  chan struct{}
	// runs counts argon2 computations (tests check what reaches one).
	runs atomic.Int64

	inflight atomic.Int64
	mu       sync.Mutex
	release  *time.Timer // returns memory once no run has happened for releaseAfter
}

// releaseAfter is how long the hasher waits after the last run before it
// gives freed memory back to the system.
const releaseAfter = time.Second

func newHasher(cost PasswordCost) *hasher {
	if cost.MemoryKiB == 0 {
		cost = defaultPasswordCost
	}
	h := &hasher{cost: cost, sem: make(chan struct{}, hashSlots(runtime.GOMAXPROCS(0)))}
	h.release = time.AfterFunc(time.Hour, h.releaseMemory)
	h.release.Stop()
	return h
}

// hashSlots is how many argon2 runs may go on at once with procs CPUs:
// half of them, at least one. A run is single-threaded (p=1) and holds its
// 19 MiB working memory throughout, so with a slot per CPU a burst of
// logins on 2 CPUs held two working memories (38 MiB) on top of the
// server and took both CPUs from chat and the board: 100 logins at 16
// clients peaked at 65.6 MB resident (issue 11: at most 64). With half,
// the peak holds one working memory fewer and the other CPU keeps
// serving; the cost is fewer logins a second during a burst.
func hashSlots(procs int) int {
	return max(1, procs/2)
}

// argon2 runs one argon2id computation within the bound on concurrent runs.
func (h *hasher) argon2(password, salt []byte, t, mem uint32, p uint8, keyLen uint32) []byte {
	h.sem <- struct{}{}
	h.inflight.Add(1)
	h.runs.Add(1)
	key := argon2.IDKey(password, salt, t, mem, p, keyLen)
	if mem >= minCollectKiB {
		runtime.GC() // this run's working memory, before the next run takes the slot
	}
	<-h.sem
	if h.inflight.Add(-1) == 0 {
		h.mu.Lock()
		h.release.Reset(releaseAfter)
		h.mu.Unlock()
	}
	return key
}

// minCollectKiB: working memories below it (tests' cheap hashes) are left
// to the collector.
const minCollectKiB = 4 * 1024

// releaseMemory returns freed memory to the system when no run is going on.
func (h *hasher) releaseMemory() {
	if h.inflight.Load() == 0 {
		debug.FreeOSMemory()
	}
}

// Hash returns a PHC-style argon2id string.
func (h *hasher) Hash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := h.argon2([]byte(password), salt, h.cost.Time, h.cost.MemoryKiB, 1, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=1$%s$%s",
		argon2.Version, h.cost.MemoryKiB, h.cost.Time, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Check compares in constant time; the parameters come from the stored hash.
func (h *hasher) Check(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := h.argon2([]byte(password), salt, t, mem, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when no account matches a login, so that a
// missing account takes as long as a wrong password.
func (h *hasher) dummyHash() string {
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", h.cost.MemoryKiB, h.cost.Time)
}
