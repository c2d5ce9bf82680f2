package hub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Handler decides what to do with one inbound text frame from a member. It
// runs on the socket's reader goroutine, so frames of one socket are handled
// in order and the next frame is not read until it returns. It returns a frame
// for the sender alone (e.g. an ErrorFrame), or nil. Publishing to the room is
// the handler's job (store, then Publish).
type Handler func(ctx context.Context, frame []byte) (reply []byte)

// Member identifies the user and room of one accepted socket.
type Member struct {
	Room, User int64

	// Revalidate, if not nil, is called every PingInterval on the socket's
	// keepalive goroutine (never concurrently with itself, never under a hub
	// lock). A non-zero code closes the socket with that code and its default
	// reason: the app uses it to notice changes made by another process, such
	// as a credential revoked from the CLI (StatusRevoked) or a membership that
	// disappeared (StatusLeft, StatusBanned, StatusRoomDeleted). Return 0 to
	// keep the socket, also when the check itself failed transiently.
	Revalidate func(ctx context.Context) websocket.StatusCode
}

// Error frames the hub sends itself; shared and never modified.
var (
	frameTooFast     = ErrorFrame(MsgTooFast)
	frameTextOnly    = ErrorFrame(MsgTextOnly)
	frameInvalidUTF8 = ErrorFrame(MsgInvalidUTF8)
)

// subscriber is one socket registered in one room.
type subscriber struct {
	m    Member
	c    *websocket.Conn
	msgs chan []byte // bounded outgoing buffer, drained by the writer goroutine

	closeOnce sync.Once
	closeReq  chan struct{} // closed when the hub decided to close the socket
	code      websocket.StatusCode
	reason    string // code and reason are written before closeReq is closed
}

func newSubscriber(m Member, c *websocket.Conn, buffer int) *subscriber {
	return &subscriber{m: m, c: c, msgs: make(chan []byte, buffer), closeReq: make(chan struct{})}
}

// enqueue offers frame to the outgoing buffer without blocking; false means
// the buffer is full.
func (s *subscriber) enqueue(frame []byte) bool {
	select {
	case s.msgs <- frame:
		return true
	default:
		return false
	}
}

// requestClose asks the writer goroutine to close the socket with code; the
// first request wins. It never blocks, so it is safe from any goroutine.
func (s *subscriber) requestClose(code websocket.StatusCode, reason string) {
	s.closeOnce.Do(func() {
		if reason == "" {
			reason = defaultReason(code)
		}
		s.code, s.reason = code, clampReason(reason)
		close(s.closeReq)
	})
}

func (s *subscriber) closing() bool {
	select {
	case <-s.closeReq:
		return true
	default:
		return false
	}
}

// closeSub takes s out of its room and asks for its socket to be closed.
func (h *Hub) closeSub(s *subscriber, code websocket.StatusCode, reason string) {
	h.mu.Lock()
	h.removeLocked(s)
	h.mu.Unlock()
	s.requestClose(code, reason)
}

// Serve runs an accepted connection until it ends. It registers the socket in
// m.Room, starts a writer goroutine (drains the bounded buffer with a write
// timeout) and a keepalive goroutine (pings and calls m.Revalidate every
// PingInterval) and reads frames in the calling goroutine. Binary frames,
// invalid UTF-8 and rate-limited frames get a chat.error reply without calling
// handle; the socket stays open unless the sender keeps flooding (1008).
//
// ctx must not be the HTTP request's context (coder/websocket: it must not be
// used after Accept); when ctx is done the socket is closed with 1001. handle
// receives ctx.
//
// Serve returns after the socket has closed, it has been unregistered and
// every goroutine it started has exited. The error is nil when the hub closed
// the socket (kick, slow, flood, shutdown, revalidation) or the peer closed it
// normally (1000, 1001 or no status); otherwise it says what went wrong
// (oversized frame, missed pong, broken connection) and is worth a debug log.
// If the hub is already closed, the socket is closed with 1001 at once.
func (h *Hub) Serve(ctx context.Context, c *websocket.Conn, m Member, handle Handler) error {
	defer c.CloseNow()
	s := newSubscriber(m, c, h.cfg.SendBuffer)
	if !h.register(s) {
		_ = c.Close(websocket.StatusGoingAway, defaultReason(websocket.StatusGoingAway))
		return nil
	}
	defer h.unregister(s)
	c.SetReadLimit(h.cfg.ReadLimit)

	stopAfter := context.AfterFunc(ctx, func() { h.closeSub(s, websocket.StatusGoingAway, "") })
	defer stopAfter()

	// loops is cancelled only once the reader has returned: reads and writes
	// must not be cut by ctx (that would drop the connection without the
	// close handshake), and the loops must not outlive the connection.
	loops, stop := context.WithCancel(context.WithoutCancel(ctx))
	var (
		wg      sync.WaitGroup
		pingErr error
	)
	wg.Go(func() { h.writeLoop(loops, s) })
	wg.Go(func() { pingErr = h.keepalive(loops, s) })
	defer func() { stop(); wg.Wait() }() // also if handle panics
	err := h.readLoop(ctx, loops, s, handle)
	stop()
	wg.Wait()
	if pingErr != nil {
		err = pingErr // the cause; the reader only saw the connection cut
	}
	h.log.Debug("hub: socket closed", "room", m.Room, "user", m.User, "err", err)
	return err
}

