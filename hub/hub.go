// Package hub is the in-process live part of chat: it knows rooms and users as
// int64 ids and moves opaque text frames ([]byte) between them over WebSocket
// connections that the app has already authenticated.
//
// It knows nothing of SQL, HTTP routing, auth or the chat protocol: the app
// builds every frame, decides every close code and reason, and rate-limits
// inbound frames in its Handler. The app stores a chat message first and
// publishes it afterwards ("commit, then publish"); clients that miss frames
// (slow, reconnecting) recover by fetching the room's history.
//
// The hub is the only owner of live sockets. The app subscribes a member
// before the WebSocket upgrade (as coder/websocket's chat example does), so a
// CloseWhere that runs during the upgrade finds it, and one tag-based
// CloseWhere serves every kick (leave, ban, room deletion, revoked login).
//
// The design follows coder/websocket's chat example: each subscriber has a
// bounded outgoing buffer drained by its own writer goroutine, Publish never
// blocks, and a subscriber whose buffer is full is closed as too slow (1013).
// A socket accepted with Subscriber.Accept gets what is queued for it in
// one network write per batch rather than one per frame.
// Unlike the example, fan-out happens under a read lock and slow subscribers
// are closed only after the lock is released. A close never overtakes frames
// already queued for that socket (except a too slow one's, which is not
// reading): a kicked socket first receives what was published before the
// kick, then its close frame.
package hub

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Config tunes the hub. Zero fields take the documented defaults.
type Config struct {
	SendBuffer   int           // per-subscriber outgoing frames (default 64)
	WriteTimeout time.Duration // per network write: a frame, or a batch of them (Subscriber.Accept) (default 5s)
	PingInterval time.Duration // ping and Revalidate period; a pong missing for one interval closes the socket (default 20s)
	ReadLimit    int64         // max inbound frame bytes; larger frames close the socket with 1009 (default 4096)

	// Reasons of the closes the hub decides itself: 1001 on shutdown (Close,
	// or Serve's context done) and 1013 for a subscriber too slow to keep up.
	GoingAwayReason string
	TooSlowReason   string

	Logger *slog.Logger // default: discard
}

func (c Config) withDefaults() Config {
	if c.SendBuffer <= 0 {
		c.SendBuffer = 64
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 5 * time.Second
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 20 * time.Second
	}
	if c.ReadLimit <= 0 {
		c.ReadLimit = 4096
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Hub holds the rooms and their subscribers. It is safe for concurrent use.
type Hub struct {
	cfg Config
	log *slog.Logger

	mu      sync.RWMutex
	rooms   map[int64]map[*Subscriber]struct{}
	serving int           // subscribers counted and not yet unsubscribed
	closed  bool          // Close was called
	idle    chan struct{} // closed once closed && serving == 0
}

// New returns a hub with cfg's defaults filled in.
func New(cfg Config) *Hub {
	cfg = cfg.withDefaults()
	return &Hub{
		cfg:   cfg,
		log:   cfg.Logger,
		rooms: make(map[int64]map[*Subscriber]struct{}),
		idle:  make(chan struct{}),
	}
}

// Subscribe adds m to its room before its socket exists: call it before
// websocket.Accept, then hand the result to Serve, or to Unsubscribe when
// the upgrade fails. Frames published meanwhile are queued (up to
// SendBuffer) and a CloseWhere that matches m marks it closed, so Serve
// delivers the queued frames and then closes the socket with that code.
//
// On a closed hub the subscriber is not added: Serve closes its socket with
// 1001 at once.
func (h *Hub) Subscribe(m Member) *Subscriber {
	s := newSubscriber(m, h.cfg)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.requestClose(websocket.StatusGoingAway, h.cfg.GoingAwayReason)
		s.unsubOnce.Do(func() {}) // never counted, nothing to undo
		return s
	}
	subs := h.rooms[m.Room]
	if subs == nil {
		subs = make(map[*Subscriber]struct{})
		h.rooms[m.Room] = subs
	}
	subs[s] = struct{}{}
	h.serving++
	return s
}

// Unsubscribe removes s (if a close has not already done so) and stops
// counting it for Close. Serve does this itself when it returns; call it
// directly only for a subscriber that never reached Serve. It may be called
// more than once.
func (h *Hub) Unsubscribe(s *Subscriber) {
	s.unsubOnce.Do(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.removeLocked(s)
		h.serving--
		if h.closed && h.serving == 0 {
			close(h.idle)
		}
	})
}

