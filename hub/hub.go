// Package hub is the in-process live part of chat: it knows rooms and users as
// int64 ids and moves opaque JSON text frames ([]byte) between them over
// WebSocket connections that the app has already authenticated and accepted.
//
// It knows nothing of SQL, HTTP routing or auth. The app stores a chat message
// first and publishes it afterwards ("commit, then publish"); clients that miss
// frames (slow, reconnecting) recover by fetching the room's history.
//
// The design follows coder/websocket's chat example: each subscriber has a
// bounded outgoing buffer drained by its own writer goroutine, Publish never
// blocks, and a subscriber whose buffer is full is closed as too slow (1013).
// Unlike the example, fan-out happens under a read lock, slow subscribers are
// closed only after the lock is released, and rate limiting is per socket on
// its reader goroutine, never under the subscribers lock.
package hub

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Close codes of the chat protocol (SPEC §3) beyond the RFC 6455 ones. The hub
// also uses websocket.StatusPolicyViolation (1008, flooding),
// websocket.StatusMessageTooBig (1009), websocket.StatusTryAgainLater (1013,
// too slow) and websocket.StatusGoingAway (1001, shutdown).
const (
	StatusRoomDeleted websocket.StatusCode = 4040 // the room was deleted
	StatusBanned      websocket.StatusCode = 4003 // banned from the room
	StatusLeft        websocket.StatusCode = 4001 // left the room (this or another device)
	StatusRevoked     websocket.StatusCode = 4401 // credential revoked (logout, password change, deactivation)
)

// Messages of chat.error frames that the hub itself sends.
const (
	MsgTooFast     = "메시지를 너무 빠르게 보내고 있어요. 잠시 후 다시 보내 주세요."
	MsgTextOnly    = "텍스트 메시지만 보낼 수 있어요."
	MsgInvalidUTF8 = "메시지를 읽을 수 없어요. UTF-8 텍스트로 보내 주세요."
)

// Config tunes the hub. Zero fields take the documented defaults.
type Config struct {
	SendBuffer   int           // per-subscriber outgoing frames (default 64)
	WriteTimeout time.Duration // per frame write (default 5s)
	PingInterval time.Duration // ping and Revalidate period; a pong missing for one interval closes the socket (default 20s)
	ReadLimit    int64         // max inbound frame bytes; larger frames close the socket with 1009 (default 4096)
	RatePerSec   float64       // inbound frames per second per socket (default 5)
	Burst        int           // token bucket size (default 10)
	FloodLimit   int           // rate-limited frames in a row before closing with 1008 (default 10)
	Logger       *slog.Logger  // default: discard
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
	if c.RatePerSec <= 0 {
		c.RatePerSec = 5
	}
	if c.Burst <= 0 {
		c.Burst = 10
	}
	if c.FloodLimit <= 0 {
		c.FloodLimit = 10
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
	rooms   map[int64]map[*subscriber]struct{}
	serving int           // Serve calls that registered and have not returned
	closed  bool          // Close was called
	idle    chan struct{} // closed once closed && serving == 0
}

// New returns a hub with cfg's defaults filled in.
func New(cfg Config) *Hub {
	cfg = cfg.withDefaults()
	return &Hub{
		cfg:   cfg,
		log:   cfg.Logger,
		rooms: make(map[int64]map[*subscriber]struct{}),
		idle:  make(chan struct{}),
	}
}

// register adds s to its room. It reports false once the hub is closed.
func (h *Hub) register(s *subscriber) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	subs := h.rooms[s.m.Room]
	if subs == nil {
		subs = make(map[*subscriber]struct{})
		h.rooms[s.m.Room] = subs
	}
	subs[s] = struct{}{}
	h.serving++
	return true
}

// unregister removes s (if a kick has not already done so) and counts its Serve
// call as finished.
func (h *Hub) unregister(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s)
	h.serving--
	if h.closed && h.serving == 0 {
		close(h.idle)
	}
}

