package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/mealbuddy/mealbuddy/store"
)

// chatListItem is a decoded item of GET /api/chat/ and room.updated.
type chatListItem struct {
	ID   int64 `json:"id"`
	Post struct {
		ID          int64   `json:"id"`
		Title       string  `json:"title"`
		StoreName   *string `json:"store_name"`
		OrderState  *string `json:"order_state"`
		OrderAt     *string `json:"order_at"`
		IsCompelete bool    `json:"is_compelete"`
	} `json:"post"`
	LastMessage *struct {
		ID        int64  `json:"id"`
		Message   string `json:"message"`
		CreatedAt string `json:"created_at"`
		User      *struct {
			ID    int64  `json:"id"`
			Email string `json:"email"`
		} `json:"user"`
	} `json:"last_message"`
	Unread int  `json:"unread"`
	Muted  bool `json:"muted"`
}

type chatListPage struct {
	Rooms []chatListItem `json:"rooms"`
	Next  *string        `json:"next"`
}

func (e *testEnv) chatList(u testUser, cursor string) chatListPage {
	e.t.Helper()
	path := "/api/chat/"
	if cursor != "" {
		path += "?cursor=" + cursor
	}
	r := e.do(req{method: "GET", path: path, token: u.token})
	if r.status != 200 {
		e.t.Fatalf("chat list: %d %s", r.status, r.raw)
	}
	var p chatListPage
	if err := json.Unmarshal(r.raw, &p); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// listItem is u's item of room in the first page.
func (e *testEnv) listItem(u testUser, room int64) chatListItem {
	e.t.Helper()
	for _, it := range e.chatList(u, "").Rooms {
		if it.ID == room {
			return it
		}
	}
	e.t.Fatalf("room %d is not in %s's list", room, u.username)
	return chatListItem{}
}

func (e *testEnv) markRead(u testUser, room, msgID int64, want int) {
	e.t.Helper()
	r := e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/read/", room), token: u.token,
		body: map[string]any{"message_id": msgID}})
	if r.status != want {
		e.t.Fatalf("read %d as %s: %d %s, want %d", msgID, u.username, r.status, r.raw, want)
	}
}

func TestChatListShape(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	w := e.mustDial(room, writer)
	long := strings.Repeat("가나다라마", 30) // 150 runes
	w.send(long)
	sent := w.expect("chat.message")

	r := e.do(req{method: "GET", path: "/api/chat/", token: member.token})
	if r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.raw)
	}
	var raw struct {
		Rooms []map[string]json.RawMessage `json:"rooms"`
		Next  json.RawMessage              `json:"next"`
	}
	if err := json.Unmarshal(r.raw, &raw); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]json.RawMessage) string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		slices.Sort(k)
		return strings.Join(k, ",")
	}
	if len(raw.Rooms) != 1 || string(raw.Next) != "null" {
		t.Fatalf("list: %s", r.raw)
	}
	if got := keys(raw.Rooms[0]); got != "id,last_message,muted,post,unread" {
		t.Errorf("item keys %s", got)
	}
	var post, last map[string]json.RawMessage
	json.Unmarshal(raw.Rooms[0]["post"], &post)
	json.Unmarshal(raw.Rooms[0]["last_message"], &last)
	if got := keys(post); got != "id,is_compelete,order_at,order_state,store_name,title" {
		t.Errorf("post keys %s", got)
	}
	if got := keys(last); got != "created_at,id,message,user" {
		t.Errorf("last_message keys %s", got)
	}

	it := e.listItem(member, room)
	if it.LastMessage == nil || it.LastMessage.ID != sent.Message.ID || utf8.RuneCountInString(it.LastMessage.Message) != 100 ||
		!strings.HasPrefix(long, it.LastMessage.Message) || it.LastMessage.User == nil || it.LastMessage.User.ID != writer.id {
		t.Fatalf("last message: %+v", it.LastMessage)
	}
	if it.LastMessage.User.Email != "" {
		t.Error("another member's email in the list")
	}
	if it.Unread != 1 || it.Muted || it.Post.Title != "치킨 같이" || it.Post.IsCompelete || it.Post.StoreName != nil {
		t.Errorf("item: %+v", it)
	}
	// The writer's own message is not unread for the writer, and shows its email.
	if own := e.listItem(writer, room); own.Unread != 0 || own.LastMessage.User.Email != writer.email {
		t.Errorf("writer's item: %+v", own)
	}
	// Signed-in only; a bad cursor is 400.
	if r := e.do(req{method: "GET", path: "/api/chat/"}); r.status != 401 {
		t.Errorf("anonymous list: %d", r.status)
	}
	if r := e.do(req{method: "GET", path: "/api/chat/?cursor=bm90LWEtY3Vyc29y", token: member.token}); r.status != 400 {
		t.Errorf("bad cursor: %d %s", r.status, r.raw)
	}
}

