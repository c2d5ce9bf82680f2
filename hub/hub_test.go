package hub

import (
	"bytes"
	"context"
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
	// handler builds the Handler for a subscriber; nil means "echo via
	// Publish".
	handler func(h *Hub, s *Subscriber, m Member) Handler
	// revalidate, if set, becomes Member.Revalidate.
	revalidate func(m Member) func(context.Context) (websocket.StatusCode, string)
	// beforeAccept, if set, runs between Subscribe and websocket.Accept.
	beforeAccept func(h *Hub, s *Subscriber)
	// plainAccept accepts with websocket.Accept instead of
	// Subscriber.Accept: one network write per frame, no batching.
	plainAccept bool
	// afterAccept, if set, runs between the upgrade and Serve.
	afterAccept func(h *Hub, s *Subscriber)
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

// acceptor subscribes, accepts and serves sockets with h, taking room and
// user from the query string (the app's job in real life) and reporting each
// Serve result on served.
func acceptor(h *Hub, served chan<- error, o harnessOpts) http.HandlerFunc {
	if o.handler == nil {
		o.handler = func(h *Hub, _ *Subscriber, m Member) Handler {
			return func(_ context.Context, _ websocket.MessageType, frame []byte) Reply {
				h.Publish(m.Room, frame)
				return Reply{}
			}
		}
	}
	return func(w http.ResponseWriter, r *http.Request) {
		room, _ := strconv.ParseInt(r.URL.Query().Get("room"), 10, 64)
		user, _ := strconv.ParseInt(r.URL.Query().Get("user"), 10, 64)
		m := Member{Room: room, User: user, Tag: r.URL.Query().Get("tag")}
		if o.revalidate != nil {
			m.Revalidate = o.revalidate(m)
		}
		s := h.Subscribe(m)
		if o.beforeAccept != nil {
			o.beforeAccept(h, s)
		}
		accept := s.Accept
		if o.plainAccept {
			accept = func(w http.ResponseWriter, r *http.Request, opts *websocket.AcceptOptions) (*websocket.Conn, error) {
				return websocket.Accept(w, r, opts)
			}
		}
		c, err := accept(w, r, nil)
		if err != nil {
			h.Unsubscribe(s)
			return
		}
		if o.afterAccept != nil {
			o.afterAccept(h, s)
		}
		served <- h.Serve(context.Background(), s, c, o.handler(h, s, m))
	}
}

// tWriter routes the hub's log to t.Logf.
type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// dial connects a client as user in room; it is subscribed once Dial
// returns (the hub subscribes before the upgrade).
func (hs *harness) dial(room, user int64) *websocket.Conn {
	hs.t.Helper()
	return hs.dialQuery(fmt.Sprintf("room=%d&user=%d", room, user))
}

func (hs *harness) dialQuery(query string) *websocket.Conn {
	hs.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(hs.srv.URL, "http")+"/?"+query, nil)
	if err != nil {
		hs.t.Fatalf("dial: %v", err)
	}
	c.SetReadLimit(1 << 20)
	hs.t.Cleanup(func() { c.CloseNow() })
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
}

func TestPublishFrom(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{handler: func(h *Hub, s *Subscriber, m Member) Handler {
		return func(_ context.Context, _ websocket.MessageType, frame []byte) Reply {
			h.PublishFrom(m.Room, frame, s, append([]byte("own:"), frame...), []int64{3})
			return Reply{}
		}
	}})
	a := hs.dial(1, 1)
	b := hs.dial(1, 2)
	blocker := hs.dial(1, 3) // user 3 is in except: it hears nothing of it
	send(t, a, websocket.MessageText, []byte(`"x"`))
	if got := recv(t, a); got != `own:"x"` {
		t.Fatalf("sender got %s", got)
	}
	if got := recv(t, b); got != `"x"` {
		t.Fatalf("other member got %s", got)
	}
	hs.h.Publish(1, []byte(`"marker"`))
	if got := recv(t, blocker); got != `"marker"` {
		t.Fatalf("excepted member got %s before the marker", got)
	}
}

