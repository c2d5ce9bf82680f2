package app

// The board: GET /api/post/, its paginator, and the cache of rendered pages
// with its invalidation.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/store"
)

const postsPerPage = 10

// paginator is the original service's page navigation object.
type paginator struct {
	PageRange   []int `json:"page_range"`
	CurrentPage int   `json:"current_page"`
	PrevButton  *int  `json:"prev_button"`
	NextButton  *int  `json:"next_button"`
}

// newPaginator computes the paginator of docs/api.md (GET /api/post/) for
// page p of total items; p is clamped to 1…last.
func newPaginator(p, total int) paginator {
	last := max(1, (total+postsPerPage-1)/postsPerPage)
	p = min(max(p, 1), last)
	right := min(max(p-5, 1)+9, last)
	left := max(right-9, 1)
	pg := paginator{CurrentPage: p, PageRange: make([]int, 0, right-left+1)}
	for i := left; i <= right; i++ {
		pg.PageRange = append(pg.PageRange, i)
	}
	if p != 1 {
		prev := max(p-10, 1)
		pg.PrevButton = &prev
	}
	if p != last {
		next := min(p+10, last)
		pg.NextButton = &next
	}
	return pg
}

// maxPage bounds ?page= so that page arithmetic cannot overflow.
const maxPage = 1_000_000

// pageParam reads ?page=; anything but a number means 1.
func pageParam(r *http.Request) int {
	n, err := strconv.Atoi(strings.TrimSpace(r.URL.Query().Get("page")))
	if err != nil {
		return 1
	}
	return min(max(n, 1), maxPage)
}

// areasFor lists the area keys of the user's board at a range.
func (s *Server) areasFor(u store.User, rng int) []string {
	if u.DongCode == "" || rng == 0 {
		return []string{u.Area()}
	}
	near := s.dongs.Within(u.DongCode, rng)
	if len(near) == 0 {
		return []string{u.Area()}
	}
	areas := make([]string, len(near))
	for i, n := range near {
		areas[i] = n.Dong.Code
	}
	return areas
}

