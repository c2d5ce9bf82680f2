package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func newTestStore(t *testing.T, opts ...Option) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), FileName), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func mustUser(t *testing.T, st *Store, name string) User {
	t.Helper()
	u, err := st.CreateUser(context.Background(), NewUser{Email: name + "@example.com", Username: name,
		PasswordHash: "x", Address: "서울특별시 종로구 사직동"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustPost(t *testing.T, st *Store, writer User, target int) Post {
	t.Helper()
	p, err := st.CreatePost(context.Background(), NewPost{WriterID: writer.ID, Title: "t", Category: "치킨",
		Content: "c", Address: writer.Address, Area: writer.Area(), TargetNumber: target})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestJoinRoomConcurrent(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer := mustUser(t, st, "writer")
	p := mustPost(t, st, writer, 5)
	users := make([]User, 50)
	for i := range users {
		users[i] = mustUser(t, st, fmt.Sprintf("u%d", i))
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		joined  int
		refused int
	)
	for _, u := range users {
		wg.Go(func() {
			_, err := st.JoinRoom(ctx, p.RoomID, u.ID)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				joined++
			case errors.Is(err, ErrCannotJoin):
				refused++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	room, err := st.RoomByID(ctx, p.RoomID)
	if err != nil {
		t.Fatal(err)
	}
	if joined != 4 || refused != 46 || room.JoinNumber != 5 || !room.Complete {
		t.Errorf("joined %d refused %d join_number %d complete %v", joined, refused, room.JoinNumber, room.Complete)
	}
}

func TestMessageWriter(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer := mustUser(t, st, "writer")
	outsider := mustUser(t, st, "outsider")
	p := mustPost(t, st, writer, 5)
	w := st.NewMessageWriter(MessageWriterConfig{MaxBatch: 16})

	t.Run("many concurrent appends keep id order in committed", func(t *testing.T) {
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			order []int64
		)
		for i := range 200 {
			wg.Go(func() {
				m, fresh, err := w.Append(ctx, NewMessage{RoomID: p.RoomID, UserID: writer.ID, Body: fmt.Sprint(i)},
					func(m Message) { mu.Lock(); order = append(order, m.ID); mu.Unlock() })
				if err != nil || !fresh || m.ID == 0 || m.User == nil || m.User.Username != "writer" {
					t.Errorf("append: %+v %v %v", m, fresh, err)
				}
			})
		}
		wg.Wait()
		if len(order) != 200 {
			t.Fatalf("%d committed callbacks", len(order))
		}
		for i := 1; i < len(order); i++ {
			if order[i] <= order[i-1] {
				t.Fatal("committed out of id order")
			}
		}
		msgs, more, err := st.Messages(ctx, p.RoomID, MessagePage{Limit: 100})
		if err != nil || len(msgs) != 100 || !more {
			t.Errorf("history: %d %v %v", len(msgs), more, err)
		}
	})
	t.Run("non-member is refused, others in the batch are not", func(t *testing.T) {
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, _, err := w.Append(ctx, NewMessage{RoomID: p.RoomID, UserID: outsider.ID, Body: "x"}, nil); !errors.Is(err, ErrNotMember) {
				t.Errorf("outsider: %v", err)
			}
		})
		wg.Go(func() {
			if _, _, err := w.Append(ctx, NewMessage{RoomID: p.RoomID, UserID: writer.ID, Body: "y"}, nil); err != nil {
				t.Errorf("writer: %v", err)
			}
		})
		wg.Wait()
	})
	t.Run("deleted room is refused", func(t *testing.T) {
		p2 := mustPost(t, st, writer, 3)
		if err := st.DeleteRoom(ctx, p2.RoomID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.Append(ctx, NewMessage{RoomID: p2.RoomID, UserID: writer.ID, Body: "x"}, nil); !errors.Is(err, ErrNotMember) {
			t.Errorf("deleted room: %v", err)
		}
	})
	t.Run("close", func(t *testing.T) {
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.Append(ctx, NewMessage{RoomID: p.RoomID, UserID: writer.ID, Body: "x"}, nil); !errors.Is(err, ErrClosed) {
			t.Errorf("after close: %v", err)
		}
	})
}

// TestMessageWriterGroupCommit forces two messages into one batch: MaxBatch
// is 2 and the first waits (up to an hour) for company. The committed
// callback of each then finds both rows from another connection, which it
// could not if the other row's transaction had not committed yet: the
// callbacks of a batch run only once its transaction has committed.
func TestMessageWriterGroupCommit(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer := mustUser(t, st, "writer")
	p := mustPost(t, st, writer, 5)
	w := st.NewMessageWriter(MessageWriterConfig{MaxBatch: 2, MaxDelay: time.Hour})
	t.Cleanup(func() { w.Close(ctx) })

	visible := make(chan int, 2) // messages stored when each callback ran
	var wg sync.WaitGroup
	for _, body := range []string{"하나", "둘"} {
		wg.Go(func() {
			_, _, err := w.Append(ctx, NewMessage{RoomID: p.RoomID, UserID: writer.ID, Body: body}, func(Message) {
				msgs, _, err := st.Messages(ctx, p.RoomID, MessagePage{})
				if err != nil {
					t.Error(err)
				}
				visible <- len(msgs)
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for range 2 {
		if n := <-visible; n != 2 {
			t.Errorf("a committed callback saw %d messages, want 2 (one transaction for both)", n)
		}
	}
}

func TestMessageWriterClientID(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	st := newTestStore(t, WithClock(func() time.Time { return now }))
	ctx := context.Background()
	writer := mustUser(t, st, "writer")
	member := mustUser(t, st, "member")
	p := mustPost(t, st, writer, 5)
	p2 := mustPost(t, st, writer, 5)
	if _, err := st.JoinRoom(ctx, p.RoomID, member.ID); err != nil {
		t.Fatal(err)
	}
	w := st.NewMessageWriter(MessageWriterConfig{})
	t.Cleanup(func() { w.Close(ctx) })

	calls := 0
	appendMsg := func(room, user int64, body, clientID string) (Message, bool) {
		t.Helper()
		m, fresh, err := w.Append(ctx, NewMessage{RoomID: room, UserID: user, Body: body, ClientID: clientID},
			func(Message) { calls++ })
		if err != nil {
			t.Fatal(err)
		}
		return m, fresh
	}
	first, fresh := appendMsg(p.RoomID, writer.ID, "치킨?", "c-1")
	if !fresh || calls != 1 {
		t.Fatalf("first send: fresh %v, %d callbacks", fresh, calls)
	}
	// A resend (even with other text) returns the stored message.
	again, fresh := appendMsg(p.RoomID, writer.ID, "치킨?!", "c-1")
	if fresh || calls != 1 || again.ID != first.ID || again.Body != "치킨?" || !again.CreatedAt.Equal(first.CreatedAt) ||
		again.User == nil || again.User.Username != "writer" {
		t.Fatalf("resend: %+v fresh %v, %d callbacks; first %+v", again, fresh, calls, first)
	}
	// The same id from another sender, in another room, or none: new messages.
	for _, tc := range []struct {
		name       string
		room, user int64
		clientID   string
	}{
		{"other sender", p.RoomID, member.ID, "c-1"},
		{"other room", p2.RoomID, writer.ID, "c-1"},
		{"no client id", p.RoomID, writer.ID, ""},
		{"no client id again", p.RoomID, writer.ID, ""},
	} {
		if m, fresh := appendMsg(tc.room, tc.user, "치킨?", tc.clientID); !fresh || m.ID == first.ID {
			t.Errorf("%s: %+v fresh %v", tc.name, m, fresh)
		}
	}
	// Just within the window it is still a resend; after it the id is free.
	now = now.Add(ClientIDWindow - time.Second)
	if m, fresh := appendMsg(p.RoomID, writer.ID, "x", "c-1"); fresh || m.ID != first.ID {
		t.Errorf("within the window: %+v fresh %v", m, fresh)
	}
	now = now.Add(2 * time.Second)
	later, fresh := appendMsg(p.RoomID, writer.ID, "다음 날", "c-1")
	if !fresh || later.ID == first.ID {
		t.Fatalf("after the window: %+v fresh %v", later, fresh)
	}
	if m, fresh := appendMsg(p.RoomID, writer.ID, "y", "c-1"); fresh || m.ID != later.ID || m.Body != "다음 날" {
		t.Errorf("resend of the new message: %+v fresh %v", m, fresh)
	}
	msgs, _, err := st.Messages(ctx, p.RoomID, MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range msgs {
		if m.User != nil && m.User.ID == writer.ID {
			bodies = append(bodies, m.Body)
		}
	}
	if got := fmt.Sprint(bodies); got != "[치킨? 치킨? 치킨? 다음 날]" {
		t.Errorf("writer's stored messages: %s", got)
	}
}

func TestLeaveBanMembership(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer := mustUser(t, st, "writer")
	m := mustUser(t, st, "m")
	p := mustPost(t, st, writer, 2)
	if _, err := st.JoinRoom(ctx, p.RoomID, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.LeaveRoom(ctx, p.RoomID, writer.ID); !errors.Is(err, ErrWriterStays) {
		t.Errorf("writer leave: %v", err)
	}
	ch, err := st.BanUser(ctx, p.RoomID, m.ID)
	if err != nil || !ch.Changed || ch.Notice.Body != "m 님을 방장이 채팅방에서 내보냈어요." || ch.Room.JoinNumber != 1 {
		t.Fatalf("ban: %+v %v", ch, err)
	}
	ms, err := st.MembershipOf(ctx, p.RoomID, m.ID)
	if err != nil || !ms.RoomExists || ms.Member || !ms.Banned {
		t.Errorf("membership: %+v %v", ms, err)
	}
	if _, err := st.JoinRoom(ctx, p.RoomID, m.ID); !errors.Is(err, ErrCannotJoin) {
		t.Errorf("banned join: %v", err)
	}
	if _, err := st.LeaveRoom(ctx, p.RoomID, m.ID); !errors.Is(err, ErrNotMember) {
		t.Errorf("non-member leave: %v", err)
	}
}
