package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// deadline bounds every wait so that a hang fails instead of stalling; no test
// asserts a duration.
const deadline = 10 * time.Second

// harness is an httptest server that accepts sockets and hands them to a hub,
// with room and user taken from the query string (the app's job in real life).
type harness struct {
	t      *testing.T
	h      *Hub
	srv    *httptest.Server
	served chan error // one value per Serve call that returned
}

type harnessOpts struct {
	// handler builds the Handler for a member; nil means "echo via Publish".
	handler func(h *Hub, m Member) Handler
	// revalidate, if set, becomes Member.Revalidate.
	revalidate func(m Member) func(context.Context) websocket.StatusCode
}

func newHarness(t *testing.T, cfg Config, o harnessOpts) *harness {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	hs := &harness{t: t, h: New(cfg), served: make(chan error, 100)}
	hs.srv = httptest.NewServer(acceptor(hs.h, hs.served, o))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		if err := hs.h.Close(ctx); err != nil {
			t.Errorf("hub Close: %v", err)
		}
		hs.srv.Close()
	})
	return hs
}

// acceptor accepts sockets and serves them with h, taking room and user from
// the query string (the app's job in real life) and reporting each Serve
// result on served.
func acceptor(h *Hub, served chan<- error, o harnessOpts) http.HandlerFunc {
	if o.handler == nil {
		o.handler = func(h *Hub, m Member) Handler {
			return func(_ context.Context, frame []byte) []byte {
				h.Publish(m.Room, frame)
				return nil
			}
		}
	}
	return func(w http.ResponseWriter, r *http.Request) {
		room, _ := strconv.ParseInt(r.URL.Query().Get("room"), 10, 64)
		user, _ := strconv.ParseInt(r.URL.Query().Get("user"), 10, 64)
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		m := Member{Room: room, User: user}
		if o.revalidate != nil {
			m.Revalidate = o.revalidate(m)
		}
		served <- h.Serve(context.Background(), c, m, o.handler(h, m))
	}
}

// tWriter routes the hub's log to t.Logf.
type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// dial connects a client as user in room and waits until the hub has it.
func (hs *harness) dial(room, user int64) *websocket.Conn {
	hs.t.Helper()
	_, before := hs.h.Stats()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	u := fmt.Sprintf("ws%s/?room=%d&user=%d", strings.TrimPrefix(hs.srv.URL, "http"), room, user)
	c, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		hs.t.Fatalf("dial: %v", err)
	}
	hs.t.Cleanup(func() { c.CloseNow() })
	waitFor(hs.t, "subscriber registered", func() bool { _, n := hs.h.Stats(); return n > before })
	return c
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func send(t *testing.T, c *websocket.Conn, typ websocket.MessageType, p []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := c.Write(ctx, typ, p); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func recv(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	typ, p, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("got a %v frame, want text", typ)
	}
	return string(p)
}

// expectClose reads (discarding frames) until the socket closes and checks
// the close code the server sent.
func expectClose(t *testing.T, c *websocket.Conn, want websocket.StatusCode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue
		}
		if got := websocket.CloseStatus(err); got != want {
			t.Fatalf("closed with %v (%v), want %v", got, err, want)
		}
		return
	}
}

// expectOpen proves a socket still works: a frame published to its room
// arrives (after anything already queued).
func expectOpen(t *testing.T, hs *harness, c *websocket.Conn, room int64) {
	t.Helper()
	marker := fmt.Sprintf(`{"marker":%d}`, time.Now().UnixNano())
	hs.h.Publish(room, []byte(marker))
	for {
		if got := recv(t, c); got == marker {
			return
		}
	}
}

// drain reads and discards until the socket closes.
func drain(c *websocket.Conn) {
	for {
		if _, _, err := c.Read(context.Background()); err != nil {
			return
		}
	}
}

func errorText(t *testing.T, frame string) string {
	t.Helper()
	var e struct{ Type, Error string }
	if err := json.Unmarshal([]byte(frame), &e); err != nil || e.Type != "chat.error" {
		t.Fatalf("want a chat.error frame, got %q (%v)", frame, err)
	}
	return e.Error
}

func TestErrorFrame(t *testing.T) {
	got := string(ErrorFrame(`따옴표 " 포함`))
	want := `{"type":"chat.error","error":"따옴표 \" 포함"}`
	if got != want {
		t.Fatalf("ErrorFrame = %s, want %s", got, want)
	}
}

