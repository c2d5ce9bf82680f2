package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/mealbuddy/mealbuddy/hub"
	"github.com/mealbuddy/mealbuddy/store"
)

// /ws/me/ (issue 13): one live channel per signed-in browser that tells the
// "My chats" list what changed in the user's rooms, without a socket per
// room. Its sockets live in the chat hub under the room id -userID (room
// ids are positive, so they never meet a room's sockets), which gives them
// the hub's buffers, pings and shutdown, and lets the CloseWhere paths of
// logout, password change and deactivation (sessionEnded, revokeSockets)
// close them with the room sockets.

// meRoom is the hub room of a user's /ws/me/ sockets.
func meRoom(userID int64) int64 { return -userID }

// meWindow is how long the feed gathers events before it renders them: at
// most one room.updated per room and recipient per window, so a busy room
// costs one query per window, not one per message and member.
const meWindow = 200 * time.Millisecond

const msgMeReadOnly = "이 연결로는 보낼 수 없어요. 메시지는 채팅방 연결로 보내 주세요."

var frameMeReadOnly = errorFrame(msgMeReadOnly, "")

// roomUpdatedEvent and roomRemovedEvent are the frames of /ws/me/.
type roomUpdatedEvent struct {
	Type string           `json:"type"`
	Room chatListItemJSON `json:"room"`
}

type roomRemovedEvent struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

// roomPair is one member of one room.
type roomPair struct{ room, user int64 }

// meFeed turns room events into /ws/me/ frames. listen (the roomListener)
// only notes what changed under a mutex and never blocks the chat path; a
// goroutine renders the changes every meWindow with one query per batch of
// rooms, for the recipients who have a /ws/me/ socket open.
type meFeed struct {
	s      *Server
	window time.Duration

	mu      sync.Mutex
	online  map[int64]int         // user → open /ws/me/ sockets
	rooms   map[int64]struct{}    // rooms whose online members need their item
	pairs   map[roomPair]struct{} // one member's item (read marker, mute)
	removed map[roomPair]struct{} // room.removed to send
	wake    chan struct{}         // capacity 1: something is pending

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

func newMeFeed(s *Server, window time.Duration) *meFeed {
	f := &meFeed{
		s: s, window: window,
		online: map[int64]int{}, rooms: map[int64]struct{}{}, pairs: map[roomPair]struct{}{},
		removed: map[roomPair]struct{}{},
		wake:    make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	go f.run()
	return f
}

// signal wakes the renderer; f.mu is held.
func (f *meFeed) signal() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// listen is the feed's roomListener: it notes the change, nothing more.
func (f *meFeed) listen(ev roomEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.online) == 0 {
		return // nobody listens
	}
	gone := func(u int64) {
		if f.online[u] > 0 {
			f.removed[roomPair{ev.RoomID, u}] = struct{}{}
		}
	}
	switch ev.Kind {
	case roomDeleted:
		for _, u := range ev.Members {
			gone(u)
		}
		delete(f.rooms, ev.RoomID)
	case roomLeft, roomKicked:
		gone(ev.ActorID)
		for _, u := range ev.Members {
			gone(u)
		}
		f.rooms[ev.RoomID] = struct{}{} // the others' items change too
	default:
		f.rooms[ev.RoomID] = struct{}{}
	}
	f.signal()
}

// touch renders one member's item of a room again (read marker, mute).
func (f *meFeed) touch(room, user int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.online[user] > 0 {
		f.pairs[roomPair{room, user}] = struct{}{}
		f.signal()
	}
}

// touchRoom renders a room's items again for its online members, after a
// change that is no room event (a message hidden by staff).
func (f *meFeed) touchRoom(room int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.online) > 0 {
		f.rooms[room] = struct{}{}
		f.signal()
	}
}

// users is how many users have a /ws/me/ socket open.
func (f *meFeed) users() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.online)
}

// connected and disconnected count a user's /ws/me/ sockets.
func (f *meFeed) connected(user int64) {
	f.mu.Lock()
	f.online[user]++
	f.mu.Unlock()
}

func (f *meFeed) disconnected(user int64) {
	f.mu.Lock()
	if f.online[user]--; f.online[user] <= 0 {
		delete(f.online, user)
	}
	f.mu.Unlock()
}

func (f *meFeed) run() {
	defer close(f.done)
	timer := time.NewTimer(f.window)
	timer.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-f.wake:
		}
		// Gather what else happens within the window, then render it all.
		timer.Reset(f.window)
		select {
		case <-f.stop:
			timer.Stop()
			return
		case <-timer.C:
		}
		f.flush()
	}
}

// meBatch bounds the rooms of one list query.
const meBatch = 500

