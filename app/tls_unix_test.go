//go:build unix

package app

import (
	"syscall"
	"testing"
	"time"
)

// reload sends this process SIGHUP, as an operator's `systemctl reload`
// does, and waits until Run has read the files again.
func reload(t *testing.T, s *Server) {
	t.Helper()
	before := s.certs.cert.Load()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(wait)
	for s.certs.cert.Load() == before {
		if time.Now().After(deadline) {
			t.Fatal("SIGHUP did not reload the certificate")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