func TestChatListPagingAndGoneRooms(t *testing.T) {
	e := newChatEnv(t)
	writer := e.register("writer", addrSajik)
	member := e.register("member", addrSajik)
	u, err := e.store.UserByID(context.Background(), writer.id)
	if err != nil {
		t.Fatal(err)
	}
	var rooms []int64
	for i := range 23 { // through the store: the open-post limit is not what this tests
		p, err := e.store.CreatePost(context.Background(), store.NewPost{WriterID: u.ID, Title: fmt.Sprintf("글 %d", i),
			Category: "치킨", Content: "c", Address: u.Address, Area: u.Area(), TargetNumber: 5})
		if err != nil {
			t.Fatal(err)
		}
		rooms = append(rooms, p.RoomID)
	}
	// Activity: the oldest room last written in comes last.
	for i := len(rooms) - 1; i >= 0; i-- {
		c := e.mustDial(rooms[i], writer)
		c.send(fmt.Sprintf("방 %d", i))
		c.expect("chat.message")
		c.close()
	}
	first := e.chatList(writer, "")
	if len(first.Rooms) != 20 || first.Next == nil {
		t.Fatalf("first page: %d rooms, next %v", len(first.Rooms), first.Next)
	}
	second := e.chatList(writer, *first.Next)
	if len(second.Rooms) != 3 || second.Next != nil {
		t.Fatalf("second page: %d rooms, next %v", len(second.Rooms), second.Next)
	}
	var got []int64
	for _, it := range append(first.Rooms, second.Rooms...) {
		got = append(got, it.ID)
	}
	if fmt.Sprint(got) != fmt.Sprint(rooms) { // rooms[0] was written in last
		t.Fatalf("order %v, want %v", got, rooms)
	}

	// Left, banned and deleted rooms leave the member's list.
	for _, r := range rooms[:3] {
		e.joinAPI(r, member, 200)
	}
	if n := len(e.chatList(member, "").Rooms); n != 3 {
		t.Fatalf("member lists %d rooms, want 3", n)
	}
	if r := e.do(req{method: "DELETE", path: fmt.Sprintf("/api/chat/%d/user/", rooms[0]), token: member.token}); r.status != 202 {
		t.Fatalf("leave: %d", r.status)
	}
	if r := e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/user/ban/", rooms[1]), token: writer.token,
		body: map[string]any{"target_user_id": member.id}}); r.status != 202 {
		t.Fatalf("ban: %d", r.status)
	}
	if r := e.do(req{method: "DELETE", path: fmt.Sprintf("/api/chat/%d/", rooms[2]), token: writer.token}); r.status != 202 {
		t.Fatalf("delete room: %d", r.status)
	}
	if l := e.chatList(member, ""); len(l.Rooms) != 0 {
		t.Fatalf("member still lists %+v", l.Rooms)
	}
	p1 := e.chatList(writer, "")
	if p1.Next == nil {
		t.Fatal("no second page")
	}
	if n := len(p1.Rooms) + len(e.chatList(writer, *p1.Next).Rooms); n != 22 {
		t.Errorf("writer lists %d rooms after deleting one, want 22", n)
	}
}

