package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/mealbuddy/mealbuddy/store"
)

// wait bounds every socket read in these tests: generous, never asserted.
const wait = 10 * time.Second

// newChatEnv is newTestEnv plus a goroutine leak check that runs after the
// server has been closed: no socket goroutine may outlive its connection.
func newChatEnv(t *testing.T, mutate ...func(*Config)) *testEnv {
	t.Helper()
	t.Cleanup(func() { checkNoSocketGoroutines(t) })
	return newTestEnv(t, mutate...)
}

// checkNoSocketGoroutines waits (bounded) until no goroutine runs hub or
// chat socket code.
func checkNoSocketGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var leaked []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "mealbuddy/hub.") || strings.Contains(g, "handleChatSocket") ||
				strings.Contains(g, "coder/websocket.") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d socket goroutines outlived their connections:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wsClient is a real WebSocket client of the chat.
type wsClient struct {
	t *testing.T
	c *websocket.Conn
}

func (e *testEnv) wsURL(roomID int64) string {
	return "ws" + strings.TrimPrefix(e.http.URL, "http") + fmt.Sprintf("/ws/chat/%d/", roomID)
}

// dialChat opens a socket with ?token= (or with the given headers) and
// returns the HTTP status of a refusal.
func (e *testEnv) dialChat(roomID int64, token string, header http.Header) (*wsClient, int, error) {
	u := e.wsURL(roomID)
	if token != "" {
		u += "?token=" + token
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return nil, status, err
	}
	c.SetReadLimit(1 << 20)
	cl := &wsClient{t: e.t, c: c}
	e.t.Cleanup(func() { c.CloseNow() })
	return cl, http.StatusSwitchingProtocols, nil
}

func (e *testEnv) mustDial(roomID int64, u testUser) *wsClient {
	e.t.Helper()
	c, status, err := e.dialChat(roomID, u.token, nil)
	if err != nil {
		e.t.Fatalf("dial room %d as %s: %d %v", roomID, u.username, status, err)
	}
	return c
}

type event struct {
	Type     string `json:"type"`
	ClientID string `json:"client_id"`
	UserID   int64  `json:"user_id"`
	Error    string `json:"error"`
	Message  struct {
		ID        int64  `json:"id"`
		Message   string `json:"message"`
		CreatedAt string `json:"created_at"`
		Chatroom  int64  `json:"chatroom"`
		User      *struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
			Email    string `json:"email"`
		} `json:"user"`
	} `json:"message"`
	raw string
}

// next reads one event.
func (c *wsClient) next() event {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	typ, data, err := c.c.Read(ctx)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		c.t.Fatalf("got a %v frame", typ)
	}
	var ev event
	if err := json.Unmarshal(data, &ev); err != nil {
		c.t.Fatalf("event %s: %v", data, err)
	}
	ev.raw = string(data)
	return ev
}

// expect reads events until one of type typ arrives (others are skipped).
func (c *wsClient) expect(typ string) event {
	c.t.Helper()
	for {
		if ev := c.next(); ev.Type == typ {
			return ev
		}
	}
}

func (c *wsClient) send(msg string) {
	c.t.Helper()
	c.sendRaw(websocket.MessageText, fmt.Appendf(nil, `{"message": %q}`, msg))
}

