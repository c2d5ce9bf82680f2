package app

import "github.com/mealbuddy/mealbuddy/store"

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
	// deletion the store no longer lists them, so the caller names them.
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
