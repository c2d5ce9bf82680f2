package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/mealbuddy/mealbuddy/hub"
	"github.com/mealbuddy/mealbuddy/store"
)

// Messages of the chat room endpoints.
const (
	msgRoomForbidden = "채팅방에 들어갈 권한이 없어요."
	msgRoomNotFound  = "채팅방을 찾을 수 없어요."
	msgCannotJoin    = "모집 인원이 다 찼어요."     // full, complete or closed for joining
	msgJoinBanned    = "이 모집에는 참여할 수 없어요." // the writer sent the user out of the room
	msgWriterStays   = "작성자는 채팅방을 나가거나 내보낼 수 없어요."
	msgNotInRoom     = "채팅방에 참여하고 있지 않아요."
	msgBanOnlyWriter = "작성자만 내보낼 수 있어요."
	msgDeleteRoom    = "채팅방을 삭제할 권한이 없어요."
	msgBadCursor     = "메시지 번호는 양의 정수여야 해요."
	historyPageSize  = 100
)

// messageJSON is a chat message as the original service's client reads it; chatroom is
// the room id and user is null for system notices.
type messageJSON struct {
	ID        int64        `json:"id"`
	Message   string       `json:"message"`
	CreatedAt string       `json:"created_at"`
	Chatroom  int64        `json:"chatroom"`
	User      *userRefJSON `json:"user"`
}

func toMessageJSON(m store.Message, viewer int64) messageJSON {
	out := messageJSON{ID: m.ID, Message: m.Body, CreatedAt: formatAPITime(m.CreatedAt), Chatroom: m.RoomID}
	if m.User != nil {
		u := toUserRef(*m.User, viewer)
		out.User = &u
	}
	return out
}

// roomJSON is the room page: the post's summary, a page of history and
// whether older (or, with ?after=, newer) messages remain.
type roomJSON struct {
	ID           int64         `json:"id"`
	PostID       int64         `json:"post_id"`
	Title        string        `json:"title"`
	TargetNumber int           `json:"target_number"`
	JoinNumber   int           `json:"join_number"`
	IsCompelete  bool          `json:"is_compelete"`
	Writer       userRefJSON   `json:"writer"`
	Messages     []messageJSON `json:"messages"`
	HasMore      bool          `json:"has_more"`
	orderSummaryJSON
}

// Event frames of the chat socket (docs/api.md, Chat socket).
type messageEvent struct {
	Type    string      `json:"type"`
	Message messageJSON `json:"message"`
}

type memberEvent struct {
	Type    string      `json:"type"`
	UserID  int64       `json:"user_id"`
	Message messageJSON `json:"message"`
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil { // the event types hold only strings and numbers
		panic(err)
	}
	return b
}

func messageFrame(m store.Message) []byte {
	return mustJSON(messageEvent{Type: "chat.message", Message: toMessageJSON(m, 0)})
}

func memberFrame(typ string, userID int64, notice store.Message) []byte {
	return mustJSON(memberEvent{Type: typ, UserID: userID, Message: toMessageJSON(notice, 0)})
}

// loadRoom reads the :id room, answering 404 itself when it is missing or
// deleted.
func (s *Server) loadRoom(w http.ResponseWriter, r *http.Request) (store.Room, bool) {
	return loadByID(s, w, r, errRoomNotFound, s.store.RoomByID)
}

// loadMemberRoom is loadRoom for members only (403 for anyone else).
func (s *Server) loadMemberRoom(w http.ResponseWriter, r *http.Request) (store.Room, bool) {
	room, ok := s.loadRoom(w, r)
	if !ok {
		return room, false
	}
	member, err := s.store.IsMember(r.Context(), room.ID, currentUser(r).ID)
	if err != nil {
		s.fail(w, r, err)
		return room, false
	}
	if !member {
		// Outside the caller's reach the room does not exist (inReach).
		if near, err := s.inReach(r.Context(), currentUser(r), room.Area, room.ID); err != nil || !near {
			s.fail(w, r, cmp.Or(err, errRoomNotFound))
			return room, false
		}
		writeError(w, http.StatusForbidden, msgRoomForbidden)
		return room, false
	}
	return room, true
}

// cursor reads ?before= or ?after=; ok is false (and the 400 written) for
// anything but a positive integer.
func cursor(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	raw := strings.TrimSpace(r.URL.Query().Get(name))
	if raw == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		writeInvalid(w, fieldErrors{name: {msgBadCursor}})
		return 0, false
	}
	return n, true
}

