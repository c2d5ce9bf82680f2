package app

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mealbuddy/mealbuddy/internal/token"
	"github.com/mealbuddy/mealbuddy/store"
)

func validPost() map[string]any {
	return map[string]any{"title": "치킨 같이 시켜요", "category": "치킨", "target_number": 4, "content": "배달비 나눠요"}
}

func TestWritePost(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("writer", addrSajik)
	r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: validPost()})
	if r.status != http.StatusCreated {
		t.Fatalf("write: %d %s", r.status, r.raw)
	}
	p := r.json(t)
	if p["join_number"] != float64(1) || p["is_compelete"] != false || p["address"] != addrSajik {
		t.Errorf("new post %s", r.raw)
	}
	if w := p["writer"].(map[string]any); w["id"] != float64(u.id) || w["username"] != "writer" {
		t.Errorf("writer %v", w)
	}
	if _, err := time.Parse(time.RFC3339, p["created_at"].(string)); err != nil {
		t.Errorf("created_at %v is not RFC 3339", p["created_at"])
	}
	roomID := int64(p["chat_id"].(float64))
	if ok, _ := e.store.IsMember(context.Background(), roomID, u.id); !ok {
		t.Error("the writer is not a member of the new room")
	}

	t.Run("NumericStrings", func(t *testing.T) {
		body := validPost()
		body["target_number"] = "8"
		r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: body})
		if r.status != 201 || r.json(t)["target_number"] != float64(8) {
			t.Errorf("%d %s", r.status, r.raw)
		}
	})
	t.Run("FormBody", func(t *testing.T) {
		r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token,
			body: "title=%ED%94%BC%EC%9E%90&category=%ED%94%BC%EC%9E%90&target_number=3&content=%EB%A8%B9%EC%9E%90"})
		if r.status != 201 {
			t.Errorf("%d %s", r.status, r.raw)
		}
	})

	tests := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"MissingTitle", func(m map[string]any) { delete(m, "title") }, "title"},
		{"MissingCategory", func(m map[string]any) { delete(m, "category") }, "category"},
		{"MissingTarget", func(m map[string]any) { delete(m, "target_number") }, "target_number"},
		{"MissingContent", func(m map[string]any) { delete(m, "content") }, "content"},
		{"UnknownCategory", func(m map[string]any) { m["category"] = "떡" }, "category"},
		{"TargetBelow2", func(m map[string]any) { m["target_number"] = 1 }, "target_number"},
		{"TargetAbove10", func(m map[string]any) { m["target_number"] = 11 }, "target_number"},
		{"TargetNotNumber", func(m map[string]any) { m["target_number"] = "many" }, "target_number"},
		{"TargetFraction", func(m map[string]any) { m["target_number"] = 2.5 }, "target_number"},
		{"TargetBool", func(m map[string]any) { m["target_number"] = true }, "target_number"},
		{"TitleOver30", func(m map[string]any) { m["title"] = strings.Repeat("가", 31) }, "title"},
		{"TitleNotString", func(m map[string]any) { m["title"] = 5 }, "title"},
		{"BlankContent", func(m map[string]any) { m["content"] = "  " }, "content"},
	}
	before, _ := e.store.CountPosts(context.Background(), postFilterAll(e, u), 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := validPost()
			tt.edit(body)
			r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: body})
			if r.status != 400 {
				t.Fatalf("%d %s, want 400", r.status, r.raw)
			}
			if _, ok := r.fieldErrs(t)[tt.field]; !ok {
				t.Errorf("no error on %s: %s", tt.field, r.raw)
			}
		})
	}
	if after, _ := e.store.CountPosts(context.Background(), postFilterAll(e, u), 0); after != before {
		t.Errorf("invalid writes created %d posts", after-before)
	}
	t.Run("Title30Fits", func(t *testing.T) {
		body := validPost()
		body["title"] = strings.Repeat("가", 30)
		if r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: body}); r.status != 201 {
			t.Errorf("%d %s", r.status, r.raw)
		}
	})
}

func TestEditPost(t *testing.T) {
	e := newTestEnv(t)
	w := e.register("writer", addrSajik)
	postID, _ := e.writePost(w, "원래 제목", 4)
	path := fmt.Sprintf("/api/post/detail/%d/edit/", postID)

	r := e.do(req{method: "POST", path: path, token: w.token, body: map[string]any{"title": "바뀐 제목"}})
	if r.status != 200 {
		t.Fatalf("edit: %d %s", r.status, r.raw)
	}
	p := r.json(t)
	if p["title"] != "바뀐 제목" || p["category"] != "치킨" || p["is_joined"] != true {
		t.Errorf("partial edit answer %s", r.raw)
	}
	// The writer closes and reopens the post.
	if p := e.do(req{method: "POST", path: path, token: w.token, body: map[string]any{"is_compelete": "true"}}).json(t); p["is_compelete"] != true {
		t.Errorf("close: %v", p["is_compelete"])
	}
	if p := e.do(req{method: "POST", path: path, token: w.token, body: map[string]any{"is_compelete": false}}).json(t); p["is_compelete"] != false {
		t.Errorf("reopen: %v", p["is_compelete"])
	}
	for name, body := range map[string]map[string]any{
		"TargetTooHigh":  {"target_number": 11},
		"TargetBelowOne": {"target_number": 1},
		"BadCategory":    {"category": "라면"},
		"BadFlag":        {"is_compelete": "maybe"},
		"LongTitle":      {"title": strings.Repeat("나", 31)},
		"BlankTitle":     {"title": ""},
	} {
		t.Run(name, func(t *testing.T) {
			if r := e.do(req{method: "POST", path: path, token: w.token, body: body}); r.status != 400 {
				t.Errorf("%d %s, want 400", r.status, r.raw)
			}
		})
	}
	got, _ := e.store.PostByID(context.Background(), postID)
	if got.Title != "바뀐 제목" || got.TargetNumber != 4 || got.Category != "치킨" {
		t.Errorf("a rejected edit changed the post: %+v", got)
	}
}

