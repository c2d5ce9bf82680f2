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

// MemberChange is one committed change of a user's rooms.
type MemberChange struct {
	Room   int64
	Joined bool // a member from now on; false: no longer
}

// MembershipChanges brings a copy of RoomsOf up to date without reading it
// again: it returns the changes of userID's rooms committed after version
// since (MembershipVersion when the copy was read), oldest first, and the
// version the copy has once they are applied. Applying them in order to
// the copy gives the rooms as of now, whenever between since and now the
// copy was read: each change says what one room is from then on. ok is
// false when they are not all known any more (the log is bounded, a
// transaction failed after its changes, or whose rows changed could not be
// told); then read RoomsOf again. Like MembershipVersion, this knows only
// this Store's own writes.
func (s *Store) MembershipChanges(userID int64, since uint64) (changes []MemberChange, ver uint64, ok bool) {
	return s.users.members.changesSince(userID, since)
}

// memberWrites keeps MembershipVersion and the log behind
// MembershipChanges. The writer connection's pre-update hook reports every
// room_members row inserted or deleted (foreign-key cascades included)
// with its user; the user's version moves at the row and again when the
// transaction ends (settle), so that a copy read in between, without the
// uncommitted row, is stale too. The change itself is logged at settle,
// once committed, at that second version: a copy read before it misses it
// and a copy read after it has it.
type memberWrites struct {
	mu      sync.Mutex
	seq     uint64
	floor   uint64                // the version of every user not in byUser, and where their logs start
	byUser  map[int64]*memberLog  // users changed since floor
	inTx    bool                  // Store.tx has a write transaction open
	pending []pendingMemberChange // rows of the open transaction (or written outside one)
	// unsure are the users with a row written outside Store.tx since the
	// last settle: whether and when it committed is unknown, so their
	// copies are read again until then.
	unsure map[int64]bool
	// anyone: a row of the open transaction could not be told whose, so
	// settle moves every user's version again.
	anyone bool
}

// memberLog is one user's version and their changes committed after from.
type memberLog struct {
	ver     uint64
	from    uint64
	changes []loggedMemberChange
}

type loggedMemberChange struct {
	seq uint64
	MemberChange
}

type pendingMemberChange struct {
	user int64
	MemberChange
}

const (
	// maxMemberVersions bounds byUser; past it every user's version moves.
	maxMemberVersions = 4096
	// maxMemberLog bounds a user's log; a copy older than its start is
	// read again.
	maxMemberLog = 64
)

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
	if v, ok := row[0].(int64); ok {
		roomID = v
	}
	if v, ok := row[1].(int64); ok {
		userID = v
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil || userID == 0 || roomID == 0 { // cannot tell whose: everyone's
		m.everyoneLocked()
		m.anyone = true
		return
	}
	m.bumpLocked(userID)
	m.pending = append(m.pending, pendingMemberChange{user: userID,
		MemberChange: MemberChange{Room: roomID, Joined: d.Op == sqlite3.SQLITE_INSERT}})
	if !m.inTx {
		if m.unsure == nil {
			m.unsure = make(map[int64]bool)
		}
		m.unsure[userID] = true
	}
}

// everyoneLocked moves every user's version and forgets every log.
func (m *memberWrites) everyoneLocked() {
	m.seq++
	m.floor, m.byUser = m.seq, nil
}

// bumpLocked moves userID's version and returns their log (nil when byUser
// has just been emptied: the new floor covers them).
func (m *memberWrites) bumpLocked(userID int64) *memberLog {
	if len(m.byUser) >= maxMemberVersions {
		m.everyoneLocked()
		return nil
	}
	m.seq++
	if m.byUser == nil {
		m.byUser = make(map[int64]*memberLog)
	}
	l := m.byUser[userID]
	if l == nil {
		l = &memberLog{from: m.floor}
		m.byUser[userID] = l
	}
	l.ver = m.seq
	return l
}

// begin marks a write transaction of Store.tx as open.
func (m *memberWrites) begin() {
	m.mu.Lock()
	m.inTx = true
	m.mu.Unlock()
}

// settle moves the versions of the users changed in the transaction that
// has just ended and logs its changes when it committed. A change that
// cannot be logged (the transaction did not commit, or the row was
// written outside one) starts the user's log afresh instead.
func (m *memberWrites) settle(committed bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inTx = false
	if m.anyone {
		m.everyoneLocked()
		m.anyone = false
	}
	for _, p := range m.pending {
		l := m.bumpLocked(p.user)
		switch {
		case l == nil:
		case !committed || m.unsure[p.user]:
			l.from, l.changes = l.ver, nil
		default:
			if len(l.changes) == maxMemberLog {
				l.from = l.changes[0].seq
				l.changes = append(l.changes[:0], l.changes[1:]...)
			}
			l.changes = append(l.changes, loggedMemberChange{seq: l.ver, MemberChange: p.MemberChange})
		}
	}
	m.pending = m.pending[:0]
	clear(m.unsure)
}

func (m *memberWrites) version(userID int64) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.versionLocked(userID)
}

func (m *memberWrites) versionLocked(userID int64) uint64 {
	if l, ok := m.byUser[userID]; ok {
		return l.ver
	}
	return m.floor
}

func (m *memberWrites) changesSince(userID int64, since uint64) ([]MemberChange, uint64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.unsure[userID] {
		return nil, m.versionLocked(userID), false
	}
	l, ok := m.byUser[userID]
	if !ok {
		return nil, m.floor, since >= m.floor
	}
	if since < l.from {
		return nil, l.ver, false
	}
	var out []MemberChange
	for _, c := range l.changes {
		if c.seq > since {
			out = append(out, c.MemberChange)
		}
	}
	return out, l.ver, true
}
