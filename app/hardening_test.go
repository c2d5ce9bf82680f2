package app

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/store"
)

// routeURL fills a route's :id with a real id.
func routeURL(path string, id int64) string {
	return strings.ReplaceAll(path, ":id", fmt.Sprint(id))
}

// TestAPINoRedirects: the router never answers an /api/ path with a redirect
// to a "fixed" one (issue 10, vulnerability 1: a cleaned traversal landed on
// another resource); a near miss is 404 and a wrong method 405, never 307.
func TestAPINoRedirects(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("walker", addrSajik)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/api/post", http.StatusNotFound},                        // trailing slash missing
		{"POST", "/api/user/login", http.StatusNotFound},                 // was a 307 to /login/
		{"GET", "/API/POST/", http.StatusOK},                             // case-folded: the web app, not a 301 to the API
		{"GET", "/api//post/", http.StatusNotFound},                      // doubled slash
		{"GET", "/api/chat/1/../../post/detail/1/", http.StatusNotFound}, // cleaned path
		{"DELETE", "/api/chat/..%2F..%2Fpost%2Fdetail%2F1%2Fdelete/", http.StatusNotFound},
		{"GET", "/api/post/detail/1/delete", http.StatusNotFound},
		{"PUT", "/api/post/", http.StatusMethodNotAllowed},
		{"DELETE", "/api/user/login/", http.StatusMethodNotAllowed},
		{"PATCH", "/api/chat/1/user/", http.StatusMethodNotAllowed},
		{"GET", "/ws/chat/1", http.StatusNotFound},
	}
	for _, tt := range tests {
		hr, err := http.NewRequest(tt.method, e.http.URL+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		hr.Header.Set("Authorization", "token "+u.token)
		resp, err := noFollow.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s: %d (Location %q), want %d", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.want)
		}
	}
}

// TestCacheControlNoStore: every API answer, success or error, tells
// caches not to keep it; the web app keeps its own cache classes.
func TestCacheControlNoStore(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("cache", addrSajik)
	for _, rq := range []req{
		{method: "GET", path: "/api/user/current/", token: u.token},
		{method: "GET", path: "/api/user/current/"},
		{method: "GET", path: "/api/post/", token: u.token},
		{method: "GET", path: "/api/nothing/"},
		{method: "POST", path: "/api/user/login/", body: map[string]any{"email": u.email, "password": u.password}},
	} {
		if r := e.do(rq); r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s (%d): Cache-Control %q", rq.method, rq.path, r.status, r.header.Get("Cache-Control"))
		}
	}
	if r := e.do(req{method: "GET", path: "/"}); r.header.Get("Cache-Control") != "no-cache" {
		t.Errorf("web app: Cache-Control %q, want no-cache", r.header.Get("Cache-Control"))
	}
}

// TestCSPConnectSrc: the page may connect to its own origin (and the
// public URL's WebSocket origin), never to any ws: or wss: host.
func TestCSPConnectSrc(t *testing.T) {
	connectSrc := func(e *testEnv) string {
		csp := e.do(req{method: "GET", path: "/"}).header.Get("Content-Security-Policy")
		for _, d := range strings.Split(csp, ";") {
			if f := strings.Fields(d); len(f) > 0 && f[0] == "connect-src" {
				return strings.Join(f[1:], " ")
			}
		}
		t.Fatalf("no connect-src in %q", csp)
		return ""
	}
	if got := connectSrc(newTestEnv(t)); got != "'self'" {
		t.Errorf("connect-src %q, want 'self'", got)
	}
	e := newTestEnv(t, func(c *Config) { c.PublicURL = "https://mealbuddy.example/" })
	if got := connectSrc(e); got != "'self' wss://mealbuddy.example" {
		t.Errorf("with --public-url: connect-src %q, want 'self' wss://mealbuddy.example", got)
	}
}