func (h *Hub) removeLocked(s *Subscriber) {
	subs := h.rooms[s.m.Room]
	if _, ok := subs[s]; !ok {
		return
	}
	delete(subs, s)
	if len(subs) == 0 {
		delete(h.rooms, s.m.Room)
	}
}

// Publish fans frame out to every subscriber of room. It never blocks: a
// subscriber whose buffer is full is removed from the room and closed with
// 1013 (too slow) after the lock is released; the others are not slowed
// down. The frame is shared, not copied: the caller must not modify it
// afterwards.
//
// Publish is the publish/subscribe seam: a cross-instance broker would sit
// in front of it — the app publishes to the broker, and each instance's
// broker subscription calls Publish for its local sockets.
func (h *Hub) Publish(room int64, frame []byte) {
	h.PublishFrom(room, frame, nil, nil, nil)
}

// PublishFrom is Publish, except that sender (the subscriber whose frame
// caused this one) receives own instead of frame, in the same place of its
// queue, and that subscribers of the users in except receive nothing (the
// app's blocks). A sender that has left the room receives nothing.
func (h *Hub) PublishFrom(room int64, frame []byte, sender *Subscriber, own []byte, except []int64) {
	var slow []*Subscriber
	h.mu.RLock()
	for s := range h.rooms[room] {
		f := frame
		if s == sender {
			f = own
		} else if slices.Contains(except, s.m.User) {
			continue
		}
		if !s.enqueue(f) {
			slow = append(slow, s)
		}
	}
	h.mu.RUnlock()
	if len(slow) > 0 {
		h.dropSlow(slow...)
	}
}

func (h *Hub) dropSlow(slow ...*Subscriber) {
	h.mu.Lock()
	for _, s := range slow {
		h.removeLocked(s)
	}
	h.mu.Unlock()
	for _, s := range slow {
		h.log.Info("hub: closing slow subscriber", "room", s.m.Room, "user", s.m.User, "buffer", h.cfg.SendBuffer)
		s.requestClose(websocket.StatusTryAgainLater, h.cfg.TooSlowReason)
	}
}

// CloseWhere removes every subscriber whose Member matches from its room and
// closes its socket with code and reason, after the frames already queued
// for it. Frames published after CloseWhere returns do not reach them. It
// returns how many subscribers it closed.
//
// match runs outside the hub's lock, on the caller's goroutine, once per
// subscriber (in no particular order), so it may take its time (e.g. ask
// the database); it sees each Member as it was subscribed.
func (h *Hub) CloseWhere(match func(Member) bool, code websocket.StatusCode, reason string) int {
	h.mu.RLock()
	var all []*Subscriber
	for _, subs := range h.rooms {
		for s := range subs {
			all = append(all, s)
		}
	}
	h.mu.RUnlock()
	victims := all[:0]
	for _, s := range all {
		if match(s.m) {
			victims = append(victims, s)
		}
	}
	if len(victims) == 0 {
		return 0
	}
	h.mu.Lock()
	for _, s := range victims {
		h.removeLocked(s)
	}
	h.mu.Unlock()
	for _, s := range victims {
		s.requestClose(code, reason)
	}
	h.log.Debug("hub: close where", "code", int(code), "sockets", len(victims))
	return len(victims)
}

// Close closes every socket with 1001 (going away) and waits, bounded by
// ctx, until every subscriber has been unsubscribed (every Serve call has
// returned). Later subscribers are closed with 1001 at once. Close may be
// called more than once.
func (h *Hub) Close(ctx context.Context) error {
	var all []*Subscriber
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		for _, subs := range h.rooms {
			for s := range subs {
				all = append(all, s)
			}
		}
		clear(h.rooms)
		if h.serving == 0 {
			close(h.idle)
		}
	}
	h.mu.Unlock()
	for _, s := range all {
		s.requestClose(websocket.StatusGoingAway, h.cfg.GoingAwayReason)
	}
	select {
	case <-h.idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// maxCloseReason is the longest close reason a control frame can carry; a
// longer one would make coder/websocket replace the code with 1011.
const maxCloseReason = 123

func clampReason(s string) string {
	if len(s) <= maxCloseReason {
		return s
	}
	s = s[:maxCloseReason]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
