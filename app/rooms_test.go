package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/mealbuddy/mealbuddy/store"
)

func roomPath(room int64, rest string) string { return fmt.Sprintf("/api/chat/%d/%s", room, rest) }

func TestChatRoomEndpoints(t *testing.T) {
	e := newTestEnv(t)
	writer := e.register("writer", addrSajik)
	member := e.register("member", addrSajik)
	outsider := e.register("outsider", addrSajik)
	// Each subtest works on a room of its own, so none depends on what
	// another did before it; the users are shared and never changed.
	freshRoom := func() (postID, room int64) { return e.writePost(writer, "족발 같이", 3) }

	t.Run("non-member is refused", func(t *testing.T) {
		_, room := freshRoom()
		for _, p := range []string{"", "user/"} {
			r := e.do(req{method: "GET", path: roomPath(room, p), token: outsider.token})
			if r.status != 403 || r.str(t) != msgRoomForbidden {
				t.Errorf("GET %s: %d %s", p, r.status, r.raw)
			}
		}
	})
	t.Run("join answers the room", func(t *testing.T) {
		postID, room := freshRoom()
		m := e.joinAPI(room, member, 200).json(t)
		if m["id"] != float64(room) || m["post_id"] != float64(postID) || m["title"] != "족발 같이" ||
			m["target_number"] != float64(3) || m["join_number"] != float64(2) || m["is_compelete"] != false ||
			m["has_more"] != false {
			t.Errorf("room: %v", m)
		}
		w := m["writer"].(map[string]any)
		if w["id"] != float64(writer.id) || w["username"] != "writer" || w["email"] != "" { // someone else's email is blank (issue 10.4)
			t.Errorf("writer: %v", w)
		}
		msgs := m["messages"].([]any)
		last := msgs[len(msgs)-1].(map[string]any)
		if last["message"] != "member 님이 들어왔어요." || last["user"] != nil || last["chatroom"] != float64(room) {
			t.Errorf("join notice: %v", last)
		}
	})
	t.Run("joining twice counts once", func(t *testing.T) {
		_, room := freshRoom()
		e.joinAPI(room, member, 200)
		if m := e.joinAPI(room, member, 200).json(t); m["join_number"] != float64(2) {
			t.Errorf("join_number %v", m["join_number"])
		}
	})
	t.Run("users", func(t *testing.T) {
		_, room := freshRoom()
		e.joinAPI(room, member, 200)
		r := e.do(req{method: "GET", path: roomPath(room, "user/"), token: member.token})
		var got []map[string]map[string]any
		if err := json.Unmarshal(r.raw, &got); err != nil || r.status != 200 || len(got) != 2 ||
			got[0]["user"]["id"] != float64(writer.id) || got[1]["user"]["username"] != "member" {
			t.Errorf("users: %d %s", r.status, r.raw)
		}
	})
	t.Run("full room refuses, leaving reopens it", func(t *testing.T) {
		postID, room := freshRoom()
		e.joinAPI(room, member, 200)
		e.joinAPI(room, outsider, 200)
		late := e.register("late", addrSajik)
		if r := e.joinAPI(room, late, 400); r.str(t) != msgCannotJoin {
			t.Errorf("full: %s", r.raw)
		}
		detail := e.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/", postID), token: writer.token}).json(t)
		if detail["is_compelete"] != true || detail["join_number"] != float64(3) {
			t.Errorf("full post: %v", detail)
		}
		if r := e.do(req{method: "DELETE", path: roomPath(room, "user/"), token: outsider.token}); r.status != 202 {
			t.Fatalf("leave: %d %s", r.status, r.raw)
		}
		if m := e.joinAPI(room, late, 200).json(t); m["join_number"] != float64(3) {
			t.Errorf("after re-open: %v", m["join_number"])
		}
		if r := e.do(req{method: "DELETE", path: roomPath(room, "user/"), token: late.token}); r.status != 202 {
			t.Fatalf("leave: %d %s", r.status, r.raw)
		}
	})
	t.Run("a writer-closed room stays closed after a leave", func(t *testing.T) {
		postID, room := freshRoom()
		e.joinAPI(room, member, 200)
		e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", postID), token: writer.token,
			body: map[string]any{"is_compelete": true}})
		if r := e.do(req{method: "DELETE", path: roomPath(room, "user/"), token: member.token}); r.status != 202 {
			t.Fatalf("leave: %d %s", r.status, r.raw)
		}
		if r := e.joinAPI(room, outsider, 400); r.str(t) != msgCannotJoin {
			t.Errorf("closed: %s", r.raw)
		}
		e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", postID), token: writer.token,
			body: map[string]any{"is_compelete": false}})
	})
	t.Run("writer cannot leave or ban themselves", func(t *testing.T) {
		_, room := freshRoom()
		if r := e.do(req{method: "DELETE", path: roomPath(room, "user/"), token: writer.token}); r.status != 400 {
			t.Errorf("writer leave: %d %s", r.status, r.raw)
		}
		r := e.do(req{method: "POST", path: roomPath(room, "user/ban/"), token: writer.token,
			body: map[string]any{"target_user_id": writer.id}})
		if r.status != 400 {
			t.Errorf("self ban: %d %s", r.status, r.raw)
		}
	})
	t.Run("non-member leave", func(t *testing.T) {
		_, room := freshRoom()
		if r := e.do(req{method: "DELETE", path: roomPath(room, "user/"), token: outsider.token}); r.status != 403 {
			t.Errorf("non-member leave: %d %s", r.status, r.raw)
		}
	})
	t.Run("ban", func(t *testing.T) {
		postID, room := freshRoom()
		e.joinAPI(room, member, 200)
		for _, tc := range []struct {
			name  string
			token string
			body  any
			want  int
		}{
			{"by a member", member.token, map[string]any{"target_user_id": member.id}, 403},
			{"missing target", writer.token, map[string]any{}, 400},
			{"bad target", writer.token, map[string]any{"target_user_id": "x"}, 400},
			{"unknown user", writer.token, map[string]any{"target_user_id": 9999}, 400},
			{"member as a string", writer.token, map[string]any{"target_user_id": fmt.Sprint(member.id)}, 202},
		} {
			if r := e.do(req{method: "POST", path: roomPath(room, "user/ban/"), token: tc.token, body: tc.body}); r.status != tc.want {
				t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.raw, tc.want)
			}
		}
		if r := e.joinAPI(room, member, 400); r.str(t) != msgJoinBanned {
			t.Errorf("banned re-join: %s", r.raw)
		}
		// The detail tells the banned viewer beforehand (and nobody else).
		detail := func(token string) map[string]any {
			return e.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/", postID), token: token}).json(t)
		}
		if d := detail(member.token); d["is_banned"] != true || d["is_joined"] != false {
			t.Errorf("banned viewer's detail: is_banned %v, is_joined %v", d["is_banned"], d["is_joined"])
		}
		if d := detail(outsider.token); d["is_banned"] != false {
			t.Errorf("outsider's detail: is_banned %v", d["is_banned"])
		}
		if d := detail(writer.token); d["is_banned"] != false || d["is_joined"] != true {
			t.Errorf("writer's detail: is_banned %v, is_joined %v", d["is_banned"], d["is_joined"])
		}
		if r := e.do(req{method: "GET", path: roomPath(room, ""), token: member.token}); r.status != 403 {
			t.Errorf("banned GET: %d", r.status)
		}
	})
	t.Run("delete", func(t *testing.T) {
		postID, room := freshRoom()
		e.joinAPI(room, outsider, 200)
		if r := e.do(req{method: "DELETE", path: roomPath(room, ""), token: outsider.token}); r.status != 403 {
			t.Errorf("member delete: %d %s", r.status, r.raw)
		}
		if r := e.do(req{method: "DELETE", path: roomPath(room, ""), token: writer.token}); r.status != 202 {
			t.Fatalf("delete: %d %s", r.status, r.raw)
		}
		for _, p := range []string{"", "user/"} {
			if r := e.do(req{method: "GET", path: roomPath(room, p), token: writer.token}); r.status != 404 {
				t.Errorf("GET %s after delete: %d", p, r.status)
			}
		}
		e.joinAPI(room, e.register("after", addrSajik), 404)
		if r := e.do(req{method: "DELETE", path: roomPath(room, ""), token: writer.token}); r.status != 404 {
			t.Errorf("second delete: %d", r.status)
		}
		detail := e.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/", postID), token: writer.token})
		if m := detail.json(t); detail.status != 200 || m["is_compelete"] != true {
			t.Errorf("post after room delete: %d %v", detail.status, m)
		}
		// Reopening the post does not revive its room.
		m := e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", postID), token: writer.token,
			body: map[string]any{"is_compelete": false}}).json(t)
		if m["is_compelete"] != true {
			t.Errorf("a post without a room must stay complete: %v", m)
		}
	})
	t.Run("staff may delete a room", func(t *testing.T) {
		staff := e.register("staff", addrSajik)
		if err := e.store.SetStaff(context.Background(), staff.id, true); err != nil {
			t.Fatal(err)
		}
		_, room2 := e.writePost(writer, "staff", 3)
		if r := e.do(req{method: "DELETE", path: roomPath(room2, ""), token: staff.token}); r.status != 202 {
			t.Errorf("staff delete: %d %s", r.status, r.raw)
		}
	})
	t.Run("unauthenticated and bad ids", func(t *testing.T) {
		_, room := freshRoom()
		if r := e.do(req{method: "GET", path: roomPath(room, "")}); r.status != 401 {
			t.Errorf("anonymous: %d", r.status)
		}
		if r := e.do(req{method: "GET", path: "/api/chat/abc/", token: writer.token}); r.status != 404 {
			t.Errorf("bad id: %d", r.status)
		}
		if r := e.do(req{method: "POST", path: "/api/chat/abc/", token: writer.token}); r.status != 404 {
			t.Errorf("bad id join: %d", r.status)
		}
	})
}

