package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/store"
)

// TestBoardCacheNeverStale: every change a board page may show appears on
// the next view, whichever handler made it, and a commit by another process
// within the cache's data version interval.
//
// Each step writes its own post, views the board (so the page is cached),
// renames that post behind app's back (the same store, no handler: the
// cache cannot know) and then makes its change through the API. The next
// view must carry the new title: the change dropped the cached page. Where
// the change itself shows on the page, that is checked too. Steps set up
// their own state and run in any order.
func TestBoardCacheNeverStale(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	writer := e.register("writer", addrSajik)
	reader := e.register("reader", addrSajik)
	board := func(t *testing.T) []map[string]any {
		t.Helper()
		r := e.do(req{method: "GET", path: "/api/post/", token: reader.token})
		if r.status != 200 {
			t.Fatalf("board: %d %s", r.status, r.raw)
		}
		var out []map[string]any
		for _, p := range r.json(t)["posts"].([]any) {
			out = append(out, p.(map[string]any))
		}
		return out
	}
	find := func(posts []map[string]any, id int64) map[string]any {
		for _, p := range posts {
			if p["id"] == float64(id) {
				return p
			}
		}
		return nil
	}
	renameBehind := func(t *testing.T, id int64, title string) {
		t.Helper()
		if _, err := e.store.UpdatePost(ctx, id, store.PostUpdate{Title: &title}); err != nil {
			t.Fatal(err)
		}
	}
	ok := func(t *testing.T, r response) {
		t.Helper()
		if r.status >= 300 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	}
	join := func(t *testing.T, u testUser, room int64) {
		t.Helper()
		ok(t, e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/", room), token: u.token}))
	}

	// The cache is in play: without a change through a handler, a write
	// behind app's back stays unseen. (Were every view a miss, the steps
	// below would pass without testing anything.)
	first, _ := e.writePost(writer, "처음", 4)
	board(t)
	renameBehind(t, first, "뒤에서 바꿈")
	if got := find(board(t), first)["title"]; got != "처음" {
		t.Fatalf("the board is not cached: title %v", got)
	}

	type post struct{ id, room int64 }
	steps := []struct {
		name    string
		prepare func(t *testing.T, p post) // after the post, before the cached view
		change  func(t *testing.T, p post)
		check   func(t *testing.T, p map[string]any, posts []map[string]any)
	}{
		{name: "WritePost",
			change: func(t *testing.T, p post) { e.writePost(writer, "새 글", 4) },
			check: func(t *testing.T, _ map[string]any, posts []map[string]any) {
				if posts[0]["title"] != "새 글" {
					t.Errorf("newest post %v", posts[0]["title"])
				}
			}},
		{name: "EditPost",
			change: func(t *testing.T, p post) {
				ok(t, e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", p.id), token: writer.token,
					body: map[string]any{"content": "고친 내용"}}))
			},
			check: func(t *testing.T, p map[string]any, _ []map[string]any) {
				if p["content"] != "고친 내용" {
					t.Errorf("content %v", p["content"])
				}
			}},
		{name: "ClosePost",
			change: func(t *testing.T, p post) {
				ok(t, e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", p.id), token: writer.token,
					body: map[string]any{"is_compelete": true}}))
			},
			check: func(t *testing.T, p map[string]any, _ []map[string]any) {
				if p["is_compelete"] != true {
					t.Errorf("is_compelete %v", p["is_compelete"])
				}
			}},
		{name: "Join",
			change: func(t *testing.T, p post) { join(t, reader, p.room) },
			check: func(t *testing.T, p map[string]any, _ []map[string]any) {
				if p["join_number"] != float64(2) {
					t.Errorf("join_number %v", p["join_number"])
				}
			}},
		{name: "JoinFills",
			change: func(t *testing.T, p post) { join(t, reader, p.room) },
			check: func(t *testing.T, p map[string]any, _ []map[string]any) {
				if p["join_number"] != float64(2) || p["is_compelete"] != true {
					t.Errorf("join_number %v is_compelete %v", p["join_number"], p["is_compelete"])
				}
			}},
		{name: "Leave",
			prepare: func(t *testing.T, p post) { join(t, reader, p.room) },
			change: func(t *testing.T, p post) {
				ok(t, e.do(req{method: "DELETE", path: fmt.Sprintf("/api/chat/%d/user/", p.room), token: reader.token}))
			},
			check: func(t *testing.T, p map[string]any, _ []map[string]any) {
				if p["join_number"] != float64(1) {
					t.Errorf("join_number %v", p["join_number"])
				}
			}},
		{name: "Ban",
			prepare: func(t *testing.T, p post) { join(t, reader, p.room) },
			change: func(t *testing.T, p post) {
				ok(t, e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/user/ban/", p.room), token: writer.token,
					body: map[string]any{"target_user_id": reader.id}}))
			},
			check: func(t *testing.T, p map[string]any, _ []map[string]any) {
				if p["join_number"] != float64(1) {
					t.Errorf("join_number %v", p["join_number"])
				}
			}},
		{name: "DeleteRoom",
			change: func(t *testing.T, p post) {
				ok(t, e.do(req{method: "DELETE", path: fmt.Sprintf("/api/chat/%d/", p.room), token: writer.token}))
			},
			check: func(t *testing.T, p map[string]any, _ []map[string]any) {
				if p["is_compelete"] != true {
					t.Errorf("is_compelete %v", p["is_compelete"])
				}
			}},
		{name: "DeletePost",
			change: func(t *testing.T, p post) {
				ok(t, e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/delete/", p.id), token: writer.token}))
			}},
		{name: "Username",
			change: func(t *testing.T, p post) {
				ok(t, e.do(req{method: "POST", path: "/api/user/update/", token: writer.token,
					body: map[string]any{"username": "새이름"}}))
			},
			check: func(t *testing.T, p map[string]any, _ []map[string]any) {
				if got := p["writer"].(map[string]any)["username"]; got != "새이름" {
					t.Errorf("writer name %v", got)
				}
			}},
		// Nothing of a deleted account changes on the board today (its posts
		// stay); the renamed post shows the page was dropped all the same.
		{name: "DeleteAccount",
			change: func(t *testing.T, p post) {
				leaver := e.register("leaver", addrSajik)
				ok(t, e.do(req{method: "POST", path: "/api/user/delete/", token: leaver.token,
					body: map[string]any{"password": testPassword}}))
			}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var p post
			p.id, p.room = e.writePost(writer, st.name, 2)
			if st.prepare != nil {
				st.prepare(t, p)
			}
			if find(board(t), p.id) == nil {
				t.Fatal("the step's post is not on the board")
			}
			renamed := st.name + " (뒤에서)"
			renameBehind(t, p.id, renamed)
			st.change(t, p)
			posts := board(t)
			got := find(posts, p.id)
			if st.name == "DeletePost" {
				if got != nil {
					t.Error("the deleted post is still on the board")
				}
				return
			}
			if got == nil {
				t.Fatal("the step's post left the board")
			}
			// A step that changes another post re-renders the page but may
			// reuse this post's item (nothing of it changed through a handler).
			if st.name != "WritePost" && got["title"] != renamed {
				t.Errorf("the board is stale after the change: title %v", got["title"])
			}
			if st.check != nil {
				st.check(t, got, posts)
			}
		})
	}

	// Another process (the CLI, `mealbuddy seed` while serving) commits to
	// the same file: the board shows it within the cache's data version
	// interval.
	t.Run("OtherProcess", func(t *testing.T) {
		board(t)
		other, err := store.Open(filepath.Join(e.dir, store.FileName))
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		w, err := other.UserByID(ctx, writer.id)
		if err != nil {
			t.Fatal(err)
		}
		p, err := other.CreatePost(ctx, store.NewPost{WriterID: w.ID, Title: "다른 프로세스 글",
			Category: "피자", Content: "c", Address: w.Address, Area: w.Area(), TargetNumber: 3})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for find(board(t), p.ID) == nil {
			if time.Now().After(deadline) {
				t.Fatal("a post written by another process never reached the board")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestBoardCacheNoCache: Config.NoBoardCache renders every view afresh.
func TestBoardCacheNoCache(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.NoBoardCache = true })
	u := e.register("writer", addrSajik)
	id, _ := e.writePost(u, "처음", 4)
	view := func() any {
		r := e.do(req{method: "GET", path: "/api/post/", token: u.token})
		return r.json(t)["posts"].([]any)[0].(map[string]any)["title"]
	}
	view()
	title := "뒤에서 바꿈"
	if _, err := e.store.UpdatePost(context.Background(), id, store.PostUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	if got := view(); got != title {
		t.Errorf("title %v, want %v", got, title)
	}
}

// fakeDataVersion is a store data version the test moves by hand.
type fakeDataVersion struct {
	v     int64
	err   error
	reads int
}

func (f *fakeDataVersion) read(context.Context) (int64, error) {
	f.reads++
	return f.v, f.err
}

func newFakeBoardCache(t *testing.T) (*boardCache, *fakeDataVersion, *time.Time) {
	dv := &fakeDataVersion{v: 7}
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newBoardCache(store.NewCommitWatch(dv.read, time.Second, func() time.Time { return clock }), testLogger(t))
	return c, dv, &clock
}

func TestBoardCacheGenerations(t *testing.T) {
	ctx := context.Background()
	c, _, _ := newFakeBoardCache(t)
	k := boardKey{area: "1", page: 1}
	_, gen, ok := c.get(ctx, k)
	if ok {
		t.Fatal("hit in an empty cache")
	}
	c.put(gen, k, []string{"1"}, cachedPage{body: []byte("v1")})
	if p, _, ok := c.get(ctx, k); !ok || string(p.body) != "v1" {
		t.Fatalf("get = %q %v", p.body, ok)
	}

	// A page rendered from data read before a change must not be kept.
	_, gen, _ = c.get(ctx, boardKey{area: "2", page: 1})
	c.changed()
	c.put(gen, boardKey{area: "2", page: 1}, []string{"2"}, cachedPage{body: []byte("old")})
	if _, _, ok := c.get(ctx, boardKey{area: "2", page: 1}); ok {
		t.Error("a page rendered before a change was kept")
	}
	if _, _, ok := c.get(ctx, k); ok {
		t.Error("a page survived a change")
	}

	_, gen, _ = c.get(ctx, k)
	for i := range maxBoardPages + 5 {
		c.put(gen, boardKey{page: i}, nil, cachedPage{body: []byte("x")})
	}
	if len(c.pages) > maxBoardPages {
		t.Errorf("%d pages cached, bound is %d", len(c.pages), maxBoardPages)
	}

	var off *boardCache // Config.NoBoardCache
	off.put(0, k, nil, cachedPage{body: []byte("x")})
	off.changed()
	if _, _, ok := off.get(ctx, k); ok {
		t.Error("a nil cache answered")
	}
}

// TestBoardCacheDataVersion: the data version is read at most once per
// interval, and a move drops every page.
func TestBoardCacheDataVersion(t *testing.T) {
	ctx := context.Background()
	c, dv, clock := newFakeBoardCache(t)
	k := boardKey{area: "1", page: 1}
	cache := func() {
		t.Helper()
		_, gen, _ := c.get(ctx, k)
		c.put(gen, k, nil, cachedPage{body: []byte("page")})
		if _, _, ok := c.get(ctx, k); !ok {
			t.Fatal("the page was not kept")
		}
	}
	cache()
	if dv.reads != 1 {
		t.Fatalf("%d data version reads, want 1", dv.reads)
	}

	dv.v++ // another process commits
	if _, _, ok := c.get(ctx, k); !ok {
		t.Error("the data version was read again within the interval")
	}
	*clock = clock.Add(time.Second)
	if _, _, ok := c.get(ctx, k); ok {
		t.Error("a page survived a commit by another process")
	}
	if dv.reads != 2 {
		t.Errorf("%d data version reads, want 2", dv.reads)
	}

	cache()
	*clock = clock.Add(time.Second)
	if _, _, ok := c.get(ctx, k); !ok {
		t.Error("an unchanged data version dropped the page")
	}

	dv.err = errors.New("disk gone")
	*clock = clock.Add(time.Second)
	if _, _, ok := c.get(ctx, k); ok {
		t.Error("a page was served though the data version could not be read")
	}
}

// A change to a post drops only the pages whose range covers the post's
// area: a board elsewhere keeps its cached page.
func TestBoardCacheChangedInArea(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	const addrNear = "서울특별시 종로구 청운효자동" // within range 2 of 사직동
	reader := e.register("areareader", addrSajik)
	local := e.register("localwriter", addrSajik)
	near := e.register("nearwriter", addrNear)
	far := e.register("farwriter", addrYongdam)
	if d := e.srv.areasFor(mustUserByID(t, e, near.id), 0); len(d) != 1 || !containsArea(e.srv.areasFor(mustUserByID(t, e, reader.id), 2), d[0]) {
		t.Fatalf("%s is not within range 2 of %s", addrNear, addrSajik)
	}
	// The witness: a post deleted behind app's back is still listed by a
	// kept page, and gone from a page rendered again.
	witness, _ := e.writePost(local, "증인", 4)
	listed := func(rng int, id int64) bool {
		t.Helper()
		r := e.do(req{method: "GET", path: fmt.Sprintf("/api/post/?range=%d", rng), token: reader.token})
		if r.status != 200 {
			t.Fatalf("board: %d %s", r.status, r.raw)
		}
		for _, p := range r.json(t)["posts"].([]any) {
			if p.(map[string]any)["id"] == float64(id) {
				return true
			}
		}
		return false
	}
	// Cache both boards, then delete the witness behind app's back.
	listed(0, witness)
	listed(2, witness)
	if err := e.store.DeletePost(ctx, witness); err != nil {
		t.Fatal(err)
	}

	e.writePost(far, "제주 글", 4) // another area: both pages stay
	if !listed(0, witness) || !listed(2, witness) {
		t.Fatal("a post far away dropped a page that does not list its area")
	}
	// Order steps far away too (they once dropped every page).
	_, farRoom := e.writeOrder(far, orderPostBody())
	e.orderCall("PUT", farRoom, "cart/", far, cart(orderItemJSON{Name: "양념", Price: 19000, Qty: 1}), 200)
	e.orderCall("POST", farRoom, "state/", far, map[string]any{"state": "locked"}, 200)
	if !listed(0, witness) || !listed(2, witness) {
		t.Fatal("an order far away dropped a page that does not list its area")
	}
	// A new post moves into the kept lists (TestBoardNewPostMovesLists);
	// an edit drops the pages of its area.
	edit := func(u testUser, id int64) {
		t.Helper()
		r := e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", id), token: u.token,
			body: map[string]any{"content": "고친 내용"}})
		if r.status != 200 {
			t.Fatalf("edit: %d %s", r.status, r.raw)
		}
	}
	nearPost, _ := e.writePost(near, "이웃 글", 4) // within range 2 only
	if !listed(2, nearPost) {
		t.Fatal("range 2 after a post nearby: the post is not listed")
	}
	edit(near, nearPost)
	if listed(2, witness) || !listed(2, nearPost) {
		t.Fatal("range 2 after an edit nearby: want the page rendered afresh")
	}
	if !listed(0, witness) {
		t.Fatal("range 0 after an edit nearby: want the cached page")
	}
	localPost, _ := e.writePost(local, "동네 글", 4) // the reader's own area: both
	edit(local, localPost)
	if listed(0, witness) {
		t.Fatal("range 0 after an edit in its area: want the page rendered afresh")
	}
}

// A page rendered again after a change reads only the posts that changed:
// the others' items are reused (a rename behind app's back stays unseen),
// and the changed post is read afresh.
func TestBoardItemsReused(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	writer := e.register("itemwriter", addrSajik)
	reader := e.register("itemreader", addrSajik)
	still, _ := e.writePost(writer, "그대로", 4)
	moved, movedRoom := e.writePost(writer, "참여 대상", 4)
	titles := func() map[int64]any {
		t.Helper()
		r := e.do(req{method: "GET", path: "/api/post/", token: reader.token})
		if r.status != 200 {
			t.Fatalf("board: %d %s", r.status, r.raw)
		}
		out := map[int64]any{}
		for _, p := range r.json(t)["posts"].([]any) {
			p := p.(map[string]any)
			out[int64(p["id"].(float64))] = []any{p["title"], p["join_number"]}
		}
		return out
	}
	titles()
	for _, id := range []int64{still, moved} {
		renamed := fmt.Sprintf("뒤에서 %d", id)
		if _, err := e.store.UpdatePost(ctx, id, store.PostUpdate{Title: &renamed}); err != nil {
			t.Fatal(err)
		}
	}
	e.joinAPI(movedRoom, reader, 200) // a change of one post in the area
	got := titles()
	if want := []any{"그대로", float64(1)}; fmt.Sprint(got[still]) != fmt.Sprint(want) {
		t.Errorf("the unchanged post = %v, want its kept item %v", got[still], want)
	}
	if want := []any{fmt.Sprintf("뒤에서 %d", moved), float64(2)}; fmt.Sprint(got[moved]) != fmt.Sprint(want) {
		t.Errorf("the joined post = %v, want it read afresh %v", got[moved], want)
	}
}

func mustUserByID(t *testing.T, e *testEnv, id int64) store.User {
	t.Helper()
	u, err := e.store.UserByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func containsArea(areas []string, a string) bool {
	for _, x := range areas {
		if x == a {
			return true
		}
	}
	return false
}

// A change in one area does not throw away a page of another area that
// was being rendered meanwhile; a page of the changed area is thrown away.
func TestBoardCacheChangeInOneAreaKeepsOthersRenders(t *testing.T) {
	ctx := context.Background()
	c, _, _ := newFakeBoardCache(t)
	here, there := boardKey{area: "1", page: 1}, boardKey{area: "2", page: 1}
	_, seqHere, _ := c.get(ctx, here)
	_, seqThere, _ := c.get(ctx, there)
	c.changedIn("1", 0)
	c.put(seqHere, here, []string{"1", "3"}, cachedPage{body: []byte("stale")})
	c.put(seqThere, there, []string{"2", "3"}, cachedPage{body: []byte("fresh")})
	if _, _, ok := c.get(ctx, here); ok {
		t.Error("a page of the changed area, rendered before the change, was kept")
	}
	if p, _, ok := c.get(ctx, there); !ok || string(p.body) != "fresh" {
		t.Errorf("a page of another area = %q %v, want it kept", p.body, ok)
	}

	// After the change, a new render of the changed area is kept again.
	_, seqHere, _ = c.get(ctx, here)
	c.put(seqHere, here, []string{"1", "3"}, cachedPage{body: []byte("new")})
	if p, _, ok := c.get(ctx, here); !ok || string(p.body) != "new" {
		t.Errorf("a page rendered after the change = %q %v, want it kept", p.body, ok)
	}

	// A change of everything still beats every render in flight.
	_, seqThere, _ = c.get(ctx, boardKey{area: "2", page: 2})
	c.changed()
	c.changedIn("9", 0)
	c.put(seqThere, boardKey{area: "2", page: 2}, []string{"2"}, cachedPage{body: []byte("old")})
	if _, _, ok := c.get(ctx, boardKey{area: "2", page: 2}); ok {
		t.Error("a page rendered before changed() was kept")
	}
}

// Every page of a board shares its post count: a page not seen before uses
// the count kept by another page (a post deleted behind app's back is still
// counted), and a change in the board's area counts afresh.
func TestBoardCountShared(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	writer := e.register("countwriter", addrSajik)
	reader := e.register("countreader", addrSajik)
	var last int64
	for i := range postsPerPage + 1 {
		last, _ = e.writePost(writer, fmt.Sprintf("글 %d", i), 4)
	}
	currentPage := func(page int) float64 {
		t.Helper()
		r := e.do(req{method: "GET", path: fmt.Sprintf("/api/post/?page=%d", page), token: reader.token})
		if r.status != 200 {
			t.Fatalf("board page %d: %d %s", page, r.status, r.raw)
		}
		return r.json(t)["paginator"].(map[string]any)["current_page"].(float64)
	}
	if got := currentPage(1); got != 1 {
		t.Fatalf("page 1: current_page %v", got)
	}
	// Ten posts remain: counted afresh, page 2 would not exist (clamped to 1).
	if err := e.store.DeletePost(ctx, last); err != nil {
		t.Fatal(err)
	}
	if got := currentPage(2); got != 2 {
		t.Fatalf("page 2 after a deletion behind app's back: current_page %v, want 2 (the kept count)", got)
	}
	// An edit through a handler drops the count: ten posts, page 2 is gone.
	if r := e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", last-1), token: writer.token,
		body: map[string]any{"content": "고친 내용"}}); r.status != 200 {
		t.Fatalf("edit: %d %s", r.status, r.raw)
	}
	if got := currentPage(2); got != 1 {
		t.Fatalf("page 2 with ten posts counted afresh: current_page %v, want 1", got)
	}
}

