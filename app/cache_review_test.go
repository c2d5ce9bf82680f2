package app

// Stale-data checks of the caches of issue 11 (board cache, user cache,
// token verifier) found in review.

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// A post that staff hide from the CLI (another process on the same file)
// leaves its page and its public share preview within the data version
// interval, like the board: the post kept for them (viewPost) is not served
// past a commit of another process, even when nobody opens the board
// meanwhile.
func TestKeptPostSeesOtherProcess(t *testing.T) {
	e := newTestEnv(t)
	writer := e.register("hidewriter", addrSajik)
	reader := e.register("hidereader", addrSajik)
	post, _ := e.writePost(writer, "CLI로 가릴 글", 4)
	rep := e.report(reader, "post", post, http.StatusCreated)
	detail := func() int {
		return e.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/", post), token: reader.token}).status
	}
	preview := func() int {
		return e.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/preview/", post)}).status
	}
	if d, p := detail(), preview(); d != http.StatusOK || p != http.StatusOK {
		t.Fatalf("before the hide: detail %d, preview %d", d, p)
	}
	mustCLI(t, e.dir, "", "reports", "resolve", fmt.Sprint(int64(rep["id"].(float64))), "--action", "hide")
	deadline := time.Now().Add(10 * time.Second)
	for detail() != http.StatusNotFound {
		if time.Now().After(deadline) {
			t.Fatal("a post hidden from the CLI is still shown on its page")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The preview is polled no more: its rate limit (previewsPerMinute)
	// would answer 429.
	if p := preview(); p != http.StatusNotFound {
		t.Fatalf("a post hidden from the CLI: preview %d, want 404", p)
	}
}
