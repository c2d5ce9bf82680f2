package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// postShares is a snapshot of how many posts each area holds, in all and
// by category, and each category. The board reads it to choose how to
// find a page of several areas (walkByID); a stale snapshot only makes
// that choice worse, never the page wrong.
type postShares struct {
	total      int
	byArea     map[string]int
	byCategory map[string]int
	byAreaCat  map[areaCategory]int
}

type areaCategory struct{ area, category string }

// sharesEvery is how old the snapshot may grow before a board read asks for
// a new one. Counting reads one covering index (about 3 ms for 10,000
// posts) on a reader connection, in a goroutine beside the requests.
const sharesEvery = 30 * time.Second

// shareKeeper keeps the snapshot and refreshes it in the background.
type shareKeeper struct {
	current    atomic.Pointer[postShares]
	next       atomic.Int64 // unix nanoseconds after which a read starts a refresh
	refreshing atomic.Bool

	// mu orders a refresh's start against close: none starts after it.
	mu     sync.Mutex
	closed bool
	ctx    context.Context // cancelled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup // close waits for a refresh in flight
}

func newShareKeeper() *shareKeeper {
	k := &shareKeeper{}
	k.ctx, k.cancel = context.WithCancel(context.Background())
	return k
}

// close stops the refresh in flight, if any, and waits for it.
func (k *shareKeeper) close() {
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
	k.cancel()
	k.wg.Wait()
}

// start runs refresh in a goroutine, unless the keeper is closed.
func (k *shareKeeper) start(refresh func(context.Context) error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		k.refreshing.Store(false)
		return
	}
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		defer k.refreshing.Store(false)
		refresh(k.ctx) // on failure the old snapshot serves
	}()
}

// shareOf returns the share of all posts that f's areas hold, or with a
// category the share of the category's posts, from the snapshot: the
// share of the rows a walk newest first (by id, or on the category's
// index) keeps. It starts a refresh when the snapshot is missing or old;
// without a snapshot yet it answers 0.
func (s *Store) shareOf(f PostFilter) float64 {
	k := s.shares
	if now := time.Now().UnixNano(); now >= k.next.Load() && k.refreshing.CompareAndSwap(false, true) {
		k.next.Store(now + int64(sharesEvery))
		k.start(s.refreshShares)
	}
	snap := k.current.Load()
	if snap == nil {
		return 0
	}
	n, of := 0, snap.total
	if f.Category != "" {
		of = snap.byCategory[f.Category]
	}
	for _, a := range f.Areas {
		if f.Category == "" {
			n += snap.byArea[a]
		} else {
			n += snap.byAreaCat[areaCategory{a, f.Category}]
		}
	}
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// refreshShares counts the posts of every area and category now.
func (s *Store) refreshShares(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rows, err := s.r.DB.QueryContext(ctx, `SELECT area, category, COUNT(*) FROM posts GROUP BY area, category`)
	if err != nil {
		return err
	}
	defer rows.Close()
	snap := &postShares{byArea: map[string]int{}, byCategory: map[string]int{}, byAreaCat: map[areaCategory]int{}}
	for rows.Next() {
		var k areaCategory
		var n int
		if err := rows.Scan(&k.area, &k.category, &n); err != nil {
			return err
		}
		snap.total += n
		snap.byArea[k.area] += n
		snap.byCategory[k.category] += n
		snap.byAreaCat[k] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	s.shares.current.Store(snap)
	return nil
}
