package app

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mealbuddy/mealbuddy/store"
)

func TestNeighborhoodSearchLegalDongAPI(t *testing.T) {
	e := newTestEnv(t)
	names := func(r response) []string {
		var out []string
		for _, n := range r.json(t)["neighborhoods"].([]any) {
			out = append(out, n.(map[string]any)["name"].(string))
		}
		return out
	}
	search := func(query string) response {
		return e.do(req{method: "GET", path: "/api/neighborhoods/?" + query})
	}
	want := "서울특별시 강남구 역삼1동,서울특별시 강남구 역삼2동"
	for _, q := range []string{"역삼동", "강남구 역삼동", "강남구 역삼동 123-4"} {
		r := search("q=" + url.QueryEscape(q))
		if got := strings.Join(names(r), ","); r.status != 200 || got != want {
			t.Errorf("q=%s: %d %q, want %q", q, r.status, got, want)
		}
	}
	// With the browser's position, nearest first: 사직 near 부산 동래구 and
	// near 서울 종로구.
	for _, tt := range []struct{ lat, lon, first string }{
		{"35.19", "129.06", "부산광역시 동래구 사직1동"},
		{"37.576", "126.969", "서울특별시 종로구 사직동"},
	} {
		r := search("q=" + url.QueryEscape("사직") + "&lat=" + tt.lat + "&lon=" + tt.lon)
		if got := names(r); r.status != 200 || len(got) == 0 || got[0] != tt.first {
			t.Errorf("사직 near %s,%s: %d %q, want %q first", tt.lat, tt.lon, r.status, got, tt.first)
		}
	}
	// A position is both coordinates, valid.
	for _, q := range []string{"lat=37.5", "lat=abc&lon=127", "lat=95&lon=127"} {
		if r := search("q=%EC%82%AC%EC%A7%81&" + q); r.status != 400 {
			t.Errorf("%s: %d %s, want 400", q, r.status, r.raw)
		}
	}
}

func TestRegisterFullAddressSuggests(t *testing.T) {
	e := newTestEnv(t)
	body := validRegistration()
	body["address"] = "강남구 역삼동 123-4"
	r := e.do(req{method: "POST", path: "/api/user/register/", body: body})
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d %s, want 400", r.status, r.raw)
	}
	m := r.json(t)
	if m["errors"].(map[string]any)["address"] == nil {
		t.Errorf("no address error: %s", r.raw)
	}
	var got []string
	for _, s := range m["suggestions"].([]any) {
		got = append(got, s.(string))
	}
	if strings.Join(got, ",") != "서울특별시 강남구 역삼1동,서울특별시 강남구 역삼2동" {
		t.Errorf("suggestions %q", got)
	}
	// Picking one registers.
	body["address"] = got[1]
	if r := e.do(req{method: "POST", path: "/api/user/register/", body: body}); r.status != http.StatusCreated {
		t.Errorf("with a suggestion: %d %s", r.status, r.raw)
	}
}

