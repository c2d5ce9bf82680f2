package hub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Reply is a Handler's answer to one inbound frame.
type Reply struct {
	// Frame, if not nil, goes to the sender alone (after whatever is
	// already queued for it).
	Frame []byte
	// Close, if not 0, closes the socket with Close and Reason after Frame.
	Close  websocket.StatusCode
	Reason string
}

// Handler decides what to do with one inbound frame (text or binary; the
// hub does not look inside). It runs on the socket's reader goroutine, so
// frames of one socket are handled in order and the next frame is not read
// until it returns. Publishing to the room is the handler's job (store,
// then Publish).
type Handler func(ctx context.Context, typ websocket.MessageType, frame []byte) Reply

// Member identifies the user and room of one socket.
type Member struct {
	Room, User int64

	// Tag is opaque to the hub: whatever the app needs to pick this socket
	// in CloseWhere (e.g. the credential it was opened with).
	Tag any

	// Revalidate, if not nil, is called every PingInterval on the socket's
	// keepalive goroutine (never concurrently with itself, never under a hub
	// lock). A non-zero code closes the socket with that code and reason:
	// the app uses it to notice changes made by another process, such as a
	// credential revoked from the CLI. Return 0 to keep the socket, also
	// when the check itself failed transiently.
	Revalidate func(ctx context.Context) (code websocket.StatusCode, reason string)
}

// Subscriber is one member's socket in its room, from Subscribe (before the
// upgrade) until Serve returns.
type Subscriber struct {
	m    Member
	msgs chan []byte // bounded outgoing buffer, drained by the writer goroutine

	writeTimeout time.Duration
	bc           *batchConn // set by Accept before Serve; nil: one write per frame

	unsubOnce sync.Once

	closeOnce sync.Once
	closeReq  chan struct{} // closed when the hub decided to close the socket
	code      websocket.StatusCode
	reason    string // code and reason are written before closeReq is closed
}

func newSubscriber(m Member, cfg Config) *Subscriber {
	return &Subscriber{m: m, msgs: make(chan []byte, cfg.SendBuffer), writeTimeout: cfg.WriteTimeout, closeReq: make(chan struct{})}
}

// enqueue offers frame to the outgoing buffer without blocking; false means
// the buffer is full.
func (s *Subscriber) enqueue(frame []byte) bool {
	select {
	case s.msgs <- frame:
		return true
	default:
		return false
	}
}

// requestClose asks the writer goroutine to close the socket with code; the
// first request wins. It never blocks, so it is safe from any goroutine.
func (s *Subscriber) requestClose(code websocket.StatusCode, reason string) {
	s.closeOnce.Do(func() {
		s.code, s.reason = code, clampReason(reason)
		close(s.closeReq)
	})
}

func (s *Subscriber) closing() bool {
	select {
	case <-s.closeReq:
		return true
	default:
		return false
	}
}

// closeSub takes s out of its room and asks for its socket to be closed.
func (h *Hub) closeSub(s *Subscriber, code websocket.StatusCode, reason string) {
	h.mu.Lock()
	h.removeLocked(s)
	h.mu.Unlock()
	s.requestClose(code, reason)
}