func TestPublishReachesRoomOnly(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{})
	a := hs.dial(1, 10)
	b := hs.dial(1, 11)
	other := hs.dial(2, 12)

	send(t, a, websocket.MessageText, []byte(`{"message":"안녕"}`))
	for _, c := range []*websocket.Conn{a, b} {
		if got := recv(t, c); got != `{"message":"안녕"}` {
			t.Fatalf("got %s", got)
		}
	}
	send(t, b, websocket.MessageText, []byte(`{"message":"반가워"}`))
	for _, c := range []*websocket.Conn{a, b} {
		if got := recv(t, c); got != `{"message":"반가워"}` {
			t.Fatalf("got %s", got)
		}
	}

	// Room 2's first frame is its own marker: nothing of room 1 leaked.
	hs.h.Publish(2, []byte(`"room2"`))
	if got := recv(t, other); got != `"room2"` {
		t.Fatalf("room 2 got %s", got)
	}
	// And room 2's frame did not reach room 1.
	hs.h.Publish(1, []byte(`"room1"`))
	if got := recv(t, a); got != `"room1"` {
		t.Fatalf("room 1 got %s", got)
	}
	if got := hs.h.Users(1); fmt.Sprint(got) != "[10 11]" {
		t.Fatalf("Users(1) = %v", got)
	}
}

func TestSlowConsumerDropped(t *testing.T) {
	// WriteTimeout is long so that the slow socket is closed by the 1013
	// policy, not by a write timing out while its kernel buffers are full.
	hs := newHarness(t, Config{SendBuffer: 8, WriteTimeout: time.Minute}, harnessOpts{})
	slow := hs.dial(1, 1) // never reads until the end
	fast := hs.dial(1, 2)

	// Large frames fill the slow socket's TCP buffers, then its hub buffer.
	// The fast client reads each frame before the next is published, so only
	// the slow one can fall behind. Publish until the slow one is dropped
	// (kernel buffers differ between machines), then some more.
	payload := bytes.Repeat([]byte("가"), 16000/3)
	publish := func(i int) {
		frame := fmt.Appendf(nil, `{"i":%d,"p":"%s"}`, i, payload)
		hs.h.Publish(1, frame)
		if got := recv(t, fast); got != string(frame) {
			t.Fatalf("fast client: frame %d missing or out of order", i)
		}
	}
	const limit = 20000 // 320 MB: far beyond any loopback buffer
	i := 0
	for ; fmt.Sprint(hs.h.Users(1)) != "[2]"; i++ {
		if i == limit {
			t.Fatalf("slow client not dropped after %d frames", limit)
		}
		publish(i)
	}
	for end := i + 100; i < end; i++ {
		publish(i)
	}
	t.Logf("slow client dropped; fast client received all %d frames", i)
	expectClose(t, slow, websocket.StatusTryAgainLater)
	expectOpen(t, hs, fast, 1)
}

func TestKick(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{})
	phone := hs.dial(1, 7)
	laptop := hs.dial(1, 7)
	elsewhere := hs.dial(2, 7)
	other := hs.dial(1, 8)

	hs.h.Kick(1, 7, StatusBanned, "")
	expectClose(t, phone, StatusBanned)
	expectClose(t, laptop, StatusBanned)
	expectOpen(t, hs, elsewhere, 2)
	expectOpen(t, hs, other, 1)
	if got := hs.h.Users(1); fmt.Sprint(got) != "[8]" {
		t.Fatalf("Users(1) = %v", got)
	}
}

func TestKickLeftWithLongReason(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{})
	c := hs.dial(1, 7)
	hs.h.Kick(1, 7, StatusLeft, strings.Repeat("퇴장", 100)) // too long for a close frame
	expectClose(t, c, StatusLeft)
}

func TestCloseRoom(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{})
	a := hs.dial(1, 1)
	b := hs.dial(1, 2)
	keep := hs.dial(2, 1)

	hs.h.CloseRoom(1)
	expectClose(t, a, StatusRoomDeleted)
	expectClose(t, b, StatusRoomDeleted)
	expectOpen(t, hs, keep, 2)
}

