package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mealbuddy/mealbuddy/internal/push"
	"github.com/mealbuddy/mealbuddy/internal/pushtest"
	"github.com/mealbuddy/mealbuddy/store"
)

// pushEnv is a chat server whose Web Push may reach a local fake push
// service (allowed with --push-allow, as an operator would).
type pushEnv struct {
	*testEnv
	fake    *pushtest.Service
	fakeURL string
}

func newPushEnv(t *testing.T, mutate ...func(*Config)) *pushEnv {
	t.Helper()
	fake := pushtest.New()
	fs := httptest.NewServer(fake)
	t.Cleanup(fs.Close)
	allow := func(c *Config) { c.PushAllow = []string{strings.TrimPrefix(fs.URL, "http://")} }
	e := newChatEnv(t, append([]func(*Config){allow}, mutate...)...)
	return &pushEnv{testEnv: e, fake: fake, fakeURL: fs.URL}
}

// subscribe registers a fresh fake subscription for u through the API.
func (e *pushEnv) subscribe(u testUser) *pushtest.Subscriber {
	e.t.Helper()
	sub, err := e.fake.Subscribe(e.fakeURL)
	if err != nil {
		e.t.Fatal(err)
	}
	r := e.do(req{method: "POST", path: "/api/push/subscriptions/", token: u.token, body: sub.JSON()})
	if r.status != http.StatusCreated {
		e.t.Fatalf("subscribe %s: %d %s", u.username, r.status, r.raw)
	}
	return sub
}