// Serve runs the accepted connection c of subscriber s until it ends. It
// starts a writer goroutine (drains the bounded buffer with a write timeout)
// and a keepalive timer (pings and calls Revalidate every PingInterval)
// and reads frames in the calling goroutine, handing each to handle. If s
// was closed before Serve (a CloseWhere during the upgrade, a closed hub),
// the socket gets what was queued and then that close at once.
//
// ctx must not be the HTTP request's context (coder/websocket: it must not
// be used after Accept); when ctx is done the socket is closed with 1001.
// handle receives ctx.
//
// Serve returns after the socket has closed, s has been unsubscribed and
// every goroutine it started has exited. The error is nil when the hub
// closed the socket (CloseWhere, a handler's close, slow, shutdown,
// revalidation) or the peer closed it normally (1000, 1001 or no status);
// otherwise it says what went wrong (oversized frame, missed pong, broken
// connection) and is worth a debug log.
func (h *Hub) Serve(ctx context.Context, s *Subscriber, c *websocket.Conn, handle Handler) error {
	defer c.CloseNow()
	defer h.Unsubscribe(s)
	c.SetReadLimit(h.cfg.ReadLimit)

	stopAfter := context.AfterFunc(ctx, func() { h.closeSub(s, websocket.StatusGoingAway, h.cfg.GoingAwayReason) })
	defer stopAfter()

	// loops is cancelled only once the reader has returned: reads and writes
	// must not be cut by ctx (that would drop the connection without the
	// close handshake), and the loops must not outlive the connection.
	loops, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { h.writeLoop(loops, s, c) })
	k := h.startKeepalive(loops, s, c)
	defer func() { stop(); wg.Wait(); k.stop() }() // also if handle panics
	err := h.readLoop(ctx, s, c, handle)
	stop()
	wg.Wait()
	if pingErr := k.stop(); pingErr != nil {
		err = pingErr // the cause; the reader only saw the connection cut
	}
	h.log.Debug("hub: socket closed", "room", s.m.Room, "user", s.m.User, "err", err)
	return err
}

// readLoop reads frames until the connection fails or closes. Its reads
// need no context that can end: loops ends only after readLoop returned,
// and a read ends when the connection closes (the writer's close
// handshake, a missed pong, a failed write). A context without Done spares
// coder/websocket a timer (context.AfterFunc) per frame read.
func (h *Hub) readLoop(ctx context.Context, s *Subscriber, c *websocket.Conn, handle Handler) error {
	reads := context.Background()
	for {
		typ, data, err := c.Read(reads)
		if err != nil {
			return h.readErr(s, c, err)
		}
		if s.closing() {
			continue // keep reading until the peer answers our close frame
		}
		r := handle(ctx, typ, data)
		if r.Frame != nil && !s.enqueue(r.Frame) {
			h.dropSlow(s)
		}
		if r.Close != 0 {
			h.closeSub(s, r.Close, r.Reason)
		}
	}
}

func (h *Hub) readErr(s *Subscriber, c *websocket.Conn, err error) error {
	if errors.Is(err, websocket.ErrMessageTooBig) {
		// coder/websocket has sent close 1009 but left the connection open;
		// finish the handshake so the peer reliably sees the code.
		_ = c.Close(websocket.StatusMessageTooBig, "")
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
// has returned.
func (h *Hub) writeLoop(loops context.Context, s *Subscriber, c *websocket.Conn) {
	for {
		select {
		case <-loops.Done():
			return
		case <-s.closeReq:
			h.closeConn(loops, s, c)
			return
		case f := <-s.msgs:
			if err := h.writeQueued(loops, s, c, f); err != nil {
				// A timed-out write has closed the connection; other errors
				// mean it is broken or closing. The reader will return.
				h.log.Debug("hub: write failed", "room", s.m.Room, "user", s.m.User, "err", err)
				return
			}
		}
	}
}

// writeQueued writes first and then, in order, whatever else is queued for
// s right now. On a socket accepted with Subscriber.Accept they go out as
// one batch: one network write (with WriteTimeout as its deadline) for up
// to maxBatchBytes of frames. The queue stays bounded by SendBuffer; a
// batch only takes what is already in it, so a slow consumer still fills
// it up and is closed as too slow.
func (h *Hub) writeQueued(ctx context.Context, s *Subscriber, c *websocket.Conn, first []byte) error {
	if s.bc == nil {
		return h.write(ctx, c, first)
	}
	// Frames are written to memory while corked, so they need no timeout
	// of their own: a context without a deadline spares coder/websocket a
	// timer per frame. The network write in uncork has the deadline.
	wctx := context.Background()
	s.bc.cork()
	err := c.Write(wctx, websocket.MessageText, first)
batch:
	for err == nil && s.bc.buffered() < maxBatchBytes {
		select {
		case f := <-s.msgs:
			err = c.Write(wctx, websocket.MessageText, f)
		default:
			break batch
		}
	}
	// What was written before an error (say, the close frame the reader
	// sent for an oversized frame) still goes out.
	if uerr := s.bc.uncork(); uerr != nil {
		_ = c.CloseNow() // the network write failed: the stream may end mid-frame
		return uerr
	}
	return err
}

func (h *Hub) write(ctx context.Context, c *websocket.Conn, frame []byte) error {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.WriteTimeout)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, frame)
}