func TestPostPreview(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("writer", addrSajik)
	body := orderPostBody()
	body["title"] = `"/><script>alert(1)</script>치킨`
	body["content"] = "비밀 내용: 101동 앞에서 만나요"
	id, _ := e.writeOrder(u, body)
	path := "/api/post/detail/" + strconv.FormatInt(id, 10) + "/preview/"

	t.Run("OK", func(t *testing.T) {
		r := e.do(req{method: "GET", path: path}) // no credential
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		m := r.json(t)
		if m["title"] != body["title"] || m["dong"] != "사직동" || m["dong_name"] != addrSajik ||
			m["store_name"] != "교촌치킨 사직점" || m["is_compelete"] != false || m["id"] != float64(id) {
			t.Errorf("preview %s", r.raw)
		}
		if at, _ := m["order_at"].(string); at == "" {
			t.Errorf("no order_at: %s", r.raw)
		}
		// Exactly these fields: nothing of the content, members or payment.
		keys := []string{}
		for k := range m {
			keys = append(keys, k)
		}
		if len(keys) != 7 {
			t.Errorf("fields %v, want id, title, dong, dong_name, store_name, order_at, is_compelete", keys)
		}
		for _, secret := range []string{"비밀", "writer", "101동", "pickup", "menu_url", "join_number"} {
			if strings.Contains(string(r.raw), secret) {
				t.Errorf("preview shows %q: %s", secret, r.raw)
			}
		}
	})
	t.Run("WithoutOrder", func(t *testing.T) {
		plain, _ := e.writePost(u, "그냥 글", 3)
		r := e.do(req{method: "GET", path: "/api/post/detail/" + strconv.FormatInt(plain, 10) + "/preview/"})
		if m := r.json(t); r.status != 200 || m["store_name"] != nil || m["order_at"] != nil {
			t.Errorf("%d %s", r.status, r.raw)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		for _, p := range []string{"/api/post/detail/99999/preview/", "/api/post/detail/abc/preview/"} {
			if r := e.do(req{method: "GET", path: p}); r.status != 404 {
				t.Errorf("%s: %d %s", p, r.status, r.raw)
			}
		}
	})
	t.Run("Hidden", func(t *testing.T) {
		hid, _ := e.writePost(u, "숨길 글", 3)
		ctx := context.Background()
		rep, _, err := e.store.CreateReport(ctx, store.NewReport{ReporterID: u.id, TargetType: store.TargetPost, TargetID: hid, Reason: "spam"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.ResolveReport(ctx, rep.ID, store.ActionHide, 0, store.Actor{}); err != nil {
			t.Fatal(err)
		}
		if r := e.do(req{method: "GET", path: "/api/post/detail/" + strconv.FormatInt(hid, 10) + "/preview/"}); r.status != 404 {
			t.Errorf("hidden post: %d %s", r.status, r.raw)
		}
	})
	t.Run("Deleted", func(t *testing.T) {
		del, _ := e.writePost(u, "지울 글", 3)
		p := "/api/post/detail/" + strconv.FormatInt(del, 10)
		if r := e.do(req{method: "POST", path: p + "/delete/", token: u.token}); r.status >= 300 {
			t.Fatalf("delete: %d %s", r.status, r.raw)
		}
		if r := e.do(req{method: "GET", path: p + "/preview/"}); r.status != 404 {
			t.Errorf("deleted post: %d %s", r.status, r.raw)
		}
	})
}

func TestPostPreviewRateLimit(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("writer", addrSajik)
	id, _ := e.writePost(u, "치킨", 3)
	path := "/api/post/detail/" + strconv.FormatInt(id, 10) + "/preview/"
	for i := range previewsPerMinute {
		if r := e.do(req{method: "GET", path: path}); r.status != 200 {
			t.Fatalf("preview %d: %d %s", i+1, r.status, r.raw)
		}
	}
	if r := e.do(req{method: "GET", path: path}); r.status != http.StatusTooManyRequests {
		t.Errorf("preview %d: %d %s, want 429", previewsPerMinute+1, r.status, r.raw)
	}
	// The page still loads, without the tags.
	e.srv.ui = fstest.MapFS{"index.html": {Data: []byte(`<html><head><title>밀버디</title></head><body></body></html>`)}}
	r := e.do(req{method: "GET", path: "/post/" + strconv.FormatInt(id, 10) + "/"})
	if r.status != 200 || strings.Contains(string(r.raw), "og:title") {
		t.Errorf("page over the limit: %d %s", r.status, r.raw)
	}
}

func TestPostPageOpenGraph(t *testing.T) {
	e := newTestEnv(t)
	e.srv.ui = fstest.MapFS{"index.html": {Data: []byte(`<!doctype html><html><head><title>밀버디</title></head><body><div id="root"></div></body></html>`)}}
	u := e.register("writer", addrSajik)
	body := orderPostBody()
	body["title"] = `"><script>alert(1)</script>'&`
	id, _ := e.writeOrder(u, body)
	page := "/post/" + strconv.FormatInt(id, 10) + "/"

	r := e.do(req{method: "GET", path: page})
	html := string(r.raw)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("%d %s", r.status, html)
	}
	escaped := `&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#39;&amp;`
	for _, tag := range []string{
		`<meta property="og:type" content="website" />`,
		`<meta property="og:site_name" content="밀버디" />`,
		`<meta property="og:title" content="` + escaped + `" />`,
		`<meta property="og:description" content="사직동 · 교촌치킨 사직점 · 모집 중" />`,
		`<meta property="og:url" content="` + e.http.URL + page + `" />`,
		`<meta name="twitter:card" content="summary" />`,
	} {
		if !strings.Contains(html, tag) {
			t.Errorf("page lacks %s:\n%s", tag, html)
		}
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "비밀") || strings.Count(html, "</head>") != 1 ||
		strings.Index(html, "og:title") > strings.Index(html, "</head>") {
		t.Errorf("tags broke out or landed outside <head>:\n%s", html)
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") {
		t.Errorf("CSP changed: %s", csp)
	}

	// Other pages, unknown and hidden posts get the plain page.
	for _, p := range []string{"/", "/post/99999/", "/post/" + strconv.FormatInt(id, 10) + "/edit/", "/board/"} {
		if r := e.do(req{method: "GET", path: p}); r.status != 200 || strings.Contains(string(r.raw), "og:") {
			t.Errorf("%s: %d %s", p, r.status, r.raw)
		}
	}
}
