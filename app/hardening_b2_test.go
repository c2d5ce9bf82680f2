package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestEmailsOnlyYourOwn (issue 10.4): writer, member and message objects
// carry other people's email as "", one's own as it is. The board is asked
// by the writer first, so a page cached for the writer would leak to the
// neighbour if it carried the writer's email.
func TestEmailsOnlyYourOwn(t *testing.T) {
	e := newTestEnv(t)
	writer := e.register("writer", addrSajik)
	neighbour := e.register("neighbour", addrSajik)
	postID, room := e.writePost(writer, "족발 같이", 3)

	boardWriterEmail := func(u testUser) any {
		r := e.do(req{method: "GET", path: "/api/post/", token: u.token})
		posts := r.json(t)["posts"].([]any)
		if r.status != 200 || len(posts) != 1 {
			t.Fatalf("board: %d %s", r.status, r.raw)
		}
		return posts[0].(map[string]any)["writer"].(map[string]any)["email"]
	}
	if got := boardWriterEmail(writer); got != "" {
		t.Errorf("board for the writer carries email %v (the page is shared)", got)
	}
	if got := boardWriterEmail(neighbour); got != "" {
		t.Errorf("board for a neighbour carries the writer's email %v", got)
	}

	detailEmail := func(u testUser) any {
		r := e.do(req{method: "GET", path: "/api/post/detail/" + itoa(postID) + "/", token: u.token})
		if r.status != 200 {
			t.Fatalf("detail: %d %s", r.status, r.raw)
		}
		return r.json(t)["writer"].(map[string]any)["email"]
	}
	if got := detailEmail(writer); got != writer.email {
		t.Errorf("own detail: writer email %v, want %s", got, writer.email)
	}
	if got := detailEmail(neighbour); got != "" {
		t.Errorf("neighbour's detail: writer email %v, want \"\"", got)
	}

	e.joinAPI(room, neighbour, 200)
	r := e.do(req{method: "GET", path: roomPath(room, "user/"), token: neighbour.token})
	if r.status != 200 {
		t.Fatalf("members: %d %s", r.status, r.raw)
	}
	for _, m := range jsonList(t, r.raw) {
		u := m.(map[string]any)["user"].(map[string]any)
		want := ""
		if u["id"] == float64(neighbour.id) {
			want = neighbour.email
		}
		if u["email"] != want {
			t.Errorf("member %v seen by neighbour: email %v, want %q", u["username"], u["email"], want)
		}
	}
}

// TestPostReachIs404 (issue 10.4): detail, room GET and join of a post
// outside the caller's 4 km set answer 404; inside they work; a room one
// belongs to stays reachable.
func TestPostReachIs404(t *testing.T) {
	e := newTestEnv(t)
	seoul := e.register("seoul", addrSajik)
	jeju := e.register("jeju", addrYongdam)
	near := e.register("near", "서울특별시 종로구 청운효자동")
	postID, room := e.writePost(jeju, "제주 글", 3)

	detail := "/api/post/detail/" + itoa(postID) + "/"
	for _, rq := range []req{
		{method: "GET", path: detail, token: seoul.token},
		{method: "GET", path: roomPath(room, ""), token: seoul.token},
		{method: "GET", path: roomPath(room, "user/"), token: seoul.token},
		{method: "POST", path: roomPath(room, ""), token: seoul.token},
	} {
		if r := e.do(rq); r.status != 404 {
			t.Errorf("%s %s from Seoul: %d %s, want 404", rq.method, rq.path, r.status, r.raw)
		}
	}
	if n, _ := e.store.IsMember(t.Context(), room, seoul.id); n {
		t.Fatal("the Seoul user joined a Jeju room")
	}

	// A Seoul post is within reach of the neighbouring dong.
	sp, sroom := e.writePost(seoul, "서울 글", 3)
	if r := e.do(req{method: "GET", path: "/api/post/detail/" + itoa(sp) + "/", token: near.token}); r.status != 200 {
		t.Errorf("detail from the next dong: %d %s", r.status, r.raw)
	}
	e.joinAPI(sroom, near, 200)

	// A member keeps its room even when it is out of reach (e.g. it moved).
	if err := joinDirect(e, room, seoul.id); err != nil {
		t.Fatal(err)
	}
	if r := e.do(req{method: "GET", path: roomPath(room, ""), token: seoul.token}); r.status != 200 {
		t.Errorf("own room out of reach: %d %s", r.status, r.raw)
	}
	if r := e.do(req{method: "GET", path: detail, token: seoul.token}); r.status != 200 {
		t.Errorf("detail of a post one belongs to: %d %s", r.status, r.raw)
	}
}

func jsonList(t *testing.T, raw []byte) []any {
	t.Helper()
	var out []any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s is not a JSON list: %v", raw, err)
	}
	return out
}