// A join changes one post, not which posts a board lists: pages keep their
// lists (a post deleted behind app's back stays listed, its item kept) and
// show the joined post afresh, while boards of recruiting posts are read
// again (a post filled by the join leaves them).
func TestBoardJoinKeepsLists(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	writer := e.register("listwriter", addrSajik)
	reader := e.register("listreader", addrSajik)
	witness, _ := e.writePost(writer, "증인", 4)
	pair, pairRoom := e.writePost(writer, "둘이서", 2)
	board := func(query string) map[int64]map[string]any {
		t.Helper()
		r := e.do(req{method: "GET", path: "/api/post/" + query, token: reader.token})
		if r.status != 200 {
			t.Fatalf("board %s: %d %s", query, r.status, r.raw)
		}
		out := map[int64]map[string]any{}
		for _, p := range r.json(t)["posts"].([]any) {
			m := p.(map[string]any)
			out[int64(m["id"].(float64))] = m
		}
		return out
	}
	board("")
	if got := board("?recruiting=1"); got[pair] == nil || got[witness] == nil {
		t.Fatalf("recruiting board before the join: %v", got)
	}
	if err := e.store.DeletePost(ctx, witness); err != nil {
		t.Fatal(err)
	}

	e.joinAPI(pairRoom, reader, 200) // fills the post (target 2)
	all := board("")
	if all[witness] == nil {
		t.Error("a join re-read the list: the witness deleted behind app's back is gone")
	}
	if p := all[pair]; p == nil || p["join_number"] != float64(2) || p["is_compelete"] != true || p["is_joined"] != true {
		t.Errorf("the joined post on the kept list: %v", p)
	}
	recruiting := board("?recruiting=1")
	if recruiting[pair] != nil {
		t.Error("the recruiting board still lists the post the join filled")
	}
	if recruiting[witness] != nil {
		t.Error("the recruiting board was not read again (the witness is still listed)")
	}
}

