package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/store"
)

// modEnv is a server with a resident, a second resident, staff and a
// disabled account, all in one neighbourhood.
type modEnv struct {
	*testEnv
	resident, other, staff, disabled testUser
}

func newModEnv(t *testing.T, mutate ...func(*Config)) *modEnv {
	t.Helper()
	e := newTestEnv(t, mutate...)
	m := &modEnv{testEnv: e}
	m.resident = e.register("resident", addrSajik)
	m.other = e.register("other", addrSajik)
	m.staff = e.register("staff", addrSajik)
	m.disabled = e.register("disabled", addrSajik)
	ctx := context.Background()
	if err := e.store.SetStaff(ctx, m.staff.id, true); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetActive(ctx, m.disabled.id, false); err != nil {
		t.Fatal(err)
	}
	return m
}

// sendMessage stores a chat message through a real socket and returns its id.
func (e *testEnv) sendMessage(roomID int64, u testUser, text string) int64 {
	e.t.Helper()
	c := e.mustDial(roomID, u)
	defer c.close()
	c.send(text)
	for {
		ev := c.expect("chat.message")
		if ev.Message.Message == text {
			return ev.Message.ID
		}
	}
}

func (e *testEnv) report(u testUser, target string, id int64, want int) map[string]any {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/api/reports/", token: u.token,
		body: map[string]any{"target": target, "id": id, "reason": "spam", "text": "광고예요"}})
	if r.status != want {
		e.t.Fatalf("report %s %d as %s: %d %s, want %d", target, id, u.username, r.status, r.raw, want)
	}
	if want >= 300 {
		return nil
	}
	return r.json(e.t)
}

func boardTitles(t *testing.T, e *testEnv, u testUser) []string {
	t.Helper()
	r := e.do(req{method: "GET", path: "/api/post/", token: u.token})
	if r.status != 200 {
		t.Fatalf("board: %d %s", r.status, r.raw)
	}
	var titles []string
	for _, p := range r.json(t)["posts"].([]any) {
		titles = append(titles, p.(map[string]any)["title"].(string))
	}
	return titles
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestModerationAuthorization: every new route for anonymous, resident,
// staff and disabled callers.
func TestModerationAuthorization(t *testing.T) {
	m := newModEnv(t)
	postID, _ := m.writePost(m.other, "신고 대상", 4)
	cases := []struct {
		method, path                    string
		body                            any
		anon, resident, staff, disabled int
	}{
		{"POST", "/api/reports/", map[string]any{"target": "post", "id": postID, "reason": "spam"}, 401, 201, 201, 401},
		{"GET", "/api/user/blocks/", nil, 401, 200, 200, 401},
		{"POST", "/api/user/blocks/", map[string]any{"user_id": m.other.id}, 401, 201, 201, 401},
		{"DELETE", "/api/user/blocks/", map[string]any{"user_id": m.other.id}, 401, 204, 204, 401},
		{"GET", "/api/admin/reports/", nil, 401, 403, 200, 401},
		{"GET", "/api/admin/reports/1/", nil, 401, 403, 200, 401},
		{"POST", "/api/admin/reports/1/resolve/", map[string]any{"action": "dismiss"}, 401, 403, 200, 401},
		{"GET", "/api/admin/users/pending/", nil, 401, 403, 200, 401},
		{"POST", "/api/admin/users/999/approve/", nil, 401, 403, 404, 401},
		{"GET", "/api/admin/audit/", nil, 401, 403, 200, 401},
		// Open routes: they authenticate by what the body carries.
		{"POST", "/api/user/reset-password/", map[string]any{"token": "x", "password1": "newpassword1", "password2": "newpassword1"}, 400, 400, 400, 400},
		{"POST", "/api/user/reset-request/", map[string]any{"email": "a@example.com"}, 404, 404, 404, 404},
		{"GET", "/api/user/signup/", nil, 200, 200, 200, 200},
	}
	for _, c := range cases {
		for _, who := range []struct {
			name  string
			token string
			want  int
		}{{"anonymous", "", c.anon}, {"resident", m.resident.token, c.resident}, {"staff", m.staff.token, c.staff}, {"disabled", m.disabled.token, c.disabled}} {
			t.Run(c.method+" "+c.path+" "+who.name, func(t *testing.T) {
				r := m.do(req{method: c.method, path: c.path, token: who.token, body: c.body})
				if r.status != who.want {
					t.Errorf("%d %s, want %d", r.status, r.raw, who.want)
				}
			})
		}
	}
}

func TestReportValidation(t *testing.T) {
	m := newModEnv(t)
	postID, _ := m.writePost(m.other, "글", 4)
	long := strings.Repeat("가", 501)
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"ErrTargetRequired", map[string]any{"id": postID, "reason": "spam"}, "target"},
		{"ErrTargetUnknown", map[string]any{"target": "room", "id": postID, "reason": "spam"}, "target"},
		{"ErrIDRequired", map[string]any{"target": "post", "reason": "spam"}, "id"},
		{"ErrIDNotInteger", map[string]any{"target": "post", "id": "abc", "reason": "spam"}, "id"},
		{"ErrIDNegative", map[string]any{"target": "post", "id": -3, "reason": "spam"}, "id"},
		{"ErrReasonRequired", map[string]any{"target": "post", "id": postID}, "reason"},
		{"ErrReasonUnknown", map[string]any{"target": "post", "id": postID, "reason": "boring"}, "reason"},
		{"ErrTextTooLong", map[string]any{"target": "post", "id": postID, "reason": "other", "text": long}, "text"},
		{"ErrTextNotString", map[string]any{"target": "post", "id": postID, "reason": "other", "text": 5}, "text"},
		{"ErrSelf", map[string]any{"target": "user", "id": m.resident.id, "reason": "abuse"}, "id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := m.do(req{method: "POST", path: "/api/reports/", token: m.resident.token, body: c.body})
			if r.status != 400 {
				t.Fatalf("%d %s, want 400", r.status, r.raw)
			}
			if _, ok := r.fieldErrs(t)[c.field]; !ok {
				t.Errorf("no error for %s in %s", c.field, r.raw)
			}
		})
	}
	t.Run("OKTextAtLimit", func(t *testing.T) {
		r := m.do(req{method: "POST", path: "/api/reports/", token: m.resident.token,
			body: map[string]any{"target": "user", "id": m.other.id, "reason": "other", "text": strings.Repeat("가", 500)}})
		if r.status != 201 {
			t.Errorf("%d %s", r.status, r.raw)
		}
	})
}