func (s *Server) handleListPosts(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	q := r.URL.Query()
	errs := fieldErrors{}
	category := strings.TrimSpace(q.Get("category"))
	if category != "" && !menu.IsCategory(category) {
		errs.add("category", "알 수 없는 카테고리예요.")
	}
	rng := u.Range
	if raw := strings.TrimSpace(q.Get("range")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 2 {
			errs.add("range", "범위는 0, 1, 2 중 하나여야 해요.")
		}
		rng = n
	}
	recruiting := false
	switch strings.TrimSpace(q.Get("recruiting")) {
	case "", "0":
	case "1":
		recruiting = true
	default:
		errs.add("recruiting", "recruiting은 0 또는 1이어야 해요.")
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	page := pageParam(r)
	key := boardKey{area: u.Area(), rng: rng, category: category, page: page, recruiting: recruiting}
	areas := s.areasFor(u, rng)
	blocked, err := s.blockedWriters(r.Context(), u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kept, seq, ok := s.boards.get(r.Context(), key)
	if ok && len(blocked) > 0 {
		// A viewer with blocks bypasses the kept page, unless the blocked
		// writers have no post on this board, hidden or not: then the
		// blocks hide nothing, and the kept page is the viewer's too.
		// Asked only when a page is kept, where it saves rendering one.
		hides, err := s.store.WritesIn(r.Context(), blocked, areas)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !hides {
			blocked = nil
		}
	}
	if ok && len(blocked) == 0 {
		if kept.body == nil { // a post on it changed: the same posts, items read again
			body, err := s.assembleBoard(r.Context(), kept.ids, kept.paginator, u.DongCode, seq)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			kept.body = body
			s.boards.put(seq, key, areas, kept)
		}
		s.writeBoard(w, r, u, kept.body, true)
		return
	}
	filter := store.PostFilter{Areas: areas, Category: category, Recruiting: recruiting, Now: s.now(), ExcludeWriters: blocked}
	// Counting past ten pages beyond this one cannot change the paginator.
	atMost := (page+10)*postsPerPage + 1
	if len(blocked) > 0 || s.boards == nil {
		s.writeOwnBoard(w, r, u, filter, page, atMost, seq)
		return
	}
	total, counted := s.boards.count(key, atMost)
	if !counted {
		if total, err = s.store.CountPosts(r.Context(), filter, atMost); err != nil {
			s.fail(w, r, err)
			return
		}
		s.boards.putCount(seq, key, areas, total, atMost)
	}
	pg := newPaginator(page, total)
	filter.Limit, filter.Offset = postsPerPage, (pg.CurrentPage-1)*postsPerPage
	paginatorJSON, err := json.Marshal(pg)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ids, err := s.store.ListPostIDs(r.Context(), filter)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := s.assembleBoard(r.Context(), ids, paginatorJSON, u.DongCode, seq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.boards.put(seq, key, areas, cachedPage{ids: ids, current: pg.CurrentPage, paginator: paginatorJSON, body: body})
	s.writeBoard(w, r, u, body, true)
}

// writeOwnBoard answers a board page rendered for this view only, with
// no page kept: a viewer who blocks someone, or a server without the board
// cache. The page and its count are read together (ListPage, from the
// store's board index); a page past the last one is the last, as its
// paginator says.
//
// With the board cache, the page reuses the posts' kept items: a post
// renders the same for every viewer, whatever they block (seq is what
// boards.get returned).
func (s *Server) writeOwnBoard(w http.ResponseWriter, r *http.Request, u store.User, filter store.PostFilter, page, atMost int, seq uint64) {
	filter.Limit, filter.Offset = postsPerPage, (page-1)*postsPerPage
	var body []byte
	if s.boards != nil {
		ids, total, err := s.store.ListPageIDs(r.Context(), filter, atMost)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		paginatorJSON, err := json.Marshal(newPaginator(page, total))
		if err == nil {
			body, err = s.assembleBoard(r.Context(), ids, paginatorJSON, u.DongCode, seq)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	} else {
		posts, total, err := s.store.ListPage(r.Context(), filter, atMost)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		paginatorJSON, err := json.Marshal(newPaginator(page, total))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		items := make([][]byte, len(posts))
		for i, p := range posts {
			if items[i], err = s.boardItem(p, u.DongCode); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		body = joinBoard(items, paginatorJSON)
	}
	s.writeBoard(w, r, u, body, false)
}

// boardItem renders post p as board pages show it to the residents of
// dong: for nobody in particular (no one's email), with "is_joined":false
// (writeBoard sets the viewer's own).
func (s *Server) boardItem(p store.Post, dong string) ([]byte, error) {
	item := s.postJSON(p, store.User{DongCode: dong})
	item.IsJoined = new(bool)
	return json.Marshal(item)
}

// joinBoard is the page of items and a paginator: the bytes
// json.Marshal(boardJSON{…}) gives. A nil item (a post deleted meanwhile)
// is left out.
func joinBoard(items [][]byte, paginatorJSON []byte) []byte {
	out := make([]byte, 0, 64+len(paginatorJSON)+len(items)*700)
	out = append(out, `{"posts":[`...)
	first := true
	for _, item := range items {
		if item == nil {
			continue
		}
		if !first {
			out = append(out, ',')
		}
		out = append(out, item...)
		first = false
	}
	out = append(out, `],"paginator":`...)
	out = append(out, paginatorJSON...)
	return append(out, '}')
}

// assembleBoard renders the shared page of the posts ids with its
// paginator, reusing the kept items of its posts and reading only the
// others.
func (s *Server) assembleBoard(ctx context.Context, ids []int64, paginatorJSON []byte, dong string, seq uint64) ([]byte, error) {
	items := make([][]byte, len(ids))
	var missing []int64
	for i, id := range ids {
		if items[i] = s.boards.item(id, dong); items[i] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		posts, err := s.store.PostsByIDs(ctx, missing)
		if err != nil {
			return nil, err
		}
		rendered := make(map[int64][]byte, len(posts))
		for _, p := range posts {
			b, err := s.boardItem(p, dong)
			if err != nil {
				return nil, err
			}
			rendered[p.ID] = b
			s.boards.putItem(seq, p.ID, dong, b)
		}
		for i, id := range ids {
			if items[i] == nil {
				items[i] = rendered[id] // nil: deleted since the ids were read
			}
		}
	}
	return joinBoard(items, paginatorJSON), nil
}

// The keys writeBoard looks for. JSON escapes every '"' inside a string
// value, so these byte sequences can only be keys of the encoder's own
// making, never text that a resident wrote.
var (
	chatIDKey   = []byte(`"chat_id":`)
	notJoinedKV = []byte(`"is_joined":false`)
)

// writeBoard answers a board page (cached or just rendered, shared by the
// area's residents) with is_joined set for viewer u. Every item was
// rendered with "is_joined":false after its "chat_id" (postJSON's field
// order); the rooms u belongs to come from the user cache (roomsOf), and
// only their false becomes true. The shared bytes are not
// re-encoded nor changed: a page where u is in no room is sent as it is,
// and when the page is kept in the board cache (kept), so is its gzipped
// form; a page rendered for one view only is compressed for that view.
//
// Why this and not encoding the page per viewer: the scan is a pass over
// ~6 KB of bytes with no allocation per item, where encoding would build the
// whole page again for every view.
func (s *Server) writeBoard(w http.ResponseWriter, r *http.Request, u store.User, body []byte, kept bool) {
	type slot struct {
		room int64
		at   int // offset of "false"
	}
	slots := make([]slot, 0, postsPerPage)
	for i := 0; ; {
		k := bytes.Index(body[i:], chatIDKey)
		if k < 0 {
			break
		}
		i += k + len(chatIDKey)
		end := i
		for end < len(body) && body[end] >= '0' && body[end] <= '9' {
			end++
		}
		room, err := strconv.ParseInt(string(body[i:end]), 10, 64)
		j := bytes.Index(body[end:], notJoinedKV)
		if err != nil || j < 0 || bytes.Contains(body[end:end+j], chatIDKey) {
			s.fail(w, r, fmt.Errorf("board page: no chat_id/is_joined pair at %d", i))
			return
		}
		i = end + j + len(notJoinedKV)
		slots = append(slots, slot{room: room, at: i - len("false")})
	}
	mine, err := s.users.roomsOf(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	joined := false
	for _, sl := range slots {
		joined = joined || mine[sl.room]
	}
	if !joined {
		if kept {
			writeSharedJSON(w, http.StatusOK, body) // its gzipped form is kept too
		} else {
			writeJSONBytes(w, http.StatusOK, body)
		}
		return
	}
	out := make([]byte, 0, len(body))
	last := 0
	for _, sl := range slots {
		if mine[sl.room] {
			out = append(out, body[last:sl.at]...)
			out = append(out, "true"...)
			last = sl.at + len("false")
		}
	}
	out = append(out, body[last:]...)
	writeJSONBytes(w, http.StatusOK, out)
}

// boardJSON is the list answer.
type boardJSON struct {
	Posts     []postJSON `json:"posts"`
	Paginator paginator  `json:"paginator"`
}

// boardKey names one rendered board page: everything the answer depends on
// besides the database. Viewers of one neighbourhood share pages (the
// distances are from the neighbourhood, not the person).
type boardKey struct {
	area     string
	rng      int
	category string
	page     int
	// recruiting: ?recruiting=1. Pages also depend on the time (order
	// deadlines), but a passing deadline is applied as a change, which
	// empties the cache.
	recruiting bool
}

// boardCache keeps rendered board pages. Residents mostly read the board;
// re-running its queries for each view costs far more than answering the
// bytes again.
//
// A page is kept until the next change that a page may show. This
// process's handlers report theirs by calling changed once their write has
// committed and before they answer, so a client never reads a page older
// than its own write. Commits by other processes on the same file (the
// CLI, `mealbuddy seed` while serving) are found through the store's
// CommitWatch (Store.Commits), which reads the data version at most once
// a second, so they show within about that.
//
// A nil *boardCache caches nothing (Config.NoBoardCache).
type boardCache struct {
	commits     *store.CommitWatch // other processes' commits
	seenCommits atomic.Uint64      // its generation last seen
	log         *slog.Logger

	mu sync.Mutex
	// Every change takes the next sequence number. A page rendered from
	// data read at seq s is kept only if no area it lists changed after s:
	// a write in one neighbourhood does not throw away the pages being
	// rendered for another one.
	seq    uint64
	allAt  uint64            // the last change of everything (changed)
	areaAt map[string]uint64 // the last change in an area (changedIn), when later than allAt
	postIn map[string]uint64 // the last change of a post in an area (changedPost), when later than allAt
	adding map[string]int    // posts being written, by area (beginAdd)
	pages  map[boardKey]cachedPage
	counts map[boardKey]cachedCount // by the key of page 0: every page of a board shares it

	// Items are single posts as board pages show them, by post and by the
	// neighbourhood they are rendered for (distances differ). A change in
	// an area empties its pages, but most of the posts on them did not
	// change: a page rendered again reads only the posts it has no item of.
	items     map[int64]map[string][]byte
	itemCount int
	postAt    map[int64]uint64 // the last change of a post, when later than postFloor
	postFloor uint64           // items and posts read before it are refused (postAt was emptied then)

	// Posts are kept whole for their detail page and their room's
	// answers, with the same changes dropping them as their items.
	posts map[int64]cachedPost
}

// cachedPage is a board page: the posts it lists (ids) with its
// paginator, rendered (body) unless one of its posts changed since, and
// the areas whose posts it lists.
type cachedPage struct {
	ids       []int64
	current   int // the page shown: the one asked for, or the last when it was past it
	paginator []byte
	body      []byte // nil: render it again from ids
	areas     []string
}

// cachedPost is a post as store.PostByID reads it, and whether staff hid it.
type cachedPost struct {
	p      store.Post
	hidden bool
}

// cachedCount is a board's post count, counted up to atMost (CountPosts),
// and the areas it counts.
type cachedCount struct {
	total, atMost int
	areas         []string
}

// maxBoardPages bounds the cache (a page is ~6 KB).
const maxBoardPages = 512

// maxBoardItems bounds the items (one is ~600 bytes), and maxChangedPosts
// the posts whose last change is remembered.
const (
	maxBoardItems   = 4096
	maxChangedPosts = 4096
)

func newBoardCache(commits *store.CommitWatch, log *slog.Logger) *boardCache {
	return &boardCache{commits: commits, log: log}
}

// get returns the cached page for k, whose body is nil when its posts
// must be rendered again. seq is what the caller passes to put with the
// page it renders.
func (c *boardCache) get(ctx context.Context, k boardKey) (page cachedPage, seq uint64, ok bool) {
	if c == nil {
		return cachedPage{}, 0, false
	}
	c.checkOtherWriters(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	page, ok = c.pages[k]
	return page, c.seq, ok
}

// put keeps page k, the posts of areas, read after get returned seq. A
// page whose list is older than a change of its areas since is dropped;
// one with a post changed since keeps its list, not its body.
func (c *boardCache) put(seq uint64, k boardKey, areas []string, page cachedPage) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.staleLocked(seq, areas, k.recruiting) {
		return
	}
	if c.postFloor > seq || slices.ContainsFunc(page.ids, func(id int64) bool { return c.postAt[id] > seq }) {
		page.body = nil
	}
	if c.pages == nil || len(c.pages) >= maxBoardPages {
		c.pages = make(map[boardKey]cachedPage)
	}
	page.areas = areas
	c.pages[k] = page
}

// staleLocked reports whether which posts of areas a board lists, read
// after seq was handed out, may have changed since: a change in the areas
// (changedIn), a post being written there (beginAdd), or for a board of
// recruiting posts also a change of one of their posts (changedPost),
// which may start or end its recruiting.
func (c *boardCache) staleLocked(seq uint64, areas []string, recruiting bool) bool {
	if c.allAt > seq {
		return true
	}
	for _, a := range areas {
		if c.areaAt[a] > seq || recruiting && c.postIn[a] > seq || c.adding[a] > 0 {
			return true
		}
	}
	return false
}

// count returns the kept post count of k's board counted up to atMost.
// Every page of a board and every view of it needs the count, while only a
// change in its areas moves it.
func (c *boardCache) count(k boardKey, atMost int) (int, bool) {
	if c == nil {
		return 0, false
	}
	k.page = 0
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.counts[k]
	switch {
	case !ok:
		return 0, false
	case e.total < e.atMost: // exact
		return min(e.total, atMost), true
	case e.atMost >= atMost:
		return atMost, true
	}
	return 0, false // counted not far enough for this page
}

// putCount keeps the count of k's board, read after get returned seq.
func (c *boardCache) putCount(seq uint64, k boardKey, areas []string, total, atMost int) {
	if c == nil {
		return
	}
	k.page = 0
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.staleLocked(seq, areas, k.recruiting) {
		return
	}
	if c.counts == nil || len(c.counts) >= maxBoardPages {
		c.counts = make(map[boardKey]cachedCount)
	}
	c.counts[k] = cachedCount{total: total, atMost: atMost, areas: areas}
}

// changed drops every page. Handlers call it after each committed write
// that board pages may show beyond one area: accounts (profile update,
// deletion: a writer's name shows wherever it wrote), moderation.
func (c *boardCache) changed() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	c.allAt = c.seq
	c.areaAt, c.postIn, c.postAt = nil, nil, nil // all older than allAt now
	c.pages, c.counts, c.posts = nil, nil, nil
	c.items, c.itemCount = nil, 0
}

// changedIn drops the pages that list posts of area, and the items of
// post. Handlers call it after a committed write that may change which
// posts a board lists (an edit, which may change the category; a deletion
// of the post or its room): only boards whose range covers the post's area
// can show it, and only pages of such boards (and items of the post) being
// rendered meanwhile are not kept. A new post calls addedIn, and a change
// of one post's members, totals or state changedPost.
//
// Before, every change dropped every page: in a busy neighbourhood the
// cache was empty most of the time, and the board served from the
// database at a fraction of the bare speed (issue 11).
func (c *boardCache) changedIn(area string, post int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	if c.areaAt == nil {
		c.areaAt = make(map[string]uint64)
	}
	c.areaAt[area] = c.seq
	for k, p := range c.pages {
		if slices.Contains(p.areas, area) {
			delete(c.pages, k)
		}
	}
	for k, n := range c.counts {
		if slices.Contains(n.areas, area) {
			delete(c.counts, k)
		}
	}
	c.dropItemLocked(post)
}

// addedIn is changedIn for a new post, which goes first on every board
// that lists it: instead of dropping the area's pages, each board whose
// pages are kept from page 1 on, and whose count is kept, moves its posts
// down by one (page k takes the last post of page k-1) and counts one
// more; its pages render again from the kept items and the new post's.
// Pages that cannot be moved that way are dropped, as are boards of
// recruiting posts; boards of another category do not list the post.
//
// A busy neighbourhood writes a post every few seconds; dropping the
// pages made most board views after each one read the lists and counts
// again.
//
// The handler calls beginAdd before its write and then addedIn, or
// addFailed when the write failed. In between no list or count of the
// area is kept (a render could read the post before addedIn moves it in
// again), and addedIn moves posts only on pages whose first post is older
// than the new one (two writes may report out of commit order).
func (c *boardCache) addedIn(area string, post int64, category string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endAddLocked(area)
	lists := func(k boardKey, areas []string) bool {
		return slices.Contains(areas, area) && (k.category == "" || k.category == category)
	}
	for k, n := range c.counts {
		switch {
		case !lists(k, n.areas):
		case k.recruiting:
			delete(c.counts, k)
		default:
			n.total = min(n.total+1, n.atMost)
			c.counts[k] = n
		}
	}
	boards := map[boardKey][]int{} // board (page 0) → its kept page numbers
	for k, p := range c.pages {
		if !lists(k, p.areas) {
			continue
		}
		if k.recruiting {
			delete(c.pages, k)
			continue
		}
		b := k
		b.page = 0
		boards[b] = append(boards[b], k.page)
	}
	for b, pages := range boards {
		slices.Sort(pages)
		n, counted := c.counts[b]
		carry := post // the post that moves onto the next page
		for i, page := range pages {
			k := b
			k.page = page
			p := c.pages[k]
			need := (page+10)*postsPerPage + 1
			if !counted || page != i+1 || p.current != page || carry == 0 || n.total == n.atMost && n.atMost < need ||
				page == 1 && len(p.ids) > 0 && p.ids[0] >= post {
				delete(c.pages, k) // and every later one: their carry is unknown
				carry = 0
				continue
			}
			ids := make([]int64, 0, postsPerPage)
			ids = append(ids, carry)
			carry = 0
			if len(p.ids) == postsPerPage {
				carry = p.ids[postsPerPage-1]
				ids = append(ids, p.ids[:postsPerPage-1]...)
			} else {
				ids = append(ids, p.ids...)
			}
			pg, err := json.Marshal(newPaginator(page, min(n.total, need)))
			if err != nil {
				delete(c.pages, k)
				carry = 0
				continue
			}
			c.pages[k] = cachedPage{ids: ids, current: page, paginator: pg, areas: p.areas}
		}
	}
}

// beginAdd starts a post's write in area (see addedIn).
func (c *boardCache) beginAdd(area string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.adding == nil {
		c.adding = make(map[string]int)
	}
	c.adding[area]++
}

// addFailed ends a post's write that may or may not have committed.
func (c *boardCache) addFailed(area string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.endAddLocked(area)
	c.mu.Unlock()
	c.changedIn(area, 0)
}

// endAddLocked ends a post's write in area and refuses the renders in
// flight, which read the lists before it.
func (c *boardCache) endAddLocked(area string) {
	if c.adding[area]--; c.adding[area] <= 0 {
		delete(c.adding, area)
	}
	c.seq++
	if c.areaAt == nil {
		c.areaAt = make(map[string]uint64)
	}
	c.areaAt[area] = c.seq
}

// changedPost is changedIn for a change of one post that leaves which
// posts its area's boards list as it was: a join, a leave, a ban, an order
// step or cart. Such a change moves the post's members, totals and state,
// never its area, category or existence, so pages keep their lists and
// counts and render only the changed post again; boards of recruiting
// posts (?recruiting=1) are dropped, since the post may have started or
// stopped recruiting.
//
// In a busy neighbourhood joins and leaves outnumber new posts; with
// changedIn for them every board page was read again after each one.
func (c *boardCache) changedPost(area string, post int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	if c.postIn == nil {
		c.postIn = make(map[string]uint64)
	}
	c.postIn[area] = c.seq
	for k, p := range c.pages {
		switch {
		case !slices.Contains(p.areas, area):
		case k.recruiting:
			delete(c.pages, k)
		case p.body != nil && slices.Contains(p.ids, post):
			p.body = nil
			c.pages[k] = p
		}
	}
	for k, n := range c.counts {
		if k.recruiting && slices.Contains(n.areas, area) {
			delete(c.counts, k)
		}
	}
	c.dropItemLocked(post)
}

// dropItemLocked drops the items of post, and refuses the ones being
// rendered from data read before now.
func (c *boardCache) dropItemLocked(post int64) {
	c.itemCount -= len(c.items[post])
	delete(c.items, post)
	delete(c.posts, post)
	if len(c.postAt) >= maxChangedPosts {
		c.postAt, c.postFloor = nil, c.seq
	}
	if c.postAt == nil {
		c.postAt = make(map[int64]uint64)
	}
	c.postAt[post] = c.seq
}

// seqNow is the seq to pass to putPost with a post read after it.
func (c *boardCache) seqNow(ctx context.Context) uint64 {
	if c == nil {
		return 0
	}
	c.checkOtherWriters(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seq
}

// post returns the kept post id. Its Order is shared: callers must not
// modify it. Like get, it first looks for commits of other processes: a
// post's page and its public preview are read without the board.
func (c *boardCache) post(ctx context.Context, id int64) (cachedPost, bool) {
	if c == nil {
		return cachedPost{}, false
	}
	c.checkOtherWriters(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.posts[id]
	return p, ok
}

// putPost keeps post p, read after seqNow returned seq, unless it changed
// since.
func (c *boardCache) putPost(seq uint64, p cachedPost) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.allAt > seq || c.postFloor > seq || c.postAt[p.p.ID] > seq {
		return
	}
	if c.posts == nil || len(c.posts) >= maxBoardItems {
		c.posts = make(map[int64]cachedPost)
	}
	c.posts[p.p.ID] = p
}

// item returns the kept item of post rendered for dong, or nil.
func (c *boardCache) item(post int64, dong string) []byte {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[post][dong]
}

// putItem keeps the item of post for dong, rendered from data read after
// get returned seq, unless the post changed since.
func (c *boardCache) putItem(seq uint64, post int64, dong string, body []byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.allAt > seq || c.postFloor > seq || c.postAt[post] > seq {
		return
	}
	if c.items == nil || c.itemCount >= maxBoardItems {
		c.items, c.itemCount = make(map[int64]map[string][]byte), 0
	}
	byDong := c.items[post]
	if byDong == nil {
		byDong = make(map[string][]byte, 1)
		c.items[post] = byDong
	}
	if _, had := byDong[dong]; !had {
		c.itemCount++
	}
	byDong[dong] = body
}

// checkOtherWriters drops every page when another process has committed,
// or whether one did cannot be read (the first read too: pages rendered
// before it are dropped).
func (c *boardCache) checkOtherWriters(ctx context.Context) {
	gen, err := c.commits.Generation(ctx)
	if err != nil {
		c.log.Warn("board cache: data version", "err", err)
	}
	if c.seenCommits.Swap(gen) != gen {
		c.changed()
	}
}
