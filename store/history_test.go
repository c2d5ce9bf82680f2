package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// TestLatestMessagesFollowWrites checks that the latest page, kept in the
// history cache, is what the database holds after every kind of write.
func TestLatestMessagesFollowWrites(t *testing.T) {
	st, writer, p, w := historyRoom(t)
	ctx := context.Background()
	send := func(body string) Message {
		t.Helper()
		m, _, err := w.Append(ctx, NewMessage{RoomID: p.RoomID, UserID: writer.ID, Body: body}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	const limit = 3
	// check compares the latest page with the database's, read around
	// the cache; kept says whether the page must have come from the cache.
	check := func(what string, kept bool) []Message {
		t.Helper()
		before := st.history.rooms[p.RoomID]
		got := latestAsRead(t, st, p.RoomID, limit, what)
		if e, ok := st.history.rooms[p.RoomID]; !ok || kept != (before != nil && e.stamp == before.stamp) {
			t.Fatalf("%s: kept page used %v, want %v", what, !kept, kept)
		}
		return got
	}

	check("a room with its writer's join only", false)
	check("read again", true)
	send("a")
	send("b")
	check("two messages after the kept page", true)
	send("c")
	send("d")
	got := check("the page slides past older messages", true)
	got[0].Body = "changed by the caller"
	check("the caller's copy is its own", true)

	// A change of a row moves the version: the page is read afresh.
	last := send("e")
	check("kept", true)
	execTx(t, st, `UPDATE messages SET client_id = 'x' WHERE id = ?`, last.ID)
	check("client_id changed, which history does not show", true)
	execTx(t, st, `UPDATE messages SET body = 'edited' WHERE id = ?`, last.ID)
	check("a body changed", false)
	execTx(t, st, `DELETE FROM messages WHERE id = ?`, last.ID)
	check("a message deleted", false)
	name := "renamed"
	if _, err := st.UpdateUser(ctx, writer.ID, UserUpdate{Username: &name}); err != nil {
		t.Fatal(err)
	}
	if got := check("the writer renamed", false); got[len(got)-1].User.Username != name {
		t.Fatalf("the writer is %q", got[len(got)-1].User.Username)
	}

	// Another process writes: seen once the data version is read again.
	other, err := Open(filepath.Join(filepath.Dir(st.path), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	check("kept", true)
	execTx(t, other, `UPDATE messages SET body = 'theirs' WHERE room_id = ?`, p.RoomID)
	st.commits.due() // the second has passed
	check("changed by another process", false)

	// The room's post deleted: its messages go with it.
	if err := st.DeletePost(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if got, _, err := st.Messages(ctx, p.RoomID, MessagePage{Limit: limit}); err != nil || len(got) != 0 {
		t.Fatalf("the deleted room's history: %v, %v", bodies(got), err)
	}
}

// TestLatestMessagesConcurrent reads the latest page while messages are
// sent and deleted: every page read is at most a page, in id order, and
// the last one is the database's.
func TestLatestMessagesConcurrent(t *testing.T) {
	st, writer, p, w := historyRoom(t)
	ctx := context.Background()
	const limit = 10
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		for i := range 300 {
			m, _, err := w.Append(ctx, NewMessage{RoomID: p.RoomID, UserID: writer.ID, Body: fmt.Sprint(i)}, nil)
			if err != nil {
				t.Error(err)
				return
			}
			if i%7 == 0 {
				if err := st.tx(ctx, func(tx *wtx) error {
					_, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE id = ?`, m.ID)
					return err
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}
	})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				got, _, err := st.Messages(ctx, p.RoomID, MessagePage{Limit: limit})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) > limit || !slices.IsSortedFunc(got, func(a, b Message) int { return int(a.ID - b.ID) }) {
					t.Errorf("a page of %d out of order: %v", len(got), bodies(got))
					return
				}
			}
		})
	}
	wg.Wait()
	latestAsRead(t, st, p.RoomID, limit, "after the writes")
}

// historyRoom is a store with a writer, their post and a message writer
// (closed at the end of the test).
func historyRoom(t *testing.T) (*Store, User, Post, *MessageWriter) {
	t.Helper()
	st := newTestStore(t)
	writer := mustUser(t, st, "writer")
	p := mustPost(t, st, writer, 5)
	w := st.NewMessageWriter(MessageWriterConfig{MaxBatch: 8})
	t.Cleanup(func() { w.Close(context.Background()) })
	return st, writer, p, w
}

// latestAsRead returns the latest page of room, and fails unless it is
// the page that the database holds (read around the cache).
func latestAsRead(t *testing.T, st *Store, room int64, limit int, what string) []Message {
	t.Helper()
	ctx := context.Background()
	got, more, err := st.Messages(ctx, room, MessagePage{Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	want, wantMore, err := st.readMessages(ctx, room, MessagePage{Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, want, sameMessage) || more != wantMore {
		t.Fatalf("%s: latest page %v (more %v), the database's %v (more %v)", what, bodies(got), more, bodies(want), wantMore)
	}
	return got
}

// execTx runs one statement in a transaction of st.
func execTx(t *testing.T, st *Store, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if err := st.tx(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func sameMessage(a, b Message) bool {
	sameUser := a.User == nil && b.User == nil || a.User != nil && b.User != nil && *a.User == *b.User
	return a.ID == b.ID && a.RoomID == b.RoomID && a.Body == b.Body && a.CreatedAt.Equal(b.CreatedAt) && sameUser
}

func bodies(msgs []Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Body
	}
	return out
}
