package app

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/mealbuddy/mealbuddy/hub"
	"github.com/mealbuddy/mealbuddy/store"
)

// Close codes of the chat protocol beyond the RFC 6455 ones. The chat also
// closes with websocket.StatusPolicyViolation (1008, flooding),
// StatusMessageTooBig (1009), StatusTryAgainLater (1013, too slow) and
// StatusGoingAway (1001, shutdown).
const (
	statusRoomDeleted websocket.StatusCode = 4040 // the room was deleted
	statusBanned      websocket.StatusCode = 4003 // banned from the room
	statusLeft        websocket.StatusCode = 4001 // left the room (this or another device)
	statusRevoked     websocket.StatusCode = 4401 // credential revoked (logout, password change, deactivation)
)

// closeReason is the reason sent with each close code the chat decides.
func closeReason(code websocket.StatusCode) string {
	switch code {
	case statusRoomDeleted:
		return "채팅방이 삭제됐어요."
	case statusBanned:
		return "방장이 채팅방에서 내보냈어요."
	case statusLeft:
		return "채팅방에서 나갔어요."
	case statusRevoked:
		return "다시 로그인해 주세요."
	case websocket.StatusGoingAway:
		return "서버가 종료되고 있어요."
	case websocket.StatusTryAgainLater:
		return "메시지를 따라가지 못해 연결을 끊었어요."
	case websocket.StatusPolicyViolation:
		return "메시지를 너무 빠르게 보내 연결을 끊었어요."
	}
	return ""
}

// newChatHub is the hub of the chat sockets, with the chat's reasons for
// the closes the hub decides itself.
func newChatHub(pingInterval time.Duration, log *slog.Logger) *hub.Hub {
	return hub.New(hub.Config{
		PingInterval:    pingInterval,
		GoingAwayReason: closeReason(websocket.StatusGoingAway),
		TooSlowReason:   closeReason(websocket.StatusTryAgainLater),
		Logger:          log,
	})
}

// closeChat closes the chat sockets whose member matches with code and its
// reason, after the frames already queued for them.
func (s *Server) closeChat(match func(hub.Member) bool, code websocket.StatusCode) {
	n := s.hub.CloseWhere(match, code, closeReason(code))
	s.log.Debug("chat sockets closed", "code", int(code), "sockets", n)
}

// Chat socket input limits and the chat.error texts for bad frames.
const (
	maxChatMessageLen = 300
	maxClientIDLen    = 64
	msgChatTooLong    = "메시지는 300자까지 보낼 수 있어요."
	msgChatEmpty      = "메시지를 입력해 주세요."
	msgChatBadJSON    = `메시지는 {"message": "…"} 형식의 JSON으로 보내 주세요.`
	msgChatBadID      = "client_id는 영문, 숫자, -, _로 된 1~64자 문자열이어야 해요."
	msgChatNotMember  = "채팅방에 참여하고 있지 않아 메시지를 보낼 수 없어요."
	msgChatNotStored  = "메시지를 저장하지 못했어요. 잠시 후 다시 보내 주세요."
	msgChatTooFast    = "메시지를 너무 빠르게 보내고 있어요. 잠시 후 다시 보내 주세요."
	msgChatTextOnly   = "텍스트 메시지만 보낼 수 있어요."
	msgChatBadUTF8    = "메시지를 읽을 수 없어요. UTF-8 텍스트로 보내 주세요."
)

// Inbound rate limit per user, shared by all of the user's sockets
// (Config.ChatRate, --chat-rate): a token bucket of twice the rate refilled
// at the rate a second. Read frames take from a bucket of their own of the
// same size: the web app marks a room read as messages arrive, and that
// must never use up what the resident may send. A refused frame gets a
// chat.error, and chatFloodLimit refused frames in a row close that socket
// with 1008. Per user rather than per socket, so that more sockets do not
// mean more messages: a flooder's frames are refused (and its sockets
// closed) at the door, and the fan-out to the other members stays within
// the rate, so their buffers do not fill and nobody else is closed as too
// slow.
const (
	chatRatePerSec    = 5 // the default of --chat-rate
	chatBurst         = 2 * chatRatePerSec
	chatFloodLimit    = 10
	msgTooManySockets = "열어 둔 채팅 연결이 너무 많아요. 다른 창이나 기기의 채팅을 닫고 다시 시도해 주세요."
)

