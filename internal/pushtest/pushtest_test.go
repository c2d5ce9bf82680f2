package pushtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/internal/push"
	"github.com/mealbuddy/mealbuddy/internal/pushtest"
)

// TestFakeRoutes: what the browser end-to-end tests use — a subscription
// from POST /subscription, a real encrypted push to it, the decrypted
// payload from GET /received; a body that does not decrypt is refused.
func TestFakeRoutes(t *testing.T) {
	fake := pushtest.New()
	hs := httptest.NewServer(fake)
	defer hs.Close()

	resp, err := http.Post(hs.URL+"/subscription", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	var sub struct {
		Endpoint string `json:"endpoint"`
		Keys     struct{ P256dh, Auth string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&sub); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasPrefix(sub.Endpoint, hs.URL+"/push/") || sub.Keys.P256dh == "" || sub.Keys.Auth == "" {
		t.Fatalf("subscription %+v", sub)
	}

	g, err := push.NewGuard([]string{strings.TrimPrefix(hs.URL, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := push.LoadKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := push.NewSender(keys, "https://mealbuddy.example", g.Client(5*time.Second))
	target := push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}
	if err := s.Send(context.Background(), target, push.Message{Payload: []byte(`{"title":"t","body":"b"}`), TTL: 60}); err != nil {
		t.Fatal(err, fake.Failures())
	}

	// The same endpoint with someone else's keys: the fake cannot decrypt.
	other, _ := fake.Subscribe(hs.URL)
	wrong := push.Subscription{Endpoint: sub.Endpoint, P256dh: other.P256dh(), Auth: other.Auth()}
	if err := s.Send(context.Background(), wrong, push.Message{Payload: []byte(`{}`)}); err == nil {
		t.Error("a push encrypted for other keys was accepted")
	}
	if len(fake.Failures()) != 1 {
		t.Errorf("failures %v", fake.Failures())
	}

	resp, err = http.Get(hs.URL + "/received")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []struct {
		Name    string          `json:"name"`
		Payload json.RawMessage `json:"payload"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || string(got[0].Payload) != `{"title":"t","body":"b"}` {
		t.Errorf("received %+v", got)
	}
}
