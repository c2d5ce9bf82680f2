package store

import (
	"context"
	"fmt"
	"sync"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// RoomsOf returns the ids of every room userID is a member of, deleted
// rooms included: the board marks the viewer's own rooms with them (the app
// keeps them per user until MembershipVersion moves).
func (s *Store) RoomsOf(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, roomsOfSQL, userID)
	if err != nil {
		return nil, fmt.Errorf("rooms of user: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan room of user: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

const roomsOfSQL = `SELECT room_id FROM room_members WHERE user_id = ?`

// MembershipVersion moves on after every change of userID's room_members
// rows made through this Store (a join, a leave, a kick, a post written or
// deleted with its room), once the change has committed: a copy of RoomsOf
// read while it had one value is current as long as it has that value.
// Like UsersVersion, changes by other processes do not move it.
func (s *Store) MembershipVersion(userID int64) uint64 { return s.users.members.version(userID) }

// memberWrites keeps MembershipVersion. The writer connection's pre-update
// hook reports every room_members row inserted or deleted (foreign-key
// cascades included) with its user; the user's version moves at the row
// and again when the transaction ends (settle), so that a copy read in
// between, without the uncommitted row, is stale too.
type memberWrites struct {
	mu      sync.Mutex
	seq     uint64
	floor   uint64           // the version of every user not in byUser
	byUser  map[int64]uint64 // the last change of a user, when later than floor
	pending []int64          // users changed in the open transaction
}

// maxMemberVersions bounds byUser; past it every user's version moves.
const maxMemberVersions = 4096

func (m *memberWrites) hook(d *sqlite.SQLitePreUpdateData) {
	var roomID, userID int64
	row := []any{&roomID, &userID} // room_members (room_id, user_id, …)
	var err error
	switch d.Op {
	case sqlite3.SQLITE_INSERT:
		err = d.New(row...)
	case sqlite3.SQLITE_DELETE:
		err = d.Old(row...)
	default:
		return // read markers and mutes: the membership is the same
	}
	// The driver (v1.62) stores each value in the slice itself rather than
	// through the pointer it holds; take it from wherever it went.
	if v, ok := row[1].(int64); ok {
		userID = v
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil || userID == 0 { // cannot tell whose: everyone's
		m.seq++
		m.floor, m.byUser = m.seq, nil
		return
	}
	m.bumpLocked(userID)
	m.pending = append(m.pending, userID)
}

func (m *memberWrites) bumpLocked(userID int64) {
	m.seq++
	if len(m.byUser) >= maxMemberVersions {
		m.floor, m.byUser = m.seq, nil
		return
	}
	if m.byUser == nil {
		m.byUser = make(map[int64]uint64)
	}
	m.byUser[userID] = m.seq
}

// settle moves the versions of the users changed in the transaction that
// has just ended (committed or not).
func (m *memberWrites) settle() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.pending {
		m.bumpLocked(u)
	}
	m.pending = m.pending[:0]
}

func (m *memberWrites) version(userID int64) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.byUser[userID]; ok {
		return v
	}
	return m.floor
}