// flush sends what is pending: room.removed first (so that a leave and a
// re-join in one window arrive in that order), then one room.updated per
// changed room and online member, rendered from the database as it is now.
func (f *meFeed) flush() {
	f.mu.Lock()
	rooms, pairs, removed := f.rooms, f.pairs, f.removed
	f.rooms, f.pairs, f.removed = map[int64]struct{}{}, map[roomPair]struct{}{}, map[roomPair]struct{}{}
	users := make([]int64, 0, len(f.online))
	for u := range f.online {
		users = append(users, u)
	}
	f.mu.Unlock()

	for p := range removed {
		f.s.hub.Publish(meRoom(p.user), mustJSON(roomRemovedEvent{Type: "room.removed", ID: p.room}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sent := map[roomPair]bool{}
	send := func(roomIDs, userIDs []int64, only map[roomPair]struct{}) {
		for chunk := range slices.Chunk(roomIDs, meBatch) {
			items, err := f.s.store.ChatListItems(ctx, chunk, userIDs)
			if err != nil {
				f.s.log.Warn("rendering /ws/me/ updates", "rooms", len(chunk), "err", err)
				continue
			}
			for _, it := range items {
				p := roomPair{it.RoomID, it.UserID}
				if _, want := only[p]; (only != nil && !want) || sent[p] {
					continue
				}
				sent[p] = true
				f.s.hub.Publish(meRoom(it.UserID), mustJSON(roomUpdatedEvent{Type: "room.updated", Room: f.s.toChatListItem(it)}))
			}
		}
	}
	if len(rooms) > 0 && len(users) > 0 {
		ids := make([]int64, 0, len(rooms))
		for r := range rooms {
			ids = append(ids, r)
		}
		send(ids, users, nil)
	}
	if len(pairs) > 0 {
		var roomIDs, userIDs []int64
		for p := range pairs {
			if !slices.Contains(roomIDs, p.room) {
				roomIDs = append(roomIDs, p.room)
			}
			if !slices.Contains(userIDs, p.user) {
				userIDs = append(userIDs, p.user)
			}
		}
		send(roomIDs, userIDs, pairs)
	}
}

// close stops the renderer and waits for it (bounded by ctx).
func (f *meFeed) close(ctx context.Context) error {
	f.stopOnce.Do(func() { close(f.stop) })
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// handleMeSocket: GET /ws/me/ — the signed-in user's live list updates.
// The same checks as the room socket before the upgrade: 401 without a
// valid credential, 403 for a cookie from a foreign Origin, 429 over
// --max-sockets-per-user (room sockets and this one count together).
func (s *Server) handleMeSocket(w http.ResponseWriter, r *http.Request) {
	cred, err := s.authenticateSocket(r)
	if err != nil {
		writeError(w, http.StatusUnauthorized, msgUnauthenticated)
		return
	}
	if cred.session != "" && !s.sameOrigin(r) {
		writeError(w, http.StatusForbidden, msgForbidden)
		return
	}
	userID := cred.user.ID
	if !s.chatSockets.add(userID, s.cfg.MaxSocketsPerUser) {
		writeError(w, http.StatusTooManyRequests, msgTooManySockets)
		return
	}
	// Subscribed and counted online before the checks and the upgrade, as
	// the room socket: a logout that commits meanwhile finds the socket.
	sub := s.hub.Subscribe(hub.Member{
		Room: meRoom(userID),
		User: userID,
		Tag:  cred,
		Revalidate: func(ctx context.Context) (websocket.StatusCode, string) {
			if !s.stillValid(ctx, cred) && ctx.Err() == nil {
				return statusRevoked, closeReason(statusRevoked)
			}
			return 0, ""
		},
	})
	s.me.connected(userID)
	served := false
	defer func() {
		if !served {
			s.me.disconnected(userID)
			s.hub.Unsubscribe(sub)
			s.chatSockets.done(userID)
		}
	}()
	if !s.stillValid(r.Context(), cred) {
		writeError(w, http.StatusUnauthorized, msgUnauthenticated)
		return
	}
	c, err := sub.Accept(w, r, &websocket.AcceptOptions{
		OriginPatterns:  []string{"*"}, // checked above for the credential that needs it
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return
	}
	served = true
	ms := &meSocket{s: s, user: userID}
	go func() {
		defer s.chatSockets.done(userID)
		defer s.me.disconnected(userID)
		if err := s.hub.Serve(context.Background(), sub, c, ms.handle); err != nil {
			s.log.Debug("me socket ended", "user", userID, "err", err)
		}
	}()
}

// meSocket answers what a client sends on /ws/me/: nothing is accepted
// there; each frame gets a chat.error, under the user's chat rate.
type meSocket struct {
	s       *Server
	user    int64
	refused int
}

func (m *meSocket) handle(context.Context, websocket.MessageType, []byte) hub.Reply {
	if !m.s.chatAllowed(m.user) {
		if m.refused++; m.refused >= chatFloodLimit {
			return hub.Reply{Frame: frameChatTooFast, Close: websocket.StatusPolicyViolation,
				Reason: closeReason(websocket.StatusPolicyViolation)}
		}
		return hub.Reply{Frame: frameChatTooFast}
	}
	m.refused = 0
	return hub.Reply{Frame: frameMeReadOnly}
}

// readFrameInput is {"type": "read", "message_id": n} on a room socket.
type readFrameInput struct {
	MessageID json.RawMessage `json:"message_id"`
}

const msgReadBadFrame = `읽음 표시는 {"type": "read", "message_id": 숫자} 형식으로 보내 주세요.`

// readFrame handles a read frame of a room socket: the same as POST
// /api/chat/:id/read/. Nothing is echoed; a bad frame gets a chat.error.
func (s *Server) readFrame(ctx context.Context, room, user int64, frame []byte) []byte {
	var in readFrameInput
	var id int64
	if json.Unmarshal(frame, &in) != nil || json.Unmarshal(in.MessageID, &id) != nil || id <= 0 {
		return errorFrame(msgReadBadFrame, "")
	}
	err := s.markRead(ctx, room, user, id)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotMember), errors.Is(err, store.ErrNotFound):
		return errorFrame(msgChatNotMember, "")
	default:
		s.log.Warn("read marker not stored", "room", room, "user", user, "err", err)
		return errorFrame(msgChatNotStored, "")
	}
}