func (c *wsClient) sendRaw(typ websocket.MessageType, b []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := c.c.Write(ctx, typ, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// expectClose reads until the socket closes and checks the close code.
func (c *wsClient) expectClose(code websocket.StatusCode) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for {
		_, _, err := c.c.Read(ctx)
		if err == nil {
			continue
		}
		if got := websocket.CloseStatus(err); got != code {
			c.t.Fatalf("closed with %v (%v), want %v", got, err, code)
		}
		return
	}
}

// expectLeftThenClosed reads the chat.user.leave event naming user as the
// next frame, then the close with code and nothing in between.
func (c *wsClient) expectLeftThenClosed(user int64, code websocket.StatusCode) {
	c.t.Helper()
	if ev := c.next(); ev.Type != "chat.user.leave" || ev.UserID != user {
		c.t.Fatalf("got %s, want chat.user.leave of user %d", ev.raw, user)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, data, err := c.c.Read(ctx)
	if got := websocket.CloseStatus(err); err == nil || got != code {
		c.t.Fatalf("after the leave event: %s %v, want close %v", data, err, code)
	}
}

func (c *wsClient) close() { c.c.Close(websocket.StatusNormalClosure, "") }

// joinAPI joins a room through the API and checks the status.
func (e *testEnv) joinAPI(roomID int64, u testUser, want int) response {
	e.t.Helper()
	r := e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/", roomID), token: u.token})
	if r.status != want {
		e.t.Fatalf("join %d as %s: %d %s, want %d", roomID, u.username, r.status, r.raw, want)
	}
	return r
}

// chatPair is a room with its writer and one more member.
func chatPair(e *testEnv) (writer, member testUser, roomID int64) {
	writer = e.register("writer", addrSajik)
	member = e.register("member", addrSajik)
	_, roomID = e.writePost(writer, "치킨 같이", 5)
	e.joinAPI(roomID, member, 200)
	return writer, member, roomID
}

func TestChatSocketTwoMembers(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	a := e.mustDial(room, writer)
	b := e.mustDial(room, member)

	a.send("반반 어때요?")
	for _, c := range []*wsClient{a, b} {
		ev := c.expect("chat.message")
		m := ev.Message
		if m.Message != "반반 어때요?" || m.Chatroom != room || m.User == nil || m.User.ID != writer.id ||
			m.User.Username != "writer" || m.User.Email != "" || m.ID == 0 { // frames are shared: no email (issue 10.4)
			t.Fatalf("event: %s", ev.raw)
		}
		if _, err := time.Parse(time.RFC3339, m.CreatedAt); err != nil || !strings.HasSuffix(m.CreatedAt, "Z") {
			t.Errorf("created_at %q is not RFC 3339 UTC", m.CreatedAt)
		}
	}
	b.send("좋아요")
	for _, c := range []*wsClient{a, b} {
		if ev := c.expect("chat.message"); ev.Message.Message != "좋아요" || ev.Message.User.ID != member.id {
			t.Fatalf("event: %s", ev.raw)
		}
	}

	// A third member joining is announced with the system message.
	third := e.register("third", addrSajik)
	e.joinAPI(room, third, 200)
	ev := a.expect("chat.user.join")
	if ev.UserID != third.id || ev.Message.User != nil || ev.Message.Message != "third 님이 들어왔어요." {
		t.Fatalf("join event: %s", ev.raw)
	}
	if !strings.Contains(ev.raw, `"user":null`) {
		t.Errorf("system message must carry user null: %s", ev.raw)
	}

	// Both messages are in the history, in order.
	h := e.do(req{method: "GET", path: fmt.Sprintf("/api/chat/%d/", room), token: member.token}).json(t)
	var texts []string
	for _, m := range h["messages"].([]any) {
		texts = append(texts, m.(map[string]any)["message"].(string))
	}
	want := []string{"member 님이 들어왔어요.", "반반 어때요?", "좋아요", "third 님이 들어왔어요."}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("history %q, want %q", texts, want)
	}
	a.close()
	b.close()
}

func TestChatSocketRefused(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	outsider := e.register("outsider", addrSajik)
	banned := e.register("banned", addrSajik)
	e.joinAPI(room, banned, 200)
	if r := e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/user/ban/", room), token: writer.token,
		body: map[string]any{"target_user_id": banned.id}}); r.status != 202 {
		t.Fatalf("ban: %d %s", r.status, r.raw)
	}
	cookie := e.webLogin(member)
	own := "http://" + strings.TrimPrefix(e.http.URL, "http://")
	withCookie := func(origin string) http.Header {
		h := http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}}
		if origin != "" {
			h.Set("Origin", origin)
		}
		return h
	}

	cases := []struct {
		name   string
		room   int64
		token  string
		header http.Header
		want   int
	}{
		{"no credential", room, "", nil, 401},
		{"bad token", room, "not-a-jwt", nil, 401},
		{"tampered token", room, member.token + "x", nil, 401},
		{"non-member", room, outsider.token, nil, 403},
		{"banned", room, banned.token, nil, 403},
		{"missing room", 9999, member.token, nil, 404},
		{"bad room id", 0, member.token, nil, 404},
		{"cookie from a foreign origin", room, "", withCookie("https://evil.example"), 403},
		{"cookie without origin", room, "", withCookie(""), 403},
		{"cookie from our origin", room, "", withCookie(own), 101},
		{"token from any origin", room, member.token, http.Header{"Origin": {"https://app.example"}}, 101},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, status, err := e.dialChat(tc.room, tc.token, tc.header)
			if status != tc.want {
				t.Fatalf("status %d (%v), want %d", status, err, tc.want)
			}
			if c != nil {
				c.close()
			}
		})
	}
	// The server is still fine.
	c := e.mustDial(room, member)
	c.send("아직 살아 있어요")
	c.expect("chat.message")
	c.close()
}

