package hub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// writes is how many network writes s's socket has made.
func (s *Subscriber) networkWrites() int {
	s.bc.mu.Lock()
	defer s.bc.mu.Unlock()
	return s.bc.writes
}

// frameOf is the i-th numbered test frame, padded to size bytes at least.
func frameOf(i, size int) []byte {
	return fmt.Appendf(nil, `{"i":%d,"p":"%s"}`, i, strings.Repeat("x", size))
}

func TestBatchedWritesKeepOrder(t *testing.T) {
	for _, tc := range []struct {
		name           string
		frames, size   int
		minW, maxWrite int // bounds on the network writes
	}{
		// Everything fits one batch: far fewer writes than frames.
		{name: "small", frames: 200, size: 10, minW: 1, maxWrite: 199},
		// 200 × ~2 KB is over maxBatchBytes many times: the batches are
		// bounded, and the order holds across their boundaries.
		{name: "bounded", frames: 200, size: 2000, minW: 200 * 2000 / (maxBatchBytes + 2100), maxWrite: 199},
	} {
		t.Run(tc.name, func(t *testing.T) {
			subs := make(chan *Subscriber, 1)
			hs := newHarness(t, Config{SendBuffer: 256}, harnessOpts{
				// Queued before the socket is served, so the writer finds
				// them all waiting: the case batching is for.
				beforeAccept: func(h *Hub, s *Subscriber) {
					for i := range tc.frames {
						h.Publish(1, frameOf(i, tc.size))
					}
					subs <- s
				},
			})
			c := hs.dial(1, 1)
			for i := range tc.frames {
				if got := recv(t, c); got != string(frameOf(i, tc.size)) {
					t.Fatalf("frame %d missing or out of order: %.40s", i, got)
				}
			}
			s := <-subs
			if w := s.networkWrites(); w < tc.minW || w > tc.maxWrite {
				t.Fatalf("%d frames took %d network writes, want %d to %d", tc.frames, w, tc.minW, tc.maxWrite)
			}
			expectOpen(t, hs, c, 1)
		})
	}
}

// failingConn passes the first ok bytes written through and then fails,
// as a connection that breaks in the middle of a batch.
type failingConn struct {
	net.Conn
	mu sync.Mutex
	ok int
}

var errBroken = errors.New("broken on purpose")

func (f *failingConn) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(p) <= f.ok {
		f.ok -= len(p)
		return f.Conn.Write(p)
	}
	n, _ := f.Conn.Write(p[:f.ok])
	f.ok = 0
	return n, errBroken
}

func TestBatchFailsMidway(t *testing.T) {
	const frames, size = 20, 40
	var victim *Subscriber
	hs := newHarness(t, Config{SendBuffer: 64}, harnessOpts{
		beforeAccept: func(h *Hub, s *Subscriber) {
			if s.m.User != 1 {
				return
			}
			victim = s
			for i := range frames {
				h.Publish(1, frameOf(i, size))
			}
		},
		afterAccept: func(h *Hub, s *Subscriber) {
			if s.m.User == 1 {
				// Two and a half frames reach the network, then it breaks.
				s.bc.Conn = &failingConn{Conn: s.bc.Conn, ok: 5 * (len(frameOf(0, size)) + 2) / 2}
			}
		},
	})
	other := hs.dial(1, 2)
	broken := hs.dial(1, 1)

	// The broken socket gets the frames that went out whole, in order, and
	// then its connection ends without a close handshake.
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	n := 0
	for ; ; n++ {
		_, p, err := broken.Read(ctx)
		if err != nil {
			if code := websocket.CloseStatus(err); code != -1 {
				t.Fatalf("broken socket closed with %v, want a cut connection", code)
			}
			break
		}
		if !bytes.Equal(p, frameOf(n, size)) {
			t.Fatalf("broken socket: frame %d out of order: %s", n, p)
		}
	}
	if n != 2 {
		t.Fatalf("broken socket got %d whole frames before the cut, want 2", n)
	}
	select {
	case err := <-hs.served:
		if err == nil {
			t.Fatal("Serve of the broken socket returned nil, want the read error")
		}
	case <-time.After(deadline):
		t.Fatal("Serve of the broken socket did not return")
	}
	waitFor(t, "the broken socket to leave the room", func() bool {
		_, subs := hs.h.Stats()
		return subs == 1
	})
	// Later writes on the broken connection fail without touching it.
	if _, err := victim.bc.Write([]byte("x")); !errors.Is(err, errBatchFailed) {
		t.Fatalf("write after the failed batch: %v, want errBatchFailed", err)
	}
	// The other member got everything and is still served.
	for i := range frames {
		if got := recv(t, other); got != string(frameOf(i, size)) {
			t.Fatalf("other member: frame %d missing or out of order", i)
		}
	}
	expectOpen(t, hs, other, 1)
}

