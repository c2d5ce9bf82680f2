package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/letsencrypt/challtestsrv"
	pebbleca "github.com/letsencrypt/pebble/v2/ca"
	pebbledb "github.com/letsencrypt/pebble/v2/db"
	pebbleva "github.com/letsencrypt/pebble/v2/va"
	pebblewfe "github.com/letsencrypt/pebble/v2/wfe"
)

// runTLS runs e.srv's Run (TLS listeners and all) until the test ends and
// returns the HTTPS address.
func runTLS(t *testing.T, e *testEnv) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- e.srv.Run(ctx, func(a net.Addr) { addrc <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	select {
	case a := <-addrc:
		return a.String()
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(wait):
		t.Fatal("server did not start")
	}
	return ""
}

// selfSigned writes a self-signed certificate for localhost and 127.0.0.1
// with the given serial to certFile and keyFile.
func selfSigned(t *testing.T, serial int64, certFile, keyFile string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: fmt.Sprintf("mealbuddy test %d", serial)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// Written to temp names and renamed, as an operator's tooling should.
	for path, block := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "EC PRIVATE KEY", Bytes: kb}} {
		if err := os.WriteFile(path+".tmp", pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// servedSerial is the serial of the certificate a new handshake gets.
func servedSerial(t *testing.T, addr string, roots *x509.CertPool) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("TLS handshake: %v", err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// TestTLSCertReload: the operator's certificate files are served, a reload
// swaps the certificate for new handshakes, and a chat WebSocket opened
// before it keeps working. HSTS goes out over TLS.
func TestTLSCertReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	a := selfSigned(t, 1, certFile, keyFile)
	e := newChatEnv(t, func(c *Config) {
		c.Addr = "127.0.0.1:0"
		c.Ops.TLSCert, c.Ops.TLSKey = certFile, keyFile
	})
	if e.srv.origin != "" || !e.srv.secureCookies || e.srv.cookieName != "__Host-mealbuddy_session" {
		t.Fatalf("TLS on: secure %v, cookie %q", e.srv.secureCookies, e.srv.cookieName)
	}
	addr := runTLS(t, e)
	roots := x509.NewCertPool()
	roots.AddCert(a)
	if got := servedSerial(t, addr, roots); got != 1 {
		t.Fatalf("served serial %d, want 1", got)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "localhost"}}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + addr + "/livez")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") != hstsHeader {
		t.Errorf("HSTS %q", resp.Header.Get("Strict-Transport-Security"))
	}

	writer, _, room := chatPair(e)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, fmt.Sprintf("wss://%s/ws/chat/%d/?token=%s", addr, room, writer.token), &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	sock := &wsClient{t: t, c: ws}
	sock.send("전")
	if ev := sock.expect("chat.message"); ev.Message.Message != "전" {
		t.Fatalf("event %s", ev.raw)
	}

	b := selfSigned(t, 2, certFile, keyFile)
	roots.AddCert(b)
	reload(t, e.srv)
	if got := servedSerial(t, addr, roots); got != 2 {
		t.Fatalf("after reload: served serial %d, want 2", got)
	}
	sock.send("후")
	if ev := sock.expect("chat.message"); ev.Message.Message != "후" {
		t.Fatalf("socket after reload: %s", ev.raw)
	}

	// A broken file keeps the previous certificate.
	os.WriteFile(keyFile, []byte("garbage"), 0o600)
	if err := e.srv.ReloadCertificates(); err == nil {
		t.Error("reload of a broken key succeeded")
	}
	if got := servedSerial(t, addr, roots); got != 2 {
		t.Errorf("after a failed reload: serial %d", got)
	}
	sock.c.Close(websocket.StatusNormalClosure, "")
}