func TestChatSocketBan(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	w := e.mustDial(room, writer)
	phone := e.mustDial(room, member)
	laptop := e.mustDial(room, member)

	r := e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/user/ban/", room), token: writer.token,
		body: map[string]any{"target_user_id": member.id}})
	if r.status != 202 {
		t.Fatalf("ban: %d %s", r.status, r.raw)
	}
	// The banned member's sockets read the event that names them, then 4003.
	phone.expectLeftThenClosed(member.id, statusBanned)
	laptop.expectLeftThenClosed(member.id, statusBanned)
	ev := w.expect("chat.user.leave")
	if ev.UserID != member.id || ev.Message.User != nil || ev.Message.Message != "member 님을 방장이 채팅방에서 내보냈어요." {
		t.Fatalf("leave event: %s", ev.raw)
	}
	if r := e.joinAPI(room, member, 400); r.str(t) != msgJoinBanned {
		t.Errorf("re-join: %s", r.raw)
	}
	if _, status, _ := e.dialChat(room, member.token, nil); status != 403 {
		t.Errorf("banned socket: %d, want 403", status)
	}
	w.close()
}

func TestChatSocketLeave(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	w := e.mustDial(room, writer)
	m1 := e.mustDial(room, member)
	m2 := e.mustDial(room, member)
	if r := e.do(req{method: "DELETE", path: fmt.Sprintf("/api/chat/%d/user/", room), token: member.token}); r.status != 202 {
		t.Fatalf("leave: %d %s", r.status, r.raw)
	}
	m1.expectLeftThenClosed(member.id, statusLeft)
	m2.expectLeftThenClosed(member.id, statusLeft)
	if ev := w.expect("chat.user.leave"); ev.UserID != member.id || ev.Message.Message != "member 님이 나갔어요." {
		t.Fatalf("leave event: %s", ev.raw)
	}
	// Leaving is not banning: they may come back.
	e.joinAPI(room, member, 200)
	w.close()
}

func TestChatSocketRoomDeleted(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	a := e.mustDial(room, writer)
	b := e.mustDial(room, member)
	if r := e.do(req{method: "DELETE", path: fmt.Sprintf("/api/chat/%d/", room), token: writer.token}); r.status != 202 {
		t.Fatalf("delete room: %d %s", r.status, r.raw)
	}
	a.expectClose(statusRoomDeleted)
	b.expectClose(statusRoomDeleted)
	if _, status, _ := e.dialChat(room, member.token, nil); status != 404 {
		t.Errorf("socket to a deleted room: %d, want 404", status)
	}

	// Deleting the post closes its room's sockets too.
	post2, room2 := e.writePost(writer, "피자 같이", 3)
	e.joinAPI(room2, member, 200)
	c := e.mustDial(room2, member)
	if r := e.do(req{method: "DELETE", path: fmt.Sprintf("/api/post/detail/%d/delete/", post2), token: writer.token}); r.status != 204 {
		t.Fatalf("delete post: %d %s", r.status, r.raw)
	}
	c.expectClose(statusRoomDeleted)
}

