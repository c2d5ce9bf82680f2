package app

import (
	"encoding/json"
	"fmt"
	"testing"
)

// boardJoined reads u's board and returns is_joined by post id; it fails
// the test when an item lacks the field.
func boardJoined(t *testing.T, e *testEnv, u testUser, query string) map[int64]bool {
	t.Helper()
	r := e.do(req{method: "GET", path: "/api/post/" + query, token: u.token})
	if r.status != 200 {
		t.Fatalf("board for %s: %d %s", u.username, r.status, r.raw)
	}
	var page struct {
		Posts []struct {
			ID       int64  `json:"id"`
			Title    string `json:"title"`
			Content  string `json:"content"`
			IsJoined *bool  `json:"is_joined"`
		} `json:"posts"`
	}
	if err := json.Unmarshal(r.raw, &page); err != nil {
		t.Fatalf("board for %s is not JSON: %v\n%s", u.username, err, r.raw)
	}
	out := make(map[int64]bool)
	for _, p := range page.Posts {
		if p.IsJoined == nil {
			t.Fatalf("board item %d for %s has no is_joined: %s", p.ID, u.username, r.raw)
		}
		out[p.ID] = *p.IsJoined
	}
	return out
}

// TestBoardIsJoinedPerViewer: board pages are shared between the residents
// of an area through the cache, and each one still sees is_joined for
// themselves — the writer of their own posts, a neighbour who joined for
// that post only, an outsider for none.
func TestBoardIsJoinedPerViewer(t *testing.T) {
	e := newTestEnv(t)
	writer := e.register("writer", addrSajik)
	joiner := e.register("joiner", addrSajik)
	other := e.register("other", addrSajik)
	// Titles and contents that look like the keys the overlay looks for.
	tricky := `"chat_id":1,"is_joined":false`
	a, _ := e.writePost(writer, "보통 글", 4)
	b, roomB := e.writePost(writer, tricky, 4)
	r := e.do(req{method: "POST", path: "/api/post/write/", token: writer.token, body: map[string]any{
		"title": "세 번째", "category": "치킨", "target_number": 4, "content": tricky + ` "chat_id":999 is_joined`,
	}})
	if r.status != 201 {
		t.Fatalf("write: %d %s", r.status, r.raw)
	}
	c := int64(r.json(t)["id"].(float64))

	check := func(u testUser, want map[int64]bool) {
		t.Helper()
		got := boardJoined(t, e, u, "")
		for id, w := range want {
			if g, ok := got[id]; !ok || g != w {
				t.Errorf("%s: post %d is_joined=%v (present %v), want %v", u.username, id, g, ok, w)
			}
		}
	}
	none := map[int64]bool{a: false, b: false, c: false}
	// other fills the shared page; the others are served from it.
	check(other, none)
	check(writer, map[int64]bool{a: true, b: true, c: true})
	check(joiner, none)

	e.joinAPI(roomB, joiner, 200)
	check(other, none)
	check(joiner, map[int64]bool{a: false, b: true, c: false})
	check(joiner, map[int64]bool{a: false, b: true, c: false}) // the cached page, again
	check(other, none)

	// A viewer with blocks is served a page of their own (no cache).
	if r := e.do(req{method: "POST", path: "/api/user/blocks/", token: joiner.token, body: map[string]any{"user_id": other.id}}); r.status >= 300 {
		t.Fatalf("block: %d %s", r.status, r.raw)
	}
	check(joiner, map[int64]bool{a: false, b: true, c: false})

	if r := e.do(req{method: "DELETE", path: roomPath(roomB, "user/"), token: joiner.token}); r.status >= 300 {
		t.Fatalf("leave: %d %s", r.status, r.raw)
	}
	check(joiner, none)

	// The tricky texts come back as they were written.
	r = e.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/", b), token: other.token})
	if got := r.json(t)["title"]; got != tricky {
		t.Errorf("title %q, want %q", got, tricky)
	}
	got := e.do(req{method: "GET", path: "/api/post/", token: writer.token})
	var page struct {
		Posts []map[string]any `json:"posts"`
	}
	if err := json.Unmarshal(got.raw, &page); err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Posts {
		if p["id"].(float64) == float64(b) && p["title"] != tricky {
			t.Errorf("the writer's board changed the title: %q", p["title"])
		}
		if p["id"].(float64) == float64(c) && p["content"] != tricky+` "chat_id":999 is_joined` {
			t.Errorf("the writer's board changed the content: %q", p["content"])
		}
	}
}