// readLoop reads frames until the connection fails or closes.
func (h *Hub) readLoop(ctx, loops context.Context, s *subscriber, handle Handler) error {
	lim := newBucket(h.cfg.RatePerSec, h.cfg.Burst, time.Now())
	rejected := 0 // rate-limited frames in a row
	for {
		typ, data, err := s.c.Read(loops)
		if err != nil {
			return h.readErr(s, err)
		}
		if s.closing() {
			continue // keep reading until the peer answers our close frame
		}
		if !lim.allow(time.Now()) {
			rejected++
			h.reply(s, frameTooFast)
			if rejected >= h.cfg.FloodLimit {
				h.log.Info("hub: closing flooding socket", "room", s.m.Room, "user", s.m.User)
				h.closeSub(s, websocket.StatusPolicyViolation, "")
			}
			continue
		}
		rejected = 0
		switch {
		case typ != websocket.MessageText:
			h.reply(s, frameTextOnly)
		case !utf8.Valid(data):
			h.reply(s, frameInvalidUTF8)
		default:
			if r := handle(ctx, data); r != nil {
				h.reply(s, r)
			}
		}
	}
}

// reply queues a frame for the sender alone; a full buffer makes it too slow.
func (h *Hub) reply(s *subscriber, frame []byte) {
	if !s.enqueue(frame) {
		h.dropSlow(s)
	}
}

func (h *Hub) readErr(s *subscriber, err error) error {
	if errors.Is(err, websocket.ErrMessageTooBig) {
		// coder/websocket has sent close 1009 but left the connection open;
		// finish the handshake so the peer reliably sees the code.
		_ = s.c.Close(websocket.StatusMessageTooBig, "")
		return fmt.Errorf("hub: read: %w", err)
	}
	if s.closing() {
		return nil
	}
	switch websocket.CloseStatus(err) {
	case websocket.StatusNormalClosure, websocket.StatusGoingAway, websocket.StatusNoStatusRcvd:
		return nil
	}
	return fmt.Errorf("hub: read: %w", err)
}

// writeLoop drains the buffer until the socket is to be closed or the reader
// has returned. A hub close request takes priority over queued frames so a
// kicked or slow socket does not get more than it already has in flight.
func (h *Hub) writeLoop(loops context.Context, s *subscriber) {
	for {
		select {
		case <-s.closeReq:
			h.closeConn(loops, s)
			return
		default:
		}
		select {
		case <-loops.Done():
			return
		case <-s.closeReq:
			h.closeConn(loops, s)
			return
		case f := <-s.msgs:
			if err := h.write(loops, s, f); err != nil {
				// A timed-out write has closed the connection; other errors
				// mean it is broken or closing. The reader will return.
				h.log.Debug("hub: write failed", "room", s.m.Room, "user", s.m.User, "err", err)
				return
			}
		}
	}
}

func (h *Hub) write(ctx context.Context, s *subscriber, frame []byte) error {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.WriteTimeout)
	defer cancel()
	return s.c.Write(ctx, websocket.MessageText, frame)
}

// closeConn sends what is already queued (except to a slow consumer, whose
// buffer is full because it is not reading) and closes with the requested
// code. Close waits for the peer's close frame, which the reader receives.
func (h *Hub) closeConn(ctx context.Context, s *subscriber) {
	if s.code != websocket.StatusTryAgainLater {
	flush:
		for {
			select {
			case f := <-s.msgs:
				if h.write(ctx, s, f) != nil {
					break flush
				}
			default:
				break flush
			}
		}
	}
	if err := s.c.Close(s.code, s.reason); err != nil {
		h.log.Debug("hub: close", "room", s.m.Room, "user", s.m.User, "code", int(s.code), "err", err)
	}
}

// keepalive pings every PingInterval and revalidates the member. A missing
// pong closes the connection at once: the peer is gone or hopelessly behind,
// and a close handshake would only wait for it. Pinging here rather than on
// the writer keeps the pong round trip from stalling deliveries.
func (h *Hub) keepalive(loops context.Context, s *subscriber) error {
	t := time.NewTicker(h.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-loops.Done():
			return nil
		case <-s.closeReq:
			return nil
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(loops, h.cfg.PingInterval)
		if s.m.Revalidate != nil {
			if code := s.m.Revalidate(ctx); code != 0 {
				cancel()
				h.log.Debug("hub: revalidation closes socket", "room", s.m.Room, "user", s.m.User, "code", int(code))
				h.closeSub(s, code, "")
				return nil
			}
		}
		err := s.c.Ping(ctx)
		cancel()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || loops.Err() != nil || s.closing() {
				return nil // closing anyway
			}
			_ = s.c.CloseNow()
			return fmt.Errorf("hub: keepalive: %w", err)
		}
	}
}
