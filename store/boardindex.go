package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// boardIndex holds, for every post, what a board filters on (its area,
// category and writer, and whether staff hid it), by area and by area and
// category, oldest first.
// Board pages, their counts and ListPosts find their posts here instead
// of in SQL; only the posts of a page are read from the database.
//
// Why: a board of many areas (range 1 or 2) found its page by walking the
// posts newest first and checking each one's area, and a deep page (50)
// read 601 posts for ten: 180–270 µs of SQL a view, more than half of the
// server's time whenever the page was not kept (a viewer with blocks, or
// the first view after a write). Here the same walk takes a few
// microseconds (issue 11). It holds ~75 bytes a post: 7 MB for 100,000.
//
// The index follows every write of posts and hidden_posts rows on the
// writer connection: a pre-update hook collects the posts a write
// transaction touched, and once Store.tx is over (before the method that
// wrote returns) those posts are read again. Other processes' commits (the
// CLI, `mealbuddy seed` while serving) are found through DataVersion, read
// at most once per indexCheckEvery, and make the index load again. A post
// written on the writer outside Store.tx (a migration) leaves the index
// unsure until the next transaction settles: reads go to SQL meanwhile.
type boardIndex struct {
	mu     sync.RWMutex
	loaded bool // false: load it before the next read
	// byArea holds each area's posts by id ascending, and byAreaCategory
	// each area's posts of each category again: a board with a category
	// merges only that category's posts.
	byArea         map[string][]indexedPost
	byAreaCategory map[areaCategory][]indexedPost
	// categories numbers the categories: an entry holds its number.
	categories []string
	categoryNo map[string]uint32

	// Writes seen by the hook, taken by settle.
	pendingMu sync.Mutex
	inTx      bool
	pending   []int64
	unsure    atomic.Bool // a post was written outside Store.tx

	// The data version at the last check; see checkOtherWriters.
	nextCheck atomic.Int64 // unix nanoseconds of the next check
	checking  sync.Mutex
	version   int64
	known     bool
}

type areaCategory struct{ area, category string }

// indexedPost is one post as the index holds it: 24 bytes.
type indexedPost struct {
	id, writer int64
	category   uint32 // in categories
	hidden     bool
}

// indexCheckEvery is how often a read asks whether another process
// committed (the board cache's dataVersionEvery).
const indexCheckEvery = time.Second

func newBoardIndex() *boardIndex { return &boardIndex{} }

// touched is the pre-update hook's part: a row of posts or hidden_posts
// (whose key is the post's id) was written.
func (x *boardIndex) touched(ids ...int64) {
	x.pendingMu.Lock()
	defer x.pendingMu.Unlock()
	if !x.inTx {
		x.unsure.Store(true)
		return
	}
	x.pending = append(x.pending, ids...)
}

// begin marks a write transaction of Store.tx as open.
func (x *boardIndex) begin() {
	x.pendingMu.Lock()
	x.inTx = true
	x.pendingMu.Unlock()
}

