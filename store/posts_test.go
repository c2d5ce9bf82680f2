package store

import (
	"context"
	"errors"
	"testing"
)

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