// TestEveryRouteBounds runs over the whole route table: two Authorization
// headers are 401 (neither is believed), and a body over 1 MiB is 413 on
// every route, also on those that ignore their body, declared or chunked.
func TestEveryRouteBounds(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("bounds", addrSajik)
	_, room := e.writePost(u, "경계 시험", 3)
	other := e.register("other", addrSajik)
	big := bytes.Repeat([]byte("a"), maxBodyBytes+1)
	for _, rt := range e.srv.routeTable() {
		url := e.http.URL + routeURL(rt.path, room)
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			hr, _ := http.NewRequest(rt.method, url, nil)
			hr.Header.Add("Authorization", "token "+u.token)
			hr.Header.Add("Authorization", "token "+other.token)
			if status := statusOf(t, hr); status != http.StatusUnauthorized {
				t.Errorf("two Authorization headers: %d, want 401", status)
			}
			for _, chunked := range []bool{false, true} {
				var body io.Reader = bytes.NewReader(big)
				if chunked {
					body = io.MultiReader(bytes.NewReader(big)) // no length: sent chunked
				}
				hr, _ := http.NewRequest(rt.method, url, body)
				hr.Header.Set("Authorization", "token "+u.token)
				hr.Header.Set("Content-Type", "application/json")
				if status := statusOf(t, hr); status != http.StatusRequestEntityTooLarge {
					t.Errorf("body of 1 MiB + 1 (chunked %v): %d, want 413", chunked, status)
				}
			}
		})
	}
	// Nothing changed: the room still has its writer only, the post is there.
	if r := e.do(req{method: "GET", path: fmt.Sprintf("/api/chat/%d/user/", room), token: u.token}); r.status != 200 ||
		strings.Contains(string(r.raw), `"other"`) {
		t.Errorf("after the refused requests: %d %s", r.status, r.raw)
	}
}

func statusOf(t *testing.T, hr *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// runServer runs e.srv on a real listener through Run (listener wrapper,
// http.Server settings) and returns its address.
func runServer(t *testing.T, e *testEnv) string {
	t.Helper()
	e.srv.cfg.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	runErr := make(chan error, 1)
	go func() { runErr <- e.srv.Run(ctx, func(a net.Addr) { addrc <- a.String() }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-runErr; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("run: %v", err)
		}
	})
	return <-addrc
}

// TestSlowBodyDeadline: a client that sends headers and a Content-Length
// and then trickles its body gets 408 and the connection is closed, where
// it used to hold the connection for as long as it trickled.
func TestSlowBodyDeadline(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Limits.BodyTimeout = 300 * time.Millisecond })
	addr := runServer(t, e)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /api/user/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			close(answered)
			return
		}
		answered <- resp
	}()
	// One byte every 50 ms, for at most 10 s: the 1000 bytes never arrive.
	trickle := time.NewTicker(50 * time.Millisecond)
	defer trickle.Stop()
	giveUp := time.After(wait)
	for {
		select {
		case resp, ok := <-answered:
			if !ok {
				t.Fatal("connection closed without an answer")
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestTimeout || !resp.Close {
				t.Fatalf("trickled body: %d (close %v), want 408 and the connection closed", resp.StatusCode, resp.Close)
			}
			c.SetReadDeadline(time.Now().Add(wait))
			if _, err := c.Read(make([]byte, 1)); err == nil {
				t.Error("the connection stayed open after the 408")
			}
			return
		case <-trickle.C:
			c.Write([]byte(" "))
		case <-giveUp:
			t.Fatal("a trickled body held the connection with no answer")
		}
	}
}

