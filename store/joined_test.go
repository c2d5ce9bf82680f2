package store

import (
	"context"
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