func TestChatSocketInvalidMessages(t *testing.T) {
	e := newChatEnv(t)
	writer, _, room := chatPair(e)
	c := e.mustDial(room, writer)
	cases := []struct {
		name  string
		typ   websocket.MessageType
		frame string
		want  string
	}{
		{"invalid JSON", websocket.MessageText, `{"message": `, msgChatBadJSON},
		{"not an object", websocket.MessageText, `[1, 2]`, msgChatBadJSON},
		{"number message", websocket.MessageText, `{"message": 5}`, msgChatBadJSON},
		{"missing message", websocket.MessageText, `{"text": "hi"}`, msgChatEmpty},
		{"empty message", websocket.MessageText, `{"message": ""}`, msgChatEmpty},
		{"blank message", websocket.MessageText, `{"message": "   "}`, msgChatEmpty},
		{"too long", websocket.MessageText, fmt.Sprintf(`{"message": %q}`, strings.Repeat("가", 301)), msgChatTooLong},
		{"binary frame", websocket.MessageBinary, `{"message": "hi"}`, msgChatTextOnly},
		{"invalid UTF-8", websocket.MessageText, "{\"message\": \"\xff\"}", msgChatBadUTF8},
		{"client_id too long", websocket.MessageText, fmt.Sprintf(`{"message": "hi", "client_id": %q}`, strings.Repeat("a", 65)), msgChatBadID},
		{"client_id empty", websocket.MessageText, `{"message": "hi", "client_id": ""}`, msgChatBadID},
		{"client_id with a space", websocket.MessageText, `{"message": "hi", "client_id": "a b"}`, msgChatBadID},
		{"client_id not ASCII", websocket.MessageText, `{"message": "hi", "client_id": "아이디"}`, msgChatBadID},
		{"client_id a number", websocket.MessageText, `{"message": "hi", "client_id": 7}`, msgChatBadID},
		{"client_id bad, message bad", websocket.MessageText, `{"message": 5, "client_id": "a.b"}`, msgChatBadID},
	}
	for _, tc := range cases {
		c.sendRaw(tc.typ, []byte(tc.frame))
		ev := c.next()
		if ev.Type != "chat.error" || ev.Error != tc.want || strings.Contains(ev.raw, `"client_id":`) {
			t.Errorf("%s: got %s, want chat.error %q without client_id", tc.name, ev.raw, tc.want)
		}
		time.Sleep(150 * time.Millisecond) // stay under the hub's rate limit
	}
	// Nothing was stored; the socket still works and 300 characters pass.
	c.send(strings.Repeat("나", 300))
	if ev := c.next(); ev.Type != "chat.message" || len([]rune(ev.Message.Message)) != 300 {
		t.Fatalf("300 characters: %s", ev.raw)
	}
	h := e.do(req{method: "GET", path: fmt.Sprintf("/api/chat/%d/", room), token: writer.token}).json(t)
	if n := len(h["messages"].([]any)); n != 2 { // the join notice and the 300-character message
		t.Errorf("%d messages stored, want 2", n)
	}
	c.close()
}

func TestChatCatchUpAfterReconnect(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	a := e.mustDial(room, writer)
	b := e.mustDial(room, member)
	a.send("하나")
	a.expect("chat.message")
	last := b.expect("chat.message").Message.ID
	b.close()
	for _, m := range []string{"둘", "셋", "넷"} {
		a.send(m)
		a.expect("chat.message")
	}
	r := e.do(req{method: "GET", path: fmt.Sprintf("/api/chat/%d/?after=%d", room, last), token: member.token}).json(t)
	var got []string
	for _, m := range r["messages"].([]any) {
		got = append(got, m.(map[string]any)["message"].(string))
	}
	if strings.Join(got, ",") != "둘,셋,넷" || r["has_more"] != false {
		t.Errorf("catch-up: %v has_more=%v", got, r["has_more"])
	}
	a.close()
}

