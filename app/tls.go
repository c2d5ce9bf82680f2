package app

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// hstsHeader is sent on every answer over TLS. One year; no
// includeSubDomains: other services on subdomains are not ours to force.
const hstsHeader = "max-age=31536000"

// certsFolder caches Let's Encrypt account keys and certificates inside the
// data folder (0700: it holds private keys).
const certsFolder = "certs"

// tlsSetup is how serve terminates TLS: the listener's config and the
// handler of the plain HTTP listener beside it.
type tlsSetup struct {
	config *tls.Config
	// httpHandler answers on Ops.HTTPAddr: ACME HTTP-01 challenges (with
	// autocert) and a redirect to https for everything else.
	httpHandler http.Handler
}

// newTLS builds the TLS setup for --tls-domain (autocert) or --tls-cert
// (the operator's files, read now and again on SIGHUP); nil when TLS is off.
func (s *Server) newTLS(httpsAddr net.Addr) (*tlsSetup, error) {
	_, httpsPort, _ := net.SplitHostPort(httpsAddr.String())
	ops := s.cfg.Ops
	switch {
	case len(ops.TLSDomains) > 0:
		cache := filepath.Join(s.cfg.DataDir, certsFolder)
		if err := os.MkdirAll(cache, 0o700); err != nil {
			return nil, fmt.Errorf("create %s: %w", cache, err)
		}
		if err := os.Chmod(cache, 0o700); err != nil {
			return nil, fmt.Errorf("chmod %s: %w", cache, err)
		}
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			Cache:      autocert.DirCache(cache),
			HostPolicy: autocert.HostWhitelist(ops.TLSDomains...),
			Email:      ops.TLSEmail,
		}
		if ops.ACMEDirectory != "" {
			m.Client = &acme.Client{DirectoryURL: ops.ACMEDirectory, HTTPClient: s.acmeHTTPClient}
		}
		cfg := m.TLSConfig()
		cfg.MinVersion = tls.VersionTLS12
		return &tlsSetup{config: cfg, httpHandler: withoutHostPort(m.HTTPHandler(s.redirectToHTTPS(httpsPort)))}, nil
	case ops.TLSCert != "":
		if err := s.certs.load(); err != nil {
			return nil, err
		}
		cfg := &tls.Config{
			MinVersion:     tls.VersionTLS12,
			NextProtos:     []string{"h2", "http/1.1"},
			GetCertificate: s.certs.get,
		}
		return &tlsSetup{config: cfg, httpHandler: s.redirectToHTTPS(httpsPort)}, nil
	}
	return nil, nil
}

// certReloader serves the operator's certificate files. A reload swaps the
// parsed pair atomically: handshakes after it get the new certificate,
// connections already open (chat WebSockets) are not touched.
type certReloader struct {
	certFile, keyFile string
	cert              atomic.Pointer[tls.Certificate]
}

// load reads the files; on an error the previous certificate stays.
func (c *certReloader) load() error {
	pair, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("load --tls-cert/--tls-key: %w", err)
	}
	c.cert.Store(&pair)
	return nil
}

func (c *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return c.cert.Load(), nil
}

// ReloadCertificates reads --tls-cert and --tls-key again (serve does on
// SIGHUP). It is a no-op without them.
func (s *Server) ReloadCertificates() error {
	if s.certs == nil {
		return nil
	}
	if err := s.certs.load(); err != nil {
		return err
	}
	s.log.Info("TLS certificate reloaded", "cert", s.cfg.Ops.TLSCert)
	return nil
}

// redirectToHTTPS sends plain HTTP requests to the same path over https on
// the HTTPS listener's port. The host is one of --tls-domain (else the
// first one), so a forged Host header cannot redirect elsewhere.
func (s *Server) redirectToHTTPS(port string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if domains := s.cfg.Ops.TLSDomains; len(domains) > 0 && !slices.Contains(domains, strings.ToLower(host)) {
			host = domains[0]
		}
		if port != "" && port != "443" {
			host = net.JoinHostPort(host, port)
		}
		code := http.StatusMovedPermanently
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			code = http.StatusPermanentRedirect
		}
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), code)
	})
}

// withoutHostPort drops a port from the Host header: autocert checks the
// challenge's host against --tls-domain as given, and a client of an
// --http-addr other than :80 sends "domain:port".
func withoutHostPort(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			r = r.Clone(r.Context())
			r.Host = h
		}
		next.ServeHTTP(w, r)
	})
}