// TestSocketOutlivesBodyDeadline: the body deadline never reaches a chat
// socket, even one opened on a connection that sent a body before.
func TestSocketOutlivesBodyDeadline(t *testing.T) {
	e := newChatEnv(t, func(c *Config) { c.Limits.BodyTimeout = 100 * time.Millisecond })
	writer, member, room := chatPair(e)
	a := e.mustDial(room, writer)
	b := e.mustDial(room, member)
	time.Sleep(400 * time.Millisecond) // several deadlines' worth of quiet
	a.send("아직 연결돼 있어요")
	if ev := b.expect("chat.message"); ev.Message.Message != "아직 연결돼 있어요" {
		t.Fatalf("got %s", ev.raw)
	}
	// A body was read on e's connections meanwhile (join above); sockets
	// dialled after that are unaffected too.
	c := e.mustDial(room, member)
	time.Sleep(300 * time.Millisecond)
	b.send("두 번째")
	if ev := c.expect("chat.message"); ev.Message.Message != "두 번째" {
		t.Fatalf("got %s", ev.raw)
	}
}

// holdConn opens a TCP connection that sends half a request and waits.
func holdConn(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET /livez HTTP/1.1\r\nHost: x\r\n")
	return c
}

// refused tells whether the server closed c without answering.
func refused(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(wait))
	_, err := c.Read(make([]byte, 1))
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err)
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "reset")
}

