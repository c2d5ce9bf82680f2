package push

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/internal/pushtest"
)

func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(dir, KeyFile))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("key file mode %#o, want 0600", fi.Mode().Perm())
		}
	}
	k2, err := LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k1 != k2 {
		t.Error("a second start generated another key pair")
	}
	if len(k1.Public) != 87 { // 65 bytes, base64url unpadded
		t.Errorf("public key %q is not an uncompressed P-256 point", k1.Public)
	}
	os.WriteFile(filepath.Join(dir, KeyFile), []byte("not a key"), 0o600)
	if _, err := LoadKeys(dir); err == nil {
		t.Error("a damaged key file was accepted")
	}
}

func localFake(t *testing.T) (*pushtest.Service, *httptest.Server, *Guard) {
	fake := pushtest.New()
	hs := httptest.NewServer(fake)
	t.Cleanup(hs.Close)
	g, err := NewGuard([]string{strings.TrimPrefix(hs.URL, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	return fake, hs, g
}

func TestSendRoundTrip(t *testing.T) {
	fake, hs, g := localFake(t)
	keys, err := LoadKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sub, err := fake.Subscribe(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.CheckEndpoint(sub.Endpoint); err != nil {
		t.Fatalf("allowed fake refused: %v", err)
	}
	s := NewSender(keys, "https://mealbuddy.example", g.Client(5*time.Second))
	payload := []byte(`{"title":"떡볶이","body":"안녕하세요"}`)
	if err := s.Send(context.Background(), Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh(), Auth: sub.Auth()},
		Message{Payload: payload, Topic: "room-7", TTL: 60}); err != nil {
		t.Fatal(err, fake.Failures())
	}
	got := fake.Received()
	if len(got) != 1 {
		t.Fatalf("received %d pushes, failures %v", len(got), fake.Failures())
	}
	var p map[string]string
	if err := json.Unmarshal(got[0].Payload, &p); err != nil || p["body"] != "안녕하세요" {
		t.Errorf("decrypted %s, %v", got[0].Payload, err)
	}
	if got[0].Topic != "room-7" || got[0].TTL != "60" {
		t.Errorf("topic %q ttl %q", got[0].Topic, got[0].TTL)
	}
	if !strings.Contains(got[0].Header.Get("Authorization"), "k="+keys.Public) {
		t.Error("Authorization does not carry our public key")
	}

	fake.SetStatus(sub.Name, http.StatusGone)
	err = s.Send(context.Background(), Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh(), Auth: sub.Auth()}, Message{Payload: payload})
	if !errors.Is(err, ErrGone) {
		t.Errorf("410 gave %v, want ErrGone", err)
	}
	fake.SetStatus(sub.Name, http.StatusInternalServerError)
	err = s.Send(context.Background(), Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh(), Auth: sub.Auth()}, Message{Payload: payload})
	if err == nil || errors.Is(err, ErrGone) {
		t.Errorf("500 gave %v", err)
	}
}

func TestCheckEndpoint(t *testing.T) {
	g, err := NewGuard([]string{"push.local:8443, 127.0.0.1:9999"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{
		"https://fcm.googleapis.com/fcm/send/abc",
		"https://updates.push.services.mozilla.com/wpush/v2/x",
		"http://push.local:8443/p/1",   // allowed host: http too
		"http://127.0.0.1:9999/push/1", // allowed literal
	} {
		if err := g.CheckEndpoint(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{
		"http://fcm.googleapis.com/fcm/send/abc", // not https
		"https://127.0.0.1/push",
		"https://127.0.0.1:9999/push/1", // same host, other… no: same port; https to an allowed host is fine
		"https://10.0.0.5/push",
		"https://192.168.1.1/push",
		"https://172.16.0.1/push",
		"https://169.254.169.254/latest/meta-data",
		"https://100.64.1.1/push",
		"https://[::1]/push",
		"https://[fd00::1]/push",
		"https://[fe80::1]/push",
		"https://0.0.0.0/push",
		"https://224.0.0.1/push",
		"https://localhost/push",
		"https://user:pw@fcm.googleapis.com/x",
		"ftp://fcm.googleapis.com/x",
		"/push/relative",
		"https://fcm.googleapis.com/" + strings.Repeat("a", MaxEndpointLen),
	} {
		if bad == "https://127.0.0.1:9999/push/1" {
			continue // an allowed host:port may use https as well
		}
		if err := g.CheckEndpoint(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := NewGuard([]string{"no-port"}); err == nil {
		t.Error("--push-allow without a port accepted")
	}
}

func TestForbidden(t *testing.T) {
	for _, s := range []string{"127.0.0.1", "10.1.2.3", "172.31.255.255", "192.168.0.1", "169.254.1.1",
		"100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3", "224.0.0.251", "::1", "::", "fe80::1", "fc00::1",
		"ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "64:ff9b:1::1", "2002:a00:1::1"} {
		if !Forbidden(netip.MustParseAddr(s)) {
			t.Errorf("%s not forbidden", s)
		}
	}
	for _, s := range []string{"8.8.8.8", "142.250.196.138", "100.128.0.1", "2607:f8b0::1"} {
		if Forbidden(netip.MustParseAddr(s)) {
			t.Errorf("%s forbidden", s)
		}
	}
}

// TestDialGuard: the dial-time check alone (Send does not call
// CheckEndpoint) refuses a literal loopback address and a name that
// resolves to one, as a rebinding name would after registration, before
// any byte reaches the local server.
func TestDialGuard(t *testing.T) {
	fake, hs, _ := localFake(t)
	g, err := NewGuard(nil) // nothing allowed
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := LoadKeys(t.TempDir())
	sub, _ := fake.Subscribe(hs.URL)
	port := hs.URL[strings.LastIndex(hs.URL, ":")+1:]
	s := NewSender(keys, "https://mealbuddy.example", g.Client(5*time.Second))
	for _, endpoint := range []string{
		"http://127.0.0.1:" + port + "/push/" + sub.Name,  // also not https
		"https://127.0.0.1:" + port + "/push/" + sub.Name, // literal
		"https://localhost:" + port + "/push/" + sub.Name, // a name resolving to loopback
	} {
		err := s.Send(context.Background(), Subscription{Endpoint: endpoint, P256dh: sub.P256dh(), Auth: sub.Auth()}, Message{Payload: []byte(`{}`)})
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: %v, want ErrForbiddenAddress", endpoint, err)
		}
		if strings.Contains(err.Error(), sub.Name) {
			t.Errorf("the error quotes the endpoint: %v", err)
		}
	}
	if n := len(fake.Received()) + len(fake.Failures()); n != 0 {
		t.Errorf("%d requests reached the local server", n)
	}
}

func TestNoRedirects(t *testing.T) {
	target := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			target++
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer hs.Close()
	g, _ := NewGuard([]string{strings.TrimPrefix(hs.URL, "http://")})
	keys, _ := LoadKeys(t.TempDir())
	fake := pushtest.New()
	sub, _ := fake.Subscribe(hs.URL)
	s := NewSender(keys, "https://mealbuddy.example", g.Client(5*time.Second))
	err := s.Send(context.Background(), Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh(), Auth: sub.Auth()}, Message{Payload: []byte(`{}`)})
	if err == nil || target != 0 {
		t.Errorf("redirect followed (err %v, target hit %d)", err, target)
	}
}