func TestSlowConsumerDropped(t *testing.T) {
	// WriteTimeout is long so that the slow socket is closed by the 1013
	// policy, not by a write timing out while its kernel buffers are full.
	hs := newHarness(t, Config{SendBuffer: 8, WriteTimeout: time.Minute, TooSlowReason: "느려요"}, harnessOpts{})
	slow := hs.dial(1, 1) // does not read until the end
	fast := hs.dial(1, 2)

	// Large frames fill the slow socket's TCP buffers, then its hub buffer.
	// The fast client reads each frame before the next is published, so only
	// the slow one can fall behind. 4000 frames of 16 kB are far beyond any
	// loopback buffer.
	payload := bytes.Repeat([]byte("가"), 16000/3)
	const frames = 4000
	for i := range frames {
		frame := fmt.Appendf(nil, `{"i":%d,"p":"%s"}`, i, payload)
		hs.h.Publish(1, frame)
		if got := recv(t, fast); got != string(frame) {
			t.Fatalf("fast client: frame %d missing or out of order", i)
		}
	}
	// The slow one gets a prefix of the frames, in order, then 1013.
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	n := 0
	for ; ; n++ {
		_, p, err := slow.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusTryAgainLater {
				t.Fatalf("slow client closed with %v", err)
			}
			var ce websocket.CloseError
			if errors.As(err, &ce) && ce.Reason != "느려요" {
				t.Errorf("reason %q", ce.Reason)
			}
			break
		}
		if !bytes.HasPrefix(p, fmt.Appendf(nil, `{"i":%d,`, n)) {
			t.Fatalf("slow client: frame %d out of order", n)
		}
	}
	if n >= frames {
		t.Fatalf("slow client received all %d frames", n)
	}
	t.Logf("slow client dropped after %d frames", n)
	expectOpen(t, hs, fast, 1)
}

func TestCloseWhere(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{})
	phone := hs.dial(1, 7)
	laptop := hs.dial(1, 7)
	elsewhere := hs.dial(2, 7)
	other := hs.dial(1, 8)
	tagged := hs.dialQuery("room=3&user=9&tag=web")
	untagged := hs.dialQuery("room=3&user=9&tag=app")

	if n := hs.h.CloseWhere(func(m Member) bool { return m.Room == 1 && m.User == 7 }, 4003, "내보냄"); n != 2 {
		t.Errorf("closed %d, want 2", n)
	}
	for _, c := range []*websocket.Conn{phone, laptop} {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		_, _, err := c.Read(ctx)
		cancel()
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4003 || ce.Reason != "내보냄" {
			t.Fatalf("closed with %v, want 4003 내보냄", err)
		}
	}
	expectOpen(t, hs, elsewhere, 2)
	expectOpen(t, hs, other, 1)

	// The tag is opaque data the caller matches on.
	hs.h.CloseWhere(func(m Member) bool { return m.Tag == "web" }, 4401, "")
	expectClose(t, tagged, 4401)
	expectOpen(t, hs, untagged, 3)

	// A closed subscriber is gone: it is not matched again.
	if n := hs.h.CloseWhere(func(m Member) bool { return m.User == 7 && m.Room == 1 }, 4003, ""); n != 0 {
		t.Errorf("closed %d again", n)
	}
	// A reason too long for a close frame is cut, keeping the code.
	hs.h.CloseWhere(func(m Member) bool { return m.Room == 2 }, 4001, strings.Repeat("퇴장", 100))
	expectClose(t, elsewhere, 4001)
}

// TestCloseAfterQueuedFrames: a close never overtakes frames published
// before it: the socket reads all of them, then the close code.
func TestCloseAfterQueuedFrames(t *testing.T) {
	hs := newHarness(t, Config{SendBuffer: 64}, harnessOpts{})
	c := hs.dial(1, 1)
	for round := range 20 {
		if round > 0 {
			c = hs.dial(1, 1)
		}
		for i := range 50 {
			hs.h.Publish(1, fmt.Appendf(nil, `%d`, i))
		}
		hs.h.CloseWhere(func(m Member) bool { return m.Room == 1 }, 4003, "")
		for i := range 50 {
			if got := recv(t, c); got != fmt.Sprint(i) {
				t.Fatalf("round %d: frame %d is %s", round, i, got)
			}
		}
		expectClose(t, c, 4003)
	}
}