// A page whose list was read before a post on it changed keeps its list
// but not its body; a recruiting page read before is not kept at all.
func TestBoardCacheChangedPost(t *testing.T) {
	ctx := context.Background()
	c, _, _ := newFakeBoardCache(t)
	plain := boardKey{area: "1", page: 1}
	recruiting := boardKey{area: "1", page: 1, recruiting: true}
	_, seq, _ := c.get(ctx, plain)
	c.changedPost("1", 42)
	c.put(seq, plain, []string{"1"}, cachedPage{ids: []int64{43, 42}, body: []byte("old")})
	c.put(seq, recruiting, []string{"1"}, cachedPage{ids: []int64{43, 42}, body: []byte("old")})
	if p, _, ok := c.get(ctx, plain); !ok || p.body != nil || len(p.ids) != 2 {
		t.Errorf("plain page = %+v %v, want its list without a body", p, ok)
	}
	if _, _, ok := c.get(ctx, recruiting); ok {
		t.Error("a recruiting page read before a post changed was kept")
	}

	_, seq, _ = c.get(ctx, plain)
	c.put(seq, plain, []string{"1"}, cachedPage{ids: []int64{43, 42}, body: []byte("new")})
	c.changedPost("1", 7) // not on the page
	if p, _, _ := c.get(ctx, plain); string(p.body) != "new" {
		t.Errorf("a change of a post not on the page dropped its body: %+v", p)
	}
	c.changedPost("1", 43)
	if p, _, ok := c.get(ctx, plain); !ok || p.body != nil {
		t.Errorf("a change of a post on the page kept its body: %+v %v", p, ok)
	}
}

