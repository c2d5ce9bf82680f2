package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// boardIndex holds, for every post, what a board filters on (its area,
// category and writer, and whether staff hid it), by area and by area and
// category, oldest first. Board pages, their counts and ListPosts find
// their posts here instead of in SQL; only the posts of a page are read
// from the database.
//
// Why: a board of many areas (range 1 or 2) found its page by walking the
// posts newest first and checking each one's area, and a deep page (50)
// read 601 posts for ten: 180–270 µs of SQL a view, more than half of the
// server's time whenever the page was not kept (a viewer with blocks, or
// the first view after a write). Here the same walk takes a few
// microseconds (issue 11). It holds ~75 bytes a post: 7 MB for 100,000.
//
// The index follows every write of posts and hidden_posts rows on the
// writer connection: a pre-update hook keeps what each write changes, and
// once Store.tx has committed (before the method that wrote returns) the
// index applies it. Other processes' commits (the CLI, `mealbuddy seed`
// while serving) are found by the store's CommitWatch, which unloads the
// index before any cache learns of them; the next read loads it again. A
// posts row written on the writer outside Store.tx leaves the index unsure
// until the next transaction settles: reads go to SQL meanwhile. Schema
// changes are not seen by the hook: migrations run before the first board
// read loads the index.
//
// A load (the first board read, or after another process committed) reads
// every post: ~20 ms for 10,000 posts, ~300 ms for 100,000. It runs in
// the request that found the index not loaded, outside mu: other board
// reads go to SQL meanwhile, and writes log what they change, which the
// load applies on top of what it read before it takes over.
type boardIndex struct {
	mu    sync.RWMutex
	lists *postLists // nil: load it before the next read
	// A load under way: settles append their writes to log. gen moves when
	// the load under way must not take over (the index must be read
	// afresh once more).
	logging bool
	log     []postWrite
	gen     uint64
	loading sync.Mutex // held by the request that loads
	// scanned, when not nil, runs in a load between its read and its
	// take-over (tests).
	scanned func()

	// Writes seen by the hook, taken by settle.
	pendingMu sync.Mutex
	inTx      bool
	pending   []postWrite
	lost      bool        // a write the hook could not read
	unsure    atomic.Bool // a post was written outside Store.tx

	commits *CommitWatch // other processes' commits (Store.commits)
}

// postLists are the posts the index holds.
type postLists struct {
	// byArea holds each area's posts by id ascending, and byAreaCategory
	// each area's posts of each category again: a board with a category
	// merges only that category's posts.
	byArea         map[string][]indexedPost
	byAreaCategory map[areaCategory][]indexedPost
	// categories numbers the categories: an entry holds its number.
	categories []string
	categoryNo map[string]uint32
}

func newPostLists() *postLists {
	return &postLists{byArea: map[string][]indexedPost{}, byAreaCategory: map[areaCategory][]indexedPost{},
		categoryNo: map[string]uint32{}}
}

type areaCategory struct{ area, category string }

// indexedPost is one post as the index holds it: 24 bytes.
type indexedPost struct {
	id, writer int64
	category   uint32 // in categories
	hidden     bool
}

func newBoardIndex() *boardIndex { return &boardIndex{} }

// postWrite is a write of a posts or hidden_posts row, as the hook saw
// it.
type postWrite struct {
	kind postWriteKind
	id   int64
	// postSet: the row's writer, area and category.
	writer         int64
	area, category string
}

type postWriteKind uint8

const (
	postSet    postWriteKind = iota // a posts row written with these values
	postGone                        // a posts row deleted
	postHidden                      // a hidden_posts row inserted
	postShown                       // a hidden_posts row deleted
)

// hook is the pre-update hook's part for the posts and hidden_posts
// tables (d.TableName): it keeps what the write changes for settle.
func (x *boardIndex) hook(d *sqlite.SQLitePreUpdateData) {
	var writes []postWrite
	gone, set := postGone, postSet
	if d.TableName == "hidden_posts" { // keyed by its post's id
		gone, set = postShown, postHidden
	}
	if d.Op != sqlite3.SQLITE_INSERT && (d.Op == sqlite3.SQLITE_DELETE || d.OldRowID != d.NewRowID) {
		writes = append(writes, postWrite{kind: gone, id: d.OldRowID})
	}
	lost := false
	if d.Op != sqlite3.SQLITE_DELETE {
		w := postWrite{kind: set, id: d.NewRowID}
		if set == postSet {
			var ok bool
			if w.writer, w.area, w.category, ok = boardColumns(d.New); !ok {
				lost = true
			} else if d.Op == sqlite3.SQLITE_UPDATE && d.OldRowID == d.NewRowID {
				// Most updates change what the board does not filter on
				// (closed, a title): finding the post in the index would
				// cost more than comparing the row.
				writer, area, category, ok := boardColumns(d.Old)
				if ok && writer == w.writer && area == w.area && category == w.category {
					return
				}
			}
		}
		writes = append(writes, w)
	}
	x.pendingMu.Lock()
	defer x.pendingMu.Unlock()
	switch {
	case !x.inTx:
		x.unsure.Store(true)
	case lost:
		x.lost = true // settle loads it all again
	default:
		x.pending = append(x.pending, writes...)
	}
}