// respondRoom answers the room with a page of its history.
func (s *Server) respondRoom(w http.ResponseWriter, r *http.Request, room store.Room, pg store.MessagePage) {
	pg.Limit = historyPageSize
	msgs, more, err := s.store.Messages(r.Context(), room.ID, pg)
	if err == nil {
		msgs, err = s.moderateHistory(r.Context(), currentUser(r), msgs) // hidden and blocked (moderation.go)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	post, _, err := s.viewPost(r.Context(), room.PostID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := roomJSON{
		ID: room.ID, PostID: room.PostID, Title: room.Title, TargetNumber: room.TargetNumber,
		JoinNumber: room.JoinNumber, IsCompelete: room.Complete || post.CompleteAt(s.now()), Writer: toUserRef(room.Writer, currentUser(r).ID),
		Messages: make([]messageJSON, len(msgs)), HasMore: more, orderSummaryJSON: toOrderSummary(post.Order),
	}
	for i, m := range msgs {
		out.Messages[i] = toMessageJSON(m, currentUser(r).ID)
	}
	writeJSON(w, http.StatusOK, out)
}

// handleRoom: GET /api/chat/:id/ — members only; the latest 100 messages,
// or a page before/after a message id.
func (s *Server) handleRoom(w http.ResponseWriter, r *http.Request) {
	before, ok := cursor(w, r, "before")
	if !ok {
		return
	}
	after, ok := cursor(w, r, "after")
	if !ok {
		return
	}
	if before > 0 && after > 0 {
		writeInvalid(w, fieldErrors{"non_field_errors": {"before와 after는 함께 쓸 수 없어요."}})
		return
	}
	room, ok := s.loadMemberRoom(w, r)
	if !ok {
		return
	}
	s.respondRoom(w, r, room, store.MessagePage{Before: before, After: after})
}

// handleJoinRoom: POST /api/chat/:id/ — join (once; a second join changes
// nothing), refused when full, complete or banned.
func (s *Server) handleJoinRoom(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.fail(w, r, errRoomNotFound)
		return
	}
	u := currentUser(r)
	room, err := s.store.RoomByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, notFoundAs(errRoomNotFound, err))
		return
	}
	if near, err := s.inReach(r.Context(), u, room.Area, room.ID); err != nil || !near {
		s.fail(w, r, cmp.Or(err, errRoomNotFound))
		return
	}
	if !s.joinAllowed(w, r, room) {
		return
	}
	ch, err := s.store.JoinRoomLimited(r.Context(), id, u.ID, s.cfg.MaxOpenRooms)
	if errors.Is(err, store.ErrCannotJoin) && s.bannedFrom(r.Context(), id, u.ID) {
		writeError(w, http.StatusBadRequest, msgJoinBanned)
		return
	}
	if err != nil {
		s.fail(w, r, notFoundAs(errRoomNotFound, err))
		return
	}
	s.boards.changedPost(room.Area, room.PostID)
	if ch.Changed { // commit, then publish
		s.hub.Publish(id, memberFrame("chat.user.join", u.ID, ch.Notice))
		s.emitRoomEvent(roomEvent{Kind: roomJoined, RoomID: id, ActorID: u.ID, Message: &ch.Notice})
		if ch.Room.JoinNumber >= ch.Room.TargetNumber { // this join filled it
			s.roomNotice(r.Context(), id, 0, roomFull, noticeRoomFull)
		}
		s.publishOrderOf(r.Context(), id, nil)
	}
	s.respondRoom(w, r, ch.Room, store.MessagePage{})
}

// bannedFrom tells a refused join's two cases apart: a ban, or a room that
// is full or closed. The store answers both with ErrCannotJoin; a ban never
// goes away, so reading it after the refusal gives the refusal's reason. A
// failed read falls back to the full-room message.
func (s *Server) bannedFrom(ctx context.Context, roomID, userID int64) bool {
	ms, err := s.store.MembershipOf(ctx, roomID, userID)
	return err == nil && ms.Banned
}

// handleDeleteRoom: DELETE /api/chat/:id/ — writer or staff; the post stays
// readable but complete, every socket of the room closes with 4040.
func (s *Server) handleDeleteRoom(w http.ResponseWriter, r *http.Request) {
	room, ok := s.loadRoom(w, r)
	if !ok {
		return
	}
	if !writerOrStaff(currentUser(r), room.Writer) {
		writeError(w, http.StatusForbidden, msgDeleteRoom)
		return
	}
	del := s.store.DeleteRoom
	if u := currentUser(r); u.ID != room.Writer.ID { // staff: into the audit log
		del = func(ctx context.Context, id int64) error { return s.store.DeleteRoomBy(ctx, id, actorOf(u)) }
	}
	if err := unlessGone(del(r.Context(), room.ID)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.boards.changedIn(room.Area, room.PostID)
	s.roomDeleted(room.ID)
	// A deleted room keeps its memberships: the store still lists them.
	s.emitRoomEvent(roomEvent{Kind: roomDeleted, RoomID: room.ID, ActorID: currentUser(r).ID,
		Members: s.roomMembersBefore(r.Context(), room.ID)})
	writeMessage(w, http.StatusAccepted, "채팅방이 삭제됐어요.")
}

type memberJSON struct {
	User userRefJSON `json:"user"`
}

// handleRoomUsers: GET /api/chat/:id/user/ — members only.
func (s *Server) handleRoomUsers(w http.ResponseWriter, r *http.Request) {
	room, ok := s.loadMemberRoom(w, r)
	if !ok {
		return
	}
	members, err := s.store.RoomMembers(r.Context(), room.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]memberJSON, len(members))
	for i, m := range members {
		out[i] = memberJSON{User: toUserRef(m, currentUser(r).ID)}
	}
	writeJSON(w, http.StatusOK, out)
}