func TestKickUser(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{})
	a := hs.dial(1, 5)
	b := hs.dial(2, 5)
	keep := hs.dial(1, 6)

	hs.h.KickUser(5, StatusRevoked, "")
	expectClose(t, a, StatusRevoked)
	expectClose(t, b, StatusRevoked)
	expectOpen(t, hs, keep, 1)
	if rooms, subs := hs.h.Stats(); rooms != 1 || subs != 1 {
		t.Fatalf("Stats = %d rooms, %d subscribers", rooms, subs)
	}
}

func TestRevalidate(t *testing.T) {
	var revoked atomic.Bool
	hs := newHarness(t, Config{PingInterval: 20 * time.Millisecond}, harnessOpts{
		revalidate: func(m Member) func(context.Context) websocket.StatusCode {
			return func(context.Context) websocket.StatusCode {
				if m.User == 1 && revoked.Load() {
					return StatusRevoked
				}
				return 0
			}
		},
	})
	victim := hs.dial(1, 1)
	keep := hs.dial(1, 2)
	// Clients must read for their pongs to be sent; the reads below do that.
	go drain(keep)

	revoked.Store(true)
	expectClose(t, victim, StatusRevoked)
	waitFor(t, "victim unregistered", func() bool { return fmt.Sprint(hs.h.Users(1)) == "[2]" })
}

func TestBadFramesGetErrorAndStayOpen(t *testing.T) {
	var calls atomic.Int32
	hs := newHarness(t, Config{}, harnessOpts{handler: func(h *Hub, m Member) Handler {
		return func(_ context.Context, frame []byte) []byte {
			calls.Add(1)
			return append([]byte("echo:"), frame...)
		}
	}})
	c := hs.dial(1, 1)

	send(t, c, websocket.MessageBinary, []byte{1, 2, 3})
	if got := errorText(t, recv(t, c)); got != MsgTextOnly {
		t.Fatalf("binary frame: error %q", got)
	}
	send(t, c, websocket.MessageText, []byte{'"', 0xff, 0xfe, '"'})
	if got := errorText(t, recv(t, c)); got != MsgInvalidUTF8 {
		t.Fatalf("invalid UTF-8: error %q", got)
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("handler called %d times for bad frames", n)
	}
	send(t, c, websocket.MessageText, []byte(`{"message":"ok"}`))
	if got := recv(t, c); got != `echo:{"message":"ok"}` {
		t.Fatalf("reply %q", got)
	}
}

func TestFloodingClosesWith1008(t *testing.T) {
	hs := newHarness(t, Config{RatePerSec: 0.001, Burst: 2, FloodLimit: 3}, harnessOpts{})
	c := hs.dial(1, 1)
	for range 10 {
		send(t, c, websocket.MessageText, []byte(`{"message":"도배"}`))
	}
	// Two pass (burst) and are echoed; the next three are rejected with a
	// chat.error each, the third closes the socket.
	for range 2 {
		if got := recv(t, c); got != `{"message":"도배"}` {
			t.Fatalf("got %s", got)
		}
	}
	for range 3 {
		if got := errorText(t, recv(t, c)); got != MsgTooFast {
			t.Fatalf("error %q", got)
		}
	}
	expectClose(t, c, websocket.StatusPolicyViolation)
}

func TestRateLimitRecovers(t *testing.T) {
	// Rejections that stop short of FloodLimit keep the socket open.
	hs := newHarness(t, Config{RatePerSec: 0.001, Burst: 1, FloodLimit: 3}, harnessOpts{})
	c := hs.dial(1, 1)
	send(t, c, websocket.MessageText, []byte(`"a"`))
	send(t, c, websocket.MessageText, []byte(`"b"`))
	if got := recv(t, c); got != `"a"` {
		t.Fatalf("got %s", got)
	}
	if got := errorText(t, recv(t, c)); got != MsgTooFast {
		t.Fatalf("error %q", got)
	}
	expectOpen(t, hs, c, 1)
}

func TestOversizeFrameCloses1009(t *testing.T) {
	hs := newHarness(t, Config{ReadLimit: 64}, harnessOpts{})
	c := hs.dial(1, 1)
	send(t, c, websocket.MessageText, bytes.Repeat([]byte("x"), 65))
	expectClose(t, c, websocket.StatusMessageTooBig)
	select {
	case err := <-hs.served:
		if !errors.Is(err, websocket.ErrMessageTooBig) {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("Serve did not return")
	}
}

func TestPeerCloseIsNotAnError(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{})
	c := hs.dial(1, 1)
	if err := c.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Fatalf("client close: %v", err)
	}
	select {
	case err := <-hs.served:
		if err != nil {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("Serve did not return")
	}
}