// A new post goes first on the boards that list it: their kept pages move
// down by one (a post deleted behind app's back stays listed: the lists are
// moved, not read again), the count grows by one, and a board of another
// category keeps its page as it was.
func TestBoardNewPostMovesLists(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	writer := e.register("movewriter", addrSajik)
	reader := e.register("movereader", addrSajik)
	var ids []int64 // newest first
	for i := range postsPerPage + 3 {
		id, _ := e.writePost(writer, fmt.Sprintf("글 %d", i), 4) // 치킨
		ids = append([]int64{id}, ids...)
	}
	type pageView struct {
		ids       []int64
		pageRange []any
	}
	view := func(query string) pageView {
		t.Helper()
		r := e.do(req{method: "GET", path: "/api/post/" + query, token: reader.token})
		if r.status != 200 {
			t.Fatalf("board %s: %d %s", query, r.status, r.raw)
		}
		body := r.json(t)
		var v pageView
		for _, p := range body["posts"].([]any) {
			v.ids = append(v.ids, int64(p.(map[string]any)["id"].(float64)))
		}
		v.pageRange = body["paginator"].(map[string]any)["page_range"].([]any)
		return v
	}
	view("?page=1")
	view("?page=2")
	other := view("?category=" + url.QueryEscape("피자"))
	witness := ids[postsPerPage+1] // on page 2
	if err := e.store.DeletePost(ctx, witness); err != nil {
		t.Fatal(err)
	}

	newest, _ := e.writePost(writer, "새 글", 4)
	all := append([]int64{newest}, ids...) // the moved lists, witness included
	if got := view("?page=1"); !slices.Equal(got.ids, all[:postsPerPage]) {
		t.Errorf("page 1 after a new post = %v, want %v", got.ids, all[:postsPerPage])
	}
	got := view("?page=2")
	if !slices.Equal(got.ids, all[postsPerPage:]) {
		t.Errorf("page 2 after a new post = %v, want %v (moved, not read again)", got.ids, all[postsPerPage:])
	}
	if len(got.pageRange) != 2 {
		t.Errorf("page range after a new post = %v, want 2 pages (14 counted)", got.pageRange)
	}
	if again := view("?category=" + url.QueryEscape("피자")); !slices.Equal(again.ids, other.ids) {
		t.Errorf("another category's board changed: %v, want %v", again.ids, other.ids)
	}
}

