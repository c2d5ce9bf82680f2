package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mealbuddy/mealbuddy/app/neighborhood"
	"github.com/mealbuddy/mealbuddy/store"
)

// testEnv is a real server on a real SQLite file behind a real listener.
type testEnv struct {
	t     *testing.T
	srv   *Server
	store *store.Store
	http  *httptest.Server
	dir   string
	skew  *atomic.Int64 // nanoseconds the store's clock runs ahead; see advanceStoreClock
}

// advanceStoreClock moves the store's clock d ahead of the system clock
// (expiries of invites, reset links).
func (e *testEnv) advanceStoreClock(d time.Duration) { e.skew.Add(int64(d)) }

// testLogger routes the server's log to t.Logf.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// testUI stands in for the built web app.
var testUI = fstest.MapFS{
	"index.html":           {Data: []byte(`<!doctype html><title>MealBuddy</title><div id="root"></div>`)},
	"assets/app-abc123.js": {Data: []byte(`console.log("app")`)},
	"favicon.svg":          {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
}

// newTestEnv starts a server; mutate adjusts its config.
func newTestEnv(t *testing.T, mutate ...func(*Config)) *testEnv {
	t.Helper()
	dir := t.TempDir()
	skew := new(atomic.Int64)
	st, err := store.Open(filepath.Join(dir, store.FileName),
		store.WithClock(func() time.Time { return time.Now().UTC().Add(time.Duration(skew.Load())) }))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Weather is off unless a test points a provider at its own fake: tests
	// never reach outside this machine.
	cfg := Config{DataDir: dir, PasswordCost: PasswordCost{MemoryKiB: 64, Time: 1}, Weather: "off"}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := NewServer(cfg, st, neighborhood.Default(), testUI, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		srv.Close(context.Background())
		st.Close()
	})
	return &testEnv{t: t, srv: srv, store: st, http: hs, dir: dir, skew: skew}
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	raw    []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.raw, &m); err != nil {
		t.Fatalf("status %d: body %q is not a JSON object: %v", r.status, r.raw, err)
	}
	return m
}

// str decodes a bare JSON string body.
func (r response) str(t *testing.T) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(r.raw, &s); err != nil {
		t.Fatalf("status %d: body %q is not a JSON string: %v", r.status, r.raw, err)
	}
	return s
}

// fieldErrs returns the {"errors": {...}} map of a 400.
func (r response) fieldErrs(t *testing.T) map[string]any {
	t.Helper()
	m := r.json(t)
	errs, ok := m["errors"].(map[string]any)
	if !ok {
		t.Fatalf("no errors object in %s", r.raw)
	}
	return errs
}

// req describes one request.
type req struct {
	method  string
	path    string
	token   string
	body    any // map → JSON; url.Values-like string with form=true; []byte raw
	headers map[string]string
	cookies []*http.Cookie
}

func (e *testEnv) do(rq req) response {
	e.t.Helper()
	var body io.Reader
	ctype := ""
	switch b := rq.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
		ctype = "application/json"
	case string:
		body = strings.NewReader(b)
		ctype = "application/x-www-form-urlencoded"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(raw)
		ctype = "application/json"
	}
	hr, err := http.NewRequest(rq.method, e.http.URL+rq.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if rq.token != "" {
		hr.Header.Set("Authorization", "token "+rq.token)
	}
	for k, v := range rq.headers {
		hr.Header.Set(k, v)
	}
	for _, c := range rq.cookies {
		hr.AddCookie(c)
	}
	resp, err := e.http.Client().Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, raw: raw}
}

// testUser is a registered account with its API token.
type testUser struct {
	id       int64
	email    string
	username string
	password string
	token    string
}

const testPassword = "password123"

// register creates an account through the API.
func (e *testEnv) register(username, address string) testUser {
	e.t.Helper()
	email := strings.ToLower(username) + "@example.com"
	r := e.do(req{method: "POST", path: "/api/user/register/", body: map[string]any{
		"email": email, "username": username, "password": testPassword, "password2": testPassword, "address": address,
	}})
	if r.status != http.StatusCreated {
		e.t.Fatalf("register %s: %d %s", username, r.status, r.raw)
	}
	u := r.json(e.t)["user"].(map[string]any)
	return testUser{id: int64(u["id"].(float64)), email: email, username: username, password: testPassword, token: u["token"].(string)}
}

// writePost creates a post and returns its id and room id.
func (e *testEnv) writePost(u testUser, title string, target int) (postID, roomID int64) {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: map[string]any{
		"title": title, "category": "치킨", "target_number": target, "content": "같이 시켜요",
	}})
	if r.status != http.StatusCreated {
		e.t.Fatalf("write post: %d %s", r.status, r.raw)
	}
	m := r.json(e.t)
	return int64(m["id"].(float64)), int64(m["chat_id"].(float64))
}

const (
	addrSajik   = "서울특별시 종로구 사직동"
	addrYongdam = "제주특별자치도 제주시 용담2동"
)
