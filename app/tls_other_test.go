//go:build !unix

package app

import "testing"

// reload reads the certificate files again (no SIGHUP here).
func reload(t *testing.T, s *Server) {
	t.Helper()
	if err := s.ReloadCertificates(); err != nil {
		t.Fatal(err)
	}
}