func TestChatSocketRevoked(t *testing.T) {
	// The test's clients read only in expectClose, so a ping sent while
	// one waits for an API call or another socket's close goes unanswered
	// until then; the round's pong wait (one interval) must outlast that,
	// or a busy machine sees the missed-pong cut (no close code) instead
	// of the revalidation's close. 100 ms failed 3 runs in 8 on a loaded
	// machine, before the hub changes of issue 11 as after them.
	e := newChatEnv(t, func(c *Config) { c.PingInterval = time.Second })
	writer, member, room := chatPair(e)

	t.Run("password change", func(t *testing.T) {
		c := e.mustDial(room, member)
		r := e.do(req{method: "POST", path: "/api/user/changepassword/", token: member.token, body: map[string]any{
			"current_password": member.password, "new_password1": "newpassword1", "new_password2": "newpassword1"}})
		if r.status != 200 {
			t.Fatalf("change password: %d %s", r.status, r.raw)
		}
		c.expectClose(statusRevoked)
		member.token = r.json(t)["token"].(string)
		member.password = "newpassword1"
	})
	t.Run("logout", func(t *testing.T) {
		cookie := e.webLogin(member)
		h := http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}, "Origin": {e.http.URL}}
		web, status, err := e.dialChat(room, "", h)
		if err != nil {
			t.Fatalf("cookie dial: %d %v", status, err)
		}
		tok := e.mustDial(room, member) // another device keeps working
		r := e.do(req{method: "POST", path: "/api/user/logout/", headers: map[string]string{webClientHeader: "web"},
			cookies: []*http.Cookie{cookie}})
		if r.status != 200 {
			t.Fatalf("logout: %d %s", r.status, r.raw)
		}
		web.expectClose(statusRevoked)
		tok.send("아직 여기 있어요")
		tok.expect("chat.message")
		tok.close()
	})
	t.Run("deactivated from the CLI", func(t *testing.T) {
		other := e.register("cli", addrSajik)
		e.joinAPI(room, other, 200)
		c := e.mustDial(room, other)
		// Another process: only the database changes, the server is not told.
		if err := e.store.SetActive(context.Background(), other.id, false); err != nil {
			t.Fatal(err)
		}
		c.expectClose(statusRevoked)
	})
	t.Run("membership changed by another process", func(t *testing.T) {
		w := e.mustDial(room, writer)
		c := e.mustDial(room, member)
		if _, err := e.store.LeaveRoom(context.Background(), room, member.id); err != nil {
			t.Fatal(err)
		}
		c.expectClose(statusLeft)
		if err := e.store.DeleteRoom(context.Background(), room); err != nil {
			t.Fatal(err)
		}
		w.expectClose(statusRoomDeleted)
	})
}

func TestChatGracefulShutdown(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	a := e.mustDial(room, writer)
	b := e.mustDial(room, member)
	a.send("마지막 메시지")
	b.expect("chat.message")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.srv.Close(ctx) }()
	a.expectClose(websocket.StatusGoingAway)
	b.expectClose(websocket.StatusGoingAway)
	if err := <-done; err != nil {
		t.Fatalf("close: %v", err)
	}
	// A socket opened after the shutdown is closed with 1001 at once.
	late := e.mustDial(room, member)
	late.expectClose(websocket.StatusGoingAway)
	// The acknowledged message is stored.
	msgs, _, err := e.store.Messages(context.Background(), room, store.MessagePage{})
	if err != nil || msgs[len(msgs)-1].Body != "마지막 메시지" {
		t.Errorf("history after shutdown: %v %v", msgs, err)
	}
}

// TestRunShutdownClosesSockets drives Server.Run: cancelling its context
// closes chat sockets with 1001 before Run returns.
func TestRunShutdownClosesSockets(t *testing.T) {
	e := newChatEnv(t)
	writer, _, room := chatPair(e)
	e.srv.cfg.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	runErr := make(chan error, 1)
	go func() {
		runErr <- e.srv.Run(ctx, func(a net.Addr) { addrc <- a.String() })
	}()
	addr := <-addrc
	dctx, dcancel := context.WithTimeout(context.Background(), wait)
	defer dcancel()
	c, _, err := websocket.Dial(dctx, fmt.Sprintf("ws://%s/ws/chat/%d/?token=%s", addr, room, writer.token), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	cancel()
	_, _, err = c.Read(dctx)
	if websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("closed with %v, want 1001", err)
	}
	if err := <-runErr; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("run: %v", err)
	}
}

// TestChatMessagesFromManySockets sends concurrently from every member and
// checks each message reaches every member exactly once, in id order.
func TestChatMessagesFromManySockets(t *testing.T) {
	e := newChatEnv(t)
	writer := e.register("writer", addrSajik)
	_, room := e.writePost(writer, "많이", 10)
	users := []testUser{writer}
	for i := range 4 {
		u := e.register(fmt.Sprintf("m%d", i), addrSajik)
		e.joinAPI(room, u, 200)
		users = append(users, u)
	}
	clients := make([]*wsClient, len(users))
	for i, u := range users {
		clients[i] = e.mustDial(room, u)
	}
	const each = 5
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			for j := range each {
				c.c.Write(context.Background(), websocket.MessageText, fmt.Appendf(nil, `{"message":"%d-%d"}`, i, j))
			}
		})
	}
	wg.Wait()
	for _, c := range clients {
		seen := map[string]bool{}
		var lastID int64
		for len(seen) < len(users)*each {
			ev := c.expect("chat.message")
			if seen[ev.Message.Message] || ev.Message.ID <= lastID {
				t.Fatalf("duplicate or out of order: %s", ev.raw)
			}
			seen[ev.Message.Message], lastID = true, ev.Message.ID
		}
		c.close()
	}
}

