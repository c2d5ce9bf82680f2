package hub

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Accept upgrades the request to s's WebSocket, as websocket.Accept does,
// over a connection that lets Serve's writer send the frames queued for s
// with one write to the network instead of one each.
//
// coder/websocket flushes its buffered writer at the end of every message,
// so a busy socket costs a write syscall (and, through a context timeout,
// a timer) per frame: in a profile of 600 rooms × 5 members that was half
// of the server's CPU. Under the socket, a batchConn collects what the
// writer writes while it drains the queue ("corked") and hands it to the
// network in one write with the hub's WriteTimeout as the deadline. What
// coder/websocket writes outside a batch (pongs, pings, close frames) goes
// straight through. A socket accepted with websocket.Accept instead still
// works, one write per frame.
func (s *Subscriber) Accept(w http.ResponseWriter, r *http.Request, opts *websocket.AcceptOptions) (*websocket.Conn, error) {
	return websocket.Accept(&batchHijacker{ResponseWriter: w, s: s}, r, opts)
}

// Socket buffer sizes. net/http hands a hijacked connection over with its
// 4 KiB reader and writer; a chat socket reads frames of a few hundred
// bytes (Config.ReadLimit) and writes through a batchConn that does its own
// buffering, so smaller ones keep 10,000 idle sockets from holding 80 MB.
const (
	socketReadBuffer  = 1 << 10
	socketWriteBuffer = 512
)

// batchHijacker is the ResponseWriter websocket.Accept sees: its Hijack
// puts a batchConn under the socket and records it on the subscriber.
type batchHijacker struct {
	http.ResponseWriter
	s *Subscriber
}

func (b *batchHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(b.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	bc := &batchConn{Conn: conn, timeout: b.s.writeTimeout}
	rd := brw.Reader
	// Bytes the client sent right after its upgrade request are in the old
	// reader; they move to the smaller one (coder/websocket reads them from
	// whatever reader it is given).
	if n := rd.Buffered(); n <= socketReadBuffer {
		pending, _ := rd.Peek(n)
		pending = bytes.Clone(pending)
		rd = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(pending), bc), socketReadBuffer)
		if _, err := rd.Peek(len(pending)); err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("hub: carry buffered bytes over: %w", err)
		}
	}
	b.s.bc = bc
	return bc, bufio.NewReadWriter(rd, bufio.NewWriterSize(bc, socketWriteBuffer)), nil
}

// maxBatchBytes bounds one batch: the writer stops draining the queue once
// this much is buffered, writes it and goes on with the next batch.
const maxBatchBytes = 32 << 10

// batchBufs recycles batch buffers, so that an idle socket holds none.
var batchBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// errBatchFailed is what writes get after a batch failed to go out: the
// stream is cut somewhere in the middle of a frame and must not go on.
var errBatchFailed = errors.New("hub: connection failed during a batched write")

// batchConn is the connection under a socket accepted with
// Subscriber.Accept. Between cork and uncork, writes are collected in
// memory (so they never block); uncork writes them in one go. Writes
// outside a batch go straight to the connection. Every write to the
// network has the hub's WriteTimeout as its deadline; a failed one fails
// every later write.
type batchConn struct {
	net.Conn
	timeout time.Duration

	mu     sync.Mutex // serialises writes and orders them with uncork
	corked bool
	buf    *[]byte // while corked, from batchBufs
	err    error   // sticky: the first failed network write
	writes int     // network writes (tests count them)
}

func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	if b.corked {
		*b.buf = append(*b.buf, p...)
		return len(p), nil
	}
	return b.writeLocked(p)
}

func (b *batchConn) writeLocked(p []byte) (int, error) {
	if err := b.Conn.SetWriteDeadline(time.Now().Add(b.timeout)); err != nil {
		b.err = err
		return 0, err
	}
	b.writes++
	n, err := b.Conn.Write(p)
	if err != nil {
		b.err = fmt.Errorf("%w: %w", errBatchFailed, err)
	}
	return n, err
}

// cork starts a batch.
func (b *batchConn) cork() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.corked = true
	b.buf = batchBufs.Get().(*[]byte)
}

// buffered is how many bytes the current batch holds.
func (b *batchConn) buffered() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(*b.buf)
}

// uncork writes the batch to the network and ends it.
func (b *batchConn) uncork() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	buf := b.buf
	b.corked, b.buf = false, nil
	var err error
	if len(*buf) > 0 && b.err == nil {
		_, err = b.writeLocked(*buf)
	}
	if cap(*buf) <= maxBatchBytes*2 {
		*buf = (*buf)[:0]
		batchBufs.Put(buf)
	}
	if err == nil {
		err = b.err
	}
	return err
}
