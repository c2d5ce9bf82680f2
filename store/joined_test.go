package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
)

// TestRoomsOfUsesAnIndex: the board asks RoomsOf whenever a viewer's
// memberships changed, so it must be answered from an index of
// room_members, never a scan.
func TestRoomsOfUsesAnIndex(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := st.r.QueryContext(ctx, `EXPLAIN QUERY PLAN `+roomsOfSQL, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(plan, "; ")
	if !strings.Contains(all, "USING") || strings.Contains(all, "SCAN room_members") {
		t.Errorf("RoomsOf's plan: %s", all)
	}
	if got, err := st.RoomsOf(ctx, 1); err != nil || len(got) != 0 {
		t.Errorf("no rooms: %v %v", got, err)
	}
}

// MembershipVersion moves for exactly the users whose room_members rows a
// committed write changed: a join, a leave, the writer's own membership of
// a new post, every member of a deleted post (a foreign-key cascade). A
// read marker moves nobody's.
func TestMembershipVersion(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer, joiner, bystander := mustUser(t, st, "writer"), mustUser(t, st, "joiner"), mustUser(t, st, "bystander")
	versions := func() [3]uint64 {
		return [3]uint64{st.MembershipVersion(writer.ID), st.MembershipVersion(joiner.ID), st.MembershipVersion(bystander.ID)}
	}
	rooms := func(u User) []int64 {
		t.Helper()
		ids, err := st.RoomsOf(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	step := func(what string, moved [3]bool, do func()) {
		t.Helper()
		before := versions()
		do()
		after := versions()
		for i := range after {
			if (after[i] != before[i]) != moved[i] {
				t.Errorf("%s: version of user %d went %d -> %d, moved want %v", what, i, before[i], after[i], moved[i])
			}
		}
	}

	var p Post
	step("write a post", [3]bool{true, false, false}, func() { p = mustPost(t, st, writer, 4) })
	if got := rooms(writer); len(got) != 1 || got[0] != p.RoomID {
		t.Fatalf("writer's rooms = %v, want [%d]", got, p.RoomID)
	}
	step("join", [3]bool{false, true, false}, func() {
		if _, err := st.JoinRoom(ctx, p.RoomID, joiner.ID); err != nil {
			t.Fatal(err)
		}
	})
	step("read marker", [3]bool{}, func() {
		if _, err := st.MarkRead(ctx, p.RoomID, joiner.ID, 1); err != nil {
			t.Fatal(err)
		}
	})
	step("leave", [3]bool{false, true, false}, func() {
		if _, err := st.LeaveRoom(ctx, p.RoomID, joiner.ID); err != nil {
			t.Fatal(err)
		}
	})
	if got := rooms(joiner); len(got) != 0 {
		t.Fatalf("joiner's rooms after leaving = %v", got)
	}
	if _, err := st.JoinRoom(ctx, p.RoomID, joiner.ID); err != nil {
		t.Fatal(err)
	}
	step("delete the post", [3]bool{true, true, false}, func() {
		if err := st.DeletePost(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
	})
	if got := rooms(joiner); len(got) != 0 {
		t.Fatalf("joiner's rooms after the post was deleted = %v", got)
	}
}

// TestMembershipChanges: a copy of RoomsOf read at any version and brought
// up to date with MembershipChanges equals RoomsOf read afresh, through
// joins, leaves, new posts and a deleted post (a cascade); a transaction
// that failed after writing a row, and a log longer than its bound, make
// the copy read again instead.
func TestMembershipChanges(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer, joiner := mustUser(t, st, "writer"), mustUser(t, st, "joiner")

	type copyAt struct {
		ver   uint64
		rooms map[int64]bool
	}
	read := func(u User) copyAt {
		t.Helper()
		ver := st.MembershipVersion(u.ID)
		ids, err := st.RoomsOf(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		m := map[int64]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return copyAt{ver, m}
	}
	// catchUp applies the changes since c to a copy of c and checks it
	// against RoomsOf.
	catchUp := func(what string, u User, c copyAt) (ok bool) {
		t.Helper()
		changes, ver, ok := st.MembershipChanges(u.ID, c.ver)
		if !ok {
			return false
		}
		got := maps.Clone(c.rooms)
		for _, ch := range changes {
			if ch.Joined {
				got[ch.Room] = true
			} else {
				delete(got, ch.Room)
			}
		}
		if want := read(u); !maps.Equal(got, want.rooms) || ver != want.ver {
			t.Errorf("%s: caught up to %v at version %d, RoomsOf %v at %d", what, got, ver, want.rooms, want.ver)
		}
		return true
	}

	var copies []copyAt // of the joiner, one before each step
	step := func(what string, do func()) {
		t.Helper()
		copies = append(copies, read(joiner))
		before := read(writer)
		do()
		for i, c := range copies {
			if !catchUp(fmt.Sprintf("%s, joiner's copy %d", what, i), joiner, c) {
				t.Errorf("%s: joiner's copy %d cannot be caught up", what, i)
			}
		}
		if !catchUp(what+", writer", writer, before) {
			t.Errorf("%s: writer's copy cannot be caught up", what)
		}
	}
	var p1, p2 Post
	step("two posts", func() { p1, p2 = mustPost(t, st, writer, 4), mustPost(t, st, writer, 4) })
	step("join both", func() {
		for _, p := range []Post{p1, p2} {
			if _, err := st.JoinRoom(ctx, p.RoomID, joiner.ID); err != nil {
				t.Fatal(err)
			}
		}
	})
	step("leave one", func() {
		if _, err := st.LeaveRoom(ctx, p1.RoomID, joiner.ID); err != nil {
			t.Fatal(err)
		}
	})
	step("join it again, then delete the other post", func() {
		if _, err := st.JoinRoom(ctx, p1.RoomID, joiner.ID); err != nil {
			t.Fatal(err)
		}
		if err := st.DeletePost(ctx, p2.ID); err != nil {
			t.Fatal(err)
		}
	})
	if rooms := read(joiner).rooms; len(rooms) != 1 || !rooms[p1.RoomID] {
		t.Fatalf("joiner's rooms = %v, want only %d", rooms, p1.RoomID)
	}

	// A transaction that wrote a row and then failed: its change is not
	// known, so copies from before it are read again; later ones are fine.
	before := read(joiner)
	failed := errors.New("fails after the row")
	err := st.tx(ctx, func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM room_members WHERE room_id = ? AND user_id = ?`, p1.RoomID, joiner.ID); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("tx: %v", err)
	}
	if _, _, ok := st.MembershipChanges(joiner.ID, before.ver); ok {
		t.Error("a copy from before a failed transaction was caught up")
	}
	if !catchUp("after the failed transaction", joiner, read(joiner)) {
		t.Error("a copy read after the failed transaction cannot be caught up")
	}

	// Past maxMemberLog changes, the oldest copies are read again.
	old := read(joiner)
	for range maxMemberLog/2 + 1 {
		if _, err := st.LeaveRoom(ctx, p1.RoomID, joiner.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.JoinRoom(ctx, p1.RoomID, joiner.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, ok := st.MembershipChanges(joiner.ID, old.ver); ok {
		t.Errorf("a copy %d changes old was caught up", maxMemberLog+2)
	}
	recent := read(joiner)
	if _, err := st.LeaveRoom(ctx, p1.RoomID, joiner.ID); err != nil {
		t.Fatal(err)
	}
	if !catchUp("after a long log", joiner, recent) {
		t.Error("a recent copy cannot be caught up after a long log")
	}
}

// TestMembershipChangesOutsideTx: a room_members row written outside
// Store.tx (none is today) cannot be logged, since whether and when it
// committed is unknown: the user's copies are read again, before the next
// transaction settles and after.
func TestMembershipChangesOutsideTx(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer, joiner := mustUser(t, st, "writer"), mustUser(t, st, "joiner")
	p := mustPost(t, st, writer, 4)
	if _, err := st.JoinRoom(ctx, p.RoomID, joiner.ID); err != nil {
		t.Fatal(err)
	}
	before := st.MembershipVersion(joiner.ID)
	if _, err := st.w.ExecContext(ctx, `DELETE FROM room_members WHERE room_id = ? AND user_id = ?`, p.RoomID, joiner.ID); err != nil {
		t.Fatal(err)
	}
	if changes, ver, ok := st.MembershipChanges(joiner.ID, before); ok {
		t.Errorf("a write outside Store.tx was caught up: %v at version %d", changes, ver)
	}
	mustPost(t, st, writer, 4) // a transaction of someone else settles
	if changes, ver, ok := st.MembershipChanges(joiner.ID, before); ok {
		t.Errorf("after the next transaction, a write outside Store.tx was caught up: %v at version %d", changes, ver)
	}
	if _, _, ok := st.MembershipChanges(writer.ID, st.MembershipVersion(writer.ID)); !ok {
		t.Error("the writer's current copy cannot be caught up")
	}
}