// sendWithID sends {"message": msg, "client_id": id}.
func (c *wsClient) sendWithID(msg, id string) {
	c.t.Helper()
	c.sendRaw(websocket.MessageText, fmt.Appendf(nil, `{"message": %q, "client_id": %q}`, msg, id))
}

func TestChatSocketClientID(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	a := e.mustDial(room, writer)
	b := e.mustDial(room, member)

	// The sender's echo carries its client_id; the other member's copy does not.
	a.sendWithID("반반 어때요?", "m-1_A")
	own := a.next()
	if own.Type != "chat.message" || own.ClientID != "m-1_A" || own.Message.Message != "반반 어때요?" || own.Message.ID == 0 {
		t.Fatalf("echo: %s", own.raw)
	}
	other := b.next()
	if other.Type != "chat.message" || other.Message.ID != own.Message.ID || strings.Contains(other.raw, `"client_id"`) {
		t.Fatalf("other member: %s", other.raw)
	}

	// An error caused by a frame with a client_id carries it, to the sender alone.
	a.sendWithID("", "m-2")
	if ev := a.next(); ev.Type != "chat.error" || ev.Error != msgChatEmpty || ev.ClientID != "m-2" {
		t.Fatalf("error: %s", ev.raw)
	}
	a.sendRaw(websocket.MessageText, []byte(`{"message": 5, "client_id": "m-3"}`))
	if ev := a.next(); ev.Type != "chat.error" || ev.Error != msgChatBadJSON || ev.ClientID != "m-3" {
		t.Fatalf("error: %s", ev.raw)
	}

	// A resend with the same id, on a new socket after a reconnect, gets the
	// stored message back; nothing new is stored or sent to the others.
	a.close()
	a = e.mustDial(room, writer)
	a.sendWithID("반반 어때요?", "m-1_A")
	if ev := a.next(); ev.Type != "chat.message" || ev.ClientID != "m-1_A" || ev.Message.ID != own.Message.ID ||
		ev.Message.CreatedAt != own.Message.CreatedAt {
		t.Fatalf("resend: %s, first %s", ev.raw, own.raw)
	}
	// A frame without client_id answers exactly as the original service:
	// the same chat.message to everyone, no client_id anywhere.
	a.send("좋아요")
	for _, c := range []*wsClient{a, b} {
		ev := c.next() // b's next frame: the resend reached it not
		if ev.Type != "chat.message" || ev.Message.Message != "좋아요" || strings.Contains(ev.raw, `"client_id"`) {
			t.Fatalf("plain send: %s", ev.raw)
		}
	}
	h := e.do(req{method: "GET", path: fmt.Sprintf("/api/chat/%d/", room), token: member.token}).json(t)
	var texts []string
	for _, m := range h["messages"].([]any) {
		texts = append(texts, m.(map[string]any)["message"].(string))
	}
	if got := strings.Join(texts, "|"); got != "member 님이 들어왔어요.|반반 어때요?|좋아요" {
		t.Errorf("history %q", got)
	}
	a.close()
	b.close()
}