// settle brings the index up to the transaction that has just ended: when
// it committed, the posts it touched are read again. A post written
// outside Store.tx before it has committed by now (the writer has one
// connection), so the index is loaded afresh then.
func (x *boardIndex) settle(ctx context.Context, s *Store, committed bool) {
	x.pendingMu.Lock()
	ids := slices.Clone(x.pending)
	x.pending, x.inTx = x.pending[:0], false
	reload := x.unsure.Swap(false)
	x.pendingMu.Unlock()
	if !reload && (!committed || len(ids) == 0) {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.loaded {
		return // the next read loads it
	}
	if reload {
		x.loaded = false
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := x.refreshLocked(ctx, s, ids); err != nil {
		x.loaded = false // read it all again
	}
}

// indexColumns reads a post's entry; its posts row is p.
const indexColumns = `SELECT p.id, p.writer_id, p.area, p.category,
	EXISTS (SELECT 1 FROM hidden_posts h WHERE h.post_id = p.id) FROM posts p`

// refreshLocked reads the posts ids again: each one's entry is replaced,
// or removed when the post is gone. Under mu, so that a load cannot
// interleave with it.
func (x *boardIndex) refreshLocked(ctx context.Context, s *Store, ids []int64) error {
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	found := make(map[int64]bool, len(ids))
	err = x.scan(ctx, s, indexColumns+` WHERE p.id IN (SELECT value FROM json_each(?))`, func(area string, p indexedPost) {
		x.removeLocked(p.id)
		x.insertLocked(area, p)
		found[p.id] = true
	}, string(list))
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !found[id] {
			x.removeLocked(id)
		}
	}
	return nil
}

// loadLocked reads every post.
func (x *boardIndex) loadLocked(ctx context.Context, s *Store) error {
	x.reset()
	err := x.scan(ctx, s, indexColumns+` ORDER BY p.id`, func(area string, p indexedPost) {
		x.insertLocked(area, p) // in id order: each goes at the end
	})
	// Appending left up to half of each list's room unused.
	for a, list := range x.byArea {
		x.byArea[a] = slices.Clip(list)
	}
	for k, list := range x.byAreaCategory {
		x.byAreaCategory[k] = slices.Clip(list)
	}
	x.loaded = err == nil
	return err
}

// reset empties the index.
func (x *boardIndex) reset() {
	x.byArea, x.byAreaCategory = map[string][]indexedPost{}, map[areaCategory][]indexedPost{}
	x.categories, x.categoryNo = nil, map[string]uint32{}
}

// scan runs query (of indexColumns) and hands each post to add.
func (x *boardIndex) scan(ctx context.Context, s *Store, query string, add func(area string, p indexedPost), args ...any) error {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("board index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p indexedPost
		var area, category string
		if err := rows.Scan(&p.id, &p.writer, &area, &category, &p.hidden); err != nil {
			return fmt.Errorf("board index: %w", err)
		}
		p.category = x.categoryNumber(category)
		add(area, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("board index: %w", err)
	}
	return nil
}

// categoryNumber is category's number, given it the first time.
func (x *boardIndex) categoryNumber(category string) uint32 {
	no, ok := x.categoryNo[category]
	if !ok {
		no = uint32(len(x.categories))
		x.categories = append(x.categories, category)
		x.categoryNo[category] = no
	}
	return no
}

// insertLocked puts p in its area's lists at its place by id (nearly
// always the end: new posts have the highest ids).
func (x *boardIndex) insertLocked(area string, p indexedPost) {
	x.byArea[area] = insertByID(x.byArea[area], p)
	k := areaCategory{area, x.categories[p.category]}
	x.byAreaCategory[k] = insertByID(x.byAreaCategory[k], p)
}

func insertByID(list []indexedPost, p indexedPost) []indexedPost {
	i, _ := slices.BinarySearchFunc(list, p.id, byID)
	return slices.Insert(list, i, p)
}

// removeLocked drops post id from the index, if it is there. The index
// keeps no map from a post to its area (it would cost more than the
// lists): each area's list is searched, a few microseconds for hundreds of
// areas, once per post a write touched.
func (x *boardIndex) removeLocked(id int64) {
	for area, list := range x.byArea {
		i, found := slices.BinarySearchFunc(list, id, byID)
		if !found {
			continue
		}
		k := areaCategory{area, x.categories[list[i].category]}
		x.byArea[area] = removeByID(list, id)
		x.byAreaCategory[k] = removeByID(x.byAreaCategory[k], id)
		if len(x.byArea[area]) == 0 {
			delete(x.byArea, area)
		}
		if len(x.byAreaCategory[k]) == 0 {
			delete(x.byAreaCategory, k)
		}
		return
	}
}

func removeByID(list []indexedPost, id int64) []indexedPost {
	if i, found := slices.BinarySearchFunc(list, id, byID); found {
		return slices.Delete(list, i, i+1)
	}
	return list
}

func byID(e indexedPost, id int64) int { return cmpInt64(e.id, id) }

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// read runs fn on the index, current with this process's commits and
// within indexCheckEvery with other processes'. ok is false when the
// index cannot answer (recruiting boards, which depend on members and
// orders; an unsure index): the caller asks SQL.
func (x *boardIndex) read(ctx context.Context, s *Store, f PostFilter, fn func()) (ok bool, err error) {
	if f.Recruiting || x.unsure.Load() {
		return false, nil
	}
	x.checkOtherWriters(ctx, s)
	x.mu.RLock()
	if x.loaded {
		defer x.mu.RUnlock()
		fn()
		return true, nil
	}
	x.mu.RUnlock()
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.loaded {
		if err := x.loadLocked(ctx, s); err != nil {
			return false, err
		}
	}
	fn()
	return true, nil
}

// checkOtherWriters reads the store's data version when indexCheckEvery
// has passed since the last read, and has the index loaded again when it
// moved. A request that finds another one reading goes on without waiting.
func (x *boardIndex) checkOtherWriters(ctx context.Context, s *Store) {
	now := time.Now().UnixNano()
	if now < x.nextCheck.Load() || !x.checking.TryLock() {
		return
	}
	defer x.checking.Unlock()
	if now < x.nextCheck.Load() {
		return // another request has just read it
	}
	x.nextCheck.Store(now + int64(indexCheckEvery))
	v, err := s.DataVersion(ctx)
	if err == nil && x.known && v == x.version {
		return
	}
	// Moved, unknown (the first read), or not readable: load again. The
	// version is read before the load, so a commit in between is seen at
	// the next check.
	x.version, x.known = v, err == nil
	x.mu.Lock()
	x.loaded = false
	x.mu.Unlock()
}

// walk visits f's posts newest first, as the board's SQL would list them
// (areas, category, hidden posts, blocked writers; not Recruiting), and
// counts them up to countTo (all when negative). It returns the page at
// f.Offset (f.Limit ids; all when negative) and how many it counted. With
// last, the page is the one ListPage shows: the last page when f.Offset
// is past it (pageQuery's clamp).
func (x *boardIndex) walk(f PostFilter, countTo int, last bool) (page []int64, n int) {
	h := make(postCursors, 0, len(f.Areas))
	for i, a := range f.Areas {
		list := x.byArea[a]
		if f.Category != "" {
			list = x.byAreaCategory[areaCategory{a, f.Category}]
		}
		if len(list) > 0 && !slices.Contains(f.Areas[:i], a) {
			h = append(h, postCursor{list, len(list) - 1})
		}
	}
	h.init()
	var ring []int64 // the last f.Limit ids counted, for the clamp
	if last && f.Limit > 0 {
		ring = make([]int64, f.Limit)
	}
	for len(h) > 0 && (countTo < 0 || n < countTo) {
		p := h.next()
		if p.hidden || slices.Contains(f.ExcludeWriters, p.writer) {
			continue
		}
		if n >= f.Offset && (f.Limit < 0 || n < f.Offset+f.Limit) {
			page = append(page, p.id)
		}
		if ring != nil {
			ring[n%len(ring)] = p.id
		}
		n++
	}
	if ring != nil {
		// pageQuery's offset: MAX(MIN(Offset, start of the last page), 0).
		size := len(ring)
		if lastStart := max(((n+size-1)/size-1)*size, 0); lastStart < f.Offset {
			page = page[:0]
			for k := lastStart; k < n; k++ {
				page = append(page, ring[k%size])
			}
		}
	}
	return page, n
}

// postCursor reads an area's posts newest first: list[i] is next.
type postCursor struct {
	list []indexedPost
	i    int
}

// postCursors is a heap of areas by their next post's id, highest first:
// the merge of several areas' posts, newest first.
type postCursors []postCursor

func (h postCursors) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// next returns the newest post of all the areas and moves past it.
func (h *postCursors) next() indexedPost {
	c := &(*h)[0]
	p := c.list[c.i]
	if c.i--; c.i < 0 {
		last := len(*h) - 1
		(*h)[0] = (*h)[last]
		*h = (*h)[:last]
	}
	h.down(0)
	return p
}

func (h postCursors) down(i int) {
	for {
		top, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h.id(l) > h.id(top) {
			top = l
		}
		if r < len(h) && h.id(r) > h.id(top) {
			top = r
		}
		if top == i {
			return
		}
		h[i], h[top] = h[top], h[i]
		i = top
	}
}

func (h postCursors) id(i int) int64 { return h[i].list[h[i].i].id }