func TestChatReadMarkerAndMute(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	w := e.mustDial(room, writer)
	var ids []int64
	for _, text := range []string{"하나", "둘", "셋"} {
		w.send(text)
		ids = append(ids, w.expect("chat.message").Message.ID)
	}
	if it := e.listItem(member, room); it.Unread != 3 {
		t.Fatalf("unread %d, want 3", it.Unread)
	}
	e.markRead(member, room, ids[1], 204)
	if it := e.listItem(member, room); it.Unread != 1 {
		t.Fatalf("after reading two: unread %d, want 1", it.Unread)
	}
	e.markRead(member, room, ids[0], 204) // back: changes nothing
	if it := e.listItem(member, room); it.Unread != 1 {
		t.Fatalf("after marking back: unread %d, want 1", it.Unread)
	}

	// The same as a frame on the room socket: nothing is echoed to anyone.
	m := e.mustDial(room, member)
	m.sendRaw(websocket.MessageText, fmt.Appendf(nil, `{"type": "read", "message_id": %d}`, ids[2]))
	m.sendRaw(websocket.MessageText, []byte(`{"type": "read", "message_id": "x"}`))
	if ev := m.next(); ev.Type != "chat.error" || !strings.Contains(ev.Error, "읽음 표시") {
		t.Fatalf("bad read frame: %s", ev.raw)
	}
	if it := e.listItem(member, room); it.Unread != 0 {
		t.Fatalf("after the read frame: unread %d", it.Unread)
	}
	m.send("이제 다 읽었어요")
	if ev := w.next(); ev.Type != "chat.message" || ev.Message.Message != "이제 다 읽었어요" {
		t.Fatalf("the writer got %s before the member's message", ev.raw)
	}
	// The writer had read nothing: the member's message, not the join notice.
	if it := e.listItem(writer, room); it.Unread != 1 {
		t.Errorf("writer's unread %d, want 1", it.Unread)
	}

	// Bad bodies and non-members.
	outsider := e.register("outsider", addrSajik)
	e.markRead(outsider, room, ids[2], 403)
	e.markRead(member, 9999, ids[2], 404)
	e.markRead(member, room, 0, 400)
	if r := e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/read/", room), token: member.token,
		body: map[string]any{}}); r.status != 400 {
		t.Errorf("read without message_id: %d", r.status)
	}

	// Mute.
	mute := func(u testUser, v any, want int) {
		t.Helper()
		if r := e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/mute/", room), token: u.token,
			body: map[string]any{"muted": v}}); r.status != want {
			t.Fatalf("mute %v as %s: %d %s, want %d", v, u.username, r.status, r.raw, want)
		}
	}
	mute(member, true, 204)
	if !e.listItem(member, room).Muted || e.listItem(writer, room).Muted {
		t.Error("mute not stored for the member alone")
	}
	mute(member, false, 204)
	if e.listItem(member, room).Muted {
		t.Error("unmute not stored")
	}
	mute(member, "maybe", 400)
	mute(outsider, true, 403)
}

// meClient dials /ws/me/.
func (e *testEnv) dialMe(token string, header http.Header) (*wsClient, int, error) {
	u := "ws" + strings.TrimPrefix(e.http.URL, "http") + "/ws/me/"
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
	e.t.Cleanup(func() { c.CloseNow() })
	return &wsClient{t: e.t, c: c}, http.StatusSwitchingProtocols, nil
}

func (e *testEnv) mustDialMe(u testUser) *wsClient {
	e.t.Helper()
	c, status, err := e.dialMe(u.token, nil)
	if err != nil {
		e.t.Fatalf("dial /ws/me/ as %s: %d %v", u.username, status, err)
	}
	return c
}

type meFrame struct {
	Type string       `json:"type"`
	Room chatListItem `json:"room"`
	ID   int64        `json:"id"`
	raw  string
}