// handleLeaveRoom: DELETE /api/chat/:id/user/ — leave; the writer stays.
// The leaver's sockets (all devices) close with 4001, the others get
// chat.user.leave.
func (s *Server) handleLeaveRoom(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.fail(w, r, errRoomNotFound)
		return
	}
	u := currentUser(r)
	ch, err := s.store.LeaveRoom(r.Context(), id, u.ID)
	if err != nil {
		s.fail(w, r, notFoundAs(errRoomNotFound, err))
		return
	}
	s.boards.changedPost(ch.Room.Area, ch.Room.PostID)
	// The event first: the leaver's sockets receive it, then their close.
	s.hub.Publish(id, memberFrame("chat.user.leave", u.ID, ch.Notice))
	s.kick(id, u.ID, statusLeft)
	s.emitRoomEvent(roomEvent{Kind: roomLeft, RoomID: id, ActorID: u.ID, Message: &ch.Notice, Members: []int64{u.ID}})
	s.publishOrderOf(r.Context(), id, nil)
	writeMessage(w, http.StatusAccepted, "채팅방에서 나갔어요.")
}

// handleBan: POST /api/chat/:id/user/ban/ {target_user_id} — the writer
// only. The target is removed (sockets close with 4003) and can never
// re-join.
func (s *Server) handleBan(w http.ResponseWriter, r *http.Request) {
	room, ok := s.loadRoom(w, r)
	if !ok {
		return
	}
	if currentUser(r).ID != room.Writer.ID {
		writeError(w, http.StatusForbidden, msgBanOnlyWriter)
		return
	}
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	target, present := f.integer("target_user_id", errs)
	if _, bad := errs["target_user_id"]; !bad && !present {
		errs.add("target_user_id", msgRequired)
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	ch, err := s.store.BanUser(r.Context(), room.ID, target)
	if errors.Is(err, store.ErrOrderHolding) {
		err = errBanHeld // the same refusal as a leave, said to the organiser
	}
	if err != nil {
		s.fail(w, r, notFoundAs(errRoomNotFound, err))
		return
	}
	s.boards.changedPost(room.Area, room.PostID)
	if ch.Changed { // the event first: the target's sockets receive it, then their close
		s.hub.Publish(room.ID, memberFrame("chat.user.leave", target, ch.Notice))
	}
	s.kick(room.ID, target, statusBanned)
	if ch.Changed {
		s.emitRoomEvent(roomEvent{Kind: roomKicked, RoomID: room.ID, ActorID: target, Message: &ch.Notice, Members: []int64{target}})
		s.publishOrderOf(r.Context(), room.ID, nil)
	}
	writeMessage(w, http.StatusAccepted, "사용자를 내보냈어요.")
}

// The functions below close chat sockets through the hub, the only owner of
// live sockets. Each runs after the change it reacts to has committed, and
// the chat socket handler subscribes before it checks membership and
// credential, so a socket being opened meanwhile is either refused or
// closed with the code, never left open.

// kick closes a user's sockets in a room (all devices) with code (4001
// left, 4003 banned), after the frames already queued for them.
func (s *Server) kick(room, user int64, code websocket.StatusCode) {
	s.closeChat(func(m hub.Member) bool { return m.Room == room && m.User == user }, code)
}

// roomDeleted closes every socket of the room with 4040. It runs after the
// room or its post was deleted.
func (s *Server) roomDeleted(roomID int64) {
	s.closeChat(func(m hub.Member) bool { return m.Room == roomID }, statusRoomDeleted)
}

// sessionEnded closes, with 4401, the chat sockets that a web session
// opened, once that session was deleted (logout).
func (s *Server) sessionEnded(userID int64, sessionHash string) {
	s.closeChat(func(m hub.Member) bool {
		c, ok := m.Tag.(*credential)
		return ok && m.User == userID && c.session == sessionHash
	}, statusRevoked)
}

// credentialsChanged closes the user's chat sockets whose credential stopped
// working (password change, deactivation).
func (s *Server) credentialsChanged(userID int64) { s.revokeSockets(userID) }

// revokeSockets closes, with 4401, the user's chat sockets whose credential
// no longer works, checking each credential once. The check asks the
// database; the hub runs it outside its lock. If the checks run out of time
// nothing more is closed here: the per-socket revalidation closes what is
// left within a ping interval.
func (s *Server) revokeSockets(userID int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	valid := map[*credential]bool{}
	s.closeChat(func(m hub.Member) bool {
		c, ok := m.Tag.(*credential)
		if !ok || m.User != userID {
			return false
		}
		v, seen := valid[c]
		if !seen {
			v = s.stillValid(ctx, c) || ctx.Err() != nil
			valid[c] = v
		}
		return !v
	}, statusRevoked)
}
