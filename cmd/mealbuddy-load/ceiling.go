package main

// The ceiling: what the same machine serves with no database, no auth and
// no application logic. Its HTTP side answers each request with the bytes
// the real server gave to the same request (uploaded by the driver before a
// run, see capture); its chat side is a coder/websocket fan-out in the
// shape of the hub (a bounded buffer and a writer goroutine per socket)
// that stores nothing. It listens on loopback only.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// capturePath is where the driver uploads captured answers.
const capturePath = "/_load/capture"

type ceilingServer struct {
	mu      sync.RWMutex
	exact   map[string]captured // "METHOD uri"
	pattern map[string]captured // "METHOD uri" with numbers as :id

	chatMu sync.RWMutex
	rooms  map[int64]map[*ceilingSub]struct{}
	nextID atomic.Int64
}

type ceilingSub struct {
	msgs chan []byte
	gone chan struct{}
	once sync.Once
}

var numSegment = regexp.MustCompile(`/[0-9]+/`)

func patternKey(method, uri string) string {
	path, _, _ := strings.Cut(uri, "?")
	return method + " " + numSegment.ReplaceAllString(path, "/:id/")
}

func ceilingMode(o options) error {
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", o.addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--addr %q: the ceiling listens on loopback only", o.addr)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	c := &ceilingServer{exact: map[string]captured{}, pattern: map[string]captured{}, rooms: map[int64]map[*ceilingSub]struct{}{}}
	srv := &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	fmt.Printf("ceiling listening on http://%s (pid %d)\n", ln.Addr(), os.Getpid())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (c *ceilingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == capturePath && r.Method == http.MethodPost:
		c.upload(w, r)
		return
	case strings.HasPrefix(r.URL.Path, "/ws/chat/"):
		c.chat(w, r)
		return
	}
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
	}
	c.mu.RLock()
	cp, ok := c.exact[r.Method+" "+r.URL.RequestURI()]
	if !ok {
		cp, ok = c.pattern[patternKey(r.Method, r.URL.RequestURI())]
	}
	c.mu.RUnlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", cp.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(cp.Body)))
	w.WriteHeader(cp.Status)
	w.Write(cp.Body)
}

func (c *ceilingServer) upload(w http.ResponseWriter, r *http.Request) {
	var caps []captured
	if err := json.NewDecoder(io.LimitReader(r.Body, 256<<20)).Decode(&caps); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	for _, cp := range caps {
		c.exact[cp.Method+" "+cp.URI] = cp
		if k := patternKey(cp.Method, cp.URI); c.pattern[k].Method == "" {
			c.pattern[k] = cp
		}
	}
	c.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// ceilingMessage mirrors the server's chat.message frame.
type ceilingMessage struct {
	Type    string `json:"type"`
	Message struct {
		ID        int64  `json:"id"`
		Message   string `json:"message"`
		CreatedAt string `json:"created_at"`
		Chatroom  int64  `json:"chatroom"`
		User      struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
		} `json:"user"`
	} `json:"message"`
}

func (c *ceilingServer) chat(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(r.URL.Path, "/ws/chat/"), "/"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(4096)
	s := &ceilingSub{msgs: make(chan []byte, 64), gone: make(chan struct{})}
	c.chatMu.Lock()
	if c.rooms[id] == nil {
		c.rooms[id] = map[*ceilingSub]struct{}{}
	}
	c.rooms[id][s] = struct{}{}
	c.chatMu.Unlock()
	defer func() {
		c.chatMu.Lock()
		delete(c.rooms[id], s)
		if len(c.rooms[id]) == 0 {
			delete(c.rooms, id)
		}
		c.chatMu.Unlock()
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // writer
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.gone:
				conn.Close(websocket.StatusTryAgainLater, "too slow")
				return
			case f := <-s.msgs:
				wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
				err := conn.Write(wctx, websocket.MessageText, f)
				wcancel()
				if err != nil {
					return
				}
			}
		}
	}()
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var in struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &in) != nil {
			continue
		}
		var m ceilingMessage
		m.Type = "chat.message"
		m.Message.ID = c.nextID.Add(1)
		m.Message.Message = in.Message
		m.Message.CreatedAt = time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
		m.Message.Chatroom = id
		m.Message.User.Username = "load"
		frame, _ := json.Marshal(m)
		c.chatMu.RLock()
		for sub := range c.rooms[id] {
			select {
			case sub.msgs <- frame:
			default:
				sub.once.Do(func() { close(sub.gone) })
			}
		}
		c.chatMu.RUnlock()
	}
}