func TestMissedPongCloses(t *testing.T) {
	hs := newHarness(t, Config{PingInterval: 20 * time.Millisecond}, harnessOpts{})
	hs.dial(1, 1) // never reads, so never answers pings
	select {
	case err := <-hs.served:
		if err == nil || !strings.Contains(err.Error(), "keepalive") {
			t.Fatalf("Serve returned %v, want a keepalive error", err)
		}
	case <-time.After(deadline):
		t.Fatal("Serve did not return")
	}
}

func TestClose(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{})
	conns := []*websocket.Conn{hs.dial(1, 1), hs.dial(1, 2), hs.dial(2, 3)}

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		done <- hs.h.Close(ctx)
	}()
	for _, c := range conns {
		expectClose(t, c, websocket.StatusGoingAway)
	}
	if err := <-done; err != nil {
		t.Fatalf("Close: %v", err)
	}
	for range conns {
		if err := <-hs.served; err != nil { // already returned: Close waited
			t.Fatalf("Serve returned %v", err)
		}
	}

	// A socket accepted after Close is closed with 1001 straight away.
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	u := "ws" + strings.TrimPrefix(hs.srv.URL, "http") + "/?room=1&user=9"
	late, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer late.CloseNow()
	expectClose(t, late, websocket.StatusGoingAway)
}

func TestServeContextDoneClosesGoingAway(t *testing.T) {
	h := New(Config{})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		served <- h.Serve(ctx, c, Member{Room: 1, User: 1}, func(context.Context, []byte) []byte { return nil })
	}))
	defer srv.Close()
	dctx, dcancel := context.WithTimeout(context.Background(), deadline)
	defer dcancel()
	c, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	waitFor(t, "registered", func() bool { _, n := h.Stats(); return n == 1 })
	cancel()
	expectClose(t, c, websocket.StatusGoingAway)
	if err := <-served; err != nil {
		t.Fatalf("Serve returned %v", err)
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	func() {
		hs := newHarness(t, Config{PingInterval: 10 * time.Millisecond}, harnessOpts{})
		var conns []*websocket.Conn
		for i := range 6 {
			c := hs.dial(int64(i%2), int64(i))
			go drain(c) // answer pings and close frames until closed
			conns = append(conns, c)
		}
		hs.h.Publish(0, []byte(`"x"`))
		conns[0].Close(websocket.StatusNormalClosure, "")
		conns[1].CloseNow()
		hs.h.Kick(0, 2, StatusLeft, "")
		hs.h.Kick(0, 4, StatusBanned, "")
		hs.h.CloseRoom(1)
		waitFor(t, "all sockets unregistered", func() bool { r, n := hs.h.Stats(); return r == 0 && n == 0 })
		for range conns {
			select {
			case <-hs.served:
			case <-time.After(deadline):
				t.Fatal("Serve did not return")
			}
		}
		hs.srv.Close()
	}()
	end := time.Now().Add(deadline)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(end) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, baseline %d:\n%s", n, base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBucket(t *testing.T) {
	t0 := time.Unix(0, 0)
	b := newBucket(2, 3, t0)
	for i := range 3 {
		if !b.allow(t0) {
			t.Fatalf("burst frame %d refused", i)
		}
	}
	if b.allow(t0) {
		t.Fatal("frame beyond burst allowed")
	}
	if !b.allow(t0.Add(500 * time.Millisecond)) { // 2/s refills one token in 0.5s
		t.Fatal("refilled token refused")
	}
	if b.allow(t0.Add(500 * time.Millisecond)) {
		t.Fatal("second frame allowed without refill")
	}
	if got := func() int { // a long pause refills only up to burst
		n := 0
		for b.allow(t0.Add(time.Hour)) {
			n++
		}
		return n
	}(); got != 3 {
		t.Fatalf("after a long pause %d frames allowed, want 3", got)
	}
}

func TestClampReason(t *testing.T) {
	long := strings.Repeat("가", 100) // 300 bytes
	got := clampReason(long)
	if len(got) > maxCloseReason || !strings.HasPrefix(long, got) || len(got) != 123 {
		t.Fatalf("clampReason gave %d bytes", len(got))
	}
	if clampReason("짧음") != "짧음" {
		t.Fatal("short reason changed")
	}
}
