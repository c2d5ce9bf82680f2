package app

// The user rows behind the credential check. Every authenticated request
// needs its user (active? which credential version? where does it live?);
// reading the row each time was a sixth of the server's time under load
// (issue 11), while the rows change a few times a day.

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/mealbuddy/mealbuddy/store"
)

// userCache keeps user rows by id. A row is served from the cache only
// while two things are unchanged since it was read: the store's
// UsersVersion, which every change of a users row through this process's
// store moves once it has committed, and the cache's epoch, which moves
// when another process (the CLI: user disable, set-password) has committed
// to the file, seen by the store's CommitWatch, like the board cache. So
// this process's own changes (logout, password change, profile edit,
// deletion, a ban by staff) apply to the very next request, and the CLI's
// within about a second.
type userCache struct {
	st  *store.Store
	log *slog.Logger

	mu     sync.Mutex
	epoch  uint64
	users  map[int64]versioned[store.User]
	blocks map[int64]versioned[[]int64]        // by blocker: the ids it blocks
	rooms  map[int64]versioned[map[int64]bool] // by user: the rooms it is a member of

	// blockers is the whole user_blocks table by blocked id (blockersOf),
	// read at versions blockersVer and blockersEpoch; nil: not read yet.
	blockers                   map[int64][]int64
	blockersVer, blockersEpoch uint64

	seenCommits atomic.Uint64 // the store's CommitWatch generation last seen
}

// versioned is a cached value with the versions it was read at: the
// store's version of its rows (UsersVersion, MembershipVersion) and the
// cache's epoch.
type versioned[V any] struct {
	v          V
	ver, epoch uint64
}

// maxCachedUsers bounds the cache (a row is ~200 bytes).
const maxCachedUsers = 4096

func newUserCache(st *store.Store, log *slog.Logger) *userCache {
	return &userCache{st: st, log: log, users: map[int64]versioned[store.User]{},
		blocks: map[int64]versioned[[]int64]{}, rooms: map[int64]versioned[map[int64]bool]{}}
}

// cached returns m's value for id when it was read at ver and epoch, else
// the value load reads, kept in m at those versions.
func cached[V any](c *userCache, m map[int64]versioned[V], id int64, ver, epoch uint64, load func() (V, error)) (V, error) {
	c.mu.Lock()
	e, ok := m[id]
	c.mu.Unlock()
	if ok && e.ver == ver && e.epoch == epoch {
		return e.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if len(m) >= maxCachedUsers {
		evictOne(m)
	}
	m[id] = versioned[V]{v: v, ver: ver, epoch: epoch}
	c.mu.Unlock()
	return v, nil
}

// user returns the row of user id, like store.UserByID.
func (c *userCache) user(ctx context.Context, id int64) (store.User, error) {
	ver, epoch := c.versions(ctx)
	return cached(c, c.users, id, ver, epoch, func() (store.User, error) { return c.st.UserByID(ctx, id) })
}

// versions are the store's UsersVersion and the cache's epoch, moved first
// if another process has committed. Both are read before the rows they
// validate: a change committing meanwhile moves one of them, and the
// entry is stale from the start.
func (c *userCache) versions(ctx context.Context) (ver, epoch uint64) {
	gen, err := c.st.Commits().Generation(ctx)
	if err != nil {
		c.log.Warn("data version", "err", err)
	}
	if c.seenCommits.Swap(gen) != gen {
		c.mu.Lock()
		c.epoch++
		clear(c.users)
		clear(c.blocks)
		clear(c.rooms)
		c.mu.Unlock()
	}
	ver = c.st.UsersVersion()
	c.mu.Lock()
	epoch = c.epoch
	c.mu.Unlock()
	return ver, epoch
}

// blocked returns the ids of the users that user id blocks, like
// store.Blocked: every board view asks (a viewer with blocks gets its own
// pages). The slice is shared: callers must not modify it.
func (c *userCache) blocked(ctx context.Context, id int64) ([]int64, error) {
	ver, epoch := c.versions(ctx)
	return cached(c, c.blocks, id, ver, epoch, func() ([]int64, error) {
		list, err := c.st.Blocked(ctx, id)
		ids := make([]int64, len(list))
		for i, u := range list {
			ids[i] = u.ID
		}
		return ids, err
	})
}

// roomsOf returns the rooms user id is a member of, like store.RoomsOf:
// every board view marks the viewer's own rooms ("내 주문"). A resident's
// memberships change when they join, leave or write, which a busy writer
// does many times a minute; a kept set takes those changes from the store
// (MembershipChanges) instead of reading all of its rows again (22 % of the
// server's time under the mixed load). The map is shared: callers must not
// modify it.
func (c *userCache) roomsOf(ctx context.Context, id int64) (map[int64]bool, error) {
	_, epoch := c.versions(ctx)
	c.mu.Lock()
	e, ok := c.rooms[id]
	c.mu.Unlock()
	if ok && e.epoch == epoch {
		changes, ver, complete := c.st.MembershipChanges(id, e.ver)
		if complete {
			if ver == e.ver {
				return e.v, nil
			}
			rooms := e.v
			if len(changes) > 0 {
				rooms = maps.Clone(e.v) // copy on write: others may hold e.v
				for _, ch := range changes {
					if ch.Joined {
						rooms[ch.Room] = true
					} else {
						delete(rooms, ch.Room)
					}
				}
			}
			c.keepRooms(id, versioned[map[int64]bool]{v: rooms, ver: ver, epoch: epoch})
			return rooms, nil
		}
	}
	ver := c.st.MembershipVersion(id) // before the rows it validates
	list, err := c.st.RoomsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	rooms := make(map[int64]bool, len(list))
	for _, r := range list {
		rooms[r] = true
	}
	c.keepRooms(id, versioned[map[int64]bool]{v: rooms, ver: ver, epoch: epoch})
	return rooms, nil
}

// keepRooms keeps e as user id's rooms unless a newer copy is kept already
// (two requests of one user may bring it up to date at once).
func (c *userCache) keepRooms(id int64, e versioned[map[int64]bool]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.rooms[id]; ok && (old.epoch > e.epoch || old.epoch == e.epoch && old.ver > e.ver) {
		return
	}
	if len(c.rooms) >= maxCachedUsers {
		evictOne(c.rooms)
	}
	c.rooms[id] = e
}

// blockersOf returns the users who block author: live chat frames of
// author's messages leave them out, as their history does. The table is
// read whole when a block changed (blocks are few and change rarely), so a
// message costs a map lookup. The slice is shared: callers must not modify
// it.
func (c *userCache) blockersOf(ctx context.Context, author int64) ([]int64, error) {
	ver, epoch := c.versions(ctx)
	c.mu.Lock()
	if c.blockers != nil && c.blockersVer == ver && c.blockersEpoch == epoch {
		ids := c.blockers[author]
		c.mu.Unlock()
		return ids, nil
	}
	c.mu.Unlock()
	all, err := c.st.Blockers(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.blockers, c.blockersVer, c.blockersEpoch = all, ver, epoch
	c.mu.Unlock()
	return all[author], nil
}

// evictOne makes room in a full cache by dropping one entry (map iteration
// picks an arbitrary one). Emptying the whole map instead made a server
// with more active users than the cap miss on nearly every read: 5,000
// chat sockets revalidating kept refilling and clearing it.
func evictOne[V any](m map[int64]V) {
	for k := range m {
		delete(m, k)
		return
	}
}