// nextMe reads one /ws/me/ frame.
func (c *wsClient) nextMe() meFrame {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, data, err := c.c.Read(ctx)
	if err != nil {
		c.t.Fatalf("read /ws/me/: %v", err)
	}
	var f meFrame
	if err := json.Unmarshal(data, &f); err != nil {
		c.t.Fatalf("frame %s: %v", data, err)
	}
	f.raw = string(data)
	return f
}

// expectUpdate reads frames until a room.updated of room satisfies ok.
func (c *wsClient) expectUpdate(room int64, ok func(chatListItem) bool) chatListItem {
	c.t.Helper()
	for {
		f := c.nextMe()
		if f.Type == "room.updated" && f.Room.ID == room && ok(f.Room) {
			return f.Room
		}
	}
}

func TestMeSocketUpdates(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	_, other := e.writePost(writer, "다른 방", 5)
	e.joinAPI(other, member, 200)
	meMember := e.mustDialMe(member)
	meWriter := e.mustDialMe(writer)
	w := e.mustDial(room, writer)

	// A member who is not in the room hears of the message, with the unread count.
	w.send("첫 번째")
	w.expect("chat.message")
	w.send("두 번째")
	second := w.expect("chat.message")
	got := meMember.expectUpdate(room, func(it chatListItem) bool {
		return it.LastMessage != nil && it.LastMessage.ID == second.Message.ID
	})
	if got.Unread != 2 || got.LastMessage.Message != "두 번째" || got.Post.Title != "치킨 같이" {
		t.Fatalf("member's update: %+v", got)
	}
	// The writer's own item: nothing unread.
	if own := meWriter.expectUpdate(room, func(it chatListItem) bool {
		return it.LastMessage != nil && it.LastMessage.ID == second.Message.ID
	}); own.Unread != 0 {
		t.Fatalf("writer's update: %+v", own)
	}

	// Reading moves the member's badge, and only the member's.
	e.markRead(member, room, second.Message.ID, 204)
	if got := meMember.expectUpdate(room, func(it chatListItem) bool { return it.Unread == 0 }); got.LastMessage.ID != second.Message.ID {
		t.Fatalf("after read: %+v", got)
	}

	// Kicked: room.removed to the member, room.updated (the notice) to the writer.
	if r := e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/user/ban/", room), token: writer.token,
		body: map[string]any{"target_user_id": member.id}}); r.status != 202 {
		t.Fatalf("ban: %d", r.status)
	}
	for {
		f := meMember.nextMe()
		if f.Type == "room.removed" {
			if f.ID != room {
				t.Fatalf("removed %s", f.raw)
			}
			break
		}
	}
	meWriter.expectUpdate(room, func(it chatListItem) bool {
		return it.LastMessage != nil && it.LastMessage.Message == "member 님을 방장이 채팅방에서 내보냈어요." && it.LastMessage.User == nil
	})

	// A deleted room is removed from every member's list.
	if r := e.do(req{method: "DELETE", path: fmt.Sprintf("/api/chat/%d/", other), token: writer.token}); r.status != 202 {
		t.Fatalf("delete room: %d", r.status)
	}
	for _, c := range []*wsClient{meMember, meWriter} {
		for {
			f := c.nextMe()
			if f.Type == "room.removed" && f.ID == other {
				break
			}
		}
	}

	// The socket accepts nothing.
	meWriter.send("hello")
	for {
		var ev event
		f := meWriter.nextMe()
		json.Unmarshal([]byte(f.raw), &ev)
		if ev.Type == "chat.error" {
			if ev.Error != msgMeReadOnly {
				t.Errorf("error %q", ev.Error)
			}
			break
		}
	}
}