// chatAllowed takes one frame of the user's chat rate.
func (s *Server) chatAllowed(user int64) bool {
	return s.chatByUser == nil || s.chatByUser.allow(strconv.FormatInt(user, 10))
}

// readAllowed takes one read frame of the user's read budget.
func (s *Server) readAllowed(user int64) bool {
	return s.readsByUser == nil || s.readsByUser.allow(strconv.FormatInt(user, 10))
}

// socketCount counts each user's open chat sockets (Config.MaxSocketsPerUser).
// A socket over the cap is refused with 429 before the upgrade rather than
// closing the user's oldest one: a refusal is a plain status the client
// can show, and it cannot be turned against the user (a stolen token or a
// reconnecting tab would otherwise keep evicting the user's live sockets,
// and two tabs over the cap would evict each other in a loop).
type socketCount struct {
	mu     sync.Mutex
	byUser map[int64]int
}

// add counts a new socket of user, false (counting nothing) when the user
// already has max; max <= 0 is no cap.
func (c *socketCount) add(user int64, max int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byUser == nil {
		c.byUser = map[int64]int{}
	}
	if max > 0 && c.byUser[user] >= max {
		return false
	}
	c.byUser[user]++
	return true
}

// done uncounts a socket that add counted.
func (c *socketCount) done(user int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byUser[user]--; c.byUser[user] <= 0 {
		delete(c.byUser, user)
	}
}

// chatErrorEvent is the chat.error frame, to the sender alone. ClientID
// names the frame that caused it, when that frame carried a valid one.
type chatErrorEvent struct {
	Type     string `json:"type"`
	Error    string `json:"error"`
	ClientID string `json:"client_id,omitempty"`
}

func errorFrame(msg, clientID string) []byte {
	return mustJSON(chatErrorEvent{Type: "chat.error", Error: msg, ClientID: clientID})
}

// ownMessageEvent is the sender's own echo of a message it sent with a
// client_id; the other members get the plain messageEvent.
type ownMessageEvent struct {
	messageEvent
	ClientID string `json:"client_id"`
}

func ownMessageFrame(m store.Message, clientID string) []byte {
	var sender int64 // the echo goes to the sender only: its own email stays
	if m.User != nil {
		sender = m.User.ID
	}
	return mustJSON(ownMessageEvent{messageEvent{Type: "chat.message", Message: toMessageJSON(m, sender)}, clientID})
}