func TestTargetBelowMembers(t *testing.T) {
	e := newTestEnv(t)
	w := e.register("writer", addrSajik)
	postID, roomID := e.writePost(w, "세 명 모여요", 3)
	for _, name := range []string{"member1", "member2"} {
		m := e.register(name, addrSajik)
		if err := joinDirect(e, roomID, m.id); err != nil {
			t.Fatal(err)
		}
	}
	path := fmt.Sprintf("/api/post/detail/%d/", postID)
	p := e.do(req{method: "GET", path: path, token: w.token}).json(t)
	if p["join_number"] != float64(3) || p["is_compelete"] != true {
		t.Fatalf("full post: %v", p)
	}
	r := e.do(req{method: "POST", path: path + "edit/", token: w.token, body: map[string]any{"target_number": 2}})
	if r.status != 400 || r.fieldErrs(t)["target_number"] == nil {
		t.Errorf("target below members: %d %s", r.status, r.raw)
	}
	// Reopening a full post leaves it complete.
	p = e.do(req{method: "POST", path: path + "edit/", token: w.token, body: map[string]any{"is_compelete": false}}).json(t)
	if p["is_compelete"] != true {
		t.Error("a full post must stay complete")
	}
	p = e.do(req{method: "POST", path: path + "edit/", token: w.token, body: map[string]any{"target_number": 5}}).json(t)
	if p["is_compelete"] != false {
		t.Error("raising the target of a full post reopens it")
	}
}

// joinDirect adds a member through the store (the chat API has its own tests).
func joinDirect(e *testEnv, roomID, userID int64) error {
	db, err := sql.Open("sqlite", filepath.Join(e.dir, store.FileName))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(context.Background(),
		`INSERT INTO room_members (room_id, user_id, joined_at) VALUES (?, ?, ?)`, roomID, userID, "2026-01-01T00:00:00.000000Z")
	return err
}

func postFilterAll(e *testEnv, u testUser) store.PostFilter {
	usr, _ := e.store.UserByID(context.Background(), u.id)
	return store.PostFilter{Areas: []string{usr.Area()}}
}

func TestListShowsOnlyMyNeighbourhood(t *testing.T) {
	e := newTestEnv(t)
	seoul := e.register("seoul", addrSajik)
	jeju := e.register("jeju", addrYongdam)
	e.writePost(seoul, "서울 글", 3)
	e.writePost(jeju, "제주 글", 3)
	body := validPost()
	body["category"] = "피자"
	body["title"] = "제주 피자"
	e.do(req{method: "POST", path: "/api/post/write/", token: jeju.token, body: body})

	titles := func(u testUser, query string) []string {
		r := e.do(req{method: "GET", path: "/api/post/" + query, token: u.token})
		if r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.raw)
		}
		var out []string
		for _, p := range r.json(t)["posts"].([]any) {
			out = append(out, p.(map[string]any)["title"].(string))
		}
		return out
	}
	if got := titles(seoul, ""); len(got) != 1 || got[0] != "서울 글" {
		t.Errorf("seoul sees %v", got)
	}
	if got := titles(jeju, ""); len(got) != 2 {
		t.Errorf("jeju sees %v", got)
	}
	if got := titles(jeju, "?category=피자"); len(got) != 1 || got[0] != "제주 피자" {
		t.Errorf("jeju pizza %v", got)
	}
	if r := e.do(req{method: "GET", path: "/api/post/?category=떡", token: jeju.token}); r.status != 400 {
		t.Errorf("unknown category filter: %d", r.status)
	}
}

func TestFreeAddressMatchesExactly(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.AllowFreeAddress = true })
	reg := func(name, addr string) testUser { return e.register(name, addr) }
	a := reg("a", "우리 아파트 101동")
	b := reg("b", "우리 아파트 101동")
	c := reg("c", "우리 아파트 102동")
	e.writePost(a, "아파트 글", 3)
	for _, tt := range []struct {
		u    testUser
		want int
	}{{a, 1}, {b, 1}, {c, 0}} {
		r := e.do(req{method: "GET", path: "/api/post/", token: tt.u.token})
		if n := len(r.json(t)["posts"].([]any)); n != tt.want {
			t.Errorf("%s sees %d posts, want %d", tt.u.username, n, tt.want)
		}
	}
}

