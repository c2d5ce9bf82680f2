package app

import (
	"context"
	"errors"

	"github.com/mealbuddy/mealbuddy/store"
)

// roomEventKind names what happened in a chat room. Residents who are not
// looking at the room hear of it through /ws/me/ and Web Push (issue 13).
type roomEventKind string

const (
	roomMessage roomEventKind = "message" // a resident wrote (Message set)
	roomJoined  roomEventKind = "joined"  // ActorID joined
	roomLeft    roomEventKind = "left"    // ActorID left
	roomKicked  roomEventKind = "kicked"  // ActorID was asked to leave
	roomFull    roomEventKind = "full"    // the headcount was reached
	roomClosed  roomEventKind = "closed"  // the organiser closed recruitment
	roomOrder   roomEventKind = "order"   // an order step (lock, order, arrival …)
	roomDeleted roomEventKind = "deleted" // the room is gone
)

// roomEvent is one thing that happened in a room, after it was stored.
type roomEvent struct {
	Kind    roomEventKind
	RoomID  int64
	ActorID int64          // who did it; 0 for the system (deadline, full)
	Message *store.Message // the stored message or system notice, if any
	// Members are the room's members who should hear of it. For a kick or a
	// deletion the store no longer lists them, so the caller names them:
	// for roomLeft and roomKicked the one who left (ActorID too), for
	// roomDeleted every member it had. Otherwise nil: the store lists them.
	Members []int64
}

// roomListener reacts to room events. Listeners run on the caller's
// goroutine and must not block: they queue their work.
type roomListener func(roomEvent)

// emitRoomEvent hands ev to every listener registered in NewServer.
func (s *Server) emitRoomEvent(ev roomEvent) {
	for _, listen := range s.roomListeners {
		listen(ev)
	}
}

// System notices of issue 13 beside the store's join, leave and kick ones.
const (
	noticeRoomFull     = "모집 인원이 다 찼어요. 모집을 마감했어요."
	noticeRoomClosedBy = "방장이 모집을 마감했어요."
)

// roomNotice writes a system notice into the room after a change that has
// committed, publishes it to the room's sockets and emits kind. A failure
// is logged: the change itself stands.
func (s *Server) roomNotice(ctx context.Context, roomID, actor int64, kind roomEventKind, text string) {
	m, err := s.store.AddNotice(ctx, roomID, text)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("room notice not stored", "room", roomID, "kind", string(kind), "err", err)
		}
		return
	}
	s.hub.Publish(roomID, messageFrame(m))
	s.emitRoomEvent(roomEvent{Kind: kind, RoomID: roomID, ActorID: actor, Message: &m})
}

// roomMembersBefore lists a room's members before a change that removes
// them from the store's answers (a room or post deletion), for the
// deletion's event. A failure is logged and names nobody.
func (s *Server) roomMembersBefore(ctx context.Context, roomID int64) []int64 {
	ids, err := s.store.MemberIDs(ctx, roomID)
	if err != nil {
		s.log.Warn("members of a room being deleted", "room", roomID, "err", err)
	}
	return ids
}