// TestChatSocketRoomDeletedDuringUpgrade races a socket's opening with the
// room's deletion, many times: the socket is refused (404) or closes with
// 4040 — never 1001, never left open.
func TestChatSocketRoomDeletedDuringUpgrade(t *testing.T) {
	e := newChatEnv(t)
	writer := e.register("writer", addrSajik)
	member := e.register("member", addrSajik)
	refused, closed := 0, 0
	for i := range 40 {
		_, room := e.writePost(writer, fmt.Sprintf("방 %d", i), 5)
		e.joinAPI(room, member, 200)
		start := make(chan struct{})
		deleted := make(chan int, 1)
		go func() {
			<-start
			r := e.do(req{method: "DELETE", path: fmt.Sprintf("/api/chat/%d/", room), token: writer.token})
			deleted <- r.status
		}()
		close(start)
		c, status, err := e.dialChat(room, member.token, nil)
		if st := <-deleted; st != 202 {
			t.Fatalf("delete room: %d", st)
		}
		switch {
		case err != nil && status == http.StatusNotFound:
			refused++
		case err != nil:
			t.Fatalf("round %d: dial: %d %v", i, status, err)
		default:
			c.expectClose(statusRoomDeleted)
			closed++
		}
	}
	t.Logf("refused %d, closed with 4040 %d", refused, closed)
}

// TestChatSocketFlood: the per-socket limit (chatBurst frames, then
// chatRatePerSec a second) answers refused frames with a chat.error, and
// chatFloodLimit refused frames in a row close the socket with 1008.
// Empty messages are used: they are answered without touching the
// database, so the socket reads them faster than the bucket refills.
// Every answer, refused or not, carries the frames' client_id.
func TestChatSocketFlood(t *testing.T) {
	e := newChatEnv(t, func(c *Config) { c.ChatRate = chatRatePerSec })
	writer, _, room := chatPair(e)
	c := e.mustDial(room, writer)
	go func() {
		for range 6 * chatBurst {
			if c.c.Write(context.Background(), websocket.MessageText, []byte(`{"message": "", "client_id": "f-1"}`)) != nil {
				return // closed
			}
		}
	}()
	passed, refused := 0, 0
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for {
		_, data, err := c.c.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
				t.Fatalf("closed with %v, want 1008", err)
			}
			break
		}
		var ev event
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.ClientID != "f-1" { // refused or not, the error names the frame
			t.Fatalf("frame without the client_id: %s", data)
		}
		switch ev.Error {
		case msgChatEmpty:
			passed++
		case msgChatTooFast:
			refused++
		default:
			t.Fatalf("frame %s", data)
		}
	}
	if passed < chatBurst || refused < chatFloodLimit {
		t.Errorf("%d frames passed, %d refused before the close", passed, refused)
	}
}

// TestChatSocketRateLimitRecovers: refused frames short of the flood limit
// keep the socket open, and it may send again once the bucket refills.
func TestChatSocketRateLimitRecovers(t *testing.T) {
	e := newChatEnv(t, func(c *Config) { c.ChatRate = chatRatePerSec })
	writer, _, room := chatPair(e)
	c := e.mustDial(room, writer)
	// One frame short of a flood even if no token refills meanwhile.
	const frames = chatBurst + chatFloodLimit - 1
	for range frames {
		c.sendRaw(websocket.MessageText, []byte(`{"message": ""}`))
	}
	tooFast := false
	for range frames {
		if ev := c.next(); ev.Error == msgChatTooFast {
			tooFast = true
		}
	}
	if !tooFast {
		t.Fatal("no frame beyond the burst was refused")
	}
	for {
		time.Sleep(time.Second / chatRatePerSec)
		c.send("다시 보내요")
		if ev := c.next(); ev.Type == "chat.message" {
			break
		} else if ev.Error != msgChatTooFast {
			t.Fatalf("got %s", ev.raw)
		}
	}
	c.close()
}