// closeConn sends what is already queued — a close never overtakes frames
// published before it — except to a slow consumer, whose buffer is full
// because it is not reading, and then closes with the requested code.
// Close waits for the peer's close frame, which the reader receives.
func (h *Hub) closeConn(ctx context.Context, s *Subscriber, c *websocket.Conn) {
	if s.code != websocket.StatusTryAgainLater {
	flush:
		for {
			select {
			case f := <-s.msgs:
				if h.writeQueued(ctx, s, c, f) != nil {
					break flush
				}
			default:
				break flush
			}
		}
	}
	if err := c.Close(s.code, s.reason); err != nil {
		h.log.Debug("hub: close", "room", s.m.Room, "user", s.m.User, "code", int(s.code), "err", err)
	}
}

// keepalive pings every PingInterval and revalidates the member. A missing
// pong closes the connection at once: the peer is gone or hopelessly behind,
// and a close handshake would only wait for it. Pinging apart from the
// writer keeps the pong round trip from stalling deliveries.
//
// It is a timer, not a goroutine per socket: each round runs in the
// timer's own short-lived goroutine and arms the timer for the next one
// when it is done (so rounds never overlap). A goroutine per socket that
// sleeps for PingInterval kept its stack, grown by Revalidate's database
// query, for the socket's whole life; with 10,000 sockets that was a
// third of their goroutines and most of their stack memory.
type keepalive struct {
	h     *Hub
	s     *Subscriber
	c     *websocket.Conn
	loops context.Context

	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
	running sync.WaitGroup // the round in progress
	err     error          // why a round closed the connection
}

func (h *Hub) startKeepalive(loops context.Context, s *Subscriber, c *websocket.Conn) *keepalive {
	k := &keepalive{h: h, s: s, c: c, loops: loops}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.timer = time.AfterFunc(h.cfg.PingInterval, k.round)
	return k
}

// stop ends the rounds and waits for one in progress (cancel loops first,
// so that its ping returns); it returns why a round closed the connection,
// or nil.
func (k *keepalive) stop() error {
	k.mu.Lock()
	k.stopped = true
	k.timer.Stop()
	k.mu.Unlock()
	k.running.Wait()
	return k.err
}

func (k *keepalive) round() {
	k.mu.Lock()
	if k.stopped {
		k.mu.Unlock()
		return
	}
	k.running.Add(1)
	k.mu.Unlock()
	defer k.running.Done()
	if !k.ping() {
		return
	}
	k.mu.Lock()
	if !k.stopped {
		k.timer.Reset(k.h.cfg.PingInterval)
	}
	k.mu.Unlock()
}

// ping revalidates and pings once; false means the socket is closing and
// no further round is due.
func (k *keepalive) ping() bool {
	h, s, c, loops := k.h, k.s, k.c, k.loops
	if loops.Err() != nil || s.closing() {
		return false
	}
	ctx, cancel := context.WithTimeout(loops, h.cfg.PingInterval)
	defer cancel()
	if s.m.Revalidate != nil {
		if code, reason := s.m.Revalidate(ctx); code != 0 {
			h.log.Debug("hub: revalidation closes socket", "room", s.m.Room, "user", s.m.User, "code", int(code))
			h.closeSub(s, code, reason)
			return false
		}
	}
	err := c.Ping(ctx)
	if err == nil {
		return true
	}
	if errors.Is(err, net.ErrClosed) || loops.Err() != nil || s.closing() {
		return false // closing anyway
	}
	_ = c.CloseNow()
	k.err = fmt.Errorf("hub: keepalive: %w", err) // read by stop after running.Wait
	return false
}