func TestNonNumericIDs(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("ids", addrSajik)
	for _, path := range []string{"/api/post/detail/abc/", "/api/post/detail/1e3/edit/", "/api/post/detail/-1/delete/", "/api/post/detail/999/"} {
		method := "GET"
		if strings.HasSuffix(path, "edit/") || strings.HasSuffix(path, "delete/") {
			method = "POST"
		}
		if r := e.do(req{method: method, path: path, token: u.token}); r.status != 404 {
			t.Errorf("%s %s: %d, want 404", method, path, r.status)
		}
	}
	if r := e.do(req{method: "GET", path: "/api/nothing/", token: u.token}); r.status != 404 || r.str(t) == "" {
		t.Errorf("unknown API path: %d %s", r.status, r.raw)
	}
}

// authRoute is one row of the authorization table: want maps a caller's
// name to the status; callers not named expect 401. {post} and {room} in the
// path are replaced by a fresh post of the "writer" caller and its room.
type authRoute struct {
	method, path string
	body         func() any
	want         map[string]int
}

// caller is one column of the authorization table.
type caller struct {
	name    string
	token   string
	headers map[string]string
	cookies []*http.Cookie
}

// TestAuthorization runs every route for every kind of caller.
func TestAuthorization(t *testing.T) {
	e := newTestEnv(t)
	writer := e.register("writer", addrSajik)
	other := e.register("other", addrSajik)
	staff := e.register("staff", addrSajik)
	if err := e.store.SetStaff(context.Background(), staff.id, true); err != nil {
		t.Fatal(err)
	}
	gone := e.register("gone", addrSajik)
	if err := e.store.SetActive(context.Background(), gone.id, false); err != nil {
		t.Fatal(err)
	}
	expired, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, token.Claims{Ver: 1, RegisteredClaims: jwt.RegisteredClaims{
		Subject: fmt.Sprint(writer.id), ExpiresAt: jwt.NewNumericDate(time.Now().Add(-time.Second))}}).SignedString(e.srv.secret)
	cookie := e.webLogin(writer)

	callers := []caller{
		{name: "anonymous"},
		{name: "other", token: other.token},
		{name: "writer", token: writer.token},
		{name: "staff", token: staff.token},
		{name: "deactivated", token: gone.token},
		{name: "expired", token: expired},
		{name: "cookieNoHeader", cookies: []*http.Cookie{cookie}},
		{name: "web", headers: map[string]string{webClientHeader: "web"}, cookies: []*http.Cookie{cookie}},
	}
	okAll := func(status int) map[string]int {
		return map[string]int{"other": status, "writer": status, "staff": status, "web": status}
	}
	routes := []authRoute{
		{"GET", "/api/user/current/", nil, okAll(200)},
		{"POST", "/api/user/update/", func() any { return map[string]any{"range": 0} }, okAll(200)}, // {} is a 400 (issue 10)
		{"POST", "/api/user/changepassword/", func() any { return map[string]any{} }, okAll(400)},
		{"POST", "/api/user/delete/", func() any { return map[string]any{} }, okAll(400)},
		{"GET", "/api/post/", nil, okAll(200)},
		{"POST", "/api/post/write/", func() any { return map[string]any{} }, okAll(400)},
		{"GET", "/api/post/detail/{post}/", nil, okAll(200)},
		{"POST", "/api/post/detail/{post}/edit/", func() any { return map[string]any{"title": "수정"} },
			map[string]int{"other": 403, "writer": 200, "staff": 200, "web": 200}},
		{"POST", "/api/post/detail/{post}/delete/", nil,
			map[string]int{"other": 403, "writer": 204, "staff": 204, "web": 204}},
	}
	routes = append(routes, chatAuthorizationRoutes(other.id)...)
	for _, rt := range routes {
		for _, c := range callers {
			t.Run(rt.method+" "+rt.path+" "+c.name, func(t *testing.T) {
				want, ok := rt.want[c.name]
				if !ok {
					want = 401
				}
				postID, roomID := e.writePost(writer, "권한 확인", 5)
				path := strings.ReplaceAll(rt.path, "{post}", fmt.Sprint(postID))
				path = strings.ReplaceAll(path, "{room}", fmt.Sprint(roomID))
				var body any
				if rt.body != nil {
					body = rt.body()
				}
				r := e.do(req{method: rt.method, path: path, token: c.token, headers: c.headers, cookies: c.cookies, body: body})
				if r.status != want {
					t.Errorf("%d %s, want %d", r.status, r.raw, want)
				}
			})
		}
	}
	// Open routes need nothing.
	for _, path := range []string{"/api/neighborhoods/?q=사직", "/api/neighborhoods/locate/?lat=37.576&lon=126.969"} {
		if r := e.do(req{method: "GET", path: path}); r.status != 200 {
			t.Errorf("anonymous %s: %d", path, r.status)
		}
	}
}
