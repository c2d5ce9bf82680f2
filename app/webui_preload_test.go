package app

import (
	"strings"
	"testing"
	"testing/fstest"
)

// preloadUI is a built web app with route-chunks.json as ui/vite.config.ts
// writes it, plus entries a broken or tampered file could hold.
func preloadUI(chunks string) fstest.MapFS {
	return fstest.MapFS{
		"index.html":                {Data: []byte(`<!doctype html><html><head><title>밀버디</title></head><body><div id="root"></div></body></html>`)},
		"assets/index-Ab1_x.js":     {Data: []byte(`console.log("main")`)},
		"assets/Chat-Cs9_q-u.js":    {Data: []byte(`console.log("chat")`)},
		"assets/CartSheet-x1.js":    {Data: []byte(`console.log("cart")`)},
		"assets/PostForm-DUMc.js":   {Data: []byte(`console.log("form")`)},
		"assets/Chats-ByF.js":       {Data: []byte(`console.log("chats")`)},
		"assets/Profile-8ub.js":     {Data: []byte(`console.log("me")`)},
		"assets/style-abc.css":      {Data: []byte(`body{}`)},
		routeChunksFile:             {Data: []byte(chunks)},
		"assets/ResetPassword-1.js": {Data: []byte(`console.log("reset")`)},
	}
}

const goodChunks = `[
  {"pattern": "/chat/:id/", "files": ["/assets/Chat-Cs9_q-u.js", "/assets/CartSheet-x1.js"]},
  {"pattern": "/chats/", "files": ["/assets/Chats-ByF.js"]},
  {"pattern": "/write/", "files": ["/assets/PostForm-DUMc.js"]},
  {"pattern": "/post/:id/edit/", "files": ["/assets/PostForm-DUMc.js"]},
  {"pattern": "/me/", "files": ["/assets/Profile-8ub.js", "/assets/../index.html", "/assets/x\"><script>.js"]},
  {"pattern": "/admin/", "files": ["/assets/Admin-missing.js"]},
  {"pattern": "/reset-password", "files": ["/assets/ResetPassword-1.js"]},
  {"pattern": "/\"><script>/", "files": ["/assets/ResetPassword-1.js"]},
  {"pattern": "/board/", "files": ["https://evil.example/x.js", "//evil.example/x.js", "/assets/style-abc.css", "/favicon.js", "assets/Chats-ByF.js"]}
]`

func link(href string) string {
	return `<link rel="modulepreload" crossorigin href="` + href + `">`
}

// TestServeUIPreload: the HTML of a lazy screen's route names that screen's
// chunks (issue 14), before </head> and nowhere else; other paths, and
// anything the file should not hold, get nothing.
func TestServeUIPreload(t *testing.T) {
	e := newTestEnv(t)
	e.srv.ui = preloadUI(goodChunks)
	e.srv.preloads = loadPreloads(e.srv.ui, testLogger(t))
	chat := []string{link("/assets/Chat-Cs9_q-u.js"), link("/assets/CartSheet-x1.js")}
	form := []string{link("/assets/PostForm-DUMc.js")}
	tests := []struct {
		name, path string
		want       []string // nil: index.html as built
	}{
		{"Room", "/chat/12/", chat},
		{"RoomWithoutSlash", "/chat/12", chat},
		{"RoomWithQuery", "/chat/7/?from=push", chat},
		{"ChatList", "/chats/", []string{link("/assets/Chats-ByF.js")}},
		{"Write", "/write/", form},
		{"EditPost", "/post/3/edit/", form},
		{"ProfileGoodFileOnly", "/me/", []string{link("/assets/Profile-8ub.js")}},
		{"Board", "/", nil},
		{"Post", "/post/3/", nil},
		{"Login", "/login/", nil},
		{"RoomNotAnID", "/chat/abc/", nil},
		{"RoomEncodedDigit", "/chat/%31/", nil},
		{"RoomEncodedTraversal", "/chat/..%2Fpost%2F1/", nil},
		{"RoomEmptyID", "/chat//", nil},
		{"RoomDeeper", "/chat/12/x/", nil},
		{"RoomDoubleSlash", "//chat/12/", nil},
		{"OnlyMissingFile", "/admin/", nil},
		{"PatternWithoutSlashLeftOut", "/reset-password/", nil},
		{"OnlyForeignFiles", "/board/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(req{method: "GET", path: tt.path})
			if r.status != 200 {
				t.Fatalf("%d", r.status)
			}
			if got := r.header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control %q", got)
			}
			body := string(r.raw)
			head, _, ok := strings.Cut(body, "</head>")
			if !ok || !strings.Contains(body, `<div id="root">`) {
				t.Fatalf("not the app: %q", body)
			}
			if n, want := strings.Count(body, "modulepreload"), len(tt.want); n != want {
				t.Errorf("%d preload links, want %d: %q", n, want, body)
			}
			for _, l := range tt.want {
				if strings.Count(head, l) != 1 {
					t.Errorf("head %q lacks %s once", head, l)
				}
			}
			for _, bad := range []string{"evil", "<script>", "..", "Admin-missing", "style-abc", "favicon"} {
				if strings.Contains(body, bad) {
					t.Errorf("body has %q: %q", bad, body)
				}
			}
		})
	}
	// HEAD answers as GET does, without a body.
	if r := e.do(req{method: "HEAD", path: "/chat/12/"}); r.status != 200 || len(r.raw) != 0 {
		t.Errorf("HEAD: %d %q", r.status, r.raw)
	}
	// The table is the server's: not served, like any unknown file.
	if r := e.do(req{method: "GET", path: "/" + routeChunksFile}); r.status != 404 || strings.Contains(string(r.raw), "Chat-") {
		t.Errorf("/%s: %d %q", routeChunksFile, r.status, r.raw)
	}
}