func TestMeSocketOrderStepsFullAndClosed(t *testing.T) {
	e := newChatEnv(t)
	writer := e.register("writer", addrSajik)
	member := e.register("member", addrSajik)
	_, room := e.writePost(writer, "둘이서", 2)
	me := e.mustDialMe(writer)
	e.joinAPI(room, member, 200) // fills it
	got := me.expectUpdate(room, func(it chatListItem) bool {
		return it.LastMessage != nil && it.LastMessage.Message == noticeRoomFull
	})
	if !got.Post.IsCompelete || got.Unread != 0 {
		t.Errorf("full room: %+v", got)
	}
	msgs, _, err := e.store.Messages(context.Background(), room, store.MessagePage{})
	if err != nil || len(msgs) != 2 || msgs[0].Body != "member 님이 들어왔어요." || msgs[1].Body != noticeRoomFull {
		t.Fatalf("history: %+v %v", msgs, err)
	}

	// The organiser closes a post: a notice and an update.
	postID, room2 := e.writePost(writer, "마감할 글", 5)
	if r := e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", postID), token: writer.token,
		body: map[string]any{"is_compelete": true}}); r.status != 200 {
		t.Fatalf("close: %d %s", r.status, r.raw)
	}
	me.expectUpdate(room2, func(it chatListItem) bool {
		return it.LastMessage != nil && it.LastMessage.Message == noticeRoomClosedBy && it.Post.IsCompelete
	})
}

func TestMeSocketAuth(t *testing.T) {
	e := newChatEnv(t, func(c *Config) { c.MaxSocketsPerUser = 2 })
	_, member, room := chatPair(e)
	cookie := e.webLogin(member)
	withCookie := func(origin string) http.Header {
		h := http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}}
		if origin != "" {
			h.Set("Origin", origin)
		}
		return h
	}
	for _, tc := range []struct {
		name   string
		token  string
		header http.Header
		want   int
	}{
		{"no credential", "", nil, 401},
		{"bad token", "not-a-jwt", nil, 401},
		{"cookie from a foreign origin", "", withCookie("https://evil.example"), 403},
		{"cookie without origin", "", withCookie(""), 403},
	} {
		if c, status, _ := e.dialMe(tc.token, tc.header); status != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, status, tc.want)
			if c != nil {
				c.close()
			}
		}
	}

	// Our origin with the cookie works; logout closes it with 4401.
	web, status, err := e.dialMe("", withCookie(e.http.URL))
	if err != nil {
		t.Fatalf("cookie dial: %d %v", status, err)
	}
	// Room sockets and /ws/me/ count together toward the cap of 2.
	chat := e.mustDial(room, member)
	if _, status, _ := e.dialMe(member.token, nil); status != http.StatusTooManyRequests {
		t.Errorf("third socket: %d, want 429", status)
	}
	chat.close()
	if r := e.do(req{method: "POST", path: "/api/user/logout/", headers: map[string]string{webClientHeader: "web"},
		cookies: []*http.Cookie{cookie}}); r.status != 200 {
		t.Fatalf("logout: %d", r.status)
	}
	web.expectClose(statusRevoked)

	// A token socket closes on a password change. The closed sockets are
	// uncounted when their goroutines end: retry a 429 until then.
	var tok *wsClient
	for deadline := time.Now().Add(wait); tok == nil; {
		c, status, err := e.dialMe(member.token, nil)
		switch {
		case err == nil:
			tok = c
		case status != http.StatusTooManyRequests || time.Now().After(deadline):
			t.Fatalf("dial after logout: %d %v", status, err)
		default:
			time.Sleep(20 * time.Millisecond)
		}
	}
	if r := e.do(req{method: "POST", path: "/api/user/changepassword/", token: member.token, body: map[string]any{
		"current_password": member.password, "new_password1": "newpassword1", "new_password2": "newpassword1"}}); r.status != 200 {
		t.Fatalf("change password: %d %s", r.status, r.raw)
	}
	tok.expectClose(statusRevoked)
}

