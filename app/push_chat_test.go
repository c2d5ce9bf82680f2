package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/internal/pushtest"
)

// TestPushThroughChat runs the real call sites: a message written on the
// room's socket reaches the member who is away as one push and nobody
// else; with the push service hanging, messages still go round; a join
// through the API reaches the organiser, who has no page open.
func TestPushThroughChat(t *testing.T) {
	e := newPushEnv(t)
	writer, looking, room := chatPair(e.testEnv)
	away := e.register("away", addrSajik)
	e.joinAPI(room, away, 200)
	e.flushPush()
	subs := map[string]*pushtest.Subscriber{}
	for _, u := range []testUser{writer, looking, away} {
		subs[u.username] = e.subscribe(u)
	}
	a := e.mustDial(room, writer)
	b := e.mustDial(room, looking)
	defer b.close()
	a.send("치킨 도착했어요")
	a.expect("chat.message")
	if ev := b.expect("chat.message"); ev.Message.Message != "치킨 도착했어요" {
		t.Fatalf("looking got %+v", ev)
	}
	a.send("내려오세요") // within the minute: collapsed
	b.expect("chat.message")
	e.flushPush()
	got := map[string]int{}
	for name, s := range subs {
		got[name] = len(e.pushesTo(s))
	}
	if want := map[string]int{"writer": 0, "member": 0, "away": 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pushes %v, want %v (failures %v)", got, want, e.fake.Failures())
	}
	if p := e.pushesTo(subs["away"])[0]; p.Body != "writer: 치킨 도착했어요" || strings.Contains(p.Body, "@") {
		t.Errorf("payload %+v", p)
	}

	// The push service hangs: chat goes on.
	release := e.fake.Stall()
	t.Cleanup(release)
	e.srv.push.mu.Lock()
	clear(e.srv.push.lastMessage)
	e.srv.push.mu.Unlock()
	for i := range 5 {
		msg := fmt.Sprint("stalled ", i)
		a.send(msg)
		if ev := b.expect("chat.message"); ev.Message.Message != msg {
			t.Fatalf("while stalled, looking got %+v", ev)
		}
	}
	release()
	a.close()
	e.flushPush()
	deadline := time.Now().Add(wait)
	for e.srv.hub.Present(room)[writer.id] {
		if time.Now().After(deadline) {
			t.Fatal("the writer's closed socket is still subscribed")
		}
		time.Sleep(time.Millisecond)
	}

	// A join through the API: the organiser (no socket now) hears of it.
	before := len(e.pushesTo(subs["writer"]))
	newcomer := e.register("newcomer", addrSajik)
	e.joinAPI(room, newcomer, http.StatusOK)
	e.flushPush()
	ps := e.pushesTo(subs["writer"])
	if len(ps) != before+1 || ps[len(ps)-1].Body != "newcomer님이 주문에 참여했어요." {
		t.Errorf("organiser's pushes after a join: %+v", ps[before:])
	}
}
