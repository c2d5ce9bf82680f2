package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

func newTestStore(t *testing.T) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), FileName))
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
	if joined != 4 || refused != 46 || room.JoinNumber != 5 || !room.Complete() {
		t.Errorf("joined %d refused %d join_number %d complete %v", joined, refused, room.JoinNumber, room.Complete())
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
				m, err := w.Append(ctx, NewMessage{RoomID: p.RoomID, UserID: writer.ID, Body: fmt.Sprint(i)},
					func(m Message) { mu.Lock(); order = append(order, m.ID); mu.Unlock() })
				if err != nil || m.ID == 0 || m.User == nil || m.User.Username != "writer" {
					t.Errorf("append: %+v %v", m, err)
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
			if _, err := w.Append(ctx, NewMessage{RoomID: p.RoomID, UserID: outsider.ID, Body: "x"}, nil); !errors.Is(err, ErrNotMember) {
				t.Errorf("outsider: %v", err)
			}
		})
		wg.Go(func() {
			if _, err := w.Append(ctx, NewMessage{RoomID: p.RoomID, UserID: writer.ID, Body: "y"}, nil); err != nil {
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
		if _, err := w.Append(ctx, NewMessage{RoomID: p2.RoomID, UserID: writer.ID, Body: "x"}, nil); !errors.Is(err, ErrNotMember) {
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
		if _, err := w.Append(ctx, NewMessage{RoomID: p.RoomID, UserID: writer.ID, Body: "x"}, nil); !errors.Is(err, ErrClosed) {
			t.Errorf("after close: %v", err)
		}
	})
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
	if err != nil || !ch.Changed || ch.Notice.Body != "m 님이 퇴장했습니다." || ch.Room.JoinNumber != 1 {
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
