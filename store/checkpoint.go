package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointer copies the write-ahead log into the database file from its
// own connection, shortly after commits. SQLite's automatic checkpoint
// runs inside the commit that passes 1,000 log pages, with two fsyncs, and
// holds the one writer meanwhile: every write queued behind it waited, and
// under the mixed load the writes' p99 was 22–30 ms against 10–13 ms
// without it (issue 11). A passive checkpoint from another connection
// runs beside the writer and the readers and never waits for them; what
// it cannot copy yet (pages a reader still needs) it copies next time.
type checkpointer struct {
	db    *sql.DB
	every time.Duration // at most one checkpoint per this
	kick  chan struct{} // a commit happened; buffered 1
	stop  chan struct{}
	done  sync.WaitGroup
	once  sync.Once // close: Store.Close may be called twice

	// running is held through each checkpoint: SQLite runs one at a time
	// and fails the others at once, so Store.Checkpoint takes it too.
	running sync.Mutex

	// The last checkpoint's result: frames in the log, frames copied.
	logFrames, copiedFrames atomic.Int64
	// commits counts the commits noted; covered is the count when the last
	// checkpoint that succeeded began: every commit up to it was in the log
	// that checkpoint copied.
	commits, covered atomic.Int64
}

// checkpointEvery spaces checkpoints: a log of a few hundred frames is
// cheap for readers to search, and each checkpoint costs two fsyncs.
const checkpointEvery = 100 * time.Millisecond

func newCheckpointer(db *sql.DB, every time.Duration) *checkpointer {
	c := &checkpointer{db: db, every: every, kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.done.Add(1)
	go c.run()
	return c
}

// committed notes a commit; it never blocks the writer. A nil
// checkpointer (while Open sets up the writer) notes nothing.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	c.commits.Add(1)
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer c.done.Done()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		// Wait first: the commit that kicked is finished by then, and the
		// commits of the next moment join the same checkpoint.
		select {
		case <-c.stop:
			return
		case <-time.After(c.every):
		}
		c.checkpoint()
	}
}

func (c *checkpointer) checkpoint() {
	c.running.Lock()
	defer c.running.Unlock()
	var busy, logFrames, copied int64
	seen := c.commits.Load()
	// A failure (another checkpoint running: a backup's) leaves the
	// frames for the next one.
	if err := c.db.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &copied); err != nil {
		return
	}
	c.logFrames.Store(logFrames)
	c.copiedFrames.Store(copied)
	c.covered.Store(seen)
}

// close stops the goroutine and closes the connection (the last one to
// close copies what is left and removes the log).
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	c.done.Wait()
	return c.db.Close()
}
