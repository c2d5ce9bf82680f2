package app

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"
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
