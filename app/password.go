package app

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

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
type hasher struct {
	cost PasswordCost
	sem  chan struct{}
	// runs counts argon2 computations (tests check what reaches one).
	runs atomic.Int64
}

func newHasher(cost PasswordCost) *hasher {
	if cost.MemoryKiB == 0 {
		cost = defaultPasswordCost
	}
	return &hasher{cost: cost, sem: make(chan struct{}, max(2, runtime.NumCPU()))}
}

// Hash returns a PHC-style argon2id string.
func (h *hasher) Hash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	h.sem <- struct{}{}
	h.runs.Add(1)
	key := argon2.IDKey([]byte(password), salt, h.cost.Time, h.cost.MemoryKiB, 1, 32)
	<-h.sem
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
	h.sem <- struct{}{}
	h.runs.Add(1)
	got := argon2.IDKey([]byte(password), salt, t, mem, p, uint32(len(want)))
	<-h.sem
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when no account matches a login, so that a
// missing account takes as long as a wrong password.
func (h *hasher) dummyHash() string {
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", h.cost.MemoryKiB, h.cost.Time)
}