// boardColumns reads the writer, area and category of a posts row with
// read (SQLitePreUpdateData.New or Old): the table's columns are (id,
// writer_id, title, category, content, address, area, …), as the first
// migration made them.
func boardColumns(read func(...any) error) (writer int64, area, category string, ok bool) {
	// The driver (v1.62) stores each value in the slice itself (see
	// memberWrites.hook).
	row := make([]any, 7)
	if err := read(row...); err != nil {
		return 0, "", "", false
	}
	var ok1, ok2, ok3 bool
	writer, ok1 = row[1].(int64)
	category, ok2 = row[3].(string)
	area, ok3 = row[6].(string)
	return writer, area, category, ok1 && ok2 && ok3
}

// begin marks a write transaction of Store.tx as open.
func (x *boardIndex) begin() {
	x.pendingMu.Lock()
	x.inTx = true
	x.pendingMu.Unlock()
}

// settle brings the index up to the transaction that has just ended: when
// it committed, its writes are applied, or logged for the load under way.
// Settles run in commit order (each within its transaction's turn of the
// writer). A load that read a commit before its settle applies the same
// writes again on top of what it read, which changes nothing: each write
// sets a post's state whole, so the last write of each post decides, in
// commit order. A post written outside Store.tx has committed by now
// (the writer has one connection), so the index is loaded afresh then; so
// it is after a transaction that committed although one of its statements
// failed (failed): the hook may have seen a row that SQLite then undid.
func (x *boardIndex) settle(committed, failed bool) {
	x.pendingMu.Lock()
	writes := slices.Clone(x.pending)
	x.pending, x.inTx = x.pending[:0], false
	reload := x.unsure.Swap(false) || (committed && (x.lost || failed && len(writes) > 0))
	x.lost = false
	x.pendingMu.Unlock()
	if !reload && (!committed || len(writes) == 0) {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if reload {
		x.unloadLocked()
		return
	}
	if x.logging {
		x.log = append(x.log, writes...)
	}
	if x.lists != nil {
		for _, w := range writes {
			x.lists.apply(w)
		}
	}
}

// unloadLocked has the next read load the index afresh, and a load under
// way not take over.
func (x *boardIndex) unloadLocked() {
	x.lists = nil
	x.gen++
}

// apply applies one write.
func (l *postLists) apply(w postWrite) {
	area, i, found := l.find(w.id)
	switch w.kind {
	case postSet:
		p := indexedPost{id: w.id, writer: w.writer, category: l.categoryNumber(w.category)}
		if found {
			old := l.byArea[area][i]
			if area == w.area && old.writer == p.writer && old.category == p.category {
				return // a change the board does not filter on (closed, title, …)
			}
			p.hidden = old.hidden
			l.remove(w.id)
		}
		l.insert(w.area, p)
	case postGone:
		l.remove(w.id)
	case postHidden, postShown:
		if !found {
			return
		}
		p := l.byArea[area][i]
		k := areaCategory{area, l.categories[p.category]}
		for _, list := range [][]indexedPost{l.byArea[area], l.byAreaCategory[k]} {
			if j, ok := slices.BinarySearchFunc(list, w.id, byID); ok {
				list[j].hidden = w.kind == postHidden
			}
		}
	}
}

// load reads every post into new lists, outside mu, and has them take
// over with the writes logged meanwhile applied. It returns without
// loading when the index is loaded already.
func (x *boardIndex) load(ctx context.Context, s *Store) error {
	x.mu.Lock()
	if x.lists != nil {
		x.mu.Unlock()
		return nil
	}
	x.logging, x.log = true, nil
	gen := x.gen
	x.mu.Unlock()

	lists := newPostLists()
	// Not cut short by the request that happens to load: others wait
	// for the index (in SQL meanwhile).
	err := lists.scan(context.WithoutCancel(ctx), s) // a snapshot taken after logging began
	if x.scanned != nil {
		x.scanned()
	}

	x.mu.Lock()
	defer x.mu.Unlock()
	logged := x.log
	x.logging, x.log = false, nil
	if err != nil || gen != x.gen {
		return err // read afresh at the next read
	}
	for _, w := range logged {
		lists.apply(w)
	}
	x.lists = lists
	return nil
}

// scan reads every post.
func (l *postLists) scan(ctx context.Context, s *Store) error {
	rows, err := s.r.QueryContext(ctx, `SELECT p.id, p.writer_id, p.area, p.category,
		EXISTS (SELECT 1 FROM hidden_posts h WHERE h.post_id = p.id) FROM posts p ORDER BY p.id`)
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
		p.category = l.categoryNumber(category)
		l.insert(area, p) // in id order: each goes at the end
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("board index: %w", err)
	}
	// Appending left up to half of each list's room unused.
	for a, list := range l.byArea {
		l.byArea[a] = slices.Clip(list)
	}
	for k, list := range l.byAreaCategory {
		l.byAreaCategory[k] = slices.Clip(list)
	}
	return nil
}

