package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/mealbuddy/mealbuddy/hub"
	"github.com/mealbuddy/mealbuddy/store"
)

// Chat socket input limits and the chat.error texts for bad frames.
const (
	maxChatMessageLen = 300
	msgChatTooLong    = "메시지는 300자까지 보낼 수 있어요."
	msgChatEmpty      = "메시지를 입력해 주세요."
	msgChatBadJSON    = `메시지는 {"message": "…"} 형식의 JSON으로 보내 주세요.`
	msgChatNotMember  = "채팅방에 참여하고 있지 않아 메시지를 보낼 수 없어요."
	msgChatNotStored  = "메시지를 저장하지 못했어요. 잠시 후 다시 보내 주세요."
)

// Error frames, built once and shared (the hub never modifies a frame).
var (
	frameChatTooLong   = hub.ErrorFrame(msgChatTooLong)
	frameChatEmpty     = hub.ErrorFrame(msgChatEmpty)
	frameChatBadJSON   = hub.ErrorFrame(msgChatBadJSON)
	frameChatNotMember = hub.ErrorFrame(msgChatNotMember)
	frameChatNotStored = hub.ErrorFrame(msgChatNotStored)
)

// handleChatSocket: GET /ws/chat/:id/ — the room's live chat for members.
// Everything is checked before the upgrade so that a refusal is a plain
// HTTP status: 401 without a valid credential, 403 for a cookie from a
// foreign Origin, a non-member or a banned user, 404 for a missing or
// deleted room. The URL (it may carry ?token=) is never logged.
func (s *Server) handleChatSocket(w http.ResponseWriter, r *http.Request) {
	roomID, ok := idParam(r, "id")
	if !ok {
		writeError(w, http.StatusNotFound, msgRoomNotFound)
		return
	}
	cred, err := s.authenticate(r, true)
	if err != nil {
		writeError(w, http.StatusUnauthorized, msgUnauthenticated)
		return
	}
	// A cookie rides along on any page's request, so a session is believed
	// only from our own origin. Token clients (the seed's app, API clients)
	// hold a secret no other page has, so any origin may use one.
	if cred.session != "" && !s.sameOrigin(r) {
		writeError(w, http.StatusForbidden, msgRoomForbidden)
		return
	}
	ms, err := s.store.MembershipOf(r.Context(), roomID, cred.user.ID)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	switch {
	case !ms.RoomExists:
		writeError(w, http.StatusNotFound, msgRoomNotFound)
		return
	case ms.Banned || !ms.Member:
		writeError(w, http.StatusForbidden, msgRoomForbidden)
		return
	}
	// Its own context: cancelling it closes the socket (1001) even when a
	// kick raced with the upgrade and reached the hub before Serve had
	// registered the socket; see kick. Listed before the upgrade so that
	// no such kick can miss it.
	ctx, cancel := context.WithCancel(context.Background())
	ls := s.live.add(cred.user.ID, roomID, cred, cancel)
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		// The Origin was checked above for the credential that needs it.
		OriginPatterns:  []string{"*"},
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		s.live.remove(ls)
		cancel()
		return // Accept has answered (426 for a plain GET)
	}
	userID := cred.user.ID
	member := hub.Member{
		Room: roomID,
		User: userID,
		Revalidate: func(ctx context.Context) websocket.StatusCode {
			return s.revalidateSocket(ctx, roomID, cred)
		},
	}
	// The socket lives on in a fresh goroutine and this handler returns:
	// its stack grew deep in routing, auth and SQLite, and an idle socket
	// should not keep that (nor the request) for hours. Not r.Context():
	// it must not be used after Accept; shutdown goes through hub.Close,
	// which waits for this goroutine's Serve.
	go func() {
		defer cancel()
		defer s.live.remove(ls)
		err := s.hub.Serve(ctx, c, member, func(ctx context.Context, frame []byte) []byte {
			return s.chatFrame(ctx, roomID, userID, frame)
		})
		if err != nil {
			s.log.Debug("chat socket ended", "room", roomID, "user", userID, "err", err)
		}
	}()
}

// sameOrigin reports whether the request's Origin is ours: the public URL
// when configured, else the request's own scheme://Host (the scheme from
// X-Forwarded-Proto only behind a trusted proxy).
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	want := s.origin
	if want == "" {
		scheme := "http"
		if s.requestIsHTTPS(r) {
			scheme = "https"
		}
		want = scheme + "://" + r.Host
	}
	return strings.EqualFold(origin, want)
}

