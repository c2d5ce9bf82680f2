package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBoardExcludesHiddenAndBlocked pages through several areas with hidden
// posts and excluded writers and compares with the plain order.
func TestBoardExcludesHiddenAndBlocked(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var writers []User
	for i := range 3 {
		u, err := st.CreateUser(ctx, NewUser{Email: fmt.Sprintf("w%d@example.com", i), Username: fmt.Sprintf("w%d", i), PasswordHash: "x", Address: "a"})
		if err != nil {
			t.Fatal(err)
		}
		writers = append(writers, u)
	}
	areas := []string{"A", "B", "C"}
	type row struct {
		id     int64
		area   string
		writer int64
		hidden bool
	}
	var all []row
	staff := Actor{Name: "test"}
	for i := range 90 {
		w := writers[(i*7)%3]
		p, err := st.CreatePost(ctx, NewPost{WriterID: w.ID, Title: "t", Category: "치킨", Content: "c", Address: "a",
			Area: areas[(i*i)%3], TargetNumber: 3})
		if err != nil {
			t.Fatal(err)
		}
		r := row{id: p.ID, area: p.Area, writer: w.ID, hidden: i%5 == 0}
		if r.hidden {
			rep, _, err := st.CreateReport(ctx, NewReport{ReporterID: writers[0].ID, TargetType: TargetPost, TargetID: p.ID, Reason: "spam"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.ResolveReport(ctx, rep.ID, ActionHide, 0, staff); err != nil {
				t.Fatal(err)
			}
		}
		all = append(all, r)
	}
	for _, f := range []PostFilter{
		{Areas: []string{"A"}},
		{Areas: areas},
		{Areas: areas, ExcludeWriters: []int64{writers[1].ID}},
		{Areas: []string{"B"}, ExcludeWriters: []int64{writers[0].ID, writers[2].ID}},
	} {
		in := map[string]bool{}
		for _, a := range f.Areas {
			in[a] = true
		}
		out := map[int64]bool{}
		for _, w := range f.ExcludeWriters {
			out[w] = true
		}
		var want []int64
		for i := len(all) - 1; i >= 0; i-- {
			if r := all[i]; in[r.area] && !r.hidden && !out[r.writer] {
				want = append(want, r.id)
			}
		}
		if n, err := st.CountPosts(ctx, f, 0); err != nil || n != len(want) {
			t.Errorf("%+v: count %d (%v), want %d", f, n, err, len(want))
		}
		var got []int64
		for offset := 0; offset < len(want)+10; offset += 10 {
			f.Limit, f.Offset = 10, offset
			posts, err := st.ListPosts(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range posts {
				got = append(got, p.ID)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%+v:\n got %v\nwant %v", f, got, want)
		}
	}
}

// TestInviteUsedOnceUnderRace: concurrent registrations with a one-use
// invite admit exactly one account.
func TestInviteUsedOnceUnderRace(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateInvite(ctx, "hash", 1, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = st.Register(ctx, NewUser{Email: fmt.Sprintf("u%d@example.com", i), Username: fmt.Sprintf("u%d", i),
				PasswordHash: "x", Address: "a"}, Signup{InviteHash: "hash", Pending: true})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrInviteInvalid):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d registrations used a one-use invite", ok)
	}
	if n, _ := st.CountUsers(ctx); n != 1 {
		t.Errorf("%d users, want 1 (a refused registration left a user behind)", n)
	}
	pending, err := st.PendingUsers(ctx)
	if err != nil || len(pending) != 1 {
		t.Errorf("pending %v %v", pending, err)
	}
	// A taken username rolls the invite use back.
	if _, err := st.CreateInvite(ctx, "two", 1, time.Time{}); err != nil {
		t.Fatal(err)
	}
	_, err = st.Register(ctx, NewUser{Email: "dup@example.com", Username: pending[0].Username, PasswordHash: "x", Address: "a"},
		Signup{InviteHash: "two"})
	if !errors.Is(err, ErrUsernameTaken) {
		t.Fatalf("duplicate username: %v", err)
	}
	if ok, _ := st.InviteValid(ctx, "two"); !ok {
		t.Error("a failed registration used up the invite")
	}
}

// HiddenMessages reads a range of ids: a hidden message of another room
// inside the range is not reported for this room's page.
func TestHiddenMessagesOfOnePage(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer, joiner := mustUser(t, st, "hmwriter"), mustUser(t, st, "hmjoiner")
	a, b := mustPost(t, st, writer, 4), mustPost(t, st, writer, 4)
	byRoom := map[int64][]int64{}
	for range 3 { // notices alternate between the rooms: interleaved ids
		for _, room := range []int64{a.RoomID, b.RoomID} {
			ch, err := st.JoinRoom(ctx, room, joiner.ID)
			if err != nil {
				t.Fatal(err)
			}
			byRoom[room] = append(byRoom[room], ch.Notice.ID)
			if ch, err = st.LeaveRoom(ctx, room, joiner.ID); err != nil {
				t.Fatal(err)
			}
			byRoom[room] = append(byRoom[room], ch.Notice.ID)
		}
	}
	hiddenInB := byRoom[b.RoomID][2]
	if _, err := st.w.ExecContext(ctx, `INSERT INTO hidden_messages (message_id, hidden_at) VALUES (?, '')`, hiddenInB); err != nil {
		t.Fatal(err)
	}
	if got, err := st.HiddenMessages(ctx, byRoom[a.RoomID]); err != nil || len(got) != 0 {
		t.Errorf("room A's page: hidden %v, %v; want none", got, err)
	}
	if got, err := st.HiddenMessages(ctx, byRoom[b.RoomID]); err != nil || len(got) != 1 || !got[hiddenInB] {
		t.Errorf("room B's page: hidden %v, %v; want only %d", got, err, hiddenInB)
	}
}

func TestWritesIn(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer, quiet := mustUser(t, st, "writer"), mustUser(t, st, "quiet")
	p := mustPost(t, st, writer, 5)
	if err := st.tx(ctx, func(tx *wtx) error { return hide(ctx, tx, TargetPost, p.ID, Actor{}, formatTime(st.now())) }); err != nil {
		t.Fatal(err)
	}
	here, elsewhere := p.Area, "@제주 어딘가"
	for _, c := range []struct {
		name    string
		writers []int64
		areas   []string
		want    bool
	}{
		{"a hidden post still counts", []int64{writer.ID}, []string{here}, true},
		{"one of several writers and areas", []int64{quiet.ID, writer.ID}, []string{elsewhere, here}, true},
		{"the writer posted elsewhere", []int64{writer.ID}, []string{elsewhere}, false},
		{"a writer with no posts", []int64{quiet.ID}, []string{here}, false},
		{"no writers", nil, []string{here}, false},
		{"no areas", []int64{writer.ID}, nil, false},
	} {
		got, err := st.WritesIn(ctx, c.writers, c.areas)
		if err != nil || got != c.want {
			t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	// Past writesInLooksAt posts it does not look further.
	prolific := mustUser(t, st, "prolific")
	for i := range writesInLooksAt + 1 {
		if i == writesInLooksAt {
			if got, err := st.WritesIn(ctx, []int64{prolific.ID}, []string{here}); err != nil || got {
				t.Errorf("%d posts elsewhere: %v, %v", i, got, err)
			}
		}
		if _, err := st.CreatePost(ctx, NewPost{WriterID: prolific.ID, Title: "t", Category: "치킨", Content: "c",
			Address: "제주", Area: elsewhere, TargetNumber: 5}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := st.WritesIn(ctx, []int64{prolific.ID}, []string{here}); err != nil || !got {
		t.Errorf("%d posts elsewhere: %v, %v; want true (not all read)", writesInLooksAt+1, got, err)
	}

	plan := queryPlan(t, st, writesInSQL, []any{"[1]", `["x"]`, 2})
	if !slices.ContainsFunc(plan, func(s planStep) bool { return strings.Contains(s.detail, "USING INDEX posts_writer (writer_id=?)") }) {
		t.Errorf("writesInSQL does not search by writer:\n%s", formatPlan(plan))
	}
}