// categoryNumber is category's number, given it the first time.
func (l *postLists) categoryNumber(category string) uint32 {
	no, ok := l.categoryNo[category]
	if !ok {
		no = uint32(len(l.categories))
		l.categories = append(l.categories, category)
		l.categoryNo[category] = no
	}
	return no
}

// insert puts p in its area's lists at its place by id (nearly always
// the end: new posts have the highest ids).
func (l *postLists) insert(area string, p indexedPost) {
	l.byArea[area] = insertByID(l.byArea[area], p)
	k := areaCategory{area, l.categories[p.category]}
	l.byAreaCategory[k] = insertByID(l.byAreaCategory[k], p)
}

func insertByID(list []indexedPost, p indexedPost) []indexedPost {
	i, _ := slices.BinarySearchFunc(list, p.id, byID)
	return slices.Insert(list, i, p)
}

// find finds post id: its area, and where it is in the area's list. The
// index keeps no map from a post to its area (it would cost more than the
// lists): each area's list is searched, a few microseconds for hundreds of
// areas, once per post a write touched.
func (l *postLists) find(id int64) (area string, i int, found bool) {
	for area, list := range l.byArea {
		if i, found := slices.BinarySearchFunc(list, id, byID); found {
			return area, i, true
		}
	}
	return "", 0, false
}

// remove drops post id, if it is there.
func (l *postLists) remove(id int64) {
	area, i, found := l.find(id)
	if !found {
		return
	}
	k := areaCategory{area, l.categories[l.byArea[area][i].category]}
	if l.byArea[area] = slices.Delete(l.byArea[area], i, i+1); len(l.byArea[area]) == 0 {
		delete(l.byArea, area)
	}
	if l.byAreaCategory[k] = removeByID(l.byAreaCategory[k], id); len(l.byAreaCategory[k]) == 0 {
		delete(l.byAreaCategory, k)
	}
}

func removeByID(list []indexedPost, id int64) []indexedPost {
	if i, found := slices.BinarySearchFunc(list, id, byID); found {
		return slices.Delete(list, i, i+1)
	}
	return list
}

func byID(e indexedPost, id int64) int { return cmp.Compare(e.id, id) }

// read runs fn on the posts, current with this process's commits and
// within indexCheckEvery with other processes'. ok is false when the
// index cannot answer (recruiting boards, which depend on members and
// orders; an unsure index; another request loading it): the caller asks
// SQL.
func (x *boardIndex) read(ctx context.Context, s *Store, f PostFilter, fn func(*postLists)) (ok bool, err error) {
	if f.Recruiting || x.unsure.Load() {
		return false, nil
	}
	x.commits.Generation(ctx) // unloads the index when another process committed
	if ok := x.readLoaded(fn); ok {
		return true, nil
	}
	if !x.loading.TryLock() {
		return false, nil
	}
	err = x.load(ctx, s)
	x.loading.Unlock()
	if err != nil {
		// SQL answers, or says what is wrong with the database; the next
		// read loads again.
		return false, nil
	}
	return x.readLoaded(fn), nil
}

// unload has the next read load the index afresh: the store's
// CommitWatch saw another process commit.
func (x *boardIndex) unload() {
	x.mu.Lock()
	x.unloadLocked()
	x.mu.Unlock()
}

// readLoaded runs fn if the index is loaded.
func (x *boardIndex) readLoaded(fn func(*postLists)) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.lists != nil {
		fn(x.lists)
	}
	return x.lists != nil
}

// walk visits f's posts newest first, as the board's SQL would list them
// (areas, category, hidden posts, blocked writers; not Recruiting), and
// counts them up to countTo (all when negative). It returns the page at
// f.Offset (f.Limit ids; all when negative) and how many it counted. With
// clampToLast, the page is the one ListPage shows: the last page when
// f.Offset is past it (pageQuery's clamp).
func (l *postLists) walk(f PostFilter, countTo int, clampToLast bool) (page []int64, n int) {
	f.Offset = max(f.Offset, 0) // as SQL's OFFSET
	h := make(postCursors, 0, len(f.Areas))
	for i, a := range f.Areas {
		list := l.byArea[a]
		if f.Category != "" {
			list = l.byAreaCategory[areaCategory{a, f.Category}]
		}
		if len(list) > 0 && !slices.Contains(f.Areas[:i], a) {
			h = append(h, postCursor{list, len(list) - 1})
		}
	}
	h.init()
	var ring []int64 // the last f.Limit ids counted (no more than it counts), for the clamp
	if clampToLast && f.Limit > 0 {
		ring = make([]int64, f.Limit)
		if countTo >= 0 {
			ring = make([]int64, max(min(f.Limit, countTo), 1))
		}
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
		size := f.Limit
		if lastStart := max(((n+size-1)/size-1)*size, 0); lastStart < f.Offset {
			page = page[:0]
			for k := lastStart; k < n; k++ {
				page = append(page, ring[k%len(ring)])
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