// TestSecureSessionCookie: with https the session cookie is Secure and
// __Host- prefixed; the unprefixed name is not believed.
func TestSecureSessionCookie(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.PublicURL = "https://mealbuddy.example" })
	u := e.register("alice", addrSajik)
	r := e.do(req{method: "POST", path: "/api/user/login/", headers: map[string]string{webClientHeader: "web"},
		body: map[string]any{"email": u.email, "password": u.password}})
	var ck *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "__Host-mealbuddy_session" {
			ck = c
		}
	}
	if r.status != 200 || ck == nil || !ck.Secure || ck.Path != "/" || ck.Domain != "" {
		t.Fatalf("login: %d, cookie %+v (%v)", r.status, ck, r.header["Set-Cookie"])
	}
	web := map[string]string{webClientHeader: "web", "Origin": "https://mealbuddy.example"}
	if r := e.do(req{method: "GET", path: "/api/user/current/", headers: web, cookies: []*http.Cookie{ck}}); r.status != 200 {
		t.Fatalf("with the __Host- cookie: %d %s", r.status, r.raw)
	}
	old := &http.Cookie{Name: sessionCookie, Value: ck.Value}
	if r := e.do(req{method: "GET", path: "/api/user/current/", headers: web, cookies: []*http.Cookie{old}}); r.status != 401 {
		t.Fatalf("with the unprefixed cookie: %d", r.status)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestAutocertWithPebble runs Let's Encrypt's test CA, pebble, in process:
// its validation authority fetches the HTTP-01 challenge from our plain
// HTTP listener on loopback, the certificate lands in <data>/certs (0700)
// and the HTTPS listener serves it. TLS-ALPN-01 is pointed at a closed port
// so that autocert falls back to HTTP-01, the path :80 exists for.
func TestAutocertWithPebble(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an ACME CA")
	}
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	pebbleLog := &lockedBuffer{}
	logger := log.New(io.MultiWriter(pebbleLog, testWriter{t}), "pebble ", 0)
	httpPort, closedPort, dnsPort := freePort(t), freePort(t), freePort(t)
	// autocert wants a name with a dot, which the system resolver will not
	// know: pebble asks challtestsrv's DNS server, which answers
	// 127.0.0.1 for every name (and no AAAA, so it never tries ::1).
	dnsAddr := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	dns, err := challtestsrv.New(challtestsrv.Config{DNSAddrs: []string{dnsAddr}, Log: logger})
	if err != nil {
		t.Fatal(err)
	}
	dns.SetDefaultDNSIPv6("")
	dns.Run()
	defer dns.Shutdown()
	db := pebbledb.NewMemoryStore()
	ca := pebbleca.New(logger, db, "", "ecdsa", 0, 1, map[string]pebbleca.Profile{"default": {Description: "default"}})
	va := pebbleva.New(logger, httpPort, closedPort, false, dnsAddr, db)
	wfe := pebblewfe.New(logger, db, va, ca, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	acmeSrv := httptest.NewTLSServer(wfe.Handler())
	defer acmeSrv.Close()
	mgmt := httptest.NewTLSServer(wfe.ManagementHandler())
	defer mgmt.Close()

	e := newTestEnv(t, func(c *Config) {
		c.Addr = "127.0.0.1:0"
		c.Ops.TLSDomains = []string{"mealbuddy.test"}
		c.Ops.TLSEmail = "ops@mealbuddy.example"
		c.Ops.ACMEDirectory = acmeSrv.URL + "/dir"
		c.Ops.HTTPAddr = fmt.Sprintf("127.0.0.1:%d", httpPort)
	})
	if e.srv.origin != "https://mealbuddy.test" {
		t.Errorf("public URL default %q", e.srv.origin)
	}
	e.srv.acmeHTTPClient = acmeSrv.Client()
	addr := runTLS(t, e)

	// The pebble root that signs what it issues.
	resp, err := mgmt.Client().Get(mgmt.URL + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	rootPEM, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(rootPEM) {
		t.Fatalf("pebble root: %s", rootPEM)
	}

	// The first handshake for the domain obtains the certificate.
	d := &tls.Dialer{Config: &tls.Config{RootCAs: roots, ServerName: "mealbuddy.test"}}
	ctx, cancel := context.WithTimeout(context.Background(), 6*wait)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatalf("handshake with a certificate from pebble: %v", err)
	}
	leaf := conn.(*tls.Conn).ConnectionState().PeerCertificates[0]
	conn.Close()
	if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != "mealbuddy.test" {
		t.Errorf("certificate for %v %q", leaf.DNSNames, leaf.Subject.CommonName)
	}
	if !strings.Contains(pebbleLog.String(), "Attempting to validate w/ HTTP") {
		t.Error("pebble never validated over HTTP-01")
	}
	fi, err := os.Stat(filepath.Join(e.dir, certsFolder))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("certs folder: %v %v", fi, err)
	}
	if cached, _ := os.ReadDir(filepath.Join(e.dir, certsFolder)); len(cached) < 2 { // account key and certificate
		t.Errorf("certs folder holds %d files", len(cached))
	}

	// The HTTP listener redirects everything else to https, to our domain.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := noFollow.Get(fmt.Sprintf("http://127.0.0.1:%d/api/post/?page=2", httpPort))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	_, port, _ := net.SplitHostPort(addr)
	if want := "https://mealbuddy.test:" + port + "/api/post/?page=2"; r.StatusCode != 301 || r.Header.Get("Location") != want {
		t.Errorf("redirect %d %q, want 301 %q", r.StatusCode, r.Header.Get("Location"), want)
	}
}