// TestMenuQuotaUnderConcurrency (issue 10.6): 30 concurrent questions of one
// user reach the LLM at most one at a time, and the day's quota of 10 holds
// however they interleave.
func TestMenuQuotaUnderConcurrency(t *testing.T) {
	okBody := readFixture(t, "llm", "ok.json")
	var calls, inFlight, maxInFlight atomic.Int64
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond) // widen the window for overlaps
		w.Header().Set("Content-Type", "application/json")
		w.Write(okBody)
	}))
	t.Cleanup(fake.Close)
	e, _, _, _ := llmEnv(t, func(c *Config) { c.LLMURL, c.LLMTimeout = fake.URL, 5*time.Second })
	u := e.register("asker", addrSajik)

	var wg sync.WaitGroup
	statuses := make([]int, 30)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = ask(e, u, "뭐 먹지?").status
		}()
	}
	wg.Wait()
	for i, st := range statuses {
		if st != 200 && st != 429 {
			t.Errorf("question %d: status %d", i, st)
		}
	}
	// Sequential questions use up what is left of the day.
	for range 20 {
		ask(e, u, "또 뭐 먹지?")
	}
	if n := calls.Load(); n > menuChatDailyLimit {
		t.Errorf("%d upstream calls, want at most %d", n, menuChatDailyLimit)
	}
	if n := maxInFlight.Load(); n > 1 {
		t.Errorf("%d concurrent LLM calls for one user, want 1", n)
	}
	if _, asked := storedChat(e, u); asked != menuChatDailyLimit {
		t.Errorf("asked = %d, want %d", asked, menuChatDailyLimit)
	}
	if r := ask(e, u, "하나 더"); r.status != 429 || r.str(t) != msgMenuChatQuota {
		t.Errorf("over quota: %d %s", r.status, r.raw)
	}
}

// TestWeatherBounded (issue 10.7): coordinates outside Korea are refused
// without an upstream call; upstream calls share a budget a minute, beyond
// which a cell's last answer or 503 answers; a user asking too often gets
// 429. The fake upstream counts every call.
func TestWeatherBounded(t *testing.T) {
	e, fake, clock := kmaEnv(t, 200, "application/json;charset=UTF-8", readFixture(t, "weather", "kma_ok.json"),
		func(c *Config) { c.WeatherUpstreamPerMinute = 1 })
	u := e.register("weatherman", addrSajik)
	get := func(lat, lon string) response {
		return e.do(req{method: "GET", path: weatherPath(lat, lon), token: u.token})
	}

	for _, c := range [][2]string{{"48.8566", "2.3522"}, {"40.0", "127.0"}, {"35.0", "140.0"}, {"32.9", "126.5"}} {
		if r := get(c[0], c[1]); r.status != 400 {
			t.Errorf("%v: %d %s, want 400", c, r.status, r.raw)
		}
	}
	if n := fake.hits(); n != 0 {
		t.Fatalf("%d upstream calls for coordinates outside Korea", n)
	}

	if r := get(sajikLat, sajikLon); r.status != 200 { // spends the minute's budget
		t.Fatalf("Seoul: %d %s", r.status, r.raw)
	}
	if r := get("35.1796", "129.0756"); r.status != 503 { // Busan: a new cell, no budget left
		t.Errorf("Busan over budget: %d %s, want 503", r.status, r.raw)
	}
	clock.set(clock.now().Add(11 * time.Minute))          // Seoul's answer expired; a new minute
	if r := get("33.5106", "126.5150"); r.status != 200 { // Jeju spends the new minute
		t.Fatalf("Jeju: %d %s", r.status, r.raw)
	}
	if r := get(sajikLat, sajikLon); r.status != 200 { // over budget: Seoul's last answer
		t.Errorf("Seoul over budget: %d %s, want its last answer", r.status, r.raw)
	}
	if n := fake.hits(); n != 2 {
		t.Errorf("%d upstream calls, want 2", n)
	}
}

// TestWeatherPerUserRate: --weather-rate per user a minute; 0 is off.
func TestWeatherPerUserRate(t *testing.T) {
	e, _, _ := kmaEnv(t, 200, "application/json;charset=UTF-8", readFixture(t, "weather", "kma_ok.json"),
		func(c *Config) { c.WeatherRate = 2 })
	u := e.register("often", addrSajik)
	other := e.register("other", addrSajik)
	for i, want := range []int{200, 200, 429} {
		if r := e.do(req{method: "GET", path: weatherPath(sajikLat, sajikLon), token: u.token}); r.status != want {
			t.Errorf("request %d: %d %s, want %d", i, r.status, r.raw, want)
		} else if want == 429 && r.str(t) != msgWeatherTooOften {
			t.Errorf("429 body %s", r.raw)
		}
	}
	if r := e.do(req{method: "GET", path: weatherPath(sajikLat, sajikLon), token: other.token}); r.status != 200 {
		t.Errorf("another user: %d %s", r.status, r.raw)
	}
}