func (h *Hub) removeLocked(s *subscriber) {
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
// subscriber whose buffer is full is removed from the room and closed with 1013
// (too slow) after the lock is released; the others are not slowed down.
// The frame is shared, not copied: the caller must not modify it afterwards.
//
// Publish is the publish/subscribe seam (SPEC §4): a cross-instance broker
// would sit in front of it — the app publishes to the broker, and each
// instance's broker subscription calls Publish for its local sockets.
func (h *Hub) Publish(room int64, frame []byte) {
	var slow []*subscriber
	h.mu.RLock()
	for s := range h.rooms[room] {
		if !s.enqueue(frame) {
			slow = append(slow, s)
		}
	}
	h.mu.RUnlock()
	if len(slow) > 0 {
		h.dropSlow(slow...)
	}
}

func (h *Hub) dropSlow(slow ...*subscriber) {
	h.mu.Lock()
	for _, s := range slow {
		h.removeLocked(s)
	}
	h.mu.Unlock()
	for _, s := range slow {
		h.log.Info("hub: closing slow subscriber", "room", s.m.Room, "user", s.m.User, "buffer", h.cfg.SendBuffer)
		s.requestClose(websocket.StatusTryAgainLater, "")
	}
}

// closeWhere removes every subscriber for which match is true (from room only,
// or from all rooms when all is set) and closes it with code and reason.
func (h *Hub) closeWhere(room int64, all bool, match func(*subscriber) bool, code websocket.StatusCode, reason string) int {
	var victims []*subscriber
	h.mu.Lock()
	for r, subs := range h.rooms {
		if !all && r != room {
			continue
		}
		for s := range subs {
			if match(s) {
				victims = append(victims, s)
			}
		}
	}
	for _, s := range victims {
		h.removeLocked(s)
	}
	h.mu.Unlock()
	for _, s := range victims {
		s.requestClose(code, reason)
	}
	return len(victims)
}

// Kick closes one user's sockets in one room (all devices) with code and
// reason (StatusBanned, StatusLeft). An empty reason takes the code's default.
// The sockets leave the room at once, so frames published after Kick returns
// do not reach them.
func (h *Hub) Kick(room, user int64, code websocket.StatusCode, reason string) {
	n := h.closeWhere(room, false, func(s *subscriber) bool { return s.m.User == user }, code, reason)
	h.log.Debug("hub: kick", "room", room, "user", user, "code", int(code), "sockets", n)
}

// CloseRoom closes every socket of room with StatusRoomDeleted (4040).
func (h *Hub) CloseRoom(room int64) {
	n := h.closeWhere(room, false, func(*subscriber) bool { return true }, StatusRoomDeleted, "")
	h.log.Debug("hub: close room", "room", room, "sockets", n)
}

// KickUser closes every socket of user in every room with code and reason
// (StatusRevoked when a credential was revoked).
func (h *Hub) KickUser(user int64, code websocket.StatusCode, reason string) {
	n := h.closeWhere(0, true, func(s *subscriber) bool { return s.m.User == user }, code, reason)
	h.log.Debug("hub: kick user", "user", user, "code", int(code), "sockets", n)
}

// Users returns the sorted ids of users with at least one open socket in room.
func (h *Hub) Users(room int64) []int64 {
	h.mu.RLock()
	ids := make([]int64, 0, len(h.rooms[room]))
	for s := range h.rooms[room] {
		ids = append(ids, s.m.User)
	}
	h.mu.RUnlock()
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Stats returns the number of rooms with subscribers and of subscribed sockets.
func (h *Hub) Stats() (rooms, subscribers int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, subs := range h.rooms {
		subscribers += len(subs)
	}
	return len(h.rooms), subscribers
}

// Close closes every socket with 1001 (going away) and waits, bounded by ctx,
// until every Serve call has returned. Later Serve calls close their socket
// with 1001 at once. Close may be called more than once.
func (h *Hub) Close(ctx context.Context) error {
	var all []*subscriber
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
		s.requestClose(websocket.StatusGoingAway, "")
	}
	select {
	case <-h.idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ErrorFrame builds the chat.error event {"type":"chat.error","error":msg}
// sent to the sender alone.
func ErrorFrame(msg string) []byte {
	b, err := json.Marshal(struct {
		Type  string `json:"type"`
		Error string `json:"error"`
	}{"chat.error", msg})
	if err != nil { // cannot happen for a struct of two strings
		panic(err)
	}
	return b
}

// defaultReason is the close reason used when the caller gives none.
func defaultReason(code websocket.StatusCode) string {
	switch code {
	case StatusRoomDeleted:
		return "채팅방이 삭제되었습니다."
	case StatusBanned:
		return "채팅방에서 내보내졌습니다."
	case StatusLeft:
		return "채팅방에서 나갔습니다."
	case StatusRevoked:
		return "다시 로그인해 주세요."
	case websocket.StatusGoingAway:
		return "서버가 종료되고 있습니다."
	case websocket.StatusTryAgainLater:
		return "메시지를 따라가지 못해 연결을 끊었습니다."
	case websocket.StatusPolicyViolation:
		return "메시지를 너무 빠르게 보내 연결을 끊었습니다."
	}
	return ""
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