func TestMeSocketOrderStep(t *testing.T) {
	e := newChatEnv(t)
	org := e.register("organiser", addrSajik)
	a := e.register("neighbour_a", addrSajik)
	_, room := e.writeOrder(org, orderPostBody())
	e.joinAPI(room, a, 200)
	me := e.mustDialMe(a)
	if it := e.listItem(a, room); it.Post.StoreName == nil || *it.Post.StoreName != "교촌치킨 사직점" ||
		it.Post.OrderState == nil || *it.Post.OrderState != "recruiting" || it.Post.OrderAt == nil {
		t.Fatalf("order fields of the list item: %+v", it.Post)
	}
	e.orderCall("POST", room, "state/", org, map[string]any{"state": "locked"}, 200)
	got := me.expectUpdate(room, func(it chatListItem) bool {
		return it.Post.OrderState != nil && *it.Post.OrderState == "locked"
	})
	if got.LastMessage == nil || got.LastMessage.Message != "방장이 주문을 마감했어요. 이제 장바구니를 바꿀 수 없어요." || got.Unread != 0 {
		t.Fatalf("after the lock: %+v", got)
	}
}

// TestMeFeedCoalesces drives a feed by hand (no renderer goroutine, so no
// timing): a thousand messages in one room are one pending room and one
// room.updated per online member; the listener never waits on anything.
func TestMeFeedCoalesces(t *testing.T) {
	e := newChatEnv(t)
	writer, member, room := chatPair(e)
	_, other := e.writePost(writer, "다른 방", 5)
	e.joinAPI(other, member, 200)
	me := e.mustDialMe(member) // subscribed in the hub, where the hand-driven feed publishes

	f := &meFeed{s: e.srv, online: map[int64]int{member.id: 1}, rooms: map[int64]struct{}{},
		pairs: map[roomPair]struct{}{}, removed: map[roomPair]struct{}{}, wake: make(chan struct{}, 1)}
	for range 1000 {
		f.listen(roomEvent{Kind: roomMessage, RoomID: room, ActorID: writer.id})
	}
	if len(f.rooms) != 1 || len(f.wake) != 1 {
		t.Fatalf("pending rooms %d, wake %d", len(f.rooms), len(f.wake))
	}
	f.flush()
	f.touch(other, member.id)
	f.touch(other, writer.id) // offline for this feed: nothing
	if len(f.pairs) != 1 {
		t.Fatalf("pending pairs %d, want 1", len(f.pairs))
	}
	f.flush()
	if fr := me.nextMe(); fr.Type != "room.updated" || fr.Room.ID != room {
		t.Fatalf("first frame %s", fr.raw)
	}
	if fr := me.nextMe(); fr.Type != "room.updated" || fr.Room.ID != other {
		t.Fatalf("second frame %s, want the other room's (one frame for the busy room)", fr.raw)
	}
	// Nobody online: the listener notes nothing.
	idle := &meFeed{s: e.srv, online: map[int64]int{}, rooms: map[int64]struct{}{}, wake: make(chan struct{}, 1)}
	idle.listen(roomEvent{Kind: roomMessage, RoomID: room})
	if len(idle.rooms) != 0 {
		t.Error("a feed without listeners kept a room")
	}
}

// A message hidden by staff shows its placeholder as the list's last
// message, also live on /ws/me/.
func TestChatListHiddenMessage(t *testing.T) {
	m := newModEnv(t)
	_, room := m.writePost(m.resident, "가릴 글", 5)
	m.joinAPI(room, m.other, 200)
	me := m.mustDialMe(m.other)
	id := m.sendMessage(room, m.resident, "광고 메시지")
	rep := m.report(m.other, "message", id, 201)
	m.resolve(rep["id"], "hide", 200)
	me.expectUpdate(room, func(it chatListItem) bool {
		return it.LastMessage != nil && it.LastMessage.ID == id && it.LastMessage.Message == msgHiddenMessage
	})
	if it := m.listItem(m.other, room); it.LastMessage.Message != msgHiddenMessage {
		t.Errorf("list shows %q", it.LastMessage.Message)
	}
}
