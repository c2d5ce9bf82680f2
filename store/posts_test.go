package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// planStep is one line of EXPLAIN QUERY PLAN.
type planStep struct {
	id, parent int
	detail     string
}

func queryPlan(t *testing.T, st *Store, query string, args []any) []planStep {
	t.Helper()
	rows, err := st.r.DB.Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	var plan []planStep
	for rows.Next() {
		var s planStep
		var unused int
		if err := rows.Scan(&s.id, &s.parent, &unused, &s.detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

var (
	readsPosts = regexp.MustCompile(`^(SCAN|SEARCH) (posts|p)( |$)`)
	scansPosts = regexp.MustCompile(`^SCAN (posts|p)( |$)`)
	sortsRows  = regexp.MustCompile(`^USE TEMP B-TREE FOR .*ORDER BY`)
)

// planProblems lists the steps of a plan that the board must not take: a
// full scan of posts (table or index), or a temp B-tree for an ORDER BY in
// a SELECT that reads posts itself, where the (area, id DESC) index or the
// rowid order should deliver the rows in order.
//
// A temp B-tree beside a subquery is allowed: the several-areas merge sorts
// the at most Offset+Limit ids that each area's index search delivered,
// since SQLite does not know that a LIMITed subquery comes out ordered.
func planProblems(plan []planStep) []string {
	readsPostsIn := map[int]bool{} // parent ids of the steps that read posts
	for _, s := range plan {
		if readsPosts.MatchString(s.detail) {
			readsPostsIn[s.parent] = true
		}
	}
	var out []string
	for _, s := range plan {
		if scansPosts.MatchString(s.detail) {
			out = append(out, "full scan: "+s.detail)
		}
		if sortsRows.MatchString(s.detail) && readsPostsIn[s.parent] {
			out = append(out, "sorts rows the index should order: "+s.detail)
		}
	}
	return out
}

func formatPlan(plan []planStep) string {
	var out string
	for _, s := range plan {
		out += fmt.Sprintf("%3d %3d %s\n", s.id, s.parent, s.detail)
	}
	return out
}

// TestListUsesIndex checks the plans of the exact queries that ListPosts,
// ListPage and CountPosts run when the board index cannot answer
// (listQuery, pageQuery, countQuery), for every shape of filter the board
// sends: each picks posts on the area
// index alone (covering: a later page skips index entries, not table
// rows), never scans posts, and never sorts what an index delivers in
// order. With several areas the list and the page sort (pageIDs: a sorter
// bounded by the page, fed newest first per area); the count never does.
func TestListUsesIndex(t *testing.T) {
	st := newTestStore(t)

	// The check itself must be able to fail.
	bad := queryPlan(t, st, `SELECT id FROM posts WHERE title = ? ORDER BY created_at DESC LIMIT 10`, []any{"x"})
	if got := planProblems(bad); len(got) != 2 {
		t.Fatalf("planProblems found %q in a scan-and-sort plan:\n%s", got, formatPlan(bad))
	}

	several := []string{"1111053000", "1111054000", "1111055000", "1111056000"}
	tests := []struct {
		name   string
		filter PostFilter
		index  string // the index the area search must use
	}{
		{"OneArea", PostFilter{Areas: []string{"1111053000"}, Limit: 10}, "posts_area_id"},
		{"OneAreaLaterPage", PostFilter{Areas: []string{"@서울 어딘가"}, Limit: 10, Offset: 490}, "posts_area_id"},
		{"SeveralAreas", PostFilter{Areas: several, Limit: 10}, "posts_area_id"},
		{"SeveralAreasLaterPage", PostFilter{Areas: several, Limit: 10, Offset: 490}, "posts_area_id"},
		{"OneAreaCategory", PostFilter{Areas: []string{"1111053000"}, Category: "치킨", Limit: 10}, "posts_area_category_id"},
		{"SeveralAreasCategory", PostFilter{Areas: several, Category: "치킨", Limit: 10, Offset: 20}, "posts_area_category_id"},
		// A viewer's blocks are checked on the index too (migration 9).
		{"OneAreaBlocks", PostFilter{Areas: []string{"1111053000"}, Limit: 10, Offset: 490, ExcludeWriters: []int64{7, 9}}, "posts_area_id"},
		{"SeveralAreasCategoryBlocks", PostFilter{Areas: several, Category: "치킨", Limit: 10, ExcludeWriters: []int64{7}}, "posts_area_category_id"},
	}
	usesIndex := func(plan []planStep, index string) bool {
		want := regexp.MustCompile(`^SEARCH (posts|p) USING COVERING INDEX ` + index + ` \(area=\?`)
		for _, s := range plan {
			if want.MatchString(s.detail) {
				return true
			}
		}
		return false
	}
	check := func(t *testing.T, name, query string, args []any, index string, mergesAreas bool) {
		t.Helper()
		plan := queryPlan(t, st, query, args)
		problems := planProblems(plan)
		if mergesAreas {
			problems = slices.DeleteFunc(problems, func(p string) bool { return strings.HasPrefix(p, "sorts rows") })
		}
		if len(problems) > 0 {
			t.Errorf("%s query: %q\n%s", name, problems, formatPlan(plan))
		}
		if !usesIndex(plan, index) {
			t.Errorf("%s query does not search %s:\n%s", name, index, formatPlan(plan))
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			query, args := tt.filter.listQuery()
			check(t, "list", query, args, tt.index, len(tt.filter.Areas) > 1)
			query, args = tt.filter.pageQuery(110, postSelect)
			check(t, "page", query, args, tt.index, len(tt.filter.Areas) > 1)
			query, args = tt.filter.countQuery(110)
			check(t, "count", query, args, tt.index, false)
		})
	}
}

// TestCompleteRule: a post and its room are complete when the writer closed
// the post or the room is full, and both read the same answer; OpenPosts
// leaves complete posts out.
func TestCompleteRule(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer, joiner, late := mustUser(t, st, "writer"), mustUser(t, st, "joiner"), mustUser(t, st, "late")
	p := mustPost(t, st, writer, 2)
	check := func(step string, want bool) {
		t.Helper()
		post, err := st.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		listed, err := st.ListPosts(ctx, PostFilter{Areas: []string{writer.Area()}, Limit: 10})
		if err != nil || len(listed) != 1 {
			t.Fatalf("%s: list %v %v", step, listed, err)
		}
		open, err := st.OpenPosts(ctx, []string{writer.Area()}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if post.Complete != want || listed[0].Complete != want || (len(open) == 0) != want {
			t.Errorf("%s: post %v, listed %v, %d open; want complete %v", step, post.Complete, listed[0].Complete, len(open), want)
		}
		if room, err := st.RoomByID(ctx, p.RoomID); err == nil && room.Complete != want {
			t.Errorf("%s: room complete %v, want %v", step, room.Complete, want)
		}
	}
	check("new", false)

	ch, err := st.JoinRoom(ctx, p.RoomID, joiner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Room.Complete || ch.Room.JoinNumber != 2 {
		t.Errorf("the join that fills the room answers complete %v, join_number %d", ch.Room.Complete, ch.Room.JoinNumber)
	}
	check("full", true)
	if _, err := st.JoinRoom(ctx, p.RoomID, late.ID); !errors.Is(err, ErrCannotJoin) {
		t.Errorf("joining a full room: %v", err)
	}

	ch, err = st.LeaveRoom(ctx, p.RoomID, joiner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Room.Complete || ch.Room.JoinNumber != 1 {
		t.Errorf("the leave that reopens the room answers complete %v, join_number %d", ch.Room.Complete, ch.Room.JoinNumber)
	}
	check("reopened", false)

	yes, no := true, false
	if _, err := st.UpdatePost(ctx, p.ID, PostUpdate{Closed: &yes}); err != nil {
		t.Fatal(err)
	}
	check("closed by the writer", true)
	if _, err := st.JoinRoom(ctx, p.RoomID, late.ID); !errors.Is(err, ErrCannotJoin) {
		t.Errorf("joining a closed post: %v", err)
	}
	if _, err := st.UpdatePost(ctx, p.ID, PostUpdate{Closed: &no}); err != nil {
		t.Fatal(err)
	}
	check("opened again", false)

	if err := st.DeleteRoom(ctx, p.RoomID); err != nil {
		t.Fatal(err)
	}
	check("room deleted", true)
}

// TestListPostsMatchesNaiveOrder checks both ways of finding a page (the
// board index, and the SQL of boards it cannot answer) for ListPosts,
// ListPage, ListPageIDs and CountPosts against the plain order of every
// matching post: one and several areas, with and without a category,
// hidden posts and blocked writers, at many offsets.
func TestListPostsMatchesNaiveOrder(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	writers := make([]User, 3)
	for i := range writers {
		u, err := st.CreateUser(ctx, NewUser{Email: fmt.Sprintf("w%d@example.com", i), Username: fmt.Sprintf("w%d", i), PasswordHash: "x", Address: "a"})
		if err != nil {
			t.Fatal(err)
		}
		writers[i] = u
	}
	areas := []string{"A", "B", "C", "D", "E"}
	categories := []string{"치킨", "피자"}
	type row struct {
		id             int64
		writer         int64
		area, category string
		hidden         bool
	}
	var all []row
	for i := range 260 {
		// A skewed, deterministic spread: some areas are busier than others.
		area, category, writer := areas[(i*i+i/3)%len(areas)], categories[(i/7)%2], writers[(i/3+i%5)%3].ID
		p, err := st.CreatePost(ctx, NewPost{WriterID: writer, Title: "t", Category: category, Content: "c",
			Address: "a", Area: area, TargetNumber: 3})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, row{id: p.ID, writer: writer, area: area, category: category})
	}
	staff := Actor{Name: "test"}
	for i := 5; i < len(all); i += 23 {
		rep, _, err := st.CreateReport(ctx, NewReport{ReporterID: writers[0].ID, TargetType: TargetPost, TargetID: all[i].id, Reason: "spam"})
		if err == nil {
			_, err = st.ResolveReport(ctx, rep.ID, ActionHide, 0, staff)
		}
		if err != nil {
			t.Fatal(err)
		}
		all[i].hidden = true
	}
	for _, f := range []PostFilter{
		{Areas: []string{"A"}},
		{Areas: []string{"B", "D"}},
		{Areas: areas},
		{Areas: areas, Category: "피자"},
		{Areas: []string{"C", "E", "C"}, Category: "치킨"}, // an area twice counts once, as IN does
		{Areas: areas, ExcludeWriters: []int64{writers[1].ID}},
		{Areas: []string{"A", "B"}, Category: "치킨", ExcludeWriters: []int64{writers[0].ID, writers[2].ID}},
		{Areas: []string{"nowhere", "B"}},
	} {
		var want []int64
		for i := len(all) - 1; i >= 0; i-- {
			r := all[i]
			if slices.Contains(f.Areas, r.area) && (f.Category == "" || r.category == f.Category) && !r.hidden &&
				!slices.Contains(f.ExcludeWriters, r.writer) {
				want = append(want, r.id)
			}
		}
		if n, err := st.CountPosts(ctx, f, 0); err != nil || n != len(want) {
			t.Errorf("%+v: count %d (%v), want %d", f, n, err, len(want))
		}
		if n, _ := st.CountPosts(ctx, f, 7); n != min(7, len(want)) {
			t.Errorf("%+v: capped count %d, want %d", f, n, min(7, len(want)))
		}
		if q, args := f.countQuery(0); true {
			var n int
			if err := st.r.QueryRowContext(ctx, q, args...).Scan(&n); err != nil || n != len(want) {
				t.Errorf("%+v: count in SQL %d (%v), want %d", f, n, err, len(want))
			}
		}
		for offset := 0; offset <= len(want)+10; offset += 10 {
			f.Limit, f.Offset = 10, offset
			end := min(offset+10, len(want))
			start := min(offset, end)
			// ListPage answers the last page for an offset past the posts.
			lastStart := min(offset, max((len(want)+9)/10-1, 0)*10)
			lastEnd := min(lastStart+10, len(want))
			check := func(how string, ids []int64, err error) {
				t.Helper()
				if err != nil {
					t.Fatal(how, err)
				}
				if !slices.Equal(ids, want[start:end]) {
					t.Fatalf("%s %+v: %v, want %v", how, f, ids, want[start:end])
				}
			}
			posts, err := st.ListPosts(ctx, f)
			check("ListPosts", postIDs(posts), err)
			ids, err := st.ListPostIDs(ctx, f)
			check("ListPostIDs", ids, err)
			query, args := f.listQuery()
			posts, err = st.queryPosts(ctx, "list", 10, query, args...)
			check("listQuery", postIDs(posts), err)
			for _, atMost := range []int{0, 7, offset + 11, offset + 101} {
				wantTotal := len(want)
				if atMost > 0 {
					wantTotal = min(wantTotal, atMost)
				}
				page := func(how string, ids []int64, total int, err error) {
					t.Helper()
					how = fmt.Sprintf("%s(%d)", how, atMost)
					if err != nil || !slices.Equal(ids, want[lastStart:lastEnd]) {
						t.Fatalf("%s %+v: %v, %v; want %v", how, f, ids, err, want[lastStart:lastEnd])
					}
					if total != wantTotal {
						t.Fatalf("%s %+v: total %d, want %d", how, f, total, wantTotal)
					}
				}
				posts, total, err := st.ListPage(ctx, f, atMost)
				page("ListPage", postIDs(posts), total, err)
				ids, total, err := st.ListPageIDs(ctx, f, atMost)
				page("ListPageIDs", ids, total, err)
				posts, total, err = listPage(ctx, st, f, atMost, postSelect, scanPost)
				page("listPage in SQL", postIDs(posts), total, err)
				ids, total, err = listPage(ctx, st, f, atMost, pageIDsSelect, scanID)
				page("listPage of ids in SQL", ids, total, err)
			}
		}
	}
}

func postIDs(posts []Post) []int64 {
	ids := make([]int64, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	return ids
}

func TestOpenPosts(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	u := mustUser(t, st, "writer")
	write := func(title string, target int) Post {
		t.Helper()
		p, err := st.CreatePost(ctx, NewPost{WriterID: u.ID, Title: title, Category: "치킨", Content: "c",
			Address: u.Address, Area: u.Area(), TargetNumber: target})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	open1 := write("open1", 4)
	closed := write("closed", 4)
	yes := true
	if _, err := st.UpdatePost(ctx, closed.ID, PostUpdate{Closed: &yes}); err != nil {
		t.Fatal(err)
	}
	full := write("full", 2)
	other, err := st.CreateUser(ctx, NewUser{Email: "o@example.com", Username: "other", PasswordHash: "x", Address: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.w.ExecContext(ctx, `INSERT INTO room_members (room_id, user_id, joined_at) VALUES (?, ?, ?)`,
		full.RoomID, other.ID, formatTime(st.now())); err != nil {
		t.Fatal(err)
	}
	open2 := write("open2", 3)
	elsewhere, err := st.CreatePost(ctx, NewPost{WriterID: other.ID, Title: "far", Category: "피자", Content: "c",
		Address: "a", Area: "@a", TargetNumber: 4})
	if err != nil {
		t.Fatal(err)
	}

	got, err := st.OpenPosts(ctx, []string{u.Area()}, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != open2.ID || got[1].ID != open1.ID {
		t.Fatalf("OpenPosts = %+v, want open2, open1", got)
	}
	if got, _ := st.OpenPosts(ctx, []string{u.Area(), "@a"}, 1); len(got) != 1 || got[0].ID != elsewhere.ID {
		t.Fatalf("limit 1 = %+v, want the newest", got)
	}
	if got, err := st.OpenPosts(ctx, nil, 50); err != nil || len(got) != 0 {
		t.Fatalf("no areas = %v, %v", got, err)
	}
}
