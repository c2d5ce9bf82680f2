package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// appendBatch sends every message at once to a writer whose batches hold
// exactly len(msgs) messages (and wait for them), so that they share one
// transaction. It returns each message's result and the committed calls.
func appendBatch(t *testing.T, st *Store, msgs []NewMessage) ([]messageResult, []Message) {
	t.Helper()
	ctx := context.Background()
	w := st.NewMessageWriter(MessageWriterConfig{MaxBatch: len(msgs), MaxDelay: time.Hour})
	t.Cleanup(func() { w.Close(ctx) })
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		committed []Message
	)
	results := make([]messageResult, len(msgs))
	for i, n := range msgs {
		wg.Go(func() {
			m, fresh, err := w.Append(ctx, n, func(m Message) { mu.Lock(); committed = append(committed, m); mu.Unlock() })
			results[i] = messageResult{m: m, fresh: fresh, err: err}
		})
	}
	wg.Wait()
	return results, committed
}

func TestMessageWriterBatchMembership(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer := mustUser(t, st, "writer")
	member := mustUser(t, st, "member")
	banned := mustUser(t, st, "banned")
	outsider := mustUser(t, st, "outsider")
	inactive := mustUser(t, st, "inactive")
	p := mustPost(t, st, writer, 10)
	for _, u := range []User{member, banned, inactive} {
		if _, err := st.JoinRoom(ctx, p.RoomID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.BanUser(ctx, p.RoomID, banned.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.SetActive(ctx, inactive.ID, false); err != nil {
		t.Fatal(err)
	}
	gone := mustPost(t, st, writer, 3)
	if err := st.DeleteRoom(ctx, gone.RoomID); err != nil {
		t.Fatal(err)
	}

	msgs := []NewMessage{
		{RoomID: p.RoomID, UserID: writer.ID, Body: "a"},
		{RoomID: p.RoomID, UserID: outsider.ID, Body: "b"},
		{RoomID: p.RoomID, UserID: member.ID, Body: "c"},
		{RoomID: p.RoomID, UserID: banned.ID, Body: "d"},
		{RoomID: p.RoomID, UserID: writer.ID, Body: "e"}, // the same sender twice
		{RoomID: p.RoomID, UserID: inactive.ID, Body: "f"},
		{RoomID: gone.RoomID, UserID: writer.ID, Body: "g"},
	}
	results, committed := appendBatch(t, st, msgs)
	want := map[string]string{"a": "writer", "c": "member", "e": "writer"} // body → sender name
	for i, r := range results {
		name, ok := want[msgs[i].Body]
		switch {
		case !ok && !errors.Is(r.err, ErrNotMember):
			t.Errorf("%s: %v, want ErrNotMember", msgs[i].Body, r.err)
		case ok && (r.err != nil || !r.fresh || r.m.ID == 0 || r.m.User == nil || r.m.User.Username != name ||
			r.m.User.ID != msgs[i].UserID || r.m.User.Email != name+"@example.com" || r.m.Body != msgs[i].Body):
			t.Errorf("%s: %+v fresh %v err %v", msgs[i].Body, r.m, r.fresh, r.err)
		}
	}
	if len(committed) != 3 {
		t.Fatalf("%d committed callbacks, want 3", len(committed))
	}
	for i := 1; i < len(committed); i++ {
		if committed[i].ID <= committed[i-1].ID {
			t.Fatal("committed out of id order")
		}
	}
	stored, _, err := st.Messages(ctx, p.RoomID, MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range stored {
		if m.User != nil { // the join and ban notices have none
			if _, ok := want[m.Body]; !ok {
				t.Errorf("stored a refused message %q", m.Body)
			}
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d messages stored, want 3", n)
	}
}

// TestMessageWriterBatchFailsMidway: an insert that fails in the middle of
// a batch rolls the whole batch back; every caller gets the error, nobody's
// committed callback runs (nothing is published that was not stored), and
// the writer goes on with the next batch.
func TestMessageWriterBatchFailsMidway(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer := mustUser(t, st, "writer")
	p := mustPost(t, st, writer, 5)
	if _, err := st.w.ExecContext(ctx, `CREATE TEMP TRIGGER boom BEFORE INSERT ON messages
		WHEN NEW.body = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	msgs := []NewMessage{
		{RoomID: p.RoomID, UserID: writer.ID, Body: "before"},
		{RoomID: p.RoomID, UserID: writer.ID, Body: "boom"},
		{RoomID: p.RoomID, UserID: writer.ID, Body: "after"},
	}
	results, committed := appendBatch(t, st, msgs)
	for i, r := range results {
		if r.err == nil || errors.Is(r.err, ErrNotMember) || r.fresh {
			t.Errorf("%s: fresh %v err %v, want the batch's error", msgs[i].Body, r.fresh, r.err)
		}
	}
	if len(committed) != 0 {
		t.Errorf("%d committed callbacks for a rolled back batch", len(committed))
	}
	stored, _, err := st.Messages(ctx, p.RoomID, MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range stored {
		if m.User != nil {
			t.Errorf("stored %q from a rolled back batch", m.Body)
		}
	}
	// The next batch commits.
	results, committed = appendBatch(t, st, msgs[:1])
	if results[0].err != nil || !results[0].fresh || len(committed) != 1 {
		t.Fatalf("after the failed batch: %+v, %d committed", results[0], len(committed))
	}
}

// Client ids within one batch: a resend of a message stored in an earlier
// batch and a resend of one stored earlier in the same batch both get the
// stored message back; the same id from another sender is its own message.
func TestMessageWriterBatchClientIDs(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	writer := mustUser(t, st, "writer")
	member := mustUser(t, st, "member")
	p := mustPost(t, st, writer, 5)
	if _, err := st.JoinRoom(ctx, p.RoomID, member.ID); err != nil {
		t.Fatal(err)
	}
	first, _ := appendBatch(t, st, []NewMessage{{RoomID: p.RoomID, UserID: writer.ID, Body: "old", ClientID: "c-old"}})
	if first[0].err != nil || !first[0].fresh {
		t.Fatalf("first batch: %+v", first[0])
	}
	msgs := []NewMessage{
		{RoomID: p.RoomID, UserID: writer.ID, Body: "old again", ClientID: "c-old"},
		{RoomID: p.RoomID, UserID: writer.ID, Body: "new", ClientID: "c-new"},
		{RoomID: p.RoomID, UserID: writer.ID, Body: "new again", ClientID: "c-new"},
		{RoomID: p.RoomID, UserID: member.ID, Body: "member's", ClientID: "c-new"},
		{RoomID: p.RoomID, UserID: writer.ID, Body: "plain"},
	}
	results, committed := appendBatch(t, st, msgs)
	byBody := map[string]messageResult{}
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("%s: %v", msgs[i].Body, r.err)
		}
		byBody[msgs[i].Body] = r
	}
	if r := byBody["old again"]; r.fresh || r.m.ID != first[0].m.ID || r.m.Body != "old" {
		t.Errorf("resend of an earlier batch's message: %+v fresh %v", r.m, r.fresh)
	}
	// Which of "new" and "new again" came first in the batch is up to the
	// scheduler: the first is stored, the other gets it back.
	a, b := byBody["new"], byBody["new again"]
	if a.fresh == b.fresh || a.m.ID != b.m.ID {
		t.Errorf("same client id twice in a batch: %+v (fresh %v) and %+v (fresh %v)", a.m, a.fresh, b.m, b.fresh)
	}
	if r := byBody["member's"]; !r.fresh || r.m.ID == a.m.ID {
		t.Errorf("another sender's id: %+v fresh %v", r.m, r.fresh)
	}
	if r := byBody["plain"]; !r.fresh {
		t.Errorf("no client id: %+v fresh %v", r.m, r.fresh)
	}
	if len(committed) != 3 {
		t.Errorf("%d committed callbacks, want 3 (new, member's, plain)", len(committed))
	}
}