// Error frames without a client_id, built once and shared (the hub never
// modifies a frame).
var (
	frameChatTooFast  = errorFrame(msgChatTooFast, "")
	frameChatTextOnly = errorFrame(msgChatTextOnly, "")
	frameChatBadUTF8  = errorFrame(msgChatBadUTF8, "")
	frameChatBadJSON  = errorFrame(msgChatBadJSON, "")
	frameChatBadID    = errorFrame(msgChatBadID, "")
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
	cred, err := s.authenticateSocket(r)
	if err != nil {
		writeError(w, http.StatusUnauthorized, msgUnauthenticated)
		return
	}
	// A cookie rides along on any page's request, so a session is believed
	// only from our own origin. Token clients (the original service's app, API clients)
	// hold a secret no other page has, so any origin may use one.
	if cred.session != "" && !s.sameOrigin(r) {
		writeError(w, http.StatusForbidden, msgRoomForbidden)
		return
	}
	// Subscribed before the checks and the upgrade: a leave, ban, room
	// deletion or logout that commits after the checks below finds the
	// subscriber and closes the socket with its own code as soon as it is
	// served; one that committed before them is refused here.
	userID := cred.user.ID
	if !s.chatSockets.add(userID, s.cfg.MaxSocketsPerUser) {
		writeError(w, http.StatusTooManyRequests, msgTooManySockets)
		return
	}
	counted := true // until the serving goroutine owns the count
	defer func() {
		if counted {
			s.chatSockets.done(userID)
		}
	}()
	sub := s.hub.Subscribe(hub.Member{
		Room: roomID,
		User: userID,
		Tag:  cred,
		Revalidate: func(ctx context.Context) (websocket.StatusCode, string) {
			code := s.revalidateSocket(ctx, roomID, cred)
			return code, closeReason(code)
		},
	})
	ms, err := s.store.MembershipOf(r.Context(), roomID, userID)
	switch {
	case err != nil:
		s.hub.Unsubscribe(sub)
		s.fail(w, r, err)
		return
	case !ms.RoomExists:
		s.hub.Unsubscribe(sub)
		writeError(w, http.StatusNotFound, msgRoomNotFound)
		return
	case ms.Banned || !ms.Member:
		s.hub.Unsubscribe(sub)
		writeError(w, http.StatusForbidden, msgRoomForbidden)
		return
	case !s.stillValid(r.Context(), cred): // revoked since authenticate
		s.hub.Unsubscribe(sub)
		writeError(w, http.StatusUnauthorized, msgUnauthenticated)
		return
	}
	c, err := sub.Accept(w, r, &websocket.AcceptOptions{
		// The Origin was checked above for the credential that needs it.
		OriginPatterns:  []string{"*"},
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		s.hub.Unsubscribe(sub)
		return // Accept has answered (426 for a plain GET)
	}
	cs := &chatSocket{s: s, sub: sub, room: roomID, user: userID}
	counted = false
	// The socket lives on in a fresh goroutine and this handler returns:
	// its stack grew deep in routing, auth and SQLite, and an idle socket
	// should not keep that (nor the request) for hours. Not r.Context():
	// it must not be used after Accept; shutdown goes through hub.Close,
	// which waits for this goroutine's Serve.
	go func() {
		defer s.chatSockets.done(userID)
		if err := s.hub.Serve(context.Background(), sub, c, cs.handle); err != nil {
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
		return statusRevoked
	}
	ms, err := s.store.MembershipOf(ctx, roomID, cred.user.ID)
	switch {
	case err != nil:
		return 0
	case !ms.RoomExists:
		return statusRoomDeleted
	case ms.Banned:
		return statusBanned
	case !ms.Member:
		return statusLeft
	}
	return 0
}

// chatSocket is the app's side of one chat socket: its rate limit and the
// handling of its frames. Its fields belong to the socket's reader
// goroutine (hub.Handler runs there).
type chatSocket struct {
	s          *Server
	sub        *hub.Subscriber
	room, user int64
	refused    int // rate-limited frames in a row

	// The heartbeat's own allowance (pingAllowed): pings within it are
	// answered without taking from the user's chat rate.
	pingTokens float64
	pingAt     time.Time
}

// The application heartbeat: {"type":"ping"} is answered with
// {"type":"pong"} to the sender alone; nothing is stored or published. A
// browser cannot see WebSocket protocol pings, so this is how the web app
// notices a socket that silently stopped carrying frames. Each socket may
// ping pingBurst times at once and once every pingEvery after that without
// touching the user's chat rate, so a healthy client (one ping every 20 s,
// plus one on coming back online or visible) can never be refused or closed
// as a flooder for its pings; pings beyond that are charged like any frame.
const (
	pingBurst = 4
	pingEvery = 2 * time.Second
)

var framePong = []byte(`{"type":"pong"}`)

// maxShortFrameLen bounds the frames whose "type" is read before the rate
// limits ({"type": "read", "message_id": <19 digits>} is 51 bytes): a
// longer ping or read frame is charged to the chat rate like a message.
const maxShortFrameLen = 128

// shortFrameType is the "type" of a short text frame, "" for any other
// frame. It is read before the rate limits, so it looks at little.
func shortFrameType(typ websocket.MessageType, frame []byte) string {
	if typ != websocket.MessageText || len(frame) > maxShortFrameLen {
		return ""
	}
	var in struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(frame, &in) != nil {
		return ""
	}
	return in.Type
}

// pingAllowed takes one ping from the socket's heartbeat allowance.
func (c *chatSocket) pingAllowed(now time.Time) bool {
	if c.pingAt.IsZero() {
		c.pingTokens = pingBurst
	} else {
		c.pingTokens = min(pingBurst, c.pingTokens+float64(now.Sub(c.pingAt))/float64(pingEvery))
	}
	c.pingAt = now
	if c.pingTokens < 1 {
		return false
	}
	c.pingTokens--
	return true
}

// handle answers one inbound frame: the heartbeat, rate limit, frame
// checks, then the read marker or the message.
func (c *chatSocket) handle(ctx context.Context, typ websocket.MessageType, frame []byte) hub.Reply {
	kind := shortFrameType(typ, frame)
	ping, read := kind == "ping", kind == "read"
	if ping && c.pingAllowed(time.Now()) {
		return hub.Reply{Frame: framePong} // neither refused nor counted
	}
	allowed := c.s.chatAllowed
	if read {
		allowed = c.s.readAllowed
	}
	if !allowed(c.user) {
		c.refused++
		reply := hub.Reply{Frame: frameChatTooFast}
		if id := clientIDOf(typ, frame); id != "" {
			reply.Frame = errorFrame(msgChatTooFast, id)
		}
		if c.refused >= chatFloodLimit {
			c.s.log.Info("closing flooding chat socket", "room", c.room, "user", c.user)
			reply.Close, reply.Reason = websocket.StatusPolicyViolation, closeReason(websocket.StatusPolicyViolation)
		}
		return reply
	}
	c.refused = 0
	switch {
	case ping:
		return hub.Reply{Frame: framePong}
	case read:
		return hub.Reply{Frame: c.s.readFrame(ctx, c.room, c.user, frame)}
	case typ != websocket.MessageText:
		return hub.Reply{Frame: frameChatTextOnly}
	case !utf8.Valid(frame):
		return hub.Reply{Frame: frameChatBadUTF8}
	}
	return hub.Reply{Frame: c.message(ctx, frame)}
}

// chatInput is what a client sends: {"message": "…"}, optionally with
// "client_id": "…". Both stay raw until checked so that an error about the
// message can name a valid client_id.
type chatInput struct {
	Message  json.RawMessage `json:"message"`
	ClientID json.RawMessage `json:"client_id"`
	Type     json.RawMessage `json:"type"` // "read": a read marker (readFrame)
}

// parseClientID reads the optional client_id: absent or null is "", a string
// of 1 to 64 characters from [A-Za-z0-9_-] is itself; anything else is not ok.
func parseClientID(raw json.RawMessage) (id string, ok bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	if err := json.Unmarshal(raw, &id); err != nil || id == "" || len(id) > maxClientIDLen {
		return "", false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "", false
		}
	}
	return id, true
}

// clientIDOf is the valid client_id of a text frame, or "", for the errors
// answered before the frame is read as a message.
func clientIDOf(typ websocket.MessageType, frame []byte) string {
	var in chatInput
	if typ != websocket.MessageText || json.Unmarshal(frame, &in) != nil {
		return ""
	}
	id, _ := parseClientID(in.ClientID)
	return id
}

// message handles one text frame: validate, store (group commit), then
// publish from the commit. It returns the frame for the sender alone, or
// nil: bad input gets a chat.error and changes nothing; a resend of a
// stored client_id gets that message's echo again and stores nothing.
func (c *chatSocket) message(ctx context.Context, frame []byte) []byte {
	var in chatInput
	if err := json.Unmarshal(frame, &in); err != nil {
		return frameChatBadJSON
	}
	if string(in.Type) == `"read"` {
		return c.s.readFrame(ctx, c.room, c.user, frame)
	}
	clientID, ok := parseClientID(in.ClientID)
	if !ok {
		return frameChatBadID
	}
	var text *string
	if len(in.Message) > 0 && json.Unmarshal(in.Message, &text) != nil {
		return errorFrame(msgChatBadJSON, clientID)
	}
	switch {
	case text == nil || strings.TrimSpace(*text) == "":
		return errorFrame(msgChatEmpty, clientID)
	case utf8.RuneCountInString(*text) > maxChatMessageLen:
		return errorFrame(msgChatTooLong, clientID)
	}
	// Members who block the sender do not get the message live, as their
	// history leaves it out. Read before the commit: the publish below runs
	// on the group commit's goroutine, which must not wait on a query.
	blockers, err := c.s.users.blockersOf(ctx, c.user)
	if err != nil {
		c.s.log.Warn("chat: who blocks the sender", "err", err) // the message still goes out
	}
	publish := func(m store.Message) {
		frame := messageFrame(m)
		own := frame
		if clientID != "" {
			own = ownMessageFrame(m, clientID)
		}
		c.s.hub.PublishFrom(c.room, frame, c.sub, own, blockers)
		c.s.emitRoomEvent(roomEvent{Kind: roomMessage, RoomID: c.room, ActorID: c.user, Message: &m})
	}
	m, fresh, err := c.s.msgs.Append(ctx,
		store.NewMessage{RoomID: c.room, UserID: c.user, Body: *text, ClientID: clientID}, publish)
	switch {
	case err == nil && fresh:
		return nil // published, the sender's echo included
	case err == nil:
		return ownMessageFrame(m, clientID)
	case errors.Is(err, store.ErrNotMember):
		return errorFrame(msgChatNotMember, clientID)
	default:
		c.s.log.Warn("chat message not stored", "room", c.room, "user", c.user, "err", err)
		return errorFrame(msgChatNotStored, clientID)
	}
}
