package store

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// historyCache keeps the latest page of history of the rooms read most
// recently (Messages without a cursor: a join, opening a room).
//
// Why: a room's messages lie scattered over the messages table, one page
// of the file each, and every commit empties the reader connections'
// page caches; the latest 100 messages then cost ~100 page reads. Under a
// mix of board reads, posts, joins and leaves, joins were a quarter of
// the server's CPU for one request in forty (issue 11). A kept page is
// brought up to date with only the messages after its newest.
//
// Messages are only ever added with higher ids (one writer: a message
// committed later has a higher id than every message an earlier snapshot
// saw), so what came after a kept page is exactly the messages with a
// higher id. Everything else that changes a page moves a version: the
// deletion of a messages row or a change of what history shows of it
// (moved here, at the row and again once the transaction has settled),
// a change of a users row (a name; Store.UsersVersion), and another
// process's commit (the store's CommitWatch). A page read under other
// versions than the current ones is read afresh.
type historyCache struct {
	mu    sync.Mutex
	rooms map[int64]*roomHistory

	ver   atomic.Uint64 // moves with each deleted or changed messages row
	dirty atomic.Bool   // a row moved ver since the last settle
}

// historyRooms bounds the rooms kept: a page of 100 messages holds about
// 20 KB, so 5 MB at most. With 128, the mixed load's 200 rooms found their
// page kept at three joins in five.
const historyRooms = 256

// roomHistory is a room's latest page as it was read.
type roomHistory struct {
	msgs  []Message // oldest first; no more than limit
	limit int
	more  bool // older messages exist
	stamp historyStamp
}

// newest is the room's newest message id when the page was read (0: it
// had none): the page ends with it.
func (e *roomHistory) newest() int64 {
	if len(e.msgs) == 0 {
		return 0
	}
	return e.msgs[len(e.msgs)-1].ID
}

// historyStamp is what a kept page was read under.
type historyStamp struct{ messages, users, commits uint64 }

func newHistoryCache() *historyCache { return &historyCache{rooms: map[int64]*roomHistory{}} }

// historyStamp reads the versions now, before the read it stamps.
func (s *Store) historyStamp(ctx context.Context) historyStamp {
	gen, _ := s.commits.Generation(ctx) // a failed read counts as a commit
	return historyStamp{messages: s.history.ver.Load(), users: s.UsersVersion(), commits: gen}
}

// hook is the pre-update hook's part for the messages table: a row
// deleted, or changed in what history shows of it (room, writer, text,
// time), moves the version. Inserts do not: they come after every kept
// page.
func (h *historyCache) hook(d *sqlite.SQLitePreUpdateData) {
	if d.Op == sqlite3.SQLITE_INSERT {
		return
	}
	if d.Op == sqlite3.SQLITE_UPDATE && d.OldRowID == d.NewRowID {
		// The columns are (id, room_id, user_id, body, created_at,
		// client_id); only client_id is ever updated today.
		oldRow, newRow := make([]any, 5), make([]any, 5)
		if d.Old(oldRow...) == nil && d.New(newRow...) == nil && slices.Equal(oldRow[1:], newRow[1:]) {
			return
		}
	}
	h.ver.Add(1)
	h.dirty.Store(true)
}

// settle moves the version again once a transaction that changed rows
// has ended: a reader that took the version between the row and the
// commit read the rows as they were.
func (h *historyCache) settle() {
	if h.dirty.Swap(false) {
		h.ver.Add(1)
	}
}

// get returns room's kept page if it was read under stamp with limit.
func (h *historyCache) get(room int64, limit int, stamp historyStamp) (*roomHistory, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.rooms[room]
	if !ok || e.stamp != stamp || e.limit != limit {
		return nil, false
	}
	return e, true
}

// put keeps room's page. Kept pages are never changed: a newer one
// replaces them.
func (h *historyCache) put(room int64, e *roomHistory) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.rooms[room]; !ok && len(h.rooms) >= historyRooms {
		for k := range h.rooms { // any one: the map's order is random enough
			delete(h.rooms, k)
			break
		}
	}
	h.rooms[room] = e
}

// latestMessages is Messages for the latest page: from the kept page and
// the messages after it when it is current, else from the database.
func (s *Store) latestMessages(ctx context.Context, roomID int64, limit int) ([]Message, bool, error) {
	stamp := s.historyStamp(ctx)
	if kept, ok := s.history.get(roomID, limit, stamp); ok {
		newer, more, err := s.readMessages(ctx, roomID, MessagePage{After: kept.newest(), Limit: limit})
		if err != nil {
			return nil, false, err
		}
		if !more {
			e := kept
			if len(newer) > 0 {
				msgs := append(slices.Clone(kept.msgs), newer...)
				cut := max(len(msgs)-limit, 0)
				e = &roomHistory{msgs: msgs[cut:], limit: limit, more: kept.more || cut > 0, stamp: stamp}
				s.history.put(roomID, e)
			}
			return slices.Clone(e.msgs), e.more, nil // the caller may change its copy
		}
		// More than a page came after it: read the page afresh.
	}
	msgs, more, err := s.readMessages(ctx, roomID, MessagePage{Limit: limit})
	if err != nil {
		return nil, false, err
	}
	s.history.put(roomID, &roomHistory{msgs: slices.Clone(msgs), limit: limit, more: more, stamp: stamp})
	return msgs, more, nil
}
