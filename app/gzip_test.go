package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v (%q…)", err, b[:min(len(b), 40)])
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hasVary(h http.Header, v string) bool {
	for _, line := range h.Values("Vary") {
		for _, part := range strings.Split(line, ",") {
			if strings.EqualFold(strings.TrimSpace(part), v) {
				return true
			}
		}
	}
	return false
}

// TestAPIGzip: JSON answers are gzipped for clients that take gzip (the
// board, from its cache too), decode to the same JSON as the plain answer,
// and carry Vary; small answers, clients without gzip, WebSocket upgrades,
// metrics and health probes are left alone.
func TestAPIGzip(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Ops.MetricsToken = "metrics-token" })
	writer := e.register("writer", addrSajik)
	reader := e.register("reader", addrSajik)
	var room int64
	for i := range 12 {
		_, room = e.writePost(writer, fmt.Sprintf("치킨 같이 시켜요 %d번째 모집", i), 4)
	}
	gz := map[string]string{"Accept-Encoding": "gzip"}

	t.Run("BoardGzippedSameJSON", func(t *testing.T) {
		plain := e.do(req{method: "GET", path: "/api/post/", token: reader.token})
		if plain.status != 200 || plain.header.Get("Content-Encoding") != "" {
			t.Fatalf("plain board: %d %q", plain.status, plain.header.Get("Content-Encoding"))
		}
		if len(plain.raw) < gzipMinBytes {
			t.Fatalf("the board is only %d bytes: the test needs a page above %d", len(plain.raw), gzipMinBytes)
		}
		// Twice: the first may render the page, the second comes from the cache.
		for i := range 2 {
			r := e.do(req{method: "GET", path: "/api/post/", token: reader.token, headers: gz})
			if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("view %d: %d, Content-Encoding %q", i, r.status, r.header.Get("Content-Encoding"))
			}
			if !hasVary(r.header, "Accept-Encoding") {
				t.Errorf("view %d: Vary %q", i, r.header.Values("Vary"))
			}
			if r.header.Get("Content-Length") != fmt.Sprint(len(r.raw)) {
				t.Errorf("view %d: Content-Length %s for %d bytes", i, r.header.Get("Content-Length"), len(r.raw))
			}
			if len(r.raw) >= len(plain.raw) {
				t.Errorf("view %d: gzipped %d bytes, plain %d", i, len(r.raw), len(plain.raw))
			}
			if got := gunzip(t, r.raw); !bytes.Equal(got, plain.raw) {
				t.Fatalf("view %d decodes to\n%s\nwant\n%s", i, got, plain.raw)
			}
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
			}
		}
	})

	t.Run("SharedPageCompressedOnce", func(t *testing.T) {
		// A cached page is one slice; its gzipped form is kept with it.
		page := bytes.Repeat([]byte(`{"posts":[]}`), 200)
		a, b := sharedPages.get(page), sharedPages.get(page)
		if &a[0] != &b[0] {
			t.Error("the same page was compressed twice")
		}
		if !bytes.Equal(gunzip(t, a), page) {
			t.Error("kept bytes do not decode to the page")
		}
		other := bytes.Clone(page)
		if c := sharedPages.get(other); &c[0] == &a[0] {
			t.Error("another slice with the same bytes shared the entry")
		}
	})

	t.Run("JoinedViewerGetsOwnPage", func(t *testing.T) {
		// A member's view differs from the shared page (is_joined): it is
		// compressed on its own, never the cached bytes.
		if r := e.do(req{method: "POST", path: fmt.Sprintf("/api/chat/%d/", room), token: reader.token}); r.status >= 300 {
			t.Fatalf("join: %d %s", r.status, r.raw)
		}
		plain := e.do(req{method: "GET", path: "/api/post/", token: reader.token})
		r := e.do(req{method: "GET", path: "/api/post/", token: reader.token, headers: gz})
		if r.header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding %q", r.header.Get("Content-Encoding"))
		}
		got := gunzip(t, r.raw)
		if !bytes.Equal(got, plain.raw) || !bytes.Contains(got, []byte(`"is_joined":true`)) {
			t.Fatalf("member's board: %s", got)
		}
		var m map[string]any
		if err := json.Unmarshal(got, &m); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("SmallAnswerPlain", func(t *testing.T) {
		r := e.do(req{method: "GET", path: "/api/user/current/", token: reader.token, headers: gz})
		if r.status != 200 || r.header.Get("Content-Encoding") != "" || len(r.raw) >= gzipMinBytes {
			t.Fatalf("current: %d, %d bytes, Content-Encoding %q", r.status, len(r.raw), r.header.Get("Content-Encoding"))
		}
		if !hasVary(r.header, "Accept-Encoding") {
			t.Errorf("Vary %q", r.header.Values("Vary"))
		}
		r.json(t)
		// An error answer is JSON like any other.
		r = e.do(req{method: "GET", path: "/api/post/detail/999999/", token: reader.token, headers: gz})
		if r.status != 404 || r.header.Get("Content-Encoding") != "" {
			t.Fatalf("missing post: %d %q", r.status, r.header.Get("Content-Encoding"))
		}
		r.str(t)
	})

	t.Run("ClientWithoutGzip", func(t *testing.T) {
		for _, ae := range []string{"identity", "gzip;q=0", "gzip; q=0.000", "br"} {
			r := e.do(req{method: "GET", path: "/api/post/", token: reader.token, headers: map[string]string{"Accept-Encoding": ae}})
			if r.status != 200 || r.header.Get("Content-Encoding") != "" {
				t.Fatalf("%s: %d, Content-Encoding %q", ae, r.status, r.header.Get("Content-Encoding"))
			}
			r.json(t)
		}
	})

	t.Run("WebSocketUpgrades", func(t *testing.T) {
		c, status, err := e.dialChat(room, reader.token, http.Header{"Accept-Encoding": {"gzip"}})
		if err != nil {
			t.Fatalf("dial: %d %v", status, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := c.c.Write(ctx, websocket.MessageText, []byte(`{"message":"압축 없이 잘 가요"}`)); err != nil {
			t.Fatal(err)
		}
		for {
			_, b, err := c.c.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("압축 없이 잘 가요")) {
				break
			}
		}
	})

	t.Run("OpsUntouched", func(t *testing.T) {
		for _, p := range []string{"/livez", "/readyz"} {
			r := e.do(req{method: "GET", path: p, headers: gz})
			if r.status != 200 || r.header.Get("Content-Encoding") != "" {
				t.Fatalf("%s: %d %q", p, r.status, r.header.Get("Content-Encoding"))
			}
		}
		r := e.do(req{method: "GET", path: "/metrics", headers: map[string]string{
			"Accept-Encoding": "gzip", "Authorization": "Bearer metrics-token"}})
		if r.status != 200 || r.header.Get("Content-Encoding") != "" || !bytes.Contains(r.raw, []byte("mealbuddy_")) {
			t.Fatalf("metrics: %d %q %.80s", r.status, r.header.Get("Content-Encoding"), r.raw)
		}
	})
}