// flushPush waits until every queued push job has run.
func (e *testEnv) flushPush() {
	e.t.Helper()
	deadline := time.Now().Add(wait)
	for e.srv.push.pending.Load() != 0 {
		if time.Now().After(deadline) {
			e.t.Fatalf("push jobs still pending: %d", e.srv.push.pending.Load())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// pushesTo returns the decrypted payloads that reached sub, in order.
func (e *pushEnv) pushesTo(sub *pushtest.Subscriber) []pushPayload {
	e.t.Helper()
	var out []pushPayload
	for _, p := range e.fake.Received() {
		if p.Name != sub.Name {
			continue
		}
		var pl pushPayload
		if err := json.Unmarshal(p.Payload, &pl); err != nil {
			e.t.Fatalf("payload %s: %v", p.Payload, err)
		}
		out = append(out, pl)
	}
	return out
}

// message is a stored-looking chat message by u.
func message(roomID int64, u testUser, body string) *store.Message {
	return &store.Message{RoomID: roomID, User: &store.UserRef{ID: u.id, Username: u.username, Email: u.email}, Body: body, CreatedAt: time.Now()}
}

// execSQL changes the database behind the server's back, for states no
// route of this branch reaches (the mute switch is another branch's route).
func execSQL(t *testing.T, e *testEnv, q string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.dir, store.FileName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func countSubs(t *testing.T, e *testEnv, where string, args ...any) int {
	t.Helper()
	var n int
	if err := openReadOnly(t, filepath.Join(e.dir, store.FileName)).QueryRow(`SELECT count(*) FROM push_subscriptions WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPushKeyAndSubscriptions(t *testing.T) {
	e := newPushEnv(t)
	r := e.do(req{method: "GET", path: "/api/push/key/"})
	keys, err := push.LoadKeys(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.status != 200 || r.json(t)["public_key"] != keys.Public {
		t.Fatalf("key: %d %s", r.status, r.raw)
	}
	alice := e.register("alice", addrSajik)
	bob := e.register("bob", addrSajik)
	good, _ := e.fake.Subscribe(e.fakeURL)

	t.Run("SignedInOnly", func(t *testing.T) {
		r := e.do(req{method: "POST", path: "/api/push/subscriptions/", body: good.JSON()})
		if r.status != http.StatusUnauthorized {
			t.Errorf("anonymous subscribe: %d", r.status)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		keys := map[string]string{"p256dh": good.P256dh(), "auth": good.Auth()}
		for name, body := range map[string]map[string]any{
			"http":            {"endpoint": "http://push.example.com/x", "keys": keys},
			"loopback":        {"endpoint": "https://127.0.0.1/push/x", "keys": keys},
			"loopback-v6":     {"endpoint": "https://[::1]:8443/push/x", "keys": keys},
			"private":         {"endpoint": "https://10.0.0.8/push/x", "keys": keys},
			"link-local":      {"endpoint": "https://169.254.169.254/latest", "keys": keys},
			"localhost":       {"endpoint": "https://localhost/push/x", "keys": keys},
			"fake-over-https": {"endpoint": strings.Replace(good.Endpoint, "http://", "https://", 1) + "-other-port", "keys": keys},
			"too-long":        {"endpoint": "https://push.example.com/" + strings.Repeat("x", 2000), "keys": keys},
			"no-keys":         {"endpoint": "https://push.example.com/x"},
			"keys-string":     {"endpoint": "https://push.example.com/x", "keys": "abc"},
			"p256dh-short":    {"endpoint": "https://push.example.com/x", "keys": map[string]string{"p256dh": "BAAA", "auth": good.Auth()}},
			"p256dh-base64":   {"endpoint": "https://push.example.com/x", "keys": map[string]string{"p256dh": good.P256dh() + "+/", "auth": good.Auth()}},
			"auth-long":       {"endpoint": "https://push.example.com/x", "keys": map[string]string{"p256dh": good.P256dh(), "auth": strings.Repeat("A", 64)}},
			"no-endpoint":     {"keys": keys},
		} {
			if name == "fake-over-https" {
				continue // https to an allowed host is fine; covered by TestCheckEndpoint
			}
			r := e.do(req{method: "POST", path: "/api/push/subscriptions/", token: alice.token, body: body})
			if r.status != http.StatusBadRequest {
				t.Errorf("%s: %d %s, want 400", name, r.status, r.raw)
			}
		}
		if n := countSubs(t, e.testEnv, "1"); n != 0 {
			t.Errorf("%d subscriptions stored from refused requests", n)
		}
	})
	t.Run("SameEndpointChangesOwner", func(t *testing.T) {
		for _, u := range []testUser{alice, alice, bob} {
			r := e.do(req{method: "POST", path: "/api/push/subscriptions/", token: u.token, body: good.JSON()})
			if r.status != http.StatusCreated {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		}
		if n := countSubs(t, e.testEnv, "endpoint = ?", good.Endpoint); n != 1 {
			t.Errorf("%d rows for one endpoint", n)
		}
		if n := countSubs(t, e.testEnv, "endpoint = ? AND user_id = ?", good.Endpoint, bob.id); n != 1 {
			t.Error("the endpoint did not move to the last user")
		}
	})
	t.Run("DeleteOwnOnly", func(t *testing.T) {
		r := e.do(req{method: "DELETE", path: "/api/push/subscriptions/", token: alice.token, body: map[string]any{"endpoint": good.Endpoint}})
		if r.status != http.StatusNotFound {
			t.Errorf("alice deleting bob's: %d", r.status)
		}
		r = e.do(req{method: "DELETE", path: "/api/push/subscriptions/", token: bob.token, body: map[string]any{"endpoint": good.Endpoint}})
		if r.status != http.StatusNoContent {
			t.Errorf("bob deleting his own: %d %s", r.status, r.raw)
		}
		if n := countSubs(t, e.testEnv, "1"); n != 0 {
			t.Errorf("%d left", n)
		}
	})
	t.Run("NewestTenKept", func(t *testing.T) {
		var subs []*pushtest.Subscriber
		for range pushKeepPerUser + 2 {
			subs = append(subs, e.subscribe(alice))
		}
		if n := countSubs(t, e.testEnv, "user_id = ?", alice.id); n != pushKeepPerUser {
			t.Fatalf("alice has %d subscriptions, want %d", n, pushKeepPerUser)
		}
		for i, s := range subs {
			want := 1
			if i < 2 {
				want = 0
			}
			if n := countSubs(t, e.testEnv, "endpoint = ?", s.Endpoint); n != want {
				t.Errorf("subscription %d: %d rows, want %d", i, n, want)
			}
		}
	})
}

// TestPushSubscriptionEndsWithSession: a subscription made from a web
// session goes when that session logs out; one made with a token stays.
func TestPushSubscriptionEndsWithSession(t *testing.T) {
	e := newPushEnv(t)
	u := e.register("alice", addrSajik)
	ck := e.webLogin(u)
	viaToken := e.subscribe(u)
	viaCookie, _ := e.fake.Subscribe(e.fakeURL)
	web := map[string]string{webClientHeader: "web", "Origin": e.http.URL}
	r := e.do(req{method: "POST", path: "/api/push/subscriptions/", cookies: []*http.Cookie{ck}, headers: web, body: viaCookie.JSON()})
	if r.status != http.StatusCreated {
		t.Fatalf("subscribe with the cookie: %d %s", r.status, r.raw)
	}
	if n := countSubs(t, e.testEnv, "user_id = ?", u.id); n != 2 {
		t.Fatalf("%d subscriptions", n)
	}
	if r := e.do(req{method: "POST", path: "/api/user/logout/", cookies: []*http.Cookie{ck}, headers: web}); r.status != 200 {
		t.Fatalf("logout: %d %s", r.status, r.raw)
	}
	if n := countSubs(t, e.testEnv, "endpoint = ?", viaCookie.Endpoint); n != 0 {
		t.Error("the logged-out session's subscription is still there")
	}
	if n := countSubs(t, e.testEnv, "endpoint = ?", viaToken.Endpoint); n != 1 {
		t.Error("the token's subscription went with another session's logout")
	}

	// A password change revokes the token: its subscription gets nothing
	// more (a stolen token's subscription stops with it).
	writer := e.register("writer", addrSajik)
	_, room := e.writePost(writer, "치킨", 5)
	e.joinAPI(room, u, 200)
	e.flushPush()
	hello := func(body string) {
		e.srv.push.mu.Lock()
		clear(e.srv.push.lastMessage)
		e.srv.push.mu.Unlock()
		e.srv.emitRoomEvent(roomEvent{Kind: roomMessage, RoomID: room, ActorID: writer.id, Message: message(room, writer, body)})
		e.flushPush()
	}
	hello("before")
	if n := len(e.pushesTo(viaToken)); n != 1 {
		t.Fatalf("token subscription got %d pushes before the change", n)
	}
	r = e.do(req{method: "POST", path: "/api/user/changepassword/", token: u.token, body: map[string]any{
		"current_password": u.password, "new_password1": "rotated-pw-1", "new_password2": "rotated-pw-1"}})
	if r.status != 200 {
		t.Fatalf("change password: %d %s", r.status, r.raw)
	}
	hello("after")
	if n := len(e.pushesTo(viaToken)); n != 1 {
		t.Errorf("a revoked token's subscription got %d pushes, want still 1", n)
	}
}

// TestPushWhoGetsWhat: a message reaches the members who are away from
// the room, not its author, not a member with the room open, not a member
// who muted it; a second message within the minute is collapsed; order
// steps reach muted members too; a join reaches the organiser.
func TestPushWhoGetsWhat(t *testing.T) {
	e := newPushEnv(t)
	writer := e.register("writer", addrSajik)
	looking := e.register("looking", addrSajik)
	away := e.register("away", addrSajik)
	muted := e.register("muted", addrSajik)
	body := orderPostBody()
	body["target_number"] = 6
	_, room := e.writeOrder(writer, body)
	for _, u := range []testUser{looking, away, muted} {
		e.joinAPI(room, u, 200)
	}
	e.flushPush()
	subs := map[string]*pushtest.Subscriber{}
	for _, u := range []testUser{writer, looking, away, muted} {
		subs[u.username] = e.subscribe(u)
	}
	execSQL(t, e.testEnv, `UPDATE room_members SET muted = 1 WHERE room_id = ? AND user_id = ?`, room, muted.id)
	open := e.mustDial(room, looking)
	defer open.close()
	deadline := time.Now().Add(wait)
	for !e.srv.hub.Present(room)[looking.id] {
		if time.Now().After(deadline) {
			t.Fatal("the open socket never subscribed")
		}
		time.Sleep(time.Millisecond)
	}

	long := strings.Repeat("떡볶이 ", 60) // 240 characters
	e.srv.emitRoomEvent(roomEvent{Kind: roomMessage, RoomID: room, ActorID: writer.id, Message: message(room, writer, long)})
	e.srv.emitRoomEvent(roomEvent{Kind: roomMessage, RoomID: room, ActorID: writer.id, Message: message(room, writer, "두 번째")})
	e.flushPush()
	got := map[string]int{}
	for name, s := range subs {
		got[name] = len(e.pushesTo(s))
	}
	if want := map[string]int{"writer": 0, "looking": 0, "away": 1, "muted": 0}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("message pushes %v, want %v (failures %v)", got, want, e.fake.Failures())
	}
	p := e.pushesTo(subs["away"])[0]
	if p.URL != fmt.Sprintf("/chat/%d/", room) || p.Tag != fmt.Sprintf("room-%d", room) || p.Title != "치킨 같이 시켜요" {
		t.Errorf("payload %+v", p)
	}
	if !strings.HasPrefix(p.Body, "writer: 떡볶이") || utf8.RuneCountInString(p.Body) > 100 {
		t.Errorf("body %q (%d chars)", p.Body, utf8.RuneCountInString(p.Body))
	}
	for _, rec := range e.fake.Received() {
		if strings.Contains(string(rec.Payload), "@") {
			t.Errorf("a payload carries an email: %s", rec.Payload)
		}
		if rec.Topic != fmt.Sprintf("room-%d", room) {
			t.Errorf("Topic %q", rec.Topic)
		}
	}

	// Blocking the author stops the pushes of their messages.
	blocker := e.register("blocker", addrSajik)
	e.joinAPI(room, blocker, 200)
	e.flushPush()
	blockerSub := e.subscribe(blocker)
	if r := e.do(req{method: "POST", path: "/api/user/blocks/", token: blocker.token, body: map[string]any{"user_id": writer.id}}); r.status != http.StatusCreated {
		t.Fatalf("block: %d %s", r.status, r.raw)
	}

	// A minute later the next message goes out again.
	e.srv.push.mu.Lock()
	for k, at := range e.srv.push.lastMessage {
		e.srv.push.lastMessage[k] = at.Add(-pushMessageEvery)
	}
	e.srv.push.mu.Unlock()
	e.srv.emitRoomEvent(roomEvent{Kind: roomMessage, RoomID: room, ActorID: writer.id, Message: message(room, writer, "세 번째")})
	e.flushPush()
	if n := len(e.pushesTo(subs["away"])); n != 2 {
		t.Errorf("after a minute: %d pushes to away, want 2", n)
	}
	if n := len(e.pushesTo(blockerSub)); n != 0 {
		t.Errorf("a member who blocked the author got %d message pushes", n)
	}

	// An order step reaches the muted member as well, not the one who
	// made it, not the one looking.
	before := map[string]int{}
	for name, s := range subs {
		before[name] = len(e.pushesTo(s))
	}
	e.orderCall("POST", room, "state/", writer, map[string]any{"state": "locked"}, 200)
	notice := &store.Message{RoomID: room, Body: "방장이 주문을 마감했어요. 이제 장바구니를 바꿀 수 없어요."}
	e.srv.emitRoomEvent(roomEvent{Kind: roomOrder, RoomID: room, ActorID: writer.id, Message: notice})
	// A change within the same state (a payment mark) is no step.
	e.srv.emitRoomEvent(roomEvent{Kind: roomOrder, RoomID: room, ActorID: writer.id})
	e.flushPush()
	for name, want := range map[string]int{"writer": 0, "looking": 0, "away": 1, "muted": 1} {
		if n := len(e.pushesTo(subs[name])) - before[name]; n != want {
			t.Errorf("order step: %s got %d pushes, want %d", name, n, want)
		}
	}
	if ps := e.pushesTo(subs["muted"]); len(ps) == 0 || ps[len(ps)-1].Body != notice.Body {
		t.Errorf("order step payloads to muted: %+v", ps)
	}

	// Someone joined: the organiser only.
	newcomer := e.register("newcomer", addrSajik)
	for name, s := range subs {
		before[name] = len(e.pushesTo(s))
	}
	e.srv.emitRoomEvent(roomEvent{Kind: roomJoined, RoomID: room, ActorID: newcomer.id})
	e.flushPush()
	for name, want := range map[string]int{"writer": 1, "looking": 0, "away": 0, "muted": 0} {
		if n := len(e.pushesTo(subs[name])) - before[name]; n != want {
			t.Errorf("join: %s got %d pushes, want %d", name, n, want)
		}
	}
	if ps := e.pushesTo(subs["writer"]); ps[len(ps)-1].Body != "newcomer님이 주문에 참여했어요." {
		t.Errorf("join payload %+v", ps[len(ps)-1])
	}
	// The room is full: everyone away, muted or not.
	for name, s := range subs {
		before[name] = len(e.pushesTo(s))
	}
	e.srv.emitRoomEvent(roomEvent{Kind: roomFull, RoomID: room})
	e.flushPush()
	for name, want := range map[string]int{"writer": 1, "looking": 0, "away": 1, "muted": 1} {
		if n := len(e.pushesTo(subs[name])) - before[name]; n != want {
			t.Errorf("full: %s got %d pushes, want %d", name, n, want)
		}
	}
	if n := e.srv.push.sent.Get(); n == 0 {
		t.Error("mealbuddy_push_sent_total did not count")
	}
}

// TestPushGoneSubscriptionDeleted: a 410 from the push service removes the
// subscription, and counts as a failure.
func TestPushGoneSubscriptionDeleted(t *testing.T) {
	e := newPushEnv(t)
	writer, member, room := chatPair(e.testEnv)
	sub := e.subscribe(member)
	e.fake.SetStatus(sub.Name, http.StatusGone)
	e.srv.emitRoomEvent(roomEvent{Kind: roomMessage, RoomID: room, ActorID: writer.id, Message: message(room, writer, "hi")})
	e.flushPush()
	if n := countSubs(t, e.testEnv, "endpoint = ?", sub.Endpoint); n != 0 {
		t.Error("a gone subscription was kept")
	}
	if e.srv.push.gone.Get() != 1 {
		t.Errorf("gone counted %d", e.srv.push.gone.Get())
	}
}

// TestPushDialGuard: a subscription stored with a name that resolves to
// this machine (as a rebinding name would after registration) is never
// dialled without --push-allow.
func TestPushDialGuard(t *testing.T) {
	e := newPushEnv(t)
	writer, member, room := chatPair(e.testEnv)
	sub, _ := e.fake.Subscribe(e.fakeURL)
	port := e.fakeURL[strings.LastIndex(e.fakeURL, ":")+1:]
	err := e.store.SavePushSubscription(context.Background(), store.PushSubscription{UserID: member.id,
		Endpoint: "https://localhost:" + port + "/push/" + sub.Name, P256dh: sub.P256dh(), Auth: sub.Auth()}, store.PushCredential{CredVersion: 1}, 10)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.push.noteSubscriber(member.id) // stored behind the server's back
	e.srv.emitRoomEvent(roomEvent{Kind: roomMessage, RoomID: room, ActorID: writer.id, Message: message(room, writer, "hi")})
	e.flushPush()
	if n := len(e.fake.Received()) + len(e.fake.Failures()); n != 0 {
		t.Errorf("%d requests reached the loopback service", n)
	}
	if e.srv.push.failed.Get() != 1 {
		t.Errorf("failures counted %d, want 1", e.srv.push.failed.Get())
	}
}

// TestPushStalledServiceNeverDelaysChat: with the push service hanging,
// emitting events never blocks (the queue drops when full) and chat
// messages still go round between two sockets.
func TestPushStalledServiceNeverDelaysChat(t *testing.T) {
	e := newPushEnv(t)
	writer, member, room := chatPair(e.testEnv)
	e.subscribe(member)
	release := e.fake.Stall()
	t.Cleanup(release)

	// More events than workers and queue together: every emit returns.
	n := pushQueueSize + pushWorkers + 50
	for i := range n {
		e.srv.push.mu.Lock()
		clear(e.srv.push.lastMessage) // no collapsing: every event sends
		e.srv.push.mu.Unlock()
		e.srv.emitRoomEvent(roomEvent{Kind: roomMessage, RoomID: room, ActorID: writer.id, Message: message(room, writer, fmt.Sprint("m", i))})
	}
	if e.srv.push.dropped.Get() == 0 {
		t.Error("a full queue dropped nothing")
	}
	deadline := time.Now().Add(wait)
	for e.fake.Stalled() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("no push reached the stalled service")
		}
		time.Sleep(time.Millisecond)
	}

	// Chat goes on while pushes hang.
	a := e.mustDial(room, writer)
	defer a.close()
	b := e.mustDial(room, member)
	defer b.close()
	a.send("배달 왔어요")
	if ev := b.expect("chat.message"); ev.Message.Message != "배달 왔어요" {
		t.Errorf("member got %+v", ev)
	}
	if ev := a.expect("chat.message"); ev.Message.Message != "배달 왔어요" {
		t.Errorf("writer's echo %+v", ev)
	}
	if len(e.fake.Received()) != 0 {
		t.Error("a push completed while the service was stalled")
	}
}

// TestPushReminders: the deadline reminder goes once to the members, the
// settlement reminder once to who has not paid, two hours after arrival.
func TestPushReminders(t *testing.T) {
	e := newPushEnv(t, func(c *Config) { c.OrderMinLead = time.Minute; c.PushScanEvery = -1 })
	writer := e.register("writer", addrSajik)
	payer := e.register("payer", addrSajik)
	late := e.register("late", addrSajik)
	body := orderPostBody()
	body["order_at"] = orderAt(5 * time.Minute)
	_, room := e.writeOrder(writer, body)
	e.joinAPI(room, payer, 200)
	e.joinAPI(room, late, 200)
	e.flushPush()
	subs := map[string]*pushtest.Subscriber{"writer": e.subscribe(writer), "payer": e.subscribe(payer), "late": e.subscribe(late)}

	e.srv.pushReminders(context.Background())
	e.srv.pushReminders(context.Background()) // a second scan sends nothing again
	e.flushPush()
	for name, s := range subs {
		ps := e.pushesTo(s)
		if len(ps) != 1 || !strings.HasPrefix(ps[0].Body, "10분 뒤") {
			t.Errorf("deadline reminder to %s: %+v", name, ps)
		}
	}

	// The food arrived; payer marks paid, late does not.
	execSQL(t, e.testEnv, `UPDATE orders SET state = 'arrived' WHERE post_id = (SELECT post_id FROM chat_rooms WHERE id = ?)`, room)
	execSQL(t, e.testEnv, `INSERT INTO order_members (post_id, user_id, paid) VALUES ((SELECT post_id FROM chat_rooms WHERE id = ?), ?, 'sent')`, room, payer.id)
	e.srv.emitRoomEvent(roomEvent{Kind: roomOrder, RoomID: room, ActorID: writer.id})
	e.flushPush()
	before := map[string]int{}
	for name, s := range subs {
		before[name] = len(e.pushesTo(s))
	}
	e.srv.pushReminders(context.Background()) // not yet due
	e.flushPush()
	e.advanceStoreClock(pushSettleAfter + time.Minute)
	e.srv.pushReminders(context.Background())
	e.srv.pushReminders(context.Background())
	e.flushPush()
	for name, want := range map[string]int{"writer": 0, "payer": 0, "late": 1} {
		ps := e.pushesTo(subs[name])
		if n := len(ps) - before[name]; n != want {
			t.Errorf("settlement reminder to %s: %d, want %d", name, n, want)
		}
	}
	if ps := e.pushesTo(subs["late"]); !strings.Contains(ps[len(ps)-1].Body, "송금") {
		t.Errorf("settlement payload %+v", ps[len(ps)-1])
	}
}

// TestPushAllowFlag: --push-allow is a serve flag with its MEALBUDDY_
// twin (a comma list), and a malformed entry stops the server from
// starting.
func TestPushAllowFlag(t *testing.T) {
	cmd := newServeCommand(&rootOptions{})
	t.Setenv("MEALBUDDY_PUSH_ALLOW", "push.lan:8443,10.0.0.9:80")
	if err := bindEnv(cmd.Flags()); err != nil {
		t.Fatal(err)
	}
	if v, _ := cmd.Flags().GetStringSlice("push-allow"); fmt.Sprint(v) != "[push.lan:8443 10.0.0.9:80]" {
		t.Errorf("MEALBUDDY_PUSH_ALLOW gave %v", v)
	}
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = NewServer(Config{DataDir: dir, Weather: "off", PushAllow: []string{"push.lan"}}, st, nil, testUI, testLogger(t))
	if err == nil || !strings.Contains(err.Error(), "--push-allow") {
		t.Errorf("a --push-allow without a port: %v", err)
	}
}

// TestPushSubscribersKnownAfterRestart: the users with subscriptions are
// read at start, so a restarted server still pushes to them.
func TestPushSubscribersKnownAfterRestart(t *testing.T) {
	e := newPushEnv(t)
	u := e.register("alice", addrSajik)
	e.subscribe(u)
	srv, err := NewServer(Config{DataDir: e.dir, Weather: "off"}, e.store, nil, testUI, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	if !srv.push.isSubscriber(u.id) || srv.push.nSubscribed.Load() != 1 {
		t.Errorf("a new server does not know alice subscribed (%d known)", srv.push.nSubscribed.Load())
	}
}
