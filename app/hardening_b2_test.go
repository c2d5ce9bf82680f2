package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
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

// TestOpenPostAndRoomLimits (issue 10.4): --max-open-posts and
// --max-open-rooms answer 429 in Korean; completing a post frees its place.
func TestOpenPostAndRoomLimits(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.MaxOpenPosts, c.MaxOpenRooms = 2, 2 })
	writer := e.register("busywriter", addrSajik)
	joiner := e.register("busyjoiner", addrSajik)
	p1, r1 := e.writePost(writer, "첫 글", 2)
	_, r2 := e.writePost(writer, "둘째 글", 3)
	write := func() response {
		return e.do(req{method: "POST", path: "/api/post/write/", token: writer.token, body: validPost()})
	}
	if r := write(); r.status != 429 || r.str(t) != msgTooManyOpenPosts {
		t.Errorf("third open post: %d %s, want 429", r.status, r.raw)
	}

	// The joiner fills r1 (target 2: complete) and joins r2: two rooms, one
	// of them complete, so a third open one is still allowed...
	e.joinAPI(r1, joiner, 200)
	e.joinAPI(r2, joiner, 200)
	other := e.register("otherwriter", addrSajik)
	_, r3 := e.writePost(other, "셋째 글", 5)
	_, r4 := e.writePost(other, "넷째 글", 5)
	e.joinAPI(r3, joiner, 200)
	// ...and a fourth is not: r2 and r3 are open.
	if r := e.do(req{method: "POST", path: roomPath(r4, ""), token: joiner.token}); r.status != 429 || r.str(t) != msgTooManyOpenRooms {
		t.Errorf("third open room: %d %s, want 429", r.status, r.raw)
	}
	// Joining a room one already belongs to stays fine.
	e.joinAPI(r2, joiner, 200)

	// p1 is complete (full), so the writer has one open post: writing works.
	_ = p1
	if r := write(); r.status != 201 {
		t.Errorf("post after one completed: %d %s", r.status, r.raw)
	}
}

// TestChatFlooderStoppedFirst (issue 10.5): one user flooding from many
// sockets gets no more than one user's burst through (the clock stands
// still, so nothing refills), its sockets close with 1008, and every other
// member stays connected and receives what is sent afterwards.
func TestChatFlooderStoppedFirst(t *testing.T) {
	e := newChatEnv(t, func(c *Config) { c.ChatRate, c.MaxSocketsPerUser = chatRatePerSec, 8 })
	useClock(e, time.Now())
	writer := e.register("floodroom", addrSajik)
	_, room := e.writePost(writer, "북적", 10)
	flooder := e.register("flooder", addrSajik)
	e.joinAPI(room, flooder, 200)
	var normals []*wsClient
	for i := range 3 {
		u := e.register("calm"+strconv.Itoa(i), addrSajik)
		e.joinAPI(room, u, 200)
		normals = append(normals, e.mustDial(room, u))
	}
	var floods []*wsClient
	for range 6 {
		floods = append(floods, e.mustDial(room, flooder))
	}
	var wg sync.WaitGroup
	for i, c := range floods {
		wg.Go(func() {
			for j := range 60 {
				if c.c.Write(t.Context(), websocket.MessageText, fmt.Appendf(nil, `{"message":"f%d-%d"}`, i, j)) != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, c := range floods {
		ctx, cancel := context.WithTimeout(t.Context(), wait)
		for {
			if _, _, err := c.c.Read(ctx); err != nil {
				if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
					t.Errorf("flooder's socket closed with %v, want 1008", err)
				}
				break
			}
		}
		cancel()
	}
	// Every normal member is still there: the writer's message reaches all.
	w := e.mustDial(room, writer)
	w.send("다들 계세요?")
	for i, c := range normals {
		floodSeen := 0
		for {
			ev := c.expect("chat.message")
			if ev.Message.Message == "다들 계세요?" {
				break
			}
			floodSeen++
		}
		if floodSeen > chatBurst {
			t.Errorf("member %d saw %d flood messages, want at most one burst (%d)", i, floodSeen, chatBurst)
		}
		c.close()
	}
	w.close()
}

// TestChatSocketsPerUserCap (issue 10.5): beyond --max-sockets-per-user a
// new socket is refused with 429; closing one frees its place.
func TestChatSocketsPerUserCap(t *testing.T) {
	e := newChatEnv(t, func(c *Config) { c.MaxSocketsPerUser = 2 })
	writer, member, room := chatPair(e)
	a, b := e.mustDial(room, writer), e.mustDial(room, writer)
	if _, status, err := e.dialChat(room, writer.token, nil); err == nil || status != http.StatusTooManyRequests {
		t.Errorf("third socket: status %d, err %v; want 429", status, err)
	}
	m := e.mustDial(room, member) // another user is not affected
	a.close()
	deadline := time.Now().Add(wait)
	for {
		c, status, err := e.dialChat(room, writer.token, nil)
		if err == nil {
			c.close()
			break
		}
		if status != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("after a close: status %d, err %v", status, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.close()
	m.close()
}

// TestDeleteAccountLeavesRooms (issue 10.4): a deleted account leaves the
// rooms it was in, its own posts' rooms too (the count drops, the others see
// chat.user.leave, its socket closes), and its own open posts close.
func TestDeleteAccountLeavesRooms(t *testing.T) {
	e := newChatEnv(t)
	writer := e.register("stayer", addrSajik)
	leaver := e.register("leaver", addrSajik)
	_, room := e.writePost(writer, "남는 글", 3)
	ownPost, ownRoom := e.writePost(leaver, "떠나는 글", 3)
	e.joinAPI(room, leaver, 200)
	e.joinAPI(ownRoom, writer, 200)
	if before := e.do(req{method: "GET", path: "/api/post/detail/" + itoa(ownPost) + "/", token: writer.token}).json(t); before["join_number"] != float64(2) {
		t.Fatalf("join_number of the leaver's post before: %v", before["join_number"])
	}
	w := e.mustDial(room, writer)
	l := e.mustDial(room, leaver)

	r := e.do(req{method: "POST", path: "/api/user/delete/", token: leaver.token, body: map[string]any{"password": leaver.password}})
	if r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	if ev := w.expect("chat.user.leave"); ev.UserID != leaver.id {
		t.Errorf("leave event: %s", ev.raw)
	}
	l.expectLeftThenClosed(leaver.id, statusLeft)
	if n, _ := e.store.IsMember(t.Context(), room, leaver.id); n {
		t.Error("the deleted account is still a member")
	}
	d := e.do(req{method: "GET", path: "/api/post/detail/" + itoa(room) + "/", token: writer.token}).json(t)
	if d["join_number"] != float64(1) {
		t.Errorf("join_number after the leave: %v", d["join_number"])
	}
	od := e.do(req{method: "GET", path: "/api/post/detail/" + itoa(ownPost) + "/", token: writer.token}).json(t)
	wr, _ := od["writer"].(map[string]any)
	if od["join_number"] != float64(1) {
		t.Errorf("join_number of the deleted account's own post: %v", od["join_number"])
	}
	if n, _ := e.store.IsMember(t.Context(), ownRoom, leaver.id); n {
		t.Error("the deleted account is still a member of its own post's room")
	}
	if od["is_compelete"] != true || wr["id"] != float64(leaver.id) || wr["username"] != deletedUsername || wr["email"] != "" {
		t.Errorf("the deleted account's post: %v", od)
	}
	w.close()
}
