package app

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/store"
)

// TestBoardCacheNeverStale: the board is cached per store.BoardVersion; every
// change a board shows must appear on the next view.
func TestBoardCacheNeverStale(t *testing.T) {
	e := newTestEnv(t)
	writer := e.register("writer", addrSajik)
	reader := e.register("reader", addrSajik)
	first := func() map[string]any {
		t.Helper()
		r := e.do(req{method: "GET", path: "/api/post/", token: reader.token})
		posts := r.json(t)["posts"].([]any)
		if len(posts) == 0 {
			t.Fatal("empty board")
		}
		return posts[0].(map[string]any)
	}
	e.writePost(writer, "첫 글", 4)
	if got := first()["title"]; got != "첫 글" {
		t.Fatalf("first view %v", got)
	}
	e.writePost(writer, "둘째 글", 4)
	if got := first()["title"]; got != "둘째 글" {
		t.Errorf("after a new post: %v", got)
	}
	// A join changes join_number on the board.
	_, room2 := e.writePost(writer, "셋째 글", 4)
	first()
	if r := e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/", room2), token: reader.token}); r.status != 200 {
		t.Fatalf("join: %d %s", r.status, r.raw)
	}
	if got := first()["join_number"]; got != float64(2) {
		t.Errorf("join_number after a join: %v", got)
	}
	// The writer's new name shows on their posts.
	e.do(req{method: "POST", path: "/api/user/update/", token: writer.token, body: map[string]any{"username": "새이름"}})
	if got := first()["writer"].(map[string]any)["username"]; got != "새이름" {
		t.Errorf("writer name after update: %v", got)
	}

	// Another process (the CLI) writes to the same file: the board shows it
	// within the store's watch interval.
	other, err := store.Open(filepath.Join(e.dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	w, _ := other.UserByID(context.Background(), writer.id)
	if _, err := other.CreatePost(context.Background(), store.NewPost{WriterID: w.ID, Title: "다른 프로세스 글",
		Category: "피자", Content: "c", Address: w.Address, Area: w.Area(), TargetNumber: 3}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for first()["title"] != "다른 프로세스 글" {
		if time.Now().After(deadline) {
			t.Fatal("a post written by another process never reached the board")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBoardCacheVersions(t *testing.T) {
	var c boardCache
	k := boardKey{area: "1", page: 1}
	c.put(3, k, []byte("v3"))
	if b, ok := c.get(3, k); !ok || string(b) != "v3" {
		t.Fatalf("get(3) = %q %v", b, ok)
	}
	if _, ok := c.get(4, k); ok {
		t.Error("a newer version must miss")
	}
	c.put(2, k, []byte("v2"))
	if b, _ := c.get(3, k); string(b) != "v3" {
		t.Error("an older render replaced a newer one")
	}
	for i := range maxBoardPages + 5 {
		c.put(3, boardKey{page: i}, []byte("x"))
	}
	if len(c.pages) > maxBoardPages {
		t.Errorf("%d pages cached, bound is %d", len(c.pages), maxBoardPages)
	}
}