// TestChatSocketHeartbeat: {"type":"ping"} is answered with {"type":"pong"}
// to the sender alone, stores nothing, and is answered even when the user's
// chat rate is used up, without counting towards the flood close.
func TestChatSocketHeartbeat(t *testing.T) {
	e := newChatEnv(t, func(c *Config) { c.ChatRate = chatRatePerSec })
	writer, member, room := chatPair(e)
	a := e.mustDial(room, writer)
	b := e.mustDial(room, member)
	history := func() int {
		h := e.do(req{method: "GET", path: fmt.Sprintf("/api/chat/%d/", room), token: member.token}).json(t)
		return len(h["messages"].([]any))
	}
	before := history()

	for _, ping := range []string{`{"type":"ping"}`, `{ "type" : "ping" }`} {
		a.sendRaw(websocket.MessageText, []byte(ping))
		if ev := a.next(); ev.raw != `{"type":"pong"}` {
			t.Fatalf("answer to %s: %s, want the pong", ping, ev.raw)
		}
	}
	// The other member got nothing from the pings: its next frame is this message.
	a.send("핑 다음")
	if ev := b.next(); ev.Type != "chat.message" || ev.Message.Message != "핑 다음" {
		t.Fatalf("other member got %s first, want the message", ev.raw)
	}
	a.expect("chat.message")
	if got := history(); got != before+1 {
		t.Errorf("history has %d messages, want %d (the pings stored nothing)", got, before+1)
	}

	// Use up the rate: at most one refused frame short of the flood close
	// (the message above took a token).
	const frames = chatBurst - 1 + chatFloodLimit - 1
	for range frames {
		a.sendRaw(websocket.MessageText, []byte(`{"message": ""}`))
	}
	tooFast := 0
	for range frames {
		if ev := a.next(); ev.Error == msgChatTooFast {
			tooFast++
		}
	}
	if tooFast == 0 {
		t.Fatal("no frame beyond the burst was refused")
	}
	// Pings within the heartbeat's allowance are still answered and do not
	// count as refused frames: the socket stays open.
	for range pingBurst - 2 { // two were taken above; time refills at most a little
		a.sendRaw(websocket.MessageText, []byte(`{"type":"ping"}`))
		if ev := a.next(); ev.raw != `{"type":"pong"}` {
			t.Fatalf("ping with the chat rate used up: %s, want the pong", ev.raw)
		}
	}
	b.close()
	a.close()
}

// TestChatSocketPingFlood: pings beyond the heartbeat's allowance are
// charged to the chat rate like any frame, so a ping flood is closed as one.
func TestChatSocketPingFlood(t *testing.T) {
	e := newChatEnv(t, func(c *Config) { c.ChatRate = chatRatePerSec })
	writer, _, room := chatPair(e)
	c := e.mustDial(room, writer)
	go func() {
		for range pingBurst + 6*chatBurst {
			if c.c.Write(context.Background(), websocket.MessageText, []byte(`{"type":"ping"}`)) != nil {
				return // closed
			}
		}
	}()
	pongs, refused := 0, 0
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for {
		_, data, err := c.c.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
				t.Fatalf("closed with %v, want 1008", err)
			}
			break
		}
		switch ev := string(data); {
		case ev == `{"type":"pong"}`:
			pongs++
		case strings.Contains(ev, msgChatTooFast):
			refused++
		default:
			t.Fatalf("frame %s", data)
		}
	}
	if pongs < pingBurst || refused < chatFloodLimit {
		t.Errorf("%d pongs, %d refused before the close", pongs, refused)
	}
}

// TestChatReadFramesHaveTheirOwnRate: read frames take from a budget of
// their own, the same size as the chat rate, so a member who marks every
// message read as it arrives can still send. The reads here are bad ones
// (message_id 0): they are refused or answered without touching the
// database, so the socket reads them faster than the budget refills.
func TestChatReadFramesHaveTheirOwnRate(t *testing.T) {
	e := newChatEnv(t, func(c *Config) { c.ChatRate = chatRatePerSec })
	_, member, room := chatPair(e)
	c := e.mustDial(room, member)
	// The whole read budget and a few frames more, short of the flood close.
	const frames = chatBurst + chatFloodLimit/2
	for range frames {
		c.sendRaw(websocket.MessageText, []byte(`{"type": "read", "message_id": 0}`))
	}
	answered, refused := 0, 0
	for range frames {
		switch ev := c.next(); ev.Error {
		case msgReadBadFrame:
			answered++
		case msgChatTooFast:
			refused++
		default:
			t.Fatalf("answer to a read frame: %s", ev.raw)
		}
	}
	if answered < chatBurst || refused == 0 {
		t.Fatalf("%d read frames answered, %d refused: want the burst answered and the rest refused", answered, refused)
	}
	// The chat rate is untouched: a whole burst of messages goes out.
	for i := range chatBurst {
		text := fmt.Sprintf("읽고 나서 %d", i)
		c.send(text)
		if ev := c.next(); ev.Type != "chat.message" || ev.Message.Message != text {
			t.Fatalf("message %d after the reads: %s, want its echo", i, ev.raw)
		}
	}
	c.close()
}
