package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// CommitWatch tells whether another process committed to the database,
// from its data version (Store.DataVersion), read at most once per
// interval. What this process keeps in memory about the file (the board
// index, app's board and user caches) is then read again.
//
// A Store has one (Store.Commits), shared by everything that keeps such
// copies: with a watch each, one copy could learn of a commit before
// another one it is built from (the board cache rendering a page from a
// board index that had not looked yet, and keeping it).
type CommitWatch struct {
	read  func(context.Context) (int64, error)
	every time.Duration
	now   func() time.Time // time.Now: its monotonic reading ignores wall clock jumps
	epoch time.Time
	// onMove runs when a commit is seen, before the generation moves: the
	// store's board index is unloaded before any cache sees the move.
	onMove func()

	next     atomic.Int64 // time since epoch of the next read
	checking sync.Mutex   // one read at a time; guards version, known
	version  int64
	known    bool
	gen      atomic.Uint64
}

// NewCommitWatch watches the data version that read returns, reading it at
// most once per every on the clock now.
func NewCommitWatch(read func(context.Context) (int64, error), every time.Duration, now func() time.Time) *CommitWatch {
	return &CommitWatch{read: read, every: every, now: now, epoch: now()}
}

// Generation returns a number that moves each time the watch sees a
// commit of another process: a caller keeps the last one it saw, and
// reads its copy again when it moved. The data version is read when the
// interval has passed since the last read; a caller that finds another
// one reading goes on without waiting. The first read, and a read that
// failed (err, for the caller to log), count as a commit: whether another
// process wrote is unknown. A read that failed because ctx ended counts as
// nothing, and the next call reads again.
func (w *CommitWatch) Generation(ctx context.Context) (gen uint64, err error) {
	now := int64(w.now().Sub(w.epoch))
	if now < w.next.Load() || !w.checking.TryLock() {
		return w.gen.Load(), nil
	}
	defer w.checking.Unlock()
	if now < w.next.Load() {
		return w.gen.Load(), nil // another caller has just read it
	}
	w.next.Store(now + int64(w.every))
	v, err := w.read(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		w.next.Store(0)
		return w.gen.Load(), nil
	case err != nil:
		w.known = false
	case w.known && v == w.version:
		return w.gen.Load(), nil
	default:
		w.version, w.known = v, true
	}
	if w.onMove != nil {
		w.onMove()
	}
	return w.gen.Add(1), err
}

// due has the next call read the version (tests).
func (w *CommitWatch) due() { w.next.Store(0) }