// TestLoadPreloadsWithoutTable: a UI without route-chunks.json (a binary
// built without the UI, an older build) or with a broken one preloads
// nothing and still serves every page.
func TestLoadPreloadsWithoutTable(t *testing.T) {
	for name, ui := range map[string]fstest.MapFS{
		"Absent":        {"index.html": testUI["index.html"]},
		"NotJSON":       preloadUI(`<html>`),
		"NotAList":      preloadUI(`{"/chat/:id/": ["/assets/Chat-Cs9_q-u.js"]}`),
		"WrongTypes":    preloadUI(`[{"pattern": 1, "files": "/assets/Chat-Cs9_q-u.js"}]`),
		"Empty":         preloadUI(`[]`),
		"NoFiles":       preloadUI(`[{"pattern": "/chat/:id/", "files": []}]`),
		"OnlyBadFiles":  preloadUI(`[{"pattern": "/chat/:id/", "files": ["/assets/Chat-Cs9_q-u.mjs", "/assets/sub/Chat-Cs9_q-u.js"]}]`),
		"OnlyBadRoutes": preloadUI(`[{"pattern": "chat/:id/", "files": ["/assets/Chat-Cs9_q-u.js"]}, {"pattern": "/chat/:id/*", "files": ["/assets/Chat-Cs9_q-u.js"]}]`),
	} {
		t.Run(name, func(t *testing.T) {
			if got := loadPreloads(ui, testLogger(t)); len(got) != 0 {
				t.Fatalf("preloads %+v", got)
			}
			e := newTestEnv(t)
			e.srv.ui = ui
			r := e.do(req{method: "GET", path: "/chat/12/"})
			if r.status != 200 || strings.Contains(string(r.raw), "modulepreload") || !strings.Contains(string(r.raw), "<title>") {
				t.Errorf("%d %q", r.status, r.raw)
			}
		})
	}
}

// TestMatchesRoute follows the app's router (ui/src/lib/router.test.ts).
func TestMatchesRoute(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/post/:id/", "/post/12/", true},
		{"/post/:id/", "/post/12", true},
		{"/post/:id/edit/", "/post/12/edit/", true},
		{"/post/:id/edit/", "/post/12/edit", true},
		{"/chats/", "/chats", true},
		{"/chats/", "/chats/", true},
		{"/post/:id/", "/post/12/edit/", false},
		{"/post/:id/edit/", "/post/12/", false},
		{"/chats/", "/chat/", false},
		{"/chat/:id/", "/chat/", false},
		{"/chat/:id/", "/chats/", false},
		{"/write/", "/", false},
	}
	for _, seg := range []string{"..", ".", "%2E%2E", "1%2F2", "%31", "1.5", "-1", "1e3", "%201", "12abc", "abc", "1;2", "１"} {
		tests = append(tests, struct {
			pattern, path string
			want          bool
		}{"/post/:id/", "/post/" + seg + "/", false})
	}
	for _, tt := range tests {
		if got := matchesRoute(strings.Split(tt.pattern, "/"), tt.path); got != tt.want {
			t.Errorf("matchesRoute(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}