func TestChatHistoryPaging(t *testing.T) {
	e := newTestEnv(t)
	writer := e.register("writer", addrSajik)
	_, room := e.writePost(writer, "기록", 3)
	ctx := context.Background()
	for i := range 250 {
		if _, _, err := e.srv.msgs.Append(ctx, store.NewMessage{RoomID: room, UserID: writer.id, Body: fmt.Sprint(i)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	get := func(q string) (ids []float64, texts []string, more bool) {
		t.Helper()
		r := e.do(req{method: "GET", path: roomPath(room, q), token: writer.token})
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", q, r.status, r.raw)
		}
		m := r.json(t)
		for _, x := range m["messages"].([]any) {
			ids = append(ids, x.(map[string]any)["id"].(float64))
			texts = append(texts, x.(map[string]any)["message"].(string))
		}
		return ids, texts, m["has_more"].(bool)
	}
	ids, texts, more := get("")
	if len(ids) != 100 || !more || texts[0] != "150" || texts[99] != "249" {
		t.Fatalf("latest: %d messages, more=%v, %s…%s", len(ids), more, texts[0], texts[len(texts)-1])
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatal("not oldest first")
		}
	}
	ids2, texts2, more2 := get(fmt.Sprintf("?before=%d", int64(ids[0])))
	if len(ids2) != 100 || !more2 || texts2[0] != "50" || texts2[99] != "149" {
		t.Errorf("before: %d, more=%v, %s…%s", len(ids2), more2, texts2[0], texts2[99])
	}
	ids3, texts3, more3 := get(fmt.Sprintf("?before=%d", int64(ids2[0])))
	// Writing the post joins the writer without a notice: 50 are left.
	if len(ids3) != 50 || more3 || texts3[0] != "0" {
		t.Errorf("oldest page: %d, more=%v, first %q", len(ids3), more3, texts3[0])
	}
	_, texts4, more4 := get(fmt.Sprintf("?after=%d", int64(ids2[98])))
	if len(texts4) != 100 || !more4 || texts4[0] != "149" || texts4[99] != "248" {
		t.Errorf("after: %d, more=%v", len(texts4), more4)
	}
	for _, q := range []string{"?before=x", "?after=-1", "?before=1&after=1"} {
		if r := e.do(req{method: "GET", path: roomPath(room, q), token: writer.token}); r.status != 400 {
			t.Errorf("%s: %d", q, r.status)
		}
	}
}

// TestChatConcurrentJoins: 50 people join a room of 5 at once; exactly the
// four free places are taken and the post ends complete.
func TestChatConcurrentJoins(t *testing.T) {
	e := newTestEnv(t)
	writer := e.register("writer", addrSajik)
	postID, room := e.writePost(writer, "선착순", 5)
	users := make([]testUser, 50)
	for i := range users {
		users[i] = e.register(fmt.Sprintf("u%02d", i), addrSajik)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
	)
	start := make(chan struct{})
	for _, u := range users {
		wg.Go(func() {
			<-start
			hr, _ := http.NewRequest("POST", e.http.URL+roomPath(room, ""), nil)
			hr.Header.Set("Authorization", "token "+u.token)
			resp, err := e.http.Client().Do(hr)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if statuses[200] != 4 || statuses[400] != 46 {
		t.Errorf("statuses %v, want 4×200 and 46×400", statuses)
	}
	p, err := e.store.PostByID(context.Background(), postID)
	if err != nil {
		t.Fatal(err)
	}
	members, _ := e.store.RoomMembers(context.Background(), room)
	if p.JoinNumber != 5 || len(members) != 5 || !p.Complete {
		t.Errorf("join_number %d, members %d, complete %v", p.JoinNumber, len(members), p.Complete)
	}
	msgs, _, _ := e.store.Messages(context.Background(), room, store.MessagePage{})
	// Four join notices, then the one that says the last join filled it.
	if len(msgs) != 5 || msgs[4].Body != noticeRoomFull {
		t.Errorf("%d notices (last %q), want 4 joins and the full notice", len(msgs), msgs[len(msgs)-1].Body)
	}
}