// recordConn records what reaches the network.
type recordConn struct {
	net.Conn
	writes [][]byte
}

func (r *recordConn) Write(p []byte) (int, error) {
	r.writes = append(r.writes, bytes.Clone(p))
	return len(p), nil
}

func (r *recordConn) SetWriteDeadline(time.Time) error { return nil }

func TestBatchConn(t *testing.T) {
	rec := &recordConn{}
	bc := &batchConn{Conn: rec, timeout: time.Second}
	if _, err := bc.Write([]byte("ping")); err != nil || len(rec.writes) != 1 {
		t.Fatalf("uncorked write: %v, %d network writes, want it passed through", err, len(rec.writes))
	}
	bc.cork()
	bc.Write([]byte("a"))
	bc.Write([]byte("bc"))
	if got := bc.buffered(); got != 3 || len(rec.writes) != 1 {
		t.Fatalf("corked: %d bytes buffered, %d network writes; want 3 and still 1", got, len(rec.writes))
	}
	if err := bc.uncork(); err != nil {
		t.Fatal(err)
	}
	if len(rec.writes) != 2 || string(rec.writes[1]) != "abc" {
		t.Fatalf("network writes %q, want ping then abc", rec.writes)
	}
	// An empty batch writes nothing.
	bc.cork()
	if err := bc.uncork(); err != nil || len(rec.writes) != 2 {
		t.Fatalf("empty batch: %v, %d network writes", err, len(rec.writes))
	}
}

// A served socket costs two goroutines, its reader and its writer: the
// keepalive is a timer that runs a goroutine only for each round.
func TestServedSocketGoroutines(t *testing.T) {
	hs := newHarness(t, Config{PingInterval: time.Hour}, harnessOpts{})
	const sockets = 20
	before := runtime.NumGoroutine()
	var conns []*websocket.Conn
	for i := range sockets {
		conns = append(conns, hs.dial(1, int64(i)))
	}
	// A frame through every socket: each is served (Serve has started its
	// writer and keepalive) by the time it arrives.
	hs.h.Publish(1, []byte(`"served"`))
	for _, c := range conns {
		if got := recv(t, c); got != `"served"` {
			t.Fatalf("got %s", got)
		}
		go drain(c) // one client goroutine per socket
	}
	// Per socket: the server's reader and writer and the client's drain,
	// and some slack for the test's own.
	if n := runtime.NumGoroutine() - before; n > sockets*3+3 {
		t.Fatalf("%d goroutines for %d sockets, want at most 3 each", n, sockets)
	}
}

// A client may send its first frame in the same packet as its upgrade
// request: those bytes are already in net/http's reader at the hijack and
// must reach the socket through the smaller reader Accept puts in place.
func TestFrameRightAfterUpgrade(t *testing.T) {
	hs := newHarness(t, Config{}, harnessOpts{}) // the handler publishes each frame to the room
	conn, err := net.Dial("tcp", strings.TrimPrefix(hs.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(deadline))
	payload := []byte(`"early"`)
	mask := [4]byte{1, 2, 3, 4}
	frame := append([]byte{0x81, 0x80 | byte(len(payload))}, mask[:]...) // FIN text, masked
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	req := "GET /?room=1&user=1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := conn.Write(append([]byte(req), frame...)); err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 512)
	want := append([]byte{0x81, byte(len(payload))}, payload...) // the echo, unmasked
	for !bytes.Contains(got, want) {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("read: %v; got %q", err, got)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.HasPrefix(got, []byte("HTTP/1.1 101 ")) {
		t.Fatalf("response %q", got)
	}
}
