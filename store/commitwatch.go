package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// CommitWatch tells whether another process committed to the database,
// from its data version (Store.DataVersion), read at most once per
// interval: what this process keeps in memory about the file (the board
// index, app's board cache) is then read again.
type CommitWatch struct {
	read  func(context.Context) (int64, error)
	every time.Duration
	now   func() time.Time // time.Now: its monotonic reading ignores wall clock jumps
	epoch time.Time

	next     atomic.Int64 // time since epoch of the next read
	checking sync.Mutex   // one read at a time; guards version, known
	version  int64
	known    bool
}

// NewCommitWatch watches the data version that read returns, reading it at
// most once per every on the clock now.
func NewCommitWatch(read func(context.Context) (int64, error), every time.Duration, now func() time.Time) *CommitWatch {
	return &CommitWatch{read: read, every: every, now: now, epoch: now()}
}

// Moved reads the data version when the interval has passed since the
// last read, and reports whether it moved since. The first read, and a
// read that failed (err), count as moved: whether another process wrote
// is unknown. A caller that finds another one reading goes on without
// waiting, with moved false.
func (w *CommitWatch) Moved(ctx context.Context) (moved bool, err error) {
	now := int64(w.now().Sub(w.epoch))
	if now < w.next.Load() || !w.checking.TryLock() {
		return false, nil
	}
	defer w.checking.Unlock()
	if now < w.next.Load() {
		return false, nil // another caller has just read it
	}
	w.next.Store(now + int64(w.every))
	v, err := w.read(ctx)
	if err != nil {
		w.known = false
		return true, err
	}
	moved = !w.known || v != w.version
	w.version, w.known = v, true
	return moved, nil
}

// due has the next Moved read the version (tests).
func (w *CommitWatch) due() { w.next.Store(0) }
