package app

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
)

func TestServeUI(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name, path   string
		status       int
		cacheControl string
		bodyHas      string
	}{
		{"Index", "/", 200, "no-cache", `<div id="root">`},
		{"DeepLinkPost", "/post/12/", 200, "no-cache", `<div id="root">`},
		{"DeepLinkChat", "/chat/3/", 200, "no-cache", `<div id="root">`},
		{"HashedAsset", "/assets/app-abc123.js", 200, "public, max-age=2592000, immutable", `console.log`},
		{"OtherFile", "/favicon.svg", 200, "public, max-age=3600", `<svg`},
		{"MissingAsset", "/assets/nope-123.js", 404, "", ""},
		{"MissingFileWithExtension", "/robots.txt", 404, "", ""},
		{"APINeverFallsThrough", "/api/unknown/", 404, "", `"`},
		{"WSNeverFallsThrough", "/ws/unknown/", 404, "", `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(req{method: "GET", path: tt.path})
			if r.status != tt.status {
				t.Fatalf("%d, want %d", r.status, tt.status)
			}
			if got := r.header.Get("Cache-Control"); tt.cacheControl != "" && got != tt.cacheControl {
				t.Errorf("Cache-Control %q, want %q", got, tt.cacheControl)
			}
			if !strings.Contains(string(r.raw), tt.bodyHas) {
				t.Errorf("body %q lacks %q", r.raw, tt.bodyHas)
			}
			if strings.HasPrefix(tt.path, "/api/") || strings.HasPrefix(tt.path, "/ws/") {
				if strings.Contains(string(r.raw), "<") || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
					t.Errorf("%s fell through to the app: %s %q", tt.path, r.header.Get("Content-Type"), r.raw)
				}
			}
		})
	}
	if r := e.do(req{method: "POST", path: "/post/12/"}); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST to an app path: %d", r.status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newTestEnv(t)
	for _, path := range []string{"/", "/api/user/current/", "/assets/app-abc123.js"} {
		r := e.do(req{method: "GET", path: path})
		want := map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
			"X-Frame-Options":        "DENY",
		}
		for k, v := range want {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got, v)
			}
		}
		csp := r.header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, d)
			}
		}
	}
}

// TestUINotBuilt: a binary built without the web app says so at /.
func TestUINotBuilt(t *testing.T) {
	e := newTestEnv(t)
	e.srv.ui = emptyFS{}
	r := e.do(req{method: "GET", path: "/"})
	if r.status != 200 || !strings.Contains(string(r.raw), "make build") {
		t.Errorf("%d %q", r.status, r.raw)
	}
}

type emptyFS struct{}

func (emptyFS) Open(string) (fs.File, error) { return nil, fs.ErrNotExist }

func TestServeUIGzip(t *testing.T) {
	e := newTestEnv(t)
	for range 2 { // the second answer comes from the compressed copy
		r := e.do(req{method: "GET", path: "/assets/app-abc123.js", headers: map[string]string{"Accept-Encoding": "gzip"}})
		if r.header.Get("Content-Encoding") != "gzip" || !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("headers %v", r.header)
		}
		zr, err := gzip.NewReader(bytes.NewReader(r.raw))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if string(plain) != `console.log("app")` {
			t.Errorf("decompressed %q", plain)
		}
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") && !strings.HasPrefix(r.header.Get("Content-Type"), "application/javascript") {
			t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
		}
	}
	if r := e.do(req{method: "GET", path: "/assets/app-abc123.js", headers: map[string]string{"Accept-Encoding": "identity"}}); r.header.Get("Content-Encoding") != "" || string(r.raw) != `console.log("app")` {
		t.Errorf("without gzip: %v %q", r.header, r.raw)
	}
}

// TestServeUIInstallable: the service worker and the web app manifest come
// with the types browsers insist on; the worker is never kept without
// asking (a fixed worker must reach users at their next visit), and the
// security policy lets the page register it and read the manifest.
func TestServeUIInstallable(t *testing.T) {
	e := newTestEnv(t)
	e.srv.ui = fstest.MapFS{
		"index.html":           testUI["index.html"],
		"sw.js":                {Data: []byte(`self.addEventListener('fetch', () => {});`)},
		"manifest.webmanifest": {Data: []byte(`{"name":"밀버디","start_url":"/"}`)},
		"icons/icon-192.png":   {Data: []byte("\x89PNG\r\n\x1a\n")},
		"assets/app-abc123.js": testUI["assets/app-abc123.js"],
	}
	tests := []struct {
		name, path, ctype, cache, body string
		gzip                           bool
	}{
		{"ServiceWorker", "/sw.js", "text/javascript", "no-cache", "addEventListener", false},
		{"ServiceWorkerGzip", "/sw.js", "text/javascript", "no-cache", "addEventListener", true},
		{"Manifest", "/manifest.webmanifest", "application/manifest+json", "public, max-age=3600", `"밀버디"`, false},
		{"ManifestGzip", "/manifest.webmanifest", "application/manifest+json", "public, max-age=3600", `"밀버디"`, true},
		{"Icon", "/icons/icon-192.png", "image/png", "public, max-age=3600", "PNG", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.gzip {
				h["Accept-Encoding"] = "gzip"
			}
			r := e.do(req{method: "GET", path: tt.path, headers: h})
			if r.status != http.StatusOK {
				t.Fatalf("%d", r.status)
			}
			if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, tt.ctype) {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if got := r.header.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
			body := r.raw
			if tt.gzip {
				if r.header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("not gzipped: %v", r.header)
				}
				zr, err := gzip.NewReader(bytes.NewReader(r.raw))
				if err != nil {
					t.Fatal(err)
				}
				body, _ = io.ReadAll(zr)
			}
			if !strings.Contains(string(body), tt.body) {
				t.Errorf("body %q lacks %q", body, tt.body)
			}
			// The worker and the manifest load under the app's own policy:
			// scripts (a worker is one) and everything else from 'self'.
			csp := r.header.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'self'", "script-src 'self'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("CSP %q lacks %q", csp, d)
				}
			}
			for _, d := range []string{"worker-src", "manifest-src"} {
				if strings.Contains(csp, d) && !strings.Contains(csp, d+" 'self'") {
					t.Errorf("CSP %q narrows %s below 'self'", csp, d)
				}
			}
		})
	}
	// The app's own paths still load the app; a missing worker is a 404,
	// never the app's HTML (a browser would refuse it as a worker anyway).
	e.srv.ui = testUI
	if r := e.do(req{method: "GET", path: "/sw.js"}); r.status != http.StatusNotFound {
		t.Errorf("missing sw.js: %d", r.status)
	}
	if r := e.do(req{method: "GET", path: "/chats/"}); r.status != http.StatusOK || !strings.Contains(string(r.raw), `<div id="root">`) {
		t.Errorf("/chats/: %d %q", r.status, r.raw)
	}
}