func TestReportVisibilityAndIdempotence(t *testing.T) {
	m := newModEnv(t)
	postID, roomID := m.writePost(m.other, "다른 사람 글", 4)
	msgID := m.sendMessage(roomID, m.other, "방 안의 말")

	first := m.report(m.resident, "post", postID, 201)
	again := m.report(m.resident, "post", postID, 200)
	if first["id"] != again["id"] || first["status"] != "open" || first["target"] != "post" {
		t.Errorf("a repeated report: %v then %v", first, again)
	}
	if n := len(mustReports(t, m, false)); n != 1 {
		t.Errorf("%d open reports after reporting twice, want 1", n)
	}
	// A message only by a member of its room; anything else is a 404.
	m.report(m.resident, "message", msgID, 404)
	m.joinAPI(roomID, m.resident, 200)
	m.report(m.resident, "message", msgID, 201)
	m.report(m.resident, "post", 99999, 404)
	m.report(m.resident, "message", 99999, 404)
	m.report(m.resident, "user", 99999, 404)
	m.report(m.resident, "user", m.other.id, 201)
}

func mustReports(t *testing.T, m *modEnv, all bool) []map[string]any {
	t.Helper()
	path := "/api/admin/reports/"
	if all {
		path += "?all=1"
	}
	r := m.do(req{method: "GET", path: path, token: m.staff.token})
	if r.status != 200 {
		t.Fatalf("reports: %d %s", r.status, r.raw)
	}
	var out []map[string]any
	for _, x := range r.json(t)["reports"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func (m *modEnv) resolve(reportID any, action string, want int) response {
	m.t.Helper()
	r := m.do(req{method: "POST", path: fmt.Sprintf("/api/admin/reports/%v/resolve/", reportID), token: m.staff.token,
		body: map[string]any{"action": action}})
	if r.status != want {
		m.t.Fatalf("resolve %v %s: %d %s, want %d", reportID, action, r.status, r.raw, want)
	}
	return r
}

func TestStaffHidesPost(t *testing.T) {
	m := newModEnv(t)
	postID, _ := m.writePost(m.other, "광고 글", 4)
	m.writePost(m.other, "멀쩡한 글", 4)
	// Fill the shared board cache first: the hide must still show.
	if !contains(boardTitles(t, m.testEnv, m.resident), "광고 글") {
		t.Fatal("the post is not on the board before hiding")
	}
	rep := m.report(m.resident, "post", postID, 201)
	m.report(m.other, "post", postID, 201) // a second reporter, same target
	r := m.resolve(rep["id"], "hide", 200)
	if got := r.json(t); got["status"] != "resolved" || got["action"] != "hide" {
		t.Errorf("resolved report: %s", r.raw)
	}
	for _, u := range []testUser{m.resident, m.other, m.staff} {
		if titles := boardTitles(t, m.testEnv, u); contains(titles, "광고 글") || !contains(titles, "멀쩡한 글") {
			t.Errorf("%s's board after hiding: %v", u.username, titles)
		}
	}
	detail := fmt.Sprintf("/api/post/detail/%d/", postID)
	if r := m.do(req{method: "GET", path: detail, token: m.resident.token}); r.status != 404 {
		t.Errorf("resident reads a hidden post: %d", r.status)
	}
	if r := m.do(req{method: "GET", path: detail, token: m.staff.token}); r.status != 200 {
		t.Errorf("staff reads a hidden post: %d", r.status)
	}
	// Kept in the database, and both reports on it are closed.
	if _, err := m.store.PostByID(context.Background(), postID); err != nil {
		t.Errorf("the hidden post is gone from the database: %v", err)
	}
	if open := mustReports(t, m, false); len(open) != 0 {
		t.Errorf("open reports after resolving: %v", open)
	}
	// A hidden post cannot be reported any more by residents.
	m.report(m.disabled, "post", postID, 401)
	third := m.register("third", addrSajik)
	m.report(third, "post", postID, 404)
	entries := auditEntries(t, m)
	if len(entries) != 1 || entries[0]["action"] != "hide" || entries[0]["actor"] != "staff" ||
		entries[0]["target"] != "post" || entries[0]["created_at"] == "" {
		t.Errorf("audit log: %v", entries)
	}
}

func auditEntries(t *testing.T, m *modEnv) []map[string]any {
	t.Helper()
	r := m.do(req{method: "GET", path: "/api/admin/audit/", token: m.staff.token})
	if r.status != 200 {
		t.Fatalf("audit: %d %s", r.status, r.raw)
	}
	var out []map[string]any
	for _, x := range r.json(t)["entries"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func TestStaffHidesMessageLiveAndInHistory(t *testing.T) {
	m := newModEnv(t)
	_, roomID := m.writePost(m.other, "방", 5)
	m.joinAPI(roomID, m.resident, 200)
	bad := m.sendMessage(roomID, m.other, "나쁜 말")
	good := m.sendMessage(roomID, m.other, "좋은 말")
	watcher := m.mustDial(roomID, m.resident)
	defer watcher.close()
	rep := m.report(m.resident, "message", bad, 201)
	m.resolve(rep["id"], "hide", 200)
	ev := watcher.expect("chat.message.hidden")
	if ev.Message.ID != bad || ev.Message.Message != msgHiddenMessage || ev.Message.User == nil || ev.Message.User.ID != m.other.id {
		t.Errorf("live hide frame: %s", ev.raw)
	}
	r := m.do(req{method: "GET", path: roomPath(roomID, ""), token: m.other.token})
	if r.status != 200 {
		t.Fatalf("history: %d %s", r.status, r.raw)
	}
	seen := map[int64]string{}
	for _, x := range r.json(t)["messages"].([]any) {
		mm := x.(map[string]any)
		seen[int64(mm["id"].(float64))] = mm["message"].(string)
	}
	if seen[bad] != msgHiddenMessage || seen[good] != "좋은 말" {
		t.Errorf("history after hiding: %v", seen)
	}
	// Kept for the record.
	ref, err := m.store.MessageByID(context.Background(), bad)
	if err != nil || ref.Body != "나쁜 말" {
		t.Errorf("stored message: %+v %v", ref, err)
	}
}

func TestStaffDisablesUser(t *testing.T) {
	m := newModEnv(t)
	postID, _ := m.writePost(m.other, "사기 글", 4)
	rep := m.report(m.resident, "post", postID, 201)
	m.resolve(rep["id"], "disable-user", 200)
	if r := m.do(req{method: "GET", path: "/api/user/current/", token: m.other.token}); r.status != 401 {
		t.Errorf("the disabled writer's token still works: %d", r.status)
	}
	entries := auditEntries(t, m)
	if len(entries) != 1 || entries[0]["action"] != "disable-user" || entries[0]["target"] != "user" ||
		int64(entries[0]["target_id"].(float64)) != m.other.id {
		t.Errorf("audit: %v", entries)
	}
}

func TestResolveValidation(t *testing.T) {
	m := newModEnv(t)
	userRep := m.report(m.resident, "user", m.other.id, 201)
	for _, c := range []struct {
		name, action string
	}{{"ErrActionUnknown", "delete"}, {"ErrHideUser", "hide"}, {"ErrActionMissing", ""}} {
		t.Run(c.name, func(t *testing.T) {
			body := map[string]any{}
			if c.action != "" {
				body["action"] = c.action
			}
			r := m.do(req{method: "POST", path: fmt.Sprintf("/api/admin/reports/%v/resolve/", userRep["id"]), token: m.staff.token, body: body})
			if r.status != 400 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if _, ok := r.fieldErrs(t)["action"]; !ok {
				t.Errorf("no action error: %s", r.raw)
			}
		})
	}
	m.resolve(99999, "dismiss", 404)
	m.resolve("abc", "dismiss", 404)
	m.resolve(userRep["id"], "dismiss", 200)
	if len(auditEntries(t, m)) != 1 {
		t.Error("a refused resolve was audited, or the dismiss was not")
	}
}

func TestBlocks(t *testing.T) {
	m := newModEnv(t)
	postID, roomID := m.writePost(m.other, "차단될 글", 5)
	m.writePost(m.staff, "보일 글", 5)
	m.joinAPI(roomID, m.staff, 200)
	m.sendMessage(roomID, m.other, "차단된 사람의 말")
	m.sendMessage(roomID, m.staff, "다른 사람의 말")
	_, myRoom := m.writePost(m.resident, "내 모집", 5)

	// The cached page of the area holds the post: a viewer with blocks
	// must not be served from it.
	if !contains(boardTitles(t, m.testEnv, m.register("viewer", addrSajik)), "차단될 글") {
		t.Fatal("the post is not on the board")
	}
	r := m.do(req{method: "POST", path: "/api/user/blocks/", token: m.resident.token, body: map[string]any{"user_id": m.other.id}})
	if r.status != 201 {
		t.Fatalf("block: %d %s", r.status, r.raw)
	}
	if r := m.do(req{method: "POST", path: "/api/user/blocks/", token: m.resident.token, body: map[string]any{"user_id": m.other.id}}); r.status != 201 {
		t.Errorf("block again: %d", r.status)
	}
	list := m.do(req{method: "GET", path: "/api/user/blocks/", token: m.resident.token}).json(t)["blocks"].([]any)
	if len(list) != 1 || int64(list[0].(map[string]any)["id"].(float64)) != m.other.id {
		t.Errorf("blocks: %v", list)
	}
	titles := boardTitles(t, m.testEnv, m.resident)
	if contains(titles, "차단될 글") || !contains(titles, "보일 글") {
		t.Errorf("blocker's board: %v", titles)
	}
	if !contains(boardTitles(t, m.testEnv, m.staff), "차단될 글") {
		t.Error("someone else lost the post from their board")
	}
	if r := m.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/", postID), token: m.resident.token}); r.status != 404 {
		t.Errorf("blocked writer's post detail: %d", r.status)
	}
	// History hides the blocked user's messages.
	m.joinAPI(roomID, m.resident, 200)
	hist := m.do(req{method: "GET", path: roomPath(roomID, ""), token: m.resident.token})
	if strings.Contains(string(hist.raw), "차단된 사람의 말") || !strings.Contains(string(hist.raw), "다른 사람의 말") {
		t.Errorf("blocker's history: %s", hist.raw)
	}
	// The blocked user cannot join my orders.
	r = m.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/", myRoom), token: m.other.token})
	if r.status != 400 || r.str(t) != msgJoinBlocked {
		t.Errorf("blocked user joins my order: %d %s", r.status, r.raw)
	}
	// Unblock: everything is back.
	if r := m.do(req{method: "DELETE", path: "/api/user/blocks/", token: m.resident.token, body: map[string]any{"user_id": m.other.id}}); r.status != 204 {
		t.Fatalf("unblock: %d", r.status)
	}
	if !contains(boardTitles(t, m.testEnv, m.resident), "차단될 글") {
		t.Error("the post did not come back after unblocking")
	}
	m.joinAPI(myRoom, m.other, 200)
}

// A viewer whose blocks hide nothing on a board (the blocked writer has
// no post in its neighbourhoods) is served the page the board keeps for
// everyone; one whose blocks hide a post gets a page of their own.
func TestBlocksThatHideNothingShareTheKeptPage(t *testing.T) {
	m := newModEnv(t)
	m.writePost(m.other, "이웃의 글", 5)
	far := m.register("far", addrYongdam)
	m.writePost(far, "먼 동네 글", 5)
	block := func(u testUser) {
		t.Helper()
		if r := m.do(req{method: "POST", path: "/api/user/blocks/", token: m.resident.token, body: map[string]any{"user_id": u.id}}); r.status != 201 {
			t.Fatalf("block: %d %s", r.status, r.raw)
		}
	}
	block(far) // far writes, but not on 사직동's board

	// With the board cache looking for commits of other processes once an
	// hour, it does not look again after its first look: a post written
	// behind the server's back (below) stays off the kept page, which
	// tells the kept page from one rendered for the viewer.
	m.srv.boards.commits = store.NewCommitWatch(m.store.DataVersion, time.Hour, time.Now)
	if titles := boardTitles(t, m.testEnv, m.staff); !contains(titles, "이웃의 글") {
		t.Fatalf("the board: %v", titles)
	}
	other, err := m.store.UserByID(context.Background(), m.other.id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.store.CreatePost(context.Background(), store.NewPost{WriterID: other.ID, Title: "몰래 쓴 글", Category: "치킨",
		Content: "같이 시켜요", Address: other.Address, Area: other.Area(), TargetNumber: 5}); err != nil {
		t.Fatal(err)
	}
	if titles := boardTitles(t, m.testEnv, m.resident); !contains(titles, "이웃의 글") || contains(titles, "몰래 쓴 글") {
		t.Errorf("a viewer whose block hides nothing here was not served the kept page: %v", titles)
	}

	block(m.other)
	if titles := boardTitles(t, m.testEnv, m.resident); contains(titles, "이웃의 글") || contains(titles, "몰래 쓴 글") {
		t.Errorf("a viewer whose block hides posts here: %v", titles)
	}
	if titles := boardTitles(t, m.testEnv, m.staff); contains(titles, "몰래 쓴 글") || !contains(titles, "이웃의 글") {
		t.Errorf("the kept page changed: %v", titles)
	}
}

func TestBlockValidation(t *testing.T) {
	m := newModEnv(t)
	for _, c := range []struct {
		name string
		body any
	}{
		{"ErrMissing", map[string]any{}},
		{"ErrNotInteger", map[string]any{"user_id": "kim"}},
		{"ErrSelf", map[string]any{"user_id": m.resident.id}},
		{"ErrUnknown", map[string]any{"user_id": 99999}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := m.do(req{method: "POST", path: "/api/user/blocks/", token: m.resident.token, body: c.body})
			if r.status != 400 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if _, ok := r.fieldErrs(t)["user_id"]; !ok {
				t.Errorf("no user_id error: %s", r.raw)
			}
		})
	}
}

// TestBlockedAuthorNotLive: a member who blocks someone does not get their
// messages over the room's socket (history already leaves them out), the
// others do, and after unblocking the next message arrives again.
func TestBlockedAuthorNotLive(t *testing.T) {
	m := newModEnv(t)
	_, roomID := m.writePost(m.other, "차단과 채팅", 5)
	m.joinAPI(roomID, m.resident, 200)
	m.joinAPI(roomID, m.staff, 200)
	if r := m.do(req{method: "POST", path: "/api/user/blocks/", token: m.resident.token, body: map[string]any{"user_id": m.other.id}}); r.status != 201 {
		t.Fatalf("block: %d %s", r.status, r.raw)
	}
	blocker := m.mustDial(roomID, m.resident)
	bystander := m.mustDial(roomID, m.staff)
	author := m.mustDial(roomID, m.other)

	author.send("차단된 사람의 말")
	if ev := bystander.expect("chat.message"); ev.Message.Message != "차단된 사람의 말" {
		t.Fatalf("bystander got %s", ev.raw)
	}
	bystander.send("다른 사람의 말")
	if ev := blocker.expect("chat.message"); ev.Message.Message != "다른 사람의 말" {
		t.Fatalf("the blocker got %s first", ev.raw)
	}

	if r := m.do(req{method: "DELETE", path: "/api/user/blocks/", token: m.resident.token, body: map[string]any{"user_id": m.other.id}}); r.status != 204 {
		t.Fatalf("unblock: %d", r.status)
	}
	author.send("다시 보이는 말")
	if ev := blocker.expect("chat.message"); ev.Message.Message != "다시 보이는 말" {
		t.Fatalf("after unblocking the blocker got %s", ev.raw)
	}
}