// TestCloseDuringUpgrade: a subscriber closed between Subscribe and Serve
// gets what was published meanwhile, then its own close code.
func TestCloseDuringUpgrade(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{beforeAccept: func(h *Hub, s *Subscriber) {
		h.Publish(1, []byte(`"before the close"`))
		h.CloseWhere(func(m Member) bool { return m.Room == 1 }, 4040, "")
		h.Publish(1, []byte(`"after the close"`))
	}})
	c := hs.dial(1, 1)
	if got := recv(t, c); got != `"before the close"` {
		t.Fatalf("got %s", got)
	}
	expectClose(t, c, 4040)
}

func TestUnsubscribeBeforeServe(t *testing.T) {
	h := New(Config{})
	s := h.Subscribe(Member{Room: 1, User: 1})
	h.Unsubscribe(s)
	h.Unsubscribe(s) // twice is fine
	if n := h.CloseWhere(func(Member) bool { return true }, 4040, ""); n != 0 {
		t.Errorf("closed %d unsubscribed sockets", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := h.Close(ctx); err != nil { // nothing left to wait for
		t.Fatal(err)
	}
}

func TestRevalidate(t *testing.T) {
	var revoked atomic.Bool
	hs := newHarness(t, Config{PingInterval: 20 * time.Millisecond}, harnessOpts{
		revalidate: func(m Member) func(context.Context) (websocket.StatusCode, string) {
			return func(context.Context) (websocket.StatusCode, string) {
				if m.User == 1 && revoked.Load() {
					return 4401, "다시 로그인"
				}
				return 0, ""
			}
		},
	})
	victim := hs.dial(1, 1)
	keep := hs.dial(1, 2)
	// Clients must read for their pongs to be sent; the reads below do that.
	go drain(keep)

	revoked.Store(true)
	expectClose(t, victim, 4401)
	if n := hs.h.CloseWhere(func(m Member) bool { return m.User == 1 }, 4401, ""); n != 0 {
		t.Errorf("revalidated socket still subscribed")
	}
}

func TestHandlerReplyAndClose(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{handler: func(*Hub, *Subscriber, Member) Handler {
		return func(_ context.Context, typ websocket.MessageType, frame []byte) Reply {
			switch {
			case typ == websocket.MessageBinary:
				return Reply{Frame: []byte(`"binary"`)}
			case string(frame) == `"bye"`:
				return Reply{Frame: []byte(`"last words"`), Close: websocket.StatusPolicyViolation, Reason: "그만"}
			}
			return Reply{Frame: append([]byte("echo:"), frame...)}
		}
	}})
	c := hs.dial(1, 1)
	other := hs.dial(1, 2)
	send(t, c, websocket.MessageBinary, []byte{0xff, 0xfe})
	if got := recv(t, c); got != `"binary"` {
		t.Fatalf("binary frame: %s", got)
	}
	send(t, c, websocket.MessageText, []byte(`"hi"`))
	if got := recv(t, c); got != `echo:"hi"` {
		t.Fatalf("reply %q", got)
	}
	send(t, c, websocket.MessageText, []byte(`"bye"`))
	if got := recv(t, c); got != `"last words"` {
		t.Fatalf("reply before close %q", got)
	}
	expectClose(t, c, websocket.StatusPolicyViolation)
	// Replies went to the sender alone.
	expectOpen(t, hs, other, 1)
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

	// A socket subscribed after Close is closed with 1001 straight away.
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
	h := New(Config{GoingAwayReason: "안녕히"})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	subscribed := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := h.Subscribe(Member{Room: 1, User: 1})
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			h.Unsubscribe(s)
			return
		}
		close(subscribed)
		served <- h.Serve(ctx, s, c, func(context.Context, websocket.MessageType, []byte) Reply { return Reply{} })
	}))
	defer srv.Close()
	dctx, dcancel := context.WithTimeout(context.Background(), deadline)
	defer dcancel()
	c, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	<-subscribed
	cancel()
	_, _, err = c.Read(dctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway || ce.Reason != "안녕히" {
		t.Fatalf("closed with %v, want 1001 안녕히", err)
	}
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
		hs.h.CloseWhere(func(m Member) bool { return m.Room == 0 && m.User == 2 }, 4001, "")
		hs.h.CloseWhere(func(m Member) bool { return m.Room == 0 && m.User == 4 }, 4003, "")
		hs.h.CloseWhere(func(m Member) bool { return m.Room == 1 }, 4040, "")
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