// While a post is being written no list of its area is kept, and a post
// reported after a newer one (out of commit order) drops the page instead
// of moving it.
func TestBoardCacheAddOrder(t *testing.T) {
	ctx := context.Background()
	c, _, _ := newFakeBoardCache(t)
	k := boardKey{area: "1", page: 1}
	keep := func(ids ...int64) {
		t.Helper()
		_, seq, _ := c.get(ctx, k)
		c.putCount(seq, k, []string{"1"}, len(ids), 111)
		c.put(seq, k, []string{"1"}, cachedPage{ids: ids, current: 1, body: []byte("x")})
		if _, _, ok := c.get(ctx, k); !ok {
			t.Fatal("page not kept")
		}
	}
	keep(5, 4)
	c.beginAdd("1")
	_, seq, _ := c.get(ctx, boardKey{area: "1", page: 2})
	c.put(seq, boardKey{area: "1", page: 2}, []string{"1"}, cachedPage{ids: []int64{3}, current: 2, body: []byte("x")})
	if _, _, ok := c.get(ctx, boardKey{area: "1", page: 2}); ok {
		t.Error("a page was kept while a post of its area was being written")
	}
	c.addedIn("1", 7, "치킨")
	if p, _, ok := c.get(ctx, k); !ok || !slices.Equal(p.ids, []int64{7, 5, 4}) || p.body != nil {
		t.Errorf("page after post 7 = %+v %v, want ids [7 5 4] to render", p, ok)
	}
	if n, ok := c.count(k, 111); !ok || n != 3 {
		t.Errorf("count after post 7 = %d %v, want 3", n, ok)
	}
	c.beginAdd("1")
	c.addedIn("1", 6, "치킨") // committed before 7, reported after it
	if p, _, ok := c.get(ctx, k); ok {
		t.Errorf("a post older than the page's first moved in: %+v", p)
	}

	keep(9, 8)
	c.beginAdd("1")
	c.addFailed("1")
	if _, _, ok := c.get(ctx, k); ok {
		t.Error("a failed write (committed or not) kept the page")
	}
}

// A post's page is read from the board cache until a change of the post:
// a rename behind app's back stays unseen, a join through a handler shows
// it with the new member.
func TestPostDetailCached(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	writer := e.register("detailwriter", addrSajik)
	reader := e.register("detailreader", addrSajik)
	post, room := e.writePost(writer, "처음", 4)
	detail := func() map[string]any {
		t.Helper()
		r := e.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/", post), token: reader.token})
		if r.status != 200 {
			t.Fatalf("detail: %d %s", r.status, r.raw)
		}
		return r.json(t)
	}
	detail()
	title := "뒤에서 바꿈"
	if _, err := e.store.UpdatePost(ctx, post, store.PostUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	if got := detail()["title"]; got != "처음" {
		t.Fatalf("detail after a rename behind app's back: title %v, want the kept 처음", got)
	}
	e.joinAPI(room, reader, 200)
	d := detail()
	if d["title"] != title || d["join_number"] != float64(2) || d["is_joined"] != true {
		t.Errorf("detail after a join: title %v, join_number %v, is_joined %v", d["title"], d["join_number"], d["is_joined"])
	}
}
