package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// say stores a chat message through the group commit writer.
func say(t *testing.T, w *MessageWriter, room, user int64, body string) Message {
	t.Helper()
	m, _, err := w.Append(context.Background(), NewMessage{RoomID: room, UserID: user, Body: body}, nil)
	if err != nil {
		t.Fatalf("append %q: %v", body, err)
	}
	return m
}

func itemOf(t *testing.T, st *Store, user, room int64) (ChatListItem, bool) {
	t.Helper()
	items, _, err := st.ChatList(context.Background(), user, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.RoomID == room {
			return it, true
		}
	}
	return ChatListItem{}, false
}

func TestChatListUnreadAndReadMarker(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	w := st.NewMessageWriter(MessageWriterConfig{})
	t.Cleanup(func() { w.Close(ctx) })
	a, b, c := mustUser(t, st, "a"), mustUser(t, st, "b"), mustUser(t, st, "c")
	p := mustPost(t, st, a, 5)
	for _, u := range []User{b, c} {
		if _, err := st.JoinRoom(ctx, p.RoomID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	say(t, w, p.RoomID, b.ID, "b의 메시지")
	fromA := say(t, w, p.RoomID, a.ID, "a의 메시지")
	fromC := say(t, w, p.RoomID, c.ID, "c의 메시지")
	if _, err := st.AddNotice(ctx, p.RoomID, "시스템 알림"); err != nil {
		t.Fatal(err)
	}

	it, ok := itemOf(t, st, b.ID, p.RoomID)
	// For b: a's and c's messages; b's own and the join/system notices are not counted.
	if !ok || it.Unread != 2 || it.PostID != p.ID || it.Muted || it.Last == nil || it.Last.Body != "시스템 알림" || it.Last.User != nil {
		t.Fatalf("b's item: %+v", it)
	}

	if moved, err := st.MarkRead(ctx, p.RoomID, b.ID, fromA.ID); err != nil || !moved {
		t.Fatalf("mark read: %v %v", moved, err)
	}
	if it, _ := itemOf(t, st, b.ID, p.RoomID); it.Unread != 1 {
		t.Fatalf("after reading a's message: unread %d, want 1", it.Unread)
	}
	// Never back.
	if moved, err := st.MarkRead(ctx, p.RoomID, b.ID, 1); err != nil || moved {
		t.Fatalf("mark read back: %v %v", moved, err)
	}
	if it, _ := itemOf(t, st, b.ID, p.RoomID); it.Unread != 1 {
		t.Fatalf("after marking back: unread %d, want 1", it.Unread)
	}
	// Never past the room's last message: a later message still counts.
	if moved, err := st.MarkRead(ctx, p.RoomID, b.ID, fromC.ID+1000); err != nil || !moved {
		t.Fatalf("mark read far ahead: %v %v", moved, err)
	}
	if it, _ := itemOf(t, st, b.ID, p.RoomID); it.Unread != 0 {
		t.Fatalf("after reading all: unread %d", it.Unread)
	}
	later := say(t, w, p.RoomID, c.ID, "나중 메시지")
	if it, _ := itemOf(t, st, b.ID, p.RoomID); it.Unread != 1 || it.Last.ID != later.ID || it.Last.User.ID != c.ID {
		t.Fatalf("after a later message: %+v", it)
	}

	// Non-members and missing rooms.
	outsider := mustUser(t, st, "o")
	if _, err := st.MarkRead(ctx, p.RoomID, outsider.ID, later.ID); !errors.Is(err, ErrNotMember) {
		t.Errorf("outsider mark read: %v", err)
	}
	if err := st.SetMuted(ctx, 9999, b.ID, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("mute missing room: %v", err)
	}

	// Mute.
	if err := st.SetMuted(ctx, p.RoomID, b.ID, true); err != nil {
		t.Fatal(err)
	}
	if it, _ := itemOf(t, st, b.ID, p.RoomID); !it.Muted {
		t.Error("muted not stored")
	}
	if it, _ := itemOf(t, st, c.ID, p.RoomID); it.Muted {
		t.Error("mute leaked to another member")
	}

	// Blocked users: their messages are neither last nor unread.
	if err := st.Block(ctx, b.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	say(t, w, p.RoomID, c.ID, "차단된 사람의 메시지")
	if it, _ := itemOf(t, st, b.ID, p.RoomID); it.Unread != 0 || it.Last == nil || it.Last.ID >= later.ID {
		t.Fatalf("b blocked c: %+v (last %+v)", it, it.Last)
	}
	if it, _ := itemOf(t, st, a.ID, p.RoomID); it.Last.Body != "차단된 사람의 메시지" {
		t.Fatalf("a did not block c: last %q", it.Last.Body)
	}

	// A hidden message is flagged for the placeholder.
	last := say(t, w, p.RoomID, a.ID, "가려질 메시지")
	if _, err := st.w.ExecContext(ctx, `INSERT INTO hidden_messages (message_id, hidden_at) VALUES (?, ?)`,
		last.ID, formatTime(st.now())); err != nil {
		t.Fatal(err)
	}
	if it, _ := itemOf(t, st, c.ID, p.RoomID); !it.LastHidden || it.Last.ID != last.ID {
		t.Fatalf("hidden last: %+v", it)
	}

	// The batch query of /ws/me/ gives each member their own item.
	items, err := st.ChatListItems(ctx, []int64{p.RoomID}, []int64{a.ID, b.ID, outsider.ID})
	if err != nil || len(items) != 2 {
		t.Fatalf("batch: %+v %v", items, err)
	}
	for _, it := range items {
		want, _ := itemOf(t, st, it.UserID, p.RoomID)
		if it.Unread != want.Unread || it.Muted != want.Muted || it.Last.ID != want.Last.ID {
			t.Errorf("batch item of %d: %+v, list says %+v", it.UserID, it, want)
		}
	}
}

func TestChatListOrderPagingAndGoneRooms(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	w := st.NewMessageWriter(MessageWriterConfig{})
	t.Cleanup(func() { w.Close(ctx) })
	a, b := mustUser(t, st, "a"), mustUser(t, st, "b")
	var rooms []int64
	for range 25 {
		rooms = append(rooms, mustPost(t, st, a, 5).RoomID)
	}
	// Activity in a shuffled order; the first three rooms stay silent.
	order := []int{10, 3, 24, 7, 15, 4, 20, 5, 6, 8, 9, 11, 12, 13, 14, 16, 17, 18, 19, 21, 22, 23}
	for i, k := range order {
		say(t, w, rooms[k], a.ID, fmt.Sprintf("m%d", i))
	}
	// Expected: rooms by last message, newest first, then the silent ones by id, newest first.
	var want []int64
	for i := len(order) - 1; i >= 0; i-- {
		want = append(want, rooms[order[i]])
	}
	want = append(want, rooms[2], rooms[1], rooms[0])

	var got []int64
	var after *ChatListCursor
	pages := 0
	for {
		items, next, err := st.ChatList(ctx, a.ID, after, 20)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range items {
			got = append(got, it.RoomID)
		}
		if next == nil {
			break
		}
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		after = next
	}
	if pages != 2 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%d pages, order %v, want %v", pages, got, want)
	}

	// Left, banned and deleted rooms are not listed.
	for _, r := range rooms[:3] {
		if _, err := st.JoinRoom(ctx, r, b.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.LeaveRoom(ctx, rooms[0], b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.BanUser(ctx, rooms[1], b.ID); err != nil {
		t.Fatal(err)
	}
	items, next, err := st.ChatList(ctx, b.ID, nil, 20)
	if err != nil || next != nil || len(items) != 1 || items[0].RoomID != rooms[2] {
		t.Fatalf("b's list after leave and ban: %+v %v %v", items, next, err)
	}
	if err := st.DeleteRoom(ctx, rooms[2]); err != nil {
		t.Fatal(err)
	}
	if items, _, err := st.ChatList(ctx, b.ID, nil, 20); err != nil || len(items) != 0 {
		t.Fatalf("b's list after the room was deleted: %+v %v", items, err)
	}
	if _, err := st.MarkRead(ctx, rooms[2], b.ID, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("mark read in a deleted room: %v", err)
	}
	if _, ok := itemOf(t, st, a.ID, rooms[2]); ok {
		t.Error("the writer still lists the deleted room")
	}
}

// TestChatListUsesIndexes checks the plans of the list queries: no full
// scan of messages or room_members (the per-room subqueries must search
// messages by (room_id, id), the memberships by user or by (room, user)).
func TestChatListUsesIndexes(t *testing.T) {
	st := newTestStore(t)
	for name, q := range map[string]struct {
		query string
		args  []any
	}{
		"page":  {chatListPageSQL, []any{1, 100, 100, 21}},
		"batch": {chatListForSQL, []any{"[1,2]", "[1,2,3]"}},
	} {
		plan := queryPlan(t, st, q.query, q.args)
		for _, s := range plan {
			if strings.HasPrefix(s.detail, "SCAN ") && !strings.Contains(s.detail, "json_each") &&
				!strings.HasPrefix(s.detail, "SCAN mine") {
				t.Errorf("%s: full scan %q in\n%s", name, s.detail, formatPlan(plan))
			}
		}
	}
}