// revalidateSocket runs every ping interval on each socket: it notices
// changes made elsewhere, e.g. by the CLI in another process.
func (s *Server) revalidateSocket(ctx context.Context, roomID int64, cred *credential) websocket.StatusCode {
	if !s.stillValid(ctx, cred) {
		if ctx.Err() != nil {
			return 0 // the check timed out; try again next time
		}
		return hub.StatusRevoked
	}
	ms, err := s.store.MembershipOf(ctx, roomID, cred.user.ID)
	switch {
	case err != nil:
		return 0
	case !ms.RoomExists:
		return hub.StatusRoomDeleted
	case ms.Banned:
		return hub.StatusBanned
	case !ms.Member:
		return hub.StatusLeft
	}
	return 0
}

// chatInput is what a client sends: {"message": "…"}.
type chatInput struct {
	Message *string `json:"message"`
}

// chatFrame handles one text frame: validate, store (group commit), then
// publish from the commit. Bad input answers the sender alone and changes
// nothing.
func (s *Server) chatFrame(ctx context.Context, roomID, userID int64, frame []byte) []byte {
	var in chatInput
	if err := json.Unmarshal(frame, &in); err != nil {
		return frameChatBadJSON
	}
	switch {
	case in.Message == nil || strings.TrimSpace(*in.Message) == "":
		return frameChatEmpty
	case utf8.RuneCountInString(*in.Message) > maxChatMessageLen:
		return frameChatTooLong
	}
	_, err := s.msgs.Append(ctx, store.NewMessage{RoomID: roomID, UserID: userID, Body: *in.Message},
		func(m store.Message) { s.hub.Publish(roomID, messageFrame(m)) })
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotMember):
		return frameChatNotMember
	default:
		s.log.Warn("chat message not stored", "room", roomID, "user", userID, "err", err)
		return frameChatNotStored
	}
}

// liveSocket is one accepted chat socket and the credential it opened with.
type liveSocket struct {
	user, room int64
	cred       *credential
	cancel     context.CancelFunc // ends the socket's Serve context
}

// liveSockets indexes open chat sockets by user so that a revoked
// credential can close exactly the sockets it opened.
type liveSockets struct {
	mu     sync.Mutex
	byUser map[int64]map[*liveSocket]struct{}
}

func (l *liveSockets) add(user, room int64, cred *credential, cancel context.CancelFunc) *liveSocket {
	ls := &liveSocket{user: user, room: room, cred: cred, cancel: cancel}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byUser == nil {
		l.byUser = make(map[int64]map[*liveSocket]struct{})
	}
	set := l.byUser[user]
	if set == nil {
		set = make(map[*liveSocket]struct{})
		l.byUser[user] = set
	}
	set[ls] = struct{}{}
	return ls
}

func (l *liveSockets) remove(ls *liveSocket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	set := l.byUser[ls.user]
	delete(set, ls)
	if len(set) == 0 {
		delete(l.byUser, ls.user)
	}
}

// count is the number of accepted sockets (tests compare it with the hub's).
func (l *liveSockets) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, set := range l.byUser {
		n += len(set)
	}
	return n
}

// cancel ends the Serve context of the sockets that match.
func (l *liveSockets) cancel(match func(*liveSocket) bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, set := range l.byUser {
		for ls := range set {
			if match(ls) {
				ls.cancel()
			}
		}
	}
}

func (l *liveSockets) of(user int64) []*liveSocket {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*liveSocket, 0, len(l.byUser[user]))
	for ls := range l.byUser[user] {
		out = append(out, ls)
	}
	return out
}

// kick closes a user's sockets in a room with code (4001 left, 4003
// banned). The hub closes the registered ones with that code; cancelling
// their contexts afterwards changes nothing for those (the first close
// request wins) but also closes, with 1001, a socket whose upgrade was in
// flight and not yet registered, which reconnects to learn its fate.
func (s *Server) kick(room, user int64, code websocket.StatusCode) {
	s.hub.Kick(room, user, code, "")
	s.live.cancel(func(ls *liveSocket) bool { return ls.room == room && ls.user == user })
}

// revokeSockets closes, with 4401, the user's chat sockets whose credential
// no longer works, after a logout, password change or deactivation in this
// process. The hub closes sockets per room and user, so a room where the
// user also has a socket with a credential that still works (the session
// kept by a password change, another device) is left to the per-socket
// revalidation, which closes the revoked ones within a ping interval.
func (s *Server) revokeSockets(userID int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	valid := map[*credential]bool{}
	revoke := map[int64]bool{} // room → every socket there is revoked
	for _, ls := range s.live.of(userID) {
		ok, seen := valid[ls.cred]
		if !seen {
			ok = s.stillValid(ctx, ls.cred)
			valid[ls.cred] = ok
		}
		all, seen := revoke[ls.room]
		revoke[ls.room] = !ok && (all || !seen)
	}
	for room, all := range revoke {
		if all {
			s.hub.Kick(room, userID, hub.StatusRevoked, "")
		}
	}
}
