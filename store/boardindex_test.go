package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// boardMatchesSQL fails t unless the board index and the SQL agree on
// the first pages and the count of filters (ListPageIDs against listPage).
func boardMatchesSQL(t *testing.T, st *Store, step string, filters ...PostFilter) {
	t.Helper()
	ctx := context.Background()
	for _, f := range filters {
		for page := 1; page <= 3; page++ {
			f.Limit, f.Offset = 10, (page-1)*10
			got, gotTotal, err := st.ListPageIDs(ctx, f, 25)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			want, wantTotal, err := listPage(ctx, st, f, 25, pageIDsSelect, scanID)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if !slices.Equal(got, want) || gotTotal != wantTotal {
				t.Fatalf("%s, %+v: index %v of %d, SQL %v of %d", step, f, got, gotTotal, want, wantTotal)
			}
		}
	}
}

// TestBoardIndexFollowsWrites: after each kind of write that changes what
// a board lists (a new post, a category edit, a deletion by the writer or
// by staff, a hidden post, a transaction that rolled back, one that
// committed after a failed statement, a post written outside Store.tx, a
// post written by another process), the board index lists what SQL lists.
func TestBoardIndexFollowsWrites(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	a, b := mustUser(t, st, "a"), mustUser(t, st, "b")
	post := func(u User, area, category string) Post {
		t.Helper()
		p, err := st.CreatePost(ctx, NewPost{WriterID: u.ID, Title: "t", Category: category, Content: "c",
			Address: "a", Area: area, TargetNumber: 3})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var posts []Post
	for i := range 30 {
		posts = append(posts, post([]User{a, b}[i%2], []string{"X", "Y", "Z"}[i%3], []string{"치킨", "피자"}[i%4/2]))
	}
	filters := []PostFilter{
		{Areas: []string{"X", "Y"}},
		{Areas: []string{"X"}},
		{Areas: []string{"X", "Y", "Z"}, Category: "치킨"},
		{Areas: []string{"Y", "Z"}, ExcludeWriters: []int64{b.ID}},
	}
	listed := func(f PostFilter, id int64) bool {
		t.Helper()
		f.Limit = 100
		ids, err := st.ListPostIDs(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(ids, id)
	}
	all := PostFilter{Areas: []string{"X", "Y", "Z"}}
	has := func(step string, id int64, want bool) {
		t.Helper()
		boardMatchesSQL(t, st, step, append(filters, all)...)
		if listed(all, id) != want {
			t.Fatalf("%s: post %d listed %v, want %v", step, id, !want, want)
		}
	}
	has("loaded", posts[29].ID, true)

	p := post(a, "X", "피자")
	has("new post", p.ID, true)

	chicken := "치킨"
	if _, err := st.UpdatePost(ctx, p.ID, PostUpdate{Category: &chicken}); err != nil {
		t.Fatal(err)
	}
	has("category edited", p.ID, true)
	if !listed(PostFilter{Areas: []string{"X"}, Category: "치킨"}, p.ID) || listed(PostFilter{Areas: []string{"X"}, Category: "피자"}, p.ID) {
		t.Fatal("the edited post is not listed under its new category alone")
	}

	if err := st.DeletePost(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	has("deleted by its writer", p.ID, false)

	if err := st.DeletePostBy(ctx, posts[4].ID, Actor{Name: "staff"}); err != nil {
		t.Fatal(err)
	}
	has("deleted by staff", posts[4].ID, false)

	rep, _, err := st.CreateReport(ctx, NewReport{ReporterID: a.ID, TargetType: TargetPost, TargetID: posts[7].ID, Reason: "spam"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ResolveReport(ctx, rep.ID, ActionHide, 0, Actor{Name: "staff"}); err != nil {
		t.Fatal(err)
	}
	has("hidden by staff", posts[7].ID, false)

	// A transaction that wrote a post and then failed leaves no trace.
	var rolledBack int64
	failed := errors.New("changed its mind")
	err = st.tx(ctx, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO posts (writer_id, title, category, content, address, area, target_number, created_at)
			VALUES (?, 't', '치킨', 'c', 'a', 'X', 3, '2026-01-01T00:00:00Z')`, a.ID)
		if err != nil {
			return err
		}
		rolledBack, _ = res.LastInsertId()
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatal(err)
	}
	has("rolled back", rolledBack, false)

	// A transaction that commits after one of its statements failed: the
	// hook saw the failed statement's row before SQLite undid it.
	const kept, undone = 1000, 1001
	err = st.tx(ctx, func(tx *wtx) error {
		const row = `(?, ?, 't', '치킨', 'c', 'a', 'X', 3, '2026-01-01T00:00:00Z')`
		insert := `INSERT INTO posts (id, writer_id, title, category, content, address, area, target_number, created_at) VALUES `
		if _, err := tx.ExecContext(ctx, insert+row, kept, a.ID); err != nil {
			return err
		}
		// Its first row is written (the hook sees it), its second breaks
		// the primary key: SQLite undoes the statement.
		if _, err := tx.ExecContext(ctx, insert+row+`, `+row, undone, a.ID, kept, a.ID); err == nil {
			return errors.New("a post was written twice")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	has("a statement failed, the transaction committed", kept, true)
	has("the failed statement", undone, false)

	// A post written on the writer outside Store.tx: the index is unsure
	// and SQL answers until a transaction settles, which loads it again.
	res, err := st.w.ExecContext(ctx, `INSERT INTO posts (writer_id, title, category, content, address, area, target_number, created_at)
		VALUES (?, 't', '치킨', 'c', 'a', 'Y', 3, '2026-01-01T00:00:00Z')`, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	outside, _ := res.LastInsertId()
	if !st.board.unsure.Load() {
		t.Fatal("a post written outside Store.tx left the index sure")
	}
	has("written outside a transaction", outside, true)
	post(a, "Z", "치킨") // any transaction
	if st.board.unsure.Load() {
		t.Fatal("still unsure after a transaction")
	}
	has("outside, then a transaction", outside, true)

	// Another process writes: seen once the data version is read again.
	other, err := Open(filepath.Join(filepath.Dir(st.path), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var theirs Post
	if theirs, err = other.CreatePost(ctx, NewPost{WriterID: b.ID, Title: "t", Category: "피자", Content: "c",
		Address: "a", Area: "X", TargetNumber: 3}); err != nil {
		t.Fatal(err)
	}
	st.commits.due() // the second has passed
	has("written by another process", theirs.ID, true)
}

// TestBoardIndexWalk checks the merge of areas and the page of ListPage
// past the last post on hand-made lists.
func TestBoardIndexWalk(t *testing.T) {
	l := newPostLists()
	for id := int64(1); id <= 40; id++ {
		p := indexedPost{id: id, writer: id % 4, category: l.categoryNumber(fmt.Sprint("c", id%2)), hidden: id%10 == 0}
		l.insert([]string{"A", "B", "C"}[id%3], p)
	}
	l.remove(39)
	l.remove(1000) // not there: nothing happens
	ids := func(f PostFilter) (want []int64) {
		for id := int64(40); id >= 1; id-- {
			if id != 39 && id%10 != 0 && slices.Contains(f.Areas, []string{"A", "B", "C"}[id%3]) &&
				(f.Category == "" || f.Category == fmt.Sprint("c", id%2)) && !slices.Contains(f.ExcludeWriters, id%4) {
				want = append(want, id)
			}
		}
		return want
	}
	for _, f := range []PostFilter{
		{Areas: []string{"A", "B", "C"}},
		{Areas: []string{"C", "A"}, Category: "c1"},
		{Areas: []string{"B"}, ExcludeWriters: []int64{1, 2}},
		{Areas: []string{"D"}},
	} {
		want := ids(f)
		for offset := 0; offset <= 40; offset += 5 {
			f.Offset, f.Limit = offset, 5
			got, n := l.walk(f, -1, false)
			if w := want[min(offset, len(want)):min(offset+5, len(want))]; !slices.Equal(got, w) || n != len(want) {
				t.Fatalf("%+v: %v of %d, want %v of %d", f, got, n, w, len(want))
			}
			got, n = l.walk(f, offset+5, true)
			lastStart := min(offset, max((len(want)+4)/5-1, 0)*5)
			if w := want[lastStart:min(lastStart+5, len(want))]; !slices.Equal(got, w) || n != min(len(want), offset+5) {
				t.Fatalf("%+v as ListPage: %v of %d, want %v of %d", f, got, n, w, min(len(want), offset+5))
			}
		}
	}
}

// TestBoardIndexConcurrent writes and reads the board at once (run it
// with -race); once the writes are over, the index lists what SQL lists.
func TestBoardIndexConcurrent(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	u := mustUser(t, st, "w")
	f := PostFilter{Areas: []string{"X", "Y"}, Limit: 10}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 25 {
				p, err := st.CreatePost(ctx, NewPost{WriterID: u.ID, Title: "t", Category: "치킨", Content: "c",
					Address: "a", Area: []string{"X", "Y", "Z"}[(w+i)%3], TargetNumber: 3})
				if err != nil {
					t.Error(err)
					return
				}
				if i%4 == 0 {
					if err := st.DeletePost(ctx, p.ID); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
		wg.Go(func() {
			for range 50 {
				if _, _, err := st.ListPageIDs(ctx, f, 100); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	boardMatchesSQL(t, st, "after concurrent writes", f, PostFilter{Areas: []string{"Z"}})
	if n, _ := st.CountPosts(ctx, PostFilter{Areas: []string{"X", "Y", "Z"}}, 0); n != 4*(25-7) {
		t.Fatalf("%d posts listed, want %d", n, 4*(25-7))
	}
}

// TestBoardIndexWritesDuringLoad: a load reads the posts outside the
// index's lock. Writes that commit meanwhile are applied on top of what
// it read; board reads meanwhile are answered in SQL; and a load during
// which another process committed does not take over.
func TestBoardIndexWritesDuringLoad(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	u := mustUser(t, st, "w")
	var posts []Post
	for range 12 {
		posts = append(posts, mustPost(t, st, u, 3))
	}
	f := PostFilter{Areas: []string{u.Area()}, Limit: 100}
	var during, theirs Post
	st.board.scanned = func() {
		st.board.scanned = nil
		during = mustPost(t, st, u, 3)
		if err := st.DeletePost(ctx, posts[3].ID); err != nil {
			t.Fatal(err)
		}
		rep, _, err := st.CreateReport(ctx, NewReport{ReporterID: u.ID, TargetType: TargetPost, TargetID: posts[5].ID, Reason: "spam"})
		if err == nil {
			_, err = st.ResolveReport(ctx, rep.ID, ActionHide, 0, Actor{Name: "staff"})
		}
		if err != nil {
			t.Fatal(err)
		}
		// A board read while the load is under way is answered (in SQL).
		ids, err := st.ListPostIDs(ctx, f)
		if err != nil || !slices.Contains(ids, during.ID) || slices.Contains(ids, posts[3].ID) || slices.Contains(ids, posts[5].ID) {
			t.Errorf("a read during the load: %v, %v", ids, err)
		}
	}
	ids, err := st.ListPostIDs(ctx, f) // loads
	if err != nil {
		t.Fatal(err)
	}
	if st.board.lists == nil {
		t.Fatal("the load did not take over")
	}
	if !slices.Contains(ids, during.ID) || slices.Contains(ids, posts[3].ID) || slices.Contains(ids, posts[5].ID) {
		t.Fatalf("after the load: %v; want %d in, %d (deleted) and %d (hidden) out", ids, during.ID, posts[3].ID, posts[5].ID)
	}
	boardMatchesSQL(t, st, "writes during the load", f)

	// Another process commits while a load is under way, and the check
	// of the data version sees it before the load takes over.
	other, err := Open(st.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	st.board.mu.Lock()
	st.board.unloadLocked()
	st.board.mu.Unlock()
	st.board.scanned = func() {
		st.board.scanned = nil
		if theirs, err = other.CreatePost(ctx, NewPost{WriterID: u.ID, Title: "t", Category: "치킨", Content: "c",
			Address: u.Address, Area: u.Area(), TargetNumber: 3}); err != nil {
			t.Fatal(err)
		}
		st.commits.due()
		st.commits.Generation(ctx)
	}
	if _, err := st.ListPostIDs(ctx, f); err != nil {
		t.Fatal(err)
	}
	if st.board.lists != nil {
		t.Fatal("a load that began before another process's commit took over")
	}
	if ids, _ := st.ListPostIDs(ctx, f); !slices.Contains(ids, theirs.ID) {
		t.Fatalf("another process's post %d is not listed: %v", theirs.ID, ids)
	}
	boardMatchesSQL(t, st, "another process during the load", f)
}

// TestBoardIndexUnloadedBeforeCachesSeeCommits: whoever learns from the
// store's CommitWatch that another process committed (app's board cache,
// which then renders its pages again) reads a board index that knows of
// the commit: the watch unloads the index before its generation moves.
func TestBoardIndexUnloadedBeforeCachesSeeCommits(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	u := mustUser(t, st, "w")
	mustPost(t, st, u, 3)
	f := PostFilter{Areas: []string{u.Area()}, Limit: 10}
	seen, _ := st.Commits().Generation(ctx) // a cache's first look
	if _, err := st.ListPostIDs(ctx, f); err != nil {
		t.Fatal(err)
	}
	other, err := Open(st.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	theirs := mustPost(t, other, u, 3)
	st.commits.due()
	if gen, _ := st.Commits().Generation(ctx); gen == seen {
		t.Fatal("the watch did not see another process's commit")
	}
	if ids, _ := st.ListPostIDs(ctx, f); !slices.Contains(ids, theirs.ID) {
		t.Fatalf("after the watch moved, the index lists %v without post %d", ids, theirs.ID)
	}
}

// TestBoardIndexMatchesSQLOnRandomBoards compares the index with the SQL
// it stands in for on 300 random boards, offsets, page sizes and counts, over
// posts that were hidden, deleted and moved to another category.
func TestBoardIndexMatchesSQLOnRandomBoards(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	users := []User{mustUser(t, st, "a"), mustUser(t, st, "b"), mustUser(t, st, "c")}
	areas := []string{"A", "B", "C", "D"}
	categories := []string{"치킨", "피자", "한식"}
	r := rand.New(rand.NewPCG(1, 2))
	var ids []int64
	for range 120 {
		p, err := st.CreatePost(ctx, NewPost{WriterID: users[r.IntN(3)].ID, Title: "t", Category: categories[r.IntN(3)],
			Content: "c", Address: "a", Area: areas[r.IntN(4)], TargetNumber: 3})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	for _, id := range ids[:15] {
		rep, _, err := st.CreateReport(ctx, NewReport{ReporterID: users[0].ID, TargetType: TargetPost, TargetID: id, Reason: "spam"})
		if err == nil {
			_, err = st.ResolveReport(ctx, rep.ID, ActionHide, 0, Actor{Name: "staff"})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids[10:20] { // some of them hidden too
		if err := st.DeletePost(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids[20:30] {
		c := categories[r.IntN(3)]
		if _, err := st.UpdatePost(ctx, id, PostUpdate{Category: &c}); err != nil {
			t.Fatal(err)
		}
	}
	for range 300 { // ~3 s under -race
		var f PostFilter
		for range 1 + r.IntN(4) {
			f.Areas = append(f.Areas, areas[r.IntN(4)])
		}
		if r.IntN(2) == 0 {
			f.Category = categories[r.IntN(3)]
		}
		if r.IntN(3) == 0 {
			f.ExcludeWriters = []int64{users[r.IntN(3)].ID}
		}
		f.Limit, f.Offset = 1+r.IntN(12), r.IntN(140)
		atMost := r.IntN(150) - 10
		got, gotTotal, err := st.ListPageIDs(ctx, f, atMost)
		if err != nil {
			t.Fatal(err)
		}
		want, wantTotal, err := listPage(ctx, st, f, atMost, pageIDsSelect, scanID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) || gotTotal != wantTotal {
			t.Fatalf("ListPageIDs %+v, atMost %d: index %v of %d, SQL %v of %d", f, atMost, got, gotTotal, want, wantTotal)
		}
		posts, err := st.ListPosts(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		query, args := f.listQuery()
		sqlPosts, err := st.queryPosts(ctx, "list", f.Limit, query, args...)
		if err != nil || !slices.Equal(postIDs(posts), postIDs(sqlPosts)) {
			t.Fatalf("ListPosts %+v: index %v, SQL %v (%v)", f, postIDs(posts), postIDs(sqlPosts), err)
		}
		n, err := st.CountPosts(ctx, f, atMost)
		if err != nil {
			t.Fatal(err)
		}
		query, args = f.countQuery(atMost)
		var sqlN int
		if err := st.r.QueryRowContext(ctx, query, args...).Scan(&sqlN); err != nil || n != sqlN {
			t.Fatalf("CountPosts %+v, atMost %d: index %d, SQL %d (%v)", f, atMost, n, sqlN, err)
		}
	}
}