// answers tells whether a fresh connection gets /livez answered, retrying
// for a while: a closed slot is released when the server notices the close.
func answers(t *testing.T, addr string) bool {
	t.Helper()
	for range 100 {
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Get("http://" + addr + "/livez")
		if err == nil {
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// TestConnectionCaps: with --max-conns-per-ip 3 the fourth connection from
// one address is closed unanswered, and a slot frees when one closes;
// addresses of trusted proxies count only towards --max-conns.
func TestConnectionCaps(t *testing.T) {
	t.Run("PerAddress", func(t *testing.T) {
		e := newTestEnv(t, func(c *Config) { c.Limits = Limits{MaxConns: 100, MaxConnsPerIP: 3} })
		addr := runServer(t, e)
		held := []net.Conn{holdConn(t, addr), holdConn(t, addr), holdConn(t, addr)}
		if !refused(holdConn(t, addr)) {
			t.Fatal("a fourth connection from one address was accepted")
		}
		held[0].Close()
		if !answers(t, addr) {
			t.Fatal("no connection accepted after one of three closed")
		}
	})
	t.Run("TotalWithProxy", func(t *testing.T) {
		e := newTestEnv(t, func(c *Config) {
			c.Limits = Limits{MaxConns: 4, MaxConnsPerIP: 1}
			c.TrustedProxies, _ = ParseProxies([]string{"127.0.0.1"})
		})
		addr := runServer(t, e)
		for range 4 {
			holdConn(t, addr)
		}
		if !refused(holdConn(t, addr)) {
			t.Fatal("a fifth connection was accepted over --max-conns 4")
		}
	})
}

// TestExpiredSessionsPurgedAtStart: Run deletes expired web sessions when
// it starts (and daily); live ones stay.
func TestExpiredSessionsPurgedAtStart(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("sessions", addrSajik)
	ctx := context.Background()
	if err := e.store.CreateSession(ctx, "expired-hash", u.id, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateSession(ctx, "live-hash", u.id, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(e.dir, store.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func() (n int) {
		if err := db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 2 {
		t.Fatalf("%d sessions before start, want 2", n)
	}
	runServer(t, e)
	for range 200 {
		if count() == 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var left string
	if err := db.QueryRow(`SELECT token_hash FROM sessions`).Scan(&left); err != nil || left != "live-hash" || count() != 1 {
		t.Fatalf("after start: %d sessions, first %q (%v); want only the live one", count(), left, err)
	}
}

// TestBadInputChangesNothing: a body with anything after the JSON value, an
// explicit null and an empty body on edit/update are clear 400s, and the
// post and the account stay as they were.
func TestBadInputChangesNothing(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("badinput", addrSajik)
	post, _ := e.writePost(u, "원래 제목", 4)
	edit := fmt.Sprintf("/api/post/detail/%d/edit/", post)
	tests := []struct {
		name, path string
		body       any
		field      string // the 400 names this field; "" for a bare message
	}{
		{"trailing bracket", edit, []byte(`{"title": "바뀜"}]`), ""},
		{"trailing word", edit, []byte(`{"title": "바뀜"} xyz`), ""},
		{"two objects", edit, []byte(`{"title": "바뀜"}{"title": "또"}`), ""},
		{"null title", edit, []byte(`{"title": null}`), "title"},
		{"null beside a value", edit, []byte(`{"title": "바뀜", "content": null}`), "content"},
		{"empty edit", edit, []byte(``), ""},
		{"empty object edit", edit, []byte(`{}`), ""},
		{"empty form edit", edit, "", ""},
		{"null username", "/api/user/update/", []byte(`{"username": null}`), "username"},
		{"null range", "/api/user/update/", []byte(`{"range": null}`), "range"},
		{"empty update", "/api/user/update/", []byte(`  `), ""},
		{"trailing update", "/api/user/update/", []byte(`{"username": "바뀐이름"}]`), ""},
		{"null login", "/api/user/login/", []byte(`{"email": null, "password": "x"}`), "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: tt.path, token: u.token, body: tt.body})
			if r.status != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", r.status, r.raw)
			}
			if tt.field != "" {
				if _, ok := r.fieldErrs(t)[tt.field]; !ok {
					t.Errorf("400 %s does not name %s", r.raw, tt.field)
				}
			} else if msg := r.str(t); msg == "" {
				t.Errorf("400 without a message")
			}
		})
	}
	r := e.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/", post), token: u.token})
	if m := r.json(t); m["title"] != "원래 제목" || m["content"] != "같이 시켜요" {
		t.Errorf("the post changed: %s", r.raw)
	}
	me := e.do(req{method: "GET", path: "/api/user/current/", token: u.token}).json(t)["user"].(map[string]any)
	if me["username"] != "badinput" {
		t.Errorf("the account changed: %v", me)
	}
}

// TestHSTSBehindProxy: with an https --public-url the answers carry HSTS
// even when a proxy terminates TLS (ops sent it only over its own TLS);
// without a public URL, plain http answers carry none.
func TestHSTSBehindProxy(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.PublicURL = "https://mealbuddy.example" })
	for _, p := range []string{"/", "/api/user/current/"} {
		if got := e.do(req{method: "GET", path: p}).header.Get("Strict-Transport-Security"); got != hstsHeader {
			t.Errorf("%s: HSTS %q, want %q", p, got, hstsHeader)
		}
	}
	if got := newTestEnv(t).do(req{method: "GET", path: "/"}).header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("plain http without a public URL: HSTS %q", got)
	}
}

// TestConnSlotsPerIPv6Block: connections from one IPv6 /64 share the
// per-address cap; another /64 and an exempt proxy do not; a released slot
// is taken again.
func TestConnSlotsPerIPv6Block(t *testing.T) {
	l := limitConns(nil, Limits{MaxConns: 10, MaxConnsPerIP: 2}, func(ip string) bool { return ip == "10.0.0.1" }, nil).(*connLimitListener)
	k1, ok1 := l.acquire("2001:db8:1:2::1")
	_, ok2 := l.acquire("2001:db8:1:2::2")
	if !ok1 || !ok2 {
		t.Fatal("the first two connections of a /64 were refused")
	}
	if _, ok := l.acquire("2001:db8:1:2:ffff::3"); ok {
		t.Error("a third connection from the same /64 was accepted over --max-conns-per-ip 2")
	}
	if _, ok := l.acquire("2001:db8:1:3::1"); !ok {
		t.Error("another /64 was refused")
	}
	for range 3 {
		if key, ok := l.acquire("10.0.0.1"); !ok || key != "" {
			t.Errorf("a trusted proxy's connection: key %q, ok %v", key, ok)
		}
	}
	l.release(k1)
	if _, ok := l.acquire("2001:db8:1:2::9"); !ok {
		t.Error("a released slot was not free again")
	}
	if l.open != 6 { // 2 + 1 + 3, one released, one taken
		t.Errorf("%d open, want 6", l.open)
	}
}
